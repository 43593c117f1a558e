"""`flow.month_case`: the month (in TIME_ZONE, Asia/Tokyo) an instant falls in,
among the months given, found by the database with a search over the months'
bounds. Flow metrics and an incremental run's groups (`groups.InGroup`) match rows
to months with it, so an instant on a bound, just before it, or in a month left
out of the list must land where METRICS.md says."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.models import F

from journeys.models import StepEvent
from recognition.selectors.flow import month_bounds, month_case
from recognition.selectors.groups import EVENTS, ROWS, InGroup
from recognition.services import rows
from tests.factories import UserFactory
from tests.journeys.factories import StepEventFactory, StepFactory
from tests.recognition.dashboard_factories import jst

pytestmark = pytest.mark.django_db

# Not one after the other: June and October are left out.
MONTHS = [
    date(2026, 1, 1),
    date(2026, 2, 1),
    date(2026, 3, 1),
    date(2026, 4, 1),
    date(2026, 5, 1),
    date(2026, 7, 1),
    date(2026, 8, 1),
    date(2026, 9, 1),
    date(2026, 11, 1),
]

INSTANTS = {
    # The first instant of a month in JST is still the month before in UTC.
    "Jan 1 00:00 JST": (jst(2026, 1, 1, 0, 0), date(2026, 1, 1)),
    "Dec 31 23:59:59 JST, before the first month": (
        jst(2026, 1, 1, 0, 0) - timedelta(seconds=1),
        None,
    ),
    "Feb 28 23:59:59.999999 JST": (
        jst(2026, 3, 1, 0, 0) - timedelta(microseconds=1),
        date(2026, 2, 1),
    ),
    "Mar 1 00:00 JST": (jst(2026, 3, 1, 0, 0), date(2026, 3, 1)),
    "Apr 30 15:30 UTC (May 1 00:30 JST)": (
        datetime(2026, 4, 30, 15, 30, tzinfo=UTC),
        date(2026, 5, 1),
    ),
    "May 31 23:59 JST": (jst(2026, 5, 31, 23, 59), date(2026, 5, 1)),
    "Jun 1 00:00 JST, a month left out": (jst(2026, 6, 1, 0, 0), None),
    "Jun 30 23:59 JST, a month left out": (jst(2026, 6, 30, 23, 59), None),
    "Jul 1 00:00 JST": (jst(2026, 7, 1, 0, 0), date(2026, 7, 1)),
    "Aug 15 12:00 JST": (jst(2026, 8, 15), date(2026, 8, 1)),
    "Sep 30 23:59 JST": (jst(2026, 9, 30, 23, 59), date(2026, 9, 1)),
    "Oct 10 12:00 JST, a month left out": (jst(2026, 10, 10), None),
    "Nov 30 23:59 JST, the last month": (jst(2026, 11, 30, 23, 59), date(2026, 11, 1)),
    "Dec 1 00:00 JST, after the last month": (jst(2026, 12, 1, 0, 0), None),
}


@pytest.mark.parametrize(
    "months",
    [MONTHS, MONTHS[:1], MONTHS[:2], MONTHS[3:6], list(reversed(MONTHS)), []],
)
def test_each_instant_lands_in_its_month_or_none(months):
    step = StepFactory()
    labels = {
        StepEventFactory(step=step, reached_at=moment).pk: label
        for label, (moment, _month) in INSTANTS.items()
    }
    found = {
        labels[pk]: month
        for pk, month in StepEvent.objects.filter(pk__in=labels)
        .annotate(_month=month_case("reached_at", month_bounds(months)))
        .values_list("pk", "_month")
    }
    assert found == {
        label: month if month in months else None
        for label, (_moment, month) in INSTANTS.items()
    }


def test_an_instant_not_set_has_no_month():
    event = StepEventFactory(reached_at=jst(2026, 3, 5))
    assert (
        StepEvent.objects.filter(pk=event.pk)
        .annotate(_month=month_case("voided_at", month_bounds(MONTHS)))
        .values_list("_month", flat=True)
        .get()
        is None
    )


def test_rows_match_the_listed_groups_of_their_owner_and_month():
    """An incremental run's groups: an event counts where its recorder and the
    month its instant falls in (among the groups' months, June left out) make a
    listed group of that kind; the same month of another owner, another kind or a
    month no group names does not."""
    step = StepFactory()
    sato, suzuki = UserFactory(), UserFactory()
    listed = [
        (ROWS, sato, date(2026, 5, 1)),
        (ROWS, sato, date(2026, 7, 1)),
        (EVENTS, suzuki, date(2026, 5, 1)),
    ]
    months = sorted({month for _kind, _user, month in listed})
    events = {
        "Sato, May 1 00:30 JST (Apr 30 in UTC)": (sato, jst(2026, 5, 1, 0, 30), True),
        "Sato, Apr 30 23:59 JST": (sato, jst(2026, 4, 30, 23, 59), False),
        "Sato, June (a month no group names)": (sato, jst(2026, 6, 15), False),
        "Sato, Jul 31 23:59 JST": (sato, jst(2026, 7, 31, 23, 59), True),
        "Sato, Aug 1 00:00 JST": (sato, jst(2026, 8, 1, 0, 0), False),
        "Suzuki, May (an events group, not a rows group)": (
            suzuki,
            jst(2026, 5, 20),
            False,
        ),
    }
    labels = {
        StepEventFactory(step=step, recorded_by=user, reached_at=moment).pk: label
        for label, (user, moment, _matched) in events.items()
    }
    rows.start_groups()
    try:
        for kind, user, month in listed:
            rows.add_groups(
                kind,
                "SELECT %s, %s, %s",
                ["member", user.pk, connection.ops.adapt_datefield_value(month)],
            )
        rows.finish_groups(outside=set(), months=months)
        bounds = month_bounds(months)
        matched = {
            labels[pk]
            for pk in StepEvent.objects.filter(pk__in=labels)
            .annotate(_month=month_case("reached_at", bounds))
            .filter(InGroup("member", F("recorded_by_id"), F("_month")))
            .values_list("pk", flat=True)
        }
    finally:
        rows.drop_temporary(rows.GROUPS)
    assert matched == {
        label for label, (_user, _moment, expected) in events.items() if expected
    }


def test_a_group_lookup_names_a_scope_and_a_kind():
    with pytest.raises(ValueError):
        InGroup("everyone", "member_id", "cohort_month")
    with pytest.raises(ValueError):
        InGroup("member", "member_id", "cohort_month", kind="x")
