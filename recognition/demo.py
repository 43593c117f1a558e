"""Demo data of the management pillar, added by `manage.py seed_demo` (declared in
recognition/apps.py, run by accounts/demo.py) after the hiring and journeys demos:
competency assessments, a career ladder with criteria and everyone's level,
development plans that close the loop on a weak transition, an award program with a
different metric for each of the last six months, and the rollups (with the winners
of the periods whose cohorts are final).

Everything goes through the services, as a user would; running it again changes
nothing.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from accounts.demo import DemoContext
from accounts.models import Role, Team, TeamMembership
from hiring.models import Competency
from journeys.models import Journey, TrainingModule

from . import metrics
from .demo_organisation import OrganisationDemo
from .demo_planning import seed_capacity_plans
from .models import (
    AwardProgram,
    CareerLevel,
    CareerTrack,
    CompetencyAssessment,
    DevelopmentPlan,
    MemberLevel,
    PlanStatus,
    PromotionStep,
    RollupRun,
)
from .selectors.figures import member_figures
from .services import awards as award_services
from .services import development as development_services
from .services import promotion as promotion_services
from .services.rollup import rollup

AWARD_NAME = "月間MVP"
SMB_AWARD_NAME = "SMB月間MVP"
SMB_TEAM = "SMBプール"
SMB_JOURNEY = "SMBテックタッチ・ジャーニー"
LEVELS = [
    ("アソシエイトCSM", "Associate CSM", "まずはプールで型を身につける段階。"),
    ("CSM", "CSM", "担当アカウントを一人で前に進められる。"),
    ("シニアCSM", "Senior CSM", "難しいアカウントを任され、後輩を支える。"),
    ("ストラテジックCSM", "Strategic CSM", "高ARRの戦略アカウントを1対1で担当する。"),
]
EVIDENCE = {
    1: "期待する行動がまだ見られない。次の1on1で具体例を一緒に振り返る。",
    2: "場面によってはできているが、安定していない。",
    3: "顧客との会話で安定して発揮できている。",
    4: "チームの手本になっており、他のメンバーにも教えている。",
}


class RecognitionDemo:
    def __init__(self, context: DemoContext):
        self.admin = context.admin
        self.small = context.small
        self.now = context.now
        self.today = context.today
        self.random = random.Random(context.seed + 7)
        self.leaders = {
            team.pk: team.leader for team in Team.objects.exclude(leader=None)
        }
        self.members = [
            (membership.user, self.leaders.get(membership.team_id))
            for membership in TeamMembership.objects.filter(
                end_date__isnull=True, user__groups__name=Role.MEMBER.value
            )
            .select_related("user")
            .order_by("team__name", "start_date", "user__pk")
        ]
        self.journey = Journey.objects.filter(is_active=True).order_by("pk").first()
        self.organisation = OrganisationDemo(context)

    def seed(self) -> None:
        if not RollupRun.objects.exists():
            rollup(full=True)
        self._assessments()
        self._ladder()
        self._plans()
        self._awards()
        self.organisation.seed()
        seed_capacity_plans(admin=self.admin, today=self.today)

    def _at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, time(hour), tzinfo=metrics.tz())

    # Competency assessments: two per member, three months apart.

    def _assessments(self) -> None:
        competencies = list(Competency.objects.filter(is_active=True).order_by("pk"))
        if not competencies:
            return
        for member, leader in self.members:
            if (
                leader is None
                or CompetencyAssessment.objects.filter(member=member).exists()
            ):
                continue
            # Each member has a character: strong on some competencies.
            base = {c.pk: self.random.choice((2, 2, 3, 3, 3, 4)) for c in competencies}
            for months_ago, growth in ((5, 0), (2, 1)):
                ratings = []
                for competency in competencies:
                    grew = growth and self.random.random() < 0.35
                    rating = min(4, base[competency.pk] + grew)
                    ratings.append(
                        {
                            "competency": competency,
                            "rating": rating,
                            "evidence": EVIDENCE[rating],
                        }
                    )
                development_services.assessment_create(
                    member=member,
                    by=leader,
                    ratings=ratings,
                    note="四半期の振り返り面談にて。",
                    now=self._at(
                        metrics.add_months(self.today.replace(day=1), -months_ago)
                        + timedelta(days=14)
                    ),
                )

    # The career ladder, its criteria, and everyone's level.

    def _ladder(self) -> None:
        if CareerLevel.objects.exists():
            return
        levels = []
        for position, (name, name_en, description) in enumerate(LEVELS, start=1):
            levels.append(
                promotion_services.level_save(
                    level=CareerLevel(),
                    by=self.admin,
                    name=name,
                    name_en=name_en,
                    position=position,
                    description=description,
                )
            )
        steps = list(metrics.current_steps_by_journey([self.journey]).values())[0]
        modules = list(
            TrainingModule.objects.filter(from_step__journey=self.journey).order_by(
                "from_step__position", "pk"
            )
        )
        competencies = list(Competency.objects.filter(is_active=True).order_by("pk"))
        criteria = [
            # Associate → CSM: the basics of the first transitions.
            (0.40, 6, 2, modules[:2]),
            # CSM → senior: converting well through the middle of the journey.
            (0.55, 6, 3, modules[:4]),
            # Senior → strategic: excellent conversion, every module.
            (0.70, 12, 3, modules),
        ]
        for index, (threshold, months, minimum, required) in enumerate(criteria):
            promotion_services.step_save(
                step=PromotionStep(),
                by=self.admin,
                from_level=levels[index],
                to_level=levels[index + 1],
                required_modules=required,
                metric_criteria=[
                    {
                        "metric": f"step_conversion:{steps[index].pk}",
                        "comparison": "gte",
                        "value": threshold,
                        "months": months,
                    }
                ],
                competency_criteria=[
                    {"competency": competency, "minimum_rating": minimum}
                    for competency in competencies[:3]
                ],
            )
        self._smb_track(levels, competencies)
        for number, (member, _leader) in enumerate(self.members):
            if MemberLevel.objects.filter(member=member).exists():
                continue
            level = levels[0] if number % 3 == 0 else levels[1 + number % 2]
            promotion_services.promotion_record(
                member=member,
                by=self.admin,
                level=level,
                since=date(2025, 4, 1),
                note="Kata導入時の等級。",
                now=self._at(date(2025, 4, 1)),
            )

    def _smb_track(self, levels, competencies) -> None:
        """The pooled SMB team climbs its own ladder: conversion on the tech-touch
        journey and its modules, where the default ladder's dedicated-journey
        criteria would leave them without data forever."""
        team = Team.objects.filter(name=SMB_TEAM).first()
        pooled = Journey.objects.filter(name=SMB_JOURNEY).first()
        if team is None or pooled is None:
            return
        steps = metrics.current_steps_by_journey([pooled]).get(pooled, [])
        if len(steps) < 4:
            return
        track = CareerTrack.objects.create(name="SMBプール", team=team)
        modules = list(
            TrainingModule.objects.filter(from_step__journey=pooled).order_by(
                "from_step__position", "pk"
            )
        )
        criteria = [
            (0.30, 6, 2, modules[:2]),
            (0.45, 6, 3, modules[:4]),
            (0.60, 12, 3, modules),
        ]
        for index, (threshold, months, minimum, required) in enumerate(criteria):
            promotion_services.step_save(
                step=PromotionStep(),
                by=self.admin,
                track=track,
                from_level=levels[index],
                to_level=levels[index + 1],
                required_modules=required,
                metric_criteria=[
                    {
                        "metric": f"step_conversion:{steps[index].pk}",
                        "comparison": "gte",
                        "value": threshold,
                        "months": months,
                    }
                ],
                competency_criteria=[
                    {"competency": competency, "minimum_rating": minimum}
                    for competency in competencies[:2]
                ],
            )

    # Development plans: the weak transition of some members becomes a target.

    def _plans(self) -> None:
        steps = list(metrics.current_steps_by_journey([self.journey]).values())[0]
        if len(steps) < 3 or DevelopmentPlan.objects.exists():
            return
        transition = steps[1]
        metric = development_services.transition_metric(transition)
        set_on = metrics.add_months(self.today.replace(day=1), -2)
        for member, leader in self.members[::2]:
            if leader is None:
                continue
            figure = member_figures(
                member_ids=[member.pk],
                metrics=[metric],
                period=metrics.last_months_period(3, today=set_on),
            ).get((member.pk, metric.key))
            current = figure.value if figure and figure.value is not None else 0.4
            development_services.plan_add_transition(
                member=member,
                step=transition,
                by=leader,
                target_value=min(0.95, round(current + 0.15, 2)),
                by_date=metrics.add_months(set_on, 6),
                training_due_date=set_on + timedelta(days=30),
                now=self._at(set_on + timedelta(days=3)),
            )
            development_services.check_in_add(
                member=member,
                by=leader,
                held_on=set_on + timedelta(days=35),
                text="研修を受講済み。次の2件でセットアップ支援のチェックリストを使ってみる。",
                status=PlanStatus.ON_TRACK,
            )
            development_services.check_in_add(
                member=member,
                by=member,
                held_on=self.today - timedelta(days=7),
                text="チェックリストを使うと初回ミーティング後の宿題が明確になった。",
                status=self.random.choice((PlanStatus.ON_TRACK, PlanStatus.AT_RISK)),
            )

    # An award program: a different metric for each of the last six months.

    def _awards(self) -> None:
        if AwardProgram.objects.filter(name=AWARD_NAME).exists():
            return
        teams = list(Team.objects.filter(parent__isnull=False).order_by("name"))
        # The pooled SMB team works another journey: its own program (below), where
        # the dedicated journey's metrics would leave its members unqualified.
        smb = [team for team in teams if team.name == SMB_TEAM]
        if smb and len(teams) > 1:
            teams = [team for team in teams if team not in smb]
            self._smb_awards(smb[0])
        program = award_services.award_program_create(
            by=self.admin,
            name=AWARD_NAME,
            description="毎月、チーム全体で注力する指標を一つ選んで表彰します。",
            cadence="monthly",
            teams=teams or list(Team.objects.all()),
            winners=3,
            minimum_denominator=2 if self.small else 5,
        )
        steps = list(metrics.current_steps_by_journey([self.journey]).values())[0]
        conversion = [f"step_conversion:{step.pk}" for step in steps[:-1]]
        # From six months ago to next month: conversions in the older months (their
        # cohorts are final by now, so they have winners), then metrics that settle
        # later (provisional leaderboards).
        plan = [
            conversion[0],
            conversion[1 % len(conversion)],
            conversion[2 % len(conversion)],
            f"journey_conversion:{self.journey.pk}",
            f"value_points_on_time:{self.journey.pk}",
            conversion[-1],
            conversion[0],
            "training_completion",
        ]
        month = self.today.replace(day=1)
        for offset, metric in zip(range(-6, 2), plan, strict=True):
            period = metrics.add_months(month, offset)
            if metrics.metric_by_key(metric) is None:
                continue
            award_services.award_period_set_metric(
                program=program,
                by=self.admin,
                period=f"{period:%Y-%m}",
                metric=metric,
                # Set ahead of time: the week before the month starts.
                now=min(self.now, self._at(period - timedelta(days=7))),
            )
        self._close_awards()

    def _smb_awards(self, team) -> None:
        """The SMB pool's monthly award on its tech-touch journey's conversions."""
        pooled = Journey.objects.filter(name=SMB_JOURNEY).first()
        steps = (
            metrics.current_steps_by_journey([pooled]).get(pooled, []) if pooled else []
        )
        if len(steps) < 2:
            return
        program = award_services.award_program_create(
            by=self.admin,
            name=SMB_AWARD_NAME,
            description="SMBプールの月間表彰：テックタッチ・ジャーニーの転換率。",
            cadence="monthly",
            teams=[team],
            winners=1,
            minimum_denominator=2,
        )
        conversion = [f"step_conversion:{step.pk}" for step in steps[:-1]]
        month = self.today.replace(day=1)
        for offset in range(-3, 2):
            period = metrics.add_months(month, offset)
            award_services.award_period_set_metric(
                program=program,
                by=self.admin,
                period=f"{period:%Y-%m}",
                metric=conversion[offset % len(conversion)],
                now=min(self.now, self._at(period - timedelta(days=7))),
            )

    def _close_awards(self) -> None:
        # The past periods close now: their winners get in-app notices, no email.
        award_services.award_periods_close(now=self.now, email=False)
