"""Who may see whom: the one place that answers it, for the UI and the API alike.

- Admins (the Admin role, or superusers) see everyone and every team.
- A team's leader sees the team, its sub-teams (at any depth), their current members
  and the sub-teams' leaders.
- Everyone sees themselves and the teams they currently belong to.
- Seeing a team includes its roster: the names of its current members and leader.
  Opening a person's page, or a parent or sub-team, needs that person or team to be
  visible in its own right. Seeing a person includes their team history.

Callers fetch objects through `visible_users()` / `visible_teams()`, so that anything
outside them answers 404, never 403: its existence is not revealed.
"""

from collections import defaultdict
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .models import Role, Team, TeamMembership, User

_ROLES_CACHE = "_kata_roles"
_MANAGED_CACHE = "_kata_managed_team_ids"
# Bumped whenever a team is saved or deleted in this process: a user object's
# cached managed teams (`managed_team_ids`) read before that are read again.
_teams_version = 0


def _teams_changed(**_kwargs) -> None:
    global _teams_version
    _teams_version += 1


post_save.connect(_teams_changed, sender=Team, dispatch_uid="kata_teams_changed")
post_delete.connect(_teams_changed, sender=Team, dispatch_uid="kata_teams_deleted")


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    """The user's role names, read once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, _ROLES_CACHE, None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _ROLES_CACHE, cached)
    return cached


def has_role(user: User | AnonymousUser, role: Role) -> bool:
    return role.value in roles_of(user)


def is_admin(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.ADMIN))


def descendant_team_ids(team_ids: set[int]) -> set[int]:
    """The given teams and all their sub-teams, at any depth (one query)."""
    if not team_ids:
        return set()
    children = defaultdict(list)
    for team_id, parent_id in Team.objects.values_list("id", "parent_id"):
        children[parent_id].append(team_id)
    found, frontier = set(team_ids), list(team_ids)
    while frontier:
        for child_id in children[frontier.pop()]:
            if child_id not in found:
                found.add(child_id)
                frontier.append(child_id)
    return found


def managed_team_ids(user: User | AnonymousUser) -> set[int]:
    """Teams the user leads, with their sub-teams: read once per user object (a
    request's), again after a team was saved or deleted in this process."""
    if not user.is_authenticated:
        return set()
    cached = getattr(user, _MANAGED_CACHE, None)
    if cached is None or cached[0] != _teams_version:
        version = _teams_version
        # One query: every team's parent and leader (as `descendant_team_ids`).
        children, led = defaultdict(list), []
        for team_id, parent_id, leader_id in Team.objects.values_list(
            "id", "parent_id", "leader_id"
        ):
            children[parent_id].append(team_id)
            if leader_id == user.pk:
                led.append(team_id)
        found, frontier = set(led), list(led)
        while frontier:
            for child_id in children[frontier.pop()]:
                if child_id not in found:
                    found.add(child_id)
                    frontier.append(child_id)
        cached = (version, frozenset(found))
        setattr(user, _MANAGED_CACHE, cached)
    return set(cached[1])


def visible_teams(viewer: User | AnonymousUser, *, on: date | None = None) -> QuerySet:
    if not viewer.is_authenticated:
        return Team.objects.none()
    if is_admin(viewer):
        return Team.objects.all()
    day = on or timezone.localdate()
    own_team_ids = (
        TeamMembership.objects.active_on(day).filter(user=viewer).values("team_id")
    )
    return Team.objects.filter(
        Q(pk__in=managed_team_ids(viewer)) | Q(pk__in=own_team_ids)
    )


def visible_users(viewer: User | AnonymousUser, *, on: date | None = None) -> QuerySet:
    if not viewer.is_authenticated:
        return User.objects.none()
    if is_admin(viewer):
        return User.objects.all()
    day = on or timezone.localdate()
    team_ids = managed_team_ids(viewer)
    members = (
        TeamMembership.objects.active_on(day)
        .filter(team_id__in=team_ids)
        .values("user_id")
    )
    sub_team_leaders = Team.objects.filter(pk__in=team_ids).values("leader_id")
    return User.objects.filter(
        Q(pk=viewer.pk) | Q(pk__in=members) | Q(pk__in=sub_team_leaders)
    )


def can_see_user(viewer: User | AnonymousUser, user: User) -> bool:
    return visible_users(viewer).filter(pk=user.pk).exists()


def can_see_team(viewer: User | AnonymousUser, team: Team) -> bool:
    return visible_teams(viewer).filter(pk=team.pk).exists()


def can_see_team_history(viewer: User | AnonymousUser, team: Team) -> bool:
    """Former members of a team: for admins and the leaders above it."""
    return is_admin(viewer) or team.pk in managed_team_ids(viewer)


def uses_team_pages(user: User | AnonymousUser) -> bool:
    """Whom the navigation offers the team pages: admins, managers and members."""
    return is_admin(user) or bool(
        roles_of(user) & {Role.MANAGER.value, Role.MEMBER.value}
    )


def uses_api(user: User | AnonymousUser) -> bool:
    """Whom the navigation offers the API and its documentation: the roles whose
    work other systems exchange with Kata (CS operations importing step events and
    accounts, managers pulling figures into reports, recruiters syncing candidates
    with an applicant tracking system). Members and interviewers work in the pages;
    the API still answers them within their own permissions."""
    return is_admin(user) or bool(
        roles_of(user) & {Role.MANAGER.value, Role.RECRUITER.value}
    )


def can_set_leader_since(viewer: User | AnonymousUser) -> bool:
    """Who corrects the day someone started leading (their span of control follows
    it): admins, as in the Django admin; the API does not write it."""
    return is_admin(viewer)
