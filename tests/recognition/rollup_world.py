"""Small worlds for the rollup tests: members in teams, accounts with their coverage
history and step events at exact moments in Asia/Tokyo, and ways to read back what
the rollup wrote.

Every expected number in the tests is computed by hand from `shared/METRICS.md`;
these helpers only build data and read rows, they compute nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from accounts import services as account_services
from accounts.models import Role, Team, User
from journeys import services as journey_services
from journeys.models import (
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    Pool,
    Step,
    StepEvent,
)
from recognition.models import (
    AccountTransition,
    AccountValuePoint,
    MemberFigure,
    PoolFigure,
    TeamFigure,
)
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    StepEventFactory,
    journey_with_steps,
)

JST = ZoneInfo("Asia/Tokyo")
# Coverage in these worlds starts long before any event, unless a test says so.
EARLY = datetime(2026, 1, 1, tzinfo=JST)
APRIL, MAY, JUNE, JULY, AUGUST = (date(2026, month, 1) for month in range(4, 9))

TRAINING = "training_completion"
EVENTS_RECORDED = "step_events_recorded"


def jst(year, month, day, hour=12, minute=0, second=0) -> datetime:
    """A moment on the organisation's clock (12:00 JST unless said)."""
    return datetime(year, month, day, hour, minute, second, tzinfo=JST)


# Metric keys (METRICS.md / recognition.metrics) ------------------------------------


def step_key(step: Step) -> str:
    return f"step_conversion:{step.pk}"


def days_key(step: Step) -> str:
    return f"days_to_convert:{step.pk}"


def journey_key(journey: Journey) -> str:
    return f"journey_conversion:{journey.pk}"


def value_points_key(journey: Journey) -> str:
    return f"value_points_on_time:{journey.pk}"


# People ---------------------------------------------------------------------------


def member(team: Team | None = None, *, since: date = date(2025, 4, 1), **kw) -> User:
    """A user holding the Member role, in `team` from `since`."""
    user = UserFactory(roles=[Role.MEMBER], **kw)
    if team is not None:
        TeamMembershipFactory(team=team, user=user, start_date=since)
    return user


def manager(**kw) -> User:
    """A manager: not a member, so never credited."""
    return UserFactory(roles=[Role.MANAGER], **kw)


def team(name: str | None = None) -> Team:
    return TeamFactory(**({"name": name} if name else {}))


def pool(of_team: Team) -> Pool:
    return PoolFactory(team=of_team)


def move_team(user: User, to: Team, *, on: date):
    """`user` belongs to `to` from `on`; the current membership ends the day before."""
    return account_services.team_membership_start(team=to, user=user, start_date=on)


# Journeys and accounts ------------------------------------------------------------


def journey(
    windows=(90, 90, 90), *, value_points: dict[int, int] | None = None, **fields
) -> tuple[Journey, list[Step]]:
    """A journey whose step k has window `windows[k-1]` days; `value_points` maps a
    position to its target days."""
    built, steps = journey_with_steps(len(windows), **fields)
    for step, window in zip(steps, windows, strict=True):
        step.conversion_window_days = window
        target = (value_points or {}).get(step.position)
        step.is_value_point = target is not None
        step.target_days = target
        step.save()
    return built, steps


def account(
    of_journey: Journey,
    *,
    owner: User | None = None,
    in_pool: Pool | None = None,
    since: datetime = EARLY,
) -> CustomerAccount:
    """An account covered from `since` by a dedicated owner or by a pool."""
    created = CustomerAccountFactory(journey=of_journey)
    if owner is not None or in_pool is not None:
        Coverage.objects.create(
            account=created,
            model=CoverageModel.DEDICATED if owner else CoverageModel.POOLED,
            owner=owner,
            pool=in_pool,
            started_at=since,
        )
    return created


def reach(
    of_account: CustomerAccount, step: Step, when: datetime, *, by: User | None = None
) -> StepEvent:
    """A step event as the data says it happened (test data, not the service: it
    may be on a step retired later)."""
    return StepEventFactory(
        account=of_account,
        step=step,
        reached_at=when,
        recorded_by=by,
        source=StepEvent.Source.UI if by else StepEvent.Source.IMPORT,
    )


def void(event: StepEvent, *, by: User, now: datetime | None = None) -> StepEvent:
    return journey_services.step_event_void(
        event=event, by=by, reason="recorded on the wrong account", now=now
    )


def change_owner(of_account: CustomerAccount, owner: User, *, at: datetime):
    return journey_services.account_assign_owner(
        account=of_account, owner=owner, by=None, at=at, confirm_not_ready=True
    )


def move_to_pool(of_account: CustomerAccount, to: Pool, *, at: datetime):
    return journey_services.account_move_to_pool(
        account=of_account, pool=to, by=None, at=at
    )


# Reading what the rollup wrote ----------------------------------------------------


def transitions_of(of_account: CustomerAccount) -> dict[tuple[int, str], object]:
    """(from step id, kind) → AccountTransition of the account."""
    return {
        (row.from_step_id, row.kind): row
        for row in AccountTransition.objects.filter(account=of_account)
    }


def value_points_of(of_account: CustomerAccount) -> dict[int, object]:
    """value-point step id → AccountValuePoint of the account."""
    return {
        row.step_id: row for row in AccountValuePoint.objects.filter(account=of_account)
    }


_OWNER = {MemberFigure: "member", TeamFigure: "team", PoolFigure: "pool"}


def figure(table, owner, metric: str, month: date):
    """The monthly figure row, or None."""
    return table.objects.filter(
        **{_OWNER[table]: owner}, metric=metric, month=month
    ).first()


def shape(row) -> tuple | None:
    """What a reader sees of a figure (row or FigureValue): value (rounded),
    numerator, denominator, provisional, and final_at while provisional (when a
    final figure became final: `final_since`). None when there is no figure."""
    if row is None or row.value is None:
        return None
    return (
        round(row.value, 6),
        row.numerator,
        row.denominator,
        row.provisional,
        row.final_at if row.provisional else None,
    )


def rate(numerator: int, denominator: int, *, until: datetime | None = None):
    """The expected `shape` of a percentage figure: provisional until `until`, or
    final when `until` is None."""
    return (
        round(numerator / denominator, 6),
        numerator,
        denominator,
        until is not None,
        until,
    )


def no_figure(row) -> bool:
    """An empty cohort has no figure: no row, or a row without a value — never 0."""
    return row is None or row.value is None


_SNAPSHOT_EXCLUDED = {"id", "computed_at"}


def snapshot() -> dict[str, list[tuple]]:
    """Every row of the per-account and monthly tables, without ids and the time
    they were computed, sorted: two snapshots are equal when the tables hold the
    same figures."""
    found = {}
    for model in (
        AccountTransition,
        AccountValuePoint,
        MemberFigure,
        TeamFigure,
        PoolFigure,
    ):
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if field.attname not in _SNAPSHOT_EXCLUDED
        ]
        rows = model.objects.order_by().values_list(*fields)
        found[model.__name__] = sorted(rows, key=repr)
    return found


def snapshot_difference(left: dict, right: dict) -> dict[str, dict]:
    """Per table, the rows only in `left` and only in `right` (empty when equal)."""
    found = {}
    for table in left:
        only_left = sorted(set(left[table]) - set(right[table]), key=repr)
        only_right = sorted(set(right[table]) - set(left[table]), key=repr)
        if only_left or only_right or len(left[table]) != len(right[table]):
            found[table] = {"incremental": only_left, "full": only_right}
    return found


# Time -----------------------------------------------------------------------------


class Clock:
    """The current time as the code sees it (`django.utils.timezone.now`), moved by
    the test: `recorded_at`, `updated_at` and the rollup's own start follow it, so
    that time passes between rollups as it does in production."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@contextmanager
def moving_clock(start: datetime):
    clock = Clock(start)
    with mock.patch("django.utils.timezone.now", clock):
        yield clock


# The worked example of METRICS.md --------------------------------------------------


@dataclass
class WorkedExample:
    team: Team
    sato: User
    suzuki: User
    journey: Journey
    s1: Step
    s2: Step
    s3: Step
    a: CustomerAccount
    b: CustomerAccount
    c: CustomerAccount
    d: CustomerAccount
    events: dict


def worked_example() -> WorkedExample:
    """METRICS.md: every step's window 90 days; Sato owns A, B and D, Suzuki owns C;
    both in one team. All times 12:00 JST unless said."""
    kata = team("Team Kata")
    sato = member(kata, family_name="佐藤", username="sato")
    suzuki = member(kata, family_name="鈴木", username="suzuki")
    built, (s1, s2, s3) = journey((90, 90, 90))
    a = account(built, owner=sato)
    b = account(built, owner=sato)
    c = account(built, owner=suzuki)
    d = account(built, owner=sato)
    events = {
        ("a", 1): reach(a, s1, jst(2026, 4, 3)),
        ("a", 2): reach(a, s2, jst(2026, 5, 10)),
        ("b", 1): reach(b, s1, jst(2026, 4, 20)),
        ("b", 3): reach(b, s3, jst(2026, 6, 1)),  # step 2 skipped
        ("c", 1): reach(c, s1, jst(2026, 4, 28)),
        ("c", 2): reach(c, s2, jst(2026, 8, 15)),  # 109 days later
        # 00:30 JST on May 1 is still April 30 in UTC.
        ("d", 1): reach(d, s1, jst(2026, 5, 1, 0, 30)),
    }
    return WorkedExample(kata, sato, suzuki, built, s1, s2, s3, a, b, c, d, events)
