"""Metrics v3: one team rate and one weakest transition on the dashboard, the member
page and "add to the development plan" (METRICS.md, "Team rate and the weakest
transition"), on the hand-computed team of tests/recognition/coaching_factories.py."""

import re
from datetime import datetime
from fractions import Fraction

import pytest
from django.urls import reverse

from recognition import metrics
from recognition.selectors import dashboard as selectors
from recognition.selectors.figures import FigureValue
from recognition.services.rollup import rollup
from tests.recognition.coaching_factories import build_coaching_world
from tests.recognition.dashboard_factories import jst

pytestmark = pytest.mark.django_db

APRIL = metrics.parse_period("2026-04")


@pytest.fixture
def world(org):
    return build_coaching_world(org)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _counts(figure: FigureValue) -> tuple:
    return (figure.numerator, figure.denominator)


def _table(org):
    page = selectors.dashboard(viewer=org.manager_a, team=org.team_a, period=APRIL)
    (table,) = page.tables
    return table, {row.member.username: row for row in table.rows}


def test_the_team_rate_is_the_members_accounts_pooled_the_pools_left_out(org, world):
    table, _rows = _table(org)
    first, second = table.team_row.transitions
    assert _counts(first.conversion.figure) == (29, 38)
    assert _counts(second.conversion.figure) == (6, 29)
    # The pool's six accounts count only in the row that says so.
    assert _counts(table.pools_row.transitions[0].conversion.figure) == (29, 44)


@pytest.mark.parametrize("username", ["member_a", "member_c", "member_d"])
def test_the_member_page_shows_the_same_team_rate_as_the_dashboard(
    org, world, username
):
    table, _rows = _table(org)
    page = selectors.member_page(
        viewer=org.manager_a, member=world.members[username], period=APRIL
    )
    for item, team_cells in zip(
        page.transitions, table.team_row.transitions, strict=True
    ):
        assert item.team == team_cells.conversion.figure
    assert _counts(page.transitions[0].team) == (29, 38)


def test_the_pages_label_the_team_rate_in_words(client, org, world):
    client.force_login(org.manager_a)
    html = client.get(reverse("recognition:dashboard") + "?period=2026-04").text
    team_row = _text(re.search(r'data-testid="team-row">(.*?)</tr>', html, re.S)[1])
    assert "team rate" in team_row and "76.3 % 29 of 38" in team_row
    pools = _text(re.search(r'data-testid="pools-row">(.*?)</tr>', html, re.S)[1])
    assert "team incl. pools" in pools and "65.9 % 29 of 44" in pools
    member = world.members["member_a"]
    url = reverse("recognition:member", args=[member.pk]) + "?period=2026-04"
    html = client.get(url).text
    weakest = _text(re.search(r'id="weakest"(.*?)</div></div>', html, re.S)[1])
    assert "50.0 % (5 of 10) · team rate 76.3 %" in weakest


def test_a_cell_stands_out_against_the_team_rate_not_the_median_member(org, world):
    _table_, rows = _table(org)
    # member_d's 75 % is the median member, but below the team rate of 76.3 %.
    assert rows["member_d"].transitions[0].conversion.weak
    assert rows["member_a"].transitions[0].conversion.weak
    assert rows["member_c"].transitions[0].conversion.strong
    # 2 → 3 (team rate 20.7 %): member_c's 22.2 % is above it, member_a's 20 % below.
    assert rows["member_c"].transitions[1].conversion.strong
    assert rows["member_a"].transitions[1].conversion.weak


@pytest.mark.parametrize(
    ("username", "step_index"),
    [("member_a", 0), ("member_c", None), ("member_d", 1)],
)
def test_the_weakest_transition_is_the_largest_shortfall_times_cohort(
    org, world, username, step_index
):
    page = selectors.member_page(
        viewer=org.manager_a, member=world.members[username], period=APRIL
    )
    if step_index is None:
        # Above the team rate everywhere: no weakest transition, whatever the rate.
        assert page.weakest is None
    else:
        assert page.weakest.transition.step == world.steps[step_index]


def test_needs_attention_uses_the_same_rule_and_says_team_rate(client, org, world):
    table, _rows = _table(org)
    assert table.attention.row.member == world.members["member_a"]
    assert table.attention.cells.transition.step == world.s1
    client.force_login(org.manager_a)
    html = client.get(reverse("recognition:dashboard") + "?period=2026-04").text
    attention = _text(re.search(r'data-testid="attention">(.*?)</div>', html, re.S)[1])
    assert "1. Step 1 → 2. Step 2: 50.0 % (5 of 10; team rate 76.3 %)" in attention
    assert "median" not in attention


def test_add_to_the_plan_follows_the_weakest_transition(client, org, world):
    client.force_login(org.manager_a)
    for username, step in (("member_a", world.s1), ("member_d", world.steps[1])):
        member = world.members[username]
        url = reverse("recognition:member", args=[member.pk]) + "?period=2026-04"
        html = client.get(url).text
        plan_url = reverse(
            "recognition:plan_add_transition",
            kwargs={"member_pk": member.pk, "step_pk": step.pk},
        )
        assert plan_url in html
    member_c = world.members["member_c"]
    url = reverse("recognition:member", args=[member_c.pk]) + "?period=2026-04"
    html = client.get(url).text
    assert 'data-testid="add-to-plan"' not in html
    assert 'data-testid="no-weakest"' in html


# --- The rule on its own --------------------------------------------------------------


def _figure(converted, cohort, *, provisional=False) -> FigureValue:
    return FigureValue(
        value=converted / cohort if cohort else None,
        numerator=converted,
        denominator=cohort,
        provisional=provisional,
        final_at=datetime(2026, 12, 1) if provisional else None,
    )


def _weakest(candidates):
    """candidates: (position, member figure, team figure)."""
    return selectors.weakest(
        candidates,
        member=lambda c: c[1],
        team=lambda c: c[2],
        position=lambda c: c[0],
    )


def test_a_cohort_below_five_never_qualifies():
    team = _figure(8, 10)
    small = (1, _figure(0, 4), team)
    assert _weakest([small]) is None
    five = (2, _figure(1, 5), team)
    assert _weakest([small, five]) is five


def test_the_shortfall_is_weighted_by_the_cohort_and_exact():
    team = _figure(6, 10)
    # (0.6 − 0.5) × 20 = 2 beats (0.6 − 0.2) × 5 = 2? They tie: earlier step wins.
    large = (2, _figure(10, 20), team)
    low = (3, _figure(1, 5), team)
    assert selectors.shortfall(large[1], team) == Fraction(2)
    assert selectors.shortfall(low[1], team) == Fraction(2)
    assert _weakest([low, large]) is large
    # A larger shortfall × cohort wins even at a higher rate.
    larger = (4, _figure(11, 30), team)  # (0.6 − 11/30) × 30 = 7
    assert _weakest([low, large, larger]) is larger


def test_final_cohorts_come_first_provisional_only_when_no_final_one_qualifies():
    team = _figure(8, 10)
    final = (2, _figure(7, 10), team)  # shortfall 1
    provisional = (1, _figure(0, 10, provisional=True), team)  # shortfall 8
    assert _weakest([provisional, final]) is final
    assert _weakest([provisional]) is provisional


def test_at_or_above_the_team_rate_is_not_a_weakness():
    team = _figure(5, 10)
    assert _weakest([(1, _figure(5, 10), team), (2, _figure(9, 10), team)]) is None
    assert _weakest([(1, _figure(0, 10), FigureValue(value=None))]) is None


def test_a_provisional_weakest_transition_is_marked(client, org):
    world = build_coaching_world(org, run=False)
    # On May 1 every April cohort still has accounts inside their 90-day window.
    rollup(now=jst(2026, 5, 1))
    member = world.members["member_a"]
    page = selectors.member_page(viewer=org.manager_a, member=member, period=APRIL)
    assert page.weakest.transition.step == world.s1
    assert page.weakest.member.provisional
    client.force_login(org.manager_a)
    url = reverse("recognition:member", args=[member.pk]) + "?period=2026-04"
    weakest = _text(
        re.search(r'id="weakest"(.*?)</div></div>', client.get(url).text, re.S)[1]
    )
    assert "no final cohort qualifies yet" in weakest
    html = client.get(reverse("recognition:dashboard") + "?period=2026-04").text
    assert 'data-testid="attention-provisional"' in html


def test_the_member_pages_charts_label_the_team_series_the_team_rate(
    client, org, world
):
    """The funnel and the monthly trends show the same team number as the tables:
    their legends and the trend's points say it is the team rate."""
    client.force_login(org.manager_a)
    member = world.members["member_a"]
    url = reverse("recognition:member", args=[member.pk]) + "?period=2026-04"
    html = client.get(url).text
    for legend in ("funnel-team-legend", "trend-team-legend"):
        shown = re.search(rf'data-testid="{legend}">(.*?)</span>', html, re.S)
        assert shown and _text(shown[1]) == "Team A: team rate"
    # April's point of the 1 → 2 trend: the team rate of April, 29 of 38.
    assert "Apr 2026: team rate 76.3 % (29/38)" in html
