"""Authorization-matrix rows (see tests/test_authorization_matrix.py): candidates."""

from django.urls import reverse

from hiring import services


def _candidate(name):
    return lambda org: reverse(name, args=[org.hiring.candidate.pk])


def _application(name):
    return lambda org: reverse(name, args=[org.hiring.application.pk])


def _feedback_link(org):
    feedback, _link = services.feedback_invite(
        interview=org.hiring.interview, by=org.recruiter
    )
    return reverse("hiring:feedback", args=[services.feedback_token(feedback)])


# Runs hiring (admin, recruiter): 200; sees the candidate but may not act: 403;
# the member takes no part in hiring and sees nothing: 404.
UI_ROWS = {
    # Hiring roles only: the member takes no part in hiring (403, as the API).
    "hiring:candidate_list": (
        "get",
        lambda org: reverse("hiring:candidate_list"),
        None,
        "302 200 200 403 200 200",
    ),
    "hiring:candidate_create": (
        "get",
        lambda org: reverse("hiring:candidate_create"),
        None,
        "302 200 403 403 403 200",
    ),
    "hiring:candidate_detail": (
        "get",
        _candidate("hiring:candidate_detail"),
        None,
        "302 200 200 404 200 200",
    ),
    "hiring:candidate_edit": (
        "get",
        _candidate("hiring:candidate_edit"),
        None,
        "302 200 403 404 403 200",
    ),
    "hiring:candidate_erase": (
        "get",
        _candidate("hiring:candidate_erase"),
        None,
        "302 200 403 404 403 200",
    ),
    # An empty form: the page again with the error on the field.
    "hiring:application_create": (
        "post",
        _candidate("hiring:application_create"),
        {},
        "302 200 403 404 403 200",
    ),
    "hiring:application_summary": (
        "get",
        _application("hiring:application_summary"),
        None,
        "302 200 200 404 200 200",
    ),
    # The hiring manager decides too; an empty form shows the summary with errors.
    "hiring:application_decide": (
        "post",
        _application("hiring:application_decide"),
        {},
        "302 200 200 404 403 200",
    ),
    "hiring:application_hire": (
        "get",
        _application("hiring:application_hire"),
        None,
        "302 200 403 404 403 200",
    ),
    "hiring:application_withdraw": (
        "post",
        _application("hiring:application_withdraw"),
        {},
        "302 302 403 404 403 302",
    ),
    "hiring:interview_create": (
        "get",
        _application("hiring:interview_create"),
        None,
        "302 200 403 404 403 200",
    ),
    "hiring:feedback_invite": (
        "post",
        lambda org: reverse("hiring:feedback_invite", args=[org.hiring.interview.pk]),
        {},
        "302 302 403 404 403 302",
    ),
    # Cancelling deletes the unsubmitted interview: those who run hiring; the hiring
    # manager and its interviewer see it but may not; the member sees nothing.
    "hiring:interview_cancel": (
        "post",
        lambda org: reverse("hiring:interview_cancel", args=[org.hiring.interview.pk]),
        {},
        "302 302 403 404 403 302",
    ),
    # Public: the signed link is the key.
    "hiring:feedback": ("get", _feedback_link, None, "200 200 200 200 200 200"),
}
API_ROWS = {}
