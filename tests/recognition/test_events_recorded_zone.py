"""Events recorded in a month that began in an hour the zone repeats: in St. John's,
summer time ended on 1 November 2009 at 00:01 (UTC−2:30 → UTC−3:30), so the
clock went back to 31 October 23:01. November began at 00:00 local, 02:30 UTC; an
event at 02:45 UTC comes after November's first instant, yet happened at 23:15 on
31 October (METRICS.md: days and months are bounded in TIME_ZONE): it counts for
October, whichever months a run writes."""

from datetime import UTC, date, datetime

import pytest

from recognition.models import MemberFigure
from recognition.services.rollup import rollup
from tests.recognition.rollup_world import (
    EVENTS_RECORDED,
    account,
    figure,
    journey,
    member,
    reach,
    team,
)

OCTOBER, NOVEMBER = date(2009, 10, 1), date(2009, 11, 1)


@pytest.fixture(autouse=True)
def _st_johns(settings):
    settings.TIME_ZONE = "America/St_Johns"


@pytest.mark.django_db
def test_an_event_late_on_october_31_after_the_clock_went_back_is_octobers():
    built, (s1, s2, _s3) = journey((90, 90, 90))
    recorder = member(team("Avalon"), since=date(2009, 1, 1))
    first = account(built, owner=recorder, since=datetime(2009, 1, 1, tzinfo=UTC))
    second = account(built, owner=recorder, since=datetime(2009, 1, 1, tzinfo=UTC))
    # 15 October, local noon: October.
    reach(first, s1, datetime(2009, 10, 15, 15, 30, tzinfo=UTC), by=recorder)
    # 02:45 UTC on 1 November: 23:15 on 31 October, after the clock went back.
    reach(first, s2, datetime(2009, 11, 1, 2, 45, tzinfo=UTC), by=recorder)
    # 1 November 00:00:30 local, before the clock went back (02:30:30 UTC).
    reach(second, s1, datetime(2009, 11, 1, 2, 30, 30, tzinfo=UTC), by=recorder)
    # 10 November, local noon.
    reach(second, s2, datetime(2009, 11, 10, 15, 30, tzinfo=UTC), by=recorder)
    now = datetime(2009, 12, 15, 12, tzinfo=UTC)

    def counts():
        return [
            figure(MemberFigure, recorder, EVENTS_RECORDED, month).value
            for month in (OCTOBER, NOVEMBER)
        ]

    rollup(full=True, now=now)
    assert counts() == [2, 2]
    # A run of November alone counts November's events only, and leaves October's
    # figure as the full run wrote it.
    rollup(since=NOVEMBER, until=NOVEMBER, now=now)
    assert counts() == [2, 2]
