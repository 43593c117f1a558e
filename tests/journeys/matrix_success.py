"""Authorization-matrix rows (see tests/test_authorization_matrix.py): success plans.

Statuses in the order anonymous admin manager(manager_a) member(member_a) interviewer
recruiter. The objects: an account of member_a (team A) with a success plan and one
measure, and a second account of member_a without a plan. Those who see the account
write its plan; interviewers and recruiters see no account (404 on pages, 403 on the
API's writes, whose role rule comes first)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from django.urls import reverse

V1 = "/api/v1"


def success_world(org):
    objects = getattr(org, "journeys_success", None)
    if objects is None:
        from journeys.models import OutcomeKind, SuccessMeasure, SuccessPlan
        from tests.journeys.factories import CustomerAccountFactory
        from tests.journeys.success_factories import journey_with_value_points

        journey, steps = journey_with_value_points()
        account = CustomerAccountFactory(journey=journey, owner=org.member_a)
        plan = SuccessPlan.objects.create(
            account=account,
            outcome="問い合わせ工数を半分に",
            outcome_kind=OutcomeKind.COST,
            customer_owner="佐藤部長",
        )
        measure = SuccessMeasure.objects.create(
            plan=plan,
            name="工数",
            baseline=Decimal(100),
            baseline_on=date(2025, 1, 1),
            target=Decimal(50),
            target_on=date(2025, 12, 31),
        )
        objects = SimpleNamespace(
            account=account,
            unplanned=CustomerAccountFactory(journey=journey, owner=org.member_a),
            plan=plan,
            measure=measure,
            steps=steps,
        )
        org.journeys_success = objects
    return objects


def _page(name, *, measure=False):
    def url(org):
        w = success_world(org)
        args = [w.account.pk, w.measure.pk] if measure else [w.account.pk]
        return reverse(name, args=args)

    return url


SEES_ACCOUNT = "302 200 200 200 404 404"

UI_ROWS = {
    # Everyone signed in gets the list of what they see (empty for some).
    "journeys:success_at_risk": (
        "get",
        lambda org: reverse("journeys:success_at_risk"),
        None,
        "302 200 200 200 200 200",
    ),
    "journeys:success_plan_edit": (
        "get",
        _page("journeys:success_plan_edit"),
        None,
        SEES_ACCOUNT,
    ),
    "journeys:success_measure_add": (
        "get",
        _page("journeys:success_measure_add"),
        None,
        SEES_ACCOUNT,
    ),
    "journeys:success_measure_edit": (
        "get",
        _page("journeys:success_measure_edit", measure=True),
        None,
        SEES_ACCOUNT,
    ),
    "journeys:success_measure_remove": (
        "post",
        _page("journeys:success_measure_remove", measure=True),
        {},
        "302 302 302 302 404 404",
    ),
    "journeys:success_progress_record": (
        "get",
        _page("journeys:success_progress_record", measure=True),
        None,
        SEES_ACCOUNT,
    ),
    # The API's own URL names: their operations are in API_ROWS.
    "success-plan-list": None,
    "success-plan-detail": None,
    "success-plan-add-measure": None,
    "success-plan-measure": None,
    "success-plan-progress": None,
}


def _plan_url(suffix=""):
    return lambda org: f"{V1}/success-plans/{success_world(org).plan.pk}/{suffix}"


def _measure_url(suffix=""):
    def url(org):
        w = success_world(org)
        return f"{V1}/success-plans/{w.plan.pk}/measures/{w.measure.pk}/{suffix}"

    return url


# The body of a new plan names the account without one: filled in place when the
# URL is built, before the request is sent.
_new_plan = {}


def _new_plan_url(org):
    _new_plan.clear()
    _new_plan.update(
        {
            "account": success_world(org).unplanned.pk,
            "outcome": "売上を二割伸ばす",
            "outcome_kind": "revenue",
            "customer_owner": "田中社長",
        }
    )
    return f"{V1}/success-plans/"


WRITES = "401 {ok} {ok} {ok} 403 403"

API_ROWS = {
    (f"{V1}/success-plans/", "GET"): (
        lambda org: f"{V1}/success-plans/",
        None,
        "401 200 200 200 200 200",
    ),
    (f"{V1}/success-plans/", "POST"): (_new_plan_url, _new_plan, WRITES.format(ok=201)),
    (f"{V1}/success-plans/{{id}}/", "GET"): (
        _plan_url(),
        None,
        "401 200 200 200 404 404",
    ),
    (f"{V1}/success-plans/{{id}}/", "PATCH"): (
        _plan_url(),
        {"customer_owner": "鈴木課長"},
        WRITES.format(ok=200),
    ),
    (f"{V1}/success-plans/{{id}}/measures/", "POST"): (
        _plan_url("measures/"),
        {
            "name": "CSAT",
            "baseline": "3.2",
            "baseline_on": "2025-01-01",
            "target": "4",
            "target_on": "2025-06-30",
        },
        WRITES.format(ok=201),
    ),
    (f"{V1}/success-plans/{{id}}/measures/{{measure_id}}/", "PATCH"): (
        _measure_url(),
        {"name": "月間工数"},
        WRITES.format(ok=200),
    ),
    (f"{V1}/success-plans/{{id}}/measures/{{measure_id}}/", "DELETE"): (
        _measure_url(),
        None,
        WRITES.format(ok=204),
    ),
    (f"{V1}/success-plans/{{id}}/measures/{{measure_id}}/progress/", "POST"): (
        _measure_url("progress/"),
        {"measured_on": "2025-06-01", "value": "80"},
        WRITES.format(ok=201),
    ),
}
