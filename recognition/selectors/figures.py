"""Figures: the one aggregation of the per-account rows into numbers (METRICS.md).

The rollup writes monthly figures with `write_month_figures`; pages read a month from
those tables and longer periods (quarters, last 3/6/12 months, team figures over
them) by aggregating the per-account rows again with the same functions, so that
counts add up and medians come from the accounts, never from medians.

Every function runs a fixed number of queries, whatever the number of members,
accounts or events.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Window
from django.db.models.functions import RowNumber, TruncDate, TruncMonth
from django.utils import timezone

from accounts.models import TeamMembership
from journeys.models import StepEvent, TrainingAssignment, TrainingCompletion

from .. import metrics, permissions
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
from . import flow


@dataclass(frozen=True)
class FigureValue:
    """A metric's value with its counts. `value` is None when there is no figure
    (an empty cohort has no rate); `final_at` is when a provisional figure becomes
    final."""

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


SCOPES = {"member": "member_id", "team": "team_id", "pool": "pool_id"}
_TABLES = {"member": MemberFigure, "team": TeamFigure, "pool": PoolFigure}


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


def conversion_groups(rows, group: list[str], *, as_of: datetime):
    """Cohort, converted and provisional-until per group of AccountTransition rows:
    yields (group values, metric key, FigureValue). One query."""
    aggregated = rows.values(*group, "kind", "from_step_id", "journey_id").annotate(
        cohort=Count("pk"),
        converted_count=Count("pk", filter=Q(converted=True)),
        open_until=Max(
            "window_ends_at", filter=Q(converted=False, window_ends_at__gt=as_of)
        ),
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
                final_at=row["open_until"],
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
        (tuple(row[name] for name in group), row["from_step_id"]): row["open_until"]
        for row in rows.filter(kind=ConversionKind.STEP)
        .values(*group, "from_step_id")
        .annotate(
            open_until=Max(
                "window_ends_at", filter=Q(converted=False, window_ends_at__gt=as_of)
            )
        )
        .order_by()
    }
    for (keys, step_id), days in found.items():
        open_until = still_open.get((keys, step_id))
        yield (
            keys,
            f"{Family.DAYS_TO_CONVERT}:{step_id}",
            FigureValue(
                value=sum(days) / len(days),
                denominator=sizes[(keys, step_id)],
                provisional=open_until is not None,
                final_at=open_until,
            ),
        )


def value_point_groups(rows, group: list[str], *, as_of: datetime):
    """Value points on time / due per group (METRICS.md: due once its deadline has
    passed or once it was reached). One query."""
    aggregated = rows.values(*group, "journey_id").annotate(
        due=Count("pk", filter=Q(reached_at__isnull=False) | Q(deadline__lte=as_of)),
        on_time_count=Count("pk", filter=Q(on_time=True)),
        open_until=Max(
            "deadline", filter=Q(reached_at__isnull=True, deadline__gt=as_of)
        ),
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
                final_at=row["open_until"],
            ),
        )


def _row_filters(wanted: list[Metric] | None) -> tuple[Q, Q, bool]:
    """Which transition and value-point rows the wanted metrics need."""
    if wanted is None:
        return Q(), Q(), True
    steps = {
        m.step_id
        for m in wanted
        if m.family in (Family.STEP_CONVERSION, Family.DAYS_TO_CONVERT)
    }
    journeys = {m.journey_id for m in wanted if m.family == Family.JOURNEY_CONVERSION}
    value_points = {
        m.journey_id for m in wanted if m.family == Family.VALUE_POINTS_ON_TIME
    }
    transitions = Q(kind=ConversionKind.STEP, from_step_id__in=steps) | Q(
        kind=ConversionKind.JOURNEY, journey_id__in=journeys
    )
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
    Flow metrics are counted from the rows (`flow`). With `members_only` (a team's
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


def write_month_figures(
    *, months: list[date], training_months: list[date], as_of: datetime
) -> None:
    """Replace the figures of these months (training completion: of
    `training_months`) with fresh aggregates of the rows and events."""
    training = Family.TRAINING_COMPLETION
    for table in _TABLES.values():
        table.objects.filter(month__in=months).exclude(metric=training).delete()
        table.objects.filter(month__in=training_months, metric=training).delete()
    found = defaultdict(dict)  # scope → (owner, metric, month) → FigureValue
    if months:
        transitions = AccountTransition.objects.filter(cohort_month__in=months)
        value_points = AccountValuePoint.objects.filter(cohort_month__in=months)
        for scope, owner in SCOPES.items():
            group = [owner, "cohort_month"]
            rows = transitions.filter(**{f"{owner}__isnull": False})
            points = value_points.filter(**{f"{owner}__isnull": False})
            for aggregate, source in (
                (conversion_groups, rows),
                (median_groups, rows),
                (value_point_groups, points),
            ):
                for (owner_id, month), key, figure in aggregate(
                    source, group, as_of=as_of
                ):
                    found[scope][(owner_id, key, month)] = figure
        for scope, values in _events_recorded(months).items():
            found[scope].update(values)
    for scope, values in _training_completion(training_months).items():
        found[scope].update(values)
    # Flow metrics for the API's monthly figures (pages count them from the rows).
    for scope, values in flow.month_figures(months, as_of=as_of).items():
        found[scope].update(values)
    for scope, values in found.items():
        table, owner = _TABLES[scope], SCOPES[scope]
        table.objects.bulk_create(
            [
                table(
                    **{owner: owner_id},
                    metric=key,
                    month=month,
                    value=figure.value,
                    numerator=figure.numerator,
                    denominator=figure.denominator,
                    provisional=figure.provisional,
                    final_at=figure.final_at,
                    computed_at=as_of,
                )
                for (owner_id, key, month), figure in values.items()
            ],
            batch_size=2000,
        )


def _events_recorded(months: list[date]) -> dict:
    """Live step events recorded by members (holding the Member role when the
    account reached the step), counted in the database by the month (in TIME_ZONE)
    the account reached the step; a team counts its members' events of the days
    they belonged to it. Two queries."""
    zone = metrics.tz()
    first, last = months[0], metrics.add_months(months[-1], 1)
    events = StepEvent.objects.filter(
        member_at(OuterRef("recorded_by_id"), OuterRef("reached_at")),
        voided_at__isnull=True,
        reached_at__gte=metrics.month_start(first),
        reached_at__lt=metrics.month_start(last),
    ).annotate(month=TruncMonth("reached_at", tzinfo=zone))
    team_that_day = TeamMembership.objects.active_on(OuterRef("day")).filter(
        user_id=OuterRef("recorded_by_id")
    )
    by_team = (
        events.annotate(day=TruncDate("reached_at", tzinfo=zone))
        .annotate(team_id=Subquery(team_that_day.values("team_id")[:1]))
        .filter(team_id__isnull=False)
        .values("team_id", "month")
        .annotate(count=Count("pk"))
        .order_by()
    )
    by_member = events.values("recorded_by_id", "month").annotate(count=Count("pk"))
    wanted = set(months)
    key = Family.STEP_EVENTS_RECORDED
    found = {"member": {}, "team": {}}
    for scope, owner, rows in (
        ("member", "recorded_by_id", by_member.order_by()),
        ("team", "team_id", by_team),
    ):
        for row in rows:
            month = _as_month(row["month"])
            if month in wanted:
                found[scope][(row[owner], key, month)] = FigureValue(
                    value=row["count"], numerator=row["count"]
                )
    return found


def memberships_by_user() -> dict[int, list]:
    """Every team membership as (start, end, team id), by user (one query)."""
    found = defaultdict(list)
    for user_id, team_id, start, end in TeamMembership.objects.values_list(
        "user_id", "team_id", "start_date", "end_date"
    ):
        found[user_id].append((start, end, team_id))
    return found


def team_on(memberships, user_id: int, day: date) -> int | None:
    """The team the user belonged to on `day`, from `memberships_by_user()`."""
    for start, end, team_id in memberships.get(user_id, ()):
        if start <= day and (end is None or day <= end):
            return team_id
    return None


def _training_completion(months: list[date]) -> dict:
    """Modules completed (quiz passed) / modules assigned per member (holding the
    Member role at some time in the month), as of the end of each month; a team
    assignment reaches whoever belongs to the team at any time up to its due date
    (and by the month's end). A team's figure adds up the members who belong to it
    on the month's last day. Three queries per month."""
    found = {"member": {}, "team": {}}
    if not months:
        return found
    member_periods = permissions.member_periods()
    memberships = memberships_by_user()
    key = Family.TRAINING_COMPLETION
    for month, start, end in flow.month_bounds(months):
        last_day = metrics.month_end_day(month)
        member_ids = {
            user_id
            for user_id, periods in member_periods.items()
            if any(
                (held_from is None or held_from < end)
                and (held_until is None or held_until > start)
                for held_from, held_until in periods
            )
        }
        assigned = defaultdict(set)
        for member_id, module_id in (
            TrainingAssignment.objects.filter(member__isnull=False, assigned_at__lt=end)
            .values_list("member_id", "module_id")
            .distinct()
        ):
            assigned[member_id].add(module_id)
        reached = (
            TeamMembership.objects.filter(
                team__training_assignments__assigned_at__lt=end,
                start_date__lte=F("team__training_assignments__due_date"),
            )
            .filter(start_date__lte=last_day)
            .values_list("user_id", "team__training_assignments__module_id")
            .distinct()
        )
        for member_id, module_id in reached:
            assigned[member_id].add(module_id)
        completed = defaultdict(set)
        for member_id, module_id in (
            TrainingCompletion.objects.filter(passed=True, completed_at__lt=end)
            .values_list("member_id", "module_id")
            .distinct()
        ):
            completed[member_id].add(module_id)
        team_totals = defaultdict(lambda: [0, 0])
        for member_id, modules in assigned.items():
            if member_id not in member_ids or not modules:
                continue
            done = len(modules & completed[member_id])
            found["member"][(member_id, key, month)] = FigureValue(
                value=done / len(modules), numerator=done, denominator=len(modules)
            )
            team_id = team_on(memberships, member_id, last_day)
            if team_id is not None:
                team_totals[team_id][0] += done
                team_totals[team_id][1] += len(modules)
        for team_id, (done, total) in team_totals.items():
            found["team"][(team_id, key, month)] = FigureValue(
                value=done / total, numerator=done, denominator=total
            )
    return found
