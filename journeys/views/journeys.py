"""Journey pages: the journeys, their steps as a path, and the playbooks of the
transitions.

Everyone signed in reads the active journeys and their playbooks (the team's common
language); admins see the inactive ones too and change the steps. A playbook is
created by an admin and revised by an admin or its owner; each revision is a new
version, the earlier ones stay readable. Steps keep their identity when they are
edited, moved or retired: their recorded events stay attached to them.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _

from config.api import parse_id
from config.views import add_service_errors, posted, require

from .. import permissions, selectors, services, stories
from ..filters import JourneyFilter
from ..forms.journeys import (
    PlaybookVersionForm,
    StepForm,
    StepMoveForm,
    present_journey_filters,
)
from ..models import CustomerAccount, Journey, Step

PER_PAGE = 25


def _current_step_count(journey_id: int) -> int:
    return Step.objects.filter(journey_id=journey_id, retired_at__isnull=True).count()


def _step(request, pk: int) -> Step:
    """A step of a journey the viewer sees (404 otherwise); changing it is for
    admins (403)."""
    step = get_object_or_404(selectors.visible_steps(request.user), pk=pk)
    require(permissions.manages_journeys(request.user))
    return step


# --- Journeys -----------------------------------------------------------------------


@login_required
def journey_list(request):
    """The journeys, filtered by the API's `JourneyFilter` (admins, who also see
    the inactive ones, choose active or not)."""
    filterset = JourneyFilter(
        request.GET or None,
        queryset=selectors.journey_list(viewer=request.user),
        request=request,
    )
    form = present_journey_filters(filterset.form)
    page = Paginator(filterset.qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "journeys/journey_list.html",
        {
            "page": page,
            "form": form,
            "manages_journeys": permissions.manages_journeys(request.user),
        },
    )


@login_required
def journey_detail(request, pk: int):
    try:
        page = selectors.journey_page(viewer=request.user, pk=pk)
    except Journey.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "journeys/journey_detail.html",
        {
            "journey": page.journey,
            "page": page,
            "manages_journeys": permissions.manages_journeys(request.user),
        },
    )


# --- Steps ----------------------------------------------------------------------------


@login_required
def step_insert(request, pk: int):
    journey = get_object_or_404(permissions.visible_journeys(request.user), pk=pk)
    require(permissions.manages_journeys(request.user))
    last = _current_step_count(journey.pk) + 1
    initial = {"position": request.GET.get("position") or last}
    form = StepForm(
        posted(request), initial=initial, last_position=last, instance=Step()
    )
    if form.is_valid():
        try:
            step = services.step_insert(
                journey=journey,
                position=form.cleaned_data["position"],
                **form.step_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The step “%(name)s” was added.") % {"name": step.name}
            )
            return redirect(journey)
    return render(
        request,
        "journeys/step_form.html",
        {"journey": journey, "form": form, "is_new": True},
    )


@login_required
def step_edit(request, pk: int):
    step = _step(request, pk)
    # The form works on a copy: a refused change does not show in the page title.
    form = StepForm(posted(request), instance=copy.copy(step))
    if form.is_valid():
        try:
            services.step_update(step=step, **form.step_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The step was saved."))
            return redirect(step.journey)
    return render(
        request,
        "journeys/step_form.html",
        {"journey": step.journey, "step": step, "form": form, "is_new": False},
    )


@login_required
def step_move(request, pk: int):
    step = _step(request, pk)
    if step.retired_at is not None:
        raise Http404
    form = StepMoveForm(
        posted(request),
        initial={"position": step.position},
        last_position=_current_step_count(step.journey_id),
    )
    if form.is_valid():
        try:
            services.step_move(step=step, position=form.cleaned_data["position"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(name)s” is now step %(position)d.")
                % {"name": step.name, "position": step.position},
            )
            return redirect(step.journey)
    return render(
        request,
        "journeys/step_move.html",
        {"journey": step.journey, "step": step, "form": form},
    )


@login_required
def step_retire(request, pk: int):
    step = _step(request, pk)
    if step.retired_at is not None:
        raise Http404
    errors = []
    if request.method == "POST":
        try:
            services.step_retire(step=step, by=request.user)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("The step “%(name)s” was retired; its events stay recorded.")
                % {"name": step.name},
            )
            return redirect(step.journey)
    return render(
        request,
        "journeys/step_retire.html",
        {
            "journey": step.journey,
            "step": step,
            "event_count": step.events.filter(voided_at__isnull=True).count(),
            "errors": errors,
        },
    )


# --- Playbooks -----------------------------------------------------------------------


@login_required
def playbook_detail(request, pk: int):
    playbook = get_object_or_404(selectors.visible_playbooks(request.user), pk=pk)
    versions = selectors.playbook_versions(playbook)
    # The reflections page is for the playbook's owner and admins.
    reads_reflections = permissions.can_revise_playbook(request.user, playbook)
    shown = versions[0] if versions else None
    wanted = request.GET.get("version")
    if wanted:
        shown = next((v for v in versions if str(v.number) == wanted), None)
        if shown is None:
            raise Http404
    next_step = (
        Step.objects.filter(
            journey_id=playbook.from_step.journey_id,
            retired_at__isnull=True,
            position__gt=playbook.from_step.position or 0,
        )
        .order_by("position")
        .first()
        if playbook.from_step.retired_at is None
        else None
    )
    return render(
        request,
        "journeys/playbook_detail.html",
        {
            "playbook": playbook,
            "journey": playbook.from_step.journey,
            "next_step": next_step,
            "versions": versions,
            "version": shown,
            "is_current": bool(versions) and shown == versions[0],
            "can_revise": reads_reflections,
            "reads_reflections": reads_reflections,
            "reflection_count": selectors.reflections_around(
                playbook, viewer=request.user
            ).count()
            if reads_reflections
            else 0,
            # Published success stories of the transition, as real examples.
            "stories": stories.real_examples(request.user, playbook.from_step),
        },
    )


@login_required
def playbook_create(request, pk: int):
    step = _step(request, pk)
    if hasattr(step, "playbook"):
        return redirect(step.playbook)
    form = PlaybookVersionForm(posted(request), is_new=True)
    if form.is_valid():
        try:
            playbook = services.playbook_create(
                from_step=step,
                owner=form.cleaned_data["owner"],
                by=request.user,
                **form.version_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The playbook was created."))
            return redirect(playbook)
    return render(
        request,
        "journeys/playbook_form.html",
        {"journey": step.journey, "step": step, "form": form, "is_new": True},
    )


@login_required
def playbook_revise(request, pk: int):
    playbook = get_object_or_404(selectors.visible_playbooks(request.user), pk=pk)
    require(permissions.can_revise_playbook(request.user, playbook))
    current = selectors.playbook_current(playbook)
    initial = (
        {
            "goal": current.goal,
            "actions": current.actions,
            "content": current.content,
        }
        if current
        else {}
    )
    # Started from a practicum reflection: quoted on the page, linked from the
    # version. One the reviser may not read about this playbook answers 404.
    reflection = None
    if "reflection" in request.GET:
        reflection = get_object_or_404(
            selectors.reflections_around(playbook, viewer=request.user),
            pk=parse_id(request.GET["reflection"]),
        )
        initial["note"] = _("After %(member)s’s practicum reflection on “%(step)s”") % {
            "member": reflection.member.display_name,
            "step": reflection.step.name,
        }
        initial["note"] = initial["note"][:300]
    form = PlaybookVersionForm(posted(request), initial=initial, is_new=False)
    if form.is_valid():
        try:
            version = services.playbook_revise(
                playbook=playbook,
                by=request.user,
                reflection=reflection,
                **form.version_fields(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Version %(number)d of the playbook is now in use.")
                % {"number": version.number},
            )
            return redirect(playbook)
    return render(
        request,
        "journeys/playbook_form.html",
        {
            "journey": playbook.from_step.journey,
            "step": playbook.from_step,
            "playbook": playbook,
            "current": current,
            "form": form,
            "is_new": False,
            "reflection": reflection,
        },
    )


@login_required
def account_playbook(request, pk: int):
    """Work through the playbook of the transition an account is at: tick its
    actions for this account (who ticked what, when; unticking is kept in the
    history). An account the viewer does not see answers 404; ticking needs a role
    that works with customers (403)."""
    try:
        page = selectors.account_page(viewer=request.user, pk=pk)
    except CustomerAccount.DoesNotExist:
        raise Http404 from None
    account = page.account
    playbook, version = page.next_playbook, page.next_playbook_version
    # The account is one the viewer sees (account_page): ticking needs a role
    # that works with customers, as in the API.
    may_tick = permissions.works_with_customers(request.user)
    if request.method == "POST":
        require(may_tick)
        if version is None:
            raise Http404
        number = parse_id(request.POST.get("action"))
        try:
            services.playbook_action_tick(
                account=account,
                version=version,
                action_number=number or 0,
                done=request.POST.get("done") == "1",
                by=request.user,
            )
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(
            f"{reverse('journeys:account_playbook', args=[account.pk])}"
            f"#action-{number or ''}"
        )
    checklist = (
        selectors.playbook_checklist(account, version) if version is not None else None
    )
    return render(
        request,
        "journeys/playbook_account.html",
        {
            "page": page,
            "account": account,
            "playbook": playbook,
            "version": version,
            "checklist": checklist,
            "may_tick": may_tick,
            "goal": selectors.with_customer_name(version.goal, account)
            if version
            else "",
        },
    )


urlpatterns = [
    path("", journey_list, name="journey_list"),
    path("<int:pk>/", journey_detail, name="journey_detail"),
    path("<int:pk>/steps/new/", step_insert, name="step_insert"),
    path("steps/<int:pk>/edit/", step_edit, name="step_edit"),
    path("steps/<int:pk>/move/", step_move, name="step_move"),
    path("steps/<int:pk>/retire/", step_retire, name="step_retire"),
    path("playbooks/<int:pk>/", playbook_detail, name="playbook_detail"),
    path("steps/<int:pk>/playbook/new/", playbook_create, name="playbook_create"),
    path("playbooks/<int:pk>/revise/", playbook_revise, name="playbook_revise"),
    path("accounts/<int:pk>/playbook/", account_playbook, name="account_playbook"),
]
