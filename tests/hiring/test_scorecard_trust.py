"""Scorecards people trust (issue 11): no false conflict, nothing "saved" on an
untouched form, proposals that are hints only, the progress count, a confirmation
before submitting, and the candidate's context beside the form (the interviewer's
own earlier notes only)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from hiring import services
from hiring.models import ScorecardRevision
from tests.factories import (
    InterviewKitFactory,
    QuestionFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db


def _url(name, interview):
    return reverse(f"hiring:{name}", args=[interview.pk])


# --- 1. Conflicts compare content ---------------------------------------------------


def _stale_copy(hiring, org, **content):
    """The draft as a page loaded it, then saved elsewhere with `content`."""
    scorecard = hiring.interview.scorecard
    draft = services.scorecard_draft(scorecard=scorecard, by=org.interviewer)
    loaded_at = draft.saved_at
    services.scorecard_save_draft(scorecard=scorecard, by=org.interviewer, **content)
    return scorecard, loaded_at


def test_a_stale_copy_with_the_content_the_server_holds_is_no_conflict(org, hiring):
    first, _second = hiring.questions
    content = {
        "answers": {first.pk: {"notes": "同じメモ\n二行目", "rating": 3}},
        "competency_ratings": {hiring.empathy.pk: 3},
        "summary": "同じ要約",
        "overall": 3,
    }
    scorecard, loaded_at = _stale_copy(hiring, org, **content)
    saved_at = ScorecardRevision.objects.get(scorecard=scorecard).saved_at
    # The same content again, from the page that loaded the older version (line
    # breaks as a browser posts them).
    content["answers"][first.pk]["notes"] = "同じメモ\r\n二行目"
    draft = services.scorecard_save_draft(
        scorecard=scorecard, by=org.interviewer, expected_saved_at=loaded_at, **content
    )
    assert draft.saved_at == saved_at  # nothing written; the current version back


def test_a_stale_copy_with_other_content_is_still_a_conflict(org, hiring):
    scorecard, loaded_at = _stale_copy(hiring, org, summary="別ウィンドウの要約")
    with pytest.raises(services.DraftConflict):
        services.scorecard_save_draft(
            scorecard=scorecard,
            by=org.interviewer,
            expected_saved_at=loaded_at,
            summary="この窓の要約",
        )
    assert ScorecardRevision.objects.get(scorecard=scorecard).summary == (
        "別ウィンドウの要約"
    )


def test_the_autosave_answers_200_with_the_current_version_for_the_same_content(
    client, org, hiring
):
    scorecard, loaded_at = _stale_copy(hiring, org, summary="戻る前の要約")
    client.force_login(org.interviewer)
    response = client.post(
        _url("scorecard_autosave", hiring.interview),
        {"summary": "戻る前の要約", "expected_saved_at": loaded_at.isoformat()},
    )
    assert response.status_code == 200
    draft = ScorecardRevision.objects.get(scorecard=scorecard)
    assert response.json()["saved_at_ms"] == int(draft.saved_at.timestamp() * 1000)
    # The next save from that page, over the version it now knows, goes through.
    response = client.post(
        _url("scorecard_autosave", hiring.interview),
        {"summary": "続き", "expected_saved_at": response.json()["saved_at"]},
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.summary == "続き"


def test_no_session_expired_text_on_a_restore(client, org, hiring):
    client.force_login(org.interviewer)
    text = client.get(_url("scorecard", hiring.interview)).text
    restored = text.split('"restored": "')[1].split('"')[0]
    assert "session" not in restored and "expired" not in restored


# --- "Saved" only once something was saved -------------------------------------------


def test_an_untouched_form_shows_nothing_saved(client, org, hiring):
    client.force_login(org.interviewer)
    url = _url("scorecard", hiring.interview)
    client.get(url)
    response = client.get(url)
    assert not response.context["draft_touched"]
    assert "Saved " not in response.text.split('id="autosave-status"')[1][:200]
    client.post(_url("scorecard_autosave", hiring.interview), {"summary": "メモ"})
    response = client.get(url)
    assert response.context["draft_touched"]
    assert "Saved " in response.text.split('id="autosave-status"')[1][:200]


# --- 2. Proposals are hints; submit refuses unrated competencies ---------------------


def test_no_competency_is_chosen_for_the_interviewer(client, org, hiring):
    first, second = hiring.questions
    client.force_login(org.interviewer)
    client.post(
        _url("scorecard_autosave", hiring.interview),
        {f"question_{first.pk}": 4, f"question_{second.pk}": 2},
    )
    response = client.get(_url("scorecard", hiring.interview))
    for competency in (hiring.empathy, hiring.logic):
        assert response.context["form"][f"competency_{competency.pk}"].value() is None
        assert f'name="competency_{competency.pk}" value' in response.text
        assert (
            f'id="id_competency_{competency.pk}_'
            not in response.text.split("checked")[0][-60:]
        )
    text = response.text
    assert "Proposed: 4 · Above the bar" in text
    assert "Proposed: 2 · Below the bar" in text
    assert "checked" not in _fieldset(text, f"competency_{hiring.empathy.pk}")


def _fieldset(text: str, name: str) -> str:
    return text.split(f'id="field-{name}"')[1].split("</fieldset>")[0]


def test_submit_refuses_each_unrated_competency_with_its_error(client, org, hiring):
    first, second = hiring.questions
    client.force_login(org.interviewer)
    response = client.post(
        _url("scorecard_submit", hiring.interview),
        {f"question_{first.pk}": 3, f"question_{second.pk}": 3, "overall": 3},
    )
    assert response.status_code == 200
    assert not hiring.interview.scorecard.is_submitted
    for competency in (hiring.empathy, hiring.logic):
        fieldset = _fieldset(response.text, f"competency_{competency.pk}")
        assert f"“{competency}” has no rating" in fieldset
    missing = response.text.split('id="scorecard-missing"')[1].split("</div>")[0]
    assert f'href="#field-competency_{hiring.empathy.pk}"' in missing


# --- 3. Confirmation and progress ---------------------------------------------------


def test_the_submit_button_asks_first_and_save_draft_does_not(client, org, hiring):
    client.force_login(org.interviewer)
    text = client.get(_url("scorecard", hiring.interview)).text
    submit = text.split('id="submit-scorecard"')[1].split(">")[0]
    assert "data-confirm=" in submit and "final" in submit
    save = text.split('id="save-draft"')[1].split(">")[0]
    assert "data-confirm" not in save
    assert 'id="scorecard-form" data-confirm' not in text


def test_the_progress_counts_what_is_rated(client, org, hiring):
    first, _second = hiring.questions
    client.force_login(org.interviewer)
    url = _url("scorecard", hiring.interview)
    assert "0/5 rated" in client.get(url).text  # 2 questions, 2 competencies, overall
    client.post(
        _url("scorecard_autosave", hiring.interview),
        {f"question_{first.pk}": 3, f"competency_{hiring.empathy.pk}": 3},
    )
    text = client.get(url).text
    assert "2/5 rated" in text
    assert 'id="next-unrated"' in text


# --- 4. The candidate's context: the interviewer's own earlier notes only -------------


def _second_stage(org, hiring):
    kit = InterviewKitFactory(
        opening=hiring.opening,
        stage="second",
        questions=[QuestionFactory(competency=hiring.empathy)],
    )
    return schedule_interview(
        hiring.application,
        kit,
        org.interviewer,
        when=timezone.now() - timedelta(hours=1),
    )


def _panelist_wrote(hiring, summary: str) -> None:
    """The panelist's submitted first-stage scorecard (the fixture's) says this."""
    ScorecardRevision.objects.filter(
        scorecard__interview=hiring.panel_interview
    ).update(summary=summary)


def test_the_panel_shows_the_opening_its_description_and_the_resume(
    client, org, hiring
):
    hiring.opening.description = "顧客の成功を支援する役割です。"
    hiring.opening.save()
    hiring.candidate.resume_url = "https://files.example.com/resume/42.pdf"
    hiring.candidate.save()
    client.force_login(org.interviewer)
    text = client.get(_url("scorecard", hiring.interview)).text
    context = text.split('id="candidate-context"')[1].split('id="own-earlier-notes"')[0]
    assert hiring.opening.title in context
    assert "顧客の成功を支援する役割です。" in context
    assert 'href="https://files.example.com/resume/42.pdf"' in context
    assert 'rel="noopener noreferrer"' in context


def test_earlier_notes_are_the_interviewers_own_never_the_panels(client, org, hiring):
    # The first stage: the interviewer's own and the panelist's, both submitted.
    fill_scorecard(hiring.interview, ratings={}, summary="自分の一次面接の所見")
    _panelist_wrote(hiring, "他の面接官の所見")
    second = _second_stage(org, hiring)
    client.force_login(org.interviewer)
    text = client.get(_url("scorecard", second)).text
    notes = text.split('id="own-earlier-notes"')[1]
    assert "自分の一次面接の所見" in notes
    assert "3 · Hire" in notes
    assert "他の面接官の所見" not in text
    # Independence: still nothing of the panel while the second stage is open.
    assert hiring.panelist.display_name not in text


def test_another_viewer_of_a_scorecard_sees_no_earlier_notes(client, org, hiring):
    fill_scorecard(hiring.interview, ratings={}, summary="自分の一次面接の所見")
    _panelist_wrote(hiring, "他の面接官の所見")
    client.force_login(org.recruiter)
    text = client.get(_url("scorecard", hiring.interview)).text
    assert 'id="own-earlier-notes"' not in text


def test_earlier_notes_take_the_same_queries_for_more_stages(org, hiring):
    from hiring import selectors

    def count(scorecard):
        with CaptureQueriesContext(connection) as context:
            selectors.scorecard_own_earlier_notes(
                viewer=org.interviewer, scorecard=scorecard
            )
        return len(context)

    fill_scorecard(hiring.interview, ratings={})
    latest = _second_stage(org, hiring)
    assert count(latest.scorecard) <= 4
    fill_scorecard(latest, ratings={}, submit=False)
    kit = InterviewKitFactory(
        opening=hiring.opening,
        stage="final",
        questions=[QuestionFactory(competency=hiring.logic)],
    )
    final = schedule_interview(
        hiring.application, kit, org.interviewer, when=timezone.now()
    )
    assert (
        len(
            selectors.scorecard_own_earlier_notes(
                viewer=org.interviewer, scorecard=final.scorecard
            )
        )
        == 2
    )
    assert count(final.scorecard) <= 4  # a draft's answers: one more, not one each


def test_erasing_personal_data_erases_the_resume_link(org, hiring):
    hiring.candidate.resume_url = "https://files.example.com/resume/42.pdf"
    hiring.candidate.save()
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=org.recruiter, why="request"
    )
    hiring.candidate.refresh_from_db()
    assert hiring.candidate.resume_url == ""


def test_erasing_personal_data_erases_the_name_from_the_admin_log(org, hiring):
    """The admin index's Recent actions named the candidate as they were named
    when an admin changed them."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    name = hiring.candidate.name
    for record in (hiring.candidate, hiring.application, hiring.interview):
        LogEntry.objects.create(
            user=org.admin,
            content_type=ContentType.objects.get_for_model(record),
            object_id=str(record.pk),
            object_repr=str(record),
            action_flag=CHANGE,
        )
    assert LogEntry.objects.filter(object_repr__contains=name).count() == 3
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=org.recruiter, why="request"
    )
    assert not LogEntry.objects.filter(object_repr__contains=name).exists()
