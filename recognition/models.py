"""Management: metric rollups, retrospectives, assessments, development plans,
awards and promotion criteria.

Every number comes from `shared/METRICS.md`. The rollup keeps one row per account and
transition (`AccountTransition`) and per account and value point
(`AccountValuePoint`); the monthly tables per member, team and pool are aggregated
from them in the database. Periods longer than a month are aggregated from the
per-account rows again (a median of medians is wrong).

Metrics are named by catalogue keys (`recognition.metrics`), for example
`step_conversion:12` (the transition leaving step 12), stored as text wherever a
metric is chosen (awards, plans, criteria).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from config.fields import validate_plausible_date

RATING = [MinValueValidator(1), MaxValueValidator(4)]


class ConversionKind(models.TextChoices):
    STEP = "step", _("Step conversion")
    JOURNEY = "journey", _("Journey conversion")


def _derived_key(to, verbose_name, *, null: bool = False, db_index: bool = True):
    """A foreign key of a derived row (`Credited`): no database constraint, no
    reverse accessor, deleted with what it refers to."""
    return models.ForeignKey(
        to,
        verbose_name=verbose_name,
        on_delete=models.CASCADE,
        null=null,
        blank=null,
        related_name="+",
        db_constraint=False,
        db_index=db_index,
    )


class Credited(models.Model):
    """Who and what an account's figure counts for (METRICS.md, attribution).

    The per-account rows and the monthly figures are derived: the rollup rebuilds
    them from the events in one transaction, joining the very rows they refer to.
    Their foreign keys have no database constraint (`db_constraint=False`), which
    would check every row of a full run again at commit; deleting what they refer
    to still deletes them (Django's cascade)."""

    member = _derived_key(settings.AUTH_USER_MODEL, _("credited member"), null=True)
    team = _derived_key("accounts.Team", _("team"), null=True)
    pool = _derived_key("journeys.Pool", _("pool"), null=True)
    cohort_month = models.DateField(_("cohort month"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        abstract = True


class AccountTransition(Credited):
    """Did this account move on from step k (or, for the journey, from step 1 to the
    last step) within the window? One row per account and transition."""

    # Indexed by the unique constraint, which leads with it.
    account = _derived_key("journeys.CustomerAccount", _("account"), db_index=False)
    # Not indexed: read with the account (the unique constraint) or the cohort
    # month, alone only when a journey or step is deleted.
    journey = _derived_key("journeys.Journey", _("journey"), db_index=False)
    from_step = _derived_key("journeys.Step", _("from step"), db_index=False)
    # Read by cohort month (the indexes below), or by conversion moment for the
    # flow figures of a team's or pool's months (most of the rows: an index on the
    # owner alone did not help, PostgreSQL M); alone when a team or pool is deleted
    # (a rare admin action that reads the whole table). An incremental rollup
    # writes its changed rows, and each index with them; a full one on PostgreSQL
    # builds each index once, on staged rows it swaps in.
    team = _derived_key("accounts.Team", _("team"), null=True, db_index=False)
    pool = _derived_key("journeys.Pool", _("pool"), null=True, db_index=False)
    kind = models.CharField(_("kind"), max_length=10, choices=ConversionKind)
    reached_at = models.DateTimeField(_("first reach"))
    window_ends_at = models.DateTimeField(_("window ends at"))
    converted = models.BooleanField(_("converted"))
    converted_at = models.DateTimeField(_("converted at"), null=True, blank=True)
    days_to_convert = models.PositiveIntegerField(
        _("days to convert"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("account transition")
        verbose_name_plural = _("account transitions")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "from_step", "kind"],
                name="recognition_transition_once",
            )
        ]
        indexes = [
            models.Index(fields=["cohort_month", "member"]),
            models.Index(fields=["cohort_month", "team"]),
            models.Index(fields=["cohort_month", "pool"]),
        ]

    def __str__(self):
        return f"{self.account} · {self.from_step} · {self.cohort_month:%Y-%m}"


class AccountValuePoint(Credited):
    """Did this account reach a value point within its target days of step 1?"""

    # Indexed by the unique constraint, which leads with it.
    account = _derived_key("journeys.CustomerAccount", _("account"), db_index=False)
    # Not indexed: read with the account (the unique constraint) or the cohort
    # month, alone only when a journey or step is deleted.
    journey = _derived_key("journeys.Journey", _("journey"), db_index=False)
    step = _derived_key("journeys.Step", _("value point"), db_index=False)
    started_at = models.DateTimeField(_("journey started at"))
    deadline = models.DateTimeField(_("deadline"))
    reached_at = models.DateTimeField(_("reached at"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"))

    class Meta:
        verbose_name = _("account value point")
        verbose_name_plural = _("account value points")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "step"], name="recognition_value_point_once"
            )
        ]
        indexes = [
            models.Index(fields=["cohort_month", "member"]),
            models.Index(fields=["cohort_month", "team"]),
        ]

    def __str__(self):
        return f"{self.account} · {self.step}"


class Figure(models.Model):
    """A metric's value for one month: numerator, denominator and whether it may
    still change (provisional, with the time it becomes final)."""

    metric = models.CharField(_("metric"), max_length=100)
    month = models.DateField(_("month"))
    value = models.FloatField(_("value"), null=True, blank=True)
    # Big: the revenue figures count yen (an organisation's ARR passes 2^31).
    numerator = models.PositiveBigIntegerField(_("numerator"), null=True, blank=True)
    denominator = models.PositiveBigIntegerField(
        _("denominator"), null=True, blank=True
    )
    provisional = models.BooleanField(_("provisional"), default=False)
    final_at = models.DateTimeField(_("final from"), null=True, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        abstract = True


class MemberFigure(Figure):
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="figures",
        db_constraint=False,
        # Indexed by the unique constraint, which leads with it.
        db_index=False,
    )

    class Meta:
        verbose_name = _("member figure")
        verbose_name_plural = _("member figures")
        ordering = ["month", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "metric", "month"],
                name="recognition_member_figure_once",
            )
        ]
        indexes = [
            models.Index(fields=["metric", "month"]),
            # The API list's order (config.pagination.FigureCursorPagination),
            # read forwards or backwards.
            models.Index(
                fields=["month", "member", "metric", "id"],
                name="recog_member_figure_month",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.metric} · {self.month:%Y-%m}"


class TeamFigure(Figure):
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.CASCADE,
        related_name="figures",
        db_constraint=False,
        # Indexed by the unique constraint, which leads with it.
        db_index=False,
    )

    class Meta:
        verbose_name = _("team figure")
        verbose_name_plural = _("team figures")
        ordering = ["month", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "metric", "month"], name="recognition_team_figure_once"
            )
        ]
        indexes = [
            models.Index(fields=["metric", "month"]),
            # The API list's order (config.pagination.FigureCursorPagination),
            # read forwards or backwards.
            models.Index(
                fields=["month", "team", "metric", "id"], name="recog_team_figure_month"
            ),
        ]

    def __str__(self):
        return f"{self.team} · {self.metric} · {self.month:%Y-%m}"


class PoolFigure(Figure):
    pool = models.ForeignKey(
        "journeys.Pool",
        verbose_name=_("pool"),
        on_delete=models.CASCADE,
        related_name="figures",
        db_constraint=False,
        # Indexed by the unique constraint, which leads with it.
        db_index=False,
    )

    class Meta:
        verbose_name = _("pool figure")
        verbose_name_plural = _("pool figures")
        ordering = ["month", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "metric", "month"], name="recognition_pool_figure_once"
            )
        ]
        indexes = [models.Index(fields=["metric", "month"])]

    def __str__(self):
        return f"{self.pool} · {self.metric} · {self.month:%Y-%m}"


class RollupRun(models.Model):
    """One run of the rollup. The latest finished run over every month (`since` and
    `until` empty) is the watermark of the next incremental run; the row of id 1 of
    `RollupLock` serialises runs."""

    # "started at" is also a scorecard revision's (hiring, 作成開始日時).
    started_at = models.DateTimeField(pgettext_lazy("rollup run", "started at"))
    as_of = models.DateTimeField(
        _("figures as of"),
        help_text=_("The moment windows and deadlines are judged at."),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    full = models.BooleanField(_("full recompute"), default=False)
    since = models.DateField(_("from month"), null=True, blank=True)
    until = models.DateField(_("to month"), null=True, blank=True)
    accounts = models.PositiveIntegerField(_("accounts recomputed"), default=0)
    months = models.JSONField(_("months recomputed"), default=list, blank=True)
    structure = models.JSONField(
        _("journey structure"),
        default=dict,
        blank=True,
        help_text=_("The steps and windows each journey had at this run."),
    )

    class Meta:
        verbose_name = _("rollup run")
        verbose_name_plural = _("rollup runs")
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M}"


class RollupLock(models.Model):
    """A single row locked for the duration of a rollup (select_for_update).

    A full rollup in shards (several Celery workers, several transactions) leases
    it instead: while `lease_token` is set and `leased_until` is ahead, no other
    rollup starts and only the shards of that token write."""

    lease_token = models.CharField(_("lease token"), max_length=40, blank=True)
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)

    class Meta:
        verbose_name = _("rollup lock")
        verbose_name_plural = _("rollup locks")

    def __str__(self):
        return str(_("rollup lock"))


class RollupChange(models.Model):
    """A write that the figures depend on, for the next incremental rollup: who or
    what it touched, before and after the write. Deletes included (the Django admin
    deletes through querysets and cascades), which leave no row to compare.

    Written by `recognition.changes` whatever path the write takes; consumed by the
    rollup (changes since its watermark) and pruned once no run needs them.
    """

    class Kind(models.TextChoices):
        ACCOUNT = "account", _("Account rows")
        TEAM = "team", _("Team membership")
        ROLE = "role", _("Member role")
        TRAINING = "training", _("Training")

    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    # Plain ids, not foreign keys: the row they name may be gone.
    account_id = models.BigIntegerField(_("account"), null=True, blank=True)
    user_id = models.BigIntegerField(_("user"), null=True, blank=True)
    since = models.DateTimeField(
        _("affects from"),
        null=True,
        blank=True,
        help_text=_("The earliest moment whose figures it changes; empty: any."),
    )

    class Meta:
        verbose_name = _("rollup change")
        verbose_name_plural = _("rollup changes")
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["changed_at"], name="recognition_change_at_idx")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.changed_at:%Y-%m-%d %H:%M}"


class StepRetrospective(models.Model):
    """A member looks back on a transition where they convert worst; the manager
    comments."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="retrospectives",
    )
    period = models.CharField(_("period"), max_length=20)
    from_step = models.ForeignKey(
        "journeys.Step",
        verbose_name=_("transition"),
        on_delete=models.PROTECT,
        related_name="retrospectives",
    )
    went_well = models.TextField(_("what went well"), blank=True)
    went_badly = models.TextField(_("what did not go well"), blank=True)
    next_time = models.TextField(_("what I will do next time"), blank=True)
    written_at = models.DateTimeField(_("written at"), auto_now=True)
    manager_comment = models.TextField(_("manager's comment"), blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("commented by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    commented_at = models.DateTimeField(_("commented at"), null=True, blank=True)

    class Meta:
        verbose_name = _("step retrospective")
        verbose_name_plural = _("step retrospectives")
        ordering = ["-period", "from_step__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "period", "from_step"],
                name="recognition_retrospective_once",
                violation_error_message=_(
                    "There is already a retrospective on this transition for this "
                    "period."
                ),
            )
        ]

    def __str__(self):
        return f"{self.member} · {self.period} · {self.from_step}"


class CompetencyAssessment(models.Model):
    """A manager's rating of a member on the shared competencies, at one time.
    Assessments are kept: the latest one is the member's current rating."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="competency_assessments",
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("competency assessment")
        verbose_name_plural = _("competency assessments")
        ordering = ["-assessed_at", "-id"]
        indexes = [models.Index(fields=["member", "assessed_at"])]

    def __str__(self):
        return f"{self.member} · {self.assessed_at:%Y-%m-%d}"


class CompetencyRating(models.Model):
    assessment = models.ForeignKey(
        CompetencyAssessment, on_delete=models.CASCADE, related_name="ratings"
    )
    competency = models.ForeignKey(
        "hiring.Competency",
        verbose_name=_("competency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(_("rating"), validators=RATING)
    evidence = models.TextField(_("evidence"), blank=True)

    class Meta:
        verbose_name = _("competency rating")
        verbose_name_plural = _("competency ratings")
        ordering = ["assessment", "competency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competency"],
                name="recognition_rating_once_per_assessment",
                violation_error_message=_(
                    "This competency is already rated in this assessment."
                ),
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=4),
                name="recognition_rating_1_to_4",
                violation_error_message=_("A rating is from 1 to 4."),
            ),
        ]

    def __str__(self):
        return f"{self.competency}: {self.rating}"


class PlanStatus(models.TextChoices):
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    ACHIEVED = "achieved", _("Achieved")


class DevelopmentPlan(models.Model):
    """One plan per member: focus competencies, target metrics, actions and
    check-ins."""

    member = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="development_plan",
    )
    focus_competencies = models.ManyToManyField(
        "hiring.Competency",
        verbose_name=_("focus competencies"),
        blank=True,
        related_name="+",
    )
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus, default=PlanStatus.ON_TRACK
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        ordering = ["member__family_name_reading", "member__given_name_reading"]

    def __str__(self):
        return str(self.member)


class PlanTarget(models.Model):
    """Reach `target_value` of a metric by a date. The current value comes from the
    rollups; the baseline is the value when the target was set."""

    plan = models.ForeignKey(
        DevelopmentPlan, on_delete=models.CASCADE, related_name="targets"
    )
    metric = models.CharField(_("metric"), max_length=100)
    target_value = models.FloatField(_("target value"))
    by_date = models.DateField(_("by"), validators=[validate_plausible_date])
    baseline_value = models.FloatField(_("value when set"), null=True, blank=True)
    baseline_numerator = models.PositiveIntegerField(null=True, blank=True)
    baseline_denominator = models.PositiveIntegerField(null=True, blank=True)
    set_at = models.DateTimeField(_("set at"), auto_now_add=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("target metric")
        verbose_name_plural = _("target metrics")
        ordering = ["by_date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "metric"],
                name="recognition_target_once_per_metric",
                violation_error_message=_(
                    "The plan already has a target on this metric."
                ),
            )
        ]

    def __str__(self):
        return f"{self.metric} ≥ {self.target_value}"


class PlanAction(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan, on_delete=models.CASCADE, related_name="actions"
    )
    text = models.CharField(_("action"), max_length=500)
    due_date = models.DateField(
        _("due date"), null=True, blank=True, validators=[validate_plausible_date]
    )
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    training_assignment = models.ForeignKey(
        "journeys.TrainingAssignment",
        verbose_name=_("training assignment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["done_at", "due_date", "id"]

    def __str__(self):
        return self.text


class PlanCheckIn(models.Model):
    plan = models.ForeignKey(
        DevelopmentPlan, on_delete=models.CASCADE, related_name="check_ins"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    held_on = models.DateField(_("date"), validators=[validate_plausible_date])
    text = models.TextField(_("notes"))
    status = models.CharField(_("status"), max_length=20, choices=PlanStatus)
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return f"{self.plan} · {self.held_on}"


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")


class AwardProgram(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    cadence = models.CharField(_("cadence"), max_length=20, choices=Cadence)
    winners = models.PositiveSmallIntegerField(
        _("number of winners"), default=3, validators=[MinValueValidator(1)]
    )
    minimum_denominator = models.PositiveIntegerField(
        _("minimum denominator"),
        default=5,
        validators=[MinValueValidator(1)],
        help_text=_(
            "A member takes part in the ranking with at least this many accounts "
            "(for a conversion: the cohort)."
        ),
    )
    larger_denominator_breaks_ties = models.BooleanField(
        _("larger denominator breaks ties"),
        default=False,
        help_text=_(
            "Equal values with a larger denominator rank higher; only equal values "
            "with equal denominators share a rank."
        ),
    )
    teams = models.ManyToManyField(
        "accounts.Team", verbose_name=_("teams taking part"), related_name="awards"
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords(m2m_fields=[teams])

    class Meta:
        verbose_name = _("award program")
        verbose_name_plural = _("award programs")
        ordering = ["name"]

    def __str__(self):
        return self.name


class AwardPeriod(models.Model):
    """A month or a quarter of an award program, with the metric set for it."""

    program = models.ForeignKey(
        AwardProgram, on_delete=models.CASCADE, related_name="periods"
    )
    start = models.DateField(_("first day"))
    end = models.DateField(_("last day"))
    metric = models.CharField(_("metric"), max_length=100)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    set_at = models.DateTimeField(_("set at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # When its winners were announced to the participants (a notice and an
    # email each): once, whatever the number of closing runs.
    announced_at = models.DateTimeField(
        _("winners announced at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("award period")
        verbose_name_plural = _("award periods")
        ordering = ["program", "-start"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "start"],
                name="recognition_award_period_once",
                violation_error_message=_("This period already has its metric."),
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")),
                name="recognition_award_period_dates",
            ),
        ]

    def __str__(self):
        return f"{self.program} · {self.start:%Y-%m}"


class AwardMetricChange(models.Model):
    """The metric of a period changed after the period had started."""

    period = models.ForeignKey(
        AwardPeriod, on_delete=models.CASCADE, related_name="metric_changes"
    )
    old_metric = models.CharField(_("old metric"), max_length=100)
    new_metric = models.CharField(_("new metric"), max_length=100)
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("award metric change")
        verbose_name_plural = _("award metric changes")
        ordering = ["period", "changed_at"]

    def __str__(self):
        return f"{self.period}: {self.old_metric} → {self.new_metric}"


class AwardWinner(models.Model):
    period = models.ForeignKey(
        AwardPeriod, on_delete=models.CASCADE, related_name="winners"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="awards_won",
    )
    rank = models.PositiveSmallIntegerField(_("rank"))
    value = models.FloatField(_("value"))
    # Big: the revenue figures count yen (an organisation's ARR passes 2^31).
    numerator = models.PositiveBigIntegerField(_("numerator"), null=True, blank=True)
    denominator = models.PositiveBigIntegerField(
        _("denominator"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("award winner")
        verbose_name_plural = _("award winners")
        ordering = ["period", "rank", "-denominator", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "member"], name="recognition_winner_once"
            )
        ]

    def __str__(self):
        return f"{self.period} · {self.rank}. {self.member}"


class CareerLevel(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), unique=True)
    description = models.TextField(_("description"), blank=True)
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("career level")
        verbose_name_plural = _("career levels")
        ordering = ["position"]

    def __str__(self):
        return self.name


class MemberLevel(models.Model):
    """A member's level from a date; the latest row is the current level."""

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="career_levels",
    )
    level = models.ForeignKey(
        CareerLevel,
        verbose_name=_("level"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateField(_("since"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    readiness = models.JSONField(
        _("readiness at the decision"), default=dict, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("member level")
        verbose_name_plural = _("member levels")
        ordering = ["member", "-since", "-id"]

    def __str__(self):
        return f"{self.member} · {self.level} · {self.since}"


class CareerTrack(models.Model):
    """Whose ladder: a team's, a journey's, or the default one for everyone else.
    Each track has its own steps up (criteria and required modules) between the
    shared levels; a member is judged against their track's
    (`selectors.promotion.member_tracks`)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    team = models.OneToOneField(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="career_track",
    )
    journey = models.OneToOneField(
        "journeys.Journey",
        verbose_name=_("journey"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="career_track",
    )
    is_default = models.BooleanField(
        _("default track"),
        default=False,
        help_text=_("The ladder of the members no team or journey track takes."),
    )
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("career track")
        verbose_name_plural = _("career tracks")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="recognition_one_default_track",
                violation_error_message=_("There is already a default track."),
            ),
            models.CheckConstraint(
                condition=Q(team__isnull=True) | Q(journey__isnull=True),
                name="recognition_track_team_or_journey",
                violation_error_message=_(
                    "A track belongs to a team or to a journey, not both."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def default(cls) -> "CareerTrack":
        """The default track, made on first use."""
        track = cls.objects.filter(is_default=True).first()
        if track is None:
            track, _created = cls.objects.get_or_create(
                is_default=True, defaults={"name": "標準"}
            )
        return track


class PromotionStep(models.Model):
    """The criteria to move up from one level to the next, on one track."""

    track = models.ForeignKey(
        CareerTrack,
        verbose_name=_("track"),
        on_delete=models.PROTECT,
        related_name="steps",
    )
    from_level = models.ForeignKey(
        CareerLevel,
        verbose_name=_("from level"),
        on_delete=models.CASCADE,
        related_name="promotions",
    )
    to_level = models.ForeignKey(
        CareerLevel,
        verbose_name=_("to level"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    required_modules = models.ManyToManyField(
        "journeys.TrainingModule",
        verbose_name=_("required training modules"),
        blank=True,
        related_name="+",
    )
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords(m2m_fields=[required_modules])

    class Meta:
        verbose_name = _("promotion criteria")
        verbose_name_plural = _("promotion criteria")
        ordering = ["track", "from_level__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "from_level"],
                name="recognition_step_once_per_track",
                violation_error_message=_(
                    "This level already has its step up on this track."
                ),
            )
        ]

    def __str__(self):
        return f"{self.from_level} → {self.to_level}"

    def save(self, *args, **kwargs):
        # A step written without a track (the API before tracks, the admin's
        # default) belongs to the default track.
        if self.track_id is None:
            self.track = CareerTrack.default()
        super().save(*args, **kwargs)


class Comparison(models.TextChoices):
    AT_LEAST = "gte", _("at least")
    AT_MOST = "lte", _("at most")


class MetricCriterion(models.Model):
    promotion = models.ForeignKey(
        PromotionStep, on_delete=models.CASCADE, related_name="metric_criteria"
    )
    metric = models.CharField(_("metric"), max_length=100)
    comparison = models.CharField(_("comparison"), max_length=3, choices=Comparison)
    value = models.FloatField(_("value"))
    months = models.PositiveSmallIntegerField(
        _("over the last months"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("metric criterion")
        verbose_name_plural = _("metric criteria")
        ordering = ["promotion", "id"]

    def __str__(self):
        return f"{self.metric} {self.comparison} {self.value}"


class CompetencyCriterion(models.Model):
    promotion = models.ForeignKey(
        PromotionStep, on_delete=models.CASCADE, related_name="competency_criteria"
    )
    competency = models.ForeignKey(
        "hiring.Competency",
        verbose_name=_("competency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    minimum_rating = models.PositiveSmallIntegerField(
        _("minimum rating"), validators=RATING
    )
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competency criterion")
        verbose_name_plural = _("competency criteria")
        ordering = ["promotion", "competency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["promotion", "competency"],
                name="recognition_competency_criterion_once",
            )
        ]

    def __str__(self):
        return f"{self.competency} ≥ {self.minimum_rating}"


# --- Organisation planning: the role map and the maturity self-assessment ----------
# (issue 14; the rules, questionnaire and evidence live in `recognition.organisation`)


class RoleStatus(models.TextChoices):
    DEDICATED = "dedicated", _("Dedicated")
    SHARED = "shared", _("Shared with another role")
    NOT_STARTED = "not_started", _("Not started")


class RoleImportance(models.TextChoices):
    NOW = "now", _("Important now")
    LATER = "later", _("Important later")


class RoleFunction(models.Model):
    """One CS function on the role map: who does it today and how much it matters.

    The standard functions (`recognition.organisation.STANDARD_FUNCTIONS`) carry
    their `key` and are made on first use; their name is the translated standard
    name unless an admin renames them. Admins add their own functions (no key,
    a name) and may delete only those."""

    key = models.CharField(_("standard function"), max_length=40, blank=True)
    name = models.CharField(
        _("name"),
        max_length=200,
        blank=True,
        help_text=_("Leave empty to use the standard name in each language."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=RoleStatus,
        default=RoleStatus.NOT_STARTED,
    )
    shared_with = models.CharField(
        _("shared with"),
        max_length=200,
        blank=True,
        help_text=_("The role that does this function besides its own work."),
    )
    importance = models.CharField(
        _("importance"),
        max_length=10,
        choices=RoleImportance,
        default=RoleImportance.LATER,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role map function")
        verbose_name_plural = _("role map functions")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"],
                condition=~Q(key=""),
                name="recognition_role_function_key_once",
            ),
            models.CheckConstraint(
                condition=~Q(key="") | ~Q(name=""),
                name="recognition_role_function_named",
                violation_error_message=_("A function of your own needs a name."),
            ),
            models.CheckConstraint(
                condition=~Q(status="shared") | ~Q(shared_with=""),
                name="recognition_role_function_shared_with",
                violation_error_message=_("Say which role shares this function."),
            ),
        ]

    def __str__(self):
        return str(self.display_name)

    @property
    def is_standard(self) -> bool:
        return bool(self.key)

    @property
    def display_name(self):
        if self.name:
            return self.name
        from recognition.organisation import standard_function_name

        return standard_function_name(self.key)

    @property
    def standard_description(self):
        from recognition.organisation import standard_function_description

        return standard_function_description(self.key)

    @property
    def needs_dedicated_person(self) -> bool:
        return (
            self.importance == RoleImportance.NOW
            and self.status != RoleStatus.DEDICATED
        )


class MaturityAssessment(models.Model):
    """An admin's answers to the maturity questionnaire for one quarter, with the
    evidence Kata saw when they answered and the level the answers reach."""

    quarter = models.CharField(
        _("fiscal quarter"),
        max_length=9,
        validators=[
            RegexValidator(
                r"^FY\d{4}-Q[1-4]$",
                message=_("Enter a fiscal quarter such as FY2026-Q1."),
            )
        ],
    )
    # {question key: "yes" | "partly" | "no"}; keys from the questionnaire.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    # {question key: {"met": bool, "value": ..., "detail": ...}} as computed when saved.
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    level = models.PositiveSmallIntegerField(
        _("level reached"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    note = models.TextField(_("note"), blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_at = models.DateTimeField(_("assessed at"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("maturity assessment")
        verbose_name_plural = _("maturity assessments")
        ordering = ["-quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["quarter"],
                name="recognition_maturity_once_per_quarter",
                violation_error_message=_(
                    "This quarter already has its maturity assessment."
                ),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5),
                name="recognition_maturity_level_range",
            ),
        ]

    def __str__(self):
        return self.quarter

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("recognition:maturity_detail", args=[self.quarter])


# --- Capacity planning ----------------------------------------------------------------
#
# Plans are organisation-level documents: the rules that read them (top-down,
# bottom-up, leaders, the pooled what-if) are in `recognition.planning`.

# Hours in the longest month: more is a typing mistake.
MONTH_HOURS = 744


class PlanCoverage(models.TextChoices):
    DEDICATED = "dedicated", _("Dedicated (high-touch)")
    POOLED = "pooled", _("Pooled")
    TECH_TOUCH = "tech_touch", _("Tech-touch")


class LeaderExperience(models.TextChoices):
    NEW = "new", _("New leaders (at most 6 direct reports)")
    EXPERIENCED = "experienced", _("Experienced leaders (8–12 direct reports)")


class WhatIfRule(models.TextChoices):
    THRESHOLD = "threshold", _("Segments below an ARR per account")
    SHARE = "share", _("Accounts outside the most complex share")


class CapacityPlan(models.Model):
    """A named capacity plan: the organisation's inputs, with one row per segment
    and coverage model (`CapacityPlanSegment`)."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target_date = models.DateField(
        _("for"), null=True, blank=True, validators=[validate_plausible_date]
    )
    available_hours = models.DecimalField(
        _("CSM hours available per month"),
        max_digits=5,
        decimal_places=1,
        default=120,
        validators=[MinValueValidator(1), MaxValueValidator(MONTH_HOURS)],
    )
    automation_percent = models.DecimalField(
        _("automation factor (%)"),
        max_digits=4,
        decimal_places=1,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(Decimal("99.9"))],
    )
    leader_experience = models.CharField(
        _("leaders"),
        max_length=20,
        choices=LeaderExperience,
        default=LeaderExperience.EXPERIENCED,
    )
    span_of_control = models.PositiveSmallIntegerField(
        _("direct reports per experienced leader"),
        default=10,
        validators=[MinValueValidator(8), MaxValueValidator(12)],
    )
    operations_headcount = models.PositiveSmallIntegerField(
        _("CS operations"), default=0, validators=[MaxValueValidator(1000)]
    )
    marketing_headcount = models.PositiveSmallIntegerField(
        _("customer marketing"), default=0, validators=[MaxValueValidator(1000)]
    )
    whatif_rule = models.CharField(
        _("what-if: move into a pool"),
        max_length=20,
        choices=WhatIfRule,
        default=WhatIfRule.SHARE,
    )
    whatif_threshold = models.DecimalField(
        _("ARR per account below which a segment is pooled"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    whatif_share = models.DecimalField(
        _("most complex share kept dedicated (%)"),
        max_digits=4,
        decimal_places=1,
        default=30,
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(100)],
    )
    pool_hours_per_account = models.DecimalField(
        _("hours a pooled account needs per month"),
        max_digits=6,
        decimal_places=2,
        default=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MONTH_HOURS)],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("capacity plan")
        verbose_name_plural = _("capacity plans")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(automation_percent__gte=0) & Q(automation_percent__lt=100),
                name="recognition_capacity_automation_below_100",
                violation_error_message=_(
                    "The automation factor is at least 0 and below 100."
                ),
            ),
            models.CheckConstraint(
                condition=Q(available_hours__gt=0),
                name="recognition_capacity_hours_positive",
                violation_error_message=_("A CSM has more than 0 hours a month."),
            ),
            models.CheckConstraint(
                condition=Q(span_of_control__gte=8) & Q(span_of_control__lte=12),
                name="recognition_capacity_span_8_to_12",
                violation_error_message=_(
                    "An experienced leader has 8 to 12 direct reports."
                ),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("recognition:capacity_plan_detail", args=[self.pk])


class CapacityPlanSegment(models.Model):
    """One segment and coverage model of a plan: its accounts and ARR (typed in, or
    taken from Kata's data), the ARR one CSM carries there (the benchmark) and the
    hours each account needs a month."""

    plan = models.ForeignKey(
        CapacityPlan, on_delete=models.CASCADE, related_name="segments"
    )
    segment = models.CharField(_("segment"), max_length=100)
    coverage_model = models.CharField(
        _("coverage model"), max_length=20, choices=PlanCoverage
    )
    accounts = models.PositiveIntegerField(
        _("accounts"), validators=[MaxValueValidator(10_000_000)]
    )
    arr = models.DecimalField(
        _("ARR"),
        max_digits=16,
        decimal_places=0,
        validators=[MinValueValidator(0)],
    )
    arr_per_csm = models.DecimalField(
        _("ARR per CSM (benchmark)"),
        max_digits=14,
        decimal_places=0,
        validators=[MinValueValidator(1)],
    )
    hours_per_account = models.DecimalField(
        _("hours per account per month"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(MONTH_HOURS)],
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("capacity plan segment")
        verbose_name_plural = _("capacity plan segments")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "segment", "coverage_model"],
                name="recognition_capacity_segment_once",
                violation_error_message=_(
                    "The plan already has a row for this segment and coverage model."
                ),
            ),
            models.CheckConstraint(
                condition=Q(arr_per_csm__gt=0) & Q(hours_per_account__gt=0),
                name="recognition_capacity_segment_positive",
                violation_error_message=_(
                    "The benchmark and the hours per account are more than 0."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.plan} · {self.segment} · {self.get_coverage_model_display()}"
