"""A team with cohorts of at least 5 and a pool, for the team rate and the weakest
transition (METRICS.md v3), computed by hand.

Team A (leader manager_a): member_a, member_c and member_d, and the pool "Team A
pool" of team A. A journey of three steps, every window 90 days. Every account
reaches step 1 on 2026-04-03, step 2 on 2026-04-10 and step 3 on 2026-04-20 (all
12:00 JST) as far as it goes; the rollup runs on 2026-09-01, so every April cohort
is final.

| owner    | step 1 | step 2 | step 3 |
|----------|--------|--------|--------|
| member_a | 10     | 5      | 1      |
| member_c | 20     | 18     | 4      |
| member_d | 8      | 6      | 1      |
| the pool | 6      | 0      | 0      |  (recorded by an import: the pool only)

April 2026 by hand:
- step 1 → 2, team rate (the members' accounts) = (5 + 18 + 6) / (10 + 20 + 8)
  = 29/38 = 76.3 %; team incl. pools = 29/44 = 65.9 %. The median member
  (50 %, 90 %, 75 %) is 75 %: member_d's 75 % is below the team rate.
- step 2 → 3, team rate = (1 + 4 + 1) / (5 + 18 + 6) = 6/29 = 20.7 %.
- member_a: 1 → 2 at 50 % (cohort 10): shortfall (29/38 − 1/2) × 10 = 2.63;
  2 → 3 at 20 % (cohort 5): (6/29 − 1/5) × 5 = 0.03. Weakest: 1 → 2 (the lowest
  rate, 2 → 3, is not where member_a falls short).
- member_c: 90 % and 22.2 %, both above the team rate: no weakest transition (the
  old rule sent member_c to 2 → 3, a transition shown ▲).
- member_d: 1 → 2 at 75 % (cohort 8): (29/38 − 3/4) × 8 = 0.11; 2 → 3 at 16.7 %
  (cohort 6): (6/29 − 1/6) × 6 = 0.24. Weakest: 2 → 3.
- Needs attention: member_a at 1 → 2 (2.63 is the largest shortfall × cohort).
"""

from __future__ import annotations

from dataclasses import dataclass

from journeys.models import (
    Coverage,
    CoverageModel,
    Journey,
    Playbook,
    Step,
    TrainingModule,
)
from recognition.services.rollup import rollup
from tests.factories import Organisation
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    PoolFactory,
    TrainingModuleFactory,
    journey_with_steps,
)
from tests.recognition.dashboard_factories import (
    EARLY,
    NOW,
    jst,
    owned_account,
    reach,
    team_member,
)

APRIL_DAYS = ((4, 3), (4, 10), (4, 20))
# owner name → (accounts at step 1, at step 2, at step 3)
PATHS = {
    "member_a": (10, 5, 1),
    "member_c": (20, 18, 4),
    "member_d": (8, 6, 1),
    "pool": (6, 0, 0),
}


@dataclass
class CoachingWorld:
    org: Organisation
    members: dict
    journey: Journey
    steps: list[Step]
    playbook: Playbook
    module: TrainingModule

    @property
    def s1(self) -> Step:
        return self.steps[0]

    @property
    def s2(self) -> Step:
        return self.steps[1]


def build_coaching_world(org: Organisation, *, run: bool = True) -> CoachingWorld:
    members = {
        "member_a": org.member_a,
        "member_c": team_member(org.team_a, "member_c", "千田"),
        "member_d": team_member(org.team_a, "member_d", "土井"),
    }
    pool = PoolFactory(name="Team A pool", team=org.team_a)
    journey, steps = journey_with_steps(3, name="オンボーディング")
    for owner, counts in PATHS.items():
        for index in range(counts[0]):
            if owner == "pool":
                account = CustomerAccountFactory(journey=journey)
                Coverage.objects.create(
                    account=account,
                    model=CoverageModel.POOLED,
                    pool=pool,
                    started_at=EARLY,
                )
            else:
                account = owned_account(journey, members[owner])
            for step, reached, (month, day) in zip(
                steps, counts, APRIL_DAYS, strict=True
            ):
                if index < reached:
                    reach(account, step, jst(2026, month, day))
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    PlaybookVersionFactory(playbook=playbook, goal="初期設定を2週間で終える")
    module = TrainingModuleFactory(from_step=steps[0], title="Kickoff training")
    if run:
        rollup(now=NOW)
    return CoachingWorld(
        org=org,
        members=members,
        journey=journey,
        steps=steps,
        playbook=playbook,
        module=module,
    )
