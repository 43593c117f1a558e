"""Figures of the dashboard and the member page, read in a fixed, small number of
queries whatever the number of members, accounts or events.

A page shows several scopes of the same rows side by side: each member, the team
rate (the team's rows credited to a member) and the team including its pools. Over
several months (METRICS.md: medians from the accounts, never medians of medians)
`figures.figures_for` aggregates the per-account rows once per scope and family;
here one query reads the rows of every scope at once, grouped finely enough that
the scopes' figures add up from the groups exactly:

- conversions: cohort, converted and "open until" per group add up (counts, max);
- median days to convert: each group also splits by the days an account took (a
  whole number of days), so the groups form a histogram of the converted accounts
  and the median is read from it: the middle one, or the mean of the two middle
  ones, as `figures.median_groups` takes them from the ranked rows;
- value points on time: due, on time and "open until" add up.

A month's member figures and the team's figures including pools are the rollup's
monthly rows (`figures.member_figures`, `figures.team_figures`); the team rate of a
month is aggregated from the rows like that of a longer period, since the monthly
table of a team includes its pools. The monthly tables a page needs (members',
team's, the member's trend) are read in one query (`read_tables`), the grouped rows
in SQL (`_figures_from_rows`).
"""

from __future__ import annotations

import operator
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import reduce

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .. import metrics
from ..metrics import Family, Metric, Period
from ..models import (
    AccountTransition,
    AccountValuePoint,
    ConversionKind,
    MemberFigure,
    TeamFigure,
)
from ..services.rows import SETTLED_TRANSITION, SETTLED_VALUE_POINT
from . import figures, revenue
from .figures import FigureValue

_ROW_FAMILIES = {
    Family.STEP_CONVERSION,
    Family.JOURNEY_CONVERSION,
    Family.DAYS_TO_CONVERT,
    Family.VALUE_POINTS_ON_TIME,
}

# A group of rows counts in these scopes: ("member", member id), ("rate", team id)
# (the team rate), ("team", team id) (the team including its pools), each with the
# month the group's cohort belongs to.
Owner = tuple[str, int]


@dataclass
class _Transitions:
    """The added-up groups of one owner and transition."""

    cohort: int = 0
    converted: int = 0
    open_until: datetime | None = None
    settled: datetime | None = None
    # Days to convert → converted accounts (step conversions only).
    days: Counter = field(default_factory=Counter)

    def add(self, row: dict) -> None:
        self.cohort += row["cohort"]
        self.converted += row["converted_count"]
        self.open_until = _later(self.open_until, row["open_until"])
        self.settled = _later(self.settled, row["settled"])
        if row["days"] is not None:
            self.days[row["days"]] += row["converted_count"]

    def conversion(self) -> FigureValue:
        return FigureValue(
            value=self.converted / self.cohort,
            numerator=self.converted,
            denominator=self.cohort,
            provisional=self.open_until is not None,
            final_at=figures.final_from(self.open_until, self.settled),
        )

    def median(self) -> FigureValue | None:
        """The median days of the converted accounts (as `figures.median_groups`:
        the middle one, or the mean of the two middle ones); None without any."""
        size = sum(self.days.values())
        if not size:
            return None
        wanted = sorted({(size + 1) // 2, (size + 2) // 2})
        middle, seen = [], 0
        for days in sorted(self.days):
            seen += self.days[days]
            while wanted and wanted[0] <= seen:
                middle.append(days)
                wanted.pop(0)
            if not wanted:
                break
        return FigureValue(
            value=sum(middle) / len(middle),
            denominator=size,
            provisional=self.open_until is not None,
            final_at=figures.final_from(self.open_until, self.settled),
        )


@dataclass
class _ValuePoints:
    due: int = 0
    on_time: int = 0
    open_until: datetime | None = None
    settled: datetime | None = None

    def add(self, row: dict) -> None:
        self.due += row["due"]
        self.on_time += row["on_time_count"]
        self.open_until = _later(self.open_until, row["open_until"])
        self.settled = _later(self.settled, row["settled"])

    def figure(self) -> FigureValue | None:
        if not self.due:
            return None
        return FigureValue(
            value=self.on_time / self.due,
            numerator=self.on_time,
            denominator=self.due,
            provisional=self.open_until is not None,
            final_at=figures.final_from(self.open_until, self.settled),
        )


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    if first is None:
        return second
    if second is None:
        return first
    return max(first, second)


def _transition_key(kind: str, from_step_id: int, journey_id: int) -> str:
    if kind == ConversionKind.JOURNEY:
        return f"{Family.JOURNEY_CONVERSION}:{journey_id}"
    return f"{Family.STEP_CONVERSION}:{from_step_id}"


@dataclass(frozen=True)
class Sql:
    """A condition or expression in SQL with its parameters (the database's own
    values: `connection.ops.adapt_*`)."""

    text: str
    params: tuple = ()

    def __and__(self, other: Sql) -> Sql:
        return Sql(f"({self.text}) AND ({other.text})", self.params + other.params)

    def __or__(self, other: Sql) -> Sql:
        return Sql(f"({self.text}) OR ({other.text})", self.params + other.params)


def sql_in(column: str, values: Iterable) -> Sql:
    """`column IN (…)`, false for no values."""
    values = tuple(values)
    if not values:
        return Sql("1 = 0")
    return Sql(f"{column} IN ({', '.join(['%s'] * len(values))})", values)


def sql_months(column: str, months: Iterable[date]) -> Sql:
    return sql_in(column, map(connection.ops.adapt_datefield_value, months))


def flag(condition: Sql) -> Sql:
    """1 for the rows that meet the condition, else 0: a column to group by."""
    return Sql(f"CASE WHEN {condition.text} THEN 1 ELSE 0 END", condition.params)


def _moment(value) -> datetime | None:
    """A moment the database computed (SQLite: text in UTC), aware."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _grouped(
    table: str, *, keys: dict[str, Sql], measures: dict[str, Sql], where: Sql
) -> list[dict]:
    """The rows of `table` that `where` selects, grouped by the expressions `keys`,
    with the aggregates `measures`: a dict per group, by their names."""
    selected = [*keys.values(), *measures.values()]
    sql = (
        f"SELECT {', '.join(item.text for item in selected)}"
        f" FROM {connection.ops.quote_name(table)} WHERE {where.text}"
        f" GROUP BY {', '.join(str(n) for n in range(1, len(keys) + 1))}"
    )
    params = [param for item in selected for param in item.params]
    names = [*keys, *measures]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *where.params])
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _figures_from_rows(
    scope_rows: list[Sql],
    owners_of: Callable[[dict], Iterable[Owner]],
    *,
    wanted: list[Metric],
    months: list[date],
    as_of: datetime,
    group: list[str],
    flags: dict[str, Sql] | None = None,
    period_months: list[date] | None = None,
) -> dict[Owner, dict[str, FigureValue]]:
    """owner → metric key → FigureValue, from the rows of `months` that any of
    `scope_rows` selects, grouped by the columns `group` and the expressions
    `flags` (what `owners_of` reads to tell the owners a group of rows counts
    for). Medians and value points over `period_months` (by default all `months`;
    the others only count conversions, for a trend grouped by month). Two queries:
    the transitions and the value points (the rows `figures.wanted_rows` selects).

    Written in SQL rather than with the ORM: these two grouped queries are most of
    what the pages compute, and the ORM took several times the database's time to
    build them and to hand their rows over (issue 12). Each of `scope_rows` is
    limited to the months on its own (`_in_months`), so that the database searches
    each by an index of (cohort month, owner)."""
    keys = {column: Sql(column) for column in group} | (flags or {})
    steps, journeys, value_point_journeys = figures.wanted_ids(wanted)
    wants_days = any(m.family == Family.DAYS_TO_CONVERT for m in wanted)
    as_of = Sql("%s", (connection.ops.adapt_datetimefield_value(as_of),))
    step, journey = ConversionKind.STEP.value, ConversionKind.JOURNEY.value
    days = Sql("NULL")
    if wants_days:
        in_median = Sql("converted AND kind = %s", (step,))
        if period_months is not None:
            in_median &= sql_months("cohort_month", period_months)
        days = Sql(
            f"CASE WHEN {in_median.text} THEN days_to_convert END", in_median.params
        )
    rows = _grouped(
        AccountTransition._meta.db_table,
        keys=keys
        | {
            "kind": Sql("kind"),
            "from_step_id": Sql("from_step_id"),
            "journey_id": Sql("journey_id"),
            "days": days,
        },
        measures={
            "cohort": Sql("COUNT(*)"),
            "converted_count": Sql("SUM(CASE WHEN converted THEN 1 ELSE 0 END)"),
            "open_until": Sql(
                f"MAX(CASE WHEN NOT converted AND window_ends_at > {as_of.text}"
                " THEN window_ends_at END)",
                as_of.params,
            ),
            "settled": Sql(f"MAX({SETTLED_TRANSITION})"),
        },
        where=_in_months(scope_rows, months)
        & (
            (Sql("kind = %s", (step,)) & sql_in("from_step_id", steps))
            | (Sql("kind = %s", (journey,)) & sql_in("journey_id", journeys))
        ),
    )
    transitions = defaultdict(_Transitions)
    for row in rows:
        row["open_until"] = _moment(row["open_until"])
        row["settled"] = _moment(row["settled"])
        key = _transition_key(row["kind"], row["from_step_id"], row["journey_id"])
        for owner in owners_of(row):
            transitions[(owner, key, row["kind"])].add(row)
    points = defaultdict(_ValuePoints)
    if value_point_journeys:
        point_rows = _grouped(
            AccountValuePoint._meta.db_table,
            keys=keys | {"journey_id": Sql("journey_id")},
            measures={
                "due": Sql(
                    "SUM(CASE WHEN reached_at IS NOT NULL OR deadline <="
                    f" {as_of.text} THEN 1 ELSE 0 END)",
                    as_of.params,
                ),
                "on_time_count": Sql("SUM(CASE WHEN on_time THEN 1 ELSE 0 END)"),
                "open_until": Sql(
                    f"MAX(CASE WHEN reached_at IS NULL AND deadline > {as_of.text}"
                    " THEN deadline END)",
                    as_of.params,
                ),
                "settled": Sql(f"MAX({SETTLED_VALUE_POINT})"),
            },
            where=_in_months(
                scope_rows, months if period_months is None else period_months
            )
            & sql_in("journey_id", value_point_journeys),
        )
        for row in point_rows:
            row["open_until"] = _moment(row["open_until"])
            row["settled"] = _moment(row["settled"])
            key = f"{Family.VALUE_POINTS_ON_TIME}:{row['journey_id']}"
            for owner in owners_of(row):
                points[(owner, key)].add(row)
    found = defaultdict(dict)
    for (owner, key, kind), added in transitions.items():
        found[owner][key] = added.conversion()
        if kind == ConversionKind.STEP and wants_days and (median := added.median()):
            step_id = key.split(":", 1)[1]
            found[owner][f"{Family.DAYS_TO_CONVERT}:{step_id}"] = median
    for (owner, key), added in points.items():
        if figure := added.figure():
            found[owner][key] = figure
    return found


def _in_months(scope_rows: list[Sql], months: Iterable[date]) -> Sql:
    """The rows of `months` any of `scope_rows` selects: each condition limited to
    the months on its own. With the months outside the OR, SQLite could search its
    indexes by cohort month alone and read every row of the months (at size M, 40
    ms instead of 8 for a member page's rows); this way it searches each by an
    index of (cohort month, owner) and PostgreSQL ORs their bitmaps. No condition
    selects no rows."""
    if not scope_rows:
        return Sql("1 = 0")
    in_months = sql_months("cohort_month", months)
    return reduce(operator.or_, (rows & in_months for rows in scope_rows))


def _keyed(scope_figures: dict, owner_id) -> dict:
    return {(owner_id, key): figure for key, figure in scope_figures.items()}


def as_of_run(run) -> datetime:
    """The instant figures are provisional against: the last rollup's (as
    `figures` takes it), now before the first."""
    return run.as_of if run else timezone.now()


# The monthly tables --------------------------------------------------------------

_TABLES = {"member": (MemberFigure, "member_id"), "team": (TeamFigure, "team_id")}
# A read of a monthly table: "member" or "team", the owners' ids, the metrics (none
# counted from the rows: `Metric.is_flow`) and the months.
TableRead = tuple[str, Iterable[int], Iterable[Metric], Iterable[date]]
_FIGURE_COLUMNS = (
    "metric",
    "month",
    "value",
    "numerator",
    "denominator",
    "provisional",
    "final_at",
)


def read_tables(*reads: TableRead) -> list[dict]:
    """Several reads of the members' and teams' monthly tables in one query (UNION
    ALL, in SQL like the rows), for each read (owner id, metric key, month) →
    FigureValue, as `figures` reads a table."""
    found = [{} for _read in reads]
    selects = []
    for index, (scope, owner_ids, wanted, months) in enumerate(reads):
        owner_ids, keys, months = list(owner_ids), [m.key for m in wanted], list(months)
        if not (owner_ids and keys and months):
            continue
        model, owner = _TABLES[scope]
        where = (
            sql_in(owner, owner_ids)
            & sql_in("metric", keys)
            & sql_months("month", months)
        )
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(_FIGURE_COLUMNS)
        selects.append(
            Sql(
                f"SELECT {index}, {owner}, {columns} FROM {table} WHERE {where.text}",
                where.params,
            )
        )
    if not selects:
        return found
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(select.text for select in selects),
            [param for select in selects for param in select.params],
        )
        rows = cursor.fetchall()
    for index, owner_id, key, month, *values in rows:
        value, numerator, denominator, provisional, final_at = values
        found[index][(owner_id, key, month)] = FigureValue(
            value=value,
            numerator=numerator,
            denominator=denominator,
            provisional=bool(provisional),
            final_at=_moment(final_at),
        )
    return found


def over_period(table: dict, period: Period) -> dict:
    """(owner id, metric key) → FigureValue over the period from a read of a monthly
    table (`read_tables`), as `figures.figures_for` takes the tables: a month's
    figure; over several months the step events recorded add up and the others
    are those of the period's last month (of this month in a running period)."""
    if period.kind == metrics.PERIOD_MONTH:
        return {
            (owner, key): figure
            for (owner, key, month), figure in table.items()
            if month == period.first_month
        }
    last = min(period.last_month, metrics.this_month())
    found, counts = {}, defaultdict(int)
    for (owner, key, month), figure in table.items():
        if key == Family.STEP_EVENTS_RECORDED:
            counts[(owner, key)] += figure.numerator or 0
        elif month == last:
            found[(owner, key)] = figure
    for (owner, key), total in counts.items():
        found[(owner, key)] = FigureValue(value=total, numerator=total)
    return found


def with_revenue_over_period(
    found: dict,
    scope: str,
    *,
    owner_ids: list[int],
    wanted: Iterable[Metric],
    period: Period,
    as_of: datetime,
) -> dict:
    """`found` (from `over_period`) with the revenue metrics of a period longer
    than a month taken from `revenue.period_figures`, as `figures.figures_for`
    takes them (not the period's last month). One query when there are some."""
    keys = [m.key for m in wanted if m.is_revenue]
    if period.kind == metrics.PERIOD_MONTH or not keys or not owner_ids:
        return found
    kept = {k: v for k, v in found.items() if k[1] not in keys}
    kept.update(
        revenue.period_figures(
            scope, owner_ids=owner_ids, keys=keys, period=period, as_of=as_of
        )
    )
    return kept


# The dashboard -------------------------------------------------------------------


@dataclass
class TeamFigures:
    """(owner id, metric key) → FigureValue of the members, the team rate and the
    team including its pools (`figures.member_figures`, `team_rate_figures`,
    `team_figures`)."""

    members: dict = field(default_factory=dict)
    rate: dict = field(default_factory=dict)
    with_pools: dict = field(default_factory=dict)


def team_figures(
    *,
    member_ids: list[int],
    team_id: int,
    wanted: list[Metric],
    period: Period,
    as_of: datetime,
) -> TeamFigures:
    """The dashboard's figures over the period: the same as `figures`' three
    selectors, in three queries (the monthly tables, the rows and their value
    points). `wanted`: the journeys' metrics and training completion (none of them
    counted from the rows by `figures.flow`)."""
    cohort = [m for m in wanted if m.family in _ROW_FAMILIES]
    others = [m for m in wanted if m not in cohort]
    found = TeamFigures()
    month = period.kind == metrics.PERIOD_MONTH
    members = set(member_ids)
    if month:
        # The rollup's monthly rows: the members', and the team's with its pools
        # (its training completion is also the team rate's).
        member_table, team_table = read_tables(
            ("member", member_ids, wanted, period.months),
            ("team", [team_id], wanted, period.months),
        )
        found.members = over_period(member_table, period)
        table = over_period(team_table, period)
        other_keys = {m.key for m in others}
        found.with_pools = {k: v for k, v in table.items() if k[1] not in other_keys}
        found.rate = {k: v for k, v in table.items() if k[1] in other_keys}
        scope_rows = [Sql("team_id = %s AND member_id IS NOT NULL", (team_id,))]
    else:
        member_table, team_table = read_tables(
            ("member", member_ids, others, period.months),
            ("team", [team_id], others, period.months),
        )
        found.members = with_revenue_over_period(
            over_period(member_table, period),
            "member",
            owner_ids=member_ids,
            wanted=others,
            period=period,
            as_of=as_of,
        )
        found.rate = with_revenue_over_period(
            over_period(team_table, period),
            "team",
            owner_ids=[team_id],
            wanted=others,
            period=period,
            as_of=as_of,
        )
        scope_rows = [Sql("team_id = %s", (team_id,))]
        if members:
            scope_rows.append(sql_in("member_id", sorted(members)))

    def owners_of(row):
        member_id, row_team = row["member_id"], row["team_id"]
        if row_team == team_id:
            if member_id is not None:
                yield ("rate", team_id)
            if not month:
                yield ("team", team_id)
        if not month and member_id in members:
            yield ("member", member_id)

    if cohort:
        by_owner = _figures_from_rows(
            scope_rows,
            owners_of,
            wanted=cohort,
            months=period.months,
            as_of=as_of,
            group=["member_id", "team_id"],
        )
        targets = {
            "member": found.members,
            "rate": found.rate,
            "team": found.with_pools,
        }
        for (scope, owner_id), values in by_owner.items():
            targets[scope].update(_keyed(values, owner_id))
    return found


# The member page -----------------------------------------------------------------


@dataclass
class MemberFigures:
    """The member's figures and the team rate over the period, (owner id, metric
    key) → FigureValue as `figures.member_figures` and `team_rate_figures` give
    them, the team rate's conversions by month, (team id, metric key, month) →
    FigureValue as `figures.team_monthly` gives them, and the member's monthly
    figures of the trend, (member id, metric key, month) → FigureValue as
    `figures.member_monthly` gives them."""

    member: dict = field(default_factory=dict)
    rate: dict = field(default_factory=dict)
    rate_monthly: dict = field(default_factory=dict)
    member_monthly: dict = field(default_factory=dict)


def member_figures(
    *,
    member_id: int,
    team_id: int | None,
    wanted: list[Metric],
    period: Period,
    trend_months: list[date],
    as_of: datetime,
    trend_metrics: Iterable[Metric] = (),
) -> MemberFigures:
    """The member page's figures: the member's over the period, the team rate's
    beside them, the team rate's conversions in each of `trend_months` and the
    member's monthly figures of `trend_metrics` (conversions) in those months.
    Three queries (the monthly tables, the rows and their value points; one
    without a team in a month), and those of `figures` for flow metrics."""
    cohort = [m for m in wanted if m.family in _ROW_FAMILIES]
    others = [m for m in wanted if m not in cohort]
    found = MemberFigures()
    month = period.kind == metrics.PERIOD_MONTH
    in_period, in_trend = set(period.months), set(trend_months)
    # Flow metrics are counted from the rows (`figures.flow`), the others read
    # from the monthly tables, the member's and the team's at once.
    flows = [m for m in others if m.is_flow]
    tabled = [m for m in others if not m.is_flow]
    member_table, rate_table, found.member_monthly = read_tables(
        ("member", [member_id], cohort + tabled if month else tabled, period.months),
        ("team", [] if team_id is None else [team_id], tabled, period.months),
        ("member", [member_id], trend_metrics, trend_months),
    )
    found.member = with_revenue_over_period(
        over_period(member_table, period),
        "member",
        owner_ids=[member_id],
        wanted=tabled,
        period=period,
        as_of=as_of,
    )
    found.rate = with_revenue_over_period(
        over_period(rate_table, period),
        "team",
        owner_ids=[] if team_id is None else [team_id],
        wanted=tabled,
        period=period,
        as_of=as_of,
    )
    if flows:
        found.member.update(
            figures.member_figures(member_ids=[member_id], metrics=flows, period=period)
        )
        if team_id is not None:
            found.rate.update(
                figures.team_rate_figures(
                    team_ids=[team_id], metrics=flows, period=period
                )
            )
    in_team = Sql("team_id = %s AND member_id IS NOT NULL", (team_id,))
    if team_id is None:
        if month or not cohort:
            return found
        scope_rows = [Sql("member_id = %s", (member_id,))]
        months = period.months
    else:
        scope_rows = [in_team]
        months = sorted(in_period | set(trend_months))
        if not month:
            scope_rows.append(
                Sql("member_id = %s", (member_id,))
                & sql_months("cohort_month", period.months)
            )
    flags = {
        "is_member": flag(Sql("member_id = %s", (member_id,))),
        "in_team": Sql("0") if team_id is None else flag(in_team),
    }

    def owners_of(row):
        month_of = row["cohort_month"]
        if row["is_member"] and not month and month_of in in_period:
            yield ("member", member_id)
        if row["in_team"]:
            if month_of in in_period:
                yield ("rate", team_id)
            if month_of in in_trend:
                yield ("month", month_of)

    if not cohort:
        return found
    by_owner = _figures_from_rows(
        scope_rows,
        owners_of,
        wanted=cohort,
        months=months,
        as_of=as_of,
        group=["cohort_month"],
        flags=flags,
        period_months=period.months,
    )
    for (scope, owner), values in by_owner.items():
        if scope == "member":
            found.member.update(_keyed(values, member_id))
        elif scope == "rate":
            found.rate.update(_keyed(values, team_id))
        else:
            found.rate_monthly.update(
                {(team_id, key, owner): figure for key, figure in values.items()}
            )
    return found


def member_period_figures(
    *, member_ids, metrics: list[Metric], period: Period, as_of: datetime | None
) -> dict:
    """`figures.member_figures` for the sections of the member page: with the
    page's `as_of` (`as_of_run` of the run it read) and one member, their rows are
    read as `member_figures` reads them without a team, and the rollup run is not
    read again. Otherwise `figures.member_figures` itself."""
    member_ids = list(member_ids)
    if as_of is None or len(member_ids) != 1:
        return figures.member_figures(
            member_ids=member_ids, metrics=metrics, period=period
        )
    return member_figures(
        member_id=member_ids[0],
        team_id=None,
        wanted=metrics,
        period=period,
        trend_months=[],
        as_of=as_of,
    ).member
