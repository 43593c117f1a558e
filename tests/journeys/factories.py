"""Factories for the journeys pillar. Other journeys test files may import them."""

from datetime import UTC, date, datetime

import factory

from accounts.models import Role
from journeys.models import (
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    Playbook,
    PlaybookVersion,
    Pool,
    PoolMembership,
    QuizChoice,
    QuizQuestion,
    Step,
    StepEvent,
    TrainingModule,
)
from journeys.progress import refresh_progress
from tests.factories import TeamFactory, UserFactory

# A fixed moment the tests count from (2026-04-01 12:00 JST).
T0 = datetime(2026, 4, 1, 3, 0, tzinfo=UTC)


class JourneyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journey

    name = factory.Sequence(lambda n: f"Journey {n}")


class StepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Step

    journey = factory.SubFactory(JourneyFactory)
    position = factory.Sequence(lambda n: n + 1)
    name = factory.Sequence(lambda n: f"Step {n}")
    definition_of_done = "kickoff held\ngoals agreed"


def journey_with_steps(count: int = 5, **journey_fields) -> tuple[Journey, list[Step]]:
    """A journey with `count` current steps at positions 1..count."""
    journey = JourneyFactory(**journey_fields)
    steps = [
        StepFactory(journey=journey, position=position, name=f"Step {position}")
        for position in range(1, count + 1)
    ]
    return journey, steps


class PoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pool

    name = factory.Sequence(lambda n: f"Pool {n}")
    kind = Pool.Kind.SEGMENT
    team = factory.SubFactory(TeamFactory)


class PoolMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PoolMembership

    pool = factory.SubFactory(PoolFactory)
    user = factory.SubFactory(UserFactory, roles=[Role.MEMBER])
    start_date = date(2025, 4, 1)


class CustomerAccountFactory(factory.django.DjangoModelFactory):
    """`owner=user` or `pool=pool` opens its coverage from T0 (without readiness
    checks: this is test data, not the service)."""

    class Meta:
        model = CustomerAccount
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Customer {n}")
    external_id = factory.Sequence(lambda n: f"CRM-{n:05d}")
    segment = "SMB"
    journey = factory.SubFactory(JourneyFactory)

    @factory.post_generation
    def owner(account, create, extracted, **kwargs):
        if create and extracted:
            Coverage.objects.create(
                account=account,
                model=CoverageModel.DEDICATED,
                owner=extracted,
                started_at=T0,
            )

    @factory.post_generation
    def pool(account, create, extracted, **kwargs):
        if create and extracted:
            Coverage.objects.create(
                account=account,
                model=CoverageModel.POOLED,
                pool=extracted,
                started_at=T0,
            )


class StepEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StepEvent

    account = factory.SubFactory(CustomerAccountFactory)
    step = factory.SubFactory(StepFactory)
    reached_at = T0
    source = StepEvent.Source.UI

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The account's stored progress follows, as the services keep it.
        event = super()._create(model_class, *args, **kwargs)
        refresh_progress(account_ids=[event.account_id])
        return event


class PlaybookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Playbook

    from_step = factory.SubFactory(StepFactory)
    owner = factory.SubFactory(UserFactory, roles=[Role.MANAGER])


class PlaybookVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaybookVersion

    playbook = factory.SubFactory(PlaybookFactory)
    number = 1
    goal = "Setup done within two weeks"
    actions = "Run the setup workshop\nSend the checklist"
    created_by = factory.SelfAttribute("playbook.owner")


class TrainingModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingModule

    from_step = factory.SubFactory(StepFactory)
    title = factory.Sequence(lambda n: f"Module {n}")


def add_quiz(module: TrainingModule, *, questions: int, pass_mark: int) -> list:
    """`questions` questions with choices (right, wrong); returns
    [(question, right_choice, wrong_choice), …]."""
    module.pass_mark = pass_mark
    module.save(update_fields=["pass_mark"])
    quiz = []
    for position in range(1, questions + 1):
        question = QuizQuestion.objects.create(
            module=module, position=position, text=f"Q{position}"
        )
        right = QuizChoice.objects.create(
            question=question, text="right", is_correct=True
        )
        wrong = QuizChoice.objects.create(question=question, text="wrong")
        quiz.append((question, right, wrong))
    return quiz
