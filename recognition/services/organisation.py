"""Writes of organisation planning: the role map and the maturity self-assessment.

Admins write both (`permissions.plans_organisation`); a service refuses anyone
else with PermissionError.

- The standard CS functions are made on first use (`role_functions_ensure`), so a
  fresh database, and every test, has them without a data migration; they may be
  renamed and reordered, never deleted. Admins add and delete their own.
- A maturity assessment is written for the running fiscal quarter only, and
  changed only while its quarter runs: past quarters are kept as they were
  answered (the Django admin can still correct one). Answers not given take the
  evidence's suggestion, or "no" where Kata has no evidence; the evidence seen
  and the level reached are stored with the answers.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User

from .. import organisation, permissions
from ..models import MaturityAssessment, RoleFunction, RoleStatus
from ..selectors import organisation as selectors

# Standard functions are spaced out so that admins can slot their own between.
POSITION_STEP = 10
# The largest position the column holds (a PositiveSmallIntegerField).
LAST_POSITION = 32767


def _require_planner(by: User) -> None:
    if not permissions.plans_organisation(by):
        raise PermissionError("Only admins change the role map and the maturity.")


# --- Role map ----------------------------------------------------------------------


def role_functions_ensure() -> None:
    """Make the standard functions that are missing (idempotent, safe to race:
    the key is unique)."""
    have = set(
        RoleFunction.objects.exclude(key="").values_list("key", flat=True).distinct()
    )
    missing = [key for key in organisation.STANDARD_KEYS if key not in have]
    if not missing:
        return
    RoleFunction.objects.bulk_create(
        [
            RoleFunction(
                key=key,
                position=(organisation.STANDARD_KEYS.index(key) + 1) * POSITION_STEP,
            )
            for key in missing
        ],
        ignore_conflicts=True,
    )


def role_function_save(
    *,
    function: RoleFunction,
    by: User,
    status: str,
    importance: str,
    name: str = "",
    shared_with: str = "",
    owner: User | None = None,
    note: str = "",
    position: int | None = None,
) -> RoleFunction:
    _require_planner(by)
    function.name = (name or "").strip()
    function.status = status
    function.importance = importance
    # Who shares it matters only while it is shared.
    function.shared_with = (
        (shared_with or "").strip() if status == RoleStatus.SHARED else ""
    )
    function.owner = owner
    function.note = (note or "").strip()
    if position is not None:
        function.position = position
    elif function.pk is None:
        last = RoleFunction.objects.order_by("-position").values_list(
            "position", flat=True
        )
        # After the last, at most the column's largest value: the functions
        # placed there list by creation (the order's next key, their ids).
        function.position = min((last.first() or 0) + POSITION_STEP, LAST_POSITION)
    problems = {}
    if not function.key and not function.name:
        problems["name"] = _("A function of your own needs a name.")
    if function.status == RoleStatus.SHARED and not function.shared_with:
        problems["shared_with"] = _("Say which role shares this function.")
    if problems:
        raise ValidationError(problems)
    function.full_clean()
    function._history_user = by  # the audit history's "who"
    function.save()
    return function


def role_function_delete(*, function: RoleFunction, by: User) -> None:
    _require_planner(by)
    if function.is_standard:
        raise ValidationError(
            _(
                "A standard function stays on the map: mark it not started or "
                "important later instead."
            )
        )
    function._history_user = by
    function.delete()


# --- Maturity ----------------------------------------------------------------------


def check_answers(answers) -> dict[str, str]:
    """The answers as given: a mapping of question keys to yes, partly or no."""
    if not isinstance(answers, dict):
        raise ValidationError(
            {"answers": _("Give the answers as question keys and yes, partly or no.")}
        )
    problems = []
    if unknown := organisation.unknown_keys(answers):
        problems.append(
            _("Unknown questions: %(keys)s.") % {"keys": ", ".join(map(str, unknown))}
        )
    allowed = {value for value, _label in organisation.ANSWERS}
    wrong = sorted(
        str(key)
        for key, value in answers.items()
        # A list or an object (JSON typed in the admin) is no answer either.
        if key not in unknown and (not isinstance(value, str) or value not in allowed)
    )
    if wrong:
        problems.append(
            _("Answer yes, partly or no: %(keys)s.") % {"keys": ", ".join(wrong)}
        )
    if problems:
        raise ValidationError({"answers": problems})
    return dict(answers)


def check_quarter(quarter: str, *, now: datetime | None = None) -> str:
    """The running fiscal quarter, as FY2026-Q1: another one is refused."""
    try:
        organisation.quarter_period(quarter)
    except ValueError:
        raise ValidationError(
            {"quarter": _("Enter a fiscal quarter such as FY2026-Q1.")}
        ) from None
    running = organisation.quarter_key(timezone.localdate(now or timezone.now()))
    if quarter != running:
        raise ValidationError(
            {
                "quarter": _(
                    "Only the running quarter (%(quarter)s) is assessed; past "
                    "quarters are kept as they were answered."
                )
                % {"quarter": running}
            }
        )
    return quarter


def maturity_assessment_save(
    *,
    assessment: MaturityAssessment,
    by: User,
    answers: dict,
    quarter: str | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> MaturityAssessment:
    """Write the running quarter's assessment (`quarter` defaults to it)."""
    _require_planner(by)
    now = now or timezone.now()
    running = organisation.quarter_key(timezone.localdate(now))
    if assessment.pk is not None and assessment.quarter != running:
        raise ValidationError(
            {
                "quarter": _(
                    "%(quarter)s is over: its assessment is kept as it was answered."
                )
                % {"quarter": organisation.quarter_label(assessment.quarter)}
            }
        )
    quarter = check_quarter(quarter or assessment.quarter or running, now=now)
    given = check_answers(answers)
    if (
        MaturityAssessment.objects.filter(quarter=quarter)
        .exclude(pk=assessment.pk)
        .exists()
    ):
        raise ValidationError(
            {"quarter": _("This quarter already has its maturity assessment.")}
        )
    evidence = selectors.maturity_evidence(now=now)
    suggested = organisation.suggested_answers(evidence)
    complete = {
        key: given.get(key, suggested.get(key, organisation.NO))
        for key in organisation.QUESTION_KEYS
    }
    assessment.quarter = quarter
    assessment.answers = complete
    assessment.evidence = evidence
    assessment.level = organisation.level_reached(complete)
    if note is not None:
        assessment.note = note.strip()
    assessment.assessed_by = by
    assessment.assessed_at = now
    assessment.full_clean(validate_constraints=False)
    assessment._history_user = by
    try:
        with transaction.atomic():
            assessment.save()
    except IntegrityError:
        # Another admin saved the quarter's assessment a moment ago.
        raise ValidationError(
            {"quarter": _("This quarter already has its maturity assessment.")}
        ) from None
    return assessment
