"""Settings come from the environment; production refuses insecure defaults."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

# Fresh processes configured by their own environment (CI's SQLite pass runs them).
pytestmark = pytest.mark.own_environment
ROOT = Path(__file__).resolve().parent.parent


def _manage(*args, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            # Set by the browser tests for Playwright's event loop; never in production.
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "kata.example.com",
    "DATABASE_URL": "postgres://kata@127.0.0.1:5432/kata",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://kata:secret@smtp.example.com:587",
}


def test_deploy_check_passes_with_production_variables():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("secret_key", ["", "short", "django-insecure-" + "x" * 60])
def test_production_refuses_a_missing_or_weak_secret_key(secret_key):
    result = _manage("check", **{**PRODUCTION, "SECRET_KEY": secret_key})
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "variable", ["ALLOWED_HOSTS", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"]
)
def test_production_fails_loudly_without_a_required_variable(variable):
    env = dict(PRODUCTION)
    env.pop(variable)
    result = _manage("check", **env)
    assert result.returncode != 0
    assert variable in result.stderr


def test_production_ignores_debug_from_the_environment():
    values = _read_settings(
        "DEBUG", "CACHES['default']['BACKEND']", **PRODUCTION, DEBUG="true"
    )
    assert values == ["False", "django.core.cache.backends.redis.RedisCache"]


def test_openapi_schema_validates_without_warnings():
    result = _manage(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        os.devnull,
        DJANGO_SETTINGS_MODULE="config.settings.test",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _read_settings(*expressions, **env) -> list[str]:
    """The values of settings expressions, as a fresh process configured by `env`
    sees them."""
    script = (
        "from django.conf import settings as s; print("
        + ", ".join(f"s.{expression}" for expression in expressions)
        + ")"
    )
    result = _manage("shell", "--no-imports", "-c", script, **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


LOCAL_VALUES = (
    "DATABASES['default']['ENGINE']",
    "CELERY_TASK_ALWAYS_EAGER",
    "CELERY_BROKER_URL",
    "TIME_ZONE",
    "FISCAL_YEAR_START_MONTH",
)


def test_embedded_defaults_need_nothing_but_python():
    values = _read_settings(
        *LOCAL_VALUES, DJANGO_SETTINGS_MODULE="config.settings.local"
    )
    assert values == [
        "django.db.backends.sqlite3",
        "True",
        "memory://",
        "Asia/Tokyo",
        "4",
    ]


def test_environment_variables_override_the_defaults():
    values = _read_settings(
        *LOCAL_VALUES,
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL="postgres://kata@127.0.0.1:5432/kata",
        REDIS_URL="redis://127.0.0.1:6379/3",
        TIME_ZONE="UTC",
        FISCAL_YEAR_START_MONTH="1",
    )
    assert values == [
        "django.db.backends.postgresql",
        "False",
        "redis://127.0.0.1:6379/3",
        "UTC",
        "1",
    ]


def test_fiscal_year_start_month_must_be_a_month():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="config.settings.local",
        FISCAL_YEAR_START_MONTH="13",
    )
    assert result.returncode != 0
    assert "FISCAL_YEAR_START_MONTH" in result.stderr
