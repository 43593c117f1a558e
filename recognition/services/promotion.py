"""Writes: the career ladder, promotion criteria and promotions.

Admins change the ladder and its criteria (`permissions.manages_recognition`). A
member's coaches (their leaders and admins, never themselves) record a promotion:
the new level, who decided, and the readiness report at that moment, kept as it was
then (later figures or criteria do not change it).
"""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from journeys.models import TrainingModule

from .. import metrics, permissions
from ..models import (
    CareerLevel,
    CareerTrack,
    Comparison,
    CompetencyCriterion,
    MemberLevel,
    MetricCriterion,
    PromotionStep,
)
from ..selectors import promotion as readiness
from .development import check_metric_value


def _require_admin(by: User) -> None:
    if not permissions.manages_recognition(by):
        raise PermissionError("Only admins change the career ladder.")


# --- Levels --------------------------------------------------------------------------


def level_save(
    *,
    level: CareerLevel,
    by: User,
    name: str,
    position: int,
    name_en: str = "",
    description: str = "",
) -> CareerLevel:
    _require_admin(by)
    level.name = (name or "").strip()
    level.name_en = (name_en or "").strip()
    level.position = position
    level.description = (description or "").strip()
    level.full_clean()
    level._history_user = by
    level.save()
    return level


# --- Promotion criteria --------------------------------------------------------------


def check_levels(from_level: CareerLevel | None, to_level: CareerLevel | None) -> None:
    """A step goes up the ladder: to a level above the one it starts from."""
    if from_level and to_level and to_level.position <= from_level.position:
        raise ValidationError(
            {"to_level": _("A promotion goes to a level above the one it starts from.")}
        )


def check_metric_criterion(*, metric: str, comparison: str, value, months) -> None:
    """A threshold on a metric of the catalogue (percentages as fractions 0–1)."""
    found = metrics.metric_by_key(metric, metrics=metrics.catalogue())
    if found is None:
        raise ValidationError({"metric": _("Choose a metric of the catalogue.")})
    if comparison not in Comparison.values:
        raise ValidationError({"comparison": _("Choose at least or at most.")})
    check_metric_value(found, value, field_name="value")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 24:
        raise ValidationError({"months": _("From 1 to 24 months.")})


def _check_criteria(
    metric_criteria: list[dict], competency_criteria: list[dict]
) -> None:
    problems = {}
    seen_metrics = set()
    for entry in metric_criteria:
        try:
            check_metric_criterion(**entry)
        except ValidationError as error:
            for name, texts in error.message_dict.items():
                problems.setdefault("metric_criteria", []).extend(
                    f"{entry.get('metric')}: {text}" if name != "metric" else text
                    for text in texts
                )
        key = (entry.get("metric"), entry.get("comparison"))
        if key in seen_metrics:
            problems.setdefault("metric_criteria", []).append(
                _("The same metric has two thresholds of the same kind.")
            )
        seen_metrics.add(key)
    seen = set()
    for entry in competency_criteria:
        competency = entry["competency"]
        rating = entry.get("minimum_rating")
        if not competency.is_active:
            problems.setdefault("competency_criteria", []).append(
                _("“%(competency)s” is no longer in use.") % {"competency": competency}
            )
        if (
            isinstance(rating, bool)
            or not isinstance(rating, int)
            or not 1 <= rating <= 4
        ):
            problems.setdefault("competency_criteria", []).append(
                _("The minimum rating of “%(competency)s” is from 1 to 4.")
                % {"competency": competency}
            )
        if competency.pk in seen:
            problems.setdefault("competency_criteria", []).append(
                _("“%(competency)s” appears twice.") % {"competency": competency}
            )
        seen.add(competency.pk)
    if problems:
        raise ValidationError(problems)


def step_save(
    *,
    step: PromotionStep,
    by: User,
    from_level: CareerLevel,
    to_level: CareerLevel,
    required_modules: list[TrainingModule],
    metric_criteria: list[dict],
    competency_criteria: list[dict],
    track: CareerTrack | None = None,
) -> PromotionStep:
    """Create or change a step up with all its criteria (the criteria given replace
    the step's), on `track` (a new step without one: the default track; a step
    keeps its track otherwise). `metric_criteria`: dicts of metric, comparison,
    value (a fraction for percentages), months; `competency_criteria`: dicts of
    competency and minimum_rating. One step up per level and track."""
    _require_admin(by)
    check_levels(from_level, to_level)
    if track is None:
        track = step.track if step.track_id else CareerTrack.default()
    if from_level is not None and (
        PromotionStep.objects.filter(track=track, from_level=from_level)
        .exclude(pk=step.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "from_level": _(
                    "This level already has its step up on the track “%(track)s”."
                )
                % {"track": track.name}
            }
        )
    _check_criteria(metric_criteria, competency_criteria)
    inactive = [m.title for m in required_modules if not m.is_active]
    if inactive:
        raise ValidationError(
            {
                "required_modules": _("No longer in use: %(names)s.")
                % {"names": ", ".join(inactive)}
            }
        )
    with transaction.atomic():
        unchanged = (
            step.pk is not None
            and step.from_level_id == from_level.pk
            and step.to_level_id == to_level.pk
            and step.track_id == track.pk
        )
        step.track = track
        step.from_level = from_level
        step.to_level = to_level
        step.full_clean()
        step._history_user = by
        if not unchanged:
            step.save()
        if set(step.required_modules.all()) != set(required_modules):
            step.required_modules.set(required_modules)
        _replace_criteria(
            step.metric_criteria.all(),
            {
                (entry["metric"], entry["comparison"]): {
                    "value": float(entry["value"]),
                    "months": entry["months"],
                }
                for entry in metric_criteria
            },
            by=by,
            key=lambda criterion: (criterion.metric, criterion.comparison),
            new=lambda key: MetricCriterion(
                promotion=step, metric=key[0], comparison=key[1]
            ),
        )
        _replace_criteria(
            step.competency_criteria.all(),
            {
                entry["competency"].pk: {"minimum_rating": entry["minimum_rating"]}
                for entry in competency_criteria
            },
            by=by,
            key=lambda criterion: criterion.competency_id,
            new=lambda key: CompetencyCriterion(promotion=step, competency_id=key),
        )
    return step


def _replace_criteria(existing, wanted: dict, *, by: User, key, new) -> None:
    """Make a step's criteria the wanted ones, one row at a time so that the audit
    history records each change: a criterion on the same metric and comparison (or
    competency) is updated in place, others are added or deleted. Unchanged rows
    are not written, so a save that changes nothing records nothing."""
    current = {key(criterion): criterion for criterion in existing}
    for criterion_key, criterion in current.items():
        if criterion_key not in wanted:
            criterion._history_user = by
            criterion.delete()
    for criterion_key, values in wanted.items():
        criterion = current.get(criterion_key) or new(criterion_key)
        criterion._history_user = by
        if criterion.pk and all(
            getattr(criterion, name) == value for name, value in values.items()
        ):
            continue
        for name, value in values.items():
            setattr(criterion, name, value)
        criterion.save()


def step_delete(*, step: PromotionStep, by: User) -> None:
    """Delete a step up; the audit history keeps it and each of its criteria."""
    _require_admin(by)
    with transaction.atomic():
        # One by one, so that each criterion's deletion is recorded with who did it.
        for criterion in [*step.metric_criteria.all(), *step.competency_criteria.all()]:
            criterion._history_user = by
            criterion.delete()
        step._history_user = by
        step.delete()


# --- Promotions ----------------------------------------------------------------------


def promotion_record(
    *,
    member: User,
    by: User,
    level: CareerLevel,
    since: date,
    note: str = "",
    now: datetime | None = None,
) -> MemberLevel:
    """Record the member's new level from `since`, with who decided and the
    readiness report for the step up from their current level as it is now. The
    first level of a member is recorded the same way (its report has no criteria)."""
    if not permissions.coaches(by, member):
        raise PermissionError("Only the member's leaders and admins record it.")
    now = now or timezone.now()
    today = timezone.localdate(now)
    report = readiness.readiness_of(member, now=now)
    errors = {}
    if report.level is not None and report.level.level_id == level.pk:
        errors["level"] = _("The member is already at this level.")
    if since > today:
        errors["since"] = _("A level is recorded from today or an earlier date.")
    elif report.level is not None and since < report.level.since:
        errors["since"] = _(
            "The member's current level starts on %(date)s: the new one cannot "
            "start earlier."
        ) % {"date": date_format(report.level.since, "DATE_FORMAT")}
    if errors:
        raise ValidationError(errors)
    snapshot = report.snapshot()
    snapshot["recorded_level"] = level.name
    snapshot["follows_ladder"] = bool(
        report.step and report.step.to_level_id == level.pk
    )
    with transaction.atomic():
        member_level = MemberLevel(
            member=member,
            level=level,
            since=since,
            decided_by=by,
            readiness=snapshot,
            note=(note or "").strip(),
        )
        member_level.full_clean()
        member_level.save()
    return member_level


# --- Tracks ---------------------------------------------------------------------------


def track_save(
    *, track: CareerTrack, by: User, name: str, team=None, journey=None
) -> CareerTrack:
    """Create or change a track: a team's or a journey's ladder (admins only)."""
    _require_admin(by)
    track.name = name
    track.team = team
    track.journey = journey
    track.full_clean()
    track._history_user = by
    track.save()
    return track
