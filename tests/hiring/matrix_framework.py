"""Authorization-matrix rows (see tests/test_authorization_matrix.py): framework.

Everyone who takes part in hiring reads the framework and the question bank (the
plain member does not: 403). Admins change competencies and profiles; admins and
recruiters the question bank. Kits follow their opening: hidden from the member
(404), readable by the interviewer, changed by those who may change the opening.
"""

from django.urls import reverse

READERS = "302 200 200 403 200 200"
ADMINS = "302 200 403 403 403 403"
BANK_KEEPERS = "302 200 403 403 403 200"
KIT_EDITORS = "302 200 200 404 403 200"


def _get(name, statuses, pk=None):
    def url(org):
        return reverse(name, args=[pk(org)] if pk else [])

    return ("get", url, None, statuses)


def _empathy(org):
    return org.hiring.empathy.pk


def _profile(org):
    return org.hiring.profile.pk


def _question(org):
    return org.hiring.questions[0].pk


def _opening(org):
    return org.hiring.opening.pk


def _kit(org):
    return org.hiring.kit.pk


UI_ROWS = {
    "hiring:competency_list": _get("hiring:competency_list", READERS),
    "hiring:competency_detail": _get("hiring:competency_detail", READERS, _empathy),
    "hiring:competency_create": _get("hiring:competency_create", ADMINS),
    "hiring:competency_edit": _get("hiring:competency_edit", ADMINS, _empathy),
    "hiring:profile_list": _get("hiring:profile_list", READERS),
    "hiring:profile_detail": _get("hiring:profile_detail", READERS, _profile),
    # The admin's copy opens its edit page.
    "hiring:profile_copy": (
        "post",
        lambda org: reverse("hiring:profile_copy", args=[_profile(org)]),
        {"name": "丁寧サポート (コピー)"},
        "302 302 403 403 403 403",
    ),
    "hiring:profile_edit": _get("hiring:profile_edit", ADMINS, _profile),
    "hiring:question_list": _get("hiring:question_list", READERS),
    "hiring:question_detail": _get("hiring:question_detail", READERS, _question),
    "hiring:question_create": _get("hiring:question_create", BANK_KEEPERS),
    "hiring:question_edit": _get("hiring:question_edit", BANK_KEEPERS, _question),
    "hiring:kit_create": _get("hiring:kit_create", KIT_EDITORS, _opening),
    "hiring:kit_detail": _get("hiring:kit_detail", "302 200 200 404 200 200", _kit),
    "hiring:kit_edit": _get("hiring:kit_edit", KIT_EDITORS, _kit),
}
API_ROWS = {}
