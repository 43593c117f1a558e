"""A developer's laptop: DEBUG on and a fixed key so that `make run` needs nothing."""

from .base import *  # noqa: F403
from .base import DATABASES, env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="django-insecure-local-development-key-never-use-in-production",
)

# `make run` has three processes on one SQLite file (the web server, the Celery
# worker and beat): readers do not wait for a writer (WAL), and a writer waits for
# another's transaction (a rollup) rather than failing with "database is locked".
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 30)
    DATABASES["default"]["OPTIONS"].setdefault(
        "init_command", "PRAGMA journal_mode=WAL;"
    )
