"""Test data for assessments, development plans and promotion criteria.

Figures are built as the rollup writes them: one `AccountTransition` row per
account (what periods longer than a month aggregate) and the member's monthly
`MemberFigure` (what a single month reads), consistent with each other.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from hiring.models import Competency
from journeys.models import TrainingCompletion
from recognition import metrics
from recognition.models import (
    AccountTransition,
    CareerLevel,
    CompetencyAssessment,
    CompetencyCriterion,
    CompetencyRating,
    ConversionKind,
    MemberFigure,
    MemberLevel,
    MetricCriterion,
    PromotionStep,
)
from tests.factories import CompetencyFactory
from tests.journeys.factories import CustomerAccountFactory


def complete_months(count: int) -> list[date]:
    """The last `count` complete months, oldest first."""
    return metrics.last_months_period(count).months


def assess(member, by, ratings: dict, *, when: datetime | None = None):
    """An assessment with `ratings = {competency: rating}` (evidence filled in)."""
    assessment = CompetencyAssessment.objects.create(
        member=member, assessed_by=by, assessed_at=when or timezone.now()
    )
    for competency, rating in ratings.items():
        CompetencyRating.objects.create(
            assessment=assessment,
            competency=competency,
            rating=rating,
            evidence=f"seen {rating}",
        )
    return assessment


def competencies(*names) -> list[Competency]:
    return [CompetencyFactory(name=name, name_en=name) for name in names]


def conversions(
    member,
    step,
    month: date,
    *,
    converted: int,
    cohort: int,
    provisional: bool = False,
    days: int = 10,
    monthly: bool = True,
):
    """`cohort` accounts of `member` first reached `step` in `month`, `converted`
    of them moved on (in `days` days): the per-account rows and, with `monthly`,
    the member's monthly figure."""
    reached = metrics.month_start(month) + timedelta(days=2, hours=3)
    window_end = reached + timedelta(days=step.conversion_window_days)
    now = timezone.now()
    # Final cohorts have their windows behind them; provisional ones still open.
    if provisional:
        window_end = max(window_end, now + timedelta(days=30))
    else:
        window_end = min(window_end, now - timedelta(seconds=1))
    for number in range(cohort):
        account = CustomerAccountFactory(journey=step.journey)
        is_converted = number < converted
        AccountTransition.objects.create(
            account=account,
            journey=step.journey,
            from_step=step,
            kind=ConversionKind.STEP,
            member=member,
            cohort_month=month,
            computed_at=now,
            reached_at=reached,
            window_ends_at=window_end,
            converted=is_converted,
            converted_at=reached + timedelta(days=days) if is_converted else None,
            days_to_convert=days if is_converted else None,
        )
    if monthly:
        MemberFigure.objects.update_or_create(
            member=member,
            metric=f"step_conversion:{step.pk}",
            month=month,
            defaults={
                "value": converted / cohort if cohort else None,
                "numerator": converted,
                "denominator": cohort,
                "provisional": provisional and converted < cohort,
                "final_at": window_end if provisional and converted < cohort else None,
                "computed_at": now,
            },
        )


def month_figure(
    member, metric: str, month: date, *, value, numerator=None, denominator=None
):
    return MemberFigure.objects.create(
        member=member,
        metric=metric,
        month=month,
        value=value,
        numerator=numerator,
        denominator=denominator,
        computed_at=timezone.now(),
    )


def passed(member, module, *, when: datetime | None = None):
    return TrainingCompletion.objects.create(
        member=member,
        module=module,
        completed_at=when or timezone.now() - timedelta(days=1),
        passed=True,
    )


def ladder(*names) -> list[CareerLevel]:
    return [
        CareerLevel.objects.create(name=name, name_en=name, position=position)
        for position, name in enumerate(names, start=1)
    ]


def step_up(
    from_level,
    to_level,
    *,
    metric_criteria=(),
    competency_criteria=(),
    modules=(),
) -> PromotionStep:
    """`metric_criteria`: (metric key, "gte"|"lte", value, months);
    `competency_criteria`: (competency, minimum rating)."""
    step = PromotionStep.objects.create(from_level=from_level, to_level=to_level)
    for metric, comparison, value, months in metric_criteria:
        MetricCriterion.objects.create(
            promotion=step,
            metric=metric,
            comparison=comparison,
            value=value,
            months=months,
        )
    for competency, minimum in competency_criteria:
        CompetencyCriterion.objects.create(
            promotion=step, competency=competency, minimum_rating=minimum
        )
    step.required_modules.set(modules)
    return step


def at_level(member, level, *, since: date | None = None, by=None) -> MemberLevel:
    return MemberLevel.objects.create(
        member=member,
        level=level,
        since=since or date(2025, 4, 1),
        decided_by=by,
    )


def noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=metrics.tz())
