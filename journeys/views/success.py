"""Journeys pages: account success plans (the plan, its measures, recording their
progress) and the list of accounts whose outcome is at risk. The rules are in
`journeys.success`, the writes in `journeys.success_services`, who may in
`journeys.permissions`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Team, display_name
from accounts.permissions import is_admin, managed_team_ids
from accounts.selectors import current_teams
from config.views import add_service_errors

from .. import permissions, selectors, success, success_services
from ..filters import SuccessPlanFilter
from ..forms.success import (
    SuccessMeasureForm,
    SuccessPlanForm,
    SuccessProgressForm,
    present_at_risk_filters,
)
from ..models import CustomerAccount, Step, SuccessMeasure, SuccessPlan

PER_PAGE = 25


# --- On the account page --------------------------------------------------------


def account_success_context(viewer, page) -> dict:
    """What the account page's success-plan section shows (its include template
    `journeys/_success_plan.html`): the plan with its measures' status, each
    measure's value points beside the journey path's entry for them (reached,
    due, overdue as the page shows them). Three queries."""
    account = page.account
    plan = (
        success.with_status_prefetched(
            success.plans_with_status(SuccessPlan.objects.filter(account=account))
        )
        .select_related("created_by")
        .first()
    )
    path_by_step = {entry.step.pk: entry for entry in page.path}
    if plan is not None:
        for measure in plan.measures.all():
            measure.done_percent = success.share_percent(measure.done_share)
            measure.expected_percent = success.share_percent(measure.expected_share)
            measure.bar_percent = max(0, min(100, measure.done_percent or 0))
            measure.status_label = success.STATUS_LABELS[measure.status]
            measure.linked = [
                (step, path_by_step.get(step.pk)) for step in measure.value_points.all()
            ]
            measure.latest_entries = list(measure.progress.all()[:3])
    return {
        "success_plan": plan,
        "edits_success_plan": permissions.can_edit_success_plan(viewer, account),
        "journey_value_points": [
            entry for entry in page.path if entry.step.is_value_point
        ],
    }


# --- Writing the plan -----------------------------------------------------------


def _editable_account(request, pk: int) -> CustomerAccount:
    """The account, 404 when the viewer does not see it, 403 when they may not
    write its plan."""
    account = (
        permissions.visible_accounts(request.user)
        .select_related("journey")
        .filter(pk=pk)
        .first()
    )
    if account is None:
        raise Http404
    if not permissions.can_edit_success_plan(request.user, account):
        raise PermissionDenied
    return account


def _plan_of(account: CustomerAccount) -> SuccessPlan:
    plan = SuccessPlan.objects.filter(account=account).first()
    if plan is None:
        raise Http404
    plan.account = account
    return plan


def _measure_of(plan: SuccessPlan, measure_id: int) -> SuccessMeasure:
    measure = plan.measures.filter(pk=measure_id).first()
    if measure is None:
        raise Http404
    measure.plan = plan
    return measure


def _anchor(account: CustomerAccount) -> str:
    return f"{account.get_absolute_url()}#success-plan"


def _value_points(account: CustomerAccount):
    return Step.objects.filter(
        journey_id=account.journey_id, is_value_point=True, retired_at__isnull=True
    ).order_by("position")


@login_required
def success_plan_edit(request, pk: int):
    account = _editable_account(request, pk)
    plan = SuccessPlan.objects.filter(account=account).first()
    initial = (
        {
            "outcome": plan.outcome,
            "outcome_kind": plan.outcome_kind,
            "customer_owner": plan.customer_owner,
            "customer_owner_title": plan.customer_owner_title,
        }
        if plan
        else {}
    )
    form = SuccessPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            success_services.success_plan_save(
                account=account, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The success plan was saved."))
            return redirect(_anchor(account))
    return render(
        request,
        "journeys/success_plan_form.html",
        {"account": account, "plan": plan, "form": form},
    )


def _plain(number):
    """A stored figure without its trailing zeros (100.0000 → 100)."""
    whole = number.to_integral_value()
    return whole if number == whole else number.normalize()


@login_required
def success_measure_edit(request, pk: int, measure_id: int | None = None):
    account = _editable_account(request, pk)
    plan = _plan_of(account)
    measure = _measure_of(plan, measure_id) if measure_id else None
    initial = {}
    if measure is not None:
        initial = {
            "name": measure.name,
            "unit": measure.unit,
            "baseline": _plain(measure.baseline),
            "baseline_on": measure.baseline_on,
            "target": _plain(measure.target),
            "target_on": measure.target_on,
            "value_points": list(measure.value_points.values_list("pk", flat=True)),
        }
    else:
        initial = {"baseline_on": timezone.localdate()}
    form = SuccessMeasureForm(
        request.POST or None, initial=initial, value_points=_value_points(account)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["value_points"] = list(data["value_points"])
        try:
            success_services.success_measure_save(
                plan=plan, by=request.user, measure=measure, **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The measure was saved.")
                if measure
                else _("The measure was added to the plan."),
            )
            return redirect(_anchor(account))
    return render(
        request,
        "journeys/success_measure_form.html",
        {"account": account, "plan": plan, "measure": measure, "form": form},
    )


@login_required
@require_POST
def success_measure_remove(request, pk: int, measure_id: int):
    account = _editable_account(request, pk)
    measure = _measure_of(_plan_of(account), measure_id)
    success_services.success_measure_remove(measure=measure, by=request.user)
    messages.success(
        request, _("The measure %(name)s was removed.") % {"name": measure.name}
    )
    return redirect(_anchor(account))


@login_required
def success_progress_record(request, pk: int, measure_id: int):
    account = _editable_account(request, pk)
    plan = _plan_of(account)
    measure = success.measures_with_status(plan.measures.filter(pk=measure_id)).first()
    if measure is None:
        raise Http404
    measure.plan = plan
    form = SuccessProgressForm(
        request.POST or None, initial={"measured_on": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            success_services.success_progress_record(
                measure=measure, by=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Progress of %(name)s recorded.") % {"name": measure.name},
            )
            return redirect(_anchor(account))
    return render(
        request,
        "journeys/success_progress_form.html",
        {
            "account": account,
            "plan": plan,
            "measure": measure,
            "status_label": success.STATUS_LABELS[measure.status],
            "entries": measure.progress.select_related("recorded_by").order_by(
                "-measured_on", "-recorded_at", "-id"
            )[:20],
            "form": form,
        },
    )


# --- Outcomes at risk -----------------------------------------------------------


def _filter_menus(viewer, plans):
    """The teams and owners the viewer may filter by: the teams they lead or
    belong to (admins: all), and the current owners of the visible plans."""
    if is_admin(viewer):
        teams = Team.objects.all()
    else:
        teams = Team.objects.filter(pk__in=managed_team_ids(viewer)) | current_teams(
            user=viewer
        )
    owners = selectors.current_owners(plans.values("account_id"))
    return teams.distinct().order_by("name"), owners


@login_required
def success_at_risk(request):
    """The accounts whose business outcome is at risk, in the viewer's scope (a
    member their accounts, a manager their teams', an admin all), with the measure
    that trails its path the most; filtered by team and owner."""
    viewer = request.user
    plans = permissions.visible_success_plans(viewer)
    filterset = SuccessPlanFilter(request.GET or None, queryset=plans, request=request)
    teams, owners = _filter_menus(viewer, plans)
    form = present_at_risk_filters(filterset.form, teams=teams, owners=owners)
    valid = not filterset.is_bound or filterset.is_valid()
    rows = success.at_risk_rows(filterset.qs if valid else plans.none())
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    for plan in success.with_worst_measures(page):
        plan.owner_name = (
            display_name(plan.owner_family, plan.owner_given, plan.owner_username)
            if plan.owner_id
            else ""
        )
        plan.done_percent = success.share_percent(plan.worst_done)
        plan.expected_percent = success.share_percent(plan.worst_expected)
        plan.gap_percent = success.share_percent(plan.worst_gap)
    return render(
        request,
        "journeys/success_at_risk.html",
        {
            "form": form,
            "page": page,
            "filtered": any(request.GET.get(name) for name in ("team", "owner")),
        },
    )


urlpatterns = [
    path("success/at-risk/", success_at_risk, name="success_at_risk"),
    path(
        "accounts/<int:pk>/success-plan/",
        success_plan_edit,
        name="success_plan_edit",
    ),
    path(
        "accounts/<int:pk>/success-plan/measures/new/",
        success_measure_edit,
        name="success_measure_add",
    ),
    path(
        "accounts/<int:pk>/success-plan/measures/<int:measure_id>/",
        success_measure_edit,
        name="success_measure_edit",
    ),
    path(
        "accounts/<int:pk>/success-plan/measures/<int:measure_id>/remove/",
        success_measure_remove,
        name="success_measure_remove",
    ),
    path(
        "accounts/<int:pk>/success-plan/measures/<int:measure_id>/progress/",
        success_progress_record,
        name="success_progress_record",
    ),
]
