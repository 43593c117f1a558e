"""The benchmark's CPU time of the database holds the work of parallel workers
(bench/measure.py, issue 12). PostgreSQL runs part of a large scan or join in
parallel workers, processes of their own; counting only the backend's CPU time left
that part out, and the rollup started them where the SQL baseline did not."""

import os

import pytest
from django.db import connection

from bench import measure

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TABLE = "kata_test_parallel_probe"
QUERY = f"SELECT SUM(SQRT(n::float8) * LN(n::float8)) FROM {TABLE}"


# Any table scan in parallel: two workers beside the backend.
PARALLEL = {
    "parallel_setup_cost": "0",
    "parallel_tuple_cost": "0",
    "min_parallel_table_scan_size": "0",
    "max_parallel_workers_per_gather": "2",
    # The workers scan every row, the backend only gathers what they found.
    "parallel_leader_participation": "off",
}


@pytest.fixture
def probe():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(
            f"CREATE TABLE {TABLE} AS SELECT n FROM generate_series(1, 1500000) n"
        )
        cursor.execute(f"ANALYZE {TABLE}")
        for setting, value in PARALLEL.items():
            cursor.execute("SELECT set_config(%s, %s, false)", [setting, value])
    yield
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        for setting in PARALLEL:
            cursor.execute(f"RESET {setting}")


def _run_query():
    with connection.cursor() as cursor:
        cursor.execute(QUERY)
        return cursor.fetchone()[0]


def _workers_launched(plan: dict) -> int:
    """The parallel workers a plan (EXPLAIN ANALYZE, JSON) launched, in all."""
    return plan.get("Workers Launched", 0) + sum(
        _workers_launched(child) for child in plan.get("Plans", ())
    )


def test_the_database_cpu_time_holds_the_parallel_workers_of_a_statement(probe):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {QUERY}")
        plan = cursor.fetchone()[0][0]["Plan"]
    if not os.path.exists(f"/proc/{backend}/stat"):
        pytest.skip("the database runs on another machine: its processes are unseen")
    # The statement did run in parallel here (else this test would show nothing).
    assert _workers_launched(plan) >= 1

    backend_before = measure.process_cpu(backend)
    timing, _result = measure.timed(_run_query)
    backend_only = measure.process_cpu(backend) - backend_before

    # The workers scanned most of the rows: their time is counted, beside the
    # backend's own.
    assert timing.cpu_db - backend_only >= 0.05
    assert timing.cpu == pytest.approx(timing.cpu_app + timing.cpu_db)
