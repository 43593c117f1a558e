"""Authorization-matrix rows (see tests/test_authorization_matrix.py): scorecards."""

from django.urls import reverse


def _own_interview(org):
    return reverse("hiring:scorecard", args=[org.hiring.interview.pk])


UI_ROWS = {
    # Placeholder until the scorecard page exists: every role answers 404 for now.
    "hiring:scorecard": ("get", _own_interview, None, "302 404 404 404 404 404"),
}
API_ROWS = {}
