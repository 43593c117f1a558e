"""Settings shared by every environment.

Everything that differs between a laptop and production is read from the environment
(see `.env.example`). The embedded defaults need nothing but Python: a SQLite file in
the project folder, and Celery tasks run in-process when `REDIS_URL` is unset.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# A local `.env` file is optional; the real environment always wins.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
# The address users reach Kata at, for links in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Third party
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "axes",
    "simple_history",
    # Kata
    "accounts",
    "journeys",
    "hiring",
    "recognition",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records who made each change kept in an audit history (simple_history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A POST-only page opened with GET goes to its form's page, not a bare 405.
    "config.middleware.PostOnlyPageMiddleware",
    # Every response says where its scripts and styles may come from (SECURE_CSP).
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last: answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
                "hiring.context_processors.navigation",
                "journeys.context_processors.navigation",
                "recognition.context_processors.navigation",
            ],
        },
    },
]

# SQLite builds a covering index (`Index(include=…)`, for PostgreSQL's index-only
# lookups) without its extra columns: the index still serves, the warning says
# nothing to act on.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

# Database: a SQLite file in the project folder unless DATABASE_URL says otherwise.
DATABASES = {
    "default": env.db_url(
        "DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# PostgreSQL's JIT compiles a query whose estimated cost passes a threshold: the
# health score's INSERT … SELECT (some 270 expressions) spent 3–8 s of its 6–15 s
# compiling at 20,000 accounts, and the rollup gained nothing from it (issue 12).
# Off unless DATABASE_JIT=true.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env.bool(
    "DATABASE_JIT", default=False
):
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options["options"] = " ".join(
        filter(None, [options.get("options", ""), "-c jit=off"])
    )
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Authentication
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a login (page or API token) after too many failures.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UsernameOrEmailBackend",
]
# Too many failed logins for one username from one address lock that pair out for a
# while; the person can still log in from elsewhere, and an admin can unlock in admin.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# One count per person: "Hanako", "HANAKO" and her email address are one login.
AXES_USERNAME_CALLABLE = "accounts.backends.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.login_locked_out"
# The client's address for every limit (this lockout, API throttles, password reset):
# X-Forwarded-For is believed only as far as TRUSTED_PROXY_COUNT proxies of ours go.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 or more.")
AXES_CLIENT_IP_CALLABLE = "accounts.client_ip.client_ip"
RATELIMIT_IP_META_KEY = "accounts.client_ip.client_ip"
# Password reset requests (django-ratelimit, counted in the cache): per address asked
# for, and per client, known and unknown addresses alike.
PASSWORD_RESET_RATE_PER_ADDRESS = env.str("PASSWORD_RESET_RATE_PER_ADDRESS", "5/h")
PASSWORD_RESET_RATE_PER_CLIENT = env.str("PASSWORD_RESET_RATE_PER_CLIENT", "20/h")
AXES_VERBOSE = False
# The audit history of what judges people (promotion criteria, career levels, award
# programs, hiring policy, profile weights) is read, never reverted or edited.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_EDIT = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Language and time. Times are stored in UTC and shown in TIME_ZONE.
LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
# Kata's own catalogues, then Japanese for third-party apps that ship none
# (config/vendor_locale); the first path wins where both translate a msgid.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "config" / "vendor_locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Tokyo")
USE_I18N = True
USE_TZ = True
# Off: ids in links and attributes must never read "1,001". Numbers meant for
# reading get their separators from the `intcomma` filter.
USE_THOUSAND_SEPARATOR = False
# One date format per language: 2026/12/02 18:00 in Japanese, Dec 2, 2026 18:00 in
# English (config/formats/<language>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

# Quarters follow the fiscal year; April–March by default, as most Japanese companies.
FISCAL_YEAR_START_MONTH = env.int("FISCAL_YEAR_START_MONTH", default=4)
# A full rollup in shards (`manage.py rollup --full --shards`) splits each journey's
# accounts into this many shards for the Celery workers to share.
ROLLUP_SHARDS_PER_JOURNEY = env.int("ROLLUP_SHARDS_PER_JOURNEY", default=8)
# ... and its figures in four parts by kind (each scope's, the people's), each over
# this many runs of consecutive months (more, for more workers than four).
ROLLUP_FIGURE_PARTS = env.int("ROLLUP_FIGURE_PARTS", default=1)
# PostgreSQL: the parallel workers one statement of a rollup may start (for a query
# or an index build). None by default: a rollup runs in the background and its
# parallelism is its shards over the Celery workers; on two cores, parallel workers
# inside its statements cost more CPU, saved little or no wall time and took the
# core that serves the pages (README § Performance). Raise it on a database server
# with cores to spare.
ROLLUP_PARALLEL_WORKERS = env.int("ROLLUP_PARALLEL_WORKERS", default=0)
if ROLLUP_PARALLEL_WORKERS < 0:
    raise ImproperlyConfigured("ROLLUP_PARALLEL_WORKERS must be 0 or more.")
if not 1 <= FISCAL_YEAR_START_MONTH <= 12:
    raise ImproperlyConfigured("FISCAL_YEAR_START_MONTH must be between 1 and 12.")

# Content Security Policy, in every environment: scripts and styles only from our own
# static files, never inline (no <script> body, <style>, style="…" or onclick=…);
# images also as data: URIs (Bootstrap's icons are SVG data URIs in its CSS). Pages
# of third-party code that need more get it per response (config.csp), not here.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

# Static files are served by WhiteNoise from our own files: no CDN, pages work offline.
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# crispy-forms classes a field by its widget's class name: our faster menu
# (config.widgets.MenuSelect) carries the class of the Select it stands for.
CRISPY_CLASS_CONVERTERS = {"menuselect": "select"}

# Email: console output on a laptop, SMTP in production via EMAIL_URL.
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Kata <kata@localhost>")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)

# Cache: also the store of API throttling counters.
CACHES = {"default": env.cache_url("CACHE_URL", default="locmemcache://")}

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that an anonymous API call answers 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "EXCEPTION_HANDLER": "config.exceptions.api_exception_handler",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.StandardPagination",
    "DEFAULT_FILTER_BACKENDS": [
        # django-filter's, but a boolean filter refuses what is neither true nor false.
        "config.api.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        # DRF's, but an unknown ordering field answers 400 instead of being ignored.
        "config.api.OrderingFilter",
    ],
    # Documents every error an operation can answer (400/401/403/404/415/429).
    "DEFAULT_SCHEMA_CLASS": "config.schema.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"auth": env.str("AUTH_THROTTLE_RATE", "10/min")},
    "DEFAULT_RENDERER_CLASSES": [
        # DRF's JSON, that never fails on a lone surrogate echoed back.
        "config.renderers.JSONRenderer",
        # The browsable API, with the inline styles of its page allowed (config.csp).
        "config.csp.KataBrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's JSON, that answers a body nested too deeply with a 400.
        "config.renderers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # DRF's throttles name the client by the same rule as accounts.client_ip.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kata API",
    "DESCRIPTION": "Structured hiring, enablement and management for CS teams.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Two models call their choices "status": name the development plans' one.
    "ENUM_NAME_OVERRIDES": {
        "PlanStatusEnum": "recognition.models.PlanStatus",
        # Step events and ARR snapshots share where they were recorded; ARR
        # movements are both the stated and the inferred type.
        "RecordedSourceEnum": "journeys.models.StepEvent.Source",
        "ARRMovementEnum": "journeys.models.ARRMovement",
        # An account's health band, on the customers list and the health API.
        "HealthBandEnum": "journeys.models.HealthBand",
    },
}

# Celery, by broker:
# - Redis when REDIS_URL is set (production, CI): a worker and beat run the tasks.
# - CELERY_BROKER_URL=filesystem:// (`make run`, see scripts/run_dev.py): kombu's
#   filesystem transport, messages are files under CELERY_FILESYSTEM_DIR (.celery/
#   in the project); a worker and beat run on the laptop, with nothing to install.
# - neither (a plain `manage.py runserver`, the tests): tasks run in-process, eagerly,
#   right after the enqueuing transaction commits (services use delay_on_commit).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
if CELERY_TASK_ALWAYS_EAGER:
    CELERY_BROKER_URL = "memory://"
elif CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_FILESYSTEM_DIR = Path(
        env.str("CELERY_FILESYSTEM_DIR", default=str(BASE_DIR / ".celery"))
    )
    # One folder of messages, written and read by every process; a read message is
    # moved to processed/ (scripts/run_dev.py creates the folders and empties it).
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_FILESYSTEM_DIR / "messages"),
        "data_folder_out": str(CELERY_FILESYSTEM_DIR / "messages"),
        "control_folder": str(CELERY_FILESYSTEM_DIR / "control"),
        "processed_folder": str(CELERY_FILESYSTEM_DIR / "processed"),
        "store_processed": True,
    }
    # Nobody waits for a result on a laptop: results are not kept.
    CELERY_RESULT_BACKEND = None
    CELERY_TASK_IGNORE_RESULT = True
    # One worker: no remote control (each command would be a file per worker).
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker dies (killed, out of memory) goes back to the queue and runs
# again: every task is safe to run twice (the rollup's shards are one transaction).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # Redis gives an unacknowledged message to another worker after the visibility
    # timeout: well above the time limit, so a long task is never run twice at once.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4 * CELERY_TASK_TIME_LIMIT}
CELERY_RESULT_EXPIRES = 24 * 60 * 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
DJANGO_CELERY_BEAT_TZ_AWARE = True
# Every periodic task, in this one place. Beat copies these entries into the database
# when it starts (django-celery-beat): an admin can pause one in the admin, while its
# timing always comes from here. Crontab times are in CELERY_TIMEZONE (TIME_ZONE).
# One exception, because its timing is the admins' to change: the metric rollup
# (hourly at minute 5) is a database row created by migration recognition 0002.
CELERY_BEAT_SCHEDULE = {
    # Overdue scorecards are checked every hour, so that a reminder follows soon after
    # the policy's hours; the service reminds each scorecard at most once a day.
    "hiring-scorecard-reminders": {
        "task": "hiring.tasks.send_scorecard_reminders",
        "schedule": crontab(minute=0),
    },
    # APPI: candidates past the retention period are anonymised once a day, at night.
    "hiring-anonymise-expired-candidates": {
        "task": "hiring.tasks.anonymise_expired_candidates",
        "schedule": crontab(hour=3, minute=0),
    },
    # Award periods close once their last cohort is final (a full rollup of the
    # period, then the winners are recorded); daily after the night, safe twice.
    "recognition-close-award-periods": {
        "task": "recognition.tasks.close_award_periods",
        "schedule": crontab(hour=4, minute=30),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", "INFO")},
    # Lockouts are warnings; every single failed attempt need not be logged.
    "loggers": {"axes": {"level": "WARNING"}},
}
