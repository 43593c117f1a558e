"""Assessments (history, latest, validation), development plans (who writes what,
targets and their baseline, check-ins and the plan's status) and closing the loop
(target, assignment and action, never twice), through the services."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from journeys.models import TrainingAssignment
from recognition import metrics
from recognition.models import (
    CompetencyAssessment,
    DevelopmentPlan,
    PlanAction,
    PlanCheckIn,
    PlanStatus,
    PlanTarget,
)
from recognition.selectors import development as selectors
from recognition.selectors.figures import FigureValue
from recognition.services import development as services
from tests.journeys.factories import TrainingModuleFactory, journey_with_steps
from tests.recognition.development_factories import (
    competencies,
    complete_months,
    conversions,
    passed,
)

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _ratings(*pairs):
    return [
        {"competency": competency, "rating": rating, "evidence": "kickoff with Acme"}
        for competency, rating in pairs
    ]


# --- Assessments ---------------------------------------------------------------------


def test_assessments_are_kept_and_the_latest_is_current(org):
    empathy, logic = competencies("共感力", "ロジカルさ")
    now = timezone.now()
    first = services.assessment_create(
        member=org.member_a,
        by=org.manager_a,
        ratings=_ratings((empathy, 2), (logic, 3)),
        now=now - timedelta(days=120),
    )
    second = services.assessment_create(
        member=org.member_a,
        by=org.admin,
        ratings=_ratings((empathy, 3), (logic, 3)),
        note="Much better discovery calls",
        now=now,
    )

    history = list(selectors.assessment_history(member=org.member_a))
    assert history == [second, first]
    latest = selectors.latest_assessments([org.member_a.pk])[org.member_a.pk]
    assert latest == second
    assert {r.competency_id: r.rating for r in latest.ratings.all()} == {
        empathy.pk: 3,
        logic.pk: 3,
    }
    assert (
        latest.assessed_by == org.admin and latest.note == "Much better discovery calls"
    )


@pytest.mark.parametrize(
    ("rating", "evidence", "message"),
    [
        (5, "ok", "The rating of “共感力” is a whole number from 1 to 4."),
        (0, "ok", "The rating of “共感力” is a whole number from 1 to 4."),
        (True, "ok", "The rating of “共感力” is a whole number from 1 to 4."),
        (3, "  ", "Write the evidence for the rating of “共感力”."),
    ],
)
def test_a_bad_rating_is_refused_and_nothing_is_written(org, rating, evidence, message):
    (empathy,) = competencies("共感力")
    with pytest.raises(ValidationError) as error:
        services.assessment_create(
            member=org.member_a,
            by=org.manager_a,
            ratings=[{"competency": empathy, "rating": rating, "evidence": evidence}],
        )
    assert error.value.message_dict == {"ratings": [message]}
    assert not CompetencyAssessment.objects.exists()


def test_every_active_competency_is_rated_and_retired_ones_are_refused(org):
    empathy, logic, old = competencies("共感力", "ロジカルさ", "旧")
    old.is_active = False
    old.save()
    with pytest.raises(ValidationError) as error:
        services.assessment_create(
            member=org.member_a,
            by=org.manager_a,
            ratings=_ratings((empathy, 3), (old, 3), (empathy, 2)),
        )
    assert error.value.message_dict["ratings"] == [
        "“旧” is not an active competency.",
        "“共感力” is rated twice.",
        "Rate every competency; missing: ロジカルさ.",
    ]


@pytest.mark.parametrize("assessor", ["manager_b", "member_a", "sub_leader"])
def test_only_coaches_assess_never_oneself(org, assessor):
    (empathy,) = competencies("共感力")
    with pytest.raises(PermissionError):
        services.assessment_create(
            member=org.member_a,
            by=getattr(org, assessor),
            ratings=_ratings((empathy, 3)),
        )
    assert not CompetencyAssessment.objects.exists()


def test_the_leader_above_a_sub_team_coaches_its_members(org):
    (empathy,) = competencies("共感力")
    services.assessment_create(
        member=org.sub_member, by=org.manager_a, ratings=_ratings((empathy, 4))
    )
    assert CompetencyAssessment.objects.filter(member=org.sub_member).count() == 1


# --- Plans and targets ---------------------------------------------------------------


def test_a_target_keeps_the_value_of_the_last_three_months_as_its_baseline(org):
    _journey, steps = journey_with_steps(3)
    months = complete_months(4)
    # The fourth month back is outside the baseline.
    conversions(org.member_a, steps[0], months[0], converted=4, cohort=4)
    conversions(org.member_a, steps[0], months[1], converted=1, cohort=4)
    conversions(org.member_a, steps[0], months[3], converted=2, cohort=4)
    key = f"step_conversion:{steps[0].pk}"

    target = services.target_set(
        member=org.member_a,
        by=org.manager_a,
        metric=key,
        target_value=0.6,
        by_date=_today() + timedelta(days=90),
    )

    assert (
        target.baseline_value,
        target.baseline_numerator,
        target.baseline_denominator,
    ) == (3 / 8, 3, 8)
    assert target.plan.member == org.member_a
    assert target.plan.created_by == org.manager_a

    # Changing the target keeps its baseline and adds no second target.
    conversions(org.member_a, steps[0], months[2], converted=4, cohort=4)
    services.target_set(
        member=org.member_a,
        by=org.admin,
        metric=key,
        target_value=0.7,
        by_date=_today() + timedelta(days=120),
    )
    target.refresh_from_db()
    assert (target.target_value, target.baseline_value) == (0.7, 3 / 8)
    assert PlanTarget.objects.count() == 1


@pytest.mark.parametrize(
    ("metric", "value", "field", "message"),
    [
        ("training_completion", 1.5, "target_value", "A percentage is from 0 to 100."),
        ("training_completion", float("nan"), "target_value", "Enter a number."),
        ("step_events_recorded", -1, "target_value", "The value cannot be negative."),
        ("no_such_metric:1", 1, "metric", "Choose a metric of the catalogue."),
    ],
)
def test_a_target_out_of_range_is_refused(org, metric, value, field, message):
    with pytest.raises(ValidationError) as error:
        services.target_set(
            member=org.member_a,
            by=org.manager_a,
            metric=metric,
            target_value=value,
            by_date=_today() + timedelta(days=30),
        )
    assert error.value.message_dict == {field: [message]}
    assert not PlanTarget.objects.exists()


def test_a_target_date_in_the_past_is_refused(org):
    with pytest.raises(ValidationError) as error:
        services.target_set(
            member=org.member_a,
            by=org.manager_a,
            metric="training_completion",
            target_value=0.9,
            by_date=_today() - timedelta(days=1),
        )
    assert error.value.message_dict == {"by_date": ["The date is in the past."]}


@pytest.mark.parametrize("writer", ["member_a", "manager_b", "sub_leader"])
def test_only_coaches_write_targets_and_actions(org, writer):
    with pytest.raises(PermissionError):
        services.target_set(
            member=org.member_a,
            by=getattr(org, writer),
            metric="training_completion",
            target_value=0.9,
            by_date=_today() + timedelta(days=30),
        )
    with pytest.raises(PermissionError):
        services.action_add(member=org.member_a, by=getattr(org, writer), text="Shadow")
    assert not DevelopmentPlan.objects.exists()


def test_the_member_checks_in_on_their_own_plan_and_the_plan_takes_its_status(org):
    services.plan_update(
        member=org.member_a,
        by=org.manager_a,
        summary="Grow into onboarding",
        status=PlanStatus.ON_TRACK,
        focus_competencies=[],
    )
    services.check_in_add(
        member=org.member_a,
        by=org.member_a,
        held_on=_today(),
        text="Two kickoffs slipped",
        status=PlanStatus.AT_RISK,
    )
    plan = DevelopmentPlan.objects.get(member=org.member_a)
    assert plan.status == PlanStatus.AT_RISK

    # An older check-in written later does not override the latest status.
    services.check_in_add(
        member=org.member_a,
        by=org.manager_a,
        held_on=_today() - timedelta(days=14),
        text="Started well",
        status=PlanStatus.ON_TRACK,
    )
    plan.refresh_from_db()
    assert plan.status == PlanStatus.AT_RISK
    assert PlanCheckIn.objects.filter(plan=plan).count() == 2


def test_a_member_cannot_start_a_plan_nor_check_in_for_someone_else(org):
    with pytest.raises(ValidationError) as error:
        services.check_in_add(
            member=org.member_a,
            by=org.member_a,
            held_on=_today(),
            text="Hello",
            status=PlanStatus.ON_TRACK,
        )
    assert "You have no development plan yet" in error.value.messages[0]
    with pytest.raises(PermissionError):
        services.check_in_add(
            member=org.member_b,
            by=org.member_a,
            held_on=_today(),
            text="Hello",
            status=PlanStatus.ON_TRACK,
        )
    assert not DevelopmentPlan.objects.exists()


def test_a_check_in_in_the_future_or_empty_is_refused(org):
    with pytest.raises(ValidationError) as error:
        services.check_in_add(
            member=org.member_a,
            by=org.manager_a,
            held_on=_today() + timedelta(days=1),
            text=" ",
            status="nonsense",
        )
    assert set(error.value.message_dict) == {"held_on", "text", "status"}


# --- Closing the loop ----------------------------------------------------------------


@pytest.fixture
def weak_transition(org):
    _journey, steps = journey_with_steps(3)
    module = TrainingModuleFactory(from_step=steps[1], title="Setup workshop")
    TrainingModuleFactory(from_step=steps[1], title="Retired", is_active=False)
    TrainingModuleFactory(from_step=steps[0], title="Other transition")
    for month in complete_months(3):
        conversions(org.member_a, steps[1], month, converted=1, cohort=4)
    return steps[1], module


def _close_the_loop(org, step, **kwargs):
    values = {
        "member": org.member_a,
        "step": step,
        "by": org.manager_a,
        "target_value": 0.5,
        "by_date": _today() + timedelta(days=90),
        "training_due_date": _today() + timedelta(days=30),
    }
    return services.plan_add_transition(**(values | kwargs))


def test_closing_the_loop_adds_the_target_assigns_the_training_and_an_action(
    org, weak_transition
):
    step, module = weak_transition

    result = _close_the_loop(org, step)

    target = PlanTarget.objects.get()
    assert target.metric == f"step_conversion:{step.pk}"
    assert (target.target_value, target.baseline_value) == (0.5, 0.25)
    assert (target.baseline_numerator, target.baseline_denominator) == (3, 12)
    assignment = TrainingAssignment.objects.get()
    assert (assignment.module, assignment.member) == (module, org.member_a)
    assert assignment.assigned_by == org.manager_a
    assert assignment.due_date == _today() + timedelta(days=30)
    action = PlanAction.objects.get()
    assert action.training_assignment == assignment
    assert action.text == "Complete the training “Setup workshop”"
    assert result.target_created and result.assigned == [assignment]


def test_a_training_due_date_past_2099_is_refused_on_its_field(org, weak_transition):
    step, _module = weak_transition
    with pytest.raises(ValidationError) as error:
        _close_the_loop(org, step, training_due_date=date(9999, 12, 31))
    assert error.value.message_dict == {
        "training_due_date": ["Enter a date in the years 2000 to 2099."]
    }
    assert not PlanTarget.objects.exists()


def test_closing_the_loop_twice_adds_nothing_twice(org, weak_transition):
    step, _module = weak_transition
    _close_the_loop(org, step)

    again = _close_the_loop(org, step, target_value=0.6)

    assert PlanTarget.objects.count() == 1
    assert PlanTarget.objects.get().target_value == 0.6
    assert TrainingAssignment.objects.count() == 1
    assert PlanAction.objects.count() == 1
    assert not again.target_created and not again.assigned
    assert len(again.already_assigned) == 1


def test_a_team_assignment_not_passed_yet_is_linked_not_repeated(org, weak_transition):
    step, module = weak_transition
    team_assignment = TrainingAssignment.objects.create(
        module=module, team=org.team_a, due_date=_today() + timedelta(days=10)
    )

    _close_the_loop(org, step)

    assert TrainingAssignment.objects.count() == 1
    assert PlanAction.objects.get().training_assignment == team_assignment


def test_a_module_already_passed_is_not_assigned_again(org, weak_transition):
    # Issue 11: "add to plan" assigned a module the member had passed already.
    step, module = weak_transition
    TrainingAssignment.objects.create(
        module=module, member=org.member_a, due_date=_today() - timedelta(days=60)
    )
    passed(org.member_a, module, when=timezone.now())

    result = _close_the_loop(org, step)

    assert result.assigned == [] and result.already_assigned == []
    assert result.already_passed == [module]
    assert TrainingAssignment.objects.filter(member=org.member_a).count() == 1
    assert not PlanAction.objects.exists()


def test_the_last_step_has_no_transition_to_add(org):
    _journey, steps = journey_with_steps(2)
    with pytest.raises(ValidationError) as error:
        _close_the_loop(org, steps[1])
    assert "step" in error.value.message_dict
    assert not DevelopmentPlan.objects.exists()


def test_only_coaches_close_the_loop(org, weak_transition):
    step, _module = weak_transition
    with pytest.raises(PermissionError):
        _close_the_loop(org, step, by=org.member_a)
    assert not DevelopmentPlan.objects.exists()
    assert not TrainingAssignment.objects.exists()


def test_the_plan_shows_the_conversion_before_and_after(org):
    _journey, steps = journey_with_steps(3)
    step = steps[1]
    months = complete_months(4)
    conversions(org.member_a, step, months[0], converted=1, cohort=4)
    # The target is set during the second of the last four complete months: its
    # baseline is the three months before, the first of which holds a cohort.
    set_at = metrics.month_start(months[1]) + timedelta(days=5)
    _close_the_loop(org, step, now=set_at)
    conversions(org.member_a, step, months[1], converted=0, cohort=3)
    # Better cohorts since: the two complete months after the one it was set in.
    conversions(org.member_a, step, months[2], converted=3, cohort=4)
    conversions(org.member_a, step, months[3], converted=2, cohort=2)

    page = selectors.plan_page(member=org.member_a, viewer=org.manager_a)

    (row,) = page.targets
    assert row.baseline_text == "25.0 % (1/4)"
    assert (
        row.baseline_months
        == f"{metrics.add_months(months[1], -3):%b %Y} – {months[0]:%b %Y}"
    )
    assert row.after_text == "83.3 % (5/6)"
    assert row.after_months_label == f"{months[2]:%b %Y} – {months[3]:%b %Y}"
    assert [m.text for m in row.after_months[:2]] == ["75.0 % (3/4)", "100.0 % (2/2)"]
    assert row.after_months[-1].running
    # Now: the last three complete months, 0/3 + 3/4 + 2/2 → 5/9.
    assert row.current_text == "55.6 % (5/9)"
    assert row.reached is True


def test_an_action_due_in_the_past_is_refused_on_its_date(org):
    """Planned ahead, as a target is: it was accepted and overdue at once."""
    with pytest.raises(ValidationError) as error:
        services.action_add(
            member=org.member_a,
            by=org.manager_a,
            text="Shadow",
            due_date=_today() - timedelta(days=1),
        )
    assert error.value.message_dict == {"due_date": ["The date is in the past."]}
    action = services.action_add(
        member=org.member_a, by=org.manager_a, text="Shadow", due_date=_today()
    )
    assert action.due_date == _today()


def test_a_date_outside_the_years_2000_to_2099_is_refused_on_its_field(org):
    with pytest.raises(ValidationError) as error:
        services.action_add(
            member=org.member_a,
            by=org.manager_a,
            text="Shadow",
            due_date=date(9999, 12, 31),
        )
    assert error.value.message_dict == {
        "due_date": ["Enter a date in the years 2000 to 2099."]
    }


def test_a_targets_months_together_say_since_when_they_are_final():
    """A plan target's "after" over complete months: final since the latest month
    became final; while a month is provisional, until that month's date."""
    _journey, (step, *_rest) = journey_with_steps(3)
    metric = metrics.metric_by_key(f"step_conversion:{step.pk}")
    april = FigureValue(0.5, 1, 2, final_at=datetime(2026, 7, 1, tzinfo=UTC))
    may = FigureValue(1.0, 2, 2, final_at=datetime(2026, 6, 3, tzinfo=UTC))
    after = selectors.combine_months(metric, [april, may])
    assert (after.numerator, after.denominator, after.provisional) == (3, 4, False)
    assert after.final_at == datetime(2026, 7, 1, tzinfo=UTC)
    june = FigureValue(
        0.0, 0, 1, provisional=True, final_at=datetime(2026, 9, 2, tzinfo=UTC)
    )
    after = selectors.combine_months(metric, [april, may, june])
    assert (after.provisional, after.final_at) == (
        True,
        datetime(2026, 9, 2, tzinfo=UTC),
    )
