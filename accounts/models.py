from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Role(models.TextChoices):
    """Roles are held in dated periods (`RolePeriod`); the Django groups of these
    names are the roles held now, kept in step by `accounts.services.user_set_roles`
    so that permission checks read them."""

    ADMIN = "Admin", _("Admin (CS operations)")
    MANAGER = "Manager", _("Manager")
    MEMBER = "Member", _("Member (CSM)")
    INTERVIEWER = "Interviewer", _("Interviewer")
    RECRUITER = "Recruiter", _("Recruiter")


class LeaderSinceHistory(HistoricalRecords):
    """The audit history of when each user started leading: a row for each save
    that changes `leader_since` (not for logins or profile edits), with who did it
    (accounts.services.user_set_leader_since, team_set_leader, the Django admin)."""

    def post_save(self, instance, created, using=None, **kwargs):
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "leader_since" not in update_fields:
            return
        if created and instance.leader_since is None:
            return
        if not created:
            last = (
                self.cls.history.model.objects.using(using)
                .filter(id=instance.pk)
                .order_by("-history_date", "-history_id")
                .values_list("leader_since", flat=True)
                .first()
            )
            if last == instance.leader_since:
                return
        super().post_save(instance, created, using=using, **kwargs)


class KataUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are matched without regard to case, like emails.
        return self.get(**{f"{self.model.USERNAME_FIELD}__iexact": username})


def full_name(family_name: str, given_name: str) -> str:
    return " ".join(part for part in (family_name, given_name) if part)


def display_name(family_name: str, given_name: str, username: str) -> str:
    """How a person is named on pages and in the API (`User.display_name`), from
    the columns alone: lists that read rows rather than users name them so."""
    return full_name(family_name, given_name) or username


class User(AbstractUser):
    """A person who uses Kata. Names are written as Japanese users write them."""

    # The family name comes first, so Django's first/last name pair is replaced.
    first_name = None
    last_name = None

    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name_reading = models.CharField(
        _("family name reading"),
        max_length=150,
        blank=True,
        help_text=_("How the family name is read (furigana), used for sorting."),
    )
    given_name_reading = models.CharField(
        _("given name reading"),
        max_length=150,
        blank=True,
        help_text=_("How the given name is read (furigana), used for sorting."),
    )
    email = models.EmailField(_("email address"), blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="ja",
        help_text=_("Used for emails and as the page language after login."),
    )
    leader_since = models.DateField(
        _("leader since"),
        null=True,
        blank=True,
        help_text=_(
            "The day this person first led a team; sets the recommended span of "
            "control."
        ),
    )

    welcome_email_sent_at = models.DateTimeField(
        _("welcome email sent at"), null=True, blank=True, editable=False
    )

    # Only the leader start date is audited (with the username, to name the row).
    history = LeaderSinceHistory(
        excluded_fields=[
            "password",
            "last_login",
            "is_superuser",
            "family_name",
            "given_name",
            "family_name_reading",
            "given_name_reading",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "preferred_language",
            "welcome_email_sent_at",
        ]
    )

    objects = KataUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["family_name_reading", "given_name_reading", "username"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~Q(email=""),
                name="accounts_user_unique_email",
                violation_error_message=_("A user with this email already exists."),
            ),
            models.UniqueConstraint(
                Lower("username"),
                name="accounts_user_unique_username_ci",
                violation_error_message=_("A user with this username already exists."),
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("accounts:user_detail", kwargs={"pk": self.pk})

    def clean(self):
        super().clean()
        others = type(self)._default_manager.exclude(pk=self.pk)
        # The constraint guards the database; this puts the message on the field.
        if self.email and others.filter(email__iexact=self.email).exists():
            raise ValidationError(
                {"email": _("A user with this email already exists.")}
            )
        # Logins accept either, so one person's email may not be another's username.
        if self.email and others.filter(username__iexact=self.email).exists():
            raise ValidationError(
                {"email": _("This email address is another user's username.")}
            )
        if self.username and others.filter(email__iexact=self.username).exists():
            raise ValidationError(
                {"username": _("This username is another user's email address.")}
            )

    @property
    def display_name(self) -> str:
        return display_name(self.family_name, self.given_name, self.username)

    def get_full_name(self) -> str:
        return full_name(self.family_name, self.given_name)

    def get_short_name(self) -> str:
        return self.family_name or self.username

    @property
    def name_reading(self) -> str:
        return " ".join(
            part for part in (self.family_name_reading, self.given_name_reading) if part
        )


class Team(models.Model):
    name = models.CharField(_("name"), max_length=150, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")),
                name="accounts_team_not_own_parent",
                violation_error_message=_("A team cannot be its own parent."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("accounts:team_detail", kwargs={"pk": self.pk})


class TeamMembershipQuerySet(models.QuerySet):
    def active_on(self, day: date):
        """Memberships in force on `day` (start and end dates both included)."""
        return self.during(day, day)

    def during(self, first: date, last: date):
        """Memberships in force on any day from `first` to `last` (included)."""
        return self.filter(start_date__lte=last).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=first)
        )


class TeamMembership(models.Model):
    """A user's membership of a team from start_date to end_date, both included.

    Rows are kept after a member leaves: metrics follow the team a member belonged
    to at the time.
    """

    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="team_memberships",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        help_text=_("The last day of membership; empty while it lasts."),
    )
    # When the row was last written: the rollup recomputes the member's figures.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TeamMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team__name", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="accounts_membership_end_after_start",
                violation_error_message=_(
                    "The end date cannot be before the start date."
                ),
            ),
        ]
        indexes = [models.Index(fields=["user", "start_date"])]

    def __str__(self):
        return f"{self.user} – {self.team}"


class RolePeriodQuerySet(models.QuerySet):
    def held_at(self, moment: datetime):
        """Periods in force at `moment` (start included, end excluded). `moment` may
        be an expression (OuterRef) of the moment of an event."""
        return self.filter(
            Q(started_at__isnull=True) | Q(started_at__lte=moment)
        ).filter(Q(ended_at__isnull=True) | Q(ended_at__gt=moment))

    def during(self, start: datetime, end: datetime):
        """Periods in force at some moment from `start` (included) to `end`
        (excluded)."""
        return self.filter(Q(started_at__isnull=True) | Q(started_at__lt=end)).filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=start)
        )


class RolePeriod(models.Model):
    """A user held `role` from `started_at` (included) to `ended_at` (excluded).

    An empty start means since always: the roles people held before periods were
    kept, and the roles a user is created with, cover their whole imported history.
    An empty end means the role is held now. Rows are kept after a role ends:
    metrics credit a member for what happened while they held the Member role
    (METRICS.md). Written only by `accounts.services.user_set_roles`.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="role_periods",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role)
    started_at = models.DateTimeField(
        _("from"), null=True, blank=True, help_text=_("Empty: since always.")
    )
    ended_at = models.DateTimeField(
        _("until"), null=True, blank=True, help_text=_("Empty while the role is held.")
    )

    objects = RolePeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("role period")
        verbose_name_plural = _("role history")
        # "Since always" first, on every database (PostgreSQL puts nulls last).
        ordering = ["user", "role", models.F("started_at").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=Q(ended_at__isnull=True),
                name="accounts_role_one_open_period",
                violation_error_message=_("The user already holds this role."),
            ),
            models.CheckConstraint(
                condition=Q(started_at__isnull=True)
                | Q(ended_at__isnull=True)
                | Q(ended_at__gt=models.F("started_at")),
                name="accounts_role_period_dates",
                violation_error_message=_("A role period ends after it starts."),
            ),
        ]
        indexes = [models.Index(fields=["user", "role", "started_at"])]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}"


class Notification(models.Model):
    """An in-app notice for one user (`services.notify`). It keeps its kind and
    parameters, not a rendered text, so that it reads in the reader's language
    (`notifications.render`: each app registers the texts of its kinds). `key`
    names what it announces, so that announcing the same thing twice notifies
    once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=~Q(key=""),
                name="accounts_notification_once_per_key",
            )
        ]
        indexes = [models.Index(fields=["user", "read_at", "created_at"])]

    def __str__(self):
        return f"{self.user} – {self.kind}"

    @property
    def text(self) -> str:
        from .notifications import render

        return render(self.kind, self.params)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
