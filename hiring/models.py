"""Structured interviews: the competency framework, questions, kits, openings,
candidates, interviews, scorecards with their revisions, decisions and feedback.

Scorecard content lives in revisions. A scorecard's open draft is its one revision
without `submitted_at`; a submitted revision is never written again. A correction
opens a new draft revision with a reason, which becomes the scorecard's current
revision when it is submitted. Metrics read `Scorecard.current` only.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Bilingual(models.Model):
    """Content written in Japanese, with an optional English version.

    `tr("name")` gives the English text on English pages when there is one, and the
    Japanese text otherwise.
    """

    class Meta:
        abstract = True

    def tr(self, field: str) -> str:
        if (get_language() or "").startswith("en"):
            english = getattr(self, f"{field}_en", "")
            if english:
                return english
        return getattr(self, field)


class Rating(models.IntegerChoices):
    """The four-point scale of answers and competencies: against the bar of the
    role. The overall recommendation has its own words (`Recommendation`)."""

    FAR_BELOW = 1, _("1 · Far below the bar")
    BELOW = 2, _("2 · Below the bar")
    MEETS = 3, _("3 · Meets the bar")
    ABOVE = 4, _("4 · Above the bar")


class Recommendation(models.IntegerChoices):
    """The overall recommendation, on the same four points as `Rating`."""

    STRONG_NO_HIRE = 1, _("1 · Strong no hire")
    NO_HIRE = 2, _("2 · No hire")
    HIRE = 3, _("3 · Hire")
    STRONG_HIRE = 4, _("4 · Strong hire")


def _between(field: str, low: int, high: int, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": low, f"{field}__lte": high})
        | Q(**{f"{field}__isnull": True}),
        name=name,
    )


# A framework holds a few dozen competencies (the starting one 13). The API's lists
# that name them at once (a profile's weights, an assessment's ratings, a plan's
# focus, a step's criteria) stop at this many, each being a lookup, and so does the
# framework, so that a list of every active competency is always accepted.
MOST_ACTIVE_COMPETENCIES = 100


class Competency(Bilingual):
    class Category(models.TextChoices):
        SKILL = "skill", _("Skill")
        MINDSET = "mindset", _("Mindset")
        THINKING = "thinking", _("Way of thinking")

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    indicators = models.TextField(
        _("behavioural indicators"),
        blank=True,
        help_text=_("What good looks like, one behaviour per line."),
    )
    indicators_en = models.TextField(_("behavioural indicators (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["category", "name"]

    def __str__(self):
        return self.tr("name")

    def get_absolute_url(self):
        return reverse("hiring:competency_detail", args=[self.pk])

    def clean(self):
        super().clean()
        if not self.is_active:
            return
        others = Competency.objects.filter(is_active=True).exclude(pk=self.pk)
        if others.count() >= MOST_ACTIVE_COMPETENCIES:
            raise ValidationError(
                _(
                    "A framework holds at most %(count)d active competencies: "
                    "retire one first."
                ),
                params={"count": MOST_ACTIVE_COMPETENCIES},
                code="too_many",
            )

    def indicator_lines(self) -> list[str]:
        return [line for line in self.tr("indicators").splitlines() if line.strip()]


class SuccessProfile(Bilingual):
    """Competency weights (importance 1–5) for a role or an opening."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_starter = models.BooleanField(
        _("starting profile"),
        default=False,
        help_text=_("Shipped with Kata, to be copied and adapted."),
    )
    copied_from = models.ForeignKey(
        "self",
        verbose_name=_("copied from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="copies",
    )
    competencies = models.ManyToManyField(
        Competency, through="ProfileWeight", related_name="profiles"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("success profile")
        verbose_name_plural = _("success profiles")
        ordering = ["name"]

    def __str__(self):
        return self.tr("name")

    def get_absolute_url(self):
        return reverse("hiring:profile_detail", args=[self.pk])


class ProfileWeight(models.Model):
    profile = models.ForeignKey(
        SuccessProfile, on_delete=models.CASCADE, related_name="weights"
    )
    competency = models.ForeignKey(
        Competency,
        verbose_name=_("competency"),
        on_delete=models.PROTECT,
        related_name="weights",
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), help_text=_("Importance from 1 (useful) to 5 (essential).")
    )
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("competency weight")
        verbose_name_plural = _("competency weights")
        ordering = ["-weight", "competency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["profile", "competency"], name="hiring_weight_one_per_profile"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=5),
                name="hiring_weight_between_1_and_5",
            ),
        ]

    def __str__(self):
        return f"{self.competency} × {self.weight}"


class Question(Bilingual):
    class Kind(models.TextChoices):
        BEHAVIOURAL = "behavioural", _("Past behaviour")
        SCENARIO = "scenario", _("Practical scenario")

    competency = models.ForeignKey(
        Competency,
        verbose_name=_("competency"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    text = models.TextField(_("question"))
    text_en = models.TextField(_("question (English)"), blank=True)
    rubric_1 = models.TextField(_("an answer rated 1 (far below the bar)"))
    rubric_1_en = models.TextField(_("rated 1 (English)"), blank=True)
    rubric_2 = models.TextField(_("an answer rated 2 (below the bar)"))
    rubric_2_en = models.TextField(_("rated 2 (English)"), blank=True)
    rubric_3 = models.TextField(_("an answer rated 3 (meets the bar)"))
    rubric_3_en = models.TextField(_("rated 3 (English)"), blank=True)
    rubric_4 = models.TextField(_("an answer rated 4 (above the bar)"))
    rubric_4_en = models.TextField(_("rated 4 (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["competency__name", "id"]

    def __str__(self):
        return self.tr("text")

    def get_absolute_url(self):
        return reverse("hiring:question_detail", args=[self.pk])

    def rubric(self) -> list[tuple[int, str, str]]:
        """(rating, its label, what such an answer sounds like), from 1 to 4."""
        return [
            (rating.value, rating.label, self.tr(f"rubric_{rating.value}"))
            for rating in Rating
        ]


class Opening(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        ON_HOLD = "on_hold", _("On hold")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    team = models.ForeignKey(
        "accounts.Team",
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="openings",
    )
    profile = models.ForeignKey(
        SuccessProfile,
        verbose_name=_("success profile"),
        on_delete=models.PROTECT,
        related_name="openings",
    )
    hiring_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hiring manager"),
        on_delete=models.PROTECT,
        related_name="managed_openings",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.OPEN
    )
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("hiring:opening_detail", args=[self.pk])


class InterviewStage(models.TextChoices):
    SCREENING = "screening", _("Screening")
    FIRST = "first", _("First interview")
    SECOND = "second", _("Second interview")
    FINAL = "final", _("Final interview")


class InterviewKit(models.Model):
    """The questions of one interview stage of an opening, in the order asked."""

    opening = models.ForeignKey(
        Opening,
        verbose_name=_("opening"),
        on_delete=models.CASCADE,
        related_name="kits",
    )
    stage = models.CharField(_("stage"), max_length=20, choices=InterviewStage)
    guidance = models.TextField(
        _("guidance for the interviewer"),
        blank=True,
        help_text=_("How to open, what to probe, how to close."),
    )
    questions = models.ManyToManyField(
        Question, through="KitQuestion", related_name="kits"
    )

    class Meta:
        verbose_name = _("interview kit")
        verbose_name_plural = _("interview kits")
        ordering = ["opening", "stage"]
        constraints = [
            models.UniqueConstraint(
                fields=["opening", "stage"], name="hiring_kit_one_per_opening_stage"
            )
        ]

    def __str__(self):
        return f"{self.opening} · {self.get_stage_display()}"

    def get_absolute_url(self):
        return reverse("hiring:kit_detail", args=[self.pk])


class KitQuestion(models.Model):
    kit = models.ForeignKey(
        InterviewKit, on_delete=models.CASCADE, related_name="kit_questions"
    )
    question = models.ForeignKey(
        Question,
        verbose_name=_("question"),
        on_delete=models.PROTECT,
        related_name="kit_questions",
    )
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("kit question")
        verbose_name_plural = _("kit questions")
        ordering = ["kit", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["kit", "question"], name="hiring_kit_question_once"
            ),
            models.UniqueConstraint(
                fields=["kit", "position"], name="hiring_kit_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.question}"


class Candidate(models.Model):
    class Source(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        AGENCY = "agency", _("Agency")
        JOB_BOARD = "job_board", _("Job board")
        CAREERS_SITE = "careers_site", _("Careers site")
        DIRECT = "direct", _("Direct sourcing")
        OTHER = "other", _("Other")

    class Anonymisation(models.TextChoices):
        RETENTION = "retention", _("Retention period ended")
        REQUEST = "request", _("Deleted on the candidate's request")

    name = models.CharField(_("name"), max_length=200)
    name_reading = models.CharField(_("name reading"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=Source, default=Source.OTHER
    )
    notes = models.TextField(_("notes"), blank=True)
    resume_url = models.URLField(
        _("resume link"),
        max_length=500,
        blank=True,
        help_text=_("Where the resume is kept (tracking system, shared drive)."),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Kata user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="candidate_record",
        help_text=_("The member this candidate became when hired."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    anonymised_at = models.DateTimeField(
        _("personal data deleted at"), null=True, blank=True
    )
    anonymised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personal data deleted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    anonymisation = models.CharField(
        _("why personal data was deleted"),
        max_length=20,
        choices=Anonymisation,
        blank=True,
    )

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("hiring:candidate_detail", args=[self.pk])


class Application(models.Model):
    """A candidate for one opening; a candidate may apply to several."""

    class Stage(models.TextChoices):
        APPLIED = "applied", _("Applied")
        INTERVIEWING = "interviewing", _("Interviewing")
        OFFER = "offer", _("Offer")
        HIRED = "hired", _("Hired")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    CLOSED_STAGES = (Stage.HIRED, Stage.REJECTED, Stage.WITHDRAWN)
    # Ended without a hire: no scorecard is owed on them any more, and their
    # candidate's personal data is erased after the retention period.
    ENDED_STAGES = (Stage.REJECTED, Stage.WITHDRAWN)
    # Stages that the panel's decisions produce (an offer, a rejection, the hire
    # that follows an offer): hidden from a viewer bound by independence.
    DECIDED_STAGES = (Stage.OFFER, Stage.HIRED, Stage.REJECTED)

    candidate = models.ForeignKey(
        Candidate,
        verbose_name=_("candidate"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    opening = models.ForeignKey(
        Opening,
        verbose_name=_("opening"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=Stage, default=Stage.APPLIED
    )
    stage_changed_at = models.DateTimeField(_("stage changed at"))
    created_at = models.DateTimeField(_("applied at"), auto_now_add=True)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "opening"], name="hiring_application_once"
            )
        ]

    def __str__(self):
        return f"{self.candidate} → {self.opening}"

    def get_absolute_url(self):
        return reverse("hiring:application_summary", args=[self.pk])


class Decision(models.Model):
    class Kind(models.TextChoices):
        ADVANCE = "advance", _("Advance")
        OFFER = "offer", _("Offer")
        REJECT = "reject", _("Reject")

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(_("decision"), max_length=20, choices=Kind)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"))

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["-decided_at", "-id"]

    def __str__(self):
        return f"{self.application}: {self.get_kind_display()}"


class Interview(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="interviews",
    )
    kit = models.ForeignKey(
        InterviewKit,
        verbose_name=_("interview kit"),
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("interviewer"),
        on_delete=models.PROTECT,
        related_name="interviews",
    )
    scheduled_at = models.DateTimeField(_("scheduled at"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), default=60
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["scheduled_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kit", "interviewer"],
                name="hiring_interview_once_per_kit_and_interviewer",
            )
        ]

    def __str__(self):
        return f"{self.application.candidate} · {self.kit.get_stage_display()}"

    def get_absolute_url(self):
        return reverse("hiring:scorecard", args=[self.pk])


class Scorecard(models.Model):
    """One per interview, written by its interviewer (see the module docstring)."""

    interview = models.OneToOneField(
        Interview, on_delete=models.CASCADE, related_name="scorecard"
    )
    current = models.OneToOneField(
        "ScorecardRevision",
        verbose_name=_("current revision"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="current_of",
    )
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self):
        return str(self.interview)

    @property
    def is_submitted(self) -> bool:
        return self.current_id is not None


class ScorecardRevision(models.Model):
    scorecard = models.ForeignKey(
        Scorecard, on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveSmallIntegerField(_("revision"))
    overall = models.PositiveSmallIntegerField(
        _("overall recommendation"), choices=Recommendation, null=True, blank=True
    )
    summary = models.TextField(_("summary"), blank=True)
    reason = models.TextField(_("reason for the correction"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    saved_at = models.DateTimeField(_("last saved at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True)

    class Meta:
        verbose_name = _("scorecard revision")
        verbose_name_plural = _("scorecard revisions")
        ordering = ["scorecard", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "number"], name="hiring_revision_number_unique"
            ),
            models.UniqueConstraint(
                fields=["scorecard"],
                condition=Q(submitted_at__isnull=True),
                name="hiring_revision_one_open_draft",
            ),
            _between("overall", 1, 4, "hiring_revision_overall_between_1_and_4"),
        ]

    def __str__(self):
        return f"{self.scorecard} · r{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.submitted_at is None


class AnswerRating(models.Model):
    revision = models.ForeignKey(
        ScorecardRevision, on_delete=models.CASCADE, related_name="answers"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("question"), on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("answer notes"), blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=Rating, null=True, blank=True
    )

    class Meta:
        verbose_name = _("answer rating")
        verbose_name_plural = _("answer ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "question"], name="hiring_answer_once_per_question"
            ),
            _between("rating", 1, 4, "hiring_answer_rating_between_1_and_4"),
        ]

    def __str__(self):
        return f"{self.question}: {self.rating or '—'}"


class CompetencyRating(models.Model):
    revision = models.ForeignKey(
        ScorecardRevision, on_delete=models.CASCADE, related_name="competency_ratings"
    )
    competency = models.ForeignKey(
        Competency,
        verbose_name=_("competency"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    rating = models.PositiveSmallIntegerField(
        _("rating"), choices=Rating, null=True, blank=True
    )

    class Meta:
        verbose_name = _("competency rating")
        verbose_name_plural = _("competency ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["revision", "competency"],
                name="hiring_competency_rating_once",
            ),
            _between("rating", 1, 4, "hiring_competency_rating_between_1_and_4"),
        ]

    def __str__(self):
        return f"{self.competency}: {self.rating or '—'}"


class HiringPolicy(models.Model):
    """Organisation-wide hiring settings, kept in one row that admins edit."""

    class PanelVisibility(models.TextChoices):
        AFTER_SUBMIT = "after_submit", _("After submitting their own scorecard")
        NEVER = "never", _("Never")
        ALWAYS = "always", _("Always")

    panel_visibility = models.CharField(
        _("interviewers see the panel's scorecards"),
        max_length=20,
        choices=PanelVisibility,
        default=PanelVisibility.AFTER_SUBMIT,
    )
    reminder_after_hours = models.PositiveSmallIntegerField(
        _("remind about a scorecard after (hours)"),
        default=24,
        help_text=_("Hours after the interview; reminders repeat at most once a day."),
    )
    retention_days = models.PositiveIntegerField(
        _("keep rejected candidates' personal data for (days)"),
        default=180,
        help_text=_(
            "After this many days since a candidate's last application closed as "
            "rejected or withdrawn, their personal data is anonymised."
        ),
    )
    feedback_link_days = models.PositiveSmallIntegerField(
        _("candidate feedback links are valid for (days)"), default=14
    )
    # Who changed it, when, and the values before and after (django-simple-history).
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("hiring policy")
        verbose_name_plural = _("hiring policy")
        constraints = [
            models.CheckConstraint(condition=Q(pk=1), name="hiring_policy_single_row")
        ]

    def __str__(self):
        return str(_("Hiring policy"))

    @classmethod
    def current(cls) -> "HiringPolicy":
        policy, _created = cls.objects.get_or_create(pk=1)
        return policy


class CandidateFeedback(models.Model):
    """How the process felt to the candidate after an interview (never any score)."""

    interview = models.OneToOneField(
        Interview, on_delete=models.CASCADE, related_name="feedback"
    )
    invited_at = models.DateTimeField(_("link sent at"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("link sent by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    responded_at = models.DateTimeField(_("answered at"), null=True)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("candidate feedback")
        verbose_name_plural = _("candidate feedback")

    def __str__(self):
        return str(self.interview)


class FeedbackRating(models.Model):
    feedback = models.ForeignKey(
        CandidateFeedback, on_delete=models.CASCADE, related_name="ratings"
    )
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="+"
    )
    rating = models.PositiveSmallIntegerField(_("rating"))

    class Meta:
        verbose_name = _("feedback rating")
        verbose_name_plural = _("feedback ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["feedback", "competency"], name="hiring_feedback_rating_once"
            ),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5),
                name="hiring_feedback_rating_between_1_and_5",
            ),
        ]

    def __str__(self):
        return f"{self.competency}: {self.rating}"
