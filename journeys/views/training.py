"""Journeys pages: training modules and their quiz, my training, assigning modules,
and the practicum (walking the journey before taking customers).

Training is for admins, managers and members (403 for the other roles). A module of
a journey the viewer does not see, a member whose practicum they may not read, or a
playbook of a hidden journey answer 404. Reflections are read through
`permissions.visible_reflections`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.permissions import is_admin
from config.api import parse_id
from config.views import add_service_errors, require

from .. import permissions, selectors, services, stories
from ..forms.training import AssignForm, PracticumStepForm, QuizForm
from ..models import Playbook, Step

PER_PAGE = 25


# --- Modules and the quiz -----------------------------------------------------------


def _module(request, pk: int):
    require(permissions.takes_training(request.user))
    return get_object_or_404(
        permissions.visible_training_modules(request.user).select_related(
            "from_step__journey"
        ),
        pk=pk,
    )


@login_required
def module_detail(request, pk: int):
    """The material, the quiz (or a button to mark it done) and the viewer's
    attempts: every attempt is kept, a failed one may be retried.

    The quiz is for the learner: a member, or anyone the module is assigned to or
    who attempted it. A manager or admin who is not a learner reads the material
    and who on their team passed it; they may still take it themselves (?take=1)."""
    module = _module(request, pk)
    page = selectors.module_page(module, member=request.user)
    status = page["status"]
    follows = permissions.assigns_training(request.user)
    is_learner = not follows or status.is_assigned or bool(status.attempts)
    takes_it = is_learner or request.GET.get("take") == "1"
    form = QuizForm(
        request.POST if request.method == "POST" else None,
        questions=page["questions"],
    )
    if request.method == "POST" and (not page["questions"] or form.is_valid()):
        try:
            attempt = services.training_complete(
                module=module,
                member=request.user,
                answers=form.answers() if page["questions"] else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            takes_it = True
        else:
            if attempt.score is None:
                messages.success(request, _("The module is marked as completed."))
            elif attempt.passed:
                messages.success(
                    request,
                    _("You passed with %(score)d%%.") % {"score": attempt.score},
                )
            else:
                messages.warning(
                    request,
                    _(
                        "You scored %(score)d%%; the pass mark is %(mark)d%%. "
                        "Read the material again and retry."
                    )
                    % {"score": attempt.score, "mark": module.pass_mark or 0},
                )
            return redirect("journeys:module_detail", module.pk)
    elif request.method == "POST":
        takes_it = True
    attempts = page["attempts"]
    passers = (
        selectors.module_passers(
            module, permissions.training_followed_members(request.user)
        )
        if follows
        else []
    )
    return render(
        request,
        "journeys/module_detail.html",
        {
            "module": module,
            "form": form,
            "has_quiz": bool(page["questions"]),
            "questions": page["questions"],
            "attempts": attempts,
            "last_attempt": attempts[0] if attempts else None,
            "status": status,
            "has_passed": status.is_passed,
            "is_learner": is_learner,
            "takes_it": takes_it,
            "assigns_training": follows,
            "passers": passers,
            "passed_count": sum(row.status.is_passed for row in passers),
            # Published success stories of the module's transition.
            "stories": stories.real_examples(request.user, module.from_step),
        },
    )


@login_required
def training_assign(request, pk: int):
    require(permissions.assigns_training(request.user))
    module = _module(request, pk)
    form = AssignForm(
        request.POST if request.method == "POST" else None,
        members=permissions.assignable_members(request.user).distinct(),
        teams=permissions.assignable_teams(request.user),
    )
    if form.is_valid():
        try:
            services.training_assign(
                module=module,
                due_date=form.cleaned_data["due_date"],
                by=request.user,
                member=form.cleaned_data["member"],
                team=form.cleaned_data["team"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(module)s” is assigned to %(whom)s, due %(due)s.")
                % {
                    "module": module.title,
                    "whom": form.cleaned_data["member"] or form.cleaned_data["team"],
                    "due": form.cleaned_data["due_date"],
                },
            )
            return redirect(module)
    return render(
        request, "journeys/training_assign.html", {"module": module, "form": form}
    )


# --- My training --------------------------------------------------------------------


@login_required
def my_training(request):
    require(permissions.takes_training(request.user))
    today = timezone.localdate()
    rows = selectors.my_training(request.user, today=today)
    done = sum(row.is_done for row in rows)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "journeys/training_list.html",
        {
            "page": page,
            "total": len(rows),
            "done": done,
            "percent": done * 100 // len(rows) if rows else 0,
            "overdue": sum(row.is_overdue for row in rows),
            "today": today,
        },
    )


# --- Practicum ----------------------------------------------------------------------


def _journey_choice(request, viewer):
    journeys = list(permissions.visible_journeys(viewer).filter(is_active=True))
    chosen = request.GET.get("journey") or request.POST.get("journey")
    journey = next((j for j in journeys if str(j.pk) == chosen), None)
    return journeys, journey or (journeys[0] if journeys else None)


def _walk(member: User, journey, bound_form=None):
    walk = selectors.practicum_walk(member, journey) if journey else []
    for entry in walk:
        if bound_form is not None and bound_form.step.pk == entry.step.pk:
            entry.form = bound_form
            continue
        reflection = entry.reflection
        entry.form = PracticumStepForm(
            step=entry.step,
            initial={
                "checks_done": reflection.checks_done,
                "what_was_hard": reflection.what_was_hard,
                "where_stuck": reflection.where_stuck,
                "what_would_help": reflection.what_would_help,
            }
            if reflection
            else None,
        )
    return walk


@login_required
def practicum(request):
    """The viewer walks each step of a journey: its checks and a reflection; the
    page says whether they are ready for accounts."""
    require(permissions.takes_training(request.user))
    journeys, journey = _journey_choice(request, request.user)
    bound = None
    if request.method == "POST" and journey is not None:
        # What cannot be an id names no step (404), never a lookup (a 500).
        step = get_object_or_404(
            Step,
            pk=parse_id(request.POST.get("step")),
            journey=journey,
            retired_at=None,
        )
        bound = PracticumStepForm(request.POST, step=step)
        if bound.is_valid():
            data = bound.cleaned_data
            try:
                services.practicum_save(
                    member=request.user,
                    step=step,
                    checks_done=data.get("checks_done", []),
                    what_was_hard=data["what_was_hard"],
                    where_stuck=data["where_stuck"],
                    what_would_help=data["what_would_help"],
                    complete="complete" in request.POST,
                )
            except ValidationError as error:
                add_service_errors(bound, error)
            else:
                messages.success(
                    request,
                    _("Your reflection on “%(step)s” is saved.") % {"step": step},
                )
                url = reverse("journeys:practicum")
                return redirect(f"{url}?journey={journey.pk}#step-{step.pk}")
    walk = _walk(request.user, journey, bound)
    return render(
        request,
        "journeys/practicum_walk.html",
        {
            "journeys": journeys,
            "journey": journey,
            "walk": walk,
            "completed": sum(entry.is_complete for entry in walk),
            "is_ready": journey is not None
            and selectors.is_ready_for_accounts(request.user, journey),
        },
    )


@login_required
def practicum_member(request, user_pk: int):
    """A member's reflections for their managers (and admins), read only."""
    require(permissions.takes_training(request.user))
    member = get_object_or_404(User, pk=user_pk)
    if not permissions.can_see_practicum_of(request.user, member):
        raise Http404
    reflections = list(
        permissions.visible_reflections(request.user)
        .filter(member=member, step__journey__is_active=True)
        .select_related("step__journey")
        .order_by("step__journey__name", "step__position", "step_id")
    )
    journeys = list(permissions.visible_journeys(request.user).filter(is_active=True))
    ready = selectors.ready_for_accounts([member.pk], [j.pk for j in journeys])
    readiness = [(journey, (member.pk, journey.pk) in ready) for journey in journeys]
    return render(
        request,
        "journeys/practicum_member.html",
        {"member": member, "reflections": reflections, "readiness": readiness},
    )


@login_required
def playbook_reflections(request, pk: int):
    """The reflections on the steps around a playbook: for its owner and admins."""
    playbook = get_object_or_404(
        Playbook.objects.select_related("from_step__journey", "owner").filter(
            from_step__journey__in=permissions.visible_journeys(request.user)
        ),
        pk=pk,
    )
    require(is_admin(request.user) or playbook.owner_id == request.user.pk)
    reflections = selectors.reflections_around(playbook, viewer=request.user)
    page = Paginator(reflections, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "journeys/practicum_reflections.html",
        {
            "playbook": playbook,
            "page": page,
            "can_revise": permissions.can_revise_playbook(request.user, playbook),
        },
    )


urlpatterns = [
    path("modules/<int:pk>/", module_detail, name="module_detail"),
    path("modules/<int:pk>/assign/", training_assign, name="training_assign"),
    path("training/", my_training, name="my_training"),
    path("practicum/", practicum, name="practicum"),
    path("practicum/<int:user_pk>/", practicum_member, name="practicum_member"),
    path(
        "playbooks/<int:pk>/reflections/",
        playbook_reflections,
        name="playbook_reflections",
    ),
]
