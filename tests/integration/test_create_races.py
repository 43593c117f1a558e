"""Two creates of one thing at the same moment (a double click, a retried request),
on a database with real concurrent transactions: one is created, the others are
refused on the field or change what the first created, and none is a server
error."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from journeys import services, success_services
from journeys.models import CustomerAccount, SuccessPlan
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.postgres

ATTEMPTS = 6


def _at_once(work) -> list:
    """Run `work` in ATTEMPTS threads released together; what each returned or
    raised."""
    barrier = threading.Barrier(ATTEMPTS)
    outcomes = []

    def run():
        try:
            barrier.wait(timeout=10)
            outcomes.append(work())
        except Exception as error:  # noqa: BLE001 - the outcome is checked
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(ATTEMPTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_one_account_of_an_external_id_created_at_once(org):
    journey, _steps = journey_with_steps(3)
    pool = PoolFactory(team=org.team_a)
    outcomes = _at_once(
        lambda: services.account_create(
            name="Race Co",
            external_id="RACE-1",
            journey=journey,
            pool=pool,
            by=org.admin,
        )
    )
    created = [item for item in outcomes if isinstance(item, CustomerAccount)]
    refused = [item for item in outcomes if isinstance(item, ValidationError)]
    assert (len(created), len(refused)) == (1, ATTEMPTS - 1), outcomes
    assert all("external_id" in error.message_dict for error in refused)
    assert CustomerAccount.objects.filter(external_id="RACE-1").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_success_plan_of_an_account_saved_at_once(org):
    journey, _steps = journey_with_steps(3)
    account = CustomerAccountFactory(journey=journey, owner=org.member_a)
    outcomes = _at_once(
        lambda: success_services.success_plan_save(
            account=account,
            by=org.member_a,
            outcome="Cut onboarding time",
            outcome_kind="other",
            customer_owner="Mr X",
        )
    )
    assert all(isinstance(item, SuccessPlan) for item in outcomes), outcomes
    assert len({plan.pk for plan in outcomes}) == 1
    assert SuccessPlan.objects.filter(account=account).count() == 1
