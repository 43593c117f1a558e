"""The revenue KPIs in a real browser: a CS leader (the admin) reads the
organisation's NRR tree of last month and clicks into churn, which lists the
account lost and what it took with it. The leader reads Japanese."""

from decimal import Decimal

import pytest
from django.urls import reverse

from journeys import revenue
from journeys.models import ARRSnapshot
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _arr(org):
    """Three customers of member A. Two months ago: A ¥1,000,000, B ¥500,000,
    C ¥800,000 (S of last month: ¥2,300,000). Last month: A grew to ¥1,200,000
    (expansion ¥200,000), B churned (¥500,000). NRR = (2.3M + 0.2M − 0.5M) / 2.3M
    = 86.96 %, GRR = (2.3M − 0.5M) / 2.3M = 78.26 %."""
    journey, _steps = journey_with_steps(3)
    this_month = revenue.current_month()
    before, last = (
        revenue.add_months(this_month, -2),
        revenue.add_months(this_month, -1),
    )
    accounts = {
        name: CustomerAccountFactory(name=name, journey=journey, owner=org.member_a)
        for name in ("株式会社アクメ", "株式会社ベータ", "株式会社カッパ")
    }
    arr = {
        "株式会社アクメ": (1_000_000, 1_200_000),
        "株式会社ベータ": (500_000, 0),
        "株式会社カッパ": (800_000, 800_000),
    }
    revenue.arr_snapshots_record(
        entries=[
            revenue.ARREntry(accounts[name], month, Decimal(value))
            for name, values in arr.items()
            for month, value in zip((before, last), values, strict=True)
        ],
        by=org.admin,
        source=ARRSnapshot.Source.UI,
    )
    return accounts


def test_a_leader_reads_the_nrr_tree_and_clicks_into_churn(page, org):
    org.admin.preferred_language = "ja"
    org.admin.save(update_fields=["preferred_language"])
    _arr(org)
    url = reverse("recognition:revenue_kpis")
    page.goto(url)
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{url}")

    tree = page.locator("[data-testid=kpi-tree]")
    assert "2,300,000" in tree.locator("[data-node=starting]").inner_text()
    assert "200,000" in tree.locator("[data-node=expansion]").inner_text()
    assert "500,000" in tree.locator("[data-node=churn]").inner_text()
    assert "2,000,000" in tree.locator("[data-node=ending]").inner_text()
    assert tree.locator("[data-rate=nrr]").inner_text().startswith("87.0")
    assert tree.locator("[data-rate=grr]").inner_text().startswith("78.3")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "revenue_kpis_ja.png", full_page=True)

    tree.locator("[data-node=churn] a").click()
    page.wait_for_url("**/revenue/accounts/**")
    body = page.locator("main").inner_text()
    assert "株式会社ベータ" in body
    assert "500,000" in body
    assert "株式会社アクメ" not in body and "株式会社カッパ" not in body
    page.screenshot(path=ARTIFACTS / "revenue_churn_ja.png", full_page=True)
