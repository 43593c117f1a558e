"""Account health is recorded with every rollup run (full, sharded, incremental)
and by `manage.py record_health`; each day's rows are kept as history."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from journeys import health
from journeys.models import AccountHealth
from recognition.services import rollup as rollup_services
from recognition.services.rollup import (
    lease,
    plan_shards,
    rollup,
    rollup_figures,
    rollup_finish,
    rollup_shard,
    rollup_sharded,
)
from tests.journeys.factories import (
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

JST = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 6, 20, 12, tzinfo=JST)


def _account():
    journey, steps = journey_with_steps(3)
    account = CustomerAccountFactory(journey=journey)
    StepEventFactory(account=account, step=steps[0], reached_at=NOW - timedelta(45))
    return account


def _days(account) -> list[tuple[date, int | None]]:
    return list(
        AccountHealth.objects.filter(account=account)
        .order_by("day")
        .values_list("day", "recency")
    )


def test_a_full_and_an_incremental_rollup_record_the_days_health():
    account = _account()
    rollup(full=True, now=NOW)
    assert _days(account) == [(date(2026, 6, 20), 75)]
    rollup(now=NOW + timedelta(days=15))  # incremental: 60 days since the event
    assert _days(account) == [(date(2026, 6, 20), 75), (date(2026, 7, 5), 50)]
    account.refresh_from_db()
    assert account.health_score is not None


def _health_rows(accounts) -> list[tuple]:
    return list(
        AccountHealth.objects.filter(account__in=accounts)
        .order_by("account_id", "day")
        .values_list(
            "account_id",
            "day",
            "days_at_step",
            "window_days",
            "overdue_value_points",
            "days_since_event",
            "score",
            "band",
        )
    )


def test_todays_health_is_the_same_from_the_stored_step_as_from_the_events(
    monkeypatch,
):
    """Today, with no event dated ahead of the clock, health reads each account's
    current step from the progress stored on it; with one, from the events
    reached by now. Either way the same inputs, score and band."""
    monkeypatch.setattr(health.timezone, "now", lambda: NOW)
    journey, steps = journey_with_steps(4)
    steps[2].is_value_point = True
    steps[2].target_days = 30
    steps[2].save()
    accounts = []
    for reached in ([0], [0, 1], [0, 1, 2], [0, 2], [1], []):
        account = CustomerAccountFactory(journey=journey)
        for n, index in enumerate(reached):
            StepEventFactory(
                account=account,
                step=steps[index],
                reached_at=NOW - timedelta(days=80 - 20 * n, hours=index),
            )
        accounts.append(account)
    health.record_health()
    from_stored = _health_rows(accounts)
    assert {row[2] for row in from_stored} > {None}  # days at a step, and none
    assert {row[4] for row in from_stored} >= {0, 1}  # a value point overdue or not
    # A step of another account recorded a minute ahead of the clock: today's
    # health is worked out from the events reached by now.
    other = CustomerAccountFactory(journey=journey)
    StepEventFactory(
        account=other, step=steps[0], reached_at=NOW + timedelta(minutes=1)
    )
    health.record_health()
    assert _health_rows(accounts) == from_stored


def test_a_step_recorded_ahead_of_the_clock_counts_from_its_time(monkeypatch):
    """A step recorded as reached a few minutes ahead of the clock (the services
    allow it) is not yet the account's step in today's health."""
    monkeypatch.setattr(health.timezone, "now", lambda: NOW)
    journey, steps = journey_with_steps(3)
    account = CustomerAccountFactory(journey=journey)
    StepEventFactory(account=account, step=steps[0], reached_at=NOW - timedelta(45))
    StepEventFactory(
        account=account, step=steps[1], reached_at=NOW + timedelta(minutes=3)
    )
    health.record_health()
    assert AccountHealth.objects.get(account=account).days_at_step == 45


def test_a_sharded_full_rollup_records_health_when_it_finishes(monkeypatch):
    account = _account()
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = lease()
    for journey_id, low, high in plan_shards(2):
        rollup_shard(token, journey_id, low, high, as_of)
    months = rollup_services._all_months(as_of)
    rollup_figures(token, months, as_of)
    assert _days(account) == []  # not before the finish
    assert rollup_finish(token, started_at, as_of) is not None
    assert _days(account) == [(date(2026, 6, 20), 75)]
    # Without a broker, the sharded command runs in one process: the same.
    AccountHealth.objects.all().delete()
    assert rollup_sharded(full=True, timeout=60) is not None
    assert _days(account) == [(date(2026, 6, 20), 75)]


def test_the_command_records_a_day_and_refuses_a_bad_one():
    account = _account()
    out = StringIO()
    call_command("record_health", "--day", "2026-06-20", stdout=out)
    assert "1" in out.getvalue()
    assert _days(account) == [(date(2026, 6, 20), 75)]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("record_health", "--day", "20.6.2026")
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(CommandError, match="future"):
        call_command("record_health", "--day", tomorrow.isoformat())


def test_the_demo_records_six_months_of_history_and_today():
    account = _account()
    from journeys.health import record_demo_health

    record_demo_health(today=date(2026, 6, 20))
    days = [day for day, _recency in _days(account)]
    # The 1st of the six complete months before June (METRICS.md), then today.
    assert days == [
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
        date(2026, 5, 1),
        date(2026, 6, 20),
    ]
