"""Data for the award tests: programs, periods with their metric, members in teams
and their monthly figures.

Figures are written straight into `MemberFigure` where the ranking is what a test is
about (the counts are then exactly the ones the test states); the closing tests build
step events and run the rollup instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import factory

from accounts.models import Role, Team, User
from recognition import metrics
from recognition.models import (
    AwardPeriod,
    AwardProgram,
    AwardWinner,
    Cadence,
    MemberFigure,
)
from tests.factories import TeamMembershipFactory, UserFactory
from tests.journeys.factories import journey_with_steps

JST = ZoneInfo("Asia/Tokyo")
APRIL = date(2026, 4, 1)


def jst(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


def this_month() -> date:
    return metrics.this_month()


def month(offset: int) -> date:
    """The first day of the month `offset` months from the current one."""
    return metrics.add_months(metrics.this_month(), offset)


class AwardProgramFactory(factory.django.DjangoModelFactory):
    """`teams=[team, …]` sets the teams taking part."""

    class Meta:
        model = AwardProgram
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Award {n}")
    cadence = Cadence.MONTHLY
    winners = 3
    minimum_denominator = 2

    @factory.post_generation
    def teams(program, create, extracted, **kwargs):
        if create and extracted:
            program.teams.set(extracted)


def award_metric() -> tuple[str, list]:
    """A journey of three steps and the key of its first transition's conversion."""
    _journey, steps = journey_with_steps(3)
    return f"step_conversion:{steps[0].pk}", steps


def award_period(
    program: AwardProgram,
    first_month: date,
    metric: str,
    *,
    set_by: User,
    closed_at: datetime | None = None,
) -> AwardPeriod:
    """The period of the program's cadence that holds `first_month`."""
    if program.cadence == Cadence.QUARTERLY:
        span = metrics.quarter_period(*metrics.quarter_of(first_month))
    else:
        span = metrics.month_period(first_month)
    return AwardPeriod.objects.create(
        program=program,
        start=span.first_month,
        end=span.last_day,
        metric=metric,
        set_by=set_by,
        set_at=datetime(2026, 1, 1, tzinfo=UTC),
        closed_at=closed_at,
    )


def member_of(team: Team, *, since: date = date(2025, 4, 1), end=None, **kw) -> User:
    user = UserFactory(roles=[Role.MEMBER], **kw)
    TeamMembershipFactory(team=team, user=user, start_date=since, end_date=end)
    return user


def figure(
    member: User,
    metric: str,
    on_month: date,
    numerator: int,
    denominator: int,
    *,
    provisional: bool = False,
    final_at: datetime | None = None,
) -> MemberFigure:
    return MemberFigure.objects.create(
        member=member,
        metric=metric,
        month=on_month,
        value=numerator / denominator,
        numerator=numerator,
        denominator=denominator,
        provisional=provisional,
        final_at=final_at,
        computed_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def winner(period: AwardPeriod, member: User, rank: int, numerator, denominator):
    return AwardWinner.objects.create(
        period=period,
        member=member,
        rank=rank,
        value=numerator / denominator,
        numerator=numerator,
        denominator=denominator,
    )


@dataclass
class AwardsWorld:
    """Team A's monthly award "Conversion MVP" (one winner, minimum cohort 2):
    this month's metric is the first transition's conversion, with member_a 3/4, a
    teammate 4/4 and a newcomer 1/1 (below the minimum). Two months ago is closed,
    member_a its winner (2/2). `spare` is a second program of team A without
    periods."""

    program: AwardProgram
    current: AwardPeriod
    past: AwardPeriod
    key: str
    steps: list
    teammate: User
    newcomer: User
    spare: AwardProgram


def awards_world(org) -> AwardsWorld:
    """Built once per organisation (memoised on it)."""
    world = getattr(org, "awards_world", None)
    if world is not None:
        return world
    key, steps = award_metric()
    program = AwardProgramFactory(
        name="Conversion MVP", teams=[org.team_a], winners=1, minimum_denominator=2
    )
    current = award_period(program, month(0), key, set_by=org.admin)
    teammate = member_of(org.team_a, family_name="同僚")
    newcomer = member_of(org.team_a, family_name="新人")
    figure(org.member_a, key, month(0), 3, 4)
    figure(teammate, key, month(0), 4, 4)
    figure(newcomer, key, month(0), 1, 1)
    past = award_period(
        program, month(-2), key, set_by=org.admin, closed_at=jst(2026, 1, 1)
    )
    figure(org.member_a, key, month(-2), 2, 2)
    winner(past, org.member_a, 1, 2, 2)
    world = AwardsWorld(
        program=program,
        current=current,
        past=past,
        key=key,
        steps=steps,
        teammate=teammate,
        newcomer=newcomer,
        spare=AwardProgramFactory(name="Spare award", teams=[org.team_a]),
    )
    org.awards_world = world
    return world
