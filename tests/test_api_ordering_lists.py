"""Ordering an API list by a field that holds a list of values (a plan's actions,
a promotion step's modules) is refused: ordered by it, a row came once per value
and others fell off the page."""

import pytest

from recognition.services import development

pytestmark = pytest.mark.django_db


def test_a_list_of_values_is_no_order_and_each_name_is_offered_once(api_client, org):
    development.plan_get_or_create(member=org.member_a, by=org.manager_a)
    api_client.force_authenticate(org.admin)
    for ordering in ("actions", "check_ins", "-targets"):
        response = api_client.get("/api/v1/development-plans/", {"ordering": ordering})
        assert response.status_code == 400, (ordering, response.json())
        offered = response.json()["ordering"][0]
        assert "actions" not in offered
        names = offered.split(" by ", 1)[1].split(", each")[0].split(", ")
        assert len(names) == len(set(names)), offered
    for ordering in ("required_modules", "competency_criteria"):
        response = api_client.get("/api/v1/promotion-criteria/", {"ordering": ordering})
        assert response.status_code == 400, (ordering, response.json())
    assert (
        api_client.get("/api/v1/development-plans/", {"ordering": "member"}).status_code
        == 200
    )
