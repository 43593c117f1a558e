"""The customer success journey and everything around it: steps, playbooks, training,
practicum, customer accounts with their coverage history, step events, and each
account's ARR month by month.

History is never rewritten: steps keep their identity when they are reordered or
retired (events stay attached to the step they were recorded for), playbooks are
versioned, coverage (owner, model, pool) is kept as dated periods, and step events are
append-only (a wrong one is voided with a reason); an ARR snapshot is corrected in
place and its history keeps every earlier value. Metrics read these rules from
`shared/METRICS.md`.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from config.fields import validate_plausible_date
from config.queries import NullsLastIndex

DEFAULT_WINDOW_DAYS = 90
# Ten years: longer windows and targets are typing mistakes (and overflow dates).
MAX_DAYS = 3650
_DAYS = [MinValueValidator(1), MaxValueValidator(MAX_DAYS)]


class CoverageModel(models.TextChoices):
    DEDICATED = "dedicated", _("Dedicated (one owner)")
    POOLED = "pooled", _("Pooled")


class Journey(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    segments = models.CharField(
        _("segments"),
        max_length=500,
        blank=True,
        help_text=_("The customer segments it applies to, separated by commas."),
    )
    coverage_models = models.CharField(
        _("coverage models"),
        max_length=100,
        blank=True,
        help_text=_("Dedicated, pooled or both; empty for every model."),
    )
    conversion_window_days = models.PositiveIntegerField(
        _("journey conversion window (days)"),
        null=True,
        blank=True,
        validators=_DAYS,
        help_text=_(
            "From the first step to the last; when empty, the sum of the step windows."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("journey")
        verbose_name_plural = _("journeys")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("journeys:journey_detail", args=[self.pk])


class Step(models.Model):
    """A milestone. `position` orders the journey's current steps 1..n; a retired
    step has no position and keeps its events."""

    journey = models.ForeignKey(
        Journey,
        verbose_name=_("journey"),
        on_delete=models.PROTECT,
        related_name="steps",
    )
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    definition_of_done = models.TextField(
        _("definition of done"),
        blank=True,
        help_text=_(
            "How to tell that the customer reached this step; one check per line."
        ),
    )
    is_value_point = models.BooleanField(_("value point"), default=False)
    target_days = models.PositiveIntegerField(
        _("target (days from the start of the journey)"),
        null=True,
        blank=True,
        validators=_DAYS,
    )
    conversion_window_days = models.PositiveIntegerField(
        _("conversion window (days)"), default=DEFAULT_WINDOW_DAYS, validators=_DAYS
    )
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["journey", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "position"],
                condition=Q(position__isnull=False),
                name="journeys_step_position_unique",
                violation_error_message=_(
                    "Another step of the journey has this position."
                ),
            ),
            models.CheckConstraint(
                condition=Q(retired_at__isnull=True, position__isnull=False)
                | Q(retired_at__isnull=False, position__isnull=True),
                name="journeys_step_current_or_retired",
                violation_error_message=_(
                    "A step is either in the journey at a position, or retired."
                ),
            ),
            models.CheckConstraint(
                condition=Q(is_value_point=False) | Q(target_days__isnull=False),
                name="journeys_step_value_point_has_target",
                violation_error_message=_("A value point needs its target in days."),
            ),
            models.CheckConstraint(
                condition=Q(conversion_window_days__gte=1)
                & Q(conversion_window_days__lte=MAX_DAYS)
                & (Q(target_days__isnull=True) | Q(target_days__lte=MAX_DAYS)),
                name="journeys_step_days_in_range",
                violation_error_message=_("Days are counted from 1 to 3650."),
            ),
        ]

    def __str__(self):
        if self.position is None:
            return _("%(name)s (retired)") % {"name": self.name}
        return f"{self.position}. {self.name}"

    def done_checks(self) -> list[str]:
        return [line for line in self.definition_of_done.splitlines() if line.strip()]


class Playbook(models.Model):
    """How to move a customer from `from_step` to the next step. Its content is in
    versions; the latest is the playbook in use."""

    from_step = models.OneToOneField(
        Step,
        verbose_name=_("from step"),
        on_delete=models.PROTECT,
        related_name="playbook",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_playbooks",
    )
    last_reviewed_on = models.DateField(_("last reviewed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")

    def __str__(self):
        return str(self.from_step)

    def get_absolute_url(self):
        return reverse("journeys:playbook_detail", args=[self.pk])


class PlaybookVersion(models.Model):
    playbook = models.ForeignKey(
        Playbook, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("version"))
    goal = models.TextField(_("goal"))
    actions = models.TextField(
        _("recommended actions"), help_text=_("A checklist: one action per line.")
    )
    content = models.TextField(
        _("content and tools"),
        blank=True,
        help_text=_(
            "Links, documents and email templates. Placeholders such as "
            "{customer_name} are filled in on an account's page."
        ),
    )
    note = models.CharField(_("what changed"), max_length=300, blank=True)
    reflection = models.ForeignKey(
        "PracticumReflection",
        verbose_name=_("prompted by the reflection"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="playbook_versions",
        help_text=_("The practicum reflection this version answers, if any."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("playbook version")
        verbose_name_plural = _("playbook versions")
        ordering = ["playbook", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["playbook", "number"],
                name="journeys_playbook_version_unique",
                violation_error_message=_("This version number is taken."),
            )
        ]

    def __str__(self):
        return f"{self.playbook} v{self.number}"

    def action_lines(self) -> list[str]:
        return [line for line in self.actions.splitlines() if line.strip()]


class TrainingModule(models.Model):
    """The lecture on how to use a transition's playbook, with an optional quiz."""

    from_step = models.ForeignKey(
        Step,
        verbose_name=_("from step"),
        on_delete=models.PROTECT,
        related_name="training_modules",
    )
    # "title" is also an opening's (hiring, ポジション名): here, the module's.
    title = models.CharField(pgettext_lazy("training module", "title"), max_length=200)
    material = models.TextField(
        _("material"), blank=True, help_text=_("Text and links; line breaks are kept.")
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        null=True,
        blank=True,
        help_text=_("Needed when the module has a quiz."),
    )
    is_required = models.BooleanField(
        _("required before taking accounts"), default=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("training module")
        verbose_name_plural = _("training modules")
        ordering = ["from_step__journey", "from_step__position", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pass_mark__isnull=True)
                | Q(pass_mark__gte=0, pass_mark__lte=100),
                name="journeys_module_pass_mark_percent",
                violation_error_message=_(
                    "The pass mark is a percentage from 0 to 100."
                ),
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("journeys:module_detail", args=[self.pk])


class QuizQuestion(models.Model):
    module = models.ForeignKey(
        TrainingModule, on_delete=models.CASCADE, related_name="quiz_questions"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    text = models.TextField(_("question"))

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["module", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["module", "position"],
                name="journeys_quiz_position_unique",
                violation_error_message=_(
                    "Another question of the quiz has this position."
                ),
            )
        ]

    def __str__(self):
        return self.text


class QuizChoice(models.Model):
    question = models.ForeignKey(
        QuizQuestion, on_delete=models.CASCADE, related_name="choices"
    )
    text = models.CharField(_("choice"), max_length=300)
    is_correct = models.BooleanField(_("correct answer"), default=False)

    class Meta:
        verbose_name = _("quiz choice")
        verbose_name_plural = _("quiz choices")
        ordering = ["question", "id"]

    def __str__(self):
        return self.text


class TrainingAssignment(models.Model):
    """A module assigned to one member, or to everyone who is a member of a team at
    any time before the due date (joiners included)."""

    module = models.ForeignKey(
        TrainingModule,
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_assignments",
    )
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="training_assignments",
    )
    due_date = models.DateField(_("due date"), validators=[validate_plausible_date])
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("training assignment")
        verbose_name_plural = _("training assignments")
        ordering = ["due_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(member__isnull=False, team__isnull=True)
                | Q(member__isnull=True, team__isnull=False),
                name="journeys_assignment_member_or_team",
                violation_error_message=_("Assign to one member or to one team."),
            )
        ]

    def __str__(self):
        return f"{self.module} → {self.member or self.team}"


class TrainingCompletion(models.Model):
    """One attempt at a module: completed, with the quiz score when it has a quiz.
    A failed quiz is recorded too; the member may try again."""

    module = models.ForeignKey(
        TrainingModule,
        verbose_name=_("module"),
        on_delete=models.PROTECT,
        related_name="completions",
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="training_completions",
    )
    completed_at = models.DateTimeField(_("completed at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    score = models.PositiveSmallIntegerField(_("quiz score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"))

    class Meta:
        verbose_name = _("training completion")
        verbose_name_plural = _("training completions")
        ordering = ["-completed_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="journeys_completion_score_percent",
                violation_error_message=_("A score is a percentage from 0 to 100."),
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.module}"


class PracticumReflection(models.Model):
    """A new member walks a step as a customer would, and reflects on it."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="practicum_reflections",
    )
    step = models.ForeignKey(
        Step,
        verbose_name=_("step"),
        on_delete=models.PROTECT,
        related_name="reflections",
    )
    checks_done = models.JSONField(_("checks done"), default=list, blank=True)
    what_was_hard = models.TextField(_("what was hard"), blank=True)
    where_stuck = models.TextField(_("where I got stuck"), blank=True)
    what_would_help = models.TextField(_("what would have helped"), blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("practicum reflection")
        verbose_name_plural = _("practicum reflections")
        ordering = ["member", "step__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "step"],
                name="journeys_reflection_once_per_step",
                violation_error_message=_(
                    "There is already a reflection on this step."
                ),
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.step}"


class Pool(models.Model):
    """Several members sharing many accounts (pooled CSM model)."""

    class Kind(models.TextChoices):
        SEGMENT = "segment", _("Segment")
        PRODUCT = "product", _("Product")
        REGION = "region", _("Region")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="pools",
    )

    class Meta:
        verbose_name = _("pool")
        verbose_name_plural = _("pools")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("journeys:pool_detail", args=[self.pk])


class PoolMembership(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="pool_memberships",
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Last day, included.")
    )

    class Meta:
        verbose_name = _("pool membership")
        verbose_name_plural = _("pool memberships")
        ordering = ["pool", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="journeys_pool_membership_dates",
                violation_error_message=_(
                    "The end date is on or after the start date."
                ),
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.pool}"


class HealthBand(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    AT_RISK = "at_risk", _("At risk")
    CRITICAL = "critical", _("Critical")


class CustomerAccount(models.Model):
    name = models.CharField(_("name"), max_length=200)
    external_id = models.CharField(
        _("external id"), max_length=100, unique=True, help_text=_("The CRM's id.")
    )
    segment = models.CharField(_("segment"), max_length=100, blank=True)
    arr = models.DecimalField(
        _("ARR"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    journey = models.ForeignKey(
        Journey,
        verbose_name=_("journey"),
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # The latest AccountHealth, kept here so that lists sort and filter by it.
    health_score = models.PositiveSmallIntegerField(
        _("health score"), null=True, blank=True
    )
    # A database default: accounts written by SQL (COPY, integrations) have none.
    health_band = models.CharField(
        _("health"), max_length=10, choices=HealthBand, blank=True, db_default=""
    )
    # Where the account stands on its journey, kept here by `journeys.progress`
    # whenever its events or its journey's steps change (the rule is there), so
    # that lists filter and sort by it with an index instead of looking through
    # every account's events: the current step, that step's first reach, and the
    # first reach of step 1.
    progress_step = models.ForeignKey(
        "Step",
        verbose_name=_("current step"),
        on_delete=models.SET_NULL,
        null=True,
        editable=False,
        related_name="+",
    )
    progress_step_since = models.DateTimeField(
        _("at the current step since"), null=True, editable=False
    )
    progress_started_at = models.DateTimeField(
        _("journey started at"), null=True, editable=False
    )

    class Meta:
        verbose_name = _("customer account")
        verbose_name_plural = _("customer accounts")
        ordering = ["name", "id"]
        indexes = [
            # The account list's default order: a page reads the index, not a
            # sort of every account.
            models.Index(fields=["name", "id"], name="journeys_account_name_id"),
            # The largest accounts first (the list by ARR, descending): a page
            # reads the index instead of sorting every account.
            NullsLastIndex(
                F("arr").desc(nulls_last=True), "id", name="journeys_account_arr_desc"
            ),
            # The list's segment menu: the few segments found in the index
            # (`selectors.account_segments`), not in every account.
            models.Index(fields=["segment"], name="journeys_account_segment"),
            # "Value point overdue": the accounts of a journey started before a
            # deadline's cutoff.
            models.Index(
                fields=["journey", "progress_started_at"],
                name="journeys_account_started",
            ),
            # The journey of each active account a team's members own
            # (`recognition.selectors.dashboard.accounts_owned`, on the dashboard
            # and the member page): looked up in the index alone (PostgreSQL's
            # INCLUDE), not in the table, some 1,800 accounts for a team of 12.
            models.Index(
                fields=["id"],
                include=["journey"],
                condition=models.Q(is_active=True),
                name="journeys_account_active_jrn",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The stored progress is written by `journeys.progress` alone: saving an
        # account read before an event was recorded leaves the event's progress.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                field.name
                for field in self._meta.concrete_fields
                if not field.primary_key and field.name not in PROGRESS_FIELDS
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("journeys:account_detail", args=[self.pk])


PROGRESS_FIELDS = ("progress_step", "progress_step_since", "progress_started_at")


class Coverage(models.Model):
    """Who covered an account from when to when: a dedicated owner, or a pool.

    The periods of one account do not overlap; the open one (`ended_at` empty) is the
    current coverage. Changing the owner or the pool closes the open period and
    starts a new one. Metric attribution reads this history.
    """

    account = models.ForeignKey(
        CustomerAccount, on_delete=models.CASCADE, related_name="coverage"
    )
    model = models.CharField(_("coverage model"), max_length=20, choices=CoverageModel)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_accounts",
    )
    pool = models.ForeignKey(
        Pool,
        verbose_name=_("pool"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="coverage",
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_not_ready_confirmed = models.BooleanField(
        _("assigned although the owner was not ready"), default=False
    )
    # When the row was last written: the rollup recomputes accounts changed since.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("coverage period")
        verbose_name_plural = _("coverage history")
        ordering = ["account", "started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(ended_at__isnull=True),
                name="journeys_coverage_one_open_period",
                violation_error_message=_(
                    "The account already has a current coverage."
                ),
            ),
            models.CheckConstraint(
                condition=Q(model="dedicated", owner__isnull=False, pool__isnull=True)
                | Q(model="pooled", owner__isnull=True, pool__isnull=False),
                name="journeys_coverage_owner_or_pool",
                violation_error_message=_(
                    "A dedicated account has an owner and no pool; a pooled account "
                    "has a pool and no owner."
                ),
            ),
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True)
                | Q(ended_at__gt=models.F("started_at")),
                name="journeys_coverage_dates",
                violation_error_message=_("A coverage period ends after it starts."),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "started_at"]),
            # The accounts each member owns today (the dashboard, the member page).
            models.Index(
                fields=["owner", "account"],
                condition=Q(ended_at__isnull=True),
                name="journeys_coverage_open_owner",
            ),
            # The accounts in each pool today (what a pool's members and the
            # pool's team leader see): read from the index alone, not from the
            # pool's periods scattered over the table.
            models.Index(
                fields=["pool", "account"],
                condition=Q(ended_at__isnull=True),
                name="journeys_coverage_open_pool",
            ),
        ]

    def __str__(self):
        return f"{self.account}: {self.owner or self.pool}"


class StepEvent(models.Model):
    """Account A reached step k at time t. Append-only: a wrong event is voided with
    a reason, never edited or deleted."""

    class Source(models.TextChoices):
        UI = "ui", _("Kata")
        API = "api", _("API")
        IMPORT = "import", _("Import")

    account = models.ForeignKey(
        CustomerAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="step_events",
    )
    step = models.ForeignKey(
        Step, verbose_name=_("step"), on_delete=models.PROTECT, related_name="events"
    )
    reached_at = models.DateTimeField(_("reached at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    # "Source" is also a candidate's (hiring, 応募経路): here, where it was recorded.
    source = models.CharField(
        pgettext_lazy("step event", "source"), max_length=10, choices=Source
    )
    note = models.TextField(_("note"), blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    void_reason = models.TextField(_("why it was voided"), blank=True)

    class Meta:
        verbose_name = _("step event")
        verbose_name_plural = _("step events")
        ordering = ["account", "reached_at", "id"]
        constraints = [
            # Importing the same event twice creates nothing new.
            models.UniqueConstraint(
                fields=["account", "step", "reached_at"],
                condition=Q(voided_at__isnull=True),
                name="journeys_event_once",
                violation_error_message=_("This event is already recorded."),
            ),
            models.CheckConstraint(
                condition=Q(voided_at__isnull=True) | ~Q(void_reason=""),
                name="journeys_event_void_has_reason",
                violation_error_message=_("A voided event needs its reason."),
            ),
        ]
        indexes = [
            models.Index(fields=["account", "step", "reached_at"]),
            models.Index(fields=["step", "reached_at"]),
            # The step-event lists' pages, newest reach first (config.keyset).
            models.Index(
                fields=["reached_at", "id"], name="journeys_event_reached_idx"
            ),
            # The events recorded or voided since a moment: what each rollup run
            # and health refresh look for (`selectors.events_changed_since`).
            models.Index(fields=["recorded_at"], name="journeys_event_recorded_idx"),
            models.Index(
                fields=["voided_at"],
                name="journeys_event_voided_idx",
                condition=Q(voided_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.account} · {self.step} · {self.reached_at:%Y-%m-%d}"


class PlaybookActionTick(models.Model):
    """A member ticked (or unticked) one recommended action of a playbook version
    for one customer account. Append-only: the latest row of an (account, version,
    action) is its state; the earlier ones are its history."""

    account = models.ForeignKey(
        CustomerAccount,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="playbook_ticks",
    )
    version = models.ForeignKey(
        PlaybookVersion,
        verbose_name=_("playbook version"),
        on_delete=models.CASCADE,
        related_name="ticks",
    )
    action_number = models.PositiveSmallIntegerField(
        _("action number"), help_text=_("The action's line in the version, from 1.")
    )
    action_text = models.CharField(_("action"), max_length=500)
    is_done = models.BooleanField(_("ticked"))
    ticked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ticked by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    ticked_at = models.DateTimeField(_("ticked at"))

    class Meta:
        verbose_name = _("playbook action tick")
        verbose_name_plural = _("playbook action ticks")
        ordering = ["account", "version", "action_number", "-ticked_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action_number__gte=1),
                name="journeys_tick_action_number_positive",
                violation_error_message=_("Actions are numbered from 1."),
            )
        ]
        indexes = [models.Index(fields=["account", "version", "action_number"])]

    def __str__(self):
        return f"{self.account} · {self.version} · {self.action_number}"


class ARRMovement(models.TextChoices):
    """How an account's ARR moved into a month (`journeys.revenue` tells the rules)."""

    NEW = "new", pgettext_lazy("ARR movement", "New")
    UPSELL = "upsell", _("Upsell")
    EXPANSION = "expansion", _("Expansion")
    CROSS_SELL = "cross_sell", _("Cross-sell")
    DOWNSELL = "downsell", _("Downsell")
    CHURN = "churn", _("Churn")
    REACTIVATION = "reactivation", _("Reactivation")


class ARRSnapshot(models.Model):
    """An account's ARR in one month, and how it moved into that month from the
    account's previous snapshot.

    Written by `journeys.revenue` only, which recomputes `previous_arr` and
    `movement` of the account's snapshots after each write; `stated_movement` is
    what a person said the movement was (kept, never inferred over). Changes are
    kept in the history (django-simple-history): who, when, before and after.
    """

    # Where it was recorded, as for step events: the same places, the same words.
    Source = StepEvent.Source

    account = models.ForeignKey(
        CustomerAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="arr_snapshots",
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    arr = models.DecimalField(
        _("ARR"), max_digits=14, decimal_places=0, validators=[MinValueValidator(0)]
    )
    previous_arr = models.DecimalField(
        _("ARR before"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        help_text=_(
            "The ARR carried into the month: the latest earlier month's; empty "
            "before the account's first snapshot."
        ),
    )
    movement = models.CharField(
        _("movement"), max_length=20, choices=ARRMovement, blank=True
    )
    stated_movement = models.CharField(
        _("movement type stated"),
        max_length=20,
        choices=ARRMovement,
        blank=True,
        help_text=_(
            "Given when the ARR was recorded or corrected since; when empty, or "
            "when it no longer fits the change, the inferred type applies."
        ),
    )
    source = models.CharField(
        pgettext_lazy("step event", "source"), max_length=10, choices=Source
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    # When the row was last written: the rollup recomputes accounts changed since.
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ARR snapshot")
        verbose_name_plural = _("ARR snapshots")
        ordering = ["account", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month"],
                name="journeys_arr_snapshot_once_per_month",
                violation_error_message=_(
                    "This account's ARR of this month is already recorded."
                ),
            ),
            models.CheckConstraint(
                condition=Q(arr__gte=0)
                & (Q(previous_arr__isnull=True) | Q(previous_arr__gte=0)),
                name="journeys_arr_snapshot_not_negative",
                violation_error_message=_("ARR is never negative."),
            ),
        ]
        indexes = [
            # Movements by month (the revenue figures), and the API's month filters.
            models.Index(fields=["month", "account"], name="journeys_arr_month_idx"),
        ]

    def __str__(self):
        return f"{self.account} · {self.month:%Y-%m}"

    @property
    def change(self) -> Decimal:
        """The ARR gained (positive) or lost (negative) into the month."""
        return self.arr - (self.previous_arr or 0)


# --- Account success plans: the customer's own business outcome --------------------


class OutcomeKind(models.TextChoices):
    """What the customer bought the product for."""

    REVENUE = "revenue", _("Revenue")
    COST = "cost", _("Cost")
    DEPARTMENT_TARGET = "department_target", _("A department's target")
    PERSONAL_OBJECTIVE = "personal_objective", _("A person's objective")
    OTHER = "other", _("Other")


class SuccessPlan(models.Model):
    """An account's success plan: the business outcome the customer wants, in the
    customer's words, with its customer-side owner. Its measures (baseline, target,
    date) and their dated progress tell whether the outcome is on its path
    (`journeys.success` tells the rules)."""

    account = models.OneToOneField(
        CustomerAccount,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="success_plan",
    )
    outcome = models.TextField(
        _("business outcome"),
        help_text=_(
            "In the customer's words: what they bought the product for and what "
            "success means to them."
        ),
    )
    outcome_kind = models.CharField(
        _("kind of outcome"), max_length=30, choices=OutcomeKind
    )
    customer_owner = models.CharField(
        _("customer-side owner"),
        max_length=200,
        help_text=_("The person at the customer who owns the outcome."),
    )
    customer_owner_title = models.CharField(_("their role"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("success plan")
        verbose_name_plural = _("success plans")
        ordering = ["account"]

    def __str__(self):
        return str(self.account)


class SuccessMeasure(models.Model):
    """One measure agreed with the customer: where it stood (baseline, on a date)
    and where it should be (target, by a date). The journey's value points it
    rests on are linked to it."""

    plan = models.ForeignKey(
        SuccessPlan,
        verbose_name=_("success plan"),
        on_delete=models.CASCADE,
        related_name="measures",
    )
    name = models.CharField(_("measure"), max_length=200)
    unit = models.CharField(
        _("unit"), max_length=50, blank=True, help_text=_("For example: %, hours, ¥")
    )
    baseline = models.DecimalField(_("baseline"), max_digits=18, decimal_places=4)
    baseline_on = models.DateField(
        _("baseline measured on"), validators=[validate_plausible_date]
    )
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    target_on = models.DateField(_("target date"), validators=[validate_plausible_date])
    value_points = models.ManyToManyField(
        Step,
        verbose_name=_("value points"),
        blank=True,
        related_name="success_measures",
        help_text=_("The journey's value points that move this measure."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords(m2m_fields=[value_points])

    class Meta:
        verbose_name = _("success measure")
        verbose_name_plural = _("success measures")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target=models.F("baseline")),
                name="journeys_measure_target_differs",
                violation_error_message=_("The target must differ from the baseline."),
            ),
            models.CheckConstraint(
                condition=Q(target_on__gt=models.F("baseline_on")),
                name="journeys_measure_target_after_baseline",
                violation_error_message=_(
                    "The target date must come after the baseline's date."
                ),
            ),
        ]

    def __str__(self):
        return self.name


class SuccessProgress(models.Model):
    """A dated reading of a measure, as the customer reported it. Append-only: a
    wrong reading is corrected by a later entry for the same date (the latest
    recorded one counts)."""

    measure = models.ForeignKey(
        SuccessMeasure,
        verbose_name=_("success measure"),
        on_delete=models.CASCADE,
        related_name="progress",
    )
    measured_on = models.DateField(
        _("measured on"), validators=[validate_plausible_date]
    )
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=4)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("progress entry")
        verbose_name_plural = _("progress entries")
        ordering = ["measure", "measured_on", "recorded_at", "id"]
        indexes = [
            models.Index(
                fields=["measure", "measured_on", "recorded_at"],
                name="journeys_progress_latest",
            )
        ]

    def __str__(self):
        return f"{self.measure} · {self.measured_on}"


# --- Account health --------------------------------------------------------------


class HealthPolicy(models.Model):
    """How account health is scored: one policy for the organisation (the latest
    row applies), set by an admin. Each part scores 0–100 between its "good" and
    "bad" thresholds; the score is the weighted mean of the parts that apply
    (`journeys.health` tells the rules)."""

    weight_pace = models.PositiveSmallIntegerField(
        _("weight: journey pace"), default=3, validators=[MaxValueValidator(10)]
    )
    weight_value_points = models.PositiveSmallIntegerField(
        _("weight: overdue value points"), default=3, validators=[MaxValueValidator(10)]
    )
    weight_recency = models.PositiveSmallIntegerField(
        _("weight: days since the last step event"),
        default=2,
        validators=[MaxValueValidator(10)],
    )
    weight_arr_trend = models.PositiveSmallIntegerField(
        _("weight: ARR trend"), default=2, validators=[MaxValueValidator(10)]
    )
    weight_plan = models.PositiveSmallIntegerField(
        _("weight: success-plan progress"),
        default=3,
        validators=[MaxValueValidator(10)],
    )
    # Journey pace: days at the current step over its conversion window.
    pace_good = models.DecimalField(
        _("pace: good up to (share of the window)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0.75"),
        validators=[MinValueValidator(0)],
    )
    pace_bad = models.DecimalField(
        _("pace: bad from (share of the window)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(0)],
    )
    overdue_bad = models.PositiveSmallIntegerField(
        _("overdue value points: bad from"),
        default=2,
        validators=[MinValueValidator(1)],
    )
    recency_good_days = models.PositiveSmallIntegerField(
        _("days since the last step event: good up to"), default=30
    )
    recency_bad_days = models.PositiveSmallIntegerField(
        _("days since the last step event: bad from"), default=90
    )
    arr_trend_months = models.PositiveSmallIntegerField(
        _("ARR trend over (months)"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    arr_drop_bad_percent = models.PositiveSmallIntegerField(
        _("ARR trend: bad from a drop of (%)"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    healthy_from = models.PositiveSmallIntegerField(
        _("healthy from (score)"), default=70, validators=[MaxValueValidator(100)]
    )
    critical_below = models.PositiveSmallIntegerField(
        _("critical below (score)"), default=40, validators=[MaxValueValidator(100)]
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("health policy")
        verbose_name_plural = _("health policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(pace_bad__gt=models.F("pace_good")),
                name="journeys_health_pace_order",
                violation_error_message=_(
                    "Pace: “bad from” must be above “good up to”."
                ),
            ),
            models.CheckConstraint(
                condition=Q(recency_bad_days__gt=models.F("recency_good_days")),
                name="journeys_health_recency_order",
                violation_error_message=_(
                    "Days since the last event: “bad from” must be above “good up to”."
                ),
            ),
            models.CheckConstraint(
                condition=Q(healthy_from__gt=models.F("critical_below")),
                name="journeys_health_band_order",
                violation_error_message=_(
                    "“Healthy from” must be above “critical below”."
                ),
            ),
        ]

    def __str__(self):
        return str(_("Health policy"))


class AccountHealth(models.Model):
    """An account's health score on one day, with its parts (each 0–100, empty
    when it does not apply) and what they were computed from, so a member sees
    why. One row per account and day; earlier days are the history. The latest
    is also on the account (`CustomerAccount.health_score`, `health_band`)."""

    # Indexed by the unique constraint, which leads with it.
    account = models.ForeignKey(
        CustomerAccount,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="health_history",
        db_index=False,
    )
    day = models.DateField(_("day"))
    score = models.PositiveSmallIntegerField(_("health score"), null=True, blank=True)
    band = models.CharField(_("health"), max_length=10, choices=HealthBand, blank=True)
    pace = models.PositiveSmallIntegerField(_("journey pace"), null=True, blank=True)
    value_points = models.PositiveSmallIntegerField(
        _("value points"), null=True, blank=True
    )
    recency = models.PositiveSmallIntegerField(_("recency"), null=True, blank=True)
    arr_trend = models.PositiveSmallIntegerField(_("ARR trend"), null=True, blank=True)
    plan = models.PositiveSmallIntegerField(
        _("success-plan progress"), null=True, blank=True
    )
    # What the parts were computed from.
    days_at_step = models.PositiveIntegerField(
        _("days at the current step"), null=True, blank=True
    )
    window_days = models.PositiveIntegerField(_("window (days)"), null=True, blank=True)
    overdue_value_points = models.PositiveSmallIntegerField(
        _("overdue value points"), null=True, blank=True
    )
    days_since_event = models.PositiveIntegerField(
        _("days since the last step event"), null=True, blank=True
    )
    arr_change_percent = models.FloatField(_("ARR change (%)"), null=True, blank=True)
    measures_on_track = models.PositiveSmallIntegerField(
        _("measures on track"), null=True, blank=True
    )
    measures = models.PositiveSmallIntegerField(_("measures"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("account health")
        verbose_name_plural = _("account health")
        ordering = ["account", "-day"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "day"], name="journeys_health_once_a_day"
            )
        ]

    def __str__(self):
        return f"{self.account} · {self.day}"


# --- Success stories: members' success cases, shared across the organisation -------


class StoryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", pgettext_lazy("success story", "Published")


class SuccessStory(models.Model):
    """A success case a member writes up in their own words: an account, the
    transition it moved (a step to the next one of the account's journey), what
    they did and the customer's outcome. A draft is its author's; a published story
    is read by every member of the organisation (the account's name only by those
    who see the account), linked from the playbook and the training of its
    transition; a manager features the best at the monthly success-sharing meeting
    (`journeys.stories` tells the rules)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="success_stories",
    )
    account = models.ForeignKey(
        CustomerAccount,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        related_name="success_stories",
    )
    from_step = models.ForeignKey(
        Step,
        verbose_name=_("from step"),
        on_delete=models.PROTECT,
        related_name="stories_from",
    )
    to_step = models.ForeignKey(
        Step,
        verbose_name=_("to step"),
        on_delete=models.PROTECT,
        related_name="stories_to",
    )
    # "title" is also an opening's (hiring, ポジション名): here, the story's.
    title = models.CharField(pgettext_lazy("success story", "title"), max_length=200)
    what_we_did = models.TextField(_("what we did"))
    customer_outcome = models.TextField(_("the customer's outcome"))
    outcome_on = models.DateField(
        _("outcome reached on"),
        null=True,
        blank=True,
        validators=[validate_plausible_date],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=StoryStatus, default=StoryStatus.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    featured_month = models.DateField(
        _("featured in the month"),
        null=True,
        blank=True,
        help_text=_("The first day of the month of the sharing meeting."),
    )
    featured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("featured by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    featured_at = models.DateTimeField(_("featured at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("success story")
        verbose_name_plural = _("success stories")
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_step=models.F("to_step")),
                name="journeys_story_two_steps",
                violation_error_message=_("A transition goes from a step to another."),
            ),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="journeys_story_published_at",
                violation_error_message=_(
                    "A published story has its publication time; a draft has none."
                ),
            ),
            models.CheckConstraint(
                condition=Q(featured_month__isnull=True) | Q(status="published"),
                name="journeys_story_featured_published",
                violation_error_message=_("Only a published story is featured."),
            ),
        ]
        indexes = [
            # The library's order: the newest published first.
            models.Index(
                fields=["status", "-published_at", "-id"],
                name="journeys_story_published_idx",
            ),
            models.Index(fields=["featured_month"], name="journeys_story_featured_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("journeys:story_detail", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == StoryStatus.DRAFT
