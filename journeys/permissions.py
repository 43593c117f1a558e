"""Who may see and do what in the journeys pillar: the one place that answers it, for
the UI and the API alike.

- Admins see every journey and every customer account, and edit journeys.
- Everyone signed in sees the active journeys (the team's common language).
- Customer accounts follow their current coverage (the open coverage period):
  - anyone sees the accounts they own today (members: their dedicated accounts) and
    the accounts of the pools they belong to today;
  - a team's leader sees the accounts owned today by the current members of the
    teams they lead (sub-teams included), and the accounts of those teams' pools.
- Recording a step event needs the account to be visible and the Admin, Manager or
  Member role.

Callers fetch objects through the `visible_*` querysets, so that anything outside them
answers 404: its existence is not revealed.
"""

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, TeamMembership, User
from accounts.permissions import is_admin, managed_team_ids, roles_of

from .models import Coverage, CustomerAccount, Journey, Pool, PoolMembership

Viewer = User | AnonymousUser

_RECORDING_ROLES = {Role.ADMIN.value, Role.MANAGER.value, Role.MEMBER.value}


def manages_journeys(user: Viewer) -> bool:
    """Journeys, steps, playbooks' existence, training modules, pools: admins."""
    return is_admin(user)


def visible_journeys(viewer: Viewer) -> QuerySet:
    if not viewer.is_authenticated:
        return Journey.objects.none()
    if is_admin(viewer):
        return Journey.objects.all()
    return Journey.objects.filter(is_active=True)


def pools_of(user: User, *, on: date) -> QuerySet:
    """The pools the user belongs to on `on` (start and end dates included)."""
    memberships = PoolMembership.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), user=user, start_date__lte=on
    )
    return Pool.objects.filter(pk__in=memberships.values("pool_id"))


def visible_accounts(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """Customer accounts the viewer may see, by their current coverage."""
    if not viewer.is_authenticated:
        return CustomerAccount.objects.none()
    if is_admin(viewer):
        return CustomerAccount.objects.all()
    day = on or timezone.localdate()
    open_coverage = Coverage.objects.filter(ended_at__isnull=True)
    own = open_coverage.filter(
        Q(owner=viewer) | Q(pool__in=pools_of(viewer, on=day).values("pk"))
    )
    covering = Q(pk__in=own.values("account_id"))
    team_ids = managed_team_ids(viewer)
    if team_ids:
        team_members = (
            TeamMembership.objects.active_on(day)
            .filter(team_id__in=team_ids)
            .values("user_id")
        )
        managed = open_coverage.filter(
            Q(owner__in=team_members) | Q(pool__team_id__in=team_ids)
        )
        covering |= Q(pk__in=managed.values("account_id"))
    return CustomerAccount.objects.filter(covering)


def can_see_account(viewer: Viewer, account: CustomerAccount) -> bool:
    return visible_accounts(viewer).filter(pk=account.pk).exists()


def can_record_event(viewer: Viewer, account: CustomerAccount) -> bool:
    """Record (or void) a step event of the account."""
    if not viewer.is_authenticated:
        return False
    has_role = is_admin(viewer) or bool(roles_of(viewer) & _RECORDING_ROLES)
    return has_role and can_see_account(viewer, account)
