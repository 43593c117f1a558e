"""A task goes through Redis to a real Celery worker, and its result comes back."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.db import connection

from accounts.tasks import send_welcome_email
from config import celery_app
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.redis, pytest.mark.postgres]


def _test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{auth}@{host}:{port}/{db['NAME']}"


def worker_process(queue: str, *options: str, **environment: str) -> subprocess.Popen:
    """A Celery worker process on `queue`, reading the test database."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _test_database_url(),
        **environment,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            *options,
            "--queues",
            queue,
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def stop_worker(worker: subprocess.Popen) -> str:
    """Stop the worker; returns what it printed."""
    worker.terminate()
    try:
        output, _ = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        output, _ = worker.communicate()
    print(output)
    return output


@pytest.fixture
def worker_queue():
    """A worker process on a queue of its own, reading the test database."""
    queue = f"kata-test-{uuid.uuid4().hex}"
    worker = worker_process(queue, "--pool=solo")
    try:
        yield queue
    finally:
        stop_worker(worker)


@pytest.fixture
def through_the_broker():
    """Send tasks to the broker instead of running them in-process."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.update(task_always_eager=False)
    yield
    celery_app.conf.update(task_always_eager=eager)


@pytest.mark.django_db(transaction=True)
def test_welcome_email_task_runs_on_a_real_worker(worker_queue, through_the_broker):
    user = UserFactory(email="worker@example.com")
    result = send_welcome_email.apply_async(args=[user.pk], queue=worker_queue)
    assert result.get(timeout=90) is True
    user.refresh_from_db()
    assert user.welcome_email_sent_at is not None
    # Running it again through the worker sends nothing more.
    again = send_welcome_email.apply_async(args=[user.pk], queue=worker_queue)
    assert again.get(timeout=60) is False
