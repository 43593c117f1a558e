"""Every write in hiring."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts import services as account_services
from accounts.models import Role, TeamMembership, User
from config.saving import save_unique

from . import permissions
from .models import (
    AnswerRating,
    Application,
    Candidate,
    CandidateFeedback,
    Competency,
    CompetencyRating,
    Decision,
    FeedbackRating,
    HiringPolicy,
    Interview,
    InterviewKit,
    KitQuestion,
    Opening,
    ProfileWeight,
    Question,
    Rating,
    Scorecard,
    ScorecardRevision,
    SuccessProfile,
)

RATINGS = {rating.value for rating in Rating}


def _whole_number(value) -> int:
    """int(value) for 3 or "3"; ValueError for 2.5, which is no rating of 2."""
    number = int(value)
    if number != value and str(value).strip() != str(number):
        raise ValueError(value)
    return number


def proposed_rating(question_ratings: Iterable[int]) -> int | None:
    """The mean of a competency's question ratings, rounded half up (2.5 → 3)."""
    ratings = [rating for rating in question_ratings if rating is not None]
    if not ratings:
        return None
    # Integer arithmetic: no binary rounding surprises at exact halves.
    return (2 * sum(ratings) + len(ratings)) // (2 * len(ratings))


def record_save(instance, **fields):
    """Create or update a plain record (competency, question, opening, candidate…).

    Validation errors come back per field; nothing is written then.
    """
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    save_unique(instance)
    return instance


# --- Competency framework ---------------------------------------------------------


def profile_set_weights(
    *, profile: SuccessProfile, weights: Mapping[int, int]
) -> SuccessProfile:
    """Replace a profile's weights: competency id → importance 1–5."""
    errors = {}
    for competency_id, weight in weights.items():
        if not isinstance(weight, int) or not 1 <= weight <= 5:
            errors[str(competency_id)] = _("A weight is a whole number from 1 to 5.")
    known = set(
        Competency.objects.filter(pk__in=weights.keys()).values_list("pk", flat=True)
    )
    for competency_id in set(weights) - known:
        errors[str(competency_id)] = _("There is no such competency.")
    if not weights:
        errors["weights"] = _("A success profile needs at least one competency.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Row by row (deletes send their signals), so that the audit history
        # records each change; unchanged weights are not written again.
        profile.weights.exclude(competency_id__in=weights.keys()).delete()
        current = {
            w.competency_id: w for w in ProfileWeight.objects.filter(profile=profile)
        }
        for competency_id, weight in weights.items():
            row = current.get(competency_id) or ProfileWeight(
                profile=profile, competency_id=competency_id
            )
            if row.pk is None or row.weight != weight:
                row.weight = weight
                row.save()
        profile.save(update_fields=["updated_at"])
    return profile


def profile_copy(*, profile: SuccessProfile, name: str) -> SuccessProfile:
    """A new, editable profile with the same weights."""
    copy = SuccessProfile(
        name=name,
        name_en="",
        description=profile.description,
        description_en=profile.description_en,
        copied_from=profile,
    )
    copy.full_clean()
    with transaction.atomic():
        save_unique(copy)
        # With their audit history (a plain bulk_create would leave none).
        bulk_create_with_history(
            [
                ProfileWeight(
                    profile=copy, competency_id=w.competency_id, weight=w.weight
                )
                for w in profile.weights.all()
            ],
            ProfileWeight,
        )
    return copy


# --- Interview kits ---------------------------------------------------------------


def kit_set_questions(*, kit: InterviewKit, question_ids: list[int]) -> InterviewKit:
    """Replace the kit's questions with these, asked in this order."""
    if len(set(question_ids)) != len(question_ids):
        raise ValidationError({"questions": _("A question can be in a kit only once.")})
    found = set(
        Question.objects.filter(pk__in=question_ids, is_active=True).values_list(
            "pk", flat=True
        )
    )
    missing = [pk for pk in question_ids if pk not in found]
    if missing:
        raise ValidationError(
            {
                "questions": _("These questions do not exist or are retired: %s")
                % ", ".join(map(str, missing))
            }
        )
    with transaction.atomic():
        kit.kit_questions.all().delete()
        KitQuestion.objects.bulk_create(
            KitQuestion(kit=kit, question_id=pk, position=position)
            for position, pk in enumerate(question_ids, start=1)
        )
    return kit


# --- Candidates and interviews ----------------------------------------------------


def application_create(
    *, candidate: Candidate, opening: Opening, by: User | None = None
) -> Application:
    if opening.status != Opening.Status.OPEN:
        raise ValidationError({"opening": _("This opening does not take candidates.")})
    if Application.objects.filter(candidate=candidate, opening=opening).exists():
        raise ValidationError(
            {"opening": _("This candidate has already applied to this opening.")}
        )
    application = Application(
        candidate=candidate, opening=opening, stage_changed_at=timezone.now()
    )
    application.full_clean(exclude=["candidate", "opening"])
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        # The same application was made at the same moment elsewhere.
        raise ValidationError(
            {"opening": _("This candidate has already applied to this opening.")}
        ) from None
    return application


def _panel_hidden(by: User | None, application: Application) -> bool:
    return by is not None and permissions.is_bound_on(by, application.candidate_id)


def _not_schedulable_while_bound() -> ValidationError:
    """What a scheduler bound on the candidate learns when scheduling fails for a
    reason of the hidden panel (an interview already held by someone else, a
    decision they may not see): that it failed, and nothing of the panel."""
    return ValidationError(
        _(
            "This interview cannot be scheduled by you while your own scorecard for "
            "this candidate is not submitted. Ask someone who is not on the panel."
        )
    )


def interview_schedule(
    *,
    application: Application,
    kit: InterviewKit,
    interviewer: User,
    scheduled_at: datetime,
    duration_minutes: int = 60,
    by: User | None = None,
) -> Interview:
    """Schedule an interview; its (empty) scorecard is created with it.

    A scheduler bound on the candidate (`permissions`, independence) does not see the
    panel: a refusal that comes from it (another interviewer's interview, a hidden
    decision's stage) says nothing of it."""
    if kit.opening_id != application.opening_id:
        raise ValidationError({"kit": _("The kit belongs to another opening.")})
    hidden = _panel_hidden(by, application)
    if application.stage in Application.CLOSED_STAGES:
        if hidden and application.stage in Application.DECIDED_STAGES:
            raise _not_schedulable_while_bound()
        raise ValidationError(
            {
                "application": _("This application is closed: %(stage)s.")
                % {"stage": application.get_stage_display()}
            }
        )
    taken = _interview_taken(hidden=hidden and interviewer.pk != by.pk)
    if Interview.objects.filter(
        application=application, kit=kit, interviewer=interviewer
    ).exists():
        raise taken
    interview = Interview(
        application=application,
        kit=kit,
        interviewer=interviewer,
        scheduled_at=scheduled_at,
        duration_minutes=duration_minutes,
        created_by=by,
    )
    interview.full_clean(exclude=["application", "kit", "interviewer", "created_by"])
    try:
        with transaction.atomic():
            interview.save()
            Scorecard.objects.create(interview=interview)
            if application.stage == Application.Stage.APPLIED:
                _set_stage(application, Application.Stage.INTERVIEWING)
    except IntegrityError:
        raise taken from None
    return interview


def _interview_taken(*, hidden: bool) -> ValidationError:
    if hidden:
        return _not_schedulable_while_bound()
    return ValidationError(
        {
            "interviewer": _(
                "This interviewer already has this stage with this candidate."
            )
        }
    )


def interview_cancel(*, interview: Interview, by: User) -> None:
    """Cancel an interview whose scorecard was never submitted (its draft goes too).

    A submitted scorecard is a record of the panel: such an interview stays.
    """
    with transaction.atomic():
        scorecard = Scorecard.objects.select_for_update().get(interview=interview)
        if scorecard.current_id is not None:
            raise ValidationError(
                _("This interview has a submitted scorecard and cannot be cancelled.")
            )
        interview.delete()


def _set_stage(application: Application, stage: str) -> None:
    application.stage = stage
    application.stage_changed_at = timezone.now()
    application.save(update_fields=["stage", "stage_changed_at"])


# --- Scorecards -------------------------------------------------------------------


def _check_author(scorecard: Scorecard, by: User) -> None:
    if scorecard.interview.interviewer_id != by.pk:
        raise PermissionError("Only the interviewer writes their scorecard.")
    # Erased personal data must not come back through new notes.
    if Candidate.objects.filter(
        applications__interviews__scorecard=scorecard, anonymised_at__isnull=False
    ).exists():
        raise ValidationError(
            _(
                "This candidate's personal data has been deleted: the scorecard "
                "is closed."
            )
        )


class DraftConflict(ValidationError):
    """The draft changed elsewhere (another tab or device) since this copy loaded."""


def _open_draft(scorecard: Scorecard) -> ScorecardRevision | None:
    return scorecard.revisions.filter(submitted_at__isnull=True).first()


def scorecard_draft(*, scorecard: Scorecard, by: User) -> ScorecardRevision:
    """The scorecard's open draft, started when there is none and nothing submitted."""
    _check_author(scorecard, by)
    draft = _open_draft(scorecard)
    if draft is not None:
        return draft
    if scorecard.current_id is not None:
        raise ValidationError(
            _("This scorecard is submitted. To change it, start a correction.")
        )
    try:
        with transaction.atomic():
            return ScorecardRevision.objects.create(
                scorecard=scorecard, number=1, created_by=by
            )
    except IntegrityError:
        # Two tabs started the draft at once: use the one that won.
        return _open_draft(scorecard)


def _rating_or_error(value, errors: dict, key: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        rating = _whole_number(value)
    except (TypeError, ValueError):
        rating = None
    if rating not in RATINGS:
        errors[key] = _("A rating is a whole number from 1 to 4.")
        return None
    return rating


def scorecard_save_draft(
    *,
    scorecard: Scorecard,
    by: User,
    answers: Mapping[int, Mapping] | None = None,
    competency_ratings: Mapping[int, object] | None = None,
    overall=None,
    summary: str | None = None,
    expected_saved_at: datetime | None = None,
) -> ScorecardRevision:
    """Save what the interviewer has typed so far; nothing needs to be complete.

    `answers` maps question id → {"notes": str, "rating": 1–4 or None};
    `competency_ratings` maps competency id → 1–4 or None. Keys left out keep their
    saved value. Ratings out of range are refused, each with its own message, and
    nothing is saved then. With `expected_saved_at` (when the writer's copy of the
    draft was last saved), a draft saved since by another tab is not overwritten:
    DraftConflict is raised instead, unless the draft already holds exactly what is
    posted (a copy sent twice, e.g. the page's save on leaving arriving after the
    next page's restore): then nothing is written and the draft is returned.
    """
    with transaction.atomic():
        locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        draft = scorecard_draft(scorecard=locked, by=by)
        moved = expected_saved_at is not None and draft.saved_at != expected_saved_at
        kit_question_ids = set(
            locked.interview.kit.kit_questions.values_list("question_id", flat=True)
        )
        kit_competency_ids = _kit_competency_ids(locked.interview.kit)
        errors: dict[str, str] = {}
        answer_rows = {}
        for question_id, answer in (answers or {}).items():
            if int(question_id) not in kit_question_ids:
                errors[f"question_{question_id}"] = _(
                    "This question is not in the kit."
                )
                continue
            rating = _rating_or_error(
                answer.get("rating"), errors, f"question_{question_id}"
            )
            answer_rows[int(question_id)] = (str(answer.get("notes") or ""), rating)
        competency_rows = {}
        for competency_id, value in (competency_ratings or {}).items():
            key = f"competency_{competency_id}"
            if int(competency_id) not in kit_competency_ids:
                errors[key] = _("No question of the kit assesses this competency.")
                continue
            competency_rows[int(competency_id)] = _rating_or_error(value, errors, key)
        overall_rating = (
            _rating_or_error(overall, errors, "overall")
            if overall is not None
            else draft.overall
        )
        if moved:
            if not errors and _draft_holds(
                draft, answer_rows, competency_rows, overall_rating, summary
            ):
                return draft
            raise DraftConflict(
                _(
                    "This scorecard was changed in another window since you opened "
                    "it. Reload the page to continue from the latest version."
                )
            )
        if errors:
            raise ValidationError(errors)
        for question_id, (notes, rating) in answer_rows.items():
            AnswerRating.objects.update_or_create(
                revision=draft,
                question_id=question_id,
                defaults={"notes": notes, "rating": rating},
            )
        for competency_id, rating in competency_rows.items():
            CompetencyRating.objects.update_or_create(
                revision=draft, competency_id=competency_id, defaults={"rating": rating}
            )
        draft.overall = overall_rating
        if summary is not None:
            draft.summary = summary
        draft.save()
    return draft


def _draft_holds(
    draft: ScorecardRevision,
    answer_rows: Mapping[int, tuple[str, int | None]],
    competency_rows: Mapping[int, int | None],
    overall: int | None,
    summary: str | None,
) -> bool:
    """Whether the draft already holds every posted value (the content compared,
    not the time it was saved)."""
    if overall != draft.overall:
        return False
    if summary is not None and _same_text(summary) != _same_text(draft.summary):
        return False
    saved_answers = {
        answer.question_id: (_same_text(answer.notes), answer.rating)
        for answer in draft.answers.filter(question_id__in=answer_rows.keys())
    }
    for question_id, (notes, rating) in answer_rows.items():
        if saved_answers.get(question_id, ("", None)) != (_same_text(notes), rating):
            return False
    saved_ratings = dict(
        draft.competency_ratings.filter(
            competency_id__in=competency_rows.keys()
        ).values_list("competency_id", "rating")
    )
    return all(
        saved_ratings.get(competency_id) == rating
        for competency_id, rating in competency_rows.items()
    )


def _same_text(text: str) -> str:
    # Browsers post a textarea's line breaks as CRLF.
    return (text or "").replace("\r\n", "\n")


def _kit_competency_ids(kit: InterviewKit) -> set[int]:
    return set(
        kit.kit_questions.values_list("question__competency_id", flat=True).distinct()
    )


def scorecard_missing(*, revision: ScorecardRevision) -> dict[str, str]:
    """What a submit still needs, by field: every question and competency rated."""
    kit = revision.scorecard.interview.kit
    rated_questions = set(
        revision.answers.filter(rating__isnull=False).values_list(
            "question_id", flat=True
        )
    )
    rated_competencies = set(
        revision.competency_ratings.filter(rating__isnull=False).values_list(
            "competency_id", flat=True
        )
    )
    missing = {}
    seen_competencies = set()
    for kit_question in kit.kit_questions.select_related("question__competency"):
        question = kit_question.question
        if question.pk not in rated_questions:
            missing[f"question_{question.pk}"] = _(
                "Question %(position)s has no rating."
            ) % {"position": kit_question.position}
        competency = question.competency
        if competency.pk in seen_competencies:
            continue
        seen_competencies.add(competency.pk)
        if competency.pk not in rated_competencies:
            missing[f"competency_{competency.pk}"] = _(
                "The competency “%(name)s” has no rating."
            ) % {"name": competency}
    if revision.overall is None:
        missing["overall"] = _("The overall recommendation is missing.")
    if revision.number > 1 and not revision.reason.strip():
        missing["reason"] = _("A correction needs its reason.")
    return missing


def scorecard_submit(*, scorecard: Scorecard, by: User) -> Scorecard:
    """Submit the open draft. Refused, listing what is missing, while incomplete.

    A submitted revision is final: it becomes the scorecard's current revision and
    is never written again.
    """
    with transaction.atomic():
        locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        _check_author(locked, by)
        if locked.current_id is None:
            # Never opened: the draft is empty, and the missing list says so.
            draft = scorecard_draft(scorecard=locked, by=by)
        else:
            draft = _open_draft(locked)
        if draft is None:
            raise ValidationError(_("There is no correction to submit."))
        missing = scorecard_missing(revision=draft)
        if missing:
            raise ValidationError(missing)
        now = timezone.now()
        draft.submitted_at = now
        draft.save(update_fields=["submitted_at"])
        locked.current = draft
        locked.first_submitted_at = locked.first_submitted_at or now
        locked.save(update_fields=["current", "first_submitted_at"])
    return locked


def scorecard_start_correction(
    *, scorecard: Scorecard, by: User, reason: str
) -> ScorecardRevision:
    """Open a new draft revision, a copy of the current one, to be corrected."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the scorecard is corrected.")})
    with transaction.atomic():
        locked = Scorecard.objects.select_for_update().get(pk=scorecard.pk)
        _check_author(locked, by)
        if locked.current_id is None:
            raise ValidationError(_("Only a submitted scorecard can be corrected."))
        if _open_draft(locked) is not None:
            raise ValidationError(_("A correction of this scorecard is already open."))
        current = locked.current
        number = locked.revisions.aggregate(last=Max("number"))["last"] + 1
        draft = ScorecardRevision.objects.create(
            scorecard=locked,
            number=number,
            overall=current.overall,
            summary=current.summary,
            reason=reason,
            created_by=by,
        )
        AnswerRating.objects.bulk_create(
            AnswerRating(
                revision=draft,
                question_id=answer.question_id,
                notes=answer.notes,
                rating=answer.rating,
            )
            for answer in current.answers.all()
        )
        CompetencyRating.objects.bulk_create(
            CompetencyRating(
                revision=draft, competency_id=rating.competency_id, rating=rating.rating
            )
            for rating in current.competency_ratings.all()
        )
    return draft


def scorecard_discard_correction(*, scorecard: Scorecard, by: User) -> None:
    """Drop an open correction; the submitted revision stays current."""
    _check_author(scorecard, by)
    if scorecard.current_id is None:
        raise ValidationError(_("A first draft is not discarded; it is submitted."))
    scorecard.revisions.filter(submitted_at__isnull=True).delete()


# --- Decisions and hiring ---------------------------------------------------------

DECISION_STAGES = {
    Decision.Kind.ADVANCE: Application.Stage.INTERVIEWING,
    Decision.Kind.OFFER: Application.Stage.OFFER,
    Decision.Kind.REJECT: Application.Stage.REJECTED,
}


def decision_record(
    *, application: Application, kind: str, reason: str, by: User
) -> Decision:
    reason = (reason or "").strip()
    errors = {}
    if kind not in Decision.Kind.values:
        errors["kind"] = _("Choose advance, offer or reject.")
    if not reason:
        errors["reason"] = _("Give the reason for the decision.")
    if application.stage in Application.CLOSED_STAGES:
        errors["kind"] = _("This application is already closed: %(stage)s.") % {
            "stage": application.get_stage_display()
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        decision = Decision.objects.create(
            application=application,
            kind=kind,
            reason=reason,
            decided_by=by,
            decided_at=timezone.now(),
        )
        _set_stage(application, DECISION_STAGES[kind])
    return decision


def application_withdraw(*, application: Application, by: User) -> Application:
    if application.stage in Application.CLOSED_STAGES:
        raise ValidationError(_("This application is already closed."))
    _set_stage(application, Application.Stage.WITHDRAWN)
    return application


def candidate_hire(
    *, application: Application, by: User, start_date=None, username: str = ""
) -> User:
    """Mark the candidate hired and make them a member of the opening's team.

    The candidate's Kata user is the one already linked, else the user with the
    candidate's email, else a new user who receives the welcome email. The candidate
    record keeps the link, so that interview ratings can later be compared with how
    the member performs.
    """
    if application.stage == Application.Stage.HIRED:
        raise ValidationError(_("This candidate is already hired for this opening."))
    if application.stage in Application.CLOSED_STAGES:
        raise ValidationError(
            _("A %(stage)s application cannot be hired.")
            % {"stage": application.get_stage_display()}
        )
    candidate = application.candidate
    if candidate.anonymised_at:
        raise ValidationError(_("This candidate's personal data has been deleted."))
    start_date = start_date or timezone.localdate()
    with transaction.atomic():
        user = candidate.user or _user_for_candidate(candidate, username=username)
        account_services.user_set_roles(
            user=user,
            roles={Role(name) for name in user.groups.values_list("name", flat=True)}
            | {Role.MEMBER},
        )
        already_member = (
            TeamMembership.objects.active_on(start_date)
            .filter(user=user, team=application.opening.team)
            .exists()
        )
        if not already_member:
            account_services.team_membership_start(
                team=application.opening.team, user=user, start_date=start_date
            )
        candidate.user = user
        candidate.save(update_fields=["user"])
        _set_stage(application, Application.Stage.HIRED)
    return user


def _user_for_candidate(candidate: Candidate, *, username: str) -> User:
    if candidate.email:
        existing = User.objects.filter(email__iexact=candidate.email).first()
        if existing is not None:
            if hasattr(existing, "candidate_record"):
                raise ValidationError(
                    _("The user with this email is already linked to a candidate.")
                )
            return existing
    username = username or (candidate.email.split("@")[0] if candidate.email else "")
    if not username:
        raise ValidationError(
            {"username": _("Give a username: the candidate has no email address.")}
        )
    # Japanese names are written family name first, often with a full-width space.
    family_name, given_name = _split_name(candidate.name)
    family_reading, given_reading = _split_name(candidate.name_reading)
    return account_services.user_create(
        username=username,
        email=candidate.email,
        family_name=family_name,
        given_name=given_name,
        family_name_reading=family_reading,
        given_name_reading=given_reading,
        roles=[Role.MEMBER],
    )


def _split_name(name: str) -> tuple[str, str]:
    parts = name.split(maxsplit=1)  # any whitespace, the full-width space included
    return (parts[0], parts[1] if len(parts) > 1 else "") if parts else ("", "")


# --- Candidate privacy (APPI) -----------------------------------------------------

ERASED = "—"


def candidate_erase_personal_data(
    *, candidate: Candidate, by: User | None, why: str
) -> Candidate:
    """Delete a candidate's personal data, keeping their ratings for calibration.

    Name, email, notes, answer notes, summaries, correction reasons, decision reasons
    and feedback comments are erased;
    ratings, recommendations and decisions stay. Recorded with who and when.
    """
    if candidate.anonymised_at:
        raise ValidationError(_("This candidate's personal data is already deleted."))
    with transaction.atomic():
        revisions = ScorecardRevision.objects.filter(
            scorecard__interview__application__candidate=candidate
        )
        AnswerRating.objects.filter(revision__in=revisions).update(notes="")
        revisions.update(summary="")
        revisions.exclude(reason="").update(reason=ERASED)
        CandidateFeedback.objects.filter(
            interview__application__candidate=candidate
        ).update(comment="")
        Decision.objects.filter(application__candidate=candidate).update(reason=ERASED)
        candidate.name = ERASED
        candidate.name_reading = ""
        candidate.email = ""
        candidate.resume_url = ""
        candidate.notes = ""
        candidate.anonymised_at = timezone.now()
        candidate.anonymised_by = by
        candidate.anonymisation = why
        candidate.save()
        _erase_from_admin_log(candidate)
    return candidate


def _erase_from_admin_log(candidate: Candidate) -> None:
    """The Django admin's log names what was changed as it was named then (a
    candidate, an application or interview of theirs by the candidate's name):
    those names become what the records are called now."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    records = [
        candidate,
        *Application.objects.filter(candidate=candidate).select_related("opening"),
        *Interview.objects.filter(application__candidate=candidate).select_related(
            "application__candidate", "kit"
        ),
    ]
    for record in records:
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(record),
            object_id=str(record.pk),
        ).update(object_repr=str(record)[:200])


def candidates_due_for_anonymisation(*, now: datetime) -> QuerySet:
    """Candidates whose applications all closed as rejected or withdrawn, the last
    of them longer ago than the retention period."""
    policy = HiringPolicy.current()
    cutoff = now - timedelta(days=policy.retention_days)
    ended = Application.ENDED_STAGES
    return (
        Candidate.objects.filter(anonymised_at__isnull=True, applications__isnull=False)
        .exclude(applications__stage__in=set(Application.Stage.values) - set(ended))
        .annotate(last_closed=Max("applications__stage_changed_at"))
        .filter(last_closed__lt=cutoff)
    )


def candidates_anonymise_expired(*, now: datetime | None = None) -> int:
    now = now or timezone.now()
    count = 0
    for candidate_id in candidates_due_for_anonymisation(now=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            candidate = Candidate.objects.select_for_update().get(pk=candidate_id)
            if candidate.anonymised_at is None:
                candidate_erase_personal_data(
                    candidate=candidate, by=None, why=Candidate.Anonymisation.RETENTION
                )
                count += 1
    return count


# --- The hiring policy -------------------------------------------------------------

POLICY_FIELDS = (
    "panel_visibility",
    "reminder_after_hours",
    "retention_days",
    "feedback_link_days",
)
# field → (lowest, highest) it may be set to.
POLICY_LIMITS = {
    "reminder_after_hours": (1, 168),
    "retention_days": (30, 3650),
    "feedback_link_days": (1, 90),
}


def policy_update(*, by: User, **fields) -> HiringPolicy:
    """Change the hiring policy (the page and the API both come here). Each field
    is checked (whole numbers within POLICY_LIMITS, a known panel visibility);
    errors come back per field and nothing is saved then."""
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError(
            {name: _("The hiring policy has no such setting.") for name in unknown}
        )
    errors = {}
    for name, (low, high) in POLICY_LIMITS.items():
        if name not in fields:
            continue
        value = fields[name]
        try:
            number = _whole_number(value)
        except (TypeError, ValueError):
            number = None
        if number is None or not low <= number <= high:
            errors[name] = _("Give a whole number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
        else:
            fields[name] = number
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        policy = HiringPolicy.current()
        policy = HiringPolicy.objects.select_for_update().get(pk=policy.pk)
        for name, value in fields.items():
            setattr(policy, name, value)
        policy._history_user = by
        policy.full_clean()
        policy.save()
    return policy


# --- Overdue scorecards -----------------------------------------------------------


def overdue_scorecards(*, now: datetime) -> QuerySet:
    """Scorecards not submitted within the policy's hours of the interview's start."""
    hours = HiringPolicy.current().reminder_after_hours
    return Scorecard.objects.filter(
        current__isnull=True,
        interview__scheduled_at__lt=now - timedelta(hours=hours),
        interview__application__candidate__anonymised_at__isnull=True,
    ).exclude(interview__application__stage__in=Application.ENDED_STAGES)


def scorecard_reminders_due(*, now: datetime) -> list[int]:
    """Overdue scorecards whose interviewer was not reminded in the last day."""
    return list(
        overdue_scorecards(now=now)
        .filter(
            Q(last_reminded_at__isnull=True)
            | Q(last_reminded_at__lte=now - REMINDER_INTERVAL)
        )
        .values_list("pk", flat=True)
    )


REMINDER_INTERVAL = timedelta(days=1)
# "Remind now" on the overdue list: at most once an hour per scorecard, whatever
# sent the previous reminder.
MANUAL_REMINDER_INTERVAL = timedelta(hours=1)


def scorecard_remind(
    *,
    scorecard_id: int,
    now: datetime | None = None,
    interval: timedelta = REMINDER_INTERVAL,
) -> bool:
    """Email the interviewer about an overdue scorecard, at most once per
    `interval` (a day for the hourly job, an hour for "remind now"); False when
    it is not due.

    The reminder is claimed with a conditional update, so that two workers never
    both send it; a failed send releases the claim for the next run.
    """
    now = now or timezone.now()
    previous = (
        Scorecard.objects.filter(pk=scorecard_id).values_list(
            "last_reminded_at", flat=True
        )
    ).first()
    due = (
        overdue_scorecards(now=now)
        .filter(pk=scorecard_id, last_reminded_at=previous)
        .filter(
            Q(last_reminded_at__isnull=True) | Q(last_reminded_at__lte=now - interval)
        )
        .exists()
    )
    # The claim filters on the row's own columns only: an UPDATE filtered through
    # joins becomes `id IN (subquery)`, which PostgreSQL does not re-check against
    # a concurrent claim, and both workers would send.
    claimed = due and (
        Scorecard.objects.filter(pk=scorecard_id, last_reminded_at=previous).update(
            last_reminded_at=now
        )
    )
    if not claimed:
        return False
    scorecard = Scorecard.objects.select_related(
        "interview__interviewer",
        "interview__application__candidate",
        "interview__application__opening",
        "interview__kit",
    ).get(pk=scorecard_id)
    try:
        _send_reminder(scorecard)
    except Exception:
        Scorecard.objects.filter(pk=scorecard_id, last_reminded_at=now).update(
            last_reminded_at=previous
        )
        raise
    return True


def _send_reminder(scorecard: Scorecard) -> None:
    interview = scorecard.interview
    interviewer = interview.interviewer
    if not interviewer.email:
        return
    with translation.override(interviewer.preferred_language):
        context = {
            "interviewer": interviewer,
            "interview": interview,
            "candidate": interview.application.candidate,
            "opening": interview.application.opening,
            "url": settings.SITE_URL.rstrip("/")
            + reverse("hiring:scorecard", args=[interview.pk]),
        }
        send_mail(
            subject=_("Scorecard overdue: %(candidate)s")
            % {"candidate": interview.application.candidate},
            message=render_to_string("hiring/email/scorecard_reminder.txt", context),
            from_email=None,
            recipient_list=[interviewer.email],
        )


# --- Candidate experience ---------------------------------------------------------

FEEDBACK_SALT = "hiring.candidate-feedback"


def feedback_token(feedback: CandidateFeedback) -> str:
    return signing.dumps({"feedback": feedback.pk}, salt=FEEDBACK_SALT)


def feedback_from_token(token: str) -> CandidateFeedback:
    """The feedback a link is for; refused when forged or expired. An answered one
    is returned (see `responded_at`); `feedback_submit` refuses a second answer."""
    max_age = timedelta(days=HiringPolicy.current().feedback_link_days)
    try:
        data = signing.loads(token, salt=FEEDBACK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise FeedbackLinkExpired(_("This link has expired.")) from None
    except signing.BadSignature:
        raise FeedbackLinkError(_("This link is not valid.")) from None
    feedback = (
        CandidateFeedback.objects.select_related(
            "interview__application__opening__profile",
            "interview__application__candidate",
        )
        .filter(pk=data.get("feedback"))
        .first()
    )
    if feedback is None or feedback.interview.application.candidate.anonymised_at:
        raise FeedbackLinkError(_("This link is not valid."))
    return feedback


class FeedbackLinkError(Exception):
    pass


class FeedbackLinkExpired(FeedbackLinkError):
    """The link was genuine; its time is up (pages answer 410 Gone)."""


# The values a candidate rates the process on: the profile's most important ones.
FEEDBACK_VALUES = 3


def feedback_competencies(*, feedback: CandidateFeedback) -> list[Competency]:
    profile = feedback.interview.application.opening.profile
    return [
        weight.competency
        for weight in profile.weights.select_related("competency").order_by(
            "-weight", "competency__name"
        )[:FEEDBACK_VALUES]
    ]


def feedback_invite(*, interview: Interview, by: User) -> tuple[CandidateFeedback, str]:
    """Send the candidate a private link to say how the interview felt.

    Returns the feedback record and the link (to copy when there is no email).
    """
    candidate = interview.application.candidate
    if candidate.anonymised_at:
        raise ValidationError(_("This candidate's personal data has been deleted."))
    if interview.scheduled_at > timezone.now():
        raise ValidationError(_("Feedback is asked for after the interview."))
    feedback, _created = CandidateFeedback.objects.get_or_create(
        interview=interview,
        defaults={"invited_at": timezone.now(), "invited_by": by},
    )
    if feedback.responded_at:
        raise ValidationError(_("The candidate has already answered."))
    link = settings.SITE_URL.rstrip("/") + reverse(
        "hiring:feedback", args=[feedback_token(feedback)]
    )
    if candidate.email:
        context = {"candidate": candidate, "link": link, "interview": interview}
        transaction.on_commit(
            lambda: send_mail(
                subject=_("How was your interview with us?"),
                message=render_to_string(
                    "hiring/email/feedback_invitation.txt", context
                ),
                from_email=None,
                recipient_list=[candidate.email],
            )
        )
    return feedback, link


def feedback_submit(
    *, feedback: CandidateFeedback, ratings: Mapping[int, object], comment: str
) -> CandidateFeedback:
    """Record the candidate's answers once: 1–5 per value, with a comment."""
    expected = {c.pk for c in feedback_competencies(feedback=feedback)}
    errors = {}
    clean = {}
    for competency_id in expected:
        value = ratings.get(competency_id)
        try:
            rating = _whole_number(value)
        except (TypeError, ValueError):
            rating = None
        if rating is None or not 1 <= rating <= 5:
            errors[f"value_{competency_id}"] = _("Choose from 1 to 5.")
        else:
            clean[competency_id] = rating
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        claimed = CandidateFeedback.objects.filter(
            pk=feedback.pk, responded_at__isnull=True
        ).update(responded_at=timezone.now(), comment=(comment or "").strip())
        if not claimed:
            raise ValidationError(_("These answers were already sent. Thank you."))
        FeedbackRating.objects.bulk_create(
            FeedbackRating(feedback=feedback, competency_id=pk, rating=rating)
            for pk, rating in clean.items()
        )
    feedback.refresh_from_db()
    return feedback


# --- candidates -------------------------------------------------------------------


def candidate_create(
    *, by: User, opening: Opening | None = None, **fields
) -> Candidate:
    """A new candidate, applying to `opening` when one is given: both or neither."""
    with transaction.atomic():
        candidate = _candidate_save(Candidate(created_by=by), fields)
        if opening is not None:
            application_create(candidate=candidate, opening=opening, by=by)
    return candidate


def candidate_update(*, candidate: Candidate, **fields) -> Candidate:
    """Edit a candidate's details; once their personal data is deleted, it stays so."""
    if candidate.anonymised_at:
        raise ValidationError(_("This candidate's personal data has been deleted."))
    return _candidate_save(candidate, fields)


# Kept by the system, not typed: the model leaves them null without blank=True, so
# `record_save` (a full `full_clean()`) would refuse every candidate.
_CANDIDATE_SYSTEM_FIELDS = ["user", "created_by", "anonymised_at", "anonymised_by"]


def _candidate_save(candidate: Candidate, fields) -> Candidate:
    for name, value in fields.items():
        setattr(candidate, name, value)
    candidate.full_clean(exclude=_CANDIDATE_SYSTEM_FIELDS)
    candidate.save()
    return candidate


# --- framework --------------------------------------------------------------------


def profile_update(
    *, profile: SuccessProfile, weights: Mapping[int, int], **fields
) -> SuccessProfile:
    """Change a profile's names and description and replace its weights, together.

    Every error comes back at once, by field (a weight's under its competency id);
    nothing is written then. Starting profiles are copied, not edited.
    """
    if profile.is_starter:
        raise ValidationError(
            _("A starting profile is not edited: copy it and edit the copy.")
        )
    errors: dict[str, list[str]] = {}
    with transaction.atomic():
        for name, value in fields.items():
            setattr(profile, name, value)
        try:
            profile.full_clean()
        except ValidationError as error:
            errors.update(error.message_dict)
        else:
            profile.save()
        try:
            profile_set_weights(profile=profile, weights=weights)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            # Raised inside the block: whatever was written rolls back.
            raise ValidationError(errors)
    return profile


def _stage_taken(stage: str) -> ValidationError:
    from .models import InterviewStage

    label = dict(InterviewStage.choices).get(stage, stage)
    return ValidationError(
        {
            "stage": _(
                "This opening already has a kit for the stage “%(stage)s”. "
                "Open that kit to change it, or choose another stage."
            )
            % {"stage": label}
        }
    )


def kit_create(*, opening: Opening, stage: str, guidance: str = "") -> InterviewKit:
    """A new, empty kit for one interview stage of an opening (one kit per stage)."""
    if InterviewKit.objects.filter(opening=opening, stage=stage).exists():
        raise _stage_taken(stage)
    kit = InterviewKit(opening=opening, stage=stage, guidance=guidance)
    kit.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            kit.save()
    except IntegrityError:
        # Someone created the same stage's kit a moment ago.
        raise _stage_taken(stage) from None
    return kit


def kit_update(
    *, kit: InterviewKit, guidance: str, question_ids: list[int]
) -> InterviewKit:
    """Save a kit's guidance and its questions, in this order, together."""
    with transaction.atomic():
        record_save(kit, guidance=guidance)
        kit_set_questions(kit=kit, question_ids=question_ids)
    return kit


# --- api ---


def profile_create(*, weights: Mapping[int, int], **fields) -> SuccessProfile:
    """A new success profile with its weights, both or neither."""
    with transaction.atomic():
        profile = record_save(SuccessProfile(), **fields)
        profile_set_weights(profile=profile, weights=weights)
    return profile


def kit_create_with_questions(
    *, opening: Opening, stage: str, guidance: str = "", question_ids: list[int]
) -> InterviewKit:
    """A kit for one stage of an opening with its questions in order, both or
    neither."""
    with transaction.atomic():
        kit = kit_create(opening=opening, stage=stage, guidance=guidance)
        kit_set_questions(kit=kit, question_ids=question_ids)
    return kit


# --- Questions --------------------------------------------------------------------

# What a question asked and how it was rated: fixed once a scorecard has used it.
QUESTION_CONTENT_FIELDS = (
    "competency",
    "kind",
    "text",
    "text_en",
    *(f"rubric_{n}{suffix}" for n in range(1, 5) for suffix in ("", "_en")),
)


def question_save(question: Question, **fields) -> Question:
    """Create or update a question. Once a scorecard has rated it, its content is
    part of that record and stays as it was: retire it and write a new question."""
    if question.pk and AnswerRating.objects.filter(question=question).exists():
        saved = Question.objects.get(pk=question.pk)
        changed = [
            name
            for name in QUESTION_CONTENT_FIELDS
            if name in fields and fields[name] != getattr(saved, name)
        ]
        if changed:
            message = _(
                "Scorecards have used this question, so what it asks stays as it "
                "was. Retire it and write a new question instead."
            )
            raise ValidationError({name: message for name in changed})
    return record_save(question, **fields)
