"""The periodic hiring tasks: scorecard reminders and candidate anonymisation.

Time is frozen by passing `now` to the services the tasks call; the tasks themselves
run through Celery, eagerly (CELERY_TASK_ALWAYS_EAGER in the test settings).
"""

import threading
from datetime import datetime, timedelta
from smtplib import SMTPException
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone, translation

from config import celery_app
from hiring import services, tasks
from hiring.models import (
    AnswerRating,
    Application,
    Candidate,
    CandidateFeedback,
    CompetencyRating,
    Decision,
    HiringPolicy,
    Interview,
    Scorecard,
    ScorecardRevision,
)
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    UserFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db

TOKYO = ZoneInfo("Asia/Tokyo")
# The interview the reminders are about: 11 May 2026, 10:00 in Tokyo.
INTERVIEW_AT = datetime(2026, 5, 11, 10, 0, tzinfo=TOKYO)
DAY = timedelta(days=1)


@pytest.fixture
def overdue(hiring):
    """org.interviewer's interview, held at INTERVIEW_AT, scorecard not submitted."""
    Interview.objects.filter(pk=hiring.interview.pk).update(scheduled_at=INTERVIEW_AT)
    hiring.interview.refresh_from_db()
    return hiring.interview.scorecard


def _remind(scorecard, now):
    """One hourly run of the beat task, at `now`: what it queues, then sends."""
    return [
        services.scorecard_remind(scorecard_id=pk, now=now)
        for pk in services.scorecard_reminders_due(now=now)
        if pk == scorecard.pk
    ]


def _last_reminded(scorecard):
    return Scorecard.objects.get(pk=scorecard.pk).last_reminded_at


# --- Reminders --------------------------------------------------------------------


def test_no_reminder_before_24_hours_after_the_interview(overdue, mailoutbox):
    almost = INTERVIEW_AT + timedelta(hours=23, minutes=59)
    assert _remind(overdue, almost) == []
    assert services.scorecard_remind(scorecard_id=overdue.pk, now=almost) is False
    assert mailoutbox == []
    assert _last_reminded(overdue) is None


def test_reminder_sent_once_24_hours_after_the_interview(overdue, mailoutbox, org):
    now = INTERVIEW_AT + timedelta(hours=24, minutes=1)
    assert _remind(overdue, now) == [True]
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == [org.interviewer.email]
    assert "候補 太郎" in email.subject
    assert f"/hiring/interviews/{overdue.interview.pk}/scorecard/" in email.body
    assert "CSM (Team A)" in email.body
    assert _last_reminded(overdue) == now


def test_not_reminded_again_the_same_day_but_again_the_next(overdue, mailoutbox):
    first = INTERVIEW_AT + timedelta(hours=25)
    _remind(overdue, first)
    for hours in (1, 12, 23):
        assert _remind(overdue, first + timedelta(hours=hours)) == []
    assert len(mailoutbox) == 1
    assert _remind(overdue, first + DAY) == [True]
    assert len(mailoutbox) == 2
    assert _last_reminded(overdue) == first + DAY


def test_no_reminder_once_the_scorecard_is_submitted(overdue, hiring, mailoutbox):
    now = INTERVIEW_AT + timedelta(hours=30)
    _remind(overdue, now)
    fill_scorecard(hiring.interview, ratings={})
    assert _remind(overdue, now + DAY) == []
    assert services.scorecard_remind(scorecard_id=overdue.pk, now=now + DAY) is False
    assert len(mailoutbox) == 1


def test_the_policy_sets_the_hours(overdue, mailoutbox):
    HiringPolicy.objects.update_or_create(pk=1, defaults={"reminder_after_hours": 48})
    assert _remind(overdue, INTERVIEW_AT + timedelta(hours=47)) == []
    assert _remind(overdue, INTERVIEW_AT + timedelta(hours=49)) == [True]


def test_no_reminder_about_an_anonymised_candidate(overdue, hiring, mailoutbox):
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=None, why=Candidate.Anonymisation.REQUEST
    )
    assert _remind(overdue, INTERVIEW_AT + 2 * DAY) == []
    assert mailoutbox == []


@pytest.mark.parametrize(
    ("language", "date_text"),
    [("ja", "2026/05/11 10:00"), ("en", "May 11, 2026 10:00")],
)
def test_the_reminder_is_in_the_interviewers_language(
    overdue, org, mailoutbox, language, date_text
):
    org.interviewer.preferred_language = language
    org.interviewer.save(update_fields=["preferred_language"])
    with translation.override("en" if language == "ja" else "ja"):
        _remind(overdue, INTERVIEW_AT + 2 * DAY)
        # The page language of whoever runs the task is left as it was.
        assert translation.get_language() == ("en" if language == "ja" else "ja")
    assert date_text in mailoutbox[0].body


def test_two_runs_at_once_send_one_reminder(overdue, mailoutbox):
    now = INTERVIEW_AT + 2 * DAY
    original = services.overdue_scorecards
    second = []

    def second_run_slips_in(**kwargs):
        # Run A has read the previous reminder time; run B does all its work now,
        # before A claims the reminder.
        if not second:
            second.append("running")
            second.append(services.scorecard_remind(scorecard_id=overdue.pk, now=now))
        return original(**kwargs)

    with mock.patch.object(services, "overdue_scorecards", second_run_slips_in):
        first = services.scorecard_remind(scorecard_id=overdue.pk, now=now)
    assert second == ["running", True]
    assert first is False
    assert len(mailoutbox) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_at_the_same_moment_send_one_reminder(hiring, mailoutbox):
    Interview.objects.filter(pk=hiring.interview.pk).update(scheduled_at=INTERVIEW_AT)
    scorecard_id = hiring.interview.scorecard.pk
    now = INTERVIEW_AT + 2 * DAY
    start = threading.Barrier(2)
    results = []

    def worker():
        try:
            start.wait(timeout=10)
            results.append(
                services.scorecard_remind(scorecard_id=scorecard_id, now=now)
            )
        finally:
            connection.close()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert len(mailoutbox) == 1


def test_a_reminder_queued_twice_is_sent_once(overdue, mailoutbox):
    Interview.objects.filter(pk=overdue.interview.pk).update(
        scheduled_at=timezone.now() - timedelta(hours=30)
    )
    assert tasks.remind_scorecard.delay(overdue.pk).get() is True
    assert tasks.remind_scorecard.delay(overdue.pk).get() is False
    assert len(mailoutbox) == 1


def test_a_failed_send_releases_the_claim(overdue, mailoutbox):
    first = INTERVIEW_AT + 2 * DAY
    _remind(overdue, first)
    with (
        mock.patch("hiring.services.send_mail", side_effect=SMTPException("down")),
        pytest.raises(SMTPException),
    ):
        _remind(overdue, first + DAY)
    # The claim is back to the last reminder that did go out: the next run retries.
    assert _last_reminded(overdue) == first
    assert _remind(overdue, first + DAY + timedelta(hours=1)) == [True]
    assert len(mailoutbox) == 2


def test_a_failed_first_send_leaves_the_scorecard_unreminded(overdue, mailoutbox):
    now = INTERVIEW_AT + 2 * DAY
    with (
        mock.patch("hiring.services.send_mail", side_effect=SMTPException("down")),
        pytest.raises(SMTPException),
    ):
        services.scorecard_remind(scorecard_id=overdue.pk, now=now)
    assert _last_reminded(overdue) is None
    assert services.scorecard_reminders_due(now=now) == [overdue.pk]


def test_the_beat_task_runs_through_celery(overdue, hiring, mailoutbox):
    assert celery_app.conf.task_always_eager
    Interview.objects.filter(pk=overdue.interview.pk).update(
        scheduled_at=timezone.now() - timedelta(hours=25)
    )
    result = tasks.send_scorecard_reminders.delay()
    assert result.get() == 1
    assert len(mailoutbox) == 1
    # The next hourly run finds nothing new to send.
    assert tasks.send_scorecard_reminders.delay().get() == 0
    assert len(mailoutbox) == 1


def test_the_beat_schedule_names_both_tasks():
    # As a worker does on start: every app's tasks module, not only those that
    # this test run happened to import.
    celery_app.loader.import_default_modules()
    schedule = celery_app.conf.beat_schedule
    tasks_by_name = {entry["task"] for entry in schedule.values()}
    assert tasks_by_name >= {
        "hiring.tasks.send_scorecard_reminders",
        "hiring.tasks.anonymise_expired_candidates",
    }
    assert set(tasks_by_name) <= set(celery_app.tasks)
    nightly = schedule["hiring-anonymise-expired-candidates"]["schedule"]
    assert nightly.hour == {3}
    assert str(nightly.tz) == "Asia/Tokyo"


# --- Anonymisation ----------------------------------------------------------------

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=TOKYO)


def _closed_candidate(hiring, *, days_ago, stage=Application.Stage.REJECTED):
    """A candidate whose one application closed `days_ago` days before NOW, with a
    submitted scorecard, a draft, a decision and candidate feedback."""
    application = ApplicationFactory(
        opening=hiring.opening,
        candidate=CandidateFactory(
            name="山田 花子", email="hanako@example.org", notes="元サポート職"
        ),
    )
    submitted = schedule_interview(application, hiring.kit, hiring.panelist)
    fill_scorecard(
        submitted,
        ratings={hiring.empathy: 4, hiring.logic: 2},
        summary="丁寧な受け答え",
    )
    draft = schedule_interview(application, hiring.kit, UserFactory())
    services.scorecard_save_draft(
        scorecard=draft.scorecard,
        by=draft.interviewer,
        answers={hiring.questions[0].pk: {"notes": "下書きのメモ", "rating": 3}},
        summary="下書きのまとめ",
    )
    CandidateFeedback.objects.create(
        interview=submitted,
        invited_at=NOW - timedelta(days=days_ago + 5),
        comment="丁寧に対応していただきました",
    )
    services.decision_record(
        application=application, kind="reject", reason="経験不足", by=hiring.panelist
    )
    Application.objects.filter(pk=application.pk).update(
        stage=stage, stage_changed_at=NOW - timedelta(days=days_ago)
    )
    return application.candidate


def _ratings(candidate):
    revisions = ScorecardRevision.objects.filter(
        scorecard__interview__application__candidate=candidate
    )
    return (
        sorted(
            AnswerRating.objects.filter(revision__in=revisions).values_list(
                "question_id", "rating"
            )
        ),
        sorted(
            CompetencyRating.objects.filter(revision__in=revisions).values_list(
                "competency_id", "rating"
            )
        ),
        sorted(revisions.values_list("pk", "overall")),
    )


def test_personal_data_is_erased_after_the_retention_period(hiring):
    candidate = _closed_candidate(hiring, days_ago=181)
    ratings = _ratings(candidate)

    assert services.candidates_anonymise_expired(now=NOW) == 1

    candidate.refresh_from_db()
    assert candidate.name != "山田 花子"
    assert candidate.email == ""
    assert candidate.notes == ""
    assert candidate.anonymised_at is not None
    assert candidate.anonymised_by is None
    assert candidate.anonymisation == Candidate.Anonymisation.RETENTION
    answers = AnswerRating.objects.filter(
        revision__scorecard__interview__application__candidate=candidate
    )
    assert set(answers.values_list("notes", flat=True)) == {""}
    revisions = ScorecardRevision.objects.filter(
        scorecard__interview__application__candidate=candidate
    )
    assert set(revisions.values_list("summary", flat=True)) == {""}
    assert not CandidateFeedback.objects.filter(
        interview__application__candidate=candidate
    ).exclude(comment="")
    assert not Decision.objects.filter(
        application__candidate=candidate, reason="経験不足"
    ).exists()
    # Ratings stay, for calibration statistics.
    assert _ratings(candidate) == ratings


def test_withdrawn_candidates_are_anonymised_too(hiring):
    candidate = _closed_candidate(
        hiring, days_ago=200, stage=Application.Stage.WITHDRAWN
    )
    services.candidates_anonymise_expired(now=NOW)
    candidate.refresh_from_db()
    assert candidate.anonymised_at is not None


def test_nothing_is_erased_before_the_retention_period(hiring):
    candidate = _closed_candidate(hiring, days_ago=179)
    assert services.candidates_anonymise_expired(now=NOW) == 0
    candidate.refresh_from_db()
    assert candidate.name == "山田 花子"
    assert candidate.anonymised_at is None


def test_the_policy_sets_the_retention_period(hiring):
    HiringPolicy.objects.update_or_create(pk=1, defaults={"retention_days": 365})
    candidate = _closed_candidate(hiring, days_ago=200)
    assert services.candidates_anonymise_expired(now=NOW) == 0
    candidate.refresh_from_db()
    assert candidate.anonymised_at is None


@pytest.mark.parametrize("open_stage", ["applied", "interviewing", "offer", "hired"])
def test_a_candidate_with_another_application_is_untouched(hiring, open_stage):
    candidate = _closed_candidate(hiring, days_ago=400)
    other = ApplicationFactory(candidate=candidate, stage=open_stage)
    Application.objects.filter(pk=other.pk).update(
        stage_changed_at=NOW - timedelta(days=400)
    )
    assert services.candidates_anonymise_expired(now=NOW) == 0
    candidate.refresh_from_db()
    assert candidate.name == "山田 花子"
    assert candidate.email == "hanako@example.org"


def test_the_open_candidates_of_the_world_are_untouched(hiring):
    _closed_candidate(hiring, days_ago=181)
    services.candidates_anonymise_expired(now=NOW)
    hiring.candidate.refresh_from_db()
    assert hiring.candidate.name == "候補 太郎"


def test_the_nightly_task_runs_through_celery_and_twice_changes_nothing(hiring):
    candidate = _closed_candidate(hiring, days_ago=10)
    Application.objects.filter(candidate=candidate).update(
        stage_changed_at=timezone.now() - timedelta(days=181)
    )
    assert tasks.anonymise_expired_candidates.delay().get() == 1
    candidate.refresh_from_db()
    erased_at = candidate.anonymised_at
    assert erased_at is not None
    assert tasks.anonymise_expired_candidates.delay().get() == 0
    candidate.refresh_from_db()
    assert candidate.anonymised_at == erased_at
