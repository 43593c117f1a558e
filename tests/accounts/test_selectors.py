from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from accounts import selectors
from accounts.selectors import SpanOfControl
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 23)


def _team_with(reports: int, *, leader_since: date | None):
    leader = UserFactory(leader_since=leader_since)
    team = TeamFactory(leader=leader)
    for _ in range(reports):
        TeamMembershipFactory(team=team)
    return team


@pytest.mark.parametrize(
    ("reports", "leader_since", "over_limit", "limit"),
    [
        (6, date(2026, 6, 1), False, 6),  # new leader at the limit
        (7, date(2026, 6, 1), True, 6),  # new leader above it
        (7, date(2025, 11, 23), False, 12),  # exactly one year: experienced
        (7, date(2025, 11, 24), True, 6),  # one day short of a year: still new
        (12, date(2020, 1, 1), False, 12),
        (13, date(2020, 1, 1), True, 12),
        (7, None, True, 6),  # experience unknown counts as new
    ],
)
def test_span_of_control_limits(reports, leader_since, over_limit, limit):
    span = selectors.span_of_control(
        team=_team_with(reports, leader_since=leader_since), on=TODAY
    )
    assert span.direct_reports == reports
    assert span.recommended_max == limit
    assert span.over_limit is over_limit


def test_leader_who_is_also_a_member_is_not_their_own_report():
    team = _team_with(3, leader_since=date(2020, 1, 1))
    TeamMembershipFactory(team=team, user=team.leader)
    assert selectors.span_of_control(team=team, on=TODAY).direct_reports == 3


def test_sub_team_leaders_report_to_the_parent_leader_but_their_members_do_not():
    team = _team_with(2, leader_since=date(2020, 1, 1))
    sub_team = TeamFactory(parent=team, leader=UserFactory())
    TeamMembershipFactory(team=sub_team)
    assert selectors.span_of_control(team=team, on=TODAY).direct_reports == 3


def test_only_members_on_the_day_count():
    team = _team_with(0, leader_since=date(2020, 1, 1))
    TeamMembershipFactory(
        team=team, start_date=date(2026, 1, 1), end_date=date(2026, 11, 22)
    )
    TeamMembershipFactory(team=team, start_date=date(2026, 11, 24))
    TeamMembershipFactory(team=team, start_date=date(2026, 1, 1), end_date=TODAY)
    assert selectors.span_of_control(team=team, on=TODAY).direct_reports == 1


def test_leader_since_29_february_is_experienced_on_28_february_next_year():
    leader = UserFactory(leader_since=date(2024, 2, 29))
    assert selectors.leader_is_experienced(leader, on=date(2025, 2, 28))
    assert not selectors.leader_is_experienced(leader, on=date(2025, 2, 27))


def test_team_without_leader_has_no_span():
    assert selectors.span_of_control(team=TeamFactory(), on=TODAY) is None


def test_healthy_range_hint_for_experienced_leader():
    assert SpanOfControl(7, True, date(2020, 1, 1)).below_healthy_range
    assert not SpanOfControl(8, True, date(2020, 1, 1)).below_healthy_range
    assert not SpanOfControl(3, False, date(2026, 1, 1)).below_healthy_range


@given(reports=st.integers(min_value=0, max_value=40), experienced=st.booleans())
def test_one_more_report_never_lifts_a_warning_and_experience_never_adds_one(
    reports, experienced
):
    if SpanOfControl(reports, experienced, None).over_limit:
        assert SpanOfControl(reports + 1, experienced, None).over_limit
    if SpanOfControl(reports, True, None).over_limit:
        assert SpanOfControl(reports, False, None).over_limit


def test_team_get_query_count_does_not_grow_with_members(django_assert_max_num_queries):
    admin = UserFactory(is_superuser=True)
    small = _team_with(2, leader_since=date(2020, 1, 1))
    big = _team_with(30, leader_since=date(2020, 1, 1))
    with CaptureQueriesContext(connection) as few:
        selectors.team_get(viewer=admin, pk=small.pk, on=TODAY)
    with django_assert_max_num_queries(len(few)):
        selectors.team_get(viewer=admin, pk=big.pk, on=TODAY)
