"""The monthly success-sharing meeting: for a month, by team, the customer outcomes
reached (measures of success plans reached by a reading of that month,
`journeys.success.measures_reached_in`) and the value points reached
(`AccountValuePoint` rows reached in the month, credited as the rollup stored
them), and the success stories managers featured for the month
(`journeys.stories.featured_by_team`). Teams are those the viewer sees
(`accounts.permissions.visible_teams`: admins all, leaders theirs, members their
own). An outcome counts for the team of its account's current owner (or of its
pool), a story for its author's team. With a viewer, an outcome or value point
of an account they do not see (`journeys.permissions.visible_accounts`: a
teammate's, or one of a team a member left) is counted, not shown: its plan and
its name are for those who see the account. A handful of queries, whatever the
size."""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import Team, TeamMembership, display_name
from journeys import stories, success
from journeys.models import Coverage, SuccessMeasure
from journeys.permissions import visible_accounts

from .models import AccountValuePoint


@dataclass
class TeamSharing:
    team: Team
    outcomes: list = field(default_factory=list)  # SuccessMeasure rows, annotated
    value_points: list = field(default_factory=list)  # AccountValuePoint rows
    stories: list = field(default_factory=list)  # featured SuccessStory rows
    # Reached on accounts the viewer does not see: counted, not shown.
    hidden_outcomes: int = 0
    hidden_value_points: int = 0

    @property
    def on_time_count(self) -> int:
        return sum(1 for row in self.value_points if row.on_time)


@dataclass
class SharingMeeting:
    month: date
    teams: list[TeamSharing]

    @property
    def is_empty(self) -> bool:
        return not any(
            team.outcomes or team.value_points or team.stories for team in self.teams
        )


def _outcomes(month: date, team_ids: list[int], today: date):
    coverage = Coverage.objects.filter(
        account=OuterRef("plan__account_id"), ended_at__isnull=True
    ).order_by("-started_at")
    owner_team = (
        TeamMembership.objects.active_on(today)
        .filter(user_id=OuterRef("owner_id"))
        .order_by("team_id")
        .values("team_id")[:1]
    )
    measures = SuccessMeasure.objects.select_related("plan__account").annotate(
        owner_id=Subquery(coverage.values("owner_id")[:1]),
        owner_family=Subquery(coverage.values("owner__family_name")[:1]),
        owner_given=Subquery(coverage.values("owner__given_name")[:1]),
        owner_username=Subquery(coverage.values("owner__username")[:1]),
        pool_team_id=Subquery(coverage.values("pool__team_id")[:1]),
    )
    measures = measures.annotate(
        team_id=Coalesce(Subquery(owner_team), F("pool_team_id"))
    ).filter(team_id__in=team_ids)
    return success.measures_reached_in(month, measures).order_by(
        "plan__account__name", "position", "id"
    )


def _seen_accounts(viewer, account_ids: set[int]) -> set[int] | None:
    """Which of the accounts the viewer sees (None: no viewer, all shown)."""
    if viewer is None:
        return None
    if not account_ids:
        return set()
    return set(
        visible_accounts(viewer).filter(pk__in=account_ids).values_list("pk", flat=True)
    )


def sharing_meeting(
    *, teams, month: date, today: date | None = None, viewer=None
) -> SharingMeeting:
    """The meeting's content for `month` (its first day) and `teams` (a
    queryset of the teams shown); with `viewer`, the stories featured, each
    showing its account and author only as far as the viewer may see them."""
    today = today or timezone.localdate()
    start, end = success.month_bounds(month)
    sections = {team.pk: TeamSharing(team=team) for team in teams.order_by("name")}
    team_ids = list(sections)
    outcomes = list(_outcomes(start, team_ids, today))
    zone = timezone.get_current_timezone()
    reached = list(
        AccountValuePoint.objects.filter(
            team_id__in=team_ids,
            reached_at__gte=datetime.combine(start, time(), tzinfo=zone),
            reached_at__lt=datetime.combine(end, time(), tzinfo=zone),
        )
        .select_related("account", "step", "member")
        .order_by("reached_at", "id")
    )
    seen = _seen_accounts(
        viewer,
        {m.plan.account_id for m in outcomes} | {r.account_id for r in reached},
    )
    for measure in outcomes:
        if seen is not None and measure.plan.account_id not in seen:
            sections[measure.team_id].hidden_outcomes += 1
            continue
        measure.owner_name = (
            display_name(
                measure.owner_family, measure.owner_given, measure.owner_username
            )
            if measure.owner_id
            else ""
        )
        sections[measure.team_id].outcomes.append(measure)
    for row in reached:
        if seen is not None and row.account_id not in seen:
            sections[row.team_id].hidden_value_points += 1
            continue
        sections[row.team_id].value_points.append(row)
    if viewer is not None:
        featured = stories.featured_by_team(
            viewer, month=start, team_ids=team_ids, today=today
        )
        for team_id, team_stories in featured.items():
            sections[team_id].stories = team_stories
    return SharingMeeting(month=start, teams=list(sections.values()))
