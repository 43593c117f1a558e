"""Local days and months in a zone with summer time: the per-account rows, written
by the database, take each instant's own UTC offset (METRICS.md: days and months
are bounded in TIME_ZONE). Hand-computed for Europe/Berlin in 2026: summer time
from 29 March 02:00 (UTC+1 → UTC+2) to 25 October 03:00 (back to UTC+1)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from recognition.models import ConversionKind
from recognition.services.rollup import rollup
from tests.recognition.rollup_world import (
    account,
    journey,
    member,
    reach,
    team,
    transitions_of,
)

BERLIN = ZoneInfo("Europe/Berlin")
STEP = ConversionKind.STEP


def berlin(month, day, hour, minute=0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"


@pytest.fixture
def world():
    built, steps = journey((90, 90, 90))
    return built, steps, member(team("Berlin"), since=date(2025, 1, 1))


@pytest.mark.django_db
def test_days_to_convert_count_calendar_days_across_the_change_to_summer_time(world):
    built, (s1, s2, _s3), owner = world
    moved = account(built, owner=owner, since=berlin(1, 1, 0))
    # 28 March 23:30 (UTC+1) → 30 March 00:30 (UTC+2): two calendar days, though
    # only 24 hours passed (22:30 UTC to 22:30 UTC).
    reach(moved, s1, berlin(3, 28, 23, 30))
    reach(moved, s2, berlin(3, 30, 0, 30))
    rollup(now=berlin(11, 30, 12))
    row = transitions_of(moved)[(s1.pk, STEP)]
    assert (row.cohort_month, row.converted, row.days_to_convert) == (
        date(2026, 3, 1),
        True,
        2,
    )


@pytest.mark.django_db
def test_a_first_reach_late_on_the_last_day_of_october_is_octobers(world):
    built, (s1, s2, _s3), owner = world
    late = account(built, owner=owner, since=berlin(1, 1, 0))
    # 31 October 23:30 in winter time (UTC+1) is 22:30 UTC: still October.
    reach(late, s1, berlin(10, 31, 23, 30))
    # 1 August 00:30 in summer time (UTC+2) is 31 July 22:30 UTC: August.
    summer = account(built, owner=owner, since=berlin(1, 1, 0))
    reach(summer, s1, berlin(8, 1, 0, 30))
    reach(summer, s2, berlin(8, 31, 23, 59))
    rollup(now=berlin(11, 30, 12))
    assert transitions_of(late)[(s1.pk, STEP)].cohort_month == date(2026, 10, 1)
    row = transitions_of(summer)[(s1.pk, STEP)]
    assert (row.cohort_month, row.days_to_convert) == (date(2026, 8, 1), 30)
