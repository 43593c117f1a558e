"""Quality of hire (METRICS.md): Spearman's ρ against hand-computed values, the
six-month rule, "not enough data" below ten hires, questions that predict nothing
and retiring them from kits, admins only, query counts."""

import math
import re
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from hiring.models import (
    Application,
    Candidate,
    Interview,
    KitQuestion,
    Question,
    Scorecard,
)
from recognition.models import ConversionKind
from recognition.selectors import quality
from recognition.selectors.quality import (
    Correlation,
    average_ranks,
    correlate,
    has_six_months,
    spearman,
)
from recognition.services.rollup import rollup
from tests.factories import (
    InterviewKitFactory,
    OpeningFactory,
    QuestionFactory,
    UserFactory,
    schedule_interview,
)
from tests.journeys.factories import CustomerAccountFactory, StepEventFactory
from tests.recognition.quality_factories import (
    build_quality_world,
    cohort,
    hire,
    interview,
    months_ago,
)

pytestmark = pytest.mark.django_db

URL = reverse("recognition:quality")

# Ten hires, i = 0..9, converting i of 10 accounts (conversion ranks 1..10):
EMPATHY = [1, 1, 1, 2, 2, 2, 3, 3, 3, 4]  # ranks 2,2,2,5,5,5,8,8,8,10
OTHER = [2, 3, 4, 1, 1, 4, 3, 2, 2, 3]  # ranks 4,7,9.5,1.5,1.5,9.5,7,4,4,7
# By hand, with mean rank 5.5 and Σ(y − 5.5)² = 82.5 for the conversions:
# EMPATHY: Σdx·dy = 76.5, Σdx² = 76.5 → ρ = √(76.5 / 82.5) = 0.963 → "+0.96".
# OTHER: Σdx·dy = 1.5, Σdx² = 77.5 → ρ = 1.5 / √(77.5 · 82.5) = 0.019 → "+0.02".


# --- Spearman, by hand ----------------------------------------------------------


def test_tied_values_share_the_mean_of_their_ranks():
    assert average_ranks([10, 20, 20, 30]) == [1, Fraction(5, 2), Fraction(5, 2), 4]
    assert average_ranks([3, 1, 3, 3]) == [3, 1, 3, 3]
    assert average_ranks([]) == []


def test_spearman_without_ties_is_one_minus_six_sum_d_squared():
    # d = (−1, 1, −1, 1, 0): 1 − 6·4 / (5·24) = 0.8
    assert spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) == pytest.approx(0.8)
    assert spearman([1, 2, 3], [30, 20, 10]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [5, 50, 500]) == pytest.approx(1.0)


def test_spearman_with_ties_is_the_correlation_of_average_ranks():
    # y ranks (1, 2, 3.5, 5, 3.5); Σdx·dy = 8, Σdx² = 10, Σdy² = 9.5
    assert spearman([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) == pytest.approx(
        8 / math.sqrt(95)
    )
    assert spearman(EMPATHY, list(range(10))) == pytest.approx(math.sqrt(76.5 / 82.5))
    assert spearman(OTHER, list(range(10))) == pytest.approx(
        1.5 / math.sqrt(77.5 * 82.5)
    )


def test_spearman_is_undefined_without_variation_or_pairs():
    assert spearman([3, 3, 3], [1, 2, 3]) is None
    assert spearman([1, 2, 3], [7, 7, 7]) is None
    assert spearman([1], [2]) is None
    assert spearman([], []) is None


def test_below_ten_hires_a_correlation_shows_no_number():
    nine = correlate((Fraction(i), Fraction(i)) for i in range(9))
    assert nine.rho == pytest.approx(1.0)
    assert (nine.enough, nine.shown, nine.display) == (False, None, "—")
    ten = correlate((Fraction(i), Fraction(i)) for i in range(10))
    assert (ten.enough, ten.display) == (True, "+1.00")


def test_a_measure_predicts_nothing_near_zero_or_without_variation():
    assert Correlation(n=10, rho=0.09).predicts_nothing
    assert Correlation(n=10, rho=-0.09).predicts_nothing
    assert not Correlation(n=10, rho=0.1).predicts_nothing
    assert not Correlation(n=9, rho=0.0).predicts_nothing
    constant = correlate((Fraction(3), Fraction(i)) for i in range(10))
    assert constant.rho is None and constant.predicts_nothing
    # Conversions that do not vary say nothing about the question.
    assert not correlate(
        (Fraction(i), Fraction(1, 2)) for i in range(10)
    ).predicts_nothing


# --- The six-month rule -----------------------------------------------------------


def test_six_months_counted_from_the_first_cohort_must_be_complete():
    # First cohort in January: January–June, complete once July has begun.
    assert has_six_months(date(2026, 1, 1), today=date(2026, 7, 1))
    assert not has_six_months(date(2026, 1, 1), today=date(2026, 6, 30))
    assert quality.first_months(date(2025, 11, 1)) == [
        date(2025, 11, 1),
        date(2025, 12, 1),
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
        date(2026, 4, 1),
    ]


def test_conversion_over_the_first_six_months_from_step_one_rows(org):
    world = build_quality_world(org)
    step_one, step_two = world.steps[0], world.steps[1]
    member = hire(world)
    today = date(2026, 9, 15)
    cohort(member, step_one, month=date(2026, 1, 1), size=4, converted=1)
    cohort(member, step_one, month=date(2026, 6, 1), size=2, converted=2)
    # After the six months, another step and the journey conversion: not counted.
    cohort(member, step_one, month=date(2026, 7, 1), size=5, converted=5)
    cohort(member, step_two, month=date(2026, 2, 1), size=3, converted=0)
    cohort(
        member,
        step_one,
        month=date(2026, 3, 1),
        size=3,
        converted=0,
        kind=ConversionKind.JOURNEY,
    )
    waiting = hire(world)
    cohort(waiting, step_one, month=date(2026, 4, 1), size=1, converted=1)
    hire(world)  # no customers yet: neither counted nor waiting

    report = quality.quality_of_hire(today=today)

    assert [h.member for h in report.hires] == [member]
    counted = report.hires[0]
    assert (counted.first_month, counted.last_month) == (
        date(2026, 1, 1),
        date(2026, 6, 1),
    )
    assert (counted.converted, counted.cohort) == (3, 6)
    assert counted.conversion_display == "50.0 %"
    assert counted.provisional_until is None
    assert report.waiting == 1


def test_a_cohort_whose_window_is_still_open_is_provisional(org):
    world = build_quality_world(org)
    member = hire(world)
    cohort(member, world.steps[0], month=months_ago(6), size=2, converted=1)
    cohort(
        member,
        world.steps[0],
        month=months_ago(1),
        size=2,
        converted=1,
        open_window=True,
    )
    report = quality.quality_of_hire()
    assert report.hires[0].provisional_until is not None


# --- The page -----------------------------------------------------------------------


def _ten_hires(world, count=10):
    """Hire i converts i of 10 accounts; org.interviewer rates empathy EMPATHY[i]
    (overall too), logic 3, the other logic question OTHER[i]; the second
    interviewer joins from hire 1 on (nine hires)."""
    for i in range(count):
        answers = {
            world.q_empathy: EMPATHY[i],
            world.q_logic: 3,
            world.q_other: OTHER[i],
        }
        member = hire(
            world,
            answers=answers,
            overall=EMPATHY[i],
            competencies={world.logic: 3},
            second=(answers, 3) if i else None,
        )
        cohort(member, world.steps[0], month=months_ago(7), size=10, converted=i)


def _row(html: str, attribute: str) -> str:
    match = re.search(rf"<tr[^>]*{attribute}.*?</tr>", html, re.S)
    assert match, f"no row {attribute}"
    return match.group(0)


def test_below_ten_hires_the_page_says_there_is_not_enough_data(client, org):
    world = build_quality_world(org)
    _ten_hires(world, count=9)
    client.force_login(org.admin)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Not enough data yet: 9 hires have six months of cohorts" in html
    assert 'data-testid="rho"' not in html
    assert "+0.96" not in html
    # The hires themselves are listed, with their conversion.
    assert html.count("data-hire=") == 9
    assert "80.0 %" in html and "8 of 10" in html


def test_ten_hires_show_each_measure_with_its_rank_correlation(client, org):
    world = build_quality_world(org)
    _ten_hires(world)
    client.force_login(org.admin)
    html = client.get(URL).content.decode()

    assert "Not enough data" not in html
    fit = _row(html, 'data-measure="fit"')
    assert ">10<" in fit and "+0.96" in fit
    assert "+0.96" in _row(html, f'data-competency="{world.empathy.pk}"')
    assert "no variation" in _row(html, f'data-competency="{world.logic.pk}"')
    assert "+0.96" in _row(html, f'data-question="{world.q_empathy.pk}"')
    assert "+0.02" in _row(html, f'data-question="{world.q_other.pk}"')
    first = _row(html, f'data-interviewer="{org.interviewer.pk}"')
    assert "+0.96" in first
    second = _row(html, f'data-interviewer="{world.second.pk}"')
    assert ">9<" in second and "not enough data yet" in second


def test_questions_that_predict_nothing_are_offered_for_retirement(client, org):
    world = build_quality_world(org)
    _ten_hires(world)
    client.force_login(org.admin)
    html = client.get(URL).content.decode()
    silent = re.search(r'data-testid="silent-questions".*?</ul>', html, re.S).group(0)
    assert f'data-question="{world.q_logic.pk}"' in silent  # the same rating for all
    assert f'data-question="{world.q_other.pk}"' in silent  # ρ = +0.02
    assert f'data-question="{world.q_empathy.pk}"' not in silent
    assert reverse("recognition:quality_question_retire", args=[world.q_other.pk]) in (
        silent
    )


def test_the_page_without_hires_says_so(client, org):
    client.force_login(org.admin)
    html = client.get(URL).content.decode()
    assert 'data-testid="no-hires"' in html


def test_a_bound_admin_sees_the_figures_without_the_candidates_they_have_not_scored(
    client, org
):
    world = build_quality_world(org)
    _ten_hires(world)
    # The admin is on the panel of the first hire and never submitted.
    first = Candidate.objects.get(user=world.hires[0])
    interview = Interview.objects.create(
        application=first.applications.get(),
        kit=world.kit,
        interviewer=org.admin,
        scheduled_at=timezone.now(),
    )
    Scorecard.objects.create(interview=interview)
    client.force_login(org.admin)

    html = client.get(URL).content.decode()

    assert f'data-hire="{world.hires[0].pk}"' not in html
    assert html.count("data-hire=") == 9
    assert "Not enough data yet: 9 hires have six months of cohorts" in html
    note = html.split('data-testid="left-out"')[1].split("</div>")[0]
    assert "Candidates you have not scored yet are left out (1)" in note
    retire = client.get(
        reverse("recognition:quality_question_retire", args=[world.q_other.pk])
    ).content.decode()
    assert "Not enough data yet to say" in retire
    assert 'data-testid="left-out"' in retire
    # Another admin, not on that panel, counts every hire.
    other = UserFactory(roles=[Role.ADMIN])
    client.force_login(other)
    html = client.get(URL).content.decode()
    assert html.count("data-hire=") == 10
    assert 'data-testid="left-out"' not in html


def test_the_quality_figures_stay_put_while_the_hidden_panel_submits(org):
    world = build_quality_world(org)
    _ten_hires(world, count=3)
    member = hire(world)  # interviewed by nobody yet
    cohort(member, world.steps[0], month=months_ago(7), size=10, converted=9)
    application = Candidate.objects.get(user=member).applications.get()
    Application.objects.filter(pk=application.pk).update(stage="interviewing")
    application.refresh_from_db()
    schedule_interview(application, world.kit, org.admin)
    before = quality.quality_of_hire(viewer=org.admin)

    answers = {world.q_empathy: 4, world.q_logic: 1, world.q_other: 4}
    scored = interview(world, application, world.second, answers=answers, overall=4)

    after = quality.quality_of_hire(viewer=org.admin)
    assert Scorecard.objects.get(interview=scored).is_submitted
    assert [h.member for h in after.hires] == [h.member for h in before.hires]
    assert [(r.subject, r.correlation) for r in after.interviewers] == [
        (r.subject, r.correlation) for r in before.interviewers
    ]
    assert after.left_out == before.left_out == 1
    assert member in [h.member for h in quality.quality_of_hire().hires]


# --- Retiring a question ------------------------------------------------------------


def _kit_questions(kit):
    return list(
        KitQuestion.objects.filter(kit=kit)
        .order_by("position")
        .values_list("question_id", "position")
    )


def test_retiring_asks_for_confirmation_and_names_the_kits(client, org):
    world = build_quality_world(org)
    client.force_login(org.admin)
    url = reverse("recognition:quality_question_retire", args=[world.q_logic.pk])
    html = client.get(url).content.decode()
    assert str(world.kit) in html
    assert "Not enough data yet" in html
    assert KitQuestion.objects.filter(question=world.q_logic).exists()


def test_retiring_takes_the_question_out_of_every_kit_and_records_it(client, org):
    world = build_quality_world(org)
    other_kit = InterviewKitFactory(
        opening=OpeningFactory(team=org.team_b), questions=[world.q_logic]
    )
    client.force_login(org.admin)
    url = reverse("recognition:quality_question_retire", args=[world.q_logic.pk])
    response = client.post(url, {"retire_from_bank": "on"})
    assert response.status_code == 302
    assert response.url == URL
    assert _kit_questions(world.kit) == [(world.q_empathy.pk, 1), (world.q_other.pk, 2)]
    assert _kit_questions(other_kit) == []
    world.q_logic.refresh_from_db()
    assert not world.q_logic.is_active
    entry = LogEntry.objects.get(object_id=str(world.q_logic.pk))
    assert entry.user == org.admin
    assert str(world.kit) in entry.change_message


def test_retiring_can_leave_the_question_in_the_bank(client, org):
    world = build_quality_world(org)
    client.force_login(org.admin)
    url = reverse("recognition:quality_question_retire", args=[world.q_logic.pk])
    client.post(url, {})
    world.q_logic.refresh_from_db()
    assert world.q_logic.is_active
    assert not KitQuestion.objects.filter(question=world.q_logic).exists()


def test_a_kit_that_also_asks_a_retired_question_is_named_and_nothing_changes(
    client, org
):
    world = build_quality_world(org)
    Question.objects.filter(pk=world.q_other.pk).update(is_active=False)
    client.force_login(org.admin)
    url = reverse("recognition:quality_question_retire", args=[world.q_logic.pk])
    response = client.post(url, {"retire_from_bank": "on"})
    assert response.status_code == 200
    assert "also asks retired questions" in response.content.decode()
    assert len(_kit_questions(world.kit)) == 3
    world.q_logic.refresh_from_db()
    assert world.q_logic.is_active
    assert not LogEntry.objects.exists()


def test_retiring_twice_says_there_is_nothing_left_to_do(client, org):
    question = QuestionFactory(is_active=False)
    client.force_login(org.admin)
    url = reverse("recognition:quality_question_retire", args=[question.pk])
    assert 'data-testid="nothing-to-do"' in client.get(url).content.decode()
    response = client.post(url, {"retire_from_bank": "on"})
    assert response.status_code == 200
    assert "already retired" in response.content.decode()
    assert not LogEntry.objects.exists()


# --- Admins only --------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager_a", "member_a", "interviewer", "recruiter"])
def test_only_admins_see_quality_of_hire(client, org, role):
    client.force_login(getattr(org, role))
    assert client.get(URL).status_code == 403


def test_visitors_are_sent_to_the_login(client, org):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response.url


@pytest.mark.parametrize("role", ["manager_a", "member_a"])
def test_others_cannot_retire_a_question(client, org, role):
    world = build_quality_world(org)
    client.force_login(getattr(org, role))
    url = reverse("recognition:quality_question_retire", args=[world.q_logic.pk])
    assert client.post(url, {"retire_from_bank": "on"}).status_code == 403
    assert KitQuestion.objects.filter(question=world.q_logic).exists()
    world.q_logic.refresh_from_db()
    assert world.q_logic.is_active


def test_an_unknown_question_answers_404(client, org):
    client.force_login(org.admin)
    url = reverse("recognition:quality_question_retire", args=[999999])
    assert client.get(url).status_code == 404


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 6])
def test_the_page_query_count_does_not_grow(
    client, org, count, django_assert_max_num_queries
):
    world = build_quality_world(org)
    _ten_hires(world, count=count)
    client.force_login(org.admin)
    # One of them finds the candidates the admin is bound on.
    with django_assert_max_num_queries(15):
        response = client.get(URL)
    assert response.content.decode().count("data-hire=") == count


def test_a_hire_counts_with_the_rows_the_rollup_writes(org):
    """From step events to the page: the member owns the accounts (coverage from
    2026-04-01), two start in April and one of them reaches step 2 in May."""
    world = build_quality_world(org)
    member = hire(world)
    first, second = (
        CustomerAccountFactory(journey=world.journey, owner=member) for _ in range(2)
    )
    april = datetime(2026, 4, 10, 3, 0, tzinfo=UTC)
    StepEventFactory(account=first, step=world.steps[0], reached_at=april)
    StepEventFactory(account=second, step=world.steps[0], reached_at=april)
    StepEventFactory(
        account=first, step=world.steps[1], reached_at=april + timedelta(days=30)
    )
    rollup(full=True, now=datetime(2026, 11, 2, 3, 0, tzinfo=UTC))

    early = quality.quality_of_hire(today=date(2026, 9, 30))
    assert (early.hires, early.waiting) == ([], 1)
    report = quality.quality_of_hire(today=date(2026, 10, 1))
    counted = report.hires[0]
    assert counted.member == member
    assert (counted.first_month, counted.converted, counted.cohort) == (
        date(2026, 4, 1),
        1,
        2,
    )
    assert counted.provisional_until is None
