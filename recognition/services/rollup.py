"""The metric rollup: per-account rows, then monthly figures per member, team and pool.

How it runs (`rollup()`), under one lock and in one transaction, so that two workers
never interleave and readers never see a half-written month:

1. Which accounts changed since the last run: step events recorded or voided, and
   what `recognition.changes` logged (`RollupChange`): coverage written or deleted,
   accounts moved to another journey, team memberships of credited members and
   Member role periods (accounts the user covered or recorded) written or deleted;
   plus every account of a journey whose steps or windows changed and of a pool
   that moved teams. A full run takes every account.
2. Their per-account rows (`AccountTransition`, `AccountValuePoint`) are deleted and
   written again by the database (`rows`: one `INSERT … SELECT` per journey; first
   reaches, conversions, coverage, Member role and team at the first reach). A
   full run on PostgreSQL writes every account's rows into staging tables instead
   (`_start_staging`), swapped in at the end; a full run may instead go in shards
   over the Celery workers (`rollup_sharded`).
3. The figures to write again. A full run writes every month (on PostgreSQL from
   the staged rows into staging tables, indexed once with the rows and swapped in
   with them at the end: `_stage_every_figure`; from the swap to the commit,
   readers of the rows and figures wait).
   An incremental run writes groups (scope, owner, month: `selectors.groups`): of
   each row that came out new, gone or different, its member's, team's and pool's
   groups of the month of its conversion or value point reached (flow metrics) and
   of its cohort month, unless what the cohort's figures read of it is the same (a
   value point reached after its deadline had passed); of rows whose window or
   deadline ended since the last
   run's as-of moment (windows and deadlines end without any new event); and, for
   the events-recorded count only, the recorder's and the recorder's teams' groups
   of events recorded or voided. Whole months are written only when the last run's
   month has ended (and for the months reached since), for the months of the events
   of someone whose team or Member role changed, and from the earliest training,
   membership or role change on (training completion). Their figures are deleted and
   aggregated again in the database (`selectors.figures`). No run writes figures of
   a month after its as-of month, or before the first event or assignment: a full
   and an incremental run give the same tables.

Running twice gives identical rows; an incremental run gives the rows a full run
would (tests/recognition/test_rollup_incremental.py). A run after the rules of the
rows changed (`RULES`) is a full one.
"""

from __future__ import annotations

import functools
import logging
import operator
import time
import uuid
from contextlib import contextmanager
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, Q, QuerySet, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Ntile
from django.utils import timezone

from accounts.models import TeamMembership
from config.queries import analyze_tables, limit_parallel_workers
from journeys.health import refresh_health
from journeys.models import (
    Coverage,
    CustomerAccount,
    Journey,
    Pool,
    StepEvent,
    TrainingAssignment,
)
from journeys.selectors import events_changed_since

from .. import metrics
from ..models import (
    AccountTransition,
    AccountValuePoint,
    MemberFigure,
    PoolFigure,
    RollupChange,
    RollupLock,
    RollupRun,
    TeamFigure,
)
from ..selectors import figures, revenue
from ..selectors.groups import EVENTS, ROWS
from . import rows

logger = logging.getLogger(__name__)

# Changes committed by transactions that started before the last run but finished
# after it began are caught by looking back a little before that run's start.
WATERMARK_MARGIN = timedelta(minutes=10)

# How long a full run in shards may hold the lock before another run may start:
# twice the longest a task may run.
LEASE = timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)

# The first key of the advisory locks that keep two copies of a part of a sharded
# run's figures from writing at once ("KATA").
PART_LOCK = 0x4B415441

# The version of the rules the per-account rows follow (METRICS.md v3: Member role
# periods, value points on time from step 1 on). A run after it changes is full.
RULES = 3


# Structure ------------------------------------------------------------------------


def _structure() -> dict:
    """What the figures depend on that carries no change time of its own: the rules
    version, each journey's current steps, windows and value points, and the team
    each pool belongs to."""
    journeys = {
        str(journey.pk): [
            journey.conversion_window_days,
            [
                [
                    s.pk,
                    s.position,
                    s.conversion_window_days,
                    s.is_value_point,
                    s.target_days,
                ]
                for s in steps
            ],
        ]
        for journey, steps in metrics.current_steps_by_journey().items()
    }
    return {
        "rules": RULES,
        "journeys": journeys,
        "pool_teams": {
            str(pk): team for pk, team in Pool.objects.values_list("pk", "team_id")
        },
    }


def _changed_by_structure(old: dict, new: dict) -> set[int]:
    """Accounts whose rows a change of structure affects: every account of a
    journey whose steps changed, and the accounts ever covered by a pool that moved
    to another team."""
    old_journeys, new_journeys = old.get("journeys", {}), new["journeys"]
    journey_ids = {
        int(key)
        for key in old_journeys.keys() | new_journeys.keys()
        if old_journeys.get(key) != new_journeys.get(key)
    }
    old_pools, new_pools = old.get("pool_teams", {}), new["pool_teams"]
    pools_moved = {
        int(key)
        for key in old_pools.keys() & new_pools.keys()
        if old_pools[key] != new_pools[key]
    }
    accounts = set(
        CustomerAccount.objects.filter(journey_id__in=journey_ids).values_list(
            "pk", flat=True
        )
    )
    if pools_moved:
        accounts |= set(
            Coverage.objects.filter(pool_id__in=pools_moved).values_list(
                "account_id", flat=True
            )
        )
    return accounts


# Changes since the last run -----------------------------------------------------


def _changed_accounts(since: datetime, log: QuerySet) -> set[int]:
    """Accounts whose rows may have changed: of events recorded or voided since,
    coverage written since (imports bulk-create it, which logs nothing), the logged
    accounts, the accounts credited to users whose team membership changed, and the
    accounts covered or recorded by users whose Member role changed."""
    event_accounts = events_changed_since(since).values_list("account_id", flat=True)
    coverage_accounts = Coverage.objects.filter(updated_at__gte=since).values_list(
        "account_id", flat=True
    )
    logged = log.filter(kind=RollupChange.Kind.ACCOUNT).values_list(
        "account_id", flat=True
    )
    moved = log.filter(kind=RollupChange.Kind.TEAM).values("user_id")
    credited = AccountTransition.objects.filter(member_id__in=moved).values_list(
        "account_id", flat=True
    )
    role_changed = log.filter(kind=RollupChange.Kind.ROLE).values("user_id")
    covered = Coverage.objects.filter(owner_id__in=role_changed).values_list(
        "account_id", flat=True
    )
    recorded = StepEvent.objects.filter(recorded_by_id__in=role_changed).values_list(
        "account_id", flat=True
    )
    found = set()
    for accounts in (
        event_accounts,
        coverage_accounts,
        logged,
        credited,
        covered,
        recorded,
    ):
        found |= set(accounts)
    return found


def _add_passed_groups(last_as_of: datetime, as_of: datetime) -> None:
    """Add to the run's groups those with a window or deadline that ended between
    the last run's as-of moment and this one's: an unconverted account whose window
    ended, or a value point not reached whose deadline passed. Time alone changed
    their figures (provisional or final, due or not); a group whose open rows all
    stay open keeps its figures."""
    low, high = sorted((last_as_of, as_of))
    ended = AccountTransition.objects.filter(
        converted=False, window_ends_at__gt=low, window_ends_at__lte=high
    )
    passed = AccountValuePoint.objects.filter(
        reached_at__isnull=True, deadline__gt=low, deadline__lte=high
    )
    for open_rows in (ended, passed):
        for scope, owner in figures.SCOPES.items():
            groups = (
                open_rows.filter(**{f"{owner}__isnull": False})
                .annotate(_scope=Value(scope), _owner=F(owner))
                .values_list("_scope", "_owner", "cohort_month")
                .distinct()
                .order_by()
            )
            rows.add_groups(ROWS, *groups.query.sql_with_params())


def _add_event_groups(since: datetime, dialect: rows.Dialect) -> None:
    """Add to the run's groups those whose events-recorded counts may have changed
    by events recorded or voided since: the recorder's of the event's month, and
    the month's of every team the recorder ever belonged to (the team of the day
    is found when the figures are written)."""
    changed = (
        events_changed_since(since)
        .filter(recorded_by_id__isnull=False)
        .values_list("recorded_by_id", "reached_at")
    )
    sql, params = changed.query.sql_with_params()
    memberships = connection.ops.quote_name(TeamMembership._meta.db_table)
    rows.add_groups(
        EVENTS,
        "WITH e AS MATERIALIZED (SELECT DISTINCT c.recorded_by_id AS owner, "
        f"{dialect.local_month('c.reached_at')} AS month FROM ({sql}) c) "
        "SELECT 'member', e.owner, e.month FROM e UNION "
        f"SELECT 'team', m.team_id, e.month FROM e JOIN {memberships} m "
        "ON m.user_id = e.owner",
        params,
    )


def _people_event_months(log: QuerySet) -> set[date]:
    """Months whose events-recorded counts may have changed for a whole team: of
    every event recorded by someone whose team membership (the team it counts for)
    or Member role (whether it counts) changed since. Voided events too: one
    voided since still counts in the figure written before, for the team the
    person had then, which the event's own groups (read with today's team) miss."""
    people = log.filter(
        kind__in=[RollupChange.Kind.TEAM, RollupChange.Kind.ROLE]
    ).values("user_id")
    changed = StepEvent.objects.filter(recorded_by__in=people)
    return set(figures.local_months(changed, "reached_at"))


def _training_start(log: QuerySet) -> date | None:
    """The first month whose training completion may have changed: of the earliest
    logged assignment, completion, team membership or Member role change (a change
    with no start: every month)."""
    changes = log.filter(
        kind__in=[
            RollupChange.Kind.TRAINING,
            RollupChange.Kind.TEAM,
            RollupChange.Kind.ROLE,
        ]
    )
    since = changes.aggregate(
        first=Min("since"), any=Count("pk", filter=Q(since__isnull=True))
    )
    if since["any"]:
        return date.min
    return metrics.month_of(since["first"]) if since["first"] else None


# The run --------------------------------------------------------------------------


def _all_months(as_of: datetime) -> list[date]:
    """Every month that can hold a figure: from the first event or assignment to
    the month of `as_of`."""
    firsts = [
        StepEvent.objects.aggregate(first=Min("reached_at"))["first"],
        TrainingAssignment.objects.aggregate(first=Min("assigned_at"))["first"],
    ]
    firsts = [metrics.month_of(moment) for moment in firsts if moment]
    if not firsts:
        return []
    last = metrics.month_of(as_of)
    months, month = [], min(firsts)
    while month <= last:
        months.append(month)
        month = metrics.add_months(month, 1)
    return months


def _drop_figures_outside(all_months: list[date], *, keep: bool) -> None:
    """Remove the figures of months no run computes: after the as-of month (a run
    judged at an earlier moment wrote them) or before the first event or
    assignment (an assignment deleted since). A run limited to some months leaves
    the others alone."""
    if keep:
        return
    for table in (MemberFigure, TeamFigure, PoolFigure):
        stale = table.objects.all()
        if all_months:
            stale = stale.filter(
                Q(month__lt=all_months[0]) | Q(month__gt=all_months[-1])
            )
        stale.delete()


def _in_range(months, since: date | None, until: date | None) -> set[date]:
    return {
        month
        for month in months
        if (since is None or month >= since) and (until is None or month <= until)
    }


@contextmanager
def _transaction():
    """A transaction of a rollup's work. On PostgreSQL its statements start at most
    ROLLUP_PARALLEL_WORKERS parallel workers (none by default): a rollup's
    parallelism is its shards over the Celery workers."""
    with transaction.atomic():
        limit_parallel_workers(settings.ROLLUP_PARALLEL_WORKERS)
        yield


def rollup(
    *,
    full: bool = False,
    since: date | None = None,
    until: date | None = None,
    now: datetime | None = None,
) -> RollupRun:
    """Bring the rows and monthly figures up to date (see the module docstring).

    `since`/`until` (first days of months) recompute those months in full. `now` is
    the moment windows and deadlines are judged at (default: the current time).
    """
    started_at = timezone.now()
    as_of = now or started_at
    since = since.replace(day=1) if since else None
    until = until.replace(day=1) if until else None
    limited = since is not None or until is not None
    with _transaction():
        _lock(started_at)
        # A run limited to some months says nothing of the others.
        last = (
            RollupRun.objects.filter(
                finished_at__isnull=False, since__isnull=True, until__isnull=True
            )
            .order_by("-started_at", "-pk")
            .first()
        )
        structure = _structure()
        full = (
            full
            or limited
            or last is None
            or last.structure.get("rules") != structure["rules"]
        )
        all_months = _all_months(as_of)
        # Revenue KPIs: a full run writes every month of them.
        revenue_from = date.min
        if full:
            account_ids = None
            months_range = _in_range(all_months, since, until) if limited else None
            months = set(months_range) if limited else set(all_months)
            training_months = set(months)
        else:
            watermark = last.started_at - WATERMARK_MARGIN
            log = RollupChange.objects.filter(changed_at__gte=watermark)
            account_ids = _changed_accounts(watermark, log) | _changed_by_structure(
                last.structure, structure
            )
            months_range = None
            # The months the as-of moment reached since the last run (their
            # figures were not written then) and the last run's own month (its
            # flow figures were provisional until it ended).
            reached = {
                month for month in all_months if month >= metrics.month_of(last.as_of)
            }
            # Written whole: the last run's month once it has ended, the months
            # reached since, and the months of events whose team or Member role
            # changed. Every other change names its groups (owner and month).
            ended = metrics.month_of(as_of) > metrics.month_of(last.as_of)
            months = (reached if ended else set()) | _people_event_months(log)
            rows.start_groups()
            _add_passed_groups(last.as_of, as_of)
            _add_event_groups(watermark, rows.Dialect(last=as_of))
            first_training = _training_start(log)
            training_months = (
                {m for m in all_months if m >= first_training}
                if first_training
                else set()
            )
            # Training completion of the current month follows the clock.
            training_months |= reached
            # Revenue KPIs: from the earliest ARR, coverage, team or role change.
            revenue_from = revenue.changed_from(
                since=watermark,
                log=log,
                old_structure=last.structure,
                new_structure=structure,
            )
        # Rows rebuilt for some accounts only: the groups they change go too.
        partial = account_ids is not None or months_range is not None
        if full and partial:
            rows.start_groups()
        # A full run on PostgreSQL writes its rows and figures aside, then swaps
        # them in (`_stage_every_figure`); readers see the old ones until then.
        staged = _start_staging() if full and not limited and _stages_rows() else None
        count = _recompute_rows(
            account_ids,
            as_of=as_of,
            months_range=months_range,
            into=figures.stage_row_tables(staged) if staged else None,
        )
        if staged:
            _stage_every_figure(staged, all_months, as_of=as_of)
        run = _finish(
            started_at=started_at,
            as_of=as_of,
            full=full,
            since=since,
            until=until,
            count=count,
            months=months & set(all_months),
            training_months=training_months,
            structure=structure,
            all_months=all_months,
            groups=partial,
            revenue_from=revenue_from,
            changed_accounts=account_ids,
            staged=staged,
            staged_rows=bool(staged),
        )
    return run


def _start_staging() -> str:
    """A full run on PostgreSQL writes the per-account rows and every figure into
    staging tables without indexes (`figures.create_stage_tables`), indexes them
    once and has `_finish` swap them in (as a full run in shards does): faster
    than rewriting the tables in place, where each row also
    writes an entry in each of their indexes (at L, the rows' indexes were more
    than a third of the run), and the tables come out without the dead rows and
    swollen indexes that rewriting them in place leaves. Returns the staging
    token."""
    token = uuid.uuid4().hex
    figures.create_stage_tables(token, indexes=False, rows=True)
    return token


def _stage_every_figure(token: str, all_months: list[date], *, as_of) -> None:
    """Every figure of a full run, from its staged rows into its staging tables,
    then the figures' tables indexed (`_start_staging`; the rows' indexes are
    built by the swap, `figures.swap_in_stage_tables`)."""
    rows_from = figures.stage_row_tables(token)
    # The plans of the figures' statements need the staged rows' sizes (they read
    # the rows whole: no index helps them).
    analyze_tables(*rows_from.values())
    figures.write_month_figures(
        months=all_months,
        training_months=all_months,
        as_of=as_of,
        into=figures.stage_tables(token),
        rows_from=rows_from,
    )
    figures.index_stage_tables(token)


def _lock(now: datetime) -> RollupLock:
    """Take the rollup lock (in the caller's transaction); a full run in shards
    holding its lease makes any other run wait for the next turn."""
    RollupLock.objects.get_or_create(pk=1)
    lock = RollupLock.objects.select_for_update().get(pk=1)
    if lock.lease_token and lock.leased_until and lock.leased_until > now:
        raise RollupBusy(lock.leased_until)
    if lock.lease_token:
        # A lease past its time: this run takes over, and what is left of the
        # old run (its shards, parts and finish) writes nothing (`_holds_lease`).
        lock.lease_token, lock.leased_until = "", None
        lock.save(update_fields=["lease_token", "leased_until"])
    return lock


def _refresh_health(*, as_of, structure: dict, changed_accounts) -> None:
    """Account health brought up to date with the rollup: every run (full,
    sharded or incremental) does it, before it is recorded. The day's first run
    records every account, later ones the accounts changed since the last run of
    any kind (`journeys.health.refresh_health`)."""
    last = (
        RollupRun.objects.filter(finished_at__isnull=False)
        .order_by("-started_at", "-pk")
        .first()
    )
    day = timezone.localdate(as_of)
    since = last.started_at - WATERMARK_MARGIN if last else None
    if changed_accounts is None and last is not None:
        # A full run's rows say nothing of which accounts changed: those moved to
        # another journey (logged) and of a journey whose steps changed since (an
        # incremental run's changed accounts hold both already).
        logged = RollupChange.objects.filter(
            kind=RollupChange.Kind.ACCOUNT, changed_at__gte=since
        ).values_list("account_id", flat=True)
        changed_accounts = _changed_by_structure(last.structure, structure) | (
            set(logged) - {None}
        )
    refresh_health(
        day=day,
        first_of_day=last is None or timezone.localdate(last.as_of) != day,
        since=since,
        passed=(last.as_of, as_of) if last else None,
        also=changed_accounts or (),
    )


def _finish(
    *,
    started_at,
    as_of,
    full,
    since,
    until,
    count,
    months,
    training_months,
    structure,
    all_months,
    groups=False,
    staged: str | None = None,
    staged_rows: bool = False,
    revenue_from: date = date.min,
    changed_accounts: set[int] | None = None,
) -> RollupRun:
    """Write the months' figures, and with `groups` those of the run's groups in
    other months (or, for a full run with `staged` figures, swap in the figures
    staged under that token, and with `staged_rows` its per-account rows), and
    record the run (under the lock).

    Account health first: it reads no figure nor row, and a swap then holds the
    tables it swaps (their readers wait for the run to commit) only for the
    revenue KPIs and the run's record."""
    limited = since is not None or until is not None
    _refresh_health(as_of=as_of, structure=structure, changed_accounts=changed_accounts)
    if staged:
        if staged_rows:
            # The rows' indexes are built in the swap where no task built them (a
            # copy of the task still running goes first).
            _take_turns(INDEX_ROWS_TURN)
        figures.swap_in_stage_tables(staged, rows=staged_rows)
    else:
        _drop_figures_outside(all_months, keep=limited)
        figures.write_month_figures(
            months=sorted(months), training_months=sorted(training_months), as_of=as_of
        )
    if groups:
        rows.finish_groups(outside=months, months=all_months)
        months = months | set(figures.write_group_figures(as_of=as_of))
        rows.drop_temporary(rows.GROUPS)
    # Revenue KPIs (selectors/revenue.py) last: the figures above deleted theirs in
    # the months they wrote, and a swap replaced every figure.
    revenue.rollup_revenue_figures(
        as_of=as_of,
        written=months,
        all_months=all_months,
        revenue_from=revenue_from,
        limited=(since, until) if limited else None,
    )
    run = RollupRun.objects.create(
        started_at=started_at,
        as_of=as_of,
        finished_at=timezone.now(),
        full=full,
        since=since,
        until=until,
        accounts=count,
        months=[f"{month:%Y-%m}" for month in sorted(months | training_months)],
        structure=structure,
    )
    if full and not limited and not staged_rows:
        # Swapped-in tables were analysed before the swap.
        rewritten = [AccountTransition, AccountValuePoint]
        if not staged:
            rewritten += [MemberFigure, TeamFigure, PoolFigure]
        rows.analyze(rewritten)
    if not limited:
        # The next run looks back to this one's start (less the margin) only.
        RollupChange.objects.filter(
            changed_at__lt=started_at - WATERMARK_MARGIN
        ).delete()
    logger.info(
        "Rollup %s: %s accounts, %s months",
        "full" if full else "incremental",
        count,
        len(run.months),
    )
    return run


class RollupBusy(Exception):
    """A full rollup in shards holds the lock's lease until `leased_until`."""

    def __init__(self, leased_until: datetime):
        super().__init__(f"A sharded full rollup runs until {leased_until:%H:%M:%S}")
        self.leased_until = leased_until


# A full run in shards ------------------------------------------------------------


def plan_shards(per_journey: int) -> list[tuple[int, int, int]]:
    """(journey id, lowest account id, highest account id): each journey's
    accounts split by id into `per_journey` shards of about the same size."""
    journeys = list(metrics.current_steps_by_journey())
    if not journeys:
        return []
    tiles = (
        CustomerAccount.objects.filter(journey__in=journeys)
        .annotate(
            tile=Window(Ntile(per_journey), partition_by=F("journey_id"), order_by="pk")
        )
        .values("journey_id", "tile", "pk")
    )
    sql, params = tiles.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT journey_id, MIN(pk), MAX(pk) FROM ({sql}) t "
            "GROUP BY journey_id, tile ORDER BY journey_id, tile",
            params,
        )
        return [tuple(row) for row in cursor.fetchall()]


def lease(*, now: datetime | None = None) -> tuple[str, datetime, datetime]:
    """Start a full run in shards: take the lock's lease. Returns the token, the
    start and the as-of moment."""
    started_at = timezone.now()
    with _transaction():
        lock = _lock(started_at)
        lock.lease_token = uuid.uuid4().hex
        lock.leased_until = started_at + LEASE
        lock.save(update_fields=["lease_token", "leased_until"])
        # The rows (PostgreSQL) and figures of the run go to staging tables first
        # (`rollup_shard`, `rollup_figures`).
        figures.drop_stage_tables()
        figures.create_stage_tables(lock.lease_token, rows=_stages_rows())
    return lock.lease_token, started_at, now or started_at


def _stages_rows() -> bool:
    """Whether a full run writes the per-account rows into staging tables
    (PostgreSQL: indexed once, in shards by `rollup_index_rows` while the figures
    are written, and swapped in by the finish) rather than in place (SQLite)."""
    return connection.vendor == "postgresql"


def _staged_rows(token: str) -> dict | None:
    """The staging tables (model → name) of a run in shards' rows, if its lease
    made them: not one taken before this code was deployed, whose shards write
    in place. Asked under the lease (`_holds_lease`), which keeps the staging
    tables from being dropped meanwhile."""
    if not _stages_rows():
        return None
    tables = figures.stage_row_tables(token)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [next(iter(tables.values()))])
        return tables if cursor.fetchone()[0] is not None else None


def _take_turns(key: int) -> None:
    """PostgreSQL: wait for, and hold until the transaction ends, the advisory
    lock of one piece of a run's work (two copies of a task at once, a
    redelivery while the first still runs, take turns)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [PART_LOCK, key])


# `_take_turns` keys: the staged rows' indexes (`rollup_index_rows` and the
# finish); a shard's, from its lowest account id (`_shard_turn`); a part of the
# figures', from its first month and kind (positive).
INDEX_ROWS_TURN = -1


def _shard_turn(low: int) -> int:
    return -2 - low % 2**30


def _holds_lease(token: str, *, update: bool) -> bool:
    """Whether the run of `token` holds the lease, the lock's row kept until the
    caller's transaction ends: for update (the finish), or else, on PostgreSQL,
    for share (a shard, a part): a run taking the lock over, or the finish,
    which drop staging tables, wait for the tasks still using them."""
    if update or connection.vendor != "postgresql":
        locks = RollupLock.objects.filter(pk=1)
        locks = locks.select_for_update() if update else locks
        return locks.values_list("lease_token", flat=True).first() == token
    table = connection.ops.quote_name(RollupLock._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT lease_token FROM {table} WHERE id = 1 FOR SHARE")
        return cursor.fetchone() == (token,)


def rollup_shard(token: str, journey_id: int, low: int, high: int, as_of) -> int:
    """Rebuild the per-account rows of one shard, in one transaction: a worker
    lost midway leaves nothing, and the shard runs again whole. A shard of a lease
    no longer held (a run that ended or expired) writes nothing. Returns the
    number of accounts rebuilt."""
    with _transaction():
        if not _holds_lease(token, update=False):
            return 0
        journey, steps = next(
            iter(
                metrics.current_steps_by_journey(
                    Journey.objects.filter(pk=journey_id)
                ).items()
            ),
            (None, []),
        )
        accounts = rows.Accounts.shard(journey_id, low, high)
        # The shard's rows written by an earlier delivery of this task go first.
        into = _staged_rows(token)
        if into:
            _take_turns(_shard_turn(low))
        rows.delete_rows(accounts, into=into)
        if journey is not None:
            rows.write_rows(journey, steps, as_of=as_of, accounts=accounts, into=into)
        return CustomerAccount.objects.filter(
            journey_id=journey_id, pk__gte=low, pk__lte=high
        ).count()


def remove_uncovered_rows(shards, into: dict | None = None) -> None:
    """Delete the rows (of the staging tables `into`: model → name) of accounts no
    shard covers (no journey, a journey without steps: moved there after their
    shard ran) or that no longer exist (deleted while a shard wrote their rows):
    a full run leaves them none."""
    if not shards:
        rows.delete_rows(rows.EVERY, into=into)
        return
    covered = Q()
    for journey_id, low, high in shards:
        covered |= Q(journey_id=journey_id, pk__gte=low, pk__lte=high)
    sql, params = (
        CustomerAccount.objects.filter(covered).values("pk").query.sql_with_params()
    )
    # NOT EXISTS: an anti-join, the covered accounts hashed once (spilling to disk
    # if need be), not a lookup of each row's account in a list.
    uncovered = rows.Accounts(
        lambda column: f"NOT EXISTS (SELECT 1 FROM ({sql}) k WHERE k.pk = {column})",
        params,
    )
    rows.delete_rows(uncovered, into=into)


def plan_month_parts(all_months: list[date], parts: int) -> list[list[date]]:
    """Every month in `parts` runs of consecutive months with about as many
    per-account rows each (as the last run left them): the parts of a full run's
    figures (`rollup_figures`). One query."""
    counts = dict(
        AccountTransition.objects.values("cohort_month")
        .annotate(rows=Count("pk"))
        .values_list("cohort_month", "rows")
        .order_by()
    )
    weights = [counts.get(month, 0) + 1 for month in all_months]
    share = sum(weights) / max(1, parts)
    found, current, so_far = [], [], 0
    for month, weight in zip(all_months, weights, strict=True):
        current.append(month)
        so_far += weight
        if len(found) < parts - 1 and so_far >= share * (len(found) + 1):
            found.append(current)
            current = []
    if current:
        found.append(current)
    return found


def rollup_figures(
    token: str, months: list[date], as_of, part: str | None = None
) -> int:
    """Write the figures of some months of a full run in shards into its staging
    tables (one `part` of `figures.FIGURE_PARTS`; None: every part), in one
    transaction; a part that runs again replaces what it wrote, a part of a lease
    no longer held writes nothing. Returns the number of months."""
    if part is not None and part not in figures.FIGURE_PARTS:
        raise ValueError(f"No such part of the figures: {part!r}.")
    parts = figures.FIGURE_PARTS if part is None else (part,)
    with _transaction():
        if not _holds_lease(token, update=False) or not months:
            return 0
        # Two copies of a part at once (a redelivery while the first still runs)
        # take turns: the second replaces what the first wrote. Other parts of the
        # same months write other rows, at the same time.
        kind = 0 if part is None else 1 + figures.FIGURE_PARTS.index(part)
        _take_turns(months[0].toordinal() * 8 + kind)
        figures.clear_stage_months(token, months, parts)
        figures.write_month_figures(
            months=months,
            training_months=months,
            as_of=as_of,
            into=figures.stage_tables(token),
            parts=parts,
            rows_from=_staged_rows(token),
        )
    return len(months)


def rollup_finish(token: str, started_at, as_of) -> RollupRun | None:
    """End a full run in shards under the lock: the staged figures replace every
    figure in one transaction, the run is recorded and the lease released."""
    with _transaction():
        if not _holds_lease(token, update=True):
            return None
        all_months = _all_months(as_of)
        run = _finish(
            started_at=started_at,
            as_of=as_of,
            full=True,
            since=None,
            until=None,
            count=CustomerAccount.objects.count(),
            months=set(all_months),
            training_months=set(all_months),
            structure=_structure(),
            all_months=all_months,
            staged=token,
            staged_rows=_staged_rows(token) is not None,
        )
        RollupLock.objects.filter(pk=1).update(lease_token="", leased_until=None)
    return run


def dispatch_figures(
    token: str, started_at: str, as_of: str, shards, queue: str | None = None
) -> str:
    """Once every shard's rows are written: the rows no shard covered go, then the
    figures over the workers, each part of `figures.FIGURE_PARTS` (each scope's
    figures, the people's) of each run of consecutive months, beside the staged
    rows' indexes (`rollup_index_rows`, PostgreSQL), then `rollup_finish`.
    Returns the id of the finish's result."""
    from celery import chord

    from .. import tasks

    staged_rows = _staged_rows(token)
    with _transaction():
        if _holds_lease(token, update=False):
            remove_uncovered_rows(shards, into=staged_rows)
    options = {"queue": queue} if queue else {}
    all_months = _all_months(datetime.fromisoformat(as_of))
    # Each scope's figures read the rows once, whatever the months: splitting them
    # by kind (the costliest first) shares them over the workers without reading
    # the rows more often; runs of months split them further for more workers.
    # The members' figures are about as much work as the other kinds together (a
    # figure to write per member, month and metric): they go in twice as many
    # runs, so that two workers share the figures evenly.
    counts = {
        part: settings.ROLLUP_FIGURE_PARTS * (2 if part == "member" else 1)
        for part in figures.FIGURE_PARTS
    }
    runs = {
        count: plan_month_parts(all_months, count) for count in set(counts.values())
    }
    # The staged rows' indexes are built, and the rows analysed, while the figures
    # are written from them: the parts read every row of their months, which
    # needs no index, and PostgreSQL plans them from the tables' sizes.
    indexes = [tasks.rollup_index_rows.si(token).set(**options)] if staged_rows else []
    result = chord(
        [
            *indexes,
            *(
                tasks.rollup_figures.si(
                    token, [month.isoformat() for month in months], as_of, part
                ).set(**options)
                for part in figures.FIGURE_PARTS
                for months in runs[counts[part]]
            ),
        ]
    )(tasks.rollup_finish.si(token, started_at, as_of).set(**options))
    return result.id


def rollup_index_rows(token: str) -> bool:
    """Build the indexes of a full run in shards' staged rows and analyse them
    (`figures.index_stage_rows`), in one transaction; a lease no longer held
    builds nothing. Returns whether it built them."""
    with _transaction():
        if not _holds_lease(token, update=False):
            return False
        # Two copies at once take turns: the second finds the indexes built.
        _take_turns(INDEX_ROWS_TURN)
        figures.index_stage_rows(token)
    return True


def rollup_sharded(
    *,
    full: bool = True,
    wait: bool = True,
    timeout: float | None = None,
    queue: str | None = None,
) -> RollupRun | None:
    """A full rollup split into shards (journey × account ids) that Celery workers
    run in parallel, ending with `rollup_finish`: more workers, shorter runs.
    Where no result backend can gather a chord (the embedded default without
    Redis), the full run is done here in one process. With `wait`, returns the
    run (None if the lease was lost). `queue`: the Celery queue of its tasks
    (default: the default queue)."""
    from celery import chord, current_app

    from .. import tasks

    if not full:
        return rollup()
    eager = current_app.conf.task_always_eager
    backend = current_app.conf.result_backend
    if not eager and not backend:
        return rollup(full=True)
    shards = plan_shards(settings.ROLLUP_SHARDS_PER_JOURNEY)
    if not shards:
        # No journey with steps, so no account rows: the run is its figures alone.
        return rollup(full=True)
    token, started_at, as_of = lease()
    moment = as_of.isoformat()
    options = {"queue": queue} if queue else {}
    result = chord(
        tasks.rollup_shard.si(token, journey_id, low, high, moment).set(**options)
        for journey_id, low, high in shards
    )(
        tasks.rollup_dispatch_figures.si(
            token, started_at.isoformat(), moment, shards, queue
        ).set(**options)
    )
    if not wait:
        return None
    result.get(timeout=timeout, disable_sync_subtasks=False)
    return _wait_for_run(token, started_at, timeout=timeout)


def _wait_for_run(token: str, started_at: datetime, *, timeout: float | None):
    """The run of a full run in shards once it is recorded; None once its lease is
    lost (or after `timeout` seconds)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while deadline is None or time.monotonic() < deadline:
        run = RollupRun.objects.filter(started_at=started_at, full=True).first()
        if run is not None:
            return run
        if not _holds_lease(token, update=False):
            return None
        time.sleep(0.2)
    return None


def _recompute_rows(
    account_ids,
    *,
    as_of: datetime,
    months_range: set[date] | None,
    into: dict | None = None,
) -> int:
    """Rebuild the per-account rows of the accounts (None: all) in the database
    (`rows`). With `months_range`, only the accounts with a row or a live event in
    those months are rebuilt. Rows rebuilt for some accounts only are rebuilt
    aside and only those that differ written; the groups whose figures they
    change are added to the run's groups. With `into` (model → empty staging
    table, `figures.stage_row_tables`), every account's rows go there instead.
    Returns the number of accounts rebuilt."""
    if into is not None and (account_ids is not None or months_range is not None):
        raise ValueError("Only a run of every account writes its rows aside.")
    listed = account_ids is not None or months_range is not None
    if months_range is not None:
        rows.list_accounts(**_accounts_in_months(months_range))
    elif listed:
        rows.list_accounts(account_ids)
    journeys = Journey.objects.all()
    if listed:
        journeys = journeys.filter(
            pk__in=CustomerAccount.objects.filter(
                pk__in=RawSQL(f"SELECT id FROM {rows.ACCOUNTS}", [])
            ).values("journey_id")
        )
        count = CustomerAccount.objects.filter(
            pk__in=RawSQL(f"SELECT id FROM {rows.ACCOUNTS}", [])
        ).count()
    else:
        count = CustomerAccount.objects.count()
    if listed:
        fresh = rows.fresh_row_tables()
        for journey, steps in metrics.current_steps_by_journey(journeys).items():
            rows.write_rows(
                journey, steps, as_of=as_of, accounts=rows.LISTED, into=fresh
            )
        rows.replace_changed_rows(as_of=as_of)
        # A run of some months lists no groups whose deadlines passed since the
        # last run: every changed column of a row counts there.
        rows.add_changed_groups(
            rows.Dialect(last=as_of), as_of=as_of if months_range is None else None
        )
    else:
        if into is None:
            rows.delete_rows(rows.EVERY)
        for journey, steps in metrics.current_steps_by_journey(journeys).items():
            rows.write_rows(journey, steps, as_of=as_of, accounts=rows.EVERY, into=into)
    if listed:
        rows.drop_temporary(rows.ACCOUNTS)
    return count


def _accounts_in_months(months_range: set[date]) -> dict:
    """The accounts with a row in the months, or a live event in them (which may
    make a first reach there): a SELECT for `rows.list_accounts`."""
    if not months_range:
        # Months after the as-of month (or before the first event): no account.
        accounts = connection.ops.quote_name(CustomerAccount._meta.db_table)
        return {"select": f"SELECT id FROM {accounts} WHERE 1 = 0", "params": []}
    bounds = [
        (metrics.month_start(month), metrics.month_start(metrics.add_months(month, 1)))
        for month in sorted(months_range)
    ]
    events = StepEvent.objects.filter(voided_at__isnull=True).filter(
        functools.reduce(
            operator.or_,
            (Q(reached_at__gte=start, reached_at__lt=end) for start, end in bounds),
        )
    )
    selects = [events.values("account_id")]
    for model in (AccountTransition, AccountValuePoint):
        selects.append(
            model.objects.filter(cohort_month__in=months_range).values("account_id")
        )
    sql, params = [], []
    for queryset in selects:
        query, query_params = queryset.order_by().query.sql_with_params()
        sql.append(query)
        params.extend(query_params)
    return {"select": " UNION ".join(sql), "params": params}
