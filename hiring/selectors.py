"""Every read in hiring that needs rules: scoped to the viewer, one definition per
number (see `shared/METRICS.md`: interview fit score, interviewer calibration)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User

from . import permissions
from .models import (
    Application,
    Competency,
    CompetencyRating,
    FeedbackRating,
    HiringPolicy,
    Interview,
    InterviewKit,
    KitQuestion,
    Opening,
    ProfileWeight,
    Scorecard,
)

# --- Fit score (METRICS.md "Interview fit score") ---------------------------------


@dataclass
class CompetencyAssessment:
    competency: Competency
    weight: int | None  # None: rated, but not part of the opening's profile
    ratings: list[tuple[User, int]] = field(default_factory=list)
    rating_sum: int = 0
    rating_count: int = 0
    lowest: int | None = None
    highest: int | None = None

    @property
    def mean(self) -> Fraction | None:
        if not self.rating_count:
            return None
        return Fraction(self.rating_sum, self.rating_count)

    @property
    def is_assessed(self) -> bool:
        return self.rating_count > 0

    @property
    def disagreement(self) -> bool:
        """Ratings of this competency differ by 2 or more."""
        return self.is_assessed and self.highest - self.lowest >= 2


def fit_from_means(weighted_means: list[tuple[int, Fraction]]) -> Fraction | None:
    """100 × Σ w·(r̄−1)/3 ÷ Σ w over assessed competencies; None when none is."""
    if not weighted_means:
        return None
    total_weight = sum(weight for weight, _mean in weighted_means)
    weighted = sum(weight * (mean - 1) / 3 for weight, mean in weighted_means)
    return 100 * Fraction(weighted) / total_weight


def display_score(score: Fraction | None) -> Decimal | None:
    """A fit score to one decimal, rounded half up."""
    if score is None:
        return None
    return (Decimal(score.numerator) / Decimal(score.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


def _counted_ratings(application_ids) -> QuerySet:
    """Competency ratings that count: submitted scorecards, latest revision only."""
    return CompetencyRating.objects.filter(
        revision__current_of__interview__application_id__in=application_ids,
        rating__isnull=False,
    )


def fit_scores(*, application_ids: list[int]) -> dict[int, Fraction | None]:
    """Fit score per application, with two queries whatever the number of them."""
    means = (
        _counted_ratings(application_ids)
        .values("revision__current_of__interview__application_id", "competency_id")
        .annotate(total=Sum("rating"), count=Count("id"))
    )
    weights = {
        (application_id, competency_id): weight
        for application_id, competency_id, weight in ProfileWeight.objects.filter(
            profile__openings__applications__in=application_ids
        ).values_list("profile__openings__applications", "competency_id", "weight")
    }
    per_application: dict[int, list[tuple[int, Fraction]]] = defaultdict(list)
    for row in means:
        application_id = row["revision__current_of__interview__application_id"]
        weight = weights.get((application_id, row["competency_id"]))
        if weight is not None:
            per_application[application_id].append(
                (weight, Fraction(row["total"], row["count"]))
            )
    return {pk: fit_from_means(per_application.get(pk, [])) for pk in application_ids}


# --- Candidate summary ------------------------------------------------------------


@dataclass
class CandidateSummary:
    application: Application
    sees_panel: bool
    competencies: list[CompetencyAssessment]
    fit: Fraction | None
    scorecards: list[Scorecard]  # the ones the viewer may see
    missing: list[Interview]  # interviews whose scorecard is not submitted
    decisions: list

    @property
    def fit_display(self) -> Decimal | None:
        return display_score(self.fit)

    @property
    def not_assessed(self) -> list[Competency]:
        return [
            row.competency
            for row in self.competencies
            if row.weight is not None and not row.is_assessed
        ]

    @property
    def disagreements(self) -> list[Competency]:
        return [row.competency for row in self.competencies if row.disagreement]

    @property
    def recommendations(self) -> list[tuple[Scorecard, int | None]]:
        return [
            (scorecard, scorecard.current.overall)
            for scorecard in self.scorecards
            if scorecard.current_id
        ]


def application_get(*, viewer, pk: int) -> Application:
    return (
        permissions.visible_applications(viewer)
        .select_related(
            "candidate", "opening__profile", "opening__team", "opening__hiring_manager"
        )
        .get(pk=pk)
    )


def candidate_summary(*, viewer, application: Application) -> CandidateSummary:
    """Per competency every visible rating beside the profile weight; the fit score
    only for viewers who may see the panel (an interviewer bound by independence sees
    their own scorecard and nothing computed from the others)."""
    sees_panel = permissions.sees_panel(viewer, application)
    interviews = list(
        application.interviews.select_related("interviewer", "kit", "scorecard")
    )
    visible = (
        permissions.visible_scorecards(viewer)
        .filter(interview__application=application)
        .select_related("interview__interviewer", "interview__kit", "current")
        .prefetch_related(
            Prefetch(
                "current__competency_ratings",
                queryset=CompetencyRating.objects.filter(
                    rating__isnull=False
                ).select_related("competency"),
            )
        )
        .order_by("interview__scheduled_at", "pk")
    )
    scorecards = list(visible)
    weights = list(
        application.opening.profile.weights.select_related("competency").order_by(
            "-weight", "competency__name"
        )
    )
    rows = {
        w.competency_id: CompetencyAssessment(w.competency, w.weight) for w in weights
    }
    for scorecard in scorecards:
        if scorecard.current_id is None:
            continue
        for rating in scorecard.current.competency_ratings.all():
            row = rows.get(rating.competency_id)
            if row is None:
                row = rows[rating.competency_id] = CompetencyAssessment(
                    rating.competency, None
                )
            row.ratings.append((scorecard.interview.interviewer, rating.rating))
            row.rating_sum += rating.rating
            row.rating_count += 1
            row.lowest = min(row.lowest or 4, rating.rating)
            row.highest = max(row.highest or 1, rating.rating)
    fit = None
    if sees_panel:
        fit = fit_from_means(
            [
                (row.weight, row.mean)
                for row in rows.values()
                if row.weight and row.is_assessed
            ]
        )
    return CandidateSummary(
        application=application,
        sees_panel=sees_panel,
        competencies=list(rows.values()),
        fit=fit,
        scorecards=scorecards,
        missing=[
            interview
            for interview in interviews
            if not getattr(interview, "scorecard", None)
            or interview.scorecard.current_id is None
        ],
        decisions=list(application.decisions.select_related("decided_by")),
    )


# --- Pipeline ---------------------------------------------------------------------

PIPELINE_ORDERINGS = {
    "name": ("candidate__name_reading", "candidate__name"),
    "-name": ("-candidate__name_reading", "-candidate__name"),
    "stage": ("stage", "candidate__name"),
    "-stage": ("-stage", "candidate__name"),
    "applied": ("created_at",),
    "-applied": ("-created_at",),
}


@dataclass
class PipelineRow:
    application: Application
    fit: Fraction | None
    fit_visible: bool
    scorecards_submitted: int
    interviews: int

    @property
    def fit_display(self):
        return display_score(self.fit) if self.fit_visible else None


def opening_pipeline(*, viewer, opening: Opening, sort: str = "") -> list[PipelineRow]:
    """Every visible application of the opening with its fit score where the viewer
    may see it. Sorting by fit puts applications without a score last."""
    applications = list(
        permissions.visible_applications(viewer)
        .filter(opening=opening)
        .select_related("candidate")
        .annotate(
            interview_count=Count("interviews", distinct=True),
            submitted_count=Count(
                "interviews",
                filter=Q(interviews__scorecard__current__isnull=False),
                distinct=True,
            ),
        )
        .order_by(*PIPELINE_ORDERINGS.get(sort, ("stage", "-created_at")))
    )
    ids = [application.pk for application in applications]
    scores = fit_scores(application_ids=ids)
    panel = set(
        permissions.panel_visible_applications(viewer)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    rows = [
        PipelineRow(
            application=application,
            fit=scores[application.pk] if application.pk in panel else None,
            fit_visible=application.pk in panel,
            scorecards_submitted=application.submitted_count,
            interviews=application.interview_count,
        )
        for application in applications
    ]
    if sort in ("fit", "-fit"):
        scored = [row for row in rows if row.fit is not None]
        unscored = [row for row in rows if row.fit is None]
        scored.sort(key=lambda row: row.fit, reverse=sort == "-fit")
        rows = scored + unscored
    return rows


# --- Interview kits: coverage -----------------------------------------------------


@dataclass
class CoverageRow:
    competency: Competency
    weight: int | None  # None: asked about, but not in the profile
    questions: int
    warning: str = ""


def kit_coverage(*, kit: InterviewKit) -> list[CoverageRow]:
    """Per competency of the opening's profile: its weight and how many questions the
    kit asks. Warns when a weighted competency has no question, and when a more
    important competency has fewer questions than a less important one."""
    from django.utils.translation import gettext as _

    counts = dict(
        KitQuestion.objects.filter(kit=kit)
        .values_list("question__competency_id")
        .annotate(count=Count("id"))
    )
    rows = [
        CoverageRow(w.competency, w.weight, counts.pop(w.competency_id, 0))
        for w in kit.opening.profile.weights.select_related("competency").order_by(
            "-weight", "competency__name"
        )
    ]
    for competency in Competency.objects.filter(pk__in=counts.keys()):
        rows.append(CoverageRow(competency, None, counts[competency.pk]))
    weighted = [row for row in rows if row.weight is not None]
    for row in weighted:
        if row.questions == 0:
            row.warning = _("No question assesses this competency.")
            continue
        less_important = [
            other
            for other in weighted
            if other.weight < row.weight and other.questions > row.questions
        ]
        if less_important:
            row.warning = _(
                "Fewer questions than the less important “%(other)s” (%(count)s)."
            ) % {
                "other": less_important[0].competency,
                "count": less_important[0].questions,
            }
    return rows


# --- The interviewer's home -------------------------------------------------------


@dataclass
class InterviewerHome:
    upcoming: list[Interview]
    due: list[Interview]
    submitted: list[Interview]


def interviewer_home(*, viewer, now: datetime | None = None) -> InterviewerHome:
    now = now or timezone.now()
    interviews = list(
        Interview.objects.filter(interviewer=viewer)
        .select_related(
            "application__candidate", "application__opening", "kit", "scorecard"
        )
        .order_by("scheduled_at", "pk")
    )

    def submitted(interview):
        return interview.scorecard.current_id is not None

    return InterviewerHome(
        upcoming=[i for i in interviews if i.scheduled_at > now and not submitted(i)],
        due=[i for i in interviews if i.scheduled_at <= now and not submitted(i)],
        submitted=[i for i in reversed(interviews) if submitted(i)],
    )


# --- Interviewer calibration (METRICS.md) -----------------------------------------

CALIBRATION_MINIMUM = 5


@dataclass
class Calibration:
    interviewer: User
    candidates: int
    own_mean: Fraction | None
    others_mean: Fraction | None
    late: int
    scorecards: int

    @property
    def shown(self) -> bool:
        return self.candidates >= CALIBRATION_MINIMUM

    @property
    def difference(self) -> Fraction | None:
        if not self.shown or self.own_mean is None or self.others_mean is None:
            return None
        return self.own_mean - self.others_mean

    @property
    def difference_display(self) -> Decimal | None:
        difference = self.difference
        if difference is None:
            return None
        return (
            Decimal(difference.numerator) / Decimal(difference.denominator)
        ).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def interviewer_calibration(*, now: datetime | None = None) -> list[Calibration]:
    """Per interviewer: over the candidates they scored that someone else scored too,
    the mean of their overall recommendations minus the mean of the other
    interviewers' overall recommendations on the same candidates; and how many of
    their scorecards were late (submitted, or still open, after the reminder time).

    Only submitted scorecards count, by their latest revision."""
    now = now or timezone.now()
    hours = timedelta(hours=HiringPolicy.current().reminder_after_hours)
    # One row per (candidate, interviewer), summed in the database.
    per_pair = list(
        Scorecard.objects.filter(current__overall__isnull=False)
        .values("interview__application__candidate_id", "interview__interviewer_id")
        .annotate(total=Sum("current__overall"), count=Count("id"))
    )
    per_candidate: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for row in per_pair:
        totals = per_candidate[row["interview__application__candidate_id"]]
        totals[0] += row["total"]
        totals[1] += row["count"]
    own = defaultdict(lambda: [0, 0, 0, 0, 0])  # candidates, own Σ/n, others Σ/n
    for row in per_pair:
        candidate_total, candidate_count = per_candidate[
            row["interview__application__candidate_id"]
        ]
        others_count = candidate_count - row["count"]
        if not others_count:
            continue
        stats = own[row["interview__interviewer_id"]]
        stats[0] += 1
        stats[1] += row["total"]
        stats[2] += row["count"]
        stats[3] += candidate_total - row["total"]
        stats[4] += others_count
    late = dict(
        Scorecard.objects.filter(
            Q(first_submitted_at__gt=F("interview__scheduled_at") + hours)
            | Q(current__isnull=True, interview__scheduled_at__lt=now - hours)
        )
        .values_list("interview__interviewer_id")
        .annotate(count=Count("id"))
    )
    counts = dict(
        Scorecard.objects.filter(
            Q(current__isnull=False) | Q(interview__scheduled_at__lt=now)
        )
        .values_list("interview__interviewer_id")
        .annotate(count=Count("id"))
    )
    interviewers = User.objects.filter(pk__in=counts.keys()).order_by(
        "family_name_reading", "given_name_reading", "username"
    )
    result = []
    for interviewer in interviewers:
        stats = own.get(interviewer.pk, [0, 0, 0, 0, 0])
        result.append(
            Calibration(
                interviewer=interviewer,
                candidates=stats[0],
                own_mean=Fraction(stats[1], stats[2]) if stats[2] else None,
                others_mean=Fraction(stats[3], stats[4]) if stats[4] else None,
                late=late.get(interviewer.pk, 0),
                scorecards=counts.get(interviewer.pk, 0),
            )
        )
    return result


# --- Candidate experience ---------------------------------------------------------

FEEDBACK_GROUPS = {
    "opening": ("interview__application__opening", "title"),
    "interviewer": ("interview__interviewer", "username"),
}


def feedback_summary(*, viewer, group: str) -> list[dict]:
    """Candidates' mean rating per value (1–5), per opening or per interviewer, over
    the openings the viewer may see."""
    path, label = FEEDBACK_GROUPS[group]
    return list(
        FeedbackRating.objects.filter(
            feedback__interview__application__opening__in=(
                permissions.visible_openings(viewer)
            )
        )
        .values(
            group_id=F(f"feedback__{path}"),
            group_label=F(f"feedback__{path}__{label}"),
            competency_id=F("competency_id"),
        )
        .annotate(mean=Avg("rating"), answers=Count("id"))
        .order_by("group_label", "competency_id")
    )


# --- Scorecard export -------------------------------------------------------------


def scorecard_export_rows(*, viewer, opening: Opening):
    """Submitted scorecards of an opening the viewer may see, latest revisions."""
    return (
        permissions.visible_scorecards(viewer)
        .filter(interview__application__opening=opening, current__isnull=False)
        .select_related(
            "interview__application__candidate",
            "interview__interviewer",
            "interview__kit",
            "current",
        )
        .prefetch_related(
            "current__competency_ratings__competency",
            "current__answers__question__competency",
        )
        .order_by("interview__application__candidate__name", "interview__scheduled_at")
    )


def revision_history(*, viewer, scorecard: Scorecard) -> QuerySet:
    return (
        permissions.visible_revisions(viewer)
        .filter(scorecard=scorecard)
        .select_related("created_by")
        .order_by("-number")
    )


def candidate_list(*, viewer) -> QuerySet:
    return permissions.visible_candidates(viewer).prefetch_related(
        Prefetch(
            "applications",
            queryset=Application.objects.select_related("opening").order_by(
                "-created_at"
            ),
        )
    )


def opening_list(*, viewer) -> QuerySet:
    return (
        permissions.visible_openings(viewer)
        .select_related("team", "profile", "hiring_manager")
        .annotate(
            candidate_count=Count("applications", distinct=True),
            active_count=Count(
                "applications",
                filter=~Q(applications__stage__in=Application.CLOSED_STAGES),
                distinct=True,
            ),
        )
    )
