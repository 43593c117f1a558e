from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recognition"
    verbose_name = _("Management")
    # Its demo data (`manage.py seed_demo`, see accounts/demo.py).
    demo = "recognition.demo.RecognitionDemo"
    demo_after = ("accounts", "hiring", "journeys")

    def ready(self):
        # The rollup's change capture (recognition/changes.py says why signals).
        from . import changes

        changes.connect()
        # What the audit history shows of management (accounts/audit.py).
        from accounts import audit

        from . import metrics

        for model in ("CareerLevel", "PromotionStep", "AwardProgram"):
            audit.register("recognition", model)
        audit.register(
            "recognition",
            "MetricCriterion",
            "promotion",
            metric_fields=("metric", "value"),
            metrics=metrics,
        )
        audit.register("recognition", "CompetencyCriterion", "promotion")
        # The texts of its in-app notices (award winners).
        from . import notices

        notices.register()
