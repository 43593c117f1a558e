"""Authorization-matrix rows (see tests/test_authorization_matrix.py): capacity
plans, their pages, CSV downloads and `/api/v1/capacity-plans/`.

Statuses in the order anonymous admin manager(manager_a) member(member_a)
interviewer recruiter. Admins read every plan; managers create plans and read and
change their own (another leader's plan answers 404); members, interviewers and
recruiters get 403. The world's plans are by manager_a (read rows) and manager_b
(change rows: manager_a gets 404).
"""

from dataclasses import dataclass

from django.urls import reverse

from recognition.models import CapacityPlan
from tests.recognition.planning_factories import ENTERPRISE, SMB_POOL, make_plan

V1 = "/api/v1"

LEADERS = "302 200 200 403 403 403"
AUTHOR_OR_ADMIN = "302 200 404 403 403 403"

API_LEADERS = "401 200 200 403 403 403"
API_LEADERS_CREATE = "401 201 201 403 403 403"
API_AUTHOR_OR_ADMIN = "401 200 404 403 403 403"
API_AUTHOR_OR_ADMIN_DELETES = "401 204 404 403 403 403"


@dataclass
class PlanningWorld:
    own: CapacityPlan  # manager_a's
    second: CapacityPlan  # manager_a's too
    other: CapacityPlan  # manager_b's


def planning_world(org) -> PlanningWorld:
    world = getattr(org, "planning_world", None)
    if world is None:
        world = PlanningWorld(
            own=make_plan(org.manager_a, name="Manager A's plan"),
            second=make_plan(org.manager_a, name="Manager A's second plan"),
            other=make_plan(org.manager_b, name="Manager B's plan"),
        )
        org.planning_world = world
    return world


def _plan_url(name, which="own"):
    def url(org):
        plan = getattr(planning_world(org), which)
        return reverse(f"recognition:{name}", args=[plan.pk])

    return url


def _compare_url(name):
    def url(org):
        world = planning_world(org)
        return (
            f"{reverse(f'recognition:{name}')}"
            f"?plans={world.own.pk}&plans={world.second.pk}"
        )

    return url


def _get(url, statuses):
    return ("get", url, None, statuses)


UI_ROWS = {
    "recognition:capacity_plan_list": _get(
        lambda org: reverse("recognition:capacity_plan_list"), LEADERS
    ),
    "recognition:capacity_plan_create": _get(
        lambda org: reverse("recognition:capacity_plan_create"), LEADERS
    ),
    "recognition:capacity_plan_compare": _get(
        _compare_url("capacity_plan_compare"), LEADERS
    ),
    "recognition:capacity_plan_compare_export": _get(
        _compare_url("capacity_plan_compare_export"), LEADERS
    ),
    "recognition:capacity_plan_detail": _get(
        _plan_url("capacity_plan_detail"), LEADERS
    ),
    "recognition:capacity_plan_export": _get(
        _plan_url("capacity_plan_export"), LEADERS
    ),
    "recognition:capacity_plan_edit": _get(
        _plan_url("capacity_plan_edit", "other"), AUTHOR_OR_ADMIN
    ),
    "recognition:capacity_plan_delete": _get(
        _plan_url("capacity_plan_delete", "other"), AUTHOR_OR_ADMIN
    ),
    # The API's URL names: their operations are the API rows below.
    "capacity-plan-list": None,
    "capacity-plan-detail": None,
}


def _body(name="Matrix plan") -> dict:
    return {
        "name": name,
        "available_hours": "120",
        "automation_percent": "10",
        "segments": [
            {key: str(value) for key, value in row.items()}
            for row in (ENTERPRISE, SMB_POOL)
        ],
    }


def _api_plan(which="own"):
    return lambda org: f"{V1}/capacity-plans/{getattr(planning_world(org), which).pk}/"


API_ROWS = {
    (f"{V1}/capacity-plans/", "GET"): (
        lambda org: f"{V1}/capacity-plans/",
        None,
        API_LEADERS,
    ),
    (f"{V1}/capacity-plans/", "POST"): (
        lambda org: f"{V1}/capacity-plans/",
        _body(),
        API_LEADERS_CREATE,
    ),
    (f"{V1}/capacity-plans/{{id}}/", "GET"): (_api_plan(), None, API_LEADERS),
    (f"{V1}/capacity-plans/{{id}}/", "PUT"): (
        _api_plan("other"),
        _body("Replaced"),
        API_AUTHOR_OR_ADMIN,
    ),
    (f"{V1}/capacity-plans/{{id}}/", "PATCH"): (
        _api_plan("other"),
        {"name": "Renamed"},
        API_AUTHOR_OR_ADMIN,
    ),
    (f"{V1}/capacity-plans/{{id}}/", "DELETE"): (
        _api_plan("other"),
        None,
        API_AUTHOR_OR_ADMIN_DELETES,
    ),
}
