"""CSV downloads of the account list and of step events: the list's filters and the
viewer's scope, the import's columns first (the file can be corrected and imported
again), streamed, and a query count that does not grow with the rows."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from journeys.imports import import_accounts
from journeys.models import StepEvent
from tests.exports import rows
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    PoolFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

ACCOUNTS = reverse("journeys:account_export")
EVENTS = reverse("journeys:step_event_export")


@pytest.fixture
def world(org):
    journey, steps = journey_with_steps(3, name="Onboarding")
    pool = PoolFactory(name="SMB pool", team=org.team_a)
    acme = CustomerAccountFactory(
        name="Acme",
        external_id="SF-1",
        arr=Decimal(12_000_000),
        segment="SMB",
        journey=journey,
        owner=org.member_a,
    )
    pooled = CustomerAccountFactory(
        name="=HYPERLINK()",
        external_id="SF-2",
        segment="Enterprise",
        journey=journey,
        pool=pool,
    )
    other = CustomerAccountFactory(
        name="Beta", external_id="SF-3", journey=journey, owner=org.member_b
    )
    StepEventFactory(account=acme, step=steps[0], reached_at=T0, note="kickoff")
    StepEventFactory(
        account=acme,
        step=steps[1],
        reached_at=T0 + timedelta(days=3),
        voided_at=T0 + timedelta(days=4),
        void_reason="wrong step",
    )
    StepEventFactory(account=other, step=steps[0], reached_at=T0)
    return {
        "org": org,
        "journey": journey,
        "steps": steps,
        "pool": pool,
        "acme": acme,
        "pooled": pooled,
        "other": other,
    }


def test_the_account_export_has_the_import_columns_and_where_accounts_stand(
    client, world
):
    client.force_login(world["org"].admin)
    response = client.get(ACCOUNTS)
    assert response.streaming
    assert "accounts-" in response["Content-Disposition"]
    table = rows(response)
    assert table[0][:8] == [
        "external_id",
        "name",
        "segment",
        "arr",
        "journey",
        "coverage",
        "owner",
        "pool",
    ]
    by_id = {row[0]: row for row in table[1:]}
    assert by_id["SF-1"][:9] == [
        "SF-1",
        "Acme",
        "SMB",
        "12000000",
        "Onboarding",
        "dedicated",
        "member_a",
        "",
        "Step 1",
    ]
    assert by_id["SF-2"][1] == "'=HYPERLINK()"  # a formula is neutralised
    assert by_id["SF-2"][5:8] == ["pooled", "", "SMB pool"]


def test_the_account_export_follows_the_filters_order_and_scope(client, world):
    org = world["org"]
    client.force_login(org.admin)
    table = rows(client.get(ACCOUNTS, {"segment": "SMB", "ordering": "-name"}))
    assert [row[0] for row in table[1:]] == ["SF-3", "SF-1"]  # Beta, Acme
    table = rows(client.get(ACCOUNTS, {"ordering": "-name"}))
    assert [row[1] for row in table[1:]] == ["Beta", "Acme", "'=HYPERLINK()"]
    client.force_login(org.member_a)
    assert [row[0] for row in rows(client.get(ACCOUNTS))[1:]] == ["SF-1"]


def test_an_exported_file_imports_again_without_changes(client, world):
    org = world["org"]
    client.force_login(org.admin)
    data = client.get(ACCOUNTS, {"external_id": "SF-1"})
    content = b"".join(data.streaming_content)
    report = import_accounts(file=content, by=org.admin, confirm_not_ready=True)
    assert not report.problems, report.lines()
    assert (report.created, report.updated) == (0, 0)


def test_the_step_event_export_keeps_void_events_and_follows_filters(client, world):
    org = world["org"]
    client.force_login(org.admin)
    table = rows(client.get(EVENTS))
    assert table[0][:4] == ["external_id", "step", "reached_at", "note"]
    assert len(table) == 4
    first = next(row for row in table[1:] if row[3] == "kickoff")
    assert first[:3] == ["SF-1", "Step 1", "2026-04-01 12:00"]
    void = rows(client.get(EVENTS, {"void": "true"}))
    assert [row[-1] for row in void[1:]] == ["wrong step"]
    only_acme = rows(client.get(EVENTS, {"external_id": "SF-1", "void": "false"}))
    assert [row[3] for row in only_acme[1:]] == ["kickoff"]
    assert client.get(EVENTS, {"void": "maybe"}).status_code == 400


def test_the_step_event_export_follows_the_viewers_scope(client, world):
    client.force_login(world["org"].member_a)
    table = rows(client.get(EVENTS))
    assert {row[0] for row in table[1:]} == {"SF-1"}
    client.force_login(world["org"].member_b)
    assert {row[0] for row in rows(client.get(EVENTS))[1:]} == {"SF-3"}


@pytest.mark.parametrize("size", [2, 40])
def test_exports_take_the_same_queries_whatever_the_rows(
    client, org, django_assert_max_num_queries, size
):
    journey, steps = journey_with_steps(2)
    pool = PoolFactory(team=org.team_a)
    for number in range(size):
        account = CustomerAccountFactory(
            journey=journey,
            owner=org.member_a if number % 2 else None,
            pool=None if number % 2 else pool,
        )
        StepEventFactory(account=account, step=steps[number % 2])
    client.force_login(org.admin)
    with django_assert_max_num_queries(6):
        table = rows(client.get(ACCOUNTS))
    assert len(table) == size + 1
    with django_assert_max_num_queries(6):
        table = rows(client.get(EVENTS))
    assert len(table) == StepEvent.objects.count() + 1
