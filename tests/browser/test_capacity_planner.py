"""The capacity planner in a real browser: a leader builds a plan from the list,
fills it from today's data, compares top-down with bottom-up, tries the pooled
what-if with a different share, and saves it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from recognition.models import CapacityPlan
from tests.browser.conftest import ARTIFACTS, log_in
from tests.journeys.factories import CustomerAccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"capacity_planner_{name}.png", full_page=True)


def _row(page, index: int, **values) -> None:
    for name, value in values.items():
        selector = f"[name=segments-{index}-{name}]"
        if name == "coverage_model":
            page.select_option(selector, value)
        else:
            page.fill(selector, str(value))


def test_a_leader_builds_compares_tries_the_what_if_and_saves(page, org):
    # Today: 40 enterprise accounts of ¥10M owned by member_a (team A).
    for _ in range(40):
        CustomerAccountFactory(
            segment="Enterprise", arr=Decimal(10_000_000), owner=org.member_a
        )
    url = reverse("recognition:capacity_plan_list")
    page.goto(url)
    log_in(page, "manager_a")
    page.wait_for_url(f"**{url}")
    page.click("[data-testid=new-plan]")

    page.fill("#id_name", "FY2027")
    page.click("[data-testid=prefill]")
    # Today's enterprise accounts and their ARR are in the first row.
    assert page.input_value("[name=segments-0-segment]") == "Enterprise"
    assert page.input_value("[name=segments-0-accounts]") == "40"
    assert page.input_value("[name=segments-0-arr]") == "400000000"
    assert page.input_value("#id_name") == "FY2027"
    _row(page, 0, arr_per_csm=100_000_000, hours_per_account=20)
    _row(
        page,
        1,
        segment="SMB",
        coverage_model="pooled",
        accounts=200,
        arr=200_000_000,
        arr_per_csm=50_000_000,
        hours_per_account=1,
    )
    page.click("[data-testid=calculate]")

    # Top-down beside bottom-up: 4 + 4 funded, 7 + 2 needed.
    results = page.locator("[data-testid=preview]")
    assert results.locator("[data-testid=total-top-down]").inner_text() == "8"
    assert results.locator("[data-testid=total-bottom-up]").inner_text() == "9"
    enterprise = results.locator(
        "[data-testid=segment-result][data-segment=Enterprise]"
    )
    assert enterprise.locator("[data-testid=gap]").inner_text() == "+3"
    # "40.0 %" in English, "40.0%" in Japanese (the browser's language).
    assert "40.0" in enterprise.locator("[data-testid=closing]").inner_text()
    # The what-if at 30 %: 12 kept, 28 pooled: 9 CSMs before, 5 after.
    assert results.locator("[data-testid=after-csms]").inner_text() == "5"
    _shot(page, "calculated")

    # Keep half dedicated instead: 20 kept (4 CSMs), 20 moved (40 h: 1 CSM).
    page.fill("#id_whatif_share", "50")
    page.click("[data-testid=calculate]")
    assert page.locator("[data-testid=after-dedicated]").inner_text() == "4"
    assert page.locator("[data-testid=after-csms]").inner_text() == "7"
    assert page.locator("[data-testid=after-strategic]").inner_text() == "5.0"

    page.click("[data-testid=save]")
    plan = CapacityPlan.objects.get()
    page.wait_for_url(f"**{plan.get_absolute_url()}")
    assert page.locator("[data-testid=plan-name]").inner_text() == "FY2027"
    assert page.locator("[data-testid=total-gap]").inner_text() == "+1"
    today = page.locator("[data-testid=today-row][data-segment=Enterprise]")
    assert today.locator("[data-testid=today-count]").inner_text() == "1"
    assert plan.whatif_share == Decimal(50)
    assert list(plan.segments.values_list("segment", "accounts")) == [
        ("Enterprise", 40),
        ("SMB", 200),
    ]
    _shot(page, "saved")
