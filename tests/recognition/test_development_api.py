"""API of assessments and development plans: scoped lists, coaches create with
ratings nested, 400 on the field for bad input (never a 500 on garbage), another
team's objects answer 404, and list query counts that do not grow."""

from datetime import timedelta

import pytest
from django.utils import timezone

from recognition.models import CompetencyAssessment, DevelopmentPlan, PlanCheckIn
from recognition.services import development as services
from tests.factories import TeamMembershipFactory
from tests.journeys.factories import journey_with_steps
from tests.recognition.development_factories import (
    assess,
    competencies,
    complete_months,
    conversions,
)

pytestmark = pytest.mark.django_db

ASSESSMENTS = "/api/v1/competency-assessments/"
PLANS = "/api/v1/development-plans/"


def _today():
    return timezone.localdate()


@pytest.fixture
def framework():
    return competencies("共感力", "ロジカルさ")


def _body(member, framework, **overrides):
    empathy, logic = framework
    body = {
        "member": member.pk,
        "note": "Quarterly review",
        "ratings": [
            {"competency": empathy.pk, "rating": 3, "evidence": "calm with Acme"},
            {"competency": logic.pk, "rating": 4, "evidence": "clear QBR"},
        ],
    }
    return body | overrides


def test_a_manager_creates_an_assessment_with_its_ratings(api_client, org, framework):
    api_client.force_authenticate(org.manager_a)

    response = api_client.post(
        ASSESSMENTS, _body(org.member_a, framework), format="json"
    )

    assert response.status_code == 201, response.data
    data = response.json()
    assert data["member"] == org.member_a.pk and data["assessed_by"] == org.manager_a.pk
    assert data["is_latest"] is True
    assert sorted(r["rating"] for r in data["ratings"]) == [3, 4]
    assert CompetencyAssessment.objects.get().ratings.count() == 2


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        (5, "A rating is a whole number from 1 to 4."),
        (0, "A rating is a whole number from 1 to 4."),
        ("three", "A rating is a whole number from 1 to 4."),
        (2.5, "A rating is a whole number from 1 to 4."),
        (True, "A rating is a whole number from 1 to 4."),
        (None, "This field may not be null."),
    ],
)
def test_a_rating_outside_1_to_4_answers_400_on_its_field(
    api_client, org, framework, rating, message
):
    api_client.force_authenticate(org.manager_a)
    body = _body(org.member_a, framework)
    body["ratings"][1]["rating"] = rating

    response = api_client.post(ASSESSMENTS, body, format="json")

    assert response.status_code == 400
    # Only the row in error is named, by its index.
    assert response.json() == {"ratings": {"1": {"rating": [message]}}}
    assert not CompetencyAssessment.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"member": "abc", "ratings": []},
        {"member": 2**70, "ratings": "lots"},
        {"member": None, "ratings": [1, 2]},
        {"ratings": [{"competency": "x", "rating": 3, "evidence": "e"}]},
        [],
        "garbage",
    ],
)
def test_garbage_answers_400_never_500(api_client, org, framework, body):
    api_client.force_authenticate(org.manager_a)
    response = api_client.post(ASSESSMENTS, body, format="json")
    assert response.status_code == 400
    assert not CompetencyAssessment.objects.exists()


def test_a_missing_competency_is_refused_on_ratings(api_client, org, framework):
    api_client.force_authenticate(org.manager_a)
    body = _body(org.member_a, framework)
    body["ratings"] = body["ratings"][:1]

    response = api_client.post(ASSESSMENTS, body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "ratings": ["Rate every competency; missing: ロジカルさ."]
    }


def test_a_member_of_another_team_is_no_such_member(api_client, org, framework):
    api_client.force_authenticate(org.manager_a)
    response = api_client.post(
        ASSESSMENTS, _body(org.member_b, framework), format="json"
    )
    assert response.status_code == 400
    assert "member" in response.json()
    assert not CompetencyAssessment.objects.exists()


def test_members_do_not_assess_even_themselves(api_client, org, framework):
    api_client.force_authenticate(org.member_a)
    response = api_client.post(
        ASSESSMENTS, _body(org.member_a, framework), format="json"
    )
    assert response.status_code == 403
    assert not CompetencyAssessment.objects.exists()


def test_lists_are_scoped_to_the_members_one_sees(api_client, org, framework):
    empathy, logic = framework
    own = assess(org.member_a, org.manager_a, {empathy: 3, logic: 3})
    other = assess(org.member_b, org.manager_b, {empathy: 2, logic: 2})
    api_client.force_authenticate(org.member_a)

    listed = api_client.get(ASSESSMENTS).json()["results"]

    assert [row["id"] for row in listed] == [own.pk]
    assert api_client.get(f"{ASSESSMENTS}{other.pk}/").status_code == 404
    assert api_client.get(f"{ASSESSMENTS}abc/").status_code == 404
    assert api_client.get(f"{ASSESSMENTS}?member=abc").status_code == 400
    filtered = api_client.get(f"{ASSESSMENTS}?member={org.member_b.pk}").json()
    assert filtered["results"] == []


def test_only_the_newest_assessment_is_latest(api_client, org, framework):
    empathy, logic = framework
    older = assess(
        org.member_a,
        org.manager_a,
        {empathy: 2, logic: 2},
        when=timezone.now() - timedelta(days=30),
    )
    newer = assess(org.member_a, org.manager_a, {empathy: 3, logic: 3})
    api_client.force_authenticate(org.manager_a)

    rows = api_client.get(ASSESSMENTS).json()["results"]

    assert [(row["id"], row["is_latest"]) for row in rows] == [
        (newer.pk, True),
        (older.pk, False),
    ]


# --- Plans ---------------------------------------------------------------------------


def test_a_coach_creates_a_plan_adds_a_target_and_the_member_checks_in(
    api_client, org, framework
):
    empathy, _logic = framework
    _journey, steps = journey_with_steps(2)
    for month in complete_months(3):
        conversions(org.member_a, steps[0], month, converted=1, cohort=2)
    api_client.force_authenticate(org.manager_a)

    created = api_client.post(
        PLANS,
        {
            "member": org.member_a.pk,
            "summary": "Grow",
            "focus_competencies": [empathy.pk],
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    plan_id = created.json()["id"]
    twice = api_client.post(PLANS, {"member": org.member_a.pk}, format="json")
    assert twice.status_code == 400 and "member" in twice.json()

    key = f"step_conversion:{steps[0].pk}"
    target = api_client.post(
        f"{PLANS}{plan_id}/targets/",
        {
            "metric": key,
            "target_value": 0.75,
            "by_date": (_today() + timedelta(days=60)).isoformat(),
        },
        format="json",
    )
    assert target.status_code == 201, target.data
    (row,) = target.json()["targets"]
    assert row["metric"] == key and row["target_value"] == 0.75
    assert row["baseline"]["numerator"] == 3 and row["baseline"]["denominator"] == 6
    assert row["current"]["value"] == 0.5 and row["reached"] is False

    api_client.force_authenticate(org.member_a)
    check_in = api_client.post(
        f"{PLANS}{plan_id}/check-ins/",
        {"held_on": _today().isoformat(), "text": "On it", "status": "at_risk"},
        format="json",
    )
    assert check_in.status_code == 201
    assert check_in.json()["status"] == "at_risk"
    assert (
        api_client.patch(
            f"{PLANS}{plan_id}/", {"summary": "mine"}, format="json"
        ).status_code
        == 403
    )
    assert (
        api_client.post(
            f"{PLANS}{plan_id}/targets/",
            {"metric": key, "target_value": 1, "by_date": "2099-01-01"},
            format="json",
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {
                "metric": "training_completion",
                "target_value": 80,
                "by_date": "2099-01-01",
            },
            "target_value",
        ),
        ({"metric": "nope", "target_value": 0.8, "by_date": "2099-01-01"}, "metric"),
        (
            {
                "metric": "training_completion",
                "target_value": "x",
                "by_date": "2099-01-01",
            },
            "target_value",
        ),
        (
            {"metric": "training_completion", "target_value": 0.8, "by_date": "soon"},
            "by_date",
        ),
        (
            {
                "metric": "training_completion",
                "target_value": 0.8,
                "by_date": "2001-01-01",
            },
            "by_date",
        ),
    ],
)
def test_a_bad_target_answers_400_on_its_field(api_client, org, body, field):
    plan = services.plan_get_or_create(member=org.member_a, by=org.manager_a)
    api_client.force_authenticate(org.manager_a)
    response = api_client.post(f"{PLANS}{plan.pk}/targets/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not plan.targets.exists()


def test_another_teams_plan_answers_404_and_nothing_is_written(api_client, org):
    plan = services.plan_get_or_create(member=org.member_b, by=org.manager_b)
    api_client.force_authenticate(org.manager_a)
    assert api_client.get(f"{PLANS}{plan.pk}/").status_code == 404
    response = api_client.post(
        f"{PLANS}{plan.pk}/check-ins/",
        {"held_on": _today().isoformat(), "text": "x", "status": "on_track"},
        format="json",
    )
    assert response.status_code == 404
    assert (
        api_client.patch(
            f"{PLANS}{plan.pk}/", {"summary": "x"}, format="json"
        ).status_code
        == 404
    )
    assert not PlanCheckIn.objects.exists()
    assert DevelopmentPlan.objects.get().summary == ""
    assert api_client.get(PLANS).json()["results"] == []


def test_roles_outside_management_get_403(api_client, org):
    api_client.force_authenticate(org.interviewer)
    assert api_client.get(PLANS).status_code == 403
    assert api_client.get(ASSESSMENTS).status_code == 403


@pytest.mark.parametrize("count", [1, 10])
def test_list_query_counts_do_not_grow(
    api_client, org, framework, count, django_assert_max_num_queries
):
    empathy, logic = framework
    _journey, steps = journey_with_steps(2)
    for number in range(count):
        member = TeamMembershipFactory(team=org.team_a).user
        assess(member, org.manager_a, {empathy: 3, logic: 2})
        services.target_set(
            member=member,
            by=org.manager_a,
            metric=f"step_conversion:{steps[0].pk}",
            target_value=0.5,
            by_date=_today() + timedelta(days=30 + number),
        )
        services.action_add(member=member, by=org.manager_a, text="Shadow")
        services.check_in_add(
            member=member,
            by=org.manager_a,
            held_on=_today(),
            text="ok",
            status="on_track",
        )
    api_client.force_authenticate(org.manager_a)
    with django_assert_max_num_queries(12):
        plans = api_client.get(PLANS)
    with django_assert_max_num_queries(10):
        assessments = api_client.get(ASSESSMENTS)
    assert plans.json()["count"] == count
    assert assessments.json()["count"] == count
