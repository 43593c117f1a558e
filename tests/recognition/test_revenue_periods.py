"""Revenue KPIs over periods longer than a month (recognition/selectors/revenue.py,
"Over a period"): a hand-computed quarter, one month equal to the monthly figures
for every month of a generated history, and the period figures where awards, plan
targets and promotion criteria read them.

The quarter is FY2026 Q1 (April–June 2026). Sato (team A) and kato (team B);
every coverage starts on 2026-01-01; E moves from sato to kato on 2026-05-15. In
thousands of yen:

| acct | owner  | Mar   | Apr      | May       | Jun        |
|------|--------|-------|----------|-----------|------------|
| A    | sato   | 1,000 | 1,300 up |           | 1,100 down |
| B    | sato   | 500   |          | 0 churn   | 400 react  |
| C    | kato   |       |          | 300 new   |            |
| D    | kato   | 400   | 500 exp  | 450 down  | 600 x-sell |
| E    | →kato  | 800   |          |           | 0 churn    |

Quarter, by hand (the accounts of April 1, each by its net change to June's end):
- sato (A, B, E on April 1): S = 2,300; A +100 net, typed by its only increase:
  upsell 100; B churned and came back: 400 at the end, a net −100: downsell 100,
  not churn; E at 0 at the end: churn 800, credited to sato (its owner on April 1)
  although it churned under kato. NRR = 1,500 / 2,300, GRR = 1,400 / 2,300, logo
  churn 1 of 3; B's reactivation is not beside the tree (B is in S). At June's end
  sato holds A and B: 1,500 over 1 CSM, 2 accounts.
- kato (D on April 1; C is not a customer yet): S = 400; D +200 net, typed by its
  largest increase (June's cross-sell +150 over April's expansion +100):
  cross-sell 200. NRR = 600 / 400 = 150 %. New ARR 300 (C, not in S). At June's
  end kato holds C, D, E: 900 over 3 accounts.
- Organisation: S = 2,700; upsell 100, cross-sell 200, downsell 100, churn 800:
  NRR = 2,100 / 2,700.

June alone (what a quarter used to show) ranks the other way: sato 1,100 / 1,300,
kato 900 / 1,550.
"""

from __future__ import annotations

import random
from datetime import date, datetime

import pytest

from accounts.models import Role, User
from journeys.models import Pool
from recognition import metrics
from recognition.metrics import Family
from recognition.models import Cadence, DevelopmentPlan, PlanTarget
from recognition.selectors import figures, page_figures, revenue
from recognition.selectors.awards import leaderboards
from recognition.selectors.development import target_rows
from recognition.services.rollup import rollup
from tests.factories import TeamMembershipFactory, UserFactory
from tests.journeys.factories import CustomerAccountFactory, PoolFactory
from tests.recognition.award_factories import AwardProgramFactory, award_period
from tests.recognition.revenue_world import JST, cover, record

pytestmark = pytest.mark.django_db

MAR, APR, MAY, JUN, JUL = (date(2026, month, 1) for month in range(3, 8))
QUARTER = metrics.quarter_period(2026, 1)
MOVED = datetime(2026, 5, 15, 12, tzinfo=JST)
AFTER = datetime(2026, 7, 10, 12, tzinfo=JST)
EARLY = datetime(2025, 7, 1, tzinfo=JST)

SNAPSHOTS = {
    "A": [(MAR, 1_000_000, ""), (APR, 1_300_000, "upsell"), (JUN, 1_100_000, "")],
    "B": [(MAR, 500_000, ""), (MAY, 0, ""), (JUN, 400_000, "")],
    "C": [(MAY, 300_000, "")],
    "D": [(MAR, 400_000, ""), (APR, 500_000, ""), (MAY, 450_000, "")]
    + [(JUN, 600_000, "cross_sell")],
    "E": [(MAR, 800_000, ""), (JUN, 0, "")],
}


@pytest.fixture
def quarter(org):
    sato, kato = org.member_a, org.member_b
    accounts = {name: CustomerAccountFactory(name=name) for name in SNAPSHOTS}
    for name in ("A", "B"):
        cover(accounts[name], owner=sato)
    for name in ("C", "D"):
        cover(accounts[name], owner=kato)
    cover(accounts["E"], owner=sato, end=MOVED)
    cover(accounts["E"], owner=kato, start=MOVED)
    for name, months in SNAPSHOTS.items():
        for month, arr, movement in months:
            record(accounts[name], month, arr, movement)
    rollup(full=True, now=AFTER)
    return org


def members_quarter(org) -> dict:
    return revenue.revenue_period(
        scope=revenue.MEMBER,
        owner=[org.member_a.pk, org.member_b.pk],
        months=QUARTER.months,
    )


def test_a_quarter_follows_the_accounts_of_its_start_by_their_net_change(quarter):
    sato = members_quarter(quarter)[quarter.member_a.pk]
    assert sato.starting == 2_300_000
    assert (sato.upsell, sato.expansion, sato.cross_sell) == (100_000, 0, 0)
    # B churned in May and came back in June: a net decrease, not churn.
    assert sato.downsell == 100_000
    # E churned in June under kato: sato's, its owner at the quarter's start.
    assert sato.churn == 800_000
    assert sato.reactivation == 0
    assert sato.nrr == pytest.approx(1_500_000 / 2_300_000)
    assert sato.grr == pytest.approx(1_400_000 / 2_300_000)
    assert (sato.churned_accounts, sato.customers) == (1, 3)
    assert (sato.owned_arr, sato.owned_accounts, sato.csms) == (1_500_000, 2, 1)


def test_a_new_account_is_not_in_s_and_an_increase_takes_its_largest_type(quarter):
    kato = members_quarter(quarter)[quarter.member_b.pk]
    assert kato.starting == 400_000
    assert (kato.upsell, kato.expansion, kato.cross_sell) == (0, 0, 200_000)
    assert (kato.downsell, kato.churn) == (0, 0)
    assert kato.nrr == 1.5
    assert kato.new == 300_000
    assert (kato.owned_arr, kato.owned_accounts) == (900_000, 3)


def test_the_organisation_and_the_teams_over_the_quarter(quarter):
    organisation = revenue.revenue_period(
        scope=revenue.ORGANISATION, months=QUARTER.months
    )[None]
    assert organisation.starting == 2_700_000
    assert organisation.nrr == pytest.approx(2_100_000 / 2_700_000)
    assert organisation.churn == 800_000
    teams = revenue.revenue_period(
        scope=revenue.TEAM,
        owner=[quarter.team_a.pk, quarter.team_b.pk],
        months=QUARTER.months,
    )
    assert teams[quarter.team_a.pk].nrr == pytest.approx(1_500_000 / 2_300_000)
    assert teams[quarter.team_b.pk].nrr == 1.5


def test_the_period_figures_replace_the_last_months_in_figures_for(quarter):
    nrr = metrics.metric_by_key(Family.NRR)
    churn = metrics.metric_by_key(Family.LOGO_CHURN)
    found = figures.member_figures(
        member_ids=[quarter.member_a.pk, quarter.member_b.pk],
        metrics=[nrr, churn],
        period=QUARTER,
    )
    sato = found[(quarter.member_a.pk, Family.NRR)]
    assert (sato.numerator, sato.denominator) == (1_500_000, 2_300_000)
    assert not sato.provisional
    assert sato.final_at == QUARTER.end_at
    logo = found[(quarter.member_a.pk, Family.LOGO_CHURN)]
    assert (logo.numerator, logo.denominator) == (1, 3)
    assert found[(quarter.member_b.pk, Family.NRR)].value == 1.5
    # June alone would have said sato 1,100 / 1,300 and kato 900 / 1,550.
    june = figures.member_figures(
        member_ids=[quarter.member_a.pk],
        metrics=[nrr],
        period=metrics.month_period(JUN),
    )[(quarter.member_a.pk, Family.NRR)]
    assert (june.numerator, june.denominator) == (1_100_000, 1_300_000)


def test_a_quarterly_award_on_nrr_ranks_by_the_quarters_figure(quarter):
    program = AwardProgramFactory(
        teams=[quarter.team_a, quarter.team_b],
        cadence=Cadence.QUARTERLY,
        winners=1,
        minimum_denominator=1,
    )
    period = award_period(program, APR, Family.NRR, set_by=quarter.admin)
    (board,) = leaderboards(periods=[period], now=AFTER)
    assert [(s.member, s.rank, s.numerator, s.denominator) for s in board.standings][
        :2
    ] == [
        (quarter.member_b, 1, 600_000, 400_000),
        (quarter.member_a, 2, 1_500_000, 2_300_000),
    ]
    assert [s.member for s in board.current_winners] == [quarter.member_b]


@pytest.mark.parametrize("with_page_as_of", [False, True])
def test_a_plan_target_on_nrr_reads_the_last_three_months(quarter, with_page_as_of):
    plan = DevelopmentPlan.objects.create(
        member=quarter.member_a, created_by=quarter.manager_a
    )
    target = PlanTarget.objects.create(
        plan=plan,
        metric=Family.NRR,
        target_value=1.0,
        by_date=date(2026, 12, 31),
        set_by=quarter.manager_a,
    )
    (row,) = target_rows(
        [target],
        member_ids_by_plan={plan.pk: quarter.member_a.pk},
        today=AFTER.date(),
        as_of=AFTER if with_page_as_of else None,
    )
    # The last 3 complete months before July: April–June, the quarter's figure.
    assert (row.current.numerator, row.current.denominator) == (1_500_000, 2_300_000)
    assert row.reached is False


def test_the_member_page_figures_take_the_period(quarter):
    nrr = metrics.metric_by_key(Family.NRR)
    found = page_figures.member_figures(
        member_id=quarter.member_a.pk,
        team_id=quarter.team_a.pk,
        wanted=[nrr],
        period=QUARTER,
        trend_months=[],
        as_of=AFTER,
    )
    member = found.member[(quarter.member_a.pk, Family.NRR)]
    assert (member.numerator, member.denominator) == (1_500_000, 2_300_000)
    team = found.rate[(quarter.team_a.pk, Family.NRR)]
    assert (team.numerator, team.denominator) == (1_500_000, 2_300_000)


def test_a_running_period_is_provisional(quarter):
    nrr = metrics.metric_by_key(Family.NRR)
    running = metrics.Period(metrics.PERIOD_QUARTER, JUL, date(2026, 9, 1), "q2")
    found = page_figures.with_revenue_over_period(
        {},
        "member",
        owner_ids=[quarter.member_a.pk],
        wanted=[nrr],
        period=running,
        as_of=AFTER,
    )
    figure = found[(quarter.member_a.pk, Family.NRR)]
    assert figure.provisional
    assert figure.final_at == running.end_at


# One month equals the month's figures ------------------------------------------


def generated_history(org, seed: int) -> list[date]:
    """Random ARR histories of 30 accounts over 10 months: owners and pools that
    change mid-month, churn and comebacks."""
    rng = random.Random(seed)
    months = [metrics.add_months(date(2025, 8, 1), n) for n in range(10)]
    people = [org.member_a, org.member_b]
    people += [
        TeamMembershipFactory(
            team=rng.choice([org.team_a, org.team_b]),
            user=UserFactory(roles=[Role.MEMBER]),
        ).user
        for _n in range(3)
    ]
    pools = [PoolFactory(team=org.team_a), PoolFactory(team=org.team_b)]
    for index in range(30):
        account = CustomerAccountFactory(
            name=f"G{index}", segment=rng.choice(["", "SMB", "Enterprise"])
        )
        switch = metrics.month_start(rng.choice(months)).replace(day=rng.randint(1, 20))
        first_owner, later = rng.choice(people + pools), rng.choice(people + pools)
        for owner, start, end in ((first_owner, EARLY, switch), (later, switch, None)):
            if owner in pools:
                cover(account, pool=owner, start=start, end=end)
            else:
                cover(account, owner=owner, start=start, end=end)
        arr = 0
        for month in months:
            if rng.random() < 0.5:
                continue
            arr = rng.choice([0, arr, arr + 100_000, max(arr - 50_000, 0), 300_000])
            record(account, month, arr)
    return months


@pytest.mark.parametrize("seed", [7, 2026])
def test_a_one_month_period_gives_exactly_the_monthly_figures(org, seed):
    months = generated_history(org, seed)
    rollup(full=True, now=AFTER)
    owners = {
        revenue.MEMBER: list(User.objects.values_list("pk", flat=True)),
        revenue.TEAM: [org.team_a.pk, org.team_b.pk],
        revenue.POOL: list(Pool.objects.values_list("pk", flat=True)),
    }
    every_metric = metrics.revenue_metrics()
    compared = 0
    for month in months:
        single = revenue.revenue_period(scope=revenue.ORGANISATION, months=[month])
        monthly = revenue.revenue_months(scope=revenue.ORGANISATION, months=[month])
        assert single.get(None) == monthly.get(month), month
        for segment in ("SMB", "Enterprise"):
            single = revenue.revenue_period(
                scope=revenue.SEGMENT, owner=segment, months=[month]
            )
            monthly = revenue.revenue_months(
                scope=revenue.SEGMENT, owner=segment, months=[month]
            )
            assert single.get(None) == monthly.get(month), (segment, month)
        period = metrics.month_period(month)
        for scope, ids in owners.items():
            # The rollup's monthly rows against the period computation.
            stored = figures.figures_for(
                scope, owner_ids=ids, metrics_wanted=every_metric, period=period
            )
            computed = revenue.period_figures(
                scope,
                owner_ids=ids,
                keys=[m.key for m in every_metric],
                period=period,
                as_of=AFTER,
            )
            assert {k: (v.numerator, v.denominator) for k, v in computed.items()} == {
                k: (v.numerator, v.denominator) for k, v in stored.items()
            }, (scope, month)
            assert {k: v.value for k, v in computed.items()} == pytest.approx(
                {k: v.value for k, v in stored.items()}
            )
            compared += len(computed)
    assert compared > 500


def test_a_period_is_one_query_per_scope(quarter, django_assert_num_queries):
    for _n in range(5):
        user = UserFactory()
        cover(CustomerAccountFactory(), owner=user)
    with django_assert_num_queries(1):
        revenue.period_figures(
            "member",
            owner_ids=[quarter.member_a.pk, quarter.member_b.pk],
            keys=[Family.NRR],
            period=QUARTER,
            as_of=AFTER,
        )


@pytest.mark.parametrize("with_page_as_of", [False, True])
def test_a_promotion_criterion_on_nrr_reads_the_last_three_months(
    quarter, with_page_as_of
):
    from recognition.selectors.promotion import readiness_for
    from tests.recognition.development_factories import at_level, ladder, step_up

    csm, senior = ladder("CSM", "Senior CSM")
    step_up(csm, senior, metric_criteria=[(Family.NRR, "gte", 0.8, 3)])
    at_level(quarter.member_a, csm)
    at_level(quarter.member_b, csm)
    found = readiness_for(
        [quarter.member_a, quarter.member_b],
        now=AFTER,
        as_of=AFTER if with_page_as_of else None,
    )
    (sato,) = found[quarter.member_a.pk].criteria
    (kato,) = found[quarter.member_b.pk].criteria
    # April–June: sato 65.2 % (June alone: 84.6 %, which would have met it).
    assert sato.value == pytest.approx(1_500_000 / 2_300_000)
    assert not sato.met
    assert kato.value == 1.5 and kato.met
