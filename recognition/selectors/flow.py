"""Flow metrics (METRICS.md): what happened in a period, counted in the database.

- Conversions completed of step k in P: accounts whose conversion of step k (per the
  window rules: `AccountTransition.converted_at`, set only for a conversion within
  the window) happened in P, credited as step k.
- Value points reached on time in P: value points whose on-time first reach
  (`AccountValuePoint.reached_at` with `on_time`) happened in P.

They are counts, final when P ends. Their denominator is not a divisor: it is what
an award's minimum applies to (and what "larger denominator breaks ties" compares):
the owner's accounts that first reached step k in P, or that started the journey
in P.

Months are bounded in TIME_ZONE: each period or month becomes a pair of instants
computed here (`metrics.month_start`), and the database compares the stored UTC
times with them, so no per-row time-zone function runs. Each function runs two
queries per family asked for, whatever the number of owners, months or accounts.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db import connection
from django.db.models import Case, Count, DateField, F, IntegerField, Q, Value, When

from .. import metrics
from ..metrics import Family, Metric
from ..models import (
    AccountTransition,
    AccountValuePoint,
    ConversionKind,
    MemberFigure,
    PoolFigure,
    TeamFigure,
)
from .groups import SCOPES, InGroup, in_groups


def month_bounds(months: list[date]) -> list[tuple[date, datetime, datetime]]:
    """(month, first instant, first instant after) of each month, in TIME_ZONE."""
    return [
        (
            month,
            metrics.month_start(month),
            metrics.month_start(metrics.add_months(month, 1)),
        )
        for month in months
    ]


def month_case(field: str, bounds) -> Case | Value:
    """The month (in TIME_ZONE) a datetime field falls in, among `bounds`
    (`month_bounds`; None outside them). A search: each row compares its instant
    with a few months' bounds, not with every month's."""
    if not bounds:
        return Value(None, output_field=DateField())
    return _month_search(field, sorted(bounds, key=lambda bound: bound[1]))


def _month_search(field: str, bounds) -> Case:
    """`month_case` over bounds in order: below the middle month's first instant,
    the earlier half; else the later half."""
    if len(bounds) == 1:
        month, start, end = bounds[0]
        return Case(
            When(**{f"{field}__gte": start, f"{field}__lt": end}, then=Value(month)),
            default=None,
            output_field=DateField(),
        )
    middle = len(bounds) // 2
    return Case(
        When(
            **{f"{field}__lt": bounds[middle][1]},
            then=_month_search(field, bounds[:middle]),
        ),
        default=_month_search(field, bounds[middle:]),
        output_field=DateField(),
    )


def _scoped(model, scope: str, owner_ids, *, members_only: bool):
    owner = f"{scope}_id"
    if owner_ids is None:
        rows = model.objects.filter(**{f"{owner}__isnull": False})
    else:
        rows = model.objects.filter(**{f"{owner}__in": owner_ids})
    if members_only:
        rows = rows.filter(member_id__isnull=False)
    return rows


def flow_figures(
    scope: str,
    *,
    owner_ids,
    metrics_wanted: list[Metric] | None,
    months: list[date],
    by_month: bool = False,
    as_of: datetime,
    members_only: bool = False,
) -> dict:
    """(owner id, metric key) → FigureValue over the months together, or with
    `by_month` (owner id, metric key, month) → FigureValue for each month. A
    figure is provisional until its period (or month) ends, as of `as_of`.
    `owner_ids` None: every owner; `metrics_wanted` None: every flow metric."""
    from .figures import FigureValue  # figures imports this module

    owner_ids = None if owner_ids is None else list(owner_ids)
    if owner_ids == [] or not months:
        return {}
    every = metrics_wanted is None
    steps = every or {
        m.step_id for m in metrics_wanted if m.family == Family.CONVERSIONS_COMPLETED
    }
    journeys = every or {
        m.journey_id for m in metrics_wanted if m.family == Family.VALUE_POINTS_REACHED
    }
    owner = f"{scope}_id"
    bounds = month_bounds(months)
    period_start, period_end = bounds[0][1], bounds[-1][2]
    # (owner, metric key, month) → [count, accounts]; the month is the first of
    # the period when the months are taken together.
    counts = defaultdict(lambda: [0, 0])

    def add(rows, family: str, field: str, index: int, counted=None) -> None:
        group = [owner, field, *(["_month"] if by_month else [])]
        for row in rows.values(*group).annotate(n=counted or Count("pk")).order_by():
            month = row["_month"] if by_month else months[0]
            if month is not None:
                key = f"{family}:{row[field]}"
                counts[(row[owner], key, month)][index] += row["n"]

    def in_period(rows, field: str):
        rows = rows.filter(
            **{f"{field}__gte": period_start, f"{field}__lt": period_end}
        )
        return rows.annotate(_month=month_case(field, bounds)) if by_month else rows

    def cohorts_of(rows):
        rows = rows.filter(cohort_month__in=months)
        return rows.annotate(_month=F("cohort_month")) if by_month else rows

    if steps:
        transitions = _scoped(
            AccountTransition, scope, owner_ids, members_only=members_only
        ).filter(kind=ConversionKind.STEP)
        if not every:
            transitions = transitions.filter(from_step_id__in=steps)
        family = Family.CONVERSIONS_COMPLETED
        completed = transitions.filter(converted=True)
        add(in_period(completed, "converted_at"), family, "from_step_id", 0)
        add(cohorts_of(transitions), family, "from_step_id", 1)
    if journeys:
        points = _scoped(AccountValuePoint, scope, owner_ids, members_only=members_only)
        if not every:
            points = points.filter(journey_id__in=journeys)
        family = Family.VALUE_POINTS_REACHED
        # On time: reached no later than the deadline and not before step 1.
        on_time = points.filter(on_time=True, reached_at__gte=F("started_at"))
        add(in_period(on_time, "reached_at"), family, "journey_id", 0)
        # A journey start is one account, with a row per value point.
        starts = Count("account_id", distinct=True)
        add(cohorts_of(points), family, "journey_id", 1, counted=starts)
    ends = {month: end for month, _start, end in bounds}
    found = {}
    for (owner_id, key, month), (count, accounts) in counts.items():
        end = ends[month] if by_month else period_end
        figure = FigureValue(
            value=count,
            denominator=accounts,
            provisional=as_of < end,
            final_at=end,
        )
        found[(owner_id, key, month) if by_month else (owner_id, key)] = figure
    return found


def _months_to_recount(months: list[date], *, as_of: datetime) -> list[date]:
    """A flow figure of month M counts rows of cohorts up to M, so every month from
    the earliest one recomputed (or still provisional but now ended) up to the
    month of `as_of` is counted again."""
    ended = set(
        MemberFigure.objects.filter(
            _FLOW_KEYS, provisional=True, final_at__lte=as_of
        ).values_list("month", flat=True)
    )
    starts = set(months) | ended
    if not starts:
        return []
    found, month, last = [], min(starts), metrics.month_of(as_of)
    while month <= last:
        found.append(month)
        month = metrics.add_months(month, 1)
    return found


_FLOW_KEYS = Q(metric__startswith=f"{Family.CONVERSIONS_COMPLETED}:") | Q(
    metric__startswith=f"{Family.VALUE_POINTS_REACHED}:"
)


def month_figure_selects(months: list[date], *, as_of: datetime) -> list[tuple]:
    """Every flow metric of the months to count again (`_months_to_recount`), for
    every member, team (its pools included, like the other team figures of the
    tables) and pool, for the monthly tables: their old flow figures are deleted
    and (scope, SELECT sql, params) returned, whose rows are the owner's id,
    metric, month, value, numerator, denominator, provisional, final_at and
    computed_at (`figures.write_month_figures` inserts them). The same figures as
    `flow_figures(..., by_month=True)`; a fixed number of queries."""
    recount = _months_to_recount(months, as_of=as_of)
    for table in (MemberFigure, TeamFigure, PoolFigure):
        table.objects.filter(_FLOW_KEYS, month__in=recount).delete()
    return figure_selects(recount, as_of=as_of)


def figure_selects(
    months: list[date],
    *,
    as_of: datetime,
    groups: bool = False,
    scopes=tuple(SCOPES),
) -> list[tuple]:
    """(scope, SELECT sql, params) of every flow metric of these months, for every
    member, team and pool (as `month_figure_selects`, which deletes first; or of
    the `scopes` given). With `groups`, only the rows of the groups listed in
    `groups.GROUPS` are read: `months` then holds every month of those groups (a
    row is matched to a group by the month among `months` its instant falls in)."""
    if not months:
        return []
    bounds = month_bounds(months)
    period_start, period_end = bounds[0][1], bounds[-1][2]

    def in_period(rows, scope: str, field: str):
        rows = rows.filter(
            **{f"{field}__gte": period_start, f"{field}__lt": period_end}
        ).annotate(_month=month_case(field, bounds))
        if groups:
            rows = rows.filter(InGroup(scope, F(f"{scope}_id"), F("_month")))
        return rows

    def cohorts_of(rows, scope: str):
        if groups:
            rows = rows.filter(in_groups(rows.model, scope, f"{scope}_id"))
        return rows.filter(cohort_month__in=months).annotate(_month=F("cohort_month"))

    selects = []
    for scope in scopes:
        owner = f"{scope}_id"
        transitions = _scoped(
            AccountTransition, scope, None, members_only=False
        ).filter(kind=ConversionKind.STEP)
        completed = transitions.filter(converted=True)
        selects.append(
            _flow_select(
                scope,
                Family.CONVERSIONS_COMPLETED,
                happened=in_period(completed, scope, "converted_at"),
                cohorts=cohorts_of(transitions, scope),
                group=(owner, "from_step_id"),
                accounts=Count("pk"),
                bounds=bounds,
                as_of=as_of,
            )
        )
        points = _scoped(AccountValuePoint, scope, None, members_only=False)
        # On time: reached no later than the deadline and not before step 1.
        on_time = points.filter(on_time=True, reached_at__gte=F("started_at"))
        selects.append(
            _flow_select(
                scope,
                Family.VALUE_POINTS_REACHED,
                happened=in_period(on_time, scope, "reached_at"),
                cohorts=cohorts_of(points, scope),
                group=(owner, "journey_id"),
                # A journey start is one account, with a row per value point.
                accounts=Count("account_id", distinct=True),
                bounds=bounds,
                as_of=as_of,
            )
        )
    return selects


def _flow_select(
    scope, family, *, happened, cohorts, group, accounts, bounds, as_of
) -> tuple:
    """(scope, sql, params) of one flow metric's figures: the count of what
    happened in each month beside the owner's accounts of that month's cohorts, so
    a figure exists when either is there. Final when its month ends."""
    owner, field = group

    def counted(rows, count, cohort):
        return (
            rows.values(owner, field, "_month")
            .annotate(_owner=F(owner), _id=F(field), _count=count, _accounts=cohort)
            .values_list("_owner", "_id", "_month", "_count", "_accounts")
            .order_by()
        )

    zero = Value(0, output_field=IntegerField())
    happened_sql, happened_params = counted(
        happened, Count("pk"), zero
    ).query.sql_with_params()
    cohorts_sql, cohorts_params = counted(
        cohorts, zero, accounts
    ).query.sql_with_params()
    ops = connection.ops
    ends = " ".join("WHEN %s THEN %s" for _bound in bounds)
    sql = f"""
        SELECT u._owner, %s || CAST(u._id AS text), u._month,
            CAST(SUM(u._count) AS double precision), NULL, SUM(u._accounts),
            CASE u._month {ends} END, CASE u._month {ends} END, %s
        FROM ({happened_sql} UNION ALL {cohorts_sql}) u
        GROUP BY u._owner, u._id, u._month
    """
    params = [
        f"{family}:",
        *(
            value
            for month, _start, end in bounds
            for value in (ops.adapt_datefield_value(month), as_of < end)
        ),
        *(
            value
            for month, _start, end in bounds
            for value in (
                ops.adapt_datefield_value(month),
                ops.adapt_datetimefield_value(end),
            )
        ),
        ops.adapt_datetimefield_value(as_of),
        *happened_params,
        *cohorts_params,
    ]
    return scope, sql, params
