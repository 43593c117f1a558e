"""A member promoted to manager keeps the credit for their past accounts (METRICS.md,
step events and attribution): admins still read their monthly figures in the API.
A team's dashboard of a month lists, among the members the viewer sees today, those
who were members in that month.

Sato and Suzuki are members of Kata since 2025. Sato's account reaches step 1 on
April 3 and step 2 on April 10 (1 of 1); Suzuki's reaches step 1 on April 5 and
never converts (0 of 1). Sato becomes a manager on June 1 at 00:00; Tanaka, in Kata
since 2025 as a manager, becomes a member on May 1 at 00:00.
"""

from datetime import date

import pytest

from accounts.models import Role
from accounts.services import user_set_roles
from recognition.metrics import parse_period
from recognition.selectors import dashboard as selectors
from recognition.services.rollup import rollup
from tests.factories import UserFactory
from tests.recognition.rollup_world import (
    account,
    journey,
    jst,
    manager,
    member,
    move_team,
    moving_clock,
    reach,
    step_key,
    team,
)

pytestmark = pytest.mark.django_db

LATE = jst(2026, 11, 1)


@pytest.fixture(autouse=True)
def _tokyo(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.FISCAL_YEAR_START_MONTH = 4


@pytest.fixture
def world():
    with moving_clock(LATE):
        kata = team("Kata")
        sato = member(kata, username="sato")
        suzuki = member(kata, username="suzuki")
        tanaka = manager(username="tanaka")
        move_team(tanaka, kata, on=date(2025, 4, 1))
        built, (s1, s2, _s3) = journey((90, 90, 90))
        converted = account(built, owner=sato)
        reach(converted, s1, jst(2026, 4, 3), by=sato)
        reach(converted, s2, jst(2026, 4, 10), by=sato)
        reach(account(built, owner=suzuki), s1, jst(2026, 4, 5), by=suzuki)
        user_set_roles(user=tanaka, roles=[Role.MEMBER], at=jst(2026, 5, 1, 0))
        user_set_roles(user=sato, roles=[Role.MANAGER], at=jst(2026, 6, 1, 0))
        rollup(full=True, now=LATE)
    admin = UserFactory(username="admin", roles=[Role.ADMIN])
    return kata, sato, suzuki, tanaka, step_key(s1), admin


def test_an_admin_reads_a_promoted_members_figures_in_the_api(api_client, world):
    _kata, sato, _suzuki, _tanaka, key, admin = world
    api_client.force_authenticate(admin)
    response = api_client.get(
        "/api/v1/member-metrics/", {"member": sato.pk, "metric": key}
    )
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(row["numerator"], row["denominator"]) for row in rows] == [(1, 1)]


def test_a_months_dashboard_lists_who_were_its_members_that_month(world):
    kata, _sato, suzuki, tanaka, _key, admin = world
    # Members today: Suzuki and Tanaka (Sato is a manager, his row is gone).
    april = selectors.period_members(
        viewer=admin, team=kata, period=parse_period("2026-04")
    )
    # Tanaka became a member at the first instant of May: none of April.
    assert april == [suzuki]
    may = selectors.period_members(
        viewer=admin, team=kata, period=parse_period("2026-05")
    )
    assert set(may) == {suzuki, tanaka}
    quarter = selectors.period_members(
        viewer=admin, team=kata, period=parse_period("FY2026-Q1")
    )
    assert set(quarter) == {suzuki, tanaka}
