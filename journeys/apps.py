from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JourneysConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "journeys"
    verbose_name = _("Enablement")
    # Its demo data (`manage.py seed_demo`, see accounts/demo.py): the member hired
    # through the hiring demo is the newest.
    demo = "journeys.demo.JourneysDemo"
    demo_after = ("accounts", "hiring")
