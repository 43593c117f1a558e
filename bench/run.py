"""The benchmark suite (issue 12): one table per database and size.

    .venv/bin/python bench/run.py --db sqlite|postgres --size S|M|L [--repeat 3]
    make bench                  # S and M on SQLite and PostgreSQL (BENCH_L=1: and L)

Each run builds a fresh database (SQLite: a temporary file; PostgreSQL:
`kata_bench_<size>`, dropped and created on BENCH_POSTGRES_URL, default
postgres://postgres@127.0.0.1:5432), migrates it, fills it (bench/generate.py),
then measures, each figure the median of `--repeat` runs, in CPU time (this process
and the database backend, with its parallel workers) and wall time:

- a full rollup beside the SQL baseline (bench/baseline.py), whose figures must
  equal Kata's member figures (the run fails loudly otherwise);
- an incremental rollup after one more day of events (~0.5 %) beside the full one;
- the peak RSS of a full rollup (and of the baseline) in a child process;
- the sharded full rollup (`rollup_sharded`) with 1 and 2 Celery workers
  (PostgreSQL only);
- the pages and API lists (bench/web.py, if present);
- importing 100,000 events from a CSV file beside loading the same rows with COPY
  (PostgreSQL) or executemany (SQLite).

It prints the table and writes it to bench/results/<db>-<size>.md.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import os
import random
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"
).rstrip("/")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
IMPORT_EVENTS = 100_000
SETTINGS = "config.settings.test"

TARGETS = {
    "full": {"postgres": 1.3, "sqlite": 1.5},
    "incremental": 0.05,
    "rss_mib": 200,
    "workers": 1.6,
    "import_seconds": 20,
    "import_ratio": 1.5,
}


# Database --------------------------------------------------------------------------


def fresh_database(db: str, size: str) -> tuple[str, Path | None]:
    """A new, empty database: its URL and (SQLite) the folder to remove after."""
    if db == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="kata-bench-"))
        return f"sqlite:///{folder / 'bench.sqlite3'}", folder
    name = f"kata_bench_{size.lower()}"
    from urllib.parse import urlsplit

    parts = urlsplit(POSTGRES_URL)
    base = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    env = {**os.environ}
    if parts.password:
        env["PGPASSWORD"] = parts.password
    subprocess.run(
        ["dropdb", *base, "--if-exists", "--force", name], check=True, env=env
    )
    subprocess.run(["createdb", *base, name], check=True, env=env)
    return f"{POSTGRES_URL}/{name}", None


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


def production_env(database_url: str) -> dict:
    """Production settings against this database and the benchmark's Redis, for
    Celery workers and the process dispatching to them."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        "SECRET_KEY": os.environ.get("BENCH_SECRET_KEY", secrets.token_urlsafe(64)),
        "EMAIL_URL": "dummymail://",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "PYTHONPATH": str(ROOT),
    }


# Rows of the table -----------------------------------------------------------------


def row(work, kata="", baseline="", ratio="", target="", holds="", extra="") -> dict:
    return {
        "work": work,
        "kata": kata,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "holds": holds,
        "extra": extra,
    }


def yes(condition: bool) -> str:
    return "yes" if condition else "**no**"


def markdown(header: list[str], rows: list[dict]) -> str:
    columns = ["work", "kata", "baseline", "ratio", "target", "holds", "extra"]
    titles = ["work", "Kata", "baseline", "ratio", "target", "holds", "notes"]
    lines = [*header, ""]
    lines.append("| " + " | ".join(titles) + " |")
    lines.append("|" + "---|" * len(titles))
    for item in rows:
        cells = [
            str(item.get(column, "")).replace("|", "\\|").replace("\n", " ")
            for column in columns
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def progress(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


# Measurements ----------------------------------------------------------------------


def measure_rollups(db: str, repeat: int, rows: list[dict]) -> bool:
    """Full rollup vs the baseline, then incremental vs full. Returns whether the
    figures were equal."""
    from bench import baseline, measure
    from bench.generate import add_day_of_events, age_recorded_events
    from recognition.services.rollup import rollup

    # Before each run, untimed: what autovacuum would have done since the last.
    settle = measure.autovacuum_would_have
    progress(f"full rollup × {repeat}")
    full, _runs = measure.repeat(repeat, lambda: rollup(full=True), before=settle)
    progress(f"full rollup: {full.describe()}")
    progress(f"SQL baseline × {repeat}")
    base, outputs = measure.repeat(repeat, baseline.figures, before=settle)
    progress(f"baseline: {base.describe()}")
    comparison = baseline.check_equal(outputs[-1])
    print(comparison.describe(), flush=True)
    target = TARGETS["full"][db]
    ratio = full.cpu / base.cpu
    rows.append(
        row(
            "full rollup (CPU, app + database)",
            full.describe(),
            base.describe(),
            f"{ratio:.2f}×",
            f"≤ {target}×",
            yes(ratio <= target),
            f"wall ratio {full.wall / base.wall:.2f}×; figures "
            + ("equal on " if comparison.equal else "**DIFFER** on ")
            + f"{comparison.compared:,} member figures",
        )
    )
    if not comparison.equal:
        rows.append(row("**baseline ≠ Kata**", extra=comparison.describe(limit=5)))

    progress(f"incremental rollup after a day of events × {repeat}")
    added = []

    def next_day() -> None:
        settle()
        # The days before this one were seen by the runs before (an hour ago).
        age_recorded_events()
        added.append(add_day_of_events(seed=100 + len(added)))

    incremental, _runs = measure.repeat(repeat, lambda: rollup(), before=next_day)
    progress(f"incremental: {incremental.describe()}")
    after = baseline.check_equal()
    print("after the incremental runs: " + after.describe(), flush=True)
    ratio = incremental.cpu / full.cpu
    rows.append(
        row(
            f"incremental after a day of events ({added[0]:,} events)",
            incremental.describe(),
            f"full: {full.cpu:.2f} s CPU",
            f"{ratio:.3f}× of full",
            f"≤ {TARGETS['incremental']}×",
            yes(ratio <= TARGETS["incremental"]),
            "figures after it "
            + ("equal the baseline" if after.equal else "**DIFFER from the baseline**")
            + f" ({after.compared:,})",
        )
    )
    if not after.equal:
        rows.append(
            row("**baseline ≠ Kata after incremental**", extra=after.describe(limit=5))
        )
    return comparison.equal and after.equal


def measure_memory(database_url: str, rows: list[dict]) -> None:
    from bench import measure

    progress("peak RSS of a full rollup and of the baseline (child processes)")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
    }
    runs = {}
    for what in ("idle", "rollup", "baseline"):
        child = measure.run_child(
            [sys.executable, str(Path(__file__).resolve()), "--child", what], env=env
        )
        if child.returncode:
            print(child.output, flush=True)
        runs[what] = child
    rollup, base, idle = runs["rollup"], runs["baseline"], runs["idle"]
    failed = rollup.returncode or base.returncode
    rows.append(
        row(
            "peak RSS of a full rollup (child process)",
            f"{rollup.peak_rss_mib:.0f} MiB",
            f"{base.peak_rss_mib:.0f} MiB",
            f"{rollup.peak_rss_mib / base.peak_rss_mib:.2f}×",
            f"< {TARGETS['rss_mib']} MiB",
            yes(rollup.peak_rss_mib < TARGETS["rss_mib"] and not failed),
            f"a process that only starts Django: {idle.peak_rss_mib:.0f} MiB"
            + ("; **a child failed**" if failed else ""),
        )
    )


def measure_workers(db: str, database_url: str, repeat: int, rows: list[dict]) -> None:
    work = "sharded full rollup, 2 Celery workers vs 1 (wall)"
    target = f"≥ {TARGETS['workers']}×"
    if db != "postgres":
        rows.append(
            row(
                work,
                "not measured",
                target=target,
                extra="SQLite: one writer at a time, the workers would queue on its "
                "lock; PostgreSQL only",
            )
        )
        return
    from recognition.services import rollup as rollup_module

    if not hasattr(rollup_module, "rollup_sharded"):
        rows.append(
            row(
                work,
                "not available",
                target=target,
                extra="recognition.services.rollup.rollup_sharded does not exist yet",
            )
        )
        return
    from bench import measure

    env = production_env(database_url)
    times = {1: [], 2: []}
    try:
        # Rounds of 1 worker then 2, each run on the tables as autovacuum would
        # have left them: every run rewrites the rows, and 2 workers measured
        # after all the runs of 1 would meet more dead rows than they did.
        for _ in range(repeat):
            for workers in (1, 2):
                measure.autovacuum_would_have()
                _flush_redis()
                worker = _start_worker(env, workers)
                try:
                    child = measure.run_child(
                        [
                            sys.executable,
                            str(Path(__file__).resolve()),
                            "--child",
                            "sharded",
                        ],
                        env=env,
                    )
                finally:
                    _stop_worker(worker)
                    # Their sessions' counts of rows written reach the server
                    # as the sessions end: the next run's look waits for that.
                    _wait_for_other_sessions()
                if child.returncode:
                    raise RuntimeError(child.output[-2000:])
                wall = float(child.output.split("bench-wall=")[1].split()[0])
                times[workers].append(wall)
                progress(f"sharded, {workers} worker(s): {wall:.2f} s wall")
    except Exception as error:  # noqa: BLE001 - the table says what failed
        rows.append(row(work, "failed", target=target, extra=_oneline(error)))
        return
    walls = {workers: statistics.median(found) for workers, found in times.items()}
    speedup = walls[1] / walls[2]
    rows.append(
        row(
            work,
            f"2 workers: {walls[2]:.2f} s",
            f"1 worker: {walls[1]:.2f} s",
            f"{speedup:.2f}× faster",
            target,
            yes(speedup >= TARGETS["workers"]),
            "wall time of rollup_sharded(full=True) dispatching a chord and waiting "
            "(prefork workers, production settings, Redis); median of "
            f"{repeat} alternating rounds, each run after what autovacuum would "
            "have done",
        )
    )


def _wait_for_other_sessions(timeout: float = 30) -> None:
    """Wait until no other session is connected to this database (the stopped
    workers' sessions have ended)."""
    from django.db import connection

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = "
                "current_database() AND pid <> pg_backend_pid() "
                "AND backend_type = 'client backend'"
            )
            if not cursor.fetchone()[0]:
                return
        time.sleep(0.2)


def _autovacuum_on() -> bool:
    """Whether the server runs autovacuum (the benchmark expects it off: it does
    autovacuum's work itself, untimed, `measure.autovacuum_would_have`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('autovacuum') = 'on'")
        return cursor.fetchone()[0]


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _start_worker(env: dict, concurrency: int) -> subprocess.Popen:
    log = Path(tempfile.mkstemp(prefix="kata-bench-worker-", suffix=".log")[1])
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            f"--concurrency={concurrency}",
            "--pool=prefork",
            "--loglevel=INFO",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench{concurrency}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace")
        if " ready." in text:
            return worker
        if worker.poll() is not None:
            raise RuntimeError(f"the Celery worker stopped: {text[-2000:]}")
        time.sleep(0.5)
    _stop_worker(worker)
    raise RuntimeError("the Celery worker did not start within 2 minutes")


def _stop_worker(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        # Its own session: the signal reaches the prefork children too.
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def measure_web(database_url: str, size: str, rows: list[dict]) -> None:
    progress("pages and API lists (bench/web.py)")
    from django.db import connections

    connections.close_all()
    try:
        from bench import web
    except ImportError as error:
        rows.append(
            row(
                "pages and API lists",
                "not measured",
                extra=f"bench/web.py missing: {_oneline(error)}",
            )
        )
        return
    try:
        found = web.measure(database_url, size)
    except Exception as error:  # noqa: BLE001 - the table says what failed
        traceback.print_exc()
        rows.append(row("pages and API lists", "failed", extra=_oneline(error)))
        return
    keys = ("work", "kata", "baseline", "ratio", "target", "holds", "extra")
    for item in found:
        values = {key: item.get(key, "") for key in keys}
        if isinstance(values["holds"], bool):
            values["holds"] = yes(values["holds"])
        rows.append(row(**values))


def _oneline(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text[:300]}"


# Import ----------------------------------------------------------------------------


def import_csv(count: int, seed: int) -> bytes:
    """`count` step events of existing accounts (external_id, step position, local
    time), reached between 2 and 1 days ago (no generated event is there), each
    (account, step, moment) once."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.external_id, COUNT(s.id) FROM journeys_customeraccount a "
            "JOIN journeys_step s ON s.journey_id = a.journey_id "
            "WHERE s.position IS NOT NULL GROUP BY a.external_id ORDER BY a.external_id"
        )
        accounts = cursor.fetchall()
    rng = random.Random(seed)
    zone = ZoneInfo(settings.TIME_ZONE)
    start = datetime.now(zone).replace(microsecond=0) - timedelta(days=2)
    lines, taken = ["external_id,step,reached_at,note"], set()
    while len(lines) <= count:
        external_id, steps = rng.choice(accounts)
        position = rng.randint(1, steps)
        at = start + timedelta(seconds=rng.randrange(1, 86_000))
        if (external_id, position, at) in taken:
            continue
        taken.add((external_id, position, at))
        note = "CRM sync" if len(lines) % 10 == 0 else ""
        lines.append(f"{external_id},{position},{at:%Y-%m-%dT%H:%M:%S},{note}")
    return ("\r\n".join(lines) + "\r\n").encode()


def load_directly(data: bytes, admin_id: int) -> int:
    """The import's baseline: read the same CSV, resolve the ids with one query
    each, and load the rows with COPY (PostgreSQL) or executemany (SQLite)."""
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db import connection, transaction

    from bench.generate import EVENT_COLUMNS, _Writer

    writer = _Writer()
    zone = ZoneInfo(settings.TIME_ZONE)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT external_id, id, journey_id FROM journeys_customeraccount"
        )
        accounts = {
            external: (pk, journey) for external, pk, journey in cursor.fetchall()
        }
        cursor.execute(
            "SELECT journey_id, position, id FROM journeys_step "
            "WHERE position IS NOT NULL"
        )
        steps = {(journey, position): pk for journey, position, pk in cursor.fetchall()}
    now = writer.moment(time.time())
    rows = []
    for record in csv.DictReader(io.StringIO(data.decode())):
        account, journey = accounts[record["external_id"]]
        moment = datetime.fromisoformat(record["reached_at"]).replace(tzinfo=zone)
        rows.append(
            (
                writer.moment(moment.timestamp()),
                now,
                "import",
                record["note"],
                None,
                "",
                account,
                admin_id,
                steps[(journey, int(record["step"]))],
                None,
            )
        )
    with transaction.atomic():
        return writer.insert(
            "journeys_stepevent",
            EVENT_COLUMNS,
            rows,
        )


def measure_import(db: str, repeat: int, admin_id: int, rows: list[dict]) -> None:
    from django.db import connection

    from accounts.models import User
    from bench import measure
    from journeys.imports import import_step_events

    admin = User.objects.get(pk=admin_id)
    data = import_csv(IMPORT_EVENTS, seed=7)
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM journeys_stepevent")
        last = cursor.fetchone()[0]

    def remove_new() -> None:
        from journeys.models import StepEvent
        from journeys.progress import refresh_progress

        imported = sorted(
            set(
                StepEvent.objects.filter(pk__gt=last).values_list(
                    "account_id", flat=True
                )
            )
        )
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM journeys_stepevent WHERE id > %s", [last])
        # Where those accounts stand without the removed events (in parts: SQLite
        # takes at most 32,766 parameters).
        for part in itertools.batched(imported, 10_000):
            refresh_progress(account_ids=part)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # No dead rows of the last load left for the next one to skip.
                cursor.execute("VACUUM ANALYZE journeys_stepevent")

    progress(f"import of {IMPORT_EVENTS:,} events × {repeat}, and the direct load")
    reports = []
    kata, results = measure.repeat(
        repeat,
        lambda: import_step_events(file=data, by=admin),
        before=remove_new,
        after=reports.append,
    )
    remove_new()
    direct, loaded = measure.repeat(
        repeat, lambda: load_directly(data, admin_id), before=remove_new
    )
    remove_new()
    created = {report.created for report in reports}
    problems = {str(p) for report in reports for p in report.problems[:1]}
    ratio = kata.cpu / direct.cpu
    label = "COPY" if db == "postgres" else "executemany"
    rows.append(
        row(
            f"import of {IMPORT_EVENTS:,} events from CSV",
            kata.describe(),
            f"{label}: {direct.describe()}",
            f"{ratio:.2f}×",
            f"< {TARGETS['import_seconds']} s and ≤ {TARGETS['import_ratio']}×",
            yes(
                kata.cpu < TARGETS["import_seconds"]
                and ratio <= TARGETS["import_ratio"]
                and created == {IMPORT_EVENTS}
            ),
            f"import created {', '.join(f'{n:,}' for n in sorted(created))} events "
            f"(the direct load {loaded[-1]:,}); the baseline parses the CSV and "
            "resolves ids in Python, without the import's checks and row report"
            + (f"; **the import reported: {'; '.join(problems)}**" if problems else ""),
        )
    )


# The run ---------------------------------------------------------------------------


def run(db: str, size: str, repeat: int, *, web: bool = True) -> int:
    began = time.perf_counter()
    code = code_state()
    database_url, folder = fresh_database(db, size)
    setup_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from bench import measure
    from bench.generate import SIZES, generate

    try:
        progress(f"{db} {size}: migrating {database_url}")
        call_command("migrate", verbosity=0)
        progress("generating")
        generated = generate(size)
        progress(generated.summary())
        rows: list[dict] = []
        equal = measure_rollups(db, repeat, rows)
        measure_memory(database_url, rows)
        measure_workers(db, database_url, repeat, rows)
        if web:
            measure_web(database_url, size, rows)
            connection.close()
            if db == "postgres":
                # gunicorn's sessions end before the import is timed: the
                # database's CPU time counts any child of the server that ends
                # meanwhile (`measure.database_cpu`).
                _wait_for_other_sessions()
        measure_import(db, repeat, generated.admin_id, rows)
        spec = SIZES[size]
        header = [
            f"### {'PostgreSQL' if db == 'postgres' else 'SQLite'}, size {size}",
            "",
            f"{spec.members} members, {generated.accounts:,} accounts, "
            f"{generated.events:,} step events over {spec.months} months "
            f"(generated in {generated.seconds:.1f} s); each figure the median of "
            f"{repeat} runs; CPU = this process + the database backend "
            + (
                "(PostgreSQL backend and its parallel workers, read from /proc)."
                if db == "postgres"
                else "(SQLite runs in the process)."
            ),
            "",
            *(f"- {line}" for line in measure.machine()),
            *(
                [
                    "- **Autovacuum was on**: its workers ending during a "
                    "measurement counted as the database's CPU time, and it "
                    "changed the tables between the runs"
                ]
                if db == "postgres" and _autovacuum_on()
                else []
            ),
            f"- Code: {code} (at the start of the run)",
            f"- Targets are the issue's for size L on PostgreSQL (SQLite: full "
            f"rollup ≤ {TARGETS['full']['sqlite']}×); the whole run took "
            f"{(time.perf_counter() - began) / 60:.1f} min.",
        ]
        table = markdown(header, rows)
        print("\n" + table, flush=True)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{db}-{size}.md").write_text(table)
        if not equal:
            print(
                "FAILED: the SQL baseline and Kata's figures differ (above).",
                file=sys.stderr,
            )
            return 1
        return 0
    finally:
        connection.close()
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def code_state() -> str:
    """The commit measured, and whether the tree held uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (no git)"
    if changed:
        return f"git {commit} with uncommitted changes in {len(changed)} files"
    return f"git {commit}"


def child(what: str) -> None:
    """Run one thing in this (child) process, for its peak RSS or its wall time."""
    import django

    django.setup()
    if what == "rollup":
        from recognition.services.rollup import rollup

        rollup(full=True)
    elif what == "baseline":
        from bench import baseline

        baseline.figures()
    elif what == "sharded":
        from recognition.services.rollup import rollup_sharded

        started = time.perf_counter()
        rollup_sharded(full=True, timeout=3600)
        print(f"bench-wall={time.perf_counter() - started:.3f}")
        return
    from bench.measure import print_peak_rss

    print_peak_rss()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"])
    parser.add_argument("--size", choices=["S", "M", "L"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-web", action="store_true", help="skip bench/web.py")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if not args.db or not args.size:
        parser.error("--db and --size are required")
    sys.exit(run(args.db, args.size, args.repeat, web=not args.no_web))


if __name__ == "__main__":
    main()
