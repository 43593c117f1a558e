"""The coaching loop in a real browser: the graded heat map with its legend, a
sort, "final cohorts only", the drill-down to a cohort's accounts and "add to
plan" from a transition that is not the weakest (no CSP violation anywhere)."""

import pytest
from django.urls import reverse

from recognition.services.rollup import rollup
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD
from tests.recognition.coaching_factories import build_coaching_world
from tests.recognition.dashboard_factories import (
    APRIL,
    NOW,
    jst,
    owned_account,
    reach,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"coaching_{name}.png", full_page=True)


def test_a_manager_reads_the_graded_heat_map_and_drills_down(page, org):
    world = build_coaching_world(org)
    org.manager_a.preferred_language = "en"
    org.manager_a.save(update_fields=["preferred_language"])
    page.goto(reverse("recognition:dashboard") + f"?period={APRIL}")
    page.fill("#id_username", "manager_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**period={APRIL}**")
    table = page.locator("[data-testid=journey-table]")
    assert table.locator("td[data-grade]").count() > 0
    assert page.locator("[data-testid=grade-legend] .legend-sample").count() == 5
    _shot(page, "1_heatmap")

    # Best first at step 1 → 2, then "final cohorts only".
    table.locator(f"[data-testid='sort-step-{world.s1.pk}']").click()
    page.wait_for_url(f"**sort=-step-{world.s1.pk}**")
    page.locator("[data-testid=final-switch]").click()
    page.wait_for_url("**final=1**")
    assert f"sort=-step-{world.s1.pk}" in page.url
    _shot(page, "2_sorted_final")

    # member_a's cohort at step 1 → 2.
    row = page.locator(f"[data-member='{org.member_a.pk}']")
    row.locator(
        f"td[data-metric='step_conversion:{world.s1.pk}'] [data-testid=drill-down]"
    ).click()
    page.wait_for_url("**/accounts/**")
    assert page.locator("[data-testid=cohort-account]").count() > 0
    _shot(page, "3_cohort")

    # The member page: every transition row offers the plan; July's and August's
    # cohorts are still provisional on the rollup's day, drawn dashed and pale.
    for month in (5, 6, 7, 8):
        account = owned_account(world.journey, org.member_a)
        reach(account, world.s1, jst(2026, month, 3))
        if month < 7:
            reach(account, world.s2, jst(2026, month, 20))
    rollup(now=NOW, full=True)
    page.goto(
        reverse("recognition:member", args=[org.member_a.pk]) + f"?period={APRIL}"
    )
    assert page.locator("[data-testid=row-add-to-plan]").count() == 2
    trend = page.locator("[data-testid=trend]").first
    assert trend.locator("polyline.line-provisional").count() >= 1
    assert "final on" in trend.locator("[data-testid=trend-provisional]").inner_text()
    _shot(page, "4_member")


def test_the_heat_map_reads_in_japanese(page, org):
    world = build_coaching_world(org)
    org.manager_a.preferred_language = "ja"
    org.manager_a.save(update_fields=["preferred_language"])
    page.goto(reverse("recognition:dashboard") + f"?period={APRIL}")
    page.fill("#id_username", "manager_a")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**period={APRIL}**")
    cell = page.locator(
        f"[data-member='{org.member_a.pk}'] "
        f"td[data-metric='step_conversion:{world.s1.pk}']"
    )
    assert cell.get_attribute("data-grade") == "worse-2"
    _shot(page, "5_heatmap_ja")
