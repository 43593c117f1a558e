"""Reads of the journeys pillar that need rules, scoped to the viewer through
`journeys.permissions`."""

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from accounts.models import Role, TeamMembership, User
from config.rows import PagedByKey

from .models import (
    Coverage,
    CustomerAccount,
    Journey,
    Playbook,
    PlaybookVersion,
    Pool,
    PracticumReflection,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from .permissions import (
    Viewer,
    sees_every_account,
    visible_account_owner_ids,
    visible_accounts,
)

# --- Coverage and attribution ---------------------------------------------------------


def coverage_at(account: CustomerAccount, at: datetime) -> Coverage | None:
    """The coverage period in force at `at` (started_at ≤ at < ended_at)."""
    return (
        Coverage.objects.filter(account=account, started_at__lte=at)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=at))
        .select_related("owner", "pool")
        .first()
    )


def owner_at(account: CustomerAccount, at: datetime) -> User | None:
    """The account's dedicated owner at `at`; None when it was pooled or not covered."""
    period = coverage_at(account, at)
    return period.owner if period else None


# --- Playbooks ----------------------------------------------------------------------


def playbook_current(playbook: Playbook) -> PlaybookVersion | None:
    """The version in use: the latest."""
    return playbook.versions.order_by("-number").first()


# --- Training and readiness ---------------------------------------------------------
#
# Training status is one fact, read here and nowhere else: the member page, the
# readiness for promotion, the development plan and the training pages all call
# `training_status` and show its one label set (`TRAINING_LABELS`).

TRAINING_PASSED = "passed"
TRAINING_NOT_PASSED = "not_passed"
TRAINING_NOT_STARTED = "not_started"

TRAINING_LABELS = {
    TRAINING_PASSED: pgettext_lazy("training status", "Passed"),
    TRAINING_NOT_PASSED: pgettext_lazy("training status", "Not passed yet"),
    TRAINING_NOT_STARTED: pgettext_lazy("training status", "Not started"),
}
TRAINING_OVERDUE_LABEL = pgettext_lazy("training status", "Overdue")


@dataclass(frozen=True)
class TrainingStatus:
    """Where one member stands on one module at a moment.

    - passed: some attempt passed (a quiz at its pass mark, or a module without
      quiz marked as completed); `passed_at` is the first pass, whenever it was —
      an assignment or plan action made after it does not undo it;
    - not passed: attempted, no pass yet;
    - not started: no attempt.

    `due_date` is the earliest due date of the assignments reaching the member
    (their own and their teams', joiners included), None when unassigned;
    overdue is not passed with that date past."""

    member_id: int
    module_id: int
    passed_at: datetime | None = None
    attempts: int = 0
    best_score: int | None = None
    last_attempt_at: datetime | None = None
    due_date: date | None = None
    today: date | None = None

    @property
    def is_passed(self) -> bool:
        return self.passed_at is not None

    @property
    def state(self) -> str:
        if self.is_passed:
            return TRAINING_PASSED
        return TRAINING_NOT_PASSED if self.attempts else TRAINING_NOT_STARTED

    @property
    def label(self) -> str:
        return str(TRAINING_LABELS[self.state])

    @property
    def is_assigned(self) -> bool:
        return self.due_date is not None

    @property
    def is_overdue(self) -> bool:
        return (
            not self.is_passed
            and self.due_date is not None
            and self.today is not None
            and self.due_date < self.today
        )


def training_status(
    member_ids, module_ids, at: datetime | None = None, *, with_due: bool = True
) -> dict[tuple[int, int], TrainingStatus]:
    """(member id, module id) → TrainingStatus for every pair asked, as of `at`
    (now by default): attempts recorded as completed after it do not count.
    Three queries whatever the number of members, modules and attempts; one with
    `with_due=False` (no due dates read: for callers that only need passed or not)."""
    from django.db.models import Count, Max, Min

    at = at or timezone.now()
    today = timezone.localdate(at)
    member_ids = sorted({int(pk) for pk in member_ids})
    module_ids = sorted({int(pk) for pk in module_ids})
    if not member_ids or not module_ids:
        return {}
    attempts = {
        (row["member_id"], row["module_id"]): row
        for row in TrainingCompletion.objects.filter(
            member_id__in=member_ids, module_id__in=module_ids, completed_at__lte=at
        )
        .values("member_id", "module_id")
        .annotate(
            passed_at=Min("completed_at", filter=Q(passed=True)),
            attempts=Count("pk"),
            best_score=Max("score"),
            last_attempt_at=Max("completed_at"),
        )
        .order_by()
    }
    due: dict[tuple[int, int], date] = {}
    if with_due:
        due = _due_dates(member_ids, module_ids, at)
    found = {}
    for member_id in member_ids:
        for module_id in module_ids:
            row = attempts.get((member_id, module_id), {})
            found[(member_id, module_id)] = TrainingStatus(
                member_id=member_id,
                module_id=module_id,
                passed_at=row.get("passed_at"),
                attempts=row.get("attempts", 0),
                best_score=row.get("best_score"),
                last_attempt_at=row.get("last_attempt_at"),
                due_date=due.get((member_id, module_id)),
                today=today,
            )
    return found


def _due_dates(member_ids, module_ids, at) -> dict[tuple[int, int], date]:
    """(member id, module id) → the earliest due date of the assignments reaching
    the member, made by `at`: each source's minimum in the database, then the
    earlier of the two. Two queries."""
    own = (
        TrainingAssignment.objects.filter(
            member_id__in=member_ids, module_id__in=module_ids, assigned_at__lte=at
        )
        .values_list("member_id", "module_id")
        .annotate(due=Min("due_date"))
        .order_by()
    )
    # A team assignment reaches whoever is in the team at any time up to its due date.
    by_team = (
        TeamMembership.objects.filter(
            user_id__in=member_ids,
            team__training_assignments__module_id__in=module_ids,
            team__training_assignments__assigned_at__lte=at,
            start_date__lte=F("team__training_assignments__due_date"),
        )
        .values_list("user_id", "team__training_assignments__module_id")
        .annotate(due=Min("team__training_assignments__due_date"))
        .order_by()
    )
    due = {(member_id, module_id): day for member_id, module_id, day in own}
    for member_id, module_id, day in by_team:
        key = (member_id, module_id)
        due[key] = min(day, due.get(key, day))
    return due


def with_customer_name(text: str, account: CustomerAccount) -> str:
    """A playbook text for one account: its `{customer_name}` filled in."""
    return text.replace("{customer_name}", account.name)


def assignments_for(member: User) -> QuerySet:
    """The assignments that reach the member: their own, and their teams' — a team
    assignment reaches everyone who is a member of the team at any time up to its
    due date (joiners included; METRICS "Training completion")."""
    in_team_by_due_date = TeamMembership.objects.filter(
        user=member, team=OuterRef("team"), start_date__lte=OuterRef("due_date")
    )
    return (
        TrainingAssignment.objects.filter(
            Q(member=member) | Q(Exists(in_team_by_due_date), team__isnull=False)
        )
        .select_related("module", "module__from_step", "team")
        .order_by("due_date", "id")
    )


def is_ready_for_accounts(member: User, journey: Journey) -> bool:
    """Ready when the member completed a practicum reflection on every current step
    of the journey, and passed every required, active module of the journey (on its
    current steps), assigned to them or not (`ready_for_accounts`)."""
    return (member.pk, journey.pk) in ready_for_accounts([member.pk], [journey.pk])


def ready_for_accounts(member_ids, journey_ids) -> set[tuple[int, int]]:
    """The (member id, journey id) pairs among those asked where the member is
    ready for the journey's accounts (`is_ready_for_accounts`): four queries
    however many members and journeys (an import assigns accounts to hundreds)."""
    member_ids = {int(pk) for pk in member_ids}
    journey_ids = {int(pk) for pk in journey_ids}
    if not member_ids or not journey_ids:
        return set()
    steps: dict[int, set[int]] = defaultdict(set)
    for step_id, journey_id in Step.objects.filter(
        journey_id__in=journey_ids, retired_at__isnull=True
    ).values_list("pk", "journey_id"):
        steps[journey_id].add(step_id)
    walked: dict[int, set[int]] = defaultdict(set)
    for member_id, step_id in (
        PracticumReflection.objects.filter(
            member_id__in=member_ids, completed_at__isnull=False
        )
        .values_list("member_id", "step_id")
        .distinct()
    ):
        walked[member_id].add(step_id)
    required: dict[int, set[int]] = defaultdict(set)
    for module_id, journey_id in TrainingModule.objects.filter(
        from_step__journey_id__in=journey_ids,
        from_step__retired_at__isnull=True,
        is_required=True,
        is_active=True,
    ).values_list("pk", "from_step__journey_id"):
        required[journey_id].add(module_id)
    passed: dict[int, set[int]] = defaultdict(set)
    for (member_id, module_id), status in training_status(
        member_ids, set().union(*required.values()), with_due=False
    ).items():
        if status.is_passed:
            passed[member_id].add(module_id)
    return {
        (member_id, journey_id)
        for member_id in member_ids
        for journey_id in journey_ids
        if steps[journey_id] <= walked[member_id]
        and required[journey_id] <= passed[member_id]
    }


# An import template's example row tries this many members for one who is ready.
EXAMPLE_OWNERS_TRIED = 10


def example_owner(journey: Journey | None) -> str | None:
    """The username an import template's example row names as an account's owner:
    a member ready for the journey's accounts (`is_ready_for_accounts`), so that
    the template imports as it is, those who own its accounts today tried first;
    else the first member by username (None without members)."""
    members = User.objects.filter(
        is_active=True, groups__name=Role.MEMBER.value
    ).order_by("username")
    if journey is not None:
        owners = (
            Coverage.objects.filter(
                ended_at__isnull=True,
                account__journey=journey,
                owner_not_ready_confirmed=False,
                owner__in=members,
            )
            .values_list("owner_id", flat=True)
            .distinct()
            .order_by()
        )
        # Each tried once (an owner is also among the first members, often).
        candidates = {
            member.pk: member
            for member in [
                *members.filter(pk__in=owners)[:EXAMPLE_OWNERS_TRIED],
                *members[:EXAMPLE_OWNERS_TRIED],
            ]
        }
        ready = ready_for_accounts(candidates, [journey.pk])
        for member in candidates.values():
            if (member.pk, journey.pk) in ready:
                return member.username
    return members.values_list("username", flat=True).first()


# --- Customer accounts ------------------------------------------------------------


def _live_events(until: datetime | None = None) -> QuerySet:
    """Non-void step events; with `until`, only those reached by then (the
    journey as it stood at that moment, for health recorded on a past day)."""
    events = StepEvent.objects.filter(voided_at__isnull=True)
    return events if until is None else events.filter(reached_at__lte=until)


def events_changed_since(since: datetime) -> QuerySet:
    """The step events recorded or voided since `since`: what an incremental
    rollup and the health refresh look at, unordered (two indexes find them)."""
    return StepEvent.objects.filter(
        Q(recorded_at__gte=since) | Q(voided_at__gte=since)
    ).order_by()


def held_today(owners) -> QuerySet:
    """The ids of the accounts any of `owners` (users, or a queryset of their
    ids) holds today: their open coverage periods."""
    return Coverage.objects.filter(ended_at__isnull=True, owner__in=owners).values(
        "account_id"
    )


def account_list(
    *,
    viewer: User,
    owner: User | None = None,
    pool: Pool | None = None,
    segment: str | None = None,
    current_step: Step | None = None,
    overdue: bool | None = None,
    now: datetime | None = None,
    owners=None,
) -> QuerySet:
    """The customer accounts the viewer may see, filtered (`owners`: those any of
    these users, or a queryset of their ids, holds today), each annotated with:

    - `current_step_id`, `current_step_position`, `current_step_name`: the account's
      **current step** is the current (not retired) step of the highest position
      that has a non-void event for the account — whatever lower steps were skipped;
      None before any;
    - `current_step_since`: the first reach (earliest non-void event) of that step;
    - `current_step_age`: calendar days (in TIME_ZONE) from that first reach to today,
      as a timedelta (`.days`);
    - `journey_started_at`: the first reach of step 1;
    - `value_point_overdue`: some current value-point step of the journey is not
      reached while its deadline (first reach of step 1 + target_days × 24 h) has
      passed. Only a reach of the value-point step itself counts.

    The open coverage period is prefetched as `open_coverage` (a list of at most one).
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    visible = visible_accounts(viewer, narrowed=owners is not None)
    accounts = _annotated_accounts(visible, now=now, today=today)
    if owners is not None:
        accounts = accounts.filter(pk__in=held_today(owners))
    if owner is not None:
        accounts = accounts.filter(pk__in=held_today([owner]))
    if pool is not None:
        accounts = accounts.filter(
            pk__in=Coverage.objects.filter(ended_at__isnull=True, pool=pool).values(
                "account_id"
            )
        )
    if segment:
        accounts = accounts.filter(segment=segment)
    if current_step is not None:
        accounts = accounts.filter(current_step_id=current_step.pk)
    if overdue is not None:
        accounts = accounts.filter(value_point_overdue=overdue)
    return accounts


def accounts_by_key(keys: QuerySet, *, now: datetime | None = None) -> QuerySet:
    """The accounts whose primary keys the subquery `keys` gives, annotated as
    `account_list`'s are: a page of that list whose keys the list found (scope and
    filters applied there, `config.rows.PagedByKey`)."""
    now = now or timezone.now()
    return _annotated_accounts(
        CustomerAccount.objects.filter(pk__in=keys),
        now=now,
        today=timezone.localdate(now),
    )


# The distinct segments of every account, searched in the segment index: the
# smallest segment after the one before, until none is left (a handful of index
# probes, where DISTINCT reads every account: 40 ms at 100,000 accounts).
_SEGMENTS_SQL = """
WITH RECURSIVE found(segment) AS (
    SELECT (
        SELECT {segment} FROM {table} WHERE {segment} > ''
        ORDER BY {segment} LIMIT 1
    )
    UNION ALL
    SELECT (
        SELECT {segment} FROM {table} WHERE {segment} > found.segment
        ORDER BY {segment} LIMIT 1
    )
    FROM found WHERE found.segment IS NOT NULL
)
SELECT segment FROM found WHERE segment IS NOT NULL
"""


_BY_NAME = ("family_name", "given_name", "username")


def current_owners(account_ids: QuerySet) -> QuerySet:
    """The users who hold (open coverage) any of these accounts (a queryset of
    their ids), by name: a list's owner menu."""
    held = Coverage.objects.filter(
        ended_at__isnull=True, owner__isnull=False, account_id__in=account_ids
    )
    return User.objects.filter(pk__in=held.values("owner_id")).order_by(*_BY_NAME)


def account_owners(viewer: Viewer) -> QuerySet:
    """The users who hold an account the viewer sees, by name: the account list's
    owner menu. For an admin, whoever holds one: each user is looked up in the
    open periods by owner, instead of every account's period read (SQLite at
    20,000 accounts: 18 ms → 0.3 ms); for anyone else, the owners of the open
    periods they see accounts by (`permissions.visible_account_owner_ids`)."""
    if not sees_every_account(viewer):
        owner_ids = visible_account_owner_ids(viewer)
        return User.objects.filter(pk__in=owner_ids).order_by(*_BY_NAME)
    held = Coverage.objects.filter(ended_at__isnull=True, owner=OuterRef("pk"))
    return User.objects.filter(Exists(held)).order_by(*_BY_NAME)


def account_segments(viewer: Viewer) -> list[str]:
    """The segments of the accounts the viewer sees (none empty), in order: the
    account list's segment menu. One query."""
    if not sees_every_account(viewer):
        return list(
            visible_accounts(viewer)
            .exclude(segment="")
            .order_by("segment")
            .values_list("segment", flat=True)
            .distinct()
        )
    quote = connection.ops.quote_name
    meta = CustomerAccount._meta
    sql = _SEGMENTS_SQL.format(
        table=quote(meta.db_table), segment=quote(meta.get_field("segment").column)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [segment for (segment,) in cursor.fetchall()]


def account_pages(
    accounts: QuerySet, *, now: datetime, rows: bool = False
) -> PagedByKey:
    """`accounts` (an ordered `account_list(now=now)`, filtered) for a paginator,
    a page at a time by key: each page's accounts annotated as of the same `now`
    (`accounts_by_key`), or with `rows`, as `account_rows`."""

    def page(keys: QuerySet) -> QuerySet:
        found = accounts_by_key(keys, now=now)
        return account_rows(found) if rows else found

    return PagedByKey(accounts, page)


# A customer account as a row of `account_rows`: its own columns, where it stands on
# its journey, and its open coverage period (`open_period__…`, none: all None).
ACCOUNT_ROW_COLUMNS = (
    "id",
    "name",
    "external_id",
    "segment",
    "arr",
    "journey_id",
    "is_active",
    "created_at",
    "current_step_id",
    "current_step_position",
    "current_step_name",
    "current_step_since",
    "value_point_overdue",
    "health_score",
    "health_band",
    "open_period__id",
    "open_period__model",
    "open_period__started_at",
    "open_period__owner_id",
    "open_period__owner__family_name",
    "open_period__owner__given_name",
    "open_period__owner__username",
    "open_period__pool_id",
    "open_period__pool__name",
)


def account_rows(accounts: QuerySet) -> QuerySet:
    """The accounts of `account_list` as rows (`ACCOUNT_ROW_COLUMNS`), for a long
    list that only shows them: the open coverage period joined (an account has at
    most one) rather than prefetched, and no model instances. The current step is
    the one stored on the account (`journeys.progress`), its position and name
    looked up by its id; its age follows from its first reach (`days_since`)."""
    open_period = FilteredRelation(
        "coverage", condition=Q(coverage__ended_at__isnull=True)
    )
    return (
        accounts.prefetch_related(None)
        .annotate(open_period=open_period)
        .values(*ACCOUNT_ROW_COLUMNS)
    )


def days_since(moment: datetime, *, zone) -> int:
    """Calendar days in `zone` from `moment` to today (`current_step_age.days`)."""
    return (
        timezone.localdate(timezone=zone) - timezone.localtime(moment, zone).date()
    ).days


# An account's events on current steps in this order: the first one's step is its
# current step, and its reach that step's first reach.
CURRENT_STEP_ORDER = ("-step__position", "reached_at", "pk")


def _current_reaches(until: datetime | None = None) -> QuerySet:
    """The account's (OuterRef "pk") events on current steps, the current step's
    first: the highest position, and at it the earliest reach — so the first row's
    step is the current step and its reach that step's first reach, and each
    lookup reads one row of the same order (none looks up another's result, which
    the database would compute again inside it)."""
    return (
        _live_events(until)
        .filter(account=OuterRef("pk"), step__retired_at__isnull=True)
        .order_by(*CURRENT_STEP_ORDER)
    )


def _journey_start(until: datetime | None = None) -> QuerySet:
    """The first reach of step 1 of the account (OuterRef "pk")."""
    return (
        _live_events(until)
        .filter(account=OuterRef("pk"), step__position=1, step__retired_at__isnull=True)
        .order_by("reached_at")
        .values("reached_at")[:1]
    )


def progress_expressions(until: datetime | None = None) -> dict:
    """The progress of an account (OuterRef "pk") from its events (with `until`,
    those reached by then): the current step, its first reach and the first reach
    of step 1 (see `account_list`), named as stored on the account
    (`CustomerAccount.progress_…`, written by `journeys.progress`)."""
    reached = _current_reaches(until)
    return {
        "progress_step_id": Subquery(reached.values("step_id")[:1]),
        "progress_step_since": Subquery(reached.values("reached_at")[:1]),
        "progress_started_at": Subquery(_journey_start(until)),
    }


def _annotated_accounts(
    accounts: QuerySet, *, now: datetime, today, until: datetime | None = None
) -> QuerySet:
    """`account_list`'s annotations (see there) on `accounts`; with `until`, from
    the events reached by then only (`journeys.health` on a past day). Without it
    they read the progress stored on the account (`journeys.progress`)."""
    open_coverage = Prefetch(
        "coverage",
        queryset=Coverage.objects.filter(ended_at__isnull=True).select_related(
            "owner", "pool"
        ),
        to_attr="open_coverage",
    )
    if until is None:
        # The step's position and name by a lookup, not a join: a count of the
        # list (which leaves unused lookups out) then reads the accounts alone.
        step = Step.objects.filter(pk=OuterRef("progress_step_id")).order_by()
        progress = {
            "current_step_id": F("progress_step_id"),
            "current_step_position": Subquery(step.values("position")[:1]),
            "current_step_name": Subquery(step.values("name")[:1]),
            "current_step_since": F("progress_step_since"),
            "journey_started_at": F("progress_started_at"),
        }
    else:
        reached = _current_reaches(until)
        then = progress_expressions(until)
        progress = {
            "current_step_id": then["progress_step_id"],
            "current_step_position": Subquery(reached.values("step__position")[:1]),
            "current_step_name": Subquery(reached.values("step__name")[:1]),
            "current_step_since": then["progress_step_since"],
            "journey_started_at": then["progress_started_at"],
        }
    return (
        accounts.select_related("journey")
        .prefetch_related(open_coverage)
        .annotate(**progress)
        .annotate(
            current_step_age=ExpressionWrapper(
                Value(today, output_field=DateField())
                - TruncDate(
                    "current_step_since", tzinfo=timezone.get_current_timezone()
                ),
                output_field=DurationField(),
            ),
            value_point_overdue=_overdue_expression(now, until),
        )
    )


def overdue_value_point_conditions(
    now: datetime, until: datetime | None = None
) -> list[Q]:
    """One condition per current value-point step, true on an account (annotated
    with `journey_started_at`) for which that value point is **overdue** at `now`:
    the account's journey has it, its deadline (first reach of step 1 +
    target_days × 24 h) has passed, and it is not reached (only a reach of the
    value-point step itself counts). The one rule of "overdue": the account list's
    flag and the health score's count both read it.

    Deadlines differ per value point, so each current value-point step (a handful
    per journey) becomes one condition with its own cutoff: the query does not grow
    with the number of accounts."""
    conditions = []
    value_points = Step.objects.filter(
        is_value_point=True, retired_at__isnull=True
    ).values_list("pk", "journey_id", "target_days")
    for step_id, journey_id, target_days in value_points:
        # `account_id >= pk` repeats `account_id = pk` on purpose: a correlation
        # that is not an equality keeps PostgreSQL from turning the NOT EXISTS into
        # a hashed subplan over every event of the step (hundreds of thousands);
        # it probes the (account, step, reached_at) index for each row instead.
        reached = _live_events(until).filter(
            account=OuterRef("pk"), account_id__gte=OuterRef("pk"), step_id=step_id
        )
        conditions.append(
            Q(
                Q(
                    journey_id=journey_id,
                    journey_started_at__lt=now - timedelta(days=target_days),
                ),
                ~Exists(reached),
            )
        )
    return conditions


def _overdue_expression(now: datetime, until: datetime | None = None):
    """True when some value point is overdue (`overdue_value_point_conditions`)."""
    conditions = Q(pk__in=[])
    for condition in overdue_value_point_conditions(now, until):
        conditions |= condition
    return Case(
        When(conditions, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


@dataclass
class PathStep:
    step: Step
    first_reached_at: datetime | None
    deadline: datetime | None = None
    is_overdue: bool = False
    # A value point first reached before step 1: due and not on time (METRICS.md).
    is_out_of_order: bool = False


@dataclass
class AccountPage:
    account: CustomerAccount
    path: list[PathStep]
    current_step: Step | None
    current_step_since: datetime | None
    days_at_current_step: int | None
    overdue_value_points: list[Step]
    out_of_order_value_points: list[Step]
    next_playbook: Playbook | None
    next_playbook_version: PlaybookVersion | None
    events: list[StepEvent] = field(default_factory=list)

    @property
    def coverage(self) -> Coverage | None:
        return self.account.open_coverage[0] if self.account.open_coverage else None


def account_page(*, viewer: User, pk: int, now: datetime | None = None) -> AccountPage:
    """Everything the account page shows; `CustomerAccount.DoesNotExist` when the
    viewer may not see it. The path lists the journey's current steps in order with
    their first reach; a value point's deadline is the first reach of step 1 +
    target_days × 24 h."""
    now = now or timezone.now()
    account = account_list(viewer=viewer, now=now).get(pk=pk)
    first_reach = (
        _live_events()
        .filter(account=account, step=OuterRef("pk"))
        .order_by("reached_at")
        .values("reached_at")[:1]
    )
    steps = (
        Step.objects.filter(journey_id=account.journey_id, retired_at__isnull=True)
        .annotate(first_reached_at=Subquery(first_reach))
        .order_by("position")
    )
    path = []
    for step in steps:
        entry = PathStep(step=step, first_reached_at=step.first_reached_at)
        if step.is_value_point and account.journey_started_at is not None:
            entry.deadline = account.journey_started_at + timedelta(
                days=step.target_days
            )
            entry.is_overdue = step.first_reached_at is None and entry.deadline < now
            entry.is_out_of_order = (
                step.first_reached_at is not None
                and step.first_reached_at < account.journey_started_at
            )
        path.append(entry)
    current = next(
        (entry.step for entry in path if entry.step.pk == account.current_step_id),
        None,
    )
    playbook = version = None
    if current is not None:
        playbook = (
            Playbook.objects.filter(from_step=current)
            .select_related("owner")
            .prefetch_related(
                Prefetch(
                    "versions",
                    queryset=PlaybookVersion.objects.order_by("-number")[:1],
                    to_attr="latest_versions",
                )
            )
            .first()
        )
        version = (
            playbook.latest_versions[0]
            if playbook and playbook.latest_versions
            else None
        )
    events = list(
        StepEvent.objects.filter(account=account)
        .select_related("step", "recorded_by", "voided_by")
        .order_by("-reached_at", "-id")
    )
    return AccountPage(
        account=account,
        path=path,
        current_step=current,
        current_step_since=account.current_step_since,
        days_at_current_step=(
            account.current_step_age.days
            if account.current_step_age is not None
            else None
        ),
        overdue_value_points=[entry.step for entry in path if entry.is_overdue],
        out_of_order_value_points=[
            entry.step for entry in path if entry.is_out_of_order
        ],
        next_playbook=playbook,
        next_playbook_version=version,
        events=events,
    )


# --- accounts pages ---


def account_coverage_history(account: CustomerAccount) -> QuerySet:
    """The account's coverage periods, the latest first."""
    return (
        Coverage.objects.filter(account=account)
        .select_related("owner", "pool", "assigned_by")
        .order_by("-started_at", "-id")
    )


def pool_list(*, viewer: User, on=None) -> QuerySet:
    """The pools the viewer may see, each with `member_count` (members today) and
    `account_count` (accounts it covers now)."""
    from django.db.models import Count

    from .permissions import visible_pools

    day = on or timezone.localdate()
    current = Q(memberships__start_date__lte=day) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=day)
    )
    return (
        visible_pools(viewer, on=day)
        .select_related("team")
        .annotate(
            member_count=Count("memberships", filter=current, distinct=True),
            account_count=Count(
                "coverage", filter=Q(coverage__ended_at__isnull=True), distinct=True
            ),
        )
        .order_by("name", "id")
    )


def pool_members(pool: Pool) -> QuerySet:
    """The pool's memberships, past ones included, the latest start first."""
    from .models import PoolMembership

    return (
        PoolMembership.objects.filter(pool=pool)
        .select_related("user")
        .order_by("-start_date", "-id")
    )


# --- journeys pages ---


def journey_list(*, viewer: User) -> QuerySet:
    """The journeys the viewer may see, with `step_count` and `value_point_count`
    (current steps only) and `account_count` (all its accounts)."""
    from django.db.models import Count

    from .permissions import visible_journeys

    current = Q(steps__retired_at__isnull=True)
    return (
        visible_journeys(viewer)
        .annotate(
            step_count=Count("steps", filter=current, distinct=True),
            value_point_count=Count(
                "steps", filter=current & Q(steps__is_value_point=True), distinct=True
            ),
        )
        .order_by("-is_active", "name")
    )


@dataclass
class Transition:
    """From one current step to the next: the playbook of `from_step` (its latest
    version as `version`) and the active training modules of `from_step`."""

    from_step: Step
    to_step: Step
    playbook: Playbook | None
    version: PlaybookVersion | None
    modules: list[TrainingModule]


@dataclass
class JourneyPage:
    journey: Journey
    steps: list[Step]
    transitions: list[Transition]
    retired_steps: list[Step]

    @property
    def path(self) -> list[tuple[Step, Transition | None]]:
        """Each current step with the transition that leaves it (None for the
        last)."""
        leaving = self.transitions + [None]
        return list(zip(self.steps, leaving, strict=False))


def _steps_with_counts() -> QuerySet:
    from django.db.models import Count

    live = Count("events", filter=Q(events__voided_at__isnull=True))
    return Step.objects.annotate(event_count=live)


def journey_page(*, viewer: User, pk: int) -> JourneyPage:
    """Everything the journey page shows; `Journey.DoesNotExist` when the viewer
    may not see it. A fixed number of queries whatever the number of steps,
    playbooks, versions and modules. Each step has `event_count` (non-void events,
    kept when the step moves or retires)."""
    from .permissions import visible_journeys

    journey = visible_journeys(viewer).get(pk=pk)
    latest = Prefetch(
        "playbook__versions",
        queryset=PlaybookVersion.objects.order_by("-number")[:1],
        to_attr="latest_versions",
    )
    modules = Prefetch(
        "training_modules",
        queryset=TrainingModule.objects.filter(is_active=True).order_by("title"),
        to_attr="active_modules",
    )
    steps = list(
        _steps_with_counts()
        .filter(journey=journey, retired_at__isnull=True)
        .select_related("playbook__owner")
        .prefetch_related(latest, modules)
        .order_by("position")
    )
    transitions = []
    for from_step, to_step in zip(steps, steps[1:], strict=False):
        playbook = getattr(from_step, "playbook", None)
        version = (
            playbook.latest_versions[0]
            if playbook and playbook.latest_versions
            else None
        )
        transitions.append(
            Transition(
                from_step=from_step,
                to_step=to_step,
                playbook=playbook,
                version=version,
                modules=from_step.active_modules,
            )
        )
    retired = list(
        _steps_with_counts()
        .filter(journey=journey, retired_at__isnull=False)
        .order_by("-retired_at")
    )
    return JourneyPage(
        journey=journey, steps=steps, transitions=transitions, retired_steps=retired
    )


def visible_steps(viewer: User) -> QuerySet:
    """Steps of the journeys the viewer may see (retired ones included)."""
    from .permissions import visible_journeys

    return Step.objects.filter(journey__in=visible_journeys(viewer)).select_related(
        "journey"
    )


def visible_playbooks(viewer: User) -> QuerySet:
    from .permissions import visible_journeys

    return Playbook.objects.filter(
        from_step__journey__in=visible_journeys(viewer)
    ).select_related("from_step__journey", "owner")


@dataclass
class ChecklistItem:
    number: int
    text: str
    # The action's latest tick or untick on the account; None when never ticked.
    latest: object = None

    @property
    def is_done(self) -> bool:
        return self.latest is not None and self.latest.is_done


@dataclass
class Checklist:
    account: CustomerAccount
    version: PlaybookVersion
    items: list[ChecklistItem]
    # Every tick and untick of the playbook's versions on the account, latest first.
    history: list

    @property
    def done(self) -> int:
        return sum(item.is_done for item in self.items)


def playbook_checklist(account: CustomerAccount, version: PlaybookVersion) -> Checklist:
    """The version's actions with their state on the account (the latest tick of
    each), and the history of ticks on the playbook for the account. One query."""
    from .models import PlaybookActionTick

    history = list(
        PlaybookActionTick.objects.filter(
            account=account, version__playbook_id=version.playbook_id
        )
        .select_related("ticked_by", "version")
        .order_by("-ticked_at", "-id")
    )
    latest = {}
    for tick in history:
        if tick.version_id == version.pk:
            latest.setdefault(tick.action_number, tick)
    items = [
        ChecklistItem(number=number, text=text, latest=latest.get(number))
        for number, text in enumerate(version.action_lines(), start=1)
    ]
    return Checklist(account=account, version=version, items=items, history=history)


def playbook_versions(playbook: Playbook) -> list[PlaybookVersion]:
    """The playbook's versions, newest first, with their authors."""
    return list(
        playbook.versions.select_related("created_by", "reflection__member").order_by(
            "-number"
        )
    )


# --- training ---


@dataclass
class TrainingRow:
    """One module assigned to a member: its `status` (`training_status`: the
    earliest due date of its assignments, the attempts, the first pass) and the
    teams whose assignment reaches the member."""

    module: TrainingModule
    status: TrainingStatus
    team_names: list[str]

    due_date = property(lambda self: self.status.due_date)
    attempts = property(lambda self: self.status.attempts)
    passed_at = property(lambda self: self.status.passed_at)
    best_score = property(lambda self: self.status.best_score)
    is_overdue = property(lambda self: self.status.is_overdue)
    is_done = property(lambda self: self.status.is_passed)


def my_training(member: User, *, today: date | None = None) -> list[TrainingRow]:
    """The active modules assigned to the member (own and team assignments), one row
    per module ordered by journey and step."""
    assignments = list(
        assignments_for(member)
        .filter(module__is_active=True)
        .select_related("module__from_step__journey")
    )
    statuses = training_status([member.pk], {a.module_id for a in assignments})
    rows: dict[int, TrainingRow] = {}
    for assignment in assignments:
        row = rows.setdefault(
            assignment.module_id,
            TrainingRow(
                module=assignment.module,
                status=statuses[(member.pk, assignment.module_id)],
                team_names=[],
            ),
        )
        if assignment.team_id and assignment.team.name not in row.team_names:
            row.team_names.append(assignment.team.name)
    if today is not None:
        for row in rows.values():
            row.status = replace(row.status, today=today)
    return sorted(
        rows.values(),
        key=lambda row: (
            row.module.from_step.journey.name,
            row.module.from_step.position or 0,
            row.due_date or date.max,
            row.module.title,
        ),
    )


def module_page(module: TrainingModule, *, member: User) -> dict:
    """The module's quiz (questions with choices), the member's attempts and their
    `status` (`training_status`)."""
    from .models import QuizChoice, QuizQuestion

    questions = list(
        QuizQuestion.objects.filter(module=module)
        .order_by("position")
        .prefetch_related(
            Prefetch("choices", queryset=QuizChoice.objects.order_by("id"))
        )
    )
    attempts = list(
        TrainingCompletion.objects.filter(module=module, member=member).order_by(
            "-completed_at", "-id"
        )
    )
    status = training_status([member.pk], [module.pk])[(member.pk, module.pk)]
    return {"questions": questions, "attempts": attempts, "status": status}


@dataclass
class ModulePasser:
    member: User
    status: TrainingStatus


def module_passers(module: TrainingModule, members: QuerySet) -> list[ModulePasser]:
    """Where each of `members` (the people the viewer may follow, already scoped)
    stands on the module: passed (first pass first), not passed yet, not started.
    Four queries whatever the number of members and attempts."""
    people = list(members.order_by(*User._meta.ordering, "pk"))
    statuses = training_status([person.pk for person in people], [module.pk])
    rows = [
        ModulePasser(member=person, status=statuses[(person.pk, module.pk)])
        for person in people
    ]
    order = {TRAINING_PASSED: 0, TRAINING_NOT_PASSED: 1, TRAINING_NOT_STARTED: 2}
    # Stable: by name within a state, the earliest pass first among the passed.
    return sorted(
        rows,
        key=lambda row: (
            order[row.status.state],
            row.status.passed_at.timestamp() if row.status.passed_at else 0,
        ),
    )


@dataclass
class PracticumStep:
    step: Step
    reflection: PracticumReflection | None
    checks: list[str]

    @property
    def is_complete(self) -> bool:
        return bool(self.reflection and self.reflection.completed_at)


def practicum_walk(member: User, journey: Journey) -> list[PracticumStep]:
    """The journey's current steps in order with the member's reflection on each."""
    steps = Step.objects.filter(journey=journey, retired_at__isnull=True).order_by(
        "position"
    )
    reflections = {
        reflection.step_id: reflection
        for reflection in PracticumReflection.objects.filter(
            member=member, step__in=steps
        )
    }
    return [
        PracticumStep(
            step=step, reflection=reflections.get(step.pk), checks=step.done_checks()
        )
        for step in steps
    ]


def reflections_around(playbook: Playbook, *, viewer: User) -> QuerySet:
    """The reflections the viewer may read on the playbook's from-step and on the
    step after it, latest first."""
    from .permissions import visible_reflections

    from_step = playbook.from_step
    around = Q(pk=from_step.pk)
    if from_step.position is not None:
        around |= Q(
            journey_id=from_step.journey_id,
            position=from_step.position + 1,
            retired_at__isnull=True,
        )
    return (
        visible_reflections(viewer)
        .filter(step__in=Step.objects.filter(around))
        .select_related("member", "step")
        .order_by("-updated_at", "-id")
    )
