from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HiringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "hiring"
    verbose_name = _("Hiring")
    # Its demo data (`manage.py seed_demo`, see accounts/demo.py).
    demo = "hiring.demo.HiringDemo"
    demo_after = ("accounts",)

    def ready(self):
        # What the audit history shows of hiring (accounts/audit.py).
        from accounts import audit

        audit.register("hiring", "HiringPolicy")
        audit.register("hiring", "ProfileWeight", "profile")
