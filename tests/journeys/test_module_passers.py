"""Issue 11: a training module opened by a manager shows who on their teams passed
it (linked to the member's page, date passed, attempts, not started), scoped to the
teams they lead; the quiz form is for the learner, not pushed at a manager or admin
who is not assigned."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from journeys.models import TrainingAssignment, TrainingCompletion
from tests.factories import TeamMembershipFactory, UserFactory
from tests.journeys.factories import (
    TrainingModuleFactory,
    add_quiz,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_module():
    _journey, steps = journey_with_steps(2)
    module = TrainingModuleFactory(from_step=steps[0], title="Kickoff")
    add_quiz(module, questions=2, pass_mark=50)
    return module


def _attempt(member, module, *, days_ago, passed, score):
    return TrainingCompletion.objects.create(
        member=member,
        module=module,
        completed_at=timezone.now() - timedelta(days=days_ago),
        passed=passed,
        score=score,
    )


def _rows(response):
    return {row.member.pk: row.status for row in response.context["passers"]}


def test_a_manager_sees_who_on_their_teams_passed_the_module(client, org, quiz_module):
    _attempt(org.member_a, quiz_module, days_ago=9, passed=False, score=0)
    first = _attempt(org.member_a, quiz_module, days_ago=5, passed=True, score=100)
    _attempt(org.sub_member, quiz_module, days_ago=2, passed=False, score=0)
    _attempt(org.member_b, quiz_module, days_ago=1, passed=True, score=100)
    client.force_login(org.manager_a)

    response = client.get(quiz_module.get_absolute_url())

    rows = _rows(response)
    # Team A and its sub-team; Team B's member is not listed.
    assert set(rows) == {org.member_a.pk, org.sub_member.pk}
    assert rows[org.member_a.pk].passed_at == first.completed_at
    assert rows[org.member_a.pk].attempts == 2
    assert rows[org.sub_member.pk].label == "Not passed yet"
    html = response.text
    member_url = reverse("recognition:member", args=[org.member_a.pk])
    assert f'href="{member_url}"' in html
    assert "秋山" in html and "坂本" not in html
    assert "1 of 2 members passed." in html
    assert "2 attempts" in html


def test_a_member_not_started_is_listed_as_not_started(client, org, quiz_module):
    client.force_login(org.manager_b)
    rows = _rows(client.get(quiz_module.get_absolute_url()))
    assert set(rows) == {org.member_b.pk}
    assert rows[org.member_b.pk].label == "Not started"


def test_the_quiz_is_for_the_learner(client, org, quiz_module):
    # The member (learner) gets the form.
    client.force_login(org.member_a)
    response = client.get(quiz_module.get_absolute_url())
    assert 'name="question_' in response.text
    assert response.context["passers"] == []
    assert 'data-testid="passers"' not in response.text

    # A manager who is not assigned reads the questions, without a form.
    client.force_login(org.manager_a)
    response = client.get(quiz_module.get_absolute_url())
    assert 'name="question_' not in response.text
    assert 'data-testid="quiz-preview"' in response.text
    assert "My attempts" not in response.text
    # ... and may take it on purpose.
    assert (
        'name="question_' in client.get(f"{quiz_module.get_absolute_url()}?take=1").text
    )

    # The admin, the same.
    client.force_login(org.admin)
    assert 'name="question_' not in client.get(quiz_module.get_absolute_url()).text

    # A manager the module is assigned to is a learner: the form is theirs.
    TrainingAssignment.objects.create(
        module=quiz_module,
        member=org.manager_b,
        due_date=timezone.localdate() + timedelta(days=7),
    )
    client.force_login(org.manager_b)
    assert 'name="question_' in client.get(quiz_module.get_absolute_url()).text


def test_another_journeys_hidden_module_answers_404(client, org):
    journey, steps = journey_with_steps(2, is_active=False)
    hidden = TrainingModuleFactory(from_step=steps[0])
    client.force_login(org.manager_a)
    assert client.get(hidden.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("size", [2, 12])
def test_the_passers_list_runs_a_fixed_number_of_queries(
    client, org, quiz_module, size, django_assert_max_num_queries
):
    for n in range(size):
        member = TeamMembershipFactory(
            team=org.team_a, user=UserFactory(roles=[Role.MEMBER])
        ).user
        _attempt(member, quiz_module, days_ago=n + 1, passed=n % 2 == 0, score=50)
        TrainingAssignment.objects.create(
            module=quiz_module,
            member=member,
            due_date=timezone.localdate() + timedelta(days=n),
        )
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(16):
        response = client.get(quiz_module.get_absolute_url())
    assert len(response.context["passers"]) == size + 2
