"""Authorization-matrix rows (see tests/test_authorization_matrix.py): the revenue
KPI page, its drill-down and the revenue KPI API.

Statuses in the order anonymous admin manager(manager_a) member(member_a) interviewer
recruiter. For admins, managers and members (403 for the other roles); team A is
manager_a's and not member_a's (404); member_a's own figures are theirs, their
leader's and admins'.
"""

from django.urls import reverse

V1 = "/api/v1"


def _page(name: str, query):
    return ("get", lambda org: f"{reverse(f'recognition:{name}')}?{query(org)}", None)


UI_ROWS = {
    "recognition:revenue_kpis": (
        *_page("revenue_kpis", lambda org: f"scope=team&id={org.team_a.pk}"),
        "302 200 200 404 403 403",
    ),
    "recognition:revenue_accounts": (
        *_page(
            "revenue_accounts",
            lambda org: (
                f"scope=member&id={org.member_a.pk}&month=2026-05&movement=downsell"
            ),
        ),
        "302 200 200 200 403 403",
    ),
    # The API's URL name: its operation is the API row below.
    "revenue-kpis": None,
}

API_ROWS = {
    (f"{V1}/revenue-kpis/", "GET"): (
        lambda org: f"{V1}/revenue-kpis/?scope=team&id={org.team_a.pk}",
        None,
        "401 200 200 404 403 403",
    ),
}
