"""The rollup is set-based: its query count does not grow with accounts or events."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from recognition.models import (
    AccountTransition,
    AccountValuePoint,
    MemberFigure,
    RollupRun,
)
from recognition.services.rollup import rollup
from tests.factories import TeamMembershipFactory, UserFactory
from tests.journeys.factories import (
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)

JST = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 4, 6, 10, tzinfo=JST)
NOW = datetime(2026, 6, 20, 12, tzinfo=JST)


def _accounts(journey, steps, owner, count):
    for n in range(count):
        account = CustomerAccountFactory(journey=journey, owner=owner)
        # Every account reaches step 1 in April, half of them step 2 in May.
        StepEventFactory(account=account, step=steps[0], reached_at=START)
        if n % 2 == 0:
            StepEventFactory(
                account=account, step=steps[1], reached_at=START + timedelta(days=30)
            )


def _queries(**kwargs) -> int:
    with CaptureQueriesContext(connection) as queries:
        rollup(now=NOW, **kwargs)
    return len(queries)


@pytest.mark.django_db
def test_the_rollup_runs_as_many_queries_for_40_accounts_as_for_4():
    journey, steps = journey_with_steps(3)
    member = UserFactory(roles=[Role.MEMBER])
    _accounts(journey, steps, member, 4)
    rollup(now=NOW)  # The first run also creates the lock's row.
    small = _queries(full=True)
    _accounts(journey, steps, member, 36)
    large = _queries(full=True)
    assert large == small
    figure = MemberFigure.objects.get(
        member=member, metric=f"step_conversion:{steps[0].pk}", month="2026-04-01"
    )
    assert (figure.numerator, figure.denominator) == (20, 40)


@pytest.mark.django_db
def test_manage_py_rollup_runs_in_full_or_from_a_month_and_refuses_a_bad_month():
    journey, steps = journey_with_steps(2)
    _accounts(journey, steps, UserFactory(roles=[Role.MEMBER]), 2)
    call_command("rollup", "--full")
    call_command("rollup", "--since", "2026-05")
    runs = list(RollupRun.objects.order_by("pk"))
    assert [run.full for run in runs] == [True, True]
    assert runs[1].since.isoformat() == "2026-05-01"
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("rollup", "--since", "2026-13")


def _planner_rows(table: str) -> int | None:
    """The rows the database's planner statistics give the table (None: none)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if "sqlite_stat1" not in connection.introspection.table_names(cursor):
                return None  # never analysed
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
            found = cursor.fetchone()
            return int(found[0].split()[0]) if found else None
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table]
        )
        rows = cursor.fetchone()[0]
        return None if rows < 0 else int(rows)


@pytest.mark.django_db
def test_a_full_run_leaves_planner_statistics_of_the_rows_it_wrote():
    # The pages' plans depend on them: SQLite gathers none by itself, and
    # PostgreSQL's autovacuum may come late.
    journey, steps = journey_with_steps(3)
    _accounts(journey, steps, UserFactory(roles=[Role.MEMBER]), 6)
    table = "recognition_accounttransition"
    assert not _planner_rows(table)

    rollup(now=NOW, full=True)

    assert _planner_rows(table) == AccountTransition.objects.count() > 0


@pytest.mark.django_db
def test_a_full_run_writes_the_rows_of_a_team_and_month_together():
    """The pages read a team's rows of some months: written in the order of month,
    team and member, they fill a few pages of the table, not a row in each of
    thousands (the member page's rows at L: 141 pages read instead of 2,671)."""
    journey, steps = journey_with_steps(3)
    steps[1].is_value_point = True
    steps[1].target_days = 30
    steps[1].save()
    members = [TeamMembershipFactory().user for _ in range(2)]
    for n in range(8):
        # Accounts of both teams and of both months, their ids interleaved.
        account = CustomerAccountFactory(journey=journey, owner=members[n % 2])
        reached = START + timedelta(days=30 * (n // 2 % 2))
        StepEventFactory(account=account, step=steps[0], reached_at=reached)

    rollup(now=NOW, full=True)

    for model in (AccountTransition, AccountValuePoint):
        # Ids follow the order rows were written in: SQLite's rowids, PostgreSQL's
        # identity values taken as the sorted rows go in. Every row here has a
        # team and a member (None would not sort, nor sort alike on both).
        stored = list(
            model.objects.order_by("pk").values_list(
                "cohort_month", "team_id", "member_id"
            )
        )
        assert len({month for month, _team, _member in stored}) == 2
        assert len({team for _month, team, _member in stored}) == 2
        assert stored == sorted(stored), model.__name__
