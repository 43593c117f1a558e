"""Every write to users, roles, teams and memberships."""

import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.formats import date_format
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from config.saving import save_unique

from .models import Role, RolePeriod, Team, TeamMembership, User


def user_create(
    *,
    username: str,
    email: str = "",
    password: str | None = None,
    family_name: str = "",
    given_name: str = "",
    family_name_reading: str = "",
    given_name_reading: str = "",
    preferred_language: str = "ja",
    roles: Iterable[Role] = (),
    is_staff: bool = False,
    is_superuser: bool = False,
    send_welcome: bool = True,
) -> User:
    """Create a user with their roles; a welcome email follows once the write commits.

    Without a password the user sets one through the link in the welcome email.
    """
    roles = list(roles)
    user = User(
        username=username,
        email=email,
        family_name=family_name,
        given_name=given_name,
        family_name_reading=family_name_reading,
        given_name_reading=given_name_reading,
        preferred_language=preferred_language,
        # Admins (CS operations) work in the administration pages too.
        is_staff=is_staff or Role.ADMIN in roles,
        is_superuser=is_superuser,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    with transaction.atomic():
        user.save()
        # A new user's roles cover their imported history too: since always.
        user_set_roles(user=user, roles=roles, since_always=True)
        if send_welcome and user.email:
            from .tasks import send_welcome_email

            send_welcome_email.delay_on_commit(user.pk)
    return user


def user_set_roles(
    *,
    user: User,
    roles: Iterable[Role],
    at: datetime | None = None,
    since_always: bool = False,
) -> None:
    """Give `user` exactly these roles from `at` (default: now; never later).

    The one way roles change (the Django admin included): a role gained starts a
    period, a role lost ends its open period, so that metrics credit people for what
    they did while they held the Member role. The groups of the roles held now and
    the staff flag follow: the Admin role works in the administration pages, and a
    user losing it leaves them unless a superuser. `since_always` starts the new
    periods with no start (a user created with roles, test and demo data).
    """
    wanted = {Role(role) for role in roles}
    now = timezone.now()
    moment = at or now
    if moment > now:
        raise ValidationError(_("A role change cannot take effect in the future."))
    with transaction.atomic():
        # Lock the user: two role changes at once would both open a period.
        User.objects.select_for_update().filter(pk=user.pk).first()
        periods = list(RolePeriod.objects.filter(user=user))
        open_periods = {
            Role(period.role): period for period in periods if period.ended_at is None
        }
        held = set(open_periods)
        for role in held - wanted:
            _end_role_period(open_periods[role], at=moment)
        for role in wanted - held:
            start = None if since_always else moment
            overlapping = [
                period
                for period in periods
                if period.role == role and (start is None or period.ended_at > start)
            ]
            if overlapping:
                raise ValidationError(
                    _(
                        "%(user)s held this role until %(end)s; a new period of it "
                        "cannot start earlier."
                    )
                    % {
                        "user": user,
                        "end": date_format(
                            timezone.localtime(overlapping[-1].ended_at),
                            "DATETIME_FORMAT",
                        ),
                    }
                )
            RolePeriod.objects.create(user=user, role=role, started_at=start)
        _sync_current_roles(user=user, roles=wanted, lost=held - wanted)


def _end_role_period(period: RolePeriod, *, at: datetime) -> None:
    if period.started_at is not None and period.started_at >= at:
        if period.started_at == at:
            # Given and taken back at the same moment: it never held.
            period.delete()
            return
        raise ValidationError(
            _("This role was given on %(start)s; it cannot end earlier.")
            % {
                "start": date_format(
                    timezone.localtime(period.started_at), "DATETIME_FORMAT"
                )
            }
        )
    period.ended_at = at
    period.save(update_fields=["ended_at"])


def _sync_current_roles(*, user: User, roles: set[Role], lost: set[Role]) -> None:
    """The groups of the roles held now, and the staff flag that goes with Admin."""
    names = {role.value for role in roles}
    groups = [Group.objects.get_or_create(name=name)[0] for name in sorted(names)]
    user.groups.remove(
        *Group.objects.filter(name__in=Role.values).exclude(name__in=names)
    )
    user.groups.add(*groups)
    user.__dict__.pop("_kata_roles", None)
    is_staff = user.is_staff
    if Role.ADMIN in roles:
        is_staff = True
    elif Role.ADMIN in lost:
        is_staff = user.is_superuser
    if is_staff != user.is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])


# What people may change about themselves (profile page and PATCH /api/v1/me/).
PROFILE_FIELDS = (
    "family_name",
    "given_name",
    "family_name_reading",
    "given_name_reading",
    "email",
    "preferred_language",
)


def user_update_profile(
    *,
    user: User,
    family_name: str,
    given_name: str,
    family_name_reading: str,
    given_name_reading: str,
    email: str,
    preferred_language: str,
) -> User:
    user.family_name = family_name
    user.given_name = given_name
    user.family_name_reading = family_name_reading
    user.given_name_reading = given_name_reading
    user.email = email
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password"])
    save_unique(user, update_fields=PROFILE_FIELDS)
    return user


def user_set_preferred_language(*, user: User, language: str) -> User:
    """The language a user chose in the navigation bar becomes their preferred one:
    emails and the next login follow it."""
    if user.preferred_language != language:
        user.preferred_language = language
        user.full_clean(exclude=["password"])
        user.save(update_fields=["preferred_language"])
    return user


def user_send_welcome_email(*, user_id: int) -> bool:
    """Send the welcome email once, in the user's language. True if this call sent it.

    The claim is a conditional update, so two workers running the task at once send
    one email between them.
    """
    claimed = (
        User.objects.filter(
            pk=user_id, welcome_email_sent_at__isnull=True, is_active=True
        )
        .exclude(email="")
        .update(welcome_email_sent_at=timezone.now())
    )
    if not claimed:
        return False
    try:
        _send_welcome_email(User.objects.get(pk=user_id))
    except Exception:
        # Release the claim so that the task's retry sends it.
        User.objects.filter(pk=user_id).update(welcome_email_sent_at=None)
        raise
    return True


def _send_welcome_email(user: User) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    with translation.override(user.preferred_language):
        context = {"user": user, "link": link, "login_url": settings.SITE_URL}
        send_mail(
            subject=_("Welcome to Kata"),
            message=render_to_string("accounts/email/welcome.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )


def team_create(
    *, name: str, parent: Team | None = None, leader: User | None = None
) -> Team:
    team = Team(name=name, parent=parent)
    team.full_clean()
    with transaction.atomic():
        team.save()
        if leader is not None:
            team_set_leader(team=team, leader=leader)
    return team


def team_set_leader(
    *, team: Team, leader: User | None, since: date | None = None
) -> Team:
    """Make `leader` lead `team`.

    Their experience as leader starts with the first team they lead.
    """
    with transaction.atomic():
        team.leader = leader
        team.save(update_fields=["leader"])
        if leader is not None and leader.leader_since is None:
            leader.leader_since = since or timezone.localdate()
            leader.save(update_fields=["leader_since"])
    return team


def validate_team_parent(*, team: Team, parent: Team | None) -> None:
    ancestor = parent
    while ancestor is not None:
        if ancestor.pk == team.pk:
            raise ValidationError(
                {"parent": _("A team cannot be placed under itself or its sub-teams.")}
            )
        ancestor = ancestor.parent


def team_set_parent(*, team: Team, parent: Team | None) -> Team:
    validate_team_parent(team=team, parent=parent)
    team.parent = parent
    team.save(update_fields=["parent"])
    return team


def validate_membership(membership: TeamMembership) -> None:
    """A user belongs to one team at a time: memberships of a user may not overlap."""
    if membership.end_date and membership.end_date < membership.start_date:
        raise ValidationError(
            {"end_date": _("The end date cannot be before the start date.")}
        )
    overlaps = TeamMembership.objects.filter(user_id=membership.user_id).exclude(
        pk=membership.pk
    )
    overlaps = overlaps.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=membership.start_date)
    )
    if membership.end_date is not None:
        overlaps = overlaps.filter(start_date__lte=membership.end_date)
    clash = overlaps.select_related("team").first()
    if clash is not None:
        raise ValidationError(
            {
                "start_date": _(
                    "%(user)s already belongs to %(team)s from %(start)s; end that "
                    "membership first."
                )
                % {
                    "user": membership.user,
                    "team": clash.team,
                    "start": date_format(clash.start_date),
                }
            }
        )


def team_membership_start(
    *, team: Team, user: User, start_date: date | None = None
) -> TeamMembership:
    """Add `user` to `team` from `start_date`; a current membership elsewhere ends the
    day before, so that history says which team the member belonged to when."""
    start = start_date or timezone.localdate()
    with transaction.atomic():
        # Lock the user: two moves of one person at once would both pass the checks.
        User.objects.select_for_update().filter(pk=user.pk).first()
        ongoing = list(
            TeamMembership.objects.filter(user=user).filter(
                Q(end_date__isnull=True) | Q(end_date__gte=start)
            )
        )
        if len(ongoing) == 1:
            current = ongoing[0]
            if current.team_id == team.pk and current.start_date <= start:
                return current
            if current.start_date < start:
                current.end_date = start - timedelta(days=1)
                current.save(update_fields=["end_date", "updated_at"])
        membership = TeamMembership(team=team, user=user, start_date=start)
        membership.full_clean()
        validate_membership(membership)
        membership.save()
    return membership


def team_membership_end(
    *, membership: TeamMembership, end_date: date
) -> TeamMembership:
    membership.end_date = end_date
    membership.full_clean()
    validate_membership(membership)
    membership.save(update_fields=["end_date", "updated_at"])
    return membership


def user_request_password_reset(*, email: str) -> None:
    """Send a reset link to the active users with this address, once the request's
    transaction commits. Whether anyone has it is looked up in the task, so that the
    page answers alike, and as fast, for known and unknown addresses."""
    from .tasks import send_password_reset_email

    send_password_reset_email.delay_on_commit(email, uuid.uuid4().hex)


def user_send_password_reset(*, email: str, request_id: str) -> int:
    """Email a reset link to each active user with this address, in their language;
    the number sent. A request is sent once even if the task runs twice."""
    claim = f"accounts:password-reset:{request_id}"
    if not cache.add(claim, True, timeout=24 * 60 * 60):
        return 0
    users = User.objects.filter(email__iexact=email, is_active=True).exclude(email="")
    try:
        for user in users:
            _send_password_reset_email(user)
    except Exception:
        # Release the claim so that the task's retry sends it.
        cache.delete(claim)
        raise
    return len(users)


def _send_password_reset_email(user: User) -> None:
    protocol, _separator, domain = settings.SITE_URL.rstrip("/").partition("://")
    context = {
        "email": user.email,
        "protocol": protocol,
        "domain": domain,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "token": default_token_generator.make_token(user),
        "user": user,
    }
    with translation.override(user.preferred_language):
        send_mail(
            subject=_("Reset your Kata password"),
            message=render_to_string("registration/password_reset_email.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )


def user_set_leader_since(*, user: User, leader_since: date, by: User) -> User:
    """Correct the day `user` started leading (admins do, see
    permissions.can_set_leader_since); it sets their recommended span of control
    (selectors.span_of_control). It may not be in the future. It may be before their
    account was made: people led teams before Kata came (the demo's leaders did), and
    the account's creation says nothing about that. The change and who made it are
    kept in `User.history`."""
    if leader_since > timezone.localdate():
        raise ValidationError(
            {"leader_since": _("The leader start date cannot be in the future.")}
        )
    if user.leader_since != leader_since:
        user.leader_since = leader_since
        user._history_user = by
        user.save(update_fields=["leader_since"])
    return user


# --- In-app notices -------------------------------------------------------------------


def notices_unread_cache_key(user_id: int) -> str:
    return f"accounts:notices-unread:{user_id}"


def notify(
    *,
    users: Iterable[User],
    kind: str,
    params: dict | None = None,
    link: str = "",
    key: str = "",
) -> list[int]:
    """Give each user an in-app notice of `kind` with `params` (it reads in the
    reader's language, see accounts/notifications.py) and `link`. With `key`, a user
    who already has a notice of that key gets no second one. Returns the ids of the
    users notified now (the others had it already)."""
    from .models import Notification

    user_ids = {getattr(user, "pk", user) for user in users}
    if key:
        user_ids -= set(
            Notification.objects.filter(key=key, user_id__in=user_ids).values_list(
                "user_id", flat=True
            )
        )
    Notification.objects.bulk_create(
        [
            Notification(
                user_id=user_id, kind=kind, params=params or {}, link=link, key=key
            )
            for user_id in sorted(user_ids)
        ],
        ignore_conflicts=bool(key),
    )
    cache.delete_many([notices_unread_cache_key(user_id) for user_id in user_ids])
    return sorted(user_ids)


def notices_mark_read(*, user: User, notice_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notices read (all of them without `notice_ids`); another
    user's ids are ignored. Returns how many changed."""
    from .models import Notification

    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notice_ids is not None:
        unread = unread.filter(pk__in=list(notice_ids))
    changed = unread.update(read_at=timezone.now())
    cache.delete(notices_unread_cache_key(user.pk))
    return changed
