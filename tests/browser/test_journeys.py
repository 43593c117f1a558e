"""Journeys in a real browser: a member opens an account, reads the next playbook and
records that the account reached a step."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import StepEvent
from tests.browser.conftest import ARTIFACTS, log_in
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"journeys_account_{name}.png", full_page=True)


def test_a_member_reads_the_next_playbook_and_records_a_step(page, org):
    journey, steps = journey_with_steps(4, name="Onboarding")
    account = CustomerAccountFactory(
        name="株式会社アクメ", journey=journey, owner=org.member_a
    )
    StepEventFactory(
        account=account,
        step=steps[0],
        reached_at=timezone.now() - timedelta(days=4),
    )
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    PlaybookVersionFactory(
        playbook=playbook,
        goal="{customer_name}の初期設定を2週間で終える",
        actions="設定ワークショップを開く\nチェックリストを送る",
    )
    CustomerAccountFactory(name="Other Co", journey=journey, owner=org.member_b)
    account_url = reverse("journeys:account_detail", args=[account.pk])

    # This member reads English, so that the test reads the page's words.
    org.member_a.preferred_language = "en"
    org.member_a.save(update_fields=["preferred_language"])
    page.goto(reverse("journeys:account_list"))
    log_in(page, "member_a")
    page.wait_for_url("**/journeys/accounts/")
    assert "Other Co" not in page.content()
    page.get_by_role("link", name="株式会社アクメ").click()
    page.wait_for_url(f"**{account_url}")
    assert "for 4 days" in page.locator("#current-step").inner_text()
    playbook_box = page.locator("#next-playbook")
    assert "株式会社アクメの初期設定を2週間で終える" in playbook_box.inner_text()
    _shot(page, "1_account")

    # The playbook is one click away.
    playbook_box.get_by_role("link", name="Open the playbook").click()
    page.wait_for_url(
        "**" + reverse("journeys:playbook_detail", args=[playbook.pk]) + "**"
    )
    assert "設定ワークショップを開く" in page.content()
    page.go_back()
    page.wait_for_url(f"**{account_url}")

    # Record that the account reached step 2; the form proposes it, and now.
    assert page.input_value("#id_record-step") == str(steps[1].pk)
    assert page.input_value("#id_record-reached_at")
    page.fill("#id_record-note", "ワークショップ実施")
    page.get_by_role("button", name="Record that the account reached this step").click()
    page.wait_for_selector(".alert-success")
    _shot(page, "2_recorded")
    assert "2. Step 2" in page.locator("#current-step").inner_text()
    event = StepEvent.objects.get(account=account, step=steps[1])
    assert (event.recorded_by, event.source, event.note) == (
        org.member_a,
        StepEvent.Source.UI,
        "ワークショップ実施",
    )
