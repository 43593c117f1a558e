"""Pages: the career ladder and its criteria, readiness, and recording promotions.

Everyone with the management pages reads the ladder; admins change it (403 for the
others). Readiness is read for the members the viewer sees (404 for the others);
their coaches (leaders and admins, never themselves) record a promotion.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from config.exports import csv_response
from config.views import add_service_errors, require

from .. import permissions
from ..forms.promotion import (
    CompetencyCriteria,
    LevelForm,
    MetricCriteria,
    PromotionForm,
    StepForm,
    TrackForm,
)
from ..models import CareerLevel, CareerTrack, PromotionStep
from ..selectors import promotion as selectors
from ..services import promotion as services

PER_PAGE = 25


def _admin_only(request) -> None:
    require(permissions.manages_recognition(request.user))


# --- The ladder -----------------------------------------------------------------------


def _track(request, visible: list) -> CareerTrack | None:
    """The track of `?track=` among those the viewer reads (another team's track
    answers 404), else the viewer's own track when they read it, else the
    default one."""
    wanted = request.GET.get("track")
    if wanted:
        found = next((t for t in visible if str(t.pk) == wanted), None)
        if found is None:
            raise Http404
        return found
    own = selectors.member_track(request.user, every=visible)
    if own is not None and own in visible:
        return own
    return next((t for t in visible if t.is_default), visible[0] if visible else None)


@login_required
def ladder(request):
    require(permissions.sees_management_pages(request.user))
    visible = selectors.visible_tracks(request.user)
    track = _track(request, visible)
    return render(
        request,
        "recognition/ladder.html",
        {
            "rungs": selectors.ladder(track) if track is not None else [],
            "track": track,
            "tracks": [(t, selectors.track_kind(t)) for t in visible],
            "manages": permissions.manages_recognition(request.user),
        },
    )


@login_required
def ladder_track_create(request):
    return _track_form(request, CareerTrack())


@login_required
def ladder_track_edit(request, pk: int):
    _admin_only(request)
    return _track_form(request, get_object_or_404(CareerTrack, pk=pk))


def _track_form(request, track: CareerTrack):
    _admin_only(request)
    form = TrackForm(request.POST if request.method == "POST" else None, instance=track)
    if form.is_valid():
        try:
            services.track_save(
                track=track,
                by=request.user,
                name=form.cleaned_data["name"],
                team=form.cleaned_data["team"],
                journey=form.cleaned_data["journey"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The track “%(track)s” is saved.") % {"track": track.name}
            )
            return redirect(f"{reverse('recognition:ladder')}?track={track.pk}")
    return render(
        request, "recognition/ladder_track_form.html", {"form": form, "track": track}
    )


@login_required
def ladder_level_create(request):
    return _level_form(request, CareerLevel())


@login_required
def ladder_level_edit(request, pk: int):
    _admin_only(request)
    return _level_form(request, get_object_or_404(CareerLevel, pk=pk))


def _level_form(request, level: CareerLevel):
    _admin_only(request)
    form = LevelForm(request.POST if request.method == "POST" else None, instance=level)
    if form.is_valid():
        try:
            services.level_save(
                level=level,
                by=request.user,
                **{name: form.cleaned_data[name] for name in form.fields},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The level “%(level)s” is saved.")
                % {"level": selectors.level_name(level)},
            )
            return redirect("recognition:ladder")
    return render(
        request, "recognition/ladder_level_form.html", {"form": form, "level": level}
    )


@login_required
def ladder_step_create(request):
    return _step_form(request, PromotionStep())


@login_required
def ladder_step_edit(request, pk: int):
    _admin_only(request)
    return _step_form(request, get_object_or_404(PromotionStep, pk=pk))


def _step_form(request, step: PromotionStep):
    """The step up with its metric thresholds, minimum ratings and modules."""
    _admin_only(request)
    data = request.POST if request.method == "POST" else None
    initial = None
    if step.pk is None and data is None:
        track = (
            CareerTrack.objects.filter(pk=request.GET.get("track")).first()
            if (request.GET.get("track") or "").isdigit()
            else None
        ) or CareerTrack.default()
        initial = {"track": track, **_next_free_step(track)}
    form = StepForm(data, instance=step, initial=initial)
    metric_formset = MetricCriteria(data, instance=step, prefix="metric")
    competency_formset = CompetencyCriteria(data, instance=step, prefix="competency")
    if data is not None and all(
        f.is_valid() for f in (form, metric_formset, competency_formset)
    ):
        try:
            with transaction.atomic():
                services.step_save(
                    step=step,
                    by=request.user,
                    track=form.cleaned_data["track"],
                    from_level=form.cleaned_data["from_level"],
                    to_level=form.cleaned_data["to_level"],
                    required_modules=list(form.cleaned_data["required_modules"]),
                    metric_criteria=metric_formset.criteria(),
                    competency_criteria=competency_formset.criteria(),
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The promotion criteria are saved."))
            return redirect(f"{reverse('recognition:ladder')}?track={step.track_id}")
    return render(
        request,
        "recognition/ladder_step_form.html",
        {
            "form": form,
            "step": step,
            "metric_formset": metric_formset,
            "competency_formset": competency_formset,
            "has_modules": form.fields["required_modules"].queryset.exists(),
        },
    )


def _next_free_step(track: CareerTrack) -> dict:
    """A new step starts from the lowest level without one on the track, to the
    level above."""
    levels = list(
        CareerLevel.objects.exclude(promotions__track=track).order_by("position")
    )
    if not levels:
        return {}
    above = CareerLevel.objects.filter(position__gt=levels[0].position).order_by(
        "position"
    )
    return {"from_level": levels[0], "to_level": above.first()}


@login_required
def ladder_step_delete(request, pk: int):
    _admin_only(request)
    step = get_object_or_404(
        PromotionStep.objects.select_related("from_level", "to_level"), pk=pk
    )
    if request.method == "POST":
        track_id = step.track_id
        services.step_delete(step=step, by=request.user)
        messages.success(request, _("The promotion criteria are deleted."))
        return redirect(f"{reverse('recognition:ladder')}?track={track_id}")
    return render(request, "recognition/ladder_step_delete.html", {"step": step})


# --- Readiness ------------------------------------------------------------------------


def _member(request, member_pk: int):
    require(permissions.sees_management_pages(request.user))
    return get_object_or_404(permissions.visible_members(request.user), pk=member_pk)


@login_required
def readiness_team(request):
    """Who is ready for the next level: the members the viewer sees."""
    require(permissions.sees_management_pages(request.user))
    ready_only = request.GET.get("ready") == "1"
    rows = selectors.team_readiness(viewer=request.user, ready_only=ready_only)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/readiness_team.html",
        {
            "page": page,
            "ready_only": ready_only,
            "ready_count": sum(row.ready for row in rows),
            "total": len(rows),
        },
    )


@login_required
def readiness_csv(request):
    """The team readiness as a CSV download: the members the viewer sees, with
    their track, levels, criteria met and those not met (provisional ones said)."""
    require(permissions.sees_management_pages(request.user))
    ready_only = request.GET.get("ready") == "1"
    rows = selectors.team_readiness(viewer=request.user, ready_only=ready_only)
    header = [
        _("Member"),
        _("Track"),
        _("Current level"),
        _("Next level"),
        _("Ready"),
        _("Criteria met"),
        _("Criteria"),
        _("Provisional"),
        _("Not met"),
    ]

    def not_met(readiness) -> str:
        return "; ".join(
            f"{c.label}: {c.actual}"
            + (f" ({_('provisional')})" if c.provisional else "")
            for c in readiness.criteria
            if not c.met
        )

    return csv_response(
        f"readiness-{timezone.localdate():%Y%m%d}",
        header,
        (
            [
                row.member.display_name,
                row.track.name if row.track else "",
                row.level_name,
                row.next_level_name,
                row.ready,
                row.met_count,
                len(row.criteria),
                row.provisional,
                not_met(row),
            ]
            for row in rows
        ),
    )


@login_required
def readiness_detail(request, member_pk: int):
    member = _member(request, member_pk)
    return render(
        request,
        "recognition/readiness_detail.html",
        {
            "member": member,
            "section": selectors.member_readiness(member=member, viewer=request.user),
        },
    )


@login_required
def promotion_record(request, member_pk: int):
    member = _member(request, member_pk)
    require(permissions.coaches(request.user, member))
    report = selectors.readiness_of(member)
    form = PromotionForm(
        request.POST if request.method == "POST" else None,
        next_level=report.next_level,
    )
    if form.is_valid():
        try:
            services.promotion_record(
                member=member,
                by=request.user,
                level=form.cleaned_data["level"],
                since=form.cleaned_data["since"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(member)s is at “%(level)s” from %(date)s.")
                % {
                    "member": member.display_name,
                    "level": selectors.level_name(form.cleaned_data["level"]),
                    "date": date_format(form.cleaned_data["since"], "DATE_FORMAT"),
                },
            )
            return redirect("recognition:readiness_detail", member_pk=member.pk)
    return render(
        request,
        "recognition/promotion_form.html",
        {"member": member, "report": report, "form": form},
    )


urlpatterns = [
    path("ladder/", ladder, name="ladder"),
    path("ladder/tracks/new/", ladder_track_create, name="ladder_track_create"),
    path("ladder/tracks/<int:pk>/edit/", ladder_track_edit, name="ladder_track_edit"),
    path("ladder/levels/new/", ladder_level_create, name="ladder_level_create"),
    path("ladder/levels/<int:pk>/edit/", ladder_level_edit, name="ladder_level_edit"),
    path("ladder/steps/new/", ladder_step_create, name="ladder_step_create"),
    path("ladder/steps/<int:pk>/edit/", ladder_step_edit, name="ladder_step_edit"),
    path(
        "ladder/steps/<int:pk>/delete/", ladder_step_delete, name="ladder_step_delete"
    ),
    path("readiness/", readiness_team, name="readiness_team"),
    path("readiness.csv", readiness_csv, name="readiness_csv"),
    path(
        "members/<int:member_pk>/readiness/",
        readiness_detail,
        name="readiness_detail",
    ),
    path(
        "members/<int:member_pk>/promotion/",
        promotion_record,
        name="promotion_record",
    ),
]
