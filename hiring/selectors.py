"""Every read in hiring that needs rules: scoped to the viewer, one definition per
number (see `shared/METRICS.md`: interview fit score, interviewer calibration)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
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
    InterviewStage,
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
        permissions.applications_as_seen(viewer)
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
    # Who else is on the panel, whether they submitted and what was decided are the
    # panel's: a viewer who may not see it (bound by independence) sees their own.
    interviews = permissions.visible_interviews(viewer).filter(application=application)
    decisions = application.decisions.select_related("decided_by")
    if not sees_panel:
        interviews = interviews.filter(interviewer_id=viewer.pk)
        decisions = decisions.filter(decided_by_id=viewer.pk)
    interviews = list(interviews.select_related("interviewer", "kit", "scorecard"))
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
        decisions=list(decisions),
    )


# --- Pipeline ---------------------------------------------------------------------

# Stages sort in pipeline order (applied → … → withdrawn), not alphabetically; by
# the stage as the viewer may see it (`permissions.applications_as_seen`).
_STAGE_ORDER = Case(
    *(
        When(shown_stage=stage, then=Value(rank))
        for rank, stage in enumerate(Application.Stage)
    )
)
# By reading where there is one (furigana), else by the name as written.
_NAME_ORDER = Coalesce(NullIf("candidate__name_reading", Value("")), "candidate__name")
PIPELINE_ORDERINGS = {
    "name": (_NAME_ORDER.asc(), "pk"),
    "-name": (_NAME_ORDER.desc(), "-pk"),
    "stage": (_STAGE_ORDER.asc(), "candidate__name"),
    "-stage": (_STAGE_ORDER.desc(), "candidate__name"),
    "applied": ("created_at",),
    "-applied": ("-created_at",),
}


@dataclass
class PipelineRow:
    application: Application
    fit: Fraction | None
    fit_visible: bool
    scorecards_submitted: int | None  # None where the viewer may not see the panel
    interviews: int | None

    @property
    def fit_display(self):
        return display_score(self.fit) if self.fit_visible else None


def opening_pipeline(*, viewer, opening: Opening, sort: str = "") -> list[PipelineRow]:
    """Every visible application of the opening with its fit score where the viewer
    may see it. Sorting by fit puts applications without a score last."""
    applications = list(
        permissions.applications_as_seen(viewer)
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
        .order_by(*PIPELINE_ORDERINGS.get(sort, (_STAGE_ORDER.asc(), "-created_at")))
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
            # How many of the panel submitted is the panel's too.
            scorecards_submitted=(
                application.submitted_count if application.pk in panel else None
            ),
            interviews=application.interview_count if application.pk in panel else None,
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


def bound_candidates(*, viewer) -> set[int]:
    """The candidates the independence rule binds the viewer on (their ids): the
    aggregates they see leave those candidates out."""
    if not viewer.is_authenticated:
        return set()
    bound = permissions.bound_candidate_ids(viewer)
    return set(bound.values_list("application__candidate_id", flat=True))


def bound_candidate_count(*, viewer) -> int:
    """How many candidates the aggregates shown to the viewer leave out. Counted
    whatever the panel has done, so that the number itself tells nothing of it."""
    return len(bound_candidates(viewer=viewer))


def _scorecards_for(viewer) -> QuerySet:
    """Scorecards an aggregate shown to `viewer` may count: none of a candidate they
    are bound on, or the figures would move as the hidden panel submits."""
    scorecards = Scorecard.objects.all()
    if viewer is None:
        return scorecards
    return scorecards.exclude(
        interview__application__candidate_id__in=permissions.bound_candidate_ids(viewer)
    )


def interviewer_calibration(
    *, viewer=None, now: datetime | None = None
) -> list[Calibration]:
    """Per interviewer: over the candidates they scored that someone else scored too,
    the mean of their overall recommendations minus the mean of the other
    interviewers' overall recommendations on the same candidates; and how many of
    their scorecards were late (submitted, or still open, after the reminder time).

    Only submitted scorecards count, by their latest revision. Shown to `viewer`,
    the candidates they are bound on are left out (`bound_candidate_count`)."""
    now = now or timezone.now()
    hours = timedelta(hours=HiringPolicy.current().reminder_after_hours)
    scorecards = _scorecards_for(viewer)
    # One row per (candidate, interviewer), summed in the database.
    per_pair = list(
        scorecards.filter(current__overall__isnull=False)
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
        scorecards.filter(
            Q(first_submitted_at__gt=F("interview__scheduled_at") + hours)
            | Q(current__isnull=True, interview__scheduled_at__lt=now - hours)
        )
        .values_list("interview__interviewer_id")
        .annotate(count=Count("id"))
    )
    counts = dict(
        scorecards.filter(Q(current__isnull=False) | Q(interview__scheduled_at__lt=now))
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
    the openings the viewer may see, leaving out the candidates the viewer is bound
    on (whom the panel interviewed is the panel's)."""
    path, label = FEEDBACK_GROUPS[group]
    bound = permissions.bound_candidate_ids(viewer)
    return list(
        FeedbackRating.objects.filter(
            feedback__interview__application__opening__in=(
                permissions.visible_openings(viewer)
            )
        )
        .exclude(feedback__interview__application__candidate_id__in=bound)
        .values(
            "competency_id",
            group_id=F(f"feedback__{path}"),
            group_label=F(f"feedback__{path}__{label}"),
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
            # Only the applications the viewer may see: not the candidate's other
            # openings.
            queryset=permissions.applications_as_seen(viewer)
            .select_related("opening")
            .order_by("-created_at"),
        )
    )


def opening_list(*, viewer) -> QuerySet:
    """Visible openings with the number of their candidates the viewer may see, and
    of those still active as far as the viewer may know (a hidden decision's
    rejection or hire does not close an application for a viewer bound on its
    candidate: `permissions.applications_as_seen`)."""
    visible = Q(applications__in=permissions.visible_applications(viewer))
    active = ~Q(applications__stage__in=Application.CLOSED_STAGES)
    if viewer.is_authenticated:
        active |= Q(
            applications__candidate_id__in=permissions.bound_candidate_ids(viewer),
            applications__stage__in=set(Application.CLOSED_STAGES)
            & set(Application.DECIDED_STAGES),
        )
    return (
        permissions.visible_openings(viewer)
        .select_related("team", "profile", "hiring_manager")
        .annotate(
            candidate_count=Count("applications", filter=visible, distinct=True),
            active_count=Count("applications", filter=visible & active, distinct=True),
        )
    )


# --- openings ---------------------------------------------------------------------


def opening_get(*, viewer, pk: int) -> Opening:
    """An opening the viewer may see (Opening.DoesNotExist otherwise)."""
    return (
        permissions.visible_openings(viewer)
        .select_related("team", "profile", "hiring_manager")
        .get(pk=pk)
    )


def managed_openings(*, viewer) -> QuerySet:
    """The openings that name the viewer as hiring manager, with their counts."""
    return (
        opening_list(viewer=viewer)
        .filter(hiring_manager=viewer)
        .order_by("-created_at", "-id")
    )


def opening_kits(*, viewer, opening: Opening) -> QuerySet:
    return (
        permissions.visible_kits(viewer)
        .filter(opening=opening)
        .annotate(question_count=Count("kit_questions"))
        .order_by(KIT_STAGE_ORDER.asc(), "pk")
    )


def pipeline_waiting_for_own_scorecard(*, viewer, opening: Opening) -> set[int]:
    """Applications of the opening whose fit score the viewer will see once their own
    scorecards for the candidate are submitted (the independence rule)."""
    if not viewer.is_authenticated:
        return set()
    policy = HiringPolicy.current()
    never = policy.panel_visibility == HiringPolicy.PanelVisibility.NEVER
    if never and not permissions.can_edit_opening(viewer, opening):
        return set()
    return set(
        Application.objects.filter(
            opening=opening,
            candidate_id__in=permissions.bound_candidate_ids(viewer, policy),
        ).values_list("pk", flat=True)
    )


@dataclass
class FeedbackValue:
    competency: Competency
    mean: float
    answers: int


@dataclass
class FeedbackGroup:
    key: int
    label: str
    values: list[FeedbackValue]


def feedback_groups(
    *, viewer, group: str, key: int | None = None
) -> list[FeedbackGroup]:
    """`feedback_summary` per opening or interviewer, with the values' competencies
    and the interviewers' names; `key` keeps one opening or interviewer."""
    rows = [
        row
        for row in feedback_summary(viewer=viewer, group=group)
        if key is None or row["group_id"] == key
    ]
    competencies = Competency.objects.in_bulk({row["competency_id"] for row in rows})
    people = (
        User.objects.in_bulk({row["group_id"] for row in rows})
        if group == "interviewer"
        else {}
    )
    groups: dict[int, FeedbackGroup] = {}
    for row in rows:
        label = people[row["group_id"]].display_name if people else row["group_label"]
        entry = groups.setdefault(
            row["group_id"], FeedbackGroup(row["group_id"], label, [])
        )
        entry.values.append(
            FeedbackValue(
                competencies[row["competency_id"]], float(row["mean"]), row["answers"]
            )
        )
    return sorted(groups.values(), key=lambda entry: entry.label)


@dataclass
class OverdueScorecard:
    scorecard: Scorecard
    due_at: datetime
    hours_overdue: int


def overdue_scorecard_list(*, now: datetime) -> QuerySet:
    """Overdue scorecards (see `services.overdue_scorecards`), the oldest first."""
    from .services import overdue_scorecards

    return (
        overdue_scorecards(now=now)
        .select_related(
            "interview__interviewer",
            "interview__kit",
            "interview__application__candidate",
            "interview__application__opening",
        )
        .order_by("interview__scheduled_at", "pk")
    )


def overdue_details(*, scorecards, now: datetime) -> list[OverdueScorecard]:
    """When each scorecard fell due, and how many whole hours ago."""
    hours = timedelta(hours=HiringPolicy.current().reminder_after_hours)
    rows = []
    for scorecard in scorecards:
        due_at = scorecard.interview.scheduled_at + hours
        overdue = int((now - due_at).total_seconds() // 3600)
        rows.append(OverdueScorecard(scorecard, due_at, overdue))
    return rows


# --- scorecards -------------------------------------------------------------------


def scorecard_get(*, viewer, interview_pk: int) -> Scorecard:
    """The interview's scorecard when the viewer may see it (their own, or a
    submitted one of a panel they may see); `Scorecard.DoesNotExist` otherwise."""
    return (
        permissions.visible_scorecards(viewer)
        .select_related(
            "interview__application__candidate",
            "interview__application__opening",
            "interview__kit__opening",
            "interview__interviewer",
            "current__created_by",
        )
        .get(interview_id=interview_pk)
    )


def scorecard_open_draft(*, scorecard: Scorecard):
    """The scorecard's revision being written (first draft or correction), if any."""
    return (
        scorecard.revisions.filter(submitted_at__isnull=True)
        .select_related("created_by")
        .first()
    )


def scorecard_draft_touched(*, revision) -> bool:
    """Whether anything was ever written into the draft (a rating, a note, the
    summary): a draft only opened holds nothing, and nothing shows as saved."""
    from .models import AnswerRating, CompetencyRating, ScorecardRevision

    answered = AnswerRating.objects.filter(revision=OuterRef("pk")).exclude(
        notes="", rating__isnull=True
    )
    rated = CompetencyRating.objects.filter(
        revision=OuterRef("pk"), rating__isnull=False
    )
    # One query, whatever the draft holds.
    return (
        ScorecardRevision.objects.filter(pk=revision.pk)
        .filter(
            Q(overall__isnull=False) | ~Q(summary="") | Exists(answered) | Exists(rated)
        )
        .exists()
    )


@dataclass
class SheetAnswer:
    kit_question: KitQuestion | None  # None: the question has left the kit since
    question: object
    notes: str
    rating: int | None
    rating_label: str


@dataclass
class SheetCompetency:
    competency: Competency
    rating: int | None
    rating_label: str


@dataclass
class ScorecardSheet:
    """A revision's content in the kit's order, for reading."""

    revision: object
    answers: list[SheetAnswer]
    competencies: list[SheetCompetency]


def _sheet(revision, kit_questions: list[KitQuestion]) -> ScorecardSheet:
    from .models import Rating

    def label(rating):
        return Rating(rating).label if rating else ""

    answers = {answer.question_id: answer for answer in revision.answers.all()}
    rows = []
    for kit_question in kit_questions:
        answer = answers.pop(kit_question.question_id, None)
        rating = answer.rating if answer else None
        notes = answer.notes if answer else ""
        rows.append(
            SheetAnswer(
                kit_question, kit_question.question, notes, rating, label(rating)
            )
        )
    for answer in answers.values():
        rows.append(
            SheetAnswer(
                None, answer.question, answer.notes, answer.rating, label(answer.rating)
            )
        )
    # Competencies in the order the questions ask about them, then any rated
    # competency whose questions have left the kit.
    ratings = {r.competency_id: r.rating for r in revision.competency_ratings.all()}
    competencies = {row.question.competency_id: row.question.competency for row in rows}
    competencies |= {
        r.competency_id: r.competency for r in revision.competency_ratings.all()
    }
    return ScorecardSheet(
        revision,
        rows,
        [
            SheetCompetency(competency, ratings.get(pk), label(ratings.get(pk)))
            for pk, competency in competencies.items()
        ],
    )


def scorecard_sheets(*, revisions, kit: InterviewKit) -> list[ScorecardSheet]:
    """Revisions (already scoped to the viewer) with their content, in kit order;
    a fixed number of queries whatever the number of revisions."""
    from django.db.models import prefetch_related_objects

    revisions = list(revisions)
    prefetch_related_objects(
        revisions, "answers__question__competency", "competency_ratings__competency"
    )
    kit_questions = kit_question_list(kit=kit)
    return [_sheet(revision, kit_questions) for revision in revisions]


def scorecard_panel(*, viewer, scorecard: Scorecard) -> list[Scorecard]:
    """The other submitted scorecards for the same application that the viewer may
    see (none while the independence rule binds them)."""
    return list(
        permissions.visible_scorecards(viewer)
        .filter(
            interview__application_id=scorecard.interview.application_id,
            current__isnull=False,
        )
        .exclude(pk=scorecard.pk)
        .select_related("interview__interviewer", "interview__kit", "current")
        .order_by("interview__scheduled_at", "pk")
    )


@dataclass
class OwnEarlierNotes:
    """One of the interviewer's own earlier scorecards for the same application."""

    scorecard: Scorecard
    revision: object  # the submitted revision, else the open draft
    answers: list


def scorecard_own_earlier_notes(*, viewer, scorecard: Scorecard) -> list:
    """The viewer's own scorecards for the candidate's earlier interviews in this
    application, with their notes: never another interviewer's (independence).
    Three queries, whatever the number of scorecards and answers."""
    from .models import AnswerRating, ScorecardRevision

    interview = scorecard.interview
    if not viewer.is_authenticated or interview.interviewer_id != viewer.pk:
        return []
    earlier = (
        Scorecard.objects.filter(
            interview__interviewer=viewer,
            interview__application_id=interview.application_id,
            interview__scheduled_at__lt=interview.scheduled_at,
        )
        .select_related("interview__kit")
        .prefetch_related(
            Prefetch(
                "revisions",
                queryset=ScorecardRevision.objects.filter(
                    submitted_at__isnull=True
                ).prefetch_related(
                    Prefetch(
                        "answers",
                        queryset=AnswerRating.objects.exclude(notes="")
                        .select_related("question")
                        .order_by("pk"),
                    )
                ),
                to_attr="open_drafts",
            ),
            Prefetch(
                "current__answers",
                queryset=AnswerRating.objects.exclude(notes="")
                .select_related("question")
                .order_by("pk"),
            ),
        )
        .select_related("current")
        .order_by("interview__scheduled_at", "pk")
    )
    rows = []
    for own in earlier:
        revision = own.current or (own.open_drafts[0] if own.open_drafts else None)
        if revision is None:
            continue
        rows.append(OwnEarlierNotes(own, revision, list(revision.answers.all())))
    return rows


# --- candidates -------------------------------------------------------------------


def visible_fit_scores(*, viewer, application_ids) -> dict[int, Decimal | None]:
    """Fit score (to display) of each application whose panel the viewer may see
    (`permissions.panel_visible_applications`): the others are left out, so that a
    viewer bound by independence learns nothing computed from the panel. A fixed
    number of queries."""
    visible = list(
        permissions.panel_visible_applications(viewer)
        .filter(pk__in=application_ids)
        .values_list("pk", flat=True)
    )
    scores = fit_scores(application_ids=visible)
    return {pk: display_score(scores[pk]) for pk in visible}


def candidate_ids_by_fit(*, viewer, candidates: QuerySet, descending: bool) -> list:
    """The candidates' ids by their best visible fit score; those without one
    (none yet, or not the viewer's to see) last, newest first among themselves."""
    pairs = list(
        permissions.applications_as_seen(viewer)
        .filter(candidate__in=candidates)
        .values_list("pk", "candidate_id")
    )
    fits = visible_fit_scores(
        viewer=viewer, application_ids=[application for application, _c in pairs]
    )
    best: dict[int, Decimal] = {}
    for application_id, candidate_id in pairs:
        fit = fits.get(application_id)
        if fit is not None and (candidate_id not in best or fit > best[candidate_id]):
            best[candidate_id] = fit
    ids = list(candidates.order_by("-created_at", "-id").values_list("pk", flat=True))
    scored = sorted(
        (pk for pk in ids if pk in best), key=best.__getitem__, reverse=descending
    )
    return scored + [pk for pk in ids if pk not in best]


def candidate_get(*, viewer, pk: int):
    """The candidate with their visible applications; raises Candidate.DoesNotExist
    outside the viewer's candidates."""
    return (
        candidate_list(viewer=viewer)
        .select_related("created_by", "anonymised_by", "user")
        .get(pk=pk)
    )


def _interviews_page(viewer) -> QuerySet:
    return (
        permissions.visible_interviews(viewer)
        .select_related(
            "application__opening", "kit", "interviewer", "scorecard", "feedback"
        )
        .order_by("scheduled_at", "pk")
    )


def candidate_interviews(*, viewer, candidate) -> QuerySet:
    return _interviews_page(viewer).filter(application__candidate=candidate)


def application_interviews(*, viewer, application: Application) -> QuerySet:
    return _interviews_page(viewer).filter(application=application)


def openings_to_apply(*, viewer, candidate=None) -> QuerySet:
    """Open openings the viewer sees that the candidate has not applied to yet."""
    openings = permissions.visible_openings(viewer).filter(status=Opening.Status.OPEN)
    if candidate is not None:
        openings = openings.exclude(applications__candidate=candidate)
    return openings.select_related("team").order_by("title", "pk")


def interviewer_choices() -> QuerySet:
    """Active users who may hold an interview: interviewers, managers, recruiters
    and admins."""
    from accounts.models import Role

    roles = [Role.INTERVIEWER, Role.MANAGER, Role.RECRUITER, Role.ADMIN]
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(is_superuser=True))
        .distinct()
        .order_by("family_name_reading", "given_name_reading", "username")
    )


def hire_target(*, candidate) -> User | None:
    """The Kata user a hire links: the one already linked, else the user with the
    candidate's email; None when a new user would be created."""
    if candidate.user_id:
        return candidate.user
    if candidate.email:
        return User.objects.filter(email__iexact=candidate.email).first()
    return None


# --- framework --------------------------------------------------------------------
# Competencies, success profiles, the question bank and interview kits. The
# framework is the organisation's: whoever uses hiring reads it (the views check
# who may); kits follow their opening (`permissions.visible_kits`).

# Categories sort as the framework presents them: skill, mindset, way of thinking.
_CATEGORY_ORDER = Case(
    *(
        When(category=category, then=Value(rank))
        for rank, category in enumerate(Competency.Category)
    )
)


def competency_list(*, include_retired: bool) -> QuerySet:
    """Competencies by category, each with its number of active questions."""
    competencies = Competency.objects.annotate(
        question_count=Count("questions", filter=Q(questions__is_active=True))
    ).order_by(_CATEGORY_ORDER.asc(), "name")
    if not include_retired:
        competencies = competencies.filter(is_active=True)
    return competencies


@dataclass
class CompetencyPage:
    competency: Competency
    questions: list
    weights: list[ProfileWeight]  # the profiles that weight it, the heaviest first


def competency_page(*, competency: Competency, include_retired: bool) -> CompetencyPage:
    questions = competency.questions.order_by("-is_active", "kind", "id")
    if not include_retired:
        questions = questions.filter(is_active=True)
    weights = (
        ProfileWeight.objects.filter(competency=competency)
        .select_related("profile")
        .order_by("-weight", "profile__name")
    )
    return CompetencyPage(competency, list(questions), list(weights))


def profile_list() -> QuerySet:
    """Success profiles, the starting ones first, with their weights."""
    from .models import SuccessProfile

    return (
        SuccessProfile.objects.annotate(competency_count=Count("weights"))
        .prefetch_related(
            Prefetch(
                "weights",
                queryset=ProfileWeight.objects.select_related("competency").order_by(
                    "-weight", "competency__name"
                ),
            )
        )
        .order_by("-is_starter", "name")
    )


def profile_weights(*, profile) -> list[ProfileWeight]:
    """The profile's weights, the most important first."""
    return list(
        profile.weights.select_related("competency").order_by(
            "-weight", "competency__name"
        )
    )


def profile_weight_rows(*, profile) -> list[tuple[Competency, int | None]]:
    """Every competency a profile may weight (the active ones, and any retired one it
    still weights) with its current weight, or None when not in the profile."""
    current = dict(profile.weights.values_list("competency_id", "weight"))
    competencies = Competency.objects.filter(
        Q(is_active=True) | Q(pk__in=current.keys())
    ).order_by(_CATEGORY_ORDER.asc(), "name")
    return [(competency, current.get(competency.pk)) for competency in competencies]


def question_list(
    *,
    competency: Competency | None = None,
    kind: str = "",
    search: str = "",
    status: str = "active",
) -> QuerySet:
    """The question bank, filtered; status is "active", "retired" or "all"."""
    from .models import Question

    questions = Question.objects.select_related("competency").order_by(
        "competency__name", "id"
    )
    if competency is not None:
        questions = questions.filter(competency=competency)
    if kind:
        questions = questions.filter(kind=kind)
    if search:
        questions = questions.filter(
            Q(text__icontains=search) | Q(text_en__icontains=search)
        )
    if status == "active":
        questions = questions.filter(is_active=True)
    elif status == "retired":
        questions = questions.filter(is_active=False)
    return questions


def question_kits(*, viewer, question) -> QuerySet:
    """The kits that ask this question, among those the viewer may see."""
    return (
        permissions.visible_kits(viewer)
        .filter(kit_questions__question=question)
        .select_related("opening")
        .order_by("opening__title", KIT_STAGE_ORDER.asc())
    )


def kit_get(*, viewer, pk: int) -> InterviewKit:
    """A kit the viewer may see (InterviewKit.DoesNotExist otherwise)."""
    return (
        permissions.visible_kits(viewer)
        .select_related("opening__profile", "opening__team")
        .get(pk=pk)
    )


def kit_question_list(*, kit: InterviewKit) -> list[KitQuestion]:
    """The kit's questions in the order asked, with their competencies."""
    return list(
        kit.kit_questions.select_related("question__competency").order_by("position")
    )


@dataclass
class BankGroup:
    """Questions of one competency that a kit could add."""

    competency: Competency
    weight: int | None  # None: not in the opening's profile
    in_kit: int  # how many of its questions the kit asks already
    questions: list = field(default_factory=list)


def kit_question_bank(
    *, kit: InterviewKit, in_kit: list[KitQuestion]
) -> list[BankGroup]:
    """The active questions not yet in the kit, grouped by competency: the profile's
    competencies first, the most important first (even those with no question yet),
    then the others by name."""
    from .models import Question

    asked = {kit_question.question_id for kit_question in in_kit}
    asked_per_competency = defaultdict(int)
    for kit_question in in_kit:
        asked_per_competency[kit_question.question.competency_id] += 1
    groups: dict[int, BankGroup] = {}
    for weight in profile_weights(profile=kit.opening.profile):
        groups[weight.competency_id] = BankGroup(
            weight.competency,
            weight.weight,
            asked_per_competency[weight.competency_id],
        )
    questions = (
        Question.objects.filter(is_active=True, competency__is_active=True)
        .exclude(pk__in=asked)
        .select_related("competency")
        .order_by("competency__name", "kind", "id")
    )
    for question in questions:
        group = groups.get(question.competency_id)
        if group is None:
            group = groups[question.competency_id] = BankGroup(
                question.competency,
                None,
                asked_per_competency[question.competency_id],
            )
        group.questions.append(question)
    return sorted(
        groups.values(),
        key=lambda group: (
            group.weight is None,
            -(group.weight or 0),
            group.competency.name,
        ),
    )


# --- api ---


def kit_list(*, viewer) -> QuerySet:
    """Kits of the openings the viewer sees, each with its questions in order."""
    return (
        permissions.visible_kits(viewer)
        .select_related("opening")
        .prefetch_related(
            Prefetch("kit_questions", queryset=KitQuestion.objects.order_by("position"))
        )
    )


def interview_list(*, viewer) -> QuerySet:
    return permissions.visible_interviews(viewer).select_related(
        "application__candidate",
        "application__opening",
        "kit",
        "interviewer",
        "scorecard",
    )


def scorecards_with_content(*, viewer) -> QuerySet:
    """Visible scorecards with what the viewer may read of them: the current
    (latest submitted) revision, and for the author their open draft, as
    `own_drafts` (empty for everyone else)."""
    from .models import AnswerRating, ScorecardRevision

    content = (
        Prefetch("answers", queryset=AnswerRating.objects.order_by("question_id")),
        Prefetch(
            "competency_ratings",
            queryset=CompetencyRating.objects.order_by("competency_id"),
        ),
    )
    own_drafts = ScorecardRevision.objects.filter(
        submitted_at__isnull=True,
        scorecard__interview__interviewer_id=viewer.pk,
    ).prefetch_related(*content)
    return (
        permissions.visible_scorecards(viewer)
        .select_related(
            "interview__interviewer",
            "interview__application__candidate",
            "interview__application__opening",
            "interview__kit",
            "current",
        )
        .prefetch_related(
            Prefetch(
                "current__answers",
                queryset=AnswerRating.objects.order_by("question_id"),
            ),
            Prefetch(
                "current__competency_ratings",
                queryset=CompetencyRating.objects.order_by("competency_id"),
            ),
            Prefetch("revisions", queryset=own_drafts, to_attr="own_drafts"),
        )
        .order_by("interview__scheduled_at", "pk")
    )


def candidate_summaries(*, viewer, candidate) -> list[CandidateSummary]:
    """The summary of each application of the candidate that the viewer sees."""
    applications = (
        permissions.applications_as_seen(viewer)
        .filter(candidate=candidate)
        .select_related("candidate", "opening__profile")
        .order_by("-created_at", "-id")
    )
    return [
        candidate_summary(viewer=viewer, application=application)
        for application in applications
    ]


# --- api: hiring managers ---


def hiring_manager_choices(*, current: int | None = None) -> QuerySet:
    """Who may be an opening's hiring manager: active users with the Manager or
    Admin role, who decide on hires. `current` (the opening's hiring manager) stays
    valid after losing the role, so that an unrelated edit is not refused."""
    from accounts.models import Role

    may_decide = Q(is_active=True, groups__name__in=[Role.MANAGER, Role.ADMIN])
    if current is not None:
        may_decide |= Q(pk=current)
    return (
        User.objects.filter(may_decide)
        .distinct()
        .order_by("family_name_reading", "given_name_reading", "username")
    )


# --- views: review fixes ---

# Interview stages in the order the interviews are held (screening first, the final
# interview last), not alphabetically by their codes.
KIT_STAGE_ORDER = Case(
    *(When(stage=stage, then=Value(rank)) for rank, stage in enumerate(InterviewStage))
)


def kits_in_stage_order(kits: QuerySet) -> QuerySet:
    """Interview kits in the order of their interviews."""
    return kits.order_by(KIT_STAGE_ORDER.asc(), "pk")


def question_in_use(*, question) -> bool:
    """Whether scorecards have rated the question: what it asks then stays as it
    was (`services.question_save` refuses content changes)."""
    from .models import AnswerRating

    return AnswerRating.objects.filter(question=question).exists()


def overdue_visible(*, viewer, now: datetime) -> QuerySet:
    """The overdue scorecards (`overdue_scorecard_list`) of the interviews the viewer
    may see: while bound on a candidate, the panel's progress is not theirs."""
    return overdue_scorecard_list(now=now).filter(
        interview__in=permissions.visible_interviews(viewer)
    )
