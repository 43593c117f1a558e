from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecognitionConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "recognition"
    verbose_name = _("Management")

    def ready(self):
        # The rollup's change capture (recognition/changes.py says why signals).
        from . import changes

        changes.connect()
