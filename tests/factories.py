from dataclasses import dataclass
from datetime import date, timedelta

import factory
from django.utils import timezone

from accounts import services as account_services
from accounts.models import Role, Team, TeamMembership, User

TEST_PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    family_name = factory.Faker("last_name", locale="ja_JP")
    given_name = factory.Faker("first_name", locale="ja_JP")
    family_name_reading = factory.Faker("last_kana_name", locale="ja_JP")
    given_name_reading = factory.Faker("first_kana_name", locale="ja_JP")
    preferred_language = "ja"
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def roles(user, create, extracted, **kwargs):
        if create and extracted:
            # Through the service, as every role change: periods held since always,
            # the groups of the current roles (created if a transactional test
            # flushed them) and the staff flag of the Admin role.
            account_services.user_set_roles(
                user=user, roles=extracted, since_always=True
            )


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TeamMembership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.MEMBER])
    start_date = date(2025, 4, 1)


@dataclass
class Organisation:
    """Two sibling teams A and B under a parent, with one person of each role.

    `sub_a` is a sub-team of A with its own leader and member.
    """

    admin: User
    manager_a: User
    manager_b: User
    member_a: User
    member_b: User
    sub_leader: User
    sub_member: User
    interviewer: User
    recruiter: User
    team_a: Team
    team_b: Team
    sub_a: Team
    hiring: "HiringWorld | None" = None

    def by_role(self) -> dict[str, User]:
        return {
            "admin": self.admin,
            "manager": self.manager_a,
            "member": self.member_a,
            "interviewer": self.interviewer,
            "recruiter": self.recruiter,
        }


def _person(username: str, family_name: str, **kwargs) -> User:
    return UserFactory(
        username=username, family_name=family_name, given_name=username, **kwargs
    )


def build_organisation() -> Organisation:
    # Distinct names: tests check whose name a page shows.
    admin = _person(
        "admin", "管理", roles=[Role.ADMIN], is_staff=True, is_superuser=True
    )
    manager_a = _person("manager_a", "青木", roles=[Role.MANAGER])
    manager_b = _person("manager_b", "馬場", roles=[Role.MANAGER])
    sub_leader = _person("sub_leader", "千葉", roles=[Role.MANAGER])
    team_a = TeamFactory(name="Team A", leader=manager_a)
    team_b = TeamFactory(name="Team B", leader=manager_b)
    sub_a = TeamFactory(name="Team A-1", parent=team_a, leader=sub_leader)
    member_a = TeamMembershipFactory(
        team=team_a, user=_person("member_a", "秋山", roles=[Role.MEMBER])
    ).user
    member_b = TeamMembershipFactory(
        team=team_b, user=_person("member_b", "坂本", roles=[Role.MEMBER])
    ).user
    sub_member = TeamMembershipFactory(
        team=sub_a, user=_person("sub_member", "土屋", roles=[Role.MEMBER])
    ).user
    return Organisation(
        admin=admin,
        manager_a=manager_a,
        manager_b=manager_b,
        member_a=member_a,
        member_b=member_b,
        sub_leader=sub_leader,
        sub_member=sub_member,
        interviewer=_person("interviewer", "二宮", roles=[Role.INTERVIEWER]),
        recruiter=_person("recruiter", "三浦", roles=[Role.RECRUITER]),
        team_a=team_a,
        team_b=team_b,
        sub_a=sub_a,
    )


# --- Hiring -------------------------------------------------------------------------


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "hiring.Competency"

    name = factory.Sequence(lambda n: f"コンピテンシー{n}")
    name_en = factory.Sequence(lambda n: f"Competency {n}")
    category = "skill"


class SuccessProfileFactory(factory.django.DjangoModelFactory):
    """`weights={competency: weight}` sets the profile's weights."""

    class Meta:
        model = "hiring.SuccessProfile"
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Profile {n}")

    @factory.post_generation
    def weights(profile, create, extracted, **kwargs):
        from hiring.models import ProfileWeight

        for competency, weight in (extracted or {}).items():
            ProfileWeight.objects.create(
                profile=profile, competency=competency, weight=weight
            )


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "hiring.Question"

    competency = factory.SubFactory(CompetencyFactory)
    kind = "behavioural"
    text = factory.Sequence(lambda n: f"質問{n}")
    text_en = factory.Sequence(lambda n: f"Question {n}")
    rubric_1 = "weak"
    rubric_2 = "below the bar"
    rubric_3 = "at the bar"
    rubric_4 = "strong"


class OpeningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "hiring.Opening"

    title = factory.Sequence(lambda n: f"Opening {n}")
    team = factory.SubFactory(TeamFactory)
    profile = factory.SubFactory(SuccessProfileFactory)
    hiring_manager = factory.SubFactory(UserFactory, roles=[Role.MANAGER])
    status = "open"


class InterviewKitFactory(factory.django.DjangoModelFactory):
    """`questions=[q1, q2]` puts the questions in the kit in this order."""

    class Meta:
        model = "hiring.InterviewKit"
        skip_postgeneration_save = True

    opening = factory.SubFactory(OpeningFactory)
    stage = "first"

    @factory.post_generation
    def questions(kit, create, extracted, **kwargs):
        from hiring.models import KitQuestion

        for position, question in enumerate(extracted or [], start=1):
            KitQuestion.objects.create(kit=kit, question=question, position=position)


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "hiring.Candidate"

    name = factory.Faker("name", locale="ja_JP")
    email = factory.Sequence(lambda n: f"candidate{n}@example.org")
    source = "referral"


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "hiring.Application"

    candidate = factory.SubFactory(CandidateFactory)
    opening = factory.SubFactory(OpeningFactory)
    stage = "interviewing"
    stage_changed_at = factory.LazyFunction(timezone.now)


def schedule_interview(application, kit, interviewer, *, when=None):
    """An interview with its empty scorecard, through the service."""
    from hiring import services

    return services.interview_schedule(
        application=application,
        kit=kit,
        interviewer=interviewer,
        scheduled_at=when or timezone.now() - timedelta(hours=2),
    )


def fill_scorecard(interview, *, ratings, overall=3, submit=True, summary=""):
    """Rate every kit question, and each competency as `ratings[competency]` (or the
    proposed mean when absent); submit unless told not to."""
    from hiring import services

    kit_questions = interview.kit.kit_questions.select_related("question")
    answers = {}
    for kit_question in kit_questions:
        question = kit_question.question
        answers[question.pk] = {
            "notes": f"notes on {question.pk}",
            "rating": ratings.get(question.competency, 3),
        }
    competencies = {
        kit_question.question.competency_id: ratings.get(
            kit_question.question.competency, 3
        )
        for kit_question in kit_questions
    }
    scorecard = interview.scorecard
    services.scorecard_save_draft(
        scorecard=scorecard,
        by=interview.interviewer,
        answers=answers,
        competency_ratings=competencies,
        overall=overall,
        summary=summary,
    )
    if submit:
        services.scorecard_submit(scorecard=scorecard, by=interview.interviewer)
    scorecard.refresh_from_db()
    return scorecard


@dataclass
class HiringWorld:
    """Opening A of team A (hiring manager: manager_a) with a two-question kit and a
    candidate whom `org.interviewer` interviewed (draft not submitted) and a second
    interviewer `panelist` interviewed (submitted)."""

    empathy: object
    logic: object
    profile: object
    questions: list
    opening: object
    kit: object
    candidate: object
    application: object
    interview: object  # org.interviewer's, not submitted
    panelist: User
    panel_interview: object  # submitted


def build_hiring(org: Organisation) -> HiringWorld:
    empathy = CompetencyFactory(name="共感力", name_en="Empathy", category="mindset")
    logic = CompetencyFactory(name="ロジカルさ", name_en="Logic", category="thinking")
    profile = SuccessProfileFactory(name="丁寧サポート", weights={empathy: 5, logic: 3})
    questions = [QuestionFactory(competency=empathy), QuestionFactory(competency=logic)]
    opening = OpeningFactory(
        title="CSM (Team A)",
        team=org.team_a,
        profile=profile,
        hiring_manager=org.manager_a,
    )
    kit = InterviewKitFactory(opening=opening, questions=questions)
    application = ApplicationFactory(
        opening=opening, candidate=CandidateFactory(name="候補 太郎")
    )
    panelist = _person("panelist", "五十嵐", roles=[Role.INTERVIEWER])
    interview = schedule_interview(application, kit, org.interviewer)
    panel_interview = schedule_interview(application, kit, panelist)
    fill_scorecard(panel_interview, ratings={empathy: 4, logic: 2}, overall=3)
    return HiringWorld(
        empathy=empathy,
        logic=logic,
        profile=profile,
        questions=questions,
        opening=opening,
        kit=kit,
        candidate=application.candidate,
        application=application,
        interview=interview,
        panelist=panelist,
        panel_interview=panel_interview,
    )
