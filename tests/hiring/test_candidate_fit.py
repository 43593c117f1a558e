"""The candidate list shows and sorts by fit score, only where the viewer may see
it (`permissions.panel_visible_applications`): never to an interviewer bound on the
candidate by independence."""

import pytest
from django.urls import reverse

from hiring.models import HiringPolicy
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db

URL = reverse("hiring:candidate_list")


def _fits(response) -> dict[str, list]:
    """Candidate name → the fit scores shown on their applications."""
    shown = {}
    for candidate in response.context["page"].object_list:
        shown[candidate.name] = [
            application.visible_fit
            for application in candidate.applications.all()
            if application.fit_shown
        ]
    return shown


def _scored_candidate(org, hiring, name: str, rating: int):
    candidate = CandidateFactory(name=name)
    application = ApplicationFactory(candidate=candidate, opening=hiring.opening)
    interview = schedule_interview(application, hiring.kit, hiring.panelist)
    fill_scorecard(interview, ratings={hiring.empathy: rating, hiring.logic: rating})
    return candidate


@pytest.mark.parametrize(
    ("role", "sees"),
    [("recruiter", True), ("admin", True), ("manager_a", True)],
)
def test_those_who_may_see_the_panel_see_the_fit_score(client, org, hiring, role, sees):
    client.force_login(getattr(org, role))
    response = client.get(URL)
    fits = _fits(response)
    assert bool(fits.get(hiring.candidate.name)) is sees
    if sees:
        assert 'data-testid="fit"' in response.text


def test_a_bound_interviewer_sees_no_fit_score(client, org, hiring):
    # The fixture's panelist submitted; the interviewer has not: they are bound.
    client.force_login(org.interviewer)
    response = client.get(URL)
    assert _fits(response)[hiring.candidate.name] == []
    assert 'data-testid="fit"' not in response.text
    # Sorting by fit reveals nothing either: the candidate is among the unscored.
    response = client.get(URL, {"sort": "-fit"})
    assert _fits(response)[hiring.candidate.name] == []


def test_after_submitting_the_interviewer_sees_it_as_the_policy_says(
    client, org, hiring
):
    fill_scorecard(hiring.interview, ratings={})
    client.force_login(org.interviewer)
    assert _fits(client.get(URL))[hiring.candidate.name] != []
    HiringPolicy.objects.update_or_create(
        pk=1, defaults={"panel_visibility": HiringPolicy.PanelVisibility.NEVER}
    )
    assert _fits(client.get(URL))[hiring.candidate.name] == []


def test_the_list_sorts_by_fit_unscored_last(client, org, hiring):
    low = _scored_candidate(org, hiring, "低い 候補", 1)
    high = _scored_candidate(org, hiring, "高い 候補", 4)
    unscored = CandidateFactory(name="未評価 候補")
    client.force_login(org.recruiter)
    names = [
        c.name for c in client.get(URL, {"sort": "-fit"}).context["page"].object_list
    ]
    assert names.index(high.name) < names.index(low.name) < names.index(unscored.name)
    names = [
        c.name for c in client.get(URL, {"sort": "fit"}).context["page"].object_list
    ]
    assert names.index(low.name) < names.index(high.name) < names.index(unscored.name)
    assert _fits(client.get(URL))[high.name] == [pytest.approx(100)]


def test_the_fit_sorted_list_takes_the_same_queries_for_more_candidates(
    client, org, hiring, django_assert_max_num_queries
):
    client.force_login(org.recruiter)
    client.get(URL, {"sort": "-fit"})
    with django_assert_max_num_queries(16):
        client.get(URL, {"sort": "-fit"})
    for number in range(4):
        _scored_candidate(org, hiring, f"候補 {number}", 3)
    with django_assert_max_num_queries(16):
        client.get(URL, {"sort": "-fit"})
