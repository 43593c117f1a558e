"""Periods of METRICS.md: months bounded in TIME_ZONE, fiscal quarters from
FISCAL_YEAR_START_MONTH, "last N months" as the N complete months before the
current one, and the current month on its own, marked as running."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from recognition import metrics

JST = ZoneInfo("Asia/Tokyo")
TODAY = date(2026, 7, 15)


@pytest.fixture(autouse=True)
def _tokyo_april_fiscal_year(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.FISCAL_YEAR_START_MONTH = 4


def test_a_month_is_bounded_in_tokyo():
    april = metrics.parse_period("2026-04", today=TODAY)
    assert (april.kind, april.months, april.key) == (
        "month",
        [date(2026, 4, 1)],
        "2026-04",
    )
    # 00:00 JST on April 1 is 15:00 UTC on March 31; the end is the first instant
    # of May.
    assert april.start_at == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert april.end_at == datetime(2026, 5, 1, 0, 0, tzinfo=JST)
    assert april.last_day == date(2026, 4, 30)
    assert april.running is False


@pytest.mark.parametrize(
    ("moment", "month"),
    [
        # 23:59:59 JST on April 30 → April; 00:00 JST on May 1 → May.
        (datetime(2026, 4, 30, 14, 59, 59, tzinfo=UTC), date(2026, 4, 1)),
        (datetime(2026, 4, 30, 15, 0, 0, tzinfo=UTC), date(2026, 5, 1)),
        # New Year in Tokyo comes nine hours before UTC's.
        (datetime(2026, 12, 31, 15, 0, tzinfo=UTC), date(2027, 1, 1)),
    ],
)
def test_month_of_a_moment_is_the_month_in_tokyo(moment, month):
    assert metrics.month_of(moment) == month


def test_month_of_follows_the_time_zone_setting(settings):
    settings.TIME_ZONE = "UTC"
    assert metrics.month_of(datetime(2026, 4, 30, 15, 0, tzinfo=UTC)) == date(
        2026, 4, 1
    )


@pytest.mark.parametrize(
    ("key", "first", "last"),
    [
        ("FY2026-Q1", date(2026, 4, 1), date(2026, 6, 1)),
        ("FY2026-Q2", date(2026, 7, 1), date(2026, 9, 1)),
        ("FY2026-Q3", date(2026, 10, 1), date(2026, 12, 1)),
        # The fourth quarter of FY2026 is January–March 2027.
        ("FY2026-Q4", date(2027, 1, 1), date(2027, 3, 1)),
    ],
)
def test_fiscal_quarters_start_in_april(key, first, last):
    quarter = metrics.parse_period(key, today=TODAY)
    assert (quarter.first_month, quarter.last_month) == (first, last)
    assert len(quarter.months) == 3
    assert quarter.key == key


def test_fiscal_quarters_follow_the_setting(settings):
    settings.FISCAL_YEAR_START_MONTH = 1
    quarter = metrics.parse_period("FY2026-Q1", today=TODAY)
    assert quarter.months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert metrics.quarter_of(date(2026, 3, 1)) == (2026, 1)


def test_a_month_belongs_to_its_fiscal_year_and_quarter():
    assert metrics.quarter_of(date(2026, 4, 1)) == (2026, 1)
    assert metrics.quarter_of(date(2027, 3, 1)) == (2026, 4)
    assert metrics.fiscal_year_of(date(2027, 1, 1)) == 2026


def test_last_months_are_the_complete_months_before_the_current_one():
    # On July 15: the last 3 are April–June (July is running, not included).
    last_three = metrics.parse_period("last-3", today=TODAY)
    assert last_three.months == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1)]
    assert last_three.running is False
    # Across a year: on February 1, 2027 the last 6 are August 2026 – January 2027.
    last_six = metrics.parse_period("last-6", today=date(2027, 2, 1))
    assert (last_six.first_month, last_six.last_month) == (
        date(2026, 8, 1),
        date(2027, 1, 1),
    )
    assert len(metrics.parse_period("last-12", today=TODAY).months) == 12


def test_the_current_month_is_marked_running():
    current = metrics.parse_period("2026-07", today=TODAY)
    assert current.running is True
    assert "running" in current.label
    assert metrics.parse_period("2026-06", today=TODAY).running is False
    # A quarter is running while its last month has not passed.
    assert metrics.parse_period("FY2026-Q2", today=TODAY).running is True
    assert metrics.parse_period("FY2026-Q1", today=TODAY).running is False


@pytest.mark.parametrize(
    "key",
    ["", "2026-13", "2026-00", "2026-4", "FY2026-Q5", "FY2026-Q0", "last-4", "last-"],
)
def test_an_unknown_period_is_refused_with_a_message(key):
    with pytest.raises(ValueError, match="period"):
        metrics.parse_period(key, today=TODAY)


def test_period_choices_start_with_the_running_month():
    choices = metrics.period_choices(today=TODAY)
    assert choices[0].key == "2026-07"
    assert choices[0].running is True
    keys = {choice.key for choice in choices}
    assert {"2026-06", "FY2026-Q1", "FY2026-Q2", "last-3", "last-6", "last-12"} <= keys
    # Every choice can be read back from its key.
    for choice in choices:
        assert metrics.parse_period(choice.key, today=TODAY) == choice


def test_add_months_crosses_years():
    assert metrics.add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert metrics.add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
