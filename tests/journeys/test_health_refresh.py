"""A rollup run brings the day's health up to date without recording every
account again each hour (issue 12: at 20,000 accounts a whole day's recording
took 9 s, on every hourly run). The day's first run records every account;
later runs of the day record the accounts whose health may have changed — and
those, with the score a whole recording would give."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts.models import Role
from journeys import health
from journeys.models import AccountHealth, Step
from journeys.revenue import arr_snapshot_record
from recognition.services import rollup as rollup_services
from recognition.services.rollup import rollup
from tests.factories import UserFactory
from tests.journeys.factories import (
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)
from tests.journeys.success_factories import (
    journey_with_value_points,
    measure_for,
    plan_for,
    read,
)

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 6, 20, 10, tzinfo=JST)
DAY = date(2026, 6, 20)


@pytest.fixture(autouse=True)
def no_margin(monkeypatch):
    """A run looks back to the last run's start less a margin of ten minutes (for
    transactions that straddled it); here every change is made in the same few
    seconds, so the margin would make every change look recent."""
    monkeypatch.setattr(rollup_services, "WATERMARK_MARGIN", timedelta(0))


@pytest.fixture
def two():
    """Two accounts on one journey, each 45 days past its first step."""
    journey, steps = journey_with_steps(3)
    accounts = []
    for name in ("ア社", "イ社"):
        account = CustomerAccountFactory(journey=journey, name=name)
        StepEventFactory(account=account, step=steps[0], reached_at=NOW - timedelta(45))
        accounts.append(account)
    return accounts, steps


def _stamps() -> dict[int, datetime]:
    return dict(
        AccountHealth.objects.filter(day=DAY).values_list("account_id", "computed_at")
    )


def _row(account) -> AccountHealth:
    return AccountHealth.objects.get(account=account, day=DAY)


def _whole_day() -> dict[int, tuple]:
    """What recording the whole day again gives, per account."""
    health.record_health(DAY)
    return {
        row.account_id: (row.score, row.band, row.recency, row.overdue_value_points)
        for row in AccountHealth.objects.filter(day=DAY)
    }


def _as_recorded() -> dict[int, tuple]:
    return {
        row.account_id: (row.score, row.band, row.recency, row.overdue_value_points)
        for row in AccountHealth.objects.filter(day=DAY)
    }


def test_the_days_first_run_records_every_account_and_an_idle_run_none(two):
    (a, b), _steps = two
    rollup(full=True, now=NOW)
    first = _stamps()
    assert set(first) == {a.pk, b.pk}
    rollup(now=NOW + timedelta(hours=1))  # nothing changed
    assert _stamps() == first
    # The next day's first run records every account again.
    rollup(now=NOW + timedelta(days=1))
    assert AccountHealth.objects.filter(day=DAY + timedelta(days=1)).count() == 2


def test_a_new_event_records_its_account_again_with_the_whole_days_score(two):
    (a, b), steps = two
    rollup(full=True, now=NOW)
    before = _stamps()
    assert _row(a).recency == 75  # 45 days since the last event
    StepEventFactory(account=a, step=steps[1], reached_at=NOW)
    rollup(now=NOW + timedelta(hours=1))
    after = _stamps()
    assert after[b.pk] == before[b.pk]
    assert after[a.pk] > before[a.pk]
    assert _row(a).recency == 100  # the event today
    recorded = _as_recorded()
    assert recorded == _whole_day()


def test_arr_a_success_reading_and_a_new_account_are_picked_up(two):
    (a, b), steps = two
    admin = UserFactory(roles=[Role.ADMIN])
    arr_snapshot_record(
        account=a,
        month=date(2026, 3, 1),
        arr=Decimal(1_000_000),
        by=admin,
        source="manual",
        now=NOW,
    )
    plan = plan_for(b)
    measure = measure_for(
        plan,
        baseline=0,
        target=100,
        baseline_on=date(2026, 1, 1),
        target_on=date(2026, 12, 31),
    )
    read(measure, date(2026, 6, 1), 50)
    rollup(full=True, now=NOW)
    assert _row(a).arr_trend == 100  # 1,000,000 since March: no drop
    # A drop of ARR on a; a reading far behind the path on b; a new account.
    arr_snapshot_record(
        account=a,
        month=date(2026, 6, 1),
        arr=Decimal(700_000),
        by=admin,
        source="manual",
        now=NOW,
    )
    read(measure, date(2026, 6, 19), 5)
    new = CustomerAccountFactory(journey=a.journey, name="ウ社")
    StepEventFactory(account=new, step=steps[0], reached_at=NOW - timedelta(days=2))
    rollup(now=NOW + timedelta(hours=1))
    assert _row(a).arr_trend == 0  # −30 %: past the 20 % drop
    assert _row(b).plan == 0  # its one measure behind
    assert _row(new).recency == 100
    assert _as_recorded() == _whole_day()


def test_a_policy_change_records_every_account_again(two):
    (a, b), _steps = two
    rollup(full=True, now=NOW)
    before = _stamps()
    health.policy_update(by=None, recency_good_days=50)
    rollup(now=NOW + timedelta(hours=1))
    after = _stamps()
    assert all(after[pk] > before[pk] for pk in (a.pk, b.pk))
    assert _row(a).recency == 100  # 45 days: now within the good 50


def test_a_value_point_deadline_passing_between_runs_counts_it_overdue(monkeypatch):
    # Today's health is judged at the present moment (a past day's at its end),
    # so the clock is set: data at 09:00, runs at 10:00 and 12:00.
    clock = [NOW - timedelta(hours=1)]
    monkeypatch.setattr(health.timezone, "now", lambda: clock[0])
    journey, steps = journey_with_value_points(3)  # step 2: a value point, 30 days
    account = CustomerAccountFactory(journey=journey)
    # Step 1 reached 30 days before 11:00 on the day: the deadline is 11:00.
    StepEventFactory(
        account=account, step=steps[0], reached_at=NOW + timedelta(hours=1, days=-30)
    )
    other = CustomerAccountFactory(journey=journey)
    StepEventFactory(account=other, step=steps[0], reached_at=NOW - timedelta(days=3))
    clock[0] = NOW
    rollup(full=True)  # 10:00
    assert _row(account).overdue_value_points == 0
    untouched = _row(other).computed_at
    clock[0] = NOW + timedelta(hours=2)
    rollup()  # 12:00, the same day, no new data
    assert _row(account).overdue_value_points == 1
    assert _row(other).computed_at == untouched


def test_a_changed_step_window_records_its_journeys_accounts_again(two):
    (a, b), steps = two
    rollup(full=True, now=NOW)
    assert _row(a).window_days == steps[0].conversion_window_days
    Step.objects.filter(pk=steps[0].pk).update(conversion_window_days=200)
    rollup(now=NOW + timedelta(hours=1))
    assert _row(a).window_days == 200
    assert _row(b).window_days == 200
    assert _as_recorded() == _whole_day()


def test_an_account_moved_to_another_journey_before_a_full_run_is_recorded_again():
    """A full run's rows name no changed account, and it clears the change log
    after: the move is picked up from the log before that."""
    journey, steps = journey_with_value_points(3)  # step 2: a value point, 30 days
    account = CustomerAccountFactory(journey=journey)
    StepEventFactory(account=account, step=steps[0], reached_at=NOW - timedelta(40))
    rollup(full=True, now=NOW)
    assert _row(account).overdue_value_points == 1
    other_journey, _other_steps = journey_with_steps(3)  # no value points
    account.journey = other_journey
    account.save()
    rollup(full=True, now=NOW + timedelta(hours=1))
    assert _row(account).overdue_value_points == 0  # its new journey has none
    assert _as_recorded() == _whole_day()


def _estimated_rows(sql: str, params) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        return cursor.fetchone()[0][0]["Plan"]["Plan Rows"]


@pytest.mark.postgres
def test_a_whole_days_recording_tells_the_database_of_the_new_day(
    django_capture_on_commit_callbacks,
):
    """After the day's first run records every account, PostgreSQL plans the
    statements of the day's later runs for the day's rows as they are. A day it
    has not seen was one row to it (every day it knew was a common value), and at
    100,000 accounts a later run's statements on that day went to nested loops of
    minutes; autovacuum analyses the table only once a tenth of it has changed."""
    journey, _steps = journey_with_steps(3)
    CustomerAccountFactory.create_batch(40, journey=journey)
    health.record_health(DAY - timedelta(days=1))
    with connection.cursor() as cursor:
        # What the database knows: the day before, and no other.
        cursor.execute("ANALYZE journeys_accounthealth")
    assert (
        _estimated_rows("SELECT id FROM journeys_accounthealth WHERE day = %s", [DAY])
        == 1
    )

    with django_capture_on_commit_callbacks(execute=True):
        health.record_health(DAY)

    assert (
        _estimated_rows("SELECT id FROM journeys_accounthealth WHERE day = %s", [DAY])
        == 40
    )
