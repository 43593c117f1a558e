"""Writes of account success plans: the plan, its measures and their dated
progress. Every function checks that `by` may write the account's plan
(`permissions.can_edit_success_plan`, else PermissionError), validates (a
ValidationError by field, nothing written) and writes in one transaction. The
rules that read them are in `journeys.success`."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from . import permissions
from .models import CustomerAccount, Step, SuccessMeasure, SuccessPlan, SuccessProgress


def _check_may_edit(by: User, account: CustomerAccount) -> None:
    if not permissions.can_edit_success_plan(by, account):
        raise PermissionError("may not edit this account's success plan")


# The plan's own fields, and those written with surrounding spaces removed.
PLAN_FIELDS = ("outcome", "outcome_kind", "customer_owner", "customer_owner_title")
_STRIPPED = {"outcome", "customer_owner", "customer_owner_title"}


def success_plan_save(
    *,
    account: CustomerAccount,
    by: User,
    outcome: str,
    outcome_kind: str,
    customer_owner: str,
    customer_owner_title: str = "",
) -> SuccessPlan:
    """Write the account's plan: created the first time, changed afterwards (its
    history keeps the earlier wording)."""
    return _write_plan(
        account,
        by,
        {
            "outcome": outcome,
            "outcome_kind": outcome_kind,
            "customer_owner": customer_owner,
            "customer_owner_title": customer_owner_title,
        },
    )


def success_plan_update(*, plan: SuccessPlan, by: User, **changes) -> SuccessPlan:
    """Change some of the plan's fields (the API's PATCH). The others keep what
    the plan holds when it is written, not what `plan` held when it was read: a
    change of another field saved meanwhile stays."""
    unknown = set(changes) - set(PLAN_FIELDS)
    if unknown:
        raise ValueError(f"Not fields of a plan: {sorted(unknown)}")
    return _write_plan(plan.account, by, changes)


def _write_plan(account: CustomerAccount, by: User, values: dict) -> SuccessPlan:
    _check_may_edit(by, account)
    with transaction.atomic():
        # Saves of one account's plan take turns (the account's row locked): two
        # first saves at once (a double click, a retried request) would both
        # create it, and the second fail on the one plan per account; and each
        # save reads the plan it changes under the lock, so that it keeps what
        # the save before it wrote.
        list(
            # FOR NO KEY UPDATE: events, coverage and ARR of the account are
            # still written meanwhile.
            CustomerAccount.objects.select_for_update(no_key=True)
            .filter(pk=account.pk)
            .values_list("pk")
        )
        plan = SuccessPlan.objects.filter(account=account).first() or SuccessPlan(
            account=account, created_by=by
        )
        for name, value in values.items():
            setattr(plan, name, (value or "").strip() if name in _STRIPPED else value)
        plan.full_clean(exclude=["account", "created_by"])
        plan.save()
    return plan


def measure_problems(
    *,
    account: CustomerAccount,
    baseline: Decimal | None,
    baseline_on: date | None,
    target: Decimal | None,
    target_on: date | None,
    value_points: list[Step],
) -> dict[str, str]:
    """What is wrong with a measure's figures and value points, by field."""
    problems = {}
    if baseline is not None and target is not None and baseline == target:
        problems["target"] = _(
            "The target must differ from the baseline: it is where the customer "
            "wants the measure to go."
        )
    if baseline_on and target_on and target_on <= baseline_on:
        problems["target_on"] = _(
            "The target date must come after the day the baseline was measured."
        )
    wrong = [
        step
        for step in value_points
        if not step.is_value_point or step.journey_id != account.journey_id
    ]
    if wrong:
        problems["value_points"] = _(
            "Choose value points of this account's journey (%(journey)s): "
            "%(steps)s is not one."
        ) % {
            "journey": account.journey.name,
            "steps": ", ".join(str(step) for step in wrong),
        }
    return problems


def success_measure_save(
    *,
    plan: SuccessPlan,
    by: User,
    name: str,
    baseline: Decimal,
    baseline_on: date,
    target: Decimal,
    target_on: date,
    unit: str = "",
    value_points: list[Step] | None = None,
    measure: SuccessMeasure | None = None,
) -> SuccessMeasure:
    """Add a measure to the plan (last), or change `measure`. Its value points
    must be value points of the account's journey."""
    account = plan.account
    _check_may_edit(by, account)
    value_points = list(value_points or [])
    problems = measure_problems(
        account=account,
        baseline=baseline,
        baseline_on=baseline_on,
        target=target,
        target_on=target_on,
        value_points=value_points,
    )
    if measure is None:
        measure = SuccessMeasure(plan=plan)
    measure.name = (name or "").strip()
    measure.unit = (unit or "").strip()
    measure.baseline = baseline
    measure.baseline_on = baseline_on
    measure.target = target
    measure.target_on = target_on
    try:
        measure.full_clean(exclude=["plan", "position"], validate_constraints=False)
    except ValidationError as error:
        problems = {**error.message_dict, **problems}
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        if measure.pk is None:
            last = plan.measures.aggregate(last=Max("position"))["last"]
            measure.position = (last or 0) + 1
        measure.save()
        measure.value_points.set(value_points)
    return measure


def success_measure_remove(*, measure: SuccessMeasure, by: User) -> None:
    """Take a measure out of the plan, with its progress (its history stays)."""
    _check_may_edit(by, measure.plan.account)
    with transaction.atomic():
        measure.delete()


def success_progress_record(
    *,
    measure: SuccessMeasure,
    by: User,
    measured_on: date,
    value: Decimal,
    note: str = "",
    today: date | None = None,
) -> SuccessProgress:
    """A dated reading of the measure. Not in the future, not before the
    baseline's day. Entries are never changed: a correction is a later entry for
    the same day (the latest recorded counts)."""
    _check_may_edit(by, measure.plan.account)
    today = today or timezone.localdate()
    problems = {}
    if measured_on and measured_on > today:
        problems["measured_on"] = _("A reading cannot be dated in the future.")
    elif measured_on and measured_on < measure.baseline_on:
        problems["measured_on"] = _(
            "A reading cannot come before the baseline (measured on %(day)s)."
        ) % {"day": measure.baseline_on.isoformat()}
    entry = SuccessProgress(
        measure=measure,
        measured_on=measured_on,
        value=value,
        note=(note or "").strip(),
        recorded_by=by,
    )
    try:
        entry.full_clean(exclude=["measure", "recorded_by"])
    except ValidationError as error:
        problems = {**error.message_dict, **problems}
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        entry.save()
    return entry
