"""Reads with rules: the fit score and calibration of METRICS.md, checked against
examples computed by hand (the arithmetic is in the comments), and kit coverage."""

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from accounts.models import Role
from hiring import selectors, services
from hiring.models import HiringPolicy, Scorecard
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    CompetencyFactory,
    InterviewKitFactory,
    OpeningFactory,
    QuestionFactory,
    SuccessProfileFactory,
    UserFactory,
    fill_scorecard,
    schedule_interview,
)

pytestmark = pytest.mark.django_db


# --- Helpers -----------------------------------------------------------------------


def _competencies(*names):
    return [CompetencyFactory(name=name, name_en=name) for name in names]


def _opening(weights, *, asked=None, stage="first"):
    """An opening whose profile has `weights` {competency: 1–5}, and a kit with one
    question per competency of `asked` (default: every weighted competency)."""
    profile = SuccessProfileFactory(weights=weights)
    opening = OpeningFactory(profile=profile)
    asked = list(weights) if asked is None else asked
    kit = InterviewKitFactory(
        opening=opening,
        stage=stage,
        questions=[QuestionFactory(competency=competency) for competency in asked],
    )
    return opening, kit


def _kit(opening, asked, *, stage):
    return InterviewKitFactory(
        opening=opening,
        stage=stage,
        questions=[QuestionFactory(competency=competency) for competency in asked],
    )


def _interviewer(**kwargs):
    return UserFactory(roles=[Role.INTERVIEWER], **kwargs)


def _scorecard(application, kit, ratings, *, overall=3, submit=True, by=None, **kw):
    """A scorecard of a new interviewer (or `by`) rating each kit competency."""
    interview = schedule_interview(application, kit, by or _interviewer(), **kw)
    return fill_scorecard(interview, ratings=ratings, overall=overall, submit=submit)


def _correct(scorecard, ratings, *, overall=None):
    """Correct a submitted scorecard's competency ratings and submit the correction."""
    interviewer = scorecard.interview.interviewer
    services.scorecard_start_correction(
        scorecard=scorecard, by=interviewer, reason="typed the wrong rating"
    )
    services.scorecard_save_draft(
        scorecard=scorecard,
        by=interviewer,
        competency_ratings={c.pk: rating for c, rating in ratings.items()},
        overall=overall,
    )
    services.scorecard_submit(scorecard=scorecard, by=interviewer)
    scorecard.refresh_from_db()
    return scorecard


@pytest.fixture
def recruiter():
    return UserFactory(roles=[Role.RECRUITER])


def _summary(recruiter, application):
    return selectors.candidate_summary(viewer=recruiter, application=application)


def _row(summary, competency):
    return next(row for row in summary.competencies if row.competency == competency)


# --- Fit score: hand-computed examples ---------------------------------------------


def test_fit_score_weighs_each_competency_mean_by_its_importance(recruiter):
    empathy, logic, numbers = _competencies("共感力", "ロジカルさ", "数値意識")
    opening, kit = _opening({empathy: 5, logic: 3, numbers: 1})
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {empathy: 4, logic: 2, numbers: 3})
    _scorecard(application, kit, {empathy: 3, logic: 2, numbers: 1})
    # r̄: empathy (4+3)/2 = 7/2, logic (2+2)/2 = 2, numbers (3+1)/2 = 2
    # Σ w·(r̄−1)/3 = 5·(5/2)/3 + 3·1/3 + 1·1/3 = 25/6 + 6/6 + 2/6 = 11/2
    # Σ w = 5 + 3 + 1 = 9  →  fit = 100 × (11/2) / 9 = 550/9 = 61.11…
    summary = _summary(recruiter, application)
    assert summary.fit == Fraction(550, 9)
    assert summary.fit_display == Decimal("61.1")
    assert _row(summary, empathy).mean == Fraction(7, 2)
    assert _row(summary, empathy).weight == 5
    assert summary.not_assessed == []


def test_the_same_ratings_score_differently_under_different_weights(recruiter):
    empathy, logic = _competencies("共感力", "ロジカルさ")
    care_opening, care_kit = _opening({empathy: 4, logic: 1})
    logic_opening, logic_kit = _opening({empathy: 1, logic: 4})
    candidate = CandidateFactory()
    care = ApplicationFactory(candidate=candidate, opening=care_opening)
    consulting = ApplicationFactory(candidate=candidate, opening=logic_opening)
    _scorecard(care, care_kit, {empathy: 4, logic: 1})
    _scorecard(consulting, logic_kit, {empathy: 4, logic: 1})
    # care:       100 × (4·(4−1)/3 + 1·(1−1)/3) / (4+1) = 100 × 4/5 = 80
    # consulting: 100 × (1·(4−1)/3 + 4·(1−1)/3) / (1+4) = 100 × 1/5 = 20
    # (an unweighted mean would give 50 to both; each application keeps its own)
    assert _summary(recruiter, care).fit == 80
    assert _summary(recruiter, consulting).fit == 20


def test_competencies_not_assessed_leave_both_sums_and_are_listed(recruiter):
    empathy, logic, numbers = _competencies("共感力", "ロジカルさ", "数値意識")
    opening, kit = _opening({empathy: 5, logic: 3, numbers: 2}, asked=[empathy, logic])
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {empathy: 3, logic: 4})
    # assessed: empathy (3), logic (4); numbers (weight 2) has no rating
    # 100 × (5·2/3 + 3·3/3) / (5+3) = 100 × (19/3) / 8 = 475/6 = 79.17
    # (counting numbers as 0 would give 100 × (19/3) / 10 = 63.3)
    summary = _summary(recruiter, application)
    assert summary.fit == Fraction(475, 6)
    assert summary.fit_display == Decimal("79.2")
    assert summary.not_assessed == [numbers]


def test_no_competency_assessed_means_no_score_not_zero(recruiter):
    empathy, logic = _competencies("共感力", "ロジカルさ")
    opening, kit = _opening({empathy: 5, logic: 3})
    application = ApplicationFactory(opening=opening)
    schedule_interview(application, kit, _interviewer())
    summary = _summary(recruiter, application)
    assert summary.fit is None
    assert summary.fit_display is None
    assert summary.not_assessed == [empathy, logic]
    assert selectors.fit_scores(application_ids=[application.pk]) == {
        application.pk: None
    }


def test_a_draft_with_extreme_ratings_changes_nothing(recruiter):
    empathy, logic = _competencies("共感力", "ロジカルさ")
    opening, kit = _opening({empathy: 5, logic: 3})
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {empathy: 3, logic: 3}, overall=3)
    # 100 × (5·2/3 + 3·2/3) / 8 = 100 × (16/3) / 8 = 200/3
    before = _summary(recruiter, application)
    assert before.fit == Fraction(200, 3)
    _scorecard(application, kit, {empathy: 1, logic: 1}, overall=1, submit=False)
    after = _summary(recruiter, application)
    assert after.fit == Fraction(200, 3)
    assert _row(after, empathy).ratings == _row(before, empathy).ratings
    assert after.disagreements == []
    assert selectors.fit_scores(application_ids=[application.pk]) == {
        application.pk: Fraction(200, 3)
    }


def test_only_drafts_give_no_score(recruiter):
    empathy, logic = _competencies("共感力", "ロジカルさ")
    opening, kit = _opening({empathy: 5, logic: 3})
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {empathy: 4, logic: 4}, submit=False)
    assert _summary(recruiter, application).fit is None
    assert selectors.fit_scores(application_ids=[application.pk]) == {
        application.pk: None
    }


def test_only_the_latest_revision_counts_after_a_correction(recruiter):
    empathy, logic = _competencies("共感力", "ロジカルさ")
    opening, kit = _opening({empathy: 5, logic: 3})
    application = ApplicationFactory(opening=opening)
    scorecard = _scorecard(application, kit, {empathy: 1, logic: 4})
    # revision 1: 100 × (5·0/3 + 3·3/3) / 8 = 100 × 3/8 = 75/2
    assert _summary(recruiter, application).fit == Fraction(75, 2)
    interviewer = scorecard.interview.interviewer
    services.scorecard_start_correction(
        scorecard=scorecard, by=interviewer, reason="empathy was a typo"
    )
    services.scorecard_save_draft(
        scorecard=scorecard, by=interviewer, competency_ratings={empathy.pk: 4}
    )
    # an open correction is a draft: revision 1 still counts
    assert _summary(recruiter, application).fit == Fraction(75, 2)
    services.scorecard_submit(scorecard=scorecard, by=interviewer)
    # revision 2: 100 × (5·3/3 + 3·3/3) / 8 = 100
    assert _summary(recruiter, application).fit == 100
    assert selectors.fit_scores(application_ids=[application.pk]) == {
        application.pk: 100
    }


def test_a_competency_rated_but_outside_the_profile_is_ignored_by_the_score(
    recruiter,
):
    empathy, logic, expertise = _competencies("共感力", "ロジカルさ", "専門知識")
    opening, kit = _opening({empathy: 5, logic: 3}, asked=[empathy, logic, expertise])
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {empathy: 4, logic: 4, expertise: 1})
    # profile competencies only: 100 × (5·3/3 + 3·3/3) / 8 = 100
    summary = _summary(recruiter, application)
    assert summary.fit == 100
    outside = _row(summary, expertise)
    assert outside.weight is None
    assert outside.mean == 1
    assert summary.not_assessed == []
    assert selectors.fit_scores(application_ids=[application.pk]) == {
        application.pk: 100
    }


def test_ratings_only_outside_the_profile_give_no_score(recruiter):
    empathy, expertise = _competencies("共感力", "専門知識")
    opening, kit = _opening({empathy: 5}, asked=[expertise])
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {expertise: 4})
    summary = _summary(recruiter, application)
    assert summary.fit is None
    assert summary.not_assessed == [empathy]
    assert selectors.fit_scores(application_ids=[application.pk]) == {
        application.pk: None
    }


def test_disagreement_when_ratings_differ_by_two_or_more_and_not_at_one(recruiter):
    apart_2, apart_3, apart_1, same = _competencies("二差", "三差", "一差", "同じ")
    opening, kit = _opening({apart_2: 2, apart_3: 2, apart_1: 2, same: 2})
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {apart_2: 1, apart_3: 4, apart_1: 3, same: 2})
    _scorecard(application, kit, {apart_2: 2, apart_3: 2, apart_1: 4, same: 2})
    _scorecard(application, kit, {apart_2: 3, apart_3: 1, apart_1: 3, same: 2})
    summary = _summary(recruiter, application)
    assert set(summary.disagreements) == {apart_2, apart_3}
    assert not _row(summary, apart_1).disagreement
    assert not _row(summary, same).disagreement


def test_a_single_rating_is_never_a_disagreement(recruiter):
    empathy, logic = _competencies("共感力", "ロジカルさ")
    opening, kit = _opening({empathy: 5, logic: 3})
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {empathy: 1, logic: 4})
    assert _summary(recruiter, application).disagreements == []


def test_fit_of_the_hiring_world_rounds_half_up_on_display(hiring, org):
    # panelist: empathy 4, logic 2; interviewer: empathy 4, logic 3
    # r̄: empathy 4, logic 5/2
    # 100 × (5·3/3 + 3·(3/2)/3) / 8 = 100 × (13/2) / 8 = 325/4 = 81.25 → 81.3
    # (rounding half to even would show 81.2)
    fill_scorecard(hiring.interview, ratings={hiring.empathy: 4, hiring.logic: 3})
    summary = selectors.candidate_summary(
        viewer=org.recruiter, application=hiring.application
    )
    assert summary.fit == Fraction(325, 4)
    assert summary.fit_display == Decimal("81.3")


@pytest.mark.parametrize(
    ("score", "shown"),
    [
        (Fraction(325, 4), "81.3"),  # 81.25: half up, not to even (81.2)
        (Fraction(3, 20), "0.2"),  # 0.15: exact, not the float 0.1499…
        (Fraction(1501, 20), "75.1"),  # 75.05
        (Fraction(1449, 20), "72.5"),  # 72.45
        (Fraction(200, 3), "66.7"),
        (Fraction(100, 3), "33.3"),
        (Fraction(100), "100.0"),
        (Fraction(0), "0.0"),
    ],
)
def test_display_score_rounds_half_up_to_one_decimal(score, shown):
    assert selectors.display_score(score) == Decimal(shown)


def test_display_score_of_no_score_is_none():
    assert selectors.display_score(None) is None


def test_fit_scores_of_many_applications_equal_each_computed_alone(recruiter):
    empathy, logic, numbers, expertise = _competencies(
        "共感力", "ロジカルさ", "数値意識", "専門知識"
    )
    care, care_kit = _opening({empathy: 5, logic: 3, numbers: 1})
    sales, sales_kit = _opening({numbers: 5, logic: 2}, asked=[numbers, expertise])
    sales_logic_kit = _kit(sales, [logic], stage="second")
    candidate = CandidateFactory()
    applications = {
        "example": ApplicationFactory(candidate=candidate, opening=care),
        "same candidate, other opening": ApplicationFactory(
            candidate=candidate, opening=sales
        ),
        "corrected": ApplicationFactory(opening=care),
        "draft only": ApplicationFactory(opening=care),
        "nothing yet": ApplicationFactory(opening=sales),
        "two kits": ApplicationFactory(opening=sales),
    }
    example = applications["example"]
    _scorecard(example, care_kit, {empathy: 4, logic: 2, numbers: 3})
    _scorecard(example, care_kit, {empathy: 3, logic: 2, numbers: 1})
    _scorecard(example, care_kit, {empathy: 1, logic: 1, numbers: 1}, submit=False)
    other = applications["same candidate, other opening"]
    _scorecard(other, sales_kit, {numbers: 2, expertise: 4})
    corrected = _scorecard(applications["corrected"], care_kit, {empathy: 1})
    _correct(corrected, {empathy: 2, logic: 4})
    _scorecard(applications["draft only"], care_kit, {empathy: 4}, submit=False)
    _scorecard(applications["two kits"], sales_kit, {numbers: 4, expertise: 1})
    _scorecard(applications["two kits"], sales_logic_kit, {logic: 1})
    ids = [application.pk for application in applications.values()]
    scores = selectors.fit_scores(application_ids=ids)
    assert scores == {
        application.pk: _summary(recruiter, application).fit
        for application in applications.values()
    }
    # the example of test_fit_score_weighs_each_competency_mean_by_its_importance
    assert scores[example.pk] == Fraction(550, 9)
    # numbers only (expertise is outside the sales profile): 100 × 5·(1/3) / 5
    assert scores[other.pk] == Fraction(100, 3)
    # empathy 2, logic 4, numbers 3: 100 × (5·1/3 + 3·3/3 + 1·2/3) / 9 = 1600/27
    assert scores[applications["corrected"].pk] == Fraction(1600, 27)
    assert scores[applications["draft only"].pk] is None
    assert scores[applications["nothing yet"].pk] is None
    # numbers 4 (weight 5), logic 1 (weight 2): 100 × (5·3/3 + 2·0) / 7 = 500/7
    assert scores[applications["two kits"].pk] == Fraction(500, 7)


def test_fit_scores_take_two_queries_whatever_the_number_of_applications(
    django_assert_num_queries,
):
    empathy, logic = _competencies("共感力", "ロジカルさ")
    opening, kit = _opening({empathy: 5, logic: 3})
    applications = [ApplicationFactory(opening=opening) for _ in range(4)]
    for application in applications:
        _scorecard(application, kit, {empathy: 4, logic: 2})
    with django_assert_num_queries(2):
        few = selectors.fit_scores(application_ids=[applications[0].pk])
    with django_assert_num_queries(2):
        many = selectors.fit_scores(application_ids=[a.pk for a in applications])
    assert few[applications[0].pk] == 75
    assert set(many.values()) == {75}


# --- Fit score: properties ---------------------------------------------------------

weights = st.integers(min_value=1, max_value=5)
ratings = st.integers(min_value=1, max_value=4)
assessed = st.lists(
    st.tuples(weights, st.lists(ratings, min_size=1, max_size=5)),
    min_size=1,
    max_size=6,
)


def _means(rows):
    return [(weight, Fraction(sum(rs), len(rs))) for weight, rs in rows]


@given(assessed)
def test_fit_is_always_between_0_and_100(rows):
    fit = selectors.fit_from_means(_means(rows))
    assert 0 <= fit <= 100
    assert Decimal(0) <= selectors.display_score(fit) <= Decimal(100)


@given(st.lists(weights, min_size=1, max_size=6))
def test_all_ratings_4_score_100_and_all_ratings_1_score_0(row_weights):
    assert selectors.fit_from_means([(w, Fraction(4)) for w in row_weights]) == 100
    assert selectors.fit_from_means([(w, Fraction(1)) for w in row_weights]) == 0


class TestFitFromTheDatabase(HypothesisTestCase):
    """The score read from submitted scorecards agrees with the formula applied by
    hand, stays within 0..100, and is the same through both selectors."""

    @hypothesis_settings(max_examples=15)
    @given(
        st.lists(weights, min_size=1, max_size=3),
        st.lists(st.lists(ratings, min_size=3, max_size=3), min_size=1, max_size=3),
    )
    def test_fit_read_from_scorecards(self, profile_weights, panel):
        competencies = [CompetencyFactory() for _ in profile_weights]
        opening, kit = _opening(dict(zip(competencies, profile_weights, strict=True)))
        application = ApplicationFactory(opening=opening)
        for scorecard_ratings in panel:
            _scorecard(
                application,
                kit,
                dict(zip(competencies, scorecard_ratings, strict=False)),
            )
        weighted = sum(
            weight * Fraction(sum(r[i] for r in panel), len(panel)) - weight
            for i, weight in enumerate(profile_weights)
        )
        expected = 100 * weighted / 3 / sum(profile_weights)
        viewer = UserFactory(roles=[Role.RECRUITER])
        fit = selectors.candidate_summary(viewer=viewer, application=application).fit
        assert fit == expected
        assert 0 <= fit <= 100
        assert selectors.fit_scores(application_ids=[application.pk]) == {
            application.pk: expected
        }


# --- Proposed competency rating ----------------------------------------------------


@pytest.mark.parametrize(
    ("question_ratings", "proposed"),
    [
        ([2, 3], 3),  # 2.5 → 3
        ([1, 2], 2),  # 1.5 → 2
        ([3, 4], 4),  # 3.5 → 4
        ([2, 2, 3], 2),  # 2.333 → 2
        ([2, 3, 3], 3),  # 2.667 → 3
        ([1, 1, 2, 2], 2),  # 1.5 → 2
        ([4], 4),
        ([None, 3], 3),  # an unrated question is left out
        ([], None),
        ([None, None], None),
    ],
)
def test_proposed_rating_is_the_mean_rounded_half_up(question_ratings, proposed):
    assert services.proposed_rating(question_ratings) == proposed


# --- Kit coverage ------------------------------------------------------------------


def _coverage(kit):
    return {row.competency: row for row in selectors.kit_coverage(kit=kit)}


def test_coverage_warns_about_a_weighted_competency_without_a_question():
    empathy, logic = _competencies("共感力", "ロジカルさ")
    _opening_, kit = _opening({empathy: 3, logic: 2}, asked=[empathy])
    coverage = _coverage(kit)
    assert (coverage[logic].weight, coverage[logic].questions) == (2, 0)
    assert coverage[logic].warning == "No question assesses this competency."
    assert coverage[empathy].questions == 1
    assert coverage[empathy].warning == ""


def test_coverage_warns_on_the_important_competency_with_fewer_questions():
    empathy, logic = _competencies("共感力", "ロジカルさ")
    _opening_, kit = _opening({empathy: 5, logic: 2}, asked=[empathy, logic, logic])
    rows = selectors.kit_coverage(kit=kit)
    assert [(row.competency, row.weight, row.questions) for row in rows] == [
        (empathy, 5, 1),
        (logic, 2, 2),
    ]
    assert (
        rows[0].warning == "Fewer questions than the less important “ロジカルさ” (2)."
    )
    assert rows[1].warning == ""


def test_coverage_does_not_warn_when_the_important_competency_has_as_many():
    empathy, logic = _competencies("共感力", "ロジカルさ")
    _opening_, kit = _opening({empathy: 5, logic: 2}, asked=[empathy, logic])
    assert [row.warning for row in selectors.kit_coverage(kit=kit)] == ["", ""]


def test_coverage_never_warns_between_equal_weights():
    empathy, logic = _competencies("共感力", "ロジカルさ")
    _opening_, kit = _opening({empathy: 3, logic: 3}, asked=[empathy, logic, logic])
    coverage = _coverage(kit)
    assert (coverage[empathy].questions, coverage[logic].questions) == (1, 2)
    assert coverage[empathy].warning == coverage[logic].warning == ""


def test_coverage_lists_a_question_outside_the_profile_with_no_weight():
    empathy, expertise = _competencies("共感力", "専門知識")
    _opening_, kit = _opening({empathy: 1}, asked=[empathy, expertise, expertise])
    rows = selectors.kit_coverage(kit=kit)
    assert [(row.competency, row.weight, row.questions) for row in rows] == [
        (empathy, 1, 1),
        (expertise, None, 2),
    ]
    # an unweighted competency is no "less important" competency to compare with
    assert [row.warning for row in rows] == ["", ""]


# --- Interviewer calibration -------------------------------------------------------

# Overall recommendations (— : did not interview the candidate):
#   candidate   lenient  severe  neutral
#   c1             4        2       3
#   c2             4        1       3
#   c3             3        2       3
#   c4             4        2       2
#   c5             3        1       2
#   c6             —        2       3
#   c7             —        —       4    (nobody else scored c7)
CALIBRATION_PANEL = [
    (4, 2, 3),
    (4, 1, 3),
    (3, 2, 3),
    (4, 2, 2),
    (3, 1, 2),
    (None, 2, 3),
    (None, None, 4),
]


@pytest.fixture
def calibration_world():
    empathy = CompetencyFactory()
    opening, kit = _opening({empathy: 3})
    panel = {
        "lenient": _interviewer(family_name_reading="あ"),
        "severe": _interviewer(family_name_reading="い"),
        "neutral": _interviewer(family_name_reading="う"),
    }
    for overalls in CALIBRATION_PANEL:
        application = ApplicationFactory(opening=opening)
        for interviewer, overall in zip(panel.values(), overalls, strict=True):
            if overall is not None:
                _scorecard(application, kit, {}, overall=overall, by=interviewer)
    return panel


def _calibration(**kwargs):
    return {row.interviewer: row for row in selectors.interviewer_calibration(**kwargs)}


def test_calibration_hand_computed_lenient_severe_and_neutral(calibration_world):
    rows = _calibration()
    lenient = rows[calibration_world["lenient"]]
    # own: (4+4+3+4+3)/5 = 18/5; others on c1–c5: (5+4+5+4+3)/10 = 21/10
    # 18/5 − 21/10 = 15/10 = 3/2 (lenient)
    assert lenient.candidates == 5
    assert lenient.own_mean == Fraction(18, 5)
    assert lenient.others_mean == Fraction(21, 10)
    assert lenient.difference == Fraction(3, 2)
    assert lenient.difference_display == Decimal("1.50")
    severe = rows[calibration_world["severe"]]
    # own: (2+1+2+2+1+2)/6 = 5/3; others on c1–c6: (7+7+6+6+5+3)/11 = 34/11
    # 5/3 − 34/11 = (55 − 102)/33 = −47/33 = −1.4242… (severe)
    assert severe.candidates == 6
    assert severe.own_mean == Fraction(5, 3)
    assert severe.others_mean == Fraction(34, 11)
    assert severe.difference == Fraction(-47, 33)
    assert severe.difference_display == Decimal("-1.42")
    neutral = rows[calibration_world["neutral"]]
    # own on c1–c6: (3+3+3+2+2+3)/6 = 8/3; others: (6+5+5+6+4+2)/11 = 28/11
    # 8/3 − 28/11 = (88 − 84)/33 = 4/33
    assert neutral.difference == Fraction(4, 33)


def test_calibration_leaves_out_candidates_nobody_else_scored(calibration_world):
    neutral = _calibration()[calibration_world["neutral"]]
    # c7 was scored by neutral alone: counting it would make 7 candidates and an
    # own mean of 20/7; there is nobody to compare with on c7
    assert neutral.candidates == 6
    assert neutral.own_mean == Fraction(8, 3)
    assert neutral.scorecards == 7


def test_calibration_for_a_bound_viewer_leaves_out_their_candidates(calibration_world):
    viewer = UserFactory(roles=[Role.RECRUITER])
    lenient = calibration_world["lenient"]
    c1 = Scorecard.objects.filter(interview__interviewer=lenient).earliest("pk")
    schedule_interview(c1.interview.application, c1.interview.kit, viewer)
    # lenient without c1: own (4+3+4+3)/4 = 7/2; others (1+3+2+3+2+2+1+2)/8 = 2
    row = _calibration(viewer=viewer)[lenient]
    assert (row.candidates, row.own_mean, row.others_mean) == (4, Fraction(7, 2), 2)
    assert row.scorecards == 4
    assert selectors.bound_candidate_count(viewer=viewer) == 1
    # Everyone else still counts c1, and so does the viewer once they submit.
    assert _calibration()[lenient].candidates == 5
    fill_scorecard(
        c1.interview.application.interviews.get(interviewer=viewer),
        ratings={},
        overall=3,
    )
    assert _calibration(viewer=viewer)[lenient].candidates == 5
    assert selectors.bound_candidate_count(viewer=viewer) == 0


def test_calibration_is_hidden_below_five_candidates():
    empathy = CompetencyFactory()
    opening, kit = _opening({empathy: 3})
    first, second = _interviewer(), _interviewer()
    for _candidate in range(4):
        application = ApplicationFactory(opening=opening)
        _scorecard(application, kit, {}, overall=4, by=first)
        _scorecard(application, kit, {}, overall=2, by=second)
    row = _calibration()[first]
    assert row.candidates == 4
    assert not row.shown
    assert row.difference is None
    assert row.difference_display is None
    application = ApplicationFactory(opening=opening)
    _scorecard(application, kit, {}, overall=4, by=first)
    _scorecard(application, kit, {}, overall=2, by=second)
    row = _calibration()[first]
    assert row.shown
    assert row.difference == 2  # 4 − 2 on each of the 5 candidates


def test_calibration_counts_only_the_latest_submitted_revisions():
    empathy = CompetencyFactory()
    opening, kit = _opening({empathy: 3})
    first, second = _interviewer(), _interviewer()
    corrected = None
    for number in range(5):
        application = ApplicationFactory(opening=opening)
        scorecard = _scorecard(application, kit, {}, overall=3, by=first)
        _scorecard(application, kit, {}, overall=3, by=second)
        if number == 0:
            corrected = scorecard
        # a third interviewer's draft never counts
        _scorecard(application, kit, {}, overall=1, submit=False)
    assert _calibration()[first].difference == 0
    _correct(corrected, {}, overall=4)
    # first: (4+3+3+3+3)/5 = 16/5; second: 3 → 16/5 − 3 = 1/5
    assert _calibration()[first].difference == Fraction(1, 5)
    assert _calibration()[second].difference == Fraction(-1, 5)
    # an open correction does not count until submitted
    services.scorecard_start_correction(
        scorecard=corrected, by=first, reason="second thoughts"
    )
    services.scorecard_save_draft(scorecard=corrected, by=first, overall=1)
    assert _calibration()[first].difference == Fraction(1, 5)


def test_calibration_counts_late_scorecards_submitted_or_still_open():
    empathy = CompetencyFactory()
    opening, kit = _opening({empathy: 3})
    interviewer = _interviewer()
    now = timezone.now()

    def interview_at(hours_ago, *, submit):
        application = ApplicationFactory(opening=opening)
        when = now - timedelta(hours=hours_ago)
        if submit is None:
            return schedule_interview(application, kit, interviewer, when=when)
        return _scorecard(
            application, kit, {}, by=interviewer, when=when, submit=submit
        )

    interview_at(30, submit=True)  # submitted 30 h after: late
    interview_at(2, submit=True)  # submitted 2 h after: on time
    interview_at(25, submit=False)  # draft, 25 h after: late
    interview_at(25, submit=None)  # nothing typed, 25 h after: late
    interview_at(3, submit=False)  # draft, 3 h after: not late yet
    interview_at(-24, submit=None)  # tomorrow: not due, not counted
    row = _calibration(now=now)[interviewer]
    assert row.late == 3
    assert row.scorecards == 5
    HiringPolicy.objects.update_or_create(pk=1, defaults={"reminder_after_hours": 48})
    assert _calibration(now=now)[interviewer].late == 0
    assert _calibration(now=now + timedelta(hours=24))[interviewer].late == 2


def test_a_correction_does_not_make_an_on_time_scorecard_late():
    empathy = CompetencyFactory()
    opening, kit = _opening({empathy: 3})
    application = ApplicationFactory(opening=opening)
    when = timezone.now() - timedelta(hours=2)
    scorecard = _scorecard(application, kit, {}, when=when)
    interviewer = scorecard.interview.interviewer
    first_submitted_at = scorecard.first_submitted_at
    # corrected three days after the interview
    _correct(scorecard, {}, overall=4)
    assert scorecard.first_submitted_at == first_submitted_at
    later = timezone.now() + timedelta(days=3)
    assert _calibration(now=later)[interviewer].late == 0


# --- Independence in what selectors compute ----------------------------------------


def test_a_bound_interviewer_gets_no_fit_and_no_panel_ratings(hiring, org):
    summary = selectors.candidate_summary(
        viewer=org.interviewer, application=hiring.application
    )
    assert not summary.sees_panel
    assert summary.fit is None
    assert [s.interview for s in summary.scorecards] == [hiring.interview]
    assert all(row.ratings == [] for row in summary.competencies)
    assert summary.recommendations == []


def test_the_summary_shows_the_panel_once_the_interviewer_submits(hiring, org):
    fill_scorecard(hiring.interview, ratings={hiring.empathy: 4, hiring.logic: 3})
    summary = selectors.candidate_summary(
        viewer=org.interviewer, application=hiring.application
    )
    assert summary.sees_panel
    assert summary.fit == Fraction(325, 4)
    assert sorted(rating for _u, rating in _row(summary, hiring.logic).ratings) == [
        2,
        3,
    ]


def test_the_summary_lists_missing_scorecards_and_decisions(hiring, org):
    services.decision_record(
        application=hiring.application,
        kind="advance",
        reason="strong empathy",
        by=org.manager_a,
    )
    summary = selectors.candidate_summary(
        viewer=org.manager_a, application=hiring.application
    )
    assert summary.missing == [hiring.interview]
    assert [d.reason for d in summary.decisions] == ["strong empathy"]
    assert [s.interview for s in summary.scorecards] == [hiring.panel_interview]
    # panelist: empathy 4, logic 2 → 100 × (5·3/3 + 3·1/3) / 8 = 75
    assert summary.fit == 75
    assert summary.recommendations == [(summary.scorecards[0], 3)]


def test_the_pipeline_shows_fit_only_where_the_viewer_sees_the_panel(hiring, org):
    def fits(viewer):
        return [
            (row.application, row.fit_display)
            for row in selectors.opening_pipeline(viewer=viewer, opening=hiring.opening)
        ]

    assert fits(org.recruiter) == [(hiring.application, Decimal("75.0"))]
    assert fits(org.manager_a) == [(hiring.application, Decimal("75.0"))]
    assert fits(org.interviewer) == [(hiring.application, None)]
    assert fits(hiring.panelist) == [(hiring.application, Decimal("75.0"))]
    assert fits(org.manager_b) == []


# --- What a viewer who may not see the panel learns from summaries and lists -------


def _decision(hiring, by, reason):
    return services.decision_record(
        application=hiring.application, kind="advance", reason=reason, by=by
    )


def test_a_bound_viewer_gets_only_their_own_missing_scorecards_and_decisions(
    hiring, org
):
    _decision(hiring, org.manager_a, "manager: listens well")
    _decision(hiring, org.recruiter, "recruiter: on to the final")
    own = schedule_interview(hiring.application, hiring.kit, org.manager_a)

    def seen(viewer):
        summary = selectors.candidate_summary(
            viewer=viewer, application=hiring.application
        )
        return (
            summary.sees_panel,
            summary.missing,
            [d.reason for d in summary.decisions],
        )

    # the hiring manager interviews too and has not submitted: bound
    assert seen(org.manager_a) == (False, [own], ["manager: listens well"])
    # the plain interviewer, bound, decided nothing
    assert seen(org.interviewer) == (False, [hiring.interview], [])
    # the recruiter may see the panel: every missing scorecard, every decision
    everything = ["recruiter: on to the final", "manager: listens well"]
    assert seen(org.recruiter) == (True, [hiring.interview, own], everything)

    fill_scorecard(own, ratings={})
    assert seen(org.manager_a) == (True, [hiring.interview], everything)


def test_under_never_a_panelist_gets_only_their_own_decisions(hiring, org):
    HiringPolicy.objects.update_or_create(pk=1, defaults={"panel_visibility": "never"})
    _decision(hiring, org.manager_a, "manager: listens well")
    summary = selectors.candidate_summary(
        viewer=hiring.panelist, application=hiring.application
    )
    assert not summary.sees_panel
    assert summary.missing == []  # their own scorecard is in
    assert summary.decisions == []


def _progress(viewer, opening):
    return [
        (row.fit_visible, row.scorecards_submitted, row.interviews)
        for row in selectors.opening_pipeline(viewer=viewer, opening=opening)
    ]


def test_the_pipeline_shows_panel_progress_only_where_the_viewer_sees_the_panel(
    hiring, org
):
    # the hiring world: two interviews, the panelist's submitted
    assert _progress(org.recruiter, hiring.opening) == [(True, 1, 2)]
    assert _progress(org.manager_a, hiring.opening) == [(True, 1, 2)]
    assert _progress(hiring.panelist, hiring.opening) == [(True, 1, 2)]
    # bound: not even how many interviewed, nor how many submitted
    assert _progress(org.interviewer, hiring.opening) == [(False, None, None)]
    HiringPolicy.objects.update_or_create(pk=1, defaults={"panel_visibility": "never"})
    assert _progress(hiring.panelist, hiring.opening) == [(False, None, None)]
    fill_scorecard(hiring.interview, ratings={})
    assert _progress(org.recruiter, hiring.opening) == [(True, 2, 2)]


def test_the_opening_list_counts_only_the_candidates_the_viewer_may_see(hiring, org):
    ApplicationFactory(opening=hiring.opening)  # active, not interviewed by them
    ApplicationFactory(opening=hiring.opening, stage="rejected")
    rejected_mine = ApplicationFactory(opening=hiring.opening)
    schedule_interview(rejected_mine, hiring.kit, org.interviewer)
    rejected_mine.stage = "rejected"
    rejected_mine.save()

    def counts(viewer):
        return {
            opening.pk: (opening.candidate_count, opening.active_count)
            for opening in selectors.opening_list(viewer=viewer)
        }

    # 4 candidates, 2 still active (the hiring world's and the first one above)
    assert counts(org.recruiter) == {hiring.opening.pk: (4, 2)}
    assert counts(org.manager_a) == {hiring.opening.pk: (4, 2)}
    # the interviewer interviewed 2 of them; bound on both (nothing submitted),
    # they do not learn of the rejection: both still look active to them …
    assert counts(org.interviewer) == {hiring.opening.pk: (2, 2)}
    assert counts(hiring.panelist) == {hiring.opening.pk: (1, 1)}
    # … until they submit their scorecard for that candidate: 1 still active
    fill_scorecard(rejected_mine.interviews.get(), ratings={})
    assert counts(org.interviewer) == {hiring.opening.pk: (2, 1)}


# --- Pipeline order by name --------------------------------------------------------


def test_the_pipeline_sorts_candidates_without_a_reading_by_their_written_name(
    recruiter,
):
    opening = OpeningFactory()
    by_name = {}
    for name, reading in [
        ("上田 次郎", "うえだ じろう"),
        ("いとう はな", ""),  # written in kana, no reading given
        ("青木 一郎", "あおき いちろう"),
    ]:
        candidate = CandidateFactory(name=name, name_reading=reading)
        by_name[ApplicationFactory(opening=opening, candidate=candidate).pk] = name

    def names(sort):
        rows = selectors.opening_pipeline(viewer=recruiter, opening=opening, sort=sort)
        return [by_name[row.application.pk] for row in rows]

    # あおき < いとう < うえだ: the one without a reading is not put first
    assert names("name") == ["青木 一郎", "いとう はな", "上田 次郎"]
    assert names("-name") == ["上田 次郎", "いとう はな", "青木 一郎"]
