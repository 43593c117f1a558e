"""The success plans API: reading with status, writing a plan, its measures and
progress, validation on the field, another team's plan 404, query counts."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from journeys.models import SuccessMeasure, SuccessPlan, SuccessProgress
from tests.journeys.factories import CustomerAccountFactory
from tests.journeys.success_factories import (
    journey_with_value_points,
    measure_for,
    plan_for,
    read,
)

pytestmark = pytest.mark.django_db

URL = "/api/v1/success-plans/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _today():
    return timezone.localdate()


@pytest.fixture
def w(org):
    journey, steps = journey_with_value_points()
    own = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    other = CustomerAccountFactory(journey=journey, owner=org.member_b, name="Other")
    plan = plan_for(own)
    measure = measure_for(
        plan,
        baseline_on=_today() - timedelta(days=50),
        target_on=_today() + timedelta(days=50),
        value_points=[steps[1]],
    )
    other_plan = plan_for(other)
    return {
        "steps": steps,
        "own": own,
        "other": other,
        "plan": plan,
        "measure": measure,
        "other_plan": other_plan,
    }


def test_a_member_lists_their_plans_with_each_measures_status(org, w):
    read(w["measure"], _today(), 85)
    body = _client(org.member_a).get(URL).json()
    assert [plan["id"] for plan in body["results"]] == [w["plan"].pk]
    plan = body["results"][0]
    assert plan["at_risk"] is True and plan["reached"] is False
    measure = plan["measures"][0]
    assert measure["status"] == "behind"
    assert measure["value_points"] == [w["steps"][1].pk]
    assert measure["reading"] == "85.0000"
    assert measure["done_share"] == pytest.approx(0.3)
    assert measure["expected_share"] == pytest.approx(0.5)
    assert measure["progress"][0]["value"] == "85.0000"


def test_filters_at_risk_account_and_owner(org, w):
    client = _client(org.admin)

    def ids(**params):
        return [plan["id"] for plan in client.get(URL, params).json()["results"]]

    assert ids(at_risk="true") == [w["plan"].pk]
    assert ids(at_risk="false") == [w["other_plan"].pk]
    assert ids(account=w["other"].pk) == [w["other_plan"].pk]
    assert ids(owner=org.member_a.pk) == [w["plan"].pk]
    assert client.get(URL, {"at_risk": "maybe"}).status_code == 400


def test_another_teams_plan_answers_404_and_nothing_is_written(org, w):
    client = _client(org.member_a)
    other = w["other_plan"]
    measure = measure_for(other)
    assert client.get(f"{URL}{other.pk}/").status_code == 404
    assert client.patch(f"{URL}{other.pk}/", {"outcome": "x"}).status_code == 404
    response = client.post(
        f"{URL}{other.pk}/measures/{measure.pk}/progress/",
        {"measured_on": _today().isoformat(), "value": "1"},
        format="json",
    )
    assert response.status_code == 404
    assert not SuccessProgress.objects.exists()
    assert SuccessPlan.objects.get(pk=other.pk).outcome != "x"


def test_a_plan_is_written_then_patched(org, w):
    client = _client(org.member_a)
    account = CustomerAccountFactory(journey=w["own"].journey, owner=org.member_a)
    response = client.post(
        URL,
        {
            "account": account.pk,
            "outcome": "売上を二割伸ばす",
            "outcome_kind": "revenue",
            "customer_owner": "田中社長",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    plan_id = response.json()["id"]
    assert response.json()["customer_owner_title"] == ""
    response = client.patch(
        f"{URL}{plan_id}/", {"customer_owner_title": "代表取締役"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["customer_owner_title"] == "代表取締役"
    assert response.json()["outcome"] == "売上を二割伸ばす"


@pytest.mark.parametrize(
    "account_key, field",
    [("other", "account"), ("own", "account"), (None, "account")],
)
def test_an_unknown_or_planned_account_is_refused_on_the_field(
    org, w, account_key, field
):
    account = w[account_key].pk if account_key else 99_999_999
    response = _client(org.member_a).post(
        URL,
        {
            "account": account,
            "outcome": "x",
            "outcome_kind": "cost",
            "customer_owner": "y",
        },
        format="json",
    )
    assert response.status_code == 400
    assert field in response.json()
    assert SuccessPlan.objects.count() == 2


def _measure_body(**changes):
    today = _today()
    return {
        "name": "工数",
        "baseline": "100",
        "baseline_on": (today - timedelta(days=30)).isoformat(),
        "target": "50",
        "target_on": (today + timedelta(days=60)).isoformat(),
    } | changes


def test_measures_are_added_changed_and_removed(org, w):
    client = _client(org.manager_a)
    plan = w["plan"]
    response = client.post(
        f"{URL}{plan.pk}/measures/",
        _measure_body(value_points=[w["steps"][3].pk]),
        format="json",
    )
    assert response.status_code == 201, response.json()
    added = response.json()["measures"][-1]
    assert added["value_points"] == [w["steps"][3].pk]
    assert added["position"] == 2
    response = client.patch(
        f"{URL}{plan.pk}/measures/{added['id']}/", {"target": "40"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["measures"][-1]["target"] == "40.0000"
    assert response.json()["measures"][-1]["value_points"] == [w["steps"][3].pk]
    response = client.delete(f"{URL}{plan.pk}/measures/{added['id']}/")
    assert response.status_code == 204
    assert list(plan.measures.values_list("pk", flat=True)) == [w["measure"].pk]


def test_invalid_measures_answer_400_on_the_field(org, w):
    client = _client(org.member_a)
    plan = w["plan"]
    other_journey, other_steps = journey_with_value_points()
    cases = [
        (_measure_body(target="100"), "target"),
        (_measure_body(target_on=_measure_body()["baseline_on"]), "target_on"),
        (_measure_body(value_points=[other_steps[1].pk]), "value_points"),
        (_measure_body(value_points=[w["steps"][0].pk]), "value_points"),
        (_measure_body(value_points=[99_999_999]), "value_points"),
    ]
    for body, field in cases:
        response = client.post(f"{URL}{plan.pk}/measures/", body, format="json")
        assert response.status_code == 400, body
        assert field in response.json(), response.json()
    assert SuccessMeasure.objects.count() == 1


def test_progress_is_recorded_and_a_future_date_refused(org, w):
    client = _client(org.member_a)
    plan, measure = w["plan"], w["measure"]
    url = f"{URL}{plan.pk}/measures/{measure.pk}/progress/"
    future = (_today() + timedelta(days=1)).isoformat()
    response = client.post(url, {"measured_on": future, "value": "70"}, format="json")
    assert response.status_code == 400
    assert "measured_on" in response.json()
    response = client.post(
        url,
        {"measured_on": _today().isoformat(), "value": "70", "note": "月次報告"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["measures"][0]["status"] == "on_track"
    assert response.json()["at_risk"] is False
    assert SuccessProgress.objects.get().recorded_by == org.member_a


def test_those_who_do_not_work_with_customers_may_not_write(org, w):
    response = _client(org.interviewer).post(
        URL,
        {
            "account": w["own"].pk,
            "outcome": "x",
            "outcome_kind": "cost",
            "customer_owner": "y",
        },
        format="json",
    )
    assert response.status_code == 403


@pytest.mark.parametrize("size", [1, 10])
def test_list_queries_do_not_grow(org, django_assert_max_num_queries, size):
    journey, steps = journey_with_value_points()
    for _number in range(size):
        account = CustomerAccountFactory(journey=journey, owner=org.member_a)
        plan = plan_for(account)
        for position in (1, 2):
            measure = measure_for(plan, position=position, value_points=[steps[1]])
            read(measure, _today(), 70)
    client = _client(org.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert len(response.json()["results"]) == size
