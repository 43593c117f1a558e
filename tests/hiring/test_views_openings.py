"""Openings pages: home, opening list and form, the pipeline, the scorecard export,
interviewer calibration and overdue scorecards."""

import codecs
import re
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from config.exports import csv_cell
from hiring import selectors, services
from hiring.models import (
    Application,
    CandidateFeedback,
    FeedbackRating,
    HiringPolicy,
    Opening,
    Scorecard,
)
from tests import exports
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyFactory,
    InterviewKitFactory,
    OpeningFactory,
    QuestionFactory,
    SuccessProfileFactory,
    _person,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _pipeline(hiring):
    return reverse("hiring:opening_detail", args=[hiring.opening.pk])


def _row_order(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-application="(\d+)"', response.text)]


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _row(response, application) -> str:
    return re.search(
        rf'data-application="{application.pk}">(.*?)</tr>', response.text, re.S
    ).group(1)


def _fit_cell(response, application) -> str:
    row = _row(response, application)
    return _text(re.search(r'data-testid="fit">(.*?)</td>', row, re.S).group(1))


def _apply(hiring, name, *, stage, days_ago, ratings=None):
    """A candidate of the world's opening, scored by the panelist when `ratings`."""
    application = ApplicationFactory(
        opening=hiring.opening, candidate=CandidateFactory(name=name), stage="applied"
    )
    if ratings:
        interview = schedule_interview(application, hiring.kit, hiring.panelist)
        fill_scorecard(interview, ratings=ratings)
    Application.objects.filter(pk=application.pk).update(
        stage=stage, created_at=timezone.now() - timedelta(days=days_ago)
    )
    return application


# --- Home -----------------------------------------------------------------------


def test_home_lists_the_interviewers_interviews_with_links(client, org, hiring):
    response = _get(client, org.interviewer, reverse("hiring:home"))
    assert response.status_code == 200
    assert reverse("hiring:scorecard", args=[hiring.interview.pk]) in response.text
    assert "候補 太郎" in response.text
    assert "No interview is planned for you." in response.text
    assert "You have not submitted a scorecard yet." in response.text
    # Nothing of what recruiters see.
    assert 'data-testid="runs-hiring"' not in response.text


def test_home_shows_recruiters_the_overdue_count_and_their_pages(client, org, hiring):
    late = _apply(hiring, "Late", stage="interviewing", days_ago=3)
    schedule_interview(
        late, hiring.kit, hiring.panelist, when=timezone.now() - timedelta(hours=30)
    )
    response = _get(client, org.recruiter, reverse("hiring:home"))
    assert "1 overdue scorecard" in response.text
    for name in ("overdue", "opening_list", "candidate_list", "calibration"):
        assert reverse(f"hiring:{name}") in response.text


def test_home_shows_hiring_managers_their_openings(client, org, hiring):
    response = _get(client, org.manager_a, reverse("hiring:home"))
    assert "Openings you manage" in response.text
    assert reverse("hiring:opening_detail", args=[hiring.opening.pk]) in response.text
    other_manager = _get(client, org.manager_b, reverse("hiring:home"))
    assert "No opening names you as its hiring manager yet." in other_manager.text


# --- Opening list and form ------------------------------------------------------


def test_opening_list_filters_by_status_and_paginates(client, org, hiring):
    OpeningFactory(title="Paused role", status="on_hold")
    for number in range(25):
        OpeningFactory(title=f"Open role {number}")
    response = _get(client, org.recruiter, reverse("hiring:opening_list"))
    assert "Page 1 of 2" in response.text
    on_hold = _get(
        client, org.recruiter, reverse("hiring:opening_list"), status="on_hold"
    )
    assert "Paused role" in on_hold.text
    assert "Open role" not in on_hold.text
    closed = _get(
        client, org.recruiter, reverse("hiring:opening_list"), status="closed"
    )
    assert "No opening has this status." in closed.text


def test_opening_list_shows_each_one_only_what_they_may_see(client, org, hiring):
    OpeningFactory(title="Someone else's opening")
    manager = _get(client, org.manager_a, reverse("hiring:opening_list"))
    assert "CSM (Team A)" in manager.text
    assert "Someone else's opening" not in manager.text
    member = _get(client, org.member_a, reverse("hiring:opening_list"))
    assert "There is no opening for you to see" in member.text


def _opening_form(org, **changes):
    return {
        "title": "カスタマーサクセス（中途）",
        "team": org.team_a.pk,
        "profile": org.hiring.profile.pk,
        "hiring_manager": org.manager_a.pk,
        "status": "open",
        "description": "丁寧なサポートができる方",
        **changes,
    }


def test_recruiter_creates_an_opening(client, org, hiring):
    client.force_login(org.recruiter)
    response = client.post(reverse("hiring:opening_create"), _opening_form(org))
    opening = Opening.objects.get(title="カスタマーサクセス（中途）")
    assert response.status_code == 302
    assert response.url == reverse("hiring:opening_detail", args=[opening.pk])
    assert opening.hiring_manager == org.manager_a


def test_opening_form_error_is_on_the_field_and_keeps_what_was_typed(
    client, org, hiring
):
    client.force_login(org.recruiter)
    response = client.post(
        reverse("hiring:opening_create"),
        _opening_form(org, hiring_manager=org.member_a.pk),
    )
    assert response.status_code == 200
    assert "is-invalid" in response.text
    assert response.context["form"].errors.keys() == {"hiring_manager"}
    assert "カスタマーサクセス（中途）" in response.text
    assert not Opening.objects.filter(title="カスタマーサクセス（中途）").exists()


def test_recruiter_edits_an_opening(client, org, hiring):
    client.force_login(org.recruiter)
    url = reverse("hiring:opening_edit", args=[hiring.opening.pk])
    response = client.post(url, _opening_form(org, title="CSM", status="closed"))
    assert response.status_code == 302
    hiring.opening.refresh_from_db()
    assert (hiring.opening.title, hiring.opening.status) == ("CSM", "closed")


@pytest.mark.parametrize(("role", "status"), [("manager", 403), ("member", 404)])
def test_others_cannot_edit_an_opening_and_nothing_is_written(
    client, org, hiring, role, status
):
    client.force_login(org.by_role()[role])
    url = reverse("hiring:opening_edit", args=[hiring.opening.pk])
    response = client.post(url, _opening_form(org, title="Changed"))
    assert response.status_code == status
    hiring.opening.refresh_from_db()
    assert hiring.opening.title == "CSM (Team A)"


def test_only_those_who_run_hiring_create_openings(client, org, hiring):
    client.force_login(org.manager_a)
    response = client.post(reverse("hiring:opening_create"), _opening_form(org))
    assert response.status_code == 403
    assert not Opening.objects.filter(title="カスタマーサクセス（中途）").exists()


# --- The pipeline ---------------------------------------------------------------


@pytest.fixture
def pipeline(hiring):
    """Four candidates of the world's opening: the world's own (interviewing, fit
    75.0), Aoki (offer, 100.0), Baba (hired, 33.3) and Chiba (applied, no score)."""
    Application.objects.filter(pk=hiring.application.pk).update(
        created_at=timezone.now() - timedelta(days=2)
    )
    return {
        "world": hiring.application,
        "aoki": _apply(
            hiring,
            "Aoki",
            stage="offer",
            days_ago=3,
            ratings={hiring.empathy: 4, hiring.logic: 4},
        ),
        "baba": _apply(
            hiring,
            "Baba",
            stage="hired",
            days_ago=1,
            ratings={hiring.empathy: 2, hiring.logic: 2},
        ),
        "chiba": _apply(hiring, "Chiba", stage="applied", days_ago=4),
    }


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", "aoki baba chiba world"),
        ("-name", "world chiba baba aoki"),
        ("stage", "chiba world aoki baba"),
        ("-stage", "baba aoki world chiba"),
        ("applied", "chiba aoki world baba"),
        ("-applied", "baba world aoki chiba"),
        ("fit", "baba world aoki chiba"),
        ("-fit", "aoki world baba chiba"),
        ("", "chiba world aoki baba"),
    ],
)
def test_pipeline_sorts_and_puts_candidates_without_a_score_last(
    client, org, hiring, pipeline, sort, expected
):
    response = _get(client, org.recruiter, _pipeline(hiring), sort=sort)
    assert _row_order(response) == [pipeline[key].pk for key in expected.split()]


def test_pipeline_headers_link_to_the_sorts(client, org, hiring, pipeline):
    response = _get(client, org.recruiter, _pipeline(hiring), sort="-fit")
    assert 'href="?sort=fit"' in response.text  # a second click reverses
    assert 'href="?sort=name"' in response.text
    assert 'aria-sort="descending"' in response.text


def test_pipeline_counts_candidates_per_stage(client, org, hiring, pipeline):
    response = _get(client, org.recruiter, _pipeline(hiring))
    for stage, count in [("applied", 1), ("interviewing", 1), ("offer", 1)]:
        assert f'data-stage="{stage}">{count}<' in response.text
    assert 'data-stage="withdrawn">0<' in response.text
    # Scorecards: the panelist's submitted, the interviewer's not.
    assert "1 of 2" in _text(_row(response, hiring.application))


@pytest.mark.parametrize("role", ["admin", "recruiter", "manager"])
def test_pipeline_shows_fit_to_those_who_run_hiring_and_the_hiring_manager(
    client, org, hiring, role
):
    response = _get(client, org.by_role()[role], _pipeline(hiring))
    # Panelist: empathy 4 (weight 5), logic 2 (weight 3): 100 × (5 + 1) / 8.
    assert _fit_cell(response, hiring.application) == "75.0"


def test_bound_interviewer_sees_no_fit_until_their_own_scorecard(client, org, hiring):
    response = _get(client, org.interviewer, _pipeline(hiring))
    assert _fit_cell(response, hiring.application) == "— after your scorecard"
    assert "75.0" not in response.text
    fill_scorecard(hiring.interview, ratings={hiring.empathy: 3, hiring.logic: 3})
    response = client.get(_pipeline(hiring))
    # Means: empathy 3.5, logic 2.5 → 100 × (5 × 2.5/3 + 3 × 1.5/3) / 8 = 70.83…
    assert _fit_cell(response, hiring.application) == "70.8"


def _stage_counts(response) -> dict[str, int]:
    return {
        stage: int(count)
        for stage, count in re.findall(r'data-stage="(\w+)">(\d+)<', response.text)
    }


def test_a_bound_interviewers_pipeline_shows_no_stage_of_hidden_decisions(
    client, org, hiring
):
    offered = hiring.application
    services.decision_record(
        application=offered, kind="offer", reason="…", by=org.manager_a
    )
    # A second candidate the interviewer interviews, rejected by the panel.
    rejected = ApplicationFactory(opening=hiring.opening)
    schedule_interview(rejected, hiring.kit, org.interviewer)
    services.decision_record(
        application=rejected, kind="reject", reason="…", by=org.manager_a
    )
    response = _get(client, org.interviewer, _pipeline(hiring))
    counts = _stage_counts(response)
    assert (counts["interviewing"], counts["offer"], counts["rejected"]) == (2, 0, 0)
    for application in (offered, rejected):
        assert "Interviewing" in _row(response, application)
    by_stage = _get(client, org.interviewer, _pipeline(hiring), sort="-stage")
    assert set(_row_order(by_stage)) == {offered.pk, rejected.pk}
    opening_list = _get(client, org.interviewer, reverse("hiring:opening_list"))
    assert opening_list.context["page"].object_list[0].active_count == 2

    fill_scorecard(hiring.interview, ratings={})

    counts = _stage_counts(_get(client, org.interviewer, _pipeline(hiring)))
    assert (counts["interviewing"], counts["offer"], counts["rejected"]) == (1, 1, 0)
    recruiter = _stage_counts(_get(client, org.recruiter, _pipeline(hiring)))
    assert (recruiter["offer"], recruiter["rejected"]) == (1, 1)


def test_the_openings_candidate_experience_leaves_out_a_bound_managers_candidate(
    client, org, hiring
):
    feedback = CandidateFeedback.objects.create(
        interview=hiring.panel_interview, invited_at=timezone.now()
    )
    FeedbackRating.objects.create(
        feedback=feedback, competency=hiring.empathy, rating=4
    )
    assert (
        'data-testid="feedback"' in _get(client, org.manager_a, _pipeline(hiring)).text
    )
    schedule_interview(hiring.application, hiring.kit, org.manager_a)
    response = _get(client, org.manager_a, _pipeline(hiring))
    assert 'data-testid="feedback"' not in response.text
    assert "Candidates you have not scored yet are left out (1)" in response.text


def test_hiring_manager_who_interviews_is_bound_too(client, org, hiring):
    schedule_interview(hiring.application, hiring.kit, org.manager_a)
    response = _get(client, org.manager_a, _pipeline(hiring))
    assert _fit_cell(response, hiring.application) == "— after your scorecard"


def test_fit_says_hidden_when_the_policy_never_shows_the_panel(client, org, hiring):
    HiringPolicy.objects.update_or_create(
        pk=1, defaults={"panel_visibility": HiringPolicy.PanelVisibility.NEVER}
    )
    fill_scorecard(hiring.interview, ratings={})
    response = _get(client, org.interviewer, _pipeline(hiring))
    assert _fit_cell(response, hiring.application) == "— hidden"


def test_pipeline_links_to_summaries_and_kits(client, org, hiring):
    response = _get(client, org.manager_a, _pipeline(hiring))
    assert (
        reverse("hiring:application_summary", args=[hiring.application.pk])
        in response.text
    )
    assert reverse("hiring:kit_detail", args=[hiring.kit.pk]) in response.text
    assert reverse("hiring:kit_create", args=[hiring.opening.pk]) in response.text
    interviewer = _get(client, org.interviewer, _pipeline(hiring))
    assert reverse("hiring:kit_create", args=[hiring.opening.pk]) not in (
        interviewer.text
    )
    assert reverse("hiring:opening_export", args=[hiring.opening.pk]) not in (
        interviewer.text
    )


def test_pipeline_of_an_opening_without_candidates_says_so(client, org, hiring):
    empty = OpeningFactory(title="Empty")
    response = _get(
        client, org.recruiter, reverse("hiring:opening_detail", args=[empty.pk])
    )
    assert "No candidate has applied to this opening yet." in response.text
    assert "This opening has no interview kit yet." in response.text


def test_pipeline_shows_candidate_experience_to_recruiters_and_manager(
    client, org, hiring
):
    for interview, ratings in [(hiring.interview, 5), (hiring.panel_interview, 4)]:
        feedback = CandidateFeedback.objects.create(
            interview=interview, invited_at=timezone.now()
        )
        FeedbackRating.objects.create(
            feedback=feedback, competency=hiring.empathy, rating=ratings
        )
    for user in (org.recruiter, org.manager_a):
        response = _get(client, user, _pipeline(hiring))
        feedback_table = response.text.split('data-testid="feedback"')[1]
        assert "Empathy" in feedback_table
        assert "4.5" in feedback_table
    interviewer = _get(client, org.interviewer, _pipeline(hiring))
    assert "Candidate experience" not in interviewer.text


def test_pipeline_of_an_unseen_opening_is_404(client, org, hiring):
    response = _get(client, org.member_a, _pipeline(hiring))
    assert response.status_code == 404


def _crowd(hiring, count: int):
    """`count` more candidates, each with three interviews, two of them submitted."""
    others = [_person(f"panel{n}", "面接", roles=[Role.INTERVIEWER]) for n in range(3)]
    for number in range(count):
        application = ApplicationFactory(opening=hiring.opening)
        for position, interviewer in enumerate(others):
            interview = schedule_interview(application, hiring.kit, interviewer)
            if position < 2:
                fill_scorecard(interview, ratings={hiring.empathy: 1 + number % 4})


@pytest.mark.parametrize("count", [3, 15])
@pytest.mark.parametrize("role", ["recruiter", "manager", "interviewer"])
def test_pipeline_queries_do_not_grow_with_candidates(
    client, org, hiring, django_assert_max_num_queries, count, role
):
    _crowd(hiring, count)
    client.force_login(org.by_role()[role])
    # +1: the hiring policy, created on the first request, records its audit history.
    with django_assert_max_num_queries(17):
        response = client.get(_pipeline(hiring), {"sort": "-fit"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [3, 15])
def test_opening_list_queries_do_not_grow_with_openings(
    client, org, hiring, django_assert_max_num_queries, count
):
    for _number in range(count):
        ApplicationFactory.create_batch(2, opening=OpeningFactory())
    client.force_login(org.recruiter)
    with django_assert_max_num_queries(5):
        response = client.get(reverse("hiring:opening_list"))
    assert response.status_code == 200


# --- Scorecard export -----------------------------------------------------------


def _export(client, user, hiring):
    client.force_login(user)
    return client.get(reverse("hiring:opening_export", args=[hiring.opening.pk]))


def _rows(response) -> list[list[str]]:
    return exports.rows(response)


def test_export_opens_in_excel_in_japanese(client, org, hiring):
    fill_scorecard(
        hiring.interview,
        ratings={hiring.empathy: 3, hiring.logic: 4},
        overall=4,
        summary="丁寧な説明で、安心感がある。",
    )
    response = _export(client, org.recruiter, hiring)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    content = exports.body(response)
    assert content.startswith(codecs.BOM_UTF8)
    lines = content.split(b"\r\n")
    assert len(lines) == 4 and lines[-1] == b""  # header, two scorecards, CRLF end
    assert all(b"\n" not in line for line in lines)
    header, *rows = _rows(response)
    assert header == [
        "Candidate",
        "Interviewer",
        "Stage",
        "Interview date",
        "Revision",
        "Submitted at",
        "Overall recommendation",
        "Empathy",
        "Logic",
        "Summary",
    ]
    ours = next(row for row in rows if row[1] == org.interviewer.display_name)
    local = timezone.localtime(hiring.interview.scheduled_at)
    assert ours[:4] == [
        "候補 太郎",
        org.interviewer.display_name,
        "First interview",
        local.strftime("%Y-%m-%d %H:%M"),
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", ours[5])  # submitted at
    assert [ours[4], *ours[6:]] == ["1", "4", "3", "4", "丁寧な説明で、安心感がある。"]


def test_export_interview_times_are_in_the_organisations_time_zone(
    client, org, hiring, settings
):
    settings.TIME_ZONE = "Asia/Tokyo"
    hiring.panel_interview.scheduled_at = datetime(2026, 4, 30, 15, 30, tzinfo=UTC)
    hiring.panel_interview.save()
    (row,) = _rows(_export(client, org.recruiter, hiring))[1:]
    assert row[3] == "2026-05-01 00:30"


def test_export_shows_the_latest_revision(client, org, hiring):
    scorecard = hiring.panel_interview.scorecard
    services.scorecard_start_correction(
        scorecard=scorecard, by=hiring.panelist, reason="typo"
    )
    services.scorecard_save_draft(scorecard=scorecard, by=hiring.panelist, overall=1)
    services.scorecard_submit(scorecard=scorecard, by=hiring.panelist)
    (row,) = _rows(_export(client, org.recruiter, hiring))[1:]
    assert (row[4], row[6]) == ("2", "1")


def test_export_neutralises_formulas(client, org, hiring):
    hiring.candidate.name = '=HYPERLINK("http://evil")'
    hiring.candidate.save()
    fill_scorecard(hiring.interview, ratings={}, summary="@SUM(A1:A2)")
    panel = hiring.panel_interview.scorecard.current
    panel.summary = "-1+2"
    panel.save()
    rows = _rows(_export(client, org.recruiter, hiring))[1:]
    assert {row[0] for row in rows} == {'\'=HYPERLINK("http://evil")'}
    assert {row[-1] for row in rows} == {"'@SUM(A1:A2)", "'-1+2"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+81 3", "'+81 3"),
        ("-5", "'-5"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("a=b", "a=b"),
        ("安心感", "安心感"),
        (None, ""),
        (3, "3"),
    ],
)
def test_csv_cell(value, cell):
    assert csv_cell(value) == cell


@pytest.mark.parametrize(("role", "status"), [("interviewer", 403), ("member", 404)])
def test_export_refuses_interviewers_and_outsiders(client, org, hiring, role, status):
    assert _export(client, org.by_role()[role], hiring).status_code == status


def test_export_by_a_bound_hiring_manager_has_nothing_of_others(client, org, hiring):
    schedule_interview(hiring.application, hiring.kit, org.manager_a)
    rows = _rows(_export(client, org.manager_a, hiring))
    assert len(rows) == 1  # the header only: the panelist's scorecard is hidden


# --- Calibration ----------------------------------------------------------------


def _calibration_world(org):
    """Five candidates, each scored by X and Y; Z scored two of them, one late.

    X: 4 3 4 3 4 (mean 3.6)   Y: 3 3 2 2 4 (mean 2.8)   Z: 2 on c1, 3 on c5.
    X against Y and Z: 3.6 − 19/7 = +0.885… → +0.89.
    Y against X and Z: 2.8 − 23/7 = −0.485… → −0.49.
    Z: two candidates, hidden.
    """
    competency = CompetencyFactory()
    question = QuestionFactory(competency=competency)
    opening = OpeningFactory(profile=SuccessProfileFactory(weights={competency: 3}))
    kit = InterviewKitFactory(opening=opening, questions=[question])
    x = _person("x", "加藤", roles=[Role.INTERVIEWER])
    y = _person("y", "吉田", roles=[Role.INTERVIEWER])
    z = _person("z", "中村", roles=[Role.INTERVIEWER])
    scores = {x: [4, 3, 4, 3, 4], y: [3, 3, 2, 2, 4], z: [2, None, None, None, 3]}
    for number in range(5):
        application = ApplicationFactory(opening=opening)
        for interviewer, overalls in scores.items():
            if overalls[number] is None:
                continue
            late = interviewer == z and number == 4
            when = timezone.now() - timedelta(hours=30 if late else 2)
            interview = schedule_interview(application, kit, interviewer, when=when)
            fill_scorecard(interview, ratings={}, overall=overalls[number])
    return x, y, z


def _difference(response, user) -> str:
    row = re.search(
        rf'data-interviewer="{user.pk}">(.*?)</tr>', response.text, re.S
    ).group(1)
    cell = re.search(r'data-testid="difference">(.*?)</td>', row, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


def test_calibration_shows_the_signed_difference_from_five_candidates(client, org):
    x, y, z = _calibration_world(org)
    response = _get(client, org.recruiter, reverse("hiring:calibration"))
    assert _difference(response, x) == "+0.89"
    assert _difference(response, y) == "-0.49"
    assert _difference(response, z) == "hidden below 5 candidates"
    z_row = re.search(rf'data-interviewer="{z.pk}">(.*?)</tr>', response.text, re.S)
    assert "1 of 2" in z_row.group(1)  # late scorecards
    assert "positive is lenient, negative is severe" in response.text


def test_calibration_leaves_out_the_candidates_the_viewer_is_bound_on(client, org):
    x, y, z = _calibration_world(org)
    kit = Scorecard.objects.filter(interview__interviewer=x).first().interview.kit
    sixth = ApplicationFactory(opening=kit.opening)
    schedule_interview(sixth, kit, org.admin)  # the admin has not submitted
    url = reverse("hiring:calibration")
    before = _get(client, org.admin, url)
    assert _difference(before, x) == "+0.89"

    # The rest of the panel submits on the sixth candidate.
    for interviewer, overall in ((x, 4), (y, 1)):
        interview = schedule_interview(sixth, kit, interviewer)
        fill_scorecard(interview, ratings={}, overall=overall)
        feedback = CandidateFeedback.objects.create(
            interview=interview, invited_at=timezone.now()
        )
        FeedbackRating.objects.create(
            feedback=feedback,
            competency=kit.kit_questions.first().question.competency,
            rating=5,
        )

    # Someone not on the sixth candidate's panel sees the figures move …
    assert _difference(_get(client, org.recruiter, url), x) != "+0.89"
    # … the admin, who has not scored that candidate yet, does not, and is told.
    after = _get(client, org.admin, url)
    assert _difference(after, x) == "+0.89"
    assert _difference(after, y) == "-0.49"
    assert "No candidate has answered the feedback questions yet." in after.text
    note = after.text.split('data-testid="left-out"')[1].split("</div>")[0]
    assert "Candidates you have not scored yet are left out (1)" in note
    assert 'data-testid="left-out"' not in _get(client, org.recruiter, url).text


def test_calibration_is_for_those_who_run_hiring(client, org, hiring):
    assert _get(client, org.manager_a, reverse("hiring:calibration")).status_code == (
        403
    )


def test_calibration_shows_candidate_experience_per_interviewer(client, org, hiring):
    feedback = CandidateFeedback.objects.create(
        interview=hiring.panel_interview, invited_at=timezone.now()
    )
    FeedbackRating.objects.create(
        feedback=feedback, competency=hiring.empathy, rating=4
    )
    response = _get(client, org.admin, reverse("hiring:calibration"))
    table = response.text.split('data-testid="feedback"')[1]
    assert hiring.panelist.display_name in table
    assert "Empathy" in table and "4.0" in table


# --- Overdue --------------------------------------------------------------------

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def _overdue_world(hiring):
    """At NOW (policy: 24 hours): one interview 30 hours ago, unsubmitted; one 10
    hours ago; one 40 hours ago but submitted."""
    late = schedule_interview(
        _apply(hiring, "Late", stage="interviewing", days_ago=3),
        hiring.kit,
        hiring.panelist,
        when=NOW - timedelta(hours=30),
    )
    Scorecard.objects.filter(interview=late).update(
        last_reminded_at=NOW - timedelta(hours=5)
    )
    recent = schedule_interview(
        _apply(hiring, "Recent", stage="interviewing", days_ago=1),
        hiring.kit,
        hiring.panelist,
        when=NOW - timedelta(hours=10),
    )
    done = schedule_interview(
        _apply(hiring, "Done", stage="interviewing", days_ago=2),
        hiring.kit,
        hiring.panelist,
        when=NOW - timedelta(hours=40),
    )
    fill_scorecard(done, ratings={})
    # The world's own interviews are in the future as seen from NOW.
    return late, recent


def test_overdue_lists_unsubmitted_scorecards_after_the_policy_hours(hiring):
    late, _recent = _overdue_world(hiring)
    scorecards = selectors.overdue_scorecard_list(now=NOW)
    (row,) = selectors.overdue_details(scorecards=scorecards, now=NOW)
    assert row.scorecard.interview == late
    assert row.hours_overdue == 6


def test_overdue_page_shows_who_what_and_how_late(client, org, hiring):
    late, recent = _overdue_world(hiring)
    client.force_login(org.recruiter)
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        response = client.get(reverse("hiring:overdue"))
    table = response.text.split('data-testid="overdue"')[1]
    assert f'data-scorecard="{late.scorecard.pk}"' in table
    assert f'data-scorecard="{recent.scorecard.pk}"' not in table
    assert "Late" in table and "Recent" not in table and "Done" not in table
    assert hiring.panelist.display_name in table
    assert 'data-testid="hours">6 hours<' in table
    assert "CSM (Team A)" in table
    # The hours carry their unit in Japanese too: 6時間.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ja"
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        japanese = client.get(reverse("hiring:overdue")).text
    assert 'data-testid="hours">6時間<' in japanese


def test_overdue_page_when_nothing_is_late(client, org, hiring):
    response = _get(client, org.admin, reverse("hiring:overdue"))
    assert "No scorecard is overdue." in response.text


def test_overdue_page_paginates(client, org, hiring):
    for number in range(26):
        schedule_interview(
            _apply(hiring, f"Late {number}", stage="interviewing", days_ago=3),
            hiring.kit,
            hiring.panelist,
            when=timezone.now() - timedelta(hours=30 + number),
        )
    response = _get(client, org.recruiter, reverse("hiring:overdue"))
    assert "Page 1 of 2" in response.text
    assert response.text.count("data-scorecard=") == 25


def test_overdue_is_for_those_who_run_hiring(client, org, hiring):
    assert _get(client, org.interviewer, reverse("hiring:overdue")).status_code == 403


# --- Review fixes ---------------------------------------------------------------------


def test_the_opening_page_lists_its_kits_in_interview_order(client, org, hiring):
    # The world's kit is the first interview's; the others are added out of order.
    for stage in ("final", "screening", "second"):
        InterviewKitFactory(opening=hiring.opening, stage=stage)
    response = _get(client, org.manager_a, _pipeline(hiring))
    stages = [kit.stage for kit in response.context["kits"]]
    assert stages == ["screening", "first", "second", "final"]
    html = response.text
    positions = [
        html.index(label)
        for label in (
            "Screening",
            "First interview",
            "Second interview",
            "Final interview",
        )
    ]
    assert positions == sorted(positions)


def test_opening_list_pages_keep_the_status_filter(client, org, hiring):
    for number in range(26):
        OpeningFactory(title=f"Paused role {number}", status="on_hold")
    response = _get(
        client, org.recruiter, reverse("hiring:opening_list"), status="on_hold"
    )
    assert "Page 1 of 2" in response.text
    assert "?status=on_hold&amp;page=2" in response.text
    second = _get(
        client,
        org.recruiter,
        reverse("hiring:opening_list"),
        status="on_hold",
        page=2,
    )
    assert "?status=on_hold&amp;page=1" in second.text


def test_pipeline_pages_by_50_keeping_the_sort_and_the_stage_counts(
    client, org, hiring
):
    ApplicationFactory.create_batch(
        54, opening=hiring.opening, stage="applied", candidate__name_reading="あ"
    )
    first = _get(client, org.recruiter, _pipeline(hiring), sort="name")
    assert len(_row_order(first)) == 50
    assert "?sort=name&amp;page=2" in first.text
    # Counts cover every candidate, not just the page.
    assert 'data-stage="applied">54<' in first.text
    second = _get(client, org.recruiter, _pipeline(hiring), sort="name", page=2)
    assert len(_row_order(second)) == 5
    assert set(_row_order(first)).isdisjoint(_row_order(second))
