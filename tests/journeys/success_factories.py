"""Success plans for tests: a plan on an account, a measure (linked to value
points), readings."""

from datetime import date
from decimal import Decimal

from journeys.models import OutcomeKind, SuccessMeasure, SuccessPlan, SuccessProgress
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps


def journey_with_value_points(count: int = 4):
    """A journey whose steps 2 and 4 (if any) are value points (30 and 90 days)."""
    journey, steps = journey_with_steps(count)
    for step, days in ((steps[1], 30), (steps[3] if count > 3 else None, 90)):
        if step is not None:
            step.is_value_point = True
            step.target_days = days
            step.save()
    return journey, steps


def plan_for(account=None, *, outcome="問い合わせ対応の工数を半分に", **fields):
    return SuccessPlan.objects.create(
        account=account or CustomerAccountFactory(),
        outcome=outcome,
        outcome_kind=fields.pop("outcome_kind", OutcomeKind.COST),
        customer_owner=fields.pop("customer_owner", "佐藤部長"),
        **fields,
    )


def measure_for(
    plan,
    *,
    name="月間工数",
    baseline=100,
    target=50,
    baseline_on=date(2026, 1, 1),
    target_on=date(2026, 12, 31),
    value_points=(),
    position=1,
):
    measure = SuccessMeasure.objects.create(
        plan=plan,
        name=name,
        unit="h",
        baseline=Decimal(baseline),
        baseline_on=baseline_on,
        target=Decimal(target),
        target_on=target_on,
        position=position,
    )
    measure.value_points.set(value_points)
    return measure


def read(measure, on, value, note=""):
    return SuccessProgress.objects.create(
        measure=measure, measured_on=on, value=Decimal(value), note=note
    )
