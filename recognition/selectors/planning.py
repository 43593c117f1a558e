"""Reads of capacity plans: the plans the viewer sees, a plan's results
(`recognition.planning`), today's data that fills a plan, today's team beside it,
the comparison of plans and the CSV exports.

Today's data and today's team read only the accounts the viewer sees
(`permissions.capacity_accounts`): every account for admins, their teams' for
managers.

- Today's data: the active accounts by segment and current coverage model
  (dedicated or pooled: tech-touch does not exist in Kata's data), with their count
  and the sum of their ARR, in one aggregate query. An account without a segment
  is counted under "No segment".
- Today's team, per segment: the distinct people covering its active accounts
  today, that is the owners of its dedicated accounts and the current members of
  the pools that cover its pooled accounts. A person covering two segments counts
  in both; the total counts each person once. Two queries.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journeys.models import Coverage, PoolMembership
from journeys.templatetags.journeys import yen

from .. import permissions, planning
from ..models import CapacityPlan, CapacityPlanSegment, LeaderExperience, PlanCoverage

NO_SEGMENT = gettext_lazy("No segment")


def plan_list(*, viewer) -> QuerySet:
    """The plans the viewer sees, newest change first, with their author and their
    rows' count and sums."""
    return (
        permissions.visible_capacity_plans(viewer)
        .select_related("author")
        .annotate(
            row_count=Count("segments"),
            account_total=Sum("segments__accounts"),
            arr_total=Sum("segments__arr"),
        )
        .order_by("-updated_at", "-id")
    )


def _with_rows(plans: QuerySet) -> QuerySet:
    return plans.select_related("author").prefetch_related(
        Prefetch("segments", queryset=CapacityPlanSegment.objects.order_by("position"))
    )


def plan_list_with_rows(*, viewer) -> QuerySet:
    """The plans the viewer sees with their rows (the API), newest change first."""
    return _with_rows(permissions.visible_capacity_plans(viewer)).order_by(
        "-updated_at", "-id"
    )


def plan_get(*, viewer, pk: int) -> CapacityPlan:
    """Raises CapacityPlan.DoesNotExist when the viewer may not see it."""
    return _with_rows(permissions.visible_capacity_plans(viewer)).get(pk=pk)


def plans_get(*, viewer, ids: Iterable[int]) -> list[CapacityPlan]:
    """The plans of `ids` the viewer sees, in the order asked."""
    found = {
        plan.pk: plan
        for plan in _with_rows(permissions.visible_capacity_plans(viewer)).filter(
            pk__in=list(ids)
        )
    }
    return [found[pk] for pk in ids if pk in found]


def segment_input(row) -> planning.SegmentInput:
    """A row (a CapacityPlanSegment or a dict of its fields) for the rules."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    return planning.SegmentInput(
        segment=get("segment"),
        coverage_model=get("coverage_model"),
        accounts=get("accounts"),
        arr=Decimal(get("arr")),
        arr_per_csm=Decimal(get("arr_per_csm")),
        hours_per_account=Decimal(get("hours_per_account")),
    )


def plan_input(plan: CapacityPlan, rows=None) -> planning.PlanInput:
    """The plan for the rules: its saved rows, or `rows` (dicts, not saved yet)."""
    segments = rows if rows is not None else plan.segments.all()
    return planning.PlanInput(
        available_hours=plan.available_hours,
        automation_percent=plan.automation_percent,
        leader_experience=plan.leader_experience,
        span_of_control=plan.span_of_control,
        operations=plan.operations_headcount,
        marketing=plan.marketing_headcount,
        whatif_rule=plan.whatif_rule,
        whatif_threshold=plan.whatif_threshold,
        whatif_share=plan.whatif_share,
        pool_hours_per_account=plan.pool_hours_per_account,
        segments=tuple(segment_input(row) for row in segments),
    )


def plan_results(plan: CapacityPlan, rows=None) -> planning.PlanResults:
    return planning.results(plan_input(plan, rows))


# --- Today's data ---------------------------------------------------------------------


def today_data(*, viewer) -> list[dict]:
    """The rows that "fill from today's data" puts in a plan: the active accounts
    the viewer sees by segment and current coverage model, their count and ARR."""
    found = (
        Coverage.objects.filter(
            ended_at__isnull=True,
            account__is_active=True,
            account__in=permissions.capacity_accounts(viewer).values("pk"),
        )
        .values("account__segment", "model")
        .annotate(accounts=Count("account_id", distinct=True), arr=Sum("account__arr"))
        .order_by("account__segment", "model")
    )
    return [
        {
            "segment": row["account__segment"] or str(NO_SEGMENT),
            "coverage_model": row["model"],
            "accounts": row["accounts"],
            "arr": row["arr"] or Decimal(0),
        }
        for row in found
    ]


@dataclass(frozen=True)
class TodayTeam:
    by_segment: dict[str, int]
    total: int


def today_team(*, viewer) -> TodayTeam:
    """Today's people per segment (see the module's docstring)."""
    day = timezone.localdate()
    accounts = permissions.capacity_accounts(viewer).filter(is_active=True)
    owners = (
        Coverage.objects.filter(
            ended_at__isnull=True,
            model=PlanCoverage.DEDICATED,
            account__in=accounts.values("pk"),
        )
        .values_list("account__segment", "owner_id")
        .distinct()
    )
    pooled = (
        PoolMembership.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day),
            start_date__lte=day,
            pool__coverage__ended_at__isnull=True,
            pool__coverage__account__in=accounts.values("pk"),
        )
        .values_list("pool__coverage__account__segment", "user_id")
        .distinct()
    )
    people: dict[str, set[int]] = {}
    for segment, person in [*owners, *pooled]:
        people.setdefault(segment or str(NO_SEGMENT), set()).add(person)
    everyone = set().union(*people.values()) if people else set()
    return TodayTeam(
        by_segment={segment: len(found) for segment, found in people.items()},
        total=len(everyone),
    )


def beside_today(results: planning.PlanResults, team: TodayTeam) -> list[dict]:
    """Per segment of the plan: its planned CSMs (bottom-up, every coverage model)
    beside today's people, and the difference."""
    planned: dict[str, dict] = {}
    for row in results.rows:
        entry = planned.setdefault(
            row.row.segment, {"segment": row.row.segment, "top_down": 0, "bottom_up": 0}
        )
        entry["top_down"] += row.top_down
        entry["bottom_up"] += row.bottom_up
    for entry in planned.values():
        entry["today"] = team.by_segment.get(entry["segment"], 0)
        entry["difference"] = entry["bottom_up"] - entry["today"]
    return list(planned.values())


# --- Words ----------------------------------------------------------------------------


def _hours(value: Decimal) -> str:
    return f"{value.normalize():f}"


def closing_words(closers: planning.Closers, *, total: bool = False) -> list[str]:
    """What would close a gap, in words, one option a sentence."""
    words = []
    if closers.direction == "none":
        return [_("Top-down and bottom-up agree.")]
    more = closers.direction == "more"
    if closers.automation_percent is not None:
        words.append(
            _("An automation factor of %(percent)s %% or more.")
            % {"percent": closers.automation_percent}
        )
    if closers.hours_per_account is not None:
        text = (
            _("At most %(hours)s hours per account a month.")
            if more
            else _("Up to %(hours)s hours per account a month.")
        )
        words.append(text % {"hours": _hours(closers.hours_per_account)})
    if closers.hours_change_percent is not None:
        change = closers.hours_change_percent
        text = (
            _("Every segment's hours per account %(percent)s %% lower.")
            if change < 0
            else _("Every segment's hours per account up to %(percent)s %% higher.")
        )
        words.append(text % {"percent": abs(change)})
    if closers.benchmark is not None:
        if total:
            text = (
                _("Funding the bottom-up CSMs: %(amount)s ARR per CSM on average.")
                if more
                else _("%(amount)s ARR per CSM on average with the bottom-up CSMs.")
            )
        else:
            text = (
                _("A benchmark of %(amount)s ARR per CSM or less.")
                if more
                else _("A benchmark of %(amount)s ARR per CSM.")
            )
        words.append(text % {"amount": yen(closers.benchmark)})
    if not words:
        words.append(_("Nothing in this plan's inputs closes it alone."))
    return words


def gap_words(gap: int) -> str:
    if gap > 0:
        return _("The work needs %(count)s more CSMs than the revenue funds.") % {
            "count": gap
        }
    if gap < 0:
        return _("The revenue funds %(count)s more CSMs than the work needs.") % {
            "count": -gap
        }
    return _("Top-down and bottom-up agree.")


# --- Comparison and exports -----------------------------------------------------------


def comparison(plans: list[CapacityPlan]) -> list[tuple[CapacityPlan, object]]:
    return [(plan, plan_results(plan)) for plan in plans]


def _leaders_label(plan: CapacityPlan) -> str:
    if plan.leader_experience == LeaderExperience.NEW:
        return str(LeaderExperience.NEW.label)
    return _("Experienced leaders, %(span)s direct reports each") % {
        "span": plan.span_of_control
    }


def plan_export(plan: CapacityPlan) -> tuple[list, list[list]]:
    """The plan's rows, then its total, as a CSV: (header, rows)."""
    results = plan_results(plan)
    labels = dict(PlanCoverage.choices)
    header = [
        _("Segment"),
        _("Coverage model"),
        _("Accounts"),
        _("ARR (yen)"),
        _("ARR per CSM (benchmark, yen)"),
        _("Hours per account a month"),
        _("Accounts per CSM"),
        _("Top-down CSMs"),
        _("Bottom-up CSMs"),
        _("Gap"),
        _("What would close it"),
    ]
    rows = [
        [
            row.row.segment,
            labels.get(row.row.coverage_model, row.row.coverage_model),
            row.row.accounts,
            int(row.row.arr),
            int(row.row.arr_per_csm),
            float(row.row.hours_per_account),
            float(row.accounts_per_csm),
            row.top_down,
            row.bottom_up,
            row.gap,
            " ".join(closing_words(row.closers)),
        ]
        for row in results.rows
    ]
    rows.append(
        [
            _("Total"),
            "",
            results.accounts,
            int(results.arr),
            "",
            "",
            "",
            results.top_down,
            results.bottom_up,
            results.gap,
            " ".join(closing_words(results.closers, total=True)),
        ]
    )
    staff = (results.top_down_staffing, results.bottom_up_staffing)
    for label, values in (
        (_("Leaders"), [s.leaders for s in staff]),
        (_("CS operations"), [s.operations for s in staff]),
        (_("Customer marketing"), [s.marketing for s in staff]),
        (_("Whole team"), [s.team for s in staff]),
    ):
        rows.append([label, _leaders_label(plan), "", "", "", "", "", *values, "", ""])
    return header, rows


def comparison_export(plans: list[CapacityPlan]) -> tuple[list, list[list]]:
    """One column per plan, one row per figure."""
    compared = comparison(plans)
    header = [_("Figure"), *[plan.name for plan, _results in compared]]

    def line(label, value):
        return [label, *[value(plan, results) for plan, results in compared]]

    rows = [
        line(_("Accounts"), lambda p, r: r.accounts),
        line(_("ARR (yen)"), lambda p, r: int(r.arr)),
        line(_("CSM hours available per month"), lambda p, r: p.available_hours),
        line(_("Automation factor (%)"), lambda p, r: p.automation_percent),
        line(_("Top-down CSMs"), lambda p, r: r.top_down),
        line(_("Bottom-up CSMs"), lambda p, r: r.bottom_up),
        line(_("Gap"), lambda p, r: r.gap),
        line(_("Leaders (bottom-up)"), lambda p, r: r.bottom_up_staffing.leaders),
        line(_("Whole team (bottom-up)"), lambda p, r: r.bottom_up_staffing.team),
        line(
            _("CSMs after the pooled what-if"),
            lambda p, r: r.whatif.after.csms if r.whatif else "",
        ),
    ]
    for row in rows:
        row[1:] = [float(v) if isinstance(v, Decimal) else v for v in row[1:]]
    return header, rows
