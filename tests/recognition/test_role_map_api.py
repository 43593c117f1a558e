"""The role map API (`/api/v1/role-map/`): the standard functions listed from the
first call, admins' writes validated on the fields, filters that refuse bad
values, managers reading only."""

import pytest

from recognition import organisation
from recognition.models import RoleFunction
from tests.test_api_schema import assert_matches_schema

pytestmark = pytest.mark.django_db

URL = "/api/v1/role-map/"


@pytest.fixture
def schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_list_holds_the_standard_functions_from_the_first_call(
    api_client, org, schema
):
    api_client.force_authenticate(org.manager_a)
    response = api_client.get(URL, {"page_size": 50})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["key"] for row in rows] == list(organisation.STANDARD_KEYS)
    assert rows[0]["display_name"] == "Onboarding"
    assert rows[0]["quadrant"] == organisation.LATER_OPEN
    assert_matches_schema(schema, URL, "get", response)


def test_an_admin_creates_and_changes_a_function(api_client, org, schema):
    api_client.force_authenticate(org.admin)
    response = api_client.post(
        URL,
        {
            "name": "Partner success",
            "status": "shared",
            "shared_with": "Alliances",
            "importance": "now",
            "owner": org.manager_b.pk,
        },
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["quadrant"], body["needs_dedicated_person"], body["owner_name"]) == (
        "needs_person",
        True,
        org.manager_b.display_name,
    )
    assert_matches_schema(schema, URL, "post", response)
    detail = f"{URL}{body['id']}/"
    response = api_client.patch(detail, {"status": "dedicated"}, format="json")
    assert response.status_code == 200
    assert response.json()["quadrant"] == "covered"
    assert response.json()["shared_with"] == ""
    assert response.json()["owner"] == org.manager_b.pk
    assert api_client.delete(detail).status_code == 204
    assert not RoleFunction.objects.filter(pk=body["id"]).exists()


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"status": "dedicated"}, "name", "A function of your own needs a name."),
        (
            {"name": "Desk", "status": "shared"},
            "shared_with",
            "Say which role shares this function.",
        ),
        ({"name": "Desk", "status": "busy"}, "status", None),
        ({"name": "Desk", "importance": "soon"}, "importance", None),
        ({"name": "Desk", "owner": "²"}, "owner", None),
        ({"name": "Desk", "owner": 999999}, "owner", None),
        ({"name": "Desk", "position": -1}, "position", None),
    ],
)
def test_bad_input_answers_400_on_the_field(api_client, org, body, field, message):
    api_client.force_authenticate(org.admin)
    before = RoleFunction.objects.count()
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    if message:
        assert response.json()[field] == [message]
    assert RoleFunction.objects.count() == before


def test_a_standard_function_cannot_be_deleted(api_client, org):
    api_client.force_authenticate(org.admin)
    first = api_client.get(URL).json()["results"][0]
    response = api_client.delete(f"{URL}{first['id']}/")
    assert response.status_code == 400
    assert "stays on the map" in response.json()["non_field_errors"][0]
    assert RoleFunction.objects.filter(pk=first["id"]).exists()


def test_filters_and_their_bad_values(api_client, org):
    api_client.force_authenticate(org.admin)
    onboarding = api_client.get(URL).json()["results"][0]
    api_client.patch(f"{URL}{onboarding['id']}/", {"importance": "now"}, format="json")
    needs = api_client.get(URL, {"needs_person": "true"}).json()["results"]
    assert [row["key"] for row in needs] == ["onboarding"]
    others = api_client.get(URL, {"needs_person": "false", "page_size": 50})
    assert "onboarding" not in {row["key"] for row in others.json()["results"]}
    assert len(others.json()["results"]) == len(organisation.STANDARD_KEYS) - 1
    response = api_client.get(URL, {"status": "busy", "importance": "x"})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "importance"}
    response = api_client.get(URL, {"needs_person": "1"})
    assert response.status_code == 400
    assert set(response.json()) == {"needs_person"}


def test_managers_may_not_write_and_nothing_is_written(api_client, org):
    api_client.force_authenticate(org.manager_a)
    response = api_client.post(
        URL, {"name": "Mine", "status": "not_started"}, format="json"
    )
    assert response.status_code == 403
    assert not RoleFunction.objects.filter(name="Mine").exists()
    api_client.force_authenticate(org.member_a)
    assert api_client.get(URL).status_code == 403


def test_the_list_queries_do_not_grow(api_client, org, django_assert_max_num_queries):
    api_client.force_authenticate(org.admin)
    api_client.get(URL)
    with django_assert_max_num_queries(8):
        assert api_client.get(URL).status_code == 200
    for number in range(12):
        api_client.post(
            URL,
            {"name": f"Own {number}", "status": "dedicated", "owner": org.admin.pk},
            format="json",
        )
    with django_assert_max_num_queries(8):
        response = api_client.get(URL, {"page_size": 50})
    assert len(response.json()["results"]) == len(organisation.STANDARD_KEYS) + 12
