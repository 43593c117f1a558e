"""Authorization-matrix rows (see tests/test_authorization_matrix.py): openings."""

from django.urls import reverse

UI_ROWS = {
    "hiring:home": (
        "get",
        lambda org: reverse("hiring:home"),
        None,
        "302 200 200 200 200 200",
    ),
}
API_ROWS = {}
