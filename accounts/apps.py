from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts and teams")
    # The demo organisation (`manage.py seed_demo`, see accounts/demo.py).
    demo = "accounts.demo.AccountsDemo"

    def ready(self):
        post_migrate.connect(_sync_role_permissions, sender=self)


def _sync_role_permissions(sender, using, **kwargs):
    from django.apps import apps

    from .roles import sync_role_permissions

    sync_role_permissions(apps=apps, using=using)
