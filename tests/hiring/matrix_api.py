"""Authorization-matrix rows (see tests/test_authorization_matrix.py): api.

Statuses in the order anonymous admin manager member interviewer recruiter. A
member takes no part in hiring: 403 on every endpoint. The interviewer is bound by
independence: the panelist's submitted scorecard answers 404, as does the
interviewer's own (unstarted) scorecard for everyone else.
"""

V1 = "/api/v1"

# The router's URL names: their operations are the API_ROWS below.
UI_ROWS = {
    f"{name}-{suffix}": None
    for name, suffixes in {
        "competency": ("list", "detail"),
        "success-profile": ("list", "detail", "copy"),
        "question": ("list", "detail"),
        "interview-kit": ("list", "detail"),
        "opening": ("list", "detail"),
        "candidate": ("list", "detail", "summary"),
        "interview": ("list", "detail"),
        "scorecard": ("list", "detail", "submit", "correct"),
    }.items()
    for suffix in suffixes
} | {"hiring-policy": None}

READ = "401 200 200 403 200 200"
ADMIN_CREATES = "401 201 403 403 403 403"
ADMIN_CHANGES = "401 200 403 403 403 403"
RUNNER_CHANGES = "401 200 403 403 403 200"
# Creations that need the organisation's ids send no data: 400 says the caller got
# past the permission check (test_api.py creates them for real).
ADMIN_MAY_CREATE = "401 400 403 403 403 403"
RUNNER_MAY_CREATE = "401 400 403 403 403 400"


def _list(path):
    return lambda org: f"{V1}/{path}/"


def _kit(org):
    return f"{V1}/interview-kits/{org.hiring.kit.pk}/"


def _panel_scorecard(org):
    return f"{V1}/scorecards/{org.hiring.panel_interview.scorecard.pk}/"


def _own_scorecard(org):
    return f"{V1}/scorecards/{org.hiring.interview.scorecard.pk}/"


API_ROWS = {
    # The hiring policy: everyone in hiring reads it; admins change it.
    (f"{V1}/policy/", "GET"): (_list("policy"), None, READ),
    (f"{V1}/policy/", "PATCH"): (
        _list("policy"),
        {"reminder_after_hours": 30},
        ADMIN_CHANGES,
    ),
    # The framework: everyone in hiring reads it; admins write competencies and
    # profiles, admins and recruiters the question bank.
    (f"{V1}/competencies/", "GET"): (_list("competencies"), None, READ),
    (f"{V1}/competencies/", "POST"): (
        _list("competencies"),
        {"name": "傾聴力", "category": "skill"},
        ADMIN_CREATES,
    ),
    (f"{V1}/competencies/{{id}}/", "GET"): (
        lambda org: f"{V1}/competencies/{org.hiring.empathy.pk}/",
        None,
        READ,
    ),
    (f"{V1}/competencies/{{id}}/", "PATCH"): (
        lambda org: f"{V1}/competencies/{org.hiring.empathy.pk}/",
        {"description": "相手の気持ちを汲む"},
        ADMIN_CHANGES,
    ),
    (f"{V1}/success-profiles/", "GET"): (_list("success-profiles"), None, READ),
    (f"{V1}/success-profiles/", "POST"): (
        _list("success-profiles"),
        {},
        ADMIN_MAY_CREATE,
    ),
    (f"{V1}/success-profiles/{{id}}/", "GET"): (
        lambda org: f"{V1}/success-profiles/{org.hiring.profile.pk}/",
        None,
        READ,
    ),
    (f"{V1}/success-profiles/{{id}}/", "PATCH"): (
        lambda org: f"{V1}/success-profiles/{org.hiring.profile.pk}/",
        {"description": "丁寧なサポート"},
        ADMIN_CHANGES,
    ),
    (f"{V1}/success-profiles/{{id}}/copy/", "POST"): (
        lambda org: f"{V1}/success-profiles/{org.hiring.profile.pk}/copy/",
        {"name": "丁寧サポート（コピー）"},
        ADMIN_CREATES,
    ),
    (f"{V1}/questions/", "GET"): (_list("questions"), None, READ),
    (f"{V1}/questions/", "POST"): (_list("questions"), {}, RUNNER_MAY_CREATE),
    (f"{V1}/questions/{{id}}/", "GET"): (
        lambda org: f"{V1}/questions/{org.hiring.questions[0].pk}/",
        None,
        READ,
    ),
    (f"{V1}/questions/{{id}}/", "PATCH"): (
        lambda org: f"{V1}/questions/{org.hiring.questions[0].pk}/",
        # Scorecards have rated it, so what it asks is fixed: retire it.
        {"is_active": False},
        RUNNER_CHANGES,
    ),
    # Kits follow their opening: its hiring manager edits them too; the interviewer
    # sees the kit of their interview but may not change it.
    (f"{V1}/interview-kits/", "GET"): (_list("interview-kits"), None, READ),
    (f"{V1}/interview-kits/", "POST"): (
        _list("interview-kits"),
        {},
        "401 400 400 403 403 400",
    ),
    (f"{V1}/interview-kits/{{id}}/", "GET"): (_kit, None, READ),
    (f"{V1}/interview-kits/{{id}}/", "PATCH"): (
        _kit,
        {"guidance": "最初に安心してもらう"},
        "401 200 200 403 403 200",
    ),
    # Openings, candidates, interviews: the manager is the opening's hiring manager
    # and the interviewer interviews its candidate; both read, neither writes.
    (f"{V1}/openings/", "GET"): (_list("openings"), None, READ),
    (f"{V1}/openings/", "POST"): (_list("openings"), {}, RUNNER_MAY_CREATE),
    (f"{V1}/openings/{{id}}/", "GET"): (
        lambda org: f"{V1}/openings/{org.hiring.opening.pk}/",
        None,
        READ,
    ),
    (f"{V1}/openings/{{id}}/", "PATCH"): (
        lambda org: f"{V1}/openings/{org.hiring.opening.pk}/",
        {"description": "SaaS のオンボーディング担当"},
        RUNNER_CHANGES,
    ),
    (f"{V1}/candidates/", "GET"): (_list("candidates"), None, READ),
    (f"{V1}/candidates/", "POST"): (
        _list("candidates"),
        {"name": "新井 花子", "source": "referral"},
        "401 201 403 403 403 201",
    ),
    (f"{V1}/candidates/{{id}}/", "GET"): (
        lambda org: f"{V1}/candidates/{org.hiring.candidate.pk}/",
        None,
        READ,
    ),
    (f"{V1}/candidates/{{id}}/", "PATCH"): (
        lambda org: f"{V1}/candidates/{org.hiring.candidate.pk}/",
        {"notes": "二次面接へ"},
        RUNNER_CHANGES,
    ),
    (f"{V1}/candidates/{{id}}/summary/", "GET"): (
        lambda org: f"{V1}/candidates/{org.hiring.candidate.pk}/summary/",
        None,
        READ,
    ),
    (f"{V1}/interviews/", "GET"): (_list("interviews"), None, READ),
    (f"{V1}/interviews/", "POST"): (_list("interviews"), {}, RUNNER_MAY_CREATE),
    (f"{V1}/interviews/{{id}}/", "GET"): (
        lambda org: f"{V1}/interviews/{org.hiring.interview.pk}/",
        None,
        READ,
    ),
    # Cancelling: the interviewer's own, unsubmitted interview (deleted in the
    # row's own transaction); the bound interviewer may not cancel it either.
    (f"{V1}/interviews/{{id}}/", "DELETE"): (
        lambda org: f"{V1}/interviews/{org.hiring.interview.pk}/",
        None,
        "401 204 403 403 403 204",
    ),
    # Scorecards: the panelist's submitted one is hidden from the bound
    # interviewer; the interviewer's own unsubmitted one from everyone else; only
    # the author writes.
    (f"{V1}/scorecards/", "GET"): (_list("scorecards"), None, READ),
    (f"{V1}/scorecards/{{id}}/", "GET"): (
        _panel_scorecard,
        None,
        "401 200 200 403 404 200",
    ),
    (f"{V1}/scorecards/{{id}}/", "PATCH"): (
        _own_scorecard,
        {"summary": "落ち着いた受け答え"},
        "401 404 404 403 200 404",
    ),
    (f"{V1}/scorecards/{{id}}/submit/", "POST"): (
        lambda org: _own_scorecard(org) + "submit/",
        None,
        "401 404 404 403 400 404",
    ),
    (f"{V1}/scorecards/{{id}}/correct/", "POST"): (
        lambda org: _panel_scorecard(org) + "correct/",
        {"reason": "評価の誤記"},
        "401 403 403 403 404 403",
    ),
}
