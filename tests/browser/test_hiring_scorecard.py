"""The scorecard page's behaviour in a real browser: no false conflict, no "saved"
before anything is saved, the progress count with its jump, and the confirmation
before the irreversible submit."""

import pytest
from django.urls import reverse

from hiring import services
from hiring.models import Scorecard, ScorecardRevision
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, build_hiring

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _open_own_scorecard(page, org):
    world = build_hiring(org)
    url = reverse("hiring:scorecard", args=[world.interview.pk])
    page.goto(url)
    page.fill("#id_username", "interviewer")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{url}")
    page.wait_for_selector("#rating-progress")
    return world, url


def _rate(page, field: str, rating: int) -> None:
    page.click(f"label[for=id_{field}_{rating - 1}]")


def _progress(rated: int) -> str:
    return f"{rated}/5"


def _progress_of(page) -> str:
    # The count as the page shows it, in whichever language ("5/8 rated").
    text = page.inner_text("#rating-progress")
    return next(part for part in text.split() if "/" in part)


def _draft(world) -> ScorecardRevision:
    return ScorecardRevision.objects.get(scorecard__interview=world.interview)


def test_returning_quickly_with_the_same_content_is_no_conflict(page, org):
    world, url = _open_own_scorecard(page, org)
    draft = _draft(world)
    summary = "戻る前に書いた要約"
    # Left within a second of typing: this browser kept the text, and the save sent
    # on leaving has not arrived yet when the next page loads and restores it.
    page.evaluate(
        """([key, revision, base, summary]) => localStorage.setItem(key, JSON.stringify(
            {revision: revision, base: base, typedAt: Date.now(),
             fields: {summary: summary}}))""",
        [
            f"kata.scorecard.{world.interview.pk}",
            str(draft.pk),
            int(draft.saved_at.timestamp() * 1000),
            summary,
        ],
    )
    late = []

    def beacon_lands_first(route):
        # The save sent on leaving lands between the page's load and its restore.
        if not late:
            services.scorecard_save_draft(
                scorecard=world.interview.scorecard, by=org.interviewer, summary=summary
            )
            late.append(True)
        route.continue_()

    page.route("**/scorecard/draft/", beacon_lands_first)
    page.reload()
    page.wait_for_selector("#autosave-status[data-state=saved]")
    assert late
    assert page.locator("#autosave-conflict").is_hidden()
    restored = page.inner_text("#autosave-restored")
    assert restored and "セッション" not in restored  # the session did not expire
    assert page.locator("#autosave-expired").is_hidden()
    assert _draft(world).summary == summary
    # And the page goes on saving over the version it now knows.
    page.unroute("**/scorecard/draft/")
    page.fill("#id_summary", summary + "、続き")
    page.wait_for_selector("#autosave-status[data-state=saved]")
    assert _draft(world).summary == summary + "、続き"
    assert page.locator("#autosave-conflict").is_hidden()


def test_leaving_and_coming_back_at_once_saves_without_conflict(page, org):
    world, url = _open_own_scorecard(page, org)
    page.fill("#id_summary", "すぐ戻る")
    # Leave before the autosave runs (the beacon goes), and come straight back.
    page.goto("/hiring/")
    page.go_back()
    page.wait_for_url(f"**{url}")
    page.wait_for_timeout(1500)
    assert page.locator("#autosave-conflict").is_hidden()
    assert page.locator("#autosave-expired").is_hidden()
    page.fill("#id_summary", "すぐ戻る、そして続き")
    page.wait_for_selector("#autosave-status[data-state=saved]")
    assert page.locator("#autosave-conflict").is_hidden()
    assert _draft(world).summary == "すぐ戻る、そして続き"


def test_an_untouched_form_shows_nothing_saved(page, org):
    world, url = _open_own_scorecard(page, org)
    assert page.inner_text("#autosave-status") == ""
    page.reload()
    page.wait_for_timeout(1500)
    assert page.inner_text("#autosave-status") == ""
    assert page.locator("#autosave-restored").is_hidden()
    page.fill("#id_summary", "最初のメモ")
    page.wait_for_selector("#autosave-status[data-state=saved]")
    page.reload()
    assert "保存" in page.inner_text("#autosave-status")


def test_progress_counts_ratings_and_jumps_to_the_next_unrated(page, org):
    world, url = _open_own_scorecard(page, org)
    first, second = world.questions
    # Two questions, two competencies and the overall recommendation.
    assert _progress_of(page) == _progress(0)
    page.click("#next-unrated")
    jumped = page.locator(".rating-jumped")
    assert jumped.get_attribute("id") == f"field-question_{first.pk}"
    assert jumped.is_visible()
    _rate(page, f"question_{first.pk}", 3)
    assert _progress_of(page) == _progress(1)
    # Rating a question proposes its competency, and chooses nothing.
    assert page.locator(".rating-jumped").count() == 0
    page.evaluate("window.scrollTo(0, 0)")
    page.click("#next-unrated")
    assert page.get_attribute(".rating-jumped", "id") == f"field-question_{second.pk}"
    _rate(page, f"question_{second.pk}", 2)
    # "Next unrated" takes the first one below the top third of the view: from the
    # top, whatever the window scrolled to when the label was clicked.
    page.evaluate("window.scrollTo(0, 0)")
    page.click("#next-unrated")
    assert page.get_attribute(".rating-jumped", "id") == (
        f"field-competency_{world.empathy.pk}"
    )
    for field in (f"competency_{world.empathy.pk}", f"competency_{world.logic.pk}"):
        _rate(page, field, 3)
    _rate(page, "overall", 3)
    assert _progress_of(page) == _progress(5)
    assert page.locator("#next-unrated").is_hidden()
    page.wait_for_selector("#autosave-status[data-state=saved]")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "hiring_scorecard_ja.png", full_page=True)


def test_submitting_asks_first_and_cancelling_keeps_the_draft(page, org):
    world, url = _open_own_scorecard(page, org)
    first, second = world.questions
    for question in (first, second):
        _rate(page, f"question_{question.pk}", 3)
    for field in (f"competency_{world.empathy.pk}", f"competency_{world.logic.pk}"):
        _rate(page, field, 3)
    _rate(page, "overall", 3)
    asked = []
    answers = ["dismiss"]

    def answer(dialog):
        asked.append(dialog.message)
        if answers.pop(0) == "accept":
            dialog.accept()
        else:
            dialog.dismiss()

    page.on("dialog", answer)
    page.click("#submit-scorecard")
    page.wait_for_timeout(300)
    assert asked == [page.get_attribute("#submit-scorecard", "data-confirm")]
    assert not Scorecard.objects.get(interview=world.interview).is_submitted
    # Still the form, still autosaving.
    page.fill("#id_summary", "提出前に一言")
    page.wait_for_selector("#autosave-status[data-state=saved]")
    assert _draft(world).summary == "提出前に一言"
    # "Save draft" does not ask.
    page.click("#save-draft")
    page.wait_for_url(f"**{url}")
    page.wait_for_selector("#rating-progress")
    assert len(asked) == 1
    answers.append("accept")
    page.click("#submit-scorecard")
    page.wait_for_selector("#scorecard-read-only")
    assert len(asked) == 2
    assert Scorecard.objects.get(interview=world.interview).is_submitted


def test_submit_refuses_unrated_competencies_each_with_its_error(page, org):
    world, url = _open_own_scorecard(page, org)
    first, second = world.questions
    _rate(page, f"question_{first.pk}", 4)
    _rate(page, f"question_{second.pk}", 4)
    _rate(page, "overall", 4)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-scorecard")
    page.wait_for_selector("#scorecard-missing")
    for competency in (world.empathy, world.logic):
        error = page.inner_text(f"#error-competency_{competency.pk}")
        assert error, f"no error under {competency}"
    assert not Scorecard.objects.get(interview=world.interview).is_submitted
