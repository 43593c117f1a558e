"""Award ranking (METRICS.md, Awards): exact fractions, shared ranks (1, 1, 3), the
larger denominator first among equal values, the eligibility minimum, winners with
ties beyond N, who takes part, provisional periods and what each viewer sees."""

from datetime import date, timedelta

import pytest

from accounts.models import Role
from recognition import metrics
from recognition.models import Cadence
from recognition.selectors import awards as selectors
from recognition.selectors.awards import Standing, rank_standings
from tests.factories import TeamFactory, UserFactory
from tests.recognition.award_factories import (
    APRIL,
    AwardProgramFactory,
    award_metric,
    award_period,
    figure,
    jst,
    member_of,
    winner,
)

HIGHER = metrics.Metric(
    key="k", family="f", label="L", unit="percent", direction=metrics.HIGHER,
    denominator="d",
)  # fmt: skip
LOWER = metrics.Metric(
    key="k", family="f", label="L", unit="percent", direction=metrics.LOWER,
    denominator="d",
)  # fmt: skip


class _Person:
    """Enough of a user for the pure ranking."""

    def __init__(self, name):
        self.pk = hash(name) % 10_000
        self.family_name_reading = name
        self.given_name_reading = ""
        self.username = name


def _standing(name, numerator, denominator, value=None):
    return Standing(
        member=_Person(name),
        value=numerator / denominator if value is None else value,
        numerator=numerator,
        denominator=denominator,
    )


def _ranks(ranked):
    return [(s.member.username, s.rank) for s in ranked]


# --- The ranking itself ---------------------------------------------------------------


def test_equal_values_share_a_rank_and_the_next_rank_is_skipped():
    ranked, _others = rank_standings(
        [_standing("c", 1, 4), _standing("a", 3, 4), _standing("b", 3, 4)],
        metric=HIGHER,
        minimum=1,
        winners=3,
    )
    assert _ranks(ranked) == [("a", 1), ("b", 1), ("c", 3)]


def test_among_equal_values_the_larger_denominator_is_listed_first():
    ranked, _others = rank_standings(
        [_standing("small", 2, 4), _standing("large", 5, 10), _standing("mid", 3, 6)],
        metric=HIGHER,
        minimum=1,
        winners=1,
    )
    assert _ranks(ranked) == [("large", 1), ("mid", 1), ("small", 1)]
    assert all(standing.is_winner for standing in ranked)


def test_values_are_compared_as_exact_fractions_not_as_rounded_floats():
    # 0.6667 (6667/10000) is better than 2/3 = 0.66666…
    ranked, _others = rank_standings(
        [_standing("two_thirds", 2, 3), _standing("rounded", 6667, 10000)],
        metric=HIGHER,
        minimum=1,
        winners=1,
    )
    assert _ranks(ranked) == [("rounded", 1), ("two_thirds", 2)]
    # Equal fractions tie even when their floats differ (0.1 * 3 != 0.3).
    ranked, _others = rank_standings(
        [
            _standing("float_noise", 3, 10, value=0.1 * 3),
            _standing("exact", 6, 20, value=0.3),
        ],
        metric=HIGHER,
        minimum=1,
        winners=1,
    )
    assert _ranks(ranked) == [("exact", 1), ("float_noise", 1)]


def test_a_lower_is_better_metric_ranks_the_smallest_value_first():
    ranked, _others = rank_standings(
        [_standing("high", 3, 4), _standing("low", 1, 4)],
        metric=LOWER,
        minimum=1,
        winners=1,
    )
    assert _ranks(ranked) == [("low", 1), ("high", 2)]


def test_members_below_the_minimum_denominator_are_not_ranked():
    ranked, others = rank_standings(
        [_standing("at_minimum", 1, 5), _standing("below", 4, 4)],
        metric=HIGHER,
        minimum=5,
        winners=3,
    )
    assert _ranks(ranked) == [("at_minimum", 1)]
    assert [s.member.username for s in others] == ["below"]
    assert others[0].rank is None


def test_ties_at_the_last_winning_rank_add_winners():
    ranked, _others = rank_standings(
        [
            _standing("first", 4, 4),
            _standing("second", 3, 4),
            _standing("also_second", 3, 4),
            _standing("fourth", 1, 4),
        ],
        metric=HIGHER,
        minimum=1,
        winners=2,
    )
    assert [(s.rank, s.is_winner) for s in ranked] == [
        (1, True),
        (2, True),
        (2, True),
        (4, False),
    ]


# --- Leaderboards from the monthly figures --------------------------------------------


@pytest.fixture
def april(org):
    """An April 2026 award of team A (minimum 2, three winners) with members of
    team A and B and their April figures."""
    key, _steps = award_metric()
    program = AwardProgramFactory(teams=[org.team_a], minimum_denominator=2)
    period = award_period(program, APRIL, key, set_by=org.admin)
    return program, period, key


def _board(period, viewer=None, now=None):
    return selectors.leaderboard(
        period=period, viewer=viewer, now=now or jst(2026, 6, 1)
    )


@pytest.mark.django_db
def test_only_members_of_the_taking_part_teams_during_the_period_are_ranked(org, april):
    _program, period, key = april
    left_before = member_of(org.team_a, since=date(2025, 4, 1), end=date(2026, 3, 31))
    joined_mid_april = member_of(org.team_a, since=date(2026, 4, 15))
    manager = UserFactory(roles=[Role.MANAGER])
    for person in (org.member_a, org.member_b, left_before, joined_mid_april, manager):
        figure(person, key, APRIL, 2, 4)
    board = _board(period)
    ranked = {standing.member for standing in board.standings}
    assert ranked == {org.member_a, joined_mid_april}
    assert board.participants == 2


@pytest.mark.django_db
def test_a_member_with_no_cohort_has_no_figure_and_is_not_ranked(org, april):
    _program, period, key = april
    figure(org.member_a, key, APRIL, 1, 2)
    second = member_of(org.team_a)
    board = _board(period)
    assert [s.member for s in board.standings] == [org.member_a]
    assert second not in [s.member for s in board.not_eligible]


@pytest.mark.django_db
def test_the_leaderboard_is_provisional_until_closed_with_the_last_final_date(
    org, april
):
    _program, period, key = april
    later = member_of(org.team_a)
    figure(org.member_a, key, APRIL, 1, 2, provisional=True, final_at=jst(2026, 7, 3))
    figure(later, key, APRIL, 1, 2, provisional=True, final_at=jst(2026, 7, 20))
    running = _board(period, now=jst(2026, 4, 20))
    assert running.status == selectors.Status.RUNNING
    assert running.provisional
    ended = _board(period, now=jst(2026, 6, 1))
    assert ended.status == selectors.Status.ENDED
    assert ended.open_cohorts
    assert ended.final_at == jst(2026, 7, 20)
    # Past its final date a cohort counts as final, even before the next rollup.
    assert not _board(period, now=jst(2026, 7, 21)).open_cohorts
    period.closed_at = jst(2026, 8, 1)
    period.save()
    closed = _board(period, now=jst(2026, 8, 2))
    assert closed.status == selectors.Status.CLOSED
    assert not closed.provisional


@pytest.mark.django_db
def test_participants_see_names_ranks_and_values_but_not_other_members_counts(
    org, april
):
    _program, period, key = april
    teammate = member_of(org.team_a, family_name="同僚")
    low = member_of(org.team_a)
    figure(org.member_a, key, APRIL, 3, 4)
    figure(teammate, key, APRIL, 4, 4)
    figure(low, key, APRIL, 1, 1)  # below the minimum of 2
    board = _board(period, viewer=org.member_a)
    by_member = {s.member: s for s in board.standings}
    assert by_member[teammate].rank == 1
    assert by_member[teammate].text == "100.0 %"
    assert (by_member[teammate].numerator, by_member[teammate].denominator) == (
        None,
        None,
    )
    assert by_member[org.member_a].counts == "3/4"
    assert board.viewer_standing.rank == 2
    assert board.not_eligible == []  # another member's shortfall is theirs
    # Their leader sees the counts of the members they coach, admins everyone's.
    for viewer in (org.manager_a, org.admin):
        seen = _board(period, viewer=viewer)
        assert {s.counts for s in seen.standings} == {"3/4", "4/4"}
        assert [s.member for s in seen.not_eligible] == [low]


@pytest.mark.django_db
def test_quarterly_periods_rank_on_the_quarter_aggregated_from_the_rows(org):
    from recognition.services.rollup import rollup
    from tests.journeys.factories import CustomerAccountFactory, StepEventFactory

    key, steps = award_metric()
    program = AwardProgramFactory(
        teams=[org.team_a], cadence=Cadence.QUARTERLY, minimum_denominator=2
    )
    period = award_period(program, APRIL, key, set_by=org.admin)  # FY2026-Q1
    second = member_of(org.team_a)
    # member_a: April 1/1 and June 1/1 → 2/2; second: May 2 of 3 → 2/3.
    plan = [
        (org.member_a, jst(2026, 4, 10), True),
        (org.member_a, jst(2026, 6, 10), True),
        (second, jst(2026, 5, 10), True),
        (second, jst(2026, 5, 11), True),
        (second, jst(2026, 5, 12), False),
    ]
    for owner, reached, converts in plan:
        account = CustomerAccountFactory(journey=steps[0].journey, owner=owner)
        # Coverage starts at T0 (2026-04-01); events are after it.
        StepEventFactory(account=account, step=steps[0], reached_at=reached)
        if converts:
            StepEventFactory(
                account=account, step=steps[1], reached_at=reached + timedelta(days=5)
            )
    rollup(now=jst(2026, 10, 1))
    board = _board(period, now=jst(2026, 10, 1))
    assert [(s.member, s.rank, s.counts) for s in board.standings] == [
        (org.member_a, 1, "2/2"),
        (second, 2, "2/3"),
    ]
    assert not board.open_cohorts


@pytest.mark.django_db
def test_leaderboards_run_a_fixed_number_of_queries(
    org, april, django_assert_max_num_queries
):
    _program, period, key = april
    for _n in range(3):
        figure(member_of(org.team_a), key, APRIL, 1, 2)
    with django_assert_max_num_queries(9):
        _board(period, viewer=org.manager_a)
    team = TeamFactory()
    other = AwardProgramFactory(teams=[team])
    other_period = award_period(other, APRIL, key, set_by=org.admin)
    for _n in range(20):
        figure(member_of(org.team_a), key, APRIL, 1, 2)
        figure(member_of(team), key, APRIL, 2, 2)
    with django_assert_max_num_queries(9):
        boards = selectors.leaderboards(
            periods=[period, other_period], viewer=org.manager_a, now=jst(2026, 6, 1)
        )
    assert [len(board.standings) for board in boards] == [23, 20]


@pytest.mark.django_db
def test_a_closed_period_notes_when_todays_figures_rank_differently(org, april):
    _program, period, key = april
    figure(org.member_a, key, APRIL, 3, 4)
    period.closed_at = jst(2026, 8, 1)
    period.save()
    winner(period, org.member_a, 1, 3, 4)
    assert not _board(period).changed_since_close
    second = member_of(org.team_a)
    figure(second, key, APRIL, 4, 4)  # a corrected event made them first
    board = _board(period)
    assert board.changed_since_close
    assert [(s.member, s.rank) for s in board.recorded_winners] == [(org.member_a, 1)]


# --- v3: the larger denominator breaks ties, count metrics ----------------------------


def test_with_the_larger_denominator_breaking_ties_only_equal_counts_share_a_rank():
    standings = [
        _standing("a", 3, 4),
        _standing("b", 6, 8),
        _standing("c", 6, 8),
        _standing("d", 1, 4),
    ]
    ranked, _others = rank_standings(
        standings, metric=HIGHER, minimum=1, winners=1, denominator_breaks_ties=True
    )
    # 6/8 and 3/4 are equal: the larger cohort ranks higher; b and c stay tied.
    assert _ranks(ranked) == [("b", 1), ("c", 1), ("a", 3), ("d", 4)]
    assert [s.member.username for s in ranked if s.is_winner] == ["b", "c"]
    shared, _others = rank_standings(standings, metric=HIGHER, minimum=1, winners=1)
    assert _ranks(shared) == [("b", 1), ("c", 1), ("a", 1), ("d", 4)]


COUNT = metrics.Metric(
    key="k", family="conversions_completed", label="L", unit="count",
    direction=metrics.HIGHER, denominator="accounts at the step",
)  # fmt: skip


def _count(name, count, accounts):
    return Standing(
        member=_Person(name), value=count, numerator=None, denominator=accounts
    )


def test_a_count_metric_ranks_by_count_and_its_minimum_applies_to_the_accounts():
    ranked, others = rank_standings(
        [_count("few", 3, 10), _count("many", 4, 5), _count("new", 9, 1)],
        metric=COUNT,
        minimum=2,
        winners=1,
    )
    # 4 conversions beat 3, whatever the accounts at the step; "new" has 1 account
    # at the step, below the minimum of 2, however many conversions it completed.
    assert _ranks(ranked) == [("many", 1), ("few", 2)]
    assert [s.member.username for s in others] == ["new"]
    tied, _others = rank_standings(
        [_count("few", 4, 5), _count("many", 4, 10)],
        metric=COUNT,
        minimum=2,
        winners=1,
        denominator_breaks_ties=True,
    )
    assert _ranks(tied) == [("many", 1), ("few", 2)]


@pytest.mark.django_db
def test_a_program_that_breaks_ties_by_the_denominator_ranks_its_leaderboard_so(org):
    key, _steps = award_metric()
    program = AwardProgramFactory(
        teams=[org.team_a], winners=1, larger_denominator_breaks_ties=True
    )
    period = award_period(program, APRIL, key, set_by=org.admin)
    larger = member_of(org.team_a, family_name="大きい")
    figure(org.member_a, key, APRIL, 2, 4)
    figure(larger, key, APRIL, 5, 10)
    board = selectors.leaderboard(period=period, now=jst(2026, 10, 1))
    assert [(s.member, s.rank, s.is_winner) for s in board.standings] == [
        (larger, 1, True),
        (org.member_a, 2, False),
    ]
