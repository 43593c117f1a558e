"""Authorization-matrix rows (see tests/test_authorization_matrix.py): quality of
hire and proposed weights from top performers.

Admins only: every other role gets 403, visitors the login. The question to retire
is the first question of the hiring world the matrix fixture builds."""

from django.urls import reverse

ADMINS = "302 200 403 403 403 403"


def _question(org):
    return org.hiring.questions[0].pk


UI_ROWS = {
    "recognition:quality": (
        "get",
        lambda org: reverse("recognition:quality"),
        None,
        ADMINS,
    ),
    "recognition:quality_question_retire": (
        "get",
        lambda org: reverse(
            "recognition:quality_question_retire", args=[_question(org)]
        ),
        None,
        ADMINS,
    ),
    "recognition:top_performers": (
        "get",
        lambda org: reverse("recognition:top_performers"),
        None,
        ADMINS,
    ),
}

API_ROWS = {}
