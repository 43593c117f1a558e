"""Pages of the competency framework, the question bank and interview kits."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from hiring import services
from hiring.models import (
    Competency,
    InterviewKit,
    ProfileWeight,
    Question,
    SuccessProfile,
)
from tests.factories import (
    CompetencyFactory,
    InterviewKitFactory,
    OpeningFactory,
    QuestionFactory,
    SuccessProfileFactory,
)

pytestmark = pytest.mark.django_db


def _weights(profile) -> dict[str, int]:
    return {
        weight.competency.name_en: weight.weight
        for weight in ProfileWeight.objects.filter(profile=profile).select_related(
            "competency"
        )
    }


def _kit_order(kit) -> list[int]:
    return list(
        kit.kit_questions.order_by("position").values_list("question_id", flat=True)
    )


def _row(html: str, testid: str) -> str:
    """The HTML of the table row with this data-testid."""
    match = re.search(rf'<tr[^>]*data-testid="{testid}".*?</tr>', html, re.S)
    assert match, f"no row {testid}"
    return match.group(0)


# --- Competencies -----------------------------------------------------------------


def test_competencies_are_grouped_by_category_with_what_good_looks_like(client, org):
    CompetencyFactory(
        name="傾聴", name_en="Listening", category="skill", indicators="Asks\nRepeats"
    )
    CompetencyFactory(name="粘り強さ", name_en="Grit", category="mindset")
    CompetencyFactory(name="仮説思考", name_en="Hypotheses", category="thinking")
    CompetencyFactory(name="旧", name_en="Old one", category="skill", is_active=False)
    client.force_login(org.manager_a)
    html = client.get(reverse("hiring:competency_list")).text
    headings = [html.index(label) for label in ("Skill", "Mindset", "Way of thinking")]
    assert headings == sorted(headings)
    assert html.index("Listening") < html.index("Grit") < html.index("Hypotheses")
    assert "What good looks like" in html
    assert "<li>Repeats</li>" in html
    assert "Old one" not in html  # retired: only the admins see it
    client.force_login(org.admin)
    assert "Old one" in client.get(reverse("hiring:competency_list")).text


def test_competency_page_shows_its_questions_and_the_profiles_weighting_it(
    client, org, hiring
):
    client.force_login(org.interviewer)
    response = client.get(reverse("hiring:competency_detail", args=[hiring.empathy.pk]))
    assert response.status_code == 200
    assert hiring.questions[0].text_en in response.text
    assert hiring.questions[1].text_en not in response.text  # logic's question
    assert hiring.profile.name in response.text
    assert 'data-weight="5"' in response.text
    assert reverse("hiring:competency_edit", args=[hiring.empathy.pk]) not in (
        response.text
    )


def test_admin_creates_and_edits_a_competency(client, org):
    client.force_login(org.admin)
    response = client.post(
        reverse("hiring:competency_create"),
        {
            "name": "安心感",
            "name_en": "Reassurance",
            "category": "mindset",
            "description": "顧客を安心させる",
            "indicators": "約束を守る\n先回りして連絡する",
        },
    )
    competency = Competency.objects.get(name="安心感")
    assert response.url == competency.get_absolute_url()
    assert competency.indicator_lines() == ["約束を守る", "先回りして連絡する"]
    response = client.post(
        reverse("hiring:competency_edit", args=[competency.pk]),
        {"name": "安心感", "category": "mindset", "is_active": ""},
    )
    competency.refresh_from_db()
    assert competency.is_active is False


def test_competency_error_is_on_the_field_and_keeps_what_was_typed(client, org):
    CompetencyFactory(name="共感力")
    client.force_login(org.admin)
    response = client.post(
        reverse("hiring:competency_create"),
        {"name": "共感力", "name_en": "Typed English", "category": "skill"},
    )
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert 'value="Typed English"' in response.text
    assert Competency.objects.count() == 1


def test_only_admins_change_competencies(client, org):
    client.force_login(org.recruiter)
    response = client.post(
        reverse("hiring:competency_create"), {"name": "新", "category": "skill"}
    )
    assert response.status_code == 403
    assert not Competency.objects.exists()


# --- Success profiles -------------------------------------------------------------


@pytest.fixture
def starter(hiring):
    return SuccessProfileFactory(
        name="丁寧なサポート型",
        name_en="Careful support",
        is_starter=True,
        weights={hiring.empathy: 5, hiring.logic: 2},
    )


def test_profile_list_marks_the_starting_profiles(client, org, hiring, starter):
    client.force_login(org.interviewer)
    html = client.get(reverse("hiring:profile_list")).text
    starter_row = html[html.index("Careful support") :].split("</tr>")[0]
    assert "Starting profile" in starter_row
    own_row = html[html.index(hiring.profile.name) :].split("</tr>")[0]
    assert "Starting profile" not in own_row


def test_profile_page_sorts_competencies_by_weight_with_a_bar(client, org, hiring):
    low = CompetencyFactory(name_en="Numbers")
    ProfileWeight.objects.create(profile=hiring.profile, competency=low, weight=1)
    client.force_login(org.manager_a)
    html = client.get(reverse("hiring:profile_detail", args=[hiring.profile.pk])).text
    assert html.index("Empathy") < html.index("Logic") < html.index("Numbers")
    # Widths are classes of static/css/kata.css (the CSP allows no style="…").
    assert "kata-pct-100" in html  # weight 5 of 5
    assert "kata-pct-20" in html  # weight 1 of 5
    assert "Copy this profile" not in html  # the admins' action


def test_admin_copies_a_starting_profile_and_lands_on_its_edit_page(
    client, org, starter
):
    client.force_login(org.admin)
    response = client.post(
        reverse("hiring:profile_copy", args=[starter.pk]), {"name": "CS 採用 2026"}
    )
    copy = SuccessProfile.objects.get(name="CS 採用 2026")
    assert response.url == reverse("hiring:profile_edit", args=[copy.pk])
    assert copy.copied_from == starter
    assert copy.is_starter is False
    assert _weights(copy) == _weights(starter) == {"Empathy": 5, "Logic": 2}
    page = client.get(response.url)
    assert 'name="weight_' in page.text


def test_a_copy_needs_a_free_name(client, org, hiring, starter):
    client.force_login(org.admin)
    response = client.post(
        reverse("hiring:profile_copy", args=[starter.pk]),
        {"name": hiring.profile.name},
    )
    assert response.status_code == 200
    assert response.context["copy_form"].errors["name"]
    assert SuccessProfile.objects.count() == 2


def test_copy_is_refused_to_non_admins(client, org, starter):
    client.force_login(org.recruiter)
    response = client.post(
        reverse("hiring:profile_copy", args=[starter.pk]), {"name": "Mine"}
    )
    assert response.status_code == 403
    assert not SuccessProfile.objects.filter(name="Mine").exists()


def test_starting_profiles_are_not_edited_in_place(client, org, hiring, starter):
    client.force_login(org.admin)
    detail = client.get(reverse("hiring:profile_detail", args=[starter.pk])).text
    assert reverse("hiring:profile_edit", args=[starter.pk]) not in detail
    url = reverse("hiring:profile_edit", args=[starter.pk])
    page = client.get(url)
    assert 'data-testid="starter-notice"' in page.text
    assert 'data-testid="copy-form"' in page.text
    assert 'name="weight_' not in page.text
    client.post(
        url,
        {
            "name": "Changed",
            f"weight_{hiring.empathy.pk}": "1",
            f"weight_{hiring.logic.pk}": "",
        },
    )
    starter.refresh_from_db()
    assert starter.name == "丁寧なサポート型"
    assert _weights(starter) == {"Empathy": 5, "Logic": 2}


def _profile_form(hiring, **weights) -> dict[str, str]:
    data = {"name": "丁寧サポート改", "name_en": "Support v2", "description": ""}
    data |= {
        f"weight_{competency.pk}": str(weights.get(competency.name_en, ""))
        for competency in Competency.objects.all()
    }
    return data


def test_admin_edits_names_and_weights(client, org, hiring):
    numbers = CompetencyFactory(name_en="Numbers")
    client.force_login(org.admin)
    url = reverse("hiring:profile_edit", args=[hiring.profile.pk])
    page = client.get(url).text
    assert f'name="weight_{numbers.pk}"' in page  # every active competency is a row
    response = client.post(url, _profile_form(hiring, Empathy=4, Numbers=2))
    assert response.url == hiring.profile.get_absolute_url()
    hiring.profile.refresh_from_db()
    assert hiring.profile.name == "丁寧サポート改"
    assert _weights(hiring.profile) == {"Empathy": 4, "Numbers": 2}  # logic left out


def test_a_weight_outside_1_to_5_is_refused_on_its_row_keeping_what_was_typed(
    client, org, hiring
):
    client.force_login(org.admin)
    url = reverse("hiring:profile_edit", args=[hiring.profile.pk])
    response = client.post(url, _profile_form(hiring, Empathy=7, Logic=2))
    assert response.status_code == 200
    row = _row(response.text, f"weight-{hiring.empathy.pk}")
    assert "A weight is a whole number from 1 to 5." in row
    assert 'value="7"' in row
    assert "is-invalid" not in _row(response.text, f"weight-{hiring.logic.pk}")
    assert 'value="丁寧サポート改"' in response.text
    hiring.profile.refresh_from_db()
    assert hiring.profile.name == "丁寧サポート"
    assert _weights(hiring.profile) == {"Empathy": 5, "Logic": 3}


def test_a_profile_keeps_at_least_one_competency(client, org, hiring):
    client.force_login(org.admin)
    url = reverse("hiring:profile_edit", args=[hiring.profile.pk])
    response = client.post(url, _profile_form(hiring))
    assert response.status_code == 200
    assert "A success profile needs at least one competency." in response.text
    hiring.profile.refresh_from_db()
    assert hiring.profile.name == "丁寧サポート"
    assert _weights(hiring.profile) == {"Empathy": 5, "Logic": 3}


# --- Question bank ----------------------------------------------------------------


def _question_form(competency, **changes) -> dict[str, str]:
    return {
        "competency": str(competency.pk),
        "kind": "scenario",
        "text": "契約更新の60日前、1か月ログインのない顧客にどう動きますか。",
        "text_en": "Renewal in 60 days, no login for a month: what do you do?",
        "rubric_1": "何もしない",
        "rubric_2": "メールを一通送る",
        "rubric_3": "原因を聞き、計画を立てる",
        "rubric_4": "関係者を巻き込み、価値を再確認する",
        **changes,
    }


def test_recruiter_writes_edits_and_retires_a_question(client, org, hiring):
    client.force_login(org.recruiter)
    response = client.post(
        reverse("hiring:question_create"), _question_form(hiring.empathy)
    )
    question = Question.objects.get(text_en__startswith="Renewal in 60 days")
    assert response.url == question.get_absolute_url()
    assert question.kind == "scenario"
    edit_url = reverse("hiring:question_edit", args=[question.pk])
    client.post(
        edit_url, _question_form(hiring.empathy, rubric_4="Strong", is_active="on")
    )
    question.refresh_from_db()
    assert question.rubric_4 == "Strong"
    assert question.is_active
    client.post(edit_url, _question_form(hiring.empathy))  # "active" unticked
    question.refresh_from_db()
    assert question.is_active is False
    listed = client.get(reverse("hiring:question_list")).text
    assert "Renewal in 60 days" not in listed
    retired = client.get(reverse("hiring:question_list"), {"status": "retired"}).text
    assert "Renewal in 60 days" in retired


def test_question_errors_keep_what_was_typed(client, org, hiring):
    client.force_login(org.admin)
    response = client.post(
        reverse("hiring:question_create"),
        _question_form(hiring.empathy, rubric_3=""),
    )
    assert response.status_code == 200
    assert "rubric_3" in response.context["form"].errors
    assert "Renewal in 60 days" in response.text
    assert Question.objects.count() == 2


def test_managers_read_the_bank_but_do_not_write_it(client, org, hiring):
    client.force_login(org.manager_a)
    assert client.get(reverse("hiring:question_list")).status_code == 200
    response = client.post(
        reverse("hiring:question_create"), _question_form(hiring.empathy)
    )
    assert response.status_code == 403
    question = hiring.questions[0]
    response = client.post(
        reverse("hiring:question_edit", args=[question.pk]),
        _question_form(hiring.empathy),
    )
    assert response.status_code == 403
    assert Question.objects.filter(is_active=True).count() == 2


def test_question_list_filters_by_competency_kind_and_words(client, org, hiring):
    QuestionFactory(competency=hiring.logic, kind="scenario", text_en="Churn risk")
    client.force_login(org.interviewer)
    url = reverse("hiring:question_list")

    def listed(**params):
        html = client.get(url, params).text
        return html.count('data-testid="question"')

    assert listed() == 3
    assert listed(competency=hiring.logic.pk) == 2
    assert listed(competency=hiring.logic.pk, kind="scenario") == 1
    assert listed(q="churn") == 1
    assert listed(competency="not a number") == 3  # an invalid filter is unset


def test_question_list_pages_by_25_keeping_the_filters(client, org, hiring):
    QuestionFactory.create_batch(30, competency=hiring.logic)
    client.force_login(org.recruiter)
    response = client.get(
        reverse("hiring:question_list"), {"competency": hiring.logic.pk}
    )
    assert response.text.count('data-testid="question"') == 25
    assert f"?competency={hiring.logic.pk}&amp;page=2" in response.text
    second = client.get(
        reverse("hiring:question_list"), {"competency": hiring.logic.pk, "page": 2}
    )
    assert second.text.count('data-testid="question"') == 6


def test_question_page_shows_the_rubric_in_the_page_language(client, org, hiring):
    question = QuestionFactory(
        competency=hiring.empathy,
        text="お客様が怒っています。",
        text_en="The customer is angry.",
        rubric_1="言い訳をする",
        rubric_1_en="Makes excuses",
        rubric_4="気持ちを受け止め、次の一歩を約束する",
    )
    client.force_login(org.interviewer)
    url = reverse("hiring:question_detail", args=[question.pk])
    english = client.get(url).text
    assert "The customer is angry." in english
    assert "Makes excuses" in _row(english, "rubric-1")
    # No English text: the Japanese one.
    assert "気持ちを受け止め" in _row(english, "rubric-4")
    assert "1 · Far below the bar" in english and "4 · Above the bar" in english
    with translation.override("ja"):
        japanese = client.get(url, headers={"accept-language": "ja"}).text
    assert "お客様が怒っています。" in japanese
    assert "言い訳をする" in japanese


def test_question_list_query_count_does_not_grow(
    client, org, hiring, django_assert_max_num_queries
):
    client.force_login(org.recruiter)
    url = reverse("hiring:question_list")
    client.get(url)  # warm the session and role caches alike for both sizes
    with django_assert_max_num_queries(7):
        client.get(url)
    for index in range(30):
        QuestionFactory(competency=CompetencyFactory(name_en=f"C{index}"))
    with django_assert_max_num_queries(7):
        response = client.get(url)
    assert response.text.count('data-testid="question"') == 25


# --- Interview kits ---------------------------------------------------------------


def test_hiring_manager_creates_a_kit_then_chooses_its_questions(client, org, hiring):
    client.force_login(org.manager_a)
    response = client.post(
        reverse("hiring:kit_create", args=[hiring.opening.pk]),
        {"stage": "second", "guidance": "最後に質問を受ける"},
    )
    kit = InterviewKit.objects.get(opening=hiring.opening, stage="second")
    assert response.url == reverse("hiring:kit_edit", args=[kit.pk])
    assert kit.guidance == "最後に質問を受ける"


def test_a_stage_has_one_kit_per_opening_with_a_clear_error(client, org, hiring):
    client.force_login(org.recruiter)
    response = client.post(
        reverse("hiring:kit_create", args=[hiring.opening.pk]),
        {"stage": "first", "guidance": "typed guidance"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["stage"]
    assert "already has a kit for the stage “First interview”" in errors[0]
    assert "typed guidance" in response.text
    assert InterviewKit.objects.filter(opening=hiring.opening).count() == 1


def test_kits_of_an_opening_one_cannot_see_answer_404_and_nothing_is_written(
    client, org, hiring
):
    other_kit = InterviewKitFactory(
        opening=OpeningFactory(hiring_manager=org.manager_b)
    )
    client.force_login(org.manager_a)
    assert client.get(other_kit.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("hiring:kit_edit", args=[other_kit.pk]),
        {"guidance": "hijacked", f"include_{hiring.questions[0].pk}": "on"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("hiring:kit_create", args=[other_kit.opening.pk]), {"stage": "final"}
    )
    assert response.status_code == 404
    other_kit.refresh_from_db()
    assert other_kit.guidance == ""
    assert _kit_order(other_kit) == []
    assert InterviewKit.objects.filter(opening=other_kit.opening).count() == 1


def test_interviewers_read_the_kit_but_do_not_change_it(client, org, hiring):
    client.force_login(org.interviewer)
    page = client.get(hiring.kit.get_absolute_url())
    assert page.status_code == 200
    assert reverse("hiring:kit_edit", args=[hiring.kit.pk]) not in page.text
    response = client.post(
        reverse("hiring:kit_edit", args=[hiring.kit.pk]), {"guidance": "mine"}
    )
    assert response.status_code == 403
    assert _kit_order(hiring.kit) == [q.pk for q in hiring.questions]


def _kit_form(guidance="", **rows) -> dict[str, str]:
    """rows: question pk → position ("" for none) of the ticked questions."""
    data = {"guidance": guidance}
    for pk, position in rows.items():
        data[f"include_{pk}"] = "on"
        data[f"position_{pk}"] = str(position)
    return data


def test_kit_edit_orders_adds_and_removes_questions(client, org, hiring):
    empathy_q, logic_q = hiring.questions
    new_q = QuestionFactory(competency=hiring.logic, text_en="Explain the bill")
    late_q = QuestionFactory(competency=hiring.empathy)
    client.force_login(org.manager_a)
    url = reverse("hiring:kit_edit", args=[hiring.kit.pk])
    page = client.get(url).text
    assert "Explain the bill" in page  # offered from the bank
    response = client.post(
        url,
        {
            "guidance": "Open warmly.",
            f"include_{logic_q.pk}": "on",
            f"position_{logic_q.pk}": "1",
            f"include_{new_q.pk}": "on",
            f"position_{new_q.pk}": "2",
            f"include_{late_q.pk}": "on",  # no number: last
            f"position_{empathy_q.pk}": "3",  # not ticked: removed
        },
    )
    assert response.url == hiring.kit.get_absolute_url()
    assert _kit_order(hiring.kit) == [logic_q.pk, new_q.pk, late_q.pk]
    hiring.kit.refresh_from_db()
    assert hiring.kit.guidance == "Open warmly."
    detail = client.get(hiring.kit.get_absolute_url()).text
    shown = re.findall(r'data-testid="kit-question" data-question="(\d+)"', detail)
    assert shown == [str(logic_q.pk), str(new_q.pk), str(late_q.pk)]


def test_equal_positions_keep_the_order_of_the_page(client, org, hiring):
    empathy_q, logic_q = hiring.questions
    client.force_login(org.recruiter)
    client.post(
        reverse("hiring:kit_edit", args=[hiring.kit.pk]),
        _kit_form(**{str(empathy_q.pk): 1, str(logic_q.pk): 1}),
    )
    assert _kit_order(hiring.kit) == [empathy_q.pk, logic_q.pk]


def test_kit_edit_refuses_a_bad_position_on_its_row_and_keeps_the_rest(
    client, org, hiring
):
    empathy_q, logic_q = hiring.questions
    client.force_login(org.admin)
    response = client.post(
        reverse("hiring:kit_edit", args=[hiring.kit.pk]),
        _kit_form("kept guidance", **{str(empathy_q.pk): 0, str(logic_q.pk): 1}),
    )
    assert response.status_code == 200
    row = re.search(
        rf'<tr data-testid="question-row" data-question="{empathy_q.pk}".*?</tr>',
        response.text,
        re.S,
    ).group(0)
    assert "A position is a whole number from 1." in row
    assert 'value="0"' in row
    assert "kept guidance" in response.text
    assert _kit_order(hiring.kit) == [empathy_q.pk, logic_q.pk]


def test_a_retired_question_leaves_the_bank_of_the_kit_editor(client, org, hiring):
    retired = QuestionFactory(
        competency=hiring.logic, text_en="Old question", is_active=False
    )
    client.force_login(org.admin)
    page = client.get(reverse("hiring:kit_edit", args=[hiring.kit.pk])).text
    assert f'data-question="{retired.pk}"' not in page


@pytest.fixture
def coverage_kit(org):
    """Weights: care 5 (one question), speed 2 (two questions), depth 3 (none)."""
    care = CompetencyFactory(name="丁寧さ", name_en="Care")
    speed = CompetencyFactory(name="スピード", name_en="Speed")
    depth = CompetencyFactory(name="専門知識", name_en="Depth")
    profile = SuccessProfileFactory(weights={care: 5, speed: 2, depth: 3})
    opening = OpeningFactory(
        team=org.team_a, profile=profile, hiring_manager=org.manager_a
    )
    kit = InterviewKitFactory(
        opening=opening,
        questions=[
            QuestionFactory(competency=care),
            QuestionFactory(competency=speed),
            QuestionFactory(competency=speed),
        ],
    )
    return kit, care, speed, depth


def test_kit_page_warns_about_coverage(client, org, coverage_kit):
    kit, care, speed, depth = coverage_kit
    client.force_login(org.manager_a)
    html = client.get(kit.get_absolute_url()).text
    assert html.count('data-testid="coverage-warning"') == 2
    care_row = _row(html, "coverage-warning")
    assert "Care" in care_row
    assert "Fewer questions than the less important “Speed” (2)." in care_row
    depth_row = re.search(
        rf'<tr[^>]*data-competency="{depth.pk}">.*?</tr>', html, re.S
    ).group(0)
    assert 'data-testid="coverage-warning"' in depth_row
    assert "No question assesses this competency." in depth_row
    speed_row = re.search(
        rf'<tr[^>]*data-competency="{speed.pk}">.*?</tr>', html, re.S
    ).group(0)
    assert "coverage-warning" not in speed_row
    assert "2 competencies need attention." in html


def test_balanced_kit_shows_no_warning(client, org, hiring):
    client.force_login(org.recruiter)
    html = client.get(hiring.kit.get_absolute_url()).text
    assert 'data-testid="coverage-warning"' not in html
    assert "Every weighted competency is covered" in html


def test_kit_page_query_count_does_not_grow(
    client, org, coverage_kit, django_assert_max_num_queries
):
    kit, care, speed, depth = coverage_kit
    client.force_login(org.manager_a)
    url = kit.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(8):
        client.get(url)
    questions = [QuestionFactory(competency=depth) for _ in range(12)]
    services.kit_set_questions(
        kit=kit, question_ids=_kit_order(kit) + [q.pk for q in questions]
    )
    with django_assert_max_num_queries(8):
        response = client.get(url)
    assert response.text.count('data-testid="kit-question"') == 15


def test_kit_editor_query_count_does_not_grow(
    client, org, coverage_kit, django_assert_max_num_queries
):
    kit, care, speed, depth = coverage_kit
    client.force_login(org.manager_a)
    url = reverse("hiring:kit_edit", args=[kit.pk])
    client.get(url)
    with django_assert_max_num_queries(10):
        client.get(url)
    QuestionFactory.create_batch(20, competency=depth)
    QuestionFactory.create_batch(5, competency=CompetencyFactory())
    with django_assert_max_num_queries(10):
        client.get(url)


# --- Questions that scorecards have used --------------------------------------------

CONTENT_FIELDS = [
    "kind",
    "text",
    "text_en",
    *(f"rubric_{n}{suffix}" for n in range(1, 5) for suffix in ("", "_en")),
]


def _as_saved(question, **changes) -> dict[str, str]:
    """The edit form of `question` posted as it is saved, with `changes`."""
    data = {name: getattr(question, name) for name in CONTENT_FIELDS}
    data["competency"] = str(question.competency_id)
    if question.is_active:
        data["is_active"] = "on"
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_a_used_question_refuses_content_changes_on_each_changed_field(
    client, org, hiring
):
    # The panelist's submitted scorecard rated both questions of the kit.
    question = hiring.questions[0]
    saved = {name: getattr(question, name) for name in CONTENT_FIELDS}
    client.force_login(org.recruiter)
    url = reverse("hiring:question_edit", args=[question.pk])
    page = client.get(url)
    assert 'data-testid="question-in-use"' in page.text
    response = client.post(
        url,
        _as_saved(question, text="新しい問い", rubric_2="新しい基準"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"text", "rubric_2"}
    assert "Retire it and write a new question" in errors["text"][0]
    # What was typed stays in the form; nothing was written.
    assert "新しい問い" in response.text and "新しい基準" in response.text
    question.refresh_from_db()
    assert {name: getattr(question, name) for name in CONTENT_FIELDS} == saved
    assert 'data-testid="question-in-use"' in response.text


def test_a_used_question_is_retired_although_the_browser_sends_crlf(
    client, org, hiring
):
    question = hiring.questions[0]
    Question.objects.filter(pk=question.pk).update(
        text="一行目\n二行目", rubric_1="弱い\n回答"
    )
    question.refresh_from_db()
    client.force_login(org.admin)
    # A browser posts a textarea's line breaks as CRLF; "active" unticked.
    data = _as_saved(question, text="一行目\r\n二行目", rubric_1="弱い\r\n回答 ")
    del data["is_active"]
    response = client.post(reverse("hiring:question_edit", args=[question.pk]), data)
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.is_active is False
    assert question.text == "一行目\n二行目"
    assert question.rubric_1 == "弱い\n回答"


def test_the_question_page_says_it_is_in_use_and_how_to_replace_it(client, org, hiring):
    used = hiring.questions[0]
    unused = QuestionFactory(competency=hiring.logic)
    client.force_login(org.recruiter)
    page = client.get(used.get_absolute_url()).text
    assert 'data-testid="question-in-use"' in page
    assert "write a new question and retire this one" in page
    new_question = (
        f"{reverse('hiring:question_create')}?competency={used.competency_id}"
    )
    assert new_question in page
    assert (
        'data-testid="question-in-use"'
        not in client.get(unused.get_absolute_url()).text
    )
    assert (
        'data-testid="question-in-use"'
        not in client.get(reverse("hiring:question_edit", args=[unused.pk])).text
    )


def test_an_unused_question_still_changes_freely(client, org, hiring):
    question = QuestionFactory(competency=hiring.logic)
    client.force_login(org.recruiter)
    response = client.post(
        reverse("hiring:question_edit", args=[question.pk]),
        _as_saved(question, text="書き直した問い"),
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text == "書き直した問い"


def _kits_in_every_stage(hiring) -> list[InterviewKit]:
    """hiring.kit is the first interview's; the others are added out of order."""
    for stage in ("final", "screening", "second"):
        InterviewKitFactory(opening=hiring.opening, stage=stage)
    return list(InterviewKit.objects.filter(opening=hiring.opening))


STAGES_IN_ORDER = ["screening", "first", "second", "final"]


def test_the_kit_pages_list_the_kits_in_interview_order(client, org, hiring):
    _kits_in_every_stage(hiring)
    client.force_login(org.recruiter)
    page = client.get(reverse("hiring:kit_create", args=[hiring.opening.pk]))
    assert [kit.stage for kit in page.context["kits"]] == STAGES_IN_ORDER
    # The question page: the kits that ask it, in the same order.
    question = hiring.questions[0]
    for kit in InterviewKit.objects.exclude(pk=hiring.kit.pk):
        kit.kit_questions.create(question=question, position=1)
    page = client.get(question.get_absolute_url())
    assert [kit.stage for kit in page.context["kits"]] == STAGES_IN_ORDER


@pytest.mark.parametrize("competency", ["²", "1.5", "-3", "9" * 30, "\x00"])
def test_a_new_question_with_a_competency_that_is_no_id_opens_empty(
    client, org, hiring, competency
):
    client.force_login(org.recruiter)
    response = client.get(reverse("hiring:question_create"), {"competency": competency})
    assert response.status_code == 200
    assert response.context["form"].initial.get("competency") is None


def test_a_new_question_opens_on_the_competency_it_was_asked_for(client, org, hiring):
    client.force_login(org.recruiter)
    response = client.get(
        reverse("hiring:question_create"), {"competency": hiring.logic.pk}
    )
    assert response.context["form"].instance.competency == hiring.logic
