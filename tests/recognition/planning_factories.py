"""Capacity plans for tests, written through the service."""

from decimal import Decimal

from recognition.services import planning as services

ENTERPRISE = {
    "segment": "Enterprise",
    "coverage_model": "dedicated",
    "accounts": 40,
    "arr": Decimal(400_000_000),
    "arr_per_csm": Decimal(100_000_000),
    "hours_per_account": Decimal(20),
}
SMB_POOL = {
    "segment": "SMB",
    "coverage_model": "pooled",
    "accounts": 200,
    "arr": Decimal(200_000_000),
    "arr_per_csm": Decimal(50_000_000),
    "hours_per_account": Decimal(1),
}


def plan_fields(**changes) -> dict:
    return {
        "name": "FY2027 plan",
        "description": "",
        "target_date": None,
        "available_hours": Decimal(120),
        "automation_percent": Decimal(0),
        "leader_experience": "experienced",
        "span_of_control": 10,
        "operations_headcount": 0,
        "marketing_headcount": 0,
        "whatif_rule": "share",
        "whatif_threshold": None,
        "whatif_share": Decimal(30),
        "pool_hours_per_account": Decimal(2),
    } | changes


def make_plan(author, *, segments=(ENTERPRISE, SMB_POOL), **changes):
    """A plan by `author`: by default Enterprise (4 top-down, 7 bottom-up) and the
    SMB pool (4 top-down, 2 bottom-up)."""
    return services.capacity_plan_save(
        by=author, fields=plan_fields(**changes), segments=[dict(s) for s in segments]
    )


def form_data(rows=(ENTERPRISE, SMB_POOL), *, action="save", extra_rows=1, **changes):
    """The plan form's POST data."""
    data = {"action": action}
    for name, value in plan_fields(**changes).items():
        data[name] = "" if value is None else str(value)
    rows = list(rows)
    total = len(rows) + extra_rows
    data |= {
        "segments-TOTAL_FORMS": str(total),
        "segments-INITIAL_FORMS": "0",
        "segments-MIN_NUM_FORMS": "0",
        "segments-MAX_NUM_FORMS": "60",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"segments-{index}-{name}"] = str(value)
    for index in range(len(rows), total):
        for name in ENTERPRISE:
            data[f"segments-{index}-{name}"] = ""
    return data
