"""Read-only sections of the home page (`config.home`) from the management pillar:
a member's figures, weakest transition, award standing and plan actions; a
leader's attention list, plans, readiness; the admin's organisation, award
metrics not set and rollup status.

Built on the selectors (`dashboard.weakest`/`shortfall`, `figures`, `awards`,
`development`, `promotion`) and scoped through `permissions`: a member reads only
their own figures, a leader those of the members they coach. Every function runs a
fixed number of queries, whatever the number of members, accounts or events.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, TeamMembership, User
from accounts.permissions import managed_team_ids
from config.queries import first_and_count
from journeys.models import Playbook, TrainingModule
from journeys.permissions import visible_training_modules
from journeys.selectors import visible_playbooks

from . import metrics, permissions
from .metrics import Family, Metric, Period
from .models import (
    AccountTransition,
    AwardPeriod,
    AwardProgram,
    ConversionKind,
    MemberLevel,
    PlanAction,
    RollupChange,
    RollupRun,
)
from .selectors import awards, development, figures, page_figures, promotion
from .selectors.dashboard import (
    EMPTY,
    WEAKEST_MIN_COHORT,
    Transition,
    journey_columns,
    passed_modules,
    shortfall,
    training_metric,
    weakest,
)
from .selectors.figures import FigureValue

# Plan actions due within this many days show on the home (overdue ones always).
ACTIONS_DUE_DAYS = 14
# A plan without a check-in for this many days is due for one.
CHECK_IN_DAYS = 30
# Conversion windows closing within this many days are "about to close".
CLOSING_DAYS = 14
# Promotions recorded within this many days are readiness changes.
PROMOTED_DAYS = 30
# A rollup run not finished after this long failed or hangs.
STALLED_AFTER = timedelta(hours=1)
ROLLUP_TASK = "recognition.tasks.rollup_metrics"
SHOWN = 8


def quarter_periods(*, today: date | None = None) -> tuple[Period, Period]:
    """(the running fiscal quarter, the one before)."""
    current = metrics.this_month(today)
    running = metrics.quarter_period(*metrics.quarter_of(current), today=today)
    before = metrics.add_months(running.first_month, -3)
    return running, metrics.quarter_period(*metrics.quarter_of(before), today=today)


def _display(metric: Metric | None, figure: FigureValue) -> str:
    return metrics.format_value(metric, figure.value) if metric else "—"


# --- Member: own figures and weakest transition ---------------------------------------


@dataclass
class FigurePair:
    member: FigureValue
    team: FigureValue
    metric: Metric

    @property
    def member_display(self) -> str:
        return _display(self.metric, self.member)

    @property
    def team_display(self) -> str:
        return _display(self.metric, self.team)

    @property
    def counts(self) -> str:
        figure = self.member
        if figure.numerator is None or not figure.denominator:
            return ""
        return f"{figure.numerator}/{figure.denominator}"


@dataclass
class FigureLine:
    label: str
    journey_name: str
    last: FigurePair
    running: FigurePair

    @property
    def has_figure(self) -> bool:
        return any(
            figure.value is not None
            for pair in (self.last, self.running)
            for figure in (pair.member, pair.team)
        )


@dataclass
class WeakestTransition:
    transition: Transition
    period: Period
    member: FigureValue
    team: FigureValue
    playbook: Playbook | None
    module: TrainingModule | None
    module_passed: bool

    @property
    def member_display(self) -> str:
        return _display(self.transition.conversion, self.member)

    @property
    def team_display(self) -> str:
        return _display(self.transition.conversion, self.team)


@dataclass
class MemberFigures:
    running: Period
    last: Period
    team: Team | None
    lines: list[FigureLine]
    weakest: WeakestTransition | None
    last_run: RollupRun | None
    min_cohort: int = WEAKEST_MIN_COHORT

    @property
    def has_figures(self) -> bool:
        return any(
            line.last.member.value is not None or line.running.member.value is not None
            for line in self.lines
        )

    @property
    def has_provisional(self) -> bool:
        """Whether any of the member's figures shown is provisional (the legend)."""
        return any(
            pair.member.provisional
            for line in self.lines
            for pair in (line.last, line.running)
        )


def member_figures(
    *, member: User, viewer: User, today: date | None = None
) -> MemberFigures | None:
    """The member's figures over the running and the last fiscal quarter beside
    their team rate, and their weakest transition (the last quarter's, else the
    running one's) with its playbook and training. None unless the viewer sees the
    member's figures."""
    if not permissions.visible_members(viewer).filter(pk=member.pk).exists():
        return None
    running, last = quarter_periods(today=today)
    all_columns = journey_columns()
    training = training_metric()
    wanted = [m for columns in all_columns for m in columns.metrics] + [training]
    team = _latest_team(member, viewer=viewer, period=running)
    # Read as the member page reads them (a few queries a period, as of the
    # last rollup run), not metric family by family.
    as_of = page_figures.as_of_run(figures.last_run())
    reads = {
        period.key: page_figures.member_figures(
            member_id=member.pk,
            team_id=team.pk if team else None,
            wanted=wanted,
            period=period,
            trend_months=[],
            as_of=as_of,
        )
        for period in (running, last)
    }

    def pair(metric: Metric, period: Period) -> FigurePair:
        read = reads[period.key]
        return FigurePair(
            member=read.member.get((member.pk, metric.key), EMPTY),
            team=read.rate.get((team.pk, metric.key), EMPTY) if team else EMPTY,
            metric=metric,
        )

    lines = []
    for columns in all_columns:
        for metric in (columns.journey_conversion, columns.value_points):
            if metric is not None:
                lines.append(
                    FigureLine(
                        label=str(_family_label(metric)),
                        journey_name=columns.journey.name,
                        last=pair(metric, last),
                        running=pair(metric, running),
                    )
                )
    # A journey neither the member nor the team works on says nothing.
    lines = [line for line in lines if line.has_figure]
    lines.append(
        FigureLine(
            label=str(training.label),
            journey_name="",
            last=pair(training, last),
            running=pair(training, running),
        )
    )
    return MemberFigures(
        running=running,
        last=last,
        team=team,
        lines=lines,
        weakest=_member_weakest(
            member,
            viewer=viewer,
            transitions=[t for c in all_columns for t in c.transitions],
            candidates=[(last, pair), (running, pair)],
        ),
        last_run=figures.last_run(),
    )


def _family_label(metric: Metric) -> str:
    if metric.family == Family.JOURNEY_CONVERSION:
        return _("Journey conversion")
    return _("Value points on time")


def _latest_team(member: User, *, viewer: User, period: Period) -> Team | None:
    """The team the member belongs to latest (up to the period's end), when the
    viewer sees it."""
    membership = (
        TeamMembership.objects.filter(user=member, start_date__lte=period.last_day)
        .select_related("team")
        .order_by("-start_date", "-pk")
        .first()
    )
    if membership is None:
        return None
    if membership.team_id not in permissions.visible_team_ids(viewer):
        return None
    return membership.team


def _member_weakest(member, *, viewer, transitions, candidates):
    """The weakest transition (`dashboard.weakest`) of the first period that has
    one, with the playbook and the first module the viewer may open."""
    chosen = None
    for period, pair in candidates:
        item = weakest(
            transitions,
            member=lambda t, p=period, f=pair: f(t.conversion, p).member,
            team=lambda t, p=period, f=pair: f(t.conversion, p).team,
            position=lambda t: t.step.position,
        )
        if item is not None:
            chosen = (period, item, pair(item.conversion, period))
            break
    if chosen is None:
        return None
    period, transition, figures_pair = chosen
    playbook = visible_playbooks(viewer).filter(from_step=transition.step).first()
    readable = set(
        visible_training_modules(viewer)
        .filter(from_step=transition.step)
        .values_list("pk", flat=True)
    )
    modules = [m for m in transition.modules if m.pk in readable]
    passed = passed_modules([member.pk], modules)
    module = next(
        (m for m in modules if (member.pk, m.pk) not in passed),
        modules[0] if modules else None,
    )
    return WeakestTransition(
        transition=transition,
        period=period,
        member=figures_pair.member,
        team=figures_pair.team,
        playbook=playbook,
        module=module,
        module_passed=module is not None and (member.pk, module.pk) in passed,
    )


# --- Member: award standing -----------------------------------------------------------


def award_standing(
    *, member: User, now: datetime | None = None
) -> list[awards.AwardStanding]:
    """Where the member stands in each running award period they take part in,
    with the accounts missing to qualify and the gap to the place above
    (`awards.member_standing`: their own figures only)."""
    return awards.member_standing(member=member, at=now)


# --- Member: plan actions -------------------------------------------------------------


@dataclass
class ActionsDue:
    actions: list[PlanAction]
    count: int
    today: date
    days: int = ACTIONS_DUE_DAYS


def plan_actions_due(*, member: User, today: date | None = None) -> ActionsDue:
    """The open actions of the member's development plan that are overdue or due
    within `ACTIONS_DUE_DAYS` days, the earliest first. Two queries at most."""
    today = today or timezone.localdate()
    actions = PlanAction.objects.filter(
        plan__member=member,
        done_at__isnull=True,
        due_date__lte=today + timedelta(days=ACTIONS_DUE_DAYS),
    ).order_by("due_date", "pk")
    shown, count = first_and_count(actions, SHOWN)
    return ActionsDue(actions=shown, count=count, today=today)


# --- Manager: attention list ----------------------------------------------------------


@dataclass
class WeakCell:
    member: User
    transition: Transition
    member_figure: FigureValue
    team_figure: FigureValue
    score: Fraction

    @property
    def member_display(self) -> str:
        return _display(self.transition.conversion, self.member_figure)

    @property
    def team_display(self) -> str:
        return _display(self.transition.conversion, self.team_figure)


@dataclass
class ClosingWindow:
    member: User
    transition_label: str
    accounts: int
    closes_at: datetime


@dataclass
class Attention:
    period: Period
    weak_cells: list[WeakCell]
    closing: list[ClosingWindow]
    closing_days: int = CLOSING_DAYS


def coached(viewer: User) -> list[User]:
    """The members the viewer coaches (their teams' members; every member for an
    admin), by reading. One query (and the scope's)."""
    return list(
        permissions.coached_members(viewer).order_by(
            "family_name_reading", "given_name_reading", "username", "pk"
        )
    )


def attention(
    *, viewer: User, members: list[User], now: datetime | None = None
) -> Attention:
    """The team's attention list: each coached member's weakest transition over the
    last fiscal quarter (as on the member's home) against their team's rate (the
    largest shortfall × cohort first, final before provisional), and the
    conversion windows about to close on accounts not converted yet."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    _running, period = quarter_periods(today=today)
    page = Attention(period=period, weak_cells=[], closing=[])
    if not members:
        return page
    member_ids = [member.pk for member in members]
    team_of = _team_of(member_ids, managed_team_ids(viewer), today)
    transitions = [t for c in journey_columns(modules=False) for t in c.transitions]
    conversions = [t.conversion for t in transitions]
    if transitions and team_of:
        found = figures.member_figures(
            member_ids=member_ids, metrics=conversions, period=period
        )
        team_found = figures.team_rate_figures(
            team_ids=set(team_of.values()), metrics=conversions, period=period
        )
        for member in members:
            team_id = team_of.get(member.pk)
            if team_id is None:
                continue

            def mine(t, member_id=member.pk):
                return found.get((member_id, t.conversion.key), EMPTY)

            def theirs(t, team_id=team_id):
                return team_found.get((team_id, t.conversion.key), EMPTY)

            item = weakest(
                transitions,
                member=mine,
                team=theirs,
                position=lambda t: t.step.position,
            )
            if item is not None:
                page.weak_cells.append(
                    WeakCell(
                        member=member,
                        transition=item,
                        member_figure=mine(item),
                        team_figure=theirs(item),
                        score=shortfall(mine(item), theirs(item)),
                    )
                )
    page.weak_cells.sort(key=lambda cell: (cell.member_figure.provisional, -cell.score))
    page.weak_cells = page.weak_cells[:SHOWN]
    page.closing = _closing_windows(members, transitions, now=now)
    return page


def _team_of(member_ids, team_ids: set[int], today: date) -> dict[int, int]:
    """member id → the led team (sub-teams included) they belong to today."""
    if not team_ids:
        return {}
    found = {}
    for user_id, team_id in (
        TeamMembership.objects.active_on(today)
        .filter(user_id__in=member_ids, team_id__in=team_ids)
        .order_by("start_date", "pk")
        .values_list("user_id", "team_id")
    ):
        found.setdefault(user_id, team_id)
    return found


def _closing_windows(members, transitions, *, now) -> list[ClosingWindow]:
    """Per member and transition: the accounts whose conversion window closes
    within `CLOSING_DAYS` days without a conversion (from the rollup). One query."""
    by_id = {member.pk: member for member in members}
    labels = {t.step.pk: t.label for t in transitions}
    rows = (
        AccountTransition.objects.filter(
            member_id__in=list(by_id),
            kind=ConversionKind.STEP,
            converted=False,
            window_ends_at__gt=now,
            window_ends_at__lte=now + timedelta(days=CLOSING_DAYS),
            from_step_id__in=list(labels),
        )
        .values("member_id", "from_step_id")
        .annotate(accounts=Count("pk"), closes_at=Min("window_ends_at"))
        .order_by("closes_at", "member_id", "from_step_id")
    )
    return [
        ClosingWindow(
            member=by_id[row["member_id"]],
            transition_label=labels[row["from_step_id"]],
            accounts=row["accounts"],
            closes_at=row["closes_at"],
        )
        for row in rows[:SHOWN]
    ]


# --- Manager: plans and readiness -----------------------------------------------------


@dataclass
class PlanDue:
    member: User
    overdue_actions: int
    open_actions: int
    last_check_in: date | None
    check_in_due: bool
    has_plan: bool


def plans_due(*, viewer: User, today: date | None = None) -> list[PlanDue]:
    """The coached members whose plan has overdue actions or no check-in for
    `CHECK_IN_DAYS` days (`development.plan_overview`). One query (and the
    scope's)."""
    today = today or timezone.localdate()
    cutoff = today - timedelta(days=CHECK_IN_DAYS)
    rows = development.plan_overview(viewer=viewer).filter(
        pk__in=permissions.coached_members(viewer).values("pk"),
        plan_id__isnull=False,
    )
    rows = rows.filter(
        Q(overdue_action_count__gt=0)
        | Q(last_check_in__isnull=True)
        | Q(last_check_in__lt=cutoff)
    )
    found = [
        PlanDue(
            member=row,
            overdue_actions=row.overdue_action_count or 0,
            open_actions=row.open_action_count or 0,
            last_check_in=row.last_check_in,
            check_in_due=row.last_check_in is None or row.last_check_in < cutoff,
            has_plan=True,
        )
        for row in rows
    ]
    found.sort(key=lambda item: (-item.overdue_actions, item.last_check_in or date.min))
    return found[:SHOWN]


@dataclass
class ReadinessChanges:
    ready: list[promotion.Readiness]
    promoted: list[MemberLevel]
    days: int = PROMOTED_DAYS

    @property
    def is_empty(self) -> bool:
        return not self.ready and not self.promoted


def readiness_changes(
    *, members: list[User], today: date | None = None
) -> ReadinessChanges:
    """The coached members ready for the next level now (every criterion met), and
    the promotions recorded within `PROMOTED_DAYS` days."""
    today = today or timezone.localdate()
    ready = [row for row in promotion.readiness_for(members).values() if row.ready]
    promoted = list(
        MemberLevel.objects.filter(
            member__in=[member.pk for member in members],
            since__gte=today - timedelta(days=PROMOTED_DAYS),
        )
        .select_related("member", "level")
        .order_by("-since", "-pk")[:SHOWN]
    )
    return ReadinessChanges(ready=ready[:SHOWN], promoted=promoted)


# --- Admin: the organisation ----------------------------------------------------------


@dataclass
class JourneyFigures:
    conversion: FigurePair
    value_points: FigurePair | None


@dataclass
class TeamAward:
    program: AwardProgram
    status_label: str
    has_metric: bool
    winners: int  # members of the team in a winning place now


@dataclass
class TeamRow:
    team: Team
    members: int
    journeys: list[JourneyFigures]
    training: FigurePair
    awards: list[TeamAward] = field(default_factory=list)


@dataclass
class Organisation:
    period: Period
    journeys: list  # JourneyColumns of the active journeys
    rows: list[TeamRow]
    last_run: RollupRun | None

    @property
    def has_provisional(self) -> bool:
        """Whether any team figure shown is provisional (the legend)."""
        return any(
            pair is not None and pair.member.provisional
            for row in self.rows
            for pair in (
                row.training,
                *(item.conversion for item in row.journeys),
                *(item.value_points for item in row.journeys),
            )
        )


def organisation(*, viewer: User, now: datetime | None = None) -> Organisation | None:
    """One row per team (admins only): the team rate of each active journey's
    conversion and value points on time, training completion over the last fiscal
    quarter, and where the team's award programs stand now."""
    if not permissions.is_admin(viewer):
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    _running, period = quarter_periods(today=today)
    teams = list(Team.objects.order_by("name", "pk"))
    all_columns = journey_columns(modules=False)
    training = training_metric()
    wanted = [training]
    for columns in all_columns:
        wanted.append(columns.journey_conversion)
        if columns.value_points:
            wanted.append(columns.value_points)
    team_ids = [team.pk for team in teams]
    found = (
        figures.team_rate_figures(team_ids=team_ids, metrics=wanted, period=period)
        if teams
        else {}
    )
    members_now = {}
    for team_id, user_id in (
        TeamMembership.objects.active_on(today)
        .filter(user__in=permissions.members().values("pk"))
        .values_list("team_id", "user_id")
    ):
        members_now.setdefault(team_id, set()).add(user_id)

    def pair(team_id, metric):
        return FigurePair(
            member=found.get((team_id, metric.key), EMPTY),
            team=EMPTY,
            metric=metric,
        )

    # Journeys no team has a figure of are left out, unless none has any.
    worked_on = [
        columns
        for columns in all_columns
        if any(
            key == columns.journey_conversion.key and figure.value is not None
            for (_team_id, key), figure in found.items()
        )
    ]
    all_columns = worked_on or all_columns
    rows = [
        TeamRow(
            team=team,
            members=len(members_now.get(team.pk, ())),
            journeys=[
                JourneyFigures(
                    conversion=pair(team.pk, columns.journey_conversion),
                    value_points=pair(team.pk, columns.value_points)
                    if columns.value_points
                    else None,
                )
                for columns in all_columns
            ],
            training=pair(team.pk, training),
        )
        for team in teams
    ]
    _team_awards(rows, members_now, viewer=viewer, now=now)
    return Organisation(
        period=period, journeys=all_columns, rows=rows, last_run=figures.last_run()
    )


def _team_awards(rows: list[TeamRow], members_now, *, viewer, now) -> None:
    """Each team's active programs: the running period's status (or no metric set
    yet) and how many of its members hold a winning place now."""
    today = timezone.localdate(now)
    programs = list(
        AwardProgram.objects.filter(is_active=True)
        .prefetch_related("teams")
        .order_by("name", "pk")
    )
    if not programs:
        return
    current = list(
        AwardPeriod.objects.filter(
            program__in=programs, start__lte=today, end__gte=today
        ).select_related("program")
    )
    boards = {
        board.period.program_id: board
        for board in awards.leaderboards(periods=current, viewer=viewer, now=now)
    }
    by_team = {row.team.pk: row for row in rows}
    for program in programs:
        board = boards.get(program.pk)
        winners = {s.member.pk for s in board.current_winners} if board else set()
        for team in program.teams.all():
            row = by_team.get(team.pk)
            if row is None:
                continue
            row.awards.append(
                TeamAward(
                    program=program,
                    status_label=board.status_label if board else "",
                    has_metric=board is not None,
                    winners=len(winners & members_now.get(team.pk, set())),
                )
            )


@dataclass
class UnsetPeriod:
    program: AwardProgram
    span: Period


def unset_award_periods(
    *, viewer: User, today: date | None = None
) -> list[UnsetPeriod]:
    """The running and the next period of every active program whose metric is not
    set yet (admins only; they set it). Two queries."""
    if not permissions.manages_recognition(viewer):
        return []
    today = today or timezone.localdate()
    programs = list(AwardProgram.objects.filter(is_active=True).order_by("name", "pk"))
    if not programs:
        return []
    starts = set(
        AwardPeriod.objects.filter(program__in=programs, end__gte=today).values_list(
            "program_id", "start"
        )
    )
    found = []
    for program in programs:
        for span in awards.upcoming_spans(program.cadence, today=today)[:2]:
            if (program.pk, span.first_month) not in starts:
                found.append(UnsetPeriod(program=program, span=span))
    return found


# --- Admin: the rollup ----------------------------------------------------------------


@dataclass
class RollupStatus:
    last_run: RollupRun | None
    next_run_at: datetime | None
    scheduled: bool  # the periodic task exists and is enabled
    stalled: list[RollupRun]  # started, not finished after `STALLED_AFTER`
    pending_changes: int  # writes the next run will take in


def rollup_status(*, now: datetime | None = None) -> RollupStatus:
    """The last finished run, when the next one is due (its django-celery-beat
    schedule), runs that never finished and the changes waiting. Four queries."""
    from django_celery_beat.models import PeriodicTask

    now = now or timezone.now()
    last = figures.last_run()
    task = (
        PeriodicTask.objects.filter(task=ROLLUP_TASK)
        .select_related("crontab", "interval")
        .order_by("-enabled", "pk")
        .first()
    )
    next_run_at = None
    if task is not None and task.enabled:
        try:
            remaining = task.schedule.remaining_estimate(now)
            # Measured against the schedule's own clock, a moment later than
            # `now`: the run falls on a whole minute.
            next_run_at = (now + remaining + timedelta(seconds=30)).replace(
                second=0, microsecond=0
            )
        except (AttributeError, TypeError, ValueError):
            next_run_at = None
    stalled_since = last.started_at if last else None
    stalled = RollupRun.objects.filter(
        finished_at__isnull=True, started_at__lt=now - STALLED_AFTER
    )
    if stalled_since is not None:
        stalled = stalled.filter(started_at__gt=stalled_since)
    watermark = last.started_at if last else None
    changes = RollupChange.objects.all()
    if watermark is not None:
        changes = changes.filter(changed_at__gte=watermark)
    return RollupStatus(
        last_run=last,
        next_run_at=next_run_at,
        scheduled=task is not None and task.enabled,
        stalled=list(stalled.order_by("-started_at")[:SHOWN]),
        pending_changes=changes.count(),
    )
