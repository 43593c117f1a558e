"""The account page flags a value point first reached before step 1: out of order,
so due and not on time (METRICS.md, value points on time)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.journeys.factories import (
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _page(client, org, *, value_point_days_ago: int):
    _journey, steps = journey_with_steps(3, name="Onboarding")
    steps[1].is_value_point = True
    steps[1].target_days = 30
    steps[1].save()
    account = CustomerAccountFactory(journey=steps[0].journey, owner=org.member_a)
    now = timezone.now()
    StepEventFactory(account=account, step=steps[0], reached_at=now - timedelta(days=5))
    StepEventFactory(
        account=account,
        step=steps[1],
        reached_at=now - timedelta(days=value_point_days_ago),
    )
    client.force_login(org.member_a)
    response = client.get(reverse("journeys:account_detail", args=[account.pk]))
    assert response.status_code == 200
    return _text(response.text)


def test_a_value_point_reached_before_step_1_is_flagged_out_of_order(client, org):
    text = _page(client, org, value_point_days_ago=8)
    assert (
        "Value points reached before step 1 (out of order: due, and not on time): "
        "2. Step 2" in text
    )
    assert "before step 1" in text


def test_a_value_point_reached_after_step_1_is_not_flagged(client, org):
    text = _page(client, org, value_point_days_ago=2)
    assert "out of order" not in text
    assert "before step 1" not in text
