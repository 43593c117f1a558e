"""Writes: competency assessments and development plans, and "closing the loop"
(a member's weak transition becomes a plan target with its training assigned).

Coaching is for the leaders of the member's teams and admins, never on oneself
(`permissions.coaches`); a member writes check-ins on their own plan. A refused
viewer gets a PermissionError (views and the API check first and answer 404/403).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from config.fields import validate_plausible_date
from hiring.models import Competency
from journeys import selectors as journey_selectors
from journeys import services as journey_services
from journeys.models import Step, TrainingAssignment, TrainingModule

from .. import metrics, permissions
from ..models import (
    CompetencyAssessment,
    CompetencyRating,
    DevelopmentPlan,
    PlanAction,
    PlanCheckIn,
    PlanStatus,
    PlanTarget,
)
from ..selectors.development import BASELINE_MONTHS, may_check_in
from ..selectors.figures import member_figures


def _require_coach(by: User, member: User) -> None:
    if not permissions.coaches(by, member):
        raise PermissionError("Only the member's leaders and admins coach them.")


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


# --- Competency assessments -------------------------------------------------------


def _rating_value(value) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= 4 else None


def assessment_create(
    *,
    member: User,
    by: User,
    ratings: list[dict],
    note: str = "",
    now: datetime | None = None,
) -> CompetencyAssessment:
    """Rate the member on every active competency: `ratings` holds one
    `{"competency": Competency, "rating": 1..4, "evidence": text}` per competency.
    Earlier assessments are kept; the newest one is the member's current rating."""
    _require_coach(by, member)
    active = {c.pk: c for c in Competency.objects.filter(is_active=True)}
    problems: list[str] = []
    if not active:
        raise ValidationError(
            {
                "ratings": _(
                    "There are no active competencies to rate yet: admins define "
                    "them in Hiring."
                )
            }
        )
    seen: dict[int, dict] = {}
    for entry in ratings:
        competency = entry.get("competency")
        competency_id = getattr(competency, "pk", competency)
        if competency_id not in active:
            problems.append(
                _("“%(competency)s” is not an active competency.")
                % {"competency": competency}
            )
            continue
        name = str(active[competency_id])
        if competency_id in seen:
            problems.append(
                _("“%(competency)s” is rated twice.") % {"competency": name}
            )
            continue
        seen[competency_id] = entry
        if _rating_value(entry.get("rating")) is None:
            problems.append(
                _("The rating of “%(competency)s” is a whole number from 1 to 4.")
                % {"competency": name}
            )
        if not (entry.get("evidence") or "").strip():
            problems.append(
                _("Write the evidence for the rating of “%(competency)s”.")
                % {"competency": name}
            )
    missing = [str(c) for pk, c in active.items() if pk not in seen]
    if missing:
        problems.append(
            _("Rate every competency; missing: %(names)s.")
            % {"names": ", ".join(missing)}
        )
    if problems:
        raise ValidationError({"ratings": problems})
    with transaction.atomic():
        assessment = CompetencyAssessment(
            member=member, assessed_by=by, assessed_at=_now(now), note=note.strip()
        )
        assessment.full_clean()
        assessment.save()
        CompetencyRating.objects.bulk_create(
            CompetencyRating(
                assessment=assessment,
                competency_id=competency_id,
                rating=entry["rating"],
                evidence=entry["evidence"].strip(),
            )
            for competency_id, entry in seen.items()
        )
    return assessment


# --- Development plans ---------------------------------------------------------------


def plan_get_or_create(*, member: User, by: User) -> DevelopmentPlan:
    """The member's plan, started by a coach when there is none yet."""
    _require_coach(by, member)
    plan, _created = DevelopmentPlan.objects.get_or_create(
        member=member, defaults={"created_by": by}
    )
    return plan


def plan_update(
    *,
    member: User,
    by: User,
    summary: str,
    status: str,
    focus_competencies: list[Competency],
) -> DevelopmentPlan:
    _require_coach(by, member)
    if status not in PlanStatus.values:
        raise ValidationError({"status": _("Choose on track, at risk or achieved.")})
    inactive = [str(c) for c in focus_competencies if not c.is_active]
    if inactive:
        raise ValidationError(
            {
                "focus_competencies": _("No longer in use: %(names)s.")
                % {"names": ", ".join(inactive)}
            }
        )
    with transaction.atomic():
        plan = plan_get_or_create(member=member, by=by)
        plan.summary = summary.strip()
        plan.status = status
        plan.full_clean()
        plan.save()
        plan.focus_competencies.set(focus_competencies)
    return plan


def _target_metric(key: str) -> metrics.Metric:
    metric = metrics.metric_by_key(key, metrics=metrics.catalogue())
    if metric is None:
        raise ValidationError({"metric": _("Choose a metric of the catalogue.")})
    return metric


def check_metric_value(
    metric: metrics.Metric, value, *, field_name: str = "target_value"
) -> None:
    """A value a metric can take (a target or a threshold): a percentage is a
    fraction from 0 to 1 (shown as 0–100 %), days and counts are not negative."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
    ):
        raise ValidationError({field_name: _("Enter a number.")})
    # NRR may pass 100 % (`Metric.max_value` is None for it).
    if metric.max_value is not None and not 0 <= value <= metric.max_value:
        raise ValidationError({field_name: _("A percentage is from 0 to 100.")})
    if value < 0:
        raise ValidationError({field_name: _("The value cannot be negative.")})


def baseline_period(today: date) -> metrics.Period:
    return metrics.last_months_period(BASELINE_MONTHS, today=today)


def target_set(
    *,
    member: User,
    by: User,
    metric: str,
    target_value: float,
    by_date: date,
    now: datetime | None = None,
) -> PlanTarget:
    """Add a target on `metric` to the member's plan, or change the target value
    and date of the one it has. A new target keeps the member's figure over the
    last 3 complete months as its baseline ("before")."""
    _require_coach(by, member)
    moment = _now(now)
    today = timezone.localdate(moment)
    found = _target_metric(metric)
    check_metric_value(found, target_value)
    with transaction.atomic():
        plan = plan_get_or_create(member=member, by=by)
        # Writes of one plan's targets take turns (the plan's row locked): a
        # second at once (a double click) changes the target the first created
        # instead of failing on the one target of a metric per plan.
        list(
            DevelopmentPlan.objects.select_for_update(no_key=True)
            .filter(pk=plan.pk)
            .values_list("pk")
        )
        target = PlanTarget.objects.filter(plan=plan, metric=found.key).first()
        # A target kept with its date may stay past it; a new date is ahead.
        if by_date < today and (target is None or target.by_date != by_date):
            raise ValidationError({"by_date": _("The date is in the past.")})
        created = target is None
        if created:
            figure = member_figures(
                member_ids=[member.pk], metrics=[found], period=baseline_period(today)
            ).get((member.pk, found.key))
            target = PlanTarget(
                plan=plan,
                metric=found.key,
                set_by=by,
                baseline_value=figure.value if figure else None,
                baseline_numerator=figure.numerator if figure else None,
                baseline_denominator=figure.denominator if figure else None,
            )
        target.target_value = float(target_value)
        target.by_date = by_date
        target.full_clean()
        target.save()
        if created and now is not None:
            # set_at is the moment the baseline was read (auto_now_add otherwise).
            PlanTarget.objects.filter(pk=target.pk).update(set_at=moment)
            target.set_at = moment
    return target


def target_remove(*, target: PlanTarget, by: User) -> None:
    _require_coach(by, target.plan.member)
    target.delete()


def action_add(
    *,
    member: User,
    by: User,
    text: str,
    due_date: date | None = None,
    training_assignment: TrainingAssignment | None = None,
) -> PlanAction:
    _require_coach(by, member)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Say what the member will do.")
    # As a target's date: an action is planned ahead, not overdue at once.
    if due_date is not None and due_date < timezone.localdate():
        errors["due_date"] = _("The date is in the past.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        plan = plan_get_or_create(member=member, by=by)
        action = PlanAction(
            plan=plan,
            text=text,
            due_date=due_date,
            training_assignment=training_assignment,
        )
        action.full_clean()
        action.save()
    return action


def action_set_done(
    *, action: PlanAction, by: User, done: bool, now: datetime | None = None
) -> PlanAction:
    _require_coach(by, action.plan.member)
    action.done_at = _now(now) if done else None
    action.save(update_fields=["done_at"])
    return action


def action_remove(*, action: PlanAction, by: User) -> None:
    _require_coach(by, action.plan.member)
    action.delete()


def check_in_add(
    *,
    member: User,
    by: User,
    held_on: date,
    text: str,
    status: str,
) -> PlanCheckIn:
    """A dated check-in by the member or a coach. The plan takes the status of its
    latest check-in (a coach starts the plan when there is none; a member cannot)."""
    if not may_check_in(by, member):
        raise PermissionError("Only the member and their coaches write check-ins.")
    errors = {}
    if held_on > timezone.localdate():
        errors["held_on"] = _("A check-in is dated today or earlier.")
    if not (text or "").strip():
        errors["text"] = _("Write what was discussed.")
    if status not in PlanStatus.values:
        errors["status"] = _("Choose on track, at risk or achieved.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if by.pk == member.pk:
            plan = DevelopmentPlan.objects.filter(member=member).first()
            if plan is None:
                raise ValidationError(
                    _("You have no development plan yet: your manager starts it.")
                )
        else:
            plan = plan_get_or_create(member=member, by=by)
        check_in = PlanCheckIn(
            plan=plan, author=by, held_on=held_on, text=text.strip(), status=status
        )
        check_in.full_clean()
        check_in.save()
        later = plan.check_ins.filter(held_on__gt=held_on).exists()
        if not later:
            plan.status = status
            plan.save(update_fields=["status", "updated_at"])
    return check_in


# --- Closing the loop ----------------------------------------------------------------


def transition_metric(step: Step) -> metrics.Metric:
    """The step conversion leaving `step` (a current step with a next one)."""
    found = None
    if step.position is not None:
        found = metrics.metric_by_key(
            f"{metrics.Family.STEP_CONVERSION}:{step.pk}", metrics=metrics.catalogue()
        )
    if found is None:
        raise ValidationError(
            {"step": _("This step has no transition to a next step in use.")}
        )
    return found


def open_assignment(member: User, module: TrainingModule) -> TrainingAssignment | None:
    """An assignment of the module that reaches the member (their own or a team's),
    while they have not passed the module; None once it is passed, whenever it was
    passed (`journeys.selectors.training_status`: the one reading of training)."""
    status = journey_selectors.training_status([member.pk], [module.pk], with_due=False)
    if status[(member.pk, module.pk)].is_passed:
        return None
    return journey_selectors.assignments_for(member).filter(module=module).first()


@dataclass
class LoopResult:
    plan: DevelopmentPlan
    target: PlanTarget
    target_created: bool
    assigned: list[TrainingAssignment] = field(default_factory=list)
    already_assigned: list[TrainingAssignment] = field(default_factory=list)
    # Modules the member already passed: neither assigned again nor made an action.
    already_passed: list[TrainingModule] = field(default_factory=list)
    actions: list[PlanAction] = field(default_factory=list)


def plan_add_transition(
    *,
    member: User,
    step: Step,
    by: User,
    target_value: float,
    by_date: date,
    training_due_date: date,
    now: datetime | None = None,
) -> LoopResult:
    """Make the transition leaving `step` a target of the member's plan and assign
    its training: its active modules are assigned to the member unless they
    passed the module already (listed in `already_passed`, nothing assigned) or an
    assignment of it reaches them already. Each assignment gets a
    plan action. Running it again changes the target's value and date and adds
    nothing twice."""
    _require_coach(by, member)
    metric = transition_metric(step)
    today = timezone.localdate(_now(now))
    if training_due_date < today:
        raise ValidationError({"training_due_date": _("The date is in the past.")})
    try:
        validate_plausible_date(training_due_date)
    except ValidationError as error:
        raise ValidationError({"training_due_date": error.messages}) from None
    with transaction.atomic():
        existed = PlanTarget.objects.filter(
            plan__member=member, metric=metric.key
        ).exists()
        target = target_set(
            member=member,
            by=by,
            metric=metric.key,
            target_value=target_value,
            by_date=by_date,
            now=now,
        )
        plan = target.plan
        result = LoopResult(plan=plan, target=target, target_created=not existed)
        linked = set(
            plan.actions.filter(training_assignment__isnull=False).values_list(
                "training_assignment_id", flat=True
            )
        )
        modules = list(
            TrainingModule.objects.filter(from_step=step, is_active=True).order_by(
                "title", "pk"
            )
        )
        statuses = journey_selectors.training_status(
            [member.pk], [module.pk for module in modules], with_due=False
        )
        for module in modules:
            if statuses[(member.pk, module.pk)].is_passed:
                result.already_passed.append(module)
                continue
            assignment = open_assignment(member, module)
            if assignment is None:
                assignment = journey_services.training_assign(
                    module=module, due_date=training_due_date, by=by, member=member
                )
                result.assigned.append(assignment)
            else:
                result.already_assigned.append(assignment)
            if assignment.pk not in linked:
                action = PlanAction(
                    plan=plan,
                    text=_("Complete the training “%(module)s”")
                    % {"module": module.title},
                    due_date=assignment.due_date,
                    training_assignment=assignment,
                )
                action.full_clean()
                action.save()
                linked.add(assignment.pk)
                result.actions.append(action)
    return result
