"""The demo's success plans: about a third of the accounts, each status present,
outcomes reached last month for the sharing meeting; a second run adds none."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F

from journeys import success
from journeys.models import CustomerAccount, SuccessMeasure, SuccessPlan

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("starting_profiles"),
    pytest.mark.long,
]


def test_the_demo_has_plans_on_track_at_risk_and_reached():
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    accounts = CustomerAccount.objects.filter(external_id__startswith="DEMO-0").count()
    plans = SuccessPlan.objects.count()
    assert 0.25 <= plans / accounts <= 0.4
    statuses = set(
        success.measures_with_status().values_list("status", flat=True).distinct()
    )
    assert statuses == {success.REACHED, success.BEHIND, success.ON_TRACK}
    assert success.plans_at_risk().exists()
    assert success.measures_reached_in(success.last_complete_month()).exists()
    # Each measure rests on value points of its own account's journey.
    linked = SuccessMeasure.objects.filter(value_points__isnull=False)
    assert linked.exists()
    assert not linked.exclude(
        value_points__journey_id=F("plan__account__journey_id")
    ).exists()
    assert not linked.filter(value_points__is_value_point=False).exists()
    measures = SuccessMeasure.objects.count()
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    assert (SuccessPlan.objects.count(), SuccessMeasure.objects.count()) == (
        plans,
        measures,
    )
