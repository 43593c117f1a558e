"""A small team with hand-checked figures for the dashboard, member page,
retrospective and metrics API tests.

Team A (leader manager_a) has member_a and member_c; member_b is in team B. A journey
of three steps, every window 90 days (journey window 180 days). All times 12:00 JST;
the rollup runs on 2026-09-01 (`NOW`). Accounts and their events:

| account | owner    | step 1 | step 2 | step 3 |
|---------|----------|--------|--------|--------|
| A1      | member_a | Apr 3  | Apr 10 | Apr 20 |
| A2      | member_a | Apr 5  | Apr 25 |        |
| A3      | member_a | Apr 7  |        |        |
| A4      | member_a | Apr 9  |        |        |
| C1      | member_c | Apr 2  | Apr 6  | May 1  |
| C2      | member_c | Apr 3  | Apr 8  |        |
| C3      | member_c | Apr 4  | Apr 10 |        |
| B1      | member_b | Apr 3  |        |        |

April 2026, by hand (METRICS.md):
- step 1 → 2: member_a 2 of 4 = 50 %, member_c 3 of 3 = 100 %, team A 5 of 7; the
  members' median is 75 %: member_a's cell stands out.
- median days 1 → 2: member_a median(7, 20) = 13.5, member_c median(4, 5, 6) = 5.
- step 2 → 3: member_a 1 of 2 (A1) = 50 %, member_c 1 of 3 (C1) = 33.3 %, team 2 of 5;
  median 41.7 %: member_c's cell stands out.
- journey 1 → 3: member_a 1 of 4, provisional until 2026-10-06 12:00 JST (A4's
  window); member_c 1 of 3, provisional until 2026-10-01 12:00 JST (C3's).
- training: "Kickoff training" (step 1) is assigned to team A, due 2026-04-30;
  member_c passed it and "Setup training" (step 2) in April, member_a neither:
  training completion member_a 0 of 1, member_c 1 of 1, team 1 of 2.
- member_a's weakest transition: 1 → 2 and 2 → 3 are both 50 %; the larger cohort
  (4) wins: 1 → 2.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from accounts.models import Role, User
from journeys.models import (
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    Playbook,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from recognition.services.rollup import rollup
from tests.factories import Organisation, TeamMembershipFactory, UserFactory
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    StepEventFactory,
    TrainingModuleFactory,
    journey_with_steps,
)

JST = ZoneInfo("Asia/Tokyo")
EARLY = datetime(2026, 1, 1, tzinfo=JST)
APRIL = "2026-04"
APRIL_FIRST = date(2026, 4, 1)


def jst(year, month, day, hour=12, minute=0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


NOW = jst(2026, 9, 1)


def team_member(team, username: str, family_name: str, **kwargs) -> User:
    user = UserFactory(
        username=username,
        family_name=family_name,
        given_name=username,
        roles=[Role.MEMBER],
        **kwargs,
    )
    TeamMembershipFactory(team=team, user=user, start_date=date(2025, 4, 1))
    return user


def owned_account(journey: Journey, owner: User, name: str = "") -> CustomerAccount:
    account = CustomerAccountFactory(
        journey=journey, **({"name": name} if name else {})
    )
    Coverage.objects.create(
        account=account, model=CoverageModel.DEDICATED, owner=owner, started_at=EARLY
    )
    return account


def reach(account: CustomerAccount, step: Step, when: datetime) -> StepEvent:
    return StepEventFactory(
        account=account, step=step, reached_at=when, source=StepEvent.Source.IMPORT
    )


def journey_path(account: CustomerAccount, steps: list[Step], *days) -> None:
    """The account reaches steps 1, 2, … on these (month, day)s of 2026."""
    for step, (month, day) in zip(steps, days, strict=False):
        reach(account, step, jst(2026, month, day))


@dataclass
class DashboardWorld:
    org: Organisation
    member_c: User
    journey: Journey
    steps: list[Step]
    kickoff_module: TrainingModule
    setup_module: TrainingModule
    playbook: Playbook
    accounts: dict[str, CustomerAccount]

    @property
    def s1(self) -> Step:
        return self.steps[0]

    @property
    def s2(self) -> Step:
        return self.steps[1]

    def key(self, family: str, step: Step | None = None) -> str:
        if family == "journey_conversion":
            return f"journey_conversion:{self.journey.pk}"
        if family == "training_completion":
            return family
        return f"{family}:{step.pk}"


def build_dashboard_world(org: Organisation, *, run: bool = True) -> DashboardWorld:
    member_c = team_member(org.team_a, "member_c", "千田")
    journey, steps = journey_with_steps(3, name="オンボーディング")
    s1, s2, s3 = steps
    paths = {
        "A1": (org.member_a, [(4, 3), (4, 10), (4, 20)]),
        "A2": (org.member_a, [(4, 5), (4, 25)]),
        "A3": (org.member_a, [(4, 7)]),
        "A4": (org.member_a, [(4, 9)]),
        "C1": (member_c, [(4, 2), (4, 6), (5, 1)]),
        "C2": (member_c, [(4, 3), (4, 8)]),
        "C3": (member_c, [(4, 4), (4, 10)]),
        "B1": (org.member_b, [(4, 3)]),
    }
    accounts = {}
    for name, (owner, days) in paths.items():
        accounts[name] = owned_account(journey, owner, name=f"Customer {name}")
        journey_path(accounts[name], steps, *days)
    kickoff = TrainingModuleFactory(from_step=s1, title="Kickoff training")
    setup = TrainingModuleFactory(from_step=s2, title="Setup training")
    assignment = TrainingAssignment.objects.create(
        module=kickoff, team=org.team_a, due_date=date(2026, 4, 30)
    )
    TrainingAssignment.objects.filter(pk=assignment.pk).update(
        assigned_at=jst(2026, 3, 31)
    )
    for module, day in ((kickoff, 15), (setup, 16)):
        TrainingCompletion.objects.create(
            module=module, member=member_c, completed_at=jst(2026, 4, day), passed=True
        )
    playbook = PlaybookFactory(from_step=s1, owner=org.manager_a)
    PlaybookVersionFactory(
        playbook=playbook,
        goal="初期設定を2週間で終える",
        actions="設定ワークショップを開く\nチェックリストを送る",
    )
    if run:
        rollup(now=NOW)
    return DashboardWorld(
        org=org,
        member_c=member_c,
        journey=journey,
        steps=steps,
        kickoff_module=kickoff,
        setup_module=setup,
        playbook=playbook,
        accounts=accounts,
    )


def grow(world: DashboardWorld, *, members: int, accounts_each: int) -> None:
    """More members in team A, each owning accounts that reach steps 1 and 2 in
    April, then a rollup: for query counts at a larger size."""
    s1, s2, _s3 = world.steps
    for n in range(members):
        user = team_member(world.org.team_a, f"extra{n}", f"追加{n}")
        for k in range(accounts_each):
            account = owned_account(world.journey, user)
            reach(account, s1, jst(2026, 4, 2 + k % 20))
            if k % 2:
                reach(account, s2, jst(2026, 4, 25))
        TrainingCompletion.objects.create(
            module=world.kickoff_module,
            member=user,
            completed_at=jst(2026, 4, 20),
            passed=True,
        )
    rollup(now=NOW, full=True)
