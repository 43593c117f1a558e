"""Writes of capacity plans (`recognition.services.planning`): who may write,
validation by field with nothing written, rows replaced in order."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from recognition.models import CapacityPlan, CapacityPlanSegment
from recognition.services import planning as services
from tests.recognition.planning_factories import (
    ENTERPRISE,
    SMB_POOL,
    make_plan,
    plan_fields,
)

pytestmark = pytest.mark.django_db


def test_a_plan_is_written_with_its_rows_in_order(org):
    plan = make_plan(
        org.manager_a, segments=[SMB_POOL, ENTERPRISE | {"segment": " X "}]
    )
    assert plan.author == org.manager_a
    rows = list(plan.segments.values_list("position", "segment"))
    assert rows == [(0, "SMB"), (1, "X")]


def test_members_interviewers_and_recruiters_may_not_write_plans(org):
    for person in (org.member_a, org.interviewer, org.recruiter):
        with pytest.raises(PermissionError):
            make_plan(person)
    assert not CapacityPlan.objects.exists()


def test_only_the_author_and_admins_change_or_delete(org):
    plan = make_plan(org.manager_a)
    with pytest.raises(PermissionError):
        services.capacity_plan_save(
            by=org.manager_b, plan=plan, fields={"name": "x"}, segments=[ENTERPRISE]
        )
    with pytest.raises(PermissionError):
        services.capacity_plan_delete(plan=plan, by=org.manager_b)
    services.capacity_plan_save(
        by=org.admin, plan=plan, fields={"name": "Admin's"}, segments=[ENTERPRISE]
    )
    assert list(plan.segments.values_list("segment", flat=True)) == ["Enterprise"]
    services.capacity_plan_delete(plan=plan, by=org.manager_a)
    assert not CapacityPlanSegment.objects.exists()


@pytest.mark.parametrize(
    ("changes", "segments", "field"),
    [
        ({"automation_percent": Decimal(100)}, [ENTERPRISE], "automation_percent"),
        ({"span_of_control": 13}, [ENTERPRISE], "span_of_control"),
        ({"whatif_rule": "threshold"}, [ENTERPRISE], "whatif_threshold"),
        ({}, [], "segments"),
        ({}, [ENTERPRISE | {"hours_per_account": Decimal(0)}], "segments"),
        ({}, [ENTERPRISE, ENTERPRISE], "segments"),
    ],
)
def test_bad_input_is_refused_by_field_and_nothing_is_written(
    org, changes, segments, field
):
    with pytest.raises(ValidationError) as caught:
        services.capacity_plan_save(
            by=org.admin, fields=plan_fields(**changes), segments=segments
        )
    assert field in caught.value.message_dict
    assert not CapacityPlan.objects.exists()


def test_a_row_problem_names_the_row_and_field(org):
    with pytest.raises(ValidationError) as caught:
        services.capacity_plan_save(
            by=org.admin,
            fields=plan_fields(),
            segments=[SMB_POOL, ENTERPRISE, ENTERPRISE],
        )
    assert caught.value.message_dict["segments"] == [
        "Row 3, segment: This segment and coverage model is in the plan already."
    ]
