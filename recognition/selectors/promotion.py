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

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.models import Team, TeamMembership, User
from journeys.models import Coverage, PoolMembership, TrainingModule
from journeys.selectors import training_status

from .. import metrics, permissions
from ..metrics import Metric
from ..models import (
    CareerLevel,
    CareerTrack,
    Comparison,
    CompetencyCriterion,
    CompetencyRating,
    MemberLevel,
    MetricCriterion,
    PromotionStep,
)
from .development import latest_assessment_per_member
from .page_figures import member_period_figures

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


# --- Tracks ---------------------------------------------------------------------------


def tracks() -> list[CareerTrack]:
    """Every track, the default first (one query)."""
    return list(
        CareerTrack.objects.select_related("team", "journey").order_by(
            "-is_default", "name", "pk"
        )
    )


def default_track() -> CareerTrack | None:
    return CareerTrack.objects.filter(is_default=True).first()


def track_kind(track: CareerTrack) -> str:
    if track.team_id:
        return _("team %(team)s") % {"team": track.team.name}
    if track.journey_id:
        return _("journey %(journey)s") % {"journey": track.journey.name}
    return _("everyone else")


def visible_tracks(viewer, *, every: list | None = None) -> list[CareerTrack]:
    """The tracks whose ladder the viewer reads: every one for admins; for others
    the default track, the journeys' tracks and the tracks of the teams they
    belong to or lead today (another team's track answers 404). One query more
    than `tracks()`, only when some track is a team's."""
    every = tracks() if every is None else every
    if permissions.manages_recognition(viewer) or not any(t.team_id for t in every):
        return every
    today = timezone.localdate()
    teams = set(
        Team.objects.filter(
            Q(leader=viewer)
            | Q(
                memberships__user=viewer,
                memberships__start_date__lte=today,
            )
            & (
                Q(memberships__end_date__isnull=True)
                | Q(memberships__end_date__gte=today)
            )
        ).values_list("pk", flat=True)
    )
    return [t for t in every if t.team_id is None or t.team_id in teams]


def member_tracks(
    member_ids, *, today=None, every: list | None = None
) -> dict[int, CareerTrack | None]:
    """member id → the track they are judged on: the track of a team they belong
    to today (or of its parent team), else the track of the journey of most of
    the accounts they cover today (their own and their pools'), else the default
    track. At most four queries, whatever the number of members."""
    today = today or timezone.localdate()
    member_ids = list(member_ids)
    every = tracks() if every is None else every
    default = next((t for t in every if t.is_default), None)
    by_team = {t.team_id: t for t in every if t.team_id}
    by_journey = {t.journey_id: t for t in every if t.journey_id}
    found: dict[int, CareerTrack | None] = {}
    if by_team and member_ids:
        memberships = (
            TeamMembership.objects.active_on(today)
            .filter(user_id__in=member_ids)
            .values_list("user_id", "team_id", "team__parent_id")
            .order_by("start_date", "pk")
        )
        for user_id, team_id, parent_id in memberships:
            track = by_team.get(team_id) or by_team.get(parent_id)
            if track is not None and user_id not in found:
                found[user_id] = track
    rest = [pk for pk in member_ids if pk not in found]
    if by_journey and rest:
        counts: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
        owned = (
            Coverage.objects.filter(ended_at__isnull=True, owner_id__in=rest)
            .values_list("owner_id", "account__journey_id")
            .annotate(n=Count("account"))
            .order_by()
        )
        for user_id, journey_id, n in owned:
            counts[user_id][journey_id] += n
        pooled = (
            PoolMembership.objects.filter(user_id__in=rest, start_date__lte=today)
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
            .filter(pool__coverage__ended_at__isnull=True)
            .values_list("user_id", "pool__coverage__account__journey_id")
            .annotate(n=Count("pool__coverage"))
            .order_by()
        )
        for user_id, journey_id, n in pooled:
            if journey_id is not None:
                counts[user_id][journey_id] += n
        for user_id, by_count in counts.items():
            ranked = sorted(
                (j for j in by_count if j in by_journey),
                key=lambda j: (-by_count[j], j),
            )
            if ranked:
                found[user_id] = by_journey[ranked[0]]
    for pk in member_ids:
        found.setdefault(pk, default)
    return found


def member_track(member, *, today=None, every=None) -> CareerTrack | None:
    return member_tracks([member.pk], today=today, every=every)[member.pk]


# --- Steps ----------------------------------------------------------------------------


def ladder_steps(track_ids=None) -> list[PromotionStep]:
    """Every step up with its criteria (of these tracks), in ladder order (four
    queries)."""
    steps = PromotionStep.objects.all()
    if track_ids is not None:
        steps = steps.filter(track_id__in=list(track_ids))
    return list(
        steps.select_related("from_level", "to_level", "track")
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


def ladder(track: CareerTrack | None = None) -> list[LadderRung]:
    """The levels in order, each with the step up from it on the track (the
    default track when none is given) and its criteria in words. Six queries."""
    if track is None:
        track = default_track()
    steps = (
        {step.from_level_id: step for step in ladder_steps([track.pk])}
        if track is not None
        else {}
    )
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
    # The figure it rests on is provisional (METRICS.md): a cohort whose window
    # has not ended yet may still convert, so the verdict may change.
    provisional: bool = False

    def as_json(self) -> dict:
        return {
            "provisional": self.provisional,
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
    track: CareerTrack | None = None

    @property
    def provisional(self) -> bool:
        """Some criterion rests on provisional figures."""
        return any(criterion.provisional for criterion in self.criteria)

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
            "track": self.track.name if self.track else None,
            "provisional": self.provisional,
            "from_level": self.level.level.name if self.level else None,
            "to_level": self.next_level.name if self.next_level else None,
            "ready": self.ready,
            "met": self.met_count,
            "total": len(self.criteria),
            "criteria": [criterion.as_json() for criterion in self.criteria],
        }


def _metric_results(
    steps_by_member, member_ids, today, catalogue=None, as_of=None
) -> dict:
    """(member id, criterion id) → CriterionResult; one figures read per distinct
    number of months among the criteria (and the catalogue's, unless given; with
    `as_of`, `page_figures.member_period_figures`)."""
    if catalogue is None:
        catalogue = metrics.catalogue(active_only=False)
    catalogue = {m.key: m for m in catalogue}
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
            figures[months] = member_period_figures(
                member_ids=members, metrics=found, period=period, as_of=as_of
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
                provisional=bool(figure and figure.provisional and value is not None),
            )
    return results


def ratings_of(assessments) -> dict[int, tuple[datetime, dict[int, int]]]:
    """`_latest_ratings` of latest assessments already read with their ratings
    (`development.latest_assessments`); None values are members never assessed."""
    return {
        assessment.member_id: (
            assessment.assessed_at,
            {
                rating.competency_id: rating.rating
                for rating in assessment.ratings.all()
            },
        )
        for assessment in assessments
        if assessment is not None
    }


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
    """(member id, module id) → first pass, from `journeys.selectors.training_status`
    (the one reading of training)."""
    return {
        key: status.passed_at
        for key, status in training_status(
            member_ids, module_ids, with_due=False
        ).items()
        if status.is_passed
    }


def _day(moment: datetime) -> str:
    """The local day of a moment, as the reader's language writes dates."""
    return date_format(timezone.localdate(moment), "DATE_FORMAT")


def readiness_for(
    members: list[User],
    *,
    now: datetime | None = None,
    catalogue: list[Metric] | None = None,
    levels: dict[int, MemberLevel] | None = None,
    ratings: dict | None = None,
    as_of: datetime | None = None,
) -> dict[int, Readiness]:
    """member id → Readiness for the step up from their current level. What the
    caller already read is not read again: `catalogue` (`metrics.catalogue(
    active_only=False)`), `levels` (`current_levels`), `ratings` (as
    `_latest_ratings` gives them, `ratings_of`), `as_of` (the figures' instant,
    `page_figures.as_of_run`)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    member_ids = [member.pk for member in members]
    if levels is None:
        levels = current_levels(member_ids)
    track_of = member_tracks(member_ids, today=today)
    steps = (
        {
            (step.track_id, step.from_level_id): step
            for step in ladder_steps({t.pk for t in track_of.values() if t})
        }
        if levels
        else {}
    )
    steps_by_member = {
        member_id: steps.get(
            (getattr(track_of.get(member_id), "pk", None), level.level_id)
        )
        for member_id, level in levels.items()
    }
    metric_results = _metric_results(
        steps_by_member, member_ids, today, catalogue, as_of
    )
    needs_ratings = any(
        step and step.competency_criteria.all() for step in steps_by_member.values()
    )
    if ratings is None:
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
                                "date": _day(assessed_at),
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
                        actual=(_("passed on %(date)s") % {"date": _day(passed_at)})
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
            track=track_of.get(member.pk),
        )
    return found


def readiness_of(member: User, *, now: datetime | None = None, **read) -> Readiness:
    """`read`: what the caller already read (`readiness_for`)."""
    return readiness_for([member], now=now, **read)[member.pk]


# --- Pages ---------------------------------------------------------------------------


@dataclass
class ReadinessSection:
    member: User
    readiness: Readiness
    history: list[MemberLevel]
    can_record: bool


def member_readiness(
    *, member, viewer, seen: bool = False, catalogue=None, ratings=None, as_of=None
):
    """The member page's section (and the readiness page): current level, the
    criteria of the step up, the level history; None when the viewer does not see
    the member (`seen`: the caller read the member through `visible_members(viewer)`;
    `catalogue` and `ratings` as `readiness_for` takes them)."""
    if (
        not seen
        and not permissions.visible_members(viewer).filter(pk=member.pk).exists()
    ):
        return None
    history = level_history(member)
    return ReadinessSection(
        member=member,
        # The current level is the history's latest (`current_levels`' order).
        readiness=readiness_of(
            member,
            catalogue=catalogue,
            levels={member.pk: history[0]} if history else {},
            ratings=ratings,
            as_of=as_of,
        ),
        history=history,
        can_record=permissions.coaches_visible(viewer, member),
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
