"""Writes of capacity plans. Admins and managers create plans; the author and
admins change and delete them (`permissions.can_change_capacity_plan`, else
PermissionError). A plan is validated with its rows (a ValidationError by field,
nothing written) and written with them in one transaction."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User

from .. import permissions
from ..models import CapacityPlan, CapacityPlanSegment, WhatIfRule

PLAN_FIELDS = (
    "name",
    "description",
    "target_date",
    "available_hours",
    "automation_percent",
    "leader_experience",
    "span_of_control",
    "operations_headcount",
    "marketing_headcount",
    "whatif_rule",
    "whatif_threshold",
    "whatif_share",
    "pool_hours_per_account",
)
SEGMENT_FIELDS = (
    "segment",
    "coverage_model",
    "accounts",
    "arr",
    "arr_per_csm",
    "hours_per_account",
)
# More rows than this is no plan but a list of accounts.
MOST_SEGMENTS = 60


def segment_problems(segments: list[dict]) -> dict[int, dict[str, list[str]]]:
    """The problems of each row (by its index): its fields, and a segment and
    coverage model given twice (on the later row's segment)."""
    problems: dict[int, dict[str, list[str]]] = {}
    seen: set[tuple[str, str]] = set()
    for index, fields in enumerate(segments):
        row = CapacityPlanSegment(
            **{name: fields.get(name) for name in SEGMENT_FIELDS}, position=index
        )
        row.segment = (row.segment or "").strip()
        try:
            row.full_clean(exclude=["plan"], validate_constraints=False)
        except ValidationError as error:
            problems[index] = dict(error.message_dict)
        key = (row.segment.casefold(), row.coverage_model)
        if row.segment and key in seen:
            problems.setdefault(index, {}).setdefault("segment", []).append(
                _("This segment and coverage model is in the plan already.")
            )
        seen.add(key)
    return problems


def _field_label(name: str) -> str:
    if name == NON_FIELD_ERRORS:
        return _("row")
    return str(CapacityPlanSegment._meta.get_field(name).verbose_name)


def _check_plan(plan: CapacityPlan, segments: list[dict]) -> None:
    errors: dict = {}
    try:
        plan.full_clean(exclude=["author"])
    except ValidationError as error:
        errors.update(error.message_dict)
    if plan.whatif_rule == WhatIfRule.THRESHOLD and plan.whatif_threshold is None:
        errors.setdefault("whatif_threshold", []).append(
            _("Give the ARR per account below which a segment moves into a pool.")
        )
    if not segments:
        errors.setdefault("segments", []).append(
            _("Add at least one segment to the plan.")
        )
    elif len(segments) > MOST_SEGMENTS:
        errors.setdefault("segments", []).append(
            _("A plan has at most %(count)s rows.") % {"count": MOST_SEGMENTS}
        )
    for index, fields in sorted(segment_problems(segments).items()):
        for name, messages in fields.items():
            errors.setdefault("segments", []).extend(
                _("Row %(number)s, %(field)s: %(message)s")
                % {"number": index + 1, "field": _field_label(name), "message": text}
                for text in messages
            )
    if errors:
        raise ValidationError(errors)


def capacity_plan_save(
    *,
    by: User,
    fields: dict,
    segments: list[dict],
    plan: CapacityPlan | None = None,
) -> CapacityPlan:
    """Create a plan (`plan` None) or change one, with all its rows: the rows given
    replace the plan's, in their order."""
    if plan is None:
        if not permissions.sees_capacity_plans(by):
            raise PermissionError("may not create capacity plans")
        plan = CapacityPlan(author=by)
    elif not permissions.can_change_capacity_plan(by, plan):
        raise PermissionError("may not change this capacity plan")
    for name in PLAN_FIELDS:
        if name in fields:
            setattr(plan, name, fields[name])
    plan.name = (plan.name or "").strip()
    _check_plan(plan, segments)
    rows = [
        CapacityPlanSegment(
            **{name: row[name] for name in SEGMENT_FIELDS}, position=index
        )
        for index, row in enumerate(segments)
    ]
    with transaction.atomic():
        plan.save()
        plan.segments.all().delete()
        for row in rows:
            row.plan = plan
            row.segment = row.segment.strip()
        CapacityPlanSegment.objects.bulk_create(rows)
    return plan


def capacity_plan_delete(*, plan: CapacityPlan, by: User) -> None:
    if not permissions.can_change_capacity_plan(by, plan):
        raise PermissionError("may not delete this capacity plan")
    with transaction.atomic():
        plan.delete()
