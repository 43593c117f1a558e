"""The maturity self-assessment (issue 14): the level reached and next steps by the
80 % rule, the evidence Kata sees (and the form prefilled with it), the running
quarter only, the pages for admins and managers, and evidence in a fixed number of
queries."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from journeys.models import (
    ARRSnapshot,
    SuccessMeasure,
    SuccessPlan,
    TrainingAssignment,
    TrainingCompletion,
)
from recognition import metrics, organisation
from recognition.models import (
    AwardPeriod,
    AwardProgram,
    MaturityAssessment,
    RoleFunction,
    RoleImportance,
    RoleStatus,
    RollupRun,
)
from recognition.organisation import NO, PARTLY, YES
from recognition.selectors import organisation as selectors
from recognition.services import organisation as services
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    TrainingModuleFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

PAGE = reverse("recognition:maturity")
ASSESS = reverse("recognition:maturity_assess")


def _all(answer: str, *, levels=(2, 3, 4, 5)) -> dict:
    return {q.key: answer for q in organisation.QUESTIONS if q.level in levels}


# --- The rules ----------------------------------------------------------------------


def test_no_answers_is_level_one_with_level_twos_questions_as_next_steps():
    assert organisation.level_reached({}) == 1
    assert [q.key for q in organisation.next_steps({})] == [
        "accounts_owned",
        "journey_defined",
        "roles_mapped",
    ]


def test_a_level_is_met_from_80_percent_of_its_points():
    answers = _all(YES, levels=(2, 3))
    assert organisation.level_reached(answers) == 3
    # One partly among three questions: 2.5 / 3 = 83 %, still met.
    answers["structured_hiring"] = PARTLY
    assert organisation.level_reached(answers) == 3
    # Two partly: 2 / 3 = 67 %, not met.
    answers["training_in_place"] = PARTLY
    assert organisation.level_reached(answers) == 2
    # Level 4 (four questions): one partly is 87.5 %, one no is 75 %.
    answers = _all(YES, levels=(2, 3, 4)) | {"awards_set": PARTLY}
    assert organisation.level_reached(answers) == 4
    answers["awards_set"] = NO
    assert organisation.level_reached(answers) == 3
    assert [q.key for q in organisation.next_steps(answers)] == ["awards_set"]


def test_a_higher_level_does_not_count_over_an_unmet_one():
    answers = _all(YES) | {"playbooks_written": NO, "training_in_place": NO}
    assert organisation.level_reached(answers) == 2
    assert {q.key for q in organisation.next_steps(answers)} == {
        "playbooks_written",
        "training_in_place",
    }
    assert organisation.level_reached(_all(YES)) == 5
    assert organisation.next_steps(_all(YES)) == []


# --- Evidence -----------------------------------------------------------------------


def test_with_no_data_every_evidence_says_no(org):
    evidence = selectors.maturity_evidence()
    assert set(evidence) == {q.key for q in organisation.QUESTIONS if q.evidence}
    assert {seen["answer"] for seen in evidence.values()} == {NO}
    assert organisation.evidence_text("rollups_in_use", evidence["rollups_in_use"]) == (
        "No rollup has finished yet."
    )


def _build_practice(org, *, accounts: int = 4, now=None):
    """An organisation that works the defined way: a journey of three steps with a
    playbook on both transitions (one improved recently), a module per step passed
    by member_a, every account owned with ARR last month and half of them with a
    success plan, a rollup yesterday, this month's award metric, and the role
    map's important functions staffed."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    journey, steps = journey_with_steps(3)
    for step in steps[:2]:
        playbook = PlaybookFactory(from_step=step)
        PlaybookVersionFactory(playbook=playbook, number=1)
    PlaybookVersionFactory(playbook=playbook, number=2)
    module = TrainingModuleFactory(from_step=steps[0])
    TrainingAssignment.objects.create(
        module=module, member=org.member_a, due_date=today
    )
    TrainingAssignment.objects.create(
        module=module, team=org.team_a, due_date=today + timedelta(days=30)
    )
    TrainingCompletion.objects.create(
        module=module, member=org.member_a, completed_at=now, passed=True
    )
    last_month = metrics.add_months(metrics.this_month(today), -1)
    for number in range(accounts):
        account = CustomerAccountFactory(journey=journey, owner=org.member_a)
        ARRSnapshot.objects.create(
            account=account,
            month=last_month,
            arr=1_000_000,
            source="ui",
            recorded_by=org.admin,
            recorded_at=now,
        )
        if number % 2 == 0:
            plan = SuccessPlan.objects.create(
                account=account,
                outcome="Cut onboarding time",
                outcome_kind="cost",
                customer_owner="Ms Ito",
            )
            SuccessMeasure.objects.create(
                plan=plan,
                name="Days to first value",
                baseline=60,
                baseline_on=today - timedelta(days=30),
                target=30,
                target_on=today + timedelta(days=60),
            )
    RollupRun.objects.create(
        started_at=now - timedelta(days=1),
        as_of=now - timedelta(days=1),
        finished_at=now - timedelta(days=1),
        full=True,
    )
    program, _new = AwardProgram.objects.get_or_create(name="MVP", cadence="monthly")
    AwardPeriod.objects.get_or_create(
        program=program,
        start=metrics.this_month(today),
        end=metrics.month_end_day(today),
        defaults={
            "metric": "journey_conversion:1",
            "set_by": org.admin,
            "set_at": now,
        },
    )
    services.role_functions_ensure()
    for key in ("onboarding", "adoption"):
        services.role_function_save(
            function=RoleFunction.objects.get(key=key),
            by=org.admin,
            status=RoleStatus.DEDICATED,
            importance=RoleImportance.NOW,
        )
    return journey


def test_the_evidence_reads_kata_data(org):
    _build_practice(org)
    evidence = selectors.maturity_evidence()
    answers = organisation.suggested_answers(evidence)
    assert answers == {
        "accounts_owned": YES,
        "journey_defined": YES,
        "roles_mapped": YES,
        "playbooks_written": YES,
        # Team A's assignment and their own reach member_a, who passed.
        "training_in_place": YES,
        "rollups_in_use": YES,
        "awards_set": YES,
        "revenue_recorded": YES,
        "success_plans": YES,
        "playbooks_improved": YES,
        "retrospectives_acted": NO,
    }
    text = organisation.evidence_text
    assert text("accounts_owned", evidence["accounts_owned"]) == (
        "4 of 4 active accounts have an owner or a pool (100 %)."
    )
    assert text("playbooks_written", evidence["playbooks_written"]) == (
        "2 of 2 transitions have a playbook (100 %)."
    )
    assert text("success_plans", evidence["success_plans"]) == (
        "2 of 4 active accounts have a success plan with measures (50 %)."
    )
    assert text("rollups_in_use", evidence["rollups_in_use"]) == (
        "The last rollup finished 1 day ago."
    )


def test_partial_evidence_suggests_partly(org):
    journey = _build_practice(org, accounts=2)
    # An account without an owner, a transition without a playbook, a function
    # important now that no one does.
    CustomerAccountFactory(journey=journey)
    _j, steps = journey_with_steps(3)
    PlaybookFactory(from_step=steps[0])
    services.role_function_save(
        function=RoleFunction.objects.get(key="renewal"),
        by=org.admin,
        status=RoleStatus.NOT_STARTED,
        importance=RoleImportance.NOW,
    )
    RollupRun.objects.update(finished_at=timezone.now() - timedelta(days=60))
    evidence = selectors.maturity_evidence()
    answers = organisation.suggested_answers(evidence)
    assert answers["accounts_owned"] == PARTLY  # 2 of 3
    assert answers["playbooks_written"] == PARTLY  # 3 of 4
    assert answers["roles_mapped"] == PARTLY  # 2 of 3
    assert answers["rollups_in_use"] == PARTLY  # 60 days ago
    assert organisation.evidence_text("roles_mapped", evidence["roles_mapped"]) == (
        "2 of 3 functions important now have someone doing it."
    )


def test_a_playbook_on_the_last_step_covers_no_transition(org):
    _journey, steps = journey_with_steps(3)
    # A → B has none; B → C has one; C leads nowhere.
    PlaybookFactory(from_step=steps[1])
    PlaybookFactory(from_step=steps[2])
    evidence = selectors.maturity_evidence()
    assert organisation.suggested_answers(evidence)["playbooks_written"] == PARTLY
    assert organisation.evidence_text(
        "playbooks_written", evidence["playbooks_written"]
    ) == ("1 of 2 transitions have a playbook (50 %).")


def test_the_evidence_takes_a_fixed_number_of_queries(
    org, django_assert_max_num_queries
):
    _build_practice(org, accounts=2)
    with django_assert_max_num_queries(12):
        small = selectors.maturity_facts()
    _build_practice(org, accounts=20)
    with django_assert_max_num_queries(12):
        large = selectors.maturity_facts()
    assert (small["accounts_active"], large["accounts_active"]) == (2, 22)


# --- The form, prefilled ------------------------------------------------------------


def test_the_form_is_prefilled_from_the_evidence_and_shows_it(client, org):
    _build_practice(org)
    client.force_login(org.admin)
    response = client.get(ASSESS)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["accounts_owned"] == YES
    assert form.initial["retrospectives_acted"] == NO
    # Only the admin knows: left for them.
    assert "structured_hiring" not in form.initial
    assert "experiments" not in form.initial
    html = response.content.decode()
    assert 'id="id_accounts_owned_0" value="yes" checked' in html
    assertContains(response, "4 of 4 active accounts have an owner or a pool (100 %).")
    assertContains(response, "Only you can tell.")


def test_an_unanswered_question_keeps_the_other_answers(client, org):
    client.force_login(org.admin)
    data = _all(NO) | {"journey_defined": YES, "note": "Kickoff review"}
    del data["structured_hiring"]
    response = client.post(ASSESS, data)
    assert response.status_code == 200
    assert response.context["form"].errors["structured_hiring"] == [
        "Answer this question."
    ]
    html = response.content.decode()
    assert 'id="id_journey_defined_0" value="yes" checked' in html
    assertContains(response, "Kickoff review")
    assert not MaturityAssessment.objects.exists()


def test_saving_keeps_answers_evidence_and_level(client, org):
    _build_practice(org)
    client.force_login(org.admin)
    data = _all(YES, levels=(2, 3)) | _all(NO, levels=(4, 5))
    data |= {"structured_hiring": PARTLY, "note": "First assessment"}
    response = client.post(ASSESS, data)
    assessment = MaturityAssessment.objects.get()
    assert response.url == assessment.get_absolute_url()
    assert assessment.level == 3
    assert assessment.quarter == organisation.quarter_key(timezone.localdate())
    assert assessment.evidence["awards_set"]["answer"] == YES
    assert assessment.assessed_by == org.admin
    detail = client.get(response.url)
    assertContains(detail, "Level 3")
    # Answered no where the evidence says yes: shown.
    assertContains(detail, "answered otherwise")
    assertContains(detail, "Set the metric of the month in an award program.")
    # The form opens again on the saved answers, not the evidence.
    again = client.get(ASSESS)
    assert again.context["form"].initial["awards_set"] == NO


# --- Quarters -----------------------------------------------------------------------


def _at(day: date):
    return timezone.make_aware(timezone.datetime(day.year, day.month, day.day, 10))


def test_only_the_running_quarter_is_assessed_once_and_past_ones_are_kept(org):
    earlier = _at(metrics.add_months(timezone.localdate().replace(day=1), -3))
    past = services.maturity_assessment_save(
        assessment=MaturityAssessment(), by=org.admin, answers={}, now=earlier
    )
    assert past.quarter == organisation.quarter_key(earlier.date())
    with pytest.raises(ValidationError) as error:
        services.maturity_assessment_save(
            assessment=past, by=org.admin, answers=_all(YES)
        )
    assert "is over" in error.value.message_dict["quarter"][0]
    with pytest.raises(ValidationError) as error:
        services.maturity_assessment_save(
            assessment=MaturityAssessment(),
            by=org.admin,
            answers={},
            quarter=past.quarter,
        )
    assert "Only the running quarter" in error.value.message_dict["quarter"][0]
    current = services.maturity_assessment_save(
        assessment=MaturityAssessment(), by=org.admin, answers={}
    )
    with pytest.raises(ValidationError) as error:
        services.maturity_assessment_save(
            assessment=MaturityAssessment(), by=org.admin, answers={}
        )
    assert error.value.message_dict["quarter"] == [
        "This quarter already has its maturity assessment."
    ]
    with pytest.raises(PermissionError):
        services.maturity_assessment_save(
            assessment=current, by=org.manager_a, answers={}
        )


def test_an_answer_that_is_not_a_word_is_an_error_on_the_answers(client, org):
    assessment = services.maturity_assessment_save(
        assessment=MaturityAssessment(), by=org.admin, answers=_all(YES)
    )
    with pytest.raises(ValidationError) as error:
        services.check_answers({"accounts_owned": ["yes"], "journey_defined": {}})
    assert error.value.message_dict["answers"] == [
        "Answer yes, partly or no: accounts_owned, journey_defined."
    ]
    # In the admin, a form error rather than a server error; nothing changes.
    client.force_login(org.admin)
    response = client.post(
        reverse("admin:recognition_maturityassessment_change", args=[assessment.pk]),
        {"answers": '{"accounts_owned": ["yes"]}', "note": "fixed"},
    )
    assert response.status_code == 200
    assertContains(response, "Answer yes, partly or no: accounts_owned.")
    assessment.refresh_from_db()
    assert assessment.note != "fixed"


# --- Pages --------------------------------------------------------------------------


def test_the_overview_before_any_assessment(client, org):
    client.force_login(org.admin)
    response = client.get(PAGE)
    assertContains(response, "Not assessed yet this quarter.")
    assertContains(response, ASSESS)
    assertContains(response, "No assessment yet.")
    client.force_login(org.manager_a)
    response = client.get(PAGE)
    assertContains(response, "An admin answers the questionnaire once a quarter.")
    assertNotContains(response, ASSESS)
    for user in (org.member_a, org.interviewer, org.recruiter):
        client.force_login(user)
        assert client.get(PAGE).status_code == 403


def test_the_history_shows_the_level_quarter_by_quarter(
    client, org, django_assert_max_num_queries
):
    this_month = timezone.localdate().replace(day=1)
    levels = {-9: (2,), -6: (2, 3), -3: (2, 3), 0: (2, 3, 4)}
    for months, met in levels.items():
        services.maturity_assessment_save(
            assessment=MaturityAssessment(),
            by=org.admin,
            answers=_all(NO) | _all(YES, levels=met),
            now=_at(metrics.add_months(this_month, months)),
        )
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(PAGE)
    rows = response.context["page"].object_list
    assert [row.level.number for row in rows] == [4, 3, 3, 2]
    assert [row.change for row in rows] == [1, 0, 1, None]
    assertContains(response, "Next steps to level 5 (Optimising)")
    assertContains(response, 'data-testid="maturity-chart"')
    # The chart's quarters read as the table's, not as their keys.
    chart = response.content.decode().split('data-testid="maturity-chart"')[1]
    chart = chart.split('data-testid="maturity-history"')[0]
    labels = [row.label for row in rows]
    assert all(f">{label}</span>" in chart for label in labels)
    assert rows[0].assessment.quarter not in chart
    # Managers read the detail, without the edit button.
    detail = client.get(rows[0].assessment.get_absolute_url())
    assertContains(detail, "Level 4")
    assertNotContains(detail, ASSESS)
    # More quarters, the same number of queries.
    for months in (-12, -15, -18, -21):
        services.maturity_assessment_save(
            assessment=MaturityAssessment(),
            by=org.admin,
            answers={},
            now=_at(metrics.add_months(this_month, months)),
        )
    with django_assert_max_num_queries(8):
        assert client.get(PAGE).status_code == 200


def test_an_unknown_quarter_answers_404(client, org):
    client.force_login(org.admin)
    assert (
        client.get(
            reverse("recognition:maturity_detail", args=["FY1999-Q1"])
        ).status_code
        == 404
    )
