"""Writing success plans (`journeys.success_services`): who may, and the
validation a user sees on the field."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from journeys import success_services
from journeys.models import OutcomeKind, SuccessMeasure, SuccessPlan, SuccessProgress
from tests.journeys.factories import CustomerAccountFactory
from tests.journeys.success_factories import (
    journey_with_value_points,
    measure_for,
    plan_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    journey, steps = journey_with_value_points()
    account = CustomerAccountFactory(journey=journey, owner=org.member_a)
    return account, steps


def _measure_fields(**changes):
    return {
        "name": "月間工数",
        "unit": "h",
        "baseline": Decimal(100),
        "baseline_on": date(2026, 1, 1),
        "target": Decimal(50),
        "target_on": date(2026, 12, 31),
    } | changes


def test_the_owner_writes_the_plan_then_changes_it(org, world):
    account, _steps = world
    plan = success_services.success_plan_save(
        account=account,
        by=org.member_a,
        outcome=" 問い合わせ対応の工数を半分に ",
        outcome_kind=OutcomeKind.COST,
        customer_owner="佐藤部長",
    )
    assert plan.outcome == "問い合わせ対応の工数を半分に"
    assert plan.created_by == org.member_a
    again = success_services.success_plan_update(
        plan=plan, by=org.manager_a, customer_owner="鈴木課長"
    )
    assert again.pk == plan.pk
    assert again.customer_owner == "鈴木課長"
    assert again.outcome == "問い合わせ対応の工数を半分に"
    assert plan.history.count() == 2


def test_a_change_saved_since_the_plan_was_read_is_kept(org, world):
    """Two PATCHes of different fields at once: the second, which read the plan
    before the first was saved, changes its own field only."""
    account, _steps = world
    plan = success_services.success_plan_save(
        account=account,
        by=org.member_a,
        outcome="解約率を下げる",
        outcome_kind=OutcomeKind.OTHER,
        customer_owner="佐藤部長",
    )
    read_before = SuccessPlan.objects.get(pk=plan.pk)
    success_services.success_plan_update(
        plan=plan, by=org.member_a, outcome="解約率を半分に下げる"
    )
    success_services.success_plan_update(
        plan=read_before, by=org.manager_a, customer_owner="鈴木課長"
    )
    plan.refresh_from_db()
    assert plan.outcome == "解約率を半分に下げる"
    assert plan.customer_owner == "鈴木課長"


def test_a_field_that_is_not_the_plans_is_refused(org, world):
    account, _steps = world
    plan = plan_for(account)
    with pytest.raises(ValueError):
        success_services.success_plan_update(plan=plan, by=org.member_a, account=1)


def test_a_member_of_another_team_may_not_write(org, world):
    account, _steps = world
    with pytest.raises(PermissionError):
        success_services.success_plan_save(
            account=account,
            by=org.member_b,
            outcome="x",
            outcome_kind=OutcomeKind.COST,
            customer_owner="y",
        )
    assert not hasattr(account, "success_plan") or account.success_plan is None


def test_an_empty_outcome_and_an_unknown_kind_are_refused_on_their_fields(org, world):
    account, _steps = world
    with pytest.raises(ValidationError) as error:
        success_services.success_plan_save(
            account=account,
            by=org.member_a,
            outcome="  ",
            outcome_kind="dream",
            customer_owner="佐藤部長",
        )
    assert {"outcome", "outcome_kind"} <= set(error.value.message_dict)


def test_a_measure_rests_on_value_points_of_the_accounts_journey(org, world):
    account, steps = world
    plan = plan_for(account)
    measure = success_services.success_measure_save(
        plan=plan,
        by=org.member_a,
        value_points=[steps[1], steps[3]],
        **_measure_fields(),
    )
    assert list(measure.value_points.order_by("position")) == [steps[1], steps[3]]
    second = success_services.success_measure_save(
        plan=plan, by=org.member_a, **_measure_fields(name="CSAT")
    )
    assert (measure.position, second.position) == (1, 2)


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"target": Decimal(100)}, "target"),
        ({"target_on": date(2026, 1, 1)}, "target_on"),
        ({"target_on": date(2025, 12, 1)}, "target_on"),
        ({"name": ""}, "name"),
    ],
)
def test_a_measure_without_a_way_to_go_is_refused_on_the_field(
    org, world, changes, field
):
    account, _steps = world
    plan = plan_for(account)
    with pytest.raises(ValidationError) as error:
        success_services.success_measure_save(
            plan=plan, by=org.member_a, **_measure_fields(**changes)
        )
    assert field in error.value.message_dict
    assert not SuccessMeasure.objects.exists()


def test_a_step_that_is_no_value_point_or_of_another_journey_is_refused(org, world):
    account, steps = world
    plan = plan_for(account)
    _other_journey, other_steps = journey_with_value_points()
    for wrong in (steps[0], other_steps[1]):
        with pytest.raises(ValidationError) as error:
            success_services.success_measure_save(
                plan=plan, by=org.member_a, value_points=[wrong], **_measure_fields()
            )
        assert "value_points" in error.value.message_dict
        assert str(wrong) in error.value.message_dict["value_points"][0]
    assert not SuccessMeasure.objects.exists()


def test_progress_is_dated_between_the_baseline_and_today(org, world):
    account, _steps = world
    measure = measure_for(plan_for(account))
    today = date(2026, 3, 1)
    entry = success_services.success_progress_record(
        measure=measure,
        by=org.member_a,
        measured_on=today,
        value=Decimal(80),
        note="先月の実績",
        today=today,
    )
    assert entry.recorded_by == org.member_a
    for day in (date(2026, 3, 2), date(2025, 12, 31)):
        with pytest.raises(ValidationError) as error:
            success_services.success_progress_record(
                measure=measure,
                by=org.member_a,
                measured_on=day,
                value=Decimal(70),
                today=today,
            )
        assert "measured_on" in error.value.message_dict
    assert SuccessProgress.objects.count() == 1


def test_a_member_of_another_team_records_no_progress(org, world):
    account, _steps = world
    measure = measure_for(plan_for(account))
    with pytest.raises(PermissionError):
        success_services.success_progress_record(
            measure=measure,
            by=org.member_b,
            measured_on=date(2026, 2, 1),
            value=Decimal(70),
        )
    with pytest.raises(PermissionError):
        success_services.success_measure_remove(measure=measure, by=org.member_b)
    assert SuccessMeasure.objects.filter(pk=measure.pk).exists()


def test_removing_a_measure_takes_its_progress(org, world):
    account, _steps = world
    measure = measure_for(plan_for(account))
    SuccessProgress.objects.create(
        measure=measure, measured_on=date(2026, 2, 1), value=Decimal(90)
    )
    success_services.success_measure_remove(measure=measure, by=org.manager_a)
    assert not SuccessProgress.objects.exists()
