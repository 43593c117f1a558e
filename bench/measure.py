"""Measuring helpers for the benchmark suite: the median of several runs of CPU time
(this process and the database backend serving it) and wall time, the peak RSS of a
child process, and a description of the machine.

The database and this process run on the same machine. On PostgreSQL the backend
serving Django's connection is another process: its CPU time is read from
/proc/<pg_backend_pid()>/stat before and after. A statement it runs in parallel
(a `Gather` in its plan) has parallel workers do part of the work: other
processes, children of the server's postmaster, which end with the statement and
are reaped by it before the statement returns, so their CPU time is the growth of
the postmaster's reaped children's time (cutime + cstime, /proc/<postmaster>/stat)
over the measurement. Any other child of the server ending meanwhile (another
session closing) would count too: the benchmark runs alone. On SQLite the database
runs inside this process, so the process's own CPU time already holds it.
"""

from __future__ import annotations

import contextlib
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Timing:
    """One measurement (or the median of several): seconds."""

    wall: float
    cpu_app: float
    cpu_db: float

    @property
    def cpu(self) -> float:
        """CPU time of this process and the database backend (with its parallel
        workers)."""
        return self.cpu_app + self.cpu_db

    def describe(self) -> str:
        if self.cpu_db:
            return (
                f"{self.cpu:.2f} s CPU ({self.cpu_app:.2f} app + {self.cpu_db:.2f} db)"
                f", {self.wall:.2f} s wall"
            )
        return f"{self.cpu:.2f} s CPU, {self.wall:.2f} s wall"


def _backend_pid() -> int | None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (the first is the
    state, the second the parent's pid)."""
    with open(f"/proc/{pid}/stat") as stat:
        # The command name is in parentheses and may hold spaces: split after it.
        return stat.read().rsplit(")", 1)[1].split()


def process_cpu(pid: int) -> float:
    """utime + stime of a process, in seconds (/proc/<pid>/stat)."""
    fields = _stat(pid)
    # Fields 14 and 15 of the file (utime, stime) are 12 and 13 after the name.
    return (int(fields[11]) + int(fields[12])) / TICKS


def reaped_cpu(pid: int) -> float:
    """cutime + cstime of a process, in seconds: the CPU time of its children that
    ended and that it waited for (fields 16 and 17 of /proc/<pid>/stat)."""
    fields = _stat(pid)
    return (int(fields[13]) + int(fields[14])) / TICKS


def parent_pid(pid: int) -> int:
    """The pid of a process's parent (field 4 of /proc/<pid>/stat)."""
    return int(_stat(pid)[1])


def database_cpu(backend: int) -> float:
    """The CPU time a PostgreSQL backend has spent, with that of the parallel
    workers of its statements that have ended: its own, plus its parent's (the
    postmaster's) reaped children's. Only differences of two readings mean
    anything (see the module docstring)."""
    return process_cpu(backend) + reaped_cpu(parent_pid(backend))


def timed(function, *args, **kwargs) -> tuple[Timing, object]:
    """Run `function` once: its Timing and its result."""
    backend = _backend_pid()
    db_before = database_cpu(backend) if backend else 0.0
    cpu_before = time.process_time()
    wall_before = time.perf_counter()
    result = function(*args, **kwargs)
    wall = time.perf_counter() - wall_before
    cpu_app = time.process_time() - cpu_before
    # The backend is the same process unless the function reconnected.
    db = database_cpu(backend) - db_before if backend else 0.0
    if backend and _backend_pid() != backend:
        raise RuntimeError("The database connection changed during a measurement.")
    return Timing(wall=wall, cpu_app=cpu_app, cpu_db=db), result


def median(timings: list[Timing]) -> Timing:
    """The median of each of the three times, separately."""
    return Timing(
        wall=statistics.median(t.wall for t in timings),
        cpu_app=statistics.median(t.cpu_app for t in timings),
        cpu_db=statistics.median(t.cpu_db for t in timings),
    )


def repeat(times: int, function, *, before=None, after=None) -> tuple[Timing, list]:
    """The median Timing of `times` runs of `function` (with `before` and `after`
    run untimed around each) and the results of every run."""
    timings, results = [], []
    for _ in range(times):
        if before is not None:
            before()
        timing, result = timed(function)
        timings.append(timing)
        results.append(result)
        if after is not None:
            after(result)
    return median(timings), results


@dataclass(frozen=True)
class ChildRun:
    wall: float
    cpu: float
    peak_rss_mib: float
    returncode: int
    output: str


def run_child(command: list[str], env: dict | None = None) -> ChildRun:
    """Run a command to its end: its wall time, its CPU time (user + system) and its
    peak resident set size (ru_maxrss of the child, from wait4)."""
    started = time.perf_counter()
    child = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = child.stdout.read()
    _pid, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    # Linux's ru_maxrss of a child keeps the high-water mark of the memory it had
    # before exec, a copy of this (large) process: a child that reports its own
    # VmHWM (`print_peak_rss`) is read from that instead.
    peak = usage.ru_maxrss / 1024
    for line in output.splitlines():
        if line.startswith(PEAK_PREFIX):
            peak = int(line[len(PEAK_PREFIX) :]) / 1024
    return ChildRun(
        wall=time.perf_counter() - started,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_rss_mib=peak,
        returncode=child.returncode,
        output=output,
    )


PEAK_PREFIX = "bench-peak-rss-kib="


def print_peak_rss() -> None:
    """Print this process's peak resident set size since its exec (VmHWM), for
    `run_child`."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                print(f"{PEAK_PREFIX}{int(line.split()[1])}", flush=True)
                return
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{PEAK_PREFIX}{peak}", flush=True)


def machine() -> list[str]:
    """Lines describing the machine and the software versions."""
    import sqlite3

    import django

    cpu_model, cores = "unknown CPU", os.cpu_count()
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = "unknown"
    try:
        with open("/proc/meminfo") as info:
            for line in info:
                if line.startswith("MemTotal"):
                    memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                    break
    except OSError:
        pass
    postgres = "not used"
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        postgres = subprocess.run(
            ["psql", "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = f"PostgreSQL {cursor.fetchone()[0]} (server)"
    return [
        f"Machine: {cpu_model}, {cores} cores, {memory} RAM, {platform.system()} "
        f"{platform.release()}",
        f"Python {sys.version.split()[0]}, Django {django.get_version()}, "
        f"SQLite {sqlite3.sqlite_version}, {postgres}",
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
    ]


def autovacuum_would_have() -> tuple[list[str], list[str]]:
    """What autovacuum, at its default settings, would have done by now to the
    tables the generator and the rollups wrote (PostgreSQL only): VACUUM ANALYZE
    of the tables with more dead rows (`autovacuum_vacuum_threshold` 50 +
    `autovacuum_vacuum_scale_factor` 0.2 of the live rows) or more rows inserted
    since their last VACUUM (`autovacuum_vacuum_insert_threshold` 1000 + 0.2) than
    it lets pass, ANALYZE of the others whose statistics are stale (50 + 0.1 of
    the rows changed since their last ANALYZE). So that rollups and pages are
    timed on the tables and with the plans a running server has: this machine's
    PostgreSQL runs no autovacuum, a server's would have run a minute after the
    last write (`autovacuum_naptime`), and the rollups run an hour apart. Untimed.
    The names of the tables vacuumed and of those analyzed."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return [], []
    with connection.cursor() as cursor:
        if connection.pg_version >= 150000:
            # This session's counts of rows written reach the server when it is
            # next idle (after this statement), not up to a second later.
            cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute(
            "SELECT schemaname, relname, vacuum FROM ("
            " SELECT schemaname, relname,"
            " n_dead_tup > 50 + 0.2 * n_live_tup"
            " OR n_ins_since_vacuum > 1000 + 0.2 * n_live_tup AS vacuum,"
            " n_mod_since_analyze > 50 + 0.1 * n_live_tup AS stale"
            " FROM pg_stat_user_tables) t"
            " WHERE vacuum OR stale ORDER BY relname"
        )
        tables = cursor.fetchall()
        quote = connection.ops.quote_name
        vacuumed = [(schema, name) for schema, name, vacuum in tables if vacuum]
        analyzed = [(schema, name) for schema, name, vacuum in tables if not vacuum]
        # Outside a transaction: Django's connection is in autocommit mode here.
        for command, names in (("VACUUM ANALYZE", vacuumed), ("ANALYZE", analyzed)):
            for schema, name in names:
                cursor.execute(f"{command} {quote(schema)}.{quote(name)}")
    return [name for _, name in vacuumed], [name for _, name in analyzed]
