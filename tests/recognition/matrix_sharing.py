"""Authorization-matrix rows (see tests/test_authorization_matrix.py): the monthly
success-sharing meeting. Admins, managers and members (their own teams, read-only);
interviewers and recruiters have no management pages."""

from django.urls import reverse

UI_ROWS = {
    "recognition:sharing_meeting": (
        "get",
        lambda org: reverse("recognition:sharing_meeting") + "?month=2026-03",
        None,
        "302 200 200 200 403 403",
    ),
}
API_ROWS = {}
