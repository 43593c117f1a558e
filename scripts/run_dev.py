#!/usr/bin/env python3
"""`make run`: what production runs, on a laptop, with nothing to install.

Starts the web server (runserver), one Celery worker and Celery beat with the local
settings, over kombu's filesystem transport (messages are files under .celery/ in
the project, or CELERY_FILESYSTEM_DIR): the worker runs what the web enqueues, and
beat starts the periodic jobs (the metric rollup, scorecard reminders, award closing,
anonymisation; django-celery-beat's schedules are rows in the database).

One Ctrl-C (SIGINT, or SIGTERM) stops all three: the launcher forwards it once to
each and waits for them. If one of them stops by itself, the others are stopped too
and the launcher exits with an error. The database must be migrated first (`make
run` does it).

    .venv/bin/python scripts/run_dev.py [--host 127.0.0.1] [--port 8000]
"""

import argparse
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# How long each process has to stop after Ctrl-C before it is killed.
STOP_TIMEOUT = 30


def _commands(host: str, port: int) -> dict[str, list[str]]:
    python = sys.executable
    celery = [python, "-m", "celery", "-A", "config"]
    return {
        # With its autoreloader: a process group of two (see _signal).
        "web": [python, "manage.py", "runserver", f"{host}:{port}"],
        # One process (solo): SQLite and a small machine; tasks run one at a time.
        "worker": [
            *celery,
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        # The schedule lives in the database (DatabaseScheduler, see settings).
        "beat": [*celery, "beat", "--loglevel=INFO"],
    }


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    env.setdefault("CELERY_BROKER_URL", "filesystem://")
    env.setdefault("CELERY_FILESYSTEM_DIR", str(ROOT / ".celery"))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _prepare_broker(folder: Path) -> None:
    """The transport's folders exist; messages already processed are dropped (those
    not yet read stay queued for the worker)."""
    shutil.rmtree(folder / "processed", ignore_errors=True)
    for name in ("messages", "control", "processed"):
        (folder / name).mkdir(parents=True, exist_ok=True)


def _signal(process: subprocess.Popen, signum: int) -> None:
    """Signal the process and its own children (its process group), as a terminal's
    Ctrl-C would."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signum)


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    """One SIGINT to each running process (Celery: a warm shutdown, finishing the
    task at hand), then wait; kill whatever is still running after STOP_TIMEOUT."""
    for process in processes.values():
        if process.poll() is None:
            _signal(process, signal.SIGINT)
    deadline = time.monotonic() + STOP_TIMEOUT
    for name, process in processes.items():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            print(f"run_dev: {name} did not stop in time, killing it", flush=True)
            _signal(process, signal.SIGKILL)
            process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)

    env = _environment()
    if env["CELERY_BROKER_URL"].startswith("filesystem://"):
        _prepare_broker(Path(env["CELERY_FILESYSTEM_DIR"]))

    stopping = False

    def request_stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)

    processes: dict[str, subprocess.Popen] = {}
    status = 0
    try:
        for name, command in _commands(args.host, args.port).items():
            # A session of its own: the terminal's Ctrl-C reaches the launcher only,
            # which forwards exactly one SIGINT (a second one would make Celery quit
            # without finishing its task).
            # None of them reads the keyboard (it belongs to the launcher).
            processes[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
            print(f"run_dev: started {name} (pid {processes[name].pid})", flush=True)
        print(
            f"run_dev: http://{args.host}:{args.port}/ — Ctrl-C stops all three",
            flush=True,
        )
        while not stopping:
            ended = [name for name, p in processes.items() if p.poll() is not None]
            if ended:
                print(f"run_dev: {', '.join(ended)} stopped; stopping the others")
                status = 1
                break
            time.sleep(0.5)
    finally:
        _stop(processes)
    print("run_dev: all stopped", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
