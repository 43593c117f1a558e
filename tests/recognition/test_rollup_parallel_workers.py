"""On PostgreSQL a rollup's statements start no parallel workers unless
ROLLUP_PARALLEL_WORKERS allows them (issue 12; why: that setting's comment in
config/settings/base.py). The limit holds for the rollup's own transactions only:
the connection's own settings are back once they end."""

import pytest
from django.db import connection

from recognition.selectors import figures
from recognition.services import rollup as rollup_services
from recognition.services import rows
from recognition.services.rollup import lease, plan_shards, rollup, rollup_shard
from tests.recognition.rollup_world import jst, worked_example

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = jst(2026, 9, 1)
LIMITS = ("max_parallel_workers_per_gather", "max_parallel_maintenance_workers")
# The connection's own values, set here rather than taken from the server's.
SESSION = ("3", "3")
# What writes the rows, the figures and the staged tables, indexes them, removes
# rows no shard covered and ends a run.
WATCHED = (
    (rows, "write_rows"),
    (figures, "write_month_figures"),
    (figures, "create_stage_tables"),
    (figures, "index_stage_rows"),
    (figures, "swap_in_stage_tables"),
    (rollup_services, "remove_uncovered_rows"),
    (rollup_services, "_finish"),
)


def _limits() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting(%s), current_setting(%s)", list(LIMITS))
        return cursor.fetchone()


@pytest.fixture
def seen(monkeypatch, settings):
    """The parallel-worker limits in force each time a rollup does one of the
    WATCHED things, by name."""
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.ROLLUP_SHARDS_PER_JOURNEY = 2
    with connection.cursor() as cursor:
        for name, value in zip(LIMITS, SESSION, strict=True):
            cursor.execute("SELECT set_config(%s, %s, false)", [name, value])
    found = {}
    for module, name in WATCHED:
        original = getattr(module, name)

        def recorded(*args, _original=original, _name=name, **kwargs):
            found.setdefault(_name, set()).add(_limits())
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, recorded)
    worked_example()
    yield found
    with connection.cursor() as cursor:
        for name in LIMITS:
            cursor.execute(f"RESET {name}")


def test_a_rollup_starts_no_parallel_workers_and_leaves_the_session_as_it_was(seen):
    rollup(full=True, now=NOW)
    rollup(now=NOW)

    assert {"write_rows", "write_month_figures", "_finish"} <= set(seen)
    assert set().union(*seen.values()) == {("0", "0")}
    # Other work on the connection, once the rollup's transactions have ended.
    assert _limits() == SESSION


def test_a_run_in_shards_starts_none_in_any_of_its_tasks(seen, monkeypatch):
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = lease()
    shards = plan_shards(2)
    for journey_id, low, high in shards:
        rollup_shard(token, journey_id, low, high, as_of)
    # The tasks run in this process: the figures' parts, the staged rows'
    # indexes and the finish.
    rollup_services.dispatch_figures(
        token, started_at.isoformat(), as_of.isoformat(), shards
    )

    assert set(seen) == {name for _module, name in WATCHED}
    assert set().union(*seen.values()) == {("0", "0")}
    assert _limits() == SESSION


def test_rollup_parallel_workers_allows_them(seen, settings):
    settings.ROLLUP_PARALLEL_WORKERS = 2

    rollup(full=True, now=NOW)

    assert seen
    assert set().union(*seen.values()) == {("2", "2")}
    assert _limits() == SESSION
