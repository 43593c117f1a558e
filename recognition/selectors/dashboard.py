"""Reads: the manager dashboard, the member page and step retrospectives.

Every figure comes from the rollup through `page_figures` (monthly tables, or the
per-account rows of every scope at once for the team rate and longer periods), so
each page runs a fixed number of queries whatever the number of members, accounts
or events.

The "team" of every page is the team rate (METRICS.md): the team's pooled figure,
its members' converted accounts over their cohorts (`figures.team_rate_figures`);
the team's pools count only in the row that says "team incl. pools". A member's
cell stands out when it is worse (better) than the team rate of the same metric by
the metric's direction (`Metric.better`).

A member's weakest transition (`weakest`), the member page's and the dashboard's
"needs attention" alike: among the transitions whose member cohort has at least
`WEAKEST_MIN_COHORT` accounts and whose rate is below the team rate, the largest
shortfall (team rate − member rate) × member cohort, computed exactly; final
cohorts first, provisional ones only when no final one qualifies (then marked);
ties to the earlier step. None qualifies → none is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Window
from django.utils.translation import gettext as _
from django.utils.translation import npgettext, pgettext

from accounts.models import Role, RolePeriod, Team, TeamMembership, User
from accounts.permissions import managed_team_ids
from journeys.models import (
    Coverage,
    CustomerAccount,
    Journey,
    Playbook,
    PracticumReflection,
    Step,
    TrainingModule,
)
from journeys.permissions import (
    visible_accounts,
    visible_reflections,
    visible_training_modules,
)
from journeys.selectors import training_status, visible_playbooks

from .. import metrics
from ..metrics import Family, Metric, Period
from ..models import AccountTransition, ConversionKind, RollupRun, StepRetrospective
from ..permissions import (
    coaches_visible,
    is_admin,
    visible_members,
    visible_team_ids,
)
from ..permissions import (
    members as member_role,
)
from . import figures, page_figures
from .figures import FigureValue, exact_value

EMPTY = FigureValue(value=None)
# A weakest transition needs a member cohort of at least this many accounts.
WEAKEST_MIN_COHORT = 5
DEFAULT_PERIOD = "last-3"
TREND_MONTHS = 12
RECENT_RETROSPECTIVES = 5
# The heat map's colour: how far a cell is from the team rate, by the metric's
# direction, in five grades. A distance of this much (15 points of a rate) or more
# is the strong grade.
GRADE_STEP = Fraction(15, 100)
GRADES = ("worse-2", "worse-1", "even", "better-1", "better-2")
DEFAULT_SORT = "member"


# Structure of the journeys -------------------------------------------------------


@dataclass(frozen=True)
class Transition:
    """Step k → k+1 of a journey with its metrics and training modules."""

    step: Step
    next_step: Step
    conversion: Metric
    days: Metric
    modules: tuple[TrainingModule, ...] = ()

    @property
    def label(self) -> str:
        return metrics.transition_label(self.step, self.next_step)

    @property
    def short_label(self) -> str:
        return f"{self.step.position} → {self.next_step.position}"


@dataclass
class JourneyColumns:
    journey: Journey
    steps: list[Step]
    transitions: list[Transition]
    journey_conversion: Metric
    value_points: Metric | None

    @property
    def metrics(self) -> list[Metric]:
        found = [self.journey_conversion]
        for transition in self.transitions:
            found += [transition.conversion, transition.days]
        if self.value_points:
            found.append(self.value_points)
        return found


def journey_columns(
    *, modules: bool = True, steps_by_journey: dict | None = None
) -> list[JourneyColumns]:
    """The active journeys with at least one transition, their metrics and (when
    asked) the active training modules of each transition. Two queries (one given
    the `metrics.current_steps_by_journey()` the page read)."""
    if steps_by_journey is None:
        steps_by_journey = metrics.current_steps_by_journey()
    by_journey = {
        journey: steps
        for journey, steps in steps_by_journey.items()
        if journey.is_active and len(steps) >= 2
    }
    modules_by_step: dict[int, list[TrainingModule]] = {}
    if modules and by_journey:
        step_ids = [step.pk for steps in by_journey.values() for step in steps]
        for module in TrainingModule.objects.filter(
            is_active=True, from_step_id__in=step_ids
        ).order_by("-is_required", "title", "pk"):
            modules_by_step.setdefault(module.from_step_id, []).append(module)
    columns = []
    for journey, steps in by_journey.items():
        by_key = {m.key: m for m in metrics.journey_metrics(journey, steps)}
        transitions = [
            Transition(
                step=step,
                next_step=next_step,
                conversion=by_key[f"{Family.STEP_CONVERSION}:{step.pk}"],
                days=by_key[f"{Family.DAYS_TO_CONVERT}:{step.pk}"],
                modules=tuple(modules_by_step.get(step.pk, ())),
            )
            for step, next_step in zip(steps, steps[1:], strict=False)
        ]
        columns.append(
            JourneyColumns(
                journey=journey,
                steps=steps,
                transitions=transitions,
                journey_conversion=by_key[f"{Family.JOURNEY_CONVERSION}:{journey.pk}"],
                value_points=by_key.get(f"{Family.VALUE_POINTS_ON_TIME}:{journey.pk}"),
            )
        )
    return columns


def training_metric() -> Metric:
    return metrics.training_metric()


# Cells ------------------------------------------------------------------------------


@dataclass
class Cell:
    """One figure of a member (or of the team) as the dashboard shows it."""

    metric: Metric
    figure: FigureValue = EMPTY
    weak: bool = False
    strong: bool = False
    # The transition's training module the member has not completed (weak cells).
    module: TrainingModule | None = None
    # The distance to the team rate: its grade (`GRADES`, "" when not compared),
    # member − team exactly, and the team's figure it was compared with.
    grade: str = ""
    difference: Fraction | None = None
    team: FigureValue = EMPTY
    # "Final cohorts only" left out this provisional figure.
    hidden_provisional: bool = False

    @property
    def value(self) -> float | None:
        return self.figure.value

    @property
    def difference_display(self) -> str:
        """+10.0 pt, −21.4 pt (points of a rate); +7.5 d (days); "" uncompared."""
        if self.difference is None:
            return ""
        if self.metric.unit == metrics.Unit.PERCENT:
            number = f"{float(self.difference) * 100:+.1f}".replace("-", "\u2212")
            return pgettext("points of a rate", "%(value)s pt") % {"value": number}
        days = float(self.difference)
        number = f"{days:+g}".replace("-", "\u2212")
        count = int(abs(days)) if days.is_integer() else 2  # a fraction reads as plural
        return npgettext(
            "difference in days", "%(value)s day", "%(value)s days", count
        ) % {"value": number}

    @property
    def team_display(self) -> str:
        return metrics.format_value(self.metric, self.team.value)

    @property
    def display(self) -> str:
        return metrics.format_value(self.metric, self.figure.value)

    @property
    def has_counts(self) -> bool:
        return self.metric.is_conversion or self.metric.family in (
            Family.VALUE_POINTS_ON_TIME,
            Family.TRAINING_COMPLETION,
        )


@dataclass
class TransitionCells:
    transition: Transition
    conversion: Cell
    days: Cell


@dataclass
class Row:
    """A member's row of a journey table, or the team's (member None)."""

    member: User | None
    accounts_owned: int
    transitions: list[TransitionCells]
    journey: Cell
    value_points: Cell | None
    training: Cell
    # The viewer coaches this member: the row offers "add to plan".
    coached: bool = False

    def cells(self) -> list[Cell]:
        """In the order of the table's columns."""
        found = []
        for item in self.transitions:
            found += [item.conversion, item.days]
        found.append(self.journey)
        if self.value_points:
            found.append(self.value_points)
        found.append(self.training)
        return found

    def sort_value(self, key: str):
        """The value the column `key` (`sort_keys`) sorts this row by."""
        if key == "owned":
            return self.accounts_owned
        if key == "journey":
            return self.journey.value
        if key == "value_points":
            return self.value_points.value if self.value_points else None
        if key == "training":
            return self.training.value
        for item in self.transitions:
            if key == f"step-{item.transition.step.pk}":
                return item.conversion.value
        return None


@dataclass
class Attention:
    """The member and transition that need attention most: of the members' weakest
    transitions (`weakest`), the largest shortfall × cohort, final ones first."""

    row: Row
    cells: TransitionCells
    team: FigureValue

    @property
    def team_display(self) -> str:
        return metrics.format_value(self.cells.conversion.metric, self.team.value)


@dataclass
class Header:
    """A sortable column of a journey table; the view adds its link."""

    key: str
    label: str
    title: str = ""
    short: str = ""
    numeric: bool = False
    href: str = ""
    # "ascending" or "descending" when the table is sorted by this column.
    sorted: str = ""


@dataclass
class JourneyTable:
    columns: JourneyColumns
    rows: list[Row]
    team_row: Row
    attention: Attention | None
    # The team's figures with its pools' accounts, when they differ from the rate.
    pools_row: Row | None = None
    headers: list[Header] = field(default_factory=list)

    @property
    def journey(self) -> Journey:
        return self.columns.journey


def table_headers(columns: JourneyColumns) -> list[Header]:
    """The columns of a journey table, in order, with their sort keys."""
    headers = [
        Header("member", _("Member")),
        Header("owned", _("Accounts owned"), numeric=True),
    ]
    headers += [
        Header(
            f"step-{t.step.pk}",
            f"{t.step.name} → {t.next_step.name}",
            title=t.label,
            short=t.short_label,
        )
        for t in columns.transitions
    ]
    headers.append(Header("journey", _("Journey conversion")))
    if columns.value_points:
        headers.append(Header("value_points", _("Value points on time")))
    headers.append(Header("training", _("Training completion")))
    return headers


def sort_rows(rows: list[Row], sort: str, headers: list[Header]) -> None:
    """Sort the rows in place by `sort` ("key" ascending, "-key" descending; a key
    of `headers`, the members' order otherwise); rows without a value come last
    either way, ties keep the members' order. The header sorted by says so."""
    descending = sort.startswith("-")
    key = sort.removeprefix("-")
    by_key = {header.key: header for header in headers}
    if key not in by_key:
        key, descending = DEFAULT_SORT, False
    by_key[key].sorted = "descending" if descending else "ascending"
    if key == "member":
        if descending:
            rows.reverse()
    else:
        rows.sort(
            key=lambda row: (
                (value := row.sort_value(key)) is None,
                0 if value is None else (-value if descending else value),
            )
        )


def _row(
    member_or_team_id,
    *,
    member: User | None,
    columns: JourneyColumns,
    training: Metric,
    found: dict,
    accounts_owned: int,
    final_only: bool = False,
) -> Row:
    def cell(metric: Metric) -> Cell:
        figure = found.get((member_or_team_id, metric.key), EMPTY)
        if final_only and figure.provisional:
            return Cell(metric, EMPTY, hidden_provisional=True)
        return Cell(metric, figure)

    return Row(
        member=member,
        accounts_owned=accounts_owned,
        transitions=[
            TransitionCells(t, cell(t.conversion), cell(t.days))
            for t in columns.transitions
        ],
        journey=cell(columns.journey_conversion),
        value_points=cell(columns.value_points) if columns.value_points else None,
        training=cell(training),
    )


def grade(metric: Metric, member: FigureValue, team: FigureValue) -> str:
    """The heat map's grade of a member's figure against the team rate (`GRADES`):
    worse or better by the metric's direction, by less than `GRADE_STEP` (…-1) or
    by at least that much (…-2), computed exactly; "even" when equal; "" when
    either has no figure."""
    if member.value is None or team.value is None:
        return ""
    return _grade(metric, exact_value(member), exact_value(team))


def _grade(metric: Metric, member: Fraction, team: Fraction) -> str:
    """`grade` of two exact values."""
    distance = member - team
    if metric.direction == metrics.LOWER:
        distance = -distance
    if metric.unit != metrics.Unit.PERCENT:
        # Days: the distance relative to the team's (15 % slower is "-2").
        distance = distance / team if team else distance
    if distance == 0:
        return "even"
    side = "better" if distance > 0 else "worse"
    return f"{side}-{2 if abs(distance) >= GRADE_STEP else 1}"


def _mark(rows: list[Row], team_row: Row, passed: set[tuple[int, int]]) -> None:
    """Grade each cell against the team rate of the same metric (`grade`) and flag
    those worse (weak) or better (strong); a weak transition carries the first of
    its modules the member has not completed."""
    team = {cell.metric.key: cell.figure for cell in team_row.cells()}
    # Each team figure made exact once, not once per member.
    exact = {
        key: exact_value(figure)
        for key, figure in team.items()
        if figure.value is not None
    }
    for row in rows:
        for cell in row.cells():
            key = cell.metric.key
            cell.team = team.get(key, EMPTY)
            if cell.figure.value is None or key not in exact:
                continue
            member = exact_value(cell.figure)
            cell.grade = _grade(cell.metric, member, exact[key])
            cell.difference = member - exact[key]
            cell.weak = cell.grade.startswith("worse")
            cell.strong = cell.grade.startswith("better")
        for item in row.transitions:
            if item.conversion.weak:
                item.conversion.module = next(
                    (
                        module
                        for module in item.transition.modules
                        if (row.member.pk, module.pk) not in passed
                    ),
                    None,
                )


def shortfall(member: FigureValue, team: FigureValue) -> Fraction | None:
    """(team rate − member rate) × member cohort, exactly, when the transition
    qualifies as a weakness: a cohort of at least `WEAKEST_MIN_COHORT` accounts
    below the team rate. None otherwise."""
    if member.value is None or team.value is None:
        return None
    if (member.denominator or 0) < WEAKEST_MIN_COHORT:
        return None
    found = (exact_value(team) - exact_value(member)) * member.denominator
    return found if found > 0 else None


def weakest(candidates, *, member, team, position):
    """The weakest of `candidates` by the rule of the module docstring: `member`,
    `team` and `position` read a candidate's member figure, team figure and step
    position. None when none qualifies."""
    scored = [
        (score, item)
        for item in candidates
        if (score := shortfall(member(item), team(item))) is not None
    ]
    final = [(score, item) for score, item in scored if not member(item).provisional]
    chosen = final or scored
    if not chosen:
        return None
    return max(chosen, key=lambda found: (found[0], -position(found[1])))[1]


def _attention(rows: list[Row], team_row: Row) -> Attention | None:
    """Each member's weakest transition, then the weakest of those: final before
    provisional, the largest shortfall × cohort, the earlier step, the member
    listed first."""
    team = {item.transition.step.pk: item.conversion for item in team_row.transitions}
    found = []
    for index, row in enumerate(rows):
        item = weakest(
            row.transitions,
            member=lambda cells: cells.conversion.figure,
            team=lambda cells: team[cells.transition.step.pk].figure,
            position=lambda cells: cells.transition.step.position,
        )
        if item is not None:
            score = shortfall(
                item.conversion.figure, team[item.transition.step.pk].figure
            )
            found.append((index, row, item, score))
    if not found:
        return None
    index, row, item, _score = max(
        found,
        key=lambda entry: (
            not entry[2].conversion.figure.provisional,
            entry[3],
            -entry[2].transition.step.position,
            -entry[0],
        ),
    )
    return Attention(row=row, cells=item, team=team[item.transition.step.pk].figure)


# Dashboard --------------------------------------------------------------------------


@dataclass
class Dashboard:
    team: Team
    period: Period
    members: list[User]
    tables: list[JourneyTable]
    last_run: RollupRun | None
    has_journeys: bool = False
    final_only: bool = False
    # A team without members of its own in the period: its sub-teams to open.
    subteams: list[Team] = field(default_factory=list)


def period_members(*, viewer: User, team: Team, period: Period) -> list[User]:
    """The members of the team during the period whom the viewer sees
    (`permissions.visible_members`: members today), by reading: those who
    belonged to the team and held the Member role at some time during the period
    (one who became a member after it has no figures there)."""
    during = (
        TeamMembership.objects.during(period.first_month, period.last_day)
        .filter(team=team)
        .values("user_id")
    )
    held = RolePeriod.objects.filter(user_id=OuterRef("pk"), role=Role.MEMBER).during(
        period.start_at, period.end_at
    )
    return list(
        visible_members(viewer)
        .filter(Exists(held), pk__in=during)
        .order_by("family_name_reading", "given_name_reading", "username", "pk")
    )


def accounts_owned(member_ids: list[int]) -> dict[tuple[int, int], int]:
    """(member id, journey id) → the active accounts the member owns today."""
    # Each open period's account looked up by its key (its journey, none when
    # inactive), in the index of active accounts' journeys alone
    # (`journeys_account_active_jrn`): joined instead, PostgreSQL hashed every
    # account of the organisation for a team's few hundred.
    journey = (
        CustomerAccount.objects.filter(pk=OuterRef("account_id"), is_active=True)
        .order_by()
        .values("journey_id")
    )
    rows = (
        Coverage.objects.filter(ended_at__isnull=True, owner_id__in=member_ids)
        .values("owner_id", journey_of_account=Subquery(journey))
        # Counted by account (never empty): the open periods' index on (owner,
        # account) answers without reading the table.
        .annotate(count=Count("account"))
        .order_by()
    )
    return {
        (row["owner_id"], row["journey_of_account"]): row["count"]
        for row in rows
        if row["journey_of_account"] is not None
    }


def passed_modules(member_ids: list[int], modules) -> set[tuple[int, int]]:
    """(member id, module id) of the modules each member passed, as
    `journeys.selectors.training_status` says (the one reading of training)."""
    module_ids = [module.pk for module in modules]
    return {
        key
        for key, status in training_status(
            member_ids, module_ids, with_due=False
        ).items()
        if status.is_passed
    }


def dashboard(
    *,
    viewer: User,
    team: Team,
    period: Period,
    sort: str = DEFAULT_SORT,
    final_only: bool = False,
    steps_by_journey: dict | None = None,
) -> Dashboard:
    """One table per active journey: a row per member of the team during the period
    (sorted by `sort`, `sort_rows`), then the team's own figures. With `final_only`
    the provisional figures are left out (and so never the weakest).
    `steps_by_journey`: the `metrics.current_steps_by_journey()` the page read."""
    members = period_members(viewer=viewer, team=team, period=period)
    all_columns = journey_columns(steps_by_journey=steps_by_journey)
    run = figures.last_run()
    page = Dashboard(
        team=team,
        period=period,
        members=members,
        tables=[],
        last_run=run,
        has_journeys=bool(all_columns),
        final_only=final_only,
    )
    if not members:
        page.subteams = list(
            Team.objects.filter(parent=team, pk__in=visible_team_ids(viewer)).order_by(
                "name", "pk"
            )
        )
    if not all_columns:
        return page
    training = training_metric()
    wanted = [m for columns in all_columns for m in columns.metrics] + [training]
    member_ids = [member.pk for member in members]
    read = page_figures.team_figures(
        member_ids=member_ids,
        team_id=team.pk,
        wanted=wanted,
        period=period,
        as_of=page_figures.as_of_run(run),
    )
    found, team_found, with_pools = read.members, read.rate, read.with_pools
    owned = accounts_owned(member_ids)
    modules = [m for c in all_columns for t in c.transitions for m in t.modules]
    passed = passed_modules(member_ids, modules)
    # The members shown are the viewer's visible members: the viewer (a member)
    # and those they coach (`permissions.coaches_visible`).
    coached = {member.pk for member in members if coaches_visible(viewer, member)}
    for columns in all_columns:
        journey_id = columns.journey.pk
        rows = [
            _row(
                member.pk,
                member=member,
                columns=columns,
                training=training,
                found=found,
                accounts_owned=owned.get((member.pk, journey_id), 0),
                final_only=final_only,
            )
            for member in members
        ]
        for row in rows:
            row.coached = row.member.pk in coached
        team_row = _row(
            team.pk,
            member=None,
            columns=columns,
            training=training,
            found=team_found,
            accounts_owned=sum(row.accounts_owned for row in rows),
            final_only=final_only,
        )
        _mark(rows, team_row, passed)
        pools_row = _row(
            team.pk,
            member=None,
            columns=columns,
            training=training,
            found={**team_found, **with_pools},
            accounts_owned=team_row.accounts_owned,
            final_only=final_only,
        )
        # The attention first: its ties go to the member listed first by name.
        attention = _attention(rows, team_row)
        headers = table_headers(columns)
        sort_rows(rows, sort, headers)
        page.tables.append(
            JourneyTable(
                columns=columns,
                rows=rows,
                team_row=team_row,
                attention=attention,
                pools_row=pools_row if _differs(pools_row, team_row) else None,
                headers=headers,
            )
        )
    # Journeys the team does not work on (another coverage model) are left out,
    # unless no journey has anything yet: the members are listed all the same.
    worked_on = [
        table
        for table in page.tables
        if table.team_row.accounts_owned
        or any(
            cells.conversion.value is not None for cells in table.team_row.transitions
        )
    ]
    page.tables = worked_on or page.tables
    return page


def _differs(row: Row, other: Row) -> bool:
    return [cell.figure for cell in row.cells()] != [
        cell.figure for cell in other.cells()
    ]


def default_team(
    teams: list[Team], viewer: User, *, period: Period | None = None
) -> Team | None:
    """The team the dashboard opens on: the first team the viewer leads in person,
    else the first team; of those, the first with members during the `period`
    (an admin's first team is often a parent team without members of its own).
    One query."""
    own = [team for team in teams if team.leader_id == viewer.pk]
    ordered = own + [team for team in teams if team not in own]
    if period is not None and ordered:
        staffed = set(
            TeamMembership.objects.during(period.first_month, period.last_day)
            .filter(
                team_id__in=[team.pk for team in ordered],
                user__in=member_role().values("pk"),
            )
            .values_list("team_id", flat=True)
        )
        with_members = [team for team in ordered if team.pk in staffed]
        ordered = with_members or ordered
    return (ordered or [None])[0]


# Drill-down: the accounts of a member × transition cohort ----------------------------


@dataclass
class CohortAccount:
    row: AccountTransition
    # The viewer sees the account itself (its page links).
    visible: bool
    # Not converted and its window still open at the rollup: it may still convert.
    open: bool

    @property
    def account(self):
        return self.row.account


@dataclass
class CohortPage:
    member: User
    transition: Transition
    period: Period
    accounts: list[CohortAccount]
    figure: FigureValue
    last_run: RollupRun | None

    @property
    def display(self) -> str:
        return metrics.format_value(self.transition.conversion, self.figure.value)


def find_transition(step_id: int | None) -> Transition | None:
    """The current transition from this step of an active journey (two queries)."""
    return next(
        (
            transition
            for columns in journey_columns(modules=False)
            for transition in columns.transitions
            if transition.step.pk == step_id
        ),
        None,
    )


def cohort_accounts(
    *, viewer: User, member: User, transition: Transition, period: Period
) -> CohortPage:
    """The accounts of the member's cohort of `transition` in `period` (METRICS.md:
    first reach of the step in the period, credited to the member), the converted
    ones marked: the rows the dashboard's cell counts, with the cell's figure. The
    caller checked the viewer sees the member. Four queries."""
    rows = list(
        AccountTransition.objects.filter(
            member=member,
            kind=ConversionKind.STEP,
            from_step=transition.step,
            cohort_month__in=period.months,
        )
        .select_related("account")
        .order_by("reached_at", "pk")
    )
    run = figures.last_run()
    as_of = run.as_of if run else None
    visible = set(
        visible_accounts(viewer)
        .filter(pk__in=[row.account_id for row in rows])
        .values_list("pk", flat=True)
    )
    accounts = [
        CohortAccount(
            row=row,
            visible=row.account_id in visible,
            open=not row.converted and (as_of is None or row.window_ends_at > as_of),
        )
        for row in rows
    ]
    # The cell's own figure (the rollup's), so that the page says what the cell said.
    figure = figures.member_figures(
        member_ids=[member.pk], metrics=[transition.conversion], period=period
    ).get((member.pk, transition.conversion.key), EMPTY)
    return CohortPage(
        member=member,
        transition=transition,
        period=period,
        accounts=accounts,
        figure=figure,
        last_run=run,
    )


# CSV export of the heat map ----------------------------------------------------------


def heatmap_header() -> list[str]:
    return [
        _("Journey"),
        _("Member"),
        _("Metric"),
        pgettext("figure", "Value"),
        _("Unit"),
        _("Numerator"),
        _("Denominator"),
        _("Provisional"),
        _("Final on"),
        _("Team rate"),
        _("Difference from the team rate"),
        _("Grade"),
    ]


def _number(metric: Metric, value) -> float | None:
    if value is None:
        return None
    if metric.unit == metrics.Unit.PERCENT:
        return round(float(value) * 100, 1)
    return round(float(value), 1)


def _unit(metric: Metric) -> str:
    if metric.unit == metrics.Unit.PERCENT:
        return "%"
    if metric.unit == metrics.Unit.DAYS:
        return _("days")
    return ""


def heatmap_rows(page: Dashboard):
    """The dashboard's tables as CSV rows, one per member (then the team) and
    figure, in the order of the page."""
    team_label = _("%(team)s: team rate") % {"team": page.team.name}
    for table in page.tables:
        for row in [*table.rows, table.team_row]:
            name = row.member.display_name if row.member else team_label
            for cell in row.cells():
                figure = cell.figure
                yield [
                    table.journey.name,
                    name,
                    cell.metric.label,
                    _number(cell.metric, figure.value),
                    _unit(cell.metric),
                    figure.numerator,
                    figure.denominator,
                    _("provisional hidden")
                    if cell.hidden_provisional
                    else figure.provisional,
                    figure.final_at,
                    _number(cell.metric, cell.team.value) if row.member else None,
                    _number(cell.metric, cell.difference),
                    cell.grade,
                ]


# Member page ------------------------------------------------------------------------


@dataclass
class MemberTransition:
    transition: Transition
    member: FigureValue
    team: FigureValue
    member_days: FigureValue
    team_days: FigureValue
    playbook: Playbook | None
    module: TrainingModule | None
    module_passed: bool

    @property
    def conversion_display(self) -> str:
        return metrics.format_value(self.transition.conversion, self.member.value)

    @property
    def team_display(self) -> str:
        return metrics.format_value(self.transition.conversion, self.team.value)


@dataclass
class TrendPoint:
    month: date
    member: FigureValue
    team: FigureValue
    running: bool


@dataclass
class Trend:
    transition: Transition
    points: list[TrendPoint]

    @property
    def has_data(self) -> bool:
        return any(
            point.member.value is not None or point.team.value is not None
            for point in self.points
        )


@dataclass
class MemberPage:
    member: User
    period: Period
    team: Team | None
    journeys: list[Journey]
    columns: JourneyColumns | None
    transitions: list[MemberTransition]
    journey: FigureValue
    team_journey: FigureValue
    value_points: FigureValue
    team_value_points: FigureValue
    training: FigureValue
    training_metric: Metric
    accounts_owned: int
    weakest: MemberTransition | None
    trends: list[Trend]
    reflections: list[PracticumReflection]
    retrospectives: list[StepRetrospective]
    retrospective_count: int
    last_run: RollupRun | None

    @property
    def journey_display(self) -> str:
        return self._format(self.columns.journey_conversion, self.journey)

    @property
    def team_journey_display(self) -> str:
        return self._format(self.columns.journey_conversion, self.team_journey)

    @property
    def value_points_display(self) -> str:
        return self._format(self.columns.value_points, self.value_points)

    @property
    def team_value_points_display(self) -> str:
        return self._format(self.columns.value_points, self.team_value_points)

    @property
    def training_display(self) -> str:
        return self._format(self.training_metric, self.training)

    @staticmethod
    def _format(metric: Metric | None, figure: FigureValue) -> str:
        return metrics.format_value(metric, figure.value) if metric else "—"


def member_weakest(transitions: list[MemberTransition]) -> MemberTransition | None:
    """The member page's weakest transition, by the one rule (`weakest`)."""
    return weakest(
        transitions,
        member=lambda item: item.member,
        team=lambda item: item.team,
        position=lambda item: item.transition.step.position,
    )


def comparison_team(member: User, period: Period, *, viewer: User) -> Team | None:
    """The team the member belonged to latest during the period, when the viewer
    sees that team's figures."""
    membership = (
        TeamMembership.objects.during(period.first_month, period.last_day)
        .filter(user=member)
        .select_related("team")
        .order_by("-start_date", "-pk")
        .first()
    )
    if membership is None:
        return None
    # Teams the viewer sees: every one (admins), the ones they lead (no query
    # more), the ones they belong to (`permissions.visible_teams`).
    if not (
        is_admin(viewer)
        or membership.team_id in managed_team_ids(viewer)
        or membership.team_id in visible_team_ids(viewer)
    ):
        return None
    return membership.team


def trend_months(*, today: date | None = None) -> list[date]:
    current = metrics.this_month(today)
    return [
        metrics.add_months(current, n - TREND_MONTHS + 1) for n in range(TREND_MONTHS)
    ]


def _default_journey(all_columns, found, member_id) -> JourneyColumns:
    """The journey where the member has the largest cohorts in the period."""

    def size(columns: JourneyColumns) -> int:
        return sum(
            found.get((member_id, t.conversion.key), EMPTY).denominator or 0
            for t in columns.transitions
        )

    return max(all_columns, key=size)


def member_page(
    *,
    viewer: User,
    member: User,
    period: Period,
    journey_id: int | None = None,
    today: date | None = None,
    steps_by_journey: dict | None = None,
) -> MemberPage:
    """The member's figures over the period beside their team's, the monthly trend
    per transition, the weakest transition and what they wrote.
    `steps_by_journey`: the `metrics.current_steps_by_journey()` the page read."""
    all_columns = journey_columns(steps_by_journey=steps_by_journey)
    training = training_metric()
    team = comparison_team(member, period, viewer=viewer)
    wanted = [m for columns in all_columns for m in columns.metrics] + [training]
    run = figures.last_run()
    months = trend_months(today=today)
    read = page_figures.member_figures(
        member_id=member.pk,
        team_id=team.pk if team else None,
        wanted=wanted,
        period=period,
        trend_months=months,
        as_of=page_figures.as_of_run(run),
        # The trend of the journey shown, read before the journey is chosen.
        trend_metrics=[t.conversion for c in all_columns for t in c.transitions],
    )
    found, team_found = read.member, read.rate
    columns = next((c for c in all_columns if c.journey.pk == journey_id), None) or (
        _default_journey(all_columns, found, member.pk) if all_columns else None
    )
    # The latest ones and how many there are, in one query.
    recent_retrospectives = list(
        StepRetrospective.objects.filter(member=member)
        .select_related("from_step__journey", "commented_by")
        .annotate(retrospective_total=Window(Count("pk")))[:RECENT_RETROSPECTIVES]
    )
    page = MemberPage(
        member=member,
        period=period,
        team=team,
        journeys=[c.journey for c in all_columns],
        columns=columns,
        transitions=[],
        journey=EMPTY,
        team_journey=EMPTY,
        value_points=EMPTY,
        team_value_points=EMPTY,
        training=found.get((member.pk, training.key), EMPTY),
        training_metric=training,
        accounts_owned=0,
        weakest=None,
        trends=[],
        reflections=[],
        retrospectives=recent_retrospectives,
        retrospective_count=recent_retrospectives[0].retrospective_total
        if recent_retrospectives
        else 0,
        last_run=run,
    )
    if columns is None:
        return page
    step_ids = [t.step.pk for t in columns.transitions]
    playbooks = {
        playbook.from_step_id: playbook
        for playbook in visible_playbooks(viewer).filter(from_step_id__in=step_ids)
    }
    readable_modules = set(
        visible_training_modules(viewer)
        .filter(from_step_id__in=step_ids)
        .values_list("pk", flat=True)
    )
    modules = [m for t in columns.transitions for m in t.modules]
    passed = passed_modules([member.pk], modules)
    for transition in columns.transitions:
        module = next((m for m in transition.modules if m.pk in readable_modules), None)
        page.transitions.append(
            MemberTransition(
                transition=transition,
                member=found.get((member.pk, transition.conversion.key), EMPTY),
                team=team_found.get((team.pk, transition.conversion.key), EMPTY)
                if team
                else EMPTY,
                member_days=found.get((member.pk, transition.days.key), EMPTY),
                team_days=team_found.get((team.pk, transition.days.key), EMPTY)
                if team
                else EMPTY,
                playbook=playbooks.get(transition.step.pk),
                module=module,
                module_passed=module is not None and (member.pk, module.pk) in passed,
            )
        )
    page.weakest = member_weakest(page.transitions)
    page.journey = found.get((member.pk, columns.journey_conversion.key), EMPTY)
    if team:
        page.team_journey = team_found.get(
            (team.pk, columns.journey_conversion.key), EMPTY
        )
    if columns.value_points:
        page.value_points = found.get((member.pk, columns.value_points.key), EMPTY)
        if team:
            page.team_value_points = team_found.get(
                (team.pk, columns.value_points.key), EMPTY
            )
    page.accounts_owned = accounts_owned([member.pk]).get(
        (member.pk, columns.journey.pk), 0
    )
    page.trends = _trends(
        columns,
        member=member,
        team=team,
        months=months,
        monthly=read.member_monthly,
        team_monthly=read.rate_monthly,
    )
    page.reflections = list(
        visible_reflections(viewer)
        .filter(member=member, step__journey=columns.journey)
        .select_related("step")
        .order_by("step__position", "step_id")
    )
    return page


def _trends(columns, *, member, team, months, monthly, team_monthly) -> list[Trend]:
    """The member's conversions by month (`monthly`, the monthly table) beside the
    team rate's (`team_monthly`), both read with the page's figures."""
    current = max(months)
    return [
        Trend(
            transition=t,
            points=[
                TrendPoint(
                    month=month,
                    member=monthly.get((member.pk, t.conversion.key, month), EMPTY),
                    team=team_monthly.get((team.pk, t.conversion.key, month), EMPTY)
                    if team
                    else EMPTY,
                    running=month >= current,
                )
                for month in months
            ],
        )
        for t in columns.transitions
    ]


# Step retrospectives ----------------------------------------------------------------


def visible_retrospectives(viewer: User) -> QuerySet:
    """Retrospectives of the members whose figures the viewer sees."""
    return StepRetrospective.objects.filter(
        member__in=visible_members(viewer).values("pk")
    ).select_related("member", "from_step__journey", "commented_by")


@dataclass
class TransitionChoice:
    transition: Transition
    figure: FigureValue

    @property
    def display(self) -> str:
        return metrics.format_value(self.transition.conversion, self.figure.value)


def retrospective_transitions(
    *, member: User, period: Period
) -> list[TransitionChoice]:
    """Every transition of the active journeys, the member's worst conversions over
    the period first (ties: the larger cohort), then those without a figure."""
    all_columns = journey_columns(modules=False)
    transitions = [t for columns in all_columns for t in columns.transitions]
    found = figures.member_figures(
        member_ids=[member.pk],
        metrics=[t.conversion for t in transitions],
        period=period,
    )
    choices = [
        TransitionChoice(t, found.get((member.pk, t.conversion.key), EMPTY))
        for t in transitions
    ]
    with_figure = sorted(
        (c for c in choices if c.figure.value is not None),
        key=lambda c: (c.figure.value, -(c.figure.denominator or 0)),
    )
    return with_figure + [c for c in choices if c.figure.value is None]
