"""Authorization-matrix rows (see tests/test_authorization_matrix.py): assessments,
development plans, the career ladder and promotion readiness.

Statuses in the order anonymous admin manager(manager_a) member(member_a)
interviewer recruiter. Everything here is for admins, managers and members (403 for
the other roles). member_a's pages are seen by member_a, manager_a (their leader)
and admins; coaching pages (assessing, writing the plan, closing the loop,
recording a promotion) answer 403 to member_a, who still writes check-ins on their
own plan. The ladder and its criteria are changed by admins only.

The world (`development_world`, memoised on the organisation): a journey of three
steps with a training module on the first; member_a assessed by manager_a on the
hiring world's competencies, with a plan holding a target and an action; a ladder
L1 → L2 → L3 whose first step has a threshold, a minimum rating and a module;
member_a at L1.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone

from recognition.models import CareerLevel, PlanAction, PlanTarget, PromotionStep
from recognition.services import development as services
from tests.journeys.factories import TrainingModuleFactory, journey_with_steps
from tests.recognition.development_factories import assess, at_level, ladder, step_up

V1 = "/api/v1"

READERS = "302 200 200 200 403 403"
COACHES = "302 200 200 403 403 403"
COACHES_POST = "302 302 302 403 403 403"
ADMINS = "302 200 403 403 403 403"

API_READ = "401 200 200 200 403 403"
API_COACH_CREATES = "401 201 201 403 403 403"
API_COACH_CHANGES = "401 200 200 403 403 403"
API_ADMIN_CREATES = "401 201 403 403 403 403"
API_ADMIN_CHANGES = "401 200 403 403 403 403"
API_ADMIN_DELETES = "401 204 403 403 403 403"


@dataclass
class DevelopmentWorld:
    step: object
    module: object
    assessment: object
    target: PlanTarget
    action: PlanAction
    levels: list[CareerLevel]
    promotion: PromotionStep


def development_world(org) -> DevelopmentWorld:
    world = getattr(org, "development_world", None)
    if world is None:
        _journey, steps = journey_with_steps(3, name="Matrix development journey")
        module = TrainingModuleFactory(from_step=steps[0], title="Kickoff")
        empathy, logic = org.hiring.empathy, org.hiring.logic
        assessment = assess(org.member_a, org.manager_a, {empathy: 3, logic: 2})
        target = services.target_set(
            member=org.member_a,
            by=org.manager_a,
            metric="training_completion",
            target_value=0.9,
            by_date=timezone.localdate() + timedelta(days=90),
        )
        action = services.action_add(
            member=org.member_a, by=org.manager_a, text="Shadow a kickoff"
        )
        levels = ladder("L1", "L2", "L3")
        promotion = step_up(
            levels[0],
            levels[1],
            metric_criteria=[("training_completion", "gte", 0.8, 3)],
            competency_criteria=[(empathy, 3)],
            modules=[module],
        )
        at_level(org.member_a, levels[0], since=date(2025, 4, 1))
        world = DevelopmentWorld(
            step=steps[0],
            module=module,
            assessment=assessment,
            target=target,
            action=action,
            levels=levels,
            promotion=promotion,
        )
        org.development_world = world
    return world


def _w(org) -> DevelopmentWorld:
    return development_world(org)


def _member_url(name, *extra):
    def url(org):
        world = _w(org)
        return reverse(
            f"recognition:{name}",
            args=[org.member_a.pk, *(part(world) for part in extra)],
        )

    return url


def _url(name, *parts):
    def url(org):
        world = _w(org)
        return reverse(f"recognition:{name}", args=[part(world) for part in parts])

    return url


def _get(url, statuses):
    return ("get", url, None, statuses)


UI_ROWS = {
    # Assessments and plans.
    "recognition:plan_list": _get(_url("plan_list"), READERS),
    "recognition:plan_list_export": _get(_url("plan_list_export"), READERS),
    "recognition:plan_export": _get(_member_url("plan_export"), READERS),
    "recognition:assessment_list": _get(_member_url("assessment_list"), READERS),
    "recognition:assessment_create": _get(_member_url("assessment_create"), COACHES),
    "recognition:assessment_detail": _get(
        _url("assessment_detail", lambda w: w.assessment.pk), READERS
    ),
    "recognition:plan_detail": _get(_member_url("plan_detail"), READERS),
    "recognition:plan_edit": _get(_member_url("plan_edit"), COACHES),
    "recognition:plan_target_add": _get(_member_url("plan_target_add"), COACHES),
    "recognition:plan_target_edit": _get(
        _member_url("plan_target_edit", lambda w: w.target.pk), COACHES
    ),
    "recognition:plan_target_delete": _get(
        _member_url("plan_target_delete", lambda w: w.target.pk), COACHES
    ),
    "recognition:plan_action_add": _get(_member_url("plan_action_add"), COACHES),
    "recognition:plan_action_toggle": (
        "post",
        _member_url("plan_action_toggle", lambda w: w.action.pk),
        {},
        COACHES_POST,
    ),
    "recognition:plan_action_delete": _get(
        _member_url("plan_action_delete", lambda w: w.action.pk), COACHES
    ),
    "recognition:plan_check_in_add": _get(_member_url("plan_check_in_add"), READERS),
    "recognition:plan_add_transition": _get(
        lambda org: reverse(
            "recognition:plan_add_transition",
            kwargs={"member_pk": org.member_a.pk, "step_pk": _w(org).step.pk},
        ),
        COACHES,
    ),
    # The ladder: everyone in management reads it; admins change it.
    "recognition:ladder": _get(_url("ladder"), READERS),
    "recognition:ladder_track_create": _get(_url("ladder_track_create"), ADMINS),
    "recognition:ladder_track_edit": _get(
        _url("ladder_track_edit", lambda w: w.promotion.track_id), ADMINS
    ),
    "recognition:ladder_level_create": _get(_url("ladder_level_create"), ADMINS),
    "recognition:ladder_level_edit": _get(
        _url("ladder_level_edit", lambda w: w.levels[1].pk), ADMINS
    ),
    "recognition:ladder_step_create": _get(_url("ladder_step_create"), ADMINS),
    "recognition:ladder_step_edit": _get(
        _url("ladder_step_edit", lambda w: w.promotion.pk), ADMINS
    ),
    "recognition:ladder_step_delete": _get(
        _url("ladder_step_delete", lambda w: w.promotion.pk), ADMINS
    ),
    # Readiness.
    "recognition:readiness_team": _get(_url("readiness_team"), READERS),
    "recognition:readiness_csv": _get(_url("readiness_csv"), READERS),
    "recognition:readiness_detail": _get(_member_url("readiness_detail"), READERS),
    "recognition:promotion_record": _get(_member_url("promotion_record"), COACHES),
}

# The router's URL names: their operations are the API_ROWS below.
UI_ROWS |= {
    f"{name}-{suffix}": None
    for name, suffixes in {
        "competency-assessment": ("list", "detail"),
        "development-plan": ("list", "detail", "targets", "actions", "check-ins"),
        "promotion-criterion": ("list", "detail"),
        "member": ("readiness",),
    }.items()
    for suffix in suffixes
}


class _Body(dict):
    """A request body built from the world when the row's request is sent."""


def _with_body(path, body):
    """A row whose data needs the world's ids: the URL builds the world and fills
    the (shared) body in place before the request is sent."""
    data = _Body()

    def url(org):
        world = _w(org)
        data.clear()
        data.update(body(world, org))
        return path(world, org)

    return url, data


def _list(path):
    return lambda org: (_w(org), f"{V1}/{path}/")[1]


def _plan(suffix=""):
    def url(world, org):
        return f"{V1}/development-plans/{world.target.plan_id}/{suffix}"

    return url


def _future():
    return (timezone.localdate() + timedelta(days=60)).isoformat()


API_ROWS = {
    (f"{V1}/competency-assessments/", "GET"): (
        _list("competency-assessments"),
        None,
        API_READ,
    ),
    (f"{V1}/competency-assessments/", "POST"): (
        *_with_body(
            lambda world, org: f"{V1}/competency-assessments/",
            lambda world, org: {
                "member": org.member_a.pk,
                "ratings": [
                    {"competency": org.hiring.empathy.pk, "rating": 4, "evidence": "e"},
                    {"competency": org.hiring.logic.pk, "rating": 3, "evidence": "e"},
                ],
            },
        ),
        API_COACH_CREATES,
    ),
    (f"{V1}/competency-assessments/{{id}}/", "GET"): (
        lambda org: f"{V1}/competency-assessments/{_w(org).assessment.pk}/",
        None,
        API_READ,
    ),
    (f"{V1}/development-plans/", "GET"): (_list("development-plans"), None, API_READ),
    (f"{V1}/development-plans/", "POST"): (
        *_with_body(
            lambda world, org: f"{V1}/development-plans/",
            lambda world, org: {"member": org.sub_member.pk, "summary": "Grow"},
        ),
        API_COACH_CREATES,
    ),
    (f"{V1}/development-plans/{{id}}/", "GET"): (
        lambda org: _plan()(_w(org), org),
        None,
        API_READ,
    ),
    (f"{V1}/development-plans/{{id}}/", "PATCH"): (
        lambda org: _plan()(_w(org), org),
        {"summary": "Own onboarding"},
        API_COACH_CHANGES,
    ),
    (f"{V1}/development-plans/{{id}}/targets/", "POST"): (
        *_with_body(
            _plan("targets/"),
            lambda world, org: {
                "metric": f"step_conversion:{world.step.pk}",
                "target_value": 0.6,
                "by_date": _future(),
            },
        ),
        API_COACH_CREATES,
    ),
    (f"{V1}/development-plans/{{id}}/actions/", "POST"): (
        *_with_body(
            _plan("actions/"),
            lambda world, org: {"text": "Run a setup workshop", "due_date": _future()},
        ),
        API_COACH_CREATES,
    ),
    (f"{V1}/development-plans/{{id}}/check-ins/", "POST"): (
        *_with_body(
            _plan("check-ins/"),
            lambda world, org: {
                "held_on": timezone.localdate().isoformat(),
                "text": "Going well",
                "status": "on_track",
            },
        ),
        "401 201 201 201 403 403",
    ),
    (f"{V1}/promotion-criteria/", "GET"): (
        _list("promotion-criteria"),
        None,
        API_READ,
    ),
    (f"{V1}/promotion-criteria/", "POST"): (
        *_with_body(
            lambda world, org: f"{V1}/promotion-criteria/",
            lambda world, org: {
                "from_level": world.levels[1].pk,
                "to_level": world.levels[2].pk,
                "metric_criteria": [
                    {
                        "metric": "training_completion",
                        "comparison": "gte",
                        "value": 1,
                        "months": 6,
                    }
                ],
                "competency_criteria": [
                    {"competency": org.hiring.logic.pk, "minimum_rating": 4}
                ],
            },
        ),
        API_ADMIN_CREATES,
    ),
    (f"{V1}/promotion-criteria/{{id}}/", "GET"): (
        lambda org: f"{V1}/promotion-criteria/{_w(org).promotion.pk}/",
        None,
        API_READ,
    ),
    (f"{V1}/promotion-criteria/{{id}}/", "PATCH"): (
        lambda org: f"{V1}/promotion-criteria/{_w(org).promotion.pk}/",
        {"required_modules": []},
        API_ADMIN_CHANGES,
    ),
    (f"{V1}/promotion-criteria/{{id}}/", "DELETE"): (
        lambda org: f"{V1}/promotion-criteria/{_w(org).promotion.pk}/",
        None,
        API_ADMIN_DELETES,
    ),
    (f"{V1}/members/{{id}}/readiness/", "GET"): (
        lambda org: (_w(org), f"{V1}/members/{org.member_a.pk}/readiness/")[1],
        None,
        API_READ,
    ),
}
