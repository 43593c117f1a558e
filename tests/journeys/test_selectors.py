"""Reads: the account list with its current step and overdue value points, the
account page, attribution over coverage history, and their query counts."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from journeys import selectors, services
from journeys.models import CustomerAccount
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    PoolFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
# 2026-05-11 12:00 JST
NOW = T0 + 40 * DAY


@pytest.fixture
def world(org):
    """Steps 1–3; step 2 is a value point due 30 days after step 1, step 3 after 60.

    A: 1 at T0, 2 at T0+10d          → current 2, on time
    B: 1 at T0, 3 at T0+5d (skips 2) → current 3, step 2 overdue
    C: 1 at T0                       → current 1, step 2 overdue
    D: nothing                       → no current step
    E: 1 at T0, 2 at T0+1d voided    → current 1, step 2 overdue
    P: pooled (pool of team A), 1 at T0+35d → current 1, nothing due yet
    """
    journey, steps = journey_with_steps(3)
    one, two, three = steps
    services.step_update(step=two, is_value_point=True, target_days=30)
    services.step_update(step=three, is_value_point=True, target_days=60)
    pool = PoolFactory(team=org.team_a)
    accounts = {
        name: CustomerAccountFactory(name=name, journey=journey, owner=org.member_a)
        for name in "ABCDE"
    }
    accounts["P"] = CustomerAccountFactory(
        name="P", journey=journey, pool=pool, segment="Enterprise"
    )
    for name in "ABCE":
        StepEventFactory(account=accounts[name], step=one, reached_at=T0)
    StepEventFactory(account=accounts["A"], step=two, reached_at=T0 + 10 * DAY)
    StepEventFactory(account=accounts["B"], step=three, reached_at=T0 + 5 * DAY)
    voided = StepEventFactory(account=accounts["E"], step=two, reached_at=T0 + DAY)
    services.step_event_void(event=voided, by=org.admin, reason="wrong account")
    StepEventFactory(account=accounts["P"], step=one, reached_at=T0 + 35 * DAY)
    return {"journey": journey, "steps": steps, "pool": pool, **accounts}


def _rows(**kwargs):
    kwargs.setdefault("now", NOW)
    return {account.name: account for account in selectors.account_list(**kwargs)}


def test_the_current_step_is_the_highest_reached_one_ignoring_voided(org, world):
    rows = _rows(viewer=org.admin)
    assert {name: row.current_step_position for name, row in rows.items()} == {
        "A": 2,
        "B": 3,
        "C": 1,
        "D": None,
        "E": 1,
        "P": 1,
    }
    assert rows["A"].current_step_name == "Step 2"
    assert rows["A"].current_step_since == T0 + 10 * DAY


def test_days_at_the_current_step_are_calendar_days_in_the_time_zone(org, world):
    rows = _rows(viewer=org.admin)
    assert rows["A"].current_step_age.days == 30
    assert rows["C"].current_step_age.days == 40
    assert rows["D"].current_step_age is None
    # 2026-04-02 00:30 JST is still April 1 in UTC: one day in Tokyo.
    after_midnight = datetime(2026, 4, 2, 0, 30, tzinfo=ZoneInfo("Asia/Tokyo"))
    rows = _rows(viewer=org.admin, now=after_midnight)
    assert rows["C"].current_step_age.days == 1
    before_midnight = after_midnight - timedelta(hours=1)
    assert _rows(viewer=org.admin, now=before_midnight)["C"].current_step_age.days == 0


def test_value_points_overdue_when_the_deadline_passed_unreached(org, world):
    rows = _rows(viewer=org.admin)
    assert {name for name, row in rows.items() if row.value_point_overdue} == {
        "B",
        "C",
        "E",
    }


def test_a_value_point_is_overdue_only_after_its_deadline(org, world):
    deadline = T0 + 30 * DAY
    at_deadline = _rows(viewer=org.admin, now=deadline)
    assert not at_deadline["C"].value_point_overdue
    after = _rows(viewer=org.admin, now=deadline + timedelta(seconds=1))
    assert after["C"].value_point_overdue


def test_retired_steps_do_not_count_as_current_or_overdue(org, world):
    services.step_retire(step=world["steps"][1], by=org.admin)
    rows = _rows(viewer=org.admin)
    assert rows["A"].current_step_position == 1
    assert rows["E"].value_point_overdue is False
    assert rows["B"].current_step_position == 2  # step 3 moved up to 2


def test_filters(org, world):
    names = lambda **kw: set(_rows(viewer=org.admin, **kw))  # noqa: E731
    assert names(owner=org.member_a) == set("ABCDE")
    assert names(pool=world["pool"]) == {"P"}
    assert names(segment="Enterprise") == {"P"}
    assert names(current_step=world["steps"][0]) == {"C", "E", "P"}
    assert names(overdue=True) == {"B", "C", "E"}
    assert names(overdue=False) == {"A", "D", "P"}


def test_the_list_is_scoped_to_the_viewer(org, world):
    assert set(_rows(viewer=org.member_a)) == set("ABCDE")
    assert set(_rows(viewer=org.manager_a)) == set("ABCDEP")
    assert set(_rows(viewer=org.member_b)) == set()


def test_the_list_shows_the_current_coverage(org, world):
    rows = _rows(viewer=org.admin)
    assert rows["A"].open_coverage[0].owner == org.member_a
    assert rows["P"].open_coverage[0].pool == world["pool"]


def test_the_account_page(org, world):
    step_two = world["steps"][1]
    playbook = PlaybookFactory(from_step=step_two)
    PlaybookVersionFactory(playbook=playbook, number=1, goal="old")
    PlaybookVersionFactory(playbook=playbook, number=2, goal="new")
    page = selectors.account_page(viewer=org.member_a, pk=world["A"].pk, now=NOW)
    assert [(entry.step.position, entry.first_reached_at) for entry in page.path] == [
        (1, T0),
        (2, T0 + 10 * DAY),
        (3, None),
    ]
    assert page.current_step == step_two
    assert page.days_at_current_step == 30
    assert page.path[2].deadline == T0 + 60 * DAY
    assert page.overdue_value_points == []
    assert page.next_playbook == playbook
    assert page.next_playbook_version.goal == "new"
    assert page.coverage.owner == org.member_a


def test_the_account_page_of_a_skipping_account(org, world):
    page = selectors.account_page(viewer=org.admin, pk=world["B"].pk, now=NOW)
    assert page.overdue_value_points == [world["steps"][1]]
    assert page.path[1].deadline == T0 + 30 * DAY
    assert page.next_playbook is None  # no transition after the last step


def test_the_account_page_lists_voided_events_too(org, world):
    page = selectors.account_page(viewer=org.admin, pk=world["E"].pk, now=NOW)
    assert [event.voided_at is not None for event in page.events] == [True, False]
    assert page.current_step == world["steps"][0]


def test_an_invisible_account_is_not_found(org, world):
    with pytest.raises(CustomerAccount.DoesNotExist):
        selectors.account_page(viewer=org.member_b, pk=world["A"].pk)


def _add_accounts(org, world, count):
    one, two, three = world["steps"]
    for index in range(count):
        account = CustomerAccountFactory(journey=world["journey"], owner=org.member_a)
        StepEventFactory(account=account, step=one, reached_at=T0 + index * DAY)
        StepEventFactory(account=account, step=two, reached_at=T0 + (index + 1) * DAY)
        event = StepEventFactory(account=account, step=three, reached_at=T0 + 50 * DAY)
        services.step_event_void(event=event, by=org.admin, reason="typo")


@pytest.mark.parametrize("extra", [0, 25])
def test_the_list_query_count_does_not_grow(
    org, world, extra, django_assert_max_num_queries
):
    _add_accounts(org, world, extra)
    viewer = org.manager_a
    with django_assert_max_num_queries(6):
        rows = list(selectors.account_list(viewer=viewer, now=NOW))
        [row.open_coverage for row in rows]
    assert len(rows) == 6 + extra


@pytest.mark.parametrize("extra", [0, 25])
def test_the_page_query_count_does_not_grow(
    org, world, extra, django_assert_max_num_queries
):
    _add_accounts(org, world, extra)
    PlaybookVersionFactory(playbook=PlaybookFactory(from_step=world["steps"][1]))
    for index in range(extra):
        StepEventFactory(
            account=world["A"],
            step=world["steps"][0],
            reached_at=T0 + (index + 1) * timedelta(hours=1),
        )
    # Roles and led teams (3), value points, the account, its coverage, the steps,
    # the playbook with its latest version (2), the events.
    with django_assert_max_num_queries(10):
        page = selectors.account_page(viewer=org.manager_a, pk=world["A"].pk, now=NOW)
        [entry.step.name for entry in page.path]
        [event.step.name for event in page.events]
    assert page.next_playbook_version.number == 1


def test_owner_at_follows_the_history(org, world):
    account = world["A"]
    change = T0 + 3 * DAY
    services.account_assign_owner(
        account=account,
        owner=org.member_b,
        by=org.admin,
        at=change,
        confirm_not_ready=True,
    )
    assert selectors.owner_at(account, change - timedelta(microseconds=1)) == (
        org.member_a
    )
    assert selectors.owner_at(account, change) == org.member_b
    assert selectors.owner_at(account, NOW) == org.member_b
