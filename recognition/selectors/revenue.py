"""Revenue KPIs: NRR, GRR and the movements under them, month by month, from the
accounts' ARR snapshots (`journeys.revenue`). The one definition (METRICS.md,
"Revenue KPIs"); the KPI page states the same rules in words.

For a month M and a scope (the organisation, a segment, a team, a member, a pool):

- **An account's ARR at the start of M** is that of its latest snapshot strictly
  before M (carried forward); without one it is 0. Its ARR at the end of M is that
  of its latest snapshot on or before M. The movement of M is the movement of M's
  snapshot (none without one).
- **S**, the starting ARR: the sum of the ARR at the start of M of the scope's
  accounts that had ARR above 0 then.
- **E**, expansion, split by movement type: upsell, expansion and cross-sell, each
  the increase A − P of accounts whose ARR before (P) was above 0.
  **C**, contraction: downsell, P − A. **X**, churn: P of the accounts whose ARR fell
  to A = 0.
- **New** and **reactivation** (ARR from P = 0) are shown beside the tree, never in
  S, E, C or X: a new account does not count in its first month (it is in S from
  the next month on).
- **NRR** = (S + E − C − X) / S, **GRR** = (S − C − X) / S; none when S = 0. Each
  movement is also a share of S (its amount over S), so it has a denominator.
- **Logo churn** = accounts churned in M / accounts with ARR above 0 at the start
  of M.
- **ARR per CSM** = the ARR at the end of M of the scope's accounts credited to a
  member / the number of CSMs: the members credited with at least one account of
  the scope at the start of M (a member's own figure: their accounts' ARR over 1).
  **Accounts per CSM** likewise, with the number of those accounts (whether they
  have ARR or not).
- **Crediting**: an account counts in M for the dedicated owner it had at the start
  of M (coverage in force at the 1st of M, 00:00 in TIME_ZONE; the latest started,
  should periods overlap) when that owner held the Member role then, and for the
  team that member belonged to on the 1st of M (the first by team name, should
  memberships overlap); a pooled account counts for its pool and the pool's team.
  An owner change in the middle of a month moves the account from the next month
  on. A segment is the account's `segment`; the organisation is every account.
- Each month's figures are final when the month ends (like a flow metric).

**Over a period** of several months (a quarter, the last N months: award periods,
plan targets, promotion criteria), the figures follow the accounts of the period's
start, as one cohort (for a single month they are exactly the month's figures):

- **S**: the accounts with ARR above 0 at the start of the period's first month,
  credited as at that moment (the owner then, that member's team then, the pool);
  S is the sum of their ARR then. The accounts that are new or reactivated during
  the period are not in S.
- Each of them counts once, by its **net change** from the period's start to its
  end (its ARR at the end of the period's last month): an account at 0 at the end
  is **churn** (its ARR at the start); a net decrease that leaves ARR is
  **contraction** (downsell); a net increase counts in **E**, typed by the
  account's largest increase in the period among upsell, expansion and cross-sell
  (the earlier month on a tie; expansion, the inferred type of an increase, when
  the increase came back through a churn and a reactivation). An account that
  churned and came back within the period is not churn: it had ARR at the start
  and at the end, so it counts by its net change.
- **NRR** = (S + E − C − X) / S and **GRR** = (S − C − X) / S, each movement a share
  of S; **logo churn** = the accounts of S at 0 at the end / the accounts of S.
- **New** and **reactivated ARR** of a period: the sum of its months' new and
  reactivated ARR (each credited as in its month) of the accounts that are not in
  S.
- **ARR per CSM** and **accounts per CSM**: those of the period's last month.
- A period's figures are final when the period ends.

Member, team and pool figures are written by the rollup into the figure tables
(`write_revenue_figures`, one `INSERT … SELECT` per scope); the organisation and
segments are read from the same SELECT directly (`revenue_months`). Every function
runs a fixed number of queries, whatever the number of accounts or months.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from django.core.cache import cache
from django.db import connection
from django.db.models import Min

from accounts.models import Role, RolePeriod, Team, TeamMembership
from journeys.models import ARRMovement, ARRSnapshot, Coverage, CustomerAccount, Pool

from .. import metrics
from ..metrics import Family
from ..models import (
    MemberFigure,
    PoolFigure,
    RollupChange,
    RollupRun,
    TeamFigure,
)

ORGANISATION = "organisation"
SEGMENT = "segment"
TEAM = "team"
MEMBER = "member"
POOL = "pool"
SCOPES = (ORGANISATION, SEGMENT, TEAM, MEMBER, POOL)
# Scopes whose figures the rollup writes, with the column of the rows they group.
STORED = {MEMBER: "member_id", TEAM: "team_id", POOL: "pool_id"}
_TABLES = {MEMBER: MemberFigure, TEAM: TeamFigure, POOL: PoolFigure}

# The movements of the KPI tree, in its order, and those beside it.
INCREASES = (ARRMovement.UPSELL, ARRMovement.EXPANSION, ARRMovement.CROSS_SELL)
DECREASES = (ARRMovement.DOWNSELL, ARRMovement.CHURN)
BESIDE = (ARRMovement.NEW, ARRMovement.REACTIVATION)
MOVEMENTS = INCREASES + DECREASES + BESIDE

# The metric whose numerator is each movement's amount (its denominator is S).
_MOVEMENT_FAMILY = {
    ARRMovement.UPSELL: Family.UPSELL,
    ARRMovement.EXPANSION: Family.EXPANSION,
    ARRMovement.CROSS_SELL: Family.CROSS_SELL,
    ARRMovement.DOWNSELL: Family.DOWNSELL,
    ARRMovement.CHURN: Family.CHURNED_ARR,
    ARRMovement.NEW: Family.NEW_ARR,
    ARRMovement.REACTIVATION: Family.REACTIVATED_ARR,
}


@dataclass(frozen=True)
class RevenueMonth:
    """One month of one scope: S, each movement's amount (yen), and the counts
    behind logo churn and the per-CSM figures."""

    month: date
    starting: int = 0
    upsell: int = 0
    expansion: int = 0
    cross_sell: int = 0
    downsell: int = 0
    churn: int = 0
    new: int = 0
    reactivation: int = 0
    customers: int = 0
    churned_accounts: int = 0
    csms: int = 0
    owned_accounts: int = 0
    owned_arr: int = 0

    def amount(self, movement: str) -> int:
        return getattr(self, movement)

    @property
    def increase(self) -> int:
        """E: upsell, expansion and cross-sell."""
        return self.upsell + self.expansion + self.cross_sell

    @property
    def contraction(self) -> int:
        """C: downsell."""
        return self.downsell

    @property
    def ending(self) -> int:
        """S + E − C − X: what the starting accounts hold at the month's end."""
        return self.starting + self.increase - self.downsell - self.churn

    @property
    def retained(self) -> int:
        """S − C − X."""
        return self.starting - self.downsell - self.churn

    @property
    def nrr(self) -> float | None:
        return self.ending / self.starting if self.starting else None

    @property
    def grr(self) -> float | None:
        return self.retained / self.starting if self.starting else None

    @property
    def logo_churn(self) -> float | None:
        return self.churned_accounts / self.customers if self.customers else None

    @property
    def arr_per_csm(self) -> float | None:
        return self.owned_arr / self.csms if self.csms else None

    @property
    def accounts_per_csm(self) -> float | None:
        return self.owned_accounts / self.csms if self.csms else None

    def share(self, movement: str) -> float | None:
        return self.amount(movement) / self.starting if self.starting else None


# The SQL ----------------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _typed(kind: str) -> str:
    """A placeholder PostgreSQL is told the type of (a SELECT without a table has
    no column to take it from); SQLite stores dates and times as text."""
    if connection.vendor != "postgresql":
        return "%s"
    return {
        "date": "CAST(%s AS date)",
        "datetime": "CAST(%s AS timestamptz)",
        "boolean": "CAST(%s AS boolean)",
    }[kind]


def _months_sql(months: list[date], as_of: datetime | None) -> tuple[str, list]:
    """The months as a relation: month, its first instant, the first instant after
    it, and whether it is still running at `as_of` (provisional)."""
    ops = connection.ops
    selects, params = [], []
    for month in months:
        start = metrics.month_start(month)
        end = metrics.month_start(metrics.add_months(month, 1))
        selects.append(
            f"SELECT {_typed('date')} AS month, {_typed('datetime')} AS starts_at, "
            f"{_typed('datetime')} AS ends_at, {_typed('boolean')} AS running"
        )
        params += [
            ops.adapt_datefield_value(month),
            ops.adapt_datetimefield_value(start),
            ops.adapt_datetimefield_value(end),
            as_of is not None and as_of < end,
        ]
    return " UNION ALL ".join(selects), params


def _rows_sql(months: list[date], as_of: datetime | None = None) -> tuple[str, list]:
    """A WITH clause whose last relation `r` holds one row per account and month
    (of an account with a snapshot on or before the month, or covered at its
    start): account_id, month, ends_at, running, start_arr, end_arr, movement,
    member_id, team_id, pool_id, segment (the rules of the module docstring)."""
    months_sql, params = _months_sql(months, as_of)
    if connection.vendor == "postgresql":
        # A FULL JOIN: hash or merge, never a nested loop over two CTEs whose
        # sizes the planner cannot estimate (at 20,000 accounts that took hours).
        rows_from = (
            "FROM state st FULL JOIN credited c "
            "ON c.account_id = st.account_id AND c.month = st.month "
            "CROSS JOIN LATERAL (SELECT COALESCE(st.account_id, c.account_id) "
            "AS account_id, COALESCE(st.month, c.month) AS month) k "
            "JOIN m ON m.month = k.month"
        )
    else:
        # SQLite before 3.39 has no FULL JOIN: the keys of both, then each.
        rows_from = (
            "FROM (SELECT account_id, month FROM state "
            "UNION SELECT account_id, month FROM credited) k "
            "JOIN m ON m.month = k.month "
            "LEFT JOIN state st ON st.account_id = k.account_id "
            "AND st.month = k.month "
            "LEFT JOIN credited c ON c.account_id = k.account_id "
            "AND c.month = k.month"
        )
    snapshot, coverage = _table(ARRSnapshot), _table(Coverage)
    role, membership = _table(RolePeriod), _table(TeamMembership)
    team, pool, account = _table(Team), _table(Pool), _table(CustomerAccount)
    sql = f"""
    WITH m AS ({months_sql}),
    snap AS (
        SELECT s.account_id, s.month, s.arr, s.previous_arr, s.movement,
               LEAD(s.month) OVER (
                   PARTITION BY s.account_id ORDER BY s.month
               ) AS next_month
        FROM {snapshot} s
    ),
    state AS (
        SELECT s.account_id, m.month,
               CASE WHEN s.month = m.month THEN COALESCE(s.previous_arr, 0)
                    ELSE s.arr END AS start_arr,
               s.arr AS end_arr,
               CASE WHEN s.month = m.month THEN s.movement ELSE '' END AS movement
        FROM m JOIN snap s ON s.month <= m.month
            AND (s.next_month IS NULL OR s.next_month > m.month)
    ),
    covered AS (
        SELECT account_id, month, starts_at, owner_id, pool_id FROM (
            SELECT cv.account_id, m.month, m.starts_at, cv.owner_id, cv.pool_id,
                   ROW_NUMBER() OVER (
                       PARTITION BY cv.account_id, m.month
                       ORDER BY cv.started_at DESC, cv.id DESC
                   ) AS rn
            FROM m JOIN {coverage} cv ON cv.started_at <= m.starts_at
                AND (cv.ended_at IS NULL OR cv.ended_at > m.starts_at)
        ) ranked WHERE rn = 1
    ),
    -- Whether an owner is a Member at the month's start, and their team then:
    -- once per owner and month (hundreds), not per account and month.
    members AS (
        SELECT o.owner_id, o.month,
               (SELECT tm.team_id FROM {membership} tm
                JOIN {team} t ON t.id = tm.team_id
                WHERE tm.user_id = o.owner_id
                    AND tm.start_date <= o.month
                    AND (tm.end_date IS NULL OR tm.end_date >= o.month)
                ORDER BY t.name, tm.start_date, tm.id
                LIMIT 1) AS team_id
        FROM (
            SELECT DISTINCT owner_id, month, starts_at FROM covered
            WHERE owner_id IS NOT NULL
        ) o
        WHERE EXISTS (
            SELECT 1 FROM {role} rp WHERE rp.user_id = o.owner_id
            AND rp.role = %s
            AND (rp.started_at IS NULL OR rp.started_at <= o.starts_at)
            AND (rp.ended_at IS NULL OR rp.ended_at > o.starts_at)
        )
    ),
    credited AS (
        SELECT cv.account_id, cv.month, mb.owner_id AS member_id, mb.team_id,
               cv.pool_id
        FROM covered cv
        LEFT JOIN members mb ON mb.owner_id = cv.owner_id AND mb.month = cv.month
    ),
    -- One row per account and month with a snapshot or a coverage.
    r AS (
        SELECT k.account_id, m.month,
               m.ends_at, m.running,
               COALESCE(st.start_arr, 0) AS start_arr,
               COALESCE(st.end_arr, 0) AS end_arr,
               COALESCE(st.movement, '') AS movement,
               c.member_id,
               CASE WHEN c.member_id IS NOT NULL THEN c.team_id
                    WHEN c.pool_id IS NOT NULL THEN p.team_id END AS team_id,
               c.pool_id, a.segment, a.name
        {rows_from}
        JOIN {account} a ON a.id = k.account_id
        LEFT JOIN {pool} p ON p.id = c.pool_id
    )"""
    return sql, [*params, Role.MEMBER.value]


def _amount(movement: str, expression: str) -> str:
    return f"SUM(CASE WHEN r.movement = '{movement}' THEN {expression} ELSE 0 END)"


# The columns of one scope's month, in `RevenueMonth`'s order after the month.
_AGGREGATES = ", ".join(
    [
        "SUM(CASE WHEN r.start_arr > 0 THEN r.start_arr ELSE 0 END) AS starting",
        *(
            f"{_amount(movement, 'r.end_arr - r.start_arr')} AS amount_{movement}"
            for movement in INCREASES
        ),
        f"{_amount(ARRMovement.DOWNSELL, 'r.start_arr - r.end_arr')} "
        "AS amount_downsell",
        f"{_amount(ARRMovement.CHURN, 'r.start_arr')} AS amount_churn",
        *(
            f"{_amount(movement, 'r.end_arr')} AS amount_{movement}"
            for movement in BESIDE
        ),
        "SUM(CASE WHEN r.start_arr > 0 THEN 1 ELSE 0 END) AS customers",
        f"{_amount(ARRMovement.CHURN, '1')} AS churned_accounts",
        "COUNT(DISTINCT r.member_id) AS csms",
        "SUM(CASE WHEN r.member_id IS NOT NULL THEN 1 ELSE 0 END) AS owned_accounts",
        "SUM(CASE WHEN r.member_id IS NOT NULL THEN r.end_arr ELSE 0 END) AS owned_arr",
    ]
)
_FIELDS = (
    "starting",
    "upsell",
    "expansion",
    "cross_sell",
    "downsell",
    "churn",
    "new",
    "reactivation",
    "customers",
    "churned_accounts",
    "csms",
    "owned_accounts",
    "owned_arr",
)


def _scope_filter(scope: str, owner, alias: str = "r") -> tuple[str, list]:
    """The rows of one scope (None: of every owner of a stored scope; a list: of
    those owners)."""
    if scope == ORGANISATION:
        return "1 = 1", []
    if scope == SEGMENT:
        return f"{alias}.segment = %s", [owner]
    column = f"{alias}.{STORED[scope]}"
    if owner is None:
        return f"{column} IS NOT NULL", []
    if isinstance(owner, (list, tuple, set, frozenset)):
        owners = sorted(owner)
        if not owners:
            return "1 = 0", []
        return f"{column} IN ({', '.join(['%s'] * len(owners))})", owners
    return f"{column} = %s", [owner]


def revenue_months(*, scope: str, owner=None, months: list[date]) -> dict:
    """month → RevenueMonth of one scope (`owner`: the segment's name or the team's,
    member's or pool's id; none for the organisation), computed from the
    snapshots. A month without any account of the scope is absent. One query."""
    months = sorted(set(months))
    if not months:
        return {}
    with_sql, params = _rows_sql(months)
    where, where_params = _scope_filter(scope, owner)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{with_sql} SELECT r.month, {_AGGREGATES} FROM r WHERE {where} "
            "GROUP BY r.month",
            [*params, *where_params],
        )
        found = cursor.fetchall()
    return {
        _as_date(row[0]): RevenueMonth(
            _as_date(row[0]), *(int(value or 0) for value in row[1:])
        )
        for row in found
    }


def movement_accounts(
    *, scope: str, owner=None, month: date, movement: str
) -> list[dict]:
    """The accounts behind one movement of one scope's month (the KPI tree's
    drill-down): id, name, ARR before and after, change; largest change first.
    One query."""
    with_sql, params = _rows_sql([month])
    where, where_params = _scope_filter(scope, owner)
    with connection.cursor() as cursor:
        cursor.execute(
            f"{with_sql} SELECT r.account_id, r.name, r.start_arr, r.end_arr "
            f"FROM r WHERE {where} AND r.movement = %s "
            "ORDER BY ABS(r.end_arr - r.start_arr) DESC, r.name, r.account_id",
            [*params, *where_params, movement],
        )
        found = cursor.fetchall()
    return [
        {
            "id": account_id,
            "name": name,
            "before": int(before),
            "after": int(after),
            "change": int(after) - int(before),
        }
        for account_id, name, before, after in found
    ]


# Periods longer than a month --------------------------------------------------------


def _period_sql(*, scope: str, owner, months: list[date]) -> tuple[str, list]:
    """The SELECT of a period's figures (the module docstring, "Over a period"):
    one row per owner (the scope's column; NULL for the organisation and a
    segment) with `RevenueMonth`'s columns after it."""
    first, last = months[0], months[-1]
    with_sql, params = _rows_sql(months)
    ops = connection.ops
    column = STORED.get(scope, "NULL")
    owner_of = {
        alias: column if column == "NULL" else f"{alias}.{column}"
        for alias in ("f", "r")
    }
    in_f, f_params = _scope_filter(scope, owner, "f")
    in_r, r_params = _scope_filter(scope, owner, "r")
    increases = ", ".join(f"'{movement}'" for movement in INCREASES)
    zeros = "0 AS upsell, 0 AS expansion, 0 AS cross_sell, 0 AS downsell, 0 AS churn"

    def gained(movement: str) -> str:
        return (
            f"CASE WHEN c.end_arr > c.start_arr AND c.kind = '{movement}' "
            f"THEN c.end_arr - c.start_arr ELSE 0 END AS {movement}"
        )

    sql = f"""{with_sql},
    f AS (SELECT * FROM r WHERE r.month = {_typed("date")}),
    l AS (SELECT account_id, end_arr FROM r WHERE r.month = {_typed("date")}),
    up AS (
        SELECT account_id, movement FROM (
            SELECT r.account_id, r.movement, ROW_NUMBER() OVER (
                PARTITION BY r.account_id
                ORDER BY r.end_arr - r.start_arr DESC, r.month
            ) AS rn
            FROM r WHERE r.movement IN ({increases})
        ) ranked WHERE rn = 1
    ),
    c AS (
        SELECT {owner_of["f"]} AS owner, f.start_arr,
               COALESCE(l.end_arr, 0) AS end_arr,
               COALESCE(up.movement, '{ARRMovement.EXPANSION}') AS kind
        FROM f
        LEFT JOIN l ON l.account_id = f.account_id
        LEFT JOIN up ON up.account_id = f.account_id
        WHERE f.start_arr > 0 AND {in_f}
    ),
    u AS (
        SELECT c.owner, c.start_arr AS starting,
               {", ".join(gained(movement) for movement in INCREASES)},
               CASE WHEN c.end_arr > 0 AND c.end_arr < c.start_arr
                    THEN c.start_arr - c.end_arr ELSE 0 END AS downsell,
               CASE WHEN c.end_arr = 0 THEN c.start_arr ELSE 0 END AS churn,
               0 AS new, 0 AS reactivation, 1 AS customers,
               CASE WHEN c.end_arr = 0 THEN 1 ELSE 0 END AS churned_accounts,
               CAST(NULL AS bigint) AS csm, 0 AS owned_accounts, 0 AS owned_arr
        FROM c
        UNION ALL
        SELECT {owner_of["r"]}, 0, {zeros},
               CASE WHEN r.movement = '{ARRMovement.NEW}' THEN r.end_arr ELSE 0 END,
               CASE WHEN r.movement = '{ARRMovement.REACTIVATION}'
                    THEN r.end_arr ELSE 0 END,
               0, 0, CAST(NULL AS bigint), 0, 0
        FROM r LEFT JOIN f s0 ON s0.account_id = r.account_id
        WHERE r.movement IN ('{ARRMovement.NEW}', '{ARRMovement.REACTIVATION}')
            AND COALESCE(s0.start_arr, 0) = 0 AND {in_r}
        UNION ALL
        SELECT {owner_of["r"]}, 0, {zeros}, 0, 0, 0, 0, r.member_id,
               CASE WHEN r.member_id IS NOT NULL THEN 1 ELSE 0 END,
               CASE WHEN r.member_id IS NOT NULL THEN r.end_arr ELSE 0 END
        FROM r WHERE r.month = {_typed("date")} AND {in_r}
    )
    SELECT u.owner, SUM(u.starting), SUM(u.upsell), SUM(u.expansion),
           SUM(u.cross_sell), SUM(u.downsell), SUM(u.churn), SUM(u.new),
           SUM(u.reactivation), SUM(u.customers), SUM(u.churned_accounts),
           COUNT(DISTINCT u.csm), SUM(u.owned_accounts), SUM(u.owned_arr)
    FROM u {"" if column == "NULL" else "WHERE u.owner IS NOT NULL"}
    GROUP BY u.owner"""
    first_param = ops.adapt_datefield_value(first)
    last_param = ops.adapt_datefield_value(last)
    return sql, [
        *params,
        first_param,
        last_param,
        *f_params,
        *r_params,
        last_param,
        *r_params,
    ]


def revenue_period(*, scope: str, owner=None, months: list[date]) -> dict:
    """owner → RevenueMonth of a period (consecutive `months`) of one scope, by the
    module docstring's "Over a period" (keyed by the period's first month). For a
    member, team or pool `owner` is an id or a list of ids (None: every owner);
    the organisation and a segment answer under the key None. For one month the
    figures are exactly the month's. One query."""
    months = sorted(set(months))
    if not months:
        return {}
    sql, params = _period_sql(
        scope=scope, owner=None if scope == ORGANISATION else owner, months=months
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return {
        row[0]: RevenueMonth(months[0], *(int(value or 0) for value in row[1:]))
        for row in found
    }


def figure_values(figures: RevenueMonth, *, provisional: bool, final_at) -> dict:
    """metric key → FigureValue of one scope's month or period, as the rollup
    writes them (`_figure_select`): a share of S only when S > 0, logo churn when
    there were customers, a per-CSM figure when there is a CSM."""
    from .figures import FigureValue

    def value(numerator: int, denominator: int | None) -> FigureValue:
        return FigureValue(
            value=numerator / denominator if denominator else float(numerator),
            numerator=numerator,
            denominator=denominator,
            provisional=provisional,
            final_at=final_at,
        )

    found = {}
    if figures.starting:
        found[Family.NRR] = value(figures.ending, figures.starting)
        found[Family.GRR] = value(figures.retained, figures.starting)
        for movement in INCREASES + DECREASES:
            found[_MOVEMENT_FAMILY[movement]] = value(
                figures.amount(str(movement)), figures.starting
            )
    for movement in BESIDE:
        found[_MOVEMENT_FAMILY[movement]] = value(figures.amount(str(movement)), None)
    if figures.customers:
        found[Family.LOGO_CHURN] = value(figures.churned_accounts, figures.customers)
    if figures.csms:
        found[Family.ARR_PER_CSM] = value(figures.owned_arr, figures.csms)
        found[Family.ACCOUNTS_PER_CSM] = value(figures.owned_accounts, figures.csms)
    return {str(key): figure for key, figure in found.items()}


def period_figures(scope: str, *, owner_ids, keys, period, as_of: datetime) -> dict:
    """(owner id, metric key) → FigureValue of the revenue metrics `keys` over a
    period, for members, teams or pools (credited as the module docstring says):
    what `figures.figures_for` answers for revenue metrics. Provisional until the
    period ends. One query."""
    keys = set(keys)
    owner_ids = list(owner_ids)
    if not keys or not owner_ids:
        return {}
    provisional = as_of < period.end_at
    found = {}
    for owner, figures in revenue_period(
        scope=scope, owner=owner_ids, months=period.months
    ).items():
        values = figure_values(figures, provisional=provisional, final_at=period.end_at)
        for key, figure in values.items():
            if key in keys:
                found[(owner, key)] = figure
    return found


def _as_date(value) -> date:
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        return value.date()
    return value


# Figures of the tables ------------------------------------------------------------


def revenue_keys() -> list[str]:
    return list(metrics.REVENUE_FAMILIES)


def stored_revenue_months(*, scope: str, owner_id: int, months: list[date]) -> dict:
    """month → RevenueMonth of a member, team or pool, read from the figures the
    rollup wrote (the same numbers as `revenue_months`). One query."""
    owner_field = f"{scope}_id"
    values: dict[date, dict] = {}
    rows = (
        _TABLES[scope]
        .objects.filter(
            **{owner_field: owner_id},
            month__in=months,
            metric__in=revenue_keys(),
        )
        .values_list("month", "metric", "numerator", "denominator")
    )
    for month, metric, numerator, denominator in rows:
        fields = values.setdefault(month, {})
        numerator, denominator = numerator or 0, denominator or 0
        if metric == Family.NRR:
            fields["starting"] = denominator
        elif metric == Family.LOGO_CHURN:
            fields["churned_accounts"] = numerator
            fields["customers"] = denominator
        elif metric == Family.ARR_PER_CSM:
            fields["owned_arr"], fields["csms"] = numerator, denominator
        elif metric == Family.ACCOUNTS_PER_CSM:
            fields["owned_accounts"] = numerator
        else:
            for movement, family in _MOVEMENT_FAMILY.items():
                if family == metric:
                    fields[str(movement)] = numerator
    return {month: RevenueMonth(month, **fields) for month, fields in values.items()}


def _figure_select(scope: str) -> tuple[str, list]:
    """The SELECT of every revenue figure of a stored scope: owner id, metric,
    month, value, numerator, denominator, provisional, final_at, computed_at —
    the columns `figures._insert` writes. A share of S is written only when S > 0,
    a per-CSM figure only when the scope has a CSM."""
    double = "double precision"
    ending = (
        "(g.starting + g.amount_upsell + g.amount_expansion + g.amount_cross_sell "
        "- g.amount_downsell - g.amount_churn)"
    )
    retained = "(g.starting - g.amount_downsell - g.amount_churn)"

    def row(numerator: str, denominator: str | None, when: str) -> str:
        value = (
            f"CAST({numerator} AS {double}) / {denominator}"
            if denominator
            else f"CAST({numerator} AS {double})"
        )
        return (
            f"SELECT g.owner, %s, g.month, {value}, {numerator}, "
            f"{denominator or 'NULL'}, g.running, g.ends_at, %s FROM g WHERE {when}"
        )

    rows = [
        (Family.NRR, row(ending, "g.starting", "g.starting > 0")),
        (Family.GRR, row(retained, "g.starting", "g.starting > 0")),
    ]
    for movement in INCREASES + DECREASES:
        rows.append(
            (
                _MOVEMENT_FAMILY[movement],
                row(f"g.amount_{movement}", "g.starting", "g.starting > 0"),
            )
        )
    for movement in BESIDE:
        rows.append(
            (_MOVEMENT_FAMILY[movement], row(f"g.amount_{movement}", None, "1 = 1"))
        )
    rows += [
        (
            Family.LOGO_CHURN,
            row("g.churned_accounts", "g.customers", "g.customers > 0"),
        ),
        (Family.ARR_PER_CSM, row("g.owned_arr", "g.csms", "g.csms > 0")),
        (Family.ACCOUNTS_PER_CSM, row("g.owned_accounts", "g.csms", "g.csms > 0")),
    ]
    column = STORED[scope]
    sql = (
        f", g AS (SELECT r.{column} AS owner, r.month, r.ends_at, r.running, "
        f"{_AGGREGATES} FROM r WHERE r.{column} IS NOT NULL "
        f"GROUP BY r.{column}, r.month, r.ends_at, r.running) "
        + " UNION ALL ".join(select for _family, select in rows)
    )
    return sql, [family for family, _select in rows]


def write_revenue_figures(
    *, months: list[date], as_of: datetime, into: dict[str, str] | None = None
) -> None:
    """Replace the revenue figures of these months for every member, team and pool:
    one DELETE and one `INSERT … SELECT` per scope (into the staging tables with
    `into`, which start empty)."""
    from .figures import _insert

    months = sorted(set(months))
    if into is None:
        for table in _TABLES.values():
            table.objects.filter(month__in=months, metric__in=revenue_keys()).delete()
    if not months:
        return
    with_sql, params = _rows_sql(months, as_of)
    computed_at = connection.ops.adapt_datetimefield_value(as_of)
    for scope in STORED:
        select_sql, families = _figure_select(scope)
        # Each figure row takes its metric key and the computation time.
        row_params = [value for family in families for value in (family, computed_at)]
        _insert(scope, with_sql + select_sql, [*params, *row_params], into=into)


def drop_revenue_figures_outside(months: list[date]) -> None:
    """Remove the revenue figures of months no run computes (before the first
    snapshot, after the as-of month)."""
    for table in _TABLES.values():
        stale = table.objects.filter(metric__in=revenue_keys())
        if months:
            stale = stale.exclude(month__gte=months[0], month__lte=months[-1])
        stale.delete()


def revenue_month_range(as_of: datetime) -> list[date]:
    """Every month that can hold a revenue figure: from the first snapshot's month
    to the month of `as_of`. One query."""
    first = ARRSnapshot.objects.aggregate(first=Min("month"))["first"]
    last = metrics.month_of(as_of)
    months, month = [], first
    while month is not None and month <= last:
        months.append(month)
        month = metrics.add_months(month, 1)
    return months


# The rollup's part ------------------------------------------------------------------
#
# A full run (sharded or not) writes every month from the first snapshot's on, after
# the other figures (and, in shards, after the staging tables are swapped in, which
# replaces every figure). An incremental run writes again the months from the
# earliest change that can move a revenue figure: a snapshot written or deleted since
# (its month; its history keeps deletes), a team membership or Member role change
# (from the month it affects); any coverage change or a pool moved to another team
# is not dated precisely enough, so it writes every month. It also writes again the
# months whose figures the rest of the run deleted (the months it wrote whole, the
# months of its groups, and the months before the first event or assignment, which
# every run clears).


def changed_from(
    *, since: datetime, log, old_structure: dict, new_structure: dict
) -> date:
    """The first month whose revenue figures may have changed since `since` (the
    last run's watermark); `date.max` when none. A fixed number of queries."""
    if old_structure.get("pool_teams") != new_structure.get("pool_teams"):
        return date.min
    coverage_changed = Coverage.objects.filter(updated_at__gte=since).exists()
    if coverage_changed or log.filter(kind=RollupChange.Kind.ACCOUNT).exists():
        return date.min
    people = log.filter(kind__in=[RollupChange.Kind.TEAM, RollupChange.Kind.ROLE])
    found = [date.max]
    if people.filter(since__isnull=True).exists():
        return date.min
    if first := people.aggregate(first=Min("since"))["first"]:
        found.append(metrics.month_of(first))
    for snapshots in (
        ARRSnapshot.objects.filter(updated_at__gte=since),
        ARRSnapshot.history.filter(history_date__gte=since),
    ):
        if first := snapshots.aggregate(first=Min("month"))["first"]:
            found.append(first)
    return min(found)


def rollup_revenue_figures(
    *,
    as_of: datetime,
    written: set[date],
    all_months: list[date],
    revenue_from: date = date.min,
    limited: tuple[date | None, date | None] | None = None,
) -> list[date]:
    """Write the revenue figures a rollup run owes (see above): `written` are the
    months the run wrote whole or by groups, `all_months` the months of its other
    figures, `limited` a run's (since, until). Returns the months written."""
    every = revenue_month_range(as_of)
    if limited is not None:
        low, high = limited
        months = [
            month
            for month in every
            if (low is None or month >= low) and (high is None or month <= high)
        ]
    else:
        drop_revenue_figures_outside(every)
        first = all_months[0] if all_months else date.max
        months = [
            month
            for month in every
            if month >= revenue_from or month in written or month < first
        ]
    write_revenue_figures(months=months, as_of=as_of)
    return months


# Pages and the API ----------------------------------------------------------------


# The organisation's and a segment's months are computed from the snapshots (a
# second or more at tens of thousands of accounts), so pages and the API keep them
# in Django's cache under a key that changes with everything they read: the
# snapshots (their history, deletes included), the coverage, the changes logged
# for the rollup (accounts moved to another journey or segment, team memberships,
# Member roles) and the latest run.
CACHE_SECONDS = 24 * 60 * 60


def _cache_version() -> str:
    """What the organisation's and segments' figures depend on, as one string.
    One query."""
    history = ARRSnapshot.history.model
    sql = (
        f"SELECT (SELECT MAX(history_id) FROM {_table(history)}), "
        f"(SELECT MAX(updated_at) FROM {_table(Coverage)}), "
        f"(SELECT COUNT(*) FROM {_table(Coverage)}), "
        f"(SELECT MAX(id) FROM {_table(RollupChange)}), "
        f"(SELECT MAX(id) FROM {_table(RollupRun)})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return "|".join(str(value) for value in cursor.fetchone())


def _cache_key(scope: str, owner, months: list[date]) -> str:
    text = "|".join(
        [scope, str(owner), ",".join(f"{m:%Y-%m}" for m in months), _cache_version()]
    )
    return "revenue-months:" + hashlib.sha256(text.encode()).hexdigest()


def scope_months(*, scope: str, owner, months: list[date]) -> dict:
    """month → RevenueMonth of a scope: a member's, team's or pool's from the
    rollup's figures, the organisation's and a segment's from the snapshots
    (cached, see above). One or two queries."""
    if scope in STORED:
        return stored_revenue_months(scope=scope, owner_id=owner, months=months)
    owner = None if scope == ORGANISATION else owner
    months = sorted(set(months))
    key = _cache_key(scope, owner, months)
    found = cache.get(key)
    if found is None:
        found = revenue_months(scope=scope, owner=owner, months=months)
        cache.set(key, found, CACHE_SECONDS)
    return found


def segments() -> list[str]:
    """The accounts' segments (not blank), by name. One query."""
    return list(
        CustomerAccount.objects.exclude(segment="")
        .values_list("segment", flat=True)
        .distinct()
        .order_by("segment")
    )


def first_month() -> date | None:
    """The month of the first snapshot; None before any. One query."""
    return ARRSnapshot.objects.aggregate(first=Min("month"))["first"]


@dataclass(frozen=True)
class TreeNode:
    """One node of the KPI tree: a movement (sign +, − or beside) and its amount."""

    movement: str
    label: str
    sign: str
    amount: int
    share: float | None


def tree_nodes(figures: RevenueMonth) -> tuple[list[TreeNode], list[TreeNode]]:
    """(the movements under S in the tree's order, those beside it)."""
    labels = dict(ARRMovement.choices)

    def node(movement, sign):
        return TreeNode(
            str(movement),
            labels[movement],
            sign,
            figures.amount(str(movement)),
            figures.share(str(movement)) if sign != "beside" else None,
        )

    under = [node(m, "+") for m in INCREASES] + [node(m, "−") for m in DECREASES]
    return under, [node(m, "beside") for m in BESIDE]
