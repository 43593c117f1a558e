"""`make run` (scripts/run_dev.py) starts what production runs, with nothing to
install: the web server, a Celery worker and beat over kombu's filesystem transport.
What the web enqueues and what beat schedules are run by the worker, and one Ctrl-C
stops all three."""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

# Processes of their own, configured apart from the test run (CI's SQLite pass
# runs them); the first takes a minute.
pytestmark = [pytest.mark.own_environment, pytest.mark.long]
ROOT = Path(__file__).resolve().parents[2]
PERIODIC_JOBS = {
    "recognition.tasks.rollup_metrics",
    "hiring.tasks.send_scorecard_reminders",
    "recognition.tasks.close_award_periods",
    "hiring.tasks.anonymise_expired_candidates",
}


def _environment(tmp_path: Path) -> dict[str, str]:
    """A laptop's: local settings, no Redis, a SQLite file of the test's own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
        and not key.startswith("CELERY_")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_FILESYSTEM_DIR=str(tmp_path / "celery"),
        EMAIL_URL="consolemail://",
    )
    return env


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _query(database: Path, sql: str):
    with sqlite3.connect(database, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def _wait_for(check, log: Path, what: str, timeout: float = 240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if value := check():
                return value
        except (OSError, sqlite3.OperationalError):
            pass  # not up yet, or a table being created
        time.sleep(1)
    raise AssertionError(f"{what}: not within {timeout}s\n{log.read_text()}")


def _alive_in_groups(groups: set[int]) -> list[str]:
    """Processes (not zombies) of these process groups, as /proc shows them."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp …; comm may hold spaces and parentheses.
        fields = text[text.rindex(")") + 2 :].split()
        if fields[0] != "Z" and int(fields[2]) in groups:
            alive.append(text[: text.rindex(")") + 1])
    return alive


def test_make_run_runs_the_jobs_on_a_worker_and_one_ctrl_c_stops_all(tmp_path):
    env = _environment(tmp_path)
    database = tmp_path / "db.sqlite3"
    _manage(env, "migrate", "--no-input", "-v0")
    # A user to welcome (the web's kind of task), and the rollup due every second
    # (an admin may change its schedule in the admin): beat must send it.
    _manage(
        env,
        "shell",
        "--no-imports",
        "-c",
        "from django_celery_beat.models import IntervalSchedule, PeriodicTask\n"
        "from accounts.models import User\n"
        "User.objects.create_user('newcomer', 'newcomer@example.com', 'x')\n"
        "every = IntervalSchedule.objects.create(every=1, period='seconds')\n"
        "PeriodicTask.objects.create(name='Rollup now', interval=every,\n"
        "    task='recognition.tasks.rollup_metrics')\n",
    )
    port = _free_port()
    log = tmp_path / "run_dev.log"
    with log.open("w") as output:
        launcher = subprocess.Popen(
            [sys.executable, "scripts/run_dev.py", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        # The broker is files under the given folder, created on start.
        _wait_for(
            lambda: (tmp_path / "celery" / "messages").is_dir(), log, "the broker"
        )
        # The web server answers.
        _wait_for(
            lambda: (
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/healthz", timeout=5
                ).status
                == 200
            ),
            log,
            "the web server",
        )
        # What the web enqueues (here from another process, as a request would)
        # goes through the broker to the worker: the welcome email is sent.
        _manage(
            {**env, "CELERY_BROKER_URL": "filesystem://"},
            "shell",
            "--no-imports",
            "-c",
            "from accounts.models import User\n"
            "from accounts.tasks import send_welcome_email\n"
            "send_welcome_email.delay(User.objects.get(username='newcomer').pk)\n",
        )
        _wait_for(
            lambda: _query(
                database,
                "SELECT welcome_email_sent_at FROM accounts_user "
                "WHERE username = 'newcomer' AND welcome_email_sent_at IS NOT NULL",
            ),
            log,
            "the welcome email sent by the worker",
        )
        # Beat sends the rollup, and the worker runs it.
        _wait_for(
            lambda: _query(database, "SELECT id FROM recognition_rolluprun"),
            log,
            "a rollup run by the worker",
        )
        # Both ran on the worker, not in-process where they were sent.
        for task in (
            "accounts.tasks.send_welcome_email",
            "recognition.tasks.rollup_metrics",
        ):
            _wait_for(
                lambda task=task: re.search(
                    rf"Task {re.escape(task)}\[[^\]]+\] succeeded", log.read_text()
                ),
                log,
                f"the worker's report of {task}",
            )
        # Beat wrote every periodic job into its schedule (rows in the database).
        tasks = {
            task
            for (task,) in _query(
                database,
                "SELECT task FROM django_celery_beat_periodictask WHERE enabled",
            )
        }
        assert tasks >= PERIODIC_JOBS
    finally:
        # One Ctrl-C, as the terminal sends it to the launcher.
        launcher.send_signal(signal.SIGINT)
        try:
            returncode = launcher.wait(timeout=90)
        except subprocess.TimeoutExpired:
            launcher.kill()
            raise
    output = log.read_text()
    assert returncode == 0, output
    pids = {int(pid) for pid in re.findall(r"started \w+ \(pid (\d+)\)", output)}
    assert len(pids) == 3, output
    # Each child led a process group of its own (runserver's autoreloader has a
    # child in it): nothing of them is left running.
    deadline = time.monotonic() + 10
    while (alive := _alive_in_groups(pids)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert alive == [], output
    assert "run_dev: all stopped" in output
    assert "did not stop in time" not in output, "one had to be killed"


def test_the_filesystem_broker_sends_tasks_to_a_worker(tmp_path):
    """With the filesystem broker tasks are queued as files, not run in-process;
    without a broker (a plain `manage.py runserver`) they still run in-process."""
    script = (
        "from django.conf import settings as s\n"
        "print(s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL,"
        " getattr(s, 'CELERY_BROKER_TRANSPORT_OPTIONS', {}).get('data_folder_in'))"
    )
    env = _environment(tmp_path)
    queued = _manage(
        {**env, "CELERY_BROKER_URL": "filesystem://"},
        "shell",
        "--no-imports",
        "-c",
        script,
    )
    assert queued.split() == [
        "False",
        "filesystem://",
        str(tmp_path / "celery" / "messages"),
    ]
    assert _manage(env, "shell", "--no-imports", "-c", script).split()[:2] == [
        "True",
        "memory://",
    ]
