"""Read-only sections of the home page (`config.home`) from the journeys pillar: a
member's training due and accounts needing action, a leader's overdue value
points, the admin's import status. Built on `selectors` and `permissions`; every
function runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from config.queries import first_and_count

from . import success
from .models import Coverage, CustomerAccount, HealthBand, Pool, Step, StepEvent
from .permissions import pools_of, visible_accounts, visible_success_plans
from .selectors import TrainingRow, account_list, held_today, my_training

# An account whose journey is not finished needs action when no step event was
# recorded for it for this many days (the home page says so).
IDLE_DAYS = 30
ACCOUNTS_SHOWN = 8
TRAINING_SHOWN = 5
# The import status counts the events imported over this many days.
IMPORT_WINDOW_DAYS = 7


@dataclass
class TrainingDue:
    rows: list[TrainingRow]  # open modules, the earliest due date first
    count: int


def training_due(*, member: User, today: date | None = None) -> TrainingDue:
    """The member's assigned modules not passed yet, overdue first. One query."""
    rows = [row for row in my_training(member, today=today) if not row.is_done]
    rows.sort(key=lambda row: (row.due_date, row.module.title, row.module.pk))
    return TrainingDue(rows=rows[:TRAINING_SHOWN], count=len(rows))


@dataclass
class AccountsNeedingAction:
    # Annotated as `account_list`, plus `idle_since` and `idle_day_count`.
    accounts: list[CustomerAccount]
    count: int
    idle_days: int
    # The pools the member works in today, whose accounts count as theirs here.
    pools: list[Pool] = field(default_factory=list)


def _needing_action(accounts, *, now: datetime):
    """Accounts with a value point overdue, or whose journey is not finished and
    that had no step event for `IDLE_DAYS` days (since they were created, before
    any): overdue first, then the longest idle."""
    last_event = (
        StepEvent.objects.filter(account=OuterRef("pk"), voided_at__isnull=True)
        .order_by("-reached_at")
        .values("reached_at")[:1]
    )
    last_position = (
        Step.objects.filter(journey=OuterRef("journey_id"), retired_at__isnull=True)
        .order_by("-position")
        .values("position")[:1]
    )
    idle = Q(idle_since__lt=now - timedelta(days=IDLE_DAYS)) & (
        Q(current_step_position__isnull=True)
        | Q(current_step_position__lt=F("last_position"))
    )
    return (
        accounts.filter(is_active=True)
        .annotate(
            idle_since=Coalesce(Subquery(last_event), F("created_at")),
            last_position=Subquery(last_position),
        )
        .filter(Q(value_point_overdue=True) | idle)
        .order_by("-value_point_overdue", "idle_since", "name", "pk")
    )


def accounts_needing_action(
    *, viewer: User, member: User, now: datetime | None = None
) -> AccountsNeedingAction:
    """The active accounts the member works on today (as the viewer sees them)
    that need action (`_needing_action`): those they own, and those of the pools
    they belong to (a pooled member owns none, and works their pools')."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    pools = list(pools_of(member, on=today).order_by("name", "pk"))
    pooled = Coverage.objects.filter(ended_at__isnull=True, pool__in=pools)
    accounts = account_list(viewer=viewer, now=now).filter(
        Q(pk__in=held_today([member])) | Q(pk__in=pooled.values("account_id"))
    )
    shown, count = first_and_count(_needing_action(accounts, now=now), ACCOUNTS_SHOWN)
    for account in shown:
        account.idle_day_count = (today - timezone.localdate(account.idle_since)).days
    return AccountsNeedingAction(
        accounts=shown, count=count, idle_days=IDLE_DAYS, pools=pools
    )


@dataclass
class OverdueValuePoints:
    accounts: list[CustomerAccount]  # annotated as `account_list`
    count: int


def overdue_value_points(
    *, viewer: User, owners, now: datetime | None = None
) -> OverdueValuePoints:
    """Active accounts owned today by `owners` (a queryset of users) with a value
    point overdue, as the viewer sees them; the oldest journey start first."""
    now = now or timezone.now()
    accounts = (
        account_list(viewer=viewer, overdue=True, now=now, owners=owners)
        .filter(is_active=True)
        .order_by("journey_started_at", "name", "pk")
    )
    shown, count = first_and_count(accounts, ACCOUNTS_SHOWN)
    return OverdueValuePoints(accounts=shown, count=count)


@dataclass
class ImportStatus:
    last_import_at: datetime | None
    recent_events: int
    window_days: int


def import_status(*, now: datetime | None = None) -> ImportStatus:
    """When step events were last imported, and how many over the last days (an
    import is all or nothing: a refused file leaves no row). One query."""
    now = now or timezone.now()
    found = StepEvent.objects.filter(source=StepEvent.Source.IMPORT).aggregate(
        last=Max("recorded_at"),
        recent=Count(
            "pk", filter=Q(recorded_at__gte=now - timedelta(days=IMPORT_WINDOW_DAYS))
        ),
    )
    return ImportStatus(
        last_import_at=found["last"],
        recent_events=found["recent"],
        window_days=IMPORT_WINDOW_DAYS,
    )


@dataclass
class OutcomesAtRisk:
    plans: list  # annotated as `success.at_risk_rows`
    count: int


def outcomes_at_risk(*, viewer: User, today: date | None = None) -> OutcomesAtRisk:
    """The success plans at risk among the accounts the viewer sees (a member
    their own and their pools', a leader their teams'), the most behind first.
    Two queries at most."""
    rows, count = first_and_count(
        success.at_risk_rows(visible_success_plans(viewer), today=today),
        ACCOUNTS_SHOWN,
    )
    shown = success.with_worst_measures(rows, today=today)
    for plan in shown:
        plan.gap_percent = success.share_percent(plan.worst_gap)
    return OutcomesAtRisk(plans=shown, count=count)


@dataclass
class HealthAtRisk:
    accounts: list[CustomerAccount]  # the lowest score first
    count: int


def health_at_risk(*, viewer: User, owner: User | None = None) -> HealthAtRisk:
    """Active accounts the viewer sees (those `owner` owns today, when given)
    whose latest health is at risk or critical (`journeys.health`), the lowest
    score first. One query."""
    accounts = visible_accounts(viewer).filter(
        is_active=True, health_band__in=[HealthBand.AT_RISK, HealthBand.CRITICAL]
    )
    if owner is not None:
        accounts = accounts.filter(pk__in=held_today([owner]))
    accounts = accounts.order_by("health_score", "name", "pk")
    shown, count = first_and_count(accounts, ACCOUNTS_SHOWN)
    return HealthAtRisk(accounts=shown, count=count)
