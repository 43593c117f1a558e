"""Issue 11: training status is one fact. The member page, promotion readiness, the
development plan and the training pages read `journeys.selectors.training_status`,
so the same module reads the same status (and the same first pass date) on all of
them; "add to plan" does not assign a module already passed."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import TrainingAssignment, TrainingCompletion
from journeys.selectors import (
    TRAINING_NOT_PASSED,
    TRAINING_NOT_STARTED,
    TRAINING_PASSED,
    my_training,
    training_status,
)
from recognition.models import PlanAction
from recognition.selectors.dashboard import passed_modules
from recognition.selectors.development import plan_page
from recognition.selectors.promotion import readiness_of
from recognition.services import development as plan_services
from tests.factories import TeamMembershipFactory
from tests.journeys.factories import TrainingModuleFactory, journey_with_steps
from tests.recognition.development_factories import at_level, ladder, step_up

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _attempt(member, module, *, days_ago, passed, score=None):
    return TrainingCompletion.objects.create(
        member=member,
        module=module,
        completed_at=timezone.now() - timedelta(days=days_ago),
        passed=passed,
        score=score,
    )


@pytest.fixture
def setup_module(org):
    _journey, steps = journey_with_steps(3)
    module = TrainingModuleFactory(from_step=steps[1], title="Setup workshop")
    return steps, module


def test_the_selector_tells_passed_not_passed_and_not_started_with_due_dates(
    org, setup_module
):
    _steps, module = setup_module
    _attempt(org.member_a, module, days_ago=30, passed=False, score=40)
    first = _attempt(org.member_a, module, days_ago=20, passed=True, score=80)
    _attempt(org.member_a, module, days_ago=2, passed=True, score=100)
    _attempt(org.member_b, module, days_ago=3, passed=False, score=20)
    TrainingAssignment.objects.create(
        module=module, member=org.member_b, due_date=_today() - timedelta(days=1)
    )
    # Team A's assignment reaches its members (member_a), not the sub-team's.
    TrainingAssignment.objects.create(
        module=module, team=org.team_a, due_date=_today() - timedelta(days=5)
    )
    members = [org.member_a.pk, org.member_b.pk, org.sub_member.pk]

    found = training_status(members, [module.pk])

    a = found[(org.member_a.pk, module.pk)]
    b = found[(org.member_b.pk, module.pk)]
    sub = found[(org.sub_member.pk, module.pk)]
    assert (a.state, a.passed_at, a.attempts, a.best_score) == (
        TRAINING_PASSED,
        first.completed_at,
        3,
        100,
    )
    assert a.label == "Passed" and not a.is_overdue  # passed, though past due
    assert (b.state, b.attempts, b.is_overdue) == (TRAINING_NOT_PASSED, 1, True)
    assert b.label == "Not passed yet"
    assert (sub.state, sub.attempts, sub.due_date) == (TRAINING_NOT_STARTED, 0, None)
    assert sub.label == "Not started"


def test_as_of_a_moment_later_attempts_do_not_count(org, setup_module):
    _steps, module = setup_module
    _attempt(org.member_a, module, days_ago=2, passed=True)

    before = training_status(
        [org.member_a.pk], [module.pk], at=timezone.now() - timedelta(days=5)
    )[(org.member_a.pk, module.pk)]

    assert before.state == TRAINING_NOT_STARTED


def test_the_selector_runs_three_queries_whatever_the_size(
    org, setup_module, django_assert_num_queries
):
    _steps, module = setup_module
    others = [
        TrainingModuleFactory(from_step=module.from_step, title=f"M{n}")
        for n in range(5)
    ]
    for other in others:
        _attempt(org.member_a, other, days_ago=1, passed=True)
        TrainingAssignment.objects.create(
            module=other, team=org.team_a, due_date=_today()
        )
    with django_assert_num_queries(3):
        training_status(
            [org.member_a.pk, org.member_b.pk], [m.pk for m in [module, *others]]
        )
    with django_assert_num_queries(1):
        training_status([org.member_a.pk], [module.pk], with_due=False)


def test_a_module_passed_before_the_plan_reads_passed_everywhere(
    client, org, setup_module
):
    """The reported case: the member page said completed, readiness passed, and the
    plan not passed / overdue for the same module, because the plan counted only
    passes after its assignment."""
    steps, module = setup_module
    first_pass = _attempt(org.member_a, module, days_ago=60, passed=True, score=90)
    passed_on = timezone.localdate(first_pass.completed_at)
    # Later, an assignment (now past due) and a plan action on it.
    assignment = TrainingAssignment.objects.create(
        module=module, member=org.member_a, due_date=_today() - timedelta(days=3)
    )
    plan_services.target_set(
        member=org.member_a,
        by=org.manager_a,
        metric=plan_services.transition_metric(steps[1]).key,
        target_value=0.5,
        by_date=_today() + timedelta(days=60),
    )
    PlanAction.objects.create(
        plan=org.member_a.development_plan,
        text="Complete the training",
        due_date=assignment.due_date,
        training_assignment=assignment,
    )
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(csm, senior, modules=[module])
    at_level(org.member_a, csm)

    # The member page's reading.
    assert (org.member_a.pk, module.pk) in passed_modules([org.member_a.pk], [module])
    client.force_login(org.manager_a)
    member_page = client.get(reverse("recognition:member", args=[org.member_a.pk]))
    (row,) = [t for t in member_page.context["page"].transitions if t.module == module]
    assert row.module_passed
    # Readiness.
    (criterion,) = readiness_of(org.member_a).criteria
    assert criterion.met and criterion.actual.startswith("passed on ")
    assert str(passed_on.year) in criterion.actual
    # The development plan: passed on the same day, done, not overdue.
    (row,) = plan_page(member=org.member_a, viewer=org.manager_a).actions
    assert row.training_passed_at == first_pass.completed_at
    assert row.is_done and row.training.label == "Passed"
    client.force_login(org.manager_a)
    html = client.get(
        reverse("recognition:plan_detail", kwargs={"member_pk": org.member_a.pk})
    ).text
    assert "not passed yet" not in html and "Overdue" not in html
    # The training pages.
    (training_row,) = my_training(org.member_a)
    assert training_row.passed_at == first_pass.completed_at
    assert training_row.is_done and not training_row.is_overdue
    client.force_login(org.member_a)
    html = client.get(reverse("journeys:my_training")).text
    assert 'data-testid="training-status">Passed<' in html
    assert "Overdue" not in html
    html = client.get(module.get_absolute_url()).text
    assert 'data-testid="module-passed">Passed<' in html


def test_add_to_plan_does_not_assign_a_module_already_passed(client, org, setup_module):
    steps, module = setup_module
    _attempt(org.member_a, module, days_ago=60, passed=True)
    url = reverse(
        "recognition:plan_add_transition",
        kwargs={"member_pk": org.member_a.pk, "step_pk": steps[1].pk},
    )
    client.force_login(org.manager_a)

    form = client.get(url).text
    assert 'data-testid="module-already-passed">Passed<' in form
    # Said once: "Passed on …", not "Passed passed on …".
    assert "passed on" not in form.lower()
    assert "will be assigned" not in form

    response = client.post(
        url,
        {
            "target_value": "50",
            "by_date": (_today() + timedelta(days=90)).isoformat(),
            "training_due_date": (_today() + timedelta(days=30)).isoformat(),
        },
        follow=True,
    )
    assert "Already passed (not assigned again): Setup workshop." in response.text
    assert not TrainingAssignment.objects.exists()
    assert not PlanAction.objects.filter(training_assignment__isnull=False).exists()


def test_a_joiner_is_reached_by_the_team_assignment(org, setup_module):
    _steps, module = setup_module
    TrainingAssignment.objects.create(
        module=module, team=org.team_b, due_date=_today() + timedelta(days=10)
    )
    joiner = TeamMembershipFactory(team=org.team_b, start_date=_today()).user

    status = training_status([joiner.pk], [module.pk])[(joiner.pk, module.pk)]

    assert status.due_date == _today() + timedelta(days=10)
    assert status.state == TRAINING_NOT_STARTED
