"""Data for quality of hire and top performers: hires interviewed through hiring's
services, step-1 cohorts written directly as `AccountTransition` rows (clearer than
events plus a rollup when only the rows matter), and competency assessments."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from accounts.models import Role
from hiring import services as hiring_services
from hiring.models import Application
from journeys.models import CustomerAccount
from recognition import metrics
from recognition.models import (
    AccountTransition,
    CompetencyAssessment,
    CompetencyRating,
    ConversionKind,
)
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyFactory,
    InterviewKitFactory,
    OpeningFactory,
    QuestionFactory,
    SuccessProfileFactory,
    TeamMembershipFactory,
    UserFactory,
    schedule_interview,
)
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps


@dataclass
class QualityWorld:
    """A journey (steps 1–3), an opening of team A weighting empathy 5 and logic 3,
    and its kit asking three questions: `q_empathy`, `q_logic` and `q_other`
    (logic too). Two interviewers: `org.interviewer` and `second`."""

    org: object
    journey: object
    steps: list
    empathy: object
    logic: object
    q_empathy: object
    q_logic: object
    q_other: object
    opening: object
    kit: object
    second: object
    hires: list = field(default_factory=list)


def build_quality_world(org) -> QualityWorld:
    journey, steps = journey_with_steps(3, name="Onboarding")
    empathy = CompetencyFactory(name="共感力", name_en="Empathy", category="mindset")
    logic = CompetencyFactory(name="ロジカルさ", name_en="Logic", category="thinking")
    profile = SuccessProfileFactory(name="Care", weights={empathy: 5, logic: 3})
    q_empathy = QuestionFactory(competency=empathy, text_en="Empathy question")
    q_logic = QuestionFactory(competency=logic, text_en="Logic question")
    q_other = QuestionFactory(competency=logic, text_en="Other logic question")
    opening = OpeningFactory(
        title="CSM", team=org.team_a, profile=profile, hiring_manager=org.manager_a
    )
    kit = InterviewKitFactory(opening=opening, questions=[q_empathy, q_logic, q_other])
    second = UserFactory(username="second_interviewer", roles=[Role.INTERVIEWER])
    return QualityWorld(
        org=org,
        journey=journey,
        steps=steps,
        empathy=empathy,
        logic=logic,
        q_empathy=q_empathy,
        q_logic=q_logic,
        q_other=q_other,
        opening=opening,
        kit=kit,
        second=second,
    )


def interview(
    world, application, interviewer, *, answers: dict, overall: int, competencies=None
):
    """One submitted scorecard: `answers` maps question → rating; each competency is
    rated `competencies[competency]`, else the proposed mean of its questions."""
    scheduled = schedule_interview(application, world.kit, interviewer)
    by_competency: dict[int, list[int]] = {}
    for question, rating in answers.items():
        by_competency.setdefault(question.competency_id, []).append(rating)
    hiring_services.scorecard_save_draft(
        scorecard=scheduled.scorecard,
        by=interviewer,
        answers={q.pk: {"notes": "", "rating": r} for q, r in answers.items()},
        competency_ratings={
            pk: hiring_services.proposed_rating(ratings)
            for pk, ratings in by_competency.items()
        }
        | {
            competency.pk: rating for competency, rating in (competencies or {}).items()
        },
        overall=overall,
    )
    hiring_services.scorecard_submit(scorecard=scheduled.scorecard, by=interviewer)
    return scheduled


def hire(
    world,
    *,
    answers: dict | None = None,
    overall: int = 3,
    competencies: dict | None = None,
    second=None,
):
    """A member hired through Kata: a candidate linked to a new member of team A,
    interviewed by `org.interviewer` (and by `world.second` with `second` =
    (answers, overall), the same competency ratings), the application marked
    hired. Without `answers` the member has no interview ratings."""
    member = TeamMembershipFactory(
        team=world.org.team_a, user=UserFactory(roles=[Role.MEMBER])
    ).user
    candidate = CandidateFactory(user=member)
    application = ApplicationFactory(candidate=candidate, opening=world.opening)
    if answers:
        interview(
            world,
            application,
            world.org.interviewer,
            answers=answers,
            overall=overall,
            competencies=competencies,
        )
    if second:
        second_answers, second_overall = second
        interview(
            world,
            application,
            world.second,
            answers=second_answers,
            overall=second_overall,
            competencies=competencies,
        )
    Application.objects.filter(pk=application.pk).update(stage=Application.Stage.HIRED)
    world.hires.append(member)
    return member


def cohort(
    member,
    step,
    *,
    month: date,
    size: int,
    converted: int,
    open_window: bool = False,
    kind: str = ConversionKind.STEP,
):
    """`size` accounts whose transition from `step` is credited to `member` in
    `month`, `converted` of them converted. With `open_window` the others' windows
    end in the future (a provisional cohort)."""
    accounts = CustomerAccount.objects.bulk_create(
        CustomerAccountFactory.build_batch(size, journey=step.journey)
    )
    reached = metrics.month_start(month) + timedelta(days=1)
    now = timezone.now()
    AccountTransition.objects.bulk_create(
        AccountTransition(
            account=account,
            journey=step.journey,
            from_step=step,
            kind=kind,
            member=member,
            cohort_month=month,
            computed_at=now,
            reached_at=reached,
            window_ends_at=(now + timedelta(days=30))
            if open_window
            else reached + timedelta(days=90),
            converted=index < converted,
            converted_at=reached + timedelta(days=10) if index < converted else None,
            days_to_convert=10 if index < converted else None,
        )
        for index, account in enumerate(accounts)
    )


def months_ago(count: int, *, today: date | None = None) -> date:
    return metrics.add_months(metrics.this_month(today), -count)


def assess(member, by, ratings: dict, *, when=None) -> CompetencyAssessment:
    """A competency assessment of `member`: `ratings` maps competency → 1–4."""
    assessment = CompetencyAssessment.objects.create(
        member=member, assessed_by=by, assessed_at=when or timezone.now()
    )
    CompetencyRating.objects.bulk_create(
        CompetencyRating(assessment=assessment, competency=competency, rating=rating)
        for competency, rating in ratings.items()
    )
    return assessment


def member_in_team_a(org, **kwargs):
    return TeamMembershipFactory(
        team=org.team_a, user=UserFactory(roles=[Role.MEMBER], **kwargs)
    ).user
