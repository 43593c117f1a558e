"""Demo: two saved capacity plans. This year's, filled from today's accounts
(every segment and coverage model the demo has), and next year's, typed in: more
accounts, a tech-touch program for SMB, new leaders, an operations and a
customer-marketing role, and the pooled what-if by ARR per account. Seeding again
changes nothing (a plan of that name is left as it is)."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Role, User

from .models import CapacityPlan
from .selectors import planning as selectors
from .services import planning as services

# The ARR one CSM carries and the hours an account needs a month, by segment.
BENCHMARKS = {
    "エンタープライズ": (Decimal(1_500_000_000), Decimal(6)),
    "ミッドマーケット": (Decimal(500_000_000), Decimal(3)),
    "SMB": (Decimal(300_000_000), Decimal("1.5")),
}
OTHER = (Decimal(400_000_000), Decimal(2))

THIS_YEAR = "今年度の体制（現状の顧客から）"
NEXT_YEAR = "来年度案（テックタッチ導入とプール化）"


def _plan_fields(**changes) -> dict:
    return {
        "description": "",
        "target_date": None,
        "available_hours": Decimal(120),
        "automation_percent": Decimal(10),
        "leader_experience": "experienced",
        "span_of_control": 10,
        "operations_headcount": 1,
        "marketing_headcount": 0,
        "whatif_rule": "share",
        "whatif_threshold": None,
        "whatif_share": Decimal(30),
        "pool_hours_per_account": Decimal("1.5"),
    } | changes


def seed_capacity_plans(*, admin: User, today) -> None:
    leader = User.objects.filter(groups__name=Role.MANAGER.value).order_by("pk").first()
    if not CapacityPlan.objects.filter(name=THIS_YEAR).exists():
        rows = [
            row
            | dict(
                zip(
                    ("arr_per_csm", "hours_per_account"),
                    BENCHMARKS.get(row["segment"], OTHER),
                    strict=True,
                )
            )
            for row in selectors.today_data(viewer=admin)
        ]
        if rows:
            services.capacity_plan_save(
                by=admin,
                fields=_plan_fields(
                    name=THIS_YEAR,
                    description=(
                        "今日の顧客数とARRから。エンタープライズの上位30%を"
                        "専任に残し、残りをプールに移す場合も試算。"
                    ),
                ),
                segments=rows,
            )
    if not CapacityPlan.objects.filter(name=NEXT_YEAR).exists():
        author = leader or admin
        services.capacity_plan_save(
            by=author,
            fields=_plan_fields(
                name=NEXT_YEAR,
                description=(
                    "SMBにテックタッチを導入し、1社あたりARRが800万円未満の"
                    "セグメントはプールへ。新任リーダーを前提に。"
                ),
                target_date=today.replace(year=today.year + 1, month=4, day=1),
                automation_percent=Decimal(25),
                leader_experience="new",
                marketing_headcount=1,
                whatif_rule="threshold",
                whatif_threshold=Decimal(8_000_000),
            ),
            segments=[
                _row("エンタープライズ", "dedicated", 800, 28_000_000_000),
                _row("ミッドマーケット", "dedicated", 700, 4_500_000_000),
                _row("SMB", "pooled", 600, 800_000_000),
                _row("SMB", "tech_touch", 1500, 900_000_000, hours=Decimal("0.5")),
            ],
        )


def _row(segment, model, accounts, arr, *, hours=None) -> dict:
    benchmark, default_hours = BENCHMARKS[segment]
    return {
        "segment": segment,
        "coverage_model": model,
        "accounts": accounts,
        "arr": Decimal(arr),
        "arr_per_csm": benchmark,
        "hours_per_account": hours or default_hours,
    }
