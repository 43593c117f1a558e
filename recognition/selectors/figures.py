"""Figures: the one aggregation of the per-account rows into numbers (METRICS.md).

The rollup writes monthly figures with `write_month_figures`; pages read a month from
those tables and longer periods (quarters, last 3/6/12 months, team figures over
them) by aggregating the per-account rows again with the same functions, so that
counts add up and medians come from the accounts, never from medians.

Every function runs a fixed number of queries, whatever the number of members,
accounts or events.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce, Concat, RowNumber, TruncMonth
from django.utils import timezone

from accounts.models import Role, RolePeriod, TeamMembership
from config.queries import OfGroupedColumns, analyze_tables
from journeys.models import StepEvent, TrainingAssignment, TrainingCompletion

from .. import metrics
from ..metrics import Family, Metric, Period
from ..models import (
    AccountTransition,
    AccountValuePoint,
    ConversionKind,
    MemberFigure,
    PoolFigure,
    RollupRun,
    TeamFigure,
)
from ..permissions import member_at
from ..services.rows import (
    SETTLED_TRANSITION,
    SETTLED_VALUE_POINT,
    Dialect,
    drop_temporary,
    empty_temporary,
)
from . import flow, revenue
from .groups import (
    EVENTS,
    GROUPS,
    ROWS,
    SCOPES,
    in_groups,
    in_groups_sql,
)


@dataclass(frozen=True)
class FigureValue:
    """A metric's value with its counts. `value` is None when there is no figure
    (an empty cohort has no rate); `final_at` is when a provisional figure becomes
    final, or when a final one became final (METRICS.md: "final since")."""

    value: float | None
    numerator: int | None = None
    denominator: int | None = None
    provisional: bool = False
    final_at: datetime | None = None


def exact_value(figure) -> Fraction:
    """A figure (anything with value, numerator and denominator) as an exact
    fraction, to compare and rank: 2/3 is not 0.6667 (METRICS.md, awards)."""
    if figure.numerator is not None and figure.denominator:
        return Fraction(figure.numerator, figure.denominator)
    return Fraction(figure.value)


_TABLES = {"member": MemberFigure, "team": TeamFigure, "pool": PoolFigure}
# The parts of a month's figures, which a full run in shards writes on several
# workers at once (`write_month_figures(parts=...)`): each scope's figures from the
# per-account rows, and the people's (events recorded and training completion,
# from events and training). Disjoint by table and metric; each reads its tables
# once. In order of their usual cost, the costliest first.
PEOPLE = "people"
FIGURE_PARTS = ("member", PEOPLE, "team", "pool")
_PEOPLE_METRICS = (Family.STEP_EVENTS_RECORDED, Family.TRAINING_COMPLETION)


def last_run() -> RollupRun | None:
    return (
        RollupRun.objects.filter(finished_at__isnull=False)
        .order_by("-started_at", "-pk")
        .first()
    )


def local_months(queryset, field: str) -> list[date]:
    """The distinct months (in TIME_ZONE) of a datetime field of the queryset."""
    truncated = (
        queryset.annotate(_month=TruncMonth(field, tzinfo=metrics.tz()))
        .values_list("_month", flat=True)
        .distinct()
    )
    return sorted({_as_month(month) for month in truncated})


def _as_month(value) -> date:
    if isinstance(value, datetime):
        value = (
            timezone.localtime(value, metrics.tz())
            if timezone.is_aware(value)
            else value
        )
        return date(value.year, value.month, 1)
    return value.replace(day=1)


# Aggregations of the per-account rows ----------------------------------------------


def _transition_key(kind: str, from_step_id: int, journey_id: int) -> str:
    if kind == ConversionKind.JOURNEY:
        return f"{Family.JOURNEY_CONVERSION}:{journey_id}"
    return f"{Family.STEP_CONVERSION}:{from_step_id}"


def _settled(sql: str) -> RawSQL:
    return RawSQL(sql, (), output_field=DateTimeField())


def final_from(open_until: datetime | None, settled: datetime | None):
    """A figure's `final_at`: when its open windows end while it is provisional,
    else when its last account settled."""
    return open_until if open_until is not None else settled


def conversion_groups(rows, group: list[str], *, as_of: datetime):
    """Cohort, converted and provisional-until per group of AccountTransition rows:
    yields (group values, metric key, FigureValue). One query."""
    aggregated = rows.values(*group, "kind", "from_step_id", "journey_id").annotate(
        cohort=Count("pk"),
        converted_count=Count("pk", filter=Q(converted=True)),
        open_until=Max("window_ends_at", filter=_still_open(as_of)),
        settled=Max(_settled(SETTLED_TRANSITION)),
    )
    for row in aggregated.order_by():
        yield (
            tuple(row[name] for name in group),
            _transition_key(row["kind"], row["from_step_id"], row["journey_id"]),
            FigureValue(
                value=row["converted_count"] / row["cohort"],
                numerator=row["converted_count"],
                denominator=row["cohort"],
                provisional=row["open_until"] is not None,
                final_at=final_from(row["open_until"], row["settled"]),
            ),
        )


def median_groups(rows, group: list[str], *, as_of: datetime):
    """Median days to convert per group and transition, from the converted accounts
    (the mean of the two middle values for an even count): the database ranks the
    accounts and returns the one or two middle rows of each group. Two queries."""
    partition = [F(name) for name in (*group, "from_step_id")]
    converted = rows.filter(kind=ConversionKind.STEP, converted=True)
    middle = (
        converted.annotate(
            position=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[F("days_to_convert").asc(), F("pk").asc()],
            ),
            size=Window(Count("pk"), partition_by=partition),
        )
        .filter(Q(position=(F("size") + 1) / 2) | Q(position=(F("size") + 2) / 2))
        .values_list(*group, "from_step_id", "days_to_convert", "size")
    )
    found = defaultdict(list)
    sizes = {}
    for *keys, step_id, days, size in middle:
        found[(tuple(keys), step_id)].append(days)
        sizes[(tuple(keys), step_id)] = size
    # A median may still move while some account of the group can convert.
    still_open = {
        (tuple(row[name] for name in group), row["from_step_id"]): (
            row["open_until"],
            row["settled"],
        )
        for row in rows.filter(kind=ConversionKind.STEP)
        .values(*group, "from_step_id")
        .annotate(
            open_until=Max("window_ends_at", filter=_still_open(as_of)),
            settled=Max(_settled(SETTLED_TRANSITION)),
        )
        .order_by()
    }
    for (keys, step_id), days in found.items():
        # A group found above has rows here, unless a rollup committed between
        # the two queries: then it has no date to give.
        open_until, settled = still_open.get((keys, step_id), (None, None))
        yield (
            keys,
            f"{Family.DAYS_TO_CONVERT}:{step_id}",
            FigureValue(
                value=sum(days) / len(days),
                denominator=sizes[(keys, step_id)],
                provisional=open_until is not None,
                final_at=final_from(open_until, settled),
            ),
        )


def value_point_groups(rows, group: list[str], *, as_of: datetime):
    """Value points on time / due per group (METRICS.md: due once its deadline has
    passed or once it was reached). One query."""
    aggregated = rows.values(*group, "journey_id").annotate(
        due=Count("pk", filter=Q(reached_at__isnull=False) | Q(deadline__lte=as_of)),
        on_time_count=Count("pk", filter=Q(on_time=True)),
        open_until=Max("deadline", filter=_point_open(as_of)),
        settled=Max(_settled(SETTLED_VALUE_POINT)),
    )
    for row in aggregated.order_by():
        if not row["due"]:
            continue
        yield (
            tuple(row[name] for name in group),
            f"{Family.VALUE_POINTS_ON_TIME}:{row['journey_id']}",
            FigureValue(
                value=row["on_time_count"] / row["due"],
                numerator=row["on_time_count"],
                denominator=row["due"],
                provisional=row["open_until"] is not None,
                final_at=final_from(row["open_until"], row["settled"]),
            ),
        )


def wanted_ids(wanted: list[Metric]) -> tuple[set[int], set[int], set[int]]:
    """What the wanted metrics read: the steps whose conversions (and days to
    convert), the journeys whose journey conversions, and the journeys whose value
    points."""
    steps = {
        m.step_id
        for m in wanted
        if m.family in (Family.STEP_CONVERSION, Family.DAYS_TO_CONVERT)
    }
    journeys = {m.journey_id for m in wanted if m.family == Family.JOURNEY_CONVERSION}
    value_points = {
        m.journey_id for m in wanted if m.family == Family.VALUE_POINTS_ON_TIME
    }
    return steps, journeys, value_points


def wanted_rows(wanted: list[Metric]) -> tuple[Q, set[int]]:
    """The transition rows the wanted metrics read, and the journeys whose value
    points they read."""
    steps, journeys, value_points = wanted_ids(wanted)
    transitions = Q(kind=ConversionKind.STEP, from_step_id__in=steps) | Q(
        kind=ConversionKind.JOURNEY, journey_id__in=journeys
    )
    return transitions, value_points


def _row_filters(wanted: list[Metric] | None) -> tuple[Q, Q, bool]:
    """Which transition and value-point rows the wanted metrics need."""
    if wanted is None:
        return Q(), Q(), True
    transitions, value_points = wanted_rows(wanted)
    return transitions, Q(journey_id__in=value_points), bool(value_points)


def _from_rows(scope, owner_ids, months, wanted, *, as_of, members_only=False):
    """Figures over several months aggregated from the per-account rows; with
    `members_only`, of the accounts credited to a member (not the pools')."""
    owner = SCOPES[scope]
    transitions_q, value_points_q, needs_value_points = _row_filters(wanted)
    base = {f"{owner}__in": owner_ids, "cohort_month__in": months}
    if members_only:
        base["member_id__isnull"] = False
    rows = AccountTransition.objects.filter(transitions_q, **base)
    found = {}
    for keys, key, figure in conversion_groups(rows, [owner], as_of=as_of):
        found[(keys[0], key)] = figure
    if wanted is None or any(m.family == Family.DAYS_TO_CONVERT for m in wanted):
        for keys, key, figure in median_groups(rows, [owner], as_of=as_of):
            found[(keys[0], key)] = figure
    if needs_value_points:
        value_rows = AccountValuePoint.objects.filter(value_points_q, **base)
        for keys, key, figure in value_point_groups(value_rows, [owner], as_of=as_of):
            found[(keys[0], key)] = figure
    return found


def _from_table(scope, owner_ids, months, keys) -> dict:
    """(owner id, metric, month) → FigureValue from a monthly table."""
    owner = SCOPES[scope]
    table = _TABLES[scope].objects.filter(
        **{f"{owner}__in": owner_ids}, month__in=months, metric__in=keys
    )
    return {
        (getattr(figure, owner), figure.metric, figure.month): FigureValue(
            value=figure.value,
            numerator=figure.numerator,
            denominator=figure.denominator,
            provisional=figure.provisional,
            final_at=figure.final_at,
        )
        for figure in table
    }


_ROW_FAMILIES = {
    Family.STEP_CONVERSION,
    Family.JOURNEY_CONVERSION,
    Family.DAYS_TO_CONVERT,
    Family.VALUE_POINTS_ON_TIME,
}


def _as_of() -> datetime:
    run = last_run()
    return run.as_of if run else timezone.now()


def figures_for(
    scope: str,
    *,
    owner_ids,
    metrics_wanted: list[Metric],
    period: Period,
    members_only: bool = False,
) -> dict[tuple[int, str], FigureValue]:
    """(owner id, metric key) → FigureValue over the period, for members, teams or
    pools. A month reads the monthly table; a longer period aggregates the rows
    (events recorded add up; training completion is the one at the period's end).
    Flow metrics are counted from the rows (`flow`); revenue metrics over a longer
    period come from `revenue.period_figures`. With `members_only` (a team's
    rate) the cohort metrics count the accounts credited to members only, from the
    rows whatever the period."""
    owner_ids = list(owner_ids)
    flows = [m for m in metrics_wanted if m.is_flow]
    cohort_metrics = [m for m in metrics_wanted if m.family in _ROW_FAMILIES]
    others = [
        m.key for m in metrics_wanted if not m.is_flow and m not in cohort_metrics
    ]
    month = period.kind == metrics.PERIOD_MONTH
    from_rows = cohort_metrics if members_only or not month else []
    as_of = _as_of() if flows or from_rows else None
    found = {}
    if flows:
        found.update(
            flow.flow_figures(
                scope,
                owner_ids=owner_ids,
                metrics_wanted=flows,
                months=period.months,
                as_of=as_of,
                members_only=members_only,
            )
        )
    if from_rows:
        found.update(
            _from_rows(
                scope,
                owner_ids,
                period.months,
                from_rows,
                as_of=as_of,
                members_only=members_only,
            )
        )
    if month:
        table_keys = others + [m.key for m in cohort_metrics if m not in from_rows]
        table = _from_table(scope, owner_ids, [period.first_month], table_keys)
        for (owner, key, _month), figure in table.items():
            found[(owner, key)] = figure
    elif others:
        # Revenue metrics follow the accounts of the period's start (the revenue
        # selector's "Over a period"), not the period's last month.
        revenue_keys = [key for key in others if key in metrics.REVENUE_FAMILIES]
        if revenue_keys:
            found.update(
                revenue.period_figures(
                    scope,
                    owner_ids=owner_ids,
                    keys=revenue_keys,
                    period=period,
                    as_of=as_of or _as_of(),
                )
            )
            others = [key for key in others if key not in revenue_keys]
    if not month and others:
        table = _from_table(scope, owner_ids, period.months, others)
        counts = defaultdict(int)
        for (owner, key, month_of), figure in table.items():
            if key == Family.STEP_EVENTS_RECORDED:
                counts[(owner, key)] += figure.numerator or 0
            elif month_of == min(period.last_month, metrics.this_month()):
                # As of the period's end, or of today in a running period.
                found[(owner, key)] = figure
        for (owner, key), total in counts.items():
            found[(owner, key)] = FigureValue(value=total, numerator=total)
    return found


def member_figures(*, member_ids, metrics, period) -> dict:
    return figures_for(
        "member", owner_ids=member_ids, metrics_wanted=metrics, period=period
    )


def team_figures(*, team_ids, metrics, period) -> dict:
    """A team's figures including its pools' accounts ("team incl. pools")."""
    return figures_for(
        "team", owner_ids=team_ids, metrics_wanted=metrics, period=period
    )


def team_rate_figures(*, team_ids, metrics, period) -> dict:
    """The team rate (METRICS.md): the team's pooled figure over its members' accounts
    (their converted over their cohorts), the pools' accounts left out. The one
    "team" number of the pages."""
    return figures_for(
        "team",
        owner_ids=team_ids,
        metrics_wanted=metrics,
        period=period,
        members_only=True,
    )


def pool_figures(*, pool_ids, metrics, period) -> dict:
    return figures_for(
        "pool", owner_ids=pool_ids, metrics_wanted=metrics, period=period
    )


def _monthly(scope, owner_ids, metrics_wanted, months, *, members_only=False):
    """(owner id, metric key, month) → FigureValue: the monthly table, the flow
    metrics counted by month from the rows, and with `members_only` the
    conversions of the members' accounts grouped by cohort month."""
    owner_ids, months = list(owner_ids), sorted(months)
    flows = [m for m in metrics_wanted if m.is_flow]
    rows_wanted = [
        m
        for m in metrics_wanted
        if members_only
        and m.family in (Family.STEP_CONVERSION, Family.JOURNEY_CONVERSION)
    ]
    table_keys = [
        m.key for m in metrics_wanted if m not in flows and m not in rows_wanted
    ]
    found = _from_table(scope, owner_ids, months, table_keys) if table_keys else {}
    as_of = _as_of() if flows or rows_wanted else None
    if flows and owner_ids and months:
        found.update(
            flow.flow_figures(
                scope,
                owner_ids=owner_ids,
                metrics_wanted=flows,
                months=months,
                by_month=True,
                as_of=as_of,
                members_only=members_only,
            )
        )
    if rows_wanted and owner_ids and months:
        owner = SCOPES[scope]
        transitions_q, _points_q, _needs = _row_filters(rows_wanted)
        rows = AccountTransition.objects.filter(
            transitions_q,
            **{f"{owner}__in": owner_ids},
            cohort_month__in=months,
            member_id__isnull=False,
        )
        for (owner_id, month), key, figure in conversion_groups(
            rows, [owner, "cohort_month"], as_of=as_of
        ):
            found[(owner_id, key, _as_month(month))] = figure
    return found


def member_monthly(*, member_ids, metrics, months) -> dict:
    """(member id, metric key, month) → FigureValue, from the monthly table (the
    flow metrics counted from the rows)."""
    return _monthly("member", member_ids, metrics, months)


def team_monthly(*, team_ids, metrics, months) -> dict:
    """A team's monthly figures; its conversions are the team rate (the members'
    accounts, not the pools')."""
    return _monthly("team", team_ids, metrics, months, members_only=True)


# Writing the monthly tables ---------------------------------------------------------
#
# Each family is written by one `INSERT INTO <figure table> (...) SELECT ... GROUP BY`
# per table: the database counts, and no figure passes through Python, so the number
# of statements depends only on the scopes and families, not on the data. The SELECTs
# are compiled from querysets where the ORM can say them (the same on SQLite and
# PostgreSQL); medians, events recorded and training completion wrap them in a few
# lines of SQL. Months are bounded by instants computed here (`flow.month_bounds`);
# the events recorded are counted once per recorder and local day by SQL
# (`rows.Dialect.local_date`: AT TIME ZONE on PostgreSQL, SQLite's date() with the
# zone's offsets written into the statement), never with a Python function per row.

_FIGURE_COLUMNS = (
    "metric",
    "month",
    "value",
    "numerator",
    "denominator",
    "provisional",
    "final_at",
    "computed_at",
)


def write_month_figures(
    *,
    months: list[date],
    training_months: list[date],
    as_of: datetime,
    into: dict[str, str] | None = None,
    parts: tuple[str, ...] = FIGURE_PARTS,
    rows_from: dict | None = None,
) -> None:
    """Replace the figures of these months (training completion: of
    `training_months`) with fresh aggregates of the rows and events. A fixed number
    of statements. With `into` (scope → an empty table of the figure columns,
    `stage_tables`), the figures go there and nothing is deleted: a full run in
    shards swaps them in at its end; its workers write `parts` of them each (of
    FIGURE_PARTS; without `into`, every part). With `rows_from` (model → table,
    `stage_row_tables`), the per-account rows are read from those tables."""
    if into is None and set(parts) != set(FIGURE_PARTS):
        raise ValueError("The figure tables are rewritten whole: every part.")
    insert = functools.partial(_insert, into=into, rows_from=rows_from)
    if into is None:
        training = Family.TRAINING_COMPLETION
        for table in _TABLES.values():
            table.objects.filter(month__in=months).exclude(metric=training).delete()
            table.objects.filter(month__in=training_months, metric=training).delete()
    scopes = [scope for scope in SCOPES if scope in parts]
    if months:
        transitions = AccountTransition.objects.filter(cohort_month__in=months)
        value_points = AccountValuePoint.objects.filter(cohort_month__in=months)
        for scope in scopes:
            owner = SCOPES[scope]
            rows = transitions.filter(**{f"{owner}__isnull": False})
            insert(scope, *_sql(_conversion_select(rows, owner, as_of=as_of)))
            insert(scope, *_median_select(rows, owner, as_of=as_of))
            points = value_points.filter(**{f"{owner}__isnull": False})
            insert(scope, *_sql(_value_point_select(points, owner, as_of=as_of)))
        if PEOPLE in parts:
            _write_events_recorded(months, as_of=as_of, insert=insert)
    if training_months and PEOPLE in parts:
        for scope in ("member", "team"):
            insert(scope, *_training_select(scope, training_months, as_of=as_of))
    # Flow metrics for the API's monthly figures (pages count them from the rows).
    if into is None:
        selects = flow.month_figure_selects(months, as_of=as_of)
    else:
        selects = flow.figure_selects(months, as_of=as_of, scopes=scopes)
    for scope, sql, params in selects:
        insert(scope, sql, params)


def stage_tables(token: str) -> dict[str, str]:
    """The names of a full run's staging tables (scope → table) for its token."""
    return {scope: f"kata_stage_{scope}_{token[:16]}" for scope in _TABLES}


# The per-account rows, which a full run on PostgreSQL (in one process or in
# shards) also writes aside (`create_stage_tables(rows=True)`): rewriting them in
# place costs an entry in each of their indexes per row, most of what writing them
# costs (issue 12).
_ROW_STAGES = {"transitions": AccountTransition, "value_points": AccountValuePoint}


def stage_row_tables(token: str) -> dict:
    """The names of a full run's staging tables of per-account rows (model →
    table, the `into` of `rows.write_rows`) for its token."""
    return {
        model: f"kata_stage_{key}_{token[:16]}" for key, model in _ROW_STAGES.items()
    }


def _stages(token: str, *, rows: bool) -> list[tuple[type, str]]:
    """(model, staging table) of a run: the figure tables', with `rows` also the
    per-account rows'."""
    found = [(_TABLES[scope], name) for scope, name in stage_tables(token).items()]
    if rows:
        # The rows first: Django deletes the rows of a deleted account, member,
        # team or pool before their figures; the swap locks them in that order.
        found = list(stage_row_tables(token).items()) + found
    return found


def _copied_columns(model) -> str:
    """The quoted columns of a staged table that its copy into the real one
    carries: all but the id (the real table gives its own)."""
    quote = connection.ops.quote_name
    return ", ".join(
        quote(field.column)
        for field in model._meta.concrete_fields
        if not field.primary_key
    )


def create_stage_tables(
    token: str, *, indexes: bool = True, rows: bool = False
) -> None:
    """Empty staging tables with the figure tables' columns (`write_month_figures`
    with `into`), regular tables that every worker's connection sees; with `rows`
    (PostgreSQL), the per-account rows' too (`stage_row_tables`).

    PostgreSQL: each a copy of its table — columns, identity, checks, the primary
    key, unique constraints and indexes (under names of its own until the swap
    gives them theirs) — so that `swap_in_stage_tables` puts it in the table's
    place by renaming, and the workers writing the figures in parallel also build
    their index entries, rather than the finish copying every figure alone.
    Without `indexes`, the figures' keys and indexes wait for
    `index_stage_tables`: one process writing every figure builds each index
    once, at the end, rather than entry by entry. The rows' always wait, for
    `index_stage_rows`. Elsewhere: the columns only, copied in by the swap."""
    if rows and connection.vendor != "postgresql":
        raise ValueError("Only PostgreSQL stages the per-account rows.")
    quote = connection.ops.quote_name
    for model, name in _stages(token, rows=rows):
        table = model._meta
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
            if connection.vendor != "postgresql":
                cursor.execute(
                    f"CREATE TABLE {name} AS SELECT {_copied_columns(model)} "
                    f"FROM {quote(table.db_table)} WHERE 1 = 0"
                )
                continue
            real = quote(table.db_table)
            cursor.execute(
                f"CREATE TABLE {name} (LIKE {real} INCLUDING ALL EXCLUDING INDEXES)"
            )
            # Ids go on from the real table's: no id is ever another row's.
            sequence = _id_sequence(cursor, real, table.pk.column)
            if sequence:
                cursor.execute(f"SELECT last_value + 1 FROM {sequence}")
                (start,) = cursor.fetchone()
                cursor.execute(
                    f"ALTER TABLE {name} ALTER COLUMN {quote(table.pk.column)} "
                    f"RESTART WITH {int(start)}"
                )
            if indexes and model not in _ROW_STAGES.values():
                _index_stage_table(cursor, token, table.db_table, name)


def index_stage_tables(token: str) -> None:
    """Give the figures' staging tables created without `indexes` their tables'
    keys and indexes (PostgreSQL), once their figures are in."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model, name in _stages(token, rows=False):
            _index_stage_table(cursor, token, model._meta.db_table, name)


def index_stage_rows(token: str, *, analyze: bool = True) -> None:
    """Build the indexes of the per-account rows' staging tables once their rows
    are in and, with `analyze`, analyse them (PostgreSQL). The keys are built as
    unique indexes, which `swap_in_stage_tables` makes the keys: ALTER TABLE
    takes a lock that would wait for, and stop, the figures' workers reading the
    rows meanwhile; CREATE INDEX lets them read. Safe twice (a task run again)."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, name in stage_row_tables(token).items():
            for original, kind, definition in _named_objects(
                cursor, model._meta.db_table
            ):
                staged = quote(_staged_object(token, original))
                if kind == "index":
                    _create_index(cursor, definition, staged, name, again=True)
                elif key := _KEY_DEFINITION.fullmatch(definition):
                    cursor.execute(
                        f"CREATE UNIQUE INDEX IF NOT EXISTS {staged} ON {name} "
                        f"{key.group('columns')}"
                    )
    if analyze:
        analyze_tables(*stage_row_tables(token).values())


# pg_get_constraintdef() of a primary key or unique constraint on plain columns.
_KEY_DEFINITION = re.compile(r"(?P<kind>PRIMARY KEY|UNIQUE) (?P<columns>\([^()]*\))")


def _key_stage_rows(cursor, token: str) -> None:
    """Make the per-account rows' staging tables' keys from the unique indexes
    `index_stage_rows` built (the index becomes the constraint, without reading
    the rows again; a key of another kind is built here)."""
    quote = connection.ops.quote_name
    for model, name in stage_row_tables(token).items():
        for original, kind, definition in _named_objects(cursor, model._meta.db_table):
            if kind != "constraint":
                continue
            staged = quote(_staged_object(token, original))
            if key := _KEY_DEFINITION.fullmatch(definition):
                definition = f"{key.group('kind')} USING INDEX {staged}"
            cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {staged} {definition}")


def _index_stage_table(cursor, token: str, table: str, name: str) -> None:
    """The primary key, unique constraints and indexes of `table` on its staging
    table `name`, under the names the swap renames (`_staged_object`)."""
    for original, kind, definition in _named_objects(cursor, table):
        staged = connection.ops.quote_name(_staged_object(token, original))
        if kind == "constraint":
            cursor.execute(f"ALTER TABLE {name} ADD CONSTRAINT {staged} {definition}")
            continue
        _create_index(cursor, definition, staged, name)


def _create_index(
    cursor, definition: str, staged: str, name: str, *, again: bool = False
) -> None:
    """Create on table `name` the index `definition` (pg_get_indexdef) describes,
    named `staged`; with `again`, nothing when it exists already."""
    named = f"INDEX {'IF NOT EXISTS ' if again else ''}{staged} ON {name}"
    cursor.execute(f"CREATE {_index_body(definition)}".replace("INDEX ON", named, 1))


# pg_get_indexdef(): CREATE [UNIQUE] INDEX name ON [ONLY] schema.table USING …
_INDEX_DEFINITION = re.compile(
    r"CREATE (?P<unique>UNIQUE )?INDEX \S+ ON (?:ONLY )?\S+ (?P<using>USING .*)",
    re.DOTALL,
)


def _index_body(definition: str) -> str:
    """An index's definition without its name and table: "[UNIQUE ]INDEX ON
    USING …", to create it elsewhere or compare it with another's."""
    found = _INDEX_DEFINITION.fullmatch(definition)
    if found is None:
        raise ValueError(f"Unexpected index definition: {definition}")
    return f"{found.group('unique') or ''}INDEX ON {found.group('using')}"


def _named_objects(cursor, table: str) -> list[tuple[str, str, str]]:
    """The primary key, unique and exclusion constraints and the other indexes of
    a PostgreSQL table, by name: (name, "constraint" or "index", definition)."""
    cursor.execute(
        """
        SELECT conname, 'constraint', pg_get_constraintdef(oid)
        FROM pg_constraint
        WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'x')
        UNION ALL
        SELECT index.relname, 'index', pg_get_indexdef(x.indexrelid)
        FROM pg_index x JOIN pg_class index ON index.oid = x.indexrelid
        WHERE x.indrelid = %s::regclass AND NOT EXISTS (
            SELECT 1 FROM pg_constraint c
            WHERE c.conrelid = x.indrelid AND c.conindid = x.indexrelid
        )
        ORDER BY 1
        """,
        [table, table],
    )
    return cursor.fetchall()


def _staged_object(token: str, original: str) -> str:
    """The name a staging table's index or constraint has until the swap renames
    it `original` (names of indexes are unique in a schema)."""
    digest = hashlib.sha256(original.encode()).hexdigest()[:16]
    return f"kata_stage_{token[:8]}_{digest}"


def clear_stage_months(
    token: str, months: list[date], parts: tuple[str, ...] = FIGURE_PARTS
) -> None:
    """Remove what a part of the run (`parts` of FIGURE_PARTS of these months)
    wrote (a part that runs again after its worker was lost once it had
    committed)."""
    marks = ", ".join(["%s"] * len(months))
    people = ", ".join(["%s"] * len(_PEOPLE_METRICS))
    with connection.cursor() as cursor:
        for scope, name in stage_tables(token).items():
            rows, of_people = scope in parts, PEOPLE in parts
            if rows and of_people:
                which, params = "", []
            elif rows:
                which, params = f" AND metric NOT IN ({people})", _PEOPLE_METRICS
            elif of_people:
                which, params = f" AND metric IN ({people})", _PEOPLE_METRICS
            else:
                continue
            cursor.execute(
                f"DELETE FROM {name} WHERE month IN ({marks}){which}",
                [*(_db_date(month) for month in months), *params],
            )


def swap_in_stage_tables(token: str, *, rows: bool = False) -> None:
    """Replace every figure (with `rows`, every per-account row too) with the
    staging tables' (in the caller's transaction) and drop them: on PostgreSQL
    each staging table takes its table's place (`_swap_in`) where it can;
    otherwise its rows are copied in. The per-account rows' staging tables were
    analysed by the caller (and, in a run in shards, indexed by `index_stage_rows`):
    here the indexes not built yet are built and the keys made."""
    quote = connection.ops.quote_name
    postgresql = connection.vendor == "postgresql"
    staged = _stages(token, rows=rows)
    # Statistics go with the table a staging table becomes: analysed before the
    # swaps lock the figure tables (until the caller's transaction ends).
    analyze_tables(*stage_tables(token).values())
    if rows:
        index_stage_rows(token, analyze=False)
        with connection.cursor() as cursor:
            _key_stage_rows(cursor, token)
    if postgresql:
        # Every table at once, in the order Django deletes from them (`_stages`):
        # the swap does not hold one while it waits for another that a deletion
        # holds, and once it holds them every deletion from them has ended.
        with connection.cursor() as cursor:
            cursor.execute(
                "LOCK TABLE "
                + ", ".join(quote(model._meta.db_table) for model, _name in staged)
                + " IN ACCESS EXCLUSIVE MODE"
            )
    # What the staged rows and figures name may have been deleted since they
    # were written: Django deleted their rows from the tables, not from these.
    _remove_dangling(staged)
    for model, name in staged:
        table, columns = model._meta, _copied_columns(model)
        real = quote(table.db_table)
        with connection.cursor() as cursor:
            if postgresql and _swap_in(cursor, table, name, token):
                continue
            # PostgreSQL: TRUNCATE (transactional there) leaves no dead rows for
            # the unique index to step over while the rows go in; a table another
            # one's foreign key refers to cannot be truncated alone, nor one this
            # role may not truncate.
            truncate = postgresql and _truncatable(cursor, table.db_table)
            cursor.execute(f"{'TRUNCATE' if truncate else 'DELETE FROM'} {real}")
            cursor.execute(
                f"INSERT INTO {real} ({columns}) SELECT {columns} FROM {name}"
            )
        analyze_tables(real)
    drop_stage_tables()


def _swap_in(cursor, table, staged: str, token: str) -> bool:
    """Put a PostgreSQL staging table in its table's place: the table dropped,
    the staging table, its indexes, constraints and identity sequence renamed to
    the names they replace (the names the migrations know), the privileges others
    held on it given again — a few statements whatever the number of rows.
    False, with nothing done, when the table cannot be swapped (`_swappable`) or
    a migration changed it since the lease (`_same_shape`)."""
    quote = connection.ops.quote_name
    real = quote(table.db_table)
    if not _swappable(cursor, table.db_table):
        return False
    named = _named_objects(cursor, table.db_table)
    if not _same_shape(cursor, table.db_table, named, staged, token):
        return False
    grants = _grants(cursor, table.db_table)
    sequence = _id_sequence(cursor, real, table.pk.column)
    cursor.execute(f"DROP TABLE {real}")
    cursor.execute(f"ALTER TABLE {staged} RENAME TO {real}")
    for original, kind, _definition in named:
        renamed = quote(_staged_object(token, original))
        if kind == "constraint":
            cursor.execute(
                f"ALTER TABLE {real} RENAME CONSTRAINT {renamed} TO {quote(original)}"
            )
        else:
            cursor.execute(f"ALTER INDEX {renamed} RENAME TO {quote(original)}")
    staged_sequence = _id_sequence(cursor, real, table.pk.column)
    if sequence and staged_sequence and staged_sequence != sequence:
        # Qualified (schema.name) by PostgreSQL itself; RENAME takes the bare name.
        bare = sequence.rsplit(".", 1)[-1]
        cursor.execute(f"ALTER SEQUENCE {staged_sequence} RENAME TO {bare}")
    for grantee, privilege, grantable in grants:
        cursor.execute(
            f"GRANT {privilege} ON {real} TO {grantee}"
            + (" WITH GRANT OPTION" if grantable else "")
        )
    return True


def _id_sequence(cursor, table: str, column: str) -> str | None:
    """The sequence (schema-qualified) giving a PostgreSQL table's ids, if any."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
    return cursor.fetchone()[0]


def _swappable(cursor, table: str) -> bool:
    """Whether a PostgreSQL table (of figures or per-account rows) may be replaced
    by another: this connection's role owns it (or the swap could not drop it,
    nor could the migrations alter the new one), and nothing that a new table
    would not carry over is attached to it — triggers, rules, row security or its
    policies, a publication, a replica identity, table or column settings, column
    privileges, foreign keys from or to it (Kata's have none in the database),
    views reading it (which would keep it from being dropped). Otherwise its rows
    are copied in."""
    cursor.execute(
        """
        SELECT c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
            AND NOT c.relrowsecurity
            AND NOT c.relhasrules
            AND c.relreplident = 'd'
            AND c.reloptions IS NULL
            AND NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid)
            AND NOT EXISTS (
                SELECT 1 FROM pg_constraint f
                WHERE f.contype = 'f' AND c.oid IN (f.conrelid, f.confrelid)
            )
            AND NOT EXISTS (
                SELECT 1 FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
                WHERE d.classid = 'pg_rewrite'::regclass
                    AND d.refclassid = 'pg_class'::regclass
                    AND d.refobjid = c.oid AND r.ev_class <> c.oid
            )
            AND NOT EXISTS (
                SELECT 1 FROM pg_trigger t
                WHERE t.tgrelid = c.oid AND NOT t.tgisinternal
            )
            AND NOT EXISTS (
                SELECT 1 FROM pg_publication_tables p
                WHERE p.schemaname = n.nspname AND p.tablename = c.relname
            )
            AND NOT EXISTS (
                SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND (
                    a.attacl IS NOT NULL
                    OR a.attstattarget >= 0
                    OR EXISTS (
                        SELECT 1 FROM unnest(a.attoptions) o
                        WHERE o LIKE 'n\\_distinct%%'
                    )
                )
            )
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = %s::regclass
        """,
        [table],
    )
    return bool(cursor.fetchone()[0])


def _truncatable(cursor, table: str) -> bool:
    """Whether this role may TRUNCATE a PostgreSQL table that no foreign key of
    another table refers to."""
    cursor.execute(
        "SELECT has_table_privilege(%s::regclass, 'TRUNCATE') AND NOT EXISTS ("
        "SELECT 1 FROM pg_constraint WHERE contype = 'f' "
        "AND confrelid = %s::regclass AND conrelid <> confrelid)",
        [table, table],
    )
    return cursor.fetchone()[0]


def _remove_dangling(staged: list[tuple[type, str]]) -> None:
    """Delete the staged rows and figures (model, table) that name an account,
    journey, step, member, team or pool no longer there (deleted after they were
    written; each of their keys is one Django deletes them with). One statement
    per table: its rows joined to what they name, by hash."""
    quote = connection.ops.quote_name
    for model, name in staged:
        joins, missing = [], []
        for number, field in enumerate(
            field for field in model._meta.concrete_fields if field.is_relation
        ):
            target = field.target_field
            alias = f"k{number}"
            joins.append(
                f"LEFT JOIN {quote(target.model._meta.db_table)} {alias} "
                f"ON {alias}.{quote(target.column)} = s.{quote(field.column)}"
            )
            missing.append(
                f"(s.{quote(field.column)} IS NOT NULL "
                f"AND {alias}.{quote(target.column)} IS NULL)"
            )
        # SQLite's staging tables copy no id: its own row ids name the rows.
        pk = "rowid" if connection.vendor == "sqlite" else quote(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {name} WHERE {pk} IN (SELECT s.{pk} FROM {name} s "
                f"{' '.join(joins)} WHERE {' OR '.join(missing)})"
            )


def _same_shape(cursor, table: str, named: list, staged: str, token: str) -> bool:
    """Whether a staging table still has its table's columns, checks,
    constraints and indexes: a migration run since the lease (a column added, an
    index dropped) must not be undone by the swap — such a run copies instead."""

    def columns(relation: str) -> list:
        cursor.execute(
            """
            SELECT attname, format_type(atttypid, atttypmod), attnotnull,
                attidentity, attgenerated
            FROM pg_attribute
            WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped
            ORDER BY attname
            """,
            [relation],
        )
        columns = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'c' ORDER BY conname",
            [relation],
        )
        return [columns, cursor.fetchall()]

    def objects(named: list, rename) -> set:
        return {
            (rename(name), kind, _index_body(body) if kind == "index" else body)
            for name, kind, body in named
        }

    return columns(table) == columns(staged) and objects(
        named, lambda name: _staged_object(token, name)
    ) == objects(_named_objects(cursor, staged), lambda name: name)


def _grants(cursor, table: str) -> list[tuple[str, str, bool]]:
    """The privileges others hold on a PostgreSQL table (grantee, privilege,
    grantable), to give them on the table that replaces it."""
    cursor.execute(
        """
        SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC'
                    ELSE quote_ident(pg_get_userbyid(a.grantee)) END,
               a.privilege_type, a.is_grantable
        FROM pg_class c, aclexplode(c.relacl) a
        WHERE c.oid = %s::regclass AND a.grantee <> c.relowner
        ORDER BY 1, 2
        """,
        [table],
    )
    return cursor.fetchall()


def drop_stage_tables() -> None:
    """Drop every staging table (of this run or of runs that never ended)."""
    stale = [
        name
        for name in connection.introspection.table_names()
        if name.startswith("kata_stage_")
    ]
    with connection.cursor() as cursor:
        for name in stale:
            cursor.execute(f"DROP TABLE IF EXISTS {name}")


def write_group_figures(*, as_of: datetime) -> list[date]:
    """Bring the figures of the groups listed in GROUPS (training completion aside:
    it goes by whole months) up to date: each group's figures come out as
    `write_month_figures` would write them, the rows of the other groups are not
    read where the index allows. A fixed number of statements. Returns the
    groups' months.

    The fresh figures go to temporary tables first; then only those that differ
    from the stored ones are written (`_keep_unchanged`): a day of events touches
    a sixth of the members' groups, but most figures of a touched group come out
    as they were, and writing a figure (its row and four index entries) costs far
    more than computing it. A figure left as it was keeps its `computed_at`, the
    run that last wrote it, as the figures of untouched groups do."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT kind, month FROM {GROUPS} ORDER BY month")
        found = [(kind, _db_to_date(month)) for kind, month in cursor.fetchall()]
    months = sorted({month for _kind, month in found})
    event_months = [month for kind, month in found if kind == EVENTS]
    if not months:
        return []
    fresh = _fresh_tables()
    insert = functools.partial(_insert, into=fresh)
    transitions = AccountTransition.objects.filter(cohort_month__in=months)
    value_points = AccountValuePoint.objects.filter(cohort_month__in=months)
    for scope, owner in SCOPES.items():
        rows = transitions.filter(in_groups(AccountTransition, scope, owner))
        insert(scope, *_sql(_conversion_select(rows, owner, as_of=as_of)))
        insert(scope, *_median_select(rows, owner, as_of=as_of))
        points = value_points.filter(in_groups(AccountValuePoint, scope, owner))
        insert(scope, *_sql(_value_point_select(points, owner, as_of=as_of)))
    if event_months:
        # The events recorded of the groups whose events changed, counted from
        # every event of the groups' months: `_insert` keeps the listed groups.
        # (Picking first the events of the groups' members and of everyone who
        # ever belonged to their teams took two correlated subqueries per event.)
        _write_events_recorded(
            event_months, as_of=as_of, insert=functools.partial(insert, groups=EVENTS)
        )
    for scope, sql, params in flow.figure_selects(months, as_of=as_of, groups=True):
        insert(scope, sql, params, ROWS)
    if connection.vendor == "sqlite":
        # SQLite looks a correlated NOT EXISTS up row by row: without an index
        # on the fresh figures' key, `_keep_unchanged` would read all of them
        # for each stored figure of the groups.
        for scope, name in fresh.items():
            with connection.cursor() as cursor:
                cursor.execute(
                    f"CREATE INDEX {name}_key ON {name} "
                    f"({connection.ops.quote_name(SCOPES[scope])}, metric, month)"
                )
    analyze_tables(*fresh.values())
    for scope, name in fresh.items():
        _keep_unchanged(scope, name)
        drop_temporary(name)
    return months


# The figures of a listed group an incremental run writes again, by the kind of
# change that listed it: a group whose rows changed, every figure but training
# completion and the events recorded; whose events changed, the events recorded.
_GROUP_METRICS = (
    (
        ROWS,
        "metric NOT IN (%s, %s)",
        [Family.TRAINING_COMPLETION, Family.STEP_EVENTS_RECORDED],
    ),
    (EVENTS, "metric = %s", [Family.STEP_EVENTS_RECORDED]),
)
# What a figure shows: a stored one equal in these to its fresh one is left as is.
_FIGURE_VALUES = ("value", "numerator", "denominator", "provisional", "final_at")


def _fresh_tables() -> dict[str, str]:
    """Empty temporary tables (scope → name) with the figure tables' columns, for
    the fresh figures of an incremental run's groups (`write_group_figures`)."""
    tables = {scope: f"kata_rollup_fresh_{scope}" for scope in _TABLES}
    for scope, name in tables.items():
        table = connection.ops.quote_name(_TABLES[scope]._meta.db_table)
        empty_temporary(name, table, _figure_columns(scope))
    return tables


def _keep_unchanged(scope: str, fresh: str) -> None:
    """Make the stored figures of the listed groups those of `fresh` (their fresh
    figures, and no other group's) in two statements per kind of group: delete each
    stored figure of a group that has no equal fresh one (gone or changed), then
    insert each fresh figure that is not stored (new or changed). Equal ones stay,
    untouched. The stored figures are found from the groups (by the index on
    month and owner), not the groups from every stored figure."""
    quote = connection.ops.quote_name
    table = _TABLES[scope]._meta
    name = quote(table.db_table)
    owner = quote(table.get_field(scope).column)
    pk = quote(table.pk.column)
    same = "IS NOT DISTINCT FROM" if connection.vendor == "postgresql" else "IS"
    key = " AND ".join(
        f"f.{column} = s.{column}" for column in (owner, "metric", "month")
    )
    equal = key + "".join(
        f" AND f.{quote(column)} {same} s.{quote(column)}" for column in _FIGURE_VALUES
    )
    with connection.cursor() as cursor:
        for kind, metrics_sql, metrics_params in _GROUP_METRICS:
            cursor.execute(
                f"DELETE FROM {name} WHERE {pk} IN ("
                f"SELECT s.{pk} FROM {GROUPS} g JOIN {name} s "
                f"ON s.{owner} = g.owner_id AND s.month = g.month "
                f"WHERE g.kind = %s AND g.scope = %s AND s.{metrics_sql} "
                f"AND NOT EXISTS (SELECT 1 FROM {fresh} f WHERE {equal}))",
                [kind, scope, *metrics_params],
            )
        columns = _figure_columns(scope)
        cursor.execute(
            f"INSERT INTO {name} ({columns}) SELECT {columns} FROM {fresh} f "
            f"WHERE NOT EXISTS (SELECT 1 FROM {name} s WHERE {key})"
        )


def _db_to_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _figure_columns(scope: str) -> str:
    """The quoted columns of a figure table: the owner's, then `_FIGURE_COLUMNS`."""
    table = _TABLES[scope]._meta
    return ", ".join(
        connection.ops.quote_name(table.get_field(name).column)
        for name in (scope, *_FIGURE_COLUMNS)
    )


def _insert(
    scope: str,
    select_sql: str,
    params,
    groups: str | None = None,
    into: dict[str, str] | None = None,
    rows_from: dict | None = None,
) -> None:
    """INSERT INTO the scope's table (or its staging table in `into`) the rows of a
    SELECT whose columns are the owner's id and then `_FIGURE_COLUMNS`, in this
    order; with `groups` (a kind of change), only the rows of the groups listed in
    GROUPS where it changed; with `rows_from` (model → table), the SELECT reads
    those tables instead of the models' (`_reading`)."""
    table = _TABLES[scope]._meta
    quote = connection.ops.quote_name
    select_sql = _reading(select_sql, rows_from)
    names = (scope, *_FIGURE_COLUMNS)
    columns = _figure_columns(scope)
    if groups:
        # A CTE names the SELECT's columns (SQLite has no column list on a
        # derived table); PostgreSQL types its untyped NULLs as text there, so
        # each column is cast back to the table's type.
        if connection.vendor == "postgresql":
            outer = ", ".join(
                f"CAST(f._{name} AS {table.get_field(name).db_type(connection)})"
                for name in names
            )
        else:
            outer = "f.*"
        select_sql = (
            f"WITH f ({', '.join(f'_{name}' for name in names)}) AS ({select_sql}) "
            f"SELECT {outer} FROM f "
            f"WHERE {in_groups_sql('%s', f'f._{scope}', 'f._month', groups)}"
        )
        params = [*params, scope]
    target = into[scope] if into else quote(table.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {target} ({columns}) {select_sql}", params)


def _sql(queryset) -> tuple[str, tuple]:
    return queryset.query.sql_with_params()


def _reading(select_sql: str, tables: dict | None) -> str:
    """A SELECT that reads other tables of the same columns in place of some
    models' (model → table name): each model's quoted table name, as the ORM and
    this module write it in FROM, JOIN and column references, becomes that
    table's. A name never quoted otherwise (a table's), so nothing else changes."""
    quote = connection.ops.quote_name
    for model, name in (tables or {}).items():
        select_sql = select_sql.replace(quote(model._meta.db_table), name)
    return select_sql


def _figure_rows(queryset, **columns):
    """The queryset as figure rows: `owner` and `_FIGURE_COLUMNS` as expressions,
    selected in that order (values_list keeps the order it is given). The metric
    key is made of columns the rows are grouped by, and is not grouped by itself
    (`OfGroupedColumns`)."""
    names = ("owner", *_FIGURE_COLUMNS)
    columns = {**columns, "metric": OfGroupedColumns(columns["metric"])}
    return (
        queryset.annotate(**{f"_figure_{name}": columns[name] for name in names})
        .values_list(*(f"_figure_{name}" for name in names))
        .order_by()
    )


def _key(family: str, id_field: str) -> Concat:
    """The metric key `<family>:<id>`."""
    return Concat(Value(f"{family}:"), Cast(id_field, CharField()))


def _ratio(numerator: str, denominator: str) -> ExpressionWrapper:
    return ExpressionWrapper(
        Cast(numerator, FloatField()) / F(denominator), output_field=FloatField()
    )


def _is_set(field: str) -> ExpressionWrapper:
    return ExpressionWrapper(
        Q(**{f"{field}__isnull": False}), output_field=BooleanField()
    )


def _moment(value: datetime | None) -> Value:
    return Value(value, output_field=DateTimeField())


def _still_open(as_of: datetime) -> Q:
    """The accounts that may still convert: not converted, their window still open.
    A cohort is final from the latest of their window ends."""
    return Q(converted=False, window_ends_at__gt=as_of)


def _point_open(as_of: datetime) -> Q:
    """The value points not due yet: not reached, their deadline still ahead."""
    return Q(reached_at__isnull=True, deadline__gt=as_of)


def _final_at(open_until: str, settled: str) -> Coalesce:
    """`final_from` in the database."""
    return Coalesce(F(open_until), F(settled), output_field=DateTimeField())


def _conversion_select(rows, owner: str, *, as_of: datetime):
    """Step and journey conversion per owner, month and transition (as
    `conversion_groups`)."""
    grouped = rows.values(
        owner, "cohort_month", "kind", "from_step_id", "journey_id"
    ).annotate(
        _cohort=Count("pk"),
        _converted=Count("pk", filter=Q(converted=True)),
        _open_until=Max("window_ends_at", filter=_still_open(as_of)),
        _settled=Max(_settled(SETTLED_TRANSITION)),
    )
    return _figure_rows(
        grouped,
        owner=F(owner),
        metric=Case(
            When(
                kind=ConversionKind.JOURNEY,
                then=_key(Family.JOURNEY_CONVERSION, "journey_id"),
            ),
            default=_key(Family.STEP_CONVERSION, "from_step_id"),
        ),
        month=F("cohort_month"),
        value=_ratio("_converted", "_cohort"),
        numerator=F("_converted"),
        denominator=F("_cohort"),
        provisional=_is_set("_open_until"),
        final_at=_final_at("_open_until", "_settled"),
        computed_at=_moment(as_of),
    )


class _Median(Aggregate):
    """PostgreSQL: the median of an integer expression, the mean of the two middle
    values for an even count (`percentile_cont` interpolates halfway between
    them)."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)%(filter)s"
    output_field = FloatField()


def _median_select(rows, owner: str, *, as_of: datetime) -> tuple[str, list]:
    """Median days to convert per owner, month and step (as `median_groups`), for
    the groups with a converted account. On PostgreSQL an ordered-set aggregate
    sorts each group's converted accounts by their days. Elsewhere, in one pass
    over each group's accounts the database numbers the converted ones first, by
    their days, counts them and finds the group's open windows; the one or two
    middle converted accounts are averaged. A group is provisional while its step
    conversion is."""
    if connection.vendor == "postgresql":
        grouped = (
            rows.filter(kind=ConversionKind.STEP)
            .values(owner, "cohort_month", "from_step_id")
            .annotate(
                _size=Count("pk", filter=Q(converted=True)),
                _median=_Median("days_to_convert", filter=Q(converted=True)),
                _open_until=Max("window_ends_at", filter=_still_open(as_of)),
                _settled=Max(_settled(SETTLED_TRANSITION)),
            )
            .filter(_size__gt=0)
        )
        return _sql(
            _figure_rows(
                grouped,
                owner=F(owner),
                metric=_key(Family.DAYS_TO_CONVERT, "from_step_id"),
                month=F("cohort_month"),
                value=F("_median"),
                numerator=Value(None, output_field=IntegerField()),
                denominator=F("_size"),
                provisional=_is_set("_open_until"),
                final_at=_final_at("_open_until", "_settled"),
                computed_at=_moment(as_of),
            )
        )
    partition = [F(owner), F("cohort_month"), F("from_step_id")]
    ranked = (
        rows.filter(kind=ConversionKind.STEP)
        .annotate(
            _owner=F(owner),
            _month=F("cohort_month"),
            _step=F("from_step_id"),
            _days=F("days_to_convert"),
            _converted=F("converted"),
            _position=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[
                    F("converted").desc(),
                    F("days_to_convert").asc(),
                    F("pk").asc(),
                ],
            ),
            _size=Window(
                Count(Case(When(converted=True, then=F("pk")))),
                partition_by=partition,
            ),
            _open_until=Window(
                Max(Case(When(_still_open(as_of), then=F("window_ends_at")))),
                partition_by=partition,
            ),
            _settled=Window(Max(_settled(SETTLED_TRANSITION)), partition_by=partition),
        )
        .values_list(
            "_owner",
            "_month",
            "_step",
            "_days",
            "_converted",
            "_position",
            "_size",
            "_open_until",
            "_settled",
        )
        .order_by()
    )
    ranked_sql, ranked_params = _sql(ranked)
    sql = f"""
        SELECT r._owner, %s || CAST(r._step AS text), r._month,
            AVG(CAST(r._days AS double precision)), NULL, MAX(r._size),
            CASE WHEN MAX(r._open_until) IS NULL THEN %s ELSE %s END,
            COALESCE(MAX(r._open_until), MAX(r._settled)), %s
        FROM ({ranked_sql}) r
        WHERE r._converted = %s
            AND r._position IN ((r._size + 1) / 2, (r._size + 2) / 2)
        GROUP BY r._owner, r._month, r._step
    """
    params = [
        f"{Family.DAYS_TO_CONVERT}:",
        False,
        True,
        _db_datetime(as_of),
        *ranked_params,
        True,
    ]
    return sql, params


def _value_point_select(points, owner: str, *, as_of: datetime):
    """Value points on time / due per owner, month and journey; a group with none
    due has no figure (as `value_point_groups`)."""
    grouped = (
        points.values(owner, "cohort_month", "journey_id")
        .annotate(
            _due=Count(
                "pk", filter=Q(reached_at__isnull=False) | Q(deadline__lte=as_of)
            ),
            _on_time=Count("pk", filter=Q(on_time=True)),
            _open_until=Max("deadline", filter=_point_open(as_of)),
            _settled=Max(_settled(SETTLED_VALUE_POINT)),
        )
        .filter(_due__gt=0)
    )
    return _figure_rows(
        grouped,
        owner=F(owner),
        metric=_key(Family.VALUE_POINTS_ON_TIME, "journey_id"),
        month=F("cohort_month"),
        value=_ratio("_on_time", "_due"),
        numerator=F("_on_time"),
        denominator=F("_due"),
        provisional=_is_set("_open_until"),
        final_at=_final_at("_open_until", "_settled"),
        computed_at=_moment(as_of),
    )


def _recorded_events(months: list[date]):
    """Live step events recorded by members (holding the Member role when the
    account reached the step) in these months (in TIME_ZONE): one range of
    instants per run of consecutive months, so that months between them are not
    read."""
    ranges, run = Q(), None  # [first instant, first instant after] of a run
    for _month, start, end in flow.month_bounds(sorted(months)):
        if run and run[1] == start:
            run[1] = end
            continue
        if run:
            ranges |= Q(reached_at__gte=run[0], reached_at__lt=run[1])
        run = [start, end]
    ranges |= Q(reached_at__gte=run[0], reached_at__lt=run[1])
    return StepEvent.objects.filter(
        ranges,
        member_at(OuterRef("recorded_by_id"), OuterRef("reached_at")),
        voided_at__isnull=True,
    )


# The events recorded per recorder and day (in TIME_ZONE), in the months counted.
RECORDED_DAYS = "kata_rollup_recorded_days"


def _list_recorded_days(events, months: list[date], *, as_of: datetime) -> None:
    """Fill the temporary table RECORDED_DAYS (owner, day, month, events) with
    `events` (`_recorded_events`) counted per recorder and day, in `months` only.
    The events' instants lie within the months' own bounds, so their local days
    fall in the months, but for a zone whose month began in an hour it repeats,
    or a database whose time zone rules differ from Python's: the days of other
    months are deleted from the counted days (testing each event's month instead
    cost the database more than counting them). Both events-recorded figures add
    these up: a member's per month, a team's per month over the days its members
    belonged to it (a membership runs from its first day to its last, in
    TIME_ZONE). Counting the events once, by day, spares both figures a pass over
    every event."""
    dialect = Dialect(last=as_of)
    events_sql, events_params = _sql(
        events.annotate(_owner=F("recorded_by_id"), _at=F("reached_at"))
        .values_list("_owner", "_at")
        .order_by()
    )
    if connection.vendor == "postgresql":
        month = "CAST(date_trunc('month', d._day) AS date)"
    else:
        month = "date(d._day, 'start of month')"
    drop_temporary(RECORDED_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE {RECORDED_DAYS} AS "
            "SELECT c.owner, c.day, c.month, c.events FROM ("
            f"SELECT d._owner AS owner, d._day AS day, {month} AS month, "
            "COUNT(*) AS events FROM ("
            f"SELECT e._owner, {dialect.local_date('e._at')} AS _day "
            f"FROM ({events_sql}) e) d GROUP BY d._owner, d._day) c",
            events_params,
        )
        cursor.execute(
            f"DELETE FROM {RECORDED_DAYS} "
            f"WHERE month NOT IN ({', '.join(['%s'] * len(months))})",
            list(map(_db_date, months)),
        )
    # For the plans of the two figures that join it (as `rows` does).
    analyze_tables(RECORDED_DAYS)


def _write_events_recorded(months: list[date], *, as_of: datetime, insert) -> None:
    """The members' and teams' events-recorded figures of the months, by `insert`
    (scope, SELECT, params), from RECORDED_DAYS, filled and dropped here."""
    _list_recorded_days(_recorded_events(months), months, as_of=as_of)
    insert("member", *_events_by_member(as_of=as_of))
    insert("team", *_events_by_team(as_of=as_of))
    drop_temporary(RECORDED_DAYS)


def _events_by_member(*, as_of: datetime) -> tuple[str, list]:
    """Events recorded per member and month, from RECORDED_DAYS."""
    return (
        "SELECT r.owner, %s, r.month, CAST(SUM(r.events) AS double precision), "
        f"SUM(r.events), NULL, %s, NULL, %s FROM {RECORDED_DAYS} r "
        "GROUP BY r.owner, r.month",
        [Family.STEP_EVENTS_RECORDED, False, _db_datetime(as_of)],
    )


def _events_by_team(*, as_of: datetime) -> tuple[str, list]:
    """Events recorded per team and month, from RECORDED_DAYS: a team counts its
    members' events of the days they belonged to it."""
    memberships = connection.ops.quote_name(TeamMembership._meta.db_table)
    return (
        "SELECT m.team_id, %s, r.month, CAST(SUM(r.events) AS double precision), "
        f"SUM(r.events), NULL, %s, NULL, %s FROM {RECORDED_DAYS} r "
        f"JOIN {memberships} m ON m.user_id = r.owner AND m.start_date <= r.day "
        "AND (m.end_date IS NULL OR m.end_date >= r.day) "
        "GROUP BY m.team_id, r.month",
        [Family.STEP_EVENTS_RECORDED, False, _db_datetime(as_of)],
    )


def _training_select(
    scope: str, months: list[date], *, as_of: datetime
) -> tuple[str, list]:
    """Training completion per member or team and month, as of each month's end
    (METRICS.md): modules completed with their quiz passed over modules assigned,
    for the users holding the Member role at some time in the month; a team
    assignment reaches whoever belongs to the team at any time up to its due date
    (and by the month's end). A team adds up its members of the month's last day."""
    quote = connection.ops.quote_name
    assignments = quote(TrainingAssignment._meta.db_table)
    completions = quote(TrainingCompletion._meta.db_table)
    memberships = quote(TeamMembership._meta.db_table)
    role_periods = quote(RolePeriod._meta.db_table)
    row = ", ".join(_typed(kind) for kind in ("date", "datetime", "datetime", "date"))
    bounds_params = [
        value
        for month, start, end in flow.month_bounds(months)
        for value in (
            _db_date(month),
            _db_datetime(start),
            _db_datetime(end),
            _db_date(metrics.month_end_day(month)),
        )
    ]
    totals = f"""
        WITH bounds (month, starts, ends, last_day) AS (
            VALUES {", ".join([f"({row})"] * len(months))}
        ),
        assigned AS (
            SELECT b.month, a.member_id AS user_id, a.module_id
            FROM bounds b JOIN {assignments} a ON a.assigned_at < b.ends
            WHERE a.member_id IS NOT NULL
            UNION
            SELECT b.month, m.user_id, a.module_id
            FROM bounds b JOIN {assignments} a ON a.assigned_at < b.ends
            JOIN {memberships} m ON m.team_id = a.team_id
                AND m.start_date <= a.due_date AND m.start_date <= b.last_day
        ),
        completed AS (
            SELECT DISTINCT b.month, c.member_id AS user_id, c.module_id
            FROM bounds b JOIN {completions} c ON c.completed_at < b.ends
            WHERE c.passed = %s
        ),
        totals AS (
            SELECT a.month, a.user_id, COUNT(*) AS assigned,
                COUNT(c.module_id) AS done
            FROM assigned a
            JOIN bounds b ON b.month = a.month
            LEFT JOIN completed c ON c.month = a.month
                AND c.user_id = a.user_id AND c.module_id = a.module_id
            WHERE EXISTS (
                SELECT 1 FROM {role_periods} r
                WHERE r.user_id = a.user_id AND r.role = %s
                    AND (r.started_at IS NULL OR r.started_at < b.ends)
                    AND (r.ended_at IS NULL OR r.ended_at > b.starts)
            )
            GROUP BY a.month, a.user_id
        )
    """
    if scope == "member":
        select = """
            SELECT t.user_id, %s, t.month,
                CAST(t.done AS double precision) / t.assigned, t.done, t.assigned,
                %s, NULL, %s
            FROM totals t
        """
    else:
        select = f"""
            SELECT m.team_id, %s, t.month,
                CAST(SUM(t.done) AS double precision) / SUM(t.assigned),
                SUM(t.done), SUM(t.assigned), %s, NULL, %s
            FROM totals t
            JOIN bounds b ON b.month = t.month
            JOIN {memberships} m ON m.user_id = t.user_id
                AND m.start_date <= b.last_day
                AND (m.end_date IS NULL OR m.end_date >= b.last_day)
            GROUP BY m.team_id, t.month
        """
    params = [
        *bounds_params,
        True,
        Role.MEMBER.value,
        Family.TRAINING_COMPLETION,
        False,
        _db_datetime(as_of),
    ]
    return totals + select, params


def _typed(kind: str) -> str:
    """A placeholder for a date or an aware datetime: PostgreSQL is told its type
    (a VALUES row has no column to take it from); SQLite stores both as text."""
    if connection.vendor != "postgresql":
        return "%s"
    return {"date": "CAST(%s AS date)", "datetime": "CAST(%s AS timestamptz)"}[kind]


def _db_date(value: date):
    return connection.ops.adapt_datefield_value(value)


def _db_datetime(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)
