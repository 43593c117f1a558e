"""The API schema tells the truth: every status an operation answers is documented,
with the body it really has, and garbage in a query parameter answers 400.

Responses are checked against the schema the API serves (`/api/schema/`): the
documented body of their status, as JSON Schema, formats included ("2026-12" is no
date). scripts/schemathesis.sh checks the same at random, per role, against a
running server.
"""

from datetime import date

import jsonschema
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from recognition.models import MemberFigure
from tests.factories import CandidateFactory
from tests.test_authorization_matrix import API_MATRIX

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _json_schema(node):
    """OpenAPI 3.0's schema dialect as JSON Schema: `nullable` becomes a null
    alternative."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False):
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _documented(schema, path, method, status):
    """The documented JSON body of the operation's answer with that status."""
    responses = schema["paths"][path][method]["responses"]
    assert str(status) in responses, f"{method.upper()} {path} answered {status}"
    return responses[str(status)]["content"]["application/json"]["schema"]


def assert_matches_schema(schema, path, method, response):
    """The response's status is documented and its body is what the schema says."""
    body_schema = _documented(schema, path, method, response.status_code)
    document = {"components": schema["components"], "allOf": [body_schema]}
    validator = jsonschema.Draft7Validator(
        _json_schema(document), format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER
    )
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == []


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


# --- Every status documented ------------------------------------------------------


def _statuses_documented(schema, path, method) -> set[int]:
    return {int(code) for code in schema["paths"][path][method.lower()]["responses"]}


def test_every_status_of_the_authorization_matrix_is_documented(schema):
    """Each role's answer to each operation (tests/test_authorization_matrix.py),
    401, 403 and 404 included, is a status the schema lists for the operation."""
    undocumented = {
        f"{method} {path}": sorted(expected - documented)
        for (path, method), (_url, _data, statuses) in API_MATRIX.items()
        if (expected := {int(status) for status in statuses.split()})
        - (documented := _statuses_documented(schema, path, method))
    }
    assert undocumented == {}


def test_every_operation_documents_the_errors_it_can_answer(schema):
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            needed = set()
            public = path == f"{V1}/auth/token/"  # the only one open to anyone
            if not public:
                needed.add("401")
            if method != "get":
                needed |= {"400"} if public else {"400", "403"}
            if "requestBody" in operation:
                needed.add("415")
            if "{" in path or operation["operationId"].endswith("_list"):
                needed.add("404")
            if any(p["in"] == "query" for p in operation.get("parameters", [])):
                needed.add("400")
            if needed - codes:
                missing.append(f"{method.upper()} {path}: {sorted(needed - codes)}")
            for code in codes & {"400", "401", "403", "404", "415", "429"}:
                assert "application/json" in operation["responses"][code]["content"]
    assert missing == []


def test_a_candidate_detail_documents_400_401_403_and_404(schema):
    assert {400, 401, 403, 404} <= _statuses_documented(
        schema, f"{V1}/candidates/{{id}}/", "patch"
    )
    assert {401, 403, 404} <= _statuses_documented(
        schema, f"{V1}/candidates/{{id}}/", "get"
    )


def test_the_token_endpoint_documents_its_400_body_and_429(schema, org, api_client):
    assert 429 in _statuses_documented(schema, f"{V1}/auth/token/", "post")
    response = api_client.post(
        f"{V1}/auth/token/", {"username": "admin", "password": "wrong"}, format="json"
    )
    assert response.status_code == 400
    assert_matches_schema(schema, f"{V1}/auth/token/", "post", response)


def test_401_403_and_404_come_as_documented(schema, org, hiring):
    path = f"{V1}/candidates/{{id}}/"
    url = f"{V1}/candidates/{hiring.candidate.pk}/"
    anonymous = _client().get(url)
    assert anonymous.status_code == 401
    assert_matches_schema(schema, path, "get", anonymous)
    member = _client(org.member_a).get(url)
    assert member.status_code == 403
    assert_matches_schema(schema, path, "get", member)
    missing = _client(org.admin).get(f"{V1}/candidates/999999/")
    assert missing.status_code == 404
    assert_matches_schema(schema, path, "get", missing)


# --- Garbage in query parameters answers 400 ---------------------------------------


@pytest.mark.parametrize(
    "params, field",
    [
        ({"page_size": "-314526"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1.5"}, "page_size"),
        ({"page": "0"}, "page"),
        ({"page": "last"}, "page"),
        ({"team": "-2.19e201"}, "team"),
        ({"team": "1.5"}, "team"),
        ({"ordering": "password"}, "ordering"),
        ({"is_active": "abc"}, "is_active"),
        ({"is_active": "1"}, "is_active"),
    ],
)
def test_garbage_query_parameters_answer_400_on_the_parameter(
    schema, org, params, field
):
    response = _client(org.admin).get(f"{V1}/users/", params)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert_matches_schema(schema, f"{V1}/users/", "get", response)


def test_a_page_past_the_last_answers_404_and_a_big_page_size_the_maximum(schema, org):
    client = _client(org.admin)
    past = client.get(f"{V1}/users/", {"page": "99"})
    assert past.status_code == 404
    assert_matches_schema(schema, f"{V1}/users/", "get", past)
    assert client.get(f"{V1}/users/", {"page_size": "1000000"}).status_code == 200


def test_team_filters_take_ids_only(org):
    client = _client(org.admin)
    response = client.get(f"{V1}/teams/", {"parent": "-2.19e201", "leader": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"parent", "leader"}
    members = client.get(f"{V1}/users/", {"team": org.team_a.pk}).json()["results"]
    assert "member_a" in {row["username"] for row in members}


def test_paging_and_ordering_are_documented_with_their_bounds(schema):
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in schema["paths"][f"{V1}/users/"]["get"]["parameters"]
    }
    assert parameters["page"]["minimum"] == 1
    assert parameters["page_size"]["minimum"] == 1
    assert parameters["team"]["minimum"] == 0
    ordering = parameters["ordering"]["pattern"]
    assert "username" in ordering and "password" not in ordering


def test_a_body_that_is_no_json_answers_400_by_field(schema, org):
    response = _client(org.admin).generic(
        "PATCH", f"{V1}/me/", b"\x00{", content_type="application/json"
    )
    assert response.status_code == 400
    assert list(response.json()) == ["non_field_errors"]
    assert_matches_schema(schema, f"{V1}/me/", "patch", response)


# --- Types that say what is sent ------------------------------------------------------


def test_figure_periods_are_documented_as_months_not_dates(schema):
    period = schema["components"]["schemas"]["MemberFigure"]["properties"]["period"]
    assert period["type"] == "string"
    assert "format" not in period
    assert jsonschema.Draft7Validator({"pattern": period["pattern"]}).is_valid(
        "2026-12"
    )
    award = schema["components"]["schemas"]["AwardPeriod"]["properties"]["period"]
    validator = jsonschema.Draft7Validator({"pattern": award["pattern"]})
    assert validator.is_valid("FY2026-Q1") and validator.is_valid("2026-04")
    assert not validator.is_valid("2026-13")


def test_a_figure_whose_metric_left_the_catalogue_still_has_a_label(schema, org):
    """The label is never null (it was, for a retired step's metric); the unit is
    null then, as documented."""
    label = schema["components"]["schemas"]["MemberFigure"]["properties"]["label"]
    assert not label.get("nullable")
    MemberFigure.objects.create(
        member=org.member_a,
        metric="step_conversion:999999",
        month=date(2026, 12, 1),
        value=0.5,
        numerator=1,
        denominator=2,
        computed_at=timezone.now(),
    )
    response = _client(org.member_a).get(f"{V1}/member-metrics/")
    assert response.status_code == 200
    assert_matches_schema(schema, f"{V1}/member-metrics/", "get", response)
    [figure] = response.json()["results"]
    assert figure["period"] == "2026-12"
    assert figure["label"] == "step_conversion:999999 (no longer in the catalogue)"
    assert figure["unit"] is None


def test_a_candidate_with_personal_data_kept_matches_the_anonymisation_enum(
    schema, org, hiring
):
    response = _client(org.admin).get(f"{V1}/candidates/{hiring.candidate.pk}/")
    assert response.json()["anonymisation"] == ""
    assert_matches_schema(schema, f"{V1}/candidates/{{id}}/", "get", response)


def test_blank_email_addresses_match_the_schema(schema, org):
    org.member_a.email = ""
    org.member_a.save()
    CandidateFactory(email="")
    response = _client(org.admin).get(f"{V1}/users/", {"page_size": 200})
    assert "" in {row["email"] for row in response.json()["results"]}
    assert_matches_schema(schema, f"{V1}/users/", "get", response)


@pytest.mark.parametrize("path", ["customers", "step-events"])
def test_import_errors_come_as_documented(schema, org, path):
    operation = f"{V1}/{path}/import/"
    client = _client(org.admin)
    no_file = client.post(operation, {}, format="multipart")
    assert no_file.status_code == 400
    assert "file" in no_file.json()
    assert_matches_schema(schema, operation, "post", no_file)
    garbage = SimpleUploadedFile("data.csv", b"external_id\nNOPE\n", "text/csv")
    rejected = client.post(operation, {"file": garbage}, format="multipart")
    assert rejected.status_code == 400
    assert "problems" in rejected.json()
    assert_matches_schema(schema, operation, "post", rejected)


def test_profile_weights_without_a_competency_answer_400_not_500(org, hiring):
    response = _client(org.admin).patch(
        f"{V1}/success-profiles/{hiring.profile.pk}/",
        {"weights": [{"weight": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert "weights" in response.json()


def test_the_served_schema_is_generated_once_per_language(org, monkeypatch):
    """/api/schema/ answers from the schema generated at the first request of its
    language (generating takes seconds); a made-up ?lang= is answered but not kept,
    and a change of settings makes the next request generate it again."""
    from django.test import override_settings

    from config.urls import SchemaView

    SchemaView._generated.clear()
    generated = []
    original = SchemaGenerator.get_schema

    def counting(self, *args, **kwargs):
        generated.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counting)
    client = APIClient()
    client.force_authenticate(org.member_a)

    def fetch(query):
        response = client.get(f"/api/schema/?format=json{query}")
        assert response.status_code == 200
        return response.json()

    first = fetch("&lang=ja")
    assert fetch("&lang=ja") == first
    assert len(generated) == 1
    english = fetch("&lang=en")
    assert len(generated) == 2
    assert english != first  # translated descriptions
    assert fetch("&lang=en") == english and len(generated) == 2
    fetch("&lang=xx-made-up")
    fetch("&lang=xx-made-up")
    assert len(generated) == 4
    with override_settings(REST_FRAMEWORK_TEST_MARK=True):
        assert fetch("&lang=ja") == first
    assert len(generated) == 5  # generated again after the settings changed
    SchemaView._generated.clear()
