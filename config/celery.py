"""The one Celery app of Kata, configured from Django settings (namespace CELERY).

Workers and beat run in production only (locally, tasks run in-process), so they use
the production settings unless DJANGO_SETTINGS_MODULE says otherwise.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("kata")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
