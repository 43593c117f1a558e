"""Every write in journeys: append-only step events, coverage history, journey edits
that keep history, playbook versions, training attempts and the practicum."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from accounts.models import Role, TeamMembership
from journeys import selectors, services
from journeys.models import (
    Coverage,
    CustomerAccount,
    Playbook,
    PlaybookVersion,
    PracticumReflection,
    Step,
    StepEvent,
    TrainingCompletion,
)
from tests.factories import UserFactory
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    PoolFactory,
    StepEventFactory,
    StepFactory,
    TrainingModuleFactory,
    add_quiz,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

NOW = T0 + timedelta(days=30)


@pytest.fixture
def journey():
    return journey_with_steps(3)


@pytest.fixture
def account(org, journey):
    return CustomerAccountFactory(journey=journey[0], owner=org.member_a)


def _record(account, step, at, by, **kwargs):
    return services.step_event_record(
        account=account, step=step, reached_at=at, by=by, source="ui", now=NOW, **kwargs
    )


def _make_ready(member, journey_obj):
    for step in journey_obj.steps.filter(retired_at__isnull=True):
        services.practicum_save(
            member=member,
            step=step,
            checks_done=step.done_checks(),
            what_was_hard="the setup wizard",
            where_stuck="",
            what_would_help="",
            complete=True,
        )


# --- Step events ----------------------------------------------------------------------


def test_an_event_is_recorded_with_who_and_how(org, journey, account):
    event = _record(account, journey[1][0], T0, org.member_a, note="kickoff call")
    event.refresh_from_db()
    assert (event.step, event.reached_at, event.recorded_by) == (
        journey[1][0],
        T0,
        org.member_a,
    )
    assert (event.source, event.note, event.voided_at) == ("ui", "kickoff call", None)


def test_a_step_of_another_journey_or_retired_is_refused(org, journey, account):
    _other, other_steps = journey_with_steps(2)
    with pytest.raises(ValidationError) as error:
        _record(account, other_steps[0], T0, org.member_a)
    assert "another journey" in error.value.message_dict["step"][0]
    services.step_retire(step=journey[1][2], by=org.admin)
    with pytest.raises(ValidationError) as error:
        _record(account, journey[1][2], T0, org.member_a)
    assert "retired" in error.value.message_dict["step"][0]
    assert not StepEvent.objects.exists()


def test_the_future_is_refused_beyond_the_tolerance(org, journey, account):
    step = journey[1][0]
    within = NOW + services.FUTURE_TOLERANCE
    assert _record(account, step, within, org.member_a).reached_at == within
    with pytest.raises(ValidationError) as error:
        _record(account, step, within + timedelta(seconds=1), org.member_a)
    assert "future" in error.value.message_dict["reached_at"][0]


def test_problems_are_reported_per_field_for_the_import(journey, account):
    _other, other_steps = journey_with_steps(1)
    problems = services.step_event_problems(
        account=account,
        step=other_steps[0],
        reached_at=NOW + timedelta(hours=1),
        now=NOW,
    )
    assert set(problems) == {"step", "reached_at"}
    assert (
        services.step_event_problems(
            account=account, step=journey[1][0], reached_at=T0, now=NOW
        )
        == {}
    )


def test_the_same_event_twice_is_refused_but_again_after_voiding(org, journey, account):
    step = journey[1][0]
    first = _record(account, step, T0, org.member_a)
    with pytest.raises(ValidationError) as error:
        _record(account, step, T0, org.member_a)
    assert error.value.message_dict["reached_at"]
    services.step_event_void(event=first, by=org.manager_a, reason="wrong day")
    again = _record(account, step, T0, org.member_a)
    assert StepEvent.objects.count() == 2
    assert again.pk != first.pk


def test_voiding_keeps_the_event_with_who_and_why(org, journey, account):
    event = _record(account, journey[1][0], T0, org.member_a)
    services.step_event_void(event=event, by=org.manager_a, reason="  wrong account ")
    event.refresh_from_db()
    assert event.voided_by == org.manager_a
    assert event.void_reason == "wrong account"
    assert event.voided_at is not None
    assert StepEvent.objects.filter(pk=event.pk).exists()


def test_voiding_needs_a_reason_and_happens_once(org, journey, account):
    event = _record(account, journey[1][0], T0, org.member_a)
    with pytest.raises(ValidationError) as error:
        services.step_event_void(event=event, by=org.manager_a, reason="  ")
    assert "reason" in error.value.message_dict
    event.refresh_from_db()
    assert event.voided_at is None
    services.step_event_void(event=event, by=org.manager_a, reason="wrong")
    with pytest.raises(ValidationError):
        services.step_event_void(event=event, by=org.admin, reason="again")
    event.refresh_from_db()
    assert (event.voided_by, event.void_reason) == (org.manager_a, "wrong")


def test_the_database_refuses_a_duplicate_non_void_event(journey, account):
    StepEventFactory(account=account, step=journey[1][0], reached_at=T0)
    with pytest.raises(IntegrityError):
        StepEventFactory(account=account, step=journey[1][0], reached_at=T0)


# --- Coverage -------------------------------------------------------------------------


def test_an_owner_change_closes_the_period_at_the_change(org, journey, account):
    _make_ready(org.member_b, journey[0])
    change = T0 + timedelta(days=10, hours=3)
    period = services.account_assign_owner(
        account=account, owner=org.member_b, by=org.manager_a, at=change
    )
    history = list(account.coverage.order_by("started_at"))
    assert [(p.owner, p.started_at, p.ended_at) for p in history] == [
        (org.member_a, T0, change),
        (org.member_b, change, None),
    ]
    assert period.assigned_by == org.manager_a
    assert not period.owner_not_ready_confirmed
    second = timedelta(seconds=1)
    assert selectors.owner_at(account, change - second) == org.member_a
    assert selectors.owner_at(account, change) == org.member_b
    assert selectors.owner_at(account, T0 - second) is None


def test_a_change_before_the_current_period_started_is_refused(org, account, journey):
    _make_ready(org.member_b, journey[0])
    with pytest.raises(ValidationError) as error:
        services.account_assign_owner(
            account=account, owner=org.member_b, by=org.admin, at=T0
        )
    assert "at" in error.value.message_dict
    assert account.coverage.count() == 1


def test_the_owner_must_be_a_member(org, account):
    with pytest.raises(ValidationError) as error:
        services.account_assign_owner(
            account=account, owner=org.manager_b, by=org.admin
        )
    assert "owner" in error.value.message_dict
    assert account.coverage.count() == 1


def test_an_owner_not_ready_needs_confirmation_which_is_recorded(org, account):
    with pytest.raises(ValidationError) as error:
        services.account_assign_owner(account=account, owner=org.member_b, by=org.admin)
    assert error.value.error_dict["owner"][0].code == "not_ready"
    assert account.coverage.count() == 1
    period = services.account_assign_owner(
        account=account, owner=org.member_b, by=org.admin, confirm_not_ready=True
    )
    assert period.owner_not_ready_confirmed
    assert Coverage.objects.get(account=account, ended_at=None) == period


def test_moving_to_a_pool_keeps_the_owner_history(org, account):
    pool = PoolFactory(team=org.team_a)
    change = T0 + timedelta(days=5)
    services.account_move_to_pool(account=account, pool=pool, by=org.admin, at=change)
    assert list(
        account.coverage.order_by("started_at").values_list("model", "pool", "ended_at")
    ) == [("dedicated", None, change), ("pooled", pool.pk, None)]
    assert selectors.owner_at(account, change) is None


def test_an_account_is_created_with_its_first_coverage(org, journey):
    pool = PoolFactory()
    account = services.account_create(
        name="Acme",
        external_id="CRM-1",
        segment="Enterprise",
        arr=1200000,
        journey=journey[0],
        pool=pool,
        by=org.admin,
        at=T0,
    )
    assert account.coverage.get().pool == pool
    with pytest.raises(ValidationError) as error:
        services.account_create(
            name="Other", external_id="CRM-1", journey=journey[0], pool=pool, by=None
        )
    assert "external_id" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.account_create(
            name="Both",
            external_id="CRM-2",
            journey=journey[0],
            pool=pool,
            owner=org.member_a,
            by=None,
        )
    assert CustomerAccount.objects.count() == 1


# --- Journey edits ---------------------------------------------------------------


def _positions(journey_obj):
    return list(
        journey_obj.steps.filter(retired_at__isnull=True)
        .order_by("position")
        .values_list("name", "position")
    )


def test_inserting_a_step_shifts_the_later_ones_and_keeps_events(org, journey, account):
    journey_obj, (one, two, three) = journey
    event = _record(account, two, T0, org.member_a)
    new = services.step_insert(journey=journey_obj, position=2, name="Setup call")
    assert _positions(journey_obj) == [
        ("Step 1", 1),
        ("Setup call", 2),
        ("Step 2", 3),
        ("Step 3", 4),
    ]
    event.refresh_from_db()
    assert event.step_id == two.pk
    assert new.position == 2


def test_inserting_at_the_end_and_out_of_range(journey):
    journey_obj = journey[0]
    services.step_insert(journey=journey_obj, position=4, name="Expansion")
    assert _positions(journey_obj)[-1] == ("Expansion", 4)
    with pytest.raises(ValidationError):
        services.step_insert(journey=journey_obj, position=6, name="Too far")
    with pytest.raises(ValidationError):
        services.step_insert(
            journey=journey_obj, position=1, name="VP", is_value_point=True
        )
    assert len(_positions(journey_obj)) == 4


def test_moving_a_step_reorders_the_ones_between(journey):
    journey_obj, (one, two, three) = journey
    services.step_move(step=three, position=1)
    assert _positions(journey_obj) == [("Step 3", 1), ("Step 1", 2), ("Step 2", 3)]
    services.step_move(step=three, position=3)
    assert _positions(journey_obj) == [("Step 1", 1), ("Step 2", 2), ("Step 3", 3)]


def test_retiring_a_step_closes_the_gap_and_keeps_its_events(org, journey, account):
    journey_obj, (one, two, three) = journey
    event = _record(account, two, T0, org.member_a)
    services.step_retire(step=two, by=org.admin)
    two.refresh_from_db()
    assert (two.position, two.retired_at is not None) == (None, True)
    assert _positions(journey_obj) == [("Step 1", 1), ("Step 3", 2)]
    assert StepEvent.objects.get(pk=event.pk).step_id == two.pk
    with pytest.raises(ValidationError):
        services.step_retire(step=two, by=org.admin)
    with pytest.raises(ValidationError):
        services.step_move(step=two, position=1)


def test_a_step_retired_by_another_request_since_it_was_read_is_refused(org, journey):
    """Two requests at once: one retires the step while the other, holding the
    step as it read it, moves or retires it too (found by schemathesis: a 500)."""
    journey_obj, (one, two, three) = journey
    read_before = Step.objects.get(pk=two.pk)
    services.step_retire(step=two, by=org.admin)
    with pytest.raises(ValidationError) as moved:
        services.step_move(step=read_before, position=1)
    assert moved.value.messages == ["A retired step has no place in the journey."]
    with pytest.raises(ValidationError) as retired:
        services.step_retire(step=read_before, by=org.admin)
    assert retired.value.messages == ["This step is already retired."]
    assert _positions(journey_obj) == [("Step 1", 1), ("Step 3", 2)]


def test_updating_a_step_does_not_move_it(journey):
    one = journey[1][0]
    services.step_update(step=one, name="Kickoff", is_value_point=True, target_days=30)
    one.refresh_from_db()
    assert (one.name, one.target_days, one.position) == ("Kickoff", 30, 1)
    with pytest.raises(ValidationError):
        services.step_update(step=one, position=3)
    with pytest.raises(ValidationError):
        services.step_update(step=one, target_days=None)


# --- Playbooks -------------------------------------------------------------------


def test_a_playbook_needs_a_next_step(org, journey):
    one, _two, three = journey[1]
    with pytest.raises(ValidationError) as error:
        services.playbook_create(
            from_step=three, owner=org.manager_a, goal="g", actions="a", by=org.admin
        )
    assert "from_step" in error.value.message_dict
    playbook = services.playbook_create(
        from_step=one, owner=org.manager_a, goal="g", actions="a", by=org.admin
    )
    assert selectors.playbook_current(playbook).number == 1
    with pytest.raises(ValidationError):
        services.playbook_create(
            from_step=one, owner=org.manager_a, goal="g", actions="a", by=org.admin
        )
    assert Playbook.objects.count() == 1


def test_revising_a_playbook_adds_a_version_and_keeps_the_old(org, journey):
    playbook = services.playbook_create(
        from_step=journey[1][0],
        owner=org.manager_a,
        goal="Setup in two weeks",
        actions="Workshop",
        by=org.admin,
    )
    version = services.playbook_revise(
        playbook=playbook,
        by=org.manager_a,
        goal="Setup in ten days",
        actions="Workshop\nChecklist",
        content="Dear {customer_name}",
        note="shorter",
    )
    assert version.number == 2
    assert selectors.playbook_current(playbook) == version
    assert list(
        PlaybookVersion.objects.filter(playbook=playbook)
        .order_by("number")
        .values_list("number", "goal")
    ) == [(1, "Setup in two weeks"), (2, "Setup in ten days")]
    with pytest.raises(ValidationError):
        services.playbook_revise(
            playbook=playbook, by=org.admin, goal="", actions="", content="", note=""
        )
    assert playbook.versions.count() == 2


# --- Training ------------------------------------------------------------------------


def _answers(quiz, right):
    return {q.pk: (r.pk if i < right else w.pk) for i, (q, r, w) in enumerate(quiz)}


def test_the_quiz_score_rounds_down_and_passes_at_the_mark(org, journey):
    module = TrainingModuleFactory(from_step=journey[1][0])
    quiz = add_quiz(module, questions=3, pass_mark=66)
    attempt = services.training_complete(
        module=module, member=org.member_a, answers=_answers(quiz, 1)
    )
    assert (attempt.score, attempt.passed) == (33, False)
    retry = services.training_complete(
        module=module, member=org.member_a, answers=_answers(quiz, 2)
    )
    assert (retry.score, retry.passed) == (66, True)
    assert TrainingCompletion.objects.filter(member=org.member_a).count() == 2


def test_an_unanswered_question_counts_as_wrong(org, journey):
    module = TrainingModuleFactory(from_step=journey[1][0])
    quiz = add_quiz(module, questions=4, pass_mark=50)
    first_two = {q.pk: r.pk for q, r, _w in quiz[:2]}
    attempt = services.training_complete(
        module=module, member=org.member_a, answers=first_two
    )
    assert (attempt.score, attempt.passed) == (50, True)


def test_a_choice_of_another_question_is_refused(org, journey):
    module = TrainingModuleFactory(from_step=journey[1][0])
    (q1, r1, _w1), (q2, r2, _w2) = add_quiz(module, questions=2, pass_mark=50)
    with pytest.raises(ValidationError):
        services.training_complete(
            module=module, member=org.member_a, answers={q1.pk: r2.pk}
        )
    assert not TrainingCompletion.objects.exists()


def test_a_module_without_quiz_passes_on_completion(org, journey):
    module = TrainingModuleFactory(from_step=journey[1][0])
    attempt = services.training_complete(
        module=module, member=org.member_a, answers=None
    )
    assert (attempt.score, attempt.passed) == (None, True)


def test_assigning_to_a_member_or_a_team(org, journey):
    module = TrainingModuleFactory(from_step=journey[1][0])
    due = date(2026, 5, 1)
    services.training_assign(module=module, member=org.member_a, due_date=due, by=None)
    services.training_assign(module=module, team=org.team_b, due_date=due, by=None)
    with pytest.raises(ValidationError):
        services.training_assign(
            module=module, member=org.member_a, team=org.team_a, due_date=due, by=None
        )
    with pytest.raises(ValidationError):
        services.training_assign(
            module=module, member=org.manager_a, due_date=due, by=None
        )
    assert [a.module for a in selectors.assignments_for(org.member_b)] == [module]


# --- Practicum and readiness --------------------------------------------------------


def test_a_reflection_completes_with_every_check_and_something_written(org, journey):
    step = journey[1][0]
    draft = services.practicum_save(
        member=org.member_a,
        step=step,
        checks_done=["kickoff held"],
        what_was_hard="",
        where_stuck="",
        what_would_help="",
    )
    assert draft.completed_at is None
    with pytest.raises(ValidationError) as error:
        services.practicum_save(
            member=org.member_a,
            step=step,
            checks_done=["kickoff held"],
            what_was_hard="the invite",
            where_stuck="",
            what_would_help="",
            complete=True,
        )
    assert "checks_done" in error.value.message_dict
    done = services.practicum_save(
        member=org.member_a,
        step=step,
        checks_done=["goals agreed", "kickoff held"],
        what_was_hard="the invite",
        where_stuck="",
        what_would_help="a template",
        complete=True,
    )
    assert done.completed_at is not None
    assert done.checks_done == ["kickoff held", "goals agreed"]
    assert PracticumReflection.objects.count() == 1
    with pytest.raises(ValidationError):
        services.practicum_save(
            member=org.member_a,
            step=step,
            checks_done=["not a check"],
            what_was_hard="",
            where_stuck="",
            what_would_help="",
        )


def test_ready_after_the_practicum_and_every_required_module(org, journey):
    journey_obj, (one, two, _three) = journey
    required = TrainingModuleFactory(from_step=one)
    optional = TrainingModuleFactory(from_step=two, is_required=False)
    unassigned = TrainingModuleFactory(from_step=two)  # required, not assigned
    quiz = add_quiz(required, questions=2, pass_mark=100)
    services.training_assign(
        module=required, team=org.team_a, due_date=date(2026, 5, 1), by=None
    )
    services.training_assign(
        module=optional, member=org.member_a, due_date=date(2026, 5, 1), by=None
    )
    assert not selectors.is_ready_for_accounts(org.member_a, journey_obj)
    _make_ready(org.member_a, journey_obj)
    assert not selectors.is_ready_for_accounts(org.member_a, journey_obj)
    services.training_complete(
        module=required, member=org.member_a, answers=_answers(quiz, 1)
    )
    assert not selectors.is_ready_for_accounts(org.member_a, journey_obj)
    services.training_complete(
        module=required, member=org.member_a, answers=_answers(quiz, 2)
    )
    # Required modules count whether or not anyone assigned them.
    assert not selectors.is_ready_for_accounts(org.member_a, journey_obj)
    services.training_complete(module=unassigned, member=org.member_a, answers=None)
    assert selectors.is_ready_for_accounts(org.member_a, journey_obj)
    # A new step needs walking too.
    services.step_insert(journey=journey_obj, position=4, name="Expansion")
    assert not selectors.is_ready_for_accounts(org.member_a, journey_obj)


def test_readiness_of_many_members_for_many_journeys_is_read_at_once(
    org, journey, django_assert_max_num_queries
):
    """`ready_for_accounts` answers every (member, journey) pair as
    `is_ready_for_accounts` does, in four queries however many are asked."""
    first, (one, _two, _three) = journey
    second, _steps = journey_with_steps(2, name="Renewal")
    required = TrainingModuleFactory(from_step=one)
    for member in (org.member_a, org.member_b):
        _make_ready(member, first)
    _make_ready(org.member_a, second)
    services.training_complete(module=required, member=org.member_a, answers=None)
    members = [org.member_a, org.member_b, org.sub_member]

    with django_assert_max_num_queries(4):
        ready = selectors.ready_for_accounts(
            [m.pk for m in members], [first.pk, second.pk]
        )

    # member_b walked the first journey but has not passed its required module;
    # sub_member walked nothing.
    assert ready == {(org.member_a.pk, first.pk), (org.member_a.pk, second.pk)}
    assert ready == {
        (member.pk, journey_obj.pk)
        for member in members
        for journey_obj in (first, second)
        if selectors.is_ready_for_accounts(member, journey_obj)
    }


def test_team_assignments_reach_joiners_before_the_due_date_only(org, journey):
    module = TrainingModuleFactory(from_step=journey[1][0])
    services.training_assign(
        module=module, team=org.team_a, due_date=date(2026, 5, 1), by=None
    )
    on_due = UserFactory(roles=[Role.MEMBER])
    late = UserFactory(roles=[Role.MEMBER])
    left = UserFactory(roles=[Role.MEMBER])
    TeamMembership.objects.create(
        team=org.team_a, user=on_due, start_date=date(2026, 5, 1)
    )
    TeamMembership.objects.create(
        team=org.team_a, user=late, start_date=date(2026, 5, 2)
    )
    TeamMembership.objects.create(
        team=org.team_a,
        user=left,
        start_date=date(2025, 1, 1),
        end_date=date(2025, 3, 1),
    )
    assert selectors.assignments_for(on_due).count() == 1
    assert selectors.assignments_for(left).count() == 1
    assert selectors.assignments_for(late).count() == 0
    assert selectors.assignments_for(org.sub_member).count() == 0


def test_a_ready_owner_needs_no_confirmation(org, account, journey):
    _make_ready(org.member_b, journey[0])
    period = services.account_assign_owner(
        account=account, owner=org.member_b, by=org.admin
    )
    assert not period.owner_not_ready_confirmed


def test_steps_keep_positions_unique_after_many_edits(journey):
    journey_obj = journey[0]
    services.step_insert(journey=journey_obj, position=1, name="Contract")
    services.step_move(step=Step.objects.get(name="Step 3"), position=2)
    services.step_retire(step=Step.objects.get(name="Step 1"), by=None)
    assert _positions(journey_obj) == [("Contract", 1), ("Step 3", 2), ("Step 2", 3)]
    assert StepFactory(journey=journey_obj, position=4).position == 4


def test_a_time_before_2000_is_refused_as_a_typing_mistake(org, journey, account):
    from datetime import UTC, datetime

    with pytest.raises(ValidationError) as error:
        _record(
            account, journey[1][0], datetime(1999, 12, 31, tzinfo=UTC), org.member_a
        )
    assert "past" in error.value.message_dict["reached_at"][0]


def test_a_quiz_without_a_pass_mark_needs_every_answer_right(org, journey):
    module = TrainingModuleFactory(from_step=journey[1][0])
    quiz = add_quiz(module, questions=2, pass_mark=50)
    module.pass_mark = None
    module.save(update_fields=["pass_mark"])
    half = services.training_complete(
        module=module, member=org.member_a, answers=_answers(quiz, 1)
    )
    full = services.training_complete(
        module=module, member=org.member_a, answers=_answers(quiz, 2)
    )
    assert (half.score, half.passed, full.score, full.passed) == (50, False, 100, True)


def test_windows_and_targets_longer_than_ten_years_are_refused(journey):
    step = journey[1][0]
    with pytest.raises(ValidationError) as error:
        services.step_update(step=step, conversion_window_days=99_999_999)
    assert "conversion_window_days" in error.value.message_dict
