"""The metric catalogue and the periods figures are shown for: the one place that
names every number of `shared/METRICS.md`.

A metric key is a family and, for the journey metrics, the id of what it measures:
`step_conversion:<from step id>`, `journey_conversion:<journey id>`,
`days_to_convert:<from step id>`, `value_points_on_time:<journey id>`,
`training_completion`, `step_events_recorded`, and the flow metrics
`conversions_completed:<from step id>` and `value_points_reached:<journey id>`;
the revenue KPIs of the organisation's ARR (`REVENUE_FAMILIES`, one key each, no
id: NRR, GRR, the movements as shares of the starting ARR, new and reactivated
ARR, logo churn, ARR and accounts per CSM; defined in `selectors/revenue.py`).

Every metric states when a period's figure becomes final (`Metric.final_at`): a
flow metric, training completion and events recorded when the period ends; a
cohort metric when the last window of the period's cohorts ends.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from journeys.models import Journey, Step


class Family:
    STEP_CONVERSION = "step_conversion"
    JOURNEY_CONVERSION = "journey_conversion"
    DAYS_TO_CONVERT = "days_to_convert"
    VALUE_POINTS_ON_TIME = "value_points_on_time"
    TRAINING_COMPLETION = "training_completion"
    STEP_EVENTS_RECORDED = "step_events_recorded"
    CONVERSIONS_COMPLETED = "conversions_completed"
    VALUE_POINTS_REACHED = "value_points_reached"
    # Revenue KPIs (recognition/selectors/revenue.py), monthly from ARR snapshots.
    NRR = "nrr"
    GRR = "grr"
    UPSELL = "upsell"
    EXPANSION = "expansion"
    CROSS_SELL = "cross_sell"
    DOWNSELL = "downsell"
    CHURNED_ARR = "churned_arr"
    NEW_ARR = "new_arr"
    REACTIVATED_ARR = "reactivated_arr"
    LOGO_CHURN = "logo_churn"
    ARR_PER_CSM = "arr_per_csm"
    ACCOUNTS_PER_CSM = "accounts_per_csm"


# Flow metrics count what happened in the period; they are final when it ends.
FLOW_FAMILIES = frozenset({Family.CONVERSIONS_COMPLETED, Family.VALUE_POINTS_REACHED})


class Unit:
    PERCENT = "percent"
    DAYS = "days"
    COUNT = "count"
    # An amount of yen (ARR); `RATIO` a mean per person (accounts per CSM).
    YEN = "yen"
    RATIO = "ratio"


HIGHER = "higher"
LOWER = "lower"

_OF_STARTING_ARR = _("ARR at the start of the month of accounts that had ARR then")

# The revenue KPIs, in the order of the catalogue (and of the KPI tree).
REVENUE_FAMILIES = (
    Family.NRR,
    Family.GRR,
    Family.UPSELL,
    Family.EXPANSION,
    Family.CROSS_SELL,
    Family.DOWNSELL,
    Family.CHURNED_ARR,
    Family.NEW_ARR,
    Family.REACTIVATED_ARR,
    Family.LOGO_CHURN,
    Family.ARR_PER_CSM,
    Family.ACCOUNTS_PER_CSM,
)
# Percentages that may pass 100 % (a target of 110 % NRR is a fair one).
UNBOUNDED_PERCENT = frozenset({Family.NRR})

# What each family is, in order of the catalogue.
_FAMILIES = {
    Family.STEP_CONVERSION: dict(
        unit=Unit.PERCENT,
        direction=HIGHER,
        denominator=_("cohort: accounts that first reached the step in the period"),
    ),
    Family.JOURNEY_CONVERSION: dict(
        unit=Unit.PERCENT,
        direction=HIGHER,
        denominator=_("cohort: accounts that first reached step 1 in the period"),
    ),
    Family.DAYS_TO_CONVERT: dict(unit=Unit.DAYS, direction=LOWER, denominator=None),
    Family.VALUE_POINTS_ON_TIME: dict(
        unit=Unit.PERCENT,
        direction=HIGHER,
        denominator=_("value points due, of accounts that started in the period"),
    ),
    Family.TRAINING_COMPLETION: dict(
        unit=Unit.PERCENT,
        direction=HIGHER,
        denominator=_("training modules assigned by the end of the period"),
    ),
    Family.STEP_EVENTS_RECORDED: dict(
        unit=Unit.COUNT, direction=HIGHER, denominator=None
    ),
    Family.CONVERSIONS_COMPLETED: dict(
        unit=Unit.COUNT,
        direction=HIGHER,
        denominator=_(
            "ranked by count; the minimum applies to the accounts that first "
            "reached the step in the period"
        ),
    ),
    Family.VALUE_POINTS_REACHED: dict(
        unit=Unit.COUNT,
        direction=HIGHER,
        denominator=_(
            "ranked by count; the minimum applies to the accounts that started "
            "the journey in the period"
        ),
    ),
    Family.NRR: dict(unit=Unit.PERCENT, direction=HIGHER, denominator=_OF_STARTING_ARR),
    Family.GRR: dict(unit=Unit.PERCENT, direction=HIGHER, denominator=_OF_STARTING_ARR),
    Family.UPSELL: dict(
        unit=Unit.PERCENT, direction=HIGHER, denominator=_OF_STARTING_ARR
    ),
    Family.EXPANSION: dict(
        unit=Unit.PERCENT, direction=HIGHER, denominator=_OF_STARTING_ARR
    ),
    Family.CROSS_SELL: dict(
        unit=Unit.PERCENT, direction=HIGHER, denominator=_OF_STARTING_ARR
    ),
    Family.DOWNSELL: dict(
        unit=Unit.PERCENT, direction=LOWER, denominator=_OF_STARTING_ARR
    ),
    Family.CHURNED_ARR: dict(
        unit=Unit.PERCENT, direction=LOWER, denominator=_OF_STARTING_ARR
    ),
    Family.NEW_ARR: dict(unit=Unit.YEN, direction=HIGHER, denominator=None),
    Family.REACTIVATED_ARR: dict(unit=Unit.YEN, direction=HIGHER, denominator=None),
    Family.LOGO_CHURN: dict(
        unit=Unit.PERCENT,
        direction=LOWER,
        denominator=_("accounts with ARR at the start of the month"),
    ),
    Family.ARR_PER_CSM: dict(
        unit=Unit.YEN,
        direction=HIGHER,
        denominator=_("CSMs: members owning an account at the start of the month"),
    ),
    Family.ACCOUNTS_PER_CSM: dict(
        unit=Unit.RATIO,
        direction=HIGHER,
        denominator=_("CSMs: members owning an account at the start of the month"),
    ),
}

_REVENUE_LABELS = {
    Family.NRR: _("NRR (net revenue retention)"),
    Family.GRR: _("GRR (gross revenue retention)"),
    Family.UPSELL: _("Upsell (share of starting ARR)"),
    Family.EXPANSION: _("Expansion (share of starting ARR)"),
    Family.CROSS_SELL: _("Cross-sell (share of starting ARR)"),
    Family.DOWNSELL: _("Downsell (share of starting ARR)"),
    Family.CHURNED_ARR: _("Churned ARR (share of starting ARR)"),
    Family.NEW_ARR: _("New ARR"),
    Family.REACTIVATED_ARR: _("Reactivated ARR"),
    Family.LOGO_CHURN: _("Logo churn"),
    Family.ARR_PER_CSM: _("ARR per CSM"),
    Family.ACCOUNTS_PER_CSM: _("Accounts per CSM"),
}


@dataclass(frozen=True)
class Metric:
    key: str
    family: str
    label: str | Promise
    unit: str
    direction: str
    denominator: str | Promise | None
    journey_id: int | None = None
    step_id: int | None = None
    # A cohort metric's window (days after a cohort's first reach): its figures
    # become final at the latest this long after the period ends.
    window_days: int | None = None

    @property
    def has_denominator(self) -> bool:
        """Only a metric with a denominator can be an award metric (METRICS.md)."""
        return self.denominator is not None

    @property
    def is_conversion(self) -> bool:
        return self.family in (Family.STEP_CONVERSION, Family.JOURNEY_CONVERSION)

    @property
    def is_flow(self) -> bool:
        return self.family in FLOW_FAMILIES

    @property
    def is_revenue(self) -> bool:
        return self.family in REVENUE_FAMILIES

    @property
    def max_value(self) -> float | None:
        """The largest value a target or a threshold may take: 1 (100 %) for a
        percentage, none for NRR (it passes 100 % when accounts grow) and the
        other units."""
        if self.unit == Unit.PERCENT and self.family not in UNBOUNDED_PERCENT:
            return 1.0
        return None

    @property
    def is_count(self) -> bool:
        """Ranked by the count itself; the denominator only sets the minimum."""
        return self.unit == Unit.COUNT

    def better(self, value: float, other: float) -> bool:
        """Is `value` better than `other` by the metric's direction?"""
        return value > other if self.direction == HIGHER else value < other

    def final_at(self, period: Period) -> datetime:
        """When the period's figure becomes final (METRICS.md): the period's end
        for a flow metric (and for training completion and events recorded); for a
        cohort metric the end of the last window of the period's cohorts, at the
        latest the period's end plus the window. A window is days × 24 hours (as
        the rollup measures it), so it is added to the instant, not the wall clock
        (which a change of summer time would shift by an hour)."""
        if self.window_days is None:
            return period.end_at
        window_end = period.end_at.astimezone(UTC) + timedelta(days=self.window_days)
        return window_end.astimezone(tz())


def _metric(family: str, key: str, label, **ids) -> Metric:
    return Metric(key=key, family=family, label=label, **_FAMILIES[family], **ids)


def transition_label(step: Step, next_step: Step) -> str:
    return f"{step.position}. {step.name} → {next_step.position}. {next_step.name}"


def journey_window_days(journey: Journey, steps: list[Step]) -> int:
    """METRICS.md: the journey's own window, else the sum of steps 1..n−1's."""
    if journey.conversion_window_days:
        return journey.conversion_window_days
    return sum(step.conversion_window_days for step in steps[:-1])


def journey_metrics(journey: Journey, steps: list[Step]) -> list[Metric]:
    """The metrics of one journey, from its current steps in order."""
    metrics = []
    for step, next_step in zip(steps, steps[1:], strict=False):
        transition = transition_label(step, next_step)
        metrics.append(
            _metric(
                Family.STEP_CONVERSION,
                f"{Family.STEP_CONVERSION}:{step.pk}",
                _("Conversion %(transition)s (%(journey)s)")
                % {"transition": transition, "journey": journey.name},
                journey_id=journey.pk,
                step_id=step.pk,
                window_days=step.conversion_window_days,
            )
        )
    if len(steps) >= 2:
        metrics.append(
            _metric(
                Family.JOURNEY_CONVERSION,
                f"{Family.JOURNEY_CONVERSION}:{journey.pk}",
                _("Journey conversion (%(journey)s)") % {"journey": journey.name},
                journey_id=journey.pk,
                step_id=steps[0].pk,
                window_days=journey_window_days(journey, steps),
            )
        )
    for step, next_step in zip(steps, steps[1:], strict=False):
        metrics.append(
            _metric(
                Family.DAYS_TO_CONVERT,
                f"{Family.DAYS_TO_CONVERT}:{step.pk}",
                _("Median days to convert %(transition)s (%(journey)s)")
                % {
                    "transition": transition_label(step, next_step),
                    "journey": journey.name,
                },
                journey_id=journey.pk,
                step_id=step.pk,
                window_days=step.conversion_window_days,
            )
        )
    value_points = [step for step in steps if step.is_value_point]
    if value_points:
        metrics.append(
            _metric(
                Family.VALUE_POINTS_ON_TIME,
                f"{Family.VALUE_POINTS_ON_TIME}:{journey.pk}",
                _("Value points on time (%(journey)s)") % {"journey": journey.name},
                journey_id=journey.pk,
                window_days=max(step.target_days or 0 for step in value_points),
            )
        )
    for step, next_step in zip(steps, steps[1:], strict=False):
        metrics.append(
            _metric(
                Family.CONVERSIONS_COMPLETED,
                f"{Family.CONVERSIONS_COMPLETED}:{step.pk}",
                _("Conversions completed %(transition)s (%(journey)s)")
                % {
                    "transition": transition_label(step, next_step),
                    "journey": journey.name,
                },
                journey_id=journey.pk,
                step_id=step.pk,
            )
        )
    if value_points:
        metrics.append(
            _metric(
                Family.VALUE_POINTS_REACHED,
                f"{Family.VALUE_POINTS_REACHED}:{journey.pk}",
                _("Value points reached on time (%(journey)s)")
                % {"journey": journey.name},
                journey_id=journey.pk,
                step_id=steps[0].pk,
            )
        )
    return metrics


def current_steps_by_journey(journeys=None) -> dict[Journey, list[Step]]:
    """Every journey (or the given ones) with its current steps in order (1 query)."""
    steps = Step.objects.filter(position__isnull=False).select_related("journey")
    if journeys is not None:
        steps = steps.filter(journey__in=journeys)
    by_journey: dict[Journey, list[Step]] = {}
    for step in steps.order_by("journey__name", "journey_id", "position"):
        by_journey.setdefault(step.journey, []).append(step)
    return by_journey


def training_metric() -> Metric:
    """Training completion: a metric of every member, whatever the journeys (no
    query)."""
    return _metric(
        Family.TRAINING_COMPLETION,
        Family.TRAINING_COMPLETION,
        _("Training completion"),
    )


def revenue_metrics() -> list[Metric]:
    """The revenue KPIs: metrics of every member, team and pool, whatever the
    journeys (no query). Final when the month ends, like a flow metric."""
    return [
        _metric(family, family, _REVENUE_LABELS[family]) for family in REVENUE_FAMILIES
    ]


def catalogue(
    *,
    active_only: bool = True,
    steps_by_journey: dict[Journey, list[Step]] | None = None,
) -> list[Metric]:
    """Every metric: each journey's, then the ones of every member. One query, none
    given the `current_steps_by_journey()` a page already read."""
    if steps_by_journey is None:
        steps_by_journey = current_steps_by_journey()
    metrics = []
    for journey, steps in steps_by_journey.items():
        if journey.is_active or not active_only:
            metrics.extend(journey_metrics(journey, steps))
    metrics.append(training_metric())
    metrics.append(
        _metric(
            Family.STEP_EVENTS_RECORDED,
            Family.STEP_EVENTS_RECORDED,
            _("Step events recorded"),
        )
    )
    metrics.extend(revenue_metrics())
    return metrics


def metric_by_key(key: str, *, metrics: list[Metric] | None = None) -> Metric | None:
    """The catalogue's metric of that key (active or not), or None."""
    for metric in metrics if metrics is not None else catalogue(active_only=False):
        if metric.key == key:
            return metric
    return None


def format_value(metric: Metric, value: float | None) -> str:
    """A figure as people read it: 66.7 %, 39.5 days, 12, ¥1,200,000, 12.5; an em
    dash for none."""
    if value is None:
        return "—"
    if metric.unit == Unit.PERCENT:
        return f"{value * 100:.1f} %"
    if metric.unit == Unit.YEN:
        return f"¥{round(value):,}"
    if metric.unit == Unit.RATIO:
        return f"{value:.1f}"
    # Days and counts alike: 39.5, 12.
    return f"{value:g}"


# Periods ------------------------------------------------------------------------

PERIOD_MONTH = "month"
PERIOD_QUARTER = "quarter"
PERIOD_LAST = "last"
LAST_MONTHS = (3, 6, 12)

_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_RE = re.compile(r"^FY(\d{4})-Q([1-4])$")
_LAST_RE = re.compile(r"^last-(\d+)$")


def tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    """The first instant of a day in TIME_ZONE."""
    return datetime.combine(day, time.min, tzinfo=tz())


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_of(moment: datetime) -> date:
    """The first day of the month `moment` falls in, in TIME_ZONE."""
    local = moment.astimezone(tz())
    return date(local.year, local.month, 1)


def month_start(month: date) -> datetime:
    """The first instant of the month in TIME_ZONE."""
    return day_start(month.replace(day=1))


def month_end_day(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def fiscal_year_of(month: date) -> int:
    """The fiscal year a month belongs to, named by the year it starts in."""
    start = settings.FISCAL_YEAR_START_MONTH
    return month.year if month.month >= start else month.year - 1


def quarter_of(month: date) -> tuple[int, int]:
    start = settings.FISCAL_YEAR_START_MONTH
    offset = (month.month - start) % 12
    return fiscal_year_of(month), offset // 3 + 1


@dataclass(frozen=True)
class Period:
    kind: str
    first_month: date
    last_month: date
    key: str
    running: bool = False

    @property
    def months(self) -> list[date]:
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month = add_months(month, 1)
        return months

    @property
    def start_at(self) -> datetime:
        return month_start(self.first_month)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period."""
        return month_start(add_months(self.last_month, 1))

    @property
    def last_day(self) -> date:
        return month_end_day(self.last_month)

    @property
    def label(self) -> str:
        if self.kind == PERIOD_MONTH:
            text = month_label(self.first_month)
        elif self.kind == PERIOD_QUARTER:
            year, quarter = quarter_of(self.first_month)
            text = str(
                pgettext_lazy("fiscal quarter", "FY%(year)s Q%(quarter)s")
                % {"year": year, "quarter": quarter}
            )
        else:
            text = str(
                _("Last %(count)s months (%(first)s – %(last)s)")
                % {
                    "count": len(self.months),
                    "first": month_label(self.first_month),
                    "last": month_label(self.last_month),
                }
            )
        if self.running:
            text = str(_("%(period)s (running)") % {"period": text})
        return text


def month_label(month: date) -> str:
    """A month as people read it in the current language: 2026年4月, Apr 2026."""
    return date_format(month, "YEAR_MONTH_FORMAT")


def this_month(today: date | None = None) -> date:
    today = today or timezone.localdate()
    return today.replace(day=1)


def month_period(month: date, *, today: date | None = None) -> Period:
    month = month.replace(day=1)
    return Period(
        PERIOD_MONTH,
        month,
        month,
        f"{month:%Y-%m}",
        running=month == this_month(today),
    )


def quarter_period(year: int, quarter: int, *, today: date | None = None) -> Period:
    first = add_months(
        date(year, settings.FISCAL_YEAR_START_MONTH, 1), 3 * (quarter - 1)
    )
    last = add_months(first, 2)
    return Period(
        PERIOD_QUARTER,
        first,
        last,
        f"FY{year}-Q{quarter}",
        running=first <= this_month(today) <= last,
    )


def last_months_period(count: int, *, today: date | None = None) -> Period:
    """The `count` complete months before the current one."""
    current = this_month(today)
    return Period(
        PERIOD_LAST,
        add_months(current, -count),
        add_months(current, -1),
        f"last-{count}",
    )


def parse_period(key: str, *, today: date | None = None) -> Period:
    """`2026-04`, `FY2026-Q1` (fiscal quarters) or `last-3`, `last-6`, `last-12`.
    Raises ValueError with a translated message."""
    key = (key or "").strip()
    if match := _MONTH_RE.match(key):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and 2000 <= year <= 2999:
            return month_period(date(year, month, 1), today=today)
    elif match := _QUARTER_RE.match(key):
        year = int(match[1])
        if 2000 <= year <= 2999:
            return quarter_period(year, int(match[2]), today=today)
    elif (match := _LAST_RE.match(key)) and int(match[1]) in LAST_MONTHS:
        return last_months_period(int(match[1]), today=today)
    raise ValueError(
        _(
            "Unknown period “%(key)s”: use a month (2026-04), a fiscal quarter "
            "(FY2026-Q1) or last-3, last-6, last-12."
        )
        % {"key": key}
    )


def period_choices(*, today: date | None = None, months: int = 12) -> list[Period]:
    """What a period selector offers: the running month, recent months, recent
    quarters and the last 3/6/12 months."""
    current = this_month(today)
    choices = [
        month_period(add_months(current, -n), today=today) for n in range(months)
    ]
    seen = set()
    for n in range(0, months, 3):
        year, quarter = quarter_of(add_months(current, -n))
        if (year, quarter) not in seen:
            seen.add((year, quarter))
            choices.append(quarter_period(year, quarter, today=today))
    choices.extend(last_months_period(count, today=today) for count in LAST_MONTHS)
    return choices
