"""Benchmark: Kata's pages and main API lists, served by gunicorn (issue 12).

    .venv/bin/python bench/web.py --database-url postgres://… [--size S]

On a database the generator filled (bench/generate.py) and a full rollup summed up,
with production settings (bench/web_settings.py) and gunicorn's 2 sync workers:

- the manager dashboard of the team nearest 12 members, seen by its leader, and the
  member page of one of its members: median and p95 of sequential requests after a
  warm-up, and the page's query count (Django's test client in this process),
  beside the raw SELECTs of the precomputed rows the page shows (the members, their
  monthly figures and the team's over the page's months, through a database cursor);
- the manager's home page and the account list (the same leader), and the admin's
  account list of every account by ARR at its middle page: median, p95 and
  queries, against the pages' absolute targets (the issue sets them no raw-SELECT
  baseline);
- the main API lists (`?page_size=100`, an admin's token): p95 of sequential
  requests and the throughput of a few concurrent clients, beside a minimal
  `.values()` JSON view of the same model and fields on the same gunicorn
  (bench/web_urls.py).

On PostgreSQL the tables autovacuum would have processed by now are processed
first, as its default thresholds tell (`bench/measure.py`): VACUUM ANALYZE of
those with more dead rows or rows inserted since their last VACUUM than it lets
pass (the rollups' replaced rows, the generator's events), ANALYZE of those whose
statistics are stale. A server runs autovacuum; this machine's PostgreSQL has it
off, so without this the pages were timed on tables autovacuum would have cleaned
up a minute after the rollup. The first row says which tables.

`measure(database_url, size)` runs it in a child process (these settings, whatever
the caller's) and returns the rows of the benchmark table. A benchmark, not a test.
"""

import argparse
import http.client
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bench.web_settings"
WORKERS = 2
WARMUP = 3
PAGE_REQUESTS = 30
API_REQUESTS = 50
THROUGHPUT_SECONDS = 10.0
THROUGHPUT_ROUNDS = 3
CLIENTS = 4
TEAM_SIZE = 12
# The API lists measured: their /api/v1/ names, with a minimal view each
# (bench/web_urls.py).
API_LISTS = (
    "step-events",
    "customers",
    "member-metrics",
    "team-metrics",
    "users",
    "awards",
)
PAGE_TARGET = (
    "median < 50 ms, p95 < 100 ms, ≤ 3× the raw SELECT; same query count at S and L"
)
HOME_TARGET = "median < 50 ms, p95 < 100 ms; same query count at S and L"
API_TARGET = "p95 < 50 ms, ≥ 30 % of the minimal view's throughput"


def measure(database_url: str, size: str) -> list[dict]:
    """The rows of the benchmark table (work, kata, baseline, ratio, target,
    holds, extra), measured in a child process on this database."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "web.json"
        subprocess.run(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--database-url",
                database_url,
                "--size",
                size,
                "--json",
                str(output),
            ],
            cwd=ROOT,
            env=_child_env(database_url),
            check=True,
        )
        return json.loads(output.read_text())


def _child_env(database_url: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "PYTHONPATH": str(ROOT),
    }
    if "CACHE_URL" not in env and not _redis_answers(env.get("REDIS_URL")):
        # Production caches in Redis; without one, each worker its own memory.
        env["CACHE_URL"] = "locmemcache://"
    return env


def _redis_answers(url: str | None) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "redis://127.0.0.1:6379/9")
    try:
        with socket.create_connection(
            (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1
        ) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# --- Timing -------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at least `share` of them reach."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


@dataclass
class Timings:
    seconds: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    # CPU seconds of the application's processes and of the database's backends.
    cpu_seconds: dict = field(default_factory=dict)

    @property
    def cpu_ms(self) -> float | None:
        """CPU time per request (or run), application and database."""
        if not self.cpu_seconds or not self.seconds:
            return None
        total = sum(value or 0.0 for value in self.cpu_seconds.values())
        return total / len(self.seconds) * 1000

    def cpu_text(self) -> str:
        if self.cpu_ms is None:
            return "CPU n/a"
        if self.cpu_seconds["database"] is None:
            return f"CPU {self.cpu_ms:.1f} ms (application and database)"
        app, database = (
            self.cpu_seconds[group] / len(self.seconds) * 1000
            for group in ("app", "database")
        )
        return f"CPU {self.cpu_ms:.1f} ms (app {app:.1f} + database {database:.1f})"

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    @property
    def p95_ms(self) -> float:
        return percentile(self.seconds, 0.95) * 1000


SERVER_APPLICATION_NAME = "kata-bench-gunicorn"


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process of this machine (None when unreadable)."""
    from bench.measure import process_cpu

    try:
        return process_cpu(pid)
    except OSError:
        return None


def _children(parent: int) -> list[int]:
    from bench.measure import parent_pid

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if parent_pid(int(entry.name)) == parent:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _backends(application_name: str) -> list[int]:
    """The PostgreSQL backends of the connections of that name (none on SQLite)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        )
        return [pid for (pid,) in cursor.fetchall()]


class CpuMeter:
    """CPU seconds spent by some processes between two readings, the application's
    (gunicorn's workers, or this process) and the database's (their backends)."""

    def __init__(self, app, database):
        self.groups = {"app": app, "database": database}
        self.start = {}
        self.seconds = {}

    def __enter__(self) -> "CpuMeter":
        self.start = self._read()
        return self

    def __exit__(self, *exc_info) -> None:
        end = self._read()
        readings = [*end.values(), *self.start.values()]
        if any(None in values.values() for values in readings):
            return  # a process this machine does not show: no CPU time
        for group, values in end.items():
            before = self.start[group]
            # No backend (SQLite): the database works inside the application.
            self.seconds[group] = (
                sum(value - before.get(pid, 0.0) for pid, value in values.items())
                if values or group == "app"
                else None
            )

    def _read(self) -> dict:
        return {
            group: {pid: cpu_seconds(pid) for pid in pids()}
            for group, pids in self.groups.items()
        }


class Server:
    """gunicorn serving Kata with the benchmark's settings on a free local port."""

    def __init__(self, database_url: str):
        self.database_url = database_url
        self.port = _free_port()
        self.process = None
        # Closed with the server (__exit__).
        self.log = tempfile.TemporaryFile()  # noqa: SIM115

    def __enter__(self) -> "Server":
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                str(WORKERS),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={
                **_child_env(self.database_url),
                "BENCH_APPLICATION_NAME": SERVER_APPLICATION_NAME,
            },
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if get(self.port, "/healthz/")[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self._stop()
        raise RuntimeError(f"gunicorn did not answer:\n{self.output()}")

    def __exit__(self, *exc_info) -> None:
        self._stop()
        self.log.close()

    def _stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def backends(self) -> list[int]:
        return _backends(SERVER_APPLICATION_NAME)

    def output(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")[-4000:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, float]:
    """GET over a fresh connection (gunicorn's sync workers close each one): the
    status and the seconds until the whole body was read."""
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()
    return response.status, time.perf_counter() - started


def warm_up(port: int, path: str, headers: dict) -> None:
    """WARMUP requests from as many clients as workers, so that every worker has
    loaded its templates and opened its database connection before the timing."""
    threads = [
        threading.Thread(
            target=lambda: [get(port, path, headers) for _ in range(WARMUP)]
        )
        for _ in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def sequential(server: "Server", path: str, headers: dict, count: int) -> Timings:
    timings = Timings()
    warm_up(server.port, path, headers)
    with CpuMeter(server.workers, server.backends) as cpu:
        for _ in range(count):
            status, seconds = get(server.port, path, headers)
            timings.seconds.append(seconds)
            if status != 200:
                timings.failures.append(f"HTTP {status}")
    timings.cpu_seconds = cpu.seconds
    return timings


def throughput(port: int, path: str, headers: dict, seconds: float) -> float:
    """Requests per second that CLIENTS concurrent clients get answered (200)."""
    answered = [0] * CLIENTS
    deadline = time.perf_counter() + seconds

    def client(number: int) -> None:
        while time.perf_counter() < deadline:
            if get(port, path, headers)[0] == 200:
                answered[number] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(answered) / (time.perf_counter() - started)


# --- What is measured, in this process (Django set up with SETTINGS) ----------------


@dataclass
class Subjects:
    team: object
    team_size: int
    manager: object
    member: object
    admin: object
    token: str
    sessions: dict  # user pk → session key


def subjects() -> Subjects:
    """The team nearest TEAM_SIZE members with a leader who opens its dashboard, a
    member of it, an admin with an API token, and their sessions."""
    from django.contrib.auth.models import Group
    from django.db.models import Count, Q
    from django.test import Client
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.models import Role, Team, User
    from accounts.services import user_create
    from recognition.permissions import (
        led_teams,
        sees_management_pages,
        visible_members,
    )

    today = timezone.localdate()
    current = Q(memberships__start_date__lte=today) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=today)
    )
    teams = (
        Team.objects.filter(leader__isnull=False)
        .annotate(size=Count("memberships", filter=current))
        .filter(size__gt=0)
        .select_related("leader")
    )
    candidates = sorted(teams, key=lambda team: (abs(team.size - TEAM_SIZE), team.pk))
    team = next(
        (
            team
            for team in candidates
            if sees_management_pages(team.leader)
            and led_teams(team.leader).filter(pk=team.pk).exists()
        ),
        None,
    )
    if team is None:
        raise RuntimeError("No team with members and a leader who opens its page.")
    member_ids = team.memberships.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today), start_date__lte=today
    ).values("user_id")
    member = (
        visible_members(team.leader).filter(pk__in=member_ids).order_by("pk").first()
    )
    if member is None:
        raise RuntimeError(f"No member of {team} that its leader sees.")
    admin = (
        User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=Role.ADMIN.value), is_active=True
        )
        .order_by("pk")
        .first()
    )
    if admin is None:
        Group.objects.get_or_create(name=Role.ADMIN.value)
        admin = user_create(
            username="bench-admin", roles=[Role.ADMIN], send_welcome=False
        )
    token, _created = Token.objects.get_or_create(user=admin)
    sessions = {}
    for user in (team.leader, admin):
        client = Client()
        client.force_login(user)
        sessions[user.pk] = client.session.session_key
    return Subjects(
        team=team,
        team_size=team.size,
        manager=team.leader,
        member=member,
        admin=admin,
        token=token.key,
        sessions=sessions,
    )


def forget_sessions(subjects: Subjects) -> None:
    from django.contrib.sessions.models import Session

    Session.objects.filter(session_key__in=subjects.sessions.values()).delete()


@dataclass
class Page:
    work: str
    path: str
    statements: list  # (sql, params) of the raw SELECT baseline
    # Who opens it: the team's leader or the admin (a field of Subjects).
    viewer: str = "manager"
    # What a page without a raw-SELECT baseline shows (its row's notes).
    shows: str = ""
    queries: int = 0
    raw: Timings = field(default_factory=Timings)
    raw_rows: int = 0
    timings: Timings = field(default_factory=Timings)


def _period(key: str | None):
    from recognition import metrics
    from recognition.selectors import dashboard

    return metrics.parse_period(key or getattr(dashboard, "DEFAULT_PERIOD", "last-3"))


def _figure_columns():
    return (
        "metric",
        "month",
        "value",
        "numerator",
        "denominator",
        "provisional",
        "final_at",
    )


def pages(subjects: Subjects, period_key: str | None = None) -> list[Page]:
    """The dashboard and the member page at their default period (or that of
    `period_key`), with the SELECTs of the precomputed rows they show; the
    manager's home and the account list, which read live rows."""
    from django.urls import reverse

    from accounts.models import TeamMembership, User
    from journeys.models import CustomerAccount
    from journeys.views.accounts import PER_PAGE
    from recognition.models import MemberFigure, TeamFigure
    from recognition.selectors import dashboard

    period = _period(period_key)
    query = f"&period={period_key}" if period_key else ""
    team = subjects.team
    accounts = reverse("journeys:account_list")
    pages_of_accounts = max(1, -(-CustomerAccount.objects.count() // PER_PAGE))
    middle = (pages_of_accounts + 1) // 2
    in_team = (
        TeamMembership.objects.during(period.first_month, period.last_day)
        .filter(team=team)
        .values("user_id")
    )
    people = ("pk", "family_name", "given_name", "family_name_reading", "username")
    dashboard_rows = [
        User.objects.filter(pk__in=in_team).values_list(*people),
        MemberFigure.objects.filter(
            member_id__in=in_team,
            month__gte=period.first_month,
            month__lte=period.last_month,
        ).values_list("member_id", *_figure_columns()),
        TeamFigure.objects.filter(
            team=team, month__gte=period.first_month, month__lte=period.last_month
        ).values_list("team_id", *_figure_columns()),
    ]
    # The member page also draws a monthly trend.
    months = set(period.months) | set(dashboard.trend_months())
    member = subjects.member
    member_rows = [
        User.objects.filter(pk=member.pk).values_list(*people),
        MemberFigure.objects.filter(
            member=member, month__gte=min(months), month__lte=max(months)
        ).values_list("member_id", *_figure_columns()),
        TeamFigure.objects.filter(
            team=team, month__gte=min(months), month__lte=max(months)
        ).values_list("team_id", *_figure_columns()),
    ]
    return [
        Page(
            work=f"dashboard, team of {subjects.team_size} (median / p95, queries)",
            path=reverse("recognition:dashboard") + f"?team={team.pk}{query}",
            statements=[_sql(rows) for rows in dashboard_rows],
        ),
        Page(
            work=f"member page, team of {subjects.team_size} (median / p95, queries)",
            path=reverse("recognition:member", args=[member.pk])
            + query.replace("&", "?"),
            statements=[_sql(rows) for rows in member_rows],
        ),
        # The page a leader opens first each day; no raw-SELECT baseline: its
        # sections read live rows (accounts, plans, events), not precomputed ones.
        Page(
            work=f"manager's home, team of {subjects.team_size} "
            "(median / p95, queries)",
            path=reverse("home"),
            statements=[],
            shows="the sections of the leader's roles (a manager's: attention, "
            "overdue value points, plans, readiness, owed scorecards, outcomes and "
            "health at risk)",
        ),
        # The account list, read live like the home: the leader's first page, and
        # the admin's every account by ARR, a page in the middle of the list.
        Page(
            work=f"account list, team of {subjects.team_size} (median / p95, queries)",
            path=accounts,
            statements=[],
            shows="the first page of the accounts the leader sees, with the "
            "filters' menus",
        ),
        Page(
            work="account list, every account by ARR, a middle page "
            "(median / p95, queries)",
            path=f"{accounts}?ordering=-arr&page={middle}",
            statements=[],
            viewer="admin",
            shows=f"page {middle:,} of {pages_of_accounts:,} ({PER_PAGE} accounts a "
            "page), ARR descending, with the filters' menus",
        ),
    ]


def _sql(queryset) -> tuple[str, tuple]:
    # Unsorted: the rows only, the cheapest way the database gives them.
    return queryset.order_by().query.sql_with_params()


def raw_select(statements: list, count: int) -> tuple[Timings, int]:
    """Times the SELECTs through a database cursor; also the rows they fetch."""
    from django.db import connection

    def run() -> int:
        fetched = 0
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
                fetched += len(cursor.fetchall())
        return fetched

    for _ in range(WARMUP):
        rows = run()
    backend = []
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend.append(cursor.fetchone()[0])
    timings = Timings()
    with CpuMeter(lambda: [os.getpid()], lambda: backend) as cpu:
        for _ in range(count):
            started = time.perf_counter()
            run()
            timings.seconds.append(time.perf_counter() - started)
    timings.cpu_seconds = cpu.seconds
    return timings, rows


def query_count(path: str, *, user, token: str | None = None) -> tuple[int, int]:
    """The queries of one request in this process (after one to warm caches up),
    and its status."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Token {token}"
    else:
        client.force_login(user)
    client.get(path, **headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **headers)
    if not token:
        client.logout()
    return len(captured.captured_queries), response.status_code


@dataclass
class ApiList:
    name: str
    path: str
    minimal_path: str
    queries: int = 0
    minimal_queries: int = 0
    rows: int = 0
    timings: Timings = field(default_factory=Timings)
    minimal: Timings = field(default_factory=Timings)
    throughput: float = 0.0
    minimal_throughput: float = 0.0


def api_lists() -> list[ApiList]:
    from django.apps import apps

    from bench.web_urls import MINIMAL_VIEWS

    lists = []
    for name in API_LISTS:
        label, _related = MINIMAL_VIEWS[name]
        lists.append(
            ApiList(
                name=name,
                path=f"/api/v1/{name}/?page_size=100",
                minimal_path=f"/bench/minimal/{name}/",
                rows=apps.get_model(label).objects.count(),
            )
        )
    return lists


def run(
    database_url: str,
    size: str,
    *,
    seconds: float = THROUGHPUT_SECONDS,
    period: str | None = None,
    api: bool = True,
) -> list:
    from django.conf import settings
    from django.db import connection

    from bench.measure import autovacuum_would_have

    log = _progress
    vacuumed, analyzed = autovacuum_would_have()
    if vacuumed:
        log(f"VACUUM ANALYZE, as autovacuum would have: {', '.join(vacuumed)}")
    if analyzed:
        log(f"ANALYZE of the tables with stale statistics: {', '.join(analyzed)}")
    found = subjects()
    log(
        f"team {found.team} ({found.team_size} members, leader {found.manager}), "
        f"member {found.member}, admin {found.admin}"
    )
    try:
        page_list = pages(found, period)
        for page in page_list:
            viewer = getattr(found, page.viewer)
            page.queries, status = query_count(page.path, user=viewer)
            if status != 200:
                page.timings.failures.append(f"HTTP {status} in process")
            if page.statements:
                page.raw, page.raw_rows = raw_select(page.statements, PAGE_REQUESTS)
        lists = api_lists() if api else []
        for item in lists:
            item.queries, _status = query_count(
                item.path, user=found.admin, token=found.token
            )
            item.minimal_queries, _status = query_count(
                item.minimal_path, user=found.admin, token=found.token
            )
        connection.close()
        cookies = {
            name: {"Cookie": f"{settings.SESSION_COOKIE_NAME}={found.sessions[pk]}"}
            for name, pk in (("manager", found.manager.pk), ("admin", found.admin.pk))
        }
        token = {"Authorization": f"Token {found.token}", "Accept": "application/json"}
        with Server(database_url) as server:
            for page in page_list:
                log(f"{page.path} …")
                page.timings = sequential(
                    server, page.path, cookies[page.viewer], PAGE_REQUESTS
                )
            for item in lists:
                log(f"{item.path} …")
                item.timings = sequential(server, item.path, token, API_REQUESTS)
                item.minimal = sequential(
                    server, item.minimal_path, token, API_REQUESTS
                )
                rounds, minimal_rounds = [], []
                for _ in range(THROUGHPUT_ROUNDS):
                    share = seconds / THROUGHPUT_ROUNDS
                    rounds.append(throughput(server.port, item.path, token, share))
                    minimal_rounds.append(
                        throughput(server.port, item.minimal_path, token, share)
                    )
                item.throughput = statistics.median(rounds)
                item.minimal_throughput = statistics.median(minimal_rounds)
    finally:
        forget_sessions(found)
    rows = [page_row(page) for page in page_list] + [api_row(item) for item in lists]
    if (vacuumed or analyzed) and rows:
        rows[0]["extra"] += "; before the timing, as autovacuum would have by then"
        for verb, tables in (("VACUUM ANALYZE", vacuumed), ("ANALYZE", analyzed)):
            if tables:
                rows[0]["extra"] += (
                    f"; {verb} of {len(tables)} tables ({', '.join(tables[:4])}"
                    f"{', …' if len(tables) > 4 else ''})"
                )
    return rows


_VIEWERS = {"manager": "leader", "admin": "admin"}


def page_row(page: Page) -> dict:
    timings, raw = page.timings, page.raw
    if timings.failures or not timings.seconds:
        return _failed(page.work, PAGE_TARGET, timings)
    if not page.statements:
        return {
            "work": page.work,
            "kata": f"{timings.median_ms:.0f} / {timings.p95_ms:.0f} ms, "
            f"{page.queries} queries",
            "baseline": "none",
            "ratio": "",
            "target": HOME_TARGET,
            "queries": page.queries,
            "holds": timings.median_ms < 50 and timings.p95_ms < 100,
            "extra": f"GET {page.path} as the {_VIEWERS[page.viewer]}, "
            f"{len(timings.seconds)} requests after a warm-up, {WORKERS} gunicorn "
            f"workers; {timings.cpu_text()} per request; {page.shows}; the issue "
            "names no target for it: the pages' absolute ones",
        }
    ratio = timings.median_ms / raw.median_ms
    cpu_ratio = (
        f"{timings.cpu_ms / raw.cpu_ms:.0f}×"
        if timings.cpu_ms is not None and raw.cpu_ms
        else "n/a"
    )
    return {
        "work": page.work,
        "kata": f"{timings.median_ms:.0f} / {timings.p95_ms:.0f} ms, "
        f"{page.queries} queries",
        "baseline": f"{raw.median_ms:.1f} / {raw.p95_ms:.1f} ms, "
        f"{len(page.statements)} queries ({page.raw_rows} rows)",
        "ratio": round(ratio, 1),
        "target": PAGE_TARGET,
        "queries": page.queries,
        "holds": timings.median_ms < 50 and timings.p95_ms < 100 and ratio <= 3,
        "extra": f"GET {page.path}, {len(timings.seconds)} requests after a warm-up, "
        f"{WORKERS} gunicorn workers; {timings.cpu_text()} per request vs "
        f"{raw.cpu_text()} for the raw SELECTs ({cpu_ratio}); baseline: the "
        "SELECTs of the members and of their and the team's monthly figures over "
        "the page's months, by a database cursor",
    }


def api_row(item: ApiList) -> dict:
    work = f"API /api/v1/{item.name}/, page of 100 (p95, requests/s)"
    if item.timings.failures or item.minimal.failures:
        return _failed(work, API_TARGET, item.timings, item.minimal)
    share = item.throughput / item.minimal_throughput
    return {
        "work": work,
        "kata": f"{item.timings.p95_ms:.0f} ms, {item.throughput:.0f}/s, "
        f"{item.queries} queries",
        "baseline": f"{item.minimal.p95_ms:.0f} ms, "
        f"{item.minimal_throughput:.0f}/s, {item.minimal_queries} queries "
        "(minimal .values() view)",
        "ratio": f"{share:.0%} of throughput",
        "target": API_TARGET,
        "holds": item.timings.p95_ms < 50 and share >= 0.3,
        "extra": f"{item.rows:,} rows in the table; median "
        f"{item.timings.median_ms:.0f} ms vs {item.minimal.median_ms:.0f} ms; "
        f"{item.timings.cpu_text()} vs {item.minimal.cpu_text()} per request; "
        f"throughput: {CLIENTS} clients, median of "
        f"{THROUGHPUT_ROUNDS} alternating rounds",
    }


def _failed(work: str, target: str, *timings: Timings) -> dict:
    failures = sorted({failure for t in timings for failure in t.failures})
    return {
        "work": work,
        "kata": "failed: " + ", ".join(failures),
        "baseline": "",
        "ratio": "",
        "target": target,
        "holds": False,
        "extra": "",
    }


def markdown(rows: list[dict]) -> str:
    columns = ("work", "kata", "baseline", "ratio", "target", "holds")
    lines = [
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
    ]
    for row in rows:
        holds = {True: "yes", False: "no", None: "—"}[row["holds"]]
        cells = [str(row[column]) for column in columns[:-1]] + [holds]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _progress(message: str) -> None:
    print(f"[bench.web] {message}", file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="A migrated, generated and rolled-up database (default: DATABASE_URL).",
    )
    parser.add_argument("--size", default="S", help="The generator's size (a label).")
    parser.add_argument(
        "--seconds",
        type=float,
        default=THROUGHPUT_SECONDS,
        help="Throughput measured for this long per list and side.",
    )
    parser.add_argument(
        "--period",
        help="The pages' period (2026-10, FY2026-Q2, last-6); default: theirs.",
    )
    parser.add_argument("--no-api", action="store_true", help="Only the pages.")
    parser.add_argument("--json", help="Write the rows to this file as JSON.")
    args = parser.parse_args()
    if not args.database_url:
        parser.error("--database-url or DATABASE_URL is needed.")
    os.environ.update(_child_env(args.database_url))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    rows = run(
        args.database_url,
        args.size,
        seconds=args.seconds,
        period=args.period,
        api=not args.no_api,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print(f"Web, size {args.size}:\n")
        print(markdown(rows))
        for row in rows:
            print(f"- {row['work']}: {row['extra']}")


if __name__ == "__main__":
    main()
