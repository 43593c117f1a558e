"""Settings of the web benchmark (bench/web.py): production's, served over plain HTTP.

Production settings as `make serve` runs them (DEBUG off, the Redis cache, persistent
database connections), with what a benchmark on one machine needs instead: no HTTPS
redirect, the hosts the benchmark's clients use, a fixed key, email to nowhere, and
static file URLs without the collected manifest (the benchmark fetches no static
file). The database is DATABASE_URL.
"""

import os
import warnings

_key = os.environ.get("SECRET_KEY", "")
if len(_key) < 50 or _key.startswith("django-insecure"):
    os.environ["SECRET_KEY"] = "bench-web-" + "k" * 60
os.environ.setdefault("EMAIL_URL", "dummymail://")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")

from config.settings.production import *  # noqa: E402, F403
from config.settings.production import DATABASES, STORAGES  # noqa: E402

ROOT_URLCONF = "bench.web_urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# One connection per worker for the whole run (with production's 60 s a worker
# reconnects once a minute), so that the CPU time of its database backend is read.
DATABASES["default"]["CONN_MAX_AGE"] = 600
# bench/web.py finds gunicorn's database backends by this name.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})["application_name"] = os.environ.get(
        "BENCH_APPLICATION_NAME", "kata-bench-web"
    )
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Plain HTTP on 127.0.0.1: no redirect to HTTPS, cookies sent without TLS.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False

# No static files are collected (nor fetched): WhiteNoise need not say so per worker.
warnings.filterwarnings("ignore", message="No directory at: ")
