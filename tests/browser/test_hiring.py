"""Hiring in a real browser: an interviewer's scorecard, from the hiring home to the
panel's scorecards."""

import json

import pytest
from django.urls import reverse

from hiring.models import HiringPolicy, KitQuestion, Scorecard, ScorecardRevision
from tests.browser.conftest import ARTIFACTS, log_in
from tests.factories import QuestionFactory, build_hiring

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _rate(page, field: str, rating: int) -> None:
    # The radios are drawn as buttons: their labels take the click.
    page.click(f"label[for=id_{field}_{rating - 1}]")


def _checked(page, field: str) -> str | None:
    return page.eval_on_selector_all(
        f"input[name={field}]:checked", "inputs => inputs.map(i => i.value)[0] || null"
    )


def _label_class(page, field: str, rating: int) -> str:
    return page.get_attribute(f"label[for=id_{field}_{rating - 1}]", "class")


def _wait_saved(page) -> None:
    page.wait_for_selector("#autosave-status[data-state=saved]")


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"hiring_scorecard_{name}.png", full_page=True)


def test_an_interviewer_fills_the_scorecard_and_only_then_sees_the_panel(page, org):
    world = build_hiring(org)
    empathy_question, logic_question = world.questions
    # A second empathy question, so that the proposal has a mean to round.
    second_empathy = QuestionFactory(
        competency=world.empathy,
        text="解約を迷うお客様にどう寄り添いますか？",
        text_en="How do you support a customer who is thinking of cancelling?",
    )
    KitQuestion.objects.create(kit=world.kit, question=second_empathy, position=3)
    world.kit.guidance = "候補者の緊張をほぐしてから始めてください。"
    world.kit.save()
    own_url = reverse("hiring:scorecard", args=[world.interview.pk])
    panel_url = reverse("hiring:scorecard", args=[world.panel_interview.pk])
    empathy = f"competency_{world.empathy.pk}"
    logic = f"competency_{world.logic.pk}"

    page.goto("/hiring/")
    log_in(page, "interviewer")
    page.wait_for_url("**/hiring/")
    page.get_by_role("link", name=world.candidate.name).click()
    page.wait_for_url(f"**{own_url}")
    assert "候補者の緊張をほぐしてから" in page.locator("#guidance").inner_text()

    # Bound by independence: the panelist's scorecard does not exist for them yet.
    assert page.goto(panel_url).status == 404
    page.goto(own_url)
    assert world.panelist.display_name not in page.content()

    # Part of the scorecard; the empathy rating is proposed live, 2.5 rounding to 3,
    # as a hint on the scale: the interviewer chooses it.
    page.fill(f"#id_question_{empathy_question.pk}_notes", "不安な顧客に寄り添った経験")
    _rate(page, f"question_{empathy_question.pk}", 2)
    assert _checked(page, empathy) is None
    assert "rating-proposed" in _label_class(page, empathy, 2)
    _rate(page, f"question_{second_empathy.pk}", 3)
    assert _checked(page, empathy) is None
    assert "rating-proposed" in _label_class(page, empathy, 3)
    assert "rating-proposed" not in _label_class(page, empathy, 2)
    _rate(page, empathy, 3)
    _wait_saved(page)
    _shot(page, "1_draft")

    page.reload()
    assert page.locator("#autosave-restored").is_hidden()
    assert (
        page.input_value(f"#id_question_{empathy_question.pk}_notes")
        == "不安な顧客に寄り添った経験"
    )
    assert _checked(page, f"question_{second_empathy.pk}") == "3"
    assert _checked(page, empathy) == "3"

    # The session expires while typing: nothing is lost, a login brings it back.
    page.context.clear_cookies(name="sessionid")
    page.fill("#id_summary", "落ち着いて説明できる")
    page.wait_for_selector("#autosave-expired:not(.d-none)")
    kept = json.loads(
        page.evaluate(f"localStorage.getItem('kata.scorecard.{world.interview.pk}')")
    )
    assert kept["fields"]["summary"] == "落ち着いて説明できる"
    _shot(page, "2_session_expired")
    page.click("#autosave-expired a")
    page.wait_for_url("**/login/**")
    log_in(page, "interviewer")
    page.wait_for_url(f"**{own_url}")
    page.wait_for_selector("#autosave-restored:not(.d-none)")
    _wait_saved(page)
    draft = ScorecardRevision.objects.get(scorecard__interview=world.interview)
    assert draft.summary == "落ち着いて説明できる"

    # A rating chosen by hand is never overwritten by the proposal.
    _rate(page, empathy, 4)
    _rate(page, f"question_{empathy_question.pk}", 3)
    assert _checked(page, empathy) == "4"
    page.fill(f"#id_question_{logic_question.pk}_notes", "結論から話せた")
    _rate(page, f"question_{logic_question.pk}", 4)
    assert _checked(page, logic) is None
    _rate(page, logic, 4)
    _rate(page, "overall", 4)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-scorecard")
    page.wait_for_url(f"**{own_url}")
    page.wait_for_selector("#scorecard-read-only")
    assert page.locator("#scorecard-form").count() == 0
    _shot(page, "3_submitted")

    # Only now the panel: the panelist's scorecard is listed and opens.
    page.locator("#panel").get_by_role("link", name=world.panelist.display_name).click()
    page.wait_for_url(f"**{panel_url}")
    assert f"notes on {empathy_question.pk}" in page.content()
    assert page.locator("#correction").count() == 0
    _shot(page, "4_panel")
    assert Scorecard.objects.get(interview=world.interview).is_submitted


def _kept(page, key: str):
    return json.loads(page.evaluate(f"localStorage.getItem('{key}')") or "null")


def test_a_draft_saved_in_another_window_is_not_overwritten(page, org):
    world = build_hiring(org)
    first, second = world.questions
    own_url = reverse("hiring:scorecard", args=[world.interview.pk])
    key = f"kata.scorecard.{world.interview.pk}"
    page.goto(own_url)
    log_in(page, "interviewer")
    page.wait_for_url(f"**{own_url}")

    # A second window on the same draft saves first.
    other = page.context.new_page()
    other.goto(own_url)
    other.fill("#id_summary", "別ウィンドウの要約")
    _wait_saved(other)

    # This window's autosave is refused: it stops, keeps the text, says to reload.
    page.fill(f"#id_question_{first.pk}_notes", "この窓のメモ")
    page.wait_for_selector("#autosave-conflict:not(.d-none)")
    # The interviewer reads Japanese (their preferred language).
    assert "別のウィンドウで変更" in page.inner_text("#autosave-conflict")
    assert page.get_attribute("#autosave-status", "data-state") == "error"
    page.fill(f"#id_question_{first.pk}_notes", "この窓のメモ、続き")
    page.wait_for_timeout(1500)  # longer than the autosave delay
    draft = ScorecardRevision.objects.get(scorecard__interview=world.interview)
    assert draft.summary == "別ウィンドウの要約"
    assert not draft.answers.filter(notes__startswith="この窓").exists()
    kept = _kept(page, f"{key}.conflict")
    assert kept["fields"] == {f"question_{first.pk}_notes": "この窓のメモ、続き"}
    # Nor does "Save draft" post this copy over the other window's.
    page.click("#save-draft")
    page.wait_for_timeout(500)
    assert page.locator("#autosave-conflict").is_visible()
    draft.refresh_from_db()
    assert draft.summary == "別ウィンドウの要約"
    _shot(page, "5_conflict")

    # After reloading: the other window's draft, and an offer to put the text back.
    page.click("#autosave-conflict a")
    page.wait_for_selector("#autosave-kept:not(.d-none)")
    assert page.input_value("#id_summary") == "別ウィンドウの要約"
    assert page.input_value(f"#id_question_{first.pk}_notes") == ""
    page.get_by_role("button", name="フォームに戻す").click()
    _wait_saved(page)
    draft.refresh_from_db()
    assert draft.summary == "別ウィンドウの要約"
    assert draft.answers.get(question=first).notes == "この窓のメモ、続き"
    assert _kept(page, f"{key}.conflict") is None
    other.close()


def test_read_only_scorecards_clear_what_a_shared_browser_kept(page, org):
    world = build_hiring(org)
    panel_url = reverse("hiring:scorecard", args=[world.panel_interview.pk])
    key = f"kata.scorecard.{world.panel_interview.pk}"
    own_url = reverse("hiring:scorecard", args=[world.interview.pk])
    # The policy shows interviewers the panel: the interviewer reads the panelist's.
    HiringPolicy.objects.update_or_create(
        pk=1, defaults={"panel_visibility": HiringPolicy.PanelVisibility.ALWAYS}
    )
    page.goto("/hiring/")
    log_in(page, "interviewer")
    page.wait_for_selector(f"a[href='{own_url}']")
    # Left behind by the panelist on this computer.
    page.evaluate(
        f"""localStorage.setItem('{key}', '{{"fields": {{"summary": "x"}}}}');
        localStorage.setItem('{key}.conflict', '{{"fields": {{"summary": "x"}}}}')"""
    )
    page.goto(panel_url)
    page.wait_for_selector("#scorecard-read-only")
    page.wait_for_function(f"localStorage.getItem('{key}') === null")
    assert _kept(page, f"{key}.conflict") is None
