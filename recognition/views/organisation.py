"""Pages: the role map and the maturity self-assessment (issue 14).

Admins and managers read them; admins change them (403 for managers' writes);
members, interviewers and recruiters get 403 (`permissions.sees_organisation_plans`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from config.views import add_service_errors, posted, require

from .. import organisation, permissions
from ..forms.organisation import MaturityForm, RoleFunctionForm
from ..models import MaturityAssessment, RoleFunction
from ..selectors import organisation as selectors
from ..services import organisation as services

PER_PAGE = 12


def _readers_only(request) -> None:
    require(permissions.sees_organisation_plans(request.user))


def _admins_only(request) -> None:
    require(permissions.plans_organisation(request.user))


# --- Role map ----------------------------------------------------------------------


@login_required
def role_map(request):
    _readers_only(request)
    services.role_functions_ensure()
    functions = list(selectors.role_functions())
    return render(
        request,
        "recognition/organisation/role_map.html",
        {
            "functions": functions,
            "quadrants": selectors.role_map_quadrants(functions),
            "needs_person": sum(f.needs_dedicated_person for f in functions),
            "manages": permissions.plans_organisation(request.user),
        },
    )


@login_required
def role_function_create(request):
    _admins_only(request)
    return _role_function_form(request, RoleFunction())


@login_required
def role_function_edit(request, pk: int):
    _admins_only(request)
    return _role_function_form(request, get_object_or_404(RoleFunction, pk=pk))


def _role_function_form(request, function: RoleFunction):
    form = RoleFunctionForm(posted(request), instance=function)
    if form.is_valid():
        try:
            services.role_function_save(
                function=function,
                by=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("“%(function)s” is saved.") % {"function": function.display_name},
            )
            return redirect("recognition:role_map")
    return render(
        request,
        "recognition/organisation/role_function_form.html",
        {"form": form, "function": function},
    )


@login_required
def role_function_delete(request, pk: int):
    _admins_only(request)
    function = get_object_or_404(RoleFunction, pk=pk)
    if request.method == "POST":
        try:
            services.role_function_delete(function=function, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                _("“%(function)s” is deleted.") % {"function": function.display_name},
            )
        return redirect("recognition:role_map")
    return render(
        request,
        "recognition/organisation/role_function_delete.html",
        {"function": function},
    )


# --- Maturity ----------------------------------------------------------------------


def _running_quarter() -> str:
    return organisation.quarter_key(timezone.localdate())


@login_required
def maturity(request):
    """The running quarter's level (or an invitation to assess it), the next steps,
    and the level quarter by quarter."""
    _readers_only(request)
    running = _running_quarter()
    assessments = list(selectors.maturity_assessments())
    history = selectors.maturity_history(assessments)
    latest = assessments[0] if assessments else None
    return render(
        request,
        "recognition/organisation/maturity.html",
        {
            "running": running,
            "running_label": organisation.quarter_label(running),
            "current": next((a for a in assessments if a.quarter == running), None),
            "latest": latest,
            "latest_label": history[0].label if history else "",
            "threshold": round(organisation.LEVEL_THRESHOLD * 100),
            "latest_level": organisation.level_of(latest.level) if latest else None,
            "next_level": (
                organisation.level_of(latest.level + 1)
                if latest and latest.level < organisation.LAST_LEVEL
                else None
            ),
            "next_steps": organisation.next_steps(latest.answers) if latest else [],
            "chart": list(reversed(history))[-8:],
            "page": Paginator(history, PER_PAGE).get_page(request.GET.get("page")),
            "levels": organisation.LEVELS,
            "manages": permissions.plans_organisation(request.user),
        },
    )


@login_required
def maturity_assess(request):
    """The running quarter's questionnaire, prefilled from its answers or, for a
    new assessment, from the evidence; the evidence beside each question."""
    _admins_only(request)
    running = _running_quarter()
    assessment = MaturityAssessment.objects.filter(quarter=running).first()
    evidence = selectors.maturity_evidence()
    if assessment is not None:
        initial = {**assessment.answers, "note": assessment.note}
    else:
        assessment = MaturityAssessment(quarter=running)
        initial = organisation.suggested_answers(evidence)
    rows = organisation.level_rows(initial, evidence)
    form = MaturityForm(posted(request), initial=initial, rows=rows)
    if form.is_valid():
        try:
            services.maturity_assessment_save(
                assessment=assessment,
                by=request.user,
                quarter=running,
                answers=form.answers(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The maturity of %(quarter)s is saved: level %(level)s.")
                % {
                    "quarter": organisation.quarter_label(running),
                    "level": assessment.level,
                },
            )
            return redirect(assessment.get_absolute_url())
    return render(
        request,
        "recognition/organisation/maturity_form.html",
        {
            "form": form,
            "assessment": assessment,
            "quarter_label": organisation.quarter_label(running),
            "threshold": round(organisation.LEVEL_THRESHOLD * 100),
        },
    )


@login_required
def maturity_detail(request, quarter: str):
    _readers_only(request)
    assessment = get_object_or_404(selectors.maturity_assessments(), quarter=quarter)
    level = organisation.level_of(assessment.level)
    return render(
        request,
        "recognition/organisation/maturity_detail.html",
        {
            "assessment": assessment,
            "quarter_label": organisation.quarter_label(assessment.quarter),
            "level": level,
            "next_level": (
                organisation.level_of(level.number + 1)
                if level.number < organisation.LAST_LEVEL
                else None
            ),
            "rows": organisation.level_rows(assessment.answers, assessment.evidence),
            "next_steps": organisation.next_steps(assessment.answers),
            "editable": assessment.quarter == _running_quarter()
            and permissions.plans_organisation(request.user),
            "threshold": round(organisation.LEVEL_THRESHOLD * 100),
        },
    )


urlpatterns = [
    path("role-map/", role_map, name="role_map"),
    path("role-map/new/", role_function_create, name="role_function_create"),
    path("role-map/<int:pk>/edit/", role_function_edit, name="role_function_edit"),
    path(
        "role-map/<int:pk>/delete/", role_function_delete, name="role_function_delete"
    ),
    path("maturity/", maturity, name="maturity"),
    path("maturity/assess/", maturity_assess, name="maturity_assess"),
    path("maturity/<str:quarter>/", maturity_detail, name="maturity_detail"),
]
