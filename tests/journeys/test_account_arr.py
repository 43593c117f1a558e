"""An account's ARR written with the account (its import, the create form, the API)
is the ARR of a month, recorded as that month's snapshot: the revenue figures and
`CustomerAccount.arr` never disagree."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from journeys import revenue, services
from journeys.imports import import_accounts
from journeys.models import ARRMovement, ARRSnapshot, CustomerAccount
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps
from tests.journeys.test_imports import ACCOUNT_HEADER, csv_bytes, make_ready

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    journey, steps = journey_with_steps(3, name="Onboarding")
    make_ready(org.member_a, steps)
    return {"org": org, "journey": journey}


def _snapshots(external_id):
    return list(
        ARRSnapshot.objects.filter(account__external_id=external_id)
        .order_by("month")
        .values_list("month", "arr", "movement", "source")
    )


def _import(world, *lines):
    return import_accounts(
        file=csv_bytes([ACCOUNT_HEADER, *lines]), by=world["org"].admin
    )


def test_an_imported_arr_is_the_current_months_snapshot_and_moves_it(world):
    month = revenue.current_month()
    line = "N-1,Acme,SMB,{arr},Onboarding,dedicated,member_a,"
    _import(world, line.format(arr='"1,200,000"'))
    assert _snapshots("N-1") == [(month, Decimal(1_200_000), ARRMovement.NEW, "import")]

    # The same ARR again: nothing written; a higher one corrects the month.
    report = _import(world, line.format(arr="1200000"))
    assert report.skipped == 1
    _import(world, line.format(arr="1500000"))
    assert _snapshots("N-1") == [(month, Decimal(1_500_000), ARRMovement.NEW, "import")]
    assert CustomerAccount.objects.get(external_id="N-1").arr == Decimal(1_500_000)

    # An empty cell leaves the ARR as it is.
    _import(world, line.format(arr=""))
    assert CustomerAccount.objects.get(external_id="N-1").arr == Decimal(1_500_000)


def test_an_account_with_arr_but_no_snapshot_gets_one_on_its_next_import(world):
    CustomerAccountFactory(
        external_id="OLD-1", journey=world["journey"], arr=Decimal(900_000)
    )
    _import(world, "OLD-1,Old Co,SMB,900000,Onboarding,dedicated,member_a,")
    assert [arr for _m, arr, *_ in _snapshots("OLD-1")] == [Decimal(900_000)]


def test_an_account_created_with_arr_records_the_month_it_starts_in(world):
    started = timezone.make_aware(datetime(2026, 7, 15, 10, 0))
    account = services.account_create(
        name="Beta",
        external_id="B-1",
        journey=world["journey"],
        by=world["org"].admin,
        arr=3_000_000,
        owner=world["org"].member_a,
        at=started,
    )
    account.refresh_from_db()
    assert account.arr == Decimal(3_000_000)
    assert _snapshots("B-1") == [
        (datetime(2026, 7, 1).date(), Decimal(3_000_000), ARRMovement.NEW, "ui")
    ]
