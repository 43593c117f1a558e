"""Pages: competency assessments, development plans and closing the loop.

For admins, managers and members (403 for the other roles). A member another viewer
does not see (`permissions.visible_members`) answers 404; coaching pages (assessing,
writing the plan) answer 403 to those who see the member but do not coach them (the
member themselves), who still write check-ins on their own plan.
"""

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from config.exports import csv_response
from config.views import add_service_errors, require
from journeys.models import Step, TrainingModule
from journeys.permissions import visible_journeys
from journeys.selectors import training_status

from .. import metrics, permissions
from ..filters import plan_status
from ..forms.development import (
    ActionForm,
    AssessmentNoteForm,
    CheckInForm,
    PlanForm,
    RatingFormSet,
    TargetForm,
    TransitionForm,
    value_for_display,
)
from ..models import PlanAction, PlanStatus, PlanTarget
from ..selectors import development as selectors
from ..selectors.figures import member_figures
from ..services import development as services

PER_PAGE = 25
# Closing the loop suggests the training due in a month.
TRAINING_DAYS = 30
ASSESSMENTS_PER_PAGE = 10


def _member(request, member_pk: int):
    """A member the viewer sees (404 otherwise); 403 for roles without the
    management pages."""
    require(permissions.sees_management_pages(request.user))
    return get_object_or_404(permissions.visible_members(request.user), pk=member_pk)


def _coached(request, member_pk: int):
    member = _member(request, member_pk)
    require(permissions.coaches(request.user, member))
    return member


def _to_plan(member):
    return redirect("recognition:plan_detail", member_pk=member.pk)


# --- Team overview --------------------------------------------------------------------


@login_required
def plan_list(request):
    """The members the viewer sees with their plan in short."""
    require(permissions.sees_management_pages(request.user))
    status = plan_status(request.GET)
    rows = selectors.plan_overview(viewer=request.user, status=status)
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/plan_list.html",
        {
            "page": page,
            "status": status,
            "statuses": PlanStatus.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def plan_list_export(request):
    """The team's plans in short, as a CSV download (the list's status filter)."""
    require(permissions.sees_management_pages(request.user))
    status = plan_status(request.GET)
    header, rows = selectors.plan_list_export(
        selectors.plan_overview(viewer=request.user, status=status)
    )
    return csv_response(
        f"development-plans-{timezone.localdate():%Y-%m-%d}", header, rows
    )


# --- Assessments ----------------------------------------------------------------------


@login_required
def assessment_list(request, member_pk: int):
    member = _member(request, member_pk)
    history = selectors.assessment_history(member=member)
    page = Paginator(history, ASSESSMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "recognition/assessment_list.html",
        {
            "member": member,
            "page": page,
            "table": selectors.history_table(list(page.object_list)),
            "is_first_page": page.number == 1,
            "can_coach": permissions.coaches(request.user, member),
        },
    )


@login_required
def assessment_create(request, member_pk: int):
    """One row per active competency: a rating from 1 to 4 and its evidence. The
    latest ratings are shown beside each row."""
    member = _coached(request, member_pk)
    competencies = selectors.active_competencies()
    latest = selectors.latest_assessments([member.pk]).get(member.pk)
    previous = {r.competency_id: r for r in latest.ratings.all()} if latest else {}
    data = request.POST if request.method == "POST" else None
    formset = RatingFormSet(data, competencies=competencies, prefix="ratings")
    note_form = AssessmentNoteForm(data)
    if data is not None and formset.is_valid() and note_form.is_valid():
        try:
            assessment = services.assessment_create(
                member=member,
                by=request.user,
                ratings=formset.ratings(),
                note=note_form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(note_form, error)
        else:
            messages.success(
                request,
                _("The assessment of %(member)s is saved.")
                % {"member": member.display_name},
            )
            return redirect("recognition:assessment_detail", pk=assessment.pk)
    rows = [(form, previous.get(form.competency.pk)) for form in formset.forms]
    return render(
        request,
        "recognition/assessment_form.html",
        {
            "member": member,
            "formset": formset,
            "note_form": note_form,
            "rows": rows,
            "latest": latest,
        },
    )


@login_required
def assessment_detail(request, pk: int):
    require(permissions.sees_management_pages(request.user))
    assessment = get_object_or_404(
        selectors.visible_assessments(request.user)
        .select_related("member", "assessed_by")
        .prefetch_related("ratings__competency"),
        pk=pk,
    )
    latest_ids = selectors.latest_assessment_ids([assessment.member_id])
    return render(
        request,
        "recognition/assessment_detail.html",
        {
            "assessment": assessment,
            "member": assessment.member,
            "ratings": sorted(
                assessment.ratings.all(),
                key=lambda r: (r.competency.category, r.competency.name),
            ),
            "is_latest": latest_ids.get(assessment.member_id) == assessment.pk,
        },
    )


# --- The plan -------------------------------------------------------------------------


@login_required
def plan_detail(request, member_pk: int):
    member = _member(request, member_pk)
    page = selectors.plan_page(member=member, viewer=request.user)
    check_in_form = None
    if page.can_check_in:
        check_in_form = CheckInForm()
        check_in_form.helper.form_action = reverse(
            "recognition:plan_check_in_add", kwargs={"member_pk": member.pk}
        )
    return render(
        request,
        "recognition/plan_detail.html",
        {"member": member, "page": page, "check_in_form": check_in_form},
    )


@login_required
def plan_export(request, member_pk: int):
    """The member's plan as a CSV download: targets, actions and every check-in."""
    member = _member(request, member_pk)
    page = selectors.plan_page(member=member, viewer=request.user)
    header, rows = selectors.plan_export(page)
    return csv_response(
        f"development-plan-{member.username}-{page.today:%Y-%m-%d}", header, rows
    )


@login_required
def plan_edit(request, member_pk: int):
    member = _coached(request, member_pk)
    plan = getattr(member, "development_plan", None)
    initial = (
        {
            "summary": plan.summary,
            "status": plan.status,
            "focus_competencies": list(plan.focus_competencies.all()),
        }
        if plan
        else {"status": PlanStatus.ON_TRACK}
    )
    form = PlanForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services.plan_update(
                member=member,
                by=request.user,
                summary=form.cleaned_data["summary"],
                status=form.cleaned_data["status"],
                focus_competencies=list(form.cleaned_data["focus_competencies"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The plan is saved."))
            return _to_plan(member)
    return render(
        request,
        "recognition/plan_form.html",
        {"member": member, "form": form, "plan": plan},
    )


def _plan_target(member, pk: int) -> PlanTarget:
    return get_object_or_404(
        PlanTarget.objects.select_related("plan__member"), pk=pk, plan__member=member
    )


@login_required
def plan_target_add(request, member_pk: int):
    return _target_form(request, _coached(request, member_pk), None)


@login_required
def plan_target_edit(request, member_pk: int, pk: int):
    member = _coached(request, member_pk)
    return _target_form(request, member, _plan_target(member, pk))


def _target_form(request, member, target):
    metric = None
    initial = {}
    if target is not None:
        metric = metrics.metric_by_key(target.metric)
        if metric is None:
            messages.warning(
                request,
                _("This metric is no longer in the catalogue: remove the target."),
            )
            return _to_plan(member)
        initial = {
            "metric": target.metric,
            "target_value": value_for_display(metric, target.target_value),
            "by_date": target.by_date,
        }
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        fixed_metric=metric,
    )
    if form.is_valid():
        try:
            services.target_set(
                member=member,
                by=request.user,
                metric=metric.key if metric else form.cleaned_data["metric"],
                target_value=form.cleaned_data["value"],
                by_date=form.cleaned_data["by_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The target is saved."))
            return _to_plan(member)
    return render(
        request,
        "recognition/plan_target_form.html",
        {
            "member": member,
            "form": form,
            "target": target,
            "baseline_months": selectors.months_label(
                services.baseline_period(timezone.localdate())
            ),
        },
    )


@login_required
def plan_target_delete(request, member_pk: int, pk: int):
    member = _coached(request, member_pk)
    target = _plan_target(member, pk)
    metric = metrics.metric_by_key(target.metric)
    label = str(metric.label) if metric else target.metric
    if request.method == "POST":
        services.target_remove(target=target, by=request.user)
        messages.success(
            request, _("The target “%(metric)s” is removed.") % {"metric": label}
        )
        return _to_plan(member)
    return render(
        request,
        "recognition/plan_confirm_delete.html",
        {
            "member": member,
            "what": label,
            "question": _("Remove this target from the plan?"),
        },
    )


def _plan_action(member, pk: int) -> PlanAction:
    return get_object_or_404(
        PlanAction.objects.select_related("plan__member"), pk=pk, plan__member=member
    )


@login_required
def plan_action_add(request, member_pk: int):
    member = _coached(request, member_pk)
    form = ActionForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.action_add(
                member=member,
                by=request.user,
                text=form.cleaned_data["text"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The action is added."))
            return _to_plan(member)
    return render(
        request, "recognition/plan_action_form.html", {"member": member, "form": form}
    )


@login_required
@require_POST
def plan_action_toggle(request, member_pk: int, pk: int):
    member = _coached(request, member_pk)
    action = _plan_action(member, pk)
    services.action_set_done(
        action=action, by=request.user, done=action.done_at is None
    )
    return _to_plan(member)


@login_required
def plan_action_delete(request, member_pk: int, pk: int):
    member = _coached(request, member_pk)
    action = _plan_action(member, pk)
    if request.method == "POST":
        services.action_remove(action=action, by=request.user)
        messages.success(request, _("The action is removed."))
        return _to_plan(member)
    return render(
        request,
        "recognition/plan_confirm_delete.html",
        {
            "member": member,
            "what": action.text,
            "question": _("Remove this action from the plan?"),
        },
    )


@login_required
def plan_check_in_add(request, member_pk: int):
    """The member on their own plan, or a coach."""
    member = _member(request, member_pk)
    require(selectors.may_check_in(request.user, member))
    form = CheckInForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.check_in_add(
                member=member,
                by=request.user,
                held_on=form.cleaned_data["held_on"],
                text=form.cleaned_data["text"],
                status=form.cleaned_data["status"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The check-in is saved."))
            return _to_plan(member)
    return render(
        request,
        "recognition/plan_check_in_form.html",
        {"member": member, "form": form},
    )


# --- Closing the loop -----------------------------------------------------------------


@login_required
def plan_add_transition(request, member_pk: int, step_pk: int):
    """The member's weak transition into their plan: a target on its conversion
    and its training assigned."""
    member = _coached(request, member_pk)
    step = get_object_or_404(
        Step.objects.select_related("journey").filter(
            journey__in=visible_journeys(request.user), position__isnull=False
        ),
        pk=step_pk,
    )
    try:
        metric = services.transition_metric(step)
    except ValidationError:
        metric = None
    today = timezone.localdate()
    period = services.baseline_period(today)
    existing = PlanTarget.objects.filter(
        plan__member=member, metric=f"{metrics.Family.STEP_CONVERSION}:{step.pk}"
    ).first()
    baseline = None
    if metric is not None:
        baseline = member_figures(
            member_ids=[member.pk], metrics=[metric], period=period
        ).get((member.pk, metric.key))
    if existing is not None:
        initial = {
            "target_value": round(existing.target_value * 100, 1),
            "by_date": existing.by_date,
        }
    else:
        suggested = None
        if baseline is not None and baseline.value is not None:
            suggested = min(100, round(baseline.value * 100) + 10)
        initial = {
            "target_value": suggested,
            "by_date": metrics.add_months(metrics.this_month(today), 4),
        }
    initial["training_due_date"] = today + timedelta(days=TRAINING_DAYS)
    form = TransitionForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if metric is not None and form.is_valid():
        try:
            result = services.plan_add_transition(
                member=member,
                step=step,
                by=request.user,
                target_value=form.cleaned_data["value"],
                by_date=form.cleaned_data["by_date"],
                training_due_date=form.cleaned_data["training_due_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _loop_message(result, metric))
            return _to_plan(member)
    modules = list(
        TrainingModule.objects.filter(from_step=step, is_active=True).order_by(
            "title", "pk"
        )
    )
    statuses = training_status(
        [member.pk], [module.pk for module in modules], with_due=False
    )
    open_assignments = {
        module.pk: services.open_assignment(member, module) for module in modules
    }
    return render(
        request,
        "recognition/plan_transition.html",
        {
            "member": member,
            "step": step,
            "metric": metric,
            "form": form,
            "existing": existing,
            "baseline_text": selectors.figure_text(metric, baseline),
            "period_months": selectors.months_label(period),
            "modules": [
                (m, open_assignments[m.pk], statuses[(member.pk, m.pk)])
                for m in modules
            ],
        },
    )


def _loop_message(result, metric) -> str:
    parts = [
        (
            _("“%(metric)s” is now a target of the plan.")
            if result.target_created
            else _("The target on “%(metric)s” is updated.")
        )
        % {"metric": metric.label}
    ]
    if result.assigned:
        parts.append(
            _("Assigned: %(modules)s.")
            % {"modules": ", ".join(a.module.title for a in result.assigned)}
        )
    if result.already_assigned:
        parts.append(
            _("Already assigned: %(modules)s.")
            % {"modules": ", ".join(a.module.title for a in result.already_assigned)}
        )
    if result.already_passed:
        parts.append(
            _("Already passed (not assigned again): %(modules)s.")
            % {"modules": ", ".join(m.title for m in result.already_passed)}
        )
    return " ".join(parts)


MEMBER = "members/<int:member_pk>/"

urlpatterns = [
    path("plans/", plan_list, name="plan_list"),
    path("plans/export/", plan_list_export, name="plan_list_export"),
    path(f"{MEMBER}assessments/", assessment_list, name="assessment_list"),
    path(f"{MEMBER}assessments/new/", assessment_create, name="assessment_create"),
    path("assessments/<int:pk>/", assessment_detail, name="assessment_detail"),
    path(f"{MEMBER}plan/", plan_detail, name="plan_detail"),
    path(f"{MEMBER}plan/edit/", plan_edit, name="plan_edit"),
    path(f"{MEMBER}plan/export/", plan_export, name="plan_export"),
    path(f"{MEMBER}plan/targets/new/", plan_target_add, name="plan_target_add"),
    path(
        f"{MEMBER}plan/targets/<int:pk>/edit/",
        plan_target_edit,
        name="plan_target_edit",
    ),
    path(
        f"{MEMBER}plan/targets/<int:pk>/delete/",
        plan_target_delete,
        name="plan_target_delete",
    ),
    path(f"{MEMBER}plan/actions/new/", plan_action_add, name="plan_action_add"),
    path(
        f"{MEMBER}plan/actions/<int:pk>/toggle/",
        plan_action_toggle,
        name="plan_action_toggle",
    ),
    path(
        f"{MEMBER}plan/actions/<int:pk>/delete/",
        plan_action_delete,
        name="plan_action_delete",
    ),
    path(f"{MEMBER}plan/check-ins/new/", plan_check_in_add, name="plan_check_in_add"),
    path(
        f"{MEMBER}plan/transitions/<int:step_pk>/",
        plan_add_transition,
        name="plan_add_transition",
    ),
]
