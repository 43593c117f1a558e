"""The admins' pages (journeys/views/manage.py): a journey with its steps, a training
module with its quiz, a customer account, and a pool's members. The same rules as
the API: 403 for roles that may not, 404 for what the viewer cannot see; errors on
the fields, the input kept."""

from datetime import date

import pytest
from django.urls import reverse

from journeys.models import (
    Coverage,
    CustomerAccount,
    Journey,
    PoolMembership,
    QuizQuestion,
    Step,
    TrainingModule,
)
from tests.journeys.factories import (
    PoolFactory,
    PoolMembershipFactory,
    TrainingModuleFactory,
    add_quiz,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    journey, steps = journey_with_steps(3, name="Onboarding")
    pool_a = PoolFactory(name="SMB pool", team=org.team_a)
    pool_b = PoolFactory(name="Enterprise pool", team=org.team_b)
    module = TrainingModuleFactory(from_step=steps[0], title="Kickoff basics")
    return {
        "org": org,
        "journey": journey,
        "steps": steps,
        "pool_a": pool_a,
        "pool_b": pool_b,
        "module": module,
    }


def _urls(world) -> dict[str, str]:
    return {
        "journey": reverse("journeys:manage_journey_create"),
        "module": reverse("journeys:manage_module_create"),
        "module_edit": reverse(
            "journeys:manage_module_edit", args=[world["module"].pk]
        ),
        "account": reverse("journeys:manage_account_create"),
        "pool_a": reverse("journeys:manage_pool_members", args=[world["pool_a"].pk]),
        "pool_b": reverse("journeys:manage_pool_members", args=[world["pool_b"].pk]),
    }


# --- Permissions ----------------------------------------------------------------------

# (role, page) → status: admins may; managers and members are refused (403), and a
# pool they cannot see does not exist for them (404), as in the API.
MATRIX = {
    "admin": {
        "journey": 200,
        "module": 200,
        "module_edit": 200,
        "account": 200,
        "pool_a": 200,
        "pool_b": 200,
    },
    "manager": {
        "journey": 403,
        "module": 403,
        "module_edit": 403,
        "account": 403,
        "pool_a": 403,
        "pool_b": 404,
    },
    "member": {
        "journey": 403,
        "module": 403,
        "module_edit": 403,
        "account": 403,
        "pool_a": 404,
        "pool_b": 404,
    },
    "interviewer": {
        "journey": 403,
        "module": 403,
        "module_edit": 403,
        "account": 403,
        "pool_a": 404,
        "pool_b": 404,
    },
}


@pytest.mark.parametrize(
    ("role", "page"),
    [(role, page) for role, pages in MATRIX.items() for page in pages],
)
def test_who_may_open_and_post_each_page(client, world, role, page):
    user = world["org"].by_role()[role]
    client.force_login(user)
    url = _urls(world)[page]
    counts = _counts()
    assert client.get(url).status_code == MATRIX[role][page]
    assert client.post(url, {"anything": "x"}).status_code == MATRIX[role][page]
    if MATRIX[role][page] != 200:
        assert _counts() == counts  # nothing was written


def _counts():
    return (
        Journey.objects.count(),
        Step.objects.count(),
        TrainingModule.objects.count(),
        QuizQuestion.objects.count(),
        CustomerAccount.objects.count(),
        PoolMembership.objects.count(),
    )


def test_signed_out_visitors_are_sent_to_sign_in(client, world):
    response = client.get(_urls(world)["journey"])
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_links_show_only_to_admins(client, world):
    org = world["org"]
    pages = [
        (reverse("journeys:journey_list"), "journey-create-link"),
        (reverse("journeys:account_list"), "account-create-link"),
        (reverse("journeys:my_training"), "module-create-link"),
        (world["journey"].get_absolute_url(), "module-create-link"),
        (
            reverse("journeys:pool_detail", args=[world["pool_a"].pk]),
            "pool-members-link",
        ),
    ]
    for url, marker in pages:
        client.force_login(org.admin)
        assert marker in client.get(url).text, url
        client.force_login(org.manager_a)
        assert marker not in client.get(url).text, url


# --- Journey with its steps ----------------------------------------------------------


def _journey_post(name="Expansion", steps=(), **journey):
    data = {
        "journey-name": name,
        "journey-description": "",
        "journey-segments": "",
        "journey-conversion_window_days": "",
        "journey-is_active": "on",
        "steps-TOTAL_FORMS": str(max(len(steps), 1) + 1),
        "steps-INITIAL_FORMS": "0",
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "50",
        **{f"journey-{key}": value for key, value in journey.items()},
    }
    for index, step in enumerate(steps):
        values = {"conversion_window_days": "90", **step}
        for key, value in values.items():
            data[f"steps-{index}-{key}"] = value
    # The last row is left empty: it is no step.
    data[f"steps-{max(len(steps), 1)}-conversion_window_days"] = "90"
    return data


def test_an_admin_creates_a_journey_with_its_ordered_steps(client, world):
    client.force_login(world["org"].admin)
    data = _journey_post(
        steps=[
            {"name": "Kickoff"},
            {"name": "First value", "is_value_point": "on", "target_days": "30"},
        ],
        coverage_models=["pooled"],
    )
    response = client.post(_urls(world)["journey"], data, follow=True)
    journey = Journey.objects.get(name="Expansion")
    assert response.redirect_chain[-1][0] == journey.get_absolute_url()
    assert journey.coverage_models == "pooled"
    assert list(journey.steps.order_by("position").values_list("position", "name")) == [
        (1, "Kickoff"),
        (2, "First value"),
    ]
    assert "Expansion" in response.text
    assert "Coverage: Pooled" in response.text  # the label, not the code


def test_a_name_taken_is_said_without_spaces_in_japanese(client, world):
    """Django's own Japanese put spaces around the names: この 名前 を持った
    ジャーニー が既に存在します。"""
    client.force_login(world["org"].admin)
    data = _journey_post(name="Onboarding", steps=[{"name": "Kickoff"}])
    response = client.post(
        _urls(world)["journey"], data, headers={"accept-language": "ja"}
    )
    assert response.status_code == 200
    text = response.text
    assert "の" in text and " を持った " not in text
    taken = [line for line in text.splitlines() if "既に存在します" in line]
    assert taken and all(" 既に" not in line and "この " not in line for line in taken)


def test_a_refused_journey_keeps_the_input_and_says_why_on_the_field(client, world):
    client.force_login(world["org"].admin)
    data = _journey_post(
        name="Onboarding",  # taken
        steps=[
            {"name": "Kickoff", "description": "Meet the team"},
            {"name": "First value", "is_value_point": "on"},  # no target
        ],
    )
    response = client.post(_urls(world)["journey"], data)
    assert response.status_code == 200
    text = response.text
    assert "Journey with this Name already exists." in text
    assert "A value point needs a target" in text
    assert 'value="Kickoff"' in text
    assert "Meet the team" in text
    assert Journey.objects.count() == 1


def test_a_journey_needs_one_step(client, world):
    client.force_login(world["org"].admin)
    response = client.post(_urls(world)["journey"], _journey_post(steps=[]))
    assert response.status_code == 200
    assert "This field is required." in response.text
    assert not Journey.objects.filter(name="Expansion").exists()


# --- Training module with its quiz ---------------------------------------------------


def _module_post(step, title="Value review", questions=(), **module):
    data = {
        "module-from_step": str(step.pk),
        "module-title": title,
        "module-material": "Read the playbook.",
        "module-pass_mark": "50",
        "module-is_required": "on",
        "module-is_active": "on",
        "quiz-TOTAL_FORMS": str(len(questions) + 1),
        "quiz-INITIAL_FORMS": "0",
        "quiz-MIN_NUM_FORMS": "0",
        "quiz-MAX_NUM_FORMS": "30",
        **{f"module-{key}": value for key, value in module.items()},
    }
    for index, question in enumerate(questions):
        for key, value in question.items():
            data[f"quiz-{index}-{key}"] = value
    return data


def test_an_admin_writes_a_module_and_its_quiz(client, world, settings):
    client.force_login(world["org"].admin)
    step = world["steps"][1]
    data = _module_post(
        step,
        questions=[
            {
                "text": "Who owns the plan?",
                "choice_1": "CSM",
                "choice_2": "Sales",
                "correct": "1",
            },
            {
                "text": "When?",
                "choice_1": "Day 1",
                "choice_2": "Day 30",
                "choice_3": "Never",
                "correct": "2",
            },
        ],
    )
    response = client.post(_urls(world)["module"], data, follow=True)
    module = TrainingModule.objects.get(title="Value review")
    assert response.redirect_chain[-1][0] == module.get_absolute_url()
    assert module.from_step == step and module.pass_mark == 50
    quiz = [
        (q.position, q.text, [(c.text, c.is_correct) for c in q.choices.order_by("id")])
        for q in module.quiz_questions.order_by("position")
    ]
    assert quiz == [
        (1, "Who owns the plan?", [("CSM", True), ("Sales", False)]),
        (2, "When?", [("Day 1", False), ("Day 30", True), ("Never", False)]),
    ]
    assert "Who owns the plan?" in response.text  # the member's quiz shows it


def test_a_question_without_its_correct_answer_is_refused_on_the_field(client, world):
    client.force_login(world["org"].admin)
    data = _module_post(
        world["steps"][0],
        questions=[
            {"text": "Who owns the plan?", "choice_1": "CSM", "choice_2": "Sales"}
        ],
        pass_mark="",
    )
    response = client.post(_urls(world)["module"], data)
    assert response.status_code == 200
    assert "Mark the correct answer among the choices given." in response.text
    assert 'value="Sales"' in response.text
    assert not TrainingModule.objects.filter(title="Value review").exists()


def test_a_quiz_needs_its_pass_mark(client, world):
    client.force_login(world["org"].admin)
    data = _module_post(
        world["steps"][0],
        questions=[{"text": "Q", "choice_1": "a", "choice_2": "b", "correct": "1"}],
        pass_mark="",
    )
    response = client.post(_urls(world)["module"], data)
    assert "A module with a quiz needs its pass mark." in response.text
    assert 'value="Value review"' in response.text


def test_editing_a_module_shows_its_quiz_and_replaces_it(client, world):
    module = world["module"]
    add_quiz(module, questions=2, pass_mark=100)
    client.force_login(world["org"].admin)
    url = _urls(world)["module_edit"]
    page = client.get(url).text
    assert page.count('value="right"') == 2
    data = _module_post(
        module.from_step,
        title="Kickoff basics",
        questions=[
            {"text": "Only one", "choice_1": "yes", "choice_2": "no", "correct": "1"}
        ],
    )
    # The second saved question is removed.
    data.update({"quiz-TOTAL_FORMS": "2", "quiz-INITIAL_FORMS": "2"})
    data.update({"quiz-1-text": "Q2", "quiz-1-DELETE": "on"})
    client.post(url, data)
    assert list(module.quiz_questions.values_list("text", flat=True)) == ["Only one"]


def test_a_module_page_preselects_the_step_of_the_transition(client, world):
    client.force_login(world["org"].admin)
    step = world["steps"][1]
    page = client.get(_urls(world)["module"], {"step": step.pk}).text
    assert f'<option value="{step.pk}" selected>' in page


# --- Customer account ----------------------------------------------------------------


def _account_post(world, **fields):
    return {
        "name": "Acme",
        "external_id": "CRM-1",
        "segment": "SMB",
        "arr": "12000000",
        "journey": str(world["journey"].pk),
        "model": "pooled",
        "pool": str(world["pool_a"].pk),
        **fields,
    }


def test_an_admin_creates_an_account_with_its_coverage(client, world):
    client.force_login(world["org"].admin)
    response = client.post(_urls(world)["account"], _account_post(world), follow=True)
    account = CustomerAccount.objects.get(external_id="CRM-1")
    assert response.redirect_chain[-1][0] == account.get_absolute_url()
    coverage = Coverage.objects.get(account=account)
    assert (coverage.model, coverage.pool) == ("pooled", world["pool_a"])
    listed = client.get(reverse("journeys:account_list")).text
    assert "Acme" in listed and "¥12,000,000" in listed


def test_a_refused_account_keeps_the_input_and_says_why_on_the_field(client, world):
    client.force_login(world["org"].admin)
    data = _account_post(world, model="dedicated", pool="", arr="-5")
    response = client.post(_urls(world)["account"], data)
    assert response.status_code == 200
    assert "Ensure this value is greater than or equal to 0." in response.text
    assert 'value="Acme"' in response.text
    response = client.post(
        _urls(world)["account"], _account_post(world, model="dedicated", pool="")
    )
    assert "Give the account either a dedicated owner or a pool." in response.text
    assert not CustomerAccount.objects.exists()


def test_an_owner_not_ready_asks_for_confirmation_and_records_it(client, world):
    org = world["org"]
    client.force_login(org.admin)
    data = _account_post(world, model="dedicated", pool="", owner=str(org.member_a.pk))
    response = client.post(_urls(world)["account"], data)
    assert 'id="not-ready"' in response.text
    assert not CustomerAccount.objects.exists()
    client.post(_urls(world)["account"], {**data, "confirm_not_ready": "on"})
    coverage = Coverage.objects.get(account__external_id="CRM-1")
    assert coverage.owner == org.member_a and coverage.owner_not_ready_confirmed


# --- Pool members --------------------------------------------------------------------


def test_an_admin_adds_and_ends_a_pool_membership(client, world):
    org = world["org"]
    url = _urls(world)["pool_a"]
    client.force_login(org.admin)
    response = client.post(
        url,
        {"add-user": org.member_a.pk, "add-start_date": "2026-04-01"},
        follow=True,
    )
    membership = PoolMembership.objects.get(pool=world["pool_a"], user=org.member_a)
    assert membership.start_date == date(2026, 4, 1) and membership.end_date is None
    assert f'data-membership="{membership.pk}"' in response.text
    response = client.post(
        url,
        {"end-membership": membership.pk, "end-end_date": "2026-06-30"},
        follow=True,
    )
    membership.refresh_from_db()
    assert membership.end_date == date(2026, 6, 30)
    detail = client.get(reverse("journeys:pool_detail", args=[world["pool_a"].pk]))
    assert org.member_a.display_name in detail.text


def test_pool_dates_are_checked_on_the_field(client, world):
    org = world["org"]
    url = _urls(world)["pool_a"]
    PoolMembershipFactory(
        pool=world["pool_a"], user=org.member_a, start_date=date(2026, 1, 1)
    )
    client.force_login(org.admin)
    response = client.post(
        url, {"add-user": org.member_a.pk, "add-start_date": "2026-05-01"}
    )
    assert "is already in the pool during these dates." in response.text
    response = client.post(
        url,
        {
            "add-user": org.member_b.pk,
            "add-start_date": "2026-05-01",
            "add-end_date": "2026-04-01",
        },
    )
    assert "The end date is on or after the start date." in response.text
    assert 'value="2026-04-01"' in response.text
    membership = PoolMembership.objects.get(pool=world["pool_a"])
    response = client.post(
        url, {"end-membership": membership.pk, "end-end_date": "2025-12-01"}
    )
    assert "The end date is on or after the start date." in response.text
    membership.refresh_from_db()
    assert membership.end_date is None
    assert PoolMembership.objects.count() == 1


def test_a_membership_of_another_pool_answers_404(client, world):
    org = world["org"]
    other = PoolMembershipFactory(pool=world["pool_b"], user=org.member_b)
    client.force_login(org.admin)
    response = client.post(
        _urls(world)["pool_a"],
        {"end-membership": other.pk, "end-end_date": "2026-06-30"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.end_date is None


# --- Coverage models: labels on the pages, one rule for the page and the API ------


def test_journey_pages_show_coverage_models_by_label(client, world):
    Journey.objects.filter(pk=world["journey"].pk).update(
        coverage_models="dedicated,pooled"
    )
    client.force_login(world["org"].member_a)
    for url in (reverse("journeys:journey_list"), world["journey"].get_absolute_url()):
        text = client.get(url).text
        assert "Coverage: Dedicated (one owner), Pooled" in text
        assert "dedicated,pooled" not in text


def test_the_api_refuses_an_unknown_coverage_model_on_the_field(world):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(world["org"].admin)
    body = {"name": "Renewal", "coverage_models": "owner"}
    response = client.post("/api/v1/journeys/", body, format="json")
    assert response.status_code == 400
    assert "coverage_models" in response.json()
    body["coverage_models"] = "Pooled, dedicated"
    response = client.post("/api/v1/journeys/", body, format="json")
    assert response.status_code == 201
    assert response.json()["coverage_models"] == "dedicated,pooled"


def test_the_step_event_download_is_linked_for_admins(client, world):
    client.force_login(world["org"].admin)
    text = client.get(world["journey"].get_absolute_url()).text
    url = reverse("journeys:step_event_export")
    assert f'href="{url}?journey={world["journey"].pk}"' in text
    assert (
        'data-testid="event-export-link"'
        in client.get(reverse("journeys:account_list")).text
    )


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 12])
def test_the_pool_members_page_takes_the_same_queries_whatever_the_members(
    client, world, django_assert_max_num_queries, size
):
    from accounts.models import Role
    from tests.factories import UserFactory

    for number in range(size):
        PoolMembershipFactory(
            pool=world["pool_a"],
            user=UserFactory(roles=[Role.MEMBER]),
            start_date=date(2025, 1, 1 + number),
        )
    client.force_login(world["org"].admin)
    with django_assert_max_num_queries(12):
        response = client.get(_urls(world)["pool_a"])
    assert response.text.count("data-membership=") == size


@pytest.mark.parametrize("size", [1, 8])
def test_the_module_form_takes_the_same_queries_whatever_the_quiz(
    client, world, django_assert_max_num_queries, size
):
    add_quiz(world["module"], questions=size, pass_mark=50)
    client.force_login(world["org"].admin)
    with django_assert_max_num_queries(12):
        response = client.get(_urls(world)["module_edit"])
    assert response.text.count('value="right"') == size


def test_the_journey_form_opens_with_more_rows_on_request(client, world):
    client.force_login(world["org"].admin)
    page = client.get(_urls(world)["journey"]).text
    assert page.count('data-testid="step-row"') == 4
    assert 'href="?rows=9"' in page
    page = client.get(_urls(world)["journey"], {"rows": 9}).text
    assert page.count('data-testid="step-row"') == 9
    page = client.get(_urls(world)["journey"], {"rows": 10**6}).text
    assert page.count('data-testid="step-row"') == 50
