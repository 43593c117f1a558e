"""Capacity planning: the rules and the arithmetic, without the database.

A plan holds rows, one per segment and coverage model (dedicated high-touch,
pooled, tech-touch): the accounts, their ARR, the ARR one CSM carries there (the
benchmark) and the hours each account needs a month. The plan adds a CSM's
available hours a month, an automation factor (the share of the work that
tech-touch programs remove, the same for every row), the leaders' experience,
the operations and customer-marketing headcount, and the pooled what-if.

Arithmetic is exact (fractions of the typed decimals); only the results are
rounded, by these rules:

- Top-down CSMs = ARR / benchmark, rounded up (¥300M at ¥100M per CSM is 3
  CSMs; ¥301M is 4).
- Bottom-up: effective hours per account = hours × (1 − automation); accounts per
  CSM = available hours / effective hours; CSMs = accounts / accounts per CSM,
  rounded up. Zero accounts need 0 CSMs. The automation factor is from 0 to less
  than 100 %: at 100 % no one would work on the accounts, which is no plan (a
  tech-touch row, too, has people behind its programs).
- Accounts per CSM are shown with one decimal, rounded down: never more than a
  CSM can carry.
- Gap = bottom-up − top-down. Positive: the work needs more CSMs than the revenue
  funds; negative: the revenue funds more than the work needs.
- What would close a row's gap, each on its own, the other inputs unchanged:
  - the benchmark at which top-down equals bottom-up: ARR / bottom-up CSMs,
    rounded up to the yen (none when the row has no ARR or needs no CSM);
  - the hours per account at which bottom-up equals top-down: top-down CSMs ×
    available hours / (accounts × (1 − automation)), rounded down to 0.01 h (none
    when top-down is 0 or the row has no accounts);
  - when bottom-up is above top-down, the automation factor that brings it down:
    the lowest, in steps of 0.1 %, with bottom-up ≤ top-down (none if even 99.9 %
    is not enough).
- Totals are the sums of the rows (each segment is staffed on its own). What
  would close the total gap: the average ARR per CSM at which the total ARR funds
  the bottom-up CSMs (rounded up to the yen); every row's hours per account
  changed by the same percentage (whole percents: the smallest cut, or the
  largest rise, with total bottom-up ≤ total top-down); the lowest automation
  factor (0.1 % steps) with total bottom-up ≤ total top-down.
- Leaders: direct reports = CSMs + operations + customer marketing; leaders =
  direct reports / span, rounded up, with a span of 6 for new leaders and the
  chosen 8–12 for experienced ones. The team = direct reports + leaders; a team of
  more than five people without an operations role gets the hint that it needs a
  dedicated one. Computed for the top-down and the bottom-up CSMs alike.
- The pooled what-if moves dedicated accounts into their segment's pool:
  - "below an ARR threshold": a dedicated row whose ARR per account (ARR /
    accounts) is below the threshold moves as a whole (a plan holds segments, not
    single accounts: split a segment into two rows to move part of it);
  - "outside the most complex share": each dedicated row keeps that share of its
    accounts dedicated, rounded up (a strategic account is never pooled by
    rounding), and moves the rest.
  A moved account needs the plan's hours per pooled account (automation applies).
  After the move, each segment's dedicated CSMs = its kept accounts' hours /
  available hours, and its pooled CSMs = (its pooled row's hours + the moved
  accounts' hours) / available hours, both rounded up; tech-touch is unchanged.
  Before and after: CSMs (dedicated, pooled, tech-touch, all), accounts per CSM,
  and the strategic accounts each dedicated CSM keeps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

DEDICATED = "dedicated"
POOLED = "pooled"
TECH_TOUCH = "tech_touch"
COVERAGE_MODELS = (DEDICATED, POOLED, TECH_TOUCH)

NEW = "new"
EXPERIENCED = "experienced"
NEW_LEADER_SPAN = 6
EXPERIENCED_SPANS = range(8, 13)

THRESHOLD = "threshold"
SHARE = "share"

# A team of more than this many people needs a dedicated operations role.
OPERATIONS_TEAM_SIZE = 5
# The automation factor is searched in steps of 0.1 %: 0 … 99.9 %.
AUTOMATION_STEPS = 1000
# The largest rise of every row's hours per account tried for the total (×10).
MOST_HOURS_RISE_PERCENT = 900

ONE_DECIMAL = Decimal("0.1")
HOUR_STEP = Decimal("0.01")


def ceil(value: Fraction) -> int:
    """The smallest whole number at least `value` (exact)."""
    return -(-value.numerator // value.denominator)


def _exact(value) -> Fraction:
    return Fraction(Decimal(value)) if not isinstance(value, Fraction) else value


def round_down(value: Fraction, step: Decimal = ONE_DECIMAL) -> Decimal:
    """`value` rounded down to `step` (0.1 by default), as a Decimal."""
    units = value / _exact(step)
    whole = units.numerator // units.denominator
    return (Decimal(whole) * step).quantize(step, rounding=ROUND_DOWN)


def round_up_yen(value: Fraction) -> Decimal:
    return Decimal(ceil(value))


# --- One row ---------------------------------------------------------------------


def automation_problem(percent) -> str | None:
    """Why an automation factor is no plan, or None."""
    if percent is None:
        return "missing"
    value = Decimal(percent)
    if value < 0:
        return "negative"
    if value >= 100:
        return "100 % or more"
    return None


def effective_hours(hours, automation_percent) -> Fraction:
    """Hours an account still needs from a CSM: hours × (1 − automation)."""
    if automation_problem(automation_percent):
        raise ValueError("The automation factor is from 0 to less than 100 %.")
    return _exact(hours) * (1 - _exact(automation_percent) / 100)


def top_down_csms(arr, arr_per_csm) -> int:
    """The CSMs the revenue funds: ARR / benchmark, rounded up."""
    if _exact(arr_per_csm) <= 0:
        raise ValueError("The benchmark is more than 0.")
    return ceil(_exact(arr) / _exact(arr_per_csm))


def accounts_per_csm(available_hours, hours, automation_percent) -> Fraction:
    """How many accounts one CSM carries: available / effective hours (exact)."""
    if _exact(available_hours) <= 0 or _exact(hours) <= 0:
        raise ValueError("Hours are more than 0.")
    return _exact(available_hours) / effective_hours(hours, automation_percent)


def workload(accounts: int, hours, automation_percent) -> Fraction:
    """Hours a month the accounts need from CSMs."""
    return accounts * effective_hours(hours, automation_percent)


def bottom_up_csms(accounts: int, available_hours, hours, automation_percent) -> int:
    """The CSMs the work needs: accounts / accounts per CSM, rounded up."""
    if accounts == 0:
        return 0
    return ceil(accounts / accounts_per_csm(available_hours, hours, automation_percent))


@dataclass(frozen=True)
class Closers:
    """What would close a gap, each on its own (None: nothing of that kind would).
    `direction` is "more" when bottom-up is above top-down, "fewer" below it,
    "none" when they are equal."""

    direction: str
    benchmark: Decimal | None = None
    hours_per_account: Decimal | None = None
    automation_percent: Decimal | None = None
    # For the total: every row's hours per account changed by this many percent
    # (negative: a cut).
    hours_change_percent: int | None = None


def _direction(gap: int) -> str:
    return "more" if gap > 0 else "fewer" if gap < 0 else "none"


def lowest_automation(bottom_up, target: int, current) -> Decimal | None:
    """The lowest automation factor (0.1 % steps, from the current one) at which
    `bottom_up(percent)` ≤ target; None when even 99.9 % is not enough.
    `bottom_up` does not grow with automation, so a binary search finds it."""
    low = int(Decimal(current) * 10)
    high = AUTOMATION_STEPS - 1
    if bottom_up(Decimal(high) / 10) > target:
        return None
    while low < high:
        middle = (low + high) // 2
        if bottom_up(Decimal(middle) / 10) <= target:
            high = middle
        else:
            low = middle + 1
    return (Decimal(low) / 10).quantize(ONE_DECIMAL)


def row_closers(
    *,
    accounts: int,
    arr,
    available_hours,
    hours,
    automation_percent,
    top_down: int,
    bottom_up: int,
) -> Closers:
    gap = bottom_up - top_down
    if gap == 0:
        return Closers("none")
    benchmark = None
    if bottom_up > 0 and Decimal(arr) > 0:
        benchmark = round_up_yen(_exact(arr) / bottom_up)
    hours_needed = None
    if top_down > 0 and accounts > 0:
        share = 1 - _exact(automation_percent) / 100
        exact = top_down * _exact(available_hours) / (accounts * share)
        rounded = round_down(exact, HOUR_STEP)
        hours_needed = rounded if rounded > 0 else None
    automation = None
    if gap > 0:
        automation = lowest_automation(
            lambda percent: bottom_up_csms(accounts, available_hours, hours, percent),
            top_down,
            automation_percent,
        )
    return Closers(
        _direction(gap),
        benchmark=benchmark,
        hours_per_account=hours_needed,
        automation_percent=automation,
    )


# --- A plan ----------------------------------------------------------------------


@dataclass(frozen=True)
class SegmentInput:
    segment: str
    coverage_model: str
    accounts: int
    arr: Decimal
    arr_per_csm: Decimal
    hours_per_account: Decimal


@dataclass(frozen=True)
class PlanInput:
    available_hours: Decimal
    automation_percent: Decimal
    leader_experience: str = EXPERIENCED
    span_of_control: int = 10
    operations: int = 0
    marketing: int = 0
    whatif_rule: str = SHARE
    whatif_threshold: Decimal | None = None
    whatif_share: Decimal = Decimal(30)
    pool_hours_per_account: Decimal = Decimal(2)
    segments: Sequence[SegmentInput] = ()


@dataclass(frozen=True)
class SegmentResult:
    row: SegmentInput
    top_down: int
    bottom_up: int
    effective_hours: Fraction
    accounts_per_csm: Decimal
    closers: Closers

    @property
    def gap(self) -> int:
        return self.bottom_up - self.top_down


@dataclass(frozen=True)
class Staffing:
    """The whole team for a number of CSMs."""

    csms: int
    operations: int
    marketing: int
    span: int
    leaders: int
    team: int
    needs_operations: bool

    @property
    def direct_reports(self) -> int:
        return self.csms + self.operations + self.marketing


@dataclass(frozen=True)
class WhatIfSegment:
    segment: str
    kept: int
    moved: int
    moved_arr: Decimal
    dedicated_before: int
    dedicated_after: int
    pooled_before: int
    pooled_after: int


@dataclass(frozen=True)
class CoverageSide:
    """One side (before or after) of the what-if."""

    dedicated_csms: int
    pooled_csms: int
    tech_touch_csms: int
    dedicated_accounts: int
    pooled_accounts: int
    tech_touch_accounts: int

    @property
    def csms(self) -> int:
        return self.dedicated_csms + self.pooled_csms + self.tech_touch_csms

    @property
    def accounts(self) -> int:
        return self.dedicated_accounts + self.pooled_accounts + self.tech_touch_accounts

    @property
    def strategic_accounts_per_csm(self) -> Decimal | None:
        """The strategic accounts each dedicated CSM keeps."""
        return _per(self.dedicated_accounts, self.dedicated_csms)

    @property
    def accounts_per_pooled_csm(self) -> Decimal | None:
        return _per(self.pooled_accounts, self.pooled_csms)

    @property
    def accounts_per_csm(self) -> Decimal | None:
        return _per(self.accounts, self.csms)


def _per(accounts: int, csms: int) -> Decimal | None:
    return round_down(Fraction(accounts, csms)) if csms else None


@dataclass(frozen=True)
class WhatIf:
    rule: str
    before: CoverageSide
    after: CoverageSide
    segments: list[WhatIfSegment]

    @property
    def moved(self) -> int:
        return sum(row.moved for row in self.segments)

    @property
    def moved_arr(self) -> Decimal:
        return sum((row.moved_arr for row in self.segments), Decimal(0))

    @property
    def saved(self) -> int:
        """CSMs fewer after the move (negative: more)."""
        return self.before.csms - self.after.csms

    @property
    def added(self) -> int:
        """CSMs more after the move (0 when fewer or as many)."""
        return max(0, -self.saved)


@dataclass(frozen=True)
class PlanResults:
    rows: list[SegmentResult]
    top_down: int
    bottom_up: int
    accounts: int
    arr: Decimal
    closers: Closers
    top_down_staffing: Staffing
    bottom_up_staffing: Staffing
    whatif: WhatIf | None
    by_model: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> int:
        return self.bottom_up - self.top_down


def span_of(experience: str, span_of_control: int) -> int:
    """Direct reports per leader: 6 for new leaders, the chosen 8–12 else."""
    if experience == NEW:
        return NEW_LEADER_SPAN
    if span_of_control not in EXPERIENCED_SPANS:
        raise ValueError("An experienced leader has 8 to 12 direct reports.")
    return span_of_control


def leaders_needed(direct_reports: int, span: int) -> int:
    return ceil(Fraction(direct_reports, span)) if direct_reports > 0 else 0


def staffing(
    csms: int, *, operations: int, marketing: int, experience: str, span: int
) -> Staffing:
    used_span = span_of(experience, span)
    reports = csms + operations + marketing
    leaders = leaders_needed(reports, used_span)
    team = reports + leaders
    return Staffing(
        csms=csms,
        operations=operations,
        marketing=marketing,
        span=used_span,
        leaders=leaders,
        team=team,
        needs_operations=team > OPERATIONS_TEAM_SIZE and operations == 0,
    )


def segment_result(row: SegmentInput, plan: PlanInput) -> SegmentResult:
    top_down = top_down_csms(row.arr, row.arr_per_csm)
    bottom_up = bottom_up_csms(
        row.accounts,
        plan.available_hours,
        row.hours_per_account,
        plan.automation_percent,
    )
    return SegmentResult(
        row=row,
        top_down=top_down,
        bottom_up=bottom_up,
        effective_hours=effective_hours(row.hours_per_account, plan.automation_percent),
        accounts_per_csm=round_down(
            accounts_per_csm(
                plan.available_hours, row.hours_per_account, plan.automation_percent
            )
        ),
        closers=row_closers(
            accounts=row.accounts,
            arr=row.arr,
            available_hours=plan.available_hours,
            hours=row.hours_per_account,
            automation_percent=plan.automation_percent,
            top_down=top_down,
            bottom_up=bottom_up,
        ),
    )


def _total_bottom_up(plan: PlanInput, *, automation=None, hours_factor=1) -> int:
    percent = plan.automation_percent if automation is None else automation
    return sum(
        bottom_up_csms(
            row.accounts,
            plan.available_hours,
            _exact(row.hours_per_account) * hours_factor,
            percent,
        )
        for row in plan.segments
    )


def _hours_change(plan: PlanInput, top_down: int, bottom_up: int) -> int | None:
    """The whole percentage by which every row's hours per account would change
    for the total bottom-up to meet the total top-down: the smallest cut when
    bottom-up is above, the largest rise when below."""

    def total(percent: int) -> int:
        return _total_bottom_up(plan, hours_factor=Fraction(100 + percent, 100))

    if bottom_up > top_down:
        # The smallest cut with total ≤ top-down (total shrinks as the cut grows):
        # a binary search, not 99 recalculations of every row.
        if total(-99) > top_down:
            return None
        low, high = 1, 99
        while low < high:
            middle = (low + high) // 2
            if total(-middle) <= top_down:
                high = middle
            else:
                low = middle + 1
        return -low
    # A rise: the largest with total ≤ top-down (total grows with the hours).
    low, high = 0, MOST_HOURS_RISE_PERCENT
    if total(high) <= top_down:
        return high
    while low < high:
        middle = (low + high + 1) // 2
        if total(middle) <= top_down:
            low = middle
        else:
            high = middle - 1
    return low or None


def total_closers(
    plan: PlanInput, *, arr: Decimal, top_down: int, bottom_up: int
) -> Closers:
    gap = bottom_up - top_down
    if gap == 0 or not plan.segments:
        return Closers("none")
    benchmark = round_up_yen(_exact(arr) / bottom_up) if bottom_up and arr else None
    automation = None
    if gap > 0:
        automation = lowest_automation(
            lambda percent: _total_bottom_up(plan, automation=percent),
            top_down,
            plan.automation_percent,
        )
    return Closers(
        _direction(gap),
        benchmark=benchmark,
        automation_percent=automation,
        hours_change_percent=_hours_change(plan, top_down, bottom_up),
    )


def _moved(row: SegmentInput, plan: PlanInput) -> int:
    """How many of a dedicated row's accounts the what-if moves into the pool."""
    if plan.whatif_rule == THRESHOLD:
        if plan.whatif_threshold is None or row.accounts == 0:
            return 0
        below = _exact(row.arr) / row.accounts < _exact(plan.whatif_threshold)
        return row.accounts if below else 0
    kept = ceil(row.accounts * _exact(plan.whatif_share) / 100)
    return row.accounts - min(kept, row.accounts)


def what_if(plan: PlanInput) -> WhatIf | None:
    """The pooled what-if, before and after; None when the plan has no dedicated
    row, or the threshold rule has no threshold."""
    dedicated = [row for row in plan.segments if row.coverage_model == DEDICATED]
    if not dedicated or (
        plan.whatif_rule == THRESHOLD and plan.whatif_threshold is None
    ):
        return None
    hours, automation = plan.available_hours, plan.automation_percent
    with_dedicated = list(dict.fromkeys(row.segment for row in dedicated))
    segments = []
    for name in with_dedicated:
        rows = {row.coverage_model: row for row in plan.segments if row.segment == name}
        own, pool = rows[DEDICATED], rows.get(POOLED)
        moved = _moved(own, plan)
        kept = own.accounts - moved
        pool_work = (
            workload(pool.accounts, pool.hours_per_account, automation)
            if pool
            else Fraction(0)
        )
        moved_work = workload(moved, plan.pool_hours_per_account, automation)
        segments.append(
            WhatIfSegment(
                segment=name,
                kept=kept,
                moved=moved,
                moved_arr=(
                    round_up_yen(_exact(own.arr) * moved / own.accounts)
                    if moved
                    else Decimal(0)
                ),
                dedicated_before=bottom_up_csms(
                    own.accounts, hours, own.hours_per_account, automation
                ),
                dedicated_after=bottom_up_csms(
                    kept, hours, own.hours_per_account, automation
                ),
                pooled_before=ceil(pool_work / _exact(hours)),
                pooled_after=ceil((pool_work + moved_work) / _exact(hours)),
            )
        )
    # Pools of segments without a dedicated row, and tech-touch: unchanged.
    others = {
        model: [
            row
            for row in plan.segments
            if row.coverage_model == model
            and (model == TECH_TOUCH or row.segment not in with_dedicated)
        ]
        for model in (POOLED, TECH_TOUCH)
    }
    unchanged = {
        model: sum(
            bottom_up_csms(row.accounts, hours, row.hours_per_account, automation)
            for row in rows
        )
        for model, rows in others.items()
    }
    pooled_accounts = sum(
        row.accounts for row in plan.segments if row.coverage_model == POOLED
    )
    tech_accounts = sum(row.accounts for row in others[TECH_TOUCH])
    dedicated_accounts = sum(row.accounts for row in dedicated)
    moved = sum(s.moved for s in segments)
    before = CoverageSide(
        dedicated_csms=sum(s.dedicated_before for s in segments),
        pooled_csms=sum(s.pooled_before for s in segments) + unchanged[POOLED],
        tech_touch_csms=unchanged[TECH_TOUCH],
        dedicated_accounts=dedicated_accounts,
        pooled_accounts=pooled_accounts,
        tech_touch_accounts=tech_accounts,
    )
    after = CoverageSide(
        dedicated_csms=sum(s.dedicated_after for s in segments),
        pooled_csms=sum(s.pooled_after for s in segments) + unchanged[POOLED],
        tech_touch_csms=unchanged[TECH_TOUCH],
        dedicated_accounts=dedicated_accounts - moved,
        pooled_accounts=pooled_accounts + moved,
        tech_touch_accounts=tech_accounts,
    )
    return WhatIf(rule=plan.whatif_rule, before=before, after=after, segments=segments)


def results(plan: PlanInput) -> PlanResults:
    """Every figure of a plan."""
    rows = [segment_result(row, plan) for row in plan.segments]
    top_down = sum(row.top_down for row in rows)
    bottom_up = sum(row.bottom_up for row in rows)
    arr = sum((Decimal(row.row.arr) for row in rows), Decimal(0))
    by_model = {model: 0 for model in COVERAGE_MODELS}
    for row in rows:
        by_model[row.row.coverage_model] += row.bottom_up

    def staff(csms: int) -> Staffing:
        return staffing(
            csms,
            operations=plan.operations,
            marketing=plan.marketing,
            experience=plan.leader_experience,
            span=plan.span_of_control,
        )

    return PlanResults(
        rows=rows,
        top_down=top_down,
        bottom_up=bottom_up,
        accounts=sum(row.row.accounts for row in rows),
        arr=arr,
        closers=total_closers(plan, arr=arr, top_down=top_down, bottom_up=bottom_up),
        top_down_staffing=staff(top_down),
        bottom_up_staffing=staff(bottom_up),
        whatif=what_if(plan),
        by_model=by_model,
    )
