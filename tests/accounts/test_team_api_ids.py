"""A team's URL names it by id, parsed as every id of the API (config.api.parse_id):
what is not a plain whole number the database can hold names no team."""

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "text", ["\u0663", "\uff11", "+1", "1e3", str(2**64), "9" * 19]
)
def test_what_is_no_id_names_no_team(org, text):
    client = APIClient()
    client.force_authenticate(org.admin)
    assert client.get(f"/api/v1/teams/{text}/").status_code == 404


def test_a_team_by_its_id(org):
    client = APIClient()
    client.force_authenticate(org.admin)
    response = client.get(f"/api/v1/teams/{org.team_a.pk}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Team A"
