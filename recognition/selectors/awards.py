"""Reads: award programs, their periods, live leaderboards, the hall of fame and a
member's standings (`shared/METRICS.md`, Awards).

- A period of a program is a month or a fiscal quarter (the program's cadence),
  with the metric an admin set for it.
- The participants of a period are the users who held the Member role at some
  time while they belonged to a taking-part team during the period (a member
  promoted since still takes part in it).
- Participants whose denominator meets the program's minimum are ranked by value,
  compared as exact fractions (numerator/denominator) in the metric's direction;
  equal values share a rank (1, 1, 3) and the larger denominator is listed first
  among them; a program with "larger denominator breaks ties" ranks the larger
  denominator higher, so only equal values with equal denominators share a rank.
  A count metric (a flow metric) ranks by its count; its denominator (the accounts
  at the step, or the journey starts, in the period) is what the minimum applies
  to. Members with rank ≤ N win (ties can add winners).
- Until the period is closed its leaderboard is provisional. Closed periods keep
  the winners recorded at closing; when today's figures would rank differently, a
  note says so, and the recorded winners stay.
- Participants see the names, ranks and values of the eligible members; counts
  (numerator and denominator) only of the members whose figures they may see
  (`permissions.visible_members`: themselves, the members they coach; admins all).

`leaderboards()` builds any number of leaderboards in a fixed number of queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from fractions import Fraction

from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext, pgettext_lazy

from accounts.models import Role, RolePeriod, TeamMembership, User
from accounts.permissions import is_admin

from .. import metrics
from ..metrics import Metric, Period
from ..models import (
    AwardMetricChange,
    AwardPeriod,
    AwardProgram,
    AwardWinner,
    Cadence,
)
from ..permissions import visible_award_programs, visible_members
from . import figures
from .figures import FigureValue, exact_value

# How far ahead an admin may set metrics: the current period and the next ones.
MONTHS_AHEAD = 12
QUARTERS_AHEAD = 4


# --- Periods --------------------------------------------------------------------------


class Status:
    UPCOMING = "upcoming"
    RUNNING = "running"
    ENDED = "ended"
    CLOSED = "closed"


STATUS_LABELS = {
    Status.UPCOMING: _("Upcoming"),
    Status.RUNNING: _("Running"),
    Status.ENDED: _("Ended, not closed yet"),
    # "Closed" alone is a job opening's 募集終了: an award period is 締切.
    Status.CLOSED: pgettext_lazy("award period", "Closed"),
}


def _running_now(span: Period, today: date | None) -> Period:
    """Only the period holding today is running (a future one is not yet)."""
    current = metrics.this_month(today)
    return replace(span, running=span.first_month <= current <= span.last_month)


def span_of(period: AwardPeriod, *, today: date | None = None) -> Period:
    """The months of an award period as a `metrics.Period`."""
    if period.start.replace(day=1) == period.end.replace(day=1):
        span = metrics.month_period(period.start, today=today)
    else:
        span = metrics.quarter_period(*metrics.quarter_of(period.start), today=today)
    return _running_now(span, today)


def cadence_span(cadence: str, month: date, *, today: date | None = None) -> Period:
    """The month, or the fiscal quarter, of a cadence that holds `month`."""
    if cadence == Cadence.QUARTERLY:
        span = metrics.quarter_period(*metrics.quarter_of(month), today=today)
    else:
        span = metrics.month_period(month, today=today)
    return _running_now(span, today)


def current_span(cadence: str, *, today: date | None = None) -> Period:
    return cadence_span(cadence, metrics.this_month(today), today=today)


def parse_award_period(cadence: str, key: str, *, today: date | None = None) -> Period:
    """`2026-04` for a monthly program, `FY2026-Q1` for a quarterly one. Raises
    ValueError with a translated message."""
    span = metrics.parse_period(key, today=today)
    if cadence == Cadence.QUARTERLY and span.kind != metrics.PERIOD_QUARTER:
        raise ValueError(
            _("This award is quarterly: use a fiscal quarter, for example FY2026-Q1.")
        )
    if cadence == Cadence.MONTHLY and span.kind != metrics.PERIOD_MONTH:
        raise ValueError(
            _("This award is monthly: use a month (YYYY-MM), for example 2026-04.")
        )
    return _running_now(span, today)


def upcoming_spans(cadence: str, *, today: date | None = None) -> list[Period]:
    """The current period of the cadence and the next ones, in order."""
    current = current_span(cadence, today=today)
    step, count = (
        (3, QUARTERS_AHEAD) if cadence == Cadence.QUARTERLY else (1, MONTHS_AHEAD)
    )
    return [
        cadence_span(
            cadence, metrics.add_months(current.first_month, step * n), today=today
        )
        for n in range(count + 1)
    ]


def period_status(period: AwardPeriod, *, now: datetime) -> str:
    if period.closed_at is not None:
        return Status.CLOSED
    span = span_of(period)
    if now < span.start_at:
        return Status.UPCOMING
    if now < span.end_at:
        return Status.RUNNING
    return Status.ENDED


def award_metrics() -> list[Metric]:
    """The catalogue's metrics that can be an award metric: those with a
    denominator (active journeys only)."""
    return [metric for metric in metrics.catalogue() if metric.has_denominator]


def final_text(metric: Metric, span: Period) -> str:
    """When the metric's figure of the period becomes final (METRICS.md): on the
    period's end for a flow metric, by the end of its cohorts' last window for a
    cohort metric."""
    day = date_format(metric.final_at(span).astimezone(metrics.tz()), "DATE_FORMAT")
    if metric.window_days is None:
        return str(_("final on %(date)s, when the period ends") % {"date": day})
    return str(
        _("final by %(date)s, when the last window of its cohorts ends") % {"date": day}
    )


def _metric_group(metric: Metric) -> str:
    if metric.journey_id is None:
        return str(_("Every member"))
    if metric.is_flow:
        return str(_("Counts of the period (final when it ends)"))
    return str(_("Journey metrics"))


def final_dates(span: Period) -> list[tuple[str, list[tuple[str, str]]]]:
    """For the metric form: each award metric, grouped as in the select, with
    when its figure of `span` becomes final (so when the winners are known)."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for metric in award_metrics():
        groups.setdefault(_metric_group(metric), []).append(
            (str(metric.label), final_text(metric, span))
        )
    return list(groups.items())


def metric_choices(
    span: Period | None = None,
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Award metrics for a select, grouped: each journey's, then the members'; with
    `span`, each says when its figure of that period becomes final."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for metric in award_metrics():
        group = _metric_group(metric)
        label = str(metric.label)
        if span is not None:
            label = f"{label} — {final_text(metric, span)}"
        groups.setdefault(group, []).append((metric.key, label))
    return list(groups.items())


# --- Programs and periods -------------------------------------------------------------


def program_list(*, viewer, now: datetime | None = None) -> QuerySet:
    """The programs the viewer sees, each with its teams and its current period
    (`current_periods`, a list of at most one)."""
    today = timezone.localdate(now or timezone.now())
    current = AwardPeriod.objects.filter(start__lte=today, end__gte=today)
    return (
        visible_award_programs(viewer)
        .prefetch_related(
            "teams",
            Prefetch("periods", queryset=current, to_attr="current_periods"),
        )
        .order_by("-is_active", "name", "pk")
    )


def program_periods(*, program: AwardProgram) -> QuerySet:
    """A program's periods, latest first, with who set them, their metric changes
    and their recorded winners."""
    changes = AwardMetricChange.objects.select_related("changed_by").order_by(
        "changed_at", "pk"
    )
    winners = AwardWinner.objects.select_related("member").order_by(
        "rank", "-denominator", "pk"
    )
    return (
        program.periods.select_related("set_by", "program")
        .prefetch_related(
            Prefetch("metric_changes", queryset=changes),
            Prefetch("winners", queryset=winners),
        )
        .order_by("-start")
    )


def closed_periods(*, program: AwardProgram) -> QuerySet:
    return program_periods(program=program).filter(closed_at__isnull=False)


def catalogue_by_key(catalogue: list[Metric] | None = None) -> dict[str, Metric]:
    """Every metric by key, of `catalogue` when the caller read it
    (`metrics.catalogue(active_only=False)`)."""
    if catalogue is None:
        catalogue = metrics.catalogue(active_only=False)
    return {metric.key: metric for metric in catalogue}


def metric_label(key: str, catalogue: dict[str, Metric]) -> str:
    metric = catalogue.get(key)
    if metric is None:
        return str(_("%(key)s (no longer in the catalogue)") % {"key": key})
    return str(metric.label)


# --- Ranking --------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """One member on a leaderboard. `rank` is None for a member below the minimum
    denominator; `numerator` and `denominator` are None where the viewer may not see
    them (`counts_shown` False)."""

    member: User
    value: float | None
    numerator: int | None
    denominator: int | None
    rank: int | None = None
    is_winner: bool = False
    text: str = "—"
    counts_shown: bool = True
    # Distances (`with_distances`): the accounts still missing from the
    # denominator to qualify (0 once qualified; None when unknown to the viewer),
    # and, for a ranked member below rank 1, the place just above: its rank and
    # the exact gap in value to it (0 when only its larger denominator puts it
    # above, with "larger denominator breaks ties").
    to_qualify: int | None = None
    above_rank: int | None = None
    gap: Fraction | None = None
    gap_text: str = ""

    @property
    def counts(self) -> str:
        if not self.counts_shown or self.denominator is None:
            return ""
        if self.numerator is None:
            # A count metric: the count is the value; say what the minimum counts.
            return ngettext(
                "%(count)s account in the denominator",
                "%(count)s accounts in the denominator",
                self.denominator,
            ) % {"count": self.denominator}
        return f"{self.numerator}/{self.denominator}"


def _name_key(member: User) -> tuple:
    return (
        member.family_name_reading,
        member.given_name_reading,
        member.username,
        member.pk,
    )


def is_eligible(standing: Standing, minimum: int) -> bool:
    return (
        standing.value is not None
        and standing.denominator is not None
        and standing.denominator >= minimum
    )


def ranking_value(standing: Standing, metric: Metric) -> Fraction:
    """What a standing is ranked on, exactly: a count metric's count, any other
    metric's numerator/denominator."""
    if metric.is_count:
        return Fraction(standing.value)
    return exact_value(standing)


def rank_standings(
    standings: list[Standing],
    *,
    metric: Metric,
    minimum: int,
    winners: int,
    denominator_breaks_ties: bool = False,
) -> tuple[list[Standing], list[Standing]]:
    """(ranked eligible standings, the others), per METRICS.md: best value first
    by the metric's direction (a count metric by its count), the larger
    denominator first among equal values; equal values share a rank (1, 1, 3) —
    with `denominator_breaks_ties`, only equal values with equal denominators do,
    and the larger denominator ranks higher; rank ≤ `winners` wins."""
    eligible = [s for s in standings if is_eligible(s, minimum)]
    others = [s for s in standings if not is_eligible(s, minimum)]
    sign = -1 if metric.direction == metrics.HIGHER else 1
    eligible.sort(
        key=lambda s: (
            sign * ranking_value(s, metric),
            -s.denominator,
            _name_key(s.member),
        )
    )
    ranked, previous, rank = [], None, 0
    for position, standing in enumerate(eligible, start=1):
        value = ranking_value(standing, metric)
        if denominator_breaks_ties:
            value = (value, standing.denominator)
        if value != previous:
            rank, previous = position, value
        ranked.append(replace(standing, rank=rank, is_winner=rank <= winners))
    others.sort(key=lambda s: (-(s.denominator or 0), _name_key(s.member)))
    return ranked, others


def gap_text(metric: Metric, gap: Fraction) -> str:
    """A distance in value as people read it: 12.5 pt for a percentage, 2 for a
    count; "same value" when only the denominator separates two places."""
    if gap == 0:
        return str(_("same value, more accounts"))
    if metric.unit == metrics.Unit.PERCENT:
        return str(
            pgettext("percentage points", "%(points)s pt")
            % {"points": f"{float(gap) * 100:.1f}"}
        )
    return f"{float(gap):g}"


def with_distances(
    ranked: list[Standing], others: list[Standing], *, metric: Metric, minimum: int
) -> tuple[list[Standing], list[Standing]]:
    """The standings with their distances: to the place above for the ranked
    ones below rank 1 (the exact gap to the nearest better rank), and to the
    minimum denominator for everyone (0 once they qualify)."""
    done, above = [], None  # `above`: the last standing of the previous rank
    current_rank, last_of_rank = None, None
    for standing in ranked:
        if standing.rank != current_rank:
            above, current_rank = last_of_rank, standing.rank
        last_of_rank = standing
        gap = None
        if above is not None:
            gap = abs(ranking_value(above, metric) - ranking_value(standing, metric))
        done.append(
            replace(
                standing,
                to_qualify=0,
                above_rank=above.rank if above is not None else None,
                gap=gap,
                gap_text=gap_text(metric, gap) if gap is not None else "",
            )
        )
    waiting = [
        replace(standing, to_qualify=max(minimum - (standing.denominator or 0), 0))
        for standing in others
    ]
    return done, waiting


# --- Leaderboards ---------------------------------------------------------------------


@dataclass
class Leaderboard:
    period: AwardPeriod
    span: Period
    metric: Metric | None
    status: str
    standings: list[Standing]  # eligible, ranked
    not_eligible: list[Standing]  # below the minimum, those the viewer may see
    viewer_standing: Standing | None
    participants: int
    open_cohorts: bool  # some cohort is still provisional at `now`
    final_at: datetime | None  # when the last provisional cohort becomes final
    recorded_winners: list[Standing] = field(default_factory=list)
    changed_since_close: bool = False
    participant_ids: frozenset[int] = frozenset()

    @property
    def program(self) -> AwardProgram:
        return self.period.program

    @property
    def provisional(self) -> bool:
        """Until the period is closed, its standings may still change."""
        return self.period.closed_at is None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def metric_label(self) -> str:
        if self.metric is None:
            return str(
                _("%(key)s (no longer in the catalogue)") % {"key": self.period.metric}
            )
        return str(self.metric.label)

    @property
    def current_winners(self) -> list[Standing]:
        return [standing for standing in self.standings if standing.is_winner]

    @property
    def preview(self) -> list[Standing]:
        """For the dashboard: the winners' places (at least the top three)."""
        limit = max(self.period.program.winners, 3)
        return [s for s in self.standings if s.rank <= limit]

    @property
    def viewer_outside_preview(self) -> bool:
        standing = self.viewer_standing
        return standing is not None and standing not in self.preview


def _text(metric: Metric | None, value: float | None) -> str:
    if metric is None:
        return "—" if value is None else f"{value:g}"
    return metrics.format_value(metric, value)


def _is_open(figure: FigureValue, now: datetime) -> bool:
    return figure.provisional and (figure.final_at is None or figure.final_at > now)


def _participants(periods: list[AwardPeriod]) -> dict[int, dict[int, User]]:
    """period id → {member id: member}: users who held the Member role at some
    time while they belonged to a taking-part team during the period (METRICS.md:
    a member promoted since keeps the credit for the period's accounts, so they
    still rank). Three queries."""
    teams_of = defaultdict(set)
    through = AwardProgram.teams.through.objects.filter(
        awardprogram_id__in={period.program_id for period in periods}
    )
    for program_id, team_id in through.values_list("awardprogram_id", "team_id"):
        teams_of[program_id].add(team_id)
    found = {period.pk: {} for period in periods}
    team_ids = set().union(*teams_of.values()) if teams_of else set()
    if not team_ids:
        return found
    first = min(period.start for period in periods)
    last = max(period.end for period in periods)
    in_teams = TeamMembership.objects.during(first, last).filter(team_id__in=team_ids)
    memberships = list(in_teams.select_related("user"))
    # The Member role's periods of those users overlapping the periods' days.
    held = defaultdict(list)
    for user_id, started_at, ended_at in (
        RolePeriod.objects.filter(
            role=Role.MEMBER.value, user_id__in=in_teams.values("user_id")
        )
        .during(metrics.day_start(first), metrics.day_start(last + timedelta(days=1)))
        .order_by()
        .values_list("user_id", "started_at", "ended_at")
    ):
        held[user_id].append((started_at, ended_at))
    for period in periods:
        for membership in memberships:
            if membership.team_id not in teams_of[period.program_id]:
                continue
            # The days in the team during the period, and a Member role then.
            since = max(membership.start_date, period.start)
            until = min(membership.end_date or period.end, period.end)
            if since > until:
                continue
            start = metrics.day_start(since)
            end = metrics.day_start(until + timedelta(days=1))
            if any(
                (began is None or began < end) and (ended is None or ended > start)
                for began, ended in held[membership.user_id]
            ):
                found[period.pk][membership.user_id] = membership.user
    return found


def _figures(
    periods: list[AwardPeriod],
    participants: dict[int, dict[int, User]],
    catalogue: dict[str, Metric],
) -> dict[int, dict[int, FigureValue]]:
    """period id → {member id: figure}. Months read the monthly table in one query;
    each distinct quarter aggregates the per-account rows."""
    found = {period.pk: {} for period in periods}
    months, quarters = [], defaultdict(list)
    for period in periods:
        if period.metric not in catalogue or not participants[period.pk]:
            continue
        span = span_of(period)
        if span.kind == metrics.PERIOD_MONTH:
            months.append(period)
        else:
            quarters[span.key].append(period)
    if months:
        member_ids = set().union(*(participants[p.pk] for p in months))
        wanted = {catalogue[p.metric] for p in months}
        monthly = figures.member_monthly(
            member_ids=member_ids,
            metrics=list(wanted),
            months={p.start.replace(day=1) for p in months},
        )
        for period in months:
            month = period.start.replace(day=1)
            for member_id in participants[period.pk]:
                figure = monthly.get((member_id, period.metric, month))
                if figure is not None:
                    found[period.pk][member_id] = figure
    for group in quarters.values():
        member_ids = set().union(*(participants[p.pk] for p in group))
        wanted = {catalogue[p.metric] for p in group}
        values = figures.member_figures(
            member_ids=member_ids, metrics=list(wanted), period=span_of(group[0])
        )
        for period in group:
            for member_id in participants[period.pk]:
                figure = values.get((member_id, period.metric))
                if figure is not None:
                    found[period.pk][member_id] = figure
    return found


def counts_shown_to(viewer) -> set[int] | None:
    """Members whose counts the viewer sees; None for everyone."""
    if viewer is None or is_admin(viewer):
        return None
    return set(visible_members(viewer).values_list("pk", flat=True))


def _recorded(periods: list[AwardPeriod]) -> dict[int, list[AwardWinner]]:
    closed = [period.pk for period in periods if period.closed_at is not None]
    found = defaultdict(list)
    if closed:
        winners = (
            AwardWinner.objects.filter(period_id__in=closed)
            .select_related("member")
            .order_by("rank", "-denominator", "pk")
        )
        for winner in winners:
            found[winner.period_id].append(winner)
    return found


def leaderboards(
    *,
    periods,
    viewer=None,
    now: datetime | None = None,
    catalogue: list[Metric] | None = None,
) -> list[Leaderboard]:
    """The leaderboard of each period (with `program` selected), as the viewer may
    read it (None: everything, for the services). A fixed number of queries
    (`catalogue`: `metrics.catalogue(active_only=False)` when the caller has it)."""
    now = now or timezone.now()
    periods = list(periods)
    if not periods:
        return []
    catalogue = catalogue_by_key(catalogue)
    participants = _participants(periods)
    values = _figures(periods, participants, catalogue)
    shown = counts_shown_to(viewer)
    recorded = _recorded(periods)
    viewer_id = getattr(viewer, "pk", None)
    boards = []
    for period in periods:
        metric = catalogue.get(period.metric)
        program = period.program
        standings = [
            Standing(
                member=member,
                value=figure.value,
                numerator=figure.numerator,
                denominator=figure.denominator,
                text=_text(metric, figure.value),
            )
            for member_id, member in participants[period.pk].items()
            if (figure := values[period.pk].get(member_id)) is not None
        ]
        if metric is not None:
            ranked, others = rank_standings(
                standings,
                metric=metric,
                minimum=program.minimum_denominator,
                winners=program.winners,
                denominator_breaks_ties=program.larger_denominator_breaks_ties,
            )
            ranked, others = with_distances(
                ranked, others, metric=metric, minimum=program.minimum_denominator
            )
        else:
            ranked, others = [], []
        open_figures = [f for f in values[period.pk].values() if _is_open(f, now)]
        final_times = [f.final_at for f in open_figures if f.final_at is not None]
        stored = recorded.get(period.pk, [])
        changed = bool(stored) and metric is not None and _differs(stored, ranked)

        def masked(standing: Standing) -> Standing:
            if shown is None or standing.member.pk in shown:
                return standing
            return replace(
                standing, numerator=None, denominator=None, counts_shown=False
            )

        ranked = [masked(s) for s in ranked]
        visible_others = [s for s in others if shown is None or s.member.pk in shown]
        mine = [s for s in ranked + visible_others if s.member.pk == viewer_id]
        boards.append(
            Leaderboard(
                period=period,
                span=span_of(period),
                metric=metric,
                status=period_status(period, now=now),
                standings=ranked,
                not_eligible=visible_others,
                viewer_standing=mine[0] if mine else None,
                participants=len(participants[period.pk]),
                open_cohorts=bool(open_figures),
                final_at=max(final_times) if final_times else None,
                recorded_winners=[
                    masked(
                        Standing(
                            member=winner.member,
                            value=winner.value,
                            numerator=winner.numerator,
                            denominator=winner.denominator,
                            rank=winner.rank,
                            is_winner=True,
                            text=_text(metric, winner.value),
                        )
                    )
                    for winner in stored
                ],
                changed_since_close=changed,
                participant_ids=frozenset(participants[period.pk]),
            )
        )
    return boards


def _differs(stored: list[AwardWinner], ranked: list[Standing]) -> bool:
    """Would today's figures name other winners, ranks or counts? A count metric
    (no numerator) has its count as its value."""

    def key(member_id, winner) -> tuple:
        count = winner.value if winner.numerator is None else None
        return (member_id, winner.rank, winner.numerator, winner.denominator, count)

    today = sorted(key(s.member.pk, s) for s in ranked if s.is_winner)
    recorded = sorted(key(w.member_id, w) for w in stored)
    return today != recorded


def leaderboard(
    *, period: AwardPeriod, viewer=None, now: datetime | None = None
) -> Leaderboard:
    return leaderboards(periods=[period], viewer=viewer, now=now)[0]


def default_period(
    *, program: AwardProgram, now: datetime | None = None
) -> AwardPeriod | None:
    """The period a leaderboard opens on: the current one when it has a metric,
    else the latest that has started, else the next one."""
    today = timezone.localdate(now or timezone.now())
    periods = program.periods.select_related("program")
    return (
        periods.filter(start__lte=today).order_by("-start").first()
        or periods.order_by("start").first()
    )


# --- The dashboard and the member page ------------------------------------------------


@dataclass
class AwardsPanel:
    """The awards on a participant's dashboard: the current leaderboards, and for
    admins the active programs whose current period has no metric yet."""

    leaderboards: list[Leaderboard]
    unset_programs: list[AwardProgram]
    manages: bool


def participant_leaderboards(
    *, viewer, now: datetime | None = None, catalogue: list[Metric] | None = None
) -> AwardsPanel | None:
    """The running leaderboards of the active programs the viewer takes part in
    (or leads a team of; every one for admins). None when there is nothing to
    show. A fixed number of queries."""
    if not viewer.is_authenticated:
        return None
    now = now or timezone.now()
    today = timezone.localdate(now)
    programs = visible_award_programs(viewer).filter(is_active=True)
    manages = is_admin(viewer)
    if manages:
        # Admins also see the programs without a current period: read them.
        programs = list(programs.order_by("name", "pk"))
        if not programs:
            return None
    else:
        programs = programs.values("pk")
    current = list(
        AwardPeriod.objects.filter(
            program__in=programs, start__lte=today, end__gte=today
        )
        .select_related("program")
        .order_by("program__name", "program_id")
    )
    with_period = {period.program_id for period in current}
    unset = [p for p in programs if p.pk not in with_period] if manages else []
    if not current and not unset:
        return None
    return AwardsPanel(
        leaderboards=leaderboards(
            periods=current, viewer=viewer, now=now, catalogue=catalogue
        ),
        unset_programs=unset,
        manages=manages,
    )


@dataclass
class MemberStandings:
    """For the member page: where the member stands in the running periods of the
    programs they take part in, and the awards they won."""

    member: User
    running: list[Leaderboard]
    standings: list[tuple[Leaderboard, Standing | None]]
    wins: list[AwardWinner]
    win_count: int
    linked_program_ids: set[int]  # the programs the viewer may open


WINS_SHOWN = 10


def running_periods_of(member, today) -> QuerySet:
    """The periods running `today` of the active programs the member takes part in:
    a member of a taking-part team at some time during the period (the member
    page and the home list the same programs)."""
    # One filter(): conditions on a multi-valued relation in separate filter()
    # calls would each join it anew, so that another member's open membership
    # would count for one who left before the period.
    return AwardPeriod.objects.filter(
        Q(program__teams__memberships__end_date__isnull=True)
        | Q(program__teams__memberships__end_date__gte=F("start")),
        program__is_active=True,
        start__lte=today,
        end__gte=today,
        program__teams__memberships__user=member,
        program__teams__memberships__start_date__lte=F("end"),
    ).distinct()


def member_standings(
    *,
    member,
    viewer,
    now: datetime | None = None,
    catalogue: list[Metric] | None = None,
) -> MemberStandings | None:
    """The member's current ranks and wins, or None when they take part in no
    program and never won."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    visible = visible_award_programs(viewer)
    current = (
        running_periods_of(member, today)
        .filter(program__in=visible.values("pk"))
        .select_related("program")
    )
    wins = (
        AwardWinner.objects.filter(member=member, period__closed_at__isnull=False)
        .select_related("period__program")
        .order_by("-period__start", "period__program__name")
    )
    won = list(wins[: WINS_SHOWN + 1])
    boards = leaderboards(
        periods=current.order_by("program__name", "program_id"),
        viewer=viewer,
        now=now,
        catalogue=catalogue,
    )
    if not boards and not won:
        return None
    standings = []
    for board in boards:
        mine = [
            s for s in board.standings + board.not_eligible if s.member.pk == member.pk
        ]
        standings.append((board, mine[0] if mine else None))
    return MemberStandings(
        member=member,
        running=boards,
        standings=standings,
        wins=won[:WINS_SHOWN],
        win_count=wins.count() if len(won) > WINS_SHOWN else len(won),
        linked_program_ids=set(
            visible.filter(pk__in={win.period.program_id for win in won}).values_list(
                "pk", flat=True
            )
        )
        if won
        else set(),
    )


@dataclass(frozen=True)
class AwardStanding:
    """Where a member stands in one running award period (`member_standing`).

    `place` is their rank (None below the minimum denominator); `denominator` their
    denominator so far against the program's `minimum`, `to_qualify` the accounts
    still missing (0 once they qualify); `above_rank` and `gap` the nearest better
    place and the exact distance in value to it (`gap_text` as people read it);
    `final_at` when the period's figures become final (METRICS.md, from the metric);
    `provisional` until the period is closed."""

    program: AwardProgram
    period: AwardPeriod
    span: Period
    metric: Metric | None
    metric_label: str
    place: int | None
    is_winner: bool
    value: float | None
    text: str
    numerator: int | None
    denominator: int
    minimum: int
    to_qualify: int
    above_rank: int | None
    gap: Fraction | None
    gap_text: str
    ranked: int
    winners: int
    participants: int
    final_at: datetime | None
    provisional: bool = True

    @property
    def qualifies(self) -> bool:
        return self.to_qualify == 0 and self.place is not None

    @property
    def program_id(self) -> int:
        return self.program.pk


def member_standing(*, member, at: datetime | None = None) -> list[AwardStanding]:
    """For each running award period the member takes part in (active programs,
    a member of a taking-part team during the period), ordered by program name:
    their place, figure, denominator so far against the minimum to qualify and the
    distance to the place above. The member's own figures only (a fixed number of
    queries, whatever the number of programs or participants)."""
    at = at or timezone.now()
    today = timezone.localdate(at)
    periods = (
        running_periods_of(member, today)
        .filter(closed_at__isnull=True)
        .select_related("program")
        .order_by("program__name", "program_id")
    )
    found = []
    for board in leaderboards(periods=periods, viewer=member, now=at):
        if member.pk not in board.participant_ids:
            continue  # no Member role in a taking-part team during the period
        program = board.program
        mine = next(
            (
                s
                for s in board.standings + board.not_eligible
                if s.member.pk == member.pk
            ),
            None,
        )
        denominator = (mine.denominator or 0) if mine is not None else 0
        found.append(
            AwardStanding(
                program=program,
                period=board.period,
                span=board.span,
                metric=board.metric,
                metric_label=board.metric_label,
                place=mine.rank if mine is not None else None,
                is_winner=mine is not None and mine.is_winner,
                value=mine.value if mine is not None else None,
                text=mine.text if mine is not None else "—",
                numerator=mine.numerator if mine is not None else None,
                denominator=denominator,
                minimum=program.minimum_denominator,
                to_qualify=(
                    mine.to_qualify
                    if mine is not None and mine.to_qualify is not None
                    else max(program.minimum_denominator - denominator, 0)
                ),
                above_rank=mine.above_rank if mine is not None else None,
                gap=mine.gap if mine is not None else None,
                gap_text=mine.gap_text if mine is not None else "",
                ranked=len(board.standings),
                winners=program.winners,
                participants=board.participants,
                final_at=(
                    board.metric.final_at(board.span)
                    if board.metric is not None
                    else None
                ),
                provisional=board.provisional,
            )
        )
    return found


# --- Pages ----------------------------------------------------------------------------


@dataclass
class MetricChangeRow:
    change: AwardMetricChange
    old_label: str
    new_label: str


@dataclass
class PeriodRow:
    """A period as the program page lists it."""

    period: AwardPeriod
    span: Period
    status: str
    metric_label: str
    changes: list[MetricChangeRow]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def changeable(self) -> bool:
        return self.status != Status.CLOSED


def period_rows(periods, *, now: datetime | None = None) -> list[PeriodRow]:
    """Periods (from `program_periods`) with their status and readable metrics."""
    now = now or timezone.now()
    catalogue = catalogue_by_key()
    rows = []
    for period in periods:
        rows.append(
            PeriodRow(
                period=period,
                span=span_of(period),
                status=period_status(period, now=now),
                metric_label=metric_label(period.metric, catalogue),
                changes=[
                    MetricChangeRow(
                        change=change,
                        old_label=(
                            metric_label(change.old_metric, catalogue)
                            if change.old_metric
                            else str(_("none"))
                        ),
                        new_label=metric_label(change.new_metric, catalogue),
                    )
                    for change in period.metric_changes.all()
                ],
            )
        )
    return rows


def first_unset_span(
    spans: list[tuple[Period, AwardPeriod | None]], *, now: datetime | None = None
) -> Period | None:
    """Where the metric form opens: the next period that has no metric yet (one
    that has not started), else any period without one, else none."""
    now = now or timezone.now()
    unset = [span for span, period in spans if period is None]
    ahead = [span for span in unset if span.start_at > now]
    return (ahead or unset or [None])[0]


def settable_spans(
    *, program: AwardProgram, now: datetime | None = None
) -> list[tuple[Period, AwardPeriod | None]]:
    """The periods whose metric an admin may set or change, in order: the ended
    periods not closed yet, the current one and the next ones; each with its
    period when a metric is set."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    existing = {
        period.start: period
        for period in program.periods.filter(closed_at__isnull=True)
    }
    spans = upcoming_spans(program.cadence, today=today)
    first = spans[0].first_month
    earlier = [
        span_of(period, today=today)
        for start, period in sorted(existing.items())
        if start < first
    ]
    return [(span, existing.get(span.first_month)) for span in earlier + spans]
