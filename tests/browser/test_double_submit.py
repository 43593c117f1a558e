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


def _open_the_revise_page(page, org, playbook) -> None:
    url = reverse("journeys:playbook_revise", args=[playbook.pk])
    page.goto(url)
    log_in(page, org.manager_a.username)
    page.wait_for_url(f"**{url}")
    page.fill("#id_goal", "初期設定を10日で終える")


def _saved_and_shown(page, playbook) -> None:
    page.wait_for_url(f"**{reverse('journeys:playbook_detail', args=[playbook.pk])}*")


def test_a_double_click_on_save_creates_one_version(page, org, playbook, monkeypatch):
    # A busy server: the first post is still on its way when the second click
    # comes, as on a slow connection (the live server runs in this process).
    revise = services.playbook_revise

    def slow_revise(**kwargs):
        time.sleep(1)
        return revise(**kwargs)

    monkeypatch.setattr(services, "playbook_revise", slow_revise)
    _open_the_revise_page(page, org, playbook)
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
    _saved_and_shown(page, playbook)
    page.wait_for_load_state("networkidle")
    time.sleep(1.5)  # a second post, had it gone, would have been saved by now
    assert PlaybookVersion.objects.filter(playbook=playbook).count() == 2


@pytest.mark.parametrize(
    "listening_on",
    [
        # The form's own check (a confirm, scorecard.js's conflict), before
        # kata.js's listeners on the document.
        "document.querySelector('#id_goal').form",
        # A page's check on the document after kata.js's (as scorecard.js's).
        "document",
    ],
)
def test_a_cancelled_submit_leaves_the_form_ready(page, org, playbook, listening_on):
    _open_the_revise_page(page, org, playbook)
    page.evaluate(
        f"""() => {{
            {listening_on}.addEventListener(
                "submit", (event) => event.preventDefault(), {{once: true}});
            document.querySelector("#id_goal").form.requestSubmit();
        }}"""
    )
    page.wait_for_timeout(100)
    sending = '() => document.querySelector("#id_goal").form.dataset.sending'
    assert page.evaluate(sending) is None
    form = page.locator("form", has=page.locator("#id_goal"))
    form.locator("[type=submit]").last.click()
    _saved_and_shown(page, playbook)
    assert PlaybookVersion.objects.filter(playbook=playbook).count() == 2
