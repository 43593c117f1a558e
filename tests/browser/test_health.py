"""Account health in a real browser: a member reading Japanese finds an account at
risk on their home page, opens it and sees why: the score, its band in words and
each part with what it came from, and the recent history (the screenshots show
the page as they see it)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from journeys import health
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD
from tests.journeys.factories import (
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"health_{name}.png", full_page=True)


def test_a_member_sees_why_an_account_is_at_risk(page, org):
    journey, steps = journey_with_steps(4, name="オンボーディング")
    steps[2].is_value_point, steps[2].target_days = True, 30
    steps[2].save()
    account = CustomerAccountFactory(
        name="株式会社アクメ", journey=journey, owner=org.member_a
    )
    now = timezone.now()
    StepEventFactory(account=account, step=steps[0], reached_at=now - timedelta(120))
    StepEventFactory(account=account, step=steps[1], reached_at=now - timedelta(100))
    today = timezone.localdate()
    for back in (90, 60, 30):
        health.record_health(today - timedelta(days=back))
    health.record_health(today)
    org.member_a.preferred_language = "ja"
    org.member_a.save(update_fields=["preferred_language"])

    page.goto("/login/")
    page.fill("#id_username", org.member_a.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    card = page.locator("[data-testid=health-at-risk]")
    card.locator("a", has_text="株式会社アクメ").click()
    section = page.locator("#health")
    section.scroll_into_view_if_needed()
    assert section.locator("[data-band]").first.is_visible()
    assert section.locator("tr[data-part]").count() == 5
    assert section.locator("[data-testid=health-history] li").count() == 4
    _shot(page, "account_page")
    section.screenshot(path=ARTIFACTS / "health_account_section.png")
