"""Revenue KPIs from hand-computed examples (tests/recognition/revenue_world.py):
the selector's figures per scope, the rollup's tables (full, sharded staging
and incremental) equal to the selector, and the metric catalogue."""

from datetime import date, datetime

import pytest
from django.db import connection

from accounts.models import TeamMembership
from journeys.models import Coverage, CustomerAccount
from recognition import metrics
from recognition.metrics import Family
from recognition.models import MemberFigure, PoolFigure, TeamFigure
from recognition.selectors import revenue
from recognition.services import rollup as rollup_services
from recognition.services.rollup import rollup
from tests.journeys.factories import journey_with_steps
from tests.recognition.revenue_world import (
    APR,
    FEB,
    JAN,
    JST,
    JUN,
    MAR,
    MAY,
    NOW,
    build_revenue_world,
    cover,
    record,
)

pytestmark = pytest.mark.django_db

MONTHS = [JAN, FEB, MAR, APR, MAY, JUN]


@pytest.fixture
def world(org):
    return build_revenue_world(org)


def organisation():
    return revenue.revenue_months(scope=revenue.ORGANISATION, months=MONTHS)


def test_a_new_account_is_not_in_s_in_its_first_month(world):
    found = organisation()
    assert found[JAN].starting == 0
    assert found[JAN].new == 2_300_000
    assert found[JAN].nrr is None and found[JAN].grr is None
    march = found[MAR]
    assert march.starting == 1_800_000
    assert march.new == 400_000
    assert (march.upsell, march.cross_sell) == (200_000, 50_000)
    assert march.nrr == pytest.approx(2_050_000 / 1_800_000)
    assert march.grr == 1
    # C counts in S from its second month.
    assert found[APR].starting == 2_450_000


def test_churn_then_reactivation(world):
    found = organisation()
    february = found[FEB]
    assert february.starting == 2_300_000
    assert february.churn == 500_000
    assert february.nrr == pytest.approx(1_800_000 / 2_300_000)
    assert february.grr == pytest.approx(1_800_000 / 2_300_000)
    assert (february.churned_accounts, february.customers) == (1, 4)
    assert february.logo_churn == 0.25
    april = found[APR]
    assert april.reactivation == 300_000
    assert april.expansion == 200_000
    assert april.nrr == pytest.approx(2_650_000 / 2_450_000)
    may = found[MAY]
    assert (may.starting, may.downsell) == (2_950_000, 350_000)
    assert may.nrr == pytest.approx(2_600_000 / 2_950_000)
    # June: nothing moved, every account carried forward.
    assert found[JUN].starting == 2_600_000
    assert found[JUN].nrr == 1


def test_a_zero_starting_arr_has_no_nrr(world):
    found = revenue.revenue_months(
        scope=revenue.MEMBER, owner=world.suzuki.pk, months=MONTHS
    )
    assert found[MAR].starting == 0
    assert found[MAR].new == 400_000
    assert found[MAR].nrr is None
    assert found[APR].starting == 400_000
    assert found[APR].nrr == 1.25


def test_an_owner_change_credits_each_month_to_the_owner_at_its_start(world):
    sato = revenue.revenue_months(
        scope=revenue.MEMBER, owner=world.sato.pk, months=MONTHS
    )
    kato = revenue.revenue_months(
        scope=revenue.MEMBER, owner=world.kato.pk, months=MONTHS
    )
    assert sato[FEB].starting == 2_100_000
    assert sato[MAR].nrr == 1.125
    # April: E moved on the 15th, still sato's on April 1.
    assert sato[APR].starting == 1_800_000
    assert sato[APR].expansion == 100_000
    assert sato[APR].reactivation == 300_000
    assert APR not in kato
    # May: E is kato's.
    assert sato[MAY].starting == 1_500_000
    assert sato[MAY].downsell == 300_000
    assert sato[MAY].nrr == 0.8
    assert (sato[MAY].owned_arr, sato[MAY].csms, sato[MAY].owned_accounts) == (
        1_200_000,
        1,
        2,
    )
    assert (kato[MAY].starting, kato[MAY].downsell) == (700_000, 50_000)


def test_pool_and_team_crediting(world):
    pool = revenue.revenue_months(
        scope=revenue.POOL, owner=world.pool.pk, months=MONTHS
    )
    assert pool[MAR].starting == 200_000
    assert pool[MAR].cross_sell == 50_000
    assert pool[MAR].nrr == 1.25
    assert pool[MAR].arr_per_csm is None
    team_a = revenue.revenue_months(
        scope=revenue.TEAM, owner=world.org.team_a.pk, months=MONTHS
    )
    april = team_a[APR]
    assert (april.starting, april.expansion) == (2_200_000, 200_000)
    assert april.nrr == pytest.approx(2_400_000 / 2_200_000)
    assert (april.csms, april.owned_accounts, april.owned_arr) == (2, 5, 2_700_000)
    assert april.arr_per_csm == 1_350_000
    assert april.accounts_per_csm == 2.5
    team_b = revenue.revenue_months(
        scope=revenue.TEAM, owner=world.org.team_b.pk, months=MONTHS
    )
    assert (team_b[MAY].starting, team_b[MAY].downsell) == (950_000, 50_000)


def test_segments_and_organisation(world):
    smb = revenue.revenue_months(scope=revenue.SEGMENT, owner="SMB", months=MONTHS)
    assert (smb[APR].starting, smb[APR].expansion, smb[APR].reactivation) == (
        650_000,
        100_000,
        300_000,
    )
    enterprise = revenue.revenue_months(
        scope=revenue.SEGMENT, owner="Enterprise", months=MONTHS
    )
    assert (enterprise[MAR].starting, enterprise[MAR].upsell) == (1_600_000, 200_000)
    assert organisation()[APR].arr_per_csm == 1_350_000


def test_the_drill_down_lists_the_accounts_behind_a_movement(world):
    rows = revenue.movement_accounts(
        scope=revenue.ORGANISATION, month=MAY, movement="downsell"
    )
    assert [
        (row["name"], row["before"], row["after"], row["change"]) for row in rows
    ] == [
        ("Account A", 1_200_000, 900_000, -300_000),
        ("Account E", 700_000, 650_000, -50_000),
    ]
    kato = revenue.movement_accounts(
        scope=revenue.MEMBER, owner=world.kato.pk, month=MAY, movement="downsell"
    )
    assert [row["name"] for row in kato] == ["Account E"]


def test_no_snapshots_no_months(org):
    assert organisation() == {}
    assert revenue.revenue_month_range(NOW) == []


# The rollup ------------------------------------------------------------------------


def stored_equals_selected(world) -> None:
    owners = {
        revenue.MEMBER: [world.sato.pk, world.suzuki.pk, world.kato.pk],
        revenue.TEAM: [world.org.team_a.pk, world.org.team_b.pk],
        revenue.POOL: [world.pool.pk],
    }
    for scope, ids in owners.items():
        for owner in ids:
            stored = revenue.stored_revenue_months(
                scope=scope, owner_id=owner, months=MONTHS
            )
            selected = revenue.revenue_months(scope=scope, owner=owner, months=MONTHS)
            assert stored == selected, (scope, owner)


def figure_table():
    return sorted(
        (
            type(figure).__name__,
            getattr(figure, "member_id", None)
            or getattr(figure, "team_id", None)
            or figure.pool_id,
            figure.metric,
            figure.month,
            figure.numerator,
            figure.denominator,
            round(figure.value, 9) if figure.value is not None else None,
            figure.provisional,
            figure.final_at,
        )
        for table in (MemberFigure, TeamFigure, PoolFigure)
        for figure in table.objects.filter(metric__in=metrics.REVENUE_FAMILIES)
    )


def test_the_rollup_writes_the_selectors_figures(world):
    rollup(full=True, now=NOW)
    stored_equals_selected(world)
    nrr = MemberFigure.objects.get(member=world.sato, metric=Family.NRR, month=MAY)
    assert (nrr.numerator, nrr.denominator, nrr.value) == (1_200_000, 1_500_000, 0.8)
    assert not nrr.provisional
    assert nrr.final_at == metrics.month_start(JUN)
    june = MemberFigure.objects.get(member=world.sato, metric=Family.NRR, month=JUN)
    assert june.provisional
    # No NRR where S = 0; the new ARR is there.
    assert not MemberFigure.objects.filter(
        member=world.suzuki, metric=Family.NRR, month=MAR
    ).exists()
    new = MemberFigure.objects.get(
        member=world.suzuki, metric=Family.NEW_ARR, month=MAR
    )
    assert new.value == 400_000
    per_csm = TeamFigure.objects.get(
        team=world.org.team_a, metric=Family.ARR_PER_CSM, month=APR
    )
    assert (per_csm.numerator, per_csm.denominator) == (2_700_000, 2)
    assert not PoolFigure.objects.filter(metric=Family.ARR_PER_CSM).exists()


def test_a_limited_run_keeps_the_other_months(world):
    rollup(full=True, now=NOW)
    before = figure_table()
    rollup(since=MAR, until=MAR, now=NOW)
    assert figure_table() == before


def test_incremental_after_a_snapshot_change_equals_full(world):
    rollup(full=True, now=NOW)
    record(world.accounts["C"], APR, 450_000)
    record(world.accounts["B"], MAY, 0)
    rollup(now=NOW)
    incremental = figure_table()
    stored_equals_selected(world)
    rollup(full=True, now=NOW)
    assert figure_table() == incremental
    assert (
        revenue.revenue_months(scope=revenue.MEMBER, owner=world.sato.pk, months=[MAY])[
            MAY
        ].churn
        == 300_000
    )


def test_incremental_after_an_owner_change_equals_full(world):
    rollup(full=True, now=NOW)
    moved = datetime(2026, 2, 20, tzinfo=JST)
    Coverage.objects.filter(account=world.accounts["C"]).update(ended_at=moved)
    cover(world.accounts["C"], owner=world.kato, start=moved)
    rollup(now=NOW)
    incremental = figure_table()
    kato = revenue.stored_revenue_months(
        scope=revenue.MEMBER, owner_id=world.kato.pk, months=[APR]
    )
    assert kato[APR].expansion == 100_000
    rollup(full=True, now=NOW)
    assert figure_table() == incremental


def test_the_catalogue_lists_the_revenue_kpis():
    catalogue = {metric.key: metric for metric in metrics.catalogue()}
    nrr = catalogue[Family.NRR]
    assert nrr.unit == metrics.Unit.PERCENT and nrr.has_denominator
    assert nrr.max_value is None
    assert catalogue[Family.GRR].max_value == 1
    assert catalogue[Family.CHURNED_ARR].direction == metrics.LOWER
    assert catalogue[Family.LOGO_CHURN].direction == metrics.LOWER
    assert not catalogue[Family.NEW_ARR].has_denominator
    period = metrics.month_period(MAY, today=date(2026, 6, 10))
    assert nrr.final_at(period) == metrics.month_start(JUN)
    assert metrics.format_value(catalogue[Family.ARR_PER_CSM], 1_350_000) == (
        "¥1,350,000"
    )
    assert metrics.format_value(catalogue[Family.ACCOUNTS_PER_CSM], 2.5) == "2.5"
    assert metrics.format_value(nrr, 1.125) == "112.5 %"


def test_a_sharded_full_run_keeps_the_revenue_figures(world, monkeypatch):
    """The staged figures replace every figure at the finish: the revenue figures
    are written after the swap, under the lock."""
    journey, _steps = journey_with_steps(2)
    CustomerAccount.objects.update(journey=journey)
    rollup(full=True, now=NOW)
    expected = figure_table()
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = rollup_services.lease(now=NOW)
    for journey_id, low, high in rollup_services.plan_shards(2):
        rollup_services.rollup_shard(token, journey_id, low, high, as_of)
    months = rollup_services._all_months(as_of)
    for part in rollup_services.plan_month_parts(months, 2):
        rollup_services.rollup_figures(token, part, as_of)
    assert rollup_services.rollup_finish(token, started_at, as_of).full
    assert figure_table() == expected
    stored_equals_selected(world)


@pytest.mark.postgres
def test_on_postgresql_the_rollup_writes_the_selectors_figures(world):
    assert connection.vendor == "postgresql"
    rollup(full=True, now=NOW)
    stored_equals_selected(world)
    record(world.accounts["A"], JUN, 0)
    rollup(now=NOW)
    incremental = figure_table()
    stored_equals_selected(world)
    rollup(full=True, now=NOW)
    assert figure_table() == incremental


def test_incremental_after_a_team_change_equals_full(world):
    rollup(full=True, now=NOW)
    membership = TeamMembership.objects.get(user=world.kato, team=world.org.team_b)
    membership.end_date = date(2026, 4, 30)
    membership.save()
    TeamMembership.objects.create(
        user=world.kato, team=world.org.team_a, start_date=date(2026, 5, 1)
    )
    rollup(now=NOW)
    incremental = figure_table()
    team_a = revenue.stored_revenue_months(
        scope=revenue.TEAM, owner_id=world.org.team_a.pk, months=[MAY]
    )
    # E is kato's in May, and kato is in team A from May 1: sato 1,500,000 (A,
    # B), suzuki 500,000 (C), kato 700,000 (E).
    assert team_a[MAY].starting == 1_500_000 + 500_000 + 700_000
    rollup(full=True, now=NOW)
    assert figure_table() == incremental
