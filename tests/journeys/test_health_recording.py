"""Account health is recorded with every rollup run (full, sharded, incremental)
and by `manage.py record_health`; each day's rows are kept as history."""

from datetime import date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accounts.models import Role
from journeys import health
from journeys.models import AccountHealth
from journeys.selectors import account_list
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
from tests.factories import UserFactory
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


def test_todays_health_is_at_the_step_the_account_list_shows(monkeypatch):
    """Today an account's health takes the step it is at from the account, as the
    account list shows it (stored with every event written), also when that
    step was recorded as reached a few minutes ahead of the clock, as the
    services accept. A past day's health reads the events reached by its end."""
    monkeypatch.setattr(health.timezone, "now", lambda: NOW)
    journey, steps = journey_with_steps(3)
    account = CustomerAccountFactory(journey=journey)
    StepEventFactory(account=account, step=steps[0], reached_at=NOW - timedelta(45))
    StepEventFactory(
        account=account, step=steps[1], reached_at=NOW + timedelta(minutes=3)
    )
    admin = UserFactory(roles=[Role.ADMIN])
    listed = account_list(viewer=admin, now=NOW).get(pk=account.pk)
    assert listed.current_step_id == steps[1].pk
    health.record_health()
    health.record_health(date(2026, 6, 19))
    assert list(
        AccountHealth.objects.filter(account=account)
        .order_by("day")
        .values_list("day", "days_at_step")
    ) == [(date(2026, 6, 19), 44), (date(2026, 6, 20), 0)]


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
