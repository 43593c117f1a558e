"""Shared fixtures, and the rules for tests that need real services.

Tests marked `postgres`, `redis` or `browser` need PostgreSQL, Redis with a Celery
worker, or Chromium. Locally they skip, with the reason, when the service is missing.
In CI (CI=true) a skipped test fails the run: nothing silently stops being tested.
"""

import os
import shutil
import socket
from urllib.parse import urlparse

import factory.random
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from tests.factories import HiringWorld, Organisation, build_hiring, build_organisation

hypothesis_settings.register_profile(
    "ci", derandomize=True, max_examples=60, deadline=None, print_blob=True
)
hypothesis_settings.register_profile("dev", max_examples=100, deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")
# Generated names and the like are the same on every run.
factory.random.reseed_random("kata")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _redis_reachable() -> bool:
    if not settings.REDIS_URL:
        return False
    url = urlparse(settings.REDIS_URL)
    try:
        with socket.create_connection((url.hostname, url.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def pytest_collection_modifyitems(config, items):
    missing = {
        "postgres": None
        if connection.vendor == "postgresql"
        else "needs PostgreSQL: set DATABASE_URL=postgres://…",
        "redis": None
        if _redis_reachable()
        else "needs Redis for a Celery worker: set REDIS_URL=redis://… (running)",
        "browser": None
        if shutil.which(CHROMIUM)
        else f"needs Chromium at {CHROMIUM}: apt-get install chromium",
    }
    for item in items:
        for marker, reason in missing.items():
            if reason and item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))
    # The tests that run for half a minute or more start first (in their modules'
    # order), so that xdist shares them out between its workers instead of one
    # worker finishing the run alone with the last of them.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_sessionfinish(session, exitstatus):
    if not os.environ.get("CI"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(
            f"CI=true: {len(skipped)} test(s) were skipped; in CI every selected test "
            "must run. Deselect by marker (-m) what does not belong to this pass.",
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def org(db) -> Organisation:
    return build_organisation()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Throttling counters live in the cache: no test inherits another's attempts.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english_by_default(settings):
    # Tests read English unless they ask for Japanese; the product default stays ja.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def hiring(org) -> HiringWorld:
    """Hiring objects on top of `org` (see tests.factories.build_hiring)."""
    org.hiring = build_hiring(org)
    return org.hiring


@pytest.fixture(autouse=True)
def _own_competency_framework(request):
    """Tests build the competency framework they use: the starting competencies and
    profiles shipped by the migration hiring 0002 are removed for the test (rolled
    back after it, or flushed with a transactional test's data). A test that needs
    them asks for the `starting_profiles` fixture."""
    names = set(request.fixturenames)
    if names & {"starting_profiles", "module_data"}:
        # module_data removed them once, before building what the module shares.
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        names & {"transactional_db", "live_server"}
        or (marker and marker.kwargs.get("transaction"))
    )
    if not (marker or transactional or "db" in names):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    _remove_starting_framework()


def _remove_starting_framework():
    from hiring.models import Competency, ProfileWeight, SuccessProfile

    ProfileWeight.objects.all().delete()
    SuccessProfile.objects.all().delete()
    Competency.objects.all().delete()


@pytest.fixture(scope="module")
def module_data(django_db_setup, django_db_blocker):
    """Data built once for a whole test module instead of once per test.

    Yields `keep(build)`: call it (in a module-scoped fixture) with a function that
    creates rows and returns them. The rows are written inside a transaction held
    open for the module; each test runs in a savepoint of it (pytest-django's `db`),
    so whatever a test changes is rolled back before the next one, and the module's
    transaction is rolled back at its end. A test must copy the returned objects
    (copy.deepcopy) before using them, as Django's setUpTestData does, so that
    attributes set on them in one test never leak into the next. The starting
    competency framework is removed first, as for every test (see above), unless
    `keep(build, starting_profiles=True)`."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:

        def keep(build, *, starting_profiles=False):
            with django_db_blocker.unblock():
                if not starting_profiles:
                    _remove_starting_framework()
                return build()

        yield keep
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def starting_profiles():
    """Keeps the starting competencies and profiles of migration hiring 0002."""
