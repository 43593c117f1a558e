"""Authorization-matrix rows (see tests/test_authorization_matrix.py): scorecards.

The rows use `org.interviewer`'s interview, whose scorecard is a draft: nobody but
the interviewer sees it (404 for everyone else, admins included)."""

from django.urls import reverse


def _own(name):
    return lambda org: reverse(name, args=[org.hiring.interview.pk])


UI_ROWS = {
    "hiring:scorecard": (
        "get",
        _own("hiring:scorecard"),
        None,
        "302 404 404 404 200 404",
    ),
    # An empty post changes nothing; anonymous gets JSON 401, not a redirect.
    "hiring:scorecard_autosave": (
        "post",
        _own("hiring:scorecard_autosave"),
        {},
        "401 404 404 404 200 404",
    ),
    # Nothing rated yet: the form comes back listing what is missing.
    "hiring:scorecard_submit": (
        "post",
        _own("hiring:scorecard_submit"),
        {},
        "302 404 404 404 200 404",
    ),
    # A draft is not corrected: back to the page with a message.
    "hiring:scorecard_correct": (
        "post",
        _own("hiring:scorecard_correct"),
        {"reason": "typo"},
        "302 404 404 404 302 404",
    ),
    "hiring:scorecard_history": (
        "get",
        _own("hiring:scorecard_history"),
        None,
        "302 404 404 404 200 404",
    ),
}
API_ROWS = {}
