"""The maturity assessments API (`/api/v1/maturity-assessments/`): answers
validated (unknown question keys, values other than yes/partly/no), the quarter's
format, the running quarter only and once, PATCH merging answers, filters that
refuse bad values, managers reading only, and a list whose queries do not grow."""

from datetime import datetime

import pytest
from django.utils import timezone

from recognition import metrics, organisation
from recognition.models import MaturityAssessment
from recognition.services import organisation as services
from tests.test_api_schema import assert_matches_schema

pytestmark = pytest.mark.django_db

URL = "/api/v1/maturity-assessments/"


@pytest.fixture
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _running() -> str:
    return organisation.quarter_key(timezone.localdate())


def _months_ago(months: int) -> datetime:
    month = metrics.add_months(timezone.localdate().replace(day=1), -months)
    return timezone.make_aware(datetime(month.year, month.month, 10, 10))


def test_an_admin_records_the_running_quarter(api_client, org, schema):
    api_client.force_authenticate(org.admin)
    response = api_client.post(
        URL,
        {
            "answers": {
                "accounts_owned": "yes",
                "journey_defined": "yes",
                "roles_mapped": "partly",
            },
            "note": "First look",
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert_matches_schema(schema, URL, "post", response)
    assert (body["quarter"], body["level"], body["editable"]) == (_running(), 2, True)
    answers = {row["key"]: row["answer"] for row in body["questions"]}
    assert answers["roles_mapped"] == "partly"
    # Left out: the evidence's suggestion (an empty organisation: no).
    assert answers["playbooks_written"] == "no"
    evidence = {row["key"]: row["evidence"] for row in body["questions"]}
    assert evidence["structured_hiring"] is None
    assert evidence["accounts_owned"]["text"] == (
        "0 of 0 active accounts have an owner or a pool (—)."
    )
    assert [step["question"] for step in body["next_steps"]] == [
        "playbooks_written",
        "training_in_place",
        "structured_hiring",
    ]


@pytest.mark.parametrize(
    "body, field, message",
    [
        (
            {"answers": {"accounts_owned": "yes", "team_size": "yes"}},
            "answers",
            "Unknown questions: team_size.",
        ),
        ({"answers": {"accounts_owned": "maybe"}}, "answers", None),
        ({"answers": ["yes"]}, "answers", None),
        ({}, "answers", None),
        (
            {"answers": {}, "quarter": "2026-Q1"},
            "quarter",
            "Enter a fiscal quarter such as FY2026-Q1.",
        ),
        ({"answers": {}, "quarter": "FY2026-Q5"}, "quarter", None),
        ({"answers": {}, "quarter": "FY2020-Q1"}, "quarter", None),
    ],
)
def test_bad_input_answers_400_on_the_field(api_client, org, body, field, message):
    api_client.force_authenticate(org.admin)
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message:
        assert response.json()[field] == [message]
    assert not MaturityAssessment.objects.exists()


def test_a_past_quarter_is_refused_with_a_clear_message(api_client, org):
    api_client.force_authenticate(org.admin)
    response = api_client.post(
        URL, {"answers": {}, "quarter": "FY2020-Q1"}, format="json"
    )
    assert response.json()["quarter"] == [
        f"Only the running quarter ({_running()}) is assessed; past quarters are "
        "kept as they were answered."
    ]


def test_a_second_assessment_of_the_quarter_is_refused(api_client, org):
    api_client.force_authenticate(org.admin)
    assert api_client.post(URL, {"answers": {}}, format="json").status_code == 201
    response = api_client.post(
        URL, {"answers": {}, "quarter": _running()}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "quarter": ["This quarter already has its maturity assessment."]
    }
    assert MaturityAssessment.objects.count() == 1


def test_patch_merges_the_answers_and_past_quarters_are_read_only(
    api_client, org, schema
):
    api_client.force_authenticate(org.admin)
    created = api_client.post(
        URL, {"answers": {"accounts_owned": "yes"}}, format="json"
    ).json()
    detail = f"{URL}{created['id']}/"
    response = api_client.patch(
        detail,
        {"answers": {"journey_defined": "yes", "roles_mapped": "yes"}},
        format="json",
    )
    assert response.status_code == 200
    assert_matches_schema(schema, f"{URL}{{id}}/", "patch", response)
    answers = {row["key"]: row["answer"] for row in response.json()["questions"]}
    assert (answers["accounts_owned"], answers["journey_defined"]) == ("yes", "yes")
    assert response.json()["level"] == 2
    bad = api_client.patch(detail, {"answers": {"nope": "yes"}}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"answers": ["Unknown questions: nope."]}

    past = services.maturity_assessment_save(
        assessment=MaturityAssessment(), by=org.admin, answers={}, now=_months_ago(3)
    )
    response = api_client.patch(f"{URL}{past.pk}/", {"note": "late"}, format="json")
    assert response.status_code == 400
    assert "is over" in response.json()["quarter"][0]
    past.refresh_from_db()
    assert past.note == ""
    assert api_client.get(f"{URL}{past.pk}/").json()["editable"] is False


def test_managers_read_and_may_not_write(api_client, org):
    assessment = services.maturity_assessment_save(
        assessment=MaturityAssessment(), by=org.admin, answers={}
    )
    api_client.force_authenticate(org.manager_a)
    assert api_client.get(f"{URL}{assessment.pk}/").status_code == 200
    response = api_client.patch(
        f"{URL}{assessment.pk}/", {"note": "mine"}, format="json"
    )
    assert response.status_code == 403
    assessment.refresh_from_db()
    assert assessment.note == ""
    api_client.force_authenticate(org.member_a)
    assert api_client.get(URL).status_code == 403


def test_filters_and_their_bad_values(api_client, org):
    level_two_answers = {"journey_defined": "yes", "roles_mapped": "yes"}
    # Six months ago level 1 (two of three yes: 67 %), three months ago level 2.
    for months, answers in (
        (6, level_two_answers),
        (3, level_two_answers | {"accounts_owned": "yes"}),
    ):
        services.maturity_assessment_save(
            assessment=MaturityAssessment(),
            by=org.admin,
            answers=answers,
            now=_months_ago(months),
        )
    api_client.force_authenticate(org.admin)
    level_two = api_client.get(URL, {"level": "2"}).json()["results"]
    assert [row["quarter"] for row in level_two] == [
        organisation.quarter_key(_months_ago(3).date())
    ]
    quarter = organisation.quarter_key(_months_ago(6).date())
    assert [
        row["quarter"]
        for row in api_client.get(URL, {"quarter": quarter}).json()["results"]
    ] == [quarter]
    ordered = api_client.get(URL, {"ordering": "quarter"}).json()["results"]
    assert [row["quarter"] for row in ordered] == sorted(r["quarter"] for r in ordered)
    response = api_client.get(URL, {"level": "9", "quarter": "2026-1"})
    assert response.status_code == 400
    assert set(response.json()) == {"level", "quarter"}
    assert api_client.get(URL, {"ordering": "note"}).status_code == 400


def test_the_list_queries_do_not_grow(api_client, org, django_assert_max_num_queries):
    api_client.force_authenticate(org.admin)
    services.maturity_assessment_save(
        assessment=MaturityAssessment(), by=org.admin, answers={}
    )
    with django_assert_max_num_queries(6):
        assert api_client.get(URL).status_code == 200
    for months in (3, 6, 9, 12, 15, 18):
        services.maturity_assessment_save(
            assessment=MaturityAssessment(),
            by=org.admin,
            answers={},
            now=_months_ago(months),
        )
    with django_assert_max_num_queries(6):
        response = api_client.get(URL)
    assert response.json()["count"] == 7
