"""Account success plans: whether the customer's own business outcome is on its way.

The rules, written once (the at-risk lists, the account page, the monthly sharing
meeting and the health score's plan part all read them from here):

- **A measure's path** runs in a straight line from its baseline (on the day it was
  measured) to its target (on the target date). The share of the way expected on a
  day d is (d − baseline day) / (target date − baseline day), kept between 0 and 1.
- **Its reading** is its latest progress entry: the latest `measured_on`, and of
  entries for the same day the one recorded last (a correction is a later entry).
  The share of the way done is (reading − baseline) / (target − baseline), so a
  target below its baseline (a cost to bring down) works the same way.
- **Status on a day** (today unless said otherwise), in this order:
  - *reached*: the reading is at or beyond the target (share done ≥ 1);
  - *behind*: the target date has passed, or the share done is more than a tenth
    of the way (`TOLERANCE`) below the share expected that day. A measure without
    a reading counts as still at its baseline (share done 0), so it falls behind
    once a tenth of its time has passed without one;
  - *on track*: otherwise.
- **A plan's outcome is at risk** when one of its measures is behind; it is
  reached when all of its measures are reached (a plan without measures is
  neither).
- A measure is **reached in a month** when its reading is reached and was
  measured in that month (the monthly success-sharing meeting lists those).
"""

from datetime import date
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from config.queries import DaysBetween

from . import revenue
from .models import Step, SuccessMeasure, SuccessPlan, SuccessProgress

# A measure may trail its path by a tenth of the way before it is behind.
TOLERANCE = 0.1

REACHED = "reached"
BEHIND = "behind"
ON_TRACK = "on_track"

STATUS_LABELS = {
    REACHED: _("Reached"),
    BEHIND: _("Behind"),
    ON_TRACK: _("On track"),
}


def _latest_progress(measure_ref: str = "pk") -> QuerySet:
    return SuccessProgress.objects.filter(measure=OuterRef(measure_ref)).order_by(
        "-measured_on", "-recorded_at", "-id"
    )


def measures_with_status(
    measures: QuerySet | None = None, *, today: date | None = None
) -> QuerySet:
    """`measures` (all by default) annotated, in the database, with `reading`
    (the latest value, or None), `read_on` (its day), `done_share`,
    `expected_share` and `status` (REACHED, BEHIND or ON_TRACK) on `today`."""
    today = today or timezone.localdate()
    measures = SuccessMeasure.objects.all() if measures is None else measures
    latest = _latest_progress()
    decimal = DecimalField(max_digits=18, decimal_places=4)
    done = ExpressionWrapper(
        Cast(F("reading_or_baseline") - F("baseline"), FloatField())
        / Cast(F("target") - F("baseline"), FloatField()),
        output_field=FloatField(),
    )
    expected = Greatest(
        Value(0.0),
        Least(
            Value(1.0),
            ExpressionWrapper(
                Cast(DaysBetween(F("baseline_on"), Value(today)), FloatField())
                / Cast(DaysBetween(F("baseline_on"), F("target_on")), FloatField()),
                output_field=FloatField(),
            ),
        ),
    )
    return (
        measures.annotate(
            reading=Subquery(latest.values("value")[:1], output_field=decimal),
            read_on=Subquery(latest.values("measured_on")[:1]),
        )
        # COALESCE names the latest reading once: a CASE named it twice, and every
        # share, status and gap built on it repeats it (the home's list of plans
        # at risk took 12 copies of the subquery, most of its time spent building
        # them).
        .annotate(
            reading_or_baseline=Coalesce(
                F("reading"), F("baseline"), output_field=decimal
            )
        )
        .annotate(done_share=done, expected_share=expected)
        .annotate(
            status=Case(
                When(done_share__gte=1.0, then=Value(REACHED)),
                When(target_on__lt=today, then=Value(BEHIND)),
                When(
                    done_share__lt=F("expected_share") - Value(TOLERANCE),
                    then=Value(BEHIND),
                ),
                default=Value(ON_TRACK),
            )
        )
    )


def plans_with_status(
    plans: QuerySet | None = None, *, today: date | None = None
) -> QuerySet:
    """`plans` annotated with `measure_count`, `behind_count`, `reached_count`,
    `at_risk` (a measure behind) and `reached` (every measure reached)."""
    plans = SuccessPlan.objects.all() if plans is None else plans
    statuses = measures_with_status(
        SuccessMeasure.objects.filter(plan=OuterRef("pk")), today=today
    )

    def counted(status: str | None):
        chosen = statuses if status is None else statuses.filter(status=status)
        return Coalesce(
            Subquery(
                chosen.order_by().values("plan").annotate(n=Count("pk")).values("n")[:1]
            ),
            0,
        )

    return plans.annotate(
        measure_count=counted(None),
        behind_count=counted(BEHIND),
        reached_count=counted(REACHED),
    ).annotate(
        at_risk=ExpressionWrapper(Q(behind_count__gt=0), output_field=BooleanField()),
        reached=ExpressionWrapper(
            Q(measure_count__gt=0) & Q(reached_count=F("measure_count")),
            output_field=BooleanField(),
        ),
    )


def plans_at_risk(plans: QuerySet | None = None, *, today: date | None = None):
    """The plans whose outcome is at risk (a measure behind its path)."""
    plans = SuccessPlan.objects.all() if plans is None else plans
    behind = measures_with_status(
        SuccessMeasure.objects.filter(plan=OuterRef("pk")), today=today
    ).filter(status=BEHIND)
    return plans.filter(Exists(behind))


def measures_reached_in(month: date, measures: QuerySet | None = None) -> QuerySet:
    """Measures reached (by today's reading) whose reading was measured in
    `month` (its first day)."""
    start, end = month_bounds(month)
    return measures_with_status(measures).filter(
        status=REACHED, read_on__gte=start, read_on__lt=end
    )


def share_percent(share: float | None) -> int | None:
    """A share of the way as a whole percentage, for display."""
    if share is None:
        return None
    return int((Decimal(str(share)) * 100).to_integral_value())


# --- Reads for the pages and the API (built on the rules above) -------------------


def with_status_prefetched(plans: QuerySet, *, today: date | None = None) -> QuerySet:
    """`plans` with their measures (annotated by `measures_with_status`, in order)
    and each measure's value points and progress entries (newest first)
    prefetched: a fixed number of queries however many plans."""
    measures = measures_with_status(
        SuccessMeasure.objects.prefetch_related(
            Prefetch(
                "value_points",
                queryset=Step.objects.order_by("position", "id"),
            ),
            Prefetch(
                "progress",
                queryset=SuccessProgress.objects.select_related("recorded_by").order_by(
                    "-measured_on", "-recorded_at", "-id"
                ),
            ),
        ).order_by("position", "id"),
        today=today,
    )
    return plans.prefetch_related(Prefetch("measures", queryset=measures))


def _behind_with_gap(measures: QuerySet, *, today: date | None = None) -> QuerySet:
    """The measures of `measures` that are behind, each with how far it trails its
    path (`gap`: expected less done share; never null, as a measure's target and
    target date differ from its baseline's), the worst of a plan first."""
    return (
        measures_with_status(measures, today=today)
        .filter(status=BEHIND)
        .annotate(
            gap=ExpressionWrapper(
                F("expected_share") - F("done_share"), output_field=FloatField()
            )
        )
        .order_by("-gap", "position", "id")
    )


def at_risk_rows(plans: QuerySet, *, today: date | None = None) -> QuerySet:
    """The plans of `plans` whose outcome is at risk (a measure behind its path),
    the most behind first: each with how far its worst measure (the one that
    trails its path the most) is behind (`worst_gap`, expected less done share)
    and the account's open coverage (`owner_id`, `owner_family`, `owner_given`,
    `owner_username`, `pool_name`). The rows shown get their worst measure and how
    many measures are behind from `with_worst_measures`: read for a page of plans,
    not inside the query of every plan."""
    worst = _behind_with_gap(
        SuccessMeasure.objects.filter(plan=OuterRef("pk")), today=today
    )
    open_period = FilteredRelation(
        "account__coverage", condition=Q(account__coverage__ended_at__isnull=True)
    )
    return (
        plans.select_related("account__journey")
        .annotate(worst_gap=Subquery(worst.values("gap")[:1]))
        .filter(worst_gap__isnull=False)
        .annotate(
            open_period=open_period,
            owner_id=F("open_period__owner_id"),
            owner_family=F("open_period__owner__family_name"),
            owner_given=F("open_period__owner__given_name"),
            owner_username=F("open_period__owner__username"),
            pool_name=F("open_period__pool__name"),
        )
        .order_by(F("worst_gap").desc(nulls_last=True), "account__name", "pk")
    )


def with_worst_measures(plans, *, today: date | None = None) -> list:
    """`plans` (rows of `at_risk_rows`, a page of them) with how many of their
    measures are behind (`behind_count`) and their worst measure's `worst_id`,
    `worst_measure` (name), `worst_unit`, `worst_done` and `worst_expected` shares
    and `worst_target_on`, as of `today`: one query."""
    plans = list(plans)
    if not plans:
        return plans
    behind = {}
    for measure in _behind_with_gap(
        SuccessMeasure.objects.filter(plan__in=[plan.pk for plan in plans]),
        today=today,
    ):
        behind.setdefault(measure.plan_id, []).append(measure)
    for plan in plans:
        # No measure behind any more (one reached since the plans were read):
        # no worst measure shown.
        measures = behind.get(plan.pk, [])
        measure = measures[0] if measures else None
        plan.behind_count = len(measures)
        if measure is not None:
            # Read with the measure, as its shares are (the list's may be older).
            plan.worst_gap = measure.gap
        plan.worst_id = measure.pk if measure else None
        plan.worst_measure = measure.name if measure else ""
        plan.worst_unit = measure.unit if measure else ""
        plan.worst_done = measure.done_share if measure else None
        plan.worst_expected = measure.expected_share if measure else None
        plan.worst_target_on = measure.target_on if measure else None
    return plans


def month_bounds(month: date) -> tuple[date, date]:
    """The first day of `month` and of the month after."""
    start = revenue.month_start(month)
    return start, revenue.add_months(start, 1)


def last_complete_month(today: date | None = None) -> date:
    return revenue.add_months(revenue.month_start(today or timezone.localdate()), -1)
