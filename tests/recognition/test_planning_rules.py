"""The capacity planner's rules and arithmetic (`recognition.planning`), each
figure computed by hand in the comment beside it."""

from decimal import Decimal
from fractions import Fraction

import pytest

from recognition import planning
from recognition.planning import PlanInput, SegmentInput

D = Decimal


def _row(segment="Enterprise", model="dedicated", **values):
    fields = {
        "accounts": 40,
        "arr": D(400_000_000),
        "arr_per_csm": D(100_000_000),
        "hours_per_account": D(20),
    } | values
    return SegmentInput(segment=segment, coverage_model=model, **fields)


ENTERPRISE = _row()
# 200 pooled SMB accounts: ¥200M at ¥50M per CSM, an hour each a month.
SMB_POOL = _row(
    "SMB",
    "pooled",
    accounts=200,
    arr=D(200_000_000),
    arr_per_csm=D(50_000_000),
    hours_per_account=D(1),
)


def _plan(*rows, **inputs) -> PlanInput:
    return PlanInput(
        **({"available_hours": D(120), "automation_percent": D(0)} | inputs),
        segments=rows,
    )


# --- Top-down -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arr", "benchmark", "csms"),
    [
        (300_000_000, 100_000_000, 3),  # exact division: no extra CSM
        (300_000_001, 100_000_000, 4),  # one yen more: rounded up
        (0, 100_000_000, 0),
        (1, 100_000_000, 1),
    ],
)
def test_top_down_is_arr_over_the_benchmark_rounded_up(arr, benchmark, csms):
    assert planning.top_down_csms(D(arr), D(benchmark)) == csms


def test_a_benchmark_of_zero_is_refused():
    with pytest.raises(ValueError):
        planning.top_down_csms(D(1), D(0))


# --- Bottom-up ------------------------------------------------------------------------


def test_effective_hours_remove_the_automated_share():
    # 4 h at 25 % automation: 3 h.
    assert planning.effective_hours(D(4), D(25)) == 3
    assert planning.effective_hours(D(4), D("99.9")) == Fraction(4, 1000)


@pytest.mark.parametrize("percent", [D(100), D("100.5"), D(-1)])
def test_automation_of_100_percent_or_below_0_is_no_plan(percent):
    with pytest.raises(ValueError):
        planning.effective_hours(D(4), percent)
    assert planning.automation_problem(percent) is not None


@pytest.mark.parametrize(
    ("available", "hours", "automation", "shown"),
    [
        (120, 4, 25, D("40.0")),  # 120 / 3
        (120, 7, 0, D("17.1")),  # 17.142…
        (100, 3, 0, D("33.3")),  # 33.33…
        (2, 3, 0, D("0.6")),  # 0.666…: rounded down, not to 0.7
    ],
)
def test_accounts_per_csm_are_shown_with_one_decimal_rounded_down(
    available, hours, automation, shown
):
    exact = planning.accounts_per_csm(D(available), D(hours), D(automation))
    assert planning.round_down(exact) == shown


@pytest.mark.parametrize(
    ("accounts", "csms"),
    [
        (80, 2),  # 80 × 3 h / 120 h = 2 exactly
        (81, 3),  # 2.025: rounded up
        (1, 1),
        (0, 0),  # no accounts, no CSM
    ],
)
def test_bottom_up_is_accounts_over_accounts_per_csm_rounded_up(accounts, csms):
    assert planning.bottom_up_csms(accounts, D(120), D(4), D(25)) == csms


def test_bottom_up_is_exact_where_floats_are_not():
    # 50 accounts × 2.2 h / 110 h = 1 exactly (in floats 1.0000000000000002: 2).
    assert 50 * 2.2 / 110 > 1
    assert planning.bottom_up_csms(50, D(110), D("2.2"), D(0)) == 1


# --- A row's gap and what would close it ----------------------------------------------


def test_a_row_short_of_csms_says_what_would_close_it():
    # ¥400M / ¥100M = 4 top-down; 40 accounts × 20 h / 120 h = 6.67 → 7 bottom-up.
    row = planning.segment_result(ENTERPRISE, _plan(ENTERPRISE))
    assert (row.top_down, row.bottom_up, row.gap) == (4, 7, 3)
    assert row.accounts_per_csm == D("6.0")
    closers = row.closers
    assert closers.direction == "more"
    # ¥400M / 7 = ¥57,142,857.14…, rounded up: ceil(400M / 57,142,858) = 7.
    assert closers.benchmark == D(57_142_858)
    assert planning.top_down_csms(ENTERPRISE.arr, closers.benchmark) == 7
    # 4 CSMs × 120 h / 40 accounts = 12 h.
    assert closers.hours_per_account == D("12.00")
    assert planning.bottom_up_csms(40, D(120), closers.hours_per_account, D(0)) == 4
    # 40 × 20 × (1 − a) / 120 ≤ 4 ⇔ a ≥ 40 %; at 39.9 % it is 4.007 → 5.
    assert closers.automation_percent == D("40.0")
    assert planning.bottom_up_csms(40, D(120), D(20), D("39.9")) == 5


def test_a_row_with_more_csms_funded_than_needed():
    # ¥200M / ¥50M = 4 top-down; 200 × 1 h / 120 h = 1.67 → 2 bottom-up.
    row = planning.segment_result(SMB_POOL, _plan(SMB_POOL))
    assert (row.top_down, row.bottom_up, row.gap) == (4, 2, -2)
    closers = row.closers
    assert closers.direction == "fewer"
    assert closers.benchmark == D(100_000_000)  # ¥200M / 2
    assert closers.hours_per_account == D("2.40")  # 4 × 120 / 200
    assert closers.automation_percent is None  # automation only lowers it


def test_a_balanced_row_needs_nothing():
    row = _row(accounts=24, arr=D(400_000_000))  # 24 × 20 / 120 = 4 = top-down
    result = planning.segment_result(row, _plan(row))
    assert result.gap == 0
    assert result.closers == planning.Closers("none")


def test_a_row_without_arr_cannot_be_closed_by_benchmark_hours_or_automation():
    row = _row(arr=D(0))
    closers = planning.segment_result(row, _plan(row)).closers
    assert closers.direction == "more"
    assert closers.benchmark is None
    assert closers.hours_per_account is None
    # Even 99.9 % leaves 40 × 0.02 h of work: one CSM, more than 0.
    assert closers.automation_percent is None


def test_a_row_without_accounts_needs_no_csm():
    row = _row(accounts=0, arr=D(0))
    result = planning.segment_result(row, _plan(row))
    assert (result.top_down, result.bottom_up) == (0, 0)


def test_automation_already_set_counts_from_where_it_is():
    # At 20 %: 40 × 16 / 120 = 5.33 → 6; 40 % still needed.
    row = planning.segment_result(ENTERPRISE, _plan(ENTERPRISE, automation_percent=20))
    assert row.bottom_up == 6
    assert row.closers.automation_percent == D("40.0")
    # Hours: 4 × 120 / (40 × 0.8) = 15 h.
    assert row.closers.hours_per_account == D("15.00")


# --- Totals ---------------------------------------------------------------------------


def test_totals_are_the_sums_of_the_rows_and_say_what_would_close_them():
    results = planning.results(_plan(ENTERPRISE, SMB_POOL))
    assert (results.top_down, results.bottom_up, results.gap) == (8, 9, 1)
    assert results.accounts == 240
    assert results.arr == D(600_000_000)
    assert results.by_model == {"dedicated": 7, "pooled": 2, "tech_touch": 0}
    closers = results.closers
    # ¥600M / 9 = ¥66,666,666.67 → ¥66,666,667 per CSM on average.
    assert closers.benchmark == D(66_666_667)
    # At 10 %: 6.0 → 6 and 1.5 → 2 = 8; at 9.9 %: 6.007 → 7, so 9.
    assert closers.automation_percent == D("10.0")
    # Every row's hours 10 % lower: 6 + 2 = 8; 9 % lower: 6.07 → 7, so 9.
    assert closers.hours_change_percent == -10


def test_the_total_rise_of_hours_when_more_is_funded():
    results = planning.results(_plan(SMB_POOL))
    assert results.gap == -2
    # 200 × f / 120 ≤ 4 ⇔ f ≤ 2.4: the hours may rise by 140 %.
    assert results.closers.hours_change_percent == 140
    assert results.closers.automation_percent is None


def test_an_empty_plan_has_nothing_to_close():
    results = planning.results(_plan())
    assert (results.top_down, results.bottom_up) == (0, 0)
    assert results.closers.direction == "none"
    assert results.whatif is None
    assert results.bottom_up_staffing.leaders == 0


# --- Leaders and roles ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("reports", "experience", "span", "leaders"),
    [
        (13, "new", 10, 3),  # 13 / 6 = 2.17: the chosen span is ignored
        (12, "new", 10, 2),  # exact
        (20, "experienced", 10, 2),
        (21, "experienced", 10, 3),
        (24, "experienced", 12, 2),
        (24, "experienced", 8, 3),
        (0, "experienced", 10, 0),
    ],
)
def test_leaders_from_the_span_of_control(reports, experience, span, leaders):
    staff = planning.staffing(
        reports, operations=0, marketing=0, experience=experience, span=span
    )
    assert staff.leaders == leaders


@pytest.mark.parametrize("span", [7, 13])
def test_an_experienced_span_is_8_to_12(span):
    with pytest.raises(ValueError):
        planning.span_of("experienced", span)
    assert planning.span_of("new", span) == 6


def test_operations_and_marketing_are_direct_reports_too():
    # 9 CSMs + 1 operations + 1 marketing = 11 reports: 2 leaders at 10.
    staff = planning.staffing(
        9, operations=1, marketing=1, experience="experienced", span=10
    )
    assert (staff.direct_reports, staff.leaders, staff.team) == (11, 2, 13)
    assert not staff.needs_operations


@pytest.mark.parametrize(
    ("csms", "operations", "hint"),
    [
        (4, 0, False),  # 4 + 1 leader = 5: not past five
        (5, 0, True),  # 5 + 1 leader = 6
        (5, 1, False),  # an operations role already
    ],
)
def test_a_team_past_five_people_needs_operations(csms, operations, hint):
    staff = planning.staffing(
        csms, operations=operations, marketing=0, experience="experienced", span=10
    )
    assert staff.needs_operations is hint


# --- The pooled what-if ---------------------------------------------------------------


def test_the_share_rule_keeps_the_most_complex_share_dedicated():
    whatif = planning.what_if(_plan(ENTERPRISE, SMB_POOL, whatif_share=D(30)))
    [enterprise] = whatif.segments
    # 30 % of 40 = 12 kept, 28 moved, at 2 h each: 56 h → 1 pooled CSM.
    assert (enterprise.kept, enterprise.moved) == (12, 28)
    assert enterprise.moved_arr == D(280_000_000)
    assert (enterprise.dedicated_before, enterprise.dedicated_after) == (7, 2)
    assert (enterprise.pooled_before, enterprise.pooled_after) == (0, 1)
    before, after = whatif.before, whatif.after
    # The SMB pool (2 CSMs) is unchanged.
    assert (before.dedicated_csms, before.pooled_csms, before.csms) == (7, 2, 9)
    assert (after.dedicated_csms, after.pooled_csms, after.csms) == (2, 3, 5)
    assert whatif.saved == 4
    # Strategic accounts each dedicated CSM keeps: 40 / 7 = 5.71 → 5.7; 12 / 2.
    assert before.strategic_accounts_per_csm == D("5.7")
    assert after.strategic_accounts_per_csm == D("6.0")
    # Pooled: 200 / 2 = 100; 228 / 3 = 76. All: 240 / 9 = 26.67; 240 / 5 = 48.
    assert before.accounts_per_pooled_csm == D("100.0")
    assert after.accounts_per_pooled_csm == D("76.0")
    assert (before.accounts_per_csm, after.accounts_per_csm) == (D("26.6"), D("48.0"))


def test_the_share_is_rounded_up_for_the_accounts_kept():
    row = _row(accounts=41)
    [segment] = planning.what_if(_plan(row, whatif_share=D(30))).segments
    assert (segment.kept, segment.moved) == (13, 28)  # 12.3 → 13


def test_moved_accounts_join_their_own_segments_pool():
    enterprise_pool = _row("Enterprise", "pooled", accounts=60, hours_per_account=D(2))
    whatif = planning.what_if(_plan(ENTERPRISE, enterprise_pool, whatif_share=D(30)))
    [segment] = whatif.segments
    # The pool's 120 h + 28 × 2 h = 176 h → 2 CSMs (1 before).
    assert (segment.pooled_before, segment.pooled_after) == (1, 2)


def test_the_threshold_rule_moves_segments_below_it_as_a_whole():
    mid = _row("Mid", accounts=30, arr=D(90_000_000), hours_per_account=D(8))
    plan = _plan(
        ENTERPRISE, mid, whatif_rule="threshold", whatif_threshold=D(5_000_000)
    )
    whatif = planning.what_if(plan)
    by_name = {row.segment: row for row in whatif.segments}
    # Enterprise: ¥10M per account, kept; Mid: ¥3M per account, moved.
    assert by_name["Enterprise"].moved == 0
    assert (by_name["Mid"].kept, by_name["Mid"].moved) == (0, 30)
    assert by_name["Mid"].moved_arr == D(90_000_000)
    # Mid: 30 × 8 / 120 = 2 dedicated before; 30 × 2 / 120 = 0.5 → 1 pooled after.
    assert (by_name["Mid"].dedicated_before, by_name["Mid"].dedicated_after) == (2, 0)
    assert by_name["Mid"].pooled_after == 1
    assert whatif.after.strategic_accounts_per_csm == D("5.7")  # 40 / 7


def test_a_segment_exactly_at_the_threshold_stays_dedicated():
    plan = _plan(ENTERPRISE, whatif_rule="threshold", whatif_threshold=D(10_000_000))
    assert planning.what_if(plan).moved == 0


def test_no_what_if_without_dedicated_rows_or_a_threshold():
    assert planning.what_if(_plan(SMB_POOL)) is None
    assert planning.what_if(_plan(ENTERPRISE, whatif_rule="threshold")) is None


def test_tech_touch_is_unchanged_by_the_what_if():
    tech = _row("SMB", "tech_touch", accounts=1000, hours_per_account=D("0.5"))
    plan = _plan(ENTERPRISE, tech, automation_percent=D(50))
    whatif = planning.what_if(plan)
    # 1000 × 0.25 h / 120 = 2.08 → 3, before and after.
    assert whatif.before.tech_touch_csms == whatif.after.tech_touch_csms == 3
    assert whatif.before.tech_touch_accounts == 1000
