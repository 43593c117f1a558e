"""Flow metrics (METRICS.md v3): conversions completed and value points reached on
time in a period, counted by the month (in TIME_ZONE) they happened in, final when
the period ends; in the catalogue, the API and the award metrics.

Hand-computed example. One journey of three steps: step 1's window is 30 days,
step 3 is a value point due 30 days after step 1. member_a owns every account; all
times JST.

| account | step 1           | step 2                 | step 3 (value point)     |
|---------|------------------|------------------------|--------------------------|
| F1      | Apr 10 12:00     | May 5 12:00            | May 8 12:00 (on time)    |
| F2      | Apr 1 00:30 (*)  | Apr 30 23:59           | May 1 00:30 (= deadline) |
| F3      | Apr 15 12:00     | May 15 12:00 (30 days) | May 16 12:00 (late)      |
| F4      | Apr 20 12:00     | May 20 12:01 (too late)| —                        |
| F5      | Mar 25 12:00     | Apr 2 12:00            | —                        |
| F6      | Apr 25 12:00     | May 1 00:10 (**)       | —                        |

(*) March 31 in UTC; (**) April 30 in UTC.

Conversions completed of step 1 (1 → 2), by the month the conversion happened:
- March: none (F5's cohort is March, its conversion April); accounts at step 1: F5.
- April: F2 (its window ends May 1 00:30) and F5 (a March cohort converting in
  April) = 2; accounts at step 1 in April: F1, F2, F3, F4, F6 = 5.
- May: F1, F3 (exactly 30 days: the window's end is included) and F6 (00:10 JST on
  May 1) = 3; F4 converted 1 minute after its window: never counted. No account
  reached step 1 in May: 0 accounts.
- April–June together (FY2026 Q1): 5 conversions, 5 accounts.
Value points reached on time: F1 (May 8) and F2 (May 1 00:30, the deadline
itself, April 30 in UTC) in May = 2; April none; F3 was late. Journey starts:
April 5 (F1, F2, F3, F4, F6), March 1 (F5).
"""

from datetime import date

import pytest
from django.urls import reverse

from journeys.models import Step
from recognition import metrics
from recognition.models import AwardWinner, MemberFigure
from recognition.selectors import awards as award_selectors
from recognition.selectors import figures
from recognition.selectors.development import combine_months
from recognition.services import awards as award_services
from recognition.services.rollup import rollup
from tests.journeys.factories import journey_with_steps
from tests.recognition.award_factories import (
    AwardProgramFactory,
    award_period,
    member_of,
)
from tests.recognition.dashboard_factories import jst, owned_account, reach

pytestmark = pytest.mark.django_db

PATHS = {
    "F1": [jst(2026, 4, 10), jst(2026, 5, 5), jst(2026, 5, 8)],
    "F2": [jst(2026, 4, 1, 0, 30), jst(2026, 4, 30, 23, 59), jst(2026, 5, 1, 0, 30)],
    "F3": [jst(2026, 4, 15), jst(2026, 5, 15), jst(2026, 5, 16)],
    "F4": [jst(2026, 4, 20), jst(2026, 5, 20, 12, 1)],
    "F5": [jst(2026, 3, 25), jst(2026, 4, 2)],
    "F6": [jst(2026, 4, 25), jst(2026, 5, 1, 0, 10)],
}
NOW = jst(2026, 9, 1)


@pytest.fixture
def flow_world(org):
    journey, steps = journey_with_steps(3, name="Flow")
    Step.objects.filter(pk=steps[0].pk).update(conversion_window_days=30)
    Step.objects.filter(pk=steps[2].pk).update(is_value_point=True, target_days=30)
    for name, times in PATHS.items():
        account = owned_account(journey, org.member_a, name=name)
        for step, when in zip(steps, times, strict=False):
            reach(account, step, when)
    rollup(now=NOW)
    by_key = {m.key: m for m in metrics.catalogue()}
    return (
        journey,
        steps,
        by_key[f"conversions_completed:{steps[0].pk}"],
        by_key[f"value_points_reached:{journey.pk}"],
    )


def _figure(member, metric, period_key):
    period = metrics.parse_period(period_key, today=date(2026, 9, 1))
    return figures.member_figures(
        member_ids=[member.pk], metrics=[metric], period=period
    ).get((member.pk, metric.key))


def _counts(figure):
    return None if figure is None else (figure.value, figure.denominator)


def test_the_catalogue_has_both_flow_metrics_final_when_the_period_ends(
    org, flow_world
):
    journey, steps, completed, reached = flow_world
    assert completed.unit == reached.unit == metrics.Unit.COUNT
    assert completed.has_denominator and reached.has_denominator
    april = metrics.parse_period("2026-04")
    assert completed.final_at(april) == reached.final_at(april) == jst(2026, 5, 1, 0)
    # A cohort metric is final when the last window of its cohorts ends.
    conversion = metrics.metric_by_key(f"step_conversion:{steps[0].pk}")
    assert conversion.final_at(april) == jst(2026, 5, 31, 0)


@pytest.mark.parametrize(
    ("period", "completed", "reached"),
    [
        ("2026-03", (0, 1), (0, 1)),
        ("2026-04", (2, 5), (0, 5)),
        ("2026-05", (3, 0), (2, 0)),
        ("FY2026-Q1", (5, 5), (2, 5)),
    ],
)
def test_flow_figures_match_the_hand_computed_example(
    org, flow_world, period, completed, reached
):
    _journey, _steps, completed_metric, reached_metric = flow_world
    assert _counts(_figure(org.member_a, completed_metric, period)) == completed
    assert _counts(_figure(org.member_a, reached_metric, period)) == reached


def test_a_flow_figure_is_provisional_until_its_period_ends(org, flow_world):
    _journey, _steps, completed, _reached = flow_world
    rollup(now=jst(2026, 5, 20), full=True)
    may = _figure(org.member_a, completed, "2026-05")
    assert (may.provisional, may.final_at) == (True, jst(2026, 6, 1, 0))
    april = _figure(org.member_a, completed, "2026-04")
    assert not april.provisional


def test_the_team_counts_its_members_flow(org, flow_world):
    _journey, _steps, completed, reached = flow_world
    april = metrics.parse_period("2026-04")
    may = metrics.parse_period("2026-05")
    found = figures.team_rate_figures(
        team_ids=[org.team_a.pk], metrics=[completed, reached], period=may
    )
    assert found[(org.team_a.pk, completed.key)].value == 3
    assert found[(org.team_a.pk, reached.key)].value == 2
    monthly = figures.member_monthly(
        member_ids=[org.member_a.pk],
        metrics=[completed],
        months=[april.first_month, may.first_month],
    )
    assert [monthly[(org.member_a.pk, completed.key, m)].value for m in (
        april.first_month, may.first_month
    )] == [2, 3]  # fmt: skip


def test_the_rollup_writes_them_for_the_api(api_client, org, flow_world):
    _journey, _steps, completed, reached = flow_world
    stored = {
        (f.metric, f.month): f.value
        for f in MemberFigure.objects.filter(
            member=org.member_a, metric__in=[completed.key, reached.key]
        )
    }
    assert stored[(completed.key, date(2026, 4, 1))] == 2
    assert stored[(completed.key, date(2026, 5, 1))] == 3
    assert stored[(reached.key, date(2026, 5, 1))] == 2
    api_client.force_authenticate(org.member_a)
    catalogue = api_client.get(
        "/api/v1/metrics/", {"family": "conversions_completed"}
    ).json()
    rows = catalogue["results"] if isinstance(catalogue, dict) else catalogue
    assert [row["key"] for row in rows] == [
        f"conversions_completed:{_steps[0].pk}",
        f"conversions_completed:{_steps[1].pk}",
    ]
    response = api_client.get(
        "/api/v1/member-metrics/",
        {"metric": completed.key, "period": "2026-05", "member": org.member_a.pk},
    ).json()
    assert "results" in response, response
    (row,) = response["results"]
    assert (row["value"], row["unit"]) == (3, "count")


def test_a_monthly_award_on_a_flow_metric_has_winners_on_the_first_day_after(
    org, flow_world
):
    _journey, steps, completed, _reached = flow_world
    teammate = member_of(org.team_a, family_name="同僚")
    for name, day in (("T1", 3), ("T2", 4)):
        account = owned_account(_journey, teammate, name=name)
        reach(account, steps[0], jst(2026, 4, day))
        if name == "T1":
            reach(account, steps[1], jst(2026, 4, 9))
    program = AwardProgramFactory(teams=[org.team_a], winners=1, minimum_denominator=2)
    period = award_period(program, date(2026, 4, 1), completed.key, set_by=org.admin)
    first_day = jst(2026, 5, 1, 9)
    rollup(now=first_day, full=True)
    board = award_selectors.leaderboard(period=period, now=first_day)
    assert not board.open_cohorts
    assert [(s.member, s.value, s.rank) for s in board.standings] == [
        (org.member_a, 2, 1),
        (teammate, 1, 2),
    ]
    assert award_services.award_periods_close(now=first_day) == [period.pk]
    assert list(AwardWinner.objects.values_list("member", "rank")) == [
        (org.member_a.pk, 1)
    ]


def test_a_closed_flow_award_notes_a_count_changed_since_closing(org, flow_world):
    """Later corrections do not change past winners, and a note says when today's
    figures differ: for a count metric, its count is the figure."""
    journey, steps, completed, _reached = flow_world
    program = AwardProgramFactory(teams=[org.team_a], winners=1, minimum_denominator=2)
    period = award_period(program, date(2026, 4, 1), completed.key, set_by=org.admin)
    assert award_services.award_periods_close(now=NOW) == [period.pk]
    period.refresh_from_db()
    board = award_selectors.leaderboard(period=period, now=NOW)
    assert [(s.value, s.denominator) for s in board.recorded_winners] == [(2, 5)]
    assert not board.changed_since_close
    # F3 reached step 2 in April after all (recorded late): April counts 3
    # conversions of the same 5 accounts; the winner and rank stay.
    f3 = journey.accounts.get(name="F3")
    reach(f3, steps[1], jst(2026, 4, 28))
    later = jst(2026, 9, 2)
    rollup(now=later)
    board = award_selectors.leaderboard(period=period, now=later)
    assert [(s.member, s.value, s.rank) for s in board.standings] == [
        (org.member_a, 3, 1)
    ]
    assert [(s.value, s.rank) for s in board.recorded_winners] == [(2, 1)]
    assert board.changed_since_close


def test_the_award_form_offers_flow_metrics_with_the_date_each_is_final(
    client, org, flow_world
):
    _journey, steps, completed, _reached = flow_world
    program = AwardProgramFactory(teams=[org.team_a])
    client.force_login(org.admin)
    url = reverse("recognition:award_metric", args=[program.pk])
    span = award_selectors.current_span(program.cadence)
    html = client.get(url, {"period": span.key}).text
    assert f'value="{completed.key}"' in html
    # Dates in the page language's format (English here: Jan 1, 2027).
    final = completed.final_at(span)
    assert f"final on {final:%b} {final.day}, {final.year}" in html
    conversion = metrics.metric_by_key(f"step_conversion:{steps[0].pk}")
    final = conversion.final_at(span)
    assert f"final by {final:%b} {final.day}, {final.year}" in html


def test_a_plan_target_on_a_flow_metric_adds_up_its_months(org, flow_world):
    _journey, _steps, completed, _reached = flow_world
    monthly = figures.member_monthly(
        member_ids=[org.member_a.pk],
        metrics=[completed],
        months=[date(2026, 4, 1), date(2026, 5, 1)],
    )
    after = combine_months(
        completed,
        [monthly[(org.member_a.pk, completed.key, m)] for m in (
            date(2026, 4, 1), date(2026, 5, 1)
        )],
    )  # fmt: skip
    assert (after.value, after.denominator) == (5, 5)


def test_a_count_metric_leaderboard_shows_the_count_and_the_accounts(org, flow_world):
    _journey, _steps, completed, _reached = flow_world
    program = AwardProgramFactory(teams=[org.team_a], winners=1, minimum_denominator=2)
    period = award_period(program, date(2026, 4, 1), completed.key, set_by=org.admin)
    board = award_selectors.leaderboard(period=period, now=NOW)
    (mine,) = board.standings
    assert (mine.text, mine.counts) == ("2", "5 accounts in the denominator")


def test_a_cohort_metric_is_final_after_its_last_window_across_a_clock_change(
    settings,
):
    """Windows are days × 24 hours from the first reach (METRICS.md): where the
    clocks move between the period's end and the window's end, the stated final
    date is still no earlier than the last window of the period's cohorts."""
    from datetime import UTC, timedelta

    from recognition.metrics import Family, Metric, Unit

    settings.TIME_ZONE = "Europe/Berlin"  # summer time from 2026-03-29
    february = metrics.parse_period("2026-02")
    conversion = Metric(
        key="step_conversion:1",
        family=Family.STEP_CONVERSION,
        label="1 → 2",
        unit=Unit.PERCENT,
        direction=metrics.HIGHER,
        denominator="cohort",
        window_days=90,
    )
    last_first_reach = february.end_at - timedelta(seconds=1)
    last_window_end = last_first_reach.astimezone(UTC) + timedelta(days=90)
    assert conversion.final_at(february) >= last_window_end
    assert conversion.final_at(february) - last_window_end == timedelta(seconds=1)
