"""The manager dashboard in a real browser: a manager opens the dashboard, spots the
weakest member and transition, opens that member's page and the playbook."""

import pytest
from django.urls import reverse

from tests.browser.conftest import ARTIFACTS, log_in
from tests.recognition.coaching_factories import build_coaching_world
from tests.recognition.dashboard_factories import APRIL

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"dashboard_{name}.png", full_page=True)


def test_a_manager_spots_the_weakest_member_and_opens_the_playbook(page, org):
    world = build_coaching_world(org)
    org.manager_a.preferred_language = "en"
    org.manager_a.save(update_fields=["preferred_language"])

    page.goto(reverse("recognition:dashboard"))
    log_in(page, "manager_a")
    page.wait_for_url("**/management/**")
    # April is chosen in the period selector.
    page.select_option("#id_period", APRIL)
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(f"**period={APRIL}**")
    table = page.locator("[data-testid=journey-table]")
    assert table.locator("[data-testid=member-row]").count() == 3
    assert "坂本" not in table.inner_text()  # member_b is in team B

    # The weakest cell stands out: member_a's step 1 → 2, below the team rate,
    # and its training module is not completed.
    row_a = table.locator(f"[data-member='{org.member_a.pk}']")
    weak = row_a.locator(
        f"td[data-metric='step_conversion:{world.s1.pk}'][data-weak=true]"
    )
    assert "50.0 %" in weak.inner_text()
    assert "below the team rate" in weak.inner_text()
    assert "Kickoff training" in weak.inner_text()
    attention = page.locator("[data-testid=attention]")
    assert "1. Step 1 → 2. Step 2" in attention.inner_text()
    assert "秋山" in attention.inner_text()
    _shot(page, "1_team")

    # The member's page: the weakest transition, with its playbook and training.
    attention.get_by_role("link", name="Open the member's page").click()
    page.wait_for_url(
        "**" + reverse("recognition:member", args=[org.member_a.pk]) + "**"
    )
    weakest = page.locator("[data-testid=weakest]")
    assert "1. Step 1 → 2. Step 2" in weakest.inner_text()
    assert "50.0 % (5 of 10) · team rate 76.3 %" in weakest.inner_text()
    assert page.locator("[data-testid=funnel] svg").count() == 1
    assert page.locator("[data-testid=trend] svg").count() == 2
    _shot(page, "2_member")

    weakest.get_by_role("link", name="Open the playbook").click()
    page.wait_for_url(
        "**" + reverse("journeys:playbook_detail", args=[world.playbook.pk]) + "**"
    )
    assert "初期設定を2週間で終える" in page.locator("[data-testid=goal]").inner_text()
    _shot(page, "3_playbook")
