"""Reads: quality of hire and proposed weights from top performers (METRICS.md,
"Quality of hire" and "Proposed weights from top performers"). Admins only: the
views check `permissions.manages_recognition`.

Quality of hire
---------------
A **hire** is a Kata user linked to a hiring candidate (`Candidate.user`, set when
the candidate was hired). Their interview is the candidate's hired application (the
latest one hired; without one, the latest application).

Their **first six months** are the six calendar months (in TIME_ZONE) that start
with the month of their first step-1 cohort: the earliest `cohort_month` of the
`AccountTransition` rows of kind step whose `from_step` is step 1 of its journey
(position 1) and that credit them. A hire counts once those six months are all
complete, i.e. before the current month ("at least six months of step-1→2
cohorts"). The months are counted from the first cohort, not from the hire date:
a member who gets customers three months after joining is judged on six months of
customers, not on three empty ones.

Their **conversion** is converted / cohort over the step-1 rows of those six months,
every journey together, summed in the database per member and month. It is marked
provisional while one of those accounts can still convert (its window ends after
the rollup's moment).

For each interview **measure** the page shows the Spearman rank correlation with the
conversion over the hires that have the measure, with their number n:
- the fit score of the hired application (`hiring.selectors.fit_scores`);
- each competency's mean rating (submitted scorecards, latest revisions);
- each question's rating (its mean over the hire's submitted scorecards);
- each interviewer's ratings: their overall recommendation of the hire (the mean
  when they held several interviews with the candidate).
Below `MINIMUM_HIRES` the page says there is not enough data yet instead of a
number. A question **predicts nothing** when n ≥ `MINIMUM_HIRES` and either
|ρ| < `PREDICTS_NOTHING_BELOW` or its ratings are the same for every hire.

Proposed weights from top performers
------------------------------------
Top performers are chosen by hand or as the **top quarter** of a metric over the
last six complete months: members with a figure are ranked by the metric's
direction (exact fractions where the metric has a denominator); a member is in the
best 25 % when fewer than a quarter of the ranked members do strictly better, i.e.
their competition rank (1, 1, 3) is at most ⌈N / 4⌉ — ties at the boundary are
included. Members without a figure are not ranked.

For each competency, d_c = mean of the top performers' ratings in their latest
assessment − mean of every other member's. The proposed weight is 1 when d_c ≤ 0;
otherwise 5 · d_c / max d, rounded half up, and at least 2 (so the largest d_c
gets 5 and the others 2–5 in proportion). A competency that one of the two groups
has not been rated on gets no proposal.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Max,
    Q,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from accounts.models import User
from hiring import selectors as hiring_selectors
from hiring.models import AnswerRating, Application, Candidate, Question, Scorecard
from hiring.models import CompetencyRating as InterviewRating

from .. import metrics
from ..metrics import Metric
from ..models import (
    AccountTransition,
    CompetencyRating,
    ConversionKind,
)
from ..permissions import members
from . import figures
from .development import latest_assessment_per_member

MINIMUM_HIRES = 10
PREDICTS_NOTHING_BELOW = 0.1
FIRST_MONTHS = 6
TOP_PERFORMER_MONTHS = 6


# --- Spearman rank correlation ------------------------------------------------------


def average_ranks(values: Sequence) -> list[Fraction]:
    """Ranks 1..n of the values in ascending order; tied values share the mean of
    the ranks they occupy (1, 2.5, 2.5, 4)."""
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks: list[Fraction] = [Fraction(0)] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        shared = Fraction(start + 1 + end + 1, 2)
        for position in range(start, end + 1):
            ranks[order[position]] = shared
        start = end + 1
    return ranks


def spearman(xs: Sequence, ys: Sequence) -> float | None:
    """Spearman's ρ: the Pearson correlation of the average ranks. None with fewer
    than two pairs or when either side does not vary (ρ is undefined then)."""
    if len(xs) != len(ys):
        raise ValueError("spearman() needs as many x as y values")
    if len(xs) < 2:
        return None
    x_ranks, y_ranks = average_ranks(xs), average_ranks(ys)
    mean = Fraction(len(xs) + 1, 2)
    covariance = sum(
        (x - mean) * (y - mean) for x, y in zip(x_ranks, y_ranks, strict=True)
    )
    x_spread = sum((x - mean) ** 2 for x in x_ranks)
    y_spread = sum((y - mean) ** 2 for y in y_ranks)
    if not x_spread or not y_spread:
        return None
    return float(covariance) / math.sqrt(float(x_spread) * float(y_spread))


@dataclass(frozen=True)
class Correlation:
    """ρ between a measure and the conversion, over n hires."""

    n: int
    rho: float | None
    measure_varies: bool = True

    @property
    def enough(self) -> bool:
        return self.n >= MINIMUM_HIRES

    @property
    def shown(self) -> float | None:
        """ρ when there are enough hires; never a number below the minimum."""
        return self.rho if self.enough else None

    @property
    def display(self) -> str:
        return "—" if self.shown is None else f"{self.shown:+.2f}"

    @property
    def predicts_nothing(self) -> bool:
        if not self.enough:
            return False
        if not self.measure_varies:
            return True
        return self.rho is not None and abs(self.rho) < PREDICTS_NOTHING_BELOW


def correlate(pairs: Iterable[tuple[Fraction, Fraction]]) -> Correlation:
    pairs = list(pairs)
    xs = [x for x, _y in pairs]
    return Correlation(
        n=len(pairs),
        rho=spearman(xs, [y for _x, y in pairs]),
        measure_varies=len(set(xs)) > 1,
    )


# --- Quality of hire ----------------------------------------------------------------


def first_months(first_month: date) -> list[date]:
    """The six months that start with the hire's first step-1 cohort."""
    return [metrics.add_months(first_month, n) for n in range(FIRST_MONTHS)]


def has_six_months(first_month: date, *, today: date | None = None) -> bool:
    """All six first months are complete (before the current month)."""
    return metrics.add_months(first_month, FIRST_MONTHS) <= metrics.this_month(today)


@dataclass
class Hire:
    member: User
    application: Application | None
    first_month: date
    cohort: int = 0
    converted: int = 0
    provisional_until: datetime | None = None
    fit: Fraction | None = None
    competency_means: dict[int, Fraction] = field(default_factory=dict)
    question_ratings: dict[int, Fraction] = field(default_factory=dict)
    interviewer_ratings: dict[int, Fraction] = field(default_factory=dict)
    # Filled for display: (competency, mean or None) in the page's column order, and
    # (question, rating) for the questions the hire was asked.
    competency_cells: list = field(default_factory=list)
    question_cells: list = field(default_factory=list)

    @property
    def last_month(self) -> date:
        return metrics.add_months(self.first_month, FIRST_MONTHS - 1)

    @property
    def conversion(self) -> Fraction:
        return Fraction(self.converted, self.cohort)

    @property
    def conversion_display(self) -> str:
        return f"{float(self.conversion) * 100:.1f} %"

    @property
    def fit_display(self):
        return hiring_selectors.display_score(self.fit)


@dataclass
class MeasureRow:
    subject: object  # a Competency, a Question or an interviewer (User)
    correlation: Correlation
    kit_count: int = 0  # questions: how many kits ask it
    is_active: bool = True  # questions: still in the bank


@dataclass
class QualityOfHire:
    hires: list[Hire]
    waiting: int  # linked hires with step-1 cohorts but not six complete months yet
    fit: Correlation
    competencies: list[MeasureRow]
    questions: list[MeasureRow]
    interviewers: list[MeasureRow]
    minimum: int = MINIMUM_HIRES
    threshold: float = PREDICTS_NOTHING_BELOW
    # Candidates the viewer is bound on (hiring's independence rule), left out.
    left_out: int = 0

    @property
    def enough_data(self) -> bool:
        return len(self.hires) >= MINIMUM_HIRES

    @property
    def silent_questions(self) -> list[MeasureRow]:
        """Questions that predict nothing and that a kit still asks or the bank
        still offers: the ones worth retiring."""
        return [
            row
            for row in self.questions
            if row.correlation.predicts_nothing and (row.kit_count or row.is_active)
        ]

    def question_row(self, question_id: int) -> MeasureRow | None:
        for row in self.questions:
            if row.subject.pk == question_id:
                return row
        return None


def _as_of() -> datetime:
    run = figures.last_run()
    return run.as_of if run else timezone.now()


def _monthly_step_one(member_ids, *, as_of: datetime) -> dict[int, dict[date, tuple]]:
    """member → month → (cohort, converted, open until): the step-1 rows aggregated
    in the database per member and cohort month (one query)."""
    rows = (
        AccountTransition.objects.filter(
            kind=ConversionKind.STEP,
            from_step__position=1,
            member_id__in=member_ids,
        )
        .values("member_id", "cohort_month")
        .annotate(
            cohort=Count("pk"),
            converted_count=Count("pk", filter=Q(converted=True)),
            open_until=Max(
                "window_ends_at", filter=Q(converted=False, window_ends_at__gt=as_of)
            ),
        )
        .order_by()
    )
    found: dict[int, dict[date, tuple]] = defaultdict(dict)
    for row in rows:
        found[row["member_id"]][row["cohort_month"]] = (
            row["cohort"],
            row["converted_count"],
            row["open_until"],
        )
    return found


def _interview_applications(candidate_ids) -> dict[int, Application]:
    """candidate → the application their interview ratings come from (one query)."""
    hired_first = Case(
        When(stage=Application.Stage.HIRED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    chosen: dict[int, Application] = {}
    for application in (
        Application.objects.filter(candidate_id__in=candidate_ids)
        .select_related("opening")
        .order_by("candidate_id", hired_first, "-stage_changed_at", "-pk")
    ):
        chosen.setdefault(application.candidate_id, application)
    return chosen


def _means(rows, application_key: str, subject_key: str) -> dict[int, dict]:
    found: dict[int, dict] = defaultdict(dict)
    for row in rows:
        found[row[application_key]][row[subject_key]] = Fraction(
            row["total"], row["count"]
        )
    return found


def _interview_measures(hires: list[Hire]) -> None:
    """Fill each hire's fit score, competency means, question ratings and
    interviewers' overall recommendations, from submitted scorecards (latest
    revision). A fixed number of queries."""
    by_application = {
        hire.application.pk: hire for hire in hires if hire.application is not None
    }
    ids = list(by_application)
    for application_id, score in hiring_selectors.fit_scores(
        application_ids=ids
    ).items():
        by_application[application_id].fit = score
    current = "revision__current_of__interview__application_id"
    competency_means = _means(
        InterviewRating.objects.filter(
            revision__current_of__isnull=False,
            rating__isnull=False,
            **{f"{current}__in": ids},
        )
        .values(current, "competency_id")
        .annotate(total=Sum("rating"), count=Count("pk"))
        .order_by(),
        current,
        "competency_id",
    )
    question_ratings = _means(
        AnswerRating.objects.filter(
            revision__current_of__isnull=False,
            rating__isnull=False,
            **{f"{current}__in": ids},
        )
        .values(current, "question_id")
        .annotate(total=Sum("rating"), count=Count("pk"))
        .order_by(),
        current,
        "question_id",
    )
    interviewer_ratings = _means(
        Scorecard.objects.filter(
            interview__application_id__in=ids, current__overall__isnull=False
        )
        .values("interview__application_id", "interview__interviewer_id")
        .annotate(total=Sum("current__overall"), count=Count("pk"))
        .order_by(),
        "interview__application_id",
        "interview__interviewer_id",
    )
    for application_id, hire in by_application.items():
        hire.competency_means = competency_means.get(application_id, {})
        hire.question_ratings = question_ratings.get(application_id, {})
        hire.interviewer_ratings = interviewer_ratings.get(application_id, {})


def _rows(hires, attribute: str, subjects: set[int]) -> dict[int, Correlation]:
    pairs = defaultdict(list)
    for hire in hires:
        for subject_id, value in getattr(hire, attribute).items():
            pairs[subject_id].append((value, hire.conversion))
    return {subject_id: correlate(pairs[subject_id]) for subject_id in subjects}


def quality_of_hire(*, viewer=None, today: date | None = None) -> QualityOfHire:
    """Every hire with six months of step-1 cohorts, their interview measures and
    conversion, and per measure its rank correlation with the conversion. A fixed
    number of queries, whatever the number of hires, interviews or accounts.

    Shown to `viewer`, the candidates they are bound on (they interview them and
    have not submitted: hiring's independence rule) are left out, so that the
    figures do not move as the hidden panel submits."""
    linked = Candidate.objects.filter(user__isnull=False)
    left_out = 0
    if viewer is not None:
        bound = hiring_selectors.bound_candidates(viewer=viewer)
        linked = linked.exclude(pk__in=bound)
        left_out = len(bound)
    candidates = list(
        linked.select_related("user").order_by(
            "user__family_name_reading", "user__given_name_reading", "pk"
        )
    )
    monthly = _monthly_step_one(
        [candidate.user_id for candidate in candidates], as_of=_as_of()
    )
    applications = _interview_applications([c.pk for c in candidates])
    hires, waiting = [], 0
    for candidate in candidates:
        months = monthly.get(candidate.user_id)
        if not months:
            continue
        first = min(months)
        if not has_six_months(first, today=today):
            waiting += 1
            continue
        hire = Hire(
            member=candidate.user,
            application=applications.get(candidate.pk),
            first_month=first,
        )
        for month in first_months(first):
            cohort, converted, open_until = months.get(month, (0, 0, None))
            hire.cohort += cohort
            hire.converted += converted
            if open_until and (
                hire.provisional_until is None or open_until > hire.provisional_until
            ):
                hire.provisional_until = open_until
        hires.append(hire)
    _interview_measures(hires)
    return _report(hires, waiting, left_out=left_out)


def _report(hires: list[Hire], waiting: int, *, left_out: int = 0) -> QualityOfHire:
    competency_ids = {pk for hire in hires for pk in hire.competency_means}
    question_ids = {pk for hire in hires for pk in hire.question_ratings}
    interviewer_ids = {pk for hire in hires for pk in hire.interviewer_ratings}
    competencies = list(
        hiring_selectors.competency_list(include_retired=True).filter(
            pk__in=competency_ids
        )
    )
    questions = list(
        Question.objects.filter(pk__in=question_ids)
        .select_related("competency")
        .annotate(kit_count=Count("kit_questions"))
        .order_by("competency__name", "pk")
    )
    interviewers = list(User.objects.filter(pk__in=interviewer_ids))
    question_by_id = {question.pk: question for question in questions}
    for hire in hires:
        hire.competency_cells = [
            (competency, hire.competency_means.get(competency.pk))
            for competency in competencies
        ]
        hire.question_cells = [
            (question_by_id[pk], rating)
            for pk, rating in sorted(hire.question_ratings.items())
        ]
    by_competency = _rows(hires, "competency_means", competency_ids)
    by_question = _rows(hires, "question_ratings", question_ids)
    by_interviewer = _rows(hires, "interviewer_ratings", interviewer_ids)
    return QualityOfHire(
        hires=hires,
        waiting=waiting,
        left_out=left_out,
        fit=correlate(
            (hire.fit, hire.conversion) for hire in hires if hire.fit is not None
        ),
        competencies=[
            MeasureRow(competency, by_competency[competency.pk])
            for competency in competencies
        ],
        questions=[
            MeasureRow(
                question,
                by_question[question.pk],
                kit_count=question.kit_count,
                is_active=question.is_active,
            )
            for question in questions
        ],
        interviewers=[
            MeasureRow(interviewer, by_interviewer[interviewer.pk])
            for interviewer in interviewers
        ],
    )


# --- Top performers -----------------------------------------------------------------


def rankable_metrics() -> list[Metric]:
    """The metrics top performers can be chosen by: the active catalogue."""
    return metrics.catalogue(active_only=True)


def top_performer_period(*, today: date | None = None) -> metrics.Period:
    return metrics.last_months_period(TOP_PERFORMER_MONTHS, today=today)


def best_quarter(values: dict[int, Fraction], *, metric: Metric) -> set[int]:
    """The members whose competition rank is at most ⌈N / 4⌉ among the N ranked:
    fewer than a quarter of them do strictly better (ties at the boundary are in)."""
    if not values:
        return set()
    ordered = sorted(values.values(), reverse=metric.direction == metrics.HIGHER)
    boundary = ordered[math.ceil(len(ordered) / 4) - 1]
    return {
        member_id
        for member_id, value in values.items()
        if not metric.better(boundary, value)
    }


@dataclass
class RankedMember:
    member: User
    figure: figures.FigureValue
    rank: int
    is_top: bool
    value_display: str


@dataclass
class TopQuarter:
    metric: Metric
    period: metrics.Period
    ranked: list[RankedMember]
    unranked: int  # members without a figure

    @property
    def top_ids(self) -> set[int]:
        return {row.member.pk for row in self.ranked if row.is_top}


def top_quarter(*, metric: Metric, today: date | None = None) -> TopQuarter:
    """The members in the best 25 % of the metric over the last six months, with
    every ranked member's value and rank (competition ranking)."""
    period = top_performer_period(today=today)
    people = list(member_choices())
    found = figures.member_figures(
        member_ids=[person.pk for person in people], metrics=[metric], period=period
    )
    values = {}
    for person in people:
        figure = found.get((person.pk, metric.key))
        if figure is not None and figure.value is not None:
            values[person.pk] = figures.exact_value(figure)
    top = best_quarter(values, metric=metric)
    by_id = {person.pk: person for person in people}
    position = {person.pk: index for index, person in enumerate(people)}

    def listing(item):
        # Best first; among equal values the larger denominator, then by name.
        member_id, value = item
        figure = found[(member_id, metric.key)]
        best = -value if metric.direction == metrics.HIGHER else value
        return best, -(figure.denominator or 0), position[member_id]

    ranked: list[RankedMember] = []
    for index, (member_id, value) in enumerate(sorted(values.items(), key=listing)):
        tied = ranked and values[ranked[-1].member.pk] == value
        figure = found[(member_id, metric.key)]
        ranked.append(
            RankedMember(
                member=by_id[member_id],
                figure=figure,
                rank=ranked[-1].rank if tied else index + 1,
                is_top=member_id in top,
                value_display=metrics.format_value(metric, figure.value),
            )
        )
    return TopQuarter(
        metric=metric, period=period, ranked=ranked, unranked=len(people) - len(ranked)
    )


def round_half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def weights_from_differences(
    differences: dict[int, Fraction | None],
) -> dict[int, int | None]:
    """Competency → proposed weight: 1 when d ≤ 0; otherwise 5 · d / max d rounded
    half up and at least 2; None without a difference."""
    positive = [d for d in differences.values() if d is not None and d > 0]
    largest = max(positive, default=None)
    weights: dict[int, int | None] = {}
    for competency_id, difference in differences.items():
        if difference is None:
            weights[competency_id] = None
        elif difference <= 0:
            weights[competency_id] = 1
        else:
            weights[competency_id] = max(2, round_half_up(5 * difference / largest))
    return weights


@dataclass
class ProposedWeight:
    competency: object
    top_mean: Fraction | None
    top_count: int
    others_mean: Fraction | None
    others_count: int
    weight: int | None = None

    @property
    def difference(self) -> Fraction | None:
        if self.top_mean is None or self.others_mean is None:
            return None
        return self.top_mean - self.others_mean

    @staticmethod
    def _two_places(value: Fraction | None, *, sign: bool = False) -> str:
        if value is None:
            return "—"
        return f"{float(value):+.2f}" if sign else f"{float(value):.2f}"

    @property
    def top_display(self) -> str:
        return self._two_places(self.top_mean)

    @property
    def others_display(self) -> str:
        return self._two_places(self.others_mean)

    @property
    def difference_display(self) -> str:
        return self._two_places(self.difference, sign=True)


@dataclass
class Proposal:
    rows: list[ProposedWeight]
    top_assessed: int  # top performers with an assessment
    others_assessed: int  # other members with an assessment

    @property
    def weights(self) -> dict[int, int]:
        return {
            row.competency.pk: row.weight for row in self.rows if row.weight is not None
        }

    @property
    def comparable(self) -> bool:
        return bool(self.top_assessed and self.others_assessed)


def latest_assessments():
    """Each member's latest assessment, for members only, as a queryset."""
    return latest_assessment_per_member().filter(member__in=members())


def proposed_weights(*, top_ids: Iterable[int]) -> Proposal:
    """d_c and the proposed weight of every active competency, from the latest
    assessments of the top performers and of every other member. Three queries."""
    top_ids = set(top_ids)
    latest = latest_assessments()
    assessed = set(latest.values_list("member_id", flat=True))
    is_top = Case(
        When(assessment__member_id__in=top_ids, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    sums: dict[tuple[int, bool], tuple[int, int]] = {}
    for row in (
        CompetencyRating.objects.filter(assessment__in=latest.values("pk"))
        .annotate(top=is_top)
        .values("competency_id", "top")
        .annotate(total=Sum("rating"), count=Count("pk"))
        .order_by()
    ):
        sums[(row["competency_id"], row["top"])] = (row["total"], row["count"])

    def mean(competency_id, top) -> tuple[Fraction | None, int]:
        total, count = sums.get((competency_id, top), (0, 0))
        return (Fraction(total, count) if count else None), count

    rows = []
    for competency in hiring_selectors.competency_list(include_retired=False):
        top_mean, top_count = mean(competency.pk, True)
        others_mean, others_count = mean(competency.pk, False)
        rows.append(
            ProposedWeight(competency, top_mean, top_count, others_mean, others_count)
        )
    weights = weights_from_differences(
        {row.competency.pk: row.difference for row in rows}
    )
    for row in rows:
        row.weight = weights[row.competency.pk]
    return Proposal(
        rows=rows,
        top_assessed=len(assessed & top_ids),
        others_assessed=len(assessed - top_ids),
    )


def member_choices():
    """Members an admin can pick as top performers."""
    return (
        members()
        .filter(is_active=True)
        .distinct()
        .order_by("family_name_reading", "given_name_reading", "username")
    )


def saveable_profiles():
    """Profiles the proposal can be saved into: starting profiles are copied, never
    edited in place (hiring's rule)."""
    from hiring.models import SuccessProfile

    return SuccessProfile.objects.filter(is_starter=False).order_by("name")
