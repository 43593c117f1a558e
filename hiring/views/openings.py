"""Hiring pages: the hiring home, openings and their pipeline, the scorecard export,
interviewer calibration and overdue scorecards."""

import copy
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.permissions import has_role
from config.exports import csv_response

from .. import permissions, selectors, services
from ..filters import OpeningFilter
from ..forms.openings import OPENING_FIELDS, OpeningForm
from ..models import Application, Opening

PER_PAGE = 25


@login_required
def home(request):
    """Where interviewers start: their interviews, upcoming, due and submitted; for
    the people who run hiring, what needs attention; for hiring managers, their
    openings."""
    user = request.user
    runs_hiring = permissions.runs_hiring(user)
    managed = list(selectors.managed_openings(viewer=user))
    return render(
        request,
        "hiring/home.html",
        {
            "interviews": selectors.interviewer_home(viewer=user),
            "runs_hiring": runs_hiring,
            "manages_policy": permissions.manages_policy(user),
            "overdue_count": (
                selectors.overdue_visible(viewer=user, now=timezone.now()).count()
                if runs_hiring
                else None
            ),
            "managed_openings": managed,
            "shows_managed": bool(managed) or has_role(user, Role.MANAGER),
        },
    )


# --- Openings -----------------------------------------------------------------------


def _visible_opening(request, pk: int) -> Opening:
    try:
        return selectors.opening_get(viewer=request.user, pk=pk)
    except Opening.DoesNotExist:
        raise Http404 from None


@login_required
def opening_list(request):
    # Counting drops the model's ordering: the newest opening first, explicitly.
    openings = selectors.opening_list(viewer=request.user).order_by(
        "-created_at", "-id"
    )
    # The API's FilterSet (status, team, profile, hiring manager); a value that does
    # not validate filters nothing.
    filterset = OpeningFilter(request.GET, queryset=openings, request=request)
    openings = filterset.qs
    status = filterset.form.cleaned_data.get("status") or ""
    page = Paginator(openings, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "hiring/opening_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Opening.Status.choices,
            "runs_hiring": permissions.runs_hiring(request.user),
        },
    )


@login_required
def opening_create(request):
    if not permissions.runs_hiring(request.user):
        raise PermissionDenied
    form = OpeningForm(request.POST or None)
    opening = (
        request.method == "POST" and form.is_valid() and _save_opening(form, Opening())
    )
    if opening:
        messages.success(request, _("The opening was created."))
        return redirect(opening)
    return render(request, "hiring/opening_form.html", {"form": form, "opening": None})


@login_required
def opening_edit(request, pk: int):
    opening = _visible_opening(request, pk)
    if not permissions.runs_hiring(request.user):
        raise PermissionDenied
    # The form works on a copy: a refused change does not show in the page title.
    form = OpeningForm(request.POST or None, instance=copy.copy(opening))
    saved = (
        request.method == "POST" and form.is_valid() and _save_opening(form, opening)
    )
    if saved:
        messages.success(request, _("The opening was saved."))
        return redirect(opening)
    return render(
        request, "hiring/opening_form.html", {"form": form, "opening": opening}
    )


def _save_opening(form: OpeningForm, opening: Opening) -> Opening | None:
    fields = {name: form.cleaned_data[name] for name in OPENING_FIELDS}
    try:
        return services.record_save(opening, **fields)
    except ValidationError as error:
        form.add_error(None, error)
        return None


# --- The pipeline -------------------------------------------------------------------

# The first click on a column sorts this way; a second click reverses it.
PIPELINE_COLUMNS = {
    "name": "name",
    "stage": "stage",
    "applied": "-applied",
    "fit": "-fit",
}
PIPELINE_SORTS = set(selectors.PIPELINE_ORDERINGS) | {"fit", "-fit"}


def _sorting(sort: str) -> dict[str, dict[str, str]]:
    """Per column: the `?sort=` its header links to, and its current direction."""
    columns = {}
    for column, first in PIPELINE_COLUMNS.items():
        if sort == column:
            columns[column] = {"next": f"-{column}", "direction": "ascending"}
        elif sort == f"-{column}":
            columns[column] = {"next": column, "direction": "descending"}
        else:
            columns[column] = {"next": first, "direction": ""}
    return columns


PIPELINE_PER_PAGE = 50


@login_required
def opening_detail(request, pk: int):
    """The pipeline: the opening's candidates by stage, with their fit scores."""
    opening = _visible_opening(request, pk)
    viewer = request.user
    sort = request.GET.get("sort", "")
    if sort not in PIPELINE_SORTS:
        sort = ""
    rows = selectors.opening_pipeline(viewer=viewer, opening=opening, sort=sort)
    counts = Counter(row.application.shown_stage for row in rows)
    page = Paginator(rows, PIPELINE_PER_PAGE).get_page(request.GET.get("page"))
    decides = permissions.can_edit_opening(viewer, opening)
    feedback = (
        selectors.feedback_groups(viewer=viewer, group="opening", key=opening.pk)
        if decides
        else []
    )
    return render(
        request,
        "hiring/opening_detail.html",
        {
            "opening": opening,
            "rows": page.object_list,
            "page": page,
            "stage_counts": [
                (value, label, counts[value])
                for value, label in Application.Stage.choices
            ],
            "sort": sort,
            "sorting": _sorting(sort),
            "waiting": selectors.pipeline_waiting_for_own_scorecard(
                viewer=viewer, opening=opening
            ),
            "kits": selectors.opening_kits(viewer=viewer, opening=opening),
            "feedback": feedback[0].values if feedback else [],
            "decides": decides,
            "runs_hiring": permissions.runs_hiring(viewer),
        },
    )


# --- Scorecard export ---------------------------------------------------------------


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _export_table(opening: Opening, scorecards: list) -> list[list]:
    competencies = [
        weight.competency
        for weight in opening.profile.weights.select_related("competency").order_by(
            "-weight", "competency__name"
        )
    ]
    ratings = []
    for scorecard in scorecards:
        row = {}
        for rating in scorecard.current.competency_ratings.all():
            row[rating.competency_id] = rating.rating
            if rating.competency not in competencies:
                competencies.append(rating.competency)
        ratings.append(row)
    header = [
        _("Candidate"),
        _("Interviewer"),
        _("Stage"),
        _("Interview date"),
        _("Revision"),
        _("Submitted at"),
        _("Overall recommendation"),
        *(competency.tr("name") for competency in competencies),
        _("Summary"),
    ]
    table = [header]
    for scorecard, row in zip(scorecards, ratings, strict=True):
        interview, revision = scorecard.interview, scorecard.current
        table.append(
            [
                interview.application.candidate.name,
                interview.interviewer.display_name,
                interview.kit.get_stage_display(),
                _local(interview.scheduled_at),
                revision.number,
                _local(revision.submitted_at),
                revision.overall,
                *(row.get(competency.pk) for competency in competencies),
                revision.summary,
            ]
        )
    return table


@login_required
def opening_export(request, pk: int):
    """Submitted scorecards as CSV for Excel: UTF-8 with a BOM (so that Japanese
    reads correctly), CRLF line ends, one row per scorecard."""
    opening = _visible_opening(request, pk)
    if not permissions.can_edit_opening(request.user, opening):
        raise PermissionDenied
    scorecards = list(
        selectors.scorecard_export_rows(viewer=request.user, opening=opening)
    )
    filename = f"scorecards-{opening.pk}-{timezone.localdate():%Y%m%d}.csv"
    table = _export_table(opening, scorecards)
    return csv_response(filename, table[0], table[1:])


# --- For the people who run hiring --------------------------------------------------


@login_required
def calibration(request):
    if not permissions.runs_hiring(request.user):
        raise PermissionDenied
    return render(
        request,
        "hiring/calibration.html",
        {
            # Not the candidates the viewer is bound on: their panel is hidden.
            "rows": selectors.interviewer_calibration(viewer=request.user),
            "left_out": selectors.bound_candidate_count(viewer=request.user),
            "minimum": selectors.CALIBRATION_MINIMUM,
            "feedback": selectors.feedback_groups(
                viewer=request.user, group="interviewer"
            ),
        },
    )


@login_required
def overdue(request):
    if not permissions.runs_hiring(request.user):
        raise PermissionDenied
    now = timezone.now()
    # Not the panel's progress on a candidate the viewer is bound on.
    overdue_scorecards = selectors.overdue_visible(viewer=request.user, now=now)
    page = Paginator(overdue_scorecards, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "hiring/overdue.html",
        {
            "page": page,
            "rows": selectors.overdue_details(scorecards=page.object_list, now=now),
        },
    )


@login_required
@require_POST
def overdue_remind(request, pk: int):
    """ "Remind now": the reminder email at once, at most once an hour per scorecard."""
    if not permissions.runs_hiring(request.user):
        raise PermissionDenied
    scorecard = (
        selectors.overdue_visible(viewer=request.user, now=timezone.now())
        .filter(pk=pk)
        .first()
    )
    if scorecard is None:
        raise Http404
    sent = services.scorecard_remind(
        scorecard_id=scorecard.pk, interval=services.MANUAL_REMINDER_INTERVAL
    )
    interviewer = scorecard.interview.interviewer
    if sent:
        messages.success(
            request,
            _("A reminder was sent to %(name)s.") % {"name": interviewer.display_name},
        )
    else:
        messages.error(
            request,
            _(
                "%(name)s was reminded less than an hour ago: no new reminder was "
                "sent. Try again later."
            )
            % {"name": interviewer.display_name},
        )
    page = request.POST.get("page", "")
    url = reverse("hiring:overdue")
    return redirect(f"{url}?page={page}" if page.isdigit() else url)


urlpatterns = [
    path("", home, name="home"),
    path("openings/", opening_list, name="opening_list"),
    path("openings/new/", opening_create, name="opening_create"),
    path("openings/<int:pk>/", opening_detail, name="opening_detail"),
    path("openings/<int:pk>/edit/", opening_edit, name="opening_edit"),
    path("openings/<int:pk>/scorecards.csv", opening_export, name="opening_export"),
    path("calibration/", calibration, name="calibration"),
    path("overdue/", overdue, name="overdue"),
    path("overdue/<int:pk>/remind/", overdue_remind, name="overdue_remind"),
]
