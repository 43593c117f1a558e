"""Reads of users and teams, scoped to who asks (see `permissions`)."""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.models import Group
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from . import permissions
from .models import Team, TeamMembership, User

# Span of control (DOMAIN.md): a new leader can lead 6 direct reports at most,
# an experienced one (a year or more as leader) 12; 8–12 is the healthy range.
NEW_LEADER_MAX_REPORTS = 6
EXPERIENCED_LEADER_MAX_REPORTS = 12
HEALTHY_MIN_REPORTS = 8


@dataclass(frozen=True)
class SpanOfControl:
    direct_reports: int
    leader_is_experienced: bool
    leader_since: date | None

    @property
    def recommended_max(self) -> int:
        if self.leader_is_experienced:
            return EXPERIENCED_LEADER_MAX_REPORTS
        return NEW_LEADER_MAX_REPORTS

    @property
    def over_limit(self) -> bool:
        return self.direct_reports > self.recommended_max

    @property
    def below_healthy_range(self) -> bool:
        return self.leader_is_experienced and self.direct_reports < HEALTHY_MIN_REPORTS


def _one_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def leader_is_experienced(leader: User, *, on: date) -> bool:
    """A leader with one year or more as leader; unknown experience counts as new."""
    return (
        leader.leader_since is not None and _one_year_after(leader.leader_since) <= on
    )


def _current_members(day: date) -> QuerySet:
    return TeamMembership.objects.active_on(day).select_related("user")


def _with_member_count(teams: QuerySet, day: date) -> QuerySet:
    active = Q(memberships__start_date__lte=day) & (
        Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=day)
    )
    return teams.annotate(
        member_count=Count("memberships", filter=active, distinct=True)
    )


def team_list(*, viewer: User, on: date | None = None) -> QuerySet:
    """Visible teams with their member count and whether their parent is visible."""
    day = on or timezone.localdate()
    visible = permissions.visible_teams(viewer, on=day)
    teams = visible.select_related("leader", "parent").annotate(
        parent_visible=Exists(visible.filter(pk=OuterRef("parent_id")))
    )
    return _with_member_count(teams, day).order_by("name")


def team_get(*, viewer: User, pk: int, on: date | None = None) -> Team:
    """The team with its current members, sub-teams and past members prefetched.

    Raises Team.DoesNotExist when the viewer may not see it.
    """
    day = on or timezone.localdate()
    teams = permissions.visible_teams(viewer, on=day).select_related("leader", "parent")
    return (
        _with_member_count(teams, day)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=_current_members(day).order_by(
                    "user__family_name_reading", "user__given_name_reading"
                ),
                to_attr="current_memberships",
            ),
            Prefetch(
                "memberships",
                queryset=TeamMembership.objects.filter(end_date__lt=day)
                .select_related("user")
                .order_by("-end_date"),
                to_attr="past_memberships",
            ),
            Prefetch(
                "children",
                queryset=Team.objects.select_related("leader").order_by("name"),
            ),
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class TeamPage:
    """A team as its page shows it to one viewer."""

    team: Team
    span: SpanOfControl | None
    parent_visible: bool
    sub_teams: list[Team]
    visible_user_ids: frozenset[int]
    may_see_history: bool


def team_page(*, viewer: User, pk: int, on: date | None = None) -> TeamPage:
    """Raises Team.DoesNotExist when the viewer may not see the team."""
    day = on or timezone.localdate()
    team = team_get(viewer=viewer, pk=pk, on=day)
    children = list(team.children.all())
    shown_users = {m.user_id for m in team.current_memberships}
    shown_users |= {m.user_id for m in team.past_memberships}
    shown_users |= {child.leader_id for child in children} | {team.leader_id}
    visible_users = permissions.visible_users(viewer, on=day).filter(pk__in=shown_users)
    visible_teams = set(
        permissions.visible_teams(viewer, on=day)
        .filter(pk__in={child.pk for child in children} | {team.parent_id})
        .values_list("pk", flat=True)
    )
    return TeamPage(
        team=team,
        span=span_of_control(team=team, on=day),
        parent_visible=team.parent_id in visible_teams,
        sub_teams=[child for child in children if child.pk in visible_teams],
        visible_user_ids=frozenset(visible_users.values_list("pk", flat=True)),
        may_see_history=permissions.can_see_team_history(viewer, team),
    )


def span_of_control(*, team: Team, on: date | None = None) -> SpanOfControl | None:
    """Direct reports of the team's leader: its current members and the leaders of
    its direct sub-teams, the leader excluded. None when the team has no leader."""
    if team.leader_id is None:
        return None
    day = on or timezone.localdate()
    member_ids = set(
        TeamMembership.objects.active_on(day)
        .filter(team=team)
        .values_list("user_id", flat=True)
    )
    sub_team_leader_ids = set(
        Team.objects.filter(parent=team, leader__isnull=False).values_list(
            "leader_id", flat=True
        )
    )
    reports = (member_ids | sub_team_leader_ids) - {team.leader_id}
    return SpanOfControl(
        direct_reports=len(reports),
        leader_is_experienced=leader_is_experienced(team.leader, on=day),
        leader_since=team.leader.leader_since,
    )


def user_list(*, viewer: User) -> QuerySet:
    """The users the viewer sees, each with `role_groups`: its groups (roles) as a
    list, read without a related manager per user."""
    return (
        permissions.visible_users(viewer)
        .prefetch_related(
            Prefetch(
                "groups", queryset=Group.objects.only("name"), to_attr="role_groups"
            )
        )
        .order_by("family_name_reading", "given_name_reading", "username")
    )


def role_names(user_ids) -> dict[int, list[str]]:
    """The names of the roles (groups) of each of these users, in order: one query
    for a page of users (`UserSerializer.roles`)."""
    names: dict[int, list[str]] = {}
    memberships = User.groups.through.objects.filter(user_id__in=user_ids)
    for user_id, name in memberships.values_list("user_id", "group__name"):
        names.setdefault(user_id, []).append(name)
    return {user_id: sorted(found) for user_id, found in names.items()}


def user_get(*, viewer: User, pk: int, on: date | None = None) -> User:
    """Raises User.DoesNotExist when the viewer may not see that user."""
    day = on or timezone.localdate()
    return (
        permissions.visible_users(viewer, on=day)
        .prefetch_related(
            "groups",
            Prefetch("led_teams", queryset=Team.objects.order_by("name", "pk")),
            Prefetch(
                "team_memberships",
                queryset=TeamMembership.objects.select_related("team").order_by(
                    "-start_date"
                ),
            ),
        )
        .get(pk=pk)
    )


def led_teams(*, user: User) -> QuerySet:
    return Team.objects.filter(leader=user).order_by("name")


def current_teams(*, user: User, on: date | None = None) -> QuerySet:
    day = on or timezone.localdate()
    return Team.objects.filter(
        pk__in=TeamMembership.objects.active_on(day).filter(user=user).values("team_id")
    ).select_related("leader")


@dataclass(frozen=True)
class LeaderSinceChange:
    at: datetime
    by: User | None
    before: date | None
    after: date | None


def leader_since_history(*, user: User) -> list[LeaderSinceChange]:
    """Each change of the day `user` started leading, newest first: when, by whom,
    the date before and after (User.history records only these changes)."""
    records = list(
        user.history.select_related("history_user").order_by(
            "history_date", "history_id"
        )
    )
    changes = []
    before = None
    for record in records:
        changes.append(
            LeaderSinceChange(
                at=record.history_date,
                by=record.history_user,
                before=before,
                after=record.leader_since,
            )
        )
        before = record.leader_since
    return changes[::-1]
