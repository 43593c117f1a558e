"""The rules of `journeys.health`, from hand-computed examples: each part between
its thresholds (clipped, rounded half up), the weighted score over the parts that
apply, the bands at their thresholds, and a day's rows replaced, not added."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from journeys import health
from journeys.models import (
    AccountHealth,
    ARRSnapshot,
    HealthBand,
    HealthPolicy,
    OutcomeKind,
    SuccessMeasure,
    SuccessPlan,
    SuccessProgress,
)
from tests.journeys.factories import (
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

# The day health is recorded for (a past day: computed at its last moment).
DAY = date(2026, 6, 30)


def _noon(days_before: int) -> datetime:
    """12:00 JST, `days_before` days before DAY."""
    day = DAY - timedelta(days=days_before)
    return datetime(day.year, day.month, day.day, 3, 0, tzinfo=UTC)


def _journey(*, windows=(60, 60, 60), value_point_days=None):
    journey, steps = journey_with_steps(len(windows))
    for step, window in zip(steps, windows, strict=True):
        step.conversion_window_days = window
        step.save()
    if value_point_days:
        for position, target in value_point_days.items():
            step = steps[position - 1]
            step.is_value_point = True
            step.target_days = target
            step.save()
    return journey, steps


def _reach(account, step, days_before):
    return StepEventFactory(account=account, step=step, reached_at=_noon(days_before))


def _row(account, day=DAY) -> AccountHealth:
    return AccountHealth.objects.get(account=account, day=day)


def _policy(**fields):
    return HealthPolicy.objects.create(**fields)


def _only(part: str, **fields):
    """A policy that weighs one part only."""
    weights = {f"weight_{name}": 0 for name in health.PARTS}
    weights[f"weight_{part}"] = 1
    return _policy(**weights, **fields)


# --- Journey pace ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (45, 100),  # r = 0.75 = good
        (30, 100),  # below good: clipped
        (90, 0),  # r = 1.5 = bad
        (120, 0),  # beyond bad: clipped
        (60, 67),  # r = 1: 100 × (1.5 − 1) / 0.75 = 66.67 → 67
        (63, 60),  # r = 1.05: 100 × 0.45 / 0.75 = 60
    ],
)
def test_pace_is_linear_between_its_thresholds_and_clipped(days, expected):
    journey, (step1, step2, _step3) = _journey()
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, days + 10)
    _reach(account, step2, days)
    health.record_health(DAY)
    row = _row(account)
    assert (row.days_at_step, row.window_days) == (days, 60)
    assert row.pace == expected


def test_pace_rounds_to_the_nearest_whole_number():
    # Good 0.5, bad 1.3. A 40-day window at 39 days: r = 0.975,
    # 100 × (1.3 − 0.975) / 0.8 = 40.625 → 41; an 80-day window at 50 days:
    # r = 0.625, 100 × (1.3 − 0.625) / 0.8 = 84.375 → 84.
    _policy(pace_good=Decimal("0.50"), pace_bad=Decimal("1.30"))
    journey, (step1, step2, _step3) = _journey(windows=(80, 40, 40))
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, 39)
    _reach(account, step2, 39)
    other = CustomerAccountFactory(journey=journey)
    _reach(other, step1, 50)
    health.record_health(DAY)
    assert _row(account).pace == 41
    assert _row(other).pace == 84


def test_pace_half_rounds_up():
    # Window 80, 64 days: r = 0.8; good 0.5, bad 1.3: 100 × 0.5 / 0.8 = 62.5 → 63.
    _policy(pace_good=Decimal("0.50"), pace_bad=Decimal("1.30"))
    journey, (step1, _s2, _s3) = _journey(windows=(80, 40, 40))
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, 64)
    health.record_health(DAY)
    assert _row(account).pace == 63


def test_pace_does_not_apply_before_any_step_nor_at_the_last_step():
    journey, (step1, _step2, step3) = _journey()
    waiting = CustomerAccountFactory(journey=journey)
    done = CustomerAccountFactory(journey=journey)
    _reach(done, step1, 200)
    _reach(done, step3, 100)
    health.record_health(DAY)
    assert _row(waiting).pace is None
    assert _row(waiting).days_at_step is None
    assert _row(done).pace is None
    assert (_row(done).days_at_step, _row(done).window_days) == (100, None)


def test_pace_counts_calendar_days_in_the_time_zone_and_ignores_later_events():
    journey, (step1, step2, _step3) = _journey()
    account = CustomerAccountFactory(journey=journey)
    # 2026-06-01 00:30 JST is still May 31 in UTC: 29 days before DAY in JST.
    StepEventFactory(
        account=account,
        step=step1,
        reached_at=datetime(2026, 5, 31, 15, 30, tzinfo=UTC),
    )
    # Reached after DAY: not there yet on DAY.
    StepEventFactory(
        account=account, step=step2, reached_at=datetime(2026, 7, 2, tzinfo=UTC)
    )
    health.record_health(DAY)
    assert _row(account).days_at_step == 29


# --- Overdue value points ------------------------------------------------------------


def test_overdue_value_points_count_those_past_their_deadline_and_not_reached():
    # Value points: step 2 within 30 days, step 3 within 60, step 4 within 200.
    journey, steps = _journey(
        windows=(60, 60, 60, 60, 60), value_point_days={2: 30, 3: 60, 4: 200}
    )
    one = CustomerAccountFactory(journey=journey)
    _reach(one, steps[0], 100)
    _reach(one, steps[1], 90)  # step 2 reached; step 3 overdue; step 4 not due
    two = CustomerAccountFactory(journey=journey)
    _reach(two, steps[0], 100)  # steps 2 and 3 overdue
    fresh = CustomerAccountFactory(journey=journey)
    # Step 2's deadline, 30 × 24 h after step 1, is noon the day after DAY: not
    # passed at DAY's last moment.
    _reach(fresh, steps[0], 29)
    waiting = CustomerAccountFactory(journey=journey)
    health.record_health(DAY)
    assert (_row(one).overdue_value_points, _row(one).value_points) == (1, 50)
    assert (_row(two).overdue_value_points, _row(two).value_points) == (2, 0)
    assert (_row(fresh).overdue_value_points, _row(fresh).value_points) == (0, 100)
    assert _row(waiting).overdue_value_points is None
    assert _row(waiting).value_points is None


def test_overdue_bad_clips_at_zero():
    _policy(overdue_bad=1)
    journey, steps = _journey(value_point_days={2: 10, 3: 20})
    account = CustomerAccountFactory(journey=journey)
    _reach(account, steps[0], 100)
    health.record_health(DAY)
    assert (_row(account).overdue_value_points, _row(account).value_points) == (2, 0)


# --- Recency -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "expected"),
    [(30, 100), (10, 100), (45, 75), (60, 50), (89, 2), (90, 0), (300, 0)],
)
def test_recency_is_linear_between_good_and_bad_days(days, expected):
    journey, (step1, _s2, _s3) = _journey(windows=(400, 60, 60))
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, days)
    health.record_health(DAY)
    assert _row(account).days_since_event == days
    assert _row(account).recency == expected


def test_recency_reads_the_last_event_that_is_not_void():
    journey, (step1, step2, _s3) = _journey()
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, 60)
    late = _reach(account, step2, 5)
    late.voided_at = _noon(1)
    late.void_reason = "wrong account"
    late.save()
    health.record_health(DAY)
    assert _row(account).days_since_event == 60
    assert _row(account).recency == 50


# --- ARR trend ---------------------------------------------------------------------


def _arr(account, month: date, arr: int):
    ARRSnapshot.objects.create(
        account=account,
        month=month,
        arr=Decimal(arr),
        source=ARRSnapshot.Source.UI,
        recorded_at=_noon(0),
    )


@pytest.mark.parametrize(
    ("now", "expected_part", "expected_change"),
    [
        (1_100_000, 100, 10.0),
        (1_000_000, 100, 0.0),
        (900_000, 50, -10.0),  # 100 × (20 − 10) / 20
        (850_000, 25, -15.0),
        (800_000, 0, -20.0),
        (0, 0, -100.0),  # churned
    ],
)
def test_arr_trend_compares_now_with_the_start_of_the_span(
    now, expected_part, expected_change
):
    account = CustomerAccountFactory()
    # Span of 3 months before June: the ARR carried into March (from January).
    _arr(account, date(2026, 1, 1), 1_000_000)
    _arr(account, date(2026, 4, 1), 1_200_000)
    _arr(account, date(2026, 6, 1), now)
    _arr(account, date(2026, 7, 1), 5)  # after DAY's month: not read
    health.record_health(DAY)
    row = _row(account)
    assert row.arr_change_percent == pytest.approx(expected_change)
    assert row.arr_trend == expected_part


def test_arr_trend_does_not_apply_without_a_snapshot_before_the_span():
    late = CustomerAccountFactory()
    _arr(late, date(2026, 4, 1), 1_000_000)
    unpaid = CustomerAccountFactory()
    _arr(unpaid, date(2026, 3, 1), 0)
    _arr(unpaid, date(2026, 6, 1), 500_000)
    health.record_health(DAY)
    assert _row(late).arr_trend is None
    assert _row(unpaid).arr_trend is None


# --- Success-plan progress -----------------------------------------------------------


def _measure(plan, *, reading=None, name="m"):
    measure = SuccessMeasure.objects.create(
        plan=plan,
        name=name,
        baseline=Decimal(0),
        baseline_on=date(2026, 1, 1),
        target=Decimal(100),
        target_on=date(2026, 12, 31),
    )
    if reading is not None:
        SuccessProgress.objects.create(
            measure=measure, measured_on=date(2026, 6, 1), value=Decimal(reading)
        )
    return measure


def test_plan_part_is_the_share_of_measures_on_track_or_reached():
    account = CustomerAccountFactory()
    plan = SuccessPlan.objects.create(
        account=account,
        outcome="工数半減",
        outcome_kind=OutcomeKind.COST,
        customer_owner="佐藤",
    )
    _measure(plan, reading=100, name="reached")
    _measure(plan, reading=50, name="on track")  # half the year: about half
    _measure(plan, reading=0, name="behind")
    no_plan = CustomerAccountFactory()
    health.record_health(DAY)
    row = _row(account)
    assert (row.measures_on_track, row.measures, row.plan) == (2, 3, 67)
    assert _row(no_plan).plan is None


# --- Score and bands -----------------------------------------------------------------


def _the_worked_example(*, with_plan=True):
    """The module docstring's example."""
    journey, (step1, step2, _s3) = _journey(value_point_days={3: 30})
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, 120)
    _reach(account, step2, 90)  # r = 1.5: pace 0
    _reach(account, step1, 45)  # a later event of step 1: recency 75
    _arr(account, date(2026, 3, 1), 1_000_000)
    _arr(account, date(2026, 6, 1), 900_000)
    if with_plan:
        plan = SuccessPlan.objects.create(
            account=account,
            outcome="工数半減",
            outcome_kind=OutcomeKind.COST,
            customer_owner="佐藤",
        )
        _measure(plan, reading=100, name="a")
        _measure(plan, reading=50, name="b")
        _measure(plan, reading=0, name="c")
    return account


def test_the_score_is_the_weighted_mean_of_the_parts():
    account = _the_worked_example()
    health.record_health(DAY)
    row = _row(account)
    assert (row.pace, row.value_points, row.recency, row.arr_trend, row.plan) == (
        0,
        50,
        75,
        50,
        67,
    )
    # (3·0 + 3·50 + 2·75 + 2·50 + 3·67) / 13 = 601 / 13 = 46.2
    assert (row.score, row.band) == (46, HealthBand.AT_RISK)
    account.refresh_from_db()
    assert (account.health_score, account.health_band) == (46, HealthBand.AT_RISK)


def test_weights_renormalise_over_the_parts_that_apply():
    account = _the_worked_example(with_plan=False)
    health.record_health(DAY)
    # (0 + 150 + 150 + 100) / 10 = 40: exactly critical_below is at risk.
    row = _row(account)
    assert row.plan is None
    assert (row.score, row.band) == (40, HealthBand.AT_RISK)


def test_a_weight_of_zero_leaves_its_part_out():
    _policy(weight_pace=0)
    account = _the_worked_example(with_plan=False)
    health.record_health(DAY)
    # (150 + 150 + 100) / 7 = 57.1
    assert _row(account).pace == 0
    assert _row(account).score == 57


def test_no_part_applies_no_score_no_band():
    account = CustomerAccountFactory()
    health.record_health(DAY)
    row = _row(account)
    assert (row.score, row.band) == (None, "")
    account.refresh_from_db()
    assert (account.health_score, account.health_band) == (None, "")


@pytest.mark.parametrize(
    ("days", "score", "band"),
    [
        (48, 70, HealthBand.HEALTHY),  # 100 × (90 − 48) / 60 = 70: healthy from 70
        (49, 68, HealthBand.AT_RISK),  # 68.3
        (66, 40, HealthBand.AT_RISK),  # exactly critical_below: not critical
        (67, 38, HealthBand.CRITICAL),  # 38.3
    ],
)
def test_bands_at_their_thresholds(days, score, band):
    _only("recency")
    journey, (step1, _s2, _s3) = _journey(windows=(400, 60, 60))
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, days)
    health.record_health(DAY)
    assert (_row(account).score, _row(account).band) == (score, band)


def test_the_latest_policy_applies():
    _policy(recency_good_days=10, recency_bad_days=20)
    _only("recency", recency_good_days=40, recency_bad_days=50)
    journey, (step1, _s2, _s3) = _journey(windows=(400, 60, 60))
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, 45)
    health.record_health(DAY)
    assert _row(account).recency == 50


# --- Recording -----------------------------------------------------------------------


def test_recording_a_day_again_replaces_its_rows_and_keeps_other_days():
    journey, (step1, _s2, _s3) = _journey(windows=(400, 60, 60))
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, 45)
    health.record_health(DAY - timedelta(days=30))
    health.record_health(DAY)
    _reach(account, step1, 0)
    health.record_health(DAY)
    rows = AccountHealth.objects.filter(account=account).order_by("day")
    assert [(row.day, row.days_since_event) for row in rows] == [
        (DAY - timedelta(days=30), 15),
        (DAY, 0),
    ]


def test_the_account_keeps_its_latest_day_even_when_an_earlier_day_is_recorded():
    _only("recency")
    journey, (step1, _s2, _s3) = _journey(windows=(400, 60, 60))
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, 45)
    health.record_health(DAY)
    health.record_health(DAY - timedelta(days=40))  # 5 days since: 100
    account.refresh_from_db()
    assert account.health_score == 75


def test_the_account_follows_a_new_band_of_the_same_score():
    """A policy whose bands moved gives the same score another band: the account
    takes it, though its score stays; another account keeps both."""
    _only("recency")
    journey, (step1, _s2, _s3) = _journey(windows=(400, 60, 60))
    moved, kept = (CustomerAccountFactory(journey=journey) for _n in range(2))
    _reach(moved, step1, 45)  # 45 days since the last event: 75
    _reach(kept, step1, 0)  # today: 100
    health.record_health(DAY)
    moved.refresh_from_db()
    assert (moved.health_score, moved.health_band) == (75, HealthBand.HEALTHY)
    _only("recency", healthy_from=80)
    health.record_health(DAY)
    moved.refresh_from_db()
    kept.refresh_from_db()
    assert (moved.health_score, moved.health_band) == (75, HealthBand.AT_RISK)
    assert (kept.health_score, kept.health_band) == (100, HealthBand.HEALTHY)


def test_a_policy_that_weighs_no_part_gives_no_score_and_no_band():
    _policy(**{f"weight_{name}": 0 for name in health.PARTS})
    journey, (step1, _s2, _s3) = _journey()
    account = CustomerAccountFactory(journey=journey)
    _reach(account, step1, 45)
    health.record_health(DAY)
    row = _row(account)
    assert (row.recency, row.score, row.band) == (75, None, "")
    account.refresh_from_db()
    assert (account.health_score, account.health_band) == (None, "")


def test_inactive_accounts_and_accounts_out_of_scope_are_not_recorded():
    inactive = CustomerAccountFactory(is_active=False)
    chosen, other = CustomerAccountFactory(), CustomerAccountFactory()
    from journeys.models import CustomerAccount

    health.record_health(DAY, accounts=CustomerAccount.objects.filter(pk=chosen.pk))
    assert list(AccountHealth.objects.values_list("account_id", flat=True)) == [
        chosen.pk
    ]
    assert inactive.pk != other.pk


def test_recording_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    journey, steps = _journey(value_point_days={2: 30})
    for index in range(3):
        account = CustomerAccountFactory(journey=journey)
        _reach(account, steps[0], 40 + index)
    with django_assert_max_num_queries(12):
        health.record_health(DAY)
    for index in range(20):
        account = CustomerAccountFactory(journey=journey)
        _reach(account, steps[0], 40 + index)
    with django_assert_max_num_queries(12):
        health.record_health(DAY)
    assert AccountHealth.objects.filter(day=DAY).count() == 23
