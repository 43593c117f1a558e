"""Closing award periods (METRICS.md, Awards): only once the period has ended and
its last cohort is final, after a full rollup of its months, recording the winners
once; later corrections of events change the figures, never the winners.

Built from step events and the rollup. Every step's window is 90 days; times are
12:00 JST. Team A takes part; two winners; minimum cohort 2.

| member   | April step-1 accounts (step 2 five days later unless said)      | rate |
|----------|-----------------------------------------------------------------|------|
| sato     | 04-10, 04-12                                                    | 2/2  |
| member_a | 04-05, 04-06, 04-20 (never converts: window ends 07-19 12:00)   | 2/3  |
| suzuki   | 04-07, 04-08 (never converts)                                   | 1/2  |
| member_b | team B, 04-09, 04-10: not taking part                           | —    |
"""

from datetime import date, timedelta

import pytest

from accounts.models import Role
from accounts.services import user_set_roles
from journeys.services import step_event_void
from recognition.models import AwardPeriod, AwardWinner, RollupRun
from recognition.selectors import awards as selectors
from recognition.services import awards as services
from recognition.services.rollup import rollup
from recognition.tasks import close_award_periods
from tests.factories import TeamMembershipFactory, UserFactory
from tests.journeys.factories import CustomerAccountFactory, StepEventFactory
from tests.recognition.award_factories import (
    APRIL,
    AwardProgramFactory,
    award_metric,
    award_period,
    jst,
    member_of,
)

pytestmark = pytest.mark.django_db

WINDOW_ENDS = jst(2026, 7, 19)  # member_a's open account, 04-20 + 90 days


def _account(steps, owner, day, *, converts=True):
    account = CustomerAccountFactory(journey=steps[0].journey, owner=owner)
    reached = jst(2026, 4, day)
    StepEventFactory(account=account, step=steps[0], reached_at=reached)
    if converts:
        return StepEventFactory(
            account=account, step=steps[1], reached_at=reached + timedelta(days=5)
        )
    return None


@pytest.fixture
def world(org):
    key, steps = award_metric()
    program = AwardProgramFactory(teams=[org.team_a], winners=2, minimum_denominator=2)
    period = award_period(program, APRIL, key, set_by=org.admin)
    sato = member_of(org.team_a, family_name="佐藤")
    suzuki = member_of(org.team_a, family_name="鈴木")
    events = {
        "sato": [_account(steps, sato, 10), _account(steps, sato, 12)],
        "member_a": [
            _account(steps, org.member_a, 5),
            _account(steps, org.member_a, 6),
            _account(steps, org.member_a, 20, converts=False),
        ],
        "suzuki": [
            _account(steps, suzuki, 7),
            _account(steps, suzuki, 8, converts=False),
        ],
    }
    _account(steps, org.member_b, 9)
    _account(steps, org.member_b, 10)
    return period, sato, suzuki, events


def _winners(period):
    return [
        (w.member, w.rank, w.numerator, w.denominator)
        for w in AwardWinner.objects.filter(period=period).order_by("rank", "pk")
    ]


def test_a_running_period_is_not_closed(world):
    period, *_rest = world
    assert services.award_periods_close(now=jst(2026, 4, 30)) == []
    period.refresh_from_db()
    assert period.closed_at is None


def test_an_ended_period_waits_for_its_last_cohort_to_be_final(world):
    period, *_rest = world
    # Ended, but member_a's April 20 account may still convert until July 19.
    assert services.award_periods_close(now=jst(2026, 6, 1)) == []
    assert services.award_periods_close(now=WINDOW_ENDS - timedelta(seconds=1)) == []
    period.refresh_from_db()
    assert period.closed_at is None
    assert not AwardWinner.objects.exists()
    board = selectors.leaderboard(period=period, now=jst(2026, 6, 1))
    assert board.provisional and board.open_cohorts
    assert board.final_at == WINDOW_ENDS


def test_closing_runs_a_full_rollup_of_the_period_then_records_the_winners(org, world):
    period, sato, _suzuki, _events = world
    closed_at = WINDOW_ENDS + timedelta(hours=1)
    assert services.award_periods_close(now=closed_at) == [period.pk]
    run = RollupRun.objects.order_by("-pk").first()
    assert (run.full, run.since, run.as_of) == (True, APRIL, closed_at)
    period.refresh_from_db()
    assert period.closed_at == closed_at
    assert _winners(period) == [(sato, 1, 2, 2), (org.member_a, 2, 2, 3)]
    winner = AwardWinner.objects.get(member=sato)
    assert winner.value == 1.0


def test_closing_twice_changes_nothing(world):
    period, *_rest = world
    first = WINDOW_ENDS + timedelta(hours=1)
    services.award_periods_close(now=first)
    before = _winners(period)
    runs = RollupRun.objects.count()
    assert services.award_periods_close(now=first + timedelta(days=1)) == []
    period.refresh_from_db()
    assert period.closed_at == first
    assert _winners(period) == before
    assert RollupRun.objects.count() == runs  # nothing to close, no rollup
    assert close_award_periods() == 0  # the beat task, today


def test_later_corrections_change_the_figures_but_not_the_winners(org, world):
    period, sato, suzuki, events = world
    closed_at = WINDOW_ENDS + timedelta(hours=1)
    services.award_periods_close(now=closed_at)
    recorded = _winners(period)
    # Sato's first conversion was recorded by mistake: voided, Sato drops to 1/2.
    step_event_void(event=events["sato"][0], by=org.admin, reason="wrong account")
    rollup(full=True, now=closed_at + timedelta(days=2))
    assert _winners(period) == recorded
    period.refresh_from_db()
    board = selectors.leaderboard(period=period, viewer=org.admin)
    assert board.changed_since_close
    # Today: member_a 2/3 first, Sato and Suzuki tied at 1/2.
    assert {(s.member, s.rank) for s in board.current_winners} == {
        (org.member_a, 1),
        (sato, 2),
        (suzuki, 2),
    }
    assert [s.member for s in board.recorded_winners] == [sato, org.member_a]


def test_ties_at_the_last_winning_rank_are_all_recorded(org):
    key, steps = award_metric()
    program = AwardProgramFactory(teams=[org.team_a], winners=1, minimum_denominator=2)
    period = award_period(program, APRIL, key, set_by=org.admin)
    second, larger = member_of(org.team_a), member_of(org.team_a)
    for owner, days in ((org.member_a, (5, 6)), (second, (7, 8))):
        _account(steps, owner, days[0])
        _account(steps, owner, days[1], converts=False)
    for day, converts in ((9, True), (10, True), (11, False), (12, False)):
        _account(steps, larger, day, converts=converts)
    services.award_periods_close(now=jst(2026, 8, 1))
    # 1/2, 1/2 and 2/4 share rank 1: three winners for one place, 2/4 listed first.
    assert _winners(period) == [
        (larger, 1, 2, 4),
        (org.member_a, 1, 1, 2),
        (second, 1, 1, 2),
    ] or _winners(period) == [
        (larger, 1, 2, 4),
        (second, 1, 1, 2),
        (org.member_a, 1, 1, 2),
    ]


def test_a_member_promoted_after_the_period_still_ranks_and_wins(org, world):
    """METRICS.md: a member promoted to manager keeps the credit for their past
    accounts, so the award of a period they took part in as a member judges
    them."""
    period, sato, _suzuki, _events = world
    user_set_roles(user=sato, roles=[Role.MANAGER], at=jst(2026, 6, 1))
    assert services.award_periods_close(now=WINDOW_ENDS + timedelta(hours=1)) == [
        period.pk
    ]
    assert _winners(period) == [(sato, 1, 2, 2), (org.member_a, 2, 2, 3)]


def test_who_held_no_member_role_in_the_team_during_the_period_takes_no_part(
    org, world
):
    period, sato, suzuki, _events = world
    # Suzuki was no longer a member in April; Sato became a manager in April.
    user_set_roles(user=suzuki, roles=[Role.MANAGER], at=jst(2026, 3, 20))
    user_set_roles(user=sato, roles=[Role.MANAGER], at=jst(2026, 4, 15))
    # In team A as a manager, a member from the first instant of May.
    later = UserFactory(roles=[Role.MANAGER])
    TeamMembershipFactory(team=org.team_a, user=later, start_date=date(2025, 4, 1))
    user_set_roles(user=later, roles=[Role.MEMBER], at=jst(2026, 5, 1, 0))
    # A member of team B (not taking part) until April 15, in team A from April
    # 16 as a manager: never a member while in team A.
    moved = member_of(org.team_b, end=date(2026, 4, 15))
    TeamMembershipFactory(team=org.team_a, user=moved, start_date=date(2026, 4, 16))
    user_set_roles(user=moved, roles=[Role.MANAGER], at=jst(2026, 4, 16, 0))
    board = selectors.leaderboard(period=period, now=jst(2026, 6, 1))
    assert sato.pk in board.participant_ids
    assert org.member_a.pk in board.participant_ids
    assert {suzuki.pk, later.pk, moved.pk}.isdisjoint(board.participant_ids)


def test_the_beat_task_closes_ended_periods_with_final_cohorts(org, world):
    period, *_rest = world
    assert close_award_periods() == 1  # today is long after July 19, 2026
    period.refresh_from_db()
    assert period.closed_at is not None
    assert AwardPeriod.objects.filter(closed_at__isnull=True).count() == 0


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_closing_at_once_record_the_winners_once(world):
    import threading

    from django.db import connections

    period, *_rest = world
    now = WINDOW_ENDS + timedelta(hours=1)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def close():
        try:
            barrier.wait(timeout=10)
            results.append(services.award_periods_close(now=now))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=close) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [[], [period.pk]]
    assert AwardWinner.objects.filter(period=period).count() == 2
