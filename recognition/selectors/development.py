"""Reads: competency assessments and development plans.

A plan's target shows three numbers of the member (METRICS.md, from the rollups):
- before: the value when the target was set, over the 3 complete months before it;
- now: the value over the last 3 complete months (`CURRENT_MONTHS`);
- after: the complete months since the month the target was set, added up from the
  monthly figures (cohorts of different months add up; a median does not, so days to
  convert show month by month only), with each month's value.
Every read runs a fixed number of queries, whatever the number of targets, actions,
check-ins or members.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from accounts.models import User
from hiring.models import Competency
from journeys.selectors import training_status

from .. import metrics, permissions
from ..metrics import Family, Metric
from ..models import (
    CompetencyAssessment,
    CompetencyRating,
    DevelopmentPlan,
    PlanAction,
    PlanCheckIn,
    PlanStatus,
    PlanTarget,
)
from .figures import FigureValue, member_monthly
from .page_figures import member_period_figures

CURRENT_MONTHS = 3
# The 3 complete months before a target was set (its "before").
BASELINE_MONTHS = 3
# At most this many months are shown after a target was set.
AFTER_MONTHS_SHOWN = 12


def may_check_in(viewer, member: User) -> bool:
    """Check-ins are written by the member on their own plan, and their coaches
    (a rule of this area on top of `permissions`)."""
    if viewer.pk == member.pk:
        return permissions.visible_members(viewer).filter(pk=member.pk).exists()
    return permissions.coaches(viewer, member)


def active_competencies() -> list[Competency]:
    return list(Competency.objects.filter(is_active=True).order_by("category", "name"))


# --- Assessments ---------------------------------------------------------------------


def visible_assessments(viewer) -> QuerySet:
    """Assessments of the members the viewer sees (themselves, those they coach)."""
    return CompetencyAssessment.objects.filter(
        member__in=permissions.visible_members(viewer).values("pk")
    )


def _with_ratings(queryset):
    ratings = CompetencyRating.objects.select_related("competency").order_by(
        "competency__category", "competency__name"
    )
    return queryset.select_related("member", "assessed_by").prefetch_related(
        Prefetch("ratings", queryset=ratings)
    )


def assessment_history(*, member: User):
    """The member's assessments, newest first, with their ratings."""
    return _with_ratings(
        CompetencyAssessment.objects.filter(member=member).order_by(
            "-assessed_at", "-id"
        )
    )


def latest_assessment_per_member(member_ids=None):
    """Each member's latest assessment (by assessed_at, then id): their current
    rating on the competencies. The one rule, as a queryset; `member_ids` limits
    it to those members."""
    latest = (
        CompetencyAssessment.objects.filter(member_id=OuterRef("member_id"))
        .order_by("-assessed_at", "-pk")
        .values("pk")[:1]
    )
    found = CompetencyAssessment.objects.filter(pk=Subquery(latest))
    if member_ids is not None:
        found = found.filter(member_id__in=list(member_ids))
    return found


def latest_assessment_ids(member_ids) -> dict[int, int]:
    """member id → id of their latest assessment (one query)."""
    return dict(latest_assessment_per_member(member_ids).values_list("member_id", "pk"))


def latest_assessment(member_id: int) -> CompetencyAssessment | None:
    """The member's latest assessment (the same rule) with its ratings (two
    queries)."""
    return _with_ratings(
        CompetencyAssessment.objects.filter(member_id=member_id).order_by(
            "-assessed_at", "-pk"
        )
    ).first()


def latest_assessments(member_ids) -> dict[int, CompetencyAssessment]:
    """member id → their latest assessment with its ratings (three queries)."""
    ids = latest_assessment_ids(member_ids)
    found = _with_ratings(CompetencyAssessment.objects.filter(pk__in=ids.values()))
    return {assessment.member_id: assessment for assessment in found}


@dataclass
class HistoryTable:
    """Assessments as rows and competencies as columns, to read a trend."""

    competencies: list
    rows: list  # (assessment, [rating or None per competency])


def history_table(assessments) -> HistoryTable:
    competencies = {}
    for assessment in assessments:
        for rating in assessment.ratings.all():
            competencies.setdefault(rating.competency_id, rating.competency)
    ordered = sorted(competencies.values(), key=lambda c: (c.category, c.name))
    rows = []
    for assessment in assessments:
        by_competency = {r.competency_id: r for r in assessment.ratings.all()}
        rows.append((assessment, [by_competency.get(c.pk) for c in ordered]))
    return HistoryTable(competencies=ordered, rows=rows)


# --- Figures of targets --------------------------------------------------------------


def figure_text(metric: Metric | None, figure: FigureValue | None) -> str:
    """66.7 % (2/3), 12, 39.5 — or "no data"."""
    if metric is None or figure is None or figure.value is None:
        return _("no data")
    text = metrics.format_value(metric, figure.value)
    if metric.unit == metrics.Unit.PERCENT and figure.denominator:
        text = f"{text} ({figure.numerator}/{figure.denominator})"
    return text


def target_text(metric: Metric | None, value: float) -> str:
    if metric is None:
        return f"{value:g}"
    sign = "≥" if metric.direction == metrics.HIGHER else "≤"
    return f"{sign} {metrics.format_value(metric, value)}"


def reaches(metric: Metric, value: float | None, target: float) -> bool | None:
    """Does `value` reach the target by the metric's direction? None without data."""
    if value is None:
        return None
    margin = 1e-9  # fractions such as 7/10 against a typed 70 %
    if metric.direction == metrics.HIGHER:
        return value >= target - margin
    return value <= target + margin


_ADDITIVE = {
    Family.STEP_CONVERSION,
    Family.JOURNEY_CONVERSION,
    Family.VALUE_POINTS_ON_TIME,
}


def combine_months(metric: Metric, monthly: list[FigureValue]) -> FigureValue | None:
    """Complete months together: cohorts add up (numerators and denominators);
    events recorded and flow counts add up; training completion is the last
    month's; a median of medians would be wrong, so days to convert have none."""
    present = [figure for figure in monthly if figure is not None]
    if not present:
        return None
    if metric.family in _ADDITIVE:
        numerator = sum(f.numerator or 0 for f in present)
        denominator = sum(f.denominator or 0 for f in present)
        if not denominator:
            return None
        # Provisional until the last open month's date; once final, final since
        # the latest month became final (as a figure over several months).
        provisional = any(f.provisional for f in present)
        dates = [
            f.final_at
            for f in present
            if f.final_at is not None and (f.provisional or not provisional)
        ]
        return FigureValue(
            value=numerator / denominator,
            numerator=numerator,
            denominator=denominator,
            provisional=provisional,
            final_at=max(dates) if dates else None,
        )
    if metric.family == Family.STEP_EVENTS_RECORDED:
        total = sum(f.numerator or 0 for f in present)
        return FigureValue(value=total, numerator=total)
    if metric.is_flow:
        # Counts of what happened in each month add up, as do the accounts.
        return FigureValue(
            value=sum(f.value or 0 for f in present),
            denominator=sum(f.denominator or 0 for f in present),
            provisional=any(f.provisional for f in present),
        )
    if metric.family == Family.TRAINING_COMPLETION:
        return monthly[-1]
    return None


@dataclass
class MonthFigure:
    month: date
    text: str
    provisional: bool
    running: bool


@dataclass
class TargetRow:
    target: PlanTarget
    metric: Metric | None
    label: str
    target_text: str
    baseline: FigureValue
    baseline_text: str
    baseline_months: str
    current: FigureValue | None
    current_text: str
    reached: bool | None
    after: FigureValue | None
    after_text: str
    after_months_label: str
    after_months: list[MonthFigure] = field(default_factory=list)
    overdue: bool = False

    @property
    def is_transition(self) -> bool:
        return self.metric is not None and self.metric.family == Family.STEP_CONVERSION

    @property
    def after_provisional(self) -> bool:
        """The "after" months still have accounts that can convert: their figure
        is provisional (a fresh cohort reads 0 % until it converts), shown as
        such with the date it becomes final (`after.final_at`)."""
        return self.after is not None and self.after.provisional


def months_label(period: metrics.Period) -> str:
    """2026年8月 – 2026年10月: the months of a period, without words."""
    return _months_label(period.first_month, period.last_month)


def _months_label(first: date, last: date) -> str:
    if first == last:
        return metrics.month_label(first)
    return f"{metrics.month_label(first)} – {metrics.month_label(last)}"


def _after_text(metric: Metric | None, after, has_months: bool) -> str:
    if after is not None:
        return figure_text(metric, after)
    if not has_months:
        return ""
    if metric is not None and metric.family == Family.DAYS_TO_CONVERT:
        # Medians of several months are not combined: read them month by month.
        return _("see each month")
    return _("no data")


def _months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = metrics.add_months(month, 1)
    return months


def target_rows(
    targets: list[PlanTarget],
    *,
    member_ids_by_plan: dict[int, int],
    today: date,
    catalogue: list[Metric] | None = None,
    as_of: datetime | None = None,
) -> list[TargetRow]:
    """Rows for targets of one or several plans, in a fixed number of queries: the
    catalogue (unless given: `metrics.catalogue(active_only=False)`), the figures
    of the last 3 complete months (against the page's `as_of` when given:
    `page_figures.member_period_figures`), the monthly figures."""
    if not targets:
        return []
    if catalogue is None:
        catalogue = metrics.catalogue(active_only=False)
    catalogue = {m.key: m for m in catalogue}
    known = {t.metric: catalogue[t.metric] for t in targets if t.metric in catalogue}
    member_ids = set(member_ids_by_plan.values())
    current = member_period_figures(
        member_ids=member_ids,
        metrics=list(known.values()),
        period=metrics.last_months_period(CURRENT_MONTHS, today=today),
        as_of=as_of,
    )
    this_month = metrics.this_month(today)
    oldest_shown = metrics.add_months(this_month, -AFTER_MONTHS_SHOWN)
    first = max(
        min(metrics.add_months(metrics.month_of(t.set_at), 1) for t in targets),
        oldest_shown,
    )
    months = _months_between(first, this_month)
    monthly = (
        member_monthly(
            member_ids=member_ids, metrics=list(known.values()), months=months
        )
        if months
        else {}
    )
    rows = []
    for target in targets:
        member_id = member_ids_by_plan[target.plan_id]
        figures = {
            month: monthly.get((member_id, target.metric, month)) for month in months
        }
        rows.append(
            _target_row(
                target,
                known.get(target.metric),
                now=current.get((member_id, target.metric)),
                monthly=figures,
                this_month=this_month,
                today=today,
            )
        )
    return rows


def _target_row(target, metric, *, now, monthly, this_month, today) -> TargetRow:
    """One target: before (as set), after (complete months since the month it was
    set, with each month's value, the running one included), now."""
    set_month = metrics.month_of(target.set_at)
    baseline = FigureValue(
        value=target.baseline_value,
        numerator=target.baseline_numerator,
        denominator=target.baseline_denominator,
    )
    after_months = [month for month in monthly if month > set_month]
    complete = [month for month in after_months if month < this_month]
    after = (
        combine_months(metric, [monthly[month] for month in complete])
        if metric and complete
        else None
    )
    reached = (
        reaches(metric, now.value if now else None, target.target_value)
        if metric
        else None
    )
    return TargetRow(
        target=target,
        metric=metric,
        label=str(metric.label)
        if metric
        else _("%(key)s (no longer in the catalogue)") % {"key": target.metric},
        target_text=target_text(metric, target.target_value),
        baseline=baseline,
        baseline_text=figure_text(metric, baseline),
        baseline_months=_months_label(
            metrics.add_months(set_month, -BASELINE_MONTHS),
            metrics.add_months(set_month, -1),
        ),
        current=now,
        current_text=figure_text(metric, now),
        reached=reached,
        after=after,
        after_text=_after_text(metric, after, bool(complete)),
        after_months_label=_months_label(complete[0], complete[-1]) if complete else "",
        after_months=[
            MonthFigure(
                month=month,
                text=figure_text(metric, monthly[month]),
                provisional=bool(monthly[month] and monthly[month].provisional),
                running=month == this_month,
            )
            for month in after_months
        ],
        overdue=target.by_date < today and not reached,
    )


# --- The plan page -------------------------------------------------------------------


@dataclass
class ActionRow:
    action: PlanAction
    training_passed_at: object = None
    # The module's `journeys.selectors.TrainingStatus` for a training action.
    training: object = None

    @property
    def is_done(self) -> bool:
        """Done when marked done, or for a training action when its module is
        passed (whenever it was passed: it is never overdue then)."""
        return self.action.done_at is not None or self.training_passed_at is not None


@dataclass
class PlanPage:
    member: User
    plan: DevelopmentPlan | None
    targets: list[TargetRow]
    actions: list[ActionRow]
    check_ins: list[PlanCheckIn]
    focus: list[Competency]
    latest_assessment: CompetencyAssessment | None
    current_period: metrics.Period
    can_coach: bool
    can_check_in: bool
    today: date

    @property
    def current_months(self) -> str:
        return months_label(self.current_period)

    @property
    def open_actions(self) -> int:
        return sum(not row.is_done for row in self.actions)

    @property
    def reached_targets(self) -> int:
        return sum(bool(row.reached) for row in self.targets)


def _action_rows(plan: DevelopmentPlan, member: User) -> list[ActionRow]:
    actions = list(
        plan.actions.select_related("training_assignment__module").order_by(
            "done_at", "due_date", "id"
        )
    )
    modules = {
        a.training_assignment.module_id for a in actions if a.training_assignment
    }
    # The one reading of training: a module passed before the action was made
    # counts as passed, as on the member page, readiness and the training pages.
    statuses = training_status([member.pk], modules, with_due=False)
    rows = []
    for action in actions:
        status = None
        assignment = action.training_assignment
        if assignment is not None:
            status = statuses[(member.pk, assignment.module_id)]
        rows.append(
            ActionRow(
                action=action,
                training_passed_at=status.passed_at if status else None,
                training=status,
            )
        )
    # Open actions first (overdue on top), then the ones done.
    return sorted(
        rows,
        key=lambda row: (
            row.is_done,
            row.action.due_date or date.max,
            row.action.pk,
        ),
    )


def plan_page(
    *,
    member: User,
    viewer,
    today: date | None = None,
    check_ins: int | None = None,
    seen: bool = False,
    catalogue: list[Metric] | None = None,
    as_of: datetime | None = None,
) -> PlanPage:
    """The member's plan as the viewer reads it (the caller checked the viewer sees
    the member; `seen`: it read the member through `visible_members(viewer)`, so
    whether the viewer coaches them takes no query). `check_ins` limits the
    check-ins read (newest first); `catalogue` is `metrics.catalogue(active_only=
    False)` and `as_of` the figures' instant (`target_rows`) when the caller has
    them."""
    today = today or timezone.localdate()
    plan = (
        DevelopmentPlan.objects.filter(member=member)
        .prefetch_related(
            Prefetch(
                "focus_competencies",
                queryset=Competency.objects.order_by("category", "name"),
            )
        )
        .first()
    )
    targets, actions, notes, focus = [], [], [], []
    if plan is not None:
        focus = list(plan.focus_competencies.all())
        targets = target_rows(
            list(plan.targets.select_related("set_by").order_by("by_date", "id")),
            member_ids_by_plan={plan.pk: member.pk},
            today=today,
            catalogue=catalogue,
            as_of=as_of,
        )
        actions = _action_rows(plan, member)
        notes = plan.check_ins.select_related("author").order_by("-held_on", "-id")
        notes = list(notes[:check_ins] if check_ins else notes)
    if seen:
        can_coach = permissions.coaches_visible(viewer, member)
        # Visible: the member themselves, or one the viewer coaches.
        can_check_in = can_coach or plan is not None
    else:
        can_coach = permissions.coaches(viewer, member)
        can_check_in = can_coach or (plan is not None and may_check_in(viewer, member))
    return PlanPage(
        member=member,
        plan=plan,
        targets=targets,
        actions=actions,
        check_ins=notes,
        focus=focus,
        latest_assessment=latest_assessment(member.pk),
        current_period=metrics.last_months_period(CURRENT_MONTHS, today=today),
        can_coach=can_coach,
        can_check_in=can_check_in,
        today=today,
    )


def member_development(
    *,
    member,
    viewer,
    seen: bool = False,
    catalogue: list[Metric] | None = None,
    as_of: datetime | None = None,
):
    """The member page's section: latest assessment and the plan in short, or None
    when the viewer does not see the member (`seen`: the caller read the member
    through `visible_members(viewer)`)."""
    if (
        not seen
        and not permissions.visible_members(viewer).filter(pk=member.pk).exists()
    ):
        return None
    return plan_page(
        member=member,
        viewer=viewer,
        check_ins=3,
        seen=True,
        catalogue=catalogue,
        as_of=as_of,
    )


# --- The team's plans ----------------------------------------------------------------


def plan_overview(*, viewer, status: str = ""):
    """The members the viewer sees with their plan in short: status, targets, open
    and overdue actions, the last check-in and the last assessment. One query (plus
    the scope's)."""
    today = timezone.localdate()
    # One plan per member: no order (the plans' default one joins their member).
    plans = DevelopmentPlan.objects.filter(member=OuterRef("pk")).order_by()
    targets = (
        PlanTarget.objects.filter(plan__member=OuterRef("pk"))
        .order_by()
        .values("plan__member")
        .annotate(n=Count("pk"))
        .values("n")
    )
    open_actions = PlanAction.objects.filter(
        plan__member=OuterRef("pk"), done_at__isnull=True
    ).order_by()
    counted = open_actions.values("plan__member").annotate(
        n=Count("pk"), late=Count("pk", filter=Q(due_date__lt=today))
    )
    check_ins = (
        PlanCheckIn.objects.filter(plan__member=OuterRef("pk"))
        .order_by()
        .values("plan__member")
        .annotate(last=Max("held_on"))
        .values("last")
    )
    assessed = (
        CompetencyAssessment.objects.filter(member=OuterRef("pk"))
        .order_by()
        .values("member")
        .annotate(last=Max("assessed_at"))
        .values("last")
    )
    rows = (
        User.objects.filter(pk__in=permissions.visible_members(viewer).values("pk"))
        .annotate(
            plan_id=Subquery(plans.values("pk")[:1]),
            plan_status=Subquery(plans.values("status")[:1]),
            target_count=Subquery(targets),
            open_action_count=Subquery(counted.values("n")),
            overdue_action_count=Subquery(counted.values("late")),
            last_check_in=Subquery(check_ins),
            last_assessed_at=Subquery(assessed),
        )
        .order_by("family_name_reading", "given_name_reading", "username", "pk")
    )
    if status == "none":
        rows = rows.filter(plan_id__isnull=True)
    elif status:
        rows = rows.filter(plan_status=status)
    return rows


# --- CSV exports ---------------------------------------------------------------------


def _status_label(status: str | None) -> str:
    return str(PlanStatus(status).label) if status else _("No plan")


def plan_list_export(rows):
    """The team's plans (`plan_overview` rows) as a CSV header and rows."""
    header = [
        _("Member"),
        _("Username"),
        _("Status"),
        _("Targets"),
        _("Open actions"),
        _("Overdue actions"),
        _("Last check-in"),
        _("Last assessed"),
    ]
    body = (
        [
            row.display_name,
            row.username,
            _status_label(row.plan_status),
            row.target_count or 0,
            row.open_action_count or 0,
            row.overdue_action_count or 0,
            row.last_check_in,
            row.last_assessed_at,
        ]
        for row in rows.iterator()
    )
    return header, body


def plan_export(page: PlanPage):
    """One plan as a CSV header and rows: its targets (before, after, now), its
    actions and its check-ins, a row each, the kind in the first column."""
    header = [
        _("Kind"),
        _("What"),
        _("Target"),
        _("Date"),
        _("Before"),
        _("After"),
        _("After: provisional until"),
        _("Now"),
        _("Status"),
        pgettext("written by", "By"),
    ]
    rows = []
    if page.plan is not None:
        rows.append(
            [
                _("Plan"),
                page.plan.summary,
                "",
                page.plan.updated_at,
                "",
                "",
                "",
                "",
                _status_label(page.plan.status),
                "",
            ]
        )
    for row in page.targets:
        rows.append(
            [
                _("Target"),
                row.label,
                row.target_text,
                row.target.by_date,
                row.baseline_text,
                row.after_text,
                row.after.final_at if row.after_provisional else None,
                row.current_text,
                _("Reached")
                if row.reached
                else (_("Past its date") if row.overdue else ""),
                row.target.set_by.display_name if row.target.set_by else "",
            ]
        )
    for row in page.actions:
        rows.append(
            [
                _("Action"),
                row.action.text,
                "",
                row.action.due_date,
                "",
                "",
                "",
                "",
                pgettext("plan action", "Done")
                if row.is_done
                else pgettext("plan action", "Open"),
                "",
            ]
        )
    for check_in in page.check_ins:
        rows.append(
            [
                _("Check-in"),
                check_in.text,
                "",
                check_in.held_on,
                "",
                "",
                "",
                "",
                _status_label(check_in.status),
                check_in.author.display_name if check_in.author else "",
            ]
        )
    return header, rows
