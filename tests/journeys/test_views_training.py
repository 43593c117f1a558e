"""Training pages: a module's quiz (pass, fail, retry), my training (progress, due and
overdue), assigning a module to a member or a team (joiners included), the practicum
(saving, completing, readiness) and who reads practicum reflections."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from journeys import permissions, services
from journeys.models import (
    PracticumReflection,
    TrainingAssignment,
    TrainingCompletion,
)
from tests.factories import TeamMembershipFactory
from tests.journeys.factories import (
    PlaybookFactory,
    PlaybookVersionFactory,
    StepFactory,
    TrainingModuleFactory,
    add_quiz,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _assign(module, *, member=None, team=None, due_in_days=7):
    return TrainingAssignment.objects.create(
        module=module,
        member=member,
        team=team,
        due_date=_today() + timedelta(days=due_in_days),
    )


def _testids(html: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)


# --- Quiz -----------------------------------------------------------------------------


@pytest.fixture
def quiz_module():
    _journey, steps = journey_with_steps(2)
    module = TrainingModuleFactory(
        from_step=steps[0], title="Kickoff", material="Read https://example.com/kit"
    )
    quiz = add_quiz(module, questions=2, pass_mark=100)
    return module, quiz


def _answers(quiz, *choices):
    return {
        f"question_{question.pk}": choice.pk
        for (question, _right, _wrong), choice in zip(quiz, choices, strict=True)
    }


def test_a_failed_quiz_is_recorded_and_the_member_retries_and_passes(
    client, org, quiz_module
):
    module, quiz = quiz_module
    (_q1, right1, _wrong1), (_q2, _right2, wrong2) = quiz
    client.force_login(org.member_a)
    url = reverse("journeys:module_detail", args=[module.pk])

    page = client.get(url).text
    assert 'href="https://example.com/kit"' in page
    assert "No attempt yet." in page

    response = client.post(url, _answers(quiz, right1, wrong2), follow=True)
    # One of two right: 50 %, under the pass mark of 100 %.
    assert "You scored 50%; the pass mark is 100%." in response.text
    assert "Last attempt: 50% — failed (pass mark 100%)" in response.text
    assert "Take the quiz again" in response.text
    failed = TrainingCompletion.objects.get(member=org.member_a, module=module)
    assert (failed.score, failed.passed) == (50, False)

    response = client.post(url, _answers(quiz, right1, quiz[1][1]), follow=True)
    assert "You passed with 100%." in response.text
    assert 'data-testid="module-passed"' in response.text
    attempts = TrainingCompletion.objects.filter(member=org.member_a, module=module)
    assert sorted(attempts.values_list("score", "passed")) == [
        (50, False),
        (100, True),
    ]
    assert len(_testids(response.text, "attempt")) == 2


def test_an_unanswered_question_is_asked_again_and_nothing_is_recorded(
    client, org, quiz_module
):
    module, quiz = quiz_module
    client.force_login(org.member_a)
    url = reverse("journeys:module_detail", args=[module.pk])
    first_only = {f"question_{quiz[0][0].pk}": quiz[0][1].pk}
    response = client.post(url, first_only)
    assert response.status_code == 200
    assert "Choose an answer." in response.text
    # The answer given is kept.
    assert re.search(rf'value="{quiz[0][1].pk}"[^>]*checked', response.text)
    assert not TrainingCompletion.objects.exists()


def test_a_module_without_quiz_is_marked_completed(client, org):
    module = TrainingModuleFactory()
    client.force_login(org.member_a)
    url = reverse("journeys:module_detail", args=[module.pk])
    response = client.post(url, follow=True)
    assert "The module is marked as completed." in response.text
    completion = TrainingCompletion.objects.get()
    assert (completion.score, completion.passed) == (None, True)


def test_a_retired_module_is_not_found_and_nothing_is_recorded(client, org):
    module = TrainingModuleFactory(is_active=False)
    client.force_login(org.member_a)
    url = reverse("journeys:module_detail", args=[module.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    client.force_login(org.interviewer)
    assert client.post(url).status_code == 403
    assert not TrainingCompletion.objects.exists()
    client.force_login(org.admin)
    assert client.get(url).status_code == 200


# --- My training ----------------------------------------------------------------------


def test_my_training_shows_progress_due_and_overdue_by_step(client, org):
    _journey, steps = journey_with_steps(2, name="Onboarding")
    passed = TrainingModuleFactory(from_step=steps[0], title="Passed module")
    late = TrainingModuleFactory(from_step=steps[0], title="Late module")
    upcoming = TrainingModuleFactory(from_step=steps[1], title="Upcoming module")
    other = TrainingModuleFactory(from_step=steps[1], title="Someone else's")
    _assign(passed, member=org.member_a, due_in_days=-10)
    _assign(late, member=org.member_a, due_in_days=-1)
    # A team assignment and a personal one of the same module: one row, due first.
    _assign(upcoming, team=org.team_a, due_in_days=20)
    _assign(upcoming, member=org.member_a, due_in_days=5)
    _assign(other, member=org.member_b)
    services.training_complete(module=passed, member=org.member_a, answers=None)

    client.force_login(org.member_a)
    response = client.get(reverse("journeys:my_training"))
    html = response.text
    assert "1 of 3 modules passed" in html
    assert "1 overdue" in _testids(html, "overdue-count")[0]
    # By step: step 1 (earlier due first), then step 2.
    assert [row.module.title for row in response.context["page"].object_list] == [
        "Passed module",
        "Late module",
        "Upcoming module",
    ]
    by_title = {row.module.title: row for row in response.context["page"].object_list}
    assert by_title["Late module"].is_overdue
    assert not by_title["Passed module"].is_overdue  # done, although past due
    assert by_title["Upcoming module"].due_date == _today() + timedelta(days=5)
    assert by_title["Upcoming module"].team_names == ["Team A"]
    assert "Someone else" not in html
    assert "Step 1" in html and "Step 2" in html


def test_my_training_is_empty_for_a_new_member_and_refused_to_an_interviewer(
    client, org
):
    client.force_login(org.member_b)
    assert (
        "No module is assigned to you yet."
        in client.get(reverse("journeys:my_training")).text
    )
    client.force_login(org.interviewer)
    assert client.get(reverse("journeys:my_training")).status_code == 403


# --- Assigning ------------------------------------------------------------------------


def test_a_team_assignment_reaches_a_member_who_joins_later(client, org):
    module = TrainingModuleFactory(title="Team module")
    client.force_login(org.manager_a)
    due = _today() + timedelta(days=30)
    response = client.post(
        reverse("journeys:training_assign", args=[module.pk]),
        {"team": org.team_a.pk, "due_date": due.isoformat()},
        follow=True,
    )
    assert "is assigned to Team A" in response.text
    assignment = TrainingAssignment.objects.get()
    assert (assignment.team, assignment.member, assignment.assigned_by) == (
        org.team_a,
        None,
        org.manager_a,
    )

    joiner = TeamMembershipFactory(
        team=org.team_a, start_date=_today() + timedelta(days=3)
    ).user
    client.force_login(joiner)
    assert "Team module" in client.get(reverse("journeys:my_training")).text
    client.force_login(org.member_b)
    assert "Team module" not in client.get(reverse("journeys:my_training")).text


def test_a_manager_assigns_only_to_their_members_and_teams(client, org):
    module = TrainingModuleFactory()
    url = reverse("journeys:training_assign", args=[module.pk])
    client.force_login(org.manager_a)
    page = client.get(url)
    members = list(page.context["form"].fields["member"].queryset)
    assert org.member_a in members and org.sub_member in members
    assert org.member_b not in members
    assert set(page.context["form"].fields["team"].queryset) == {
        org.team_a,
        org.sub_a,
    }
    due = (_today() + timedelta(days=7)).isoformat()
    response = client.post(url, {"member": org.member_b.pk, "due_date": due})
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    response = client.post(
        url, {"member": org.member_a.pk, "team": org.team_a.pk, "due_date": due}
    )
    assert "Choose either a member or a team (not both)." in response.text
    assert not TrainingAssignment.objects.exists()

    response = client.post(url, {"member": org.member_a.pk, "due_date": due})
    assert response.status_code == 302
    assert TrainingAssignment.objects.get().member == org.member_a

    client.force_login(org.member_a)
    assert client.post(url, {"member": org.member_a.pk}).status_code == 403
    assert TrainingAssignment.objects.count() == 1


# --- Practicum ------------------------------------------------------------------------


def _step_post(
    journey, step, *, checks=(), hard="", stuck="", helps="", complete=False
):
    prefix = f"step-{step.pk}"
    data = {
        "journey": journey.pk,
        "step": step.pk,
        f"{prefix}-checks_done": list(checks),
        f"{prefix}-what_was_hard": hard,
        f"{prefix}-where_stuck": stuck,
        f"{prefix}-what_would_help": helps,
    }
    data["complete" if complete else "save"] = "1"
    return data


def test_a_member_saves_a_reflection_completes_the_steps_and_becomes_ready(client, org):
    journey, steps = journey_with_steps(2, name="Walk")
    module = TrainingModuleFactory(from_step=steps[0], is_required=True)
    _assign(module, member=org.member_a)
    client.force_login(org.member_a)
    url = reverse("journeys:practicum")

    response = client.post(
        url,
        _step_post(journey, steps[0], checks=["kickoff held"], hard="議題が多すぎた"),
    )
    assert response.status_code == 302
    page = client.get(url, {"journey": journey.pk}).text
    assert "議題が多すぎた" in page
    assert "Not ready for accounts" in page
    reflection = PracticumReflection.objects.get(member=org.member_a, step=steps[0])
    assert reflection.checks_done == ["kickoff held"]
    assert reflection.completed_at is None

    # Completing needs every check: refused, what was typed is kept.
    response = client.post(
        url,
        _step_post(
            journey, steps[0], checks=["kickoff held"], stuck="日程", complete=True
        ),
    )
    assert response.status_code == 200
    assert "Walk every check of the step first." in response.text
    assert "日程" in response.text
    reflection.refresh_from_db()
    assert reflection.completed_at is None and reflection.where_stuck == ""

    for step in steps:
        response = client.post(
            url,
            _step_post(
                journey,
                step,
                checks=["kickoff held", "goals agreed"],
                hard="速かった",
                complete=True,
            ),
        )
        assert response.status_code == 302
    page = client.get(url, {"journey": journey.pk}).text
    # Walked, but the required module is not passed yet.
    assert "Not ready for accounts" in page
    services.training_complete(module=module, member=org.member_a, answers=None)
    page = client.get(url, {"journey": journey.pk}).text
    assert "You are ready for accounts on “Walk”" in page


def test_a_step_of_another_journey_cannot_be_saved(client, org):
    journey, _steps = journey_with_steps(1)
    stranger = StepFactory()
    client.force_login(org.member_a)
    response = client.post(
        reverse("journeys:practicum"), _step_post(journey, stranger, hard="x")
    )
    assert response.status_code == 404
    assert not PracticumReflection.objects.exists()


@pytest.mark.parametrize("step", ["a\x00b", "x" * 5000, "-1e300", "²"])
def test_a_step_that_cannot_be_an_id_answers_404(client, org, step):
    journey, steps = journey_with_steps(1)
    client.force_login(org.member_a)
    data = {**_step_post(journey, steps[0], hard="x"), "step": step}

    response = client.post(reverse("journeys:practicum"), data)

    assert response.status_code == 404
    assert not PracticumReflection.objects.exists()


def test_the_practicum_has_an_empty_state_and_is_refused_to_a_recruiter(client, org):
    client.force_login(org.member_a)
    assert "No journey is defined yet" in client.get(reverse("journeys:practicum")).text
    client.force_login(org.recruiter)
    assert client.get(reverse("journeys:practicum")).status_code == 403


# --- Who reads reflections ------------------------------------------------------------


@pytest.fixture
def reflections(org):
    """member_a and sub_member reflect on steps 1–3 of a four-step journey;
    member_b on step 4. manager_b owns the playbook 1 → 2, member_b the one 3 → 4."""
    _journey, steps = journey_with_steps(4)
    made = {}
    for member, step_numbers in (
        (org.member_a, (1, 2, 3)),
        (org.sub_member, (1,)),
        (org.member_b, (4,)),
    ):
        for number in step_numbers:
            made[(member.username, number)] = PracticumReflection.objects.create(
                member=member, step=steps[number - 1], what_was_hard="hard"
            )
    playbook_1 = PlaybookFactory(from_step=steps[0], owner=org.manager_b)
    PlaybookVersionFactory(playbook=playbook_1)
    playbook_3 = PlaybookFactory(from_step=steps[2], owner=org.member_b)
    PlaybookVersionFactory(playbook=playbook_3)
    return made, steps, playbook_1, playbook_3


def _seen(viewer, made):
    keys = {reflection.pk: key for key, reflection in made.items()}
    return {
        keys[pk]
        for pk in permissions.visible_reflections(viewer).values_list("pk", flat=True)
    }


def test_reflections_are_seen_by_author_leaders_admins_and_playbook_owners(
    org, reflections
):
    made, _steps, _p1, _p3 = reflections
    every = set(made)
    assert _seen(org.admin, made) == every
    assert _seen(org.member_a, made) == {("member_a", n) for n in (1, 2, 3)}
    # manager_a leads team A and, through it, sub-team A-1.
    assert _seen(org.manager_a, made) == every - {("member_b", 4)}
    assert _seen(org.sub_leader, made) == {("sub_member", 1)}
    # manager_b leads team B (member_b) and owns the playbook 1 → 2.
    assert _seen(org.manager_b, made) == {
        ("member_b", 4),
        ("member_a", 1),
        ("member_a", 2),
        ("sub_member", 1),
    }
    # member_b wrote step 4 and owns the playbook 3 → 4.
    assert _seen(org.member_b, made) == {("member_b", 4), ("member_a", 3)}
    assert _seen(org.interviewer, made) == set()


def test_a_former_member_s_reflections_leave_the_manager(org, reflections):
    made, *_ = reflections
    org.member_a.team_memberships.update(end_date=_today() - timedelta(days=1))
    assert ("member_a", 3) not in _seen(org.manager_a, made)


def test_the_member_practicum_page_is_for_the_member_their_manager_and_admins(
    client, org, reflections
):
    url = reverse("journeys:practicum_member", args=[org.member_a.pk])
    for viewer, status in (
        (org.manager_a, 200),
        (org.admin, 200),
        (org.member_a, 200),
        (org.manager_b, 404),
        (org.member_b, 404),
        (org.interviewer, 403),
    ):
        client.force_login(viewer)
        assert client.get(url).status_code == status, viewer.username
    client.force_login(org.manager_a)
    response = client.get(url)
    assert len(response.context["reflections"]) == 3
    assert "Not ready yet" in response.text


def test_the_playbook_reflections_page_shows_the_steps_around_it(
    client, org, reflections
):
    _made, steps, playbook_1, _p3 = reflections
    url = reverse("journeys:playbook_reflections", args=[playbook_1.pk])
    client.force_login(org.manager_b)
    response = client.get(url)
    shown = {(r.member.username, r.step.position) for r in response.context["page"]}
    assert shown == {("member_a", 1), ("member_a", 2), ("sub_member", 1)}
    client.force_login(org.manager_a)
    assert client.get(url).status_code == 403
    client.force_login(org.admin)
    assert len(client.get(url).context["page"].object_list) == 3
    # A playbook without reflections yet.
    client.force_login(org.member_b)
    empty = PlaybookFactory(from_step=StepFactory(), owner=org.member_b)
    response = client.get(reverse("journeys:playbook_reflections", args=[empty.pk]))
    assert "No reflection on these steps yet." in response.text


# --- Query counts ---------------------------------------------------------------------


def test_my_training_queries_do_not_grow_with_assignments(
    client, org, django_assert_max_num_queries
):
    _journey, steps = journey_with_steps(3)

    def assign(count):
        for index in range(count):
            module = TrainingModuleFactory(from_step=steps[index % 3])
            _assign(module, member=org.member_a, due_in_days=index - 2)
            _assign(module, team=org.team_a, due_in_days=index)
            if index % 2:
                services.training_complete(
                    module=module, member=org.member_a, answers=None
                )

    assign(3)
    client.force_login(org.member_a)
    url = reverse("journeys:my_training")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    assign(30)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, {"page": 2})
    assert response.context["total"] == 33
    assert len(response.context["page"].object_list) == 33 - 25


def test_reflection_pages_queries_do_not_grow_with_reflections(
    client, org, django_assert_max_num_queries
):
    journey, steps = journey_with_steps(2)
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)

    def reflect(count):
        for _ in range(count):
            member = TeamMembershipFactory(team=org.team_a).user
            for step in steps:
                PracticumReflection.objects.create(
                    member=member, step=step, what_was_hard="hard"
                )
        return member

    member = reflect(2)
    client.force_login(org.manager_a)
    reflections_url = reverse("journeys:playbook_reflections", args=[playbook.pk])
    member_url = reverse("journeys:practicum_member", args=[member.pk])
    with CaptureQueriesContext(connection) as few_reflections:
        client.get(reflections_url)
    with CaptureQueriesContext(connection) as few_member:
        client.get(member_url)
    member = reflect(20)
    with django_assert_max_num_queries(len(few_reflections)):
        response = client.get(reflections_url, {"page": 2})
    assert len(response.context["page"].object_list) == 44 - 25
    with django_assert_max_num_queries(len(few_member)):
        client.get(reverse("journeys:practicum_member", args=[member.pk]))


def test_practicum_page_queries_do_not_grow_with_steps(
    client, org, django_assert_max_num_queries
):
    def walk(count):
        journey, steps = journey_with_steps(count)
        for step in steps[::2]:
            PracticumReflection.objects.create(
                member=org.member_a, step=step, what_was_hard="hard"
            )
        return journey

    small, large = walk(2), walk(12)
    client.force_login(org.member_a)
    url = reverse("journeys:practicum")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"journey": small.pk})
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, {"journey": large.pk})
    assert len(response.context["walk"]) == 12
