"""Authorization-matrix rows (see tests/test_authorization_matrix.py): awards.

Statuses in the order anonymous admin manager(manager_a) member(member_a)
interviewer recruiter. The world (`award_factories.awards_world`): team A's monthly
award "Conversion MVP" with this month's metric and a closed period two months ago,
and a spare program of team A without periods. Admins, managers and members open
the award pages (team A's leader and member see team A's awards); only admins
change programs and metrics; interviewers and recruiters get 403."""

from django.urls import reverse

from tests.recognition.award_factories import awards_world, month

READ = "302 200 200 200 403 403"
ADMINS = "302 200 403 403 403 403"
API_READ = "401 200 200 200 403 403"
V1 = "/api/v1/awards"


def _program_url(name):
    return lambda org: reverse(
        f"recognition:{name}", args=[awards_world(org).program.pk]
    )


UI_ROWS = {
    "recognition:award_list": (
        "get",
        lambda org: reverse("recognition:award_list"),
        None,
        READ,
    ),
    "recognition:award_create": (
        "get",
        lambda org: reverse("recognition:award_create"),
        None,
        ADMINS,
    ),
    "recognition:award_detail": ("get", _program_url("award_detail"), None, READ),
    "recognition:award_edit": ("get", _program_url("award_edit"), None, ADMINS),
    "recognition:award_metric": ("get", _program_url("award_metric"), None, ADMINS),
    "recognition:award_leaderboard": (
        "get",
        _program_url("award_leaderboard"),
        None,
        READ,
    ),
    "recognition:award_leaderboard_csv": (
        "get",
        _program_url("award_leaderboard_csv"),
        None,
        READ,
    ),
    "recognition:award_hall_of_fame": (
        "get",
        _program_url("award_hall_of_fame"),
        None,
        READ,
    ),
    # The API's own URL names: their operations are checked in API_ROWS.
    "award-list": None,
    "award-detail": None,
    "award-period-list": None,
    "award-period-detail": None,
    "award-leaderboard": None,
}


class _Body(dict):
    """A request body built from the world when the row's request is sent."""


def _with_body(url, body):
    """The URL lambda builds the world and fills the (shared) body in place before
    the request is sent."""
    data = _Body()

    def build(org):
        world = awards_world(org)
        data.clear()
        data.update(body(world, org))
        return url(world)

    return build, data


def _program(world):
    return f"{V1}/{world.program.pk}/"


def _current_period(world):
    return f"{V1}/{world.program.pk}/periods/{month(0):%Y-%m}/"


_create_url, _create_body = _with_body(
    lambda world: f"{V1}/",
    lambda world, org: {
        "name": "新しい表彰",
        "cadence": "monthly",
        "teams": [org.team_a.pk],
    },
)
_set_url, _set_body = _with_body(
    lambda world: f"{V1}/{world.program.pk}/periods/",
    lambda world, org: {"period": f"{month(1):%Y-%m}", "metric": world.key},
)
_change_url, _change_body = _with_body(
    _current_period,
    lambda world, org: {
        "metric": f"journey_conversion:{world.steps[0].journey_id}",
        "reason": "全体の流れに集中する",
    },
)

API_ROWS = {
    (f"{V1}/", "GET"): (lambda org: f"{V1}/", None, API_READ),
    (f"{V1}/", "POST"): (_create_url, _create_body, "401 201 403 403 403 403"),
    (f"{V1}/{{id}}/", "GET"): (
        lambda org: _program(awards_world(org)),
        None,
        API_READ,
    ),
    (f"{V1}/{{id}}/", "PATCH"): (
        lambda org: _program(awards_world(org)),
        {"description": "毎月の表彰"},
        "401 200 403 403 403 403",
    ),
    (f"{V1}/{{id}}/", "DELETE"): (
        lambda org: f"{V1}/{awards_world(org).spare.pk}/",
        None,
        "401 204 403 403 403 403",
    ),
    (f"{V1}/{{id}}/leaderboard/", "GET"): (
        lambda org: f"{_program(awards_world(org))}leaderboard/",
        None,
        API_READ,
    ),
    (f"{V1}/{{id}}/periods/", "GET"): (
        lambda org: f"{_program(awards_world(org))}periods/",
        None,
        API_READ,
    ),
    (f"{V1}/{{id}}/periods/", "POST"): (
        _set_url,
        _set_body,
        "401 201 403 403 403 403",
    ),
    (f"{V1}/{{id}}/periods/{{period}}/", "GET"): (
        lambda org: _current_period(awards_world(org)),
        None,
        API_READ,
    ),
    (f"{V1}/{{id}}/periods/{{period}}/", "PATCH"): (
        _change_url,
        _change_body,
        "401 200 403 403 403 403",
    ),
}
