"""Readiness rules: each kind of criterion met, not met, or not met for lack of data;
"at most" thresholds; the latest assessment only; passed training only; the step up
from the member's current level; readiness of many members in fixed queries."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from journeys.models import TrainingCompletion
from recognition import metrics
from recognition.selectors.promotion import readiness_for, readiness_of
from tests.journeys.factories import TrainingModuleFactory, journey_with_steps
from tests.recognition.development_factories import (
    assess,
    at_level,
    competencies,
    complete_months,
    conversions,
    ladder,
    month_figure,
    passed,
    step_up,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def journey():
    return journey_with_steps(3)


def _criterion(report, kind):
    return [c for c in report.criteria if c.kind == kind]


def test_a_conversion_threshold_is_met_over_the_last_complete_months(org, journey):
    _journey, steps = journey
    csm, senior = ladder("CSM", "Senior CSM")
    key = f"step_conversion:{steps[0].pk}"
    step_up(csm, senior, metric_criteria=[(key, "gte", 0.6, 3)])
    at_level(org.member_a, csm)
    first, second, third = complete_months(3)
    conversions(org.member_a, steps[0], first, converted=2, cohort=4)
    conversions(org.member_a, steps[0], third, converted=5, cohort=6)
    # The running month does not count: a bad start there changes nothing.
    conversions(org.member_a, steps[0], metrics.this_month(), converted=0, cohort=5)

    report = readiness_of(org.member_a)

    (criterion,) = report.criteria
    # (2 + 5) / (4 + 6) = 70 % ≥ 60 %: counts add up over the months.
    assert criterion.met and not criterion.no_data
    assert criterion.value == pytest.approx(0.7)
    assert criterion.actual == "70.0 % (7/10)"
    assert criterion.requirement == "≥ 60.0 % over the last 3 months"
    assert report.ready


def test_a_threshold_just_missed_is_not_met(org, journey):
    _journey, steps = journey
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(
        csm, senior, metric_criteria=[(f"step_conversion:{steps[0].pk}", "gte", 0.7, 3)]
    )
    at_level(org.member_a, csm)
    conversions(org.member_a, steps[0], complete_months(3)[1], converted=6, cohort=9)

    (criterion,) = readiness_of(org.member_a).criteria

    assert not criterion.met and not criterion.no_data
    assert criterion.actual == "66.7 % (6/9)"


def test_a_threshold_met_exactly_counts_as_met(org, journey):
    _journey, steps = journey
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(
        csm, senior, metric_criteria=[(f"step_conversion:{steps[0].pk}", "gte", 0.7, 6)]
    )
    at_level(org.member_a, csm)
    conversions(org.member_a, steps[0], complete_months(6)[0], converted=7, cohort=10)

    assert readiness_of(org.member_a).criteria[0].met


def test_a_metric_without_a_figure_is_not_met_for_lack_of_data(org, journey):
    _journey, steps = journey
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(
        csm, senior, metric_criteria=[(f"step_conversion:{steps[0].pk}", "gte", 0.1, 3)]
    )
    at_level(org.member_a, csm)
    # A cohort older than the three months is outside the period: no figure.
    conversions(org.member_a, steps[0], complete_months(4)[0], converted=5, cohort=5)

    report = readiness_of(org.member_a)

    (criterion,) = report.criteria
    assert (criterion.met, criterion.no_data, criterion.actual) == (
        False,
        True,
        "no data",
    )
    assert not report.ready


def test_at_most_compares_the_other_way(org, journey):
    _journey, steps = journey
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(
        csm,
        senior,
        metric_criteria=[
            (f"days_to_convert:{steps[0].pk}", "lte", 14, 3),
            (f"days_to_convert:{steps[1].pk}", "lte", 14, 3),
        ],
    )
    at_level(org.member_a, csm)
    month = complete_months(3)[2]
    conversions(org.member_a, steps[0], month, converted=3, cohort=3, days=14)
    conversions(org.member_a, steps[1], month, converted=3, cohort=3, days=20)

    fast, slow = readiness_of(org.member_a).criteria

    assert (fast.met, fast.value, fast.actual) == (True, 14, "14")
    assert fast.requirement == "≤ 14 over the last 3 months"
    assert (slow.met, slow.value) == (False, 20)


def test_training_completion_is_read_at_the_end_of_the_period(org):
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(csm, senior, metric_criteria=[("training_completion", "gte", 0.8, 3)])
    at_level(org.member_a, csm)
    earlier, _middle, last = complete_months(3)
    month_figure(
        org.member_a,
        "training_completion",
        earlier,
        value=1.0,
        numerator=5,
        denominator=5,
    )
    month_figure(
        org.member_a, "training_completion", last, value=0.5, numerator=2, denominator=4
    )

    (criterion,) = readiness_of(org.member_a).criteria

    assert (criterion.met, criterion.value) == (False, 0.5)


def test_minimum_ratings_read_the_latest_assessment_only(org):
    empathy, logic = competencies("共感力", "ロジカルさ")
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(csm, senior, competency_criteria=[(empathy, 3), (logic, 3)])
    at_level(org.member_a, csm)
    now = timezone.now()
    assess(
        org.member_a,
        org.manager_a,
        {empathy: 4, logic: 4},
        when=now - timedelta(days=90),
    )
    assess(org.member_a, org.manager_a, {empathy: 3}, when=now - timedelta(days=1))

    report = readiness_of(org.member_a)

    by_label = {c.label: c for c in report.criteria}
    assert by_label["共感力"].met and by_label["共感力"].value == 3
    # Rated 4 before, but the latest assessment does not rate logic.
    assert not by_label["ロジカルさ"].met
    assert by_label["ロジカルさ"].no_data
    assert by_label["ロジカルさ"].actual == "not assessed"
    assert not report.ready


def test_a_rating_under_the_minimum_is_not_met(org):
    (empathy,) = competencies("共感力")
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(csm, senior, competency_criteria=[(empathy, 3)])
    at_level(org.member_a, csm)
    assess(org.member_a, org.manager_a, {empathy: 2})

    (criterion,) = readiness_of(org.member_a).criteria

    assert (criterion.met, criterion.no_data, criterion.value) == (False, False, 2)


def test_required_training_counts_once_passed(org, journey):
    _journey, steps = journey
    kickoff = TrainingModuleFactory(from_step=steps[0], title="Kickoff")
    setup = TrainingModuleFactory(from_step=steps[1], title="Setup")
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(csm, senior, modules=[kickoff, setup])
    at_level(org.member_a, csm)
    passed(org.member_a, kickoff)
    TrainingCompletion.objects.create(
        member=org.member_a, module=setup, completed_at=timezone.now(), passed=False
    )

    by_label = {c.label: c for c in readiness_of(org.member_a).criteria}

    assert by_label["Kickoff"].met
    assert by_label["Kickoff"].actual.startswith("passed on ")
    assert not by_label["Setup"].met and by_label["Setup"].actual == "not passed yet"


def test_the_criteria_are_those_of_the_step_up_from_the_current_level(org):
    (empathy,) = competencies("共感力")
    associate, csm, senior = ladder("Associate", "CSM", "Senior CSM")
    step_up(associate, csm, competency_criteria=[(empathy, 2)])
    step_up(csm, senior, competency_criteria=[(empathy, 4)])
    at_level(org.member_a, associate, since=date(2024, 4, 1))
    at_level(org.member_a, csm, since=date(2025, 10, 1))
    assess(org.member_a, org.manager_a, {empathy: 3})

    report = readiness_of(org.member_a)

    assert report.level.level == csm
    assert report.next_level == senior
    assert [c.threshold for c in report.criteria] == [4]
    assert not report.ready


def test_no_level_or_the_top_of_the_ladder_is_never_ready(org):
    (top,) = ladder("Strategic CSM")
    at_level(org.member_b, top)

    without_level = readiness_of(org.member_a)
    at_top = readiness_of(org.member_b)

    assert without_level.level is None and not without_level.ready
    assert at_top.step is None and not at_top.ready


def test_a_step_without_criteria_is_ready(org):
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(csm, senior)
    at_level(org.member_a, csm)

    assert readiness_of(org.member_a).ready


def test_the_snapshot_keeps_every_criterion_with_its_value(org, journey):
    _journey, steps = journey
    (empathy,) = competencies("共感力")
    csm, senior = ladder("CSM", "Senior CSM")
    key = f"step_conversion:{steps[0].pk}"
    step_up(
        csm,
        senior,
        metric_criteria=[(key, "gte", 0.5, 3)],
        competency_criteria=[(empathy, 3)],
    )
    at_level(org.member_a, csm)
    conversions(org.member_a, steps[0], complete_months(1)[0], converted=1, cohort=4)
    assess(org.member_a, org.manager_a, {empathy: 3})

    snapshot = readiness_of(org.member_a).snapshot()

    assert snapshot["from_level"] == "CSM" and snapshot["to_level"] == "Senior CSM"
    assert (snapshot["ready"], snapshot["met"], snapshot["total"]) == (False, 1, 2)
    metric, competency = snapshot["criteria"]
    assert metric["value"] == 0.25 and metric["threshold"] == 0.5
    assert metric["met"] is False and metric["kind"] == "metric"
    assert competency["met"] is True and competency["value"] == 3


@pytest.mark.parametrize("count", [2, 12])
def test_readiness_of_many_members_runs_a_fixed_number_of_queries(
    org, journey, count, django_assert_max_num_queries
):
    from tests.factories import TeamMembershipFactory

    _journey, steps = journey
    (empathy,) = competencies("共感力")
    module = TrainingModuleFactory(from_step=steps[0])
    csm, senior = ladder("CSM", "Senior CSM")
    step_up(
        csm,
        senior,
        metric_criteria=[
            (f"step_conversion:{steps[0].pk}", "gte", 0.5, 3),
            (f"step_conversion:{steps[1].pk}", "gte", 0.5, 6),
        ],
        competency_criteria=[(empathy, 3)],
        modules=[module],
    )
    members = [TeamMembershipFactory(team=org.team_a).user for _number in range(count)]
    for member in members:
        at_level(member, csm)
        assess(member, org.manager_a, {empathy: 3})
        conversions(member, steps[0], complete_months(1)[0], converted=1, cohort=2)
        passed(member, module)

    # 13: the tracks are read once to know each member's ladder.
    with django_assert_max_num_queries(13):
        found = readiness_for(members)

    assert all(found[m.pk].met_count == 3 for m in members)
