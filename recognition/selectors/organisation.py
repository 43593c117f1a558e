"""Reads of organisation planning: the role map, the maturity assessments, and the
facts of Kata's data the maturity evidence rests on (`maturity_facts`), in a fixed
number of aggregate queries whatever the size of the organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import TeamMembership
from journeys.models import (
    ARRSnapshot,
    Coverage,
    CustomerAccount,
    PlaybookVersion,
    Step,
    SuccessMeasure,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)

from .. import metrics, organisation
from ..models import (
    AwardPeriod,
    MaturityAssessment,
    RoleFunction,
    RoleImportance,
    RoleStatus,
    RollupRun,
    StepRetrospective,
)

# --- Role map ----------------------------------------------------------------------


def role_functions() -> QuerySet:
    return RoleFunction.objects.select_related("owner").order_by("position", "pk")


@dataclass
class QuadrantCell:
    quadrant: organisation.Quadrant
    functions: list


def role_map_quadrants(functions: list[RoleFunction]) -> list[QuadrantCell]:
    """The functions by quadrant, in the order of `organisation.QUADRANTS`."""
    cells = {q.key: QuadrantCell(q, []) for q in organisation.QUADRANTS}
    for function in functions:
        key = organisation.quadrant_of(
            importance=function.importance, status=function.status
        )
        cells[key].functions.append(function)
    return list(cells.values())


# --- Maturity assessments ----------------------------------------------------------


def maturity_assessments() -> QuerySet:
    return MaturityAssessment.objects.select_related("assessed_by").order_by("-quarter")


def maturity_facts(*, now: datetime | None = None) -> dict:
    """What Kata's data says, as plain numbers (the rules in `organisation` judge
    them): twelve queries at most, however many accounts, steps or members there
    are."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    recent = now - timedelta(days=organisation.RECENT_DAYS)
    last_month = metrics.add_months(metrics.this_month(today), -1)
    facts = {}
    facts.update(_account_facts(last_month))
    facts.update(_journey_facts())
    facts.update(_training_facts())
    facts.update(_role_facts())
    last_run = (
        RollupRun.objects.filter(finished_at__isnull=False, finished_at__lte=now)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    facts["days_since_rollup"] = (
        (today - timezone.localdate(last_run)).days if last_run else None
    )
    facts.update(
        AwardPeriod.objects.filter(set_at__lte=now).aggregate(
            award_periods=Count("pk"),
            award_periods_recent=Count(
                "pk", filter=Q(end__gte=last_month, start__lte=today)
            ),
        )
    )
    facts["playbook_versions_recent"] = PlaybookVersion.objects.filter(
        created_at__gte=recent, created_at__lte=now, number__gt=1
    ).count()
    facts.update(
        StepRetrospective.objects.filter(
            written_at__gte=recent, written_at__lte=now
        ).aggregate(
            retrospectives_recent=Count("pk"),
            retrospectives_commented=Count("pk", filter=Q(commented_at__isnull=False)),
        )
    )
    return facts


def _account_facts(last_month) -> dict:
    covered = Coverage.objects.filter(account=OuterRef("pk"), ended_at__isnull=True)
    with_arr = ARRSnapshot.objects.filter(account=OuterRef("pk"), month__gte=last_month)
    with_plan = SuccessMeasure.objects.filter(plan__account=OuterRef("pk"))
    return CustomerAccount.objects.filter(is_active=True).aggregate(
        accounts_active=Count("pk"),
        accounts_covered=Count("pk", filter=Q(Exists(covered))),
        accounts_with_arr=Count("pk", filter=Q(Exists(with_arr))),
        accounts_with_plan=Count("pk", filter=Q(Exists(with_plan))),
    )


def _journey_facts() -> dict:
    """Transitions: each current step of an active journey but its last, and how
    many of them have a playbook."""
    current = Step.objects.filter(journey__is_active=True, retired_at__isnull=True)
    # The last step leads nowhere: a playbook on it is no transition's.
    leads_on = Exists(
        current.filter(journey=OuterRef("journey"), position__gt=OuterRef("position"))
    )
    per_journey = (
        current.values("journey_id")
        .annotate(
            steps=Count("pk"),
            with_playbook=Count("playbook", filter=Q(leads_on)),
        )
        .order_by()
    )
    transitions = with_playbook = journeys = 0
    for row in per_journey:
        if row["steps"] < 2:
            continue
        journeys += 1
        transitions += row["steps"] - 1
        with_playbook += row["with_playbook"]
    return {
        "journeys_with_steps": journeys,
        "transitions": transitions,
        "transitions_with_playbook": with_playbook,
    }


def _training_facts() -> dict:
    """Active modules, and of the (member, module) pairs assigned — a team's
    assignment reaches everyone who was a member before its due date (METRICS.md,
    training completion) — how many are passed."""
    active = TrainingModule.objects.filter(is_active=True)
    assignments = TrainingAssignment.objects.filter(module__is_active=True)
    pairs = set(
        assignments.filter(member__isnull=False).values_list("member_id", "module_id")
    )
    by_team = {}
    for team_id, module_id, due in assignments.filter(team__isnull=False).values_list(
        "team_id", "module_id", "due_date"
    ):
        by_team.setdefault(team_id, []).append((module_id, due))
    if by_team:
        for team_id, user_id, start in TeamMembership.objects.filter(
            team_id__in=by_team
        ).values_list("team_id", "user_id", "start_date"):
            pairs.update(
                (user_id, module_id)
                for module_id, due in by_team[team_id]
                if start <= due
            )
    passed = set(
        TrainingCompletion.objects.filter(
            passed=True, module__is_active=True
        ).values_list("member_id", "module_id")
    )
    return {
        "modules_active": active.count(),
        "training_assigned": len(pairs),
        "training_passed": len(pairs & passed),
    }


def _role_facts() -> dict:
    return RoleFunction.objects.filter(importance=RoleImportance.NOW).aggregate(
        functions_now=Count("pk"),
        functions_now_staffed=Count("pk", filter=~Q(status=RoleStatus.NOT_STARTED)),
    )


def maturity_evidence(*, now: datetime | None = None) -> dict[str, dict]:
    return organisation.evidence_from(maturity_facts(now=now))


@dataclass
class HistoryRow:
    assessment: MaturityAssessment
    label: str
    level: organisation.Level
    change: int | None

    @property
    def pips(self) -> list[bool]:
        return [n <= self.level.number for n in range(1, organisation.LAST_LEVEL + 1)]


def maturity_history(assessments: list[MaturityAssessment]) -> list[HistoryRow]:
    """The assessments newest first, each with its level and the change from the
    assessment before it (None for the oldest)."""
    rows = []
    for index, assessment in enumerate(assessments):
        before = assessments[index + 1] if index + 1 < len(assessments) else None
        rows.append(
            HistoryRow(
                assessment=assessment,
                label=organisation.quarter_label(assessment.quarter),
                level=organisation.level_of(assessment.level),
                change=assessment.level - before.level if before else None,
            )
        )
    return rows
