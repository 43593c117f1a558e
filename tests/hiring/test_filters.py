"""Every filter the hiring FilterSets declare actually filters, through the API and
on the pages that share the FilterSet: each case's result is exactly the rows the
condition selects, neither empty nor everything."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hiring import filters, permissions, services
from hiring.models import (
    Candidate,
    Competency,
    Interview,
    InterviewKit,
    Opening,
    Question,
    Scorecard,
)
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    InterviewKitFactory,
    OpeningFactory,
    QuestionFactory,
    schedule_interview,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture
def world(org, hiring):
    """The fixture's hiring world, and other rows that each filter must leave out."""
    other_opening = OpeningFactory(status="closed")
    QuestionFactory(competency=hiring.logic, kind="scenario", is_active=False)
    QuestionFactory(competency=hiring.empathy, text="傾聴した経験を教えてください。")
    Competency.objects.create(name="休止中", category="mindset", is_active=False)
    InterviewKitFactory(opening=hiring.opening, stage="second")
    open_opening = OpeningFactory()
    other = CandidateFactory(source="agency")
    application = ApplicationFactory(candidate=other, opening=open_opening)
    kit = InterviewKitFactory(opening=open_opening, questions=[hiring.questions[0]])
    schedule_interview(
        application, kit, org.recruiter, when=timezone.now() - timedelta(days=10)
    )
    gone = CandidateFactory()
    services.candidate_erase_personal_data(candidate=gone, by=org.admin, why="request")
    return {"hiring": hiring, "org": org, "other_opening": other_opening}


def _h(world):
    return world["hiring"]


# (endpoint, FilterSet, parameter, value, the rows it must select)
CASES = [
    (
        "competencies",
        filters.CompetencyFilter,
        "category",
        lambda w: "mindset",
        lambda w: Competency.objects.filter(category="mindset"),
    ),
    (
        "competencies",
        filters.CompetencyFilter,
        "active",
        lambda w: "false",
        lambda w: Competency.objects.filter(is_active=False),
    ),
    (
        "questions",
        filters.QuestionFilter,
        "competency",
        lambda w: _h(w).logic.pk,
        lambda w: Question.objects.filter(competency=_h(w).logic),
    ),
    (
        "questions",
        filters.QuestionFilter,
        "kind",
        lambda w: "scenario",
        lambda w: Question.objects.filter(kind="scenario"),
    ),
    (
        "questions",
        filters.QuestionFilter,
        "active",
        lambda w: "false",
        lambda w: Question.objects.filter(is_active=False),
    ),
    (
        "questions",
        filters.QuestionFilter,
        "q",
        lambda w: "傾聴",
        lambda w: Question.objects.filter(text__contains="傾聴"),
    ),
    (
        "questions",
        filters.QuestionFilter,
        "status",
        lambda w: "retired",
        lambda w: Question.objects.filter(is_active=False),
    ),
    (
        "interview-kits",
        filters.InterviewKitFilter,
        "opening",
        lambda w: _h(w).opening.pk,
        lambda w: InterviewKit.objects.filter(opening=_h(w).opening),
    ),
    (
        "interview-kits",
        filters.InterviewKitFilter,
        "stage",
        lambda w: "second",
        lambda w: InterviewKit.objects.filter(stage="second"),
    ),
    (
        "openings",
        filters.OpeningFilter,
        "status",
        lambda w: "closed",
        lambda w: Opening.objects.filter(status="closed"),
    ),
    (
        "openings",
        filters.OpeningFilter,
        "team",
        lambda w: _h(w).opening.team_id,
        lambda w: Opening.objects.filter(team=_h(w).opening.team_id),
    ),
    (
        "openings",
        filters.OpeningFilter,
        "profile",
        lambda w: _h(w).opening.profile_id,
        lambda w: Opening.objects.filter(profile=_h(w).opening.profile_id),
    ),
    (
        "openings",
        filters.OpeningFilter,
        "hiring_manager",
        lambda w: _h(w).opening.hiring_manager_id,
        lambda w: Opening.objects.filter(
            hiring_manager=_h(w).opening.hiring_manager_id
        ),
    ),
    (
        "candidates",
        filters.CandidateFilter,
        "source",
        lambda w: "agency",
        lambda w: Candidate.objects.filter(source="agency"),
    ),
    (
        "candidates",
        filters.CandidateFilter,
        "opening",
        lambda w: _h(w).opening.pk,
        lambda w: Candidate.objects.filter(applications__opening=_h(w).opening),
    ),
    (
        "candidates",
        filters.CandidateFilter,
        "stage",
        lambda w: "interviewing",
        lambda w: Candidate.objects.filter(
            applications__stage="interviewing"
        ).distinct(),
    ),
    (
        "candidates",
        filters.CandidateFilter,
        "anonymised",
        lambda w: "true",
        lambda w: Candidate.objects.filter(anonymised_at__isnull=False),
    ),
    (
        "candidates",
        filters.CandidateFilter,
        "q",
        lambda w: _h(w).candidate.name,
        lambda w: Candidate.objects.filter(name=_h(w).candidate.name),
    ),
    (
        "interviews",
        filters.InterviewFilter,
        "application",
        lambda w: _h(w).application.pk,
        lambda w: Interview.objects.filter(application=_h(w).application),
    ),
    (
        "interviews",
        filters.InterviewFilter,
        "candidate",
        lambda w: _h(w).candidate.pk,
        lambda w: Interview.objects.filter(application__candidate=_h(w).candidate),
    ),
    (
        "interviews",
        filters.InterviewFilter,
        "opening",
        lambda w: _h(w).opening.pk,
        lambda w: Interview.objects.filter(application__opening=_h(w).opening),
    ),
    (
        "interviews",
        filters.InterviewFilter,
        "interviewer",
        lambda w: w["org"].recruiter.pk,
        lambda w: Interview.objects.filter(interviewer=w["org"].recruiter),
    ),
    (
        "interviews",
        filters.InterviewFilter,
        "scheduled_after",
        lambda w: (timezone.now() - timedelta(days=1)).isoformat(),
        lambda w: Interview.objects.filter(
            scheduled_at__gte=timezone.now() - timedelta(days=1)
        ),
    ),
    (
        "interviews",
        filters.InterviewFilter,
        "scheduled_before",
        lambda w: (timezone.now() - timedelta(days=1)).isoformat(),
        lambda w: Interview.objects.filter(
            scheduled_at__lt=timezone.now() - timedelta(days=1)
        ),
    ),
    (
        "scorecards",
        filters.ScorecardFilter,
        "interview",
        lambda w: _h(w).panel_interview.pk,
        lambda w: Scorecard.objects.filter(interview=_h(w).panel_interview),
    ),
    (
        "scorecards",
        filters.ScorecardFilter,
        "candidate",
        lambda w: _h(w).candidate.pk,
        lambda w: Scorecard.objects.filter(
            interview__application__candidate=_h(w).candidate
        ),
    ),
    (
        "scorecards",
        filters.ScorecardFilter,
        "opening",
        lambda w: _h(w).opening.pk,
        lambda w: Scorecard.objects.filter(
            interview__application__opening=_h(w).opening
        ),
    ),
    (
        "scorecards",
        filters.ScorecardFilter,
        "interviewer",
        lambda w: w["org"].recruiter.pk,
        lambda w: Scorecard.objects.filter(interview__interviewer=w["org"].recruiter),
    ),
    (
        "scorecards",
        filters.ScorecardFilter,
        "submitted",
        lambda w: "true",
        lambda w: Scorecard.objects.filter(current__isnull=False),
    ),
]


def _ids(api_client, path, params) -> set[int]:
    response = api_client.get(f"{V1}/{path}/", {**params, "page_size": 200})
    assert response.status_code == 200, response.content
    body = response.json()
    return {row["id"] for row in body.get("results", body)}


def test_every_declared_filter_has_a_case():
    covered = {(filterset, name) for _p, filterset, name, _v, _e in CASES}
    declared = {
        (filterset, name)
        for filterset in {case[1] for case in CASES}
        for name in filterset.base_filters
    }
    assert declared == covered


@pytest.mark.parametrize(
    ("path", "filterset", "name", "value", "expected"),
    CASES,
    ids=[f"{case[0]}-{case[2]}" for case in CASES],
)
def test_each_api_filter_filters(
    api_client, world, path, filterset, name, value, expected
):
    # The recruiter sees every row, and scorecards both drafts (their own) and
    # submitted ones (the panel's).
    viewer = world["org"].recruiter
    api_client.force_authenticate(viewer)
    everything = _ids(api_client, path, {})
    rows = expected(world)
    if rows.model is Scorecard:
        # Others' drafts are no one's to see, whatever the filter.
        rows = rows.filter(pk__in=permissions.visible_scorecards(viewer))
    wanted = set(rows.values_list("pk", flat=True))
    assert wanted and wanted != everything, "the case does not tell rows apart"
    assert _ids(api_client, path, {name: value(world)}) == wanted


PAGES = {
    filters.CandidateFilter: "hiring:candidate_list",
    filters.OpeningFilter: "hiring:opening_list",
    filters.QuestionFilter: "hiring:question_list",
}
PAGE_CASES = [case for case in CASES if case[1] in PAGES]


@pytest.mark.parametrize(
    ("path", "filterset", "name", "value", "expected"),
    PAGE_CASES,
    ids=[f"{case[0]}-{case[2]}" for case in PAGE_CASES],
)
def test_the_page_filters_with_the_same_filterset(
    client, world, path, filterset, name, value, expected
):
    client.force_login(world["org"].recruiter)
    url = reverse(PAGES[filterset])
    # The question bank's page shows questions in use unless told otherwise.
    everything_shown = {"status": "all"} if filterset is filters.QuestionFilter else {}
    response = client.get(url, {**everything_shown, name: value(world)})
    assert response.status_code == 200
    shown = {row.pk for row in response.context["page"].object_list}
    everything = {
        row.pk for row in client.get(url, everything_shown).context["page"].object_list
    }
    wanted = set(expected(world).values_list("pk", flat=True))
    assert wanted and wanted != everything
    assert shown == wanted
