"""The customer and step-event lists write rows (config.rows), not objects: each row
is what the list's serializer writes for that object (its detail), in every field,
for accounts with and without a current step, an owner or a pool, events with and
without a recorder or a void; and the lists run the same queries at two sizes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Role
from journeys.models import Coverage, StepEvent
from journeys.progress import refresh_progress
from journeys.selectors import account_list
from journeys.serializers import CustomerSerializer, StepEventSerializer
from tests.factories import UserFactory
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    StepEventFactory,
)
from tests.journeys.matrix_api import api_world

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
VIEWERS = ["admin", "manager_a", "member_a"]


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _rows(user, path, query="") -> list[dict]:
    response = _client(user).get(f"{V1}/{path}/?page_size=200&{query}")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def _world(org):
    w = api_world(org)
    # Owned, pooled, not started; a value point overdue; a voided event without a
    # recorder; a recorder with only a username.
    w.steps[1].is_value_point, w.steps[1].target_days = True, 3
    w.steps[1].save()
    started = CustomerAccountFactory(journey=w.journey, owner=org.member_a)
    StepEventFactory(account=started, step=w.steps[0], reached_at=T0)
    StepEventFactory(
        account=started,
        step=w.steps[2],
        reached_at=T0 + timedelta(days=2, hours=20),
        recorded_by=UserFactory(family_name="", given_name="", roles=[Role.MEMBER]),
    )
    voided = StepEventFactory(
        account=w.pooled, step=w.steps[1], reached_at=T0, recorded_by=None
    )
    StepEvent.objects.filter(pk=voided.pk).update(
        voided_at=T0 + timedelta(hours=1), voided_by=org.admin, void_reason="typo"
    )
    # Voided behind the services' back: the account's stored progress follows.
    refresh_progress(account_ids=[w.pooled.pk])
    CustomerAccountFactory(journey=w.journey, owner=org.member_a, name="Idle")
    # No open coverage period: only admins see it, with no coverage.
    uncovered = CustomerAccountFactory(journey=w.journey, owner=org.member_b)
    Coverage.objects.filter(account=uncovered).update(ended_at=T0 + timedelta(days=1))
    return w


@pytest.mark.parametrize("user", VIEWERS)
def test_each_customer_row_is_what_the_serializer_writes(org, user):
    _world(org)
    viewer = getattr(org, user)
    rows = _rows(viewer, "customers")
    assert len(rows) >= 3
    accounts = account_list(viewer=viewer)
    for row in rows:
        written = CustomerSerializer(accounts.get(pk=row["id"])).data
        assert row == written
    assert any(row["current_step"] is None for row in rows)
    assert any(row["current_step"] for row in rows)
    assert any(row["coverage"] and row["coverage"]["pool"] for row in rows)
    if user == "admin":
        assert any(row["coverage"] is None for row in rows)


@pytest.mark.parametrize("user", VIEWERS)
def test_each_step_event_row_is_what_the_serializer_writes(org, user):
    _world(org)
    viewer = getattr(org, user)
    rows = _rows(viewer, "step-events")
    assert len(rows) >= 2
    for row in rows:
        event = StepEvent.objects.select_related("account", "step", "recorded_by")
        assert row == StepEventSerializer(event.get(pk=row["id"])).data
    if user != "manager_a":
        assert any(row["recorded_by"] is None for row in rows)
        assert any(row["voided_at"] for row in rows)


def _queries(user, path) -> list[str]:
    client = _client(user)
    # Who the viewer is (roles, the teams they lead) is read once per user.
    client.get(f"{V1}/{path}/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{V1}/{path}/")
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _grow(org, w, count):
    for _ in range(count):
        account = CustomerAccountFactory(journey=w.journey, owner=org.member_a)
        pooled = CustomerAccountFactory(journey=w.journey, pool=w.pool)
        for step in w.steps:
            StepEventFactory(account=account, step=step, reached_at=T0)
            StepEventFactory(account=pooled, step=step, reached_at=T0)


@pytest.mark.parametrize("user", VIEWERS)
@pytest.mark.parametrize(("path", "budget"), [("customers", 4), ("step-events", 1)])
def test_the_lists_run_the_same_queries_at_two_sizes(org, user, path, budget):
    w = _world(org)
    viewer = getattr(org, user)
    few = _queries(viewer, path)
    _grow(org, w, 12)
    many = _queries(viewer, path)
    # customers: the value points (for the list's filter, then for the page's
    # rows), the count, the page (found by key, its coverage joined);
    # step-events: the page.
    assert len(few) == len(many) <= budget
