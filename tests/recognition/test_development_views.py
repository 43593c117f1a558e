"""Pages of assessments and development plans: the assessment form (one row per
competency, errors on the row, what was typed kept), the history, the plan for the
member and for their coach, another team's member (404, nothing written), closing
the loop from the member page, the member page's section, and query counts that do
not grow with the data."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import TrainingAssignment
from recognition.models import (
    CompetencyAssessment,
    DevelopmentPlan,
    PlanAction,
    PlanCheckIn,
    PlanStatus,
    PlanTarget,
)
from recognition.selectors.development import member_development
from recognition.services import development as services
from tests.factories import TeamMembershipFactory
from tests.journeys.factories import TrainingModuleFactory, journey_with_steps
from tests.recognition.development_factories import (
    assess,
    competencies,
    complete_months,
    conversions,
)

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _testids(html: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)


def _rating_data(rows):
    data = {
        "ratings-TOTAL_FORMS": str(len(rows)),
        "ratings-INITIAL_FORMS": str(len(rows)),
    }
    for index, (rating, evidence) in enumerate(rows):
        if rating is not None:
            data[f"ratings-{index}-rating"] = str(rating)
        data[f"ratings-{index}-evidence"] = evidence
    return data


# --- Assessments ---------------------------------------------------------------------


def test_a_manager_assesses_every_competency_and_reads_the_history(client, org):
    empathy, logic = competencies("共感力", "ロジカルさ")
    assess(
        org.member_a,
        org.manager_a,
        {empathy: 2, logic: 2},
        when=timezone.now() - timedelta(days=100),
    )
    client.force_login(org.manager_a)
    url = reverse("recognition:assessment_create", args=[org.member_a.pk])

    page = client.get(url).text
    assert len(_testids(page, "rating-row")) == 2
    assert "last time: 2" in page

    # Rows follow the competencies' category, then name: ロジカルさ before 共感力.
    data = _rating_data([(4, "Clear QBR story"), (3, "Calmed an upset customer")])
    response = client.post(url, data | {"note": "Solid"})

    assessment = CompetencyAssessment.objects.latest("assessed_at")
    assert response.status_code == 302
    assert response.url == reverse(
        "recognition:assessment_detail", args=[assessment.pk]
    )
    ratings = {
        r.competency.name: (r.rating, r.evidence) for r in assessment.ratings.all()
    }
    assert ratings == {
        "共感力": (3, "Calmed an upset customer"),
        "ロジカルさ": (4, "Clear QBR story"),
    }
    detail = client.get(response.url).text
    assert 'data-testid="latest"' in detail
    history = client.get(
        reverse("recognition:assessment_list", args=[org.member_a.pk])
    ).text
    assert len(_testids(history, "assessment-row")) == 2


def test_a_missing_rating_is_shown_on_its_row_and_what_was_typed_is_kept(client, org):
    competencies("共感力", "ロジカルさ")
    client.force_login(org.manager_a)
    url = reverse("recognition:assessment_create", args=[org.member_a.pk])

    response = client.post(
        url, _rating_data([(None, "Typed evidence stays"), (9, "")]) | {"note": "N"}
    )

    assert response.status_code == 200
    text = response.text
    assert "Choose a rating from 1 to 4." in text
    assert "A rating is a whole number from 1 to 4." in text
    assert "Write what you observed." in text
    assert "Typed evidence stays" in text
    assert not CompetencyAssessment.objects.exists()


def test_a_tampered_management_form_still_rates_every_competency(client, org):
    competencies("共感力", "ロジカルさ")
    client.force_login(org.manager_a)
    url = reverse("recognition:assessment_create", args=[org.member_a.pk])
    data = _rating_data([(3, "ok")]) | {"ratings-TOTAL_FORMS": "1"}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "Choose a rating from 1 to 4." in response.text
    assert not CompetencyAssessment.objects.exists()


def test_without_competencies_the_form_says_so(client, org):
    client.force_login(org.manager_a)
    url = reverse("recognition:assessment_create", args=[org.member_a.pk])
    assert 'data-testid="no-competencies"' in client.get(url).text


@pytest.mark.parametrize(
    ("user", "status"),
    [("member_a", 403), ("manager_b", 404), ("interviewer", 403), ("admin", 200)],
)
def test_who_may_open_the_assessment_form(client, org, user, status):
    (empathy,) = competencies("共感力")
    client.force_login(getattr(org, user))
    url = reverse("recognition:assessment_create", args=[org.member_a.pk])
    assert client.get(url).status_code == status
    response = client.post(url, _rating_data([(3, "ok")]))
    assert response.status_code == (302 if status == 200 else status)
    expected = 1 if status == 200 else 0
    assert CompetencyAssessment.objects.count() == expected


def test_another_teams_assessment_answers_404(client, org):
    (empathy,) = competencies("共感力")
    assessment = assess(org.member_b, org.manager_b, {empathy: 3})
    client.force_login(org.manager_a)
    url = reverse("recognition:assessment_detail", args=[assessment.pk])
    assert client.get(url).status_code == 404
    client.force_login(org.member_b)
    assert client.get(url).status_code == 200


# --- The plan ------------------------------------------------------------------------


def test_the_member_reads_their_plan_and_checks_in_but_does_not_edit_it(client, org):
    services.target_set(
        member=org.member_a,
        by=org.manager_a,
        metric="training_completion",
        target_value=0.9,
        by_date=_today() + timedelta(days=60),
    )
    services.action_add(member=org.member_a, by=org.manager_a, text="Shadow Sato")
    client.force_login(org.member_a)
    url = reverse("recognition:plan_detail", args=[org.member_a.pk])

    page = client.get(url).text
    assert len(_testids(page, "target")) == 1
    assert "≥ 90.0 %" in page
    assert "Shadow Sato" in page
    assert reverse("recognition:plan_edit", args=[org.member_a.pk]) not in page
    assert reverse("recognition:plan_check_in_add", args=[org.member_a.pk]) in page

    response = client.post(
        reverse("recognition:plan_check_in_add", args=[org.member_a.pk]),
        {"held_on": _today().isoformat(), "status": "at_risk", "text": "Busy month"},
    )
    assert response.status_code == 302
    assert DevelopmentPlan.objects.get().status == PlanStatus.AT_RISK
    for name in ("plan_edit", "plan_target_add", "plan_action_add"):
        edit = reverse(f"recognition:{name}", args=[org.member_a.pk])
        assert client.get(edit).status_code == 403
        assert client.post(edit, {"text": "x", "summary": "x"}).status_code == 403
    action = PlanAction.objects.get()
    toggle = reverse(
        "recognition:plan_action_toggle", args=[org.member_a.pk, action.pk]
    )
    assert client.post(toggle).status_code == 403
    action.refresh_from_db()
    assert action.done_at is None


def test_a_check_in_in_the_future_keeps_what_was_typed(client, org):
    services.plan_update(
        member=org.member_a,
        by=org.manager_a,
        summary="",
        status=PlanStatus.ON_TRACK,
        focus_competencies=[],
    )
    client.force_login(org.member_a)
    response = client.post(
        reverse("recognition:plan_check_in_add", args=[org.member_a.pk]),
        {
            "held_on": (_today() + timedelta(days=3)).isoformat(),
            "status": "on_track",
            "text": "Notes I typed",
        },
    )
    assert response.status_code == 200
    assert "A check-in is dated today or earlier." in response.text
    assert "Notes I typed" in response.text
    assert not PlanCheckIn.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "plan_detail",
        "plan_edit",
        "plan_target_add",
        "plan_action_add",
        "plan_check_in_add",
        "assessment_list",
    ],
)
def test_another_teams_member_answers_404_and_nothing_is_written(client, org, name):
    client.force_login(org.manager_a)
    url = reverse(f"recognition:{name}", args=[org.member_b.pk])
    assert client.get(url).status_code == 404
    response = client.post(
        url,
        {
            "summary": "x",
            "status": "on_track",
            "text": "x",
            "held_on": _today().isoformat(),
            "metric": "training_completion",
            "target_value": "80",
            "by_date": (_today() + timedelta(days=9)).isoformat(),
        },
    )
    assert response.status_code == 404
    assert not DevelopmentPlan.objects.exists()
    assert not PlanCheckIn.objects.exists()


def test_a_coach_writes_the_plan_with_a_percentage_target(client, org):
    (empathy,) = competencies("共感力")
    client.force_login(org.manager_a)
    member = org.member_a.pk
    response = client.post(
        reverse("recognition:plan_edit", args=[member]),
        {
            "summary": "Own onboarding end to end",
            "status": "on_track",
            "focus_competencies": [empathy.pk],
        },
    )
    assert response.status_code == 302

    response = client.post(
        reverse("recognition:plan_target_add", args=[member]),
        {
            "metric": "training_completion",
            "target_value": "150",
            "by_date": (_today() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "A percentage is from 0 to 100." in response.text
    assert 'value="150' in response.text

    client.post(
        reverse("recognition:plan_target_add", args=[member]),
        {
            "metric": "training_completion",
            "target_value": "85",
            "by_date": (_today() + timedelta(days=30)).isoformat(),
        },
    )
    assert PlanTarget.objects.get().target_value == pytest.approx(0.85)

    client.post(
        reverse("recognition:plan_action_add", args=[member]),
        {"text": "Run two setup workshops", "due_date": ""},
    )
    action = PlanAction.objects.get()
    client.post(reverse("recognition:plan_action_toggle", args=[member, action.pk]))
    action.refresh_from_db()
    assert action.done_at is not None

    page = client.get(reverse("recognition:plan_detail", args=[member])).text
    assert "Own onboarding end to end" in page
    assert "共感力" in page
    assert "≥ 85.0 %" in page

    target = PlanTarget.objects.get()
    client.post(reverse("recognition:plan_target_delete", args=[member, target.pk]))
    assert not PlanTarget.objects.exists()


def test_a_target_of_another_plan_answers_404(client, org):
    target = services.target_set(
        member=org.member_b,
        by=org.manager_b,
        metric="training_completion",
        target_value=0.9,
        by_date=_today() + timedelta(days=60),
    )
    client.force_login(org.manager_a)
    url = reverse("recognition:plan_target_delete", args=[org.member_a.pk, target.pk])
    assert client.post(url).status_code == 404
    assert PlanTarget.objects.filter(pk=target.pk).exists()


# --- Closing the loop ----------------------------------------------------------------


@pytest.fixture
def weak(org):
    _journey, steps = journey_with_steps(3)
    module = TrainingModuleFactory(from_step=steps[0], title="Kickoff training")
    for month in complete_months(3):
        conversions(org.member_a, steps[0], month, converted=1, cohort=3)
    return steps[0], module


def test_closing_the_loop_from_the_member_page(client, org, weak):
    step, module = weak
    client.force_login(org.manager_a)
    url = reverse(
        "recognition:plan_add_transition",
        kwargs={"member_pk": org.member_a.pk, "step_pk": step.pk},
    )

    page = client.get(url).text
    assert "33.3 % (3/9)" in page
    assert "Kickoff training" in page and "will be assigned" in page
    # Suggested: ten points above the current conversion.
    assert 'value="43' in page

    data = {
        "target_value": "50",
        "by_date": (_today() + timedelta(days=90)).isoformat(),
        "training_due_date": (_today() + timedelta(days=30)).isoformat(),
    }
    response = client.post(url, data, follow=True)

    assert response.redirect_chain[-1][0] == reverse(
        "recognition:plan_detail", args=[org.member_a.pk]
    )
    assert "is now a target of the plan" in response.text
    assert "Assigned: Kickoff training." in response.text
    target = PlanTarget.objects.get()
    assert (target.target_value, target.baseline_numerator) == (0.5, 3)
    assert TrainingAssignment.objects.filter(member=org.member_a).count() == 1
    assert 'data-testid="target-before">33.3 % (3/9)' in response.text

    again = client.get(url).text
    assert 'data-testid="transition-existing"' in again
    assert "already assigned" in again
    client.post(url, data)
    assert PlanTarget.objects.count() == 1
    assert TrainingAssignment.objects.count() == 1
    assert PlanAction.objects.count() == 1


def test_closing_the_loop_refuses_a_past_date_and_keeps_the_form(client, org, weak):
    step, _module = weak
    client.force_login(org.manager_a)
    url = reverse(
        "recognition:plan_add_transition",
        kwargs={"member_pk": org.member_a.pk, "step_pk": step.pk},
    )
    response = client.post(
        url,
        {
            "target_value": "250",
            "by_date": (_today() - timedelta(days=1)).isoformat(),
            "training_due_date": (_today() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "A percentage is from 0 to 100." in response.text
    assert "The date is in the past." in response.text
    assert not DevelopmentPlan.objects.exists()


@pytest.mark.parametrize(("user", "status"), [("member_a", 403), ("manager_b", 404)])
def test_closing_the_loop_is_for_coaches(client, org, weak, user, status):
    step, _module = weak
    client.force_login(getattr(org, user))
    url = reverse(
        "recognition:plan_add_transition",
        kwargs={"member_pk": org.member_a.pk, "step_pk": step.pk},
    )
    assert client.post(url, {"target_value": "50"}).status_code == status
    assert not DevelopmentPlan.objects.exists()
    assert not TrainingAssignment.objects.exists()


def test_an_unknown_step_answers_404(client, org):
    client.force_login(org.manager_a)
    url = reverse(
        "recognition:plan_add_transition",
        kwargs={"member_pk": org.member_a.pk, "step_pk": 987654},
    )
    assert client.get(url).status_code == 404


# --- Member page section -------------------------------------------------------------


def test_the_member_page_section_follows_visibility(org):
    assert member_development(member=org.member_a, viewer=org.manager_b) is None
    section = member_development(member=org.member_a, viewer=org.manager_a)
    assert section.plan is None and section.can_coach
    own = member_development(member=org.member_a, viewer=org.member_a)
    assert not own.can_coach and not own.can_check_in


def test_the_section_renders_on_the_member_page(client, org):
    (empathy,) = competencies("共感力")
    assess(org.member_a, org.manager_a, {empathy: 3})
    services.target_set(
        member=org.member_a,
        by=org.manager_a,
        metric="training_completion",
        target_value=0.9,
        by_date=_today() + timedelta(days=60),
    )
    client.force_login(org.manager_a)
    page = client.get(reverse("recognition:member", args=[org.member_a.pk])).text
    assert 'data-testid="member-development"' in page
    assert len(_testids(page, "member-target")) == 1
    assert "共感力 3" in page
    # One translatable phrase around the date (Japanese brackets, not " (…):").
    assert re.search(r"Latest assessment \([^)]+\):", page)


# --- Query counts --------------------------------------------------------------------


def _grow_team(org, count, empathy, step):
    for number in range(count):
        member = TeamMembershipFactory(team=org.team_a).user
        assess(member, org.manager_a, {empathy: 3})
        services.target_set(
            member=member,
            by=org.manager_a,
            metric=f"step_conversion:{step.pk}",
            target_value=0.5,
            by_date=_today() + timedelta(days=30 + number),
        )
        services.action_add(
            member=member, by=org.manager_a, text="Shadow", due_date=_today()
        )
        services.check_in_add(
            member=member,
            by=org.manager_a,
            held_on=_today(),
            text="ok",
            status=PlanStatus.ON_TRACK,
        )


@pytest.mark.parametrize("count", [1, 12])
def test_the_plan_list_query_count_does_not_grow(
    client, org, count, django_assert_max_num_queries
):
    (empathy,) = competencies("共感力")
    _journey, steps = journey_with_steps(2)
    _grow_team(org, count, empathy, steps[0])
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("recognition:plan_list"))
    # manager_a sees member_a, sub_member and the new members.
    assert len(_testids(response.text, "plan-row")) == count + 2
    # Counts carry their unit (1 target, 1 action; 1件 in Japanese).
    assert "1 target<" in response.text and "1 action" in response.text


@pytest.mark.parametrize("count", [1, 10])
def test_the_plan_page_query_count_does_not_grow(
    client, org, count, django_assert_max_num_queries
):
    (empathy,) = competencies("共感力")
    _journey, steps = journey_with_steps(count + 1)
    for number, step in enumerate(steps[:-1]):
        for month in complete_months(2):
            conversions(org.member_a, step, month, converted=1, cohort=2)
        services.target_set(
            member=org.member_a,
            by=org.manager_a,
            metric=f"step_conversion:{step.pk}",
            target_value=0.5,
            by_date=_today() + timedelta(days=30),
        )
        module = TrainingModuleFactory(from_step=step)
        assignment = TrainingAssignment.objects.create(
            module=module, member=org.member_a, due_date=_today()
        )
        services.action_add(
            member=org.member_a,
            by=org.manager_a,
            text=f"Action {number}",
            training_assignment=assignment,
        )
        services.check_in_add(
            member=org.member_a,
            by=org.manager_a,
            held_on=_today(),
            text="ok",
            status=PlanStatus.ON_TRACK,
        )
        assess(org.member_a, org.manager_a, {empathy: 3})
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(22):
        response = client.get(
            reverse("recognition:plan_detail", args=[org.member_a.pk])
        )
    assert len(_testids(response.text, "target")) == count


@pytest.mark.parametrize("count", [1, 8])
def test_the_assessment_history_query_count_does_not_grow(
    client, org, count, django_assert_max_num_queries
):
    found = competencies(*(f"C{number}" for number in range(3)))
    for number in range(count):
        assess(
            org.member_a,
            org.manager_a,
            {competency: 1 + number % 4 for competency in found},
            when=timezone.now() - timedelta(days=number),
        )
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(12):
        response = client.get(
            reverse("recognition:assessment_list", args=[org.member_a.pk])
        )
    assert len(_testids(response.text, "assessment-row")) == count


def test_a_plan_without_targets_does_not_explain_before_and_after(client, org):
    """The now/before/after note only where there is a target to read it on."""
    client.force_login(org.manager_a)
    url = reverse("recognition:plan_detail", args=[org.member_a.pk])
    page = client.get(url).text
    assert "No target metric yet." in page
    assert 'data-testid="targets-explained"' not in page
    _journey, steps = journey_with_steps(2)
    services.target_set(
        member=org.member_a,
        by=org.manager_a,
        metric=f"step_conversion:{steps[0].pk}",
        target_value=0.5,
        by_date=_today() + timedelta(days=30),
    )
    assert 'data-testid="targets-explained"' in client.get(url).text
