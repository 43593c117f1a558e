"""Pages: award programs, the metric of each period, leaderboards and the hall of
fame.

Admins, managers and members open the award pages (403 for the other roles); a
program is seen by the members of its teams, their leaders and admins
(`permissions.visible_award_programs`; another program answers 404). Only admins
create and change programs and metrics (403). Leaderboards read the rollup through
`selectors.awards`, in a fixed number of queries.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from config.exports import csv_response
from config.views import add_service_errors, posted, require

from ..forms.awards import AwardMetricForm, AwardProgramForm
from ..models import AwardProgram
from ..permissions import (
    manages_recognition,
    sees_management_pages,
    visible_award_programs,
)
from ..selectors import awards as selectors
from ..services import awards as services

PER_PAGE = 20
PERIODS_PER_PAGE = 12


def _program(request, pk: int) -> AwardProgram:
    require(sees_management_pages(request.user))
    return get_object_or_404(visible_award_programs(request.user), pk=pk)


def _managed_program(request, pk: int) -> AwardProgram:
    program = _program(request, pk)
    require(manages_recognition(request.user))
    return program


def _detail_url(program: AwardProgram) -> str:
    return reverse("recognition:award_detail", args=[program.pk])


# --- Programs -------------------------------------------------------------------------


@login_required
def award_list(request):
    viewer = request.user
    require(sees_management_pages(viewer))
    page = Paginator(selectors.program_list(viewer=viewer), PER_PAGE).get_page(
        request.GET.get("page")
    )
    catalogue = selectors.catalogue_by_key()
    rows = [
        {
            "program": program,
            "current": program.current_periods[0] if program.current_periods else None,
            "metric_label": selectors.metric_label(
                program.current_periods[0].metric, catalogue
            )
            if program.current_periods
            else None,
            "span": selectors.current_span(program.cadence),
        }
        for program in page.object_list
    ]
    return render(
        request,
        "recognition/award_list.html",
        {"page": page, "rows": rows, "manages": manages_recognition(viewer)},
    )


@login_required
def award_create(request):
    viewer = request.user
    require(sees_management_pages(viewer) and manages_recognition(viewer))
    form = AwardProgramForm(posted(request), submit_label=_("Create the program"))
    if form.is_valid():
        try:
            program = services.award_program_create(by=viewer, **form.program_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The award “%(name)s” was created. Set the metric of its periods.")
                % {"name": program.name},
            )
            return redirect(_detail_url(program))
    return render(
        request, "recognition/award_form.html", {"form": form, "is_new": True}
    )


@login_required
def award_edit(request, pk: int):
    program = _managed_program(request, pk)
    # The form works on a copy: a refused change does not show in the page title.
    form = AwardProgramForm(
        posted(request),
        instance=copy.copy(program),
        submit_label=_("Save"),
    )
    if form.is_valid():
        try:
            services.award_program_update(
                program=program, by=request.user, **form.program_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The award was saved."))
            return redirect(_detail_url(program))
    return render(
        request,
        "recognition/award_form.html",
        {"form": form, "program": program, "is_new": False},
    )


@login_required
def award_detail(request, pk: int):
    """The program, its periods with the metric of each and its change history."""
    program = _program(request, pk)
    periods = selectors.program_periods(program=program)
    page = Paginator(periods, PERIODS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/award_detail.html",
        {
            "program": program,
            "teams": program.teams.order_by("name"),
            "page": page,
            "rows": selectors.period_rows(page.object_list),
            "manages": manages_recognition(request.user),
            "current_span": selectors.current_span(program.cadence),
        },
    )


# --- The metric of a period -----------------------------------------------------------


def _period_choices(spans) -> list[tuple[str, str]]:
    catalogue = selectors.catalogue_by_key()
    choices = []
    for span, period in spans:
        label = span.label
        if period is not None:
            label = _("%(period)s — now: %(metric)s") % {
                "period": label,
                "metric": selectors.metric_label(period.metric, catalogue),
            }
        choices.append((span.key, label))
    return choices


@login_required
def award_metric(request, pk: int):
    """Set or change the metric of a period (`?period=` preselects one)."""
    program = _managed_program(request, pk)
    spans = selectors.settable_spans(program=program)
    by_key = {span.key: (span, period) for span, period in spans}
    initial = {}
    wanted = request.GET.get("period")
    if wanted not in by_key:
        # Open on the next period that has no metric yet, with no metric chosen.
        unset = selectors.first_unset_span(spans)
        wanted = unset.key if unset is not None else None
    if wanted in by_key:
        initial["period"] = wanted
        period = by_key[wanted][1]
        if period is not None:
            initial["metric"] = period.metric
    # The dates each metric's figure becomes final are those of this period.
    dates_key = request.POST.get("period") if request.method == "POST" else wanted
    dates_span = by_key[dates_key][0] if dates_key in by_key else spans[0][0]
    form = AwardMetricForm(
        posted(request),
        initial=initial,
        periods=_period_choices(spans),
        metrics=selectors.metric_choices(dates_span),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            period = services.award_period_set_metric(
                program=program,
                by=request.user,
                period=data["period"],
                metric=data["metric"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The metric of %(period)s is “%(metric)s”.")
                % {
                    "period": selectors.span_of(period).label,
                    "metric": selectors.metric_label(
                        period.metric, selectors.catalogue_by_key()
                    ),
                },
            )
            return redirect(_detail_url(program))
    now = timezone.now()
    started = [span.label for span, _period in spans if span.start_at <= now]
    return render(
        request,
        "recognition/award_metric_form.html",
        {
            "program": program,
            "form": form,
            "started": started,
            "dates_span": dates_span,
            "final_dates": selectors.final_dates(dates_span),
            "spans": [span for span, _period in spans],
        },
    )


# --- Leaderboards ---------------------------------------------------------------------


def _chosen_period(request, program: AwardProgram, periods: list):
    """The period of `?period=`, or the default one (said so when the wanted one
    cannot be shown)."""
    key = request.GET.get("period")
    if key:
        try:
            span = selectors.parse_award_period(program.cadence, key)
        except ValueError as error:
            messages.warning(request, str(error))
        else:
            found = next((p for p in periods if p.start == span.first_month), None)
            if found is not None:
                return found
            messages.warning(
                request,
                _("No metric is set for %(period)s.") % {"period": span.label},
            )
    today = timezone.localdate()
    started = [period for period in periods if period.start <= today]
    if started:
        return started[0]
    return periods[-1] if periods else None


@login_required
def award_leaderboard(request, pk: int):
    program = _program(request, pk)
    periods = list(program.periods.select_related("program").order_by("-start"))
    chosen = _chosen_period(request, program, periods)
    board = (
        selectors.leaderboard(period=chosen, viewer=request.user) if chosen else None
    )
    return render(
        request,
        "recognition/award_leaderboard.html",
        {
            "program": program,
            "board": board,
            "choices": [(period, selectors.span_of(period)) for period in periods],
            "manages": manages_recognition(request.user),
        },
    )


@login_required
def award_leaderboard_csv(request, pk: int):
    """The leaderboard of `?period=` (or the default one) as a CSV download: the
    ranked members, then those below the minimum the viewer may see; counts only
    where the viewer may see them, as on the page."""
    program = _program(request, pk)
    periods = list(program.periods.select_related("program").order_by("-start"))
    chosen = _chosen_period(request, program, periods)
    if chosen is None:
        raise Http404
    board = selectors.leaderboard(period=chosen, viewer=request.user)
    header = [
        _("Period"),
        _("Metric"),
        _("Rank"),
        _("Member"),
        pgettext("metric figure", "Value"),
        _("Numerator"),
        _("Denominator"),
        _("Winning place") if board.provisional else _("Winner"),
        _("Accounts missing to qualify"),
        _("Rank above"),
        _("Distance to the rank above"),
    ]

    def row(standing):
        return [
            board.span.key,
            board.metric_label,
            standing.rank,
            standing.member.display_name,
            standing.text,
            standing.numerator if standing.counts_shown else None,
            standing.denominator if standing.counts_shown else None,
            standing.is_winner,
            standing.to_qualify if standing.counts_shown else None,
            standing.above_rank,
            standing.gap_text,
        ]

    rows = [row(s) for s in board.standings] + [row(s) for s in board.not_eligible]
    return csv_response(f"leaderboard-{program.pk}-{board.span.key}", header, rows)


@login_required
def award_hall_of_fame(request, pk: int):
    """The winners of the closed periods, as recorded when each period closed."""
    program = _program(request, pk)
    page = Paginator(
        selectors.closed_periods(program=program), PERIODS_PER_PAGE
    ).get_page(request.GET.get("page"))
    boards = selectors.leaderboards(periods=page.object_list, viewer=request.user)
    return render(
        request,
        "recognition/award_hall_of_fame.html",
        {"program": program, "page": page, "boards": boards},
    )


urlpatterns = [
    path("awards/", award_list, name="award_list"),
    path("awards/new/", award_create, name="award_create"),
    path("awards/<int:pk>/", award_detail, name="award_detail"),
    path("awards/<int:pk>/edit/", award_edit, name="award_edit"),
    path("awards/<int:pk>/metric/", award_metric, name="award_metric"),
    path("awards/<int:pk>/leaderboard/", award_leaderboard, name="award_leaderboard"),
    path(
        "awards/<int:pk>/leaderboard.csv",
        award_leaderboard_csv,
        name="award_leaderboard_csv",
    ),
    path(
        "awards/<int:pk>/hall-of-fame/", award_hall_of_fame, name="award_hall_of_fame"
    ),
]
