"""The dashboard's and the member page's figures (`selectors.page_figures`, read in
a few queries) are those of the `figures` selectors they stand for, scope by scope,
for a month, a quarter and a period still running: the members', the team rate,
the team including its pools, the monthly trends, and the sections' figures of the
whole catalogue (step events recorded add up, flows counted from the rows)."""

from datetime import date

import pytest

from accounts.models import TeamMembership
from journeys.models import TrainingCompletion
from recognition import metrics
from recognition.metrics import Family
from recognition.selectors import dashboard, figures, page_figures
from recognition.services.rollup import rollup
from tests.journeys.factories import StepEventFactory
from tests.recognition.dashboard_factories import (
    APRIL,
    NOW,
    build_dashboard_world,
    journey_path,
    jst,
    owned_account,
)

pytestmark = pytest.mark.django_db

PERIODS = [APRIL, "2026-05", "FY2026-Q1", "FY2026-Q2", "last-12"]
TREND_MONTHS = [date(2026, month, 1) for month in range(3, 10)]


@pytest.fixture
def world(org):
    """The hand-checked team, and what changes from month to month in the monthly
    tables: member_a records events in April and May (repeats, which change no
    conversion) and passes the kickoff training in May, then moves to team B in
    June, where an account of theirs converts (rows of the member outside the
    team: the member's figures over a longer period count them, the team rate
    does not)."""
    world = build_dashboard_world(org, run=False)
    accounts, s1 = world.accounts, world.s1
    org.member_a.team_memberships.filter(team=org.team_a).update(
        end_date=date(2026, 5, 31)
    )
    TeamMembership.objects.create(
        team=org.team_b, user=org.member_a, start_date=date(2026, 6, 1)
    )
    moved = owned_account(world.journey, org.member_a, name="Customer A5")
    journey_path(moved, world.steps, (6, 3), (6, 10))
    for account, day in (
        (accounts["A3"], jst(2026, 4, 21)),
        (accounts["A4"], jst(2026, 4, 22)),
        (accounts["A3"], jst(2026, 5, 12)),
    ):
        StepEventFactory(
            account=account, step=s1, reached_at=day, recorded_by=org.member_a
        )
    TrainingCompletion.objects.create(
        module=world.kickoff_module,
        member=org.member_a,
        completed_at=jst(2026, 5, 20),
        passed=True,
    )
    rollup(now=NOW, full=True)
    return world


def _wanted():
    """The pages' metrics: the journeys' columns and training completion."""
    columns = dashboard.journey_columns()
    wanted = [m for c in columns for m in c.metrics] + [dashboard.training_metric()]
    conversions = [t.conversion for c in columns for t in c.transitions]
    return wanted, conversions


def _as_of():
    return page_figures.as_of_run(figures.last_run())


@pytest.mark.parametrize("period_key", PERIODS)
def test_the_dashboards_figures_are_those_of_the_figures_selectors(
    org, world, period_key
):
    period = metrics.parse_period(period_key)
    wanted, _conversions = _wanted()
    members = [org.member_a.pk, world.member_c.pk]
    team = [org.team_a.pk]

    read = page_figures.team_figures(
        member_ids=members,
        team_id=org.team_a.pk,
        wanted=wanted,
        period=period,
        as_of=_as_of(),
    )

    assert read.members == figures.member_figures(
        member_ids=members, metrics=wanted, period=period
    )
    assert read.rate == figures.team_rate_figures(
        team_ids=team, metrics=wanted, period=period
    )
    with_pools = figures.team_figures(team_ids=team, metrics=wanted, period=period)
    assert read.with_pools == {
        (owner, key): figure
        for (owner, key), figure in with_pools.items()
        if key != Family.TRAINING_COMPLETION
    }
    assert read.members  # the comparison compared figures


@pytest.mark.parametrize("period_key", PERIODS)
def test_the_member_pages_figures_are_those_of_the_figures_selectors(
    org, world, period_key
):
    period = metrics.parse_period(period_key)
    wanted, conversions = _wanted()
    member, team = org.member_a.pk, org.team_a.pk

    read = page_figures.member_figures(
        member_id=member,
        team_id=team,
        wanted=wanted,
        period=period,
        trend_months=TREND_MONTHS,
        as_of=_as_of(),
        trend_metrics=conversions,
    )

    assert read.member == figures.member_figures(
        member_ids=[member], metrics=wanted, period=period
    )
    assert read.rate == figures.team_rate_figures(
        team_ids=[team], metrics=wanted, period=period
    )
    assert read.member_monthly == figures.member_monthly(
        member_ids=[member], metrics=conversions, months=TREND_MONTHS
    )
    team_monthly = figures.team_monthly(
        team_ids=[team], metrics=conversions, months=TREND_MONTHS
    )
    assert {
        key: figure
        for key, figure in read.rate_monthly.items()
        if key[1].startswith(Family.STEP_CONVERSION)
    } == team_monthly
    assert read.member_monthly and team_monthly


@pytest.mark.parametrize("period_key", PERIODS)
def test_the_sections_figures_of_the_catalogue_are_those_of_the_figures_selectors(
    org, world, period_key
):
    period = metrics.parse_period(period_key)
    catalogue = metrics.catalogue(active_only=False)
    assert {Family.STEP_EVENTS_RECORDED, Family.CONVERSIONS_COMPLETED} <= {
        m.family for m in catalogue
    }

    found = page_figures.member_period_figures(
        member_ids=[org.member_a.pk], metrics=catalogue, period=period, as_of=_as_of()
    )

    assert found == figures.member_figures(
        member_ids=[org.member_a.pk], metrics=catalogue, period=period
    )
