"""Hiring in Django's admin: drafts never show, scorecards are read-only, the policy
is one row, and writes with a rule go through the services."""

import pytest
from django.urls import reverse
from django.utils import timezone

from hiring import services
from hiring.models import (
    AnswerRating,
    Application,
    Candidate,
    CandidateFeedback,
    CompetencyRating,
    Decision,
    FeedbackRating,
    HiringPolicy,
    Interview,
    KitQuestion,
    ProfileWeight,
    Scorecard,
    ScorecardRevision,
)
from tests.factories import (
    ApplicationFactory,
    CompetencyFactory,
    QuestionFactory,
    SuccessProfileFactory,
    UserFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db

DRAFT_NOTES = "DRAFT-NOTES-must-not-show"
DRAFT_SUMMARY = "DRAFT-SUMMARY-must-not-show"
CORRECTION = "CORRECTION-DRAFT-must-not-show"
SUBMITTED_SUMMARY = "Submitted summary, visible to the admin"


@pytest.fixture
def drafts(hiring, org):
    """The interviewer's first draft, and an open correction of the panelist's
    submitted scorecard; returns (draft revision, correction revision)."""
    draft = services.scorecard_save_draft(
        scorecard=hiring.interview.scorecard,
        by=org.interviewer,
        answers={q.pk: {"notes": DRAFT_NOTES, "rating": 1} for q in hiring.questions},
        competency_ratings={hiring.empathy.pk: 1, hiring.logic.pk: 1},
        overall=1,
        summary=DRAFT_SUMMARY,
    )
    submitted = hiring.panel_interview.scorecard
    ScorecardRevision.objects.filter(pk=submitted.current_id).update(
        summary=SUBMITTED_SUMMARY
    )
    correction = services.scorecard_start_correction(
        scorecard=submitted, by=hiring.panelist, reason=CORRECTION
    )
    services.scorecard_save_draft(
        scorecard=submitted,
        by=hiring.panelist,
        answers={hiring.questions[0].pk: {"notes": CORRECTION, "rating": 1}},
        summary=CORRECTION,
    )
    return draft, correction


@pytest.fixture
def admin_client(client, org):
    client.force_login(org.admin)
    return client


def _admin_url(model, view, *args):
    return reverse(f"admin:hiring_{model._meta.model_name}_{view}", args=args)


def _shows_no_draft(response):
    text = response.text
    return (
        DRAFT_NOTES not in text and DRAFT_SUMMARY not in text and CORRECTION not in text
    )


def _listed(response):
    return {obj.pk for obj in response.context["cl"].result_list}


# --- Drafts never show ------------------------------------------------------------


def test_revision_list_shows_submitted_revisions_only(admin_client, hiring, drafts):
    response = admin_client.get(_admin_url(ScorecardRevision, "changelist"))
    assert response.status_code == 200
    assert _listed(response) == {hiring.panel_interview.scorecard.current_id}
    assert _shows_no_draft(response)


@pytest.mark.parametrize("which", [0, 1], ids=["first draft", "correction"])
def test_a_draft_revision_page_does_not_open(admin_client, drafts, which):
    draft = drafts[which]
    response = admin_client.get(
        _admin_url(ScorecardRevision, "change", draft.pk), follow=True
    )
    assert response.redirect_chain[0][0] == reverse("admin:index")
    assert _shows_no_draft(response)


def test_a_submitted_revision_shows_its_answers(admin_client, hiring, drafts):
    current = hiring.panel_interview.scorecard.current
    response = admin_client.get(_admin_url(ScorecardRevision, "change", current.pk))
    assert response.status_code == 200
    assert SUBMITTED_SUMMARY in response.text
    assert f"notes on {hiring.questions[0].pk}" in response.text
    assert _shows_no_draft(response)


def test_searching_revisions_finds_no_draft(admin_client, drafts):
    response = admin_client.get(
        _admin_url(ScorecardRevision, "changelist"), {"q": CORRECTION}
    )
    assert _listed(response) == set()


def test_scorecard_pages_show_the_submitted_revision_only(admin_client, hiring, drafts):
    listing = admin_client.get(_admin_url(Scorecard, "changelist"))
    assert listing.status_code == 200
    assert _shows_no_draft(listing)
    submitted = hiring.panel_interview.scorecard
    page = admin_client.get(_admin_url(Scorecard, "change", submitted.pk))
    assert page.status_code == 200
    assert SUBMITTED_SUMMARY in page.text
    assert _shows_no_draft(page)
    revisions = page.context["inline_admin_formsets"][0].formset.queryset
    assert [revision.number for revision in revisions] == [1]


def test_an_unsubmitted_scorecard_is_not_listed_to_others(admin_client, hiring, drafts):
    response = admin_client.get(_admin_url(Scorecard, "changelist"))
    assert hiring.interview.scorecard.pk not in _listed(response)
    page = admin_client.get(
        _admin_url(Scorecard, "change", hiring.interview.scorecard.pk), follow=True
    )
    assert page.redirect_chain[0][0] == reverse("admin:index")
    assert _shows_no_draft(page)


@pytest.mark.parametrize("model", [AnswerRating, CompetencyRating])
def test_rating_lists_leave_drafts_out(admin_client, hiring, drafts, model):
    submitted_ids = set(
        model.objects.filter(
            revision=hiring.panel_interview.scorecard.current
        ).values_list("pk", flat=True)
    )
    response = admin_client.get(_admin_url(model, "changelist"))
    assert response.status_code == 200
    assert _listed(response) == submitted_ids
    assert _shows_no_draft(response)
    draft_rating = model.objects.filter(revision=drafts[0]).first()
    page = admin_client.get(_admin_url(model, "change", draft_rating.pk), follow=True)
    assert page.redirect_chain[0][0] == reverse("admin:index")
    assert _shows_no_draft(page)


def test_rating_filters_count_no_draft(admin_client, drafts):
    # Drafts rated everything 1: a filter on rating 1 finds nothing.
    response = admin_client.get(_admin_url(AnswerRating, "changelist"), {"rating": 1})
    assert _listed(response) == set()


def test_an_admin_who_interviews_the_candidate_is_bound_here_too(
    admin_client, org, hiring, drafts
):
    schedule_interview(hiring.application, hiring.kit, org.admin)
    listing = admin_client.get(_admin_url(ScorecardRevision, "changelist"))
    assert _listed(listing) == set()
    scorecards = admin_client.get(_admin_url(Scorecard, "changelist"))
    assert hiring.panel_interview.scorecard.pk not in _listed(scorecards)
    answers = admin_client.get(_admin_url(AnswerRating, "changelist"))
    assert _listed(answers) == set()


def test_a_bound_admin_sees_neither_the_panels_interviews_nor_its_decisions(
    admin_client, org, hiring
):
    decision = services.decision_record(
        application=hiring.application,
        kind="advance",
        reason="PANEL-REASON-must-not-show",
        by=org.recruiter,
    )
    own = schedule_interview(hiring.application, hiring.kit, org.admin)
    interviews = admin_client.get(_admin_url(Interview, "changelist"))
    assert _listed(interviews) == {own.pk}
    decisions = admin_client.get(_admin_url(Decision, "changelist"))
    assert decision.pk not in _listed(decisions)
    assert "PANEL-REASON" not in decisions.content.decode()
    fill_scorecard(own, ratings={})
    assert decision.pk in _listed(admin_client.get(_admin_url(Decision, "changelist")))
    assert hiring.panel_interview.pk in _listed(
        admin_client.get(_admin_url(Interview, "changelist"))
    )


def test_a_bound_admin_sees_no_candidate_feedback_of_that_candidate(
    admin_client, org, hiring
):
    """The candidate experience pages leave bound candidates out; the admin's
    lists showed the panel's feedback, comment included."""
    feedback = CandidateFeedback.objects.create(
        interview=hiring.panel_interview,
        invited_at=timezone.now(),
        invited_by=org.recruiter,
        responded_at=timezone.now(),
        comment="FEEDBACK-COMMENT-must-not-show",
    )
    rating = FeedbackRating.objects.create(
        feedback=feedback, competency=hiring.logic, rating=4
    )
    assert feedback.pk in _listed(
        admin_client.get(_admin_url(CandidateFeedback, "changelist"))
    )
    own = schedule_interview(hiring.application, hiring.kit, org.admin)
    listing = admin_client.get(_admin_url(CandidateFeedback, "changelist"))
    assert feedback.pk not in _listed(listing)
    assert admin_client.get(
        _admin_url(CandidateFeedback, "change", feedback.pk)
    ).status_code in (302, 404)
    ratings = admin_client.get(_admin_url(FeedbackRating, "changelist"))
    assert rating.pk not in _listed(ratings)
    fill_scorecard(own, ratings={})
    assert feedback.pk in _listed(
        admin_client.get(_admin_url(CandidateFeedback, "changelist"))
    )


def test_a_bound_admin_sees_no_stage_nor_panel_on_the_application_pages(
    admin_client, org, hiring
):
    services.decision_record(
        application=hiring.application,
        kind="offer",
        reason="PANEL-REASON-must-not-show",
        by=org.manager_a,
    )
    own = schedule_interview(hiring.application, hiring.kit, org.admin)
    listing = admin_client.get(_admin_url(Application, "changelist"))
    assert '<td class="field-shown_stage">Interviewing</td>' in listing.text
    assert '<td class="field-shown_stage">Offer</td>' not in listing.text
    offers = admin_client.get(_admin_url(Application, "changelist"), {"stage": "offer"})
    assert _listed(offers) == set()
    pages = [
        admin_client.get(_admin_url(Application, "change", hiring.application.pk)),
        admin_client.get(_admin_url(Candidate, "change", hiring.candidate.pk)),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "Offer" not in page.text
        assert "PANEL-REASON" not in page.text
        assert hiring.panelist.display_name not in page.text

    fill_scorecard(own, ratings={})

    page = admin_client.get(_admin_url(Application, "change", hiring.application.pk))
    assert "Offer" in page.text and "PANEL-REASON" in page.text
    offers = admin_client.get(_admin_url(Application, "changelist"), {"stage": "offer"})
    assert _listed(offers) == {hiring.application.pk}


def test_the_admins_own_draft_scorecard_is_not_listed(admin_client, org, hiring):
    own = schedule_interview(hiring.application, hiring.kit, org.admin)
    services.scorecard_save_draft(
        scorecard=own.scorecard, by=org.admin, summary="my draft"
    )
    scorecards = admin_client.get(_admin_url(Scorecard, "changelist"))
    assert own.scorecard.pk not in _listed(scorecards)


# --- Read-only scorecards ---------------------------------------------------------


@pytest.mark.parametrize(
    "model", [Scorecard, ScorecardRevision, AnswerRating, CompetencyRating]
)
def test_scorecards_cannot_be_added_changed_or_deleted(
    admin_client, hiring, drafts, model
):
    current = hiring.panel_interview.scorecard.current
    obj = {
        Scorecard: hiring.panel_interview.scorecard,
        ScorecardRevision: current,
        AnswerRating: current.answers.first(),
        CompetencyRating: current.competency_ratings.first(),
    }[model]
    assert admin_client.get(_admin_url(model, "add")).status_code == 403
    assert admin_client.get(_admin_url(model, "delete", obj.pk)).status_code == 403
    page = admin_client.get(_admin_url(model, "change", obj.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    before = list(model.objects.filter(pk=obj.pk).values())
    response = admin_client.post(
        _admin_url(model, "change", obj.pk), {"rating": 4, "overall": 4}
    )
    assert response.status_code == 403
    assert list(model.objects.filter(pk=obj.pk).values()) == before


def test_no_delete_action_on_scorecards(admin_client, hiring):
    response = admin_client.get(_admin_url(Scorecard, "changelist"))
    assert "delete_selected" not in response.text


# --- The policy: one row ----------------------------------------------------------


def _policy_data(**changes):
    return {
        "panel_visibility": "after_submit",
        "reminder_after_hours": 24,
        "retention_days": 180,
        "feedback_link_days": 14,
        **changes,
    }


def test_the_policy_is_added_once_as_its_one_row(admin_client):
    HiringPolicy.objects.all().delete()
    assert admin_client.get(_admin_url(HiringPolicy, "add")).status_code == 200
    response = admin_client.post(
        _admin_url(HiringPolicy, "add"), _policy_data(reminder_after_hours=12)
    )
    assert response.status_code == 302
    assert list(HiringPolicy.objects.values_list("pk", "reminder_after_hours")) == [
        (1, 12)
    ]
    assert HiringPolicy.current().reminder_after_hours == 12
    assert admin_client.get(_admin_url(HiringPolicy, "add")).status_code == 403


def test_the_policy_is_edited_but_never_deleted(admin_client):
    policy = HiringPolicy.current()
    url = _admin_url(HiringPolicy, "change", policy.pk)
    response = admin_client.post(url, _policy_data(panel_visibility="never"))
    assert response.status_code == 302
    assert HiringPolicy.current().panel_visibility == "never"
    assert admin_client.get(_admin_url(HiringPolicy, "add")).status_code == 403
    assert (
        admin_client.get(_admin_url(HiringPolicy, "delete", policy.pk)).status_code
        == 403
    )
    assert HiringPolicy.objects.count() == 1


# --- Writes with a rule go through the services ------------------------------------


def _profile_data(profile, rows):
    data = {
        "name": profile.name,
        "name_en": profile.name_en,
        "description": "",
        "description_en": "",
        "weights-TOTAL_FORMS": len(rows),
        "weights-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "weights-MIN_NUM_FORMS": 0,
        "weights-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"weights-{index}-{key}"] = value
        data[f"weights-{index}-profile"] = profile.pk
    return data


def _weights(profile):
    return dict(profile.weights.values_list("competency__name", "weight"))


def test_profile_weights_outside_1_to_5_are_refused(admin_client, hiring):
    profile = hiring.profile
    rows = [
        {"id": w.pk, "competency": w.competency_id, "weight": 6}
        for w in profile.weights.all()
    ]
    response = admin_client.post(
        _admin_url(type(profile), "change", profile.pk), _profile_data(profile, rows)
    )
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 5." in response.text
    assert _weights(profile) == {"共感力": 5, "ロジカルさ": 3}


def test_profile_weights_are_replaced_through_the_service(admin_client, hiring):
    profile = hiring.profile
    extra = CompetencyFactory(name="傾聴力")
    empathy = profile.weights.get(competency=hiring.empathy)
    logic = profile.weights.get(competency=hiring.logic)
    rows = [
        # Two rows swap competencies: checked against each other, not the saved rows.
        {"id": empathy.pk, "competency": hiring.logic.pk, "weight": 4},
        {"id": logic.pk, "competency": hiring.empathy.pk, "weight": 2},
        {"competency": extra.pk, "weight": 1},
    ]
    response = admin_client.post(
        _admin_url(type(profile), "change", profile.pk), _profile_data(profile, rows)
    )
    assert response.status_code == 302, response.context["errors"]
    assert _weights(profile) == {"ロジカルさ": 4, "共感力": 2, "傾聴力": 1}


def test_a_profile_keeps_at_least_one_weight(admin_client, hiring):
    profile = hiring.profile
    rows = [
        {"id": w.pk, "competency": w.competency_id, "weight": w.weight, "DELETE": "on"}
        for w in profile.weights.all()
    ]
    response = admin_client.post(
        _admin_url(type(profile), "change", profile.pk), _profile_data(profile, rows)
    )
    assert response.status_code == 200
    assert "A success profile needs at least one competency." in response.text
    assert ProfileWeight.objects.filter(profile=profile).count() == 2


def _kit_data(kit, rows):
    data = {
        "guidance": "Probe for numbers.",
        "kit_questions-TOTAL_FORMS": len(rows),
        "kit_questions-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "kit_questions-MIN_NUM_FORMS": 0,
        "kit_questions-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"kit_questions-{index}-{key}"] = value
        data[f"kit_questions-{index}-kit"] = kit.pk
    return data


def _kit_order(kit):
    return list(kit.kit_questions.values_list("position", "question_id"))


def test_kit_questions_are_set_through_the_service(admin_client, hiring):
    kit = hiring.kit
    first, second = kit.kit_questions.all()
    new = QuestionFactory(competency=hiring.logic)
    rows = [
        {"id": first.pk, "question": first.question_id, "position": 20},
        {"id": second.pk, "question": second.question_id, "position": 5},
        {"question": new.pk, "position": 10},
    ]
    response = admin_client.post(
        _admin_url(type(kit), "change", kit.pk), _kit_data(kit, rows)
    )
    assert response.status_code == 302, response.context["errors"]
    # In the order of the positions given, numbered from 1 by the service.
    assert _kit_order(kit) == [
        (1, second.question_id),
        (2, new.pk),
        (3, first.question_id),
    ]
    kit.refresh_from_db()
    assert kit.guidance == "Probe for numbers."


def test_a_candidate_is_edited_through_the_service(admin_client, hiring):
    candidate = hiring.candidate
    url = _admin_url(type(candidate), "change", candidate.pk)
    data = {
        "name": "候補 次郎",
        "name_reading": "こうほ じろう",
        "email": "jiro@example.org",
        "source": "agency",
        "notes": "",
        "applications-TOTAL_FORMS": 0,
        "applications-INITIAL_FORMS": 0,
        "applications-MIN_NUM_FORMS": 0,
        "applications-MAX_NUM_FORMS": 1000,
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"]
    candidate.refresh_from_db()
    assert (candidate.name, candidate.email) == ("候補 次郎", "jiro@example.org")
    services.candidate_erase_personal_data(candidate=candidate, by=None, why="request")
    assert admin_client.post(url, data).status_code == 403
    candidate.refresh_from_db()
    assert candidate.email == ""


def test_a_retired_question_is_refused_in_a_kit(admin_client, hiring):
    kit = hiring.kit
    before = _kit_order(kit)
    retired = QuestionFactory(competency=hiring.logic, is_active=False)
    rows = [
        {"id": kq.pk, "question": kq.question_id, "position": kq.position}
        for kq in kit.kit_questions.all()
    ] + [{"question": retired.pk, "position": 3}]
    response = admin_client.post(
        _admin_url(type(kit), "change", kit.pk), _kit_data(kit, rows)
    )
    assert response.status_code == 200
    assert "These questions are retired" in response.text
    assert _kit_order(kit) == before
    assert KitQuestion.objects.filter(question=retired).count() == 0


@pytest.fixture
def starter(hiring):
    return SuccessProfileFactory(
        name="丁寧な対応型", is_starter=True, weights={hiring.empathy: 5}
    )


def test_a_starting_profile_is_not_edited_in_place(admin_client, starter):
    url = _admin_url(type(starter), "change", starter.pk)
    page = admin_client.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    rows = [
        {"id": w.pk, "competency": w.competency_id, "weight": 1}
        for w in starter.weights.all()
    ]
    assert admin_client.post(url, _profile_data(starter, rows)).status_code == 403
    assert _weights(starter) == {"共感力": 5}
    delete = _admin_url(type(starter), "delete", starter.pk)
    assert admin_client.get(delete).status_code == 403


def test_starting_profiles_are_copied_by_the_action(admin_client, starter):
    profile = starter
    response = admin_client.post(
        _admin_url(type(profile), "changelist"),
        {"action": "copy_profiles", "_selected_action": [profile.pk]},
        follow=True,
    )
    assert response.status_code == 200
    copy = type(profile).objects.get(name=f"{profile.name} (copy)")
    assert copy.copied_from == profile
    assert not copy.is_starter
    assert _weights(copy) == _weights(profile)
    # The copy is edited like any profile.
    page = admin_client.get(_admin_url(type(copy), "change", copy.pk))
    assert 'name="_save"' in page.text


def test_a_new_profile_gets_its_weights_through_the_service(admin_client, hiring):
    model = type(hiring.profile)
    data = _profile_data(model(name="新しい型", name_en="New"), [])
    data.update(
        {
            "weights-TOTAL_FORMS": 2,
            "weights-0-competency": hiring.empathy.pk,
            "weights-0-weight": 4,
            "weights-1-competency": hiring.logic.pk,
            "weights-1-weight": 2,
        }
    )
    response = admin_client.post(_admin_url(model, "add"), data)
    assert response.status_code == 302, response.context["errors"]
    assert _weights(model.objects.get(name="新しい型")) == {
        "共感力": 4,
        "ロジカルさ": 2,
    }


# --- Query counts -----------------------------------------------------------------


def _more_scorecards(hiring, count):
    for _ in range(count):
        application = ApplicationFactory(opening=hiring.opening)
        interview = schedule_interview(application, hiring.kit, UserFactory())
        fill_scorecard(interview, ratings={hiring.empathy: 3, hiring.logic: 2})


@pytest.mark.parametrize(
    "model", [Scorecard, ScorecardRevision, AnswerRating, CompetencyRating]
)
def test_scorecard_lists_do_not_grow_queries(
    admin_client, hiring, drafts, model, django_assert_max_num_queries
):
    url = _admin_url(model, "changelist")
    _more_scorecards(hiring, 2)
    # The hiring policy exists, as after the first request ever (its creation is
    # recorded in its audit history: not what these counts are about).
    HiringPolicy.current()
    with django_assert_max_num_queries(12):
        assert admin_client.get(url).status_code == 200
    _more_scorecards(hiring, 8)
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert len(response.context["cl"].result_list) > 8
