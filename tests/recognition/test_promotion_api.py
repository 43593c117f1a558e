"""API of promotion criteria and readiness: read by admins, managers and members,
written by admins with the criteria nested and checked per row (never a 500 on
garbage); a member's readiness answers 404 outside the members one sees."""

import pytest

from recognition.models import MetricCriterion, PromotionStep
from tests.factories import TeamMembershipFactory
from tests.journeys.factories import TrainingModuleFactory, journey_with_steps
from tests.recognition.development_factories import (
    assess,
    at_level,
    competencies,
    complete_months,
    conversions,
    ladder,
    step_up,
)

pytestmark = pytest.mark.django_db

CRITERIA = "/api/v1/promotion-criteria/"


def _readiness(member):
    return f"/api/v1/members/{member.pk}/readiness/"


@pytest.fixture
def levels():
    return ladder("CSM", "Senior CSM", "Lead CSM")


def test_an_admin_creates_criteria_with_nested_rows(api_client, org, levels):
    csm, senior, _lead = levels
    (empathy,) = competencies("共感力")
    _journey, steps = journey_with_steps(2)
    module = TrainingModuleFactory(from_step=steps[0])
    api_client.force_authenticate(org.admin)
    body = {
        "from_level": csm.pk,
        "to_level": senior.pk,
        "required_modules": [module.pk],
        "metric_criteria": [
            {
                "metric": f"days_to_convert:{steps[0].pk}",
                "comparison": "lte",
                "value": 14,
                "months": 6,
            }
        ],
        "competency_criteria": [{"competency": empathy.pk, "minimum_rating": 3}],
    }

    response = api_client.post(CRITERIA, body, format="json")

    assert response.status_code == 201, response.data
    data = response.json()
    assert data["from_level_name"] == "CSM" and data["required_modules"] == [module.pk]
    assert data["metric_criteria"][0]["metric_label"].startswith("Median days")
    assert data["competency_criteria"] == [
        {"competency": empathy.pk, "competency_name": "共感力", "minimum_rating": 3}
    ]

    step_id = data["id"]
    patched = api_client.patch(
        f"{CRITERIA}{step_id}/", {"required_modules": []}, format="json"
    )
    assert patched.status_code == 200
    # What a PATCH does not name stays.
    assert len(patched.json()["metric_criteria"]) == 1
    assert patched.json()["required_modules"] == []

    assert api_client.delete(f"{CRITERIA}{step_id}/").status_code == 204
    assert not PromotionStep.objects.exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        (
            {
                "metric": "training_completion",
                "comparison": "gte",
                "value": 80,
                "months": 3,
            },
            "value",
        ),
        ({"metric": "nope", "comparison": "gte", "value": 0.8, "months": 3}, "metric"),
        (
            {
                "metric": "training_completion",
                "comparison": "gt",
                "value": 0.8,
                "months": 3,
            },
            "comparison",
        ),
        (
            {
                "metric": "training_completion",
                "comparison": "gte",
                "value": 0.8,
                "months": 0,
            },
            "months",
        ),
        (
            {
                "metric": "training_completion",
                "comparison": "gte",
                "value": "x",
                "months": 3,
            },
            "value",
        ),
    ],
)
def test_a_bad_threshold_answers_400_on_its_row(api_client, org, levels, row, field):
    csm, senior, _lead = levels
    api_client.force_authenticate(org.admin)
    body = {"from_level": csm.pk, "to_level": senior.pk, "metric_criteria": [row]}

    response = api_client.post(CRITERIA, body, format="json")

    assert response.status_code == 400
    assert field in response.json()["metric_criteria"]["0"]
    assert not PromotionStep.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        {"from_level": "x", "to_level": None},
        {"from_level": 2**70, "to_level": 1, "metric_criteria": "many"},
        {"competency_criteria": [{"competency": 1, "minimum_rating": 9}]},
        ["nope"],
    ],
)
def test_garbage_answers_400_never_500(api_client, org, levels, body):
    api_client.force_authenticate(org.admin)
    assert api_client.post(CRITERIA, body, format="json").status_code == 400
    assert not PromotionStep.objects.exists()


@pytest.mark.parametrize(
    "rows, field",
    [("metric_criteria", "metric"), ("competency_criteria", "competency")],
)
def test_a_patch_writes_its_criteria_whole(api_client, org, levels, rows, field):
    """A criterion left empty in a PATCH is refused on its fields (it answered
    500)."""
    csm, senior, _lead = levels
    api_client.force_authenticate(org.admin)
    created = api_client.post(
        CRITERIA, {"from_level": csm.pk, "to_level": senior.pk}, format="json"
    )
    assert created.status_code == 201, created.data
    response = api_client.patch(
        f"{CRITERIA}{created.json()['id']}/", {rows: [{}]}, format="json"
    )
    assert response.status_code == 400
    assert response.json()[rows]["0"][field] == ["This field is required."]
    assert not MetricCriterion.objects.exists()


def test_one_step_per_level_and_always_upwards(api_client, org, levels):
    csm, senior, lead = levels
    step_up(csm, senior)
    api_client.force_authenticate(org.admin)

    twice = api_client.post(
        CRITERIA, {"from_level": csm.pk, "to_level": lead.pk}, format="json"
    )
    downwards = api_client.post(
        CRITERIA, {"from_level": lead.pk, "to_level": senior.pk}, format="json"
    )

    assert twice.status_code == 400 and "from_level" in twice.json()
    assert downwards.status_code == 400 and "to_level" in downwards.json()
    assert PromotionStep.objects.count() == 1


def test_managers_and_members_read_but_do_not_write(api_client, org, levels):
    csm, senior, _lead = levels
    step = step_up(
        csm, senior, metric_criteria=[("training_completion", "gte", 0.8, 3)]
    )
    for user in (org.manager_a, org.member_a):
        api_client.force_authenticate(user)
        assert api_client.get(CRITERIA).json()["count"] == 1
        assert (
            api_client.patch(
                f"{CRITERIA}{step.pk}/", {"metric_criteria": []}, format="json"
            )
        ).status_code == 403
    assert MetricCriterion.objects.count() == 1
    api_client.force_authenticate(org.recruiter)
    assert api_client.get(CRITERIA).status_code == 403


def test_readiness_for_a_visible_member(api_client, org, levels):
    csm, senior, _lead = levels
    (empathy,) = competencies("共感力")
    _journey, steps = journey_with_steps(2)
    key = f"step_conversion:{steps[0].pk}"
    step_up(
        csm,
        senior,
        metric_criteria=[(key, "gte", 0.5, 3)],
        competency_criteria=[(empathy, 3)],
    )
    at_level(org.member_a, csm)
    conversions(org.member_a, steps[0], complete_months(2)[0], converted=1, cohort=4)
    assess(org.member_a, org.manager_a, {empathy: 3})
    api_client.force_authenticate(org.manager_a)

    data = api_client.get(_readiness(org.member_a)).json()

    assert data["current_level"]["level"]["name"] == "CSM"
    assert data["next_level"]["name"] == "Senior CSM"
    assert (data["ready"], data["met"]) == (False, 1)
    metric, competency = data["criteria"]
    assert metric == {
        "kind": "metric",
        "label": metric["label"],
        "requirement": "≥ 50.0 % over the last 3 months",
        "actual": "25.0 % (1/4)",
        "met": False,
        "no_data": False,
        "value": 0.25,
        "threshold": 0.5,
    }
    assert competency["met"] is True


@pytest.mark.parametrize(
    "member_id", ["member_b", "admin", "abc", "99999999999999999999"]
)
def test_readiness_outside_the_visible_members_answers_404(api_client, org, member_id):
    api_client.force_authenticate(org.manager_a)
    target = getattr(org, member_id, None)
    path = _readiness(target) if target else f"/api/v1/members/{member_id}/readiness/"
    assert api_client.get(path).status_code == 404


def test_a_member_reads_their_own_readiness_only(api_client, org):
    member = TeamMembershipFactory(team=org.team_a).user
    api_client.force_authenticate(org.member_a)
    own = api_client.get(_readiness(org.member_a))
    assert own.status_code == 200 and own.json()["current_level"] is None
    assert api_client.get(_readiness(member)).status_code == 404
