"""Instants with a fraction of a second close to the next second: the rows keep the
instant as it is, on both databases (METRICS.md: windows to the second with their
end included; days and months bounded in TIME_ZONE). SQLite's date functions round
a fraction to the millisecond, which once put 23:59:59.9996 on the next day."""

from datetime import UTC, date, datetime, timedelta

import pytest

from recognition.models import ConversionKind
from recognition.services.rollup import rollup
from tests.recognition.rollup_world import (
    account,
    journey,
    jst,
    member,
    reach,
    team,
    transitions_of,
)

STEP = ConversionKind.STEP
# 2026-01-31 23:59:59.999999 JST: the last microsecond of January in Tokyo.
LAST_OF_JANUARY = datetime(2026, 1, 31, 14, 59, 59, 999_999, tzinfo=UTC)


@pytest.fixture
def world():
    built, steps = journey((90, 90, 90))
    return built, steps, member(team("Tokyo"), since=date(2025, 1, 1))


@pytest.mark.django_db
def test_the_last_microsecond_of_a_month_is_that_months(world):
    built, (s1, _s2, _s3), owner = world
    late = account(built, owner=owner, since=jst(2025, 12, 1))
    reach(late, s1, LAST_OF_JANUARY)
    rollup(now=jst(2026, 6, 1))
    row = transitions_of(late)[(s1.pk, STEP)]
    assert row.cohort_month == date(2026, 1, 1)
    assert row.window_ends_at == LAST_OF_JANUARY + timedelta(days=90)


@pytest.mark.django_db
def test_a_reach_a_fraction_of_a_second_after_the_window_ends_does_not_convert(world):
    built, (s1, s2, _s3), owner = world
    late = account(built, owner=owner, since=jst(2025, 12, 1))
    reach(late, s1, LAST_OF_JANUARY)
    reach(late, s2, LAST_OF_JANUARY + timedelta(days=90, microseconds=300_000))
    on_the_end = account(built, owner=owner, since=jst(2025, 12, 1))
    reach(on_the_end, s1, LAST_OF_JANUARY)
    reach(on_the_end, s2, LAST_OF_JANUARY + timedelta(days=90))
    rollup(now=jst(2026, 6, 1))
    assert transitions_of(late)[(s1.pk, STEP)].converted is False
    assert transitions_of(on_the_end)[(s1.pk, STEP)].converted is True


@pytest.mark.django_db
def test_days_to_convert_count_the_day_of_a_reach_late_in_its_last_second(world):
    built, (s1, s2, _s3), owner = world
    quick = account(built, owner=owner, since=jst(2025, 12, 1))
    # 23:59:59.9996 on 10 March, then 00:00:00.5 on 11 March (JST): one day.
    reach(quick, s1, jst(2026, 3, 10, 23, 59, 59) + timedelta(microseconds=999_600))
    reach(quick, s2, jst(2026, 3, 11, 0, 0, 0) + timedelta(microseconds=500_000))
    rollup(now=jst(2026, 6, 1))
    row = transitions_of(quick)[(s1.pk, STEP)]
    assert (row.cohort_month, row.converted, row.days_to_convert) == (
        date(2026, 3, 1),
        True,
        1,
    )
