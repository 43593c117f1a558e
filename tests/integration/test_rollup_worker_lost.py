"""A full rollup in shards on a real Celery worker (Redis, PostgreSQL): a worker
process killed in the middle of a shard loses nothing. Its shard's transaction is
rolled back, the message goes back to the queue (late acknowledgement, rejected
on a lost worker) and runs again whole; the tables end equal to a clean full run.
"""

import os
import signal
import time
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from config import celery_app
from journeys.models import Coverage
from recognition.models import AccountTransition, RollupRun
from recognition.services.rollup import rollup_sharded
from tests.integration.test_celery_worker import stop_worker, worker_process
from tests.recognition.rollup_world import (
    account,
    journey,
    jst,
    member,
    reach,
    snapshot,
    snapshot_difference,
    team,
)
from tests.recognition.test_rollup_incremental import full_snapshot

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _shards(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.ROLLUP_SHARDS_PER_JOURNEY = 4


@pytest.fixture
def prefork_worker():
    """A worker with one prefork child on a queue of its own, reading the test
    database; yields (queue, the worker process, a function that stops it and
    returns its output)."""
    queue = f"kata-test-{uuid.uuid4().hex}"
    worker = worker_process(
        queue,
        "--pool=prefork",
        "--concurrency=1",
        TIME_ZONE="Asia/Tokyo",
        ROLLUP_SHARDS_PER_JOURNEY="4",
    )
    output = []

    def stop() -> str:
        if not output:
            output.append(stop_worker(worker))
        return output[0]

    eager = celery_app.conf.task_always_eager
    celery_app.conf.update(task_always_eager=False)
    try:
        yield queue, worker, stop
    finally:
        celery_app.conf.update(task_always_eager=eager)
        stop()


def _world():
    """Three members in teams of their own, with accounts on a journey of three
    steps (the last a value point)."""
    built, steps = journey((30, 30, 30), value_points={3: 60})
    members = [member(team(f"Team {n}"), username=f"m{n}") for n in range(3)]
    for n in range(24):
        owned = account(built, owner=members[n % 3])
        reach(owned, steps[0], jst(2026, 4, 1 + n))
        if n % 3:
            reach(owned, steps[1], jst(2026, 5, 1 + n))
        if n % 4 == 0:
            reach(owned, steps[2], jst(2026, 6, 1 + n))


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (from /proc: Linux)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            # pid (comm) state ppid …: comm may hold spaces, so split after it.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _waiting_shard(timeout: float = 60) -> bool:
    """Wait until some backend of this database waits for a lock (the worker's,
    in a shard)."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = "
                "'Lock' AND backend_type = 'client backend' "
                "AND datname = current_database()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.1)
    return False


def test_a_worker_killed_mid_shard_loses_nothing(prefork_worker):
    queue, worker, stop = prefork_worker
    _world()
    settings = connection.settings_dict
    # Another session holds the coverage, which only the shards read: the first
    # shard deletes its accounts' rows (which an earlier delivery would have
    # written), then waits in the middle of its transaction, writing them.
    blocker = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        dbname=settings["NAME"],
    )
    blocker.execute(f"LOCK TABLE {Coverage._meta.db_table} IN ACCESS EXCLUSIVE MODE")
    try:
        rollup_sharded(full=True, wait=False, queue=queue)
        assert _waiting_shard(), "no shard waited for the coverage"
        children = _children(worker.pid)
        assert children, "the worker has no child process"
        for child in children:
            os.kill(child, signal.SIGKILL)
        time.sleep(1)
    finally:
        blocker.rollback()
        blocker.close()
    deadline = time.monotonic() + 120
    while not RollupRun.objects.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    run = RollupRun.objects.get()
    assert run.full
    assert AccountTransition.objects.count() == 24 * 2 + 16
    assert snapshot_difference(snapshot(), full_snapshot(run.as_of)) == {}
    # The worker saw its child die and gave the shard back to the queue.
    output = stop()
    assert "WorkerLostError" in output or "SIGKILL" in output
