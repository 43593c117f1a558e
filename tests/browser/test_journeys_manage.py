"""The admins' journeys pages in a real browser, in Japanese: creating a journey
with its steps (an error first, the input kept), the module and quiz form, a new
account, a pool's members, the account list and the import page. Screenshots go
to test-artifacts/ for a look; the page fixture fails on any CSP violation."""

from decimal import Decimal

import pytest
from django.urls import reverse

from journeys.models import Journey
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    PoolMembershipFactory,
    TrainingModuleFactory,
    add_quiz,
    journey_with_steps,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"journeys_manage_{name}.png", full_page=True)


def test_an_admin_works_the_manage_pages_in_japanese(page, org):
    journey, steps = journey_with_steps(3, name="オンボーディング")
    pool = PoolFactory(name="SMBプール", team=org.team_a)
    PoolMembershipFactory(pool=pool, user=org.member_a)
    for number in range(3):
        CustomerAccountFactory(
            name=f"株式会社サンプル{number}",
            journey=journey,
            owner=org.member_a if number else None,
            pool=None if number else pool,
            arr=Decimal(12_000_000 * (number + 1)),
        )
    module = TrainingModuleFactory(from_step=steps[0], title="キックオフの進め方")
    add_quiz(module, questions=2, pass_mark=50)
    org.admin.preferred_language = "ja"
    org.admin.save(update_fields=["preferred_language"])

    page.goto(reverse("journeys:manage_journey_create"))
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/manage/journeys/new/")
    page.fill("#id_journey-name", "オンボーディング")  # taken
    page.fill("#id_steps-0-name", "キックオフ")
    page.check("#id_steps-1-is_value_point")
    page.fill("#id_steps-1-name", "初回価値")
    page.locator("form[data-testid=journey-form] button[type=submit]").click()
    page.wait_for_selector(".invalid-feedback")
    assert page.input_value("#id_steps-0-name") == "キックオフ"
    _shot(page, "journey_errors")
    page.fill("#id_journey-name", "拡大")
    page.fill("#id_steps-1-target_days", "30")
    page.locator("form[data-testid=journey-form] button[type=submit]").click()
    page.wait_for_url("**/journeys/*/")
    assert Journey.objects.filter(name="拡大").exists()
    _shot(page, "journey_created")

    page.goto(reverse("journeys:manage_module_edit", args=[module.pk]))
    _shot(page, "module_form")
    page.goto(reverse("journeys:manage_account_create"))
    _shot(page, "account_form")
    page.goto(reverse("journeys:manage_pool_members", args=[pool.pk]))
    _shot(page, "pool_members")
    page.goto(reverse("journeys:account_list") + "?ordering=-arr")
    _shot(page, "account_list")
    assert "¥36,000,000" in page.content()
    page.goto(reverse("journeys:import_upload"))
    _shot(page, "import")
    page.goto(reverse("journeys:journey_list"))
    _shot(page, "journey_list")
    page.goto(reverse("journeys:pool_list"))
    _shot(page, "pool_list")
