"""The rules of `journeys.success`, from hand-computed examples: a measure's path,
its reading (the latest entry, a correction counting), its status on a day, and a
plan's outcome at risk or reached."""

from datetime import date
from decimal import Decimal

import pytest

from journeys import success
from journeys.models import OutcomeKind, SuccessMeasure, SuccessPlan, SuccessProgress
from tests.journeys.factories import CustomerAccountFactory

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)
# 100 days from the baseline to the target date.
TARGET_ON = date(2026, 4, 11)


def _plan():
    return SuccessPlan.objects.create(
        account=CustomerAccountFactory(),
        outcome="問い合わせ対応の工数を半分に",
        outcome_kind=OutcomeKind.COST,
        customer_owner="佐藤部長",
    )


def _measure(plan, *, baseline=0, target=100, name="m"):
    return SuccessMeasure.objects.create(
        plan=plan,
        name=name,
        baseline=Decimal(baseline),
        baseline_on=START,
        target=Decimal(target),
        target_on=TARGET_ON,
    )


def _read(measure, on, value):
    return SuccessProgress.objects.create(
        measure=measure, measured_on=on, value=Decimal(value)
    )


def _status(measure, today):
    return success.measures_with_status(
        SuccessMeasure.objects.filter(pk=measure.pk), today=today
    ).get()


def test_a_measure_is_judged_by_its_latest_reading_against_todays_path():
    measure = _measure(_plan())
    # Day 50 of 100: half the way expected; 41 done is 9 points short (on track),
    # 39 done is 11 short (behind).
    day_50 = date(2026, 2, 20)
    _read(measure, date(2026, 2, 10), 80)
    _read(measure, date(2026, 2, 15), 41)
    row = _status(measure, day_50)
    assert (row.reading, row.read_on) == (Decimal(41), date(2026, 2, 15))
    assert row.expected_share == pytest.approx(0.5)
    assert row.status == success.ON_TRACK
    # A correction for the same day, recorded later, counts.
    _read(measure, date(2026, 2, 15), 39)
    assert _status(measure, day_50).status == success.BEHIND


def test_a_target_below_its_baseline_is_a_way_down():
    measure = _measure(_plan(), baseline=200, target=100)
    _read(measure, date(2026, 1, 21), 180)  # 20 % of the way on day 20 of 100
    assert _status(measure, date(2026, 1, 21)).status == success.ON_TRACK
    _read(measure, date(2026, 3, 1), 100)
    row = _status(measure, date(2026, 3, 1))
    assert (row.status, row.done_share) == (success.REACHED, 1.0)


def test_without_a_reading_a_measure_falls_behind_after_a_tenth_of_its_time():
    measure = _measure(_plan())
    assert _status(measure, date(2026, 1, 10)).status == success.ON_TRACK  # day 9
    assert _status(measure, date(2026, 1, 12)).status == success.BEHIND  # day 11


def test_past_its_date_unreached_is_behind_and_reached_stays_reached():
    plan = _plan()
    measure = _measure(plan)
    _read(measure, date(2026, 4, 10), 95)
    assert _status(measure, TARGET_ON).status == success.ON_TRACK
    assert _status(measure, date(2026, 4, 12)).status == success.BEHIND
    _read(measure, date(2026, 4, 20), 100)
    assert _status(measure, date(2026, 9, 1)).status == success.REACHED


def test_a_plan_is_at_risk_with_one_measure_behind_and_reached_with_all_reached():
    at_risk, reached, empty = _plan(), _plan(), _plan()
    behind = _measure(at_risk, name="behind")
    _measure(at_risk, name="fresh")
    for plan in (reached,):
        for name in ("a", "b"):
            _read(_measure(plan, name=name), date(2026, 2, 1), 100)
    _read(behind, date(2026, 2, 1), 5)
    today = date(2026, 2, 1)  # day 31: 31 % expected
    rows = {
        plan.pk: plan
        for plan in success.plans_with_status(SuccessPlan.objects.all(), today=today)
    }
    assert (rows[at_risk.pk].at_risk, rows[at_risk.pk].behind_count) == (True, 2)
    assert (rows[reached.pk].reached, rows[reached.pk].at_risk) == (True, False)
    assert (rows[empty.pk].measure_count, rows[empty.pk].reached) == (0, False)
    assert list(success.plans_at_risk(today=today)) == [at_risk]
    assert {m.name for m in success.measures_reached_in(date(2026, 2, 1))} == {
        "a",
        "b",
    }
    assert not success.measures_reached_in(date(2026, 3, 1)).exists()
