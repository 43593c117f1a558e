"""ARR snapshots in the Django admin: listed and read, with each snapshot's history
(who changed it, when, before and after); never added, changed or deleted there."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from journeys import revenue
from journeys.models import ARRSnapshot
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def snapshot(org):
    journey, _steps = journey_with_steps(2)
    account = CustomerAccountFactory(name="Acme", journey=journey, owner=org.member_a)
    for arr, by in ((1_000_000, org.member_a), (1_250_000, org.manager_a)):
        snapshot = revenue.arr_snapshot_record(
            account=account,
            month=date(2025, 1, 1),
            arr=Decimal(arr),
            by=by,
            source=ARRSnapshot.Source.UI,
        )
    return snapshot


def test_the_list_and_the_history_show_who_changed_what(client, org, snapshot):
    client.force_login(org.admin)
    listed = client.get(reverse("admin:journeys_arrsnapshot_changelist"))
    assert listed.status_code == 200
    assert "Acme" in listed.text
    history = client.get(
        reverse("admin:journeys_arrsnapshot_history", args=[snapshot.pk])
    )
    assert history.status_code == 200
    assert org.manager_a.username in history.text
    assert org.member_a.username in history.text


def test_nothing_is_added_changed_or_deleted_in_the_admin(client, org, snapshot):
    client.force_login(org.admin)
    change = reverse("admin:journeys_arrsnapshot_change", args=[snapshot.pk])
    assert client.get(change).status_code == 200  # read
    assert client.post(change, {"arr": "1"}).status_code == 403
    add = client.get(reverse("admin:journeys_arrsnapshot_add"))
    assert add.status_code == 403
    delete = reverse("admin:journeys_arrsnapshot_delete", args=[snapshot.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    snapshot.refresh_from_db()
    assert snapshot.arr == 1_250_000
