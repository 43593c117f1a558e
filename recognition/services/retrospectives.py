"""Writes: step retrospectives. A member looks back on a month at a transition
(what went well, what did not, what they will do next time); a leader who coaches
the member comments. One retrospective per member, month and transition."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from journeys.models import Step

from .. import metrics
from ..models import StepRetrospective
from ..permissions import coaches, members

TEXT_FIELDS = ("went_well", "went_badly", "next_time")


def _check_period(period: str) -> str:
    try:
        parsed = metrics.parse_period(period)
    except ValueError as error:
        raise ValidationError({"period": str(error)}) from None
    if parsed.kind != metrics.PERIOD_MONTH:
        raise ValidationError(
            {"period": _("A retrospective is about one month (2026-04).")}
        )
    if parsed.first_month > metrics.this_month():
        raise ValidationError(
            {"period": _("A retrospective looks back: choose this month or earlier.")}
        )
    return parsed.key


def _check_transition(step: Step) -> None:
    """The step leaves for a next one in an active journey today."""
    has_next = (
        step.position is not None
        and step.journey.is_active
        and Step.objects.filter(
            journey_id=step.journey_id, position__gt=step.position
        ).exists()
    )
    if not has_next:
        raise ValidationError(
            {
                "from_step": _(
                    "Choose a transition of an active journey: a current step with "
                    "a next step."
                )
            }
        )


def _check_texts(texts: dict[str, str]) -> dict[str, str]:
    texts = {name: (texts[name] or "").strip() for name in TEXT_FIELDS}
    if not any(texts.values()):
        raise ValidationError(
            _(
                "Write at least one of what went well, what did not go well and "
                "what you will do next time."
            )
        )
    return texts


def retrospective_write(
    *,
    member: User,
    by: User,
    period: str,
    from_step: Step,
    went_well: str = "",
    went_badly: str = "",
    next_time: str = "",
) -> StepRetrospective:
    """A member writes their own retrospective of a month at a transition."""
    if by.pk != member.pk or not members().filter(pk=member.pk).exists():
        raise PermissionError("Members write their own retrospectives.")
    errors = {}
    try:
        period = _check_period(period)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        _check_transition(from_step)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    texts = _check_texts(
        {"went_well": went_well, "went_badly": went_badly, "next_time": next_time}
    )
    retrospective = StepRetrospective(
        member=member, period=period, from_step=from_step, **texts
    )
    with transaction.atomic():
        retrospective.full_clean()
        retrospective.save()
    return retrospective


def retrospective_update(
    *,
    retrospective: StepRetrospective,
    by: User,
    went_well: str = "",
    went_badly: str = "",
    next_time: str = "",
) -> StepRetrospective:
    """Its author changes what they wrote; a comment already made stays."""
    if by.pk != retrospective.member_id:
        raise PermissionError("Only the author changes a retrospective.")
    texts = _check_texts(
        {"went_well": went_well, "went_badly": went_badly, "next_time": next_time}
    )
    with transaction.atomic():
        retrospective = StepRetrospective.objects.select_for_update().get(
            pk=retrospective.pk
        )
        for name, value in texts.items():
            setattr(retrospective, name, value)
        retrospective.full_clean()
        retrospective.save()
    return retrospective


def retrospective_comment(
    *, retrospective: StepRetrospective, by: User, comment: str
) -> StepRetrospective:
    """A leader who coaches the member (or an admin) comments; commenting again
    replaces the comment."""
    if not coaches(by, retrospective.member):
        raise PermissionError("Only the member's leaders comment.")
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"manager_comment": _("Write a comment.")})
    with transaction.atomic():
        retrospective = StepRetrospective.objects.select_for_update().get(
            pk=retrospective.pk
        )
        retrospective.manager_comment = comment
        retrospective.commented_by = by
        retrospective.commented_at = timezone.now()
        retrospective.full_clean()
        # Only the comment: the member's "written at" stays theirs.
        retrospective.save(
            update_fields=["manager_comment", "commented_by", "commented_at"]
        )
    return retrospective
