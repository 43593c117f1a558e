"""Two creates of one thing at the same moment (a double click, a retried request),
on a database with real concurrent transactions: one is created, the others are
refused on the field or change what the first created, and none is a server
error."""

import threading
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from accounts import services as account_services
from hiring import services as hiring_services
from hiring.models import SuccessProfile
from journeys import services, success_services
from journeys.models import CustomerAccount, SuccessPlan
from recognition.models import AwardProgram, PlanTarget
from recognition.services import awards, development
from tests.factories import CompetencyFactory, SuccessProfileFactory, UserFactory
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


def _one_created_the_rest_refused_on(outcomes, model, field: str) -> None:
    created = [item for item in outcomes if isinstance(item, model)]
    refused = [item for item in outcomes if isinstance(item, ValidationError)]
    assert (len(created), len(refused)) == (1, ATTEMPTS - 1), outcomes
    assert all(field in error.message_dict for error in refused), refused


@pytest.mark.django_db(transaction=True)
def test_one_success_profile_of_a_name_created_at_once():
    competency = CompetencyFactory()
    outcomes = _at_once(
        lambda: hiring_services.profile_create(
            name="Race profile", weights={competency.pk: 3}
        )
    )
    _one_created_the_rest_refused_on(outcomes, SuccessProfile, "name")
    assert SuccessProfile.objects.filter(name="Race profile").count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_copy_of_a_profile_under_a_name_made_at_once():
    original = SuccessProfileFactory()
    outcomes = _at_once(
        lambda: hiring_services.profile_copy(profile=original, name="Race copy")
    )
    _one_created_the_rest_refused_on(outcomes, SuccessProfile, "name")


@pytest.mark.django_db(transaction=True)
def test_one_award_program_of_a_name_created_at_once(org):
    outcomes = _at_once(
        lambda: awards.award_program_create(
            by=org.admin, name="Race award", cadence="monthly", teams=[org.team_a]
        )
    )
    _one_created_the_rest_refused_on(outcomes, AwardProgram, "name")


@pytest.mark.django_db(transaction=True)
def test_one_user_takes_an_email_address_at_once():
    users = [UserFactory(email=f"user{n}@example.com") for n in range(ATTEMPTS)]
    queue = list(users)

    def take():
        user = queue.pop()
        return account_services.user_update_profile(
            user=user,
            family_name=user.family_name,
            given_name=user.given_name,
            family_name_reading="",
            given_name_reading="",
            email="race@example.com",
            preferred_language="ja",
        )

    outcomes = _at_once(take)
    saved = [item for item in outcomes if isinstance(item, type(users[0]))]
    refused = [item for item in outcomes if isinstance(item, ValidationError)]
    assert (len(saved), len(refused)) == (1, ATTEMPTS - 1), outcomes
    # On the field, or (refused by the database's constraint between the model's
    # own checks) for the whole form: the same words.
    assert all(
        "A user with this email already exists." in str(error.messages)
        for error in refused
    ), refused


@pytest.mark.django_db(transaction=True)
def test_one_target_of_a_metric_set_at_once(org):
    _journey, steps = journey_with_steps(3)
    outcomes = _at_once(
        lambda: development.target_set(
            member=org.member_a,
            by=org.manager_a,
            metric=f"step_conversion:{steps[0].pk}",
            target_value=0.6,
            by_date=date.today() + timedelta(days=90),
        )
    )
    assert all(isinstance(item, PlanTarget) for item in outcomes), outcomes
    assert len({target.pk for target in outcomes}) == 1
