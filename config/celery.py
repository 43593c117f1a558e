"""The one Celery app of Kata, configured from Django settings (namespace CELERY).

Workers and beat run in production over Redis, and on a laptop under `make run`
(scripts/run_dev.py, which sets the local settings and the filesystem broker). Without
DJANGO_SETTINGS_MODULE they use the production settings.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("kata")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
