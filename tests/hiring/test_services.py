"""Every write in hiring: scorecards and their revisions, decisions, hiring, erasing
personal data, candidate feedback."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Role, TeamMembership, User
from hiring import selectors, services
from hiring.models import (
    AnswerRating,
    Application,
    Candidate,
    CandidateFeedback,
    CompetencyRating,
    Decision,
    FeedbackRating,
    HiringPolicy,
    Scorecard,
    ScorecardRevision,
)
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyFactory,
    InterviewKitFactory,
    OpeningFactory,
    QuestionFactory,
    SuccessProfileFactory,
    UserFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db


# --- Helpers -----------------------------------------------------------------------


def _revision_state(revision):
    """Everything a revision holds, to compare before and after."""
    revision.refresh_from_db()
    return {
        "overall": revision.overall,
        "summary": revision.summary,
        "reason": revision.reason,
        "submitted_at": revision.submitted_at,
        "saved_at": revision.saved_at,
        "answers": sorted(
            revision.answers.values_list("question_id", "notes", "rating")
        ),
        "competencies": sorted(
            revision.competency_ratings.values_list("competency_id", "rating")
        ),
    }


def _written_state():
    return (
        ScorecardRevision.objects.count(),
        AnswerRating.objects.count(),
        CompetencyRating.objects.count(),
        sorted(AnswerRating.objects.values_list("id", "notes", "rating")),
        sorted(CompetencyRating.objects.values_list("id", "rating")),
        sorted(ScorecardRevision.objects.values_list("id", "overall", "summary")),
        sorted(Scorecard.objects.values_list("id", "current_id")),
    )


@pytest.fixture
def card(hiring, org):
    """The bound interviewer's empty scorecard of the hiring world."""
    return hiring.interview.scorecard


def _save(card, by, **kwargs):
    return services.scorecard_save_draft(scorecard=card, by=by, **kwargs)


def _complete(hiring, *, overall=3):
    q_empathy, q_logic = hiring.questions
    return {
        "answers": {
            q_empathy.pk: {"notes": "listened first", "rating": 4},
            q_logic.pk: {"notes": "jumped to a fix", "rating": 2},
        },
        "competency_ratings": {hiring.empathy.pk: 4, hiring.logic.pk: 2},
        "overall": overall,
        "summary": "caring, less structured",
    }


# --- Scorecard drafts --------------------------------------------------------------


def test_a_draft_saves_partially_with_nulls_and_keeps_notes(hiring, org, card):
    q_empathy, q_logic = hiring.questions
    draft = _save(
        card,
        org.interviewer,
        answers={
            q_empathy.pk: {"notes": "told a story about a late renewal", "rating": 3},
            q_logic.pk: {"notes": "still asking", "rating": None},
        },
        competency_ratings={hiring.empathy.pk: None},
    )
    state = _revision_state(draft)
    assert draft.number == 1
    assert draft.is_draft
    assert state["answers"] == [
        (q_empathy.pk, "told a story about a late renewal", 3),
        (q_logic.pk, "still asking", None),
    ]
    assert state["competencies"] == [(hiring.empathy.pk, None)]
    assert state["overall"] is None
    card.refresh_from_db()
    assert card.current is None


def test_keys_left_out_of_a_later_save_keep_their_value(hiring, org, card):
    q_empathy, q_logic = hiring.questions
    _save(
        card,
        org.interviewer,
        answers={q_empathy.pk: {"notes": "first thoughts", "rating": 3}},
        competency_ratings={hiring.empathy.pk: 3},
        summary="so far good",
    )
    draft = _save(
        card,
        org.interviewer,
        answers={q_logic.pk: {"notes": "second question", "rating": "2"}},
        overall="4",
    )
    state = _revision_state(draft)
    assert state["answers"] == [
        (q_empathy.pk, "first thoughts", 3),
        (q_logic.pk, "second question", 2),
    ]
    assert state["competencies"] == [(hiring.empathy.pk, 3)]
    assert state["overall"] == 4
    assert state["summary"] == "so far good"
    assert ScorecardRevision.objects.filter(scorecard=card).count() == 1


@pytest.mark.parametrize("bad", [0, 5, -1, "5", "abc", "2.5", 2.5, 3.7])
def test_ratings_outside_1_to_4_are_refused_by_field_and_nothing_is_saved(
    hiring, org, card, bad
):
    q_empathy, q_logic = hiring.questions
    _save(
        card,
        org.interviewer,
        answers={q_empathy.pk: {"notes": "kept", "rating": 3}},
        overall=3,
    )
    before = _written_state()
    with pytest.raises(ValidationError) as error:
        _save(
            card,
            org.interviewer,
            answers={
                q_empathy.pk: {"notes": "changed", "rating": 4},
                q_logic.pk: {"notes": "new", "rating": bad},
            },
            competency_ratings={hiring.empathy.pk: bad, hiring.logic.pk: 2},
            overall=bad,
            summary="changed too",
        )
    assert set(error.value.message_dict) == {
        f"question_{q_logic.pk}",
        f"competency_{hiring.empathy.pk}",
        "overall",
    }
    assert error.value.message_dict["overall"] == [
        "A rating is a whole number from 1 to 4."
    ]
    assert _written_state() == before


def test_questions_and_competencies_outside_the_kit_are_refused(hiring, org, card):
    q_empathy, _q_logic = hiring.questions
    expertise = CompetencyFactory(name="専門知識")
    stray_question = QuestionFactory(competency=hiring.empathy)
    _save(card, org.interviewer, answers={q_empathy.pk: {"notes": "", "rating": 3}})
    before = _written_state()
    with pytest.raises(ValidationError) as error:
        _save(
            card,
            org.interviewer,
            answers={
                q_empathy.pk: {"notes": "changed", "rating": 4},
                stray_question.pk: {"notes": "not asked", "rating": 2},
            },
            competency_ratings={expertise.pk: 3},
        )
    assert error.value.message_dict == {
        f"question_{stray_question.pk}": ["This question is not in the kit."],
        f"competency_{expertise.pk}": [
            "No question of the kit assesses this competency."
        ],
    }
    assert _written_state() == before


def test_a_profile_competency_the_kit_does_not_ask_about_is_refused(org):
    asked, not_asked = CompetencyFactory(), CompetencyFactory()
    opening = OpeningFactory(
        profile=SuccessProfileFactory(weights={asked: 3, not_asked: 5})
    )
    kit = InterviewKitFactory(
        opening=opening, questions=[QuestionFactory(competency=asked)]
    )
    interview = schedule_interview(
        ApplicationFactory(opening=opening), kit, org.interviewer
    )
    with pytest.raises(ValidationError) as error:
        _save(
            interview.scorecard, org.interviewer, competency_ratings={not_asked.pk: 4}
        )
    assert list(error.value.message_dict) == [f"competency_{not_asked.pk}"]
    assert not ScorecardRevision.objects.filter(scorecard=interview.scorecard).exists()


# --- Submitting --------------------------------------------------------------------


def test_submit_lists_everything_missing_and_loses_nothing_typed(hiring, org, card):
    q_empathy, q_logic = hiring.questions
    _save(
        card,
        org.interviewer,
        answers={
            q_empathy.pk: {"notes": "good story", "rating": 3},
            q_logic.pk: {"notes": "notes without a rating", "rating": None},
        },
        summary="half done",
    )
    before = _written_state()
    with pytest.raises(ValidationError) as error:
        services.scorecard_submit(scorecard=card, by=org.interviewer)
    assert error.value.message_dict == {
        f"question_{q_logic.pk}": ["Question 2 has no rating."],
        f"competency_{hiring.empathy.pk}": ["The competency “Empathy” has no rating."],
        f"competency_{hiring.logic.pk}": ["The competency “Logic” has no rating."],
        "overall": ["The overall recommendation is missing."],
    }
    assert _written_state() == before
    card.refresh_from_db()
    assert card.current is None
    assert card.first_submitted_at is None


def test_submit_without_any_draft_is_refused(hiring, org, card):
    with pytest.raises(ValidationError):
        services.scorecard_submit(scorecard=card, by=org.interviewer)
    card.refresh_from_db()
    assert card.current is None


def test_submitting_makes_the_revision_current_and_dates_it(hiring, org, card):
    _save(card, org.interviewer, **_complete(hiring))
    before = timezone.now()
    submitted = services.scorecard_submit(scorecard=card, by=org.interviewer)
    card.refresh_from_db()
    revision = card.current
    assert submitted.current_id == revision.pk
    assert card.is_submitted
    assert revision.number == 1
    assert revision.submitted_at >= before
    assert card.first_submitted_at == revision.submitted_at
    assert revision.overall == 3
    assert sorted(revision.competency_ratings.values_list("rating", flat=True)) == [
        2,
        4,
    ]


def test_a_submitted_revision_is_immutable(hiring, org, card):
    q_empathy, _q_logic = hiring.questions
    _save(card, org.interviewer, **_complete(hiring))
    services.scorecard_submit(scorecard=card, by=org.interviewer)
    card.refresh_from_db()
    before = _written_state()
    revision_before = _revision_state(card.current)
    with pytest.raises(ValidationError) as error:
        _save(
            card,
            org.interviewer,
            answers={q_empathy.pk: {"notes": "rewritten", "rating": 1}},
            overall=1,
        )
    assert "start a correction" in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        services.scorecard_draft(scorecard=card, by=org.interviewer)
    with pytest.raises(ValidationError):
        services.scorecard_submit(scorecard=card, by=org.interviewer)
    assert _written_state() == before
    assert _revision_state(card.current) == revision_before


# --- Corrections -------------------------------------------------------------------


@pytest.fixture
def submitted(hiring, org, card):
    _save(card, org.interviewer, **_complete(hiring))
    services.scorecard_submit(scorecard=card, by=org.interviewer)
    card.refresh_from_db()
    return card


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_correction_needs_a_reason(org, submitted, reason):
    before = _written_state()
    with pytest.raises(ValidationError) as error:
        services.scorecard_start_correction(
            scorecard=submitted, by=org.interviewer, reason=reason
        )
    assert list(error.value.message_dict) == ["reason"]
    assert _written_state() == before


def test_a_draft_scorecard_is_not_corrected_but_submitted(hiring, org, card):
    _save(card, org.interviewer, overall=2)
    with pytest.raises(ValidationError):
        services.scorecard_start_correction(
            scorecard=card, by=org.interviewer, reason="oops"
        )
    assert ScorecardRevision.objects.filter(scorecard=card).count() == 1


def test_a_correction_copies_revision_1_and_replaces_it_once_submitted(
    hiring, org, submitted
):
    q_empathy, q_logic = hiring.questions
    first = submitted.current
    first_state = _revision_state(first)
    first_submitted_at = submitted.first_submitted_at
    correction = services.scorecard_start_correction(
        scorecard=submitted, by=org.interviewer, reason=" logic was a 3, not a 2 "
    )
    copied = _revision_state(correction)
    assert correction.number == 2
    assert correction.is_draft
    assert copied["reason"] == "logic was a 3, not a 2"
    assert copied["answers"] == first_state["answers"]
    assert copied["competencies"] == first_state["competencies"]
    assert (copied["overall"], copied["summary"]) == (3, "caring, less structured")
    submitted.refresh_from_db()
    assert submitted.current == first  # the correction is a draft until submitted

    with pytest.raises(ValidationError):
        services.scorecard_start_correction(
            scorecard=submitted, by=org.interviewer, reason="a second one"
        )
    _save(
        submitted,
        org.interviewer,
        answers={q_logic.pk: {"notes": "structured after all", "rating": 3}},
        competency_ratings={hiring.logic.pk: 3},
    )
    services.scorecard_submit(scorecard=submitted, by=org.interviewer)
    submitted.refresh_from_db()
    assert submitted.current == correction
    assert submitted.first_submitted_at == first_submitted_at
    corrected = _revision_state(correction)
    assert (q_logic.pk, "structured after all", 3) in corrected["answers"]
    assert (q_empathy.pk, "listened first", 4) in corrected["answers"]
    assert (hiring.logic.pk, 3) in corrected["competencies"]
    assert _revision_state(first) == first_state
    history = selectors.revision_history(viewer=org.interviewer, scorecard=submitted)
    assert [(r.number, r.created_by) for r in history] == [
        (2, org.interviewer),
        (1, org.interviewer),
    ]


def test_discarding_a_correction_keeps_revision_1_current(hiring, org, submitted):
    first = submitted.current
    first_state = _revision_state(first)
    services.scorecard_start_correction(
        scorecard=submitted, by=org.interviewer, reason="maybe"
    )
    _save(submitted, org.interviewer, overall=1)
    services.scorecard_discard_correction(scorecard=submitted, by=org.interviewer)
    submitted.refresh_from_db()
    assert submitted.current == first
    assert list(submitted.revisions.values_list("number", flat=True)) == [1]
    assert _revision_state(first) == first_state
    # a new correction can start again, numbered after the last kept revision
    again = services.scorecard_start_correction(
        scorecard=submitted, by=org.interviewer, reason="this time for real"
    )
    assert again.number == 2
    assert again.overall == 3


def test_a_first_draft_is_never_discarded(hiring, org, card):
    _save(card, org.interviewer, overall=2)
    with pytest.raises(ValidationError):
        services.scorecard_discard_correction(scorecard=card, by=org.interviewer)
    assert ScorecardRevision.objects.filter(scorecard=card).count() == 1


# --- Only the interviewer writes ---------------------------------------------------


@pytest.mark.parametrize(
    "who", ["admin", "recruiter", "manager_a", "member_a", "panelist"]
)
def test_only_the_interviewer_writes_their_scorecard(hiring, org, card, who):
    other = hiring.panelist if who == "panelist" else getattr(org, who)
    _save(card, org.interviewer, overall=2)
    before = _written_state()
    with pytest.raises(PermissionError):
        _save(card, other, overall=4)
    with pytest.raises(PermissionError):
        services.scorecard_draft(scorecard=card, by=other)
    with pytest.raises(PermissionError):
        services.scorecard_submit(scorecard=card, by=other)
    assert _written_state() == before


@pytest.mark.parametrize("who", ["admin", "recruiter", "manager_a"])
def test_nobody_else_corrects_or_discards_a_scorecard(hiring, org, submitted, who):
    other = getattr(org, who)
    with pytest.raises(PermissionError):
        services.scorecard_start_correction(
            scorecard=submitted, by=other, reason="I disagree"
        )
    services.scorecard_start_correction(
        scorecard=submitted, by=org.interviewer, reason="mine"
    )
    with pytest.raises(PermissionError):
        services.scorecard_discard_correction(scorecard=submitted, by=other)
    assert list(submitted.revisions.values_list("number", flat=True)) == [1, 2]


# --- Decisions and withdrawal ------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "stage"),
    [("advance", "interviewing"), ("offer", "offer"), ("reject", "rejected")],
)
def test_a_decision_is_recorded_with_who_and_when_and_moves_the_stage(
    hiring, org, kind, stage
):
    before = timezone.now()
    decision = services.decision_record(
        application=hiring.application,
        kind=kind,
        reason="  the panel agreed  ",
        by=org.manager_a,
    )
    hiring.application.refresh_from_db()
    assert hiring.application.stage == stage
    assert hiring.application.stage_changed_at >= before
    assert decision.decided_by == org.manager_a
    assert decision.decided_at >= before
    assert decision.reason == "the panel agreed"


def test_a_decision_needs_a_known_kind_and_a_reason(hiring, org):
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            application=hiring.application, kind="maybe", reason=" ", by=org.manager_a
        )
    assert set(error.value.message_dict) == {"kind", "reason"}
    assert not Decision.objects.exists()
    hiring.application.refresh_from_db()
    assert hiring.application.stage == "interviewing"


@pytest.mark.parametrize("closed", ["hired", "rejected", "withdrawn"])
def test_no_decision_on_a_closed_application(hiring, org, closed):
    Application.objects.filter(pk=hiring.application.pk).update(stage=closed)
    hiring.application.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            application=hiring.application,
            kind="offer",
            reason="changed our minds",
            by=org.manager_a,
        )
    assert "kind" in error.value.message_dict
    assert not Decision.objects.exists()


def test_withdrawing_closes_the_application_once(hiring, org):
    services.application_withdraw(application=hiring.application, by=org.recruiter)
    hiring.application.refresh_from_db()
    assert hiring.application.stage == "withdrawn"
    with pytest.raises(ValidationError):
        services.application_withdraw(application=hiring.application, by=org.recruiter)
    with pytest.raises(ValidationError):
        schedule_interview(
            hiring.application,
            hiring.kit,
            UserFactory(roles=[Role.INTERVIEWER]),
        )


# --- Hiring ------------------------------------------------------------------------


def _offer(hiring, org, **candidate):
    Candidate.objects.filter(pk=hiring.candidate.pk).update(**candidate)
    hiring.candidate.refresh_from_db()
    services.decision_record(
        application=hiring.application, kind="offer", reason="yes", by=org.manager_a
    )
    hiring.application.refresh_from_db()
    return hiring.application


def test_hiring_creates_a_member_of_the_openings_team_linked_to_the_candidate(
    hiring, org, django_capture_on_commit_callbacks
):
    application = _offer(hiring, org, name="佐藤 花子", email="hanako@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        user = services.candidate_hire(application=application, by=org.recruiter)
    assert (user.username, user.email) == ("hanako", "hanako@example.org")
    assert (user.family_name, user.given_name) == ("佐藤", "花子")
    assert set(user.groups.values_list("name", flat=True)) == {"Member"}
    membership = TeamMembership.objects.get(user=user)
    assert membership.team == org.team_a
    assert membership.start_date == timezone.localdate()
    assert membership.end_date is None
    hiring.candidate.refresh_from_db()
    assert hiring.candidate.user == user
    assert user.candidate_record == hiring.candidate
    application.refresh_from_db()
    assert application.stage == "hired"
    assert [message.to for message in mail.outbox] == [["hanako@example.org"]]


def test_hiring_links_the_existing_user_with_the_candidates_email(hiring, org):
    application = _offer(hiring, org, email="MEMBER_B@example.com")
    users_before = User.objects.count()
    user = services.candidate_hire(application=application, by=org.recruiter)
    assert user == org.member_b
    assert User.objects.count() == users_before
    hiring.candidate.refresh_from_db()
    assert hiring.candidate.user == org.member_b
    today = timezone.localdate()
    memberships = TeamMembership.objects.filter(user=org.member_b).order_by(
        "start_date"
    )
    assert [(m.team, m.end_date) for m in memberships] == [
        (org.team_b, today - timedelta(days=1)),
        (org.team_a, None),
    ]
    assert memberships.last().start_date == today


def test_hiring_keeps_the_users_other_roles_and_adds_member(hiring, org):
    application = _offer(hiring, org, email=org.recruiter.email)
    user = services.candidate_hire(application=application, by=org.admin)
    assert set(user.groups.values_list("name", flat=True)) == {"Recruiter", "Member"}


def test_hiring_starts_the_membership_on_the_given_date(hiring, org):
    application = _offer(hiring, org, email="ken@example.org")
    start = timezone.localdate() + timedelta(days=14)
    user = services.candidate_hire(
        application=application, by=org.recruiter, start_date=start
    )
    assert TeamMembership.objects.get(user=user).start_date == start


def test_hiring_a_candidate_without_email_needs_a_username(hiring, org):
    application = _offer(hiring, org, email="", name="山田 太郎")
    users_before = User.objects.count()
    with pytest.raises(ValidationError) as error:
        services.candidate_hire(application=application, by=org.recruiter)
    assert list(error.value.message_dict) == ["username"]
    assert User.objects.count() == users_before
    application.refresh_from_db()
    assert application.stage == "offer"
    user = services.candidate_hire(
        application=application, by=org.recruiter, username="yamada"
    )
    assert user.username == "yamada"


def test_a_taken_username_is_refused_on_its_field_and_another_can_be_given(hiring, org):
    application = _offer(hiring, org, email="member_a@elsewhere.example")
    users_before = User.objects.count()
    with pytest.raises(ValidationError) as error:
        services.candidate_hire(application=application, by=org.recruiter)
    assert list(error.value.message_dict) == ["username"]
    assert User.objects.count() == users_before
    application.refresh_from_db()
    assert application.stage == "offer"
    user = services.candidate_hire(
        application=application, by=org.recruiter, username="member_a2"
    )
    assert (user.username, user.email) == ("member_a2", "member_a@elsewhere.example")


def test_an_email_already_linked_to_another_candidate_is_refused(hiring, org):
    CandidateFactory(user=org.member_b)
    application = _offer(hiring, org, email=org.member_b.email)
    with pytest.raises(ValidationError):
        services.candidate_hire(application=application, by=org.recruiter)
    hiring.candidate.refresh_from_db()
    assert hiring.candidate.user is None
    application.refresh_from_db()
    assert application.stage == "offer"


@pytest.mark.parametrize("closed", ["hired", "rejected", "withdrawn"])
def test_a_closed_application_is_not_hired(hiring, org, closed):
    Application.objects.filter(pk=hiring.application.pk).update(stage=closed)
    hiring.application.refresh_from_db()
    users_before = User.objects.count()
    with pytest.raises(ValidationError):
        services.candidate_hire(application=hiring.application, by=org.recruiter)
    assert User.objects.count() == users_before
    hiring.candidate.refresh_from_db()
    assert hiring.candidate.user is None


def test_an_anonymised_candidate_is_not_hired(hiring, org):
    application = _offer(hiring, org, email="gone@example.org")
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=org.recruiter, why="request"
    )
    application.refresh_from_db()
    users_before = User.objects.count()
    with pytest.raises(ValidationError):
        services.candidate_hire(application=application, by=org.recruiter)
    assert User.objects.count() == users_before
    application.refresh_from_db()
    assert application.stage == "offer"


# --- Erasing personal data ---------------------------------------------------------


def test_erasing_personal_data_keeps_ratings_and_records_who_when_why(hiring, org):
    candidate = hiring.candidate
    Candidate.objects.filter(pk=candidate.pk).update(
        name_reading="こうほ たろう", notes="met at a meetup"
    )
    fill_scorecard(
        hiring.interview,
        ratings={hiring.empathy: 4, hiring.logic: 3},
        summary="spoke about her family",
    )
    services.decision_record(
        application=hiring.application,
        kind="reject",
        reason="moved to Osaka",
        by=org.manager_a,
    )
    feedback = CandidateFeedback.objects.create(
        interview=hiring.interview,
        invited_at=timezone.now(),
        comment="the interviewer was kind",
        responded_at=timezone.now(),
    )
    ratings_before = (
        sorted(AnswerRating.objects.values_list("id", "rating")),
        sorted(CompetencyRating.objects.values_list("id", "rating")),
        sorted(ScorecardRevision.objects.values_list("id", "overall")),
    )
    fit_before = selectors.fit_scores(application_ids=[hiring.application.pk])
    before = timezone.now()
    services.candidate_erase_personal_data(
        candidate=candidate, by=org.recruiter, why=Candidate.Anonymisation.REQUEST
    )
    candidate.refresh_from_db()
    assert (candidate.name, candidate.name_reading) == ("—", "")
    assert (candidate.email, candidate.notes) == ("", "")
    assert candidate.anonymised_by == org.recruiter
    assert candidate.anonymised_at >= before
    assert candidate.anonymisation == "request"
    assert set(AnswerRating.objects.values_list("notes", flat=True)) == {""}
    assert set(ScorecardRevision.objects.values_list("summary", flat=True)) == {""}
    assert Decision.objects.get().reason == "—"
    feedback.refresh_from_db()
    assert feedback.comment == ""
    assert (
        sorted(AnswerRating.objects.values_list("id", "rating")),
        sorted(CompetencyRating.objects.values_list("id", "rating")),
        sorted(ScorecardRevision.objects.values_list("id", "overall")),
    ) == ratings_before
    assert selectors.fit_scores(application_ids=[hiring.application.pk]) == fit_before
    with pytest.raises(ValidationError):
        services.candidate_erase_personal_data(
            candidate=candidate, by=org.admin, why="request"
        )
    candidate.refresh_from_db()
    assert candidate.anonymised_by == org.recruiter


def test_erasing_leaves_other_candidates_alone(hiring, org):
    other = ApplicationFactory(opening=hiring.opening)
    interview = schedule_interview(other, hiring.kit, org.interviewer)
    fill_scorecard(interview, ratings={}, summary="keep me")
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=org.recruiter, why="request"
    )
    other.candidate.refresh_from_db()
    assert other.candidate.name != "—"
    assert other.candidate.anonymised_at is None
    assert interview.scorecard.current.summary == "keep me"
    assert set(interview.scorecard.current.answers.values_list("notes", flat=True)) != {
        ""
    }


# --- Candidate feedback ------------------------------------------------------------


@pytest.fixture
def feedback(hiring, org):
    return CandidateFeedback.objects.create(
        interview=hiring.interview, invited_at=timezone.now(), invited_by=org.recruiter
    )


def _signed_days_ago(feedback, days):
    then = timezone.now().timestamp() - days * 24 * 3600
    with mock.patch("django.core.signing.time.time", return_value=then):
        return services.feedback_token(feedback)


def test_a_valid_feedback_link_opens_its_feedback(feedback):
    assert services.feedback_from_token(services.feedback_token(feedback)) == feedback
    assert services.feedback_from_token(_signed_days_ago(feedback, 13)) == feedback


def test_a_feedback_link_expires_after_the_policy_days(feedback):
    token = _signed_days_ago(feedback, 15)
    with pytest.raises(services.FeedbackLinkExpired, match="expired"):
        services.feedback_from_token(token)
    HiringPolicy.objects.update_or_create(pk=1, defaults={"feedback_link_days": 30})
    assert services.feedback_from_token(token) == feedback


def test_a_forged_feedback_link_is_refused(feedback, hiring):
    other = CandidateFeedback.objects.create(
        interview=hiring.panel_interview, invited_at=timezone.now()
    )
    token = services.feedback_token(feedback)
    forged = [
        "not-a-token",
        "",
        token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        # signed for another purpose
        signing.dumps({"feedback": other.pk}, salt="elsewhere"),
        signing.dumps({"feedback": other.pk}),
        # a well signed link to a feedback that does not exist
        signing.dumps({"feedback": 999999}, salt=services.FEEDBACK_SALT),
    ]
    for bad in forged:
        with pytest.raises(services.FeedbackLinkError, match="not valid") as error:
            services.feedback_from_token(bad)
        assert not isinstance(error.value, services.FeedbackLinkExpired)


def test_a_feedback_link_of_an_anonymised_candidate_is_refused(feedback, hiring, org):
    token = services.feedback_token(feedback)
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=org.recruiter, why="request"
    )
    with pytest.raises(services.FeedbackLinkError):
        services.feedback_from_token(token)


def _values(feedback):
    return services.feedback_competencies(feedback=feedback)


def test_feedback_asks_about_the_profiles_most_important_values(hiring, feedback):
    # the hiring world's profile: empathy 5, logic 3
    assert _values(feedback) == [hiring.empathy, hiring.logic]


def test_feedback_is_recorded_once_and_a_second_answer_is_refused(hiring, feedback):
    answers = {hiring.empathy.pk: 5, hiring.logic.pk: "4"}
    services.feedback_submit(
        feedback=feedback, ratings=answers, comment="  felt listened to  "
    )
    feedback.refresh_from_db()
    assert feedback.responded_at is not None
    assert feedback.comment == "felt listened to"
    assert sorted(feedback.ratings.values_list("competency_id", "rating")) == sorted(
        [(hiring.empathy.pk, 5), (hiring.logic.pk, 4)]
    )
    responded_at = feedback.responded_at
    with pytest.raises(ValidationError):
        services.feedback_submit(
            feedback=feedback,
            ratings={hiring.empathy.pk: 1, hiring.logic.pk: 1},
            comment="changed my mind",
        )
    feedback.refresh_from_db()
    assert feedback.responded_at == responded_at
    assert feedback.comment == "felt listened to"
    assert FeedbackRating.objects.count() == 2
    assert set(FeedbackRating.objects.values_list("rating", flat=True)) == {4, 5}


def test_an_answered_feedback_link_still_opens_marked_answered(hiring, feedback):
    token = services.feedback_token(feedback)
    services.feedback_submit(
        feedback=feedback,
        ratings={hiring.empathy.pk: 5, hiring.logic.pk: 5},
        comment="",
    )
    # the page thanks the candidate again instead of calling the link invalid
    opened = services.feedback_from_token(token)
    assert opened == feedback
    assert opened.responded_at is not None


@pytest.mark.parametrize("bad", [None, "", 0, 6, "x", "2.5", 4.5])
def test_feedback_needs_a_1_to_5_rating_for_every_value(hiring, feedback, bad):
    with pytest.raises(ValidationError) as error:
        services.feedback_submit(
            feedback=feedback,
            ratings={hiring.empathy.pk: 3, hiring.logic.pk: bad},
            comment="partly answered",
        )
    assert error.value.message_dict == {
        f"value_{hiring.logic.pk}": ["Choose from 1 to 5."]
    }
    feedback.refresh_from_db()
    assert feedback.responded_at is None
    assert feedback.comment == ""
    assert not FeedbackRating.objects.exists()


def test_feedback_ignores_ratings_of_competencies_it_did_not_ask_about(
    hiring, feedback
):
    stray = CompetencyFactory()
    services.feedback_submit(
        feedback=feedback,
        ratings={hiring.empathy.pk: 2, hiring.logic.pk: 3, stray.pk: 5},
        comment="",
    )
    assert sorted(FeedbackRating.objects.values_list("competency_id", flat=True)) == (
        sorted([hiring.empathy.pk, hiring.logic.pk])
    )


def test_application_create_refuses_a_closed_opening_and_a_second_application(
    hiring, org
):
    with pytest.raises(ValidationError) as error:
        services.application_create(
            candidate=hiring.candidate, opening=hiring.opening, by=org.recruiter
        )
    assert list(error.value.message_dict) == ["opening"]
    hiring.opening.status = "closed"
    hiring.opening.save()
    with pytest.raises(ValidationError):
        services.application_create(
            candidate=CandidateFactory(), opening=hiring.opening, by=org.recruiter
        )
    assert Application.objects.count() == 1


def test_scheduling_creates_the_empty_scorecard_and_moves_applied_on(hiring, org):
    application = ApplicationFactory(opening=hiring.opening, stage="applied")
    interview = schedule_interview(application, hiring.kit, org.interviewer)
    application.refresh_from_db()
    assert application.stage == "interviewing"
    assert interview.scorecard.current is None
    assert not interview.scorecard.revisions.exists()
    with pytest.raises(ValidationError):
        schedule_interview(application, hiring.kit, org.interviewer)


def test_scheduling_refuses_a_kit_of_another_opening(hiring, org):
    other_kit = InterviewKitFactory(questions=[QuestionFactory()])
    with pytest.raises(ValidationError) as error:
        schedule_interview(hiring.application, other_kit, org.recruiter)
    assert list(error.value.message_dict) == ["kit"]


# --- The question bank: questions used by scorecards keep their content -------------

# What a question asks and how it is rated (services.QUESTION_CONTENT_FIELDS).
CONTENT_CHANGES = {
    "kind": "scenario",
    "text": "新しい質問文",
    "text_en": "A rewritten question",
    **{
        f"rubric_{n}{suffix}": f"rewritten rubric {n}{suffix}"
        for n in range(1, 5)
        for suffix in ("", "_en")
    },
}


def _question_row(question):
    from hiring.models import Question

    return Question.objects.filter(pk=question.pk).values().get()


@pytest.fixture(params=["draft", "submitted"])
def used_question(request, hiring, org):
    """A question of its own kit, rated in a draft or in a submitted scorecard."""
    question = QuestionFactory(competency=hiring.empathy)
    kit = InterviewKitFactory(
        opening=hiring.opening, stage="final", questions=[question]
    )
    interview = schedule_interview(hiring.application, kit, org.interviewer)
    if request.param == "draft":
        _save(
            interview.scorecard,
            org.interviewer,
            answers={question.pk: {"notes": "so far", "rating": 2}},
        )
    else:
        fill_scorecard(interview, ratings={})
    return question


@pytest.mark.parametrize("field", ["competency", *CONTENT_CHANGES])
def test_the_content_of_a_used_question_is_refused_per_field(used_question, field):
    value = CompetencyFactory() if field == "competency" else CONTENT_CHANGES[field]
    before = _question_row(used_question)
    with pytest.raises(ValidationError) as error:
        services.question_save(used_question, **{field: value})
    assert list(error.value.message_dict) == [field]
    assert _question_row(used_question) == before


def test_a_form_with_every_field_is_refused_on_the_changed_ones_only(used_question):
    before = _question_row(used_question)
    fields = {name: getattr(used_question, name) for name in ["competency", "kind"]}
    fields |= {name: getattr(used_question, name) for name in CONTENT_CHANGES}
    fields |= {"text": "changed", "rubric_4_en": "changed too", "is_active": False}
    with pytest.raises(ValidationError) as error:
        services.question_save(used_question, **fields)
    assert set(error.value.message_dict) == {"text", "rubric_4_en"}
    # nothing is written, not even the change that was allowed
    assert _question_row(used_question) == before


def test_a_used_question_can_be_retired_with_its_content_unchanged(used_question):
    before = _question_row(used_question)
    fields = {name: getattr(used_question, name) for name in ["competency", "kind"]}
    fields |= {name: getattr(used_question, name) for name in CONTENT_CHANGES}
    services.question_save(used_question, **fields, is_active=False)
    after = _question_row(used_question)
    assert after.pop("is_active") is False
    before.pop("is_active")
    after.pop("updated_at")
    before.pop("updated_at")
    assert after == before


def test_an_unused_question_can_be_edited_freely(hiring, org):
    # in a kit, and in an interview whose scorecard has not been opened
    question = QuestionFactory(competency=hiring.empathy)
    kit = InterviewKitFactory(
        opening=hiring.opening, stage="final", questions=[question]
    )
    schedule_interview(hiring.application, kit, org.interviewer)
    services.question_save(
        question, competency=hiring.logic, **CONTENT_CHANGES, is_active=False
    )
    row = _question_row(question)
    assert row["competency_id"] == hiring.logic.pk
    assert {name: row[name] for name in CONTENT_CHANGES} == CONTENT_CHANGES
    assert row["is_active"] is False


def test_a_question_is_created_and_its_required_fields_checked(hiring):
    from hiring.models import Question

    fields = {
        "competency": hiring.logic,
        "kind": "scenario",
        "text": "障害が起きた顧客にどう連絡しますか？",
        "rubric_1": "no plan",
        "rubric_2": "a plan, no customer view",
        "rubric_3": "a clear plan",
        "rubric_4": "a plan the customer trusts",
    }
    question = services.question_save(Question(), **fields)
    assert question.pk
    row = _question_row(question)
    assert (row["competency_id"], row["text"], row["is_active"]) == (
        hiring.logic.pk,
        fields["text"],
        True,
    )
    count = Question.objects.count()
    with pytest.raises(ValidationError) as error:
        services.question_save(Question(), **(fields | {"text": "", "rubric_2": ""}))
    assert {"text", "rubric_2"} <= set(error.value.message_dict)
    assert Question.objects.count() == count


# --- Erased candidates: their scorecards are closed --------------------------------


def _erase(hiring, org):
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=org.recruiter, why="request"
    )


def test_the_draft_of_an_erased_candidate_is_neither_saved_nor_submitted(
    hiring, org, card
):
    _save(card, org.interviewer, **_complete(hiring))
    _erase(hiring, org)
    before = _written_state()
    q_empathy, _q_logic = hiring.questions
    with pytest.raises(ValidationError, match="deleted"):
        _save(
            card,
            org.interviewer,
            answers={q_empathy.pk: {"notes": "her name was …", "rating": 4}},
            summary="personal data again",
        )
    with pytest.raises(ValidationError, match="deleted"):
        services.scorecard_submit(scorecard=card, by=org.interviewer)
    assert _written_state() == before
    card.refresh_from_db()
    assert card.current is None


def test_an_unopened_scorecard_of_an_erased_candidate_is_not_started(hiring, org, card):
    _erase(hiring, org)
    with pytest.raises(ValidationError, match="deleted"):
        _save(card, org.interviewer, overall=3)
    with pytest.raises(ValidationError, match="deleted"):
        services.scorecard_submit(scorecard=card, by=org.interviewer)
    assert not ScorecardRevision.objects.filter(scorecard=card).exists()


def test_a_submitted_scorecard_of_an_erased_candidate_is_not_corrected(hiring, org):
    panel_card = hiring.panel_interview.scorecard
    _erase(hiring, org)
    before = _written_state()
    with pytest.raises(ValidationError, match="deleted"):
        services.scorecard_start_correction(
            scorecard=panel_card, by=hiring.panelist, reason="remembered her story"
        )
    assert _written_state() == before
    assert list(panel_card.revisions.values_list("number", flat=True)) == [1]


def test_overdue_scorecards_skip_erased_candidates_and_closed_rejections(hiring, org):
    """Reminders are for scorecards still useful: not for an erased candidate, nor
    for a rejected or withdrawn application; an offer or a hire still wants them."""
    cards = {"interviewing": hiring.interview.scorecard}
    for stage in ["offer", "hired", "rejected", "withdrawn", "erased"]:
        application = ApplicationFactory(opening=hiring.opening)
        cards[stage] = schedule_interview(
            application, hiring.kit, org.interviewer
        ).scorecard
        if stage == "erased":
            services.candidate_erase_personal_data(
                candidate=application.candidate, by=org.recruiter, why="request"
            )
        else:
            Application.objects.filter(pk=application.pk).update(stage=stage)
    later = timezone.now() + timedelta(days=2)
    overdue = set(services.overdue_scorecards(now=later).values_list("pk", flat=True))
    due = set(services.scorecard_reminders_due(now=later))
    expected = {"interviewing", "offer", "hired"}
    assert {stage for stage, sc in cards.items() if sc.pk in overdue} == expected
    assert {stage for stage, sc in cards.items() if sc.pk in due} == expected
    mail.outbox.clear()
    assert not services.scorecard_remind(scorecard_id=cards["rejected"].pk, now=later)
    assert not services.scorecard_remind(scorecard_id=cards["erased"].pk, now=later)
    assert mail.outbox == []
    assert services.scorecard_remind(scorecard_id=cards["offer"].pk, now=later)
    assert len(mail.outbox) == 1


# --- Submitting a scorecard never opened -------------------------------------------


def test_submitting_a_never_opened_scorecard_lists_everything_missing(
    hiring, org, card
):
    q_empathy, q_logic = hiring.questions
    with pytest.raises(ValidationError) as error:
        services.scorecard_submit(scorecard=card, by=org.interviewer)
    assert error.value.message_dict == {
        f"question_{q_empathy.pk}": ["Question 1 has no rating."],
        f"question_{q_logic.pk}": ["Question 2 has no rating."],
        f"competency_{hiring.empathy.pk}": ["The competency “Empathy” has no rating."],
        f"competency_{hiring.logic.pk}": ["The competency “Logic” has no rating."],
        "overall": ["The overall recommendation is missing."],
    }
    # the empty draft made to list them is not kept
    assert not ScorecardRevision.objects.filter(scorecard=card).exists()
    card.refresh_from_db()
    assert card.current is None


# --- A draft changed in another window ---------------------------------------------


def test_a_draft_saved_elsewhere_since_it_was_loaded_is_not_overwritten(
    hiring, org, card
):
    q_empathy, _q_logic = hiring.questions
    draft = _save(card, org.interviewer, overall=2, summary="first words")
    # both windows loaded the draft as saved a minute ago
    loaded_at = timezone.now() - timedelta(minutes=1)
    ScorecardRevision.objects.filter(pk=draft.pk).update(saved_at=loaded_at)

    # the first window saves: its copy is the latest
    _save(
        card,
        org.interviewer,
        summary="from the first window",
        expected_saved_at=loaded_at,
    )
    before = _written_state()
    # the second window still has the copy loaded a minute ago
    with pytest.raises(services.DraftConflict) as error:
        _save(
            card,
            org.interviewer,
            answers={q_empathy.pk: {"notes": "from the second window", "rating": 4}},
            overall=4,
            summary="from the second window",
            expected_saved_at=loaded_at,
        )
    assert isinstance(error.value, ValidationError)
    assert "another window" in " ".join(error.value.messages)
    assert _written_state() == before
    assert _revision_state(draft)["summary"] == "from the first window"

    # after reloading, the second window saves with the latest saved_at
    draft.refresh_from_db()
    _save(card, org.interviewer, overall=4, expected_saved_at=draft.saved_at)
    # without expected_saved_at nothing is checked
    _save(card, org.interviewer, summary="no check")
    state = _revision_state(draft)
    assert (state["overall"], state["summary"]) == (4, "no check")


# --- Cancelling an interview -------------------------------------------------------


def test_an_interview_with_an_unopened_scorecard_is_cancelled(hiring, org):
    from hiring.models import Interview

    interview = schedule_interview(hiring.application, hiring.kit, org.recruiter)
    scorecard_pk = interview.scorecard.pk
    services.interview_cancel(interview=interview, by=org.recruiter)
    assert not Interview.objects.filter(pk=interview.pk).exists()
    assert not Scorecard.objects.filter(pk=scorecard_pk).exists()


def test_cancelling_an_interview_deletes_its_draft_and_unbinds_the_interviewer(
    hiring, org, card
):
    from hiring import permissions
    from hiring.models import Interview

    _save(card, org.interviewer, **_complete(hiring))
    # the recruiter interviews too: bound, they see only their own interview
    own = schedule_interview(hiring.application, hiring.kit, org.recruiter)
    _save(own.scorecard, org.recruiter, overall=1, summary="unsure")
    assert not permissions.sees_panel(org.recruiter, hiring.application)
    assert set(
        permissions.visible_interviews(org.recruiter).filter(
            application=hiring.application
        )
    ) == {own}

    services.interview_cancel(interview=own, by=org.recruiter)
    assert not Interview.objects.filter(pk=own.pk).exists()
    assert not ScorecardRevision.objects.filter(created_by=org.recruiter).exists()
    assert not AnswerRating.objects.filter(
        revision__scorecard_id=own.scorecard.pk
    ).exists()
    # no longer bound: the panel and every interview are theirs to see again
    assert permissions.sees_panel(org.recruiter, hiring.application)
    assert set(
        permissions.visible_interviews(org.recruiter).filter(
            application=hiring.application
        )
    ) == {hiring.interview, hiring.panel_interview}

    # the plain interviewer's draft goes with their interview; they are unbound
    services.interview_cancel(interview=hiring.interview, by=org.recruiter)
    assert not ScorecardRevision.objects.filter(scorecard=card).exists()
    assert not AnswerRating.objects.filter(revision__scorecard=card).exists()
    assert not permissions.bound_candidate_ids(
        org.interviewer, HiringPolicy.current()
    ).exists()


def test_an_interview_with_a_submitted_scorecard_is_not_cancelled(hiring, org):
    from hiring.models import Interview

    panel_card = hiring.panel_interview.scorecard
    before = _written_state()
    with pytest.raises(ValidationError, match="submitted"):
        services.interview_cancel(interview=hiring.panel_interview, by=org.recruiter)
    assert _written_state() == before
    # nor with a correction open
    services.scorecard_start_correction(
        scorecard=panel_card, by=hiring.panelist, reason="logic was a 3"
    )
    before = _written_state()
    with pytest.raises(ValidationError, match="submitted"):
        services.interview_cancel(interview=hiring.panel_interview, by=org.recruiter)
    assert _written_state() == before
    assert Interview.objects.filter(pk=hiring.panel_interview.pk).exists()


# --- Names of hired candidates -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reading", "names", "readings"),
    [
        (
            "山田\u3000太郎",
            "ヤマダ\u3000タロウ",
            ("山田", "太郎"),
            ("ヤマダ", "タロウ"),
        ),
        ("佐藤 花子", "さとう はなこ", ("佐藤", "花子"), ("さとう", "はなこ")),
        ("マドンナ", "まどんな", ("マドンナ", ""), ("まどんな", "")),
    ],
)
def test_a_hired_candidates_name_and_reading_are_split_family_name_first(
    hiring, org, name, reading, names, readings
):
    application = _offer(
        hiring, org, name=name, name_reading=reading, email="new.hire@example.org"
    )
    user = services.candidate_hire(application=application, by=org.recruiter)
    user.refresh_from_db()
    assert (user.family_name, user.given_name) == names
    assert (user.family_name_reading, user.given_name_reading) == readings


# --- Two requests at the same moment -----------------------------------------------


def test_an_application_made_at_the_same_moment_elsewhere_is_refused_cleanly(
    hiring, org
):
    candidate = CandidateFactory()
    original = Application.full_clean

    def meanwhile(application, *args, **kwargs):
        # another request saves the same application after the existence check
        Application.objects.create(
            candidate=application.candidate,
            opening=application.opening,
            stage_changed_at=timezone.now(),
        )
        return original(application, *args, **kwargs)

    with (
        mock.patch.object(Application, "full_clean", meanwhile),
        pytest.raises(ValidationError) as error,
    ):
        services.application_create(
            candidate=candidate, opening=hiring.opening, by=org.recruiter
        )
    assert list(error.value.message_dict) == ["opening"]
    assert Application.objects.filter(candidate=candidate).count() == 1


def test_an_interview_scheduled_at_the_same_moment_elsewhere_is_refused_cleanly(
    hiring, org
):
    from hiring.models import Interview

    application = ApplicationFactory(opening=hiring.opening, stage="applied")
    original = Interview.full_clean

    def meanwhile(interview, *args, **kwargs):
        # another request schedules the same interview after the existence check
        other = Interview.objects.create(
            application=interview.application,
            kit=interview.kit,
            interviewer=interview.interviewer,
            scheduled_at=interview.scheduled_at,
        )
        Scorecard.objects.create(interview=other)
        return original(interview, *args, **kwargs)

    with (
        mock.patch.object(Interview, "full_clean", meanwhile),
        pytest.raises(ValidationError) as error,
    ):
        schedule_interview(application, hiring.kit, org.recruiter)
    assert list(error.value.message_dict) == ["interviewer"]
    assert Interview.objects.filter(application=application).count() == 1
    assert Scorecard.objects.filter(interview__application=application).count() == 1
