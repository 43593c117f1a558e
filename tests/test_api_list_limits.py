"""Every list a write request takes has a length limit that a real organisation
never reaches: a longer list answers 400 on its field with DRF's own message,
before any of its items is looked up (10,000 ids took 23 s, a query each, for some
endpoints ahead of the permission check), and nothing is written. A list at the
limit is taken. The schema shows each limit (maxItems)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.models import Team
from hiring.models import Competency, InterviewKit, SuccessProfile
from journeys.models import SuccessMeasure
from recognition.models import (
    AwardProgram,
    CompetencyAssessment,
    DevelopmentPlan,
    MetricCriterion,
    PromotionStep,
)
from tests.factories import CompetencyFactory, QuestionFactory
from tests.journeys.factories import (
    CustomerAccountFactory,
    StepFactory,
    TrainingModuleFactory,
)
from tests.journeys.success_factories import (
    journey_with_value_points,
    measure_for,
    plan_for,
)
from tests.recognition.development_factories import ladder

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
# What an over-long request may cost, whatever its length: the viewer's roles, the
# object it writes to; never a query per item.
FEW_QUERIES = 8


def _client(user, language: str = "en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def _too_long(limit: int) -> list[str]:
    return [f"Ensure this field has no more than {limit} elements."]


def _competencies(count: int) -> list[Competency]:
    return CompetencyFactory.create_batch(count)


def _ids(objects) -> list[int]:
    return [item.pk for item in objects]


# --- Hiring -------------------------------------------------------------------------


def test_a_profile_weighs_at_most_100_competencies(org, django_assert_max_num_queries):
    client = _client(org.admin)
    competencies = _competencies(101)
    weights = [{"competency": pk, "weight": 3} for pk in _ids(competencies)]

    with django_assert_max_num_queries(FEW_QUERIES):
        response = client.post(
            f"{V1}/success-profiles/",
            {"name": "Too many", "weights": weights},
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"weights": {"non_field_errors": _too_long(100)}}
    assert not SuccessProfile.objects.exists()

    response = client.post(
        f"{V1}/success-profiles/",
        {"name": "Every one", "weights": weights[:100]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["weights"]) == 100


def test_a_kit_asks_at_most_100_questions(org, hiring, django_assert_max_num_queries):
    client = _client(org.recruiter)
    questions = _ids(QuestionFactory.create_batch(101, competency=hiring.empathy))
    kit_questions = _ids(hiring.questions)
    new_kit = {"opening": hiring.opening.pk, "stage": "second"}

    with django_assert_max_num_queries(FEW_QUERIES):
        response = client.post(
            f"{V1}/interview-kits/", new_kit | {"questions": questions}, format="json"
        )
    assert response.status_code == 400
    assert response.json() == {"questions": _too_long(100)}
    with django_assert_max_num_queries(FEW_QUERIES):
        response = client.patch(
            f"{V1}/interview-kits/{hiring.kit.pk}/",
            {"guidance": "Changed", "questions": questions},
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"questions": _too_long(100)}
    # Its items are not even read.
    response = client.post(
        f"{V1}/interview-kits/", new_kit | {"questions": ["x"] * 101}, format="json"
    )
    assert response.json() == {"questions": _too_long(100)}
    assert InterviewKit.objects.get() == hiring.kit
    hiring.kit.refresh_from_db()
    assert hiring.kit.guidance != "Changed"
    kept = hiring.kit.kit_questions.order_by("position")
    assert list(kept.values_list("question_id", flat=True)) == kit_questions

    response = client.post(
        f"{V1}/interview-kits/",
        new_kit | {"questions": questions[:100]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["questions"] == questions[:100]


def test_a_list_too_long_is_refused_in_japanese(org, hiring):
    questions = _ids(QuestionFactory.create_batch(101, competency=hiring.empathy))
    response = _client(org.recruiter, "ja").patch(
        f"{V1}/interview-kits/{hiring.kit.pk}/",
        {"questions": questions},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "questions": ["この項目の要素が100個より多くならないようにしてください。"]
    }


# --- Success plans ------------------------------------------------------------------


def test_a_measure_moves_at_most_100_value_points(org, django_assert_max_num_queries):
    journey, steps = journey_with_value_points()
    value_points = [steps[1], steps[3]] + [
        StepFactory(journey=journey, is_value_point=True, target_days=30 + number)
        for number in range(99)
    ]
    plan = plan_for(CustomerAccountFactory(journey=journey, owner=org.member_a))
    measure = measure_for(plan, value_points=[steps[1]])
    today = timezone.localdate()
    body = {
        "name": "工数",
        "baseline": "100",
        "baseline_on": (today - timedelta(days=30)).isoformat(),
        "target": "50",
        "target_on": (today + timedelta(days=60)).isoformat(),
    }
    client = _client(org.member_a)
    measures = f"{V1}/success-plans/{plan.pk}/measures/"

    with django_assert_max_num_queries(FEW_QUERIES):
        response = client.post(
            measures, body | {"value_points": _ids(value_points)}, format="json"
        )
    assert response.status_code == 400
    assert response.json() == {"value_points": _too_long(100)}
    with django_assert_max_num_queries(FEW_QUERIES):
        response = client.patch(
            f"{measures}{measure.pk}/",
            {"name": "Changed", "value_points": _ids(value_points)},
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"value_points": _too_long(100)}
    assert list(SuccessMeasure.objects.all()) == [measure]
    measure.refresh_from_db()
    assert measure.name != "Changed"
    assert list(measure.value_points.all()) == [steps[1]]

    response = client.post(
        measures, body | {"value_points": _ids(value_points[:100])}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["measures"][-1]["value_points"]) == 100
    response = client.patch(
        f"{measures}{measure.pk}/",
        {"value_points": _ids(value_points[:100])},
        format="json",
    )
    assert response.status_code == 200, response.json()


# --- Promotion criteria -------------------------------------------------------------


def _modules(count: int):
    return TrainingModuleFactory.create_batch(count, from_step=StepFactory())


def _metric_rows(count: int) -> list[dict]:
    row = {"metric": "training_completion", "comparison": "gte", "value": 0.8}
    return [row | {"months": 3}] * count


def _competency_rows(count: int) -> list[dict]:
    return [
        {"competency": pk, "minimum_rating": 3} for pk in _ids(_competencies(count))
    ]


@pytest.mark.parametrize(
    ("field", "items", "error"),
    [
        ("required_modules", lambda count: _ids(_modules(count)), _too_long(100)),
        ("metric_criteria", _metric_rows, {"non_field_errors": _too_long(100)}),
        (
            "competency_criteria",
            _competency_rows,
            {"non_field_errors": _too_long(100)},
        ),
    ],
)
def test_a_step_up_takes_at_most_100_of_each_criterion(
    org, field, items, error, django_assert_max_num_queries
):
    csm, senior = ladder("CSM", "Senior CSM")
    body = {"from_level": csm.pk, "to_level": senior.pk}
    given = items(101)
    client = _client(org.admin)

    with django_assert_max_num_queries(FEW_QUERIES):
        response = client.post(
            f"{V1}/promotion-criteria/", body | {field: given}, format="json"
        )
    assert response.status_code == 400
    assert response.json() == {field: error}
    assert not PromotionStep.objects.exists()
    assert not MetricCriterion.objects.exists()

    response = client.post(
        f"{V1}/promotion-criteria/", body | {field: given[:100]}, format="json"
    )
    if field == "metric_criteria":
        # A hundred thresholds need fifty metrics; this catalogue has fewer.
        assert response.status_code == 400
        assert response.json()[field] != error
    else:
        assert response.status_code == 201, response.json()
        assert len(response.json()[field]) == 100


# --- Assessments and development plans ----------------------------------------------


def test_an_assessment_rates_at_most_100_competencies(
    org, django_assert_max_num_queries
):
    competencies = _competencies(100)
    client = _client(org.manager_a)

    def assess(rated):
        ratings = [
            {"competency": pk, "rating": 3, "evidence": "calm with Acme"}
            for pk in _ids(rated)
        ]
        return client.post(
            f"{V1}/competency-assessments/",
            {"member": org.member_a.pk, "ratings": ratings},
            format="json",
        )

    response = assess(competencies)
    assert response.status_code == 201, response.json()
    assert len(response.json()["ratings"]) == 100

    with django_assert_max_num_queries(FEW_QUERIES):
        response = assess(competencies + _competencies(1))
    assert response.status_code == 400
    assert response.json() == {"ratings": {"non_field_errors": _too_long(100)}}
    assert CompetencyAssessment.objects.count() == 1


def test_a_plan_focuses_on_at_most_100_competencies(org, django_assert_max_num_queries):
    competencies = _competencies(101)
    plans = f"{V1}/development-plans/"
    manager = _client(org.manager_a)
    with django_assert_max_num_queries(FEW_QUERIES):
        response = manager.post(
            plans,
            {"member": org.member_a.pk, "focus_competencies": _ids(competencies)},
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"focus_competencies": _too_long(100)}
    assert not DevelopmentPlan.objects.exists()

    response = manager.post(
        plans,
        {"member": org.member_a.pk, "focus_competencies": _ids(competencies[:100])},
        format="json",
    )
    assert response.status_code == 201, response.json()
    plan = DevelopmentPlan.objects.get()
    # The member may not change their plan: the service says so (403), after the
    # input has been read; a list too long is refused before any lookup.
    with django_assert_max_num_queries(FEW_QUERIES):
        response = _client(org.member_a).patch(
            f"{plans}{plan.pk}/",
            {"focus_competencies": _ids(competencies)},
            format="json",
        )
    assert response.status_code == 400
    assert response.json() == {"focus_competencies": _too_long(100)}
    response = manager.patch(
        f"{plans}{plan.pk}/",
        {"focus_competencies": _ids(competencies[1:])},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert plan.focus_competencies.count() == 100


# --- Awards -------------------------------------------------------------------------


def test_an_award_program_has_at_most_200_teams(org, django_assert_max_num_queries):
    teams = _ids(
        Team.objects.bulk_create(Team(name=f"Squad {number}") for number in range(198))
    ) + [org.team_a.pk, org.team_b.pk, org.sub_a.pk]
    body = {"name": "MVP", "cadence": "monthly"}
    client = _client(org.admin)

    with django_assert_max_num_queries(FEW_QUERIES):
        response = client.post(f"{V1}/awards/", body | {"teams": teams}, format="json")
    assert response.status_code == 400
    assert response.json() == {"teams": _too_long(200)}
    assert not AwardProgram.objects.exists()

    response = client.post(
        f"{V1}/awards/", body | {"teams": teams[:200]}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert len(response.json()["teams"]) == 200


# --- The schema ---------------------------------------------------------------------


def _references(node) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(_references(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_references(value) for value in node))
    return set()


def test_every_list_a_request_writes_shows_its_limit_in_the_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    written = {
        name
        for operations in schema["paths"].values()
        for operation in operations.values()
        if isinstance(operation, dict)
        for name in _references(operation.get("requestBody", {}))
    }
    while nested := _references([components[name] for name in written]) - written:
        written |= nested
    lists = {
        f"{name}.{field}": prop.get("maxItems")
        for name in written
        for field, prop in components[name].get("properties", {}).items()
        if prop.get("type") == "array" and not prop.get("readOnly")
    }
    assert lists["SuccessProfileRequest.weights"] == 100
    assert lists["AwardProgramRequest.teams"] == 200
    assert [name for name, limit in sorted(lists.items()) if limit is None] == []


def test_the_framework_holds_at_most_100_active_competencies(client, org):
    """So that an assessment, which rates every active competency, always fits
    its list."""
    _competencies(100)
    api = _client(org.admin)
    response = api.post(
        f"{V1}/competencies/", {"name": "101番目", "category": "skill"}, format="json"
    )
    assert response.status_code == 400
    message = "A framework holds at most 100 active competencies: retire one first."
    assert message in str(response.json())
    retired = CompetencyFactory(is_active=False)
    response = _client(org.admin, "ja").patch(
        f"{V1}/competencies/{retired.pk}/", {"is_active": True}, format="json"
    )
    assert response.status_code == 400
    assert "有効なコンピテンシーは最大 100 件です" in str(response.json())
    client.force_login(org.admin)
    response = client.post(
        reverse("hiring:competency_create"),
        {"name": "101番目", "category": "skill"},
        headers={"accept-language": "en"},
    )
    assert response.status_code == 200
    assert message in response.text
    assert Competency.objects.filter(is_active=True).count() == 100
    # A retired one may still be written down.
    response = api.post(
        f"{V1}/competencies/",
        {"name": "廃止済み", "category": "skill", "is_active": False},
        format="json",
    )
    assert response.status_code == 201
