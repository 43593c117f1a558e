"""GET /api/v1/revenue-kpis/: the revenue KPIs of a scope month by month, the same
figures as the page (tests/recognition/revenue_world.py); validation on the field;
another team's scope 404; the answer matches the schema."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from recognition import metrics
from recognition.services.rollup import rollup
from tests.recognition.revenue_world import build_revenue_world

pytestmark = pytest.mark.django_db

URL = "/api/v1/revenue-kpis/"


@pytest.fixture
def world(org):
    built = build_revenue_world(org)
    rollup(full=True)
    return built


def months_of(response) -> dict:
    return {row["month"]: row for row in response.json()["months"]}


def test_the_organisations_months(api_client, world):
    api_client.force_authenticate(world.org.admin)
    response = api_client.get(
        URL, {"scope": "organisation", "from": "2026-01", "to": "2026-05"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["scope"], body["id"], body["segment"], body["from_rollup"]) == (
        "organisation",
        None,
        None,
        False,
    )
    months = months_of(response)
    assert list(months) == ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05"]
    january = months["2026-01"]
    assert (january["starting_arr"], january["new"], january["nrr"]) == (
        0,
        2_300_000,
        None,
    )
    february = months["2026-02"]
    assert february["churn"] == 500_000
    assert february["logo_churn"] == 0.25
    assert february["nrr"] == pytest.approx(1_800_000 / 2_300_000)
    april = months["2026-04"]
    assert (april["starting_arr"], april["expansion"], april["reactivation"]) == (
        2_450_000,
        200_000,
        300_000,
    )
    assert april["ending_arr"] == 2_650_000
    assert (april["csms"], april["arr_per_csm"], april["accounts_per_csm"]) == (
        2,
        1_350_000,
        2.5,
    )
    assert not april["running"]


def test_a_member_from_the_rollup(api_client, world):
    api_client.force_authenticate(world.sato)
    response = api_client.get(
        URL,
        {"scope": "member", "id": world.sato.pk, "from": "2026-05", "to": "2026-05"},
    )
    assert response.status_code == 200
    may = months_of(response)["2026-05"]
    assert (may["starting_arr"], may["downsell"], may["nrr"], may["grr"]) == (
        1_500_000,
        300_000,
        0.8,
        0.8,
    )
    assert response.json()["from_rollup"] is True


def test_segment_and_pool(api_client, world):
    api_client.force_authenticate(world.org.admin)
    smb = months_of(
        api_client.get(
            URL,
            {"scope": "segment", "segment": "SMB", "from": "2026-04", "to": "2026-04"},
        )
    )["2026-04"]
    assert (smb["starting_arr"], smb["expansion"]) == (650_000, 100_000)
    pool = months_of(
        api_client.get(
            URL,
            {"scope": "pool", "id": world.pool.pk, "from": "2026-03", "to": "2026-03"},
        )
    )["2026-03"]
    assert (pool["cross_sell"], pool["nrr"], pool["arr_per_csm"]) == (
        50_000,
        1.25,
        None,
    )


def test_the_default_is_the_last_twelve_months(api_client, world):
    api_client.force_authenticate(world.org.admin)
    months = list(months_of(api_client.get(URL)))
    assert len(months) == 12
    assert months[-1] == f"{metrics.this_month():%Y-%m}"


@pytest.mark.parametrize(
    "query, field",
    [
        ({"scope": "galaxy"}, "scope"),
        ({"scope": "team"}, "id"),
        ({"scope": "segment"}, "segment"),
        ({"from": "2026-13"}, "from"),
        ({"to": "April"}, "to"),
        ({"to": "2999-01"}, "to"),
        ({"from": "2026-05", "to": "2026-04"}, "from"),
        ({"from": "2001-01", "to": "2026-04"}, "from"),
        ({"scope": "team", "id": "x"}, "id"),
    ],
)
def test_wrong_parameters_answer_400_on_the_field(api_client, world, query, field):
    api_client.force_authenticate(world.org.admin)
    response = api_client.get(URL, query)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "who, query",
    [
        ("manager_a", {"scope": "team", "id": "team_b"}),
        ("manager_a", {"scope": "organisation"}),
        ("manager_a", {"scope": "segment", "segment": "SMB"}),
        ("sato", {"scope": "member", "id": "kato"}),
        ("sato", {"scope": "team", "id": "team_a"}),
        ("admin", {"scope": "team", "id": "missing"}),
    ],
)
def test_another_scope_answers_404(api_client, world, who, query):
    people = {
        "manager_a": world.org.manager_a,
        "sato": world.sato,
        "admin": world.org.admin,
    }
    ids = {
        "team_a": world.org.team_a.pk,
        "team_b": world.org.team_b.pk,
        "kato": world.kato.pk,
        "missing": 999_999,
    }
    if "id" in query:
        query = {**query, "id": ids[query["id"]]}
    api_client.force_authenticate(people[who])
    assert api_client.get(URL, query).status_code == 404


def test_the_schema_documents_the_answer():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert {"scope", "id", "segment", "from", "to"} <= names
    month = schema["components"]["schemas"]["RevenueMonth"]
    assert month["properties"]["nrr"]["nullable"] is True
    assert "starting_arr" in month["required"]
