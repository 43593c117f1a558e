"""Hiring pages: scorecards.

The interviewer writes their scorecard on its page. The form posts to the page itself
to save a draft (it works without JavaScript); `static/js/scorecard.js` saves as they
type through `scorecard_autosave` (JSON); `scorecard_submit` submits. Everyone else
reads the latest submitted revision when `permissions.visible_scorecards` lets them,
and gets 404 otherwise: another's draft, or a panel hidden by the independence rule.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import permissions, selectors, services
from ..forms.scorecards import CorrectionForm, ScorecardForm
from ..models import HiringPolicy, Rating, Scorecard


def _scorecard_or_404(request, pk: int) -> Scorecard:
    try:
        return selectors.scorecard_get(viewer=request.user, interview_pk=pk)
    except Scorecard.DoesNotExist:
        raise Http404 from None


def _page_url(pk: int) -> str:
    return reverse("hiring:scorecard", args=[pk])


def _login_returns_to_scorecard(view):
    """Posts of a logged-out interviewer lead to the login page, which then returns
    to the scorecard page (not to a URL that only takes POST)."""

    @wraps(view)
    def wrapper(request, pk: int):
        if not request.user.is_authenticated:
            return redirect_to_login(_page_url(pk))
        return view(request, pk)

    return wrapper


def _errors(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict if hasattr(error, "error_dict") else {}


def _save_draft(form: ScorecardForm, scorecard: Scorecard, user) -> bool:
    """Save the posted fields into the open draft; False with the errors on the
    form when they are refused (nothing is saved then)."""
    if not form.is_valid():
        return False
    try:
        services.scorecard_save_draft(
            scorecard=scorecard, by=user, **form.draft_changes()
        )
    except ValidationError as error:
        form.add_service_errors(_errors(error) or {"__all__": error.messages})
        return False
    return True


def _invalid(form: ScorecardForm) -> JsonResponse:
    """400 with the messages of each field, by field name (`__all__` for others)."""
    errors = {
        name: [error["message"] for error in field_errors]
        for name, field_errors in form.errors.get_json_data().items()
    }
    return JsonResponse({"errors": errors}, status=400)


def _bound_form(request, scorecard: Scorecard) -> ScorecardForm:
    return ScorecardForm(
        request.POST,
        kit_questions=selectors.kit_question_list(kit=scorecard.interview.kit),
    )


def _is_closed(scorecard: Scorecard) -> bool:
    """Submitted, with no correction open: nothing can be written."""
    return (
        scorecard.is_submitted
        and selectors.scorecard_open_draft(scorecard=scorecard) is None
    )


def _context(request, scorecard: Scorecard, **extra) -> dict:
    interview = scorecard.interview
    application = interview.application
    return {
        "scorecard": scorecard,
        "interview": interview,
        "application": application,
        "candidate": application.candidate,
        "is_author": permissions.can_write_scorecard(request.user, scorecard),
        "panel": selectors.scorecard_panel(viewer=request.user, scorecard=scorecard),
        "opening": application.opening,
        "panel_never": HiringPolicy.current().panel_visibility
        == HiringPolicy.PanelVisibility.NEVER,
        **extra,
    }


def _own_earlier(request, scorecard: Scorecard) -> list:
    """Beside the form: the interviewer's own notes of earlier stages, no one else's."""
    return selectors.scorecard_own_earlier_notes(
        viewer=request.user, scorecard=scorecard
    )


def _render_form(request, scorecard: Scorecard, form: ScorecardForm, missing=None):
    draft = selectors.scorecard_open_draft(scorecard=scorecard)
    # In the order of the page's fields (the service lists them by the kit's
    # questions, each competency after its first question); the rest last.
    order = {name: index for index, name in enumerate(form.fields)}
    missing_items = [
        (_missing_anchor(key, form), message)
        for key, messages_ in sorted(
            (missing or {}).items(), key=lambda item: order.get(item[0], len(order))
        )
        for message in messages_
    ]
    rated, to_rate = form.progress()
    return render(
        request,
        "hiring/scorecard_form.html",
        _context(
            request,
            scorecard,
            own_earlier=_own_earlier(request, scorecard),
            form=form,
            draft=draft,
            # "Saved" only once something was saved: not on an untouched form.
            draft_touched=draft is not None
            and selectors.scorecard_draft_touched(revision=draft),
            question_rows=form.question_rows(),
            competency_rows=form.competency_rows(),
            missing=missing_items,
            rated=rated,
            to_rate=to_rate,
            saved_at_ms=_milliseconds(draft.saved_at) if draft else 0,
            # The draft's version as this page has it: the autosave sends it back,
            # so that a draft saved since in another window is not overwritten.
            expected_saved_at=draft.saved_at.isoformat() if draft else "",
            login_url=f"{reverse('login')}?next={_page_url(scorecard.interview_id)}",
            csrf_cookie_name=settings.CSRF_COOKIE_NAME,
            script_messages={
                "saving": _("Saving…"),
                "unsaved": _("Not saved yet"),
                "notSaved": _("Not saved"),
                "restored": _(
                    "What you typed earlier in this browser had not reached the "
                    "server yet: it was put back in the form and is being saved."
                ),
                "progress": _("%(rated)s/%(total)s rated"),
                "conflictKept": _(
                    "What you typed here since is kept in this browser: after "
                    "reloading, the page offers to put it back."
                ),
                "reload": _("Reload the page"),
                "keptFromOther": _(
                    "Text typed earlier in this browser was not saved: the scorecard "
                    "had been changed in another window meanwhile. It is kept here."
                ),
                "putBack": _("Put it back in the form"),
                "discard": _("Discard it"),
                "proposal": _("Proposed: %(rating)s"),
                "none": _("none yet"),
                "proposalHint": _("Proposed from the questions' ratings"),
                "ratings": {rating.value: rating.label for rating in Rating},
            },
        ),
    )


def _parse_moment(text: str):
    """An aware ISO 8601 time, or None."""
    try:
        moment = parse_datetime(text)
    except ValueError:
        return None
    return moment if moment is not None and moment.tzinfo is not None else None


def _milliseconds(moment) -> int:
    """A time as the page's script compares it (ms since the epoch)."""
    return int(moment.timestamp() * 1000)


def _missing_anchor(key: str, form: ScorecardForm) -> str:
    if key in form.fields:
        return f"field-{key}"
    return "correction-reason" if key == "reason" else ""


def _render_read_only(request, scorecard: Scorecard, correction_form=None):
    # Never submitted (its interviewer's own, closed when the candidate's personal
    # data was deleted): there is no revision to show.
    sheet = (
        selectors.scorecard_sheets(
            revisions=[scorecard.current], kit=scorecard.interview.kit
        )[0]
        if scorecard.current_id
        else None
    )
    is_author = permissions.can_write_scorecard(request.user, scorecard)
    if is_author and correction_form is None:
        correction_form = CorrectionForm(
            action=reverse("hiring:scorecard_correct", args=[scorecard.interview_id])
        )
    return render(
        request,
        "hiring/scorecard_detail.html",
        _context(
            request,
            scorecard,
            sheet=sheet,
            correction_form=correction_form,
            own_earlier=_own_earlier(request, scorecard),
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def scorecard(request, pk: int):
    """The interviewer's form (POST saves the draft), else the submitted scorecard."""
    scorecard = _scorecard_or_404(request, pk)
    if not permissions.can_write_scorecard(request.user, scorecard):
        if request.method == "POST":
            raise PermissionDenied
        return _render_read_only(request, scorecard)
    if _is_closed(scorecard):
        if request.method == "POST":
            messages.error(request, _("This scorecard is submitted: correct it."))
            return redirect(_page_url(pk))
        return _render_read_only(request, scorecard)
    kit_questions = selectors.kit_question_list(kit=scorecard.interview.kit)
    if request.method == "POST":
        form = _bound_form(request, scorecard)
        if _save_draft(form, scorecard, request.user):
            messages.success(request, _("Your draft is saved."))
            return redirect(_page_url(pk))
        return _render_form(request, scorecard, form)
    draft = services.scorecard_draft(scorecard=scorecard, by=request.user)
    form = ScorecardForm(
        initial=ScorecardForm.initial_for(draft, kit_questions),
        kit_questions=kit_questions,
    )
    return _render_form(request, scorecard, form)


@require_POST
def scorecard_autosave(request, pk: int):
    """Save the draft as the interviewer types: JSON in every case, 401 (not a
    redirect) when the session has expired, so that the page keeps the text."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"error": _("Your session has expired. Log in again to save.")},
            status=401,
        )
    try:
        scorecard = selectors.scorecard_get(viewer=request.user, interview_pk=pk)
    except Scorecard.DoesNotExist:
        return JsonResponse({"error": _("There is no such scorecard.")}, status=404)
    if not permissions.can_write_scorecard(request.user, scorecard):
        return JsonResponse(
            {"error": _("Only the interviewer writes their scorecard.")}, status=403
        )
    submitted = JsonResponse(
        {"error": _("This scorecard is submitted. To change it, start a correction.")},
        status=409,
    )
    if _is_closed(scorecard):
        return submitted
    form = _bound_form(request, scorecard)
    expected = request.POST.get("expected_saved_at", "")
    expected_saved_at = _parse_moment(expected) if expected else None
    if not form.is_valid():
        return _invalid(form)
    if expected and expected_saved_at is None:
        form.add_error(None, _("The page's copy of the draft is not recognised."))
        return _invalid(form)
    try:
        draft = services.scorecard_save_draft(
            scorecard=scorecard,
            by=request.user,
            expected_saved_at=expected_saved_at,
            **form.draft_changes(),
        )
    except services.DraftConflict as conflict:
        # Saved meanwhile in another window: this copy is not written over it.
        return JsonResponse(
            {"error": " ".join(conflict.messages), "conflict": True}, status=409
        )
    except ValidationError as error:
        if not _errors(error):
            # Submitted meanwhile (another tab): the draft is no longer open.
            return submitted
        form.add_service_errors(_errors(error))
        return _invalid(form)
    saved_at = timezone.localtime(draft.saved_at)
    return JsonResponse(
        {
            # Sent back as `expected_saved_at` by the next autosave.
            "saved_at": saved_at.isoformat(),
            "saved_at_ms": _milliseconds(draft.saved_at),
            "status": _("Saved %(time)s")
            % {"time": formats.time_format(saved_at, "H:i")},
            "revision": draft.pk,
        }
    )


@require_POST
@_login_returns_to_scorecard
def scorecard_submit(request, pk: int):
    """Save what was posted, then submit; what is missing is listed, nothing lost."""
    scorecard = _scorecard_or_404(request, pk)
    if not permissions.can_write_scorecard(request.user, scorecard):
        raise PermissionDenied
    if _is_closed(scorecard):
        messages.error(
            request,
            _("This scorecard is already submitted. To change it, start a correction."),
        )
        return redirect(_page_url(pk))
    form = _bound_form(request, scorecard)
    if not _save_draft(form, scorecard, request.user):
        return _render_form(request, scorecard, form)
    try:
        services.scorecard_submit(scorecard=scorecard, by=request.user)
    except ValidationError as error:
        missing = _errors(error) or {"__all__": error.messages}
        form.add_service_errors(missing)
        return _render_form(request, scorecard, form, missing=missing)
    messages.success(request, _("Your scorecard is submitted."))
    return redirect(_page_url(pk))


@require_POST
@_login_returns_to_scorecard
def scorecard_correct(request, pk: int):
    """Start a correction (a reason is required), or discard the open one
    (`discard` posted)."""
    scorecard = _scorecard_or_404(request, pk)
    if not permissions.can_write_scorecard(request.user, scorecard):
        raise PermissionDenied
    draft = selectors.scorecard_open_draft(scorecard=scorecard)
    if "discard" in request.POST:
        return _discard_correction(request, scorecard, draft)
    if not scorecard.is_submitted or draft is not None:
        messages.error(request, _("Only a submitted scorecard can be corrected."))
        return redirect(_page_url(pk))
    form = CorrectionForm(
        request.POST, action=reverse("hiring:scorecard_correct", args=[pk])
    )
    if form.is_valid():
        try:
            services.scorecard_start_correction(
                scorecard=scorecard, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error("reason" if _errors(error) else None, message)
        else:
            messages.success(
                request,
                _("Correct what needs correcting, then submit the scorecard again."),
            )
            return redirect(_page_url(pk))
    return _render_read_only(request, scorecard, correction_form=form)


def _discard_correction(request, scorecard: Scorecard, draft):
    if draft is None or draft.number == 1:
        messages.error(request, _("There is no correction to discard."))
    else:
        services.scorecard_discard_correction(scorecard=scorecard, by=request.user)
        messages.success(
            request, _("The correction is discarded; the submitted scorecard stays.")
        )
    return redirect(_page_url(scorecard.interview_id))


@login_required
def scorecard_history(request, pk: int):
    """Every revision with who and when; drafts only for their interviewer."""
    scorecard = _scorecard_or_404(request, pk)
    sheets = selectors.scorecard_sheets(
        revisions=selectors.revision_history(viewer=request.user, scorecard=scorecard),
        kit=scorecard.interview.kit,
    )
    return render(
        request,
        "hiring/scorecard_history.html",
        _context(request, scorecard, sheets=sheets),
    )


urlpatterns = [
    path("interviews/<int:pk>/scorecard/", scorecard, name="scorecard"),
    path(
        "interviews/<int:pk>/scorecard/draft/",
        scorecard_autosave,
        name="scorecard_autosave",
    ),
    path(
        "interviews/<int:pk>/scorecard/submit/",
        scorecard_submit,
        name="scorecard_submit",
    ),
    path(
        "interviews/<int:pk>/scorecard/correct/",
        scorecard_correct,
        name="scorecard_correct",
    ),
    path(
        "interviews/<int:pk>/scorecard/history/",
        scorecard_history,
        name="scorecard_history",
    ),
]
