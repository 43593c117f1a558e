"""Hostile input answered with a clear 400 (or the page's own message), never a
server error: what an outside probe found (deeply nested JSON, a lone surrogate
echoed back, a year-1 moment without offset, the sharing page's edge months,
identifiers naming different objects, a double create)."""

import json
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import Role
from journeys import revenue, services
from journeys.models import CustomerAccount, StepEvent
from tests.factories import UserFactory
from tests.journeys.matrix_api import api_world

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture
def w(org):
    return api_world(org)


def _client(user, language="en") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    client.force_authenticate(user)
    return client


def test_a_body_nested_too_deeply_is_a_400(org):
    body = "[" * 100_000 + "]" * 100_000
    response = _client(org.admin).post(
        f"{V1}/role-map/", body, content_type="application/json"
    )
    assert response.status_code == 400
    (message,) = response.json()["non_field_errors"]
    assert "nested too deeply" in message


def test_a_lone_surrogate_echoed_back_is_escaped_not_a_500(org):
    response = _client(org.admin).post(
        f"{V1}/role-map/",
        '{"name": "s", "status": "\\ud800"}',
        content_type="application/json",
    )
    assert response.status_code == 400
    # Valid JSON (ASCII, the surrogate escaped), naming the field.
    body = json.loads(response.content.decode("ascii"))
    assert "status" in body
    # The browsable API's page too, the surrogate shown escaped.
    response = _client(org.admin).post(
        f"{V1}/role-map/",
        '{"name": "s", "status": "\\ud800"}',
        content_type="application/json",
        HTTP_ACCEPT="text/html",
    )
    assert response.status_code == 400
    assert "\\ud800" in response.content.decode("utf-8")


def test_a_lone_surrogate_is_refused_in_japanese_too(org):
    """DRF's Japanese lacks the message: it came in English on Japanese pages."""
    response = _client(org.admin).post(
        f"{V1}/role-map/",
        '{"name": "\\ud800", "status": "ok"}',
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="ja",
    )
    assert response.status_code == 400
    assert response.json()["name"] == ["サロゲート文字は使えません：U+D800。"]


def test_a_year_1_moment_without_offset_is_a_400_on_its_field(org, w):
    response = _client(org.member_a).post(
        f"{V1}/step-events/",
        {
            "account": w.account.pk,
            "step": w.steps[1].pk,
            "reached_at": "0001-01-01T00:00:00",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["reached_at"] == [
        "Enter a date and time between the years 1 and 9999."
    ]
    assert not StepEvent.objects.filter(step=w.steps[1]).exists()


def test_an_account_and_an_external_id_of_another_account_are_refused(org, w):
    client = _client(org.member_a)
    body = {
        "account": w.account.pk,
        "external_id": w.pooled.external_id,
        "step": w.steps[1].pk,
        "reached_at": "2026-10-03T10:07:00+09:00",
    }
    response = client.post(f"{V1}/step-events/", body, format="json")
    assert response.status_code == 400
    assert "name different accounts" in response.json()["external_id"][0]
    response = client.post(
        f"{V1}/arr-snapshots/",
        {
            "account": w.account.pk,
            "external_id": w.pooled.external_id,
            "month": "2026-04",
            "arr": 1000,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "name different accounts" in response.json()["external_id"][0]
    assert not StepEvent.objects.filter(step=w.steps[1]).exists()
    # Both naming the same account is fine.
    body["external_id"] = w.account.external_id
    assert client.post(f"{V1}/step-events/", body, format="json").status_code == 201


def test_a_step_and_a_journey_and_position_of_another_step_are_refused(org, w):
    body = {
        "account": w.account.pk,
        "step": w.steps[1].pk,
        "journey": w.journey.pk,
        "position": 1,
        "reached_at": "2026-10-03T10:07:00+09:00",
    }
    client = _client(org.member_a)
    response = client.post(f"{V1}/step-events/", body, format="json")
    assert response.status_code == 400
    assert "name different steps" in response.json()["position"][0]
    body["position"] = w.steps[1].position
    assert client.post(f"{V1}/step-events/", body, format="json").status_code == 201


def test_an_account_created_twice_at_once_is_refused_on_its_field(org, w):
    """The second of two creates at once passes the uniqueness check before the
    first commits; its INSERT fails, and it is refused as the check refuses it."""

    def create():
        return services.account_create(
            name="Race Co",
            external_id="RACE-1",
            journey=w.journey,
            pool=w.pool,
            by=org.admin,
        )

    create()
    # As if the first had not committed when the second checked: its first
    # uniqueness check passes, the INSERT fails.
    real = CustomerAccount.validate_unique
    checks = []

    def first_passes(account, *args, **kwargs):
        checks.append(account)
        if len(checks) > 1:
            return real(account, *args, **kwargs)
        return None

    with (
        mock.patch.object(CustomerAccount, "validate_unique", first_passes),
        pytest.raises(ValidationError) as raised,
    ):
        create()
    assert len(checks) == 2
    assert "external_id" in raised.value.message_dict
    assert CustomerAccount.objects.filter(external_id="RACE-1").count() == 1


@pytest.mark.parametrize(
    "month, message",
    [
        ("0001-01", "This month is too far in the past."),
        ("9999-12", "This month is in the future."),
    ],
)
def test_the_sharing_page_refuses_months_it_cannot_show(client, org, month, message):
    """Months as ARR is recorded (from 2000 to the running month): the years'
    first and last months, which have no month before or after, never reach the
    page, and its links stop at the bounds."""
    client.force_login(org.manager_a)
    url = reverse("recognition:sharing_meeting")
    response = client.get(url, {"month": month})
    assert response.status_code == 200
    assert message in response.text
    running = f"{revenue.current_month():%Y-%m}"
    page = client.get(url, {"month": running}).text
    assert "Previous month" in page and "Next month" not in page
    assert "Previous month" not in client.get(url, {"month": "2000-01"}).text


def test_a_missing_object_answers_a_translated_404_naming_no_model(org):
    admin = UserFactory(roles=[Role.ADMIN])
    response = _client(admin, "ja").get(f"{V1}/scorecards/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりませんでした。"}
