"""The hiring policy's page (admins), with the same checks and permissions as its
API: both go through `services.policy_update` and `permissions.manages_policy`."""

import pytest
from django.urls import reverse

from hiring.models import HiringPolicy

pytestmark = pytest.mark.django_db

PAGE = reverse("hiring:policy")
API = reverse("hiring-policy")

VALID = {
    "panel_visibility": "never",
    "reminder_after_hours": "48",
    "retention_days": "365",
    "feedback_link_days": "30",
}

# A value that each limit refuses, per field (the same on the page and the API).
INVALID = [
    ("reminder_after_hours", "0"),
    ("reminder_after_hours", "169"),
    ("retention_days", "29"),
    ("retention_days", "3651"),
    ("feedback_link_days", "0"),
    ("feedback_link_days", "91"),
    ("panel_visibility", "sometimes"),
]


def test_an_admin_changes_the_policy_on_its_page(client, org):
    client.force_login(org.admin)
    assert PAGE in client.get(reverse("hiring:home")).text
    response = client.post(PAGE, VALID, follow=True)
    assert response.redirect_chain[-1][0] == PAGE
    policy = HiringPolicy.current()
    assert policy.panel_visibility == "never"
    assert (policy.reminder_after_hours, policy.retention_days) == (48, 365)
    assert policy.feedback_link_days == 30
    # Recorded with who changed it.
    assert policy.history.latest().history_user == org.admin


@pytest.mark.parametrize(("field", "value"), INVALID)
def test_the_page_refuses_what_the_api_refuses(client, api_client, org, field, value):
    client.force_login(org.admin)
    before = HiringPolicy.current().reminder_after_hours
    response = client.post(PAGE, {**VALID, field: value})
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors.get(field), form.errors
    # The input is kept, the error on its field; nothing saved.
    assert f'value="{value}"' in response.text or field == "panel_visibility"
    assert HiringPolicy.current().reminder_after_hours == before
    api_client.force_authenticate(org.admin)
    answer = api_client.patch(API, {field: value}, format="json")
    assert answer.status_code == 400
    assert field in answer.json()


@pytest.mark.parametrize("role", ["recruiter", "manager_a", "interviewer", "member_a"])
def test_only_admins_change_the_policy_on_the_page_and_the_api(
    client, api_client, org, role
):
    user = getattr(org, role)
    client.force_login(user)
    assert client.get(PAGE).status_code == 403
    assert client.post(PAGE, VALID).status_code == 403
    api_client.force_authenticate(user)
    answer = api_client.patch(API, {"retention_days": 400}, format="json")
    assert answer.status_code == 403
    assert HiringPolicy.current().retention_days == 180


def test_those_in_hiring_read_the_policy_through_the_api(api_client, org):
    api_client.force_authenticate(org.recruiter)
    body = api_client.get(API).json()
    assert body["panel_visibility"] == "after_submit"
    assert body["reminder_after_hours"] == 24


def test_an_admin_changes_the_policy_through_the_api(api_client, org):
    api_client.force_authenticate(org.admin)
    answer = api_client.patch(API, {"reminder_after_hours": 12}, format="json")
    assert answer.status_code == 200
    assert answer.json()["reminder_after_hours"] == 12
    assert HiringPolicy.current().reminder_after_hours == 12


def test_the_policy_page_is_not_offered_to_others(client, org):
    client.force_login(org.recruiter)
    assert PAGE not in client.get(reverse("hiring:home")).text
