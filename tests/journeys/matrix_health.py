"""Authorization-matrix rows (see tests/test_authorization_matrix.py): account
health.

Statuses in the order anonymous admin manager(manager_a) member(member_a) interviewer
recruiter. The object: a recorded health of an account of member_a (team A). The
policy page is for admins; the health API reads what the viewer's accounts hold
(interviewers and recruiters see no account: 404)."""

from datetime import date

from django.urls import reverse
from django.utils import timezone

V1 = "/api/v1"


def health_world(org):
    row = getattr(org, "journeys_health", None)
    if row is None:
        from journeys.models import AccountHealth, HealthBand
        from tests.journeys.factories import CustomerAccountFactory

        row = AccountHealth.objects.create(
            account=CustomerAccountFactory(owner=org.member_a),
            day=date(2026, 6, 1),
            score=55,
            band=HealthBand.AT_RISK,
            recency=55,
            days_since_event=57,
            computed_at=timezone.now(),
        )
        org.journeys_health = row
    return row


UI_ROWS = {
    "journeys:health_policy": (
        "get",
        lambda org: reverse("journeys:health_policy"),
        None,
        "302 200 403 403 403 403",
    ),
    # The API's own URL names: their operations are in API_ROWS.
    "account-health-list": None,
    "account-health-detail": None,
}

API_ROWS = {
    (f"{V1}/account-health/", "GET"): (
        lambda org: (health_world(org), f"{V1}/account-health/")[1],
        None,
        "401 200 200 200 200 200",
    ),
    (f"{V1}/account-health/{{id}}/", "GET"): (
        lambda org: f"{V1}/account-health/{health_world(org).pk}/",
        None,
        "401 200 200 200 404 404",
    ),
}
