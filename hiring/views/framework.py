"""Hiring pages: the competency framework (competencies and success profiles), the
question bank and interview kits.

The framework is the organisation's: everyone who takes part in hiring reads it
(managers coach with it too), admins change it. Admins and recruiters keep the
question bank. A kit belongs to its opening: it is seen with the opening and changed
by whoever may change the opening.
"""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.api import parse_id
from config.views import add_service_errors, posted, require

from .. import permissions, selectors, services
from ..filters import QuestionFilter
from ..forms.framework import (
    CompetencyForm,
    KitCreateForm,
    KitEditForm,
    ProfileCopyForm,
    ProfileForm,
    QuestionForm,
    question_filter_form,
)
from ..models import (
    Competency,
    InterviewKit,
    Question,
    SuccessProfile,
)

PER_PAGE = 25


# --- Competencies -----------------------------------------------------------------


@login_required
def competency_list(request):
    require(permissions.uses_hiring(request.user))
    manages = permissions.manages_framework(request.user)
    competencies = selectors.competency_list(include_retired=manages)
    page = Paginator(competencies, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "hiring/competency_list.html",
        {"page": page, "manages_framework": manages},
    )


@login_required
def competency_detail(request, pk: int):
    require(permissions.uses_hiring(request.user))
    competency = get_object_or_404(Competency, pk=pk)
    runs = permissions.runs_hiring(request.user)
    return render(
        request,
        "hiring/competency_detail.html",
        {
            "competency": competency,
            "page": selectors.competency_page(
                competency=competency, include_retired=runs
            ),
            "manages_framework": permissions.manages_framework(request.user),
            "runs_hiring": runs,
        },
    )


@login_required
def competency_create(request):
    require(permissions.manages_framework(request.user))
    return _competency_form(request, Competency(), is_new=True)


@login_required
def competency_edit(request, pk: int):
    require(permissions.manages_framework(request.user))
    competency = get_object_or_404(Competency, pk=pk)
    return _competency_form(request, competency, is_new=False)


def _competency_form(request, competency: Competency, *, is_new: bool):
    # The form works on a copy: a refused change does not show in the page title.
    form = CompetencyForm(
        posted(request), instance=copy.copy(competency), is_new=is_new
    )
    if form.is_valid():
        try:
            competency = services.record_save(competency, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The competency was saved."))
            return redirect(competency)
    return render(
        request,
        "hiring/competency_form.html",
        {"form": form, "competency": competency, "is_new": is_new},
    )


# --- Success profiles -------------------------------------------------------------


@login_required
def profile_list(request):
    require(permissions.uses_hiring(request.user))
    page = Paginator(selectors.profile_list(), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "hiring/profile_list.html", {"page": page})


def _copy_form(profile: SuccessProfile, data=None) -> ProfileCopyForm:
    return ProfileCopyForm(
        data, initial={"name": _("%(name)s (copy)") % {"name": profile.name}}
    )


def _profile_detail(request, profile: SuccessProfile, copy_form=None):
    manages = permissions.manages_framework(request.user)
    return render(
        request,
        "hiring/profile_detail.html",
        {
            "profile": profile,
            "weights": selectors.profile_weights(profile=profile),
            "manages_framework": manages,
            "copy_form": copy_form or (_copy_form(profile) if manages else None),
        },
    )


@login_required
def profile_detail(request, pk: int):
    require(permissions.uses_hiring(request.user))
    profile = get_object_or_404(
        SuccessProfile.objects.select_related("copied_from"), pk=pk
    )
    return _profile_detail(request, profile)


@login_required
@require_POST
def profile_copy(request, pk: int):
    require(permissions.manages_framework(request.user))
    profile = get_object_or_404(
        SuccessProfile.objects.select_related("copied_from"), pk=pk
    )
    form = _copy_form(profile, request.POST)
    if form.is_valid():
        try:
            copied = services.profile_copy(
                profile=profile, name=form.cleaned_data["name"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("This is your copy of “%(name)s”: adapt it to the role.")
                % {"name": profile},
            )
            return redirect("hiring:profile_edit", copied.pk)
    return _profile_detail(request, profile, copy_form=form)


@login_required
def profile_edit(request, pk: int):
    require(permissions.manages_framework(request.user))
    profile = get_object_or_404(SuccessProfile, pk=pk)
    if profile.is_starter:
        # Starting profiles stay as shipped: the page offers a copy to edit instead.
        return render(
            request,
            "hiring/profile_edit.html",
            {"profile": profile, "copy_form": _copy_form(profile)},
        )
    form = ProfileForm(
        posted(request),
        instance=copy.copy(profile),
        rows=selectors.profile_weight_rows(profile=profile),
    )
    if form.is_valid():
        try:
            services.profile_update(
                profile=profile, weights=form.weights(), **form.profile_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error, rename=_weight_field)
        else:
            messages.success(request, _("The success profile was saved."))
            return redirect(profile)
    return render(
        request, "hiring/profile_edit.html", {"profile": profile, "form": form}
    )


def _weight_field(key: str) -> str:
    """The form field of a `profile_set_weights` error: per competency id, or the
    whole table."""
    return ProfileForm.weight_field(key) if key.isdigit() else key


# --- Question bank ----------------------------------------------------------------


@login_required
def question_list(request):
    require(permissions.uses_hiring(request.user))
    # The API's FilterSet; the page shows questions in use unless told otherwise.
    data = request.GET.copy()
    data.setdefault("status", "active")
    filterset = QuestionFilter(
        data, queryset=selectors.question_list(status="all"), request=request
    )
    questions = filterset.qs
    filter_form = question_filter_form(filterset.form)
    page = Paginator(questions, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "hiring/question_list.html",
        {
            "page": page,
            "filter_form": filter_form,
            "runs_hiring": permissions.runs_hiring(request.user),
        },
    )


@login_required
def question_detail(request, pk: int):
    require(permissions.uses_hiring(request.user))
    question = get_object_or_404(Question.objects.select_related("competency"), pk=pk)
    return render(
        request,
        "hiring/question_detail.html",
        {
            "question": question,
            "kits": selectors.question_kits(viewer=request.user, question=question),
            "in_use": selectors.question_in_use(question=question),
            "runs_hiring": permissions.runs_hiring(request.user),
        },
    )


@login_required
def question_create(request):
    require(permissions.runs_hiring(request.user))
    question = Question()
    competency_id = parse_id(request.GET.get("competency"))
    if competency_id is not None:
        question.competency = Competency.objects.filter(
            pk=competency_id, is_active=True
        ).first()
    return _question_form(request, question, is_new=True)


@login_required
def question_edit(request, pk: int):
    require(permissions.runs_hiring(request.user))
    question = get_object_or_404(Question.objects.select_related("competency"), pk=pk)
    return _question_form(request, question, is_new=False)


def _question_form(request, question: Question, *, is_new: bool):
    form = QuestionForm(posted(request), instance=copy.copy(question), is_new=is_new)
    if form.is_valid():
        try:
            question = services.question_save(question, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if question.is_active:
                messages.success(request, _("The question was saved."))
            else:
                messages.info(
                    request, _("The question is retired: kits no longer offer it.")
                )
            return redirect(question)
    return render(
        request,
        "hiring/question_form.html",
        {
            "form": form,
            "question": question,
            "is_new": is_new,
            "in_use": not is_new and selectors.question_in_use(question=question),
        },
    )


# --- Interview kits ---------------------------------------------------------------


@login_required
def kit_create(request, pk: int):
    opening = get_object_or_404(permissions.visible_openings(request.user), pk=pk)
    require(permissions.can_edit_opening(request.user, opening))
    form = KitCreateForm(posted(request))
    if form.is_valid():
        try:
            kit = services.kit_create(opening=opening, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The kit was created: now choose its questions.")
            )
            return redirect("hiring:kit_edit", kit.pk)
    return render(
        request,
        "hiring/kit_create.html",
        {
            "opening": opening,
            "form": form,
            "kits": selectors.kits_in_stage_order(opening.kits.all()),
        },
    )


def _kit(request, pk: int) -> InterviewKit:
    try:
        return selectors.kit_get(viewer=request.user, pk=pk)
    except InterviewKit.DoesNotExist:
        raise Http404 from None


@login_required
def kit_detail(request, pk: int):
    kit = _kit(request, pk)
    coverage = selectors.kit_coverage(kit=kit)
    return render(
        request,
        "hiring/kit_detail.html",
        {
            "kit": kit,
            "opening": kit.opening,
            "kit_questions": selectors.kit_question_list(kit=kit),
            "coverage": coverage,
            "coverage_warnings": [row for row in coverage if row.warning],
            "can_edit": permissions.can_edit_opening(request.user, kit.opening),
        },
    )


@login_required
def kit_edit(request, pk: int):
    kit = _kit(request, pk)
    require(permissions.can_edit_opening(request.user, kit.opening))
    in_kit = selectors.kit_question_list(kit=kit)
    form = KitEditForm(
        posted(request),
        initial={"guidance": kit.guidance},
        in_kit=in_kit,
        bank=selectors.kit_question_bank(kit=kit, in_kit=in_kit),
    )
    if form.is_valid():
        try:
            services.kit_update(
                kit=kit,
                guidance=form.cleaned_data["guidance"],
                question_ids=form.cleaned_data["question_ids"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The kit was saved."))
            return redirect(kit)
    coverage = selectors.kit_coverage(kit=kit)
    return render(
        request,
        "hiring/kit_edit.html",
        {
            "kit": kit,
            "opening": kit.opening,
            "form": form,
            "coverage": coverage,
            "coverage_warnings": [row for row in coverage if row.warning],
            "runs_hiring": permissions.runs_hiring(request.user),
        },
    )


urlpatterns = [
    path("competencies/", competency_list, name="competency_list"),
    path("competencies/new/", competency_create, name="competency_create"),
    path("competencies/<int:pk>/", competency_detail, name="competency_detail"),
    path("competencies/<int:pk>/edit/", competency_edit, name="competency_edit"),
    path("profiles/", profile_list, name="profile_list"),
    path("profiles/<int:pk>/", profile_detail, name="profile_detail"),
    path("profiles/<int:pk>/copy/", profile_copy, name="profile_copy"),
    path("profiles/<int:pk>/edit/", profile_edit, name="profile_edit"),
    path("questions/", question_list, name="question_list"),
    path("questions/new/", question_create, name="question_create"),
    path("questions/<int:pk>/", question_detail, name="question_detail"),
    path("questions/<int:pk>/edit/", question_edit, name="question_edit"),
    path("openings/<int:pk>/kits/new/", kit_create, name="kit_create"),
    path("kits/<int:pk>/", kit_detail, name="kit_detail"),
    path("kits/<int:pk>/edit/", kit_edit, name="kit_edit"),
]
