"""ARR snapshots with hand-computed revenue KPIs (METRICS.md "Revenue KPIs",
recognition/selectors/revenue.py).

Team A: sato (org.member_a) and suzuki; team B: kato (org.member_b) and the pool P.
Every coverage starts on 2026-01-01 00:00 JST; E moves from sato to kato on
2026-04-15 12:00 JST (so April is sato's, May kato's).

In thousands of yen (up: upsell, exp: expansion, x-sell: cross-sell, down:
downsell, react: reactivation; E is owned by sato, then by kato):

| acct | owner  | segment    | Jan   | Feb     | Mar          | Apr       | May      |
|------|--------|------------|-------|---------|--------------|-----------|----------|
| A    | sato   | Enterprise | 1,000 |         | 1,200 up     |           | 900 down |
| B    | sato   | SMB        | 500   | 0 churn |              | 300 react |          |
| C    | suzuki | SMB        |       |         | 400 new      | 500 exp   |          |
| D    | pool P | SMB        | 200   |         | 250 x-sell   |           |          |
| E    | →kato  | Enterprise | 600   |         |              | 700 exp   | 650 down |
| F    | suzuki | SMB        |       | 0       | 0            |           |          |

Organisation, by hand:
- Jan: nothing before → S = 0, no NRR; new 2,300,000 (A, B, D, E).
- Feb: S = 2,300,000 (A, B, D, E); churn 500,000 (B): NRR = GRR = 1,800,000 / 2,300,000;
  logo churn 1 of 4.
- Mar: S = 1,800,000 (B is at 0); upsell 200,000 (A), cross-sell 50,000 (D); C new
  400,000 beside the tree: NRR = 2,050,000 / 1,800,000, GRR = 100 %.
- Apr: S = 2,450,000 (C counts from its second month); expansion 200,000 (C, E);
  B's 300,000 is a reactivation: NRR = 2,650,000 / 2,450,000.
- May: S = 2,950,000; downsell 350,000 (A 300,000, E 50,000): NRR = 2,600,000 /
  2,950,000.

sato: Feb S 2,100,000, churn 500,000; Mar S 1,600,000, upsell 200,000 (NRR 112.5 %);
Apr S 1,800,000 (A, E), expansion 100,000 (E, still sato's on April 1), reactivation
300,000; May S 1,500,000 (A, B), downsell 300,000 (NRR 80 %), ARR at the end of May
1,200,000 over 1 CSM, 2 accounts. kato: May S 700,000 (E), downsell 50,000.
suzuki: Mar S = 0 (C is new, F at 0): no NRR, new 400,000; Apr S 400,000, expansion
100,000: NRR 125 %. Pool P: Mar S 200,000, cross-sell 50,000: NRR 125 %.
Team A, April: S 2,200,000, expansion 200,000; 2 CSMs (sato, suzuki) own A, B, C, E,
F: ARR at the end of April 2,700,000 → 1,350,000 per CSM, 2.5 accounts per CSM.
Team B, May: S 950,000 (E, D), downsell 50,000. Segment SMB, April: S 650,000 (C, D),
expansion 100,000, reactivation 300,000; Enterprise, March: S 1,600,000, upsell
200,000.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from accounts.models import Role, User
from journeys import revenue as journey_revenue
from journeys.models import (
    ARRMovement,
    Coverage,
    CoverageModel,
    CustomerAccount,
    Pool,
    StepEvent,
)
from tests.factories import Organisation, TeamMembershipFactory, UserFactory
from tests.journeys.factories import CustomerAccountFactory, PoolFactory

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 1, 1, tzinfo=JST)
MOVED = datetime(2026, 4, 15, 12, tzinfo=JST)
NOW = datetime(2026, 6, 10, 12, tzinfo=JST)
JAN, FEB, MAR, APR, MAY, JUN = (date(2026, month, 1) for month in range(1, 7))

SNAPSHOTS = {
    "A": [
        (JAN, 1_000_000, ""),
        (MAR, 1_200_000, ARRMovement.UPSELL),
        (MAY, 900_000, ""),
    ],
    "B": [(JAN, 500_000, ""), (FEB, 0, ""), (APR, 300_000, "")],
    "C": [(MAR, 400_000, ""), (APR, 500_000, "")],
    "D": [(JAN, 200_000, ""), (MAR, 250_000, ARRMovement.CROSS_SELL)],
    "E": [(JAN, 600_000, ""), (APR, 700_000, ""), (MAY, 650_000, "")],
    "F": [(FEB, 0, ""), (MAR, 0, "")],
}
SEGMENTS = {"A": "Enterprise", "E": "Enterprise"}


@dataclass
class RevenueWorld:
    org: Organisation
    sato: User
    suzuki: User
    kato: User
    pool: Pool
    accounts: dict[str, CustomerAccount]


def cover(account, *, owner=None, pool=None, start=START, end=None) -> Coverage:
    return Coverage.objects.create(
        account=account,
        model=CoverageModel.POOLED if pool else CoverageModel.DEDICATED,
        owner=owner,
        pool=pool,
        started_at=start,
        ended_at=end,
    )


def record(account, month: date, arr: int, movement: str = "") -> None:
    journey_revenue.arr_snapshots_record(
        entries=[journey_revenue.ARREntry(account, month, Decimal(arr), movement)],
        by=None,
        source=StepEvent.Source.IMPORT,
        now=NOW,
    )


def build_revenue_world(org: Organisation) -> RevenueWorld:
    sato, kato = org.member_a, org.member_b
    suzuki = TeamMembershipFactory(
        team=org.team_a,
        user=UserFactory(username="suzuki", family_name="鈴木", roles=[Role.MEMBER]),
    ).user
    pool = PoolFactory(name="Pool P", team=org.team_b)
    accounts = {
        name: CustomerAccountFactory(
            name=f"Account {name}", segment=SEGMENTS.get(name, "SMB")
        )
        for name in SNAPSHOTS
    }
    for name in ("A", "B"):
        cover(accounts[name], owner=sato)
    for name in ("C", "F"):
        cover(accounts[name], owner=suzuki)
    cover(accounts["D"], pool=pool)
    cover(accounts["E"], owner=sato, end=MOVED)
    cover(accounts["E"], owner=kato, start=MOVED)
    for name, months in SNAPSHOTS.items():
        for month, arr, movement in months:
            record(accounts[name], month, arr, movement)
    return RevenueWorld(org, sato, suzuki, kato, pool, accounts)
