"""The metric rollup with real concurrent transactions (PostgreSQL): two runs at once
end as one run would, and a reader never sees a month half written."""

import threading
import time

import pytest
from django.db import connection, connections

from recognition.models import AccountTransition, MemberFigure, RollupRun
from recognition.services.rollup import rollup
from tests.recognition.rollup_world import (
    APRIL,
    account,
    jst,
    member,
    reach,
    snapshot,
    snapshot_difference,
    worked_example,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NOW = jst(2026, 9, 1)


@pytest.fixture(autouse=True)
def _tokyo(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.FISCAL_YEAR_START_MONTH = 4


def _in_threads(*targets, timeout=60):
    """Run the targets in threads of their own (one database connection each),
    started together; returns the exceptions they raised."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def run(target):
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as error:  # reported by the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(target,)) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    assert not any(thread.is_alive() for thread in threads), "a rollup hung"
    return errors


def _no_duplicates(rows: dict) -> bool:
    return all(len(set(table)) == len(table) for table in rows.values())


def test_two_rollups_at_once_give_the_result_of_one():
    w = worked_example()
    # More accounts, so that the two runs overlap for a while: 30 more of Suzuki's
    # in April, every other one converting after 10 days.
    for index in range(30):
        extra = account(w.journey, owner=w.suzuki)
        reach(extra, w.s1, jst(2026, 4, 1 + index % 28))
        if index % 2:
            reach(extra, w.s2, jst(2026, 4, 11 + index % 18))

    errors = _in_threads(
        lambda: rollup(full=True, now=NOW), lambda: rollup(full=True, now=NOW)
    )
    assert errors == []
    assert RollupRun.objects.filter(finished_at__isnull=False).count() == 2
    together = snapshot()
    assert _no_duplicates(together)
    # The worked example's 10 rows, 2 per extra account (1→2 and the journey) and a
    # 2→3 row for each of the 15 that reached step 2.
    assert len(together["AccountTransition"]) == 10 + 30 * 2 + 15

    rollup(full=True, now=NOW)
    assert snapshot() == together


def _april_counts() -> tuple[int, int]:
    """April's figures and rows, read in one statement: one snapshot of the data
    (two queries could straddle the writer's commit)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT COUNT(*) FROM {MemberFigure._meta.db_table}"
            " WHERE month = %s),"
            f" (SELECT COUNT(*) FROM {AccountTransition._meta.db_table}"
            " WHERE cohort_month = %s)",
            [APRIL, APRIL],
        )
        return tuple(cursor.fetchone())


def test_a_reader_during_a_rollup_sees_the_old_month_or_the_new_one():
    w = worked_example()
    rollup(full=True, now=NOW)
    # April of the worked example: Sato 1→2, days to convert, journey and
    # conversions completed (a flow figure, with its April cohort); Suzuki 1→2,
    # journey and conversions completed → 7 member figures; A, B, C × (1→2,
    # journey) → 6 rows.
    old_figures, old_rows = 7, 6
    assert MemberFigure.objects.filter(month=APRIL).count() == old_figures
    assert AccountTransition.objects.filter(cohort_month=APRIL).count() == old_rows
    # Five new members with one April account each (not converted): each adds a
    # 1→2, a journey and a conversions-completed figure, and two rows → 22
    # figures, 16 rows.
    for day in range(5):
        newcomer = member(w.team)
        reach(account(w.journey, owner=newcomer), w.s1, jst(2026, 4, 10 + day))
    new_figures, new_rows = 22, 16

    writing = threading.Event()
    seen = set()

    def slow_statements(execute, sql, params, many, context):
        # Between the rollup's statements a reader has time to look.
        result = execute(sql, params, many, context)
        if "recognition_" in sql:
            time.sleep(0.02)
        return result

    def write():
        writing.set()
        try:
            with connection.execute_wrapper(slow_statements):
                rollup(full=True, now=NOW)
        finally:
            writing.clear()

    def read():
        while not writing.is_set():
            time.sleep(0.001)
        while writing.is_set():
            seen.add(_april_counts())
            time.sleep(0.002)

    assert _in_threads(write, read) == []
    # The reader looked while the rollup was writing, and only ever saw April as
    # it was before or as it is after.
    assert seen
    assert seen <= {(old_figures, old_rows), (new_figures, new_rows)}
    assert MemberFigure.objects.filter(month=APRIL).count() == new_figures
    assert AccountTransition.objects.filter(cohort_month=APRIL).count() == new_rows


def _rows_of_a_sharded_run(monkeypatch):
    """A sharded run's rows written, its figures' parts still to run, each
    holding its transaction a second after it has written (so that another one
    arrives before it commits). Returns the figures a full run writes, the
    rollup services, the run's token, start and moment, its months and a
    function that stops the delay."""
    from recognition.selectors import figures
    from recognition.services import rollup as rollup_services
    from tests.recognition.test_rollup_incremental import full_snapshot
    from tests.recognition.test_rollup_shards import _world

    _world()
    expected = full_snapshot(NOW)
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = rollup_services.lease()
    for journey_id, low, high in rollup_services.plan_shards(3):
        rollup_services.rollup_shard(token, journey_id, low, high, as_of)
    months = rollup_services._all_months(as_of)
    write = figures.write_month_figures

    def slow_write(**kwargs):
        write(**kwargs)
        time.sleep(1)

    monkeypatch.setattr(figures, "write_month_figures", slow_write)
    return (
        expected,
        rollup_services,
        (token, started_at, as_of),
        months,
        lambda: monkeypatch.setattr(figures, "write_month_figures", write),
    )


def test_two_copies_of_a_figure_part_at_once_stage_its_figures_once(monkeypatch):
    """A part of a sharded run's figures delivered twice while the first copy still
    runs (a visibility timeout): the copies take turns, the second replaces what
    the first wrote, and the finish swaps in each figure once."""
    expected, rollup_services, run_of, months, undelay = _rows_of_a_sharded_run(
        monkeypatch
    )
    token, started_at, as_of = run_of
    errors = _in_threads(
        lambda: rollup_services.rollup_figures(token, months, as_of),
        lambda: (
            time.sleep(0.3),
            rollup_services.rollup_figures(token, months, as_of),
        ),
    )
    assert errors == []
    undelay()
    run = rollup_services.rollup_finish(token, started_at, as_of)
    assert run is not None
    assert snapshot_difference(snapshot(), expected) == {}


def test_the_kinds_of_a_figure_part_write_at_once_each_its_own_figures(monkeypatch):
    """The four kinds of a sharded run's figures (each scope's, the people's) of
    the same months on workers at once, one of them delivered twice: they write
    into the same staging tables without getting in each other's way, and the
    finish swaps in each figure once."""
    from recognition.selectors.figures import FIGURE_PARTS

    expected, rollup_services, run_of, months, undelay = _rows_of_a_sharded_run(
        monkeypatch
    )
    token, started_at, as_of = run_of
    errors = _in_threads(
        *(
            lambda part=part: rollup_services.rollup_figures(token, months, as_of, part)
            for part in FIGURE_PARTS
        ),
        lambda: (
            time.sleep(0.3),
            rollup_services.rollup_figures(token, months, as_of, "people"),
        ),
    )
    assert errors == []
    undelay()
    run = rollup_services.rollup_finish(token, started_at, as_of)
    assert run is not None
    assert snapshot_difference(snapshot(), expected) == {}
