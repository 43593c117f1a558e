"""Writes: what quality of hire and top performers change in hiring — a success
profile saved from proposed weights, a question retired from the kits. Both go
through hiring's own services (its rules stay in one place) and are recorded in
the admin's history of the object (who, when, what), shown on its history page.
"""

from collections.abc import Mapping

from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from hiring import services as hiring_services
from hiring.models import InterviewKit, KitQuestion, Question, SuccessProfile


def _record(*, by: User, obj, action: int, message: str) -> None:
    LogEntry.objects.log_actions(by.pk, [obj], action, change_message=message)


def profile_save_proposed(
    *,
    weights: Mapping[int, int],
    by: User,
    note: str,
    profile: SuccessProfile | None = None,
    name: str = "",
    name_en: str = "",
    description: str = "",
) -> SuccessProfile:
    """Save reviewed weights into a new success profile (`profile` None: with the
    given names and description) or replace the weights of an existing one (its
    names and description stay). Starting profiles are not edited in place: hiring
    refuses, and the caller offers a new profile instead. `note` (how the top
    performers were chosen) goes into the record."""
    with transaction.atomic():
        if profile is None:
            profile = hiring_services.profile_create(
                weights=weights,
                name=name,
                name_en=name_en,
                description=description,
            )
            action = ADDITION
        else:
            profile = hiring_services.profile_update(profile=profile, weights=weights)
            action = CHANGE
        _record(
            by=by,
            obj=profile,
            action=action,
            message=_("Weights proposed from top performers: %(note)s")
            % {"note": note},
        )
    return profile


def question_retire_from_kits(
    *, question: Question, by: User, retire_from_bank: bool = True
) -> list[InterviewKit]:
    """Take the question out of every kit that asks it (the others keep their
    order) and, with `retire_from_bank`, retire it so that no kit offers it again.
    Past scorecards keep their answers. Returns the kits it left.

    A kit that also asks another retired question cannot be saved by hiring's
    rules: the error names it and nothing is written."""
    with transaction.atomic():
        kits = list(
            InterviewKit.objects.select_for_update()
            .filter(
                pk__in=KitQuestion.objects.filter(question=question).values("kit_id")
            )
            .select_related("opening")
            .order_by("pk")
        )
        if not kits and not (retire_from_bank and question.is_active):
            raise ValidationError(
                _("No kit asks this question and it is already retired.")
                if not question.is_active
                else _(
                    "No kit asks this question. Retire it from the bank to stop "
                    "kits offering it."
                )
            )
        for kit in kits:
            remaining = list(
                kit.kit_questions.exclude(question=question)
                .order_by("position")
                .values_list("question_id", "question__is_active")
            )
            if not all(is_active for _pk, is_active in remaining):
                raise ValidationError(
                    _(
                        "The kit “%(kit)s” also asks retired questions: open the kit "
                        "and take them out first."
                    )
                    % {"kit": kit}
                )
            hiring_services.kit_set_questions(
                kit=kit, question_ids=[pk for pk, _active in remaining]
            )
        retired = retire_from_bank and question.is_active
        if retired:
            hiring_services.question_save(question, is_active=False)
        kit_names = ", ".join(str(kit) for kit in kits) or "—"
        _record(
            by=by,
            obj=question,
            action=CHANGE,
            message=(
                _(
                    "Quality of hire: taken out of the kits %(kits)s and retired "
                    "from the bank."
                )
                if retired
                else _("Quality of hire: taken out of the kits %(kits)s.")
            )
            % {"kits": kit_names},
        )
    return kits
