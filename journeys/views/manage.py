"""Pages where admins do the work they did in the Django admin: a journey with its
ordered steps, a training module with its quiz, a customer account, and the members
of a pool.

The rules are those of the API: `permissions.manages_journeys` (403 otherwise;
an object outside the viewer's scope answers 404 first), and every write goes
through `journeys.services`, whose refusals show on the fields they name.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from config.api import parse_id
from config.views import add_service_errors, posted, require

from .. import permissions, selectors, services
from ..forms.manage import (
    MAX_NEW_STEPS,
    AccountForm,
    JourneyForm,
    ModuleForm,
    PoolMemberEndForm,
    PoolMemberForm,
    QuestionForm,
    QuestionFormSet,
    step_formset,
)
from ..models import (
    PoolMembership,
    QuizChoice,
    QuizQuestion,
    Step,
    TrainingModule,
)

# Empty step rows the journey form opens with.
STEP_ROWS = 4


def _require_manager(request) -> None:
    require(permissions.manages_journeys(request.user))


# --- Journey with its steps -----------------------------------------------------------


@login_required
def journey_create(request):
    _require_manager(request)
    form = JourneyForm(posted(request), prefix="journey")
    # More empty rows on request (?rows=10); posted rows come with their count.
    rows = parse_id(request.GET.get("rows")) or STEP_ROWS
    steps = step_formset(rows=rows)(posted(request), prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        # Rows left empty are no steps; the others keep their order.
        rows = [row for row in steps.forms if row.cleaned_data]
        try:
            journey = services.journey_create(
                steps=[row.step_fields() for row in rows], **form.journey_fields()
            )
        except services.StepsInvalid as error:
            for index, problems in error.by_step.items():
                add_service_errors(rows[index], problems)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "The journey “%(name)s” was created with %(count)d step.",
                    "The journey “%(name)s” was created with %(count)d steps.",
                    len(rows),
                )
                % {"name": journey.name, "count": len(rows)},
            )
            return redirect(journey)
    return render(
        request,
        "journeys/manage/journey_form.html",
        {"form": form, "steps": steps, "more_rows": min(rows + 5, MAX_NEW_STEPS)},
    )


# --- Training module with its quiz ---------------------------------------------------


def _module_steps(viewer):
    return (
        Step.objects.filter(
            retired_at__isnull=True,
            journey__in=permissions.visible_journeys(viewer).values("pk"),
        )
        .select_related("journey")
        .order_by("journey__name", "position")
    )


def _module_page(request, module: TrainingModule, initial_questions: list[dict]):
    is_new = module.pk is None
    initial = {}
    if is_new:
        step_id = parse_id(request.GET.get("step"))
        if step_id is not None:
            initial["from_step"] = step_id
    form = ModuleForm(
        posted(request),
        instance=module,
        initial=initial,
        steps=_module_steps(request.user),
        prefix="module",
    )
    questions = QuestionFormSet(
        posted(request), initial=initial_questions or None, prefix="quiz"
    )
    if request.method == "POST" and form.is_valid() and questions.is_valid():
        quiz = [
            row.question()
            for row in questions.forms
            if row.cleaned_data and not row.cleaned_data.get("DELETE")
        ]
        try:
            saved = services.training_module_save(
                module, questions=quiz, **form.module_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                (
                    _("The module “%(title)s” was created.")
                    if is_new
                    else _("The module “%(title)s” was saved.")
                )
                % {"title": saved.title},
            )
            return redirect(saved)
    return render(
        request,
        "journeys/manage/module_form.html",
        {"form": form, "questions": questions, "module": module, "is_new": is_new},
    )


@login_required
def module_create(request):
    _require_manager(request)
    return _module_page(request, TrainingModule(), [])


@login_required
def module_edit(request, pk: int):
    module = get_object_or_404(
        permissions.visible_training_modules(request.user).select_related(
            "from_step__journey"
        ),
        pk=pk,
    )
    _require_manager(request)
    saved = QuizQuestion.objects.filter(module=module).prefetch_related(
        Prefetch("choices", queryset=QuizChoice.objects.order_by("id"))
    )
    return _module_page(
        request,
        module,
        [QuestionForm.initial_of(q) for q in saved.order_by("position")],
    )


# --- Customer account -------------------------------------------------------------


@login_required
def account_create(request):
    _require_manager(request)
    viewer = request.user
    asks = request.method == "POST" and "confirm_not_ready" in request.POST
    choices = {
        "journeys": permissions.visible_journeys(viewer)
        .filter(is_active=True)
        .order_by("name"),
        "owners": permissions.coverage_owner_choices(viewer).order_by(
            "family_name", "given_name", "username"
        ),
        "pools": permissions.visible_pools(viewer).order_by("name"),
    }
    form = AccountForm(posted(request), asks_confirmation=asks, **choices)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(by=viewer, **form.service_fields())
        except ValidationError as error:
            not_ready = any(
                item.code == "not_ready"
                for item in getattr(error, "error_dict", {}).get("owner", [])
            )
            if not_ready and not form.asks_confirmation:
                # Ask again, now with the confirmation box.
                form = AccountForm(request.POST, asks_confirmation=True, **choices)
                form.is_valid()
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The account “%(name)s” was created.") % {"name": account}
            )
            return redirect(account)
    return render(request, "journeys/manage/account_form.html", {"form": form})


# --- Pool members -----------------------------------------------------------------


@login_required
def pool_members(request, pk: int):
    """Add a member to the pool from a date, or end a membership on a date; past
    memberships stay as the pool's history (they decide who saw which account)."""
    pool = get_object_or_404(
        permissions.visible_pools(request.user).select_related("team"), pk=pk
    )
    _require_manager(request)
    members = (
        User.objects.filter(is_active=True, groups__name=Role.MEMBER.value)
        .distinct()
        .order_by("family_name", "given_name", "username")
    )
    add_form = PoolMemberForm(
        request.POST if "add-user" in request.POST else None, members=members
    )
    end_form = PoolMemberEndForm(
        request.POST if "end-membership" in request.POST else None
    )
    ending = None
    if add_form.is_bound and add_form.is_valid():
        try:
            membership = services.pool_member_add(pool=pool, **add_form.cleaned_data)
        except ValidationError as error:
            add_service_errors(add_form, error)
        else:
            messages.success(
                request,
                _("%(name)s is in the pool from %(start)s.")
                % {
                    "name": membership.user.display_name,
                    "start": date_format(membership.start_date, "DATE_FORMAT"),
                },
            )
            return redirect("journeys:manage_pool_members", pool.pk)
    if end_form.is_bound and end_form.is_valid():
        ending = PoolMembership.objects.filter(
            pool=pool, pk=end_form.cleaned_data["membership"]
        ).first()
        if ending is None:
            raise Http404
        try:
            services.pool_member_end(
                membership=ending, end_date=end_form.cleaned_data["end_date"]
            )
        except ValidationError as error:
            add_service_errors(end_form, error, rename=_end_field)
        else:
            messages.success(
                request,
                _("%(name)s leaves the pool after %(end)s.")
                % {
                    "name": ending.user.display_name,
                    "end": date_format(ending.end_date, "DATE_FORMAT"),
                },
            )
            return redirect("journeys:manage_pool_members", pool.pk)
    elif end_form.is_bound:
        ending = PoolMembership.objects.filter(
            pool=pool, pk=parse_id(request.POST.get("end-membership"))
        ).first()
    return render(
        request,
        "journeys/manage/pool_members.html",
        {
            "pool": pool,
            "memberships": selectors.pool_members(pool),
            "add_form": add_form,
            "end_form": end_form,
            "ending": ending,
        },
    )


def _end_field(name: str) -> str:
    return "end_date" if name in ("start_date", "end_date") else name


urlpatterns = [
    path("manage/journeys/new/", journey_create, name="manage_journey_create"),
    path("manage/modules/new/", module_create, name="manage_module_create"),
    path("manage/modules/<int:pk>/edit/", module_edit, name="manage_module_edit"),
    path("manage/accounts/new/", account_create, name="manage_account_create"),
    path("manage/pools/<int:pk>/members/", pool_members, name="manage_pool_members"),
]
