"""What each role may do in the administration pages."""

from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission

from .models import Role

# The Admin role (CS operations) manages the data of these apps in the admin.
ADMIN_MANAGED_APPS = {
    "accounts",
    "authtoken",
    "axes",
    "django_celery_beat",
    "hiring",
    "journeys",
    "recognition",
}


def sync_role_permissions(*, apps, using="default") -> None:
    """Give the Admin group every permission of the apps it manages (idempotent).

    Runs after every `migrate`, so that a model added by a later issue is covered.
    """
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    admin, _created = Group.objects.using(using).get_or_create(name=Role.ADMIN.value)
    admin.permissions.add(
        *Permission.objects.using(using).filter(
            content_type__app_label__in=ADMIN_MANAGED_APPS
        )
    )
