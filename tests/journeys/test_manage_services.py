"""The services behind the admins' pages (journeys/views/manage.py): the rules hold
whoever calls them — page, API or shell."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from journeys import services
from journeys.models import Journey, PoolMembership, Step, TrainingModule
from tests.journeys.factories import (
    T0,
    PoolFactory,
    StepFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


def test_a_journey_and_its_steps_are_created_all_or_nothing():
    with pytest.raises(services.StepsInvalid) as refused:
        services.journey_create(
            name="Expansion",
            coverage_models="pooled",
            steps=[{"name": "Kickoff"}, {"name": "Value", "is_value_point": True}],
        )
    assert set(refused.value.by_step) == {1}
    assert refused.value.by_step[1].messages == [
        "A value point needs its target in days."
    ]
    assert not Journey.objects.filter(name="Expansion").exists()
    journey = services.journey_create(
        name="Expansion", steps=[{"name": "Kickoff"}, {"name": "Value"}]
    )
    assert list(journey.steps.values_list("position", "name")) == [
        (1, "Kickoff"),
        (2, "Value"),
    ]


def test_coverage_models_are_known_codes_in_one_order():
    journey = services.journey_create(
        name="Renewal", coverage_models=" Pooled,dedicated ", steps=[{"name": "A"}]
    )
    assert journey.coverage_models == "dedicated,pooled"
    with pytest.raises(ValidationError) as refused:
        services.journey_save(journey, coverage_models="owner")
    assert "coverage_models" in refused.value.message_dict


def test_a_quiz_needs_two_choices_a_correct_answer_and_a_pass_mark():
    step = StepFactory()
    module = TrainingModule(from_step=step, title="Kickoff")
    with pytest.raises(ValidationError) as refused:
        services.training_module_save(
            module,
            questions=[
                {"text": "Q1", "choices": [("only", True)]},
                {"text": "Q2", "choices": [("a", False), ("b", False)]},
            ],
        )
    errors = refused.value.message_dict
    assert errors["pass_mark"] == ["A module with a quiz needs its pass mark."]
    assert errors["questions"] == [
        "Question 1: Give at least two choices.",
        "Question 2: Mark the correct answer among the choices given.",
    ]
    assert module.pk is None
    services.training_module_save(
        module,
        pass_mark=100,
        questions=[{"text": "Q1", "choices": [("a", True), ("", False), ("b", False)]}],
    )
    question = module.quiz_questions.get()
    assert list(question.choices.values_list("text", "is_correct")) == [
        ("a", True),
        ("b", False),
    ]


def test_a_module_leads_from_a_current_step():
    step = StepFactory(position=None, retired_at=T0)
    with pytest.raises(ValidationError) as refused:
        services.training_module_save(TrainingModule(from_step=step, title="Old"))
    assert "from_step" in refused.value.message_dict


def test_pool_members_are_members_whose_periods_do_not_overlap(org):
    pool = PoolFactory(team=org.team_a)
    with pytest.raises(ValidationError) as refused:
        services.pool_member_add(
            pool=pool, user=org.manager_a, start_date=date(2026, 1, 1)
        )
    assert "user" in refused.value.message_dict
    first = services.pool_member_add(
        pool=pool,
        user=org.member_a,
        start_date=date(2026, 1, 1),
        end_date=date(2026, 3, 31),
    )
    with pytest.raises(ValidationError):
        services.pool_member_add(
            pool=pool, user=org.member_a, start_date=date(2026, 3, 31)
        )
    services.pool_member_add(pool=pool, user=org.member_a, start_date=date(2026, 4, 1))
    # Ending the first period later would overlap the second.
    with pytest.raises(ValidationError):
        services.pool_member_end(membership=first, end_date=date(2026, 5, 1))
    assert PoolMembership.objects.filter(pool=pool).count() == 2


def test_steps_are_not_placed_by_journey_create():
    journey, _steps = journey_with_steps(1)
    with pytest.raises(ValidationError):
        services.journey_create(name="X", steps=[{"name": "A", "position": 3}])
    assert Step.objects.filter(journey__name="X").count() == 0
    assert journey.steps.count() == 1
