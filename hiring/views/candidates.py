"""Hiring pages: candidates, their applications and interviews, decisions, hiring,
and the candidate's own feedback page (public, reached by a signed link)."""

import copy
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.views import require

from .. import permissions, selectors, services
from ..filters import CandidateFilter
from ..forms.candidates import (
    CANDIDATE_FIELDS,
    ApplyForm,
    CandidateForm,
    DecisionForm,
    FeedbackForm,
    HireForm,
    InterviewForm,
)
from ..models import Application, Candidate, Interview

CANDIDATES_PER_PAGE = 25


def _require_runs_hiring(user) -> None:
    if not permissions.runs_hiring(user):
        raise PermissionDenied


def _candidate_or_404(viewer, pk: int) -> Candidate:
    try:
        return selectors.candidate_get(viewer=viewer, pk=pk)
    except Candidate.DoesNotExist:
        raise Http404 from None


def _application_or_404(viewer, pk: int) -> Application:
    try:
        return selectors.application_get(viewer=viewer, pk=pk)
    except Application.DoesNotExist:
        raise Http404 from None


def _interview_or_404(viewer, pk: int) -> Interview:
    interview = (
        permissions.visible_interviews(viewer)
        .select_related("application__candidate")
        .filter(pk=pk)
        .first()
    )
    if interview is None:
        raise Http404
    return interview


def _errors_to_form(form, error: ValidationError) -> None:
    """The service's errors on the fields they name; the others above the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _error_message(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- Candidates -------------------------------------------------------------------


@login_required
def candidate_list(request):
    require(permissions.uses_hiring(request.user))
    # The API's FilterSet: the same filters, the same checks. A value that does
    # not validate (a NUL character, an unknown stage) filters nothing and says why.
    filterset = CandidateFilter(
        request.GET,
        queryset=selectors.candidate_list(viewer=request.user),
        request=request,
    )
    candidates = filterset.qs
    valid = filterset.form.cleaned_data
    search = {"query": valid.get("q") or "", "stage": valid.get("stage") or ""}
    sort = request.GET.get("sort", "")
    if sort in ("fit", "-fit"):
        # By the best fit score the viewer may see; a page of ids, then its rows.
        ids = selectors.candidate_ids_by_fit(
            viewer=request.user, candidates=candidates, descending=sort == "-fit"
        )
        page = Paginator(ids, CANDIDATES_PER_PAGE).get_page(request.GET.get("page"))
        rows = candidates.in_bulk(page.object_list)
        page.object_list = [rows[pk] for pk in page.object_list]
    else:
        sort = ""
        page = Paginator(candidates, CANDIDATES_PER_PAGE).get_page(
            request.GET.get("page")
        )
    fits = selectors.visible_fit_scores(
        viewer=request.user,
        application_ids=[
            application.pk
            for candidate in page.object_list
            for application in candidate.applications.all()
        ],
    )
    for candidate in page.object_list:
        for application in candidate.applications.all():
            application.visible_fit = fits.get(application.pk)
            application.fit_shown = application.pk in fits
    return render(
        request,
        "hiring/candidate_list.html",
        {
            "page": page,
            "sort": sort,
            "next_sort": "fit" if sort == "-fit" else "-fit",
            "query": search["query"],
            "stage": search["stage"],
            "query_errors": filterset.form.errors.get("q", []),
            "stages": Application.Stage.choices,
            "runs_hiring": permissions.runs_hiring(request.user),
        },
    )


@login_required
def candidate_create(request):
    _require_runs_hiring(request.user)
    openings = selectors.openings_to_apply(viewer=request.user)
    form = CandidateForm(request.POST or None, openings=openings)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CANDIDATE_FIELDS}
        try:
            candidate = services.candidate_create(
                by=request.user, opening=form.cleaned_data["opening"], **fields
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The candidate was added."))
            return redirect(candidate)
    return render(
        request, "hiring/candidate_form.html", {"form": form, "candidate": None}
    )


@login_required
def candidate_edit(request, pk: int):
    candidate = _candidate_or_404(request.user, pk)
    _require_runs_hiring(request.user)
    if candidate.anonymised_at:
        messages.error(request, _("This candidate's personal data has been deleted."))
        return redirect(candidate)
    # A copy, so that a refused change does not show in the page title.
    form = CandidateForm(request.POST or None, instance=copy.copy(candidate))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CANDIDATE_FIELDS}
        try:
            services.candidate_update(candidate=candidate, **fields)
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The candidate was saved."))
            return redirect(candidate)
    return render(
        request, "hiring/candidate_form.html", {"form": form, "candidate": candidate}
    )


def _render_candidate(request, candidate: Candidate, apply_form=None, status=200):
    runs_hiring = permissions.runs_hiring(request.user)
    if runs_hiring and not candidate.anonymised_at and apply_form is None:
        openings = selectors.openings_to_apply(viewer=request.user, candidate=candidate)
        if openings.exists():
            apply_form = ApplyForm(
                openings=openings,
                action=reverse("hiring:application_create", args=[candidate.pk]),
            )
    return render(
        request,
        "hiring/candidate_detail.html",
        {
            "candidate": candidate,
            "interviews": selectors.candidate_interviews(
                viewer=request.user, candidate=candidate
            ),
            "apply_form": apply_form,
            "runs_hiring": runs_hiring,
        },
        status=status,
    )


@login_required
def candidate_detail(request, pk: int):
    return _render_candidate(request, _candidate_or_404(request.user, pk))


@login_required
def candidate_erase(request, pk: int):
    """Delete a candidate's personal data on their request, after a confirmation
    that says what goes and what stays."""
    candidate = _candidate_or_404(request.user, pk)
    _require_runs_hiring(request.user)
    if request.method == "POST":
        try:
            services.candidate_erase_personal_data(
                candidate=candidate,
                by=request.user,
                why=Candidate.Anonymisation.REQUEST,
            )
        except ValidationError as error:
            _error_message(request, error)
        else:
            messages.success(request, _("The candidate's personal data was deleted."))
        return redirect(candidate)
    return render(request, "hiring/candidate_erase.html", {"candidate": candidate})


@login_required
@require_POST
def application_create(request, pk: int):
    candidate = _candidate_or_404(request.user, pk)
    _require_runs_hiring(request.user)
    form = ApplyForm(
        request.POST,
        openings=selectors.openings_to_apply(viewer=request.user, candidate=candidate),
        action=reverse("hiring:application_create", args=[candidate.pk]),
    )
    if form.is_valid():
        try:
            application = services.application_create(
                candidate=candidate,
                opening=form.cleaned_data["opening"],
                by=request.user,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("The candidate now applies to “%(opening)s”.")
                % {"opening": application.opening.title},
            )
            return redirect(candidate)
    return _render_candidate(request, candidate, apply_form=form)


# --- Applications -----------------------------------------------------------------


@dataclass
class RatingRow:
    """One competency of the summary: the visible ratings, one per scorecard column."""

    assessment: selectors.CompetencyAssessment
    cells: list[int | None]
    mean: Decimal | None


def _rating_table(summary: selectors.CandidateSummary):
    """Submitted visible scorecards as columns, competencies as rows."""
    columns = [scorecard for scorecard in summary.scorecards if scorecard.current_id]
    column_ratings = [
        {
            rating.competency_id: rating.rating
            for rating in scorecard.current.competency_ratings.all()
        }
        for scorecard in columns
    ]
    rows = [
        RatingRow(
            assessment=row,
            cells=[ratings.get(row.competency.pk) for ratings in column_ratings],
            mean=selectors.display_score(row.mean),
        )
        for row in summary.competencies
    ]
    return columns, rows


def _render_summary(request, application: Application, decision_form=None):
    viewer = request.user
    summary = selectors.candidate_summary(viewer=viewer, application=application)
    columns, rows = _rating_table(summary)
    # The stage as the viewer may see it: a bound viewer does not learn of a hidden
    # decision from the page, and decides nothing until they have submitted.
    is_open = application.shown_stage not in Application.CLOSED_STAGES
    decides = permissions.may_decide(viewer, application)
    can_decide = is_open and decides
    if can_decide and decision_form is None:
        decision_form = DecisionForm(
            action=reverse("hiring:application_decide", args=[application.pk])
        )
    return render(
        request,
        "hiring/application_summary.html",
        {
            "application": application,
            "candidate": application.candidate,
            "summary": summary,
            "columns": columns,
            "rows": rows,
            "own_missing": [
                i for i in summary.missing if i.interviewer_id == viewer.pk
            ],
            "interviews": selectors.application_interviews(
                viewer=viewer, application=application
            ),
            "decision_form": decision_form if can_decide else None,
            "is_open": is_open,
            "decides": decides,
            "edits_opening": permissions.can_edit_opening(viewer, application.opening),
            "runs_hiring": permissions.runs_hiring(viewer),
            "now": timezone.now(),
        },
    )


@login_required
def application_summary(request, pk: int):
    return _render_summary(request, _application_or_404(request.user, pk))


@login_required
@require_POST
def application_decide(request, pk: int):
    application = _application_or_404(request.user, pk)
    require(permissions.may_decide(request.user, application))
    form = DecisionForm(
        request.POST,
        action=reverse("hiring:application_decide", args=[application.pk]),
    )
    if form.is_valid():
        try:
            decision = services.decision_record(
                application=application,
                kind=form.cleaned_data["kind"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(
                request,
                _("Decision recorded: %(decision)s.")
                % {"decision": decision.get_kind_display()},
            )
            return redirect(application)
    return _render_summary(request, application, decision_form=form)


@login_required
def application_hire(request, pk: int):
    """A confirmation that says which Kata user the candidate becomes, then the hire;
    once hired, the page shows that user."""
    application = _application_or_404(request.user, pk)
    _require_runs_hiring(request.user)
    require(permissions.may_decide(request.user, application))
    candidate = application.candidate
    target = selectors.hire_target(candidate=candidate)
    form = HireForm(
        request.POST or None,
        creates_user=target is None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.candidate_hire(
                application=application,
                by=request.user,
                start_date=form.cleaned_data["start_date"],
                username=form.cleaned_data.get("username", ""),
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The candidate was hired."))
            return redirect("hiring:application_hire", pk=application.pk)
    return render(
        request,
        "hiring/application_hire.html",
        {
            "application": application,
            "candidate": candidate,
            "target": target,
            "form": form,
            "hired": application.stage == Application.Stage.HIRED,
        },
    )


@login_required
@require_POST
def application_withdraw(request, pk: int):
    application = _application_or_404(request.user, pk)
    _require_runs_hiring(request.user)
    require(permissions.may_decide(request.user, application))
    try:
        services.application_withdraw(application=application, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The application was withdrawn."))
    return redirect(application)


# --- Interviews -------------------------------------------------------------------


@login_required
def interview_create(request, pk: int):
    application = _application_or_404(request.user, pk)
    _require_runs_hiring(request.user)
    kits = selectors.kits_in_stage_order(application.opening.kits.all())
    form = InterviewForm(
        request.POST or None, kits=kits, interviewers=selectors.interviewer_choices()
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.interview_schedule(
                application=application, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The interview was scheduled."))
            return redirect(application)
    return render(
        request,
        "hiring/interview_form.html",
        {
            "application": application,
            "candidate": application.candidate,
            "form": form,
            "has_kits": kits.exists(),
        },
    )


@login_required
@require_POST
def feedback_invite(request, pk: int):
    """Create the candidate's private feedback link, emailed when there is an
    address; the link is shown to copy in either case."""
    interview = _interview_or_404(request.user, pk)
    _require_runs_hiring(request.user)
    candidate = interview.application.candidate
    try:
        _feedback, link = services.feedback_invite(interview=interview, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        if candidate.email:
            sent = _("An email with the link was sent to %(email)s.") % {
                "email": candidate.email
            }
        else:
            sent = _("No email was sent: the candidate has no email address.")
        messages.success(
            request,
            _("Feedback link, to copy: %(link)s") % {"link": link} + " " + sent,
        )
    return redirect(interview.application)


@login_required
@require_POST
def interview_cancel(request, pk: int):
    """Cancel an interview (confirmed on the summary's page) whose scorecard was not
    submitted: a submitted scorecard is the panel's record and stays."""
    interview = _interview_or_404(request.user, pk)
    _require_runs_hiring(request.user)
    try:
        services.interview_cancel(interview=interview, by=request.user)
    except ValidationError as error:
        _error_message(request, error)
    else:
        messages.success(request, _("The interview was cancelled."))
    return redirect(interview.application)


# --- The candidate's feedback (public) --------------------------------------------


@never_cache
def feedback(request, token: str):
    """The candidate's page: how the process felt, never a score. No login."""
    try:
        answer = services.feedback_from_token(token)
    except services.FeedbackLinkError as error:
        expired = isinstance(error, services.FeedbackLinkExpired)
        return _public(
            render(
                request,
                "hiring/feedback_invalid.html",
                {"expired": expired},
                status=410 if expired else 404,
            )
        )
    interview = answer.interview
    if answer.responded_at:
        return _thanks(request, already=request.method == "POST")
    values = services.feedback_competencies(feedback=answer)
    form = FeedbackForm(request.POST or None, values=values)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(
                feedback=answer,
                ratings=form.ratings(),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                _errors_to_form(form, error)
            else:
                return _thanks(request, already=True)
        else:
            return redirect("hiring:feedback", token=token)
    return _public(
        render(
            request,
            "hiring/feedback_form.html",
            {
                "form": form,
                "opening": interview.application.opening,
                "interview": interview,
            },
        )
    )


def _thanks(request, *, already: bool):
    return _public(render(request, "hiring/feedback_thanks.html", {"already": already}))


def _public(response):
    # A private link: not for search engines, and not passed on to other sites.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


urlpatterns = [
    path("candidates/", candidate_list, name="candidate_list"),
    path("candidates/new/", candidate_create, name="candidate_create"),
    path("candidates/<int:pk>/", candidate_detail, name="candidate_detail"),
    path("candidates/<int:pk>/edit/", candidate_edit, name="candidate_edit"),
    path("candidates/<int:pk>/erase/", candidate_erase, name="candidate_erase"),
    path("candidates/<int:pk>/apply/", application_create, name="application_create"),
    path("applications/<int:pk>/", application_summary, name="application_summary"),
    path(
        "applications/<int:pk>/decide/", application_decide, name="application_decide"
    ),
    path("applications/<int:pk>/hire/", application_hire, name="application_hire"),
    path(
        "applications/<int:pk>/withdraw/",
        application_withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<int:pk>/interviews/new/",
        interview_create,
        name="interview_create",
    ),
    path("interviews/<int:pk>/feedback-link/", feedback_invite, name="feedback_invite"),
    path("interviews/<int:pk>/cancel/", interview_cancel, name="interview_cancel"),
    path("feedback/<str:token>/", feedback, name="feedback"),
]
