"""An incremental rollup gives exactly the rows a full recompute gives.

The clock the code reads (`timezone.now`) is moved by the tests, so that events,
coverage and memberships are written at the times they would be in production and
the rollup's watermark is exercised for real: changes are made an hour after one
run, the next run comes days later.
"""

from contextlib import suppress
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts import services as account_services
from accounts.models import Role
from journeys import services as journey_services
from journeys.models import Coverage, StepEvent
from recognition.models import MemberFigure, RollupRun, TeamFigure
from recognition.services.rollup import rollup
from tests.recognition.rollup_world import (
    APRIL,
    AUGUST,
    EVENTS_RECORDED,
    MAY,
    account,
    change_owner,
    days_key,
    figure,
    journey,
    journey_key,
    jst,
    manager,
    member,
    move_team,
    move_to_pool,
    moving_clock,
    no_figure,
    pool,
    rate,
    reach,
    shape,
    snapshot,
    snapshot_difference,
    step_key,
    team,
    value_points_key,
    void,
    worked_example,
)

TOKYO = {"TIME_ZONE": "Asia/Tokyo", "FISCAL_YEAR_START_MONTH": 4}


class _Undo(Exception):
    pass


def full_snapshot(now) -> dict:
    """The rows a full recompute at `now` gives, without keeping them."""
    found = {}
    try:
        with transaction.atomic():
            rollup(full=True, now=now)
            found = snapshot()
            raise _Undo
    except _Undo:
        pass
    return found


def assert_incremental_equals_full(now):
    incremental = snapshot()
    assert snapshot_difference(incremental, full_snapshot(now)) == {}


def first_run(clock):
    """The data were written an hour before the first run, as they would be: the
    next run's watermark then leaves them out unless they change again."""
    clock.advance(hours=1)
    return rollup(now=clock())


@pytest.fixture(autouse=True)
def _tokyo(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.FISCAL_YEAR_START_MONTH = 4


# --- Idempotence and time passing ----------------------------------------------------


@pytest.mark.django_db
def test_running_twice_gives_identical_rows():
    with moving_clock(jst(2026, 9, 1)) as clock:
        worked_example()
        first = first_run(clock)
        once = snapshot()
        second = rollup(now=clock())
        assert (first.full, second.full) == (True, False)
        assert snapshot() == once
        rollup(full=True, now=clock())
        assert snapshot() == once
    # The worked example's rows are there, not an empty result twice.
    assert len(once["AccountTransition"]) == 10
    assert once["MemberFigure"]


@pytest.mark.django_db
def test_a_provisional_month_becomes_final_on_a_later_run_without_new_events():
    with moving_clock(jst(2026, 8, 8, 10)) as clock:
        w = worked_example()
        first_run(clock)
        # A's 2→3 window ends August 8 12:00 JST: May is provisional until then.
        assert shape(figure(MemberFigure, w.sato, step_key(w.s2), MAY)) == rate(
            0, 1, until=jst(2026, 8, 8)
        )
        clock.advance(days=1)
        run = rollup(now=clock())
        assert run.full is False
        assert shape(figure(MemberFigure, w.sato, step_key(w.s2), MAY)) == rate(0, 1)
        assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_a_value_point_becomes_due_on_a_later_run_without_new_events():
    with moving_clock(jst(2026, 4, 20)) as clock:
        owner = member()
        # Short windows (5 days each, journey 10 days) so that every conversion of
        # April is final by April 20; step 3 is a value point due in 30 days.
        built, (s1, _s2, _s3) = journey((5, 5, 5), value_points={3: 30})
        reach(account(built, owner=owner), s1, jst(2026, 4, 1))
        first_run(clock)
        # April 20: the deadline (May 1 12:00 JST) is ahead, nothing is due yet.
        assert no_figure(figure(MemberFigure, owner, value_points_key(built), APRIL))
        # May 10, no new event: the deadline passed, the value point is due and
        # missed → 0 of 1.
        clock.advance(days=20)
        rollup(now=clock())
        found = figure(MemberFigure, owner, value_points_key(built), APRIL)
        assert found is not None
        assert (found.numerator, found.denominator) == (0, 1)
        assert_incremental_equals_full(clock())


# --- Each kind of change between two runs --------------------------------------------


@pytest.fixture
def after_first_run():
    """The worked example rolled up on September 1; changes come an hour later and
    the next run a day after that."""
    with moving_clock(jst(2026, 9, 1)) as clock:
        world = worked_example()
        first_run(clock)
        clock.advance(hours=1)
        yield world, clock


def next_run(clock):
    clock.advance(days=1)
    run = rollup(now=clock())
    assert run.full is False
    return run


@pytest.mark.django_db
def test_voiding_an_event_between_runs(after_first_run):
    w, clock = after_first_run
    void(w.events[("a", 2)], by=manager())
    next_run(clock)
    # A no longer reaches a later step: Sato's April 1→2 is B only → 1 of 2, median
    # 42; A's 2→3 row is gone with its event, and May 2→3 has no cohort.
    assert shape(figure(MemberFigure, w.sato, step_key(w.s1), APRIL)) == rate(1, 2)
    assert figure(MemberFigure, w.sato, days_key(w.s1), APRIL).value == 42
    assert no_figure(figure(MemberFigure, w.sato, step_key(w.s2), MAY))
    assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_recording_an_event_between_runs(after_first_run):
    w, clock = after_first_run
    reach(w.c, w.s3, jst(2026, 8, 20), by=w.suzuki)
    next_run(clock)
    # C's 2→3 (August 15) converts on August 20: Suzuki's August → 1 of 1, final.
    assert shape(figure(MemberFigure, w.suzuki, step_key(w.s2), AUGUST)) == rate(1, 1)
    assert figure(MemberFigure, w.suzuki, EVENTS_RECORDED, AUGUST).value == 1
    assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_a_retroactive_owner_change_between_runs(after_first_run):
    w, clock = after_first_run
    # C was Sato's from April 1, not Suzuki's: Sato's April 1→2 is A, B, C → 2 of
    # 3; August 2→3 is Sato's, open until November 13.
    change_owner(w.c, w.sato, at=jst(2026, 4, 1))
    next_run(clock)
    assert shape(figure(MemberFigure, w.sato, step_key(w.s1), APRIL)) == rate(2, 3)
    assert shape(figure(MemberFigure, w.sato, step_key(w.s2), AUGUST)) == rate(
        0, 1, until=jst(2026, 11, 13)
    )
    assert no_figure(figure(MemberFigure, w.suzuki, step_key(w.s1), APRIL))
    assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_moving_an_account_to_a_pool_between_runs(after_first_run):
    w, clock = after_first_run
    shared = pool(w.team)
    # D was pooled from April 30: its May step 1 (imported) counts for the pool only.
    move_to_pool(w.d, shared, at=jst(2026, 4, 30))
    next_run(clock)
    assert no_figure(figure(MemberFigure, w.sato, step_key(w.s1), MAY))
    assert no_figure(figure(MemberFigure, w.sato, journey_key(w.journey), MAY))
    assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_an_owner_moving_teams_between_runs(after_first_run):
    w, clock = after_first_run
    other = team()
    # Suzuki belonged to the other team from March 1: C's April and August cohorts
    # count there.
    move_team(w.suzuki, other, on=date(2026, 3, 1))
    next_run(clock)
    assert shape(figure(TeamFigure, other, step_key(w.s1), APRIL)) == rate(0, 1)
    assert shape(figure(TeamFigure, w.team, step_key(w.s1), APRIL)) == rate(2, 2)
    assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_a_recorder_moving_teams_between_runs():
    with moving_clock(jst(2026, 9, 1)) as clock:
        team_a, team_b = team(), team()
        owner, recorder = member(team_a), member(team_a)
        # Short windows: April's cohorts are final by September.
        built, (s1, _s2, _s3) = journey((10, 10, 10))
        reach(account(built, owner=owner), s1, jst(2026, 4, 3), by=recorder)
        first_run(clock)
        assert figure(TeamFigure, team_a, EVENTS_RECORDED, APRIL).value == 1
        clock.advance(hours=1)
        # The recorder was in team B from March 1: the April event counts there.
        move_team(recorder, team_b, on=date(2026, 3, 1))
        next_run(clock)
        assert figure(TeamFigure, team_b, EVENTS_RECORDED, APRIL).value == 1
        assert no_figure(figure(TeamFigure, team_a, EVENTS_RECORDED, APRIL))
        assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_a_window_change_between_runs(after_first_run):
    w, clock = after_first_run
    # Step 1's window becomes 30 days: A (37 days) and B (42) no longer convert.
    journey_services.step_update(step=w.s1, conversion_window_days=30)
    next_run(clock)
    assert shape(figure(MemberFigure, w.sato, step_key(w.s1), APRIL)) == rate(0, 2)
    assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_retiring_a_step_between_runs(after_first_run):
    w, clock = after_first_run
    journey_services.step_retire(step=w.s2, by=manager())
    next_run(clock)
    # Steps are now 1 and 3: A's step 2 no longer converts it; B still does → 1 of
    # 2; no figure leaves the retired step.
    assert shape(figure(MemberFigure, w.sato, step_key(w.s1), APRIL)) == rate(1, 2)
    assert not MemberFigure.objects.filter(metric=step_key(w.s2)).exists()
    assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_a_limited_recompute_after_a_cohort_moved_months():
    with moving_clock(jst(2026, 9, 1)) as clock:
        owner, clerk = member(), manager()
        built, (s1, s2, _s3) = journey((90, 90, 90))
        moved = account(built, owner=owner)
        wrong = reach(moved, s1, jst(2026, 4, 30, 23))
        reach(moved, s1, jst(2026, 5, 5))
        reach(moved, s2, jst(2026, 6, 1))
        first_run(clock)
        clock.advance(hours=1)
        void(wrong, by=clerk)
        clock.advance(days=1)
        # Closing May (an award period, say) recomputes May in full: the account's
        # cohort is now May (May 5 → June 1: converted).
        rollup(full=True, since=MAY, until=MAY, now=clock())
        assert shape(figure(MemberFigure, owner, step_key(s1), MAY)) == rate(1, 1)
        # The account is in one cohort only: April no longer counts it.
        assert no_figure(figure(MemberFigure, owner, step_key(s1), APRIL))
        assert_incremental_equals_full(clock())
        # The limited run does not stand for a whole run: a later incremental run
        # still sees what changed since the last whole one.
        clock.advance(hours=1)
        reach(moved, s1, jst(2026, 4, 20), by=owner)
        next_run(clock)
        assert shape(figure(MemberFigure, owner, step_key(s1), APRIL)) == rate(1, 1)
        assert no_figure(figure(MemberFigure, owner, step_key(s1), MAY))
        assert_incremental_equals_full(clock())


# --- Random sequences of changes ----------------------------------------------------

# Events fall from April 25 (00:00 JST) on; the first run is ten days later.
EPOCH = jst(2026, 4, 25, 0)
FIRST_RUN = EPOCH + timedelta(days=10)
RECORDERS = 5  # three members, a manager, an import (None)

record = st.tuples(
    st.just("record"),
    st.integers(0, 3),  # account
    st.integers(0, 2),  # step
    st.integers(0, RECORDERS - 1),
    st.integers(0, 1000),  # when, in thousandths of the time so far
)
change = st.one_of(
    record,
    st.tuples(st.just("void"), st.integers(0, 50)),
    st.tuples(
        st.just("owner"), st.integers(0, 3), st.integers(0, 2), st.integers(0, 1000)
    ),
    st.tuples(st.just("pool"), st.integers(0, 3), st.integers(0, 1000)),
    st.tuples(
        st.just("team"), st.integers(0, 2), st.integers(0, 1), st.integers(0, 1000)
    ),
)
rounds = st.lists(
    st.tuples(st.lists(change, max_size=5), st.integers(1, 40)),
    min_size=1,
    max_size=4,
)


def _between(start, end, thousandths):
    """A moment between start and end, to the minute."""
    span = (end - start) * thousandths / 1000
    return start + timedelta(minutes=int(span.total_seconds() // 60))


class _RandomWorld:
    """Two teams, three members, a manager, a pool of team B and four accounts of a
    three-step journey with short windows (20, 15 days; journey 35 days) and a value
    point at step 2 due in 25 days, so that windows and deadlines end between
    runs."""

    def __init__(self):
        self.teams = [team(), team()]
        self.members = [
            member(self.teams[0]),
            member(self.teams[0]),
            member(self.teams[1]),
        ]
        self.recorders = [*self.members, manager(), None]
        self.pool = pool(self.teams[1])
        self.journey, self.steps = journey((20, 15, 30), value_points={2: 25})
        covered_since = jst(2026, 4, 1, 0)
        self.accounts = [
            account(self.journey, owner=self.members[0], since=covered_since),
            account(self.journey, owner=self.members[1], since=covered_since),
            account(self.journey, in_pool=self.pool, since=covered_since),
            account(self.journey, owner=self.members[2], since=covered_since),
        ]

    def apply(self, change, now):
        kind, *args = change
        # A change the product refuses (a duplicate, no change at all) is none.
        with suppress(ValidationError):
            getattr(self, f"_{kind}")(*args, now=now)

    def _record(self, account_index, step_index, recorder_index, when, *, now):
        journey_services.step_event_record(
            account=self.accounts[account_index],
            step=self.steps[step_index],
            reached_at=_between(EPOCH, now, when),
            by=self.recorders[recorder_index],
            source=StepEvent.Source.UI,
            now=now,
        )

    def _void(self, index, *, now):
        live = list(StepEvent.objects.filter(voided_at=None).order_by("pk"))
        if live:
            void(live[index % len(live)], by=self.recorders[3], now=now)

    def _current(self, account_index):
        return Coverage.objects.get(account=self.accounts[account_index], ended_at=None)

    def _owner(self, account_index, member_index, when, *, now):
        start = self._current(account_index).started_at + timedelta(minutes=1)
        if start < now:
            change_owner(
                self.accounts[account_index],
                self.members[member_index],
                at=_between(start, now, when),
            )

    def _pool(self, account_index, when, *, now):
        start = self._current(account_index).started_at + timedelta(minutes=1)
        if start < now:
            move_to_pool(
                self.accounts[account_index], self.pool, at=_between(start, now, when)
            )

    def _team(self, member_index, team_index, when, *, now):
        day = _between(jst(2026, 4, 1, 0), now, when).astimezone(EPOCH.tzinfo).date()
        move_team(self.members[member_index], self.teams[team_index], on=day)


@override_settings(**TOKYO)
class TestIncrementalEqualsFull(HypothesisTestCase):
    """Random events, voids, owner changes, pool moves and team moves between
    incremental runs at increasing times: after every run, every row of every table
    is the one a full recompute at the same time gives."""

    @hypothesis_settings(max_examples=25, deadline=None)
    @given(initial=st.lists(record, max_size=8), later=rounds)
    def test_incremental_rollups_match_a_full_recompute(self, initial, later):
        with moving_clock(FIRST_RUN - timedelta(hours=1)) as clock:
            world = _RandomWorld()
            for each in initial:
                world.apply(each, clock())
            assert first_run(clock).full is True
            for changes, days in later:
                clock.advance(hours=1)
                for each in changes:
                    world.apply(each, clock())
                clock.advance(days=days)
                assert rollup(now=clock()).full is False
                incremental = snapshot()
                assert snapshot_difference(incremental, full_snapshot(clock())) == {}
            assert RollupRun.objects.count() == 1 + len(later)


@pytest.mark.django_db
def test_an_owner_gaining_the_member_role_between_runs():
    with moving_clock(jst(2026, 9, 1)) as clock:
        team_a = team()
        lead = manager()
        built, (s1, _s2, _s3) = journey((10, 10, 10))
        reach(account(built, owner=lead), s1, jst(2026, 4, 3), by=lead)
        first_run(clock)
        # A manager is not a member: nobody is credited.
        assert no_figure(figure(MemberFigure, lead, step_key(s1), APRIL))
        clock.advance(hours=1)
        # The manager was a member of team A from April 1 (recorded late).
        account_services.user_set_roles(
            user=lead, roles=[Role.MEMBER], at=jst(2026, 4, 1)
        )
        move_team(lead, team_a, on=date(2025, 4, 1))
        next_run(clock)
        assert shape(figure(MemberFigure, lead, step_key(s1), APRIL)) == rate(0, 1)
        assert figure(MemberFigure, lead, EVENTS_RECORDED, APRIL).value == 1
        assert_incremental_equals_full(clock())


@pytest.mark.django_db
def test_a_pool_moving_to_another_team_between_runs():
    with moving_clock(jst(2026, 9, 1)) as clock:
        team_a, team_b = team(), team()
        shared = pool(team_a)
        built, (s1, _s2, _s3) = journey((10, 10, 10))
        pooled = account(built, owner=member(team_a))
        move_to_pool(pooled, shared, at=jst(2026, 4, 1))
        reach(pooled, s1, jst(2026, 4, 3), by=manager())
        first_run(clock)
        assert shape(figure(TeamFigure, team_a, step_key(s1), APRIL)) == rate(0, 1)
        clock.advance(hours=1)
        shared.team = team_b
        shared.save(update_fields=["team"])
        next_run(clock)
        assert shape(figure(TeamFigure, team_b, step_key(s1), APRIL)) == rate(0, 1)
        assert no_figure(figure(TeamFigure, team_a, step_key(s1), APRIL))
        assert_incremental_equals_full(clock())
