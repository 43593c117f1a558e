"""A form is sent once: a double click on its button (or Enter pressed twice)
creates one record, not two (static/js/kata.js)."""

import time

import pytest
from django.urls import reverse

from journeys import services
from journeys.models import PlaybookVersion
from tests.browser.conftest import log_in
from tests.journeys.factories import (
    PlaybookFactory,
    PlaybookVersionFactory,
    journey_with_steps,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def playbook(org):
    _journey, (step, *_rest) = journey_with_steps(3, name="オンボーディング")
    playbook = PlaybookFactory(from_step=step, owner=org.manager_a)
    PlaybookVersionFactory(playbook=playbook, goal="初期設定を2週間で終える")
    return playbook


def test_a_double_click_on_save_creates_one_version(page, org, playbook, monkeypatch):
    # A busy server: the first post is still on its way when the second click
    # comes, as on a slow connection (the live server runs in this process).
    revise = services.playbook_revise

    def slow_revise(**kwargs):
        time.sleep(1)
        return revise(**kwargs)

    monkeypatch.setattr(services, "playbook_revise", slow_revise)
    url = reverse("journeys:playbook_revise", args=[playbook.pk])
    page.goto(url)
    log_in(page, org.manager_a.username)
    page.wait_for_url(f"**{url}")
    page.fill("#id_goal", "初期設定を10日で終える")
    page.fill("#id_note", "期間を短くした")
    # Two clicks 200 ms apart, as a person's double click on a slow day.
    page.evaluate(
        """() => new Promise((resolve) => {
            const buttons = document.querySelector("#id_goal").form
                .querySelectorAll("[type=submit]");
            const save = buttons[buttons.length - 1];
            save.click();
            setTimeout(() => { save.click(); resolve(); }, 200);
        })"""
    )
    page.wait_for_url(f"**{reverse('journeys:playbook_detail', args=[playbook.pk])}*")
    page.wait_for_load_state("networkidle")
    time.sleep(1.5)  # a second post, had it gone, would have been saved by now
    assert PlaybookVersion.objects.filter(playbook=playbook).count() == 2


def test_a_form_cancelled_at_its_question_can_be_sent_again(page, org, playbook):
    """A submit that a confirm or a check cancelled leaves the form ready."""
    url = reverse("journeys:playbook_revise", args=[playbook.pk])
    page.goto(url)
    log_in(page, org.manager_a.username)
    page.wait_for_url(f"**{url}")
    page.fill("#id_goal", "初期設定を10日で終える")
    page.evaluate(
        """() => {
            const form = document.querySelector("#id_goal").form;
            form.addEventListener("submit", (event) => event.preventDefault(),
                                  {once: true});
            form.requestSubmit();
        }"""
    )
    page.wait_for_timeout(100)
    form = page.locator("form", has=page.locator("#id_goal"))
    form.locator("[type=submit]").last.click()
    page.wait_for_url(f"**{reverse('journeys:playbook_detail', args=[playbook.pk])}*")
    assert PlaybookVersion.objects.filter(playbook=playbook).count() == 2


def test_a_submit_cancelled_after_kata_js_leaves_the_form_ready(page, org, playbook):
    """A page's own check on the document, after kata.js's (as scorecard.js's),
    cancels a submit: the form is not taken for one on its way."""
    url = reverse("journeys:playbook_revise", args=[playbook.pk])
    page.goto(url)
    log_in(page, org.manager_a.username)
    page.wait_for_url(f"**{url}")
    page.fill("#id_goal", "初期設定を10日で終える")
    page.evaluate(
        """() => {
            document.addEventListener("submit", (event) => event.preventDefault(),
                                      {once: true});
            document.querySelector("#id_goal").form.requestSubmit();
        }"""
    )
    page.wait_for_timeout(100)
    assert (
        page.evaluate('() => document.querySelector("#id_goal").form.dataset.sending')
        is None
    )
    form = page.locator("form", has=page.locator("#id_goal"))
    form.locator("[type=submit]").last.click()
    page.wait_for_url(f"**{reverse('journeys:playbook_detail', args=[playbook.pk])}*")
    assert PlaybookVersion.objects.filter(playbook=playbook).count() == 2
