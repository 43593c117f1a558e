"""Reads: the career ladder and promotion readiness.

A member's current level is their latest `MemberLevel` (by date, then by record);
the criteria that apply are those of the step up from that level. Each criterion is
met or not, with the member's actual value:
- a metric threshold compares the member's figure over the last N complete months
  (`metrics.last_months_period`) with the value, at least or at most; a metric
  without a figure (an empty cohort, nothing recorded) is not met: no data;
- a minimum competency rating reads the member's latest assessment; a competency it
  does not rate is not met: not assessed;
- a required training module is met once the member passed it (quiz passed when it
  has one).
A member is ready when there is a next level and every criterion is met. Readiness
of any number of members is read in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Min, OuterRef, Prefetch, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import User
from journeys.models import TrainingCompletion, TrainingModule

from .. import metrics, permissions
from ..models import (
    CareerLevel,
    Comparison,
    CompetencyCriterion,
    CompetencyRating,
    MemberLevel,
    MetricCriterion,
    PromotionStep,
)
from .development import latest_assessment_per_member
from .figures import member_figures

KIND_METRIC = "metric"
KIND_COMPETENCY = "competency"
KIND_TRAINING = "training"

# Fractions such as 7/10 against a threshold typed as 70 %.
MARGIN = 1e-9


def level_name(level: CareerLevel | None) -> str:
    if level is None:
        return ""
    if (get_language() or "").startswith("en") and level.name_en:
        return level.name_en
    return level.name


def compare(comparison: str, value: float, threshold: float) -> bool:
    if comparison == Comparison.AT_MOST:
        return value <= threshold + MARGIN
    return value >= threshold - MARGIN


def comparison_sign(comparison: str) -> str:
    return "≤" if comparison == Comparison.AT_MOST else "≥"


# --- The ladder ----------------------------------------------------------------------


def ladder_steps() -> list[PromotionStep]:
    """Every step up with its criteria, in ladder order (four queries)."""
    return list(
        PromotionStep.objects.select_related("from_level", "to_level")
        .prefetch_related(
            Prefetch(
                "metric_criteria", queryset=MetricCriterion.objects.order_by("id")
            ),
            Prefetch(
                "competency_criteria",
                queryset=CompetencyCriterion.objects.select_related(
                    "competency"
                ).order_by("competency__category", "competency__name"),
            ),
            Prefetch(
                "required_modules",
                queryset=TrainingModule.objects.select_related(
                    "from_step__journey"
                ).order_by("title", "pk"),
            ),
        )
        .order_by("from_level__position")
    )


def metric_requirement(criterion: MetricCriterion, metric) -> str:
    value = (
        metrics.format_value(metric, criterion.value)
        if metric
        else f"{criterion.value:g}"
    )
    return _("%(sign)s %(value)s over the last %(months)s months") % {
        "sign": comparison_sign(criterion.comparison),
        "value": value,
        "months": criterion.months,
    }


@dataclass
class LadderRung:
    level: CareerLevel
    name: str
    step: PromotionStep | None
    next_name: str = ""
    metric_rows: list = field(default_factory=list)  # (criterion, label, requirement)


def ladder() -> list[LadderRung]:
    """The levels in order, each with the step up from it and its criteria in
    words. Six queries."""
    steps = {step.from_level_id: step for step in ladder_steps()}
    catalogue = {m.key: m for m in metrics.catalogue(active_only=False)}
    rungs = []
    for level in CareerLevel.objects.order_by("position"):
        step = steps.get(level.pk)
        rows = []
        if step is not None:
            for criterion in step.metric_criteria.all():
                metric = catalogue.get(criterion.metric)
                rows.append(
                    (
                        criterion,
                        _metric_label(criterion.metric, metric),
                        metric_requirement(criterion, metric),
                    )
                )
        rungs.append(
            LadderRung(
                level=level,
                name=level_name(level),
                step=step,
                next_name=level_name(step.to_level) if step else "",
                metric_rows=rows,
            )
        )
    return rungs


def _metric_label(key: str, metric) -> str:
    if metric is None:
        return _("%(key)s (no longer in the catalogue)") % {"key": key}
    return str(metric.label)


# --- Current levels ------------------------------------------------------------------


def current_levels(member_ids) -> dict[int, MemberLevel]:
    """member id → their current level (one query)."""
    latest = MemberLevel.objects.filter(member=OuterRef("pk")).order_by("-since", "-id")
    current = User.objects.filter(pk__in=list(member_ids)).annotate(
        latest=Subquery(latest.values("pk")[:1])
    )
    return {
        row.member_id: row
        for row in MemberLevel.objects.filter(
            pk__in=current.filter(latest__isnull=False).values("latest")
        ).select_related("level", "decided_by")
    }


def level_history(member: User) -> list[MemberLevel]:
    return list(
        MemberLevel.objects.filter(member=member)
        .select_related("level", "decided_by")
        .order_by("-since", "-id")
    )


# --- Readiness -----------------------------------------------------------------------


@dataclass
class CriterionResult:
    kind: str
    label: str
    requirement: str
    actual: str
    met: bool
    no_data: bool = False
    value: float | None = None
    threshold: float | None = None

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "label": self.label,
            "requirement": self.requirement,
            "actual": self.actual,
            "met": self.met,
            "no_data": self.no_data,
            "value": self.value,
            "threshold": self.threshold,
        }


@dataclass
class Readiness:
    member: User
    level: MemberLevel | None
    step: PromotionStep | None
    criteria: list[CriterionResult]
    computed_at: datetime

    @property
    def next_level(self) -> CareerLevel | None:
        return self.step.to_level if self.step else None

    @property
    def met_count(self) -> int:
        return sum(criterion.met for criterion in self.criteria)

    @property
    def ready(self) -> bool:
        return self.step is not None and all(c.met for c in self.criteria)

    @property
    def level_name(self) -> str:
        return level_name(self.level.level) if self.level else ""

    @property
    def next_level_name(self) -> str:
        return level_name(self.next_level)

    def snapshot(self) -> dict:
        """What the decision was taken on, kept with the promotion."""
        return {
            "computed_at": self.computed_at.isoformat(),
            "from_level": self.level.level.name if self.level else None,
            "to_level": self.next_level.name if self.next_level else None,
            "ready": self.ready,
            "met": self.met_count,
            "total": len(self.criteria),
            "criteria": [criterion.as_json() for criterion in self.criteria],
        }


def _metric_results(steps_by_member, member_ids, today) -> dict:
    """(member id, criterion id) → CriterionResult; one figures read per distinct
    number of months among the criteria."""
    catalogue = {m.key: m for m in metrics.catalogue(active_only=False)}
    wanted = defaultdict(lambda: (set(), set()))  # months → (member ids, keys)
    for member_id in member_ids:
        step = steps_by_member.get(member_id)
        for criterion in step.metric_criteria.all() if step else ():
            members, keys = wanted[criterion.months]
            members.add(member_id)
            keys.add(criterion.metric)
    figures = {}
    for months, (members, keys) in wanted.items():
        found = [catalogue[key] for key in keys if key in catalogue]
        if found:
            period = metrics.last_months_period(months, today=today)
            figures[months] = member_figures(
                member_ids=members, metrics=found, period=period
            )
    results = {}
    for member_id in member_ids:
        step = steps_by_member.get(member_id)
        for criterion in step.metric_criteria.all() if step else ():
            metric = catalogue.get(criterion.metric)
            figure = figures.get(criterion.months, {}).get(
                (member_id, criterion.metric)
            )
            value = figure.value if figure else None
            if value is None or metric is None:
                actual, met = _("no data"), False
            else:
                actual = metrics.format_value(metric, value)
                if metric.unit == metrics.Unit.PERCENT and figure.denominator:
                    actual += f" ({figure.numerator}/{figure.denominator})"
                if figure.provisional:
                    actual += " " + _("(provisional)")
                met = compare(criterion.comparison, value, criterion.value)
            results[(member_id, criterion.pk)] = CriterionResult(
                kind=KIND_METRIC,
                label=_metric_label(criterion.metric, metric),
                requirement=metric_requirement(criterion, metric),
                actual=actual,
                met=met,
                no_data=value is None or metric is None,
                value=value,
                threshold=criterion.value,
            )
    return results


def _latest_ratings(member_ids) -> dict[int, tuple[datetime, dict[int, int]]]:
    """member id → (assessed at, {competency id: rating}) of the latest assessment.
    One query."""
    found: dict = {}
    ratings = CompetencyRating.objects.filter(
        assessment__in=latest_assessment_per_member(member_ids).values("pk")
    ).values_list(
        "assessment__member_id", "assessment__assessed_at", "competency_id", "rating"
    )
    for member_id, assessed_at, competency_id, rating in ratings:
        found.setdefault(member_id, (assessed_at, {}))[1][competency_id] = rating
    return found


def _passed_modules(member_ids, module_ids) -> dict[tuple[int, int], datetime]:
    if not module_ids:
        return {}
    return {
        (member_id, module_id): first
        for member_id, module_id, first in TrainingCompletion.objects.filter(
            member_id__in=list(member_ids), module_id__in=module_ids, passed=True
        )
        .values("member_id", "module_id")
        .annotate(first=Min("completed_at"))
        .values_list("member_id", "module_id", "first")
        .order_by()
    }


def readiness_for(
    members: list[User], *, now: datetime | None = None
) -> dict[int, Readiness]:
    """member id → Readiness for the step up from their current level."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    member_ids = [member.pk for member in members]
    levels = current_levels(member_ids)
    steps = {step.from_level_id: step for step in ladder_steps()} if levels else {}
    steps_by_member = {
        member_id: steps.get(level.level_id) for member_id, level in levels.items()
    }
    metric_results = _metric_results(steps_by_member, member_ids, today)
    needs_ratings = any(
        step and step.competency_criteria.all() for step in steps_by_member.values()
    )
    ratings = _latest_ratings(member_ids) if needs_ratings else {}
    module_ids = {
        module.pk
        for step in steps_by_member.values()
        if step
        for module in step.required_modules.all()
    }
    passed = _passed_modules(member_ids, module_ids)
    found = {}
    for member in members:
        step = steps_by_member.get(member.pk)
        criteria = []
        if step is not None:
            criteria.extend(
                metric_results[(member.pk, criterion.pk)]
                for criterion in step.metric_criteria.all()
            )
            assessed_at, rated = ratings.get(member.pk, (None, {}))
            for criterion in step.competency_criteria.all():
                rating = rated.get(criterion.competency_id)
                criteria.append(
                    CriterionResult(
                        kind=KIND_COMPETENCY,
                        label=str(criterion.competency),
                        requirement=_("rated at least %(rating)s")
                        % {"rating": criterion.minimum_rating},
                        actual=(
                            _("%(rating)s (assessed %(date)s)")
                            % {
                                "rating": rating,
                                "date": timezone.localdate(assessed_at).isoformat(),
                            }
                        )
                        if rating is not None
                        else _("not assessed"),
                        met=rating is not None and rating >= criterion.minimum_rating,
                        no_data=rating is None,
                        value=rating,
                        threshold=criterion.minimum_rating,
                    )
                )
            for module in step.required_modules.all():
                passed_at = passed.get((member.pk, module.pk))
                criteria.append(
                    CriterionResult(
                        kind=KIND_TRAINING,
                        label=module.title,
                        requirement=_("passed"),
                        actual=(
                            _("passed on %(date)s")
                            % {"date": timezone.localdate(passed_at).isoformat()}
                        )
                        if passed_at
                        else _("not passed yet"),
                        met=passed_at is not None,
                    )
                )
        found[member.pk] = Readiness(
            member=member,
            level=levels.get(member.pk),
            step=step,
            criteria=criteria,
            computed_at=now,
        )
    return found


def readiness_of(member: User, *, now: datetime | None = None) -> Readiness:
    return readiness_for([member], now=now)[member.pk]


# --- Pages ---------------------------------------------------------------------------


@dataclass
class ReadinessSection:
    member: User
    readiness: Readiness
    history: list[MemberLevel]
    can_record: bool


def member_readiness(*, member, viewer):
    """The member page's section (and the readiness page): current level, the
    criteria of the step up, the level history; None when the viewer does not see
    the member."""
    if not permissions.visible_members(viewer).filter(pk=member.pk).exists():
        return None
    return ReadinessSection(
        member=member,
        readiness=readiness_of(member),
        history=level_history(member),
        can_record=permissions.coaches(viewer, member),
    )


def team_readiness(*, viewer, ready_only: bool = False) -> list[Readiness]:
    """Readiness of every member the viewer sees (their team's members; all for
    admins), ready members first."""
    members = list(
        permissions.visible_members(viewer).order_by(
            "family_name_reading", "given_name_reading", "username", "pk"
        )
    )
    rows = list(readiness_for(members).values())
    if ready_only:
        rows = [row for row in rows if row.ready]
    return sorted(rows, key=lambda row: not row.ready)
