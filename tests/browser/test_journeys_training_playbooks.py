"""Issue 11 in a real browser: a manager reads who on their team passed a module
(no quiz form pushed at them), and a member works through a playbook for one of
their accounts, ticking an action that stays ticked after a reload."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import TrainingCompletion
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    StepEventFactory,
    TrainingModuleFactory,
    add_quiz,
    journey_with_steps,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, user, url):
    page.goto(url)
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{url}")


def test_a_manager_reads_who_passed_a_module(page, org):
    org.manager_a.preferred_language = "en"
    org.manager_a.save()
    _journey, steps = journey_with_steps(2, name="Onboarding journey")
    module = TrainingModuleFactory(from_step=steps[0], title="Kickoff training")
    add_quiz(module, questions=2, pass_mark=50)
    TrainingCompletion.objects.create(
        member=org.member_a,
        module=module,
        completed_at=timezone.now() - timedelta(days=3),
        passed=True,
        score=100,
    )

    _login(page, org.manager_a, module.get_absolute_url())

    table = page.inner_text("[data-testid=passers]")
    assert "秋山" in table and "Passed" in table and "Not started" in table
    assert page.locator("input[type=radio]").count() == 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "module_passers.png", full_page=True)
    page.click("text=秋山")
    page.wait_for_url(f"**{reverse('recognition:member', args=[org.member_a.pk])}")


def test_a_member_works_through_a_playbook_for_an_account(page, org):
    org.member_a.preferred_language = "en"
    org.member_a.save()
    journey, steps = journey_with_steps(3, name="Onboarding journey")
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    PlaybookVersionFactory(
        playbook=playbook,
        goal="Kick off {customer_name}",
        actions="Run the kickoff\nSend the plan",
    )
    account = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    StepEventFactory(account=account, step=steps[0])

    _login(page, org.member_a, account.get_absolute_url())
    page.click("[data-testid=work-through-playbook]")
    page.wait_for_url(f"**{reverse('journeys:account_playbook', args=[account.pk])}")
    page.locator("#action-2 button").click()
    page.wait_for_load_state()
    page.reload()
    assert "1 of 2 done" in page.inner_text("[data-testid=checklist-progress]")
    assert "Ticked by" in page.inner_text("#action-2")
