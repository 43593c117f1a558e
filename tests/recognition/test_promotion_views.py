"""Pages of the career ladder, readiness and promotions: admins write the ladder and
its criteria (percentages typed, fractions stored), everyone in management reads
it; the readiness report and the team view; recording a promotion keeps who
decided and the readiness at that moment; the Django admin's criteria forms; query
counts of the list pages."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recognition.models import (
    CareerLevel,
    CompetencyCriterion,
    MemberLevel,
    MetricCriterion,
    PromotionStep,
)
from recognition.selectors.promotion import member_readiness
from tests.factories import TeamMembershipFactory
from tests.journeys.factories import TrainingModuleFactory, journey_with_steps
from tests.recognition.development_factories import (
    assess,
    at_level,
    competencies,
    complete_months,
    conversions,
    ladder,
    passed,
    step_up,
)

pytestmark = pytest.mark.django_db


def _testids(html: str, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)


def _formset(prefix, rows, initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


# --- The ladder ----------------------------------------------------------------------


def test_an_admin_writes_the_ladder_and_its_criteria(client, org):
    (empathy,) = competencies("共感力")
    _journey, steps = journey_with_steps(2)
    module = TrainingModuleFactory(from_step=steps[0], title="Kickoff")
    client.force_login(org.admin)
    for position, name in enumerate(["CSM", "Senior CSM"], start=1):
        response = client.post(
            reverse("recognition:ladder_level_create"),
            {"name": name, "name_en": name, "position": position, "description": ""},
        )
        assert response.status_code == 302
    csm, senior = CareerLevel.objects.order_by("position")
    key = f"step_conversion:{steps[0].pk}"

    data = (
        {
            "from_level": csm.pk,
            "to_level": senior.pk,
            "required_modules": [module.pk],
        }
        | _formset(
            "metric",
            [
                {"metric": key, "comparison": "gte", "value": "65", "months": "6"},
                # The extra rows, left empty, as the browser sends them.
                {"metric": "", "comparison": "", "value": "", "months": "6"},
            ],
        )
        | _formset(
            "competency",
            [
                {"competency": empathy.pk, "minimum_rating": "3"},
                {"competency": "", "minimum_rating": ""},
            ],
        )
    )
    response = client.post(reverse("recognition:ladder_step_create"), data)

    assert response.status_code == 302, response.text
    step = PromotionStep.objects.get()
    criterion = MetricCriterion.objects.get()
    assert (criterion.metric, criterion.comparison, criterion.months) == (key, "gte", 6)
    assert criterion.value == pytest.approx(0.65)
    assert CompetencyCriterion.objects.get().minimum_rating == 3
    assert list(step.required_modules.all()) == [module]

    page = client.get(reverse("recognition:ladder")).text
    assert "≥ 65.0 % over the last 6 months" in page
    assert "rated at least 3" in page
    assert "Training “Kickoff” passed" in page

    # The edit form shows the threshold as typed.
    edit = client.get(reverse("recognition:ladder_step_edit", args=[step.pk])).text
    assert 'value="65.0"' in edit or 'value="65"' in edit


def test_bad_criteria_are_shown_on_their_rows_and_nothing_is_saved(client, org):
    csm, senior = ladder("CSM", "Senior CSM")
    client.force_login(org.admin)
    data = (
        {"from_level": senior.pk, "to_level": csm.pk}
        | _formset(
            "metric",
            [
                {
                    "metric": "training_completion",
                    "comparison": "gte",
                    "value": "120",
                    "months": "30",
                },
                {"metric": "nope", "comparison": "gte", "value": "1", "months": "3"},
            ],
        )
        | _formset("competency", [])
    )

    response = client.post(reverse("recognition:ladder_step_create"), data)

    assert response.status_code == 200
    text = response.text
    assert "A percentage is from 0 to 100." in text
    assert "Choose a metric of the catalogue." in text
    assert "Ensure this value is less than or equal to 24." in text
    assert 'value="120"' in text
    assert not PromotionStep.objects.exists()


@pytest.mark.parametrize("total", ["40000", str(10**20)])
def test_a_huge_form_count_builds_at_most_the_cap_and_is_refused(client, org, total):
    csm, senior = ladder("CSM", "Senior CSM")
    client.force_login(org.admin)
    data = (
        {"from_level": csm.pk, "to_level": senior.pk}
        | _formset("metric", [])
        | _formset("competency", [])
        | {"metric-TOTAL_FORMS": total}
    )

    response = client.post(reverse("recognition:ladder_step_create"), data)

    assert response.status_code == 200
    formset = response.context["metric_formset"]
    assert len(formset.forms) <= 50
    assert formset.non_form_errors() == ["Please submit at most 50 forms."]
    assert not PromotionStep.objects.exists()


def test_a_step_goes_up_the_ladder(client, org):
    csm, senior = ladder("CSM", "Senior CSM")
    client.force_login(org.admin)
    data = (
        {"from_level": senior.pk, "to_level": csm.pk}
        | _formset("metric", [])
        | _formset("competency", [])
    )
    response = client.post(reverse("recognition:ladder_step_create"), data)
    assert "A promotion goes to a level above the one it starts from." in response.text
    assert not PromotionStep.objects.exists()


def test_managers_read_the_ladder_but_do_not_change_it(client, org):
    csm, senior = ladder("CSM", "Senior CSM")
    step = step_up(csm, senior)
    client.force_login(org.manager_a)
    page = client.get(reverse("recognition:ladder")).text
    assert len(_testids(page, "rung")) == 2
    assert reverse("recognition:ladder_step_edit", args=[step.pk]) not in page
    delete = reverse("recognition:ladder_step_delete", args=[step.pk])
    assert client.post(delete).status_code == 403
    assert PromotionStep.objects.exists()
    response = client.post(
        reverse("recognition:ladder_level_create"), {"name": "X", "position": 9}
    )
    assert response.status_code == 403
    assert CareerLevel.objects.count() == 2


def test_an_empty_ladder_says_what_to_do(client, org):
    client.force_login(org.admin)
    assert 'data-testid="no-levels"' in client.get(reverse("recognition:ladder")).text


# --- Readiness and promotions --------------------------------------------------------


@pytest.fixture
def career(org):
    (empathy,) = competencies("共感力")
    _journey, steps = journey_with_steps(2)
    module = TrainingModuleFactory(from_step=steps[0], title="Kickoff")
    csm, senior, lead = ladder("CSM", "Senior CSM", "Lead CSM")
    key = f"step_conversion:{steps[0].pk}"
    step_up(
        csm,
        senior,
        metric_criteria=[(key, "gte", 0.6, 3)],
        competency_criteria=[(empathy, 3)],
        modules=[module],
    )
    at_level(org.member_a, csm, since=date(2025, 4, 1), by=org.manager_a)
    conversions(org.member_a, steps[0], complete_months(1)[0], converted=3, cohort=4)
    assess(org.member_a, org.manager_a, {empathy: 2})
    return {"empathy": empathy, "module": module, "levels": (csm, senior, lead)}


def test_the_readiness_report_shows_each_criterion_with_its_value(client, org, career):
    client.force_login(org.member_a)
    page = client.get(
        reverse("recognition:readiness_detail", args=[org.member_a.pk])
    ).text
    assert "75.0 % (3/4)" in page
    assert 'data-met="yes"' in page and 'data-met="no"' in page
    assert "2 (assessed" in page
    assert "not passed yet" in page
    assert 'data-testid="not-ready"' in page
    # The member sees their readiness but does not record promotions.
    assert reverse("recognition:promotion_record", args=[org.member_a.pk]) not in page


def test_recording_a_promotion_keeps_who_decided_and_the_readiness(client, org, career):
    csm, senior, _lead = career["levels"]
    passed(org.member_a, career["module"])
    client.force_login(org.manager_a)
    url = reverse("recognition:promotion_record", args=[org.member_a.pk])
    page = client.get(url).text
    # The next level is proposed.
    assert re.search(rf'<option value="{senior.pk}" selected', page)

    response = client.post(
        url,
        {
            "level": senior.pk,
            "since": timezone.localdate().isoformat(),
            "note": "Ready in everything but empathy; agreed with HR",
        },
    )

    assert response.status_code == 302
    promotion = MemberLevel.objects.filter(member=org.member_a).latest("since", "id")
    assert (promotion.level, promotion.decided_by) == (senior, org.manager_a)
    snapshot = promotion.readiness
    assert snapshot["from_level"] == "CSM" and snapshot["to_level"] == "Senior CSM"
    assert (snapshot["ready"], snapshot["met"], snapshot["total"]) == (False, 2, 3)
    assert snapshot["follows_ladder"] is True
    by_kind = {c["kind"]: c for c in snapshot["criteria"]}
    assert by_kind["metric"]["value"] == 0.75 and by_kind["metric"]["met"] is True
    assert by_kind["competency"]["value"] == 2 and by_kind["competency"]["met"] is False

    # Later data does not change what the decision was taken on.
    assess(org.member_a, org.manager_a, {career["empathy"]: 4})
    promotion.refresh_from_db()
    assert promotion.readiness == snapshot
    history = client.get(
        reverse("recognition:readiness_detail", args=[org.member_a.pk])
    ).text
    assert len(_testids(history, "level-entry")) == 2
    assert "2 of 3 met" in history


def test_a_promotion_into_the_future_or_to_the_same_level_is_refused(
    client, org, career
):
    csm, senior, _lead = career["levels"]
    client.force_login(org.manager_a)
    url = reverse("recognition:promotion_record", args=[org.member_a.pk])
    response = client.post(
        url,
        {
            "level": csm.pk,
            "since": (timezone.localdate() + timedelta(days=3)).isoformat(),
            "note": "typed",
        },
    )
    assert response.status_code == 200
    assert "The member is already at this level." in response.text
    assert "A level is recorded from today or an earlier date." in response.text
    assert "typed" in response.text
    assert MemberLevel.objects.count() == 1


@pytest.mark.parametrize(("user", "status"), [("member_a", 403), ("manager_b", 404)])
def test_only_coaches_record_promotions(client, org, career, user, status):
    _csm, senior, _lead = career["levels"]
    client.force_login(getattr(org, user))
    response = client.post(
        reverse("recognition:promotion_record", args=[org.member_a.pk]),
        {"level": senior.pk, "since": timezone.localdate().isoformat()},
    )
    assert response.status_code == status
    assert MemberLevel.objects.count() == 1


def test_the_team_view_lists_who_is_ready(client, org, career):
    _csm, senior, _lead = career["levels"]
    at_level(org.sub_member, senior)
    step_up(senior, career["levels"][2])
    client.force_login(org.manager_a)

    page = client.get(reverse("recognition:readiness_team")).text
    rows = _testids(page, "readiness-row")
    assert len(rows) == 2
    assert "1 of 2 ready for the next level" in page

    ready = client.get(reverse("recognition:readiness_team") + "?ready=1").text
    assert len(_testids(ready, "readiness-row")) == 1
    assert f'data-member="{org.sub_member.pk}"' in ready


def test_the_member_page_section_follows_visibility(org, career):
    assert member_readiness(member=org.member_a, viewer=org.manager_b) is None
    section = member_readiness(member=org.member_a, viewer=org.manager_a)
    assert section.can_record and section.readiness.level.level.name == "CSM"
    assert not member_readiness(member=org.member_a, viewer=org.member_a).can_record


def test_another_teams_readiness_answers_404(client, org):
    client.force_login(org.manager_a)
    url = reverse("recognition:readiness_detail", args=[org.member_b.pk])
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("count", [1, 12])
def test_the_team_view_query_count_does_not_grow(
    client, org, career, count, django_assert_max_num_queries
):
    csm, _senior, _lead = career["levels"]
    for _number in range(count):
        member = TeamMembershipFactory(team=org.team_a).user
        at_level(member, csm)
        assess(member, org.manager_a, {career["empathy"]: 3})
        passed(member, career["module"])
    client.force_login(org.manager_a)
    # 17: the tracks are read once to know each member's ladder.
    with django_assert_max_num_queries(17):
        response = client.get(reverse("recognition:readiness_team"))
    assert len(_testids(response.text, "readiness-row")) == count + 2


@pytest.mark.parametrize("count", [1, 8])
def test_the_ladder_query_count_does_not_grow(
    client, org, count, django_assert_max_num_queries
):
    found = competencies(*(f"C{number}" for number in range(3)))
    levels = ladder(*(f"Level {number}" for number in range(count + 1)))
    for lower, upper in zip(levels, levels[1:], strict=False):
        step_up(
            lower,
            upper,
            metric_criteria=[("training_completion", "gte", 0.5, 3)],
            competency_criteria=[(competency, 2) for competency in found],
        )
    client.force_login(org.manager_a)
    # 10: the tracks to choose from (one query; none more without team tracks).
    with django_assert_max_num_queries(10):
        response = client.get(reverse("recognition:ladder"))
    assert len(_testids(response.text, "step")) == count


# --- Django admin --------------------------------------------------------------------


def test_the_admin_types_thresholds_as_percentages(client, org):
    csm, senior = ladder("CSM", "Senior CSM")
    client.force_login(org.admin)
    data = {
        "from_level": csm.pk,
        "to_level": senior.pk,
        "metric_criteria-TOTAL_FORMS": "1",
        "metric_criteria-INITIAL_FORMS": "0",
        "metric_criteria-0-metric": "training_completion",
        "metric_criteria-0-comparison": "gte",
        "metric_criteria-0-value": "80",
        "metric_criteria-0-months": "3",
        "competency_criteria-TOTAL_FORMS": "0",
        "competency_criteria-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:recognition_promotionstep_add"), data)
    assert response.status_code == 302, response.text
    assert MetricCriterion.objects.get().value == pytest.approx(0.8)

    backwards = data | {"from_level": senior.pk, "to_level": csm.pk}
    response = client.post(reverse("admin:recognition_promotionstep_add"), backwards)
    assert "A promotion goes to a level above the one it starts from." in response.text
    assert PromotionStep.objects.count() == 1
