"""The rollup against examples computed by hand from shared/METRICS.md.

Each test builds a small world, runs a full rollup at a fixed moment and checks the
per-account rows and the monthly figures a manager would read. The arithmetic of
every expected number is in the comments (dates are in Asia/Tokyo; a window of N
days is N × 24 hours from the first reach, its end included).
"""

from datetime import date, timedelta

import pytest

from accounts import services as account_services
from accounts.models import Role
from journeys import services as journey_services
from journeys.models import StepEvent, TrainingAssignment
from recognition import metrics
from recognition.models import (
    AccountTransition,
    AccountValuePoint,
    MemberFigure,
    PoolFigure,
    TeamFigure,
)
from recognition.selectors import figures
from recognition.services.rollup import rollup
from tests.journeys.factories import TrainingModuleFactory, add_quiz
from tests.recognition.rollup_world import (
    APRIL,
    AUGUST,
    EVENTS_RECORDED,
    JULY,
    JUNE,
    MAY,
    TRAINING,
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
    moving_clock,
    no_figure,
    pool,
    rate,
    reach,
    shape,
    step_key,
    team,
    transitions_of,
    value_points_key,
    value_points_of,
    void,
    worked_example,
)

pytestmark = pytest.mark.django_db

STEP, JOURNEY = "step", "journey"
# Late enough for every 90-day window of April–June to have ended.
LATE = jst(2026, 11, 1)


@pytest.fixture(autouse=True)
def _tokyo(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.FISCAL_YEAR_START_MONTH = 4


def full_rollup(now):
    return rollup(full=True, now=now)


def metric(key):
    found = metrics.metric_by_key(key)
    assert found is not None, key
    return found


# --- The worked example of METRICS.md ----------------------------------------------


@pytest.fixture
def example():
    world = worked_example()
    full_rollup(jst(2026, 9, 1))
    return world


def test_worked_example_account_rows(example):
    w = example
    rows = {name: transitions_of(getattr(w, name)) for name in "abcd"}
    s1, s2 = w.s1.pk, w.s2.pk
    # A: one row per transition left (1→2 and 2→3) and the journey row; nothing
    # leaves step 3, the last step.
    assert set(rows["a"]) == {(s1, STEP), (s1, JOURNEY), (s2, STEP)}
    # B skipped step 2: no 2→3 row.
    assert set(rows["b"]) == {(s1, STEP), (s1, JOURNEY)}
    assert set(rows["c"]) == {(s1, STEP), (s1, JOURNEY), (s2, STEP)}
    assert set(rows["d"]) == {(s1, STEP), (s1, JOURNEY)}

    def seen(row):
        return (
            row.cohort_month,
            row.converted,
            row.days_to_convert,
            row.window_ends_at,
            row.member_id,
        )

    sato, suzuki = w.sato.pk, w.suzuki.pk
    # A 1→2: April 3 → May 10 = 27 + 10 = 37 days; window April 3 + 90 days =
    # July 2 (27 days to April 30, 31 in May, 30 in June, 2 in July).
    assert seen(rows["a"][(s1, STEP)]) == (APRIL, True, 37, jst(2026, 7, 2), sato)
    assert rows["a"][(s1, STEP)].converted_at == jst(2026, 5, 10)
    # A journey: 180 days from April 3 = September 30; step 3 never reached.
    assert seen(rows["a"][(s1, JOURNEY)]) == (
        APRIL,
        False,
        None,
        jst(2026, 9, 30),
        sato,
    )
    # A 2→3: cohort May; May 10 + 90 days = August 8.
    assert seen(rows["a"][(s2, STEP)]) == (MAY, False, None, jst(2026, 8, 8), sato)
    # B 1→2 converts by skipping to step 3 on June 1: April 20 → June 1 = 10 + 31 +
    # 1 = 42 days; window ends April 20 + 90 = July 19.
    assert seen(rows["b"][(s1, STEP)]) == (APRIL, True, 42, jst(2026, 7, 19), sato)
    # B journey: step 3 in 42 days, within April 20 + 180 days = October 17.
    assert seen(rows["b"][(s1, JOURNEY)]) == (
        APRIL,
        True,
        42,
        jst(2026, 10, 17),
        sato,
    )
    # C 1→2: step 2 came 109 days later, after the window (April 28 + 90 = July 27).
    assert seen(rows["c"][(s1, STEP)]) == (
        APRIL,
        False,
        None,
        jst(2026, 7, 27),
        suzuki,
    )
    assert seen(rows["c"][(s1, JOURNEY)]) == (
        APRIL,
        False,
        None,
        jst(2026, 10, 25),
        suzuki,
    )
    # C 2→3: cohort August; August 15 + 90 days = November 13.
    assert seen(rows["c"][(s2, STEP)]) == (
        AUGUST,
        False,
        None,
        jst(2026, 11, 13),
        suzuki,
    )
    # D: 00:30 JST on May 1 is May in Tokyo (April 30 in UTC); + 90 days = July 30
    # 00:30, + 180 days = October 28 00:30.
    assert seen(rows["d"][(s1, STEP)]) == (
        MAY,
        False,
        None,
        jst(2026, 7, 30, 0, 30),
        sato,
    )
    assert seen(rows["d"][(s1, JOURNEY)]) == (
        MAY,
        False,
        None,
        jst(2026, 10, 28, 0, 30),
        sato,
    )
    # Both are in Team Kata on every first reach.
    assert set(AccountTransition.objects.values_list("team_id", flat=True)) == {
        w.team.pk
    }


def test_worked_example_member_figures(example):
    w = example
    step1, step2, whole = step_key(w.s1), step_key(w.s2), journey_key(w.journey)

    def member_shape(who, key, month):
        return shape(figure(MemberFigure, who, key, month))

    # April, 1→2: Sato 2 of 2 (A directly, B by skipping) = 100 %, final.
    assert member_shape(w.sato, step1, APRIL) == rate(2, 2)
    # Median days to convert = median(37, 42) = 39.5.
    assert figure(MemberFigure, w.sato, days_key(w.s1), APRIL).value == 39.5
    # Suzuki 0 of 1, final (C's window ended July 27 12:00 JST).
    assert member_shape(w.suzuki, step1, APRIL) == rate(0, 1)
    # May, 1→2: Sato 0 of 1 (D is May in JST), final since July 30 00:30 JST.
    assert member_shape(w.sato, step1, MAY) == rate(0, 1)
    # May, 2→3: Sato 0 of 1 (A), final since August 8 12:00 JST.
    assert member_shape(w.sato, step2, MAY) == rate(0, 1)
    # August, 2→3: Suzuki 0 of 1 (C), provisional until November 13 12:00 JST.
    assert member_shape(w.suzuki, step2, AUGUST) == rate(0, 1, until=jst(2026, 11, 13))
    # Journey 1→3, April: Sato 1 of 2 (B), provisional until A's window ends on
    # September 30 12:00 JST; Suzuki 0 of 1 until October 25 12:00 JST.
    assert member_shape(w.sato, whole, APRIL) == rate(1, 2, until=jst(2026, 9, 30))
    assert member_shape(w.suzuki, whole, APRIL) == rate(0, 1, until=jst(2026, 10, 25))
    # Journey, May: Sato 0 of 1 (D), open until October 28 00:30 JST.
    assert member_shape(w.sato, whole, MAY) == rate(
        0, 1, until=jst(2026, 10, 28, 0, 30)
    )

    # No other conversion figure has a value: empty cohorts have none (not 0).
    valued = {
        (row.member_id, row.metric, row.month)
        for row in MemberFigure.objects.exclude(value=None)
        if row.metric.split(":")[0]
        in {"step_conversion", "journey_conversion", "days_to_convert"}
    }
    assert valued == {
        (w.sato.pk, step1, APRIL),
        (w.sato.pk, days_key(w.s1), APRIL),
        (w.sato.pk, whole, APRIL),
        (w.sato.pk, step1, MAY),
        (w.sato.pk, step2, MAY),
        (w.sato.pk, whole, MAY),
        (w.suzuki.pk, step1, APRIL),
        (w.suzuki.pk, whole, APRIL),
        (w.suzuki.pk, step2, AUGUST),
    }


def test_worked_example_team_figures_come_from_the_accounts(example):
    w = example
    # Team Kata, April 1→2: A, B, C → 2 of 3; final (A and B converted, C's window
    # ended July 27).
    assert shape(figure(TeamFigure, w.team, step_key(w.s1), APRIL)) == rate(2, 3)
    # Median over A (37) and B (42) = 39.5.
    assert figure(TeamFigure, w.team, days_key(w.s1), APRIL).value == 39.5
    # Journey, April: 1 of 3, final only when the last open window ends: C's on
    # October 25 12:00 JST (A's ends September 30).
    assert shape(figure(TeamFigure, w.team, journey_key(w.journey), APRIL)) == rate(
        1, 3, until=jst(2026, 10, 25)
    )


def test_may_step_2_is_provisional_until_its_window_ends(db):
    w = worked_example()
    key = step_key(w.s2)
    # One second before A's 2→3 window ends (August 8 12:00 JST).
    full_rollup(jst(2026, 8, 8, 11, 59, 59))
    assert shape(figure(MemberFigure, w.sato, key, MAY)) == rate(
        0, 1, until=jst(2026, 8, 8)
    )
    # One second after: final.
    full_rollup(jst(2026, 8, 8, 12, 0, 1))
    assert shape(figure(MemberFigure, w.sato, key, MAY)) == rate(0, 1)


def test_a_final_figure_says_since_when(example):
    """METRICS.md's worked example: "final since 2026-07-30 00:30 JST". A cohort
    is final from its last account's conversion, or its window's end when it did
    not convert (the same for its median days); a figure over several months from
    the latest of them."""
    w = example

    def since(scope, owner, key, month=APRIL):
        found = figure(scope, owner, key, month)
        assert found.provisional is False
        return found.final_at

    # April, 1→2, Sato: A converted on May 10, B on June 1 (both 12:00 JST).
    assert since(MemberFigure, w.sato, step_key(w.s1)) == jst(2026, 6, 1)
    assert since(MemberFigure, w.sato, days_key(w.s1)) == jst(2026, 6, 1)
    # Suzuki: C did not convert; its window ended on July 27 12:00 JST.
    assert since(MemberFigure, w.suzuki, step_key(w.s1)) == jst(2026, 7, 27)
    # May: D's window (May 1 00:30 JST + 90 days), A's step-2 window (May 10 + 90).
    assert since(MemberFigure, w.sato, step_key(w.s1), MAY) == jst(2026, 7, 30, 0, 30)
    assert since(MemberFigure, w.sato, step_key(w.s2), MAY) == jst(2026, 8, 8)
    # The team's April 1→2 cohort (A, B, C): the latest of June 1 and July 27.
    assert since(TeamFigure, w.team, step_key(w.s1)) == jst(2026, 7, 27)

    # FY2026 Q1 from the accounts: Sato's 1→2 cohort A, B, D → D's window end.
    wanted = [metric(step_key(w.s1)), metric(step_key(w.s2)), metric(days_key(w.s1))]
    quarter = metrics.parse_period("FY2026-Q1", today=date(2026, 9, 1))
    found = figures.member_figures(
        member_ids=[w.sato.pk], metrics=wanted, period=quarter
    )
    assert found[(w.sato.pk, step_key(w.s1))].final_at == jst(2026, 7, 30, 0, 30)
    assert found[(w.sato.pk, days_key(w.s1))].final_at == jst(2026, 7, 30, 0, 30)
    assert found[(w.sato.pk, step_key(w.s2))].final_at == jst(2026, 8, 8)


def test_a_final_value_point_figure_says_since_when(db):
    owner = member()
    built, (s1, s2, _s3) = journey((90, 90, 90), value_points={2: 30})
    on_time, missed, late = (account(built, owner=owner) for _ in range(3))
    # On time: settled when reached (April 20), before its deadline (May 1).
    reach(on_time, s1, jst(2026, 4, 1))
    reach(on_time, s2, jst(2026, 4, 20))
    # Never reached: due and late at its deadline, May 5 12:00 JST.
    reach(missed, s1, jst(2026, 4, 5))
    # Reached on June 1, after its deadline: late from the deadline, May 10.
    reach(late, s1, jst(2026, 4, 10))
    reach(late, s2, jst(2026, 6, 1))
    # Another owner's account reached step 2 before step 1 (out of order): it
    # counts from its step 1, April 8, not from April 2.
    other = member()
    early = account(built, owner=other)
    reach(early, s2, jst(2026, 4, 2))
    reach(early, s1, jst(2026, 4, 8))
    full_rollup(jst(2026, 7, 1))
    found = figure(MemberFigure, owner, value_points_key(built), APRIL)
    # Due: all 3; on time: the first → 1 of 3, final since May 10 12:00 JST.
    assert (found.numerator, found.denominator, found.provisional) == (1, 3, False)
    assert found.final_at == jst(2026, 5, 10)
    found = figure(MemberFigure, other, value_points_key(built), APRIL)
    assert (found.numerator, found.denominator, found.provisional) == (0, 1, False)
    assert found.final_at == jst(2026, 4, 8)


def test_worked_example_through_the_selectors(example):
    w = example
    wanted = [
        metric(step_key(w.s1)),
        metric(step_key(w.s2)),
        metric(days_key(w.s1)),
        metric(journey_key(w.journey)),
    ]
    ids = [w.sato.pk, w.suzuki.pk]
    april = metrics.month_period(APRIL, today=date(2026, 9, 1))
    in_april = figures.member_figures(member_ids=ids, metrics=wanted, period=april)
    assert shape(in_april[(w.sato.pk, step_key(w.s1))]) == rate(2, 2)
    assert in_april[(w.sato.pk, days_key(w.s1))].value == 39.5
    assert shape(in_april[(w.suzuki.pk, journey_key(w.journey))]) == rate(
        0, 1, until=jst(2026, 10, 25)
    )
    assert no_figure(in_april.get((w.sato.pk, step_key(w.s2))))

    # FY2026 Q1 (April–June), from the accounts: Sato's 1→2 cohort is A, B, D →
    # 2 of 3; days median(37, 42) = 39.5; 2→3 is A → 0 of 1; journey A, B, D →
    # 1 of 3, open until the last window ends (D's, October 28 00:30 JST).
    quarter = metrics.parse_period("FY2026-Q1", today=date(2026, 9, 1))
    in_quarter = figures.member_figures(member_ids=ids, metrics=wanted, period=quarter)
    assert shape(in_quarter[(w.sato.pk, step_key(w.s1))]) == rate(2, 3)
    assert in_quarter[(w.sato.pk, days_key(w.s1))].value == 39.5
    assert shape(in_quarter[(w.sato.pk, step_key(w.s2))]) == rate(0, 1)
    assert shape(in_quarter[(w.sato.pk, journey_key(w.journey))]) == rate(
        1, 3, until=jst(2026, 10, 28, 0, 30)
    )
    # Suzuki's step 2 was in August (Q2): no 2→3 figure in Q1.
    assert shape(in_quarter[(w.suzuki.pk, step_key(w.s1))]) == rate(0, 1)
    assert no_figure(in_quarter.get((w.suzuki.pk, step_key(w.s2))))

    monthly = figures.member_monthly(
        member_ids=ids, metrics=wanted, months=[APRIL, MAY, AUGUST]
    )
    assert shape(monthly[(w.suzuki.pk, step_key(w.s2), AUGUST)]) == rate(
        0, 1, until=jst(2026, 11, 13)
    )
    assert shape(monthly[(w.sato.pk, step_key(w.s1), MAY)]) == rate(0, 1)


# --- Windows, order of events and voiding ------------------------------------------


def test_the_window_end_is_included_to_the_second(db):
    owner = member()
    built, (s1, s2, _s3) = journey((90, 90, 90))
    on_time, late = account(built, owner=owner), account(built, owner=owner)
    for each in (on_time, late):
        reach(each, s1, jst(2026, 4, 3))
    # April 3 12:00 + 90 × 24 h = July 2 12:00:00 JST.
    reach(on_time, s2, jst(2026, 7, 2, 12, 0, 0))
    reach(late, s2, jst(2026, 7, 2, 12, 0, 1))
    full_rollup(LATE)

    converted = transitions_of(on_time)[(s1.pk, STEP)]
    assert (converted.converted, converted.days_to_convert) == (True, 90)
    assert converted.window_ends_at == jst(2026, 7, 2)
    assert transitions_of(late)[(s1.pk, STEP)].converted is False
    # 1 of 2, final (both windows ended in July).
    assert shape(figure(MemberFigure, owner, step_key(s1), APRIL)) == rate(1, 2)
    assert figure(MemberFigure, owner, days_key(s1), APRIL).value == 90


def test_days_to_convert_are_calendar_days_in_tokyo(db):
    owner = member()
    built, (s1, s2, _s3) = journey((90, 90, 90))
    overnight, next_morning = account(built, owner=owner), account(built, owner=owner)
    # 23:00 → 01:00 JST the next day: two hours, but one calendar day in Tokyo (in
    # UTC both are April 3: 14:00 → 16:00, zero days).
    reach(overnight, s1, jst(2026, 4, 3, 23))
    reach(overnight, s2, jst(2026, 4, 4, 1))
    # 08:00 → 10:00 JST the next day: 26 hours, one calendar day in Tokyo (in UTC
    # April 2 23:00 → April 4 01:00, two days).
    reach(next_morning, s1, jst(2026, 4, 3, 8))
    reach(next_morning, s2, jst(2026, 4, 4, 10))
    full_rollup(LATE)
    assert transitions_of(overnight)[(s1.pk, STEP)].days_to_convert == 1
    assert transitions_of(next_morning)[(s1.pk, STEP)].days_to_convert == 1
    assert figure(MemberFigure, owner, days_key(s1), APRIL).value == 1


def test_a_later_step_reached_before_step_k_does_not_convert_it(db):
    owner = member()
    built, (s1, s2, s3) = journey((90, 90, 90))
    backwards, mixed, same_moment = (account(built, owner=owner) for _ in range(3))
    # Step 2 before step 1, nothing after: 1→2 not converted.
    reach(backwards, s2, jst(2026, 4, 10))
    reach(backwards, s1, jst(2026, 4, 20))
    # Step 3 before step 1, then step 2 after it: converts through step 2, in
    # April 25 − April 10 = 15 days (not through the earlier step 3).
    reach(mixed, s3, jst(2026, 4, 5))
    reach(mixed, s1, jst(2026, 4, 10))
    reach(mixed, s2, jst(2026, 4, 25))
    # Step 2 at the very moment of step 1 ("at or after"): converted in 0 days.
    reach(same_moment, s1, jst(2026, 4, 12))
    reach(same_moment, s2, jst(2026, 4, 12))
    full_rollup(LATE)

    assert transitions_of(backwards)[(s1.pk, STEP)].converted is False
    mixed_row = transitions_of(mixed)[(s1.pk, STEP)]
    assert (mixed_row.converted, mixed_row.days_to_convert) == (True, 15)
    assert mixed_row.converted_at == jst(2026, 4, 25)
    same_row = transitions_of(same_moment)[(s1.pk, STEP)]
    assert (same_row.converted, same_row.days_to_convert) == (True, 0)
    # April 1→2: 2 of 3; median of (15, 0) = 7.5.
    assert shape(figure(MemberFigure, owner, step_key(s1), APRIL)) == rate(2, 3)
    assert figure(MemberFigure, owner, days_key(s1), APRIL).value == 7.5


def test_voiding_the_first_reach_moves_the_cohort_to_the_next_event(db):
    owner, clerk = member(), manager()
    built, (s1, s2, _s3) = journey((90, 90, 90))
    moved = account(built, owner=owner)
    wrong = reach(moved, s1, jst(2026, 4, 30, 23))
    reach(moved, s1, jst(2026, 5, 5))
    reach(moved, s2, jst(2026, 6, 1))
    full_rollup(LATE)
    # First reach April 30 23:00 JST: cohort April, April 30 → June 1 = 32 days.
    row = transitions_of(moved)[(s1.pk, STEP)]
    assert (row.cohort_month, row.days_to_convert) == (APRIL, 32)
    assert shape(figure(MemberFigure, owner, step_key(s1), APRIL)) == rate(1, 1)

    void(wrong, by=clerk)
    full_rollup(LATE)
    # The next earliest event (May 5) is the first reach: cohort May, May 5 →
    # June 1 = 27 days; April has no cohort left.
    row = transitions_of(moved)[(s1.pk, STEP)]
    assert (row.cohort_month, row.reached_at, row.days_to_convert) == (
        MAY,
        jst(2026, 5, 5),
        27,
    )
    assert row.window_ends_at == jst(2026, 5, 5) + timedelta(days=90)
    assert shape(figure(MemberFigure, owner, step_key(s1), MAY)) == rate(1, 1)
    assert no_figure(figure(MemberFigure, owner, step_key(s1), APRIL))
    assert no_figure(figure(MemberFigure, owner, days_key(s1), APRIL))


def test_a_voided_event_never_counts(db):
    owner, clerk = member(), manager()
    built, (s1, s2, _s3) = journey((90, 90, 90))
    voided_conversion = account(built, owner=owner)
    reach(voided_conversion, s1, jst(2026, 4, 3))
    void(reach(voided_conversion, s2, jst(2026, 4, 10)), by=clerk)
    voided_start = account(built, owner=owner)
    void(reach(voided_start, s1, jst(2026, 4, 5)), by=clerk)
    full_rollup(LATE)

    # The voided step 2 does not convert; the account whose only step 1 is void
    # has no row at all.
    assert transitions_of(voided_conversion)[(s1.pk, STEP)].converted is False
    assert (s2.pk, STEP) not in transitions_of(voided_conversion)
    assert transitions_of(voided_start) == {}
    assert shape(figure(MemberFigure, owner, step_key(s1), APRIL)) == rate(0, 1)


# --- Attribution --------------------------------------------------------------------


def test_each_step_credits_the_owner_at_its_first_reach(db):
    sato, suzuki = member(), member()
    built, (s1, s2, s3) = journey((90, 90, 90))
    handed_over = account(built, owner=sato)
    reach(handed_over, s1, jst(2026, 4, 3))
    change_owner(handed_over, suzuki, at=jst(2026, 5, 1))
    reach(handed_over, s2, jst(2026, 5, 10))
    reach(handed_over, s3, jst(2026, 6, 1))
    # Owner changes at the very moment of the first reach: the new owner
    # (start ≤ t < end); one second after it: still the old owner.
    at_the_moment = account(built, owner=sato)
    change_owner(at_the_moment, suzuki, at=jst(2026, 4, 7))
    reach(at_the_moment, s1, jst(2026, 4, 7))
    just_before = account(built, owner=sato)
    change_owner(just_before, suzuki, at=jst(2026, 4, 8, 12, 0, 1))
    reach(just_before, s1, jst(2026, 4, 8))
    full_rollup(LATE)

    rows = transitions_of(handed_over)
    assert rows[(s1.pk, STEP)].member_id == sato.pk
    assert rows[(s1.pk, JOURNEY)].member_id == sato.pk
    assert rows[(s2.pk, STEP)].member_id == suzuki.pk
    assert transitions_of(at_the_moment)[(s1.pk, STEP)].member_id == suzuki.pk
    assert transitions_of(just_before)[(s1.pk, STEP)].member_id == sato.pk
    # Sato, April 1→2: handed_over (converted on May 10) and just_before (not) →
    # 1 of 2. Suzuki, April 1→2: at_the_moment → 0 of 1; May 2→3: handed_over,
    # converted June 1 → 1 of 1.
    assert shape(figure(MemberFigure, sato, step_key(s1), APRIL)) == rate(1, 2)
    assert shape(figure(MemberFigure, suzuki, step_key(s1), APRIL)) == rate(0, 1)
    assert shape(figure(MemberFigure, suzuki, step_key(s2), MAY)) == rate(1, 1)
    assert no_figure(figure(MemberFigure, sato, step_key(s2), MAY))


def test_pooled_accounts_credit_a_member_recorder_else_only_the_pool(db):
    team_a, team_b = team(), team()
    tanaka, clerk = member(team_a), manager()
    shared = pool(team_b)
    built, (s1, s2, _s3) = journey((90, 90, 90))
    by_member, by_manager, imported = (account(built, in_pool=shared) for _ in range(3))
    reach(by_member, s1, jst(2026, 4, 3), by=tanaka)
    reach(by_member, s2, jst(2026, 4, 20), by=clerk)
    reach(by_manager, s1, jst(2026, 4, 5), by=clerk)
    reach(imported, s1, jst(2026, 4, 7), by=None)
    full_rollup(LATE)

    def credit(row):
        return row.member_id, row.team_id, row.pool_id

    # Step 1 of by_member: Tanaka recorded it and is a member → Tanaka, his team.
    assert credit(transitions_of(by_member)[(s1.pk, STEP)]) == (
        tanaka.pk,
        team_a.pk,
        shared.pk,
    )
    # Step 2 of by_member, recorded by a manager: the pool only.
    assert transitions_of(by_member)[(s2.pk, STEP)].member_id is None
    # A manager or an import: the pool only (and the pool's team).
    for other in (by_manager, imported):
        assert credit(transitions_of(other)[(s1.pk, STEP)]) == (
            None,
            team_b.pk,
            shared.pk,
        )
    # Tanaka, April 1→2: by_member converted → 1 of 1. Nobody else has a figure.
    assert shape(figure(MemberFigure, tanaka, step_key(s1), APRIL)) == rate(1, 1)
    assert not MemberFigure.objects.filter(member=clerk).exists()
    assert set(MemberFigure.objects.values_list("member_id", flat=True)) == {tanaka.pk}
    # The pool counts all three accounts it held at their first reach: 1 of 3;
    # 2→3: by_member's step 2 → 0 of 1 (window ended July 19).
    assert shape(figure(PoolFigure, shared, step_key(s1), APRIL)) == rate(1, 3)
    assert shape(figure(PoolFigure, shared, step_key(s2), APRIL)) == rate(0, 1)
    # Teams: Tanaka's team A has by_member (1 of 1); the pool's team B has the two
    # accounts credited to the pool only (0 of 2).
    assert shape(figure(TeamFigure, team_a, step_key(s1), APRIL)) == rate(1, 1)
    assert shape(figure(TeamFigure, team_b, step_key(s1), APRIL)) == rate(0, 2)


def test_team_and_month_follow_the_local_date_of_the_first_reach(db):
    team_a, team_b = team(), team()
    mori = member(team_a)
    # Mori moves to team B on May 1 (team A ends April 30).
    move_team(mori, team_b, on=date(2026, 5, 1))
    built, (s1, _s2, _s3) = journey((90, 90, 90))
    last_second_of_april = account(built, owner=mori)
    first_second_of_may = account(built, owner=mori)
    # 14:59:59 UTC on April 30 is 23:59:59 JST: April, team A. 15:00 UTC is
    # 00:00 JST on May 1: May, team B.
    reach(last_second_of_april, s1, jst(2026, 4, 30, 23, 59, 59))
    reach(first_second_of_may, s1, jst(2026, 5, 1, 0, 0, 0))
    full_rollup(LATE)

    april_row = transitions_of(last_second_of_april)[(s1.pk, STEP)]
    may_row = transitions_of(first_second_of_may)[(s1.pk, STEP)]
    assert (april_row.cohort_month, april_row.team_id) == (APRIL, team_a.pk)
    assert (may_row.cohort_month, may_row.team_id) == (MAY, team_b.pk)
    assert shape(figure(MemberFigure, mori, step_key(s1), APRIL)) == rate(0, 1)
    assert shape(figure(MemberFigure, mori, step_key(s1), MAY)) == rate(0, 1)
    assert shape(figure(TeamFigure, team_a, step_key(s1), APRIL)) == rate(0, 1)
    assert shape(figure(TeamFigure, team_b, step_key(s1), MAY)) == rate(0, 1)
    assert no_figure(figure(TeamFigure, team_a, step_key(s1), MAY))
    assert no_figure(figure(TeamFigure, team_b, step_key(s1), APRIL))


def test_an_empty_cohort_has_no_figure_not_zero(db):
    busy, idle = member(), member()
    built, (s1, _s2, _s3) = journey((90, 90, 90))
    reach(account(built, owner=busy), s1, jst(2026, 4, 3))
    full_rollup(LATE)

    assert shape(figure(MemberFigure, busy, step_key(s1), APRIL)) == rate(0, 1)
    assert no_figure(figure(MemberFigure, idle, step_key(s1), APRIL))
    wanted = [metric(step_key(s1)), metric(days_key(s1))]
    for period in (
        metrics.month_period(APRIL, today=date(2026, 11, 1)),
        metrics.parse_period("FY2026-Q1", today=date(2026, 11, 1)),
    ):
        found = figures.member_figures(
            member_ids=[busy.pk, idle.pk], metrics=wanted, period=period
        )
        assert no_figure(found.get((idle.pk, step_key(s1))))
        # busy converted nothing: no days to convert either (no median of nothing).
        assert no_figure(found.get((busy.pk, days_key(s1))))
        assert shape(found[(busy.pk, step_key(s1))]) == rate(0, 1)


# --- Structure: retired and skipped steps, windows ----------------------------------


def test_retired_steps_are_ignored(db):
    owner, admin = member(), manager()
    # Windows: 10, 500 (to be retired), 20, 30 days.
    built, (s1, retired, s3, s4) = journey((10, 500, 20, 30))
    only_retired = account(built, owner=owner)
    reach(only_retired, s1, jst(2026, 4, 3))
    reach(only_retired, retired, jst(2026, 4, 5))
    through_s3 = account(built, owner=owner)
    reach(through_s3, s1, jst(2026, 4, 3))
    reach(through_s3, s3, jst(2026, 4, 8))
    journey_services.step_retire(step=retired, by=admin)
    s3.refresh_from_db()
    s4.refresh_from_db()
    assert (s3.position, s4.position) == (2, 3)
    full_rollup(LATE)

    # The retired step is neither a conversion nor a transition of its own.
    assert not AccountTransition.objects.filter(from_step=retired).exists()
    assert not MemberFigure.objects.filter(
        metric__in=[step_key(retired), days_key(retired)]
    ).exists()
    assert transitions_of(only_retired)[(s1.pk, STEP)].converted is False
    # Through the new step 2 (old step 3) on April 8: 5 days, within 10.
    row = transitions_of(through_s3)[(s1.pk, STEP)]
    assert (row.converted, row.days_to_convert) == (True, 5)
    # The journey window is the sum of the current steps 1..n−1: 10 + 20 = 30
    # days (the retired step's 500 no longer counts): April 3 + 30 = May 3.
    assert transitions_of(through_s3)[(s1.pk, JOURNEY)].window_ends_at == jst(
        2026, 5, 3
    )
    assert shape(figure(MemberFigure, owner, step_key(s1), APRIL)) == rate(1, 2)


def test_a_skipped_step_converts_the_step_before_and_has_no_row(db):
    owner = member()
    built, (s1, s2, s3, _s4) = journey((90, 90, 90, 90))
    skipper = account(built, owner=owner)
    reach(skipper, s1, jst(2026, 4, 3))
    reach(skipper, s3, jst(2026, 4, 13))
    full_rollup(LATE)
    rows = transitions_of(skipper)
    # 1→2 converted (through step 3, 10 days); no 2→3 row; 3→4 open, not converted.
    assert (rows[(s1.pk, STEP)].converted, rows[(s1.pk, STEP)].days_to_convert) == (
        True,
        10,
    )
    assert (s2.pk, STEP) not in rows
    assert rows[(s3.pk, STEP)].converted is False
    assert no_figure(figure(MemberFigure, owner, step_key(s2), APRIL))


def test_a_journey_with_its_own_window(db):
    owner = member()
    built, (s1, _s2, s3) = journey((90, 90, 90), conversion_window_days=30)
    in_time, too_late = account(built, owner=owner), account(built, owner=owner)
    for each in (in_time, too_late):
        reach(each, s1, jst(2026, 4, 1))
    # April 1 12:00 + 30 days = May 1 12:00, included; one second later is out.
    reach(in_time, s3, jst(2026, 5, 1))
    reach(too_late, s3, jst(2026, 5, 1, 12, 0, 1))
    full_rollup(LATE)

    row = transitions_of(in_time)[(s1.pk, JOURNEY)]
    assert (row.window_ends_at, row.converted) == (jst(2026, 5, 1), True)
    assert transitions_of(too_late)[(s1.pk, JOURNEY)].converted is False
    # Step 1's own 90-day window converts both (step 3 is a later step).
    assert transitions_of(too_late)[(s1.pk, STEP)].converted is True
    assert shape(figure(MemberFigure, owner, journey_key(built), APRIL)) == rate(1, 2)


def test_the_journey_window_defaults_to_the_sum_of_steps_1_to_n_minus_1(db):
    owner = member()
    # 10 + 20 = 30 days; the last step's window (999) is not part of it.
    built, (s1, _s2, _s3) = journey((10, 20, 999))
    started = account(built, owner=owner)
    reach(started, s1, jst(2026, 4, 1))
    full_rollup(jst(2026, 4, 20))
    row = transitions_of(started)[(s1.pk, JOURNEY)]
    assert row.window_ends_at == jst(2026, 5, 1)
    # On April 20 the journey cohort is provisional until May 1 12:00 JST; step 1's
    # own window (April 11) has ended.
    assert shape(figure(MemberFigure, owner, journey_key(built), APRIL)) == rate(
        0, 1, until=jst(2026, 5, 1)
    )
    assert shape(figure(MemberFigure, owner, step_key(s1), APRIL)) == rate(0, 1)


# --- Medians ------------------------------------------------------------------------


def converting(built, steps, owner, start, days):
    """An account of `owner` that reaches step 1 at `start` and step 2 `days`
    calendar days later (same time of day)."""
    s1, s2 = steps[0], steps[1]
    converted = account(built, owner=owner)
    reach(converted, s1, start)
    reach(converted, s2, start + timedelta(days=days))
    return converted


def test_median_days_odd_and_even_counts(db):
    odd, even = member(), member()
    built, steps = journey((90, 90, 90))
    for day, days in ((3, 3), (6, 10), (9, 4)):
        converting(built, steps, odd, jst(2026, 4, day), days)
    for day, days in ((3, 1), (6, 30), (9, 2), (12, 10)):
        converting(built, steps, even, jst(2026, 4, day), days)
    # An account that did not convert is not part of the median.
    reach(account(built, owner=odd), steps[0], jst(2026, 4, 15))
    full_rollup(LATE)
    # Odd: median(3, 4, 10) = 4. Even: (2 + 10) / 2 = 6.
    assert figure(MemberFigure, odd, days_key(steps[0]), APRIL).value == 4
    assert figure(MemberFigure, even, days_key(steps[0]), APRIL).value == 6
    assert shape(figure(MemberFigure, odd, step_key(steps[0]), APRIL)) == rate(3, 4)


def test_medians_over_a_quarter_come_from_the_accounts(db):
    squad = team()
    x, y = member(squad), member(squad)
    built, steps = journey((90, 90, 90))
    # X: April 1, 2, 3 days (monthly median 2), May 30 days, June 40 days.
    for day, days in ((1, 1), (2, 2), (3, 3)):
        converting(built, steps, x, jst(2026, 4, day), days)
    converting(built, steps, x, jst(2026, 5, 1), 30)
    converting(built, steps, x, jst(2026, 6, 1), 40)
    # Y: May 10 and 20 days (median 15).
    converting(built, steps, y, jst(2026, 5, 2), 10)
    converting(built, steps, y, jst(2026, 5, 3), 20)
    full_rollup(LATE)
    key = days_key(steps[0])
    wanted = [metric(key), metric(step_key(steps[0]))]

    # X over the quarter: median(1, 2, 3, 30, 40) = 3 — not the median of the
    # monthly medians (2, 30, 40) = 30.
    quarter = metrics.parse_period("FY2026-Q1", today=date(2026, 11, 1))
    by_member = figures.member_figures(
        member_ids=[x.pk, y.pk], metrics=wanted, period=quarter
    )
    assert by_member[(x.pk, key)].value == 3
    assert by_member[(y.pk, key)].value == 15
    assert shape(by_member[(x.pk, step_key(steps[0]))]) == rate(5, 5)
    # The team over the quarter: median(1, 2, 3, 10, 20, 30, 40) = 10 — not the
    # median of the members' medians (3, 15) = 9, nor of the monthly team medians
    # (April 2, May median(10, 20, 30) = 20, June 40) = 20.
    by_team = figures.team_figures(team_ids=[squad.pk], metrics=wanted, period=quarter)
    assert by_team[(squad.pk, key)].value == 10
    assert shape(by_team[(squad.pk, step_key(steps[0]))]) == rate(7, 7)
    assert figure(TeamFigure, squad, key, MAY).value == 20

    # The last 3 complete months before July: April–June, the same accounts.
    last_three = metrics.parse_period("last-3", today=date(2026, 7, 15))
    assert last_three.months == [APRIL, MAY, JUNE]
    by_member = figures.member_figures(
        member_ids=[x.pk], metrics=wanted, period=last_three
    )
    assert by_member[(x.pk, key)].value == 3


# --- Value points, training, events recorded ----------------------------------------


def test_value_points_on_time(db):
    owner = member()
    # Step 2 is a value point due 30 days after step 1, step 3 one due in 60 days.
    built, (s1, s2, s3, _s4) = journey((90, 90, 90, 90), value_points={2: 30, 3: 60})
    v1, v2, v3, v4 = (account(built, owner=owner) for _ in range(4))
    # V1: April 1 start; step 2 on May 1 12:00 = exactly its deadline → on time;
    # step 3 on June 10, after its deadline May 31 12:00 → due, late.
    reach(v1, s1, jst(2026, 4, 1))
    reach(v1, s2, jst(2026, 5, 1))
    reach(v1, s3, jst(2026, 6, 10))
    # V2: April 20 start; skips step 2 (deadline May 20, passed: due, not reached);
    # step 3 on May 5, before its deadline June 19 → on time.
    reach(v2, s1, jst(2026, 4, 20))
    reach(v2, s3, jst(2026, 5, 5))
    # V3: April 25 start, nothing else: step 2's deadline May 25 passed → due;
    # step 3's deadline June 24 still ahead on June 15 → not due yet.
    reach(v3, s1, jst(2026, 4, 25))
    # V4: April 30 start; step 2 one second after its deadline (May 30 12:00) →
    # due, late; step 3's deadline June 29 ahead → not due.
    reach(v4, s1, jst(2026, 4, 30))
    reach(v4, s2, jst(2026, 5, 30, 12, 0, 1))

    full_rollup(jst(2026, 6, 15))
    points = value_points_of(v1)
    assert (points[s2.pk].on_time, points[s2.pk].deadline) == (True, jst(2026, 5, 1))
    assert (points[s3.pk].on_time, points[s3.pk].deadline) == (False, jst(2026, 5, 31))
    skipped = value_points_of(v2)[s2.pk]
    assert (skipped.reached_at, skipped.on_time) == (None, False)
    assert value_points_of(v4)[s2.pk].on_time is False
    assert AccountValuePoint.objects.filter(cohort_month=APRIL).count() == 8
    # Due: V1 2, V2 2, V3 1, V4 1 = 6; on time: V1's step 2, V2's step 3 = 2.
    found = figure(MemberFigure, owner, value_points_key(built), APRIL)
    assert (found.numerator, found.denominator) == (2, 6)
    assert found.value == pytest.approx(2 / 6)

    # July 1: step 3 of V3 (June 24) and V4 (June 29) are now due as well: 2 of 8.
    full_rollup(jst(2026, 7, 1))
    found = figure(MemberFigure, owner, value_points_key(built), APRIL)
    assert (found.numerator, found.denominator) == (2, 8)
    assert found.value == pytest.approx(0.25)


def test_value_points_are_credited_like_step_1(db):
    starter, finisher = member(), member()
    built, (s1, s2, _s3) = journey((90, 90, 90), value_points={2: 30})
    handed_over = account(built, owner=starter)
    reach(handed_over, s1, jst(2026, 4, 1))
    change_owner(handed_over, finisher, at=jst(2026, 4, 10))
    reach(handed_over, s2, jst(2026, 4, 20))
    full_rollup(LATE)
    # The value point reached under the new owner counts for whoever had step 1:
    # the starter, 1 of 1 on time (19 days ≤ 30).
    assert value_points_of(handed_over)[s2.pk].member_id == starter.pk
    found = figure(MemberFigure, starter, value_points_key(built), APRIL)
    assert (found.numerator, found.denominator, found.value) == (1, 1, 1.0)
    assert no_figure(figure(MemberFigure, finisher, value_points_key(built), APRIL))


def test_a_value_point_reached_before_step_1_is_due_and_not_on_time(db):
    owner = member()
    built, (s1, s2, _s3) = journey((90, 90, 90), value_points={2: 30})
    in_order, out_of_order = account(built, owner=owner), account(built, owner=owner)
    reach(in_order, s1, jst(2026, 4, 1))
    reach(in_order, s2, jst(2026, 4, 10))
    # Out of order: step 2 on April 5, before step 1 on April 8. Its deadline (May 8)
    # is ahead on April 20, but it was reached: due, and not on time.
    reach(out_of_order, s2, jst(2026, 4, 5))
    reach(out_of_order, s1, jst(2026, 4, 8))
    full_rollup(jst(2026, 4, 20))
    assert value_points_of(in_order)[s2.pk].on_time is True
    late = value_points_of(out_of_order)[s2.pk]
    assert (late.reached_at, late.on_time) == (jst(2026, 4, 5), False)
    # Due: both accounts' step 2; on time: the one in order → 1 of 2.
    found = figure(MemberFigure, owner, value_points_key(built), APRIL)
    assert (found.numerator, found.denominator) == (1, 2)


# --- Role periods: credit follows the role held at the first reach ------------------


def test_a_member_promoted_to_manager_keeps_the_credit_for_past_accounts(db):
    with moving_clock(LATE):
        squad = team()
        sato = member(squad)
        built, (s1, s2, _s3) = journey((90, 90, 90))
        before, after = account(built, owner=sato), account(built, owner=sato)
        reach(before, s1, jst(2026, 4, 3), by=sato)
        reach(before, s2, jst(2026, 5, 10), by=sato)
        # Sato leads from June 1: a manager is not credited from then on.
        account_services.user_set_roles(
            user=sato, roles=[Role.MANAGER], at=jst(2026, 6, 1)
        )
        reach(after, s1, jst(2026, 6, 10), by=sato)
        full_rollup(LATE)
    # April 1→2: A, reached while Sato was a member, converted → still Sato's 1 of 1.
    assert shape(figure(MemberFigure, sato, step_key(s1), APRIL)) == rate(1, 1)
    assert shape(figure(TeamFigure, squad, step_key(s1), APRIL)) == rate(1, 1)
    assert figure(MemberFigure, sato, EVENTS_RECORDED, APRIL).value == 1
    assert figure(MemberFigure, sato, EVENTS_RECORDED, MAY).value == 1
    # June: B's step 1 came after the promotion → nobody's, and not Sato's event.
    assert transitions_of(after)[(s1.pk, STEP)].member_id is None
    assert no_figure(figure(MemberFigure, sato, step_key(s1), JUNE))
    assert no_figure(figure(MemberFigure, sato, EVENTS_RECORDED, JUNE))


def test_a_user_who_becomes_a_member_is_credited_from_then_on(db):
    with moving_clock(LATE):
        squad = team()
        newcomer = manager()
        move_team(newcomer, squad, on=date(2026, 1, 1))
        shared = pool(squad)
        built, (s1, _s2, _s3) = journey((90, 90, 90))
        owned_early, owned_late = (account(built, owner=newcomer) for _ in range(2))
        pooled = account(built, in_pool=shared)
        reach(owned_early, s1, jst(2026, 4, 3), by=newcomer)
        # A member from May 1, 09:00 JST.
        account_services.user_set_roles(
            user=newcomer, roles=[Role.MEMBER], at=jst(2026, 5, 1, 9)
        )
        # One minute before and at the moment the period starts (start included).
        reach(pooled, s1, jst(2026, 5, 1, 8, 59), by=newcomer)
        reach(owned_late, s1, jst(2026, 5, 1, 9), by=newcomer)
        full_rollup(LATE)
    assert transitions_of(owned_early)[(s1.pk, STEP)].member_id is None
    assert transitions_of(pooled)[(s1.pk, STEP)].member_id is None
    assert transitions_of(owned_late)[(s1.pk, STEP)].member_id == newcomer.pk
    assert no_figure(figure(MemberFigure, newcomer, step_key(s1), APRIL))
    assert shape(figure(MemberFigure, newcomer, step_key(s1), MAY)) == rate(0, 1)
    # Events recorded as a member: May 1 09:00 only.
    assert no_figure(figure(MemberFigure, newcomer, EVENTS_RECORDED, APRIL))
    assert figure(MemberFigure, newcomer, EVENTS_RECORDED, MAY).value == 1


def test_training_completion_counts_the_months_someone_was_a_member(db):
    with moving_clock(jst(2026, 5, 10)) as clock:
        ito = member()
        handbook = TrainingModuleFactory(title="Setup workshop")
        journey_services.training_assign(
            module=handbook, due_date=date(2026, 6, 30), by=None, member=ito
        )
        clock.advance(days=90)
        # Ito leads from July 1 (00:00 JST): a member in May and June only.
        account_services.user_set_roles(
            user=ito, roles=[Role.MANAGER], at=jst(2026, 7, 1, 0)
        )
        journey_services.training_complete(
            module=handbook, member=ito, answers=None, now=jst(2026, 7, 20)
        )
        full_rollup(clock())
    # Assigned in May, completed in July: 0 of 1 at the end of May and June; July
    # has no figure, Ito was not a member then.
    assert shape(figure(MemberFigure, ito, TRAINING, MAY)) == (0.0, 0, 1, False, None)
    assert shape(figure(MemberFigure, ito, TRAINING, JUNE)) == (0.0, 0, 1, False, None)
    assert no_figure(figure(MemberFigure, ito, TRAINING, JULY))


@pytest.fixture
def training_world():
    squad = team()
    ito = member(squad)
    kato = member(squad, since=date(2026, 6, 10))  # joins before the due date
    endo = member(squad, since=date(2026, 7, 5))  # joins after it
    handbook = TrainingModuleFactory(title="Setup workshop")
    quizzed = TrainingModuleFactory(title="Renewal talk")
    quiz = add_quiz(quizzed, questions=2, pass_mark=80)
    to_team = journey_services.training_assign(
        module=handbook, due_date=date(2026, 6, 30), by=None, team=squad
    )
    to_ito = journey_services.training_assign(
        module=quizzed, due_date=date(2026, 6, 30), by=None, member=ito
    )
    # assigned_at is set on creation; the assignments were made in May.
    TrainingAssignment.objects.filter(pk=to_team.pk).update(
        assigned_at=jst(2026, 5, 10)
    )
    TrainingAssignment.objects.filter(pk=to_ito.pk).update(assigned_at=jst(2026, 5, 15))
    right = {question.pk: good.pk for question, good, _bad in quiz}
    half = {quiz[0][0].pk: quiz[0][1].pk, quiz[1][0].pk: quiz[1][2].pk}
    # Ito: the handbook at 00:30 JST on June 1 (May 31 in UTC), the quiz failed
    # (50 % < 80 %) on May 25 and passed on July 3.
    journey_services.training_complete(
        module=handbook, member=ito, answers=None, now=jst(2026, 6, 1, 0, 30)
    )
    journey_services.training_complete(
        module=quizzed, member=ito, answers=half, now=jst(2026, 5, 25)
    )
    journey_services.training_complete(
        module=quizzed, member=ito, answers=right, now=jst(2026, 7, 3)
    )
    # Kato: the handbook on June 20.
    journey_services.training_complete(
        module=handbook, member=kato, answers=None, now=jst(2026, 6, 20)
    )
    full_rollup(jst(2026, 7, 31))
    return ito, kato, endo


def test_training_completion_as_of_the_end_of_each_month(training_world):
    ito, kato, endo = training_world

    def completion(who, month):
        return shape(figure(MemberFigure, who, TRAINING, month))

    # Ito is assigned both modules in May. End of May: nothing passed (the
    # handbook came at 00:30 JST on June 1, the quiz failed) → 0 of 2.
    assert completion(ito, MAY) == (0.0, 0, 2, False, None)
    # End of June: the handbook → 1 of 2. End of July: the quiz passed → 2 of 2.
    assert completion(ito, JUNE) == (0.5, 1, 2, False, None)
    assert completion(ito, JULY) == (1.0, 2, 2, False, None)
    # Kato joined on June 10, before the due date: the team's assignment reaches
    # him from June (not in May, when he was not in the team yet) → 1 of 1.
    assert no_figure(figure(MemberFigure, kato, TRAINING, MAY))
    assert completion(kato, JUNE) == (1.0, 1, 1, False, None)
    assert completion(kato, JULY) == (1.0, 1, 1, False, None)
    # Endo joined after the due date: nothing assigned, no figure (not 0 %).
    assert no_figure(figure(MemberFigure, endo, TRAINING, JULY))


def test_step_events_recorded_by_members(db):
    squad = team()
    sato, clerk = member(squad), manager()
    built, (s1, s2, s3) = journey((90, 90, 90))
    first, second = account(built, owner=sato), account(built, owner=sato)
    recorded = [
        reach(first, s1, jst(2026, 4, 3), by=sato),
        reach(first, s2, jst(2026, 4, 30, 23, 59, 59), by=sato),
        reach(first, s3, jst(2026, 5, 1, 0, 0, 0), by=sato),
        reach(second, s1, jst(2026, 4, 10), by=clerk),
    ]
    void(reach(second, s2, jst(2026, 4, 12), by=sato), by=clerk)
    # Each event was recorded when it happened (month of recording = month reached).
    for event in recorded:
        StepEvent.objects.filter(pk=event.pk).update(recorded_at=event.reached_at)
    full_rollup(LATE)

    def count(table, owner, month):
        found = figure(table, owner, EVENTS_RECORDED, month)
        return None if no_figure(found) else found.value

    # April: April 3 and April 30 23:59:59 JST → 2 (the voided one does not count);
    # May: 00:00 JST on May 1 → 1. The manager's event counts for nobody.
    assert count(MemberFigure, sato, APRIL) == 2
    assert count(MemberFigure, sato, MAY) == 1
    assert count(TeamFigure, squad, APRIL) == 2
    assert not MemberFigure.objects.filter(member=clerk).exists()


def test_figures_are_stored_as_fractions_with_their_counts(example):
    # 66.7 % is stored as 0.667 with 2 / 3, never as 66.7.
    found = figure(TeamFigure, example.team, step_key(example.s1), APRIL)
    assert 0 <= found.value <= 1
    assert found.value == pytest.approx(2 / 3)
    assert metrics.format_value(metric(step_key(example.s1)), found.value) == "66.7 %"


def test_a_running_quarter_reads_training_completion_as_of_today(training_world):
    ito, _kato, _endo = training_world
    training = metrics.metric_by_key(TRAINING)
    with moving_clock(jst(2026, 7, 20)):
        # FY2026 Q2 (July–September) is running: its last month has no figure yet,
        # so the quarter shows July's, today's month: 2 of 2.
        quarter = metrics.quarter_period(2026, 2)
        assert quarter.running
        found = figures.member_figures(
            member_ids=[ito.pk], metrics=[training], period=quarter
        )
    assert shape(found[(ito.pk, TRAINING)]) == (1.0, 2, 2, False, None)
