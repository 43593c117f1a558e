"""The manager dashboard and the member page read precomputed rows in a fixed, small
number of queries (issue 12): a team of 3 members with a few accounts and the same
team grown to 12 members with many accounts and events run exactly as many queries,
for a month and for a quarter, and no more than the bounds below.

The bounds count the whole request: the session and the viewer (3 queries), the
viewer's teams (read once per request), the structure of the journeys (read once
for every section), the figures (the members' and the team's monthly tables in
one read, and the rows of every scope at once with their value points) and the
sections of other pillars that the pages include (award leaderboards; on the
member page, development, awards and promotion readiness)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from recognition.services.rollup import rollup
from tests.recognition.dashboard_factories import (
    APRIL,
    NOW,
    build_dashboard_world,
    jst,
    owned_account,
    reach,
    team_member,
)

pytestmark = pytest.mark.django_db

QUARTER = "FY2026-Q1"  # April to June 2026
DASHBOARD_QUERIES = 14
MEMBER_PAGE_QUERIES = 23


def grow(world, *, members: int, accounts_each: int, prefix: str) -> None:
    """More members in team A, each owning accounts that reach the steps over April
    to June (some convert, some not), then a rollup."""
    s1, s2, s3 = world.steps
    for n in range(members):
        user = team_member(world.org.team_a, f"{prefix}{n}", f"追加{prefix}{n}")
        for k in range(accounts_each):
            account = owned_account(world.journey, user)
            month = 4 + k % 3
            reach(account, s1, jst(2026, month, 1 + k % 20))
            if k % 2:
                reach(account, s2, jst(2026, month, 22 + k % 5))
            if k % 4 == 1:
                reach(account, s3, jst(2026, month + 1, 10))
    rollup(now=NOW, full=True)


@pytest.fixture
def world(org):
    world = build_dashboard_world(org)
    # The third member of team A, with two accounts of their own.
    grow(world, members=1, accounts_each=2, prefix="third")
    return world


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _transition_row(client, url: str, step) -> str:
    """The text of the member page's row of the transition from `step`."""
    html = client.get(url).text
    row = re.search(rf'data-step="{step.pk}"(.*?)</tr>', html, re.S).group(1)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()


def _members_shown(client, url: str) -> int:
    return client.get(url).text.count('data-testid="member-row"')


@pytest.mark.parametrize("period", [APRIL, QUARTER])
def test_the_dashboard_of_12_members_runs_the_queries_of_3(client, org, world, period):
    client.force_login(org.manager_a)
    url = reverse("recognition:dashboard") + f"?team={org.team_a.pk}&period={period}"
    assert _members_shown(client, url) == 3
    small = _queries(client, url)

    grow(world, members=9, accounts_each=12, prefix="more")

    assert _members_shown(client, url) == 12
    assert _queries(client, url) == small
    assert small <= DASHBOARD_QUERIES


@pytest.mark.parametrize("period", [APRIL, QUARTER])
def test_the_member_page_in_a_team_of_12_runs_the_queries_of_3(
    client, org, world, period
):
    client.force_login(org.manager_a)
    url = reverse("recognition:member", args=[org.member_a.pk]) + f"?period={period}"
    small = _queries(client, url)
    before = _transition_row(client, url, world.s1)

    grow(world, members=9, accounts_each=12, prefix="more")

    assert _queries(client, url) == small
    assert small <= MEMBER_PAGE_QUERIES
    # The team rate beside the member's figures took the new members' accounts in.
    after = _transition_row(client, url, world.s1)
    assert "2/4" in before and "2/4" in after
    assert after != before
