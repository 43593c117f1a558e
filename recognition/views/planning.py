"""Pages: capacity plans. The list (with the comparison of two or three plans),
a plan's page (top-down beside bottom-up per segment and in total, what would
close each gap, leaders and other roles, today's team beside the plan, the pooled
what-if), its form (calculated on submit before it is saved, and filled from
today's data on request) and the CSV downloads.

For admins and managers (403 for the other roles); the author and admins change
and delete a plan (403 for other leaders). Today's data and today's team read the
accounts the viewer sees (`permissions.capacity_accounts`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from config.api import parse_id
from config.exports import csv_response
from config.views import add_service_errors, require

from .. import permissions
from ..forms.planning import CapacityPlanForm, SegmentFormSet, segment_initial
from ..models import CapacityPlan, PlanCoverage
from ..selectors import planning as selectors
from ..services import planning as services
from ..services.planning import PLAN_FIELDS, SEGMENT_FIELDS

PER_PAGE = 20
COMPARE_MOST = 3
PREFIX = "segments"


def _plan(request, pk: int) -> CapacityPlan:
    require(permissions.sees_capacity_plans(request.user))
    try:
        return selectors.plan_get(viewer=request.user, pk=pk)
    except CapacityPlan.DoesNotExist:
        raise Http404 from None


def results_context(results) -> dict:
    """The results as the pages show them: each row and the total with the gap and
    what would close it in words."""
    labels = dict(PlanCoverage.choices)
    return {
        "results": results,
        "rows": [
            {
                "result": row,
                "label": labels.get(row.row.coverage_model, row.row.coverage_model),
                "gap_words": selectors.gap_words(row.gap),
                "closing": selectors.closing_words(row.closers),
            }
            for row in results.rows
        ],
        "total_gap_words": selectors.gap_words(results.gap),
        "total_closing": selectors.closing_words(results.closers, total=True),
    }


@login_required
def capacity_plan_list(request):
    require(permissions.sees_capacity_plans(request.user))
    plans = selectors.plan_list(viewer=request.user)
    page = Paginator(plans, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/planning/plan_list.html",
        {"page": page, "compare_most": COMPARE_MOST},
    )


@login_required
def capacity_plan_detail(request, pk: int):
    plan = _plan(request, pk)
    results = selectors.plan_results(plan)
    team = selectors.today_team(viewer=request.user)
    return render(
        request,
        "recognition/planning/plan_detail.html",
        {
            "plan": plan,
            "can_change": permissions.can_change_capacity_plan(request.user, plan),
            "beside_today": selectors.beside_today(results, team),
            "today_total": team.total,
            **results_context(results),
        },
    )


# --- The form ----------------------------------------------------------------------


def _typed_rows(data) -> list[dict]:
    """The rows as typed (raw text), without the empty and removed ones."""
    try:
        total = min(int(data.get(f"{PREFIX}-TOTAL_FORMS", 0)), 1000)
    except ValueError:
        total = 0
    rows = []
    for index in range(total):
        row = {
            name: data.get(f"{PREFIX}-{index}-{name}", "").strip()
            for name in SEGMENT_FIELDS
        }
        if any(row.values()) and not data.get(f"{PREFIX}-{index}-DELETE"):
            rows.append(row)
    return rows


def _typed_plan(data) -> dict:
    return {name: data[name] for name in PLAN_FIELDS if name in data}


def _prefilled(viewer, typed: list[dict]) -> list[dict]:
    """Today's accounts and ARR by segment and coverage model, keeping the
    benchmark and hours typed for the same row, and the typed tech-touch rows
    (tech-touch is not in Kata's data)."""

    def key(row):
        return (str(row["segment"]).strip().casefold(), row["coverage_model"])

    typed_by_key = {key(row): row for row in typed}
    rows = []
    for found in selectors.today_data(viewer=viewer):
        earlier = typed_by_key.get(key(found), {})
        rows.append(
            found
            | {
                "arr_per_csm": earlier.get("arr_per_csm", ""),
                "hours_per_account": earlier.get("hours_per_account", ""),
            }
        )
    rows += [row for row in typed if row["coverage_model"] == PlanCoverage.TECH_TOUCH]
    return rows


def _plan_form(request, plan: CapacityPlan | None):
    viewer = request.user
    action = request.POST.get("action", "save") if request.method == "POST" else None
    results = None
    if action in ("prefill", "rows"):
        typed = _typed_rows(request.POST)
        rows = _prefilled(viewer, typed) if action == "prefill" else typed
        if action == "prefill":
            if rows:
                messages.info(
                    request,
                    _(
                        "Filled from today's accounts you see: check each row's "
                        "benchmark and hours, then calculate."
                    ),
                )
            else:
                messages.warning(request, _("There are no accounts you see yet."))
        form = CapacityPlanForm(initial=_typed_plan(request.POST), instance=plan)
        formset = SegmentFormSet(initial=segment_initial(rows), prefix=PREFIX)
    elif action is not None:
        form = CapacityPlanForm(request.POST, instance=plan)
        formset = SegmentFormSet(request.POST, prefix=PREFIX)
        if form.is_valid() and formset.is_valid():
            if action == "calculate":
                results = selectors.plan_results(form.instance, formset.rows())
            else:
                try:
                    saved = services.capacity_plan_save(
                        by=viewer,
                        plan=plan,
                        fields=form.plan_fields(),
                        segments=formset.rows(),
                    )
                except ValidationError as error:
                    add_service_errors(form, error)
                else:
                    messages.success(
                        request,
                        _("The capacity plan “%(name)s” is saved.")
                        % {"name": saved.name},
                    )
                    return redirect(saved)
    else:
        form = CapacityPlanForm(instance=plan)
        rows = plan.segments.all() if plan else []
        formset = SegmentFormSet(initial=segment_initial(rows), prefix=PREFIX)
    return render(
        request,
        "recognition/planning/plan_form.html",
        {
            "plan": plan,
            "form": form,
            "formset": formset,
            **(results_context(results) if results else {}),
        },
    )


@login_required
def capacity_plan_create(request):
    require(permissions.sees_capacity_plans(request.user))
    return _plan_form(request, None)


@login_required
def capacity_plan_edit(request, pk: int):
    plan = _plan(request, pk)
    require(permissions.can_change_capacity_plan(request.user, plan))
    return _plan_form(request, plan)


@login_required
def capacity_plan_delete(request, pk: int):
    plan = _plan(request, pk)
    require(permissions.can_change_capacity_plan(request.user, plan))
    if request.method == "POST":
        services.capacity_plan_delete(plan=plan, by=request.user)
        messages.success(
            request, _("The capacity plan “%(name)s” is deleted.") % {"name": plan.name}
        )
        return redirect("recognition:capacity_plan_list")
    return render(request, "recognition/planning/plan_delete.html", {"plan": plan})


# --- Comparison and downloads ------------------------------------------------------


def _compared(request) -> tuple[list[CapacityPlan], str | None]:
    """The plans picked (`?plans=`, two or three), or why there are none."""
    require(permissions.sees_capacity_plans(request.user))
    ids = list(dict.fromkeys(parse_id(value) for value in request.GET.getlist("plans")))
    if None in ids:
        return [], _("Pick plans from the list.")
    if not 2 <= len(ids) <= COMPARE_MOST:
        return [], _("Pick two or three plans to compare.")
    plans = selectors.plans_get(viewer=request.user, ids=ids)
    if len(plans) != len(ids):
        raise Http404
    return plans, None


@login_required
def capacity_plan_compare(request):
    plans, problem = _compared(request)
    compared = [
        (plan, results_context(results))
        for plan, results in selectors.comparison(plans)
    ]
    return render(
        request,
        "recognition/planning/plan_compare.html",
        {
            "compared": compared,
            "problem": problem,
            "query": request.GET.urlencode(),
        },
    )


@login_required
def capacity_plan_compare_export(request):
    plans, problem = _compared(request)
    if problem:
        return redirect("recognition:capacity_plan_list")
    header, rows = selectors.comparison_export(plans)
    return csv_response(f"capacity-plans-{timezone.localdate():%Y-%m-%d}", header, rows)


@login_required
def capacity_plan_export(request, pk: int):
    plan = _plan(request, pk)
    header, rows = selectors.plan_export(plan)
    name = slugify(plan.name, allow_unicode=True) or str(plan.pk)
    return csv_response(f"capacity-plan-{name}", header, rows)


urlpatterns = [
    path("capacity-plans/", capacity_plan_list, name="capacity_plan_list"),
    path("capacity-plans/new/", capacity_plan_create, name="capacity_plan_create"),
    path(
        "capacity-plans/compare/", capacity_plan_compare, name="capacity_plan_compare"
    ),
    path(
        "capacity-plans/compare/export/",
        capacity_plan_compare_export,
        name="capacity_plan_compare_export",
    ),
    path("capacity-plans/<int:pk>/", capacity_plan_detail, name="capacity_plan_detail"),
    path(
        "capacity-plans/<int:pk>/edit/", capacity_plan_edit, name="capacity_plan_edit"
    ),
    path(
        "capacity-plans/<int:pk>/delete/",
        capacity_plan_delete,
        name="capacity_plan_delete",
    ),
    path(
        "capacity-plans/<int:pk>/export/",
        capacity_plan_export,
        name="capacity_plan_export",
    ),
]
