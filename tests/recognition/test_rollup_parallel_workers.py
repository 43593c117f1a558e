"""On PostgreSQL a rollup's statements start no parallel workers unless
ROLLUP_PARALLEL_WORKERS allows them (issue 12). A rollup runs in the background and
its parallelism is its shards over the Celery workers; parallel workers inside its
statements spent more CPU for about the same wall time on two cores, on the cores
that serve the pages. The limit holds for the rollup's own transactions only."""

import pytest
from django.db import connection

from recognition.selectors import figures
from recognition.services import rollup as rollup_services
from recognition.services import rows
from recognition.services.rollup import (
    lease,
    plan_shards,
    rollup,
    rollup_figures,
    rollup_shard,
)
from tests.recognition.rollup_world import jst, worked_example

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = jst(2026, 9, 1)
SETTINGS = (
    "SELECT current_setting('max_parallel_workers_per_gather'), "
    "current_setting('max_parallel_maintenance_workers')"
)


def _settings() -> tuple[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(SETTINGS)
        return cursor.fetchone()


@pytest.fixture
def seen(monkeypatch, settings):
    """The parallel-worker settings in force each time a rollup writes rows or
    figures."""
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.ROLLUP_SHARDS_PER_JOURNEY = 2
    found = []
    for module, name in ((rows, "write_rows"), (figures, "write_month_figures")):
        original = getattr(module, name)

        def recorded(*args, _original=original, _name=name, **kwargs):
            found.append((_name, _settings()))
            return _original(*args, **kwargs)

        monkeypatch.setattr(module, name, recorded)
    worked_example()
    return found


def test_a_rollup_starts_no_parallel_workers_and_leaves_the_session_as_it_was(seen):
    server = _settings()
    assert server != ("0", "0")  # PostgreSQL's defaults: 2 and 2

    rollup(full=True, now=NOW)
    rollup(now=NOW)

    assert {name for name, _values in seen} == {"write_rows", "write_month_figures"}
    assert {values for _name, values in seen} == {("0", "0")}
    # Other work on the connection, once the rollup's transaction has ended.
    assert _settings() == server


def test_the_shards_and_figure_parts_start_none_either(seen, monkeypatch):
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, _started_at, as_of = lease()
    for journey_id, low, high in plan_shards(2):
        rollup_shard(token, journey_id, low, high, as_of)
    rollup_figures(token, [NOW.date().replace(day=1)], as_of, "member")

    assert {name for name, _values in seen} == {"write_rows", "write_month_figures"}
    assert {values for _name, values in seen} == {("0", "0")}


def test_rollup_parallel_workers_allows_them(seen, settings):
    settings.ROLLUP_PARALLEL_WORKERS = 2

    rollup(full=True, now=NOW)

    assert seen
    assert {values for _name, values in seen} == {("2", "2")}
