"""`/api/v1/capacity-plans/`: nested rows validated (400 by field, nothing
written), computed results read only, who may change what, filters and a flat
query count."""

from decimal import Decimal

import pytest
from drf_spectacular.generators import SchemaGenerator

from recognition.models import CapacityPlan, CapacityPlanSegment
from tests.recognition.planning_factories import ENTERPRISE, SMB_POOL, make_plan
from tests.test_api_schema import assert_matches_schema

pytestmark = pytest.mark.django_db

URL = "/api/v1/capacity-plans/"


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def _rows(*rows):
    return [{key: str(value) for key, value in row.items()} for row in rows]


def _body(**changes):
    return {
        "name": "FY2027",
        "available_hours": "120",
        "automation_percent": "0",
        "segments": _rows(ENTERPRISE, SMB_POOL),
    } | changes


def test_a_leader_creates_a_plan_and_reads_its_results(api_client, org, schema):
    api_client.force_authenticate(org.manager_a)
    response = api_client.post(URL, _body(), format="json")
    assert response.status_code == 201
    assert_matches_schema(schema, URL, "post", response)
    body = response.json()
    assert body["author"] == org.manager_a.pk
    assert [row["segment"] for row in body["segments"]] == ["Enterprise", "SMB"]
    results = body["results"]
    assert (results["top_down"], results["bottom_up"], results["gap"]) == (8, 9, 1)
    enterprise = results["segments"][0]
    assert (enterprise["top_down"], enterprise["bottom_up"]) == (4, 7)
    assert enterprise["accounts_per_csm"] == "6.0"
    assert "An automation factor of 40.0 % or more." in enterprise["what_would_close"]
    assert results["bottom_up_staffing"]["leaders"] == 1
    assert results["whatif"]["after"]["csms"] == 5
    assert results["whatif"]["whatif_rule"] == "share"


def test_results_are_read_only(api_client, org):
    api_client.force_authenticate(org.admin)
    response = api_client.post(
        URL, _body(results={"top_down": 1}, author=org.member_a.pk), format="json"
    )
    assert response.status_code == 201
    plan = CapacityPlan.objects.get()
    assert plan.author == org.admin
    assert response.json()["results"]["top_down"] == 8


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"automation_percent": "100"}, "automation_percent"),
        ({"automation_percent": "-1"}, "automation_percent"),
        ({"available_hours": "0"}, "available_hours"),
        ({"span_of_control": 7}, "span_of_control"),
        ({"leader_experience": "veteran"}, "leader_experience"),
        ({"whatif_rule": "threshold"}, "whatif_threshold"),
        ({"segments": []}, "segments"),
        ({"name": ""}, "name"),
    ],
)
def test_bad_plan_input_answers_400_on_the_field(
    api_client, org, schema, changes, field
):
    api_client.force_authenticate(org.admin)
    response = api_client.post(URL, _body(**changes), format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert_matches_schema(schema, URL, "post", response)
    assert not CapacityPlan.objects.exists()


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"hours_per_account": "0"}, "hours_per_account"),
        ({"arr_per_csm": "0"}, "arr_per_csm"),
        ({"arr": "-1"}, "arr"),
        ({"accounts": "-3"}, "accounts"),
        ({"coverage_model": "robots"}, "coverage_model"),
        ({"segment": ""}, "segment"),
    ],
)
def test_a_bad_row_answers_400_on_the_row_and_field(api_client, org, row, field):
    api_client.force_authenticate(org.admin)
    body = _body(segments=_rows(SMB_POOL, ENTERPRISE | row))
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    errors = response.json()["segments"]
    # By the row's position: the first row is right.
    assert list(errors) == ["1"]
    assert field in errors["1"]
    assert not CapacityPlan.objects.exists()


def test_a_row_given_twice_answers_400_on_its_segment(api_client, org):
    api_client.force_authenticate(org.admin)
    body = _body(segments=_rows(ENTERPRISE, ENTERPRISE | {"segment": " enterprise"}))
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["segments"] == {
        "1": {"segment": ["This segment and coverage model is in the plan already."]}
    }


def test_put_replaces_the_rows_patch_keeps_them(api_client, org):
    plan = make_plan(org.manager_a)
    api_client.force_authenticate(org.manager_a)
    response = api_client.patch(
        f"{URL}{plan.pk}/", {"automation_percent": "40"}, format="json"
    )
    assert response.status_code == 200
    assert plan.segments.count() == 2
    # At 40 %: Enterprise 4, SMB 1.
    assert response.json()["results"]["bottom_up"] == 5
    response = api_client.put(
        f"{URL}{plan.pk}/",
        _body(name="Only SMB", segments=_rows(SMB_POOL)),
        format="json",
    )
    assert response.status_code == 200
    assert list(plan.segments.values_list("segment", flat=True)) == ["SMB"]
    plan.refresh_from_db()
    assert plan.name == "Only SMB"
    # PUT sends every field: the automation left out is back to its default.
    assert plan.automation_percent == Decimal(0)


def test_a_patch_writes_its_rows_whole(api_client, org):
    """A row left empty in a PATCH is refused on its fields (it answered 500)."""
    plan = make_plan(org.manager_a)
    api_client.force_authenticate(org.manager_a)
    response = api_client.patch(f"{URL}{plan.pk}/", {"segments": [{}]}, format="json")
    assert response.status_code == 400
    row = response.json()["segments"]["0"]
    assert row["segment"] == ["This field is required."]
    assert plan.segments.count() == 2


def test_another_leaders_plan_answers_404(api_client, org):
    plan = make_plan(org.manager_b, name="B's")
    api_client.force_authenticate(org.manager_a)
    assert api_client.get(URL).json()["count"] == 0
    assert api_client.get(f"{URL}{plan.pk}/").status_code == 404
    response = api_client.patch(f"{URL}{plan.pk}/", {"name": "Mine"}, format="json")
    assert response.status_code == 404
    assert api_client.delete(f"{URL}{plan.pk}/").status_code == 404
    plan.refresh_from_db()
    assert plan.name == "B's"
    api_client.force_authenticate(org.admin)
    assert api_client.delete(f"{URL}{plan.pk}/").status_code == 204
    assert not CapacityPlanSegment.objects.exists()


def test_members_get_403_and_nothing_is_written(api_client, org):
    api_client.force_authenticate(org.member_a)
    assert api_client.get(URL).status_code == 403
    assert api_client.post(URL, _body(), format="json").status_code == 403
    assert not CapacityPlan.objects.exists()


def test_filters_and_bad_filter_values(api_client, org, schema):
    make_plan(org.manager_a, name="Alpha")
    make_plan(org.manager_b, name="Beta")
    api_client.force_authenticate(org.admin)
    names = [
        row["name"]
        for row in api_client.get(URL, {"author": org.manager_b.pk}).json()["results"]
    ]
    assert names == ["Beta"]
    assert [
        r["name"] for r in api_client.get(URL, {"search": "alp"}).json()["results"]
    ] == ["Alpha"]
    ordered = api_client.get(URL, {"ordering": "name"}).json()["results"]
    assert [row["name"] for row in ordered] == ["Alpha", "Beta"]
    for params, field in (
        ({"author": "1.5"}, "author"),
        ({"ordering": "secret"}, "ordering"),
    ):
        response = api_client.get(URL, params)
        assert response.status_code == 400
        assert list(response.json()) == [field]
        assert_matches_schema(schema, URL, "get", response)


@pytest.mark.parametrize("count", [2, 10])
def test_the_list_reads_a_fixed_number_of_queries(
    api_client, org, count, django_assert_max_num_queries
):
    for number in range(count):
        make_plan(org.manager_a, name=f"Plan {number}")
    api_client.force_authenticate(org.manager_a)
    with django_assert_max_num_queries(6):
        response = api_client.get(URL)
    assert response.json()["count"] == count
