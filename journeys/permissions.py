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
  Member role; so does recording or correcting the account's ARR (its snapshots
  follow the account: another team's answer 404).

Callers fetch objects through the `visible_*` querysets, so that anything outside them
answers 404: its existence is not revealed.
"""

from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Role, TeamMembership, User
from accounts.permissions import is_admin, managed_team_ids, roles_of
from config.queries import AmongIds

from .models import Coverage, CustomerAccount, Journey, Pool, PoolMembership

Viewer = User | AnonymousUser

# The roles that work with customers: they record events, train, walk the practicum.
_ENABLEMENT_ROLES = {Role.ADMIN.value, Role.MANAGER.value, Role.MEMBER.value}


def works_with_customers(user: Viewer) -> bool:
    """Admins, managers and members: the enablement pages, training, the practicum,
    and recording step events (on the accounts they see: `can_record_event`)."""
    return user.is_authenticated and (
        is_admin(user) or bool(roles_of(user) & _ENABLEMENT_ROLES)
    )


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


def visible_accounts(
    viewer: Viewer, *, on: date | None = None, narrowed: bool = False
) -> QuerySet:
    """Customer accounts the viewer may see, by their current coverage.

    `narrowed`: the caller keeps only a few of them by a condition of its own
    (the accounts some owners hold): the visible ids are then checked in a hash
    of them, the rows found by that condition, rather than each visible account
    read by its id first (twice as fast for a manager's thousands of accounts)."""
    if not viewer.is_authenticated:
        return CustomerAccount.objects.none()
    if sees_every_account(viewer):
        return CustomerAccount.objects.all()
    ids = _covered_account_ids(viewer, on=on)
    if narrowed:
        return CustomerAccount.objects.filter(pk__in=ids)
    return CustomerAccount.objects.filter(AmongIds("id", ids))


def sees_every_account(viewer: Viewer) -> bool:
    """Whether `visible_accounts` is every account (an admin's)."""
    return is_admin(viewer)


def _covered_account_ids(viewer: User, *, on: date | None) -> QuerySet:
    """The ids of the accounts a viewer who is no admin sees (`visible_accounts`):
    one SELECT per reason to see an account, joined by UNION, so that the database
    estimates each from its own index. As one OR of subqueries, PostgreSQL guessed
    half the accounts and walked every event of the organisation (newest first) to
    find the hundred of a member's."""
    owned, pooled = _seen_open_periods(viewer, on=on)
    return _union(owned + pooled, "account_id")


def visible_account_owner_ids(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """The ids of the users who hold (open coverage) an account the viewer sees,
    for a viewer who is no admin. An account has one open period at most, and a
    pooled one no owner (the coverage's constraints), so these are the owners of
    the periods the viewer sees accounts by as their owner's: read from those,
    not from each visible account looked up again (a leader's 3,857 accounts at
    L: 19 → 3 ms). Nobody signed in sees no account."""
    if not viewer.is_authenticated:
        return Coverage.objects.none().values("owner_id")
    owned, _pooled = _seen_open_periods(viewer, on=on)
    return _union(owned, "owner_id")


def _union(querysets: list[QuerySet], column: str) -> QuerySet:
    first, *others = [queryset.values(column) for queryset in querysets]
    return first.union(*others) if others else first


def _seen_open_periods(
    viewer: User, *, on: date | None
) -> tuple[list[QuerySet], list[QuerySet]]:
    """The open coverage periods by which a viewer who is no admin sees accounts,
    one queryset per reason: those of an owner (theirs, and a leader's team
    members'), and those of a pool (their pools', a leader's teams' pools')."""
    day = on or timezone.localdate()
    open_coverage = Coverage.objects.filter(ended_at__isnull=True).order_by()
    owned = [open_coverage.filter(owner=viewer)]
    pooled = [open_coverage.filter(pool__in=pools_of(viewer, on=day).values("pk"))]
    team_ids = managed_team_ids(viewer)
    if team_ids:
        team_members = (
            TeamMembership.objects.active_on(day)
            .filter(team_id__in=team_ids)
            .values("user_id")
        )
        # = ANY(ARRAY(…)) on PostgreSQL: the index of open periods by owner, probed
        # for each member, rather than every open period hashed.
        owned.append(open_coverage.filter(AmongIds("owner_id", team_members)))
        pooled.append(open_coverage.filter(pool__team_id__in=team_ids))
    return owned, pooled


def can_see_account(viewer: Viewer, account: CustomerAccount) -> bool:
    return visible_accounts(viewer).filter(pk=account.pk).exists()


def can_record_event(viewer: Viewer, account: CustomerAccount) -> bool:
    """Record (or void) a step event of the account."""
    if not viewer.is_authenticated:
        return False
    return works_with_customers(viewer) and can_see_account(viewer, account)


# --- accounts pages ---


def visible_pools(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """Pools the viewer may see: admins all; a team's leader the pools of the teams
    they lead (sub-teams included); anyone the pools they belong to today."""
    if not viewer.is_authenticated:
        return Pool.objects.none()
    if is_admin(viewer):
        return Pool.objects.all()
    day = on or timezone.localdate()
    return Pool.objects.filter(
        Q(pk__in=pools_of(viewer, on=day).values("pk"))
        | Q(team_id__in=managed_team_ids(viewer))
    )


def can_change_coverage(viewer: Viewer, account: CustomerAccount) -> bool:
    """Give a visible account another owner or pool: admins, and managers (for the
    accounts of their teams, which are the ones they see)."""
    if not viewer.is_authenticated:
        return False
    if is_admin(viewer):
        return True
    return Role.MANAGER.value in roles_of(viewer) and can_see_account(viewer, account)


def coverage_owner_choices(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """The members the viewer may make a dedicated owner: admins any active member;
    managers the current members of the teams they lead."""
    members = User.objects.filter(is_active=True, groups__name=Role.MEMBER.value)
    if is_admin(viewer):
        return members.distinct()
    day = on or timezone.localdate()
    team_members = (
        TeamMembership.objects.active_on(day)
        .filter(team_id__in=managed_team_ids(viewer))
        .values("user_id")
    )
    return members.filter(pk__in=team_members).distinct()


# --- journeys pages ---


# The navigation offers enablement to them; journeys stay readable by everyone.
uses_enablement = works_with_customers


def playbook_accounts(viewer: Viewer) -> QuerySet:
    """The accounts on which the viewer works through a playbook (ticks its
    actions): the accounts they see, for admins, managers and members."""
    if not works_with_customers(viewer):
        return CustomerAccount.objects.none()
    return visible_accounts(viewer)


def visible_playbook_ticks(viewer: Viewer) -> QuerySet:
    """Ticks (and unticks) of playbook actions on the accounts the viewer sees."""
    from .models import PlaybookActionTick

    return PlaybookActionTick.objects.filter(
        account__in=visible_accounts(viewer).values("pk")
    )


def can_revise_playbook(user: Viewer, playbook) -> bool:
    """Write a new version of a playbook: admins, and the playbook's owner."""
    if not user.is_authenticated:
        return False
    return is_admin(user) or playbook.owner_id == user.pk


# --- training ---
#
# - Training and the practicum are for admins, managers and members (CSMs); admins
#   and managers assign modules (managers: to the members and teams they lead).
# - A practicum reflection is seen by its author, by the leaders of the author's
#   current teams (and of the teams above them), by admins, and by the owners of the
#   playbooks of the transitions around its step (the playbook from the step, and the
#   playbook leading to it), so that they can improve their playbook.

# My training, modules and the practicum.
takes_training = works_with_customers


def assigns_training(user: Viewer) -> bool:
    """Admins, and managers (to the members and teams they lead)."""
    return is_admin(user) or Role.MANAGER.value in roles_of(user)


def visible_training_modules(viewer: Viewer) -> QuerySet:
    """Admins: every module; others the active modules of the journeys they see
    (the training pages also need `takes_training`; the API lists them to all)."""
    from .models import TrainingModule

    if is_admin(viewer):
        return TrainingModule.objects.all()
    return TrainingModule.objects.filter(
        is_active=True, from_step__journey__in=visible_journeys(viewer).values("pk")
    )


def assignable_members(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """Members (CSMs) the viewer may assign training to."""
    if not assigns_training(viewer):
        return User.objects.none()
    members = User.objects.filter(groups__name=Role.MEMBER.value, is_active=True)
    if is_admin(viewer):
        return members
    day = on or timezone.localdate()
    led = (
        TeamMembership.objects.active_on(day)
        .filter(team_id__in=managed_team_ids(viewer))
        .values("user_id")
    )
    return members.filter(pk__in=led)


def training_followed_members(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """The members whose training the viewer follows on a module's page (who
    passed it, who has not started): admins every active member; managers the
    current members of the teams they lead — the people they assign training to."""
    return assignable_members(viewer, on=on).distinct()


def assignable_teams(viewer: Viewer) -> QuerySet:
    from accounts.models import Team

    if not assigns_training(viewer):
        return Team.objects.none()
    if is_admin(viewer):
        return Team.objects.all()
    return Team.objects.filter(pk__in=managed_team_ids(viewer))


def visible_reflections(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """Practicum reflections the viewer may read (see above)."""
    from django.db.models import Exists, OuterRef

    from .models import Playbook, PracticumReflection, Step

    if not viewer.is_authenticated:
        return PracticumReflection.objects.none()
    if is_admin(viewer):
        return PracticumReflection.objects.all()
    day = on or timezone.localdate()
    seen = Q(member=viewer)
    team_ids = managed_team_ids(viewer)
    if team_ids:
        seen |= Q(
            member__in=TeamMembership.objects.active_on(day)
            .filter(team_id__in=team_ids)
            .values("user_id")
        )
    owned = Playbook.objects.filter(owner=viewer)
    leading_here = owned.filter(
        from_step__journey_id=OuterRef("journey_id"),
        from_step__position=OuterRef("position") - 1,
        from_step__retired_at__isnull=True,
    )
    around = Step.objects.filter(
        Q(pk__in=owned.values("from_step_id"))
        | Q(Exists(leading_here), retired_at__isnull=True)
    )
    seen |= Q(step__in=around)
    return PracticumReflection.objects.filter(seen)


def can_see_practicum_of(viewer: Viewer, member: User) -> bool:
    """The practicum page of a member: admins, the member, their current leaders."""
    from accounts.permissions import visible_users

    return takes_training(viewer) and (
        is_admin(viewer)
        or member.pk == viewer.pk
        or visible_users(viewer).filter(pk=member.pk).exists()
    )


# --- api ---------------------------------------------------------------------------


records_events = works_with_customers


def visible_training_assignments(viewer: Viewer) -> QuerySet:
    """Admins: all; others the assignments that reach them, and those to the people
    they see (`accounts.permissions.visible_users`) or to the teams they lead."""
    from accounts.permissions import visible_users

    from .models import TrainingAssignment
    from .selectors import assignments_for

    if not viewer.is_authenticated:
        return TrainingAssignment.objects.none()
    if is_admin(viewer):
        return TrainingAssignment.objects.all()
    return TrainingAssignment.objects.filter(
        Q(pk__in=assignments_for(viewer).values("pk"))
        | Q(member__in=visible_users(viewer).values("pk"))
        | Q(team_id__in=managed_team_ids(viewer))
    )


def visible_training_completions(viewer: Viewer) -> QuerySet:
    """Admins: all; others the attempts of the people they see (themselves, and
    for leaders their teams' members)."""
    from accounts.permissions import visible_users

    from .models import TrainingCompletion

    if not viewer.is_authenticated:
        return TrainingCompletion.objects.none()
    if is_admin(viewer):
        return TrainingCompletion.objects.all()
    return TrainingCompletion.objects.filter(
        member__in=visible_users(viewer).values("pk")
    )


def visible_step_events(viewer: Viewer) -> QuerySet:
    """The events (void ones included) of the accounts the viewer sees."""
    from .models import StepEvent

    if not viewer.is_authenticated:
        return StepEvent.objects.none()
    if is_admin(viewer):
        # Every event: no condition that would keep the database from reading the
        # newest ones first through the (reached_at, id) index.
        return StepEvent.objects.all()
    return StepEvent.objects.filter(
        AmongIds("account_id", _covered_account_ids(viewer, on=None))
    )


# --- ARR snapshots ----------------------------------------------------------------


records_arr = works_with_customers


def can_record_arr(viewer: Viewer, account: CustomerAccount) -> bool:
    """Record or correct the account's monthly ARR and its movement types: as for
    step events, admins, managers and members, on the accounts they see."""
    return can_record_event(viewer, account)


def visible_arr_snapshots(viewer: Viewer) -> QuerySet:
    """The ARR snapshots of the accounts the viewer sees."""
    from .models import ARRSnapshot

    return ARRSnapshot.objects.filter(account__in=visible_accounts(viewer).values("pk"))


# --- success plans ----------------------------------------------------------------


def can_edit_success_plan(viewer: Viewer, account: CustomerAccount) -> bool:
    """Write the account's success plan (the plan, its measures, their progress):
    those who work with the account — its owner, the members of its pool, the
    leaders of its team, admins. Everyone who sees the account reads the plan."""
    return can_record_event(viewer, account)


def visible_success_plans(viewer: Viewer) -> QuerySet:
    """The success plans of the accounts the viewer sees."""
    from .models import SuccessPlan

    if not viewer.is_authenticated:
        return SuccessPlan.objects.none()
    if is_admin(viewer):
        return SuccessPlan.objects.all()
    return SuccessPlan.objects.filter(
        AmongIds("account_id", _covered_account_ids(viewer, on=None))
    )


# --- success stories ----------------------------------------------------------------
#
# - The library is for those who work with customers (admins, managers, members):
#   interviewers and recruiters have no access (403 on the pages, nothing in the API).
# - A draft is read by its author only (and admins); a published story by everyone
#   of the library's roles, across teams: the point is learning from peers.
# - But a story shows its account (name, link, any account data) only to those who
#   see the account (`visible_accounts`), and its author's name only to those who
#   know the person (`known_people`); the others read "a customer", "a colleague".
# - The author writes, edits, publishes and deletes (a draft) their own story, on an
#   account they may record events on; managers feature the published stories of
#   their teams' current members (admins any).

reads_stories = works_with_customers
writes_stories = works_with_customers


def visible_stories(viewer: Viewer) -> QuerySet:
    """The stories the viewer may open: published ones and their own drafts (admins
    every story)."""
    from .models import StoryStatus, SuccessStory

    if not reads_stories(viewer):
        return SuccessStory.objects.none()
    if is_admin(viewer):
        return SuccessStory.objects.all()
    return SuccessStory.objects.filter(
        Q(status=StoryStatus.PUBLISHED) | Q(author=viewer)
    )


def can_write_story_on(viewer: Viewer, account: CustomerAccount) -> bool:
    """Tell a story of the account: those who record its events."""
    return writes_stories(viewer) and can_record_event(viewer, account)


def can_edit_story(viewer: Viewer, story) -> bool:
    """Change, publish: the story's author."""
    return writes_stories(viewer) and story.author_id == viewer.pk


def can_delete_story(viewer: Viewer, story) -> bool:
    """Delete: the author, while the story is a draft."""
    return can_edit_story(viewer, story) and story.is_draft


def story_featurable_authors(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """The authors whose stories the viewer features: admins anyone's; managers
    the current members of the teams they lead (sub-teams included)."""
    if is_admin(viewer):
        return User.objects.all()
    if Role.MANAGER.value not in roles_of(viewer):
        return User.objects.none()
    day = on or timezone.localdate()
    members = (
        TeamMembership.objects.active_on(day)
        .filter(team_id__in=managed_team_ids(viewer))
        .values("user_id")
    )
    return User.objects.filter(pk__in=members)


def features_stories(viewer: Viewer) -> bool:
    return is_admin(viewer) or Role.MANAGER.value in roles_of(viewer)


def can_feature_story(viewer: Viewer, story) -> bool:
    """Feature (or unfeature) a published story at the sharing meeting."""
    if story.is_draft or not features_stories(viewer):
        return False
    return story_featurable_authors(viewer).filter(pk=story.author_id).exists()


def known_people(viewer: Viewer, *, on: date | None = None) -> QuerySet:
    """The ids of the people whose names the viewer sees beside a story: those they
    see (`accounts.permissions.visible_users`) and the current members of the teams
    they see (a team's roster). None for admins: everyone."""
    from accounts.permissions import visible_teams, visible_users

    day = on or timezone.localdate()
    rosters = (
        TeamMembership.objects.active_on(day)
        .filter(team__in=visible_teams(viewer, on=day).values("pk"))
        .values("user_id")
    )
    return User.objects.filter(
        Q(pk__in=visible_users(viewer, on=day).values("pk")) | Q(pk__in=rosters)
    ).values("pk")


def story_disclosure(viewer: Viewer, stories) -> None:
    """Mark each of `stories` (a page of them) with `shows_account` and
    `shows_author`: whether the viewer may see its account and its author's name.
    Two queries (none for admins), however many stories."""
    stories = list(stories)
    if not stories:
        return
    if is_admin(viewer):
        accounts = authors = None
    else:
        accounts = set(
            visible_accounts(viewer)
            .filter(pk__in={story.account_id for story in stories})
            .values_list("pk", flat=True)
        )
        authors = set(
            User.objects.filter(pk__in={story.author_id for story in stories})
            .filter(pk__in=known_people(viewer))
            .values_list("pk", flat=True)
        )
    for story in stories:
        story.shows_account = accounts is None or story.account_id in accounts
        story.shows_author = (
            authors is None
            or story.author_id == viewer.pk
            or story.author_id in authors
        )
