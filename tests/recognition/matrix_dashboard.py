"""Authorization-matrix rows (see tests/test_authorization_matrix.py): the manager
dashboard, member pages, step retrospectives and the metrics API.

Statuses in the order anonymous admin manager(manager_a) member(member_a) interviewer
recruiter. Dashboards and member pages are for admins, managers and members (403 for
the other roles); a member who leads no team is sent from the dashboard to their own
page (302). member_a's page and retrospective are read by member_a, their leader
manager_a and admins; only member_a writes or changes a retrospective (admins and
managers hold no Member role: 403), and the retrospective is commented on its page.
"""

from django.urls import reverse

from recognition.models import StepRetrospective
from tests.journeys.factories import journey_with_steps

V1 = "/api/v1"
MANAGEMENT = "302 200 200 200 403 403"
MEMBERS_WRITE = "302 403 403 200 403 403"
FIGURES = "401 200 200 200 403 403"


def _retrospective(org) -> StepRetrospective:
    """member_a's retrospective of April 2026 on step 1 → 2 of a journey (memoised
    on the organisation)."""
    retrospective = getattr(org, "dashboard_retrospective", None)
    if retrospective is None:
        _journey, steps = journey_with_steps(3, name="Matrix dashboard journey")
        retrospective = StepRetrospective.objects.create(
            member=org.member_a,
            period="2026-04",
            from_step=steps[0],
            went_well="Kickoff on time",
        )
        org.dashboard_retrospective = retrospective
    return retrospective


def _get(name, statuses, arg=None, *more):
    def url(org):
        args = [arg(org)] if arg else []
        return reverse(
            f"recognition:{name}", args=args + [extra(org) for extra in more]
        )

    return ("get", url, None, statuses)


UI_ROWS = {
    "recognition:dashboard": _get("dashboard", "302 200 200 302 403 403"),
    "recognition:member": _get("member", MANAGEMENT, lambda org: org.member_a.pk),
    # A member who leads no team has no heat map to download.
    "recognition:dashboard_export": _get("dashboard_export", "302 200 200 404 403 403"),
    "recognition:cohort_detail": _get(
        "cohort_detail",
        MANAGEMENT,
        lambda org: org.member_a.pk,
        lambda org: _retrospective(org).from_step_id,
    ),
    "recognition:retrospective_list": _get(
        "retrospective_list", MANAGEMENT, lambda org: org.member_a.pk
    ),
    "recognition:retrospective_create": _get("retrospective_create", MEMBERS_WRITE),
    "recognition:retrospective_detail": _get(
        "retrospective_detail", MANAGEMENT, lambda org: _retrospective(org).pk
    ),
    "recognition:retrospective_edit": _get(
        "retrospective_edit", MEMBERS_WRITE, lambda org: _retrospective(org).pk
    ),
    # The router's URL names: their operations are the API_ROWS below.
    "metric-list": None,
    "member-metric-list": None,
    "team-metric-list": None,
}

API_ROWS = {
    (f"{V1}/metrics/", "GET"): (lambda org: f"{V1}/metrics/", None, FIGURES),
    (f"{V1}/member-metrics/", "GET"): (
        lambda org: f"{V1}/member-metrics/?member={org.member_a.pk}",
        None,
        FIGURES,
    ),
    (f"{V1}/team-metrics/", "GET"): (
        lambda org: f"{V1}/team-metrics/?team={org.team_a.pk}",
        None,
        FIGURES,
    ),
}
