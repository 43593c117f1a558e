"""Scorecard pages: drafts, autosave, submit, corrections, history, independence."""

import re
from fractions import Fraction

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from hiring import selectors, services
from hiring.models import AnswerRating, KitQuestion, ScorecardRevision
from tests.factories import (
    InterviewKitFactory,
    QuestionFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db


def _url(name, interview):
    return reverse(f"hiring:{name}", args=[interview.pk])


def _form(answers=None, competencies=None, overall=None, summary=None) -> dict:
    """What the page posts: `answers` maps a question to (notes, rating)."""
    data = {}
    for question, (notes, rating) in (answers or {}).items():
        data[f"question_{question.pk}_notes"] = notes
        if rating is not None:
            data[f"question_{question.pk}"] = rating
    for competency, rating in (competencies or {}).items():
        data[f"competency_{competency.pk}"] = rating
    if overall is not None:
        data["overall"] = overall
    if summary is not None:
        data["summary"] = summary
    return data


def _complete(world, **changes) -> dict:
    empathy_question, logic_question = world.questions
    values = {
        "answers": {
            empathy_question: ("共感を示した具体例", 4),
            logic_question: ("筋道立てて説明", 2),
        },
        "competencies": {world.empathy: 4, world.logic: 2},
        "overall": 3,
        "summary": "丁寧な対応",
    } | changes
    return _form(**values)


def _snapshot(scorecard):
    """Everything written on a scorecard, to show that a refused post changed
    nothing."""
    return [
        (
            revision.number,
            revision.overall,
            revision.summary,
            revision.submitted_at,
            revision.saved_at,
            sorted(revision.answers.values_list("question_id", "notes", "rating")),
            sorted(revision.competency_ratings.values_list("competency_id", "rating")),
        )
        for revision in ScorecardRevision.objects.filter(scorecard=scorecard)
    ]


# --- The interviewer's form --------------------------------------------------------


def test_the_form_shows_the_kit_in_order_with_rubrics_and_the_rating_scale(
    client, org, hiring
):
    hiring.kit.guidance = "最初に自己紹介をしてください。"
    hiring.kit.save()
    client.force_login(org.interviewer)
    response = client.get(_url("scorecard", hiring.interview))
    assert response.status_code == 200
    text = response.text
    assert "最初に自己紹介をしてください。" in text
    first, second = hiring.questions
    assert text.index(first.text_en) < text.index(second.text_en)
    assert text.index(first.text_en) > text.index("最初に自己紹介")
    assert "Empathy · Past behaviour" in text
    assert "below the bar" in text  # the rubric for a 2
    for label in (
        "1 · Far below the bar",
        "2 · Below the bar",
        "3 · Meets the bar",
        "4 · Above the bar",
        "1 · Strong no hire",
        "4 · Strong hire",
    ):
        assert label in text
    assert f'name="question_{first.pk}_notes"' in text
    assert f'name="competency_{hiring.logic.pk}"' in text
    assert 'name="overall"' in text
    # Bound by independence: the panelist's scorecard is not even named.
    assert hiring.panelist.display_name not in text
    assert "stay hidden until you submit yours" in text


def test_a_draft_saves_partially_and_survives_a_reload(client, org, hiring):
    first, second = hiring.questions
    client.force_login(org.interviewer)
    response = client.post(
        _url("scorecard_autosave", hiring.interview),
        _form(answers={first: ("最初の回答メモ", 3)}),
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"].startswith("Saved ")
    assert body["saved_at"]

    page = client.get(_url("scorecard", hiring.interview)).text
    assert "最初の回答メモ" in page
    assert f'id="id_question_{first.pk}_2" checked' in page
    draft = ScorecardRevision.objects.get(scorecard=hiring.interview.scorecard)
    assert draft.submitted_at is None
    assert draft.answers.get(question=first).rating == 3
    assert not draft.answers.filter(question=second).exists()


def test_an_autosave_of_some_fields_keeps_the_others(client, org, hiring):
    first, _second = hiring.questions
    client.force_login(org.interviewer)
    url = _url("scorecard_autosave", hiring.interview)
    client.post(url, _form(answers={first: ("メモ", 4)}, overall=4))
    assert client.post(url, {"summary": "まとめ"}).status_code == 200
    draft = ScorecardRevision.objects.get(scorecard=hiring.interview.scorecard)
    assert (draft.summary, draft.overall) == ("まとめ", 4)
    assert draft.answers.get(question=first).notes == "メモ"


def test_save_draft_works_without_javascript(client, org, hiring):
    first, _second = hiring.questions
    client.force_login(org.interviewer)
    response = client.post(
        _url("scorecard", hiring.interview),
        _form(answers={first: ("JSなしのメモ", 2)}, summary="途中"),
        follow=True,
    )
    assert response.redirect_chain == [(_url("scorecard", hiring.interview), 302)]
    assert "Your draft is saved." in response.text
    assert "JSなしのメモ" in response.text


def test_autosave_refuses_a_rating_outside_1_to_4_with_a_message_per_field(
    client, org, hiring
):
    first, second = hiring.questions
    client.force_login(org.interviewer)
    response = client.post(
        _url("scorecard_autosave", hiring.interview),
        _form(
            answers={first: ("残らないメモ", 5), second: ("", 0)},
            competencies={hiring.logic: 9},
        ),
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    message = ["A rating is a whole number from 1 to 4."]
    assert errors == {
        f"question_{first.pk}": message,
        f"question_{second.pk}": message,
        f"competency_{hiring.logic.pk}": message,
    }
    assert not AnswerRating.objects.filter(notes="残らないメモ").exists()


def test_autosave_without_a_session_answers_401_json_and_writes_nothing(client, hiring):
    first, _second = hiring.questions
    before = _snapshot(hiring.interview.scorecard)
    response = client.post(
        _url("scorecard_autosave", hiring.interview),
        _form(answers={first: ("メモ", 3)}),
    )
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert "session has expired" in response.json()["error"]
    assert _snapshot(hiring.interview.scorecard) == before


def test_a_logged_out_submit_leads_to_a_login_that_returns_to_the_scorecard(
    client, hiring
):
    response = client.post(_url("scorecard_submit", hiring.interview), {})
    page = _url("scorecard", hiring.interview)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={page}"


def test_the_expired_session_message_links_to_a_login_returning_here(
    client, org, hiring
):
    client.force_login(org.interviewer)
    page = _url("scorecard", hiring.interview)
    text = client.get(page).text
    assert f'href="{reverse("login")}?next={page}"' in text
    assert 'id="autosave-expired"' in text
    assert f'data-storage-key="kata.scorecard.{hiring.interview.pk}"' in text


def test_the_page_gives_its_script_the_draft_time_as_a_plain_number(
    client, org, hiring
):
    client.force_login(org.interviewer)
    first, _second = hiring.questions
    saved = client.post(
        _url("scorecard_autosave", hiring.interview), _form(answers={first: ("", 3)})
    ).json()
    text = client.get(_url("scorecard", hiring.interview)).text
    # Not "1,795,…": numbers on pages are localised, this one must not be.
    assert f'data-saved-at="{saved["saved_at_ms"]}"' in text
    assert re.search(r'data-revision="\d+"', text)


# --- Proposed competency ratings -------------------------------------------------


@pytest.mark.parametrize(
    ("ratings", "proposed"),
    [([2, 3], 3), ([1, 2], 2), ([3, 4], 4), ([2, 2, 3], 2), ([2, 3, 3], 3), ([], None)],
)
def test_the_proposed_rating_is_the_mean_rounded_half_up(ratings, proposed):
    assert services.proposed_rating(ratings) == proposed


def _one_competency_world(org, hiring):
    """A second-stage kit asking two questions on empathy."""
    questions = [
        QuestionFactory(competency=hiring.empathy),
        QuestionFactory(competency=hiring.empathy),
    ]
    kit = InterviewKitFactory(
        opening=hiring.opening, stage="second", questions=questions
    )
    return schedule_interview(hiring.application, kit, org.interviewer), questions


def test_the_page_proposes_2_5_as_3(client, org, hiring):
    interview, (first, second) = _one_competency_world(org, hiring)
    client.force_login(org.interviewer)
    client.post(
        _url("scorecard_autosave", interview),
        _form(answers={first: ("", 2), second: ("", 3)}),
    )
    text = client.get(_url("scorecard", interview)).text
    assert "Proposed: 3 · Meets the bar" in text
    field = f"competency_{hiring.empathy.pk}"
    assert f'name="{field}" value="3"' in text
    # A hint only: marked on the scale, not chosen for the interviewer.
    assert f'name="{field}" value="3"' in text
    assert f'id="id_{field}_2" checked' not in text
    assert f'rating-proposed" for="id_{field}_2"' in text


def test_a_competency_rating_chosen_by_hand_stays_and_is_marked(client, org, hiring):
    interview, (first, second) = _one_competency_world(org, hiring)
    client.force_login(org.interviewer)
    client.post(
        _url("scorecard_autosave", interview),
        _form(
            answers={first: ("", 2), second: ("", 3)},
            competencies={hiring.empathy: 1},
        ),
    )
    text = client.get(_url("scorecard", interview)).text
    field = f"competency_{hiring.empathy.pk}"
    assert f'id="id_{field}_0" checked' in text
    assert "Proposed: 3 · Meets the bar" in text


# --- Submitting --------------------------------------------------------------------


def test_submit_with_missing_items_lists_them_and_keeps_what_was_typed(
    client, org, hiring
):
    first, second = hiring.questions
    client.force_login(org.interviewer)
    response = client.post(
        _url("scorecard_submit", hiring.interview),
        _form(
            answers={first: ("具体的なエピソード", 3), second: ("論理の説明", None)},
            summary="途中のまとめ",
        ),
    )
    assert response.status_code == 200
    text = response.text
    assert 'id="scorecard-missing"' in text
    assert f'href="#field-question_{second.pk}">Question 2 has no rating.' in text
    assert f'href="#field-competency_{hiring.logic.pk}">' in text
    assert "The competency “Logic” has no rating." in text
    assert 'href="#field-overall">The overall recommendation is missing.' in text
    # The message on the field too, and everything typed still there.
    assert text.count("Question 2 has no rating.") == 2
    assert "具体的なエピソード" in text and "途中のまとめ" in text
    scorecard = hiring.interview.scorecard
    scorecard.refresh_from_db()
    assert not scorecard.is_submitted
    draft = ScorecardRevision.objects.get(scorecard=scorecard)
    assert draft.summary == "途中のまとめ"
    assert draft.answers.get(question=first).notes == "具体的なエピソード"


def test_a_submitted_scorecard_is_read_only_and_refuses_later_posts(
    client, org, hiring
):
    client.force_login(org.interviewer)
    response = client.post(
        _url("scorecard_submit", hiring.interview), _complete(hiring), follow=True
    )
    assert response.redirect_chain == [(_url("scorecard", hiring.interview), 302)]
    assert "Your scorecard is submitted." in response.text
    assert "共感を示した具体例" in response.text
    assert 'id="scorecard-form"' not in response.text
    assert "Correct this scorecard" in response.text
    scorecard = hiring.interview.scorecard
    scorecard.refresh_from_db()
    assert scorecard.is_submitted
    before = _snapshot(scorecard)

    changed = _complete(hiring, overall=1, summary="書き換え")
    autosave = client.post(_url("scorecard_autosave", hiring.interview), changed)
    assert autosave.status_code == 409
    assert "start a correction" in autosave.json()["error"]
    submit = client.post(_url("scorecard_submit", hiring.interview), changed)
    assert submit.status_code == 302
    page = client.post(_url("scorecard", hiring.interview), changed, follow=True)
    assert "This scorecard is submitted" in page.text
    assert _snapshot(scorecard) == before


# --- Corrections and history -------------------------------------------------------


def test_a_correction_creates_revision_2_with_its_reason_and_the_fit_score_follows(
    client, hiring
):
    panel = hiring.panel_interview
    client.force_login(hiring.panelist)
    application = [hiring.application.pk]
    assert selectors.fit_scores(application_ids=application) == {
        hiring.application.pk: Fraction(75)
    }

    refused = client.post(_url("scorecard_correct", panel), {"reason": "  "})
    assert refused.status_code == 200
    assert "Say why the scorecard is corrected." in refused.text
    assert ScorecardRevision.objects.filter(scorecard=panel.scorecard).count() == 1

    response = client.post(
        _url("scorecard_correct", panel), {"reason": "共感力を過大評価していた"}
    )
    assert response.status_code == 302
    page = client.get(_url("scorecard", panel)).text
    assert "共感力を過大評価していた" in page
    assert "Discard this correction" in page
    assert 'id="scorecard-form"' in page
    # Until it is submitted, the correction changes no number.
    assert selectors.fit_scores(application_ids=application)[
        hiring.application.pk
    ] == Fraction(75)

    empathy_question, _logic_question = hiring.questions
    client.post(
        _url("scorecard_submit", panel),
        _form(
            answers={empathy_question: ("見直し", 2)}, competencies={hiring.empathy: 2}
        ),
    )
    panel.scorecard.refresh_from_db()
    assert panel.scorecard.current.number == 2
    # empathy 2 (weight 5), logic 2 (weight 3): 100 × (5·⅓ + 3·⅓) / 8
    assert selectors.fit_scores(application_ids=application) == {
        hiring.application.pk: Fraction(100, 3)
    }

    history = client.get(_url("scorecard_history", panel)).text
    assert 'id="revision-1"' in history and 'id="revision-2"' in history
    assert "共感力を過大評価していた" in history
    assert history.count(hiring.panelist.display_name) >= 3  # header and each revision
    assert history.count("Submitted</dt>") == 2
    assert "not yet" not in history


def test_a_correction_can_be_discarded_and_the_submitted_revision_stays(client, hiring):
    panel = hiring.panel_interview
    client.force_login(hiring.panelist)
    client.post(_url("scorecard_correct", panel), {"reason": "見直す"})
    response = client.post(_url("scorecard_correct", panel), {"discard": "1"})
    assert response.status_code == 302
    revisions = ScorecardRevision.objects.filter(scorecard=panel.scorecard)
    assert [revision.number for revision in revisions] == [1]
    assert 'id="scorecard-read-only"' in client.get(_url("scorecard", panel)).text


def test_others_read_the_submitted_revision_never_the_open_correction(
    client, org, hiring
):
    panel = hiring.panel_interview
    client.force_login(hiring.panelist)
    client.post(_url("scorecard_correct", panel), {"reason": "見直し中"})
    empathy_question, _logic_question = hiring.questions
    client.post(
        _url("scorecard_autosave", panel),
        _form(answers={empathy_question: ("下書きの秘密", 1)}),
    )
    client.force_login(org.recruiter)
    page = client.get(_url("scorecard", panel)).text
    assert f"notes on {empathy_question.pk}" in page
    assert "下書きの秘密" not in page
    assert 'id="scorecard-form"' not in page
    history = client.get(_url("scorecard_history", panel)).text
    assert 'id="revision-1"' in history
    assert 'id="revision-2"' not in history and "下書きの秘密" not in history


def test_history_queries_do_not_grow_with_revisions(
    client, hiring, django_assert_max_num_queries
):
    panel = hiring.panel_interview
    client.force_login(hiring.panelist)
    url = _url("scorecard_history", panel)
    client.get(url)  # the hiring policy's row is created on first use
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    for number in range(3):
        client.post(_url("scorecard_correct", panel), {"reason": f"見直し {number}"})
        client.post(_url("scorecard_submit", panel), _complete(hiring))
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert 'id="revision-4"' in response.text


def test_the_form_queries_do_not_grow_with_the_kit(client, org, hiring):
    url = _url("scorecard", hiring.interview)
    client.force_login(org.interviewer)
    client.get(url)  # the draft and the hiring policy's row are created on first use

    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context)

    small = queries()
    for position in range(3, 8):
        question = QuestionFactory(
            competency=[hiring.logic, hiring.empathy][position % 2]
        )
        KitQuestion.objects.create(kit=hiring.kit, question=question, position=position)
    client.post(
        _url("scorecard_autosave", hiring.interview),
        _form(answers={q: ("メモ", 3) for q in hiring.questions}),
    )
    assert queries() == small


# --- Independence and visibility ---------------------------------------------------


def test_a_bound_interviewer_sees_the_panelists_scorecard_only_after_submitting(
    client, org, hiring
):
    panel = hiring.panel_interview
    client.force_login(org.interviewer)
    assert client.get(_url("scorecard", panel)).status_code == 404
    assert client.get(_url("scorecard_history", panel)).status_code == 404

    client.post(_url("scorecard_submit", hiring.interview), _complete(hiring))
    own = client.get(_url("scorecard", hiring.interview)).text
    assert f'href="{_url("scorecard", panel)}"' in own
    response = client.get(_url("scorecard", panel))
    assert response.status_code == 200
    assert f"notes on {hiring.questions[0].pk}" in response.text
    assert "Correct this scorecard" not in response.text


@pytest.mark.parametrize("role", ["admin", "recruiter", "manager"])
def test_anothers_draft_is_404_even_for_those_who_run_hiring(client, org, hiring, role):
    first, _second = hiring.questions
    fill_scorecard(hiring.interview, ratings={}, submit=False)
    scorecard = hiring.interview.scorecard
    before = _snapshot(scorecard)
    client.force_login(org.by_role()[role])
    assert client.get(_url("scorecard", hiring.interview)).status_code == 404
    assert client.get(_url("scorecard_history", hiring.interview)).status_code == 404
    changed = _complete(hiring, summary="書き換え")
    assert (
        client.post(_url("scorecard_autosave", hiring.interview), changed).status_code
        == 404
    )
    assert (
        client.post(_url("scorecard_submit", hiring.interview), changed).status_code
        == 404
    )
    assert client.post(_url("scorecard", hiring.interview), changed).status_code == 404
    assert _snapshot(scorecard) == before
    # The submitted panel scorecard they do see.
    assert client.get(_url("scorecard", hiring.panel_interview)).status_code == 200


def test_an_outsider_gets_404_everywhere_and_nothing_is_written(client, org, hiring):
    panel = hiring.panel_interview
    before = _snapshot(panel.scorecard)
    client.force_login(org.member_a)
    for name in ("scorecard", "scorecard_history"):
        assert client.get(_url(name, panel)).status_code == 404
    changed = _complete(hiring, summary="外部から")
    for name in ("scorecard", "scorecard_autosave", "scorecard_submit"):
        assert client.post(_url(name, panel), changed).status_code == 404
    assert (
        client.post(_url("scorecard_correct", panel), {"reason": "x"}).status_code
        == 404
    )
    assert _snapshot(panel.scorecard) == before


def test_who_may_read_a_scorecard_may_not_write_it(client, org, hiring):
    panel = hiring.panel_interview
    before = _snapshot(panel.scorecard)
    client.force_login(org.admin)
    changed = _complete(hiring, summary="管理者が書き換え")
    assert client.post(_url("scorecard_autosave", panel), changed).status_code == 403
    assert client.post(_url("scorecard_submit", panel), changed).status_code == 403
    assert client.post(_url("scorecard", panel), changed).status_code == 403
    assert (
        client.post(_url("scorecard_correct", panel), {"reason": "x"}).status_code
        == 403
    )
    assert _snapshot(panel.scorecard) == before


# --- Two windows on one draft ------------------------------------------------------


def _expected_saved_at(text: str) -> str:
    return re.search(r'data-expected-saved-at="([^"]+)"', text).group(1)


def test_the_page_gives_its_script_the_drafts_exact_version(client, org, hiring):
    client.force_login(org.interviewer)
    text = client.get(_url("scorecard", hiring.interview)).text
    draft = ScorecardRevision.objects.get(scorecard=hiring.interview.scorecard)
    assert parse_datetime(_expected_saved_at(text)) == draft.saved_at


def test_autosave_with_the_current_version_saves_and_returns_the_next_one(
    client, org, hiring
):
    first, _second = hiring.questions
    client.force_login(org.interviewer)
    url = _url("scorecard_autosave", hiring.interview)
    version = _expected_saved_at(client.get(_url("scorecard", hiring.interview)).text)
    response = client.post(
        url, _form(answers={first: ("一つ目", 3)}) | {"expected_saved_at": version}
    )
    assert response.status_code == 200
    draft = ScorecardRevision.objects.get(scorecard=hiring.interview.scorecard)
    assert parse_datetime(response.json()["saved_at"]) == draft.saved_at
    # The returned version is the one the next autosave sends.
    response = client.post(
        url,
        _form(answers={first: ("二つ目", 3)})
        | {"expected_saved_at": response.json()["saved_at"]},
    )
    assert response.status_code == 200
    assert draft.answers.get(question=first).notes == "二つ目"


def test_autosave_from_a_stale_window_answers_409_and_overwrites_nothing(
    client, org, hiring
):
    first, _second = hiring.questions
    client.force_login(org.interviewer)
    url = _url("scorecard_autosave", hiring.interview)
    stale = _expected_saved_at(client.get(_url("scorecard", hiring.interview)).text)
    # Another window saves first.
    assert (
        client.post(
            url,
            _form(answers={first: ("別のウィンドウ", 4)})
            | {"expected_saved_at": stale},
        ).status_code
        == 200
    )
    before = _snapshot(hiring.interview.scorecard)
    response = client.post(
        url,
        _form(answers={first: ("古いウィンドウ", 1)}, summary="上書き")
        | {"expected_saved_at": stale},
    )
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] is True
    assert "changed in another window" in body["error"]
    assert _snapshot(hiring.interview.scorecard) == before
    draft = ScorecardRevision.objects.get(scorecard=hiring.interview.scorecard)
    assert draft.answers.get(question=first).notes == "別のウィンドウ"


def test_autosave_refuses_an_unreadable_version_and_writes_nothing(client, org, hiring):
    first, _second = hiring.questions
    client.force_login(org.interviewer)
    client.get(_url("scorecard", hiring.interview))
    before = _snapshot(hiring.interview.scorecard)
    response = client.post(
        _url("scorecard_autosave", hiring.interview),
        _form(answers={first: ("メモ", 3)}) | {"expected_saved_at": "yesterday"},
    )
    assert response.status_code == 400
    assert _snapshot(hiring.interview.scorecard) == before


def test_the_page_has_the_texts_and_places_for_a_conflict(client, org, hiring):
    client.force_login(org.interviewer)
    response = client.get(_url("scorecard", hiring.interview))
    assert 'id="autosave-conflict"' in response.text
    assert 'id="autosave-kept"' in response.text
    texts = response.context["script_messages"]
    assert {"conflictKept", "reload", "keptFromOther", "putBack", "discard"} <= set(
        texts
    )


# --- What the browser kept: cleared on read-only pages ----------------------------


def _clears_the_browser_copy(text: str, interview) -> bool:
    return (
        f'id="scorecard-submitted" data-storage-key="kata.scorecard.{interview.pk}"'
        in text
        and "js/scorecard.js" in text
    )


def test_read_only_scorecards_clear_what_the_browser_kept(client, org, hiring):
    # Its author, after submitting.
    client.force_login(org.interviewer)
    response = client.post(
        _url("scorecard_submit", hiring.interview), _complete(hiring), follow=True
    )
    assert _clears_the_browser_copy(response.text, hiring.interview)
    # Someone else reading it (a shared computer), not its author.
    client.force_login(org.recruiter)
    text = client.get(_url("scorecard", hiring.interview)).text
    assert 'id="scorecard-form"' not in text
    assert _clears_the_browser_copy(text, hiring.interview)
    # The form page keeps it (it restores from it).
    client.force_login(org.interviewer)
    second = schedule_interview(
        hiring.application,
        InterviewKitFactory(
            opening=hiring.opening, stage="second", questions=hiring.questions
        ),
        org.interviewer,
    )
    text = client.get(_url("scorecard", second)).text
    assert 'id="scorecard-form"' in text
    assert 'id="scorecard-submitted"' not in text


def test_an_unsubmitted_scorecard_of_an_erased_candidate_is_closed(client, org, hiring):
    first, _second = hiring.questions
    client.force_login(org.interviewer)
    client.post(
        _url("scorecard_autosave", hiring.interview), _form(answers={first: ("X", 3)})
    )
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=org.admin, why="request"
    )
    response = client.get(_url("scorecard", hiring.interview))
    assert response.status_code == 200
    assert 'data-testid="scorecard-closed"' in response.text
    assert 'id="scorecard-form"' not in response.text
    assert _clears_the_browser_copy(response.text, hiring.interview)


def test_a_post_only_page_opened_again_goes_to_its_forms_page(client, org, hiring):
    """The language switch returns to the address of a form that came back with
    its errors (a POST's): opened with GET, it showed a bare "HTTP ERROR 405"."""
    client.force_login(org.interviewer)
    refused = client.post(_url("scorecard_submit", hiring.interview), _form())
    assert refused.status_code == 200
    again = client.get(_url("scorecard_submit", hiring.interview))
    assert again.status_code == 302
    assert again.url == _url("scorecard", hiring.interview)
    decide = reverse("hiring:application_decide", args=[hiring.application.pk])
    summary = reverse("hiring:application_summary", args=[hiring.application.pk])
    client.force_login(org.admin)
    assert client.get(decide).url == summary
    # The API keeps its 405.
    assert client.get("/api/v1/auth/token/").status_code == 405


def test_what_is_missing_is_listed_in_the_pages_order(client, org, hiring):
    """The questions, then the competencies, then the overall recommendation, as
    the page shows them (the list once put a question's competency right after
    it: competency, Q2, competency, Q3…)."""
    first, second = hiring.questions
    client.force_login(org.interviewer)
    text = client.post(
        _url("scorecard_submit", hiring.interview),
        _form(answers={first: ("", None), second: ("", None)}),
    ).text
    listed = text.split('id="scorecard-missing"')[1].split("</ul>")[0]
    anchors = re.findall(r'href="#field-(\w+)"', listed)
    questions = [a for a in anchors if a.startswith("question_")]
    competencies = [a for a in anchors if a.startswith("competency_")]
    assert questions == [f"question_{first.pk}", f"question_{second.pk}"]
    assert anchors == [*questions, *competencies, "overall"]
