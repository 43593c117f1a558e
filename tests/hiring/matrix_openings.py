"""Authorization-matrix rows (see tests/test_authorization_matrix.py): openings."""

from django.urls import reverse


def _opening(name):
    return lambda org: reverse(name, args=[org.hiring.opening.pk])


UI_ROWS = {
    "hiring:home": (
        "get",
        lambda org: reverse("hiring:home"),
        None,
        "302 200 200 200 200 200",
    ),
    # Lists show what each one may see; the member sees an empty list.
    "hiring:opening_list": (
        "get",
        lambda org: reverse("hiring:opening_list"),
        None,
        "302 200 200 200 200 200",
    ),
    "hiring:opening_create": (
        "get",
        lambda org: reverse("hiring:opening_create"),
        None,
        "302 200 403 403 403 200",
    ),
    "hiring:opening_detail": (
        "get",
        _opening("hiring:opening_detail"),
        None,
        "302 200 200 404 200 200",
    ),
    "hiring:opening_edit": (
        "get",
        _opening("hiring:opening_edit"),
        None,
        "302 200 403 404 403 200",
    ),
    "hiring:opening_export": (
        "get",
        _opening("hiring:opening_export"),
        None,
        "302 200 200 404 403 200",
    ),
    "hiring:calibration": (
        "get",
        lambda org: reverse("hiring:calibration"),
        None,
        "302 200 403 403 403 200",
    ),
    "hiring:overdue": (
        "get",
        lambda org: reverse("hiring:overdue"),
        None,
        "302 200 403 403 403 200",
    ),
    # The interview was just held: not overdue yet, so nothing to remind (404).
    "hiring:overdue_remind": (
        "post",
        lambda org: reverse(
            "hiring:overdue_remind", args=[org.hiring.interview.scorecard.pk]
        ),
        {},
        "302 404 403 403 403 404",
    ),
    # The hiring policy: admins only, as through the API.
    "hiring:policy": (
        "get",
        lambda org: reverse("hiring:policy"),
        None,
        "302 200 403 403 403 403",
    ),
}
API_ROWS = {}
