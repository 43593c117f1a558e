"""Candidate pages: the list, details, the application summary with its independence
rule and fit score, decisions, hiring, personal data deletion, interviews and the
candidate's own feedback page."""

import re
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest
from django.conf import settings
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import Role, TeamMembership, User
from hiring import services
from hiring.models import (
    Application,
    Candidate,
    CandidateFeedback,
    CompetencyRating,
    Decision,
    FeedbackRating,
    Interview,
    InterviewKit,
    ProfileWeight,
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
from tests.visible import visible_text

pytestmark = pytest.mark.django_db


def _summary(client, application):
    return client.get(reverse("hiring:application_summary", args=[application.pk]))


def _section(html: str, testid: str) -> str:
    """The HTML of the element marked data-testid="…" up to the end of its table."""
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</table>", start)]


def _second_stage_interview(hiring, interviewer):
    """A second-stage interview of the same candidate for `interviewer`."""
    kit = InterviewKitFactory(
        opening=hiring.opening, stage="second", questions=hiring.questions
    )
    return schedule_interview(hiring.application, kit, interviewer)


# --- Candidate list ---------------------------------------------------------------


def test_candidate_list_searches_by_name_and_email_and_filters_by_stage(client, org):
    opening = OpeningFactory()
    yamada = ApplicationFactory(
        opening=opening,
        stage="offer",
        candidate=CandidateFactory(name="山田 花子", email="hanako@example.org"),
    ).candidate
    sato = ApplicationFactory(
        opening=opening,
        stage="applied",
        candidate=CandidateFactory(name="佐藤 一郎", email="ichiro@example.org"),
    ).candidate
    client.force_login(org.recruiter)
    url = reverse("hiring:candidate_list")

    def names(**params):
        page = client.get(url, params).context["page"]
        return {candidate.name for candidate in page.object_list}

    assert names() == {yamada.name, sato.name}
    assert names(q="山田") == {yamada.name}
    assert names(q="ICHIRO@") == {sato.name}
    assert names(stage="offer") == {yamada.name}
    assert names(q="山田", stage="applied") == set()
    assert "No candidate matches this search." in client.get(url, {"q": "nobody"}).text


def test_candidate_list_shows_anonymised_candidates_as_deleted(client, org):
    candidate = CandidateFactory(name="消去 される")
    services.candidate_erase_personal_data(
        candidate=candidate, by=org.recruiter, why=Candidate.Anonymisation.REQUEST
    )
    client.force_login(org.recruiter)
    response = client.get(reverse("hiring:candidate_list"))
    assert "Personal data deleted" in response.text
    assert "消去" not in response.text


def test_hiring_manager_sees_only_their_openings_applications(client, hiring, org):
    other = OpeningFactory(title="Secret opening of team B")
    ApplicationFactory(candidate=hiring.candidate, opening=other)
    client.force_login(org.manager_a)
    response = client.get(reverse("hiring:candidate_list"))
    assert hiring.opening.title in response.text
    assert "Secret opening of team B" not in response.text
    detail = client.get(hiring.candidate.get_absolute_url())
    assert "Secret opening of team B" not in detail.text


def test_candidate_list_is_paginated_with_constant_queries(
    client, org, django_assert_max_num_queries
):
    opening = OpeningFactory()
    client.force_login(org.recruiter)
    url = reverse("hiring:candidate_list")
    ApplicationFactory.create_batch(3, opening=opening)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for application in ApplicationFactory.create_batch(40, opening=opening):
        ApplicationFactory(candidate=application.candidate)
    with django_assert_max_num_queries(len(few)):
        response = client.get(url, {"page": 2, "q": "@example"})
    page = response.context["page"]
    assert page.paginator.num_pages == 2
    assert len(page.object_list) == 43 - 25
    # The page links keep the search.
    assert "q=%40example" in client.get(url, {"q": "@example"}).text


@pytest.mark.postgres
@pytest.mark.parametrize("role", ["admin", "recruiter", "manager_a", "interviewer"])
def test_a_nul_in_the_candidate_search_is_refused_on_the_field_not_a_500(
    client, org, hiring, role
):
    # PostgreSQL cannot compare text with NUL in it: this answered 500.
    client.force_login(getattr(org, role))
    url = reverse("hiring:candidate_list")
    for query in ("%00", "山田%00"):
        response = client.get(f"{url}?q={query}&stage=interviewing")
        assert response.status_code == 200
        assert 'data-testid="query-error"' in response.text
        assert "Null characters are not allowed." in response.text
        # The other filter still applies; the search is left out.
        assert response.context["stage"] == "interviewing"
        assert response.context["query"] == ""


def test_an_unknown_stage_in_the_candidate_search_is_ignored(client, org, hiring):
    client.force_login(org.recruiter)
    response = client.get(reverse("hiring:candidate_list"), {"stage": "\x00offer"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["page"].object_list] == [hiring.candidate.pk]


@pytest.mark.parametrize("role", ["member_a", "member_b", "sub_member"])
def test_the_candidate_list_is_for_the_hiring_roles_only(client, org, hiring, role):
    client.force_login(getattr(org, role))
    for params in ({}, {"q": "候補"}):
        response = client.get(reverse("hiring:candidate_list"), params)
        assert response.status_code == 403
        assert "候補 太郎" not in response.text


# --- Create, edit, apply ----------------------------------------------------------


def _candidate_form(**changes):
    return {
        "name": "鈴木 次郎",
        "name_reading": "すずき じろう",
        "email": "jiro@example.org",
        "source": "referral",
        "notes": "Met at a CS meetup.",
        **changes,
    }


def test_recruiter_adds_a_candidate_who_applies_to_an_opening(client, hiring, org):
    client.force_login(org.recruiter)
    response = client.post(
        reverse("hiring:candidate_create"),
        _candidate_form(opening=hiring.opening.pk),
    )
    candidate = Candidate.objects.get(name="鈴木 次郎")
    assert response.status_code == 302
    assert response.url == candidate.get_absolute_url()
    assert candidate.created_by == org.recruiter
    assert candidate.applications.get().opening == hiring.opening
    detail = client.get(candidate.get_absolute_url())
    assert "すずき じろう" in detail.text
    assert hiring.opening.title in detail.text


def test_candidate_form_error_is_on_the_field_and_keeps_what_was_typed(client, org):
    client.force_login(org.recruiter)
    response = client.post(
        reverse("hiring:candidate_create"), _candidate_form(email="not an email")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert 'value="鈴木 次郎"' in response.text
    assert not Candidate.objects.exists()


def test_candidate_edit_saves_and_is_refused_after_deletion(client, hiring, org):
    candidate = hiring.candidate
    client.force_login(org.recruiter)
    url = reverse("hiring:candidate_edit", args=[candidate.pk])
    response = client.post(url, _candidate_form(name="候補 花子"))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.name == "候補 花子"
    services.candidate_erase_personal_data(
        candidate=candidate, by=org.recruiter, why=Candidate.Anonymisation.REQUEST
    )
    client.post(url, _candidate_form(name="戻す"))
    candidate.refresh_from_db()
    assert candidate.name == services.ERASED


def test_apply_to_another_opening(client, hiring, org):
    other = OpeningFactory(title="Consulting CSM")
    client.force_login(org.recruiter)
    detail = client.get(hiring.candidate.get_absolute_url())
    assert "Consulting CSM" in detail.text  # offered; the current opening is not
    assert detail.context["apply_form"].fields["opening"].queryset.count() == 1
    url = reverse("hiring:application_create", args=[hiring.candidate.pk])
    response = client.post(url, {"opening": other.pk})
    assert response.status_code == 302
    assert hiring.candidate.applications.count() == 2
    # Applying twice: the error is on the field, nothing more is written.
    response = client.post(url, {"opening": other.pk})
    assert response.status_code == 200
    assert response.context["apply_form"].errors["opening"]
    assert hiring.candidate.applications.count() == 2


# --- Summary: visibility and independence -----------------------------------------


@pytest.mark.parametrize("role", ["admin", "manager", "recruiter"])
def test_privileged_roles_see_the_panel_and_the_fit_score(client, hiring, org, role):
    client.force_login(org.by_role()[role])
    response = _summary(client, hiring.application)
    assert response.status_code == 200
    assert hiring.panelist.display_name in response.text
    assert 'data-testid="fit-score"' in response.text
    assert 'data-testid="panel-hidden"' not in response.text
    panel_scorecard = reverse("hiring:scorecard", args=[hiring.panel_interview.pk])
    assert panel_scorecard in response.text


def test_member_gets_404_for_the_summary(client, hiring, org):
    client.force_login(org.member_a)
    assert _summary(client, hiring.application).status_code == 404


def test_bound_interviewer_sees_only_their_own_ratings_until_they_submit(
    client, hiring, org
):
    # The interviewer has submitted a second-stage scorecard (3 and 3) but not the
    # first-stage one: still bound by independence.
    own = _second_stage_interview(hiring, org.interviewer)
    fill_scorecard(own, ratings={hiring.empathy: 3, hiring.logic: 3}, overall=2)
    client.force_login(org.interviewer)
    response = _summary(client, hiring.application)
    html = response.text
    assert response.status_code == 200
    assert 'data-testid="panel-hidden"' in html
    assert "until you submit your own scorecard" in html
    assert 'data-testid="fit-score"' not in html
    assert response.context["summary"].fit is None
    # Nothing of the panel: not the panelist's name, scorecard, nor ratings.
    assert hiring.panelist.display_name not in html
    assert reverse("hiring:scorecard", args=[hiring.panel_interview.pk]) not in html
    assert [row.cells for row in response.context["rows"]] == [[3], [3]]
    ratings = _section(html, "ratings")
    assert org.interviewer.display_name in ratings
    assert ">4<" not in ratings and ">2<" not in ratings  # the panelist's 4 and 2
    assert "Strong hire" not in html and "3 · Hire" not in html  # panel's overall
    # Their own open scorecard is offered.
    assert reverse("hiring:scorecard", args=[hiring.interview.pk]) in html

    fill_scorecard(hiring.interview, ratings={hiring.empathy: 3, hiring.logic: 3})
    response = _summary(client, hiring.application)
    assert 'data-testid="panel-hidden"' not in response.text
    assert hiring.panelist.display_name in response.text
    assert 'data-testid="fit-score"' in response.text


def test_missing_scorecards_show_interviewer_and_time(client, hiring, org):
    client.force_login(org.recruiter)
    response = _summary(client, hiring.application)
    missing = response.context["summary"].missing
    assert [interview.interviewer for interview in missing] == [org.interviewer]
    when = date_format(
        timezone.localtime(hiring.interview.scheduled_at), "SHORT_DATETIME_FORMAT"
    )
    assert when in response.text
    assert 'data-testid="missing"' in response.text


# --- Summary: fit score, flags ----------------------------------------------------


def test_fit_score_disagreement_and_not_assessed_from_a_hand_computed_example(
    client, hiring, org
):
    reassurance = CompetencyFactory(name="安心感", name_en="Reassurance")
    ProfileWeight.objects.create(
        profile=hiring.profile, competency=reassurance, weight=2
    )
    client.force_login(org.admin)
    # Only the panelist: empathy 4 (weight 5), logic 2 (weight 3).
    # 100 × (5·(4−1)/3 + 3·(2−1)/3) / (5+3) = 100 × 6/8 = 75.0
    response = _summary(client, hiring.application)
    assert re.search(r'data-testid="fit-score">75\.0<', response.text)
    # With the interviewer's empathy 3, logic 4: means 3.5 and 3.
    # 100 × (5·2.5/3 + 3·2/3) / 8 = 100 × 18.5/24 = 77.08… → 77.1
    fill_scorecard(hiring.interview, ratings={hiring.empathy: 3, hiring.logic: 4})
    response = _summary(client, hiring.application)
    html = response.text
    assert re.search(r'data-testid="fit-score">77\.1<', html)
    # Logic was rated 2 and 4: a disagreement; empathy 4 and 3 is not.
    assert re.findall(r'data-testid="disagreement">([^<]+)<', html) == ["Logic"]
    # Reassurance is in the profile but nobody rated it (and does not count).
    assert re.findall(r'data-testid="not-assessed">([^<]+)<', html) == ["Reassurance"]
    rows = {row.assessment.competency.name_en: row for row in response.context["rows"]}
    columns = [s.interview.interviewer for s in response.context["columns"]]
    assert columns == [org.interviewer, hiring.panelist]  # by interview time
    assert rows["Empathy"].cells == [3, 4]
    assert str(rows["Empathy"].mean) == "3.5"
    assert rows["Empathy"].assessment.weight == 5
    assert 'class="table-warning"' in html


def test_drafts_do_not_count_in_the_fit_score(client, hiring, org):
    fill_scorecard(
        hiring.interview, ratings={hiring.empathy: 1, hiring.logic: 1}, submit=False
    )
    client.force_login(org.admin)
    response = _summary(client, hiring.application)
    assert re.search(r'data-testid="fit-score">75\.0<', response.text)


def test_summary_queries_do_not_grow_with_scorecards(
    client, org, django_assert_max_num_queries
):
    empathy = CompetencyFactory()
    logic = CompetencyFactory()
    profile = SuccessProfileFactory(weights={empathy: 5, logic: 3})
    opening = OpeningFactory(profile=profile, team=org.team_a)
    kit = InterviewKitFactory(
        opening=opening,
        questions=[
            QuestionFactory(competency=empathy),
            QuestionFactory(competency=logic),
        ],
    )

    def application_with(scorecards: int):
        application = ApplicationFactory(opening=opening)
        for _ in range(scorecards):
            interviewer = UserFactory(roles=[Role.INTERVIEWER])
            interview = schedule_interview(application, kit, interviewer)
            fill_scorecard(interview, ratings={empathy: 4, logic: 2})
            services.feedback_invite(interview=interview, by=org.recruiter)
        services.decision_record(
            application=application, kind="advance", reason="ok", by=org.admin
        )
        return application

    small, large = application_with(2), application_with(8)
    client.force_login(org.admin)
    with CaptureQueriesContext(connection) as few:
        _summary(client, small)
    with django_assert_max_num_queries(len(few)):
        response = _summary(client, large)
    assert len(response.context["columns"]) == 8


# --- Decisions --------------------------------------------------------------------


def _decide(client, application, **data):
    return client.post(
        reverse("hiring:application_decide", args=[application.pk]), data
    )


def test_decision_needs_a_reason_and_keeps_what_was_typed(client, hiring, org):
    client.force_login(org.manager_a)
    response = _decide(client, hiring.application, kind="offer", reason="  ")
    assert response.status_code == 200
    assert "Give the reason for the decision." in str(
        response.context["decision_form"].errors["reason"]
    )
    response = _decide(client, hiring.application, reason="共感力が高い")
    assert response.context["decision_form"].errors["kind"]
    assert "共感力が高い" in response.text
    assert not Decision.objects.exists()
    hiring.application.refresh_from_db()
    assert hiring.application.stage == "interviewing"


def test_decision_changes_the_stage_and_shows_who_and_when(client, hiring, org):
    client.force_login(org.manager_a)
    response = _decide(
        client, hiring.application, kind="offer", reason="Strong empathy evidence."
    )
    assert response.status_code == 302
    hiring.application.refresh_from_db()
    assert hiring.application.stage == Application.Stage.OFFER
    decision = Decision.objects.get()
    assert decision.decided_by == org.manager_a
    html = _summary(client, hiring.application).text
    assert "Strong empathy evidence." in html
    assert f"by {org.manager_a.display_name} on" in html
    assert timezone.localtime(decision.decided_at).strftime("%Y") in html


def test_interviewer_may_not_decide(client, hiring, org):
    client.force_login(org.interviewer)
    response = _decide(client, hiring.application, kind="reject", reason="no")
    assert response.status_code == 403
    assert not Decision.objects.exists()


def _stage_badges(html: str) -> list[str]:
    return re.findall(r'<span class="badge[^"]*"[^>]*>([^<]+)</span>', html)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_bound_interviewer_sees_no_offer_the_hidden_panel_made(
    client, hiring, org, settings, language
):
    settings.LANGUAGE_CODE = language
    services.decision_record(
        application=hiring.application, kind="offer", reason="…", by=org.manager_a
    )
    offer = {"en": "Offer", "ja": "オファー"}[language]
    interviewing = {"en": "Interviewing", "ja": "面接中"}[language]
    client.force_login(org.interviewer)
    summary = _summary(client, hiring.application).text
    stage = re.search(r'data-testid="stage">([^<]+)<', summary).group(1)
    assert stage == interviewing
    # Nor is there "no decision yet": the decisions are the panel's.
    assert 'data-testid="decisions-hidden"' in summary
    assert 'data-testid="decision"' not in summary
    detail = client.get(hiring.candidate.get_absolute_url()).text
    listing = client.get(reverse("hiring:candidate_list")).text
    for html in (summary, detail, listing):
        assert offer not in _stage_badges(html)
        assert interviewing in _stage_badges(html)
    offers = client.get(reverse("hiring:candidate_list"), {"stage": "offer"})
    assert list(offers.context["page"].object_list) == []

    fill_scorecard(hiring.interview, ratings={})

    summary = _summary(client, hiring.application).text
    assert re.search(r'data-testid="stage">([^<]+)<', summary).group(1) == offer


def test_a_bound_hiring_manager_decides_nothing_until_submitting(client, hiring, org):
    own = schedule_interview(hiring.application, hiring.kit, org.manager_a)
    services.decision_record(
        application=hiring.application, kind="reject", reason="…", by=org.recruiter
    )
    client.force_login(org.manager_a)
    html = _summary(client, hiring.application).text
    assert re.search(r'data-testid="stage">([^<]+)<', html).group(1) == "Interviewing"
    assert "Record a decision" not in html
    assert 'data-testid="decisions-wait"' in html
    response = _decide(client, hiring.application, kind="offer", reason="good")
    # Refused for being bound, whatever the application's real stage: never the
    # "already closed: Rejected" of the service.
    assert response.status_code == 403
    assert "Rejected" not in response.content.decode()
    assert Decision.objects.count() == 1

    fill_scorecard(own, ratings={})
    html = _summary(client, hiring.application).text
    assert re.search(r'data-testid="stage">([^<]+)<', html).group(1) == "Rejected"


@pytest.mark.parametrize("action", ["application_hire", "application_withdraw"])
def test_a_bound_recruiter_neither_hires_nor_withdraws(client, hiring, org, action):
    schedule_interview(hiring.application, hiring.kit, org.recruiter)
    client.force_login(org.recruiter)
    html = _summary(client, hiring.application).text
    assert reverse("hiring:application_hire", args=[hiring.application.pk]) not in (
        html
    )
    url = reverse(f"hiring:{action}", args=[hiring.application.pk])
    assert client.post(url).status_code == 403
    hiring.application.refresh_from_db()
    assert hiring.application.stage == "interviewing"


# --- Hire, withdraw ---------------------------------------------------------------


def test_hire_creates_a_member_of_the_openings_team(client, hiring, org):
    candidate = hiring.candidate
    client.force_login(org.recruiter)
    url = reverse("hiring:application_hire", args=[hiring.application.pk])
    confirmation = client.get(url)
    assert candidate.email in confirmation.text  # a new user for this address
    response = client.post(url, {"start_date": "2025-06-01", "username": "taro"})
    assert response.status_code == 302
    candidate.refresh_from_db()
    member = candidate.user
    assert member.username == "taro"
    assert member.groups.filter(name=Role.MEMBER).exists()
    assert TeamMembership.objects.filter(user=member, team=org.team_a).exists()
    hiring.application.refresh_from_db()
    assert hiring.application.stage == Application.Stage.HIRED
    page = client.get(url)
    assert reverse("accounts:user_detail", args=[member.pk]) in page.text
    assert "taro" in page.text


def test_hire_links_an_existing_user_with_the_same_email(client, hiring, org):
    existing = UserFactory(email=hiring.candidate.email.upper())
    client.force_login(org.admin)
    url = reverse("hiring:application_hire", args=[hiring.application.pk])
    assert existing.display_name in client.get(url).text
    users = User.objects.count()
    client.post(url, {"start_date": "2025-06-01"})
    hiring.candidate.refresh_from_db()
    assert hiring.candidate.user == existing
    assert User.objects.count() == users
    assert TeamMembership.objects.filter(user=existing, team=org.team_a).exists()


def test_hire_without_email_needs_a_username(client, hiring, org):
    Candidate.objects.filter(pk=hiring.candidate.pk).update(email="")
    client.force_login(org.recruiter)
    url = reverse("hiring:application_hire", args=[hiring.application.pk])
    response = client.post(url, {"start_date": "2025-06-01", "username": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["username"]
    hiring.application.refresh_from_db()
    assert hiring.application.stage == "interviewing"


def test_withdraw(client, hiring, org):
    client.force_login(org.recruiter)
    url = reverse("hiring:application_withdraw", args=[hiring.application.pk])
    assert client.post(url).status_code == 302
    hiring.application.refresh_from_db()
    assert hiring.application.stage == Application.Stage.WITHDRAWN
    assert "Withdrawn" in _summary(client, hiring.application).text


# --- Deleting personal data -------------------------------------------------------


def test_erase_deletes_personal_data_keeps_ratings_and_records_who(client, hiring, org):
    candidate = hiring.candidate
    email = candidate.email
    ratings = CompetencyRating.objects.count()
    client.force_login(org.recruiter)
    url = reverse("hiring:candidate_erase", args=[candidate.pk])
    confirmation = client.get(url)
    assert "Email address" in confirmation.text  # deleted
    assert "Ratings and overall recommendations" in confirmation.text  # kept
    response = client.post(url)
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.anonymised_by == org.recruiter
    assert candidate.anonymisation == Candidate.Anonymisation.REQUEST
    assert CompetencyRating.objects.count() == ratings
    pages = [
        client.get(candidate.get_absolute_url()).text,
        client.get(reverse("hiring:candidate_list")).text,
        _summary(client, hiring.application).text,
    ]
    for html in pages:
        assert "候補 太郎" not in html
        assert email not in html
        assert "Personal data deleted" in html
    assert f"Deleted by {org.recruiter.display_name}." in pages[0]


# --- Interviews and the feedback link ---------------------------------------------


def test_schedule_an_interview_in_local_time(client, hiring, org, settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    client.force_login(org.recruiter)
    url = reverse("hiring:interview_create", args=[hiring.application.pk])
    form = client.get(url).context["form"]
    choices = set(form.fields["interviewer"].queryset)
    assert {org.interviewer, org.manager_a, org.recruiter, org.admin} <= choices
    assert org.member_a not in choices
    second = InterviewKitFactory(opening=hiring.opening, stage="second")
    response = client.post(
        url,
        {
            "kit": second.pk,
            "interviewer": org.manager_a.pk,
            "scheduled_at": "2030-04-01T10:30",
            "duration_minutes": 45,
        },
    )
    assert response.status_code == 302
    interview = Interview.objects.get(kit=second)
    assert interview.scheduled_at.isoformat() == "2030-04-01T01:30:00+00:00"
    assert interview.duration_minutes == 45
    assert interview.created_by == org.recruiter


def test_schedule_refuses_a_kit_of_another_opening(client, hiring, org):
    client.force_login(org.recruiter)
    other = InterviewKit.objects.create(opening=OpeningFactory(), stage="final")
    url = reverse("hiring:interview_create", args=[hiring.application.pk])
    response = client.post(
        url,
        {
            "kit": other.pk,
            "interviewer": org.interviewer.pk,
            "scheduled_at": "2030-04-01T10:30",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kit"]
    assert Interview.objects.count() == 2


def test_feedback_link_is_emailed_and_shown_to_copy(
    client, hiring, org, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(org.recruiter)
    url = reverse("hiring:feedback_invite", args=[hiring.interview.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, follow=True)
    text = response.text
    link = re.search(r"(http://\S+/hiring/feedback/[^/\s]+/)", text).group(1)
    assert f"An email with the link was sent to {hiring.candidate.email}." in text
    (email,) = mailoutbox
    assert email.to == [hiring.candidate.email]
    assert link in email.body
    assert "Dear 候補 太郎," in email.body
    assert hiring.opening.title in email.body
    assert "&" not in email.body.replace(link, "")  # not HTML-escaped


def test_feedback_link_without_email_says_so(client, hiring, org, mailoutbox):
    Candidate.objects.filter(pk=hiring.candidate.pk).update(email="")
    client.force_login(org.recruiter)
    url = reverse("hiring:feedback_invite", args=[hiring.interview.pk])
    text = client.post(url, follow=True).text
    assert "No email was sent: the candidate has no email address." in text
    assert "/hiring/feedback/" in text
    assert mailoutbox == []


def test_feedback_link_is_not_sent_before_the_interview(client, hiring, org):
    later = timezone.now() + timedelta(days=2)
    Interview.objects.filter(pk=hiring.interview.pk).update(scheduled_at=later)
    client.force_login(org.recruiter)
    url = reverse("hiring:feedback_invite", args=[hiring.interview.pk])
    text = client.post(url, follow=True).text
    assert "Feedback is asked for after the interview." in text
    assert not CandidateFeedback.objects.exists()


# --- The candidate's feedback page ------------------------------------------------


def _feedback_url(hiring, org):
    feedback, _link = services.feedback_invite(interview=hiring.interview, by=org.admin)
    return feedback, reverse(
        "hiring:feedback", args=[services.feedback_token(feedback)]
    )


def test_candidate_rates_the_process_once_without_login(client, hiring, org):
    feedback, url = _feedback_url(hiring, org)
    page = client.get(url)
    assert page.status_code == 200
    # The profile's values, never a score; no Kata navigation for the candidate.
    assert "Empathy" in page.text and "Logic" in page.text
    shown = visible_text(page.text).lower()
    assert "fit" not in shown and "score" not in shown
    assert f'href="{reverse("hiring:home")}"' not in page.text
    assert "候補 太郎" not in page.text
    # Japanese first: the page speaks the candidate's browser language, ja by default.
    japanese = client.get(url, headers={"accept-language": "ja"})
    assert '<html lang="ja">' in japanese.text
    assert "共感力" in japanese.text
    data = {
        f"value_{hiring.empathy.pk}": "5",
        f"value_{hiring.logic.pk}": "4",
        "comment": "丁寧に対応していただきました。",
    }
    response = client.post(url, data, follow=True)
    assert "We have received your answers." in response.text
    feedback.refresh_from_db()
    assert feedback.responded_at is not None
    assert feedback.comment == "丁寧に対応していただきました。"
    assert FeedbackRating.objects.filter(feedback=feedback).count() == 2
    again = client.post(url, {**data, "comment": "again"})
    assert "Your answers have already been received" in again.text
    feedback.refresh_from_db()
    assert feedback.comment == "丁寧に対応していただきました。"
    assert FeedbackRating.objects.count() == 2


def test_feedback_error_is_on_the_field_and_keeps_the_comment(client, hiring, org):
    _feedback, url = _feedback_url(hiring, org)
    response = client.post(
        url, {f"value_{hiring.empathy.pk}": "5", "comment": "とても丁寧でした"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors[f"value_{hiring.logic.pk}"]
    assert "とても丁寧でした" in response.text
    assert not FeedbackRating.objects.exists()


def test_expired_feedback_link_is_gone(client, hiring, org):
    _feedback, url = _feedback_url(hiring, org)
    fifteen_days_later = time.time() + 15 * 24 * 3600
    with mock.patch.object(
        signing, "time", SimpleNamespace(time=lambda: fifteen_days_later)
    ):
        response = client.get(url)
    assert response.status_code == 410
    assert "This link has expired" in response.text


def test_forged_feedback_link_is_not_found(client, hiring, org):
    _feedback, url = _feedback_url(hiring, org)
    forged = url.rstrip("/") + "x/"
    response = client.get(forged)
    assert response.status_code == 404
    assert "This link is not valid" in response.text
    token = signing.dumps({"feedback": 1}, salt="another salt")
    response = client.get(reverse("hiring:feedback", args=[token]))
    assert response.status_code == 404


def test_feedback_link_dies_with_the_personal_data(client, hiring, org):
    _feedback, url = _feedback_url(hiring, org)
    services.candidate_erase_personal_data(
        candidate=hiring.candidate, by=org.admin, why=Candidate.Anonymisation.REQUEST
    )
    assert client.get(url).status_code == 404


# --- Outsiders --------------------------------------------------------------------


def test_outsider_gets_404_and_nothing_is_written(client, hiring, org):
    other = OpeningFactory()
    client.force_login(org.member_a)
    candidate, application = hiring.candidate, hiring.application
    posts = [
        (reverse("hiring:candidate_edit", args=[candidate.pk]), _candidate_form()),
        (reverse("hiring:candidate_erase", args=[candidate.pk]), {}),
        (
            reverse("hiring:application_create", args=[candidate.pk]),
            {"opening": other.pk},
        ),
        (
            reverse("hiring:application_decide", args=[application.pk]),
            {"kind": "reject", "reason": "no"},
        ),
        (reverse("hiring:application_hire", args=[application.pk]), {}),
        (reverse("hiring:application_withdraw", args=[application.pk]), {}),
        (
            reverse("hiring:interview_create", args=[application.pk]),
            {
                "kit": hiring.kit.pk,
                "interviewer": org.member_a.pk,
                "scheduled_at": "2030-04-01T10:30",
                "duration_minutes": 60,
            },
        ),
        (reverse("hiring:feedback_invite", args=[hiring.interview.pk]), {}),
        (reverse("hiring:interview_cancel", args=[hiring.interview.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    candidate.refresh_from_db()
    application.refresh_from_db()
    assert candidate.name == "候補 太郎" and candidate.anonymised_at is None
    assert application.stage == "interviewing"
    assert candidate.applications.count() == 1
    assert not Decision.objects.exists()
    assert Interview.objects.count() == 2
    assert not CandidateFeedback.objects.exists()
    assert candidate.user is None


# --- A viewer bound by independence sees nothing of the panel --------------------


def _interviews_table(html: str) -> str:
    """The candidate page's interviews table."""
    return _section(html, "candidate-interviews")


def _pipeline_scorecards(client, hiring) -> str:
    """The pipeline's "submitted of interviews" cell of the world's candidate."""
    html = client.get(reverse("hiring:opening_detail", args=[hiring.opening.pk])).text
    row = re.search(
        rf'data-application="{hiring.application.pk}">(.*?)</tr>', html, re.S
    ).group(1)
    cell = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", cell).split())


@pytest.mark.parametrize("role", ["recruiter", "manager"])
def test_a_recruiter_or_manager_who_interviews_sees_the_panel_only_after_submitting(
    client, hiring, org, role
):
    viewer = org.by_role()[role]
    own = _second_stage_interview(hiring, viewer)
    services.decision_record(
        application=hiring.application,
        kind="advance",
        reason="Strong first interviews",
        by=org.admin,
    )
    client.force_login(viewer)
    # The panel: the panelist (submitted) and org.interviewer (not submitted).
    others = [hiring.panelist.display_name, org.interviewer.display_name]

    candidate_page = client.get(hiring.candidate.get_absolute_url())
    interviews = list(candidate_page.context["interviews"])
    assert interviews == [own]
    table = _interviews_table(candidate_page.text)
    assert viewer.display_name in table
    assert not any(name in candidate_page.text for name in others)
    assert ">Submitted<" not in table  # the panelist's status
    summary = _summary(client, hiring.application)
    html = summary.text
    assert 'data-testid="panel-hidden"' in html
    assert not any(name in html for name in others)
    assert [i.interviewer for i in summary.context["summary"].missing] == [viewer]
    assert summary.context["summary"].decisions == []
    assert "Strong first interviews" not in html
    assert 'data-testid="decision"' not in html
    assert _pipeline_scorecards(client, hiring) == "—"

    fill_scorecard(own, ratings={})
    candidate_page = client.get(hiring.candidate.get_absolute_url())
    assert len(candidate_page.context["interviews"]) == 3
    assert all(name in candidate_page.text for name in others)
    assert ">Submitted<" in _interviews_table(candidate_page.text)
    html = _summary(client, hiring.application).text
    assert all(name in html for name in others)
    assert "Strong first interviews" in html
    assert _pipeline_scorecards(client, hiring) == "2 of 3"


def test_the_overdue_page_and_count_leave_out_a_bound_recruiters_candidate(
    client, hiring, org
):
    # org.interviewer's scorecard is 30 hours late; the recruiter interviews the same
    # candidate and has not submitted.
    Interview.objects.filter(pk=hiring.interview.pk).update(
        scheduled_at=timezone.now() - timedelta(hours=30)
    )
    own = _second_stage_interview(hiring, org.recruiter)
    Interview.objects.filter(pk=own.pk).update(
        scheduled_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(org.recruiter)
    overdue = client.get(reverse("hiring:overdue")).text
    assert org.interviewer.display_name not in overdue
    assert "No scorecard is overdue." in overdue
    assert "No overdue scorecard" in client.get(reverse("hiring:home")).text
    # The admin, not bound, sees it.
    client.force_login(org.admin)
    assert org.interviewer.display_name in client.get(reverse("hiring:overdue")).text
    assert "1 overdue scorecard" in client.get(reverse("hiring:home")).text
    # Once the recruiter has submitted, it is theirs to chase again.
    fill_scorecard(own, ratings={})
    client.force_login(org.recruiter)
    assert org.interviewer.display_name in client.get(reverse("hiring:overdue")).text


# --- Cancelling an interview ------------------------------------------------------


def _cancel(client, interview):
    return client.post(reverse("hiring:interview_cancel", args=[interview.pk]))


def test_recruiter_cancels_an_unsubmitted_interview_from_the_summary(
    client, hiring, org
):
    client.force_login(org.recruiter)
    html = _summary(client, hiring.application).text
    cancel = reverse("hiring:interview_cancel", args=[hiring.interview.pk])
    assert f'action="{cancel}"' in html
    # Asked for by static/js/kata.js (the Content-Security-Policy allows no onsubmit).
    assert "data-confirm=" in html.split(f'action="{cancel}"')[1].split(">")[0]
    # The submitted one has no button.
    submitted = reverse("hiring:interview_cancel", args=[hiring.panel_interview.pk])
    assert submitted not in html
    response = _cancel(client, hiring.interview)
    assert response.url == hiring.application.get_absolute_url()
    assert not Interview.objects.filter(pk=hiring.interview.pk).exists()
    assert "The interview was cancelled." in client.get(response.url).text


def test_an_interview_with_a_submitted_scorecard_is_not_cancelled(client, hiring, org):
    client.force_login(org.admin)
    response = _cancel(client, hiring.panel_interview)
    assert response.status_code == 302
    assert Interview.objects.filter(pk=hiring.panel_interview.pk).exists()
    page = client.get(response.url).text
    assert "has a submitted scorecard and cannot be cancelled" in page


def test_cancel_is_refused_to_others_and_hidden_interviews_are_404(client, hiring, org):
    client.force_login(org.manager_a)
    assert _cancel(client, hiring.interview).status_code == 403
    client.force_login(org.interviewer)
    assert _cancel(client, hiring.interview).status_code == 403
    # A recruiter bound on the candidate does not see the panel's interviews.
    _second_stage_interview(hiring, org.recruiter)
    client.force_login(org.recruiter)
    assert _cancel(client, hiring.interview).status_code == 404
    assert client.get(
        reverse("hiring:interview_cancel", args=[hiring.interview.pk])
    ).status_code in (404, 405)
    assert Interview.objects.filter(pk=hiring.interview.pk).exists()


# --- Kits in interview order, hire with readings, phrases -------------------------


def test_the_interview_form_offers_the_kits_in_interview_order(client, hiring, org):
    for stage in ("final", "screening", "second"):
        InterviewKitFactory(opening=hiring.opening, stage=stage)
    client.force_login(org.recruiter)
    response = client.get(
        reverse("hiring:interview_create", args=[hiring.application.pk])
    )
    kits = response.context["form"].fields["kit"].queryset
    assert [kit.stage for kit in kits] == ["screening", "first", "second", "final"]


def test_hire_splits_a_japanese_name_and_shows_the_members_reading(client, hiring, org):
    Candidate.objects.filter(pk=hiring.candidate.pk).update(
        name="山田\u3000太郎", name_reading="ヤマダ\u3000タロウ"
    )
    client.force_login(org.recruiter)
    url = reverse("hiring:application_hire", args=[hiring.application.pk])
    response = client.post(url, {"start_date": "2025-06-01", "username": "yamada"})
    assert response.status_code == 302
    member = User.objects.get(username="yamada")
    assert (member.family_name, member.given_name) == ("山田", "太郎")
    assert (member.family_name_reading, member.given_name_reading) == (
        "ヤマダ",
        "タロウ",
    )
    page = client.get(url).text
    assert "山田 太郎" in page
    assert re.search(r'data-testid="member-reading">ヤマダ タロウ<', page)
    detail = client.get(hiring.candidate.get_absolute_url()).text
    assert re.search(r'data-testid="member-reading">ヤマダ タロウ<', detail)
    summary = _summary(client, hiring.application).text
    assert "See the hired member" in summary
    assert "Hired as" not in summary


def test_breadcrumbs_are_labelled_with_a_translatable_word(client, hiring, org):
    client.force_login(org.recruiter)
    for url in (
        hiring.candidate.get_absolute_url(),
        hiring.application.get_absolute_url(),
        reverse("hiring:opening_detail", args=[hiring.opening.pk]),
    ):
        html = client.get(url).text
        assert 'aria-label="Breadcrumb"' in html
        assert 'aria-label="breadcrumb"' not in html
    # No hiring template writes an aria-label that translation would miss.
    templates = Path(settings.BASE_DIR) / "templates" / "hiring"
    for template in templates.glob("*.html"):
        labels = re.findall(r'aria-label="([^"{]*)"', template.read_text())
        assert labels == [], template.name
