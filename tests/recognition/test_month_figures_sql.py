"""The monthly tables are written by the database (`figures.write_month_figures`):
a fixed number of statements whatever the data, and months and days bounded in
TIME_ZONE by instants, whatever the zone's offset or its summer time.

Expected numbers are counted by hand from shared/METRICS.md; the times are said on
the organisation's clock and, where it matters, in UTC.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journeys import services as journey_services
from journeys.models import TrainingAssignment
from recognition.models import (
    AccountTransition,
    AccountValuePoint,
    MemberFigure,
    TeamFigure,
)
from recognition.selectors import figures
from recognition.services.rollup import rollup
from tests.journeys.factories import TrainingModuleFactory
from tests.recognition.rollup_world import (
    APRIL,
    EVENTS_RECORDED,
    JUNE,
    MAY,
    TRAINING,
    account,
    figure,
    journey,
    jst,
    manager,
    member,
    move_team,
    no_figure,
    pool,
    reach,
    shape,
    step_key,
    team,
)

BERLIN = ZoneInfo("Europe/Berlin")
MARCH, OCTOBER, NOVEMBER = date(2026, 3, 1), date(2026, 10, 1), date(2026, 11, 1)


def berlin(year, month, day, hour=12, minute=0, second=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN)


def write(months, *, training_months=(), as_of) -> None:
    figures.write_month_figures(
        months=list(months), training_months=list(training_months), as_of=as_of
    )


def events_recorded(table, owner, month):
    found = figure(table, owner, EVENTS_RECORDED, month)
    return None if no_figure(found) else found.value


def _world(size: int, journey_and_steps):
    """`size` members in two teams, each owning `size` accounts that reach step 1
    in April (half of them step 2 in May), a pool's accounts, and a training
    module assigned to each team."""
    built, (s1, s2, _s3) = journey_and_steps
    for number in range(size):
        squad = team()
        owner = member(squad)
        shared = pool(squad)
        for n in range(size):
            for covered in (
                account(built, owner=owner),
                account(built, in_pool=shared),
            ):
                reach(covered, s1, jst(2026, 4, 1 + n % 28, 10), by=owner)
                if n % 2 == 0:
                    reach(covered, s2, jst(2026, 5, 1 + n % 28, 10), by=owner)
        module = TrainingModuleFactory(title=f"Module {size}-{number}")
        journey_services.training_assign(
            module=module, due_date=date(2026, 6, 30), by=None, team=squad
        )
        journey_services.training_complete(
            module=module, member=owner, answers=None, now=jst(2026, 5, 20)
        )


@pytest.mark.django_db
def test_writing_the_months_runs_as_many_statements_for_much_more_data():
    now = jst(2026, 6, 20)
    built = journey((90, 90, 90))
    months = [APRIL, MAY, JUNE]

    def statements() -> int:
        rollup(full=True, now=now)
        with CaptureQueriesContext(connection) as queries:
            write(months, training_months=months, as_of=now)
        return len(queries)

    _world(1, built)
    small = statements()
    _world(6, built)
    large = statements()
    assert large == small
    # The figures are there: the last team's April cohort at step 1 is its
    # member's 6 accounts and its pool's 6, of which the even ones (3 + 3)
    # reached step 2 in May.
    last_team = TeamFigure.objects.order_by("-team_id").first().team
    found = figure(TeamFigure, last_team, step_key(built[1][0]), APRIL)
    assert (found.numerator, found.denominator) == (6, 12)


def _grouped_by(sql: str) -> list[str]:
    grouped = sql[sql.index(" GROUP BY ") + len(" GROUP BY ") :]
    return [item.strip() for item in grouped.split(" HAVING ")[0].split(", ")]


def test_the_figures_are_grouped_by_their_columns_not_by_their_metric_key():
    # The metric key ('step_conversion:<step id>', the SELECT's second column) is
    # made of columns the figures are grouped by; grouped by as well, it had
    # PostgreSQL sort every transition by the text, on disk at 100,000 accounts.
    as_of = jst(2026, 6, 20)
    statements = [
        str(
            figures._conversion_select(
                AccountTransition.objects.all(), "member_id", as_of=as_of
            ).query
        ),
        str(
            figures._value_point_select(
                AccountValuePoint.objects.all(), "team_id", as_of=as_of
            ).query
        ),
    ]
    if connection.vendor == "postgresql":
        statements.append(
            figures._median_select(
                AccountTransition.objects.all(), "pool_id", as_of=as_of
            )[0]
        )
    for sql in statements:
        grouped = _grouped_by(sql)
        assert "1" in grouped  # the owner, by its position in the SELECT
        assert "2" not in grouped, grouped
        assert not any("||" in item or "CONCAT" in item.upper() for item in grouped)


@pytest.mark.django_db
def test_events_at_a_month_end_count_in_their_month_in_tokyo():
    squad = team()
    sato = member(squad)
    built, (s1, s2, s3) = journey((90, 90, 90))
    customer = account(built, owner=sato)
    # 23:59:59 JST on April 30 is April; 00:00 JST on May 1 (still April 30,
    # 15:00 in UTC) is May.
    reach(customer, s1, jst(2026, 4, 30, 23, 59, 59), by=sato)
    reach(customer, s2, jst(2026, 5, 1, 0, 0, 0), by=sato)
    reach(customer, s3, jst(2026, 5, 31, 23, 59, 59), by=sato)
    write([APRIL, MAY], as_of=jst(2026, 6, 10))
    assert events_recorded(MemberFigure, sato, APRIL) == 1
    assert events_recorded(MemberFigure, sato, MAY) == 2
    assert events_recorded(TeamFigure, squad, APRIL) == 1
    assert events_recorded(TeamFigure, squad, MAY) == 2


@pytest.mark.django_db
def test_a_member_who_changes_team_mid_month_has_their_events_split_by_day():
    first, second = team(), team()
    kato = member(first)
    built, steps = journey((90, 90, 90, 90))
    customer = account(built, owner=kato)
    # Kato moves on April 15: the first team to April 14, the second from April 15.
    move_team(kato, second, on=date(2026, 4, 15))
    reach(customer, steps[0], jst(2026, 4, 2), by=kato)
    reach(customer, steps[1], jst(2026, 4, 14, 23, 59, 59), by=kato)
    # 00:00 JST on April 15 is April 14, 15:00 in UTC: already the second team's.
    reach(customer, steps[2], jst(2026, 4, 15, 0, 0, 0), by=kato)
    reach(customer, steps[3], jst(2026, 4, 28), by=kato)
    write([APRIL], as_of=jst(2026, 5, 10))
    assert events_recorded(MemberFigure, kato, APRIL) == 4
    assert events_recorded(TeamFigure, first, APRIL) == 2
    assert events_recorded(TeamFigure, second, APRIL) == 2


@pytest.mark.django_db
def test_events_follow_the_months_and_days_of_a_summer_time_zone(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    first, second, third = team(), team(), team()
    weber = member(first, since=date(2025, 1, 1))
    clerk = manager()
    built, steps = journey((90,) * 8)
    customer = account(built, owner=weber)
    # Summer time begins on Sunday March 29 at 02:00 (UTC+1 → UTC+2) and ends on
    # Sunday October 25 at 03:00 (UTC+2 → UTC+1).
    # Weber moves to the second team on March 30 (the first team's last day is the
    # day clocks went forward) and to the third on October 26 (the second's last
    # day is the day they went back).
    move_team(weber, second, on=date(2026, 3, 30))
    move_team(weber, third, on=date(2026, 10, 26))
    moments = [
        # 23:59:59 on March 29 (UTC+2: 21:59:59 UTC): first team, March.
        berlin(2026, 3, 29, 23, 59, 59),
        # 00:00 on March 30 (22:00 UTC on March 29): second team, March.
        berlin(2026, 3, 30, 0, 0, 0),
        # 00:00 on April 1 is 22:00 UTC on March 31: second team, April.
        berlin(2026, 4, 1, 0, 0, 0),
        # 23:30 on October 25 (UTC+1: 22:30 UTC): second team, October.
        berlin(2026, 10, 25, 23, 30),
        # 00:00:30 on October 26 (23:00:30 UTC on October 25): third team.
        berlin(2026, 10, 26, 0, 0, 30),
        # 23:59:59 on October 31 (22:59:59 UTC): third team, October.
        berlin(2026, 10, 31, 23, 59, 59),
        # 00:00 on November 1 (23:00 UTC on October 31): third team, November.
        berlin(2026, 11, 1, 0, 0, 0),
    ]
    for step, moment in zip(steps, moments, strict=False):
        reach(customer, step, moment, by=weber)
    # A manager's event counts for nobody.
    reach(customer, steps[7], berlin(2026, 3, 30, 12), by=clerk)
    write([MARCH, APRIL, OCTOBER, NOVEMBER], as_of=berlin(2026, 11, 20))
    assert events_recorded(MemberFigure, weber, MARCH) == 2
    assert events_recorded(MemberFigure, weber, APRIL) == 1
    assert events_recorded(MemberFigure, weber, OCTOBER) == 3
    assert events_recorded(MemberFigure, weber, NOVEMBER) == 1
    assert events_recorded(TeamFigure, first, MARCH) == 1
    assert events_recorded(TeamFigure, second, MARCH) == 1
    assert events_recorded(TeamFigure, second, APRIL) == 1
    assert events_recorded(TeamFigure, second, OCTOBER) == 1
    assert events_recorded(TeamFigure, third, OCTOBER) == 2
    assert events_recorded(TeamFigure, third, NOVEMBER) == 1
    assert not MemberFigure.objects.filter(member=clerk).exists()


@pytest.mark.django_db
def test_training_completion_per_member_and_per_team_of_the_months_last_day():
    north, south = team(), team()
    ito = member(north)
    kato = member(north)
    endo = member(south)
    # Kato moves to the south team on June 16.
    move_team(kato, south, on=date(2026, 6, 16))
    handbook = TrainingModuleFactory(title="Setup workshop")
    renewal = TrainingModuleFactory(title="Renewal talk")
    to_north = journey_services.training_assign(
        module=handbook, due_date=date(2026, 6, 30), by=None, team=north
    )
    to_endo = journey_services.training_assign(
        module=renewal, due_date=date(2026, 6, 30), by=None, member=endo
    )
    TrainingAssignment.objects.filter(pk=to_north.pk).update(
        assigned_at=jst(2026, 5, 10)
    )
    TrainingAssignment.objects.filter(pk=to_endo.pk).update(
        assigned_at=jst(2026, 5, 20)
    )
    journey_services.training_complete(
        module=handbook, member=ito, answers=None, now=jst(2026, 5, 20)
    )
    journey_services.training_complete(
        module=handbook, member=kato, answers=None, now=jst(2026, 6, 20)
    )
    write([], training_months=[MAY, JUNE], as_of=jst(2026, 7, 1))

    def completion(table, owner, month):
        return shape(figure(table, owner, TRAINING, month))

    # End of May: Ito 1 of 1 (the handbook), Kato 0 of 1 (the north team's
    # handbook), Endo 0 of 1 (the renewal talk). North on May 31 is Ito and Kato:
    # 1 of 2; south is Endo: 0 of 1.
    assert completion(MemberFigure, ito, MAY) == (1.0, 1, 1, False, None)
    assert completion(MemberFigure, kato, MAY) == (0.0, 0, 1, False, None)
    assert completion(MemberFigure, endo, MAY) == (0.0, 0, 1, False, None)
    assert completion(TeamFigure, north, MAY) == (0.5, 1, 2, False, None)
    assert completion(TeamFigure, south, MAY) == (0.0, 0, 1, False, None)
    # End of June: Kato did the handbook on June 20, after his move (still his
    # assignment: he was in the north team before its due date) → 1 of 1. North
    # on June 30 is Ito alone: 1 of 1; south is Kato and Endo: 1 of 2.
    assert completion(MemberFigure, kato, JUNE) == (1.0, 1, 1, False, None)
    assert completion(TeamFigure, north, JUNE) == (1.0, 1, 1, False, None)
    assert completion(TeamFigure, south, JUNE) == (0.5, 1, 2, False, None)
    assert no_figure(figure(MemberFigure, ito, TRAINING, date(2026, 7, 1)))


@pytest.mark.django_db
def test_rewriting_a_month_replaces_its_figures_and_leaves_the_others():
    squad = team()
    sato = member(squad)
    built, (s1, s2, _s3) = journey((90, 90, 90))
    customer = account(built, owner=sato)
    reach(customer, s1, jst(2026, 4, 3), by=sato)
    reach(customer, s2, jst(2026, 5, 3), by=sato)
    write([APRIL, MAY], as_of=jst(2026, 6, 1))
    later = account(built, owner=sato)
    reach(later, s1, jst(2026, 5, 20), by=sato)
    reach(later, s1, jst(2026, 4, 20), by=sato)
    write([MAY], as_of=jst(2026, 6, 2))
    # April keeps what it had (one event); May is counted again: two events.
    assert events_recorded(MemberFigure, sato, APRIL) == 1
    assert events_recorded(MemberFigure, sato, MAY) == 2
    assert (
        MemberFigure.objects.filter(
            member=sato, metric=EVENTS_RECORDED, month=MAY
        ).count()
        == 1
    )
