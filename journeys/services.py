"""Every write in the journeys pillar: step events, coverage, journey edits,
playbooks, training and the practicum.

History is never rewritten (see `journeys.models`): events are voided, not edited;
coverage changes close a period and open the next; steps are renumbered only by the
explicit actions below, and keep their identity (and events) when they move.
"""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import Role, Team, User
from accounts.permissions import has_role
from config.saving import save_unique

from . import revenue, selectors
from .models import (
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    Playbook,
    PlaybookActionTick,
    PlaybookVersion,
    Pool,
    PracticumReflection,
    QuizChoice,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from .progress import one_bulk_writer_at_a_time, refresh_progress

# A step may be recorded as reached this far in the future: clocks of the CRM and of
# Kata differ a little.
FUTURE_TOLERANCE = timedelta(minutes=5)
# Customer success started long after this: earlier times are typing mistakes.
EARLIEST_EVENT = datetime(2000, 1, 1, tzinfo=UTC)


# --- Step events ----------------------------------------------------------------------


def step_event_problems(
    *,
    account: CustomerAccount,
    step: Step,
    reached_at: datetime | None,
    now: datetime | None = None,
) -> dict[str, str]:
    """What is wrong with recording that `account` reached `step` at `reached_at`,
    keyed by field ("step", "reached_at"); empty when it may be recorded.

    Whether the same event already exists is not a problem here: the import skips
    such events, `step_event_record` refuses them.
    """
    problems = {}
    if step_problem := step_event_step_problem(
        step=step, journey_id=account.journey_id
    ):
        problems["step"] = step_problem
    if reached_at is None:
        problems["reached_at"] = _("Say when the step was reached.")
    elif time_problem := step_event_time_problem(reached_at, now=now):
        problems["reached_at"] = time_problem
    return problems


def step_event_step_problem(*, step: Step, journey_id: int) -> str | None:
    """Why `step` may not be recorded for an account of the journey `journey_id`."""
    if step.journey_id != journey_id:
        return _("This step belongs to another journey than the account's.")
    if step.retired_at is not None:
        return _("This step is retired; events are no longer recorded.")
    return None


def step_event_time_problem(
    reached_at: datetime, *, now: datetime | None = None
) -> str | None:
    """Why a step may not be recorded as reached at `reached_at`."""
    if timezone.is_naive(reached_at):
        return _("The time needs a time zone.")
    if reached_at > (now or timezone.now()) + FUTURE_TOLERANCE:
        return _("This time is in the future.")
    if reached_at < EARLIEST_EVENT:
        return _("This time is too far in the past.")
    return None


def _duplicate_event() -> ValidationError:
    return ValidationError(
        {"reached_at": _("This account already has this step recorded at this time.")},
        code="duplicate",
    )


def step_event_record(
    *,
    account: CustomerAccount,
    step: Step,
    reached_at: datetime,
    by: User | None,
    source: str,
    note: str = "",
    now: datetime | None = None,
) -> StepEvent:
    """Record that the account reached the step. Append-only."""
    problems = step_event_problems(
        account=account, step=step, reached_at=reached_at, now=now
    )
    if problems:
        raise ValidationError(problems)
    event = StepEvent(
        account=account,
        step=step,
        reached_at=reached_at,
        recorded_by=by,
        source=source,
        note=note,
    )
    try:
        event.full_clean()
    except ValidationError as error:
        if (
            "__all__" in error.message_dict
            and StepEvent.objects.filter(
                account=account, step=step, reached_at=reached_at, voided_at=None
            ).exists()
        ):
            raise _duplicate_event() from None
        raise
    try:
        with transaction.atomic():
            event.save()
            refresh_progress(account_ids=[account.pk])
    except IntegrityError:
        # The same event was recorded at the same moment elsewhere.
        raise _duplicate_event() from None
    return event


def step_event_void(
    *, event: StepEvent, by: User, reason: str, now: datetime | None = None
) -> StepEvent:
    """Mark a wrong event void, with the reason; it never counts again."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the event is voided.")})
    voided_at = now or timezone.now()
    with transaction.atomic():
        claimed = StepEvent.objects.filter(pk=event.pk, voided_at=None).update(
            voided_at=voided_at, voided_by=by, void_reason=reason
        )
        refresh_progress(account_ids=[event.account_id])
    if not claimed:
        raise ValidationError(_("This event is already void."))
    event.refresh_from_db()
    return event


# --- Coverage -------------------------------------------------------------------------


def _check_owner(*, owner: User, journey: Journey, confirm_not_ready: bool) -> bool:
    """Whether the owner is not ready (and this was confirmed); raises otherwise."""
    if not has_role(owner, Role.MEMBER):
        raise ValidationError(
            {"owner": _("Only a member (CSM) can own a customer account.")}
        )
    if selectors.is_ready_for_accounts(owner, journey):
        return False
    if not confirm_not_ready:
        raise ValidationError(
            {
                "owner": ValidationError(
                    _(
                        "%(name)s has not finished the practicum and required "
                        "training yet. Confirm to assign the account anyway."
                    )
                    % {"name": owner.display_name},
                    code="not_ready",
                )
            }
        )
    return True


def _change_coverage(
    *, account: CustomerAccount, at: datetime | None, by: User | None, **coverage
) -> Coverage:
    """Close the open period at `at` and open the new one from `at`."""
    at = at or timezone.now()
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise ValidationError({"at": _("A coverage change cannot be in the future.")})
    with transaction.atomic():
        current = (
            Coverage.objects.select_for_update()
            .filter(account=account, ended_at__isnull=True)
            .first()
        )
        if current is not None:
            if (current.owner_id, current.pool_id) == (
                getattr(coverage.get("owner"), "pk", None),
                getattr(coverage.get("pool"), "pk", None),
            ):
                raise ValidationError(_("The account is already covered this way."))
            if at <= current.started_at:
                raise ValidationError(
                    {
                        "at": _(
                            "The change must come after the current coverage "
                            "started (%(start)s)."
                        )
                        % {
                            "start": date_format(
                                timezone.localtime(current.started_at),
                                "DATETIME_FORMAT",
                            )
                        }
                    }
                )
            current.ended_at = at
            current.save(update_fields=["ended_at", "updated_at"])
        period = Coverage(account=account, started_at=at, assigned_by=by, **coverage)
        # assigned_by is empty for imports (the field is null=True, blank=False).
        period.full_clean(exclude=["assigned_by"])
        period.save()
    return period


def account_assign_owner(
    *,
    account: CustomerAccount,
    owner: User,
    by: User | None,
    at: datetime | None = None,
    confirm_not_ready: bool = False,
) -> Coverage:
    """Make `owner` the account's dedicated owner from `at` (default now).

    An owner who is not ready for accounts (`selectors.is_ready_for_accounts`) needs
    `confirm_not_ready`; the confirmation is recorded on the period.
    """
    not_ready = _check_owner(
        owner=owner, journey=account.journey, confirm_not_ready=confirm_not_ready
    )
    return _change_coverage(
        account=account,
        at=at,
        by=by,
        model=CoverageModel.DEDICATED,
        owner=owner,
        owner_not_ready_confirmed=not_ready,
    )


def account_move_to_pool(
    *,
    account: CustomerAccount,
    pool: Pool,
    by: User | None,
    at: datetime | None = None,
) -> Coverage:
    """Cover the account by `pool` from `at` (default now); it has no owner then."""
    return _change_coverage(
        account=account, at=at, by=by, model=CoverageModel.POOLED, pool=pool
    )


def account_create(
    *,
    name: str,
    external_id: str,
    journey: Journey,
    by: User | None,
    segment: str = "",
    arr: Decimal | int | None = None,
    owner: User | None = None,
    pool: Pool | None = None,
    at: datetime | None = None,
    confirm_not_ready: bool = False,
    source: str = StepEvent.Source.UI,
) -> CustomerAccount:
    """A customer account with its first coverage: a dedicated owner or a pool.
    Its ARR, when given, is recorded as the ARR of the month it starts in (an ARR
    snapshot, `journeys.revenue`: new business that month)."""
    if (owner is None) == (pool is None):
        raise ValidationError(
            {"owner": _("Give the account either a dedicated owner or a pool.")}
        )
    account = CustomerAccount(
        name=name, external_id=external_id, segment=segment, arr=arr, journey=journey
    )
    account.full_clean()
    not_ready = False
    if owner is not None:
        not_ready = _check_owner(
            owner=owner, journey=journey, confirm_not_ready=confirm_not_ready
        )
    with transaction.atomic():
        save_unique(account)
        if owner is not None:
            _change_coverage(
                account=account,
                at=at,
                by=by,
                model=CoverageModel.DEDICATED,
                owner=owner,
                owner_not_ready_confirmed=not_ready,
            )
        else:
            _change_coverage(
                account=account, at=at, by=by, model=CoverageModel.POOLED, pool=pool
            )
        if arr is not None:
            revenue.arr_snapshots_record(
                entries=[
                    revenue.ARREntry(
                        account,
                        revenue.current_month(at),
                        Decimal(arr),
                    )
                ],
                by=by,
                source=source,
            )
    return account


# --- Journey edits ----------------------------------------------------------------

# Steps are parked this far up while renumbering, so that no two current steps of a
# journey ever share a position (the unique constraint is checked row by row).
_PARKING_OFFSET = 10_000
_STEP_FIELDS_NOT_EDITED = {
    "id",
    "pk",
    "journey",
    "journey_id",
    "position",
    "retired_at",
}


def _current_step_ids(journey: Journey) -> list[int]:
    """The journey's current steps in order, locked for the renumbering.

    First the turn of the writers of many accounts' progress, which the refresh
    after the renumbering takes too: taken later, an import holding it could wait
    for these steps. The steps are locked FOR NO KEY UPDATE (positions are not a
    key other rows refer to), which lets the foreign key checks of events being
    recorded on them at the same time through: FOR UPDATE would make such a check
    wait for this renumbering while the renumbering's refresh waits for that
    event's account."""
    one_bulk_writer_at_a_time()
    return list(
        Step.objects.select_for_update(no_key=True)
        .filter(journey=journey, retired_at__isnull=True)
        .order_by("position")
        .values_list("pk", flat=True)
    )


def _park(step_ids: list[int]) -> None:
    Step.objects.filter(pk__in=step_ids).update(
        position=F("position") + _PARKING_OFFSET
    )


def _number(ordered_ids: list[int], *, skip: int | None = None) -> None:
    """Give these (parked) steps the positions 1..n in this order, leaving out
    position `skip` (taken by a step being inserted)."""
    positions = [p for p in range(1, len(ordered_ids) + 2) if p != skip]
    if not ordered_ids:
        return
    Step.objects.filter(pk__in=ordered_ids).update(
        position=Case(
            *[
                When(pk=pk, then=Value(position))
                for pk, position in zip(ordered_ids, positions, strict=False)
            ]
        )
    )


def step_insert(*, journey: Journey, position: int, **fields) -> Step:
    """A new step at `position` (1..n+1); the later steps move one place down."""
    forbidden = set(fields) & _STEP_FIELDS_NOT_EDITED
    if forbidden:
        raise ValidationError(
            _("These fields are not set here: %s") % ", ".join(forbidden)
        )
    step = Step(journey=journey, position=position, **fields)
    step.full_clean(exclude=["position"])
    with transaction.atomic():
        ordered = _current_step_ids(journey)
        if not 1 <= position <= len(ordered) + 1:
            raise ValidationError(
                {
                    "position": _("The position is a number from 1 to %(last)d.")
                    % {"last": len(ordered) + 1}
                }
            )
        _park(ordered)
        step.save()
        _number(ordered, skip=position)
        # Positions decide which reached step is the highest, and which is step 1.
        refresh_progress(journey=journey.pk)
    return step


def step_move(*, step: Step, position: int) -> Step:
    """Move a current step to `position`; the steps in between shift by one."""
    with transaction.atomic():
        ordered = _current_step_ids(step.journey)
        if step.pk not in ordered:
            # Retired, maybe by another request since it was read: the locked
            # current steps say so, not the step as it was read.
            raise ValidationError(_("A retired step has no place in the journey."))
        if not 1 <= position <= len(ordered):
            raise ValidationError(
                {
                    "position": _("The position is a number from 1 to %(last)d.")
                    % {"last": len(ordered)}
                }
            )
        ordered.remove(step.pk)
        ordered.insert(position - 1, step.pk)
        _park(ordered)
        _number(ordered)
        # Positions decide which reached step is the highest.
        refresh_progress(journey=step.journey_id)
    step.refresh_from_db()
    return step


def step_retire(*, step: Step, by: User, now: datetime | None = None) -> Step:
    """Take a step out of the journey. Its events stay (attached to it); the later
    steps move up one place."""
    with transaction.atomic():
        ordered = _current_step_ids(step.journey)
        if step.pk not in ordered:
            # Retired, maybe by another request since it was read: the locked
            # current steps say so, not the step as it was read.
            raise ValidationError(_("This step is already retired."))
        ordered.remove(step.pk)
        Step.objects.filter(pk=step.pk).update(
            position=None, retired_at=now or timezone.now()
        )
        _park(ordered)
        _number(ordered)
        # Positions decide which reached step is the highest.
        refresh_progress(journey=step.journey_id)
    step.refresh_from_db()
    return step


def step_update(*, step: Step, **fields) -> Step:
    """Change what a step says (name, definition of done, value point, window…);
    its place is changed by `step_move` / `step_retire` only."""
    forbidden = set(fields) & _STEP_FIELDS_NOT_EDITED
    if forbidden:
        raise ValidationError(
            _("These fields are not set here: %s") % ", ".join(forbidden)
        )
    for name, value in fields.items():
        setattr(step, name, value)
    step.full_clean()
    step.save()
    return step


# --- Playbooks -------------------------------------------------------------------


def playbook_create(
    *,
    from_step: Step,
    owner: User,
    goal: str,
    actions: str,
    content: str = "",
    by: User,
) -> Playbook:
    """The playbook of the transition from `from_step` to the next step, with its
    first version."""
    if from_step.retired_at is not None or not (
        Step.objects.filter(
            journey_id=from_step.journey_id, position__gt=from_step.position
        ).exists()
    ):
        raise ValidationError(
            {"from_step": _("A playbook leads from a step to the next current step.")}
        )
    if Playbook.objects.filter(from_step=from_step).exists():
        raise ValidationError(
            {"from_step": _("This transition already has a playbook.")}
        )
    playbook = Playbook(
        from_step=from_step, owner=owner, last_reviewed_on=timezone.localdate()
    )
    playbook.full_clean()
    with transaction.atomic():
        playbook.save()
        _add_version(
            playbook=playbook, by=by, goal=goal, actions=actions, content=content
        )
    return playbook


def _add_version(*, playbook: Playbook, by: User, **fields) -> PlaybookVersion:
    latest = playbook.versions.aggregate(latest=Max("number"))["latest"] or 0
    version = PlaybookVersion(
        playbook=playbook, number=latest + 1, created_by=by, **fields
    )
    version.full_clean()
    version.save()
    return version


def playbook_revise(
    *,
    playbook: Playbook,
    by: User,
    goal: str,
    actions: str,
    content: str,
    note: str,
    reflection: PracticumReflection | None = None,
) -> PlaybookVersion:
    """A new version of the playbook; the earlier ones stay as its history. A
    version written from a practicum reflection keeps a link to it."""
    with transaction.atomic():
        locked = Playbook.objects.select_for_update().get(pk=playbook.pk)
        version = _add_version(
            playbook=locked,
            by=by,
            goal=goal,
            actions=actions,
            content=content,
            note=note,
            reflection=reflection,
        )
        locked.last_reviewed_on = timezone.localdate()
        locked.save(update_fields=["last_reviewed_on"])
    playbook.last_reviewed_on = locked.last_reviewed_on
    return version


def playbook_action_tick(
    *,
    account: CustomerAccount,
    version: PlaybookVersion,
    action_number: int,
    done: bool,
    by: User,
    now: datetime | None = None,
) -> PlaybookActionTick:
    """Tick (done=True) or untick one recommended action of a playbook version for
    a customer account. Each change is a new row (the history stays); asking for
    the state the action already has changes nothing and returns its latest row.
    The caller checked that `by` works on the account
    (`permissions.playbook_accounts`)."""
    if version.playbook.from_step.journey_id != account.journey_id:
        raise ValidationError(
            {"version": _("This playbook is not one of the account's journey.")}
        )
    lines = version.action_lines()
    if not 1 <= action_number <= len(lines):
        raise ValidationError(
            {"action_number": _("This version has no action with this number.")}
        )
    with transaction.atomic():
        # One writer at a time per account: two clicks record two changes in order.
        CustomerAccount.objects.select_for_update().filter(pk=account.pk).first()
        latest = (
            PlaybookActionTick.objects.filter(
                account=account, version=version, action_number=action_number
            )
            .order_by("-ticked_at", "-id")
            .first()
        )
        if latest is not None and latest.is_done == done:
            return latest
        if latest is None and not done:
            raise ValidationError({"done": _("This action is not ticked.")})
        tick = PlaybookActionTick(
            account=account,
            version=version,
            action_number=action_number,
            action_text=lines[action_number - 1][:500],
            is_done=done,
            ticked_by=by,
            ticked_at=now or timezone.now(),
        )
        tick.full_clean()
        tick.save()
    return tick


# --- Training ------------------------------------------------------------------------


def training_assign(
    *,
    module: TrainingModule,
    due_date: date,
    by: User | None,
    member: User | None = None,
    team: Team | None = None,
) -> TrainingAssignment:
    """Assign a module to one member, or to everyone in a team (see the model)."""
    if (member is None) == (team is None):
        raise ValidationError(
            {"member": _("Assign the module either to a member or to a team.")}
        )
    if not module.is_active:
        raise ValidationError({"module": _("This module is no longer in use.")})
    if member is not None and not has_role(member, Role.MEMBER):
        raise ValidationError({"member": _("Training is assigned to members (CSMs).")})
    assignment = TrainingAssignment(
        module=module, member=member, team=team, due_date=due_date, assigned_by=by
    )
    assignment.full_clean(exclude=["assigned_by"])
    assignment.save()
    return assignment


def quiz_score(*, module: TrainingModule, answers: dict[int, int]) -> int | None:
    """The percentage of the quiz's questions answered correctly, rounded down;
    None when the module has no quiz. An unanswered question is a wrong one."""
    question_ids = set(module.quiz_questions.values_list("pk", flat=True))
    if not question_ids:
        return None
    unknown = set(answers) - question_ids
    if unknown:
        raise ValidationError(
            {
                "answers": _("These questions are not in this quiz: %s")
                % ", ".join(map(str, sorted(unknown)))
            }
        )
    chosen = list(
        QuizChoice.objects.filter(
            pk__in=answers.values(), question_id__in=question_ids
        ).values_list("pk", "question_id", "is_correct")
    )
    correct = 0
    for choice_id, question_id, is_correct in chosen:
        if answers.get(question_id) != choice_id:
            raise ValidationError(
                {"answers": _("A choice was given for another question.")}
            )
        correct += is_correct
    if len(chosen) != len(answers):
        raise ValidationError({"answers": _("There is no such choice.")})
    return correct * 100 // len(question_ids)


def training_complete(
    *,
    module: TrainingModule,
    member: User,
    answers: dict[int, int] | None,
    now: datetime | None = None,
) -> TrainingCompletion:
    """Record one attempt. With a quiz, passed means score ≥ pass mark (a module
    without a pass mark needs every answer right); without one, completing is passing.
    Every attempt is kept; a failed one may be retried."""
    if not module.is_active:
        raise ValidationError({"module": _("This module is no longer in use.")})
    score = quiz_score(module=module, answers=answers or {})
    # A quiz without a pass mark asks for every answer right.
    passed = score is None or score >= (
        100 if module.pass_mark is None else module.pass_mark
    )
    completion = TrainingCompletion(
        module=module,
        member=member,
        completed_at=now or timezone.now(),
        score=score,
        passed=passed,
    )
    completion.full_clean()
    completion.save()
    return completion


# --- Practicum ------------------------------------------------------------------------


def practicum_save(
    *,
    member: User,
    step: Step,
    checks_done: list[str],
    what_was_hard: str,
    where_stuck: str,
    what_would_help: str,
    complete: bool = False,
    now: datetime | None = None,
) -> PracticumReflection:
    """Save the member's walk of a step and their reflection. Completing needs
    every check of the step's definition of done and something written; a completed
    reflection may still be edited but stays complete."""
    if step.retired_at is not None:
        raise ValidationError({"step": _("This step is retired.")})
    checks = step.done_checks()
    unknown = [check for check in checks_done if check not in checks]
    if unknown:
        raise ValidationError(
            {
                "checks_done": _("These are not checks of this step: %s")
                % ", ".join(unknown)
            }
        )
    with transaction.atomic():
        reflection, _created = (
            PracticumReflection.objects.select_for_update().get_or_create(
                member=member, step=step
            )
        )
        reflection.checks_done = [check for check in checks if check in checks_done]
        reflection.what_was_hard = what_was_hard
        reflection.where_stuck = where_stuck
        reflection.what_would_help = what_would_help
        if complete or reflection.completed_at is not None:
            errors = {}
            if len(reflection.checks_done) != len(checks):
                errors["checks_done"] = _("Walk every check of the step first.")
            if not any(
                text.strip() for text in (what_was_hard, where_stuck, what_would_help)
            ):
                errors["what_was_hard"] = _("Write what you found before completing.")
            if errors:
                raise ValidationError(errors)
            reflection.completed_at = reflection.completed_at or now or timezone.now()
        reflection.full_clean()
        reflection.save()
    return reflection


# --- api ---------------------------------------------------------------------------


def journey_save(journey: Journey, **fields) -> Journey:
    """Create or change a journey's own fields (name, description, segments,
    coverage models, conversion window, active); its steps change through the step
    services above."""
    for name, value in fields.items():
        setattr(journey, name, value)
    journey.coverage_models = _coverage_models(journey.coverage_models)
    journey.full_clean()
    journey.save()
    return journey


# --- manage pages (journeys/views/manage.py) ---------------------------------------

from django.db.models import Q  # noqa: E402

from .models import PoolMembership, QuizQuestion  # noqa: E402


def _coverage_models(value: str) -> str:
    """The journey's coverage models as stored: known codes, comma-separated, in
    the catalogue's order; an unknown one is refused on the field."""
    given = [part.strip().lower() for part in (value or "").split(",") if part.strip()]
    unknown = [part for part in given if part not in CoverageModel.values]
    if unknown:
        raise ValidationError(
            {
                "coverage_models": _(
                    "Unknown coverage model: %(models)s. Use %(known)s."
                )
                % {
                    "models": ", ".join(unknown),
                    "known": ", ".join(CoverageModel.values),
                }
            }
        )
    return ",".join(code for code in CoverageModel.values if code in given)


def _step_errors(steps: list[dict]) -> dict[int, ValidationError]:
    """Each new step's problems by its place in the list (0-based)."""
    errors = {}
    for index, fields in enumerate(steps):
        forbidden = set(fields) & _STEP_FIELDS_NOT_EDITED
        if forbidden:
            raise ValidationError(
                _("These fields are not set here: %s") % ", ".join(forbidden)
            )
        try:
            Step(**fields).full_clean(exclude=["journey", "position"])
        except ValidationError as error:
            errors[index] = error
    return errors


class StepsInvalid(ValidationError):
    """A journey's new steps were refused: `by_step` maps each refused step's place
    in the list (0-based) to its ValidationError."""

    def __init__(self, by_step: dict[int, ValidationError]):
        super().__init__(_("Some steps need correcting."))
        self.by_step = by_step


def journey_create(*, steps: list[dict], **fields) -> Journey:
    """A journey with its first steps, in this order (positions 1..n), all or
    nothing. The step fields are those of `step_insert`."""
    journey = Journey(**fields)
    journey.coverage_models = _coverage_models(journey.coverage_models)
    journey.full_clean()
    by_step = _step_errors(steps)
    if by_step:
        raise StepsInvalid(by_step)
    with transaction.atomic():
        journey.save()
        Step.objects.bulk_create(
            [
                Step(journey=journey, position=position, **step_fields)
                for position, step_fields in enumerate(steps, start=1)
            ]
        )
    return journey


def quiz_question_problems(
    *, text: str, choices: list[tuple[str, bool]]
) -> dict[str, str]:
    """What is wrong with a quiz question, keyed "text", "choices" or "correct";
    empty when it may be saved. Blank choices are left out."""
    problems = {}
    if not (text or "").strip():
        problems["text"] = _("Write the question.")
    given = [(label, ok) for label, ok in choices if (label or "").strip()]
    if len(given) < 2:
        problems["choices"] = _("Give at least two choices.")
    elif not any(ok for _label, ok in given):
        problems["correct"] = _("Mark the correct answer among the choices given.")
    return problems


def training_module_save(
    module: TrainingModule, *, questions: list[dict] | None = None, **fields
) -> TrainingModule:
    """Create or change a training module and, when `questions` is given, replace
    its quiz: each question {"text", "choices": [(text, is_correct), …]} needs two
    choices or more, one of them correct. A quiz needs its pass mark; the module
    leads from a current step."""
    for name, value in fields.items():
        setattr(module, name, value)
    errors: dict[str, list] = {}
    step = module.from_step if module.from_step_id else None
    if step is not None and step.retired_at is not None:
        errors["from_step"] = [_("This step is retired.")]
    quiz = questions
    has_quiz = (
        bool(quiz)
        if quiz is not None
        else bool(module.pk) and module.quiz_questions.exists()
    )
    if has_quiz and module.pass_mark is None:
        errors["pass_mark"] = [_("A module with a quiz needs its pass mark.")]
    try:
        module.full_clean()
    except ValidationError as error:
        for key, texts in error.message_dict.items():
            errors.setdefault(key, []).extend(texts)
    for number, question in enumerate(quiz or [], start=1):
        for problem in quiz_question_problems(
            text=question["text"], choices=question["choices"]
        ).values():
            errors.setdefault("questions", []).append(
                _("Question %(number)d: %(problem)s")
                % {"number": number, "problem": problem}
            )
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        module.save()
        if quiz is not None:
            module.quiz_questions.all().delete()
            for position, question in enumerate(quiz, start=1):
                created = QuizQuestion.objects.create(
                    module=module, position=position, text=question["text"].strip()
                )
                QuizChoice.objects.bulk_create(
                    [
                        QuizChoice(question=created, text=text.strip(), is_correct=ok)
                        for text, ok in question["choices"]
                        if text.strip()
                    ]
                )
    return module


def pool_member_add(
    *, pool: Pool, user: User, start_date: date, end_date: date | None = None
) -> PoolMembership:
    """`user` shares the pool's accounts from `start_date` to `end_date` (the last
    day, included; open when empty). A member's periods in a pool do not overlap."""
    if not has_role(user, Role.MEMBER):
        raise ValidationError({"user": _("Pools are made of members (CSMs).")})
    membership = PoolMembership(
        pool=pool, user=user, start_date=start_date, end_date=end_date
    )
    membership.full_clean()
    _check_no_overlap(membership)
    membership.save()
    return membership


def pool_member_end(*, membership: PoolMembership, end_date: date) -> PoolMembership:
    """The member leaves the pool after `end_date` (the last day, included)."""
    membership.end_date = end_date
    membership.full_clean()
    _check_no_overlap(membership)
    membership.save(update_fields=["end_date"])
    return membership


def _check_no_overlap(membership: PoolMembership) -> None:
    others = PoolMembership.objects.filter(
        pool_id=membership.pool_id, user_id=membership.user_id
    ).exclude(pk=membership.pk)
    if membership.end_date is not None:
        others = others.filter(start_date__lte=membership.end_date)
    overlapping = others.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=membership.start_date)
    )
    if overlapping.exists():
        raise ValidationError(
            {
                "start_date": _("%(name)s is already in the pool during these dates.")
                % {"name": membership.user.display_name}
            }
        )
