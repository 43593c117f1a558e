"""Who may see and do what in the management pillar: the one place that answers it,
for the UI and the API alike.

- Figures, retrospectives, assessments, development plans and readiness of a member
  are seen by the member, the leaders of the teams the member belongs to today (sub-
  teams included) and admins: `visible_members`. The monthly figures of a member
  promoted since stay readable by admins in the API (`members_ever`).
- Coaching (assessing, commenting a retrospective, writing a plan, recording a
  promotion) is for those leaders and admins, never on oneself: `coaches`.
- Team figures follow the teams the viewer sees (`accounts.permissions`).
- Award programs, award metrics, the career ladder and promotion criteria are
  changed by admins only; a leaderboard is seen by the members of the teams taking
  part, their leaders and admins: `sees_award`.
- Quality of hire and proposed profile weights are for admins only.
- Organisation planning (the role map, the maturity self-assessment): admins
  write, managers read, the other roles get 403: `sees_organisation_plans`,
  `plans_organisation`.
- Revenue KPIs: the organisation and segments for admins; a team and its pools for
  the team's leaders and admins; a member's for `visible_members`
  (`revenue_scope_owner`).

Callers fetch through these querysets so that anything outside answers 404.
"""

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, RolePeriod, Team, TeamMembership, User
from accounts.permissions import is_admin, managed_team_ids, roles_of, visible_teams

Viewer = User | AnonymousUser

__all__ = [
    "coached_members",
    "coaches",
    "coaches_visible",
    "is_admin",
    "manages_recognition",
    "members_ever",
    "plans_organisation",
    "sees_award",
    "sees_management_pages",
    "sees_organisation_plans",
    "visible_award_programs",
    "visible_members",
    "visible_teams",
]


def members() -> QuerySet:
    """Users holding the Member role today: the people whose pages there are.
    Figures credit whoever held it at the moment (`member_at`)."""
    return User.objects.filter(groups__name=Role.MEMBER.value)


def members_ever() -> QuerySet:
    """Users who hold or once held the Member role (a period of it, as figures
    credit it: `member_at`): everyone who may have figures (METRICS.md: a member
    promoted to manager keeps the credit for their past accounts)."""
    held = RolePeriod.objects.filter(user_id=OuterRef("pk"), role=Role.MEMBER)
    return User.objects.filter(Exists(held))


def member_at(user, moment) -> Exists:
    """Whether `user` held the Member role at `moment` (METRICS.md: a member
    promoted to manager keeps the credit for their past accounts), as a database
    expression: both are usually OuterRef()s of the row being credited."""
    return Exists(
        RolePeriod.objects.filter(user_id=user, role=Role.MEMBER).held_at(moment)
    )


def sees_management_pages(user: Viewer) -> bool:
    """Dashboards, member pages, awards: admins, managers and members."""
    return user.is_authenticated and (
        is_admin(user) or bool(roles_of(user) & {Role.MANAGER.value, Role.MEMBER.value})
    )


def manages_recognition(user: Viewer) -> bool:
    """Award programs and metrics, the ladder and criteria, quality of hire."""
    return is_admin(user)


def coached_members(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """Members of the teams the viewer leads today (sub-teams included); every member
    for admins. The viewer is never among them."""
    if not viewer.is_authenticated:
        return User.objects.none()
    if is_admin(viewer):
        return members().exclude(pk=viewer.pk).distinct()
    day = on or timezone.localdate()
    team_ids = managed_team_ids(viewer)
    if not team_ids:
        return User.objects.none()
    in_teams = (
        TeamMembership.objects.active_on(day)
        .filter(team_id__in=team_ids)
        .values("user_id")
    )
    return members().filter(pk__in=in_teams).exclude(pk=viewer.pk).distinct()


def visible_members(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """Members whose figures and development the viewer sees: themselves (when they
    hold the Member role) and the members they coach."""
    if not viewer.is_authenticated:
        return User.objects.none()
    if is_admin(viewer):
        return members().distinct()
    coached = coached_members(viewer, on=on).values("pk")
    return members().filter(Q(pk=viewer.pk) | Q(pk__in=coached)).distinct()


def coaches(viewer: Viewer, member: User) -> bool:
    return coached_members(viewer).filter(pk=member.pk).exists()


def coaches_visible(viewer: Viewer, member: User) -> bool:
    """`coaches` for a member the caller read through `visible_members(viewer)`
    today, without a query: the visible members are the viewer (when a member)
    and the members they coach (every member for admins, who coach all but
    themselves)."""
    return member.pk != viewer.pk


def visible_award_programs(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """Programs the viewer takes part in (member of a taking-part team today) or
    leads a taking-part team of; every program for admins."""
    from .models import AwardProgram

    if not viewer.is_authenticated:
        return AwardProgram.objects.none()
    if is_admin(viewer):
        return AwardProgram.objects.all()
    day = on or timezone.localdate()
    own_teams = (
        TeamMembership.objects.active_on(day).filter(user=viewer).values("team_id")
    )
    return AwardProgram.objects.filter(
        Q(teams__in=own_teams) | Q(teams__in=managed_team_ids(viewer))
    ).distinct()


def sees_award(viewer: Viewer, program) -> bool:
    return visible_award_programs(viewer).filter(pk=program.pk).exists()


def visible_team_ids(viewer: Viewer) -> set[int]:
    return set(visible_teams(viewer).values_list("pk", flat=True))


def led_teams(viewer: Viewer) -> QuerySet:
    """Teams whose dashboard the viewer opens: the teams they lead (sub-teams
    included); every team for admins."""
    if is_admin(viewer):
        return Team.objects.all()
    return Team.objects.filter(pk__in=managed_team_ids(viewer))


# Revenue KPIs -------------------------------------------------------------------------
#
# The organisation and segments: admins only (the dashboard gives managers no view
# beyond their teams). Teams and their pools: the teams the viewer leads (every team
# for admins). Members: `visible_members` (members see only themselves).


def sees_revenue_overall(viewer: Viewer) -> bool:
    """The organisation's and the segments' revenue KPIs."""
    return is_admin(viewer)


def revenue_teams(viewer: Viewer) -> QuerySet:
    if not viewer.is_authenticated:
        return Team.objects.none()
    return led_teams(viewer)


def revenue_pools(viewer: Viewer) -> QuerySet:
    from journeys.models import Pool

    if not viewer.is_authenticated:
        return Pool.objects.none()
    if is_admin(viewer):
        return Pool.objects.all()
    return Pool.objects.filter(team_id__in=managed_team_ids(viewer))


def revenue_scope_owner(viewer: Viewer, scope: str, owner):
    """What the viewer asked to see the revenue KPIs of, if they may: the team,
    member or pool (by id), the segment's name, True for the organisation; None
    when it does not exist or is not theirs to see (404)."""
    if scope == "organisation":
        return True if sees_revenue_overall(viewer) else None
    if scope == "segment":
        return owner if owner and sees_revenue_overall(viewer) else None
    found = {
        "team": revenue_teams,
        "member": visible_members,
        "pool": revenue_pools,
    }.get(scope)
    if found is None or owner is None:
        return None
    return found(viewer).filter(pk=owner).first()


def default_revenue_scope(viewer: Viewer) -> tuple[str, object]:
    """The scope the revenue KPIs open on: the organisation for admins, the first
    team (by name) a manager leads, else the viewer themselves."""
    if is_admin(viewer):
        return "organisation", None
    team = revenue_teams(viewer).order_by("name").values_list("pk", flat=True)[:1]
    if team:
        return "team", team[0]
    return "member", viewer.pk


# Organisation planning --------------------------------------------------------------
#
# The role map and the maturity self-assessment are the organisation's, not a team's:
# admins answer and change them; managers (who lead teams) read them to plan hiring
# and coaching; members, interviewers and recruiters have no use for them (403).


def sees_organisation_plans(viewer: Viewer) -> bool:
    return viewer.is_authenticated and (
        is_admin(viewer) or Role.MANAGER.value in roles_of(viewer)
    )


def plans_organisation(viewer: Viewer) -> bool:
    return is_admin(viewer)


# Capacity plans -----------------------------------------------------------------------
#
# Capacity plans: admins and managers (leaders) create them. Admins read every
# plan; a manager reads and changes their own (another leader's plan answers 404):
# a plan filled from today's data holds its author's segments, accounts and ARR,
# which another team's leader may not read. The author and admins change or delete
# a plan. Members, interviewers and recruiters get 403. "Fill from today's data" and
# today's team read only the accounts the viewer sees
# (`journeys.permissions.visible_accounts`: every account for admins, their teams'
# for managers).


def sees_capacity_plans(viewer: Viewer) -> bool:
    return viewer.is_authenticated and (
        is_admin(viewer) or Role.MANAGER.value in roles_of(viewer)
    )


def visible_capacity_plans(viewer: Viewer) -> QuerySet:
    from .models import CapacityPlan

    if not sees_capacity_plans(viewer):
        return CapacityPlan.objects.none()
    if is_admin(viewer):
        return CapacityPlan.objects.all()
    return CapacityPlan.objects.filter(author=viewer)


def can_change_capacity_plan(viewer: Viewer, plan) -> bool:
    return sees_capacity_plans(viewer) and (
        is_admin(viewer) or plan.author_id == viewer.pk
    )


def capacity_accounts(viewer: Viewer) -> QuerySet:
    """The accounts whose figures fill a plan and count today's team."""
    from journeys.permissions import visible_accounts

    return visible_accounts(viewer)
