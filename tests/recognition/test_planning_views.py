"""Capacity plan pages: the list and comparison, the form (calculate, fill from
today's data, save, bad input kept), the plan's page with today's team, CSV
downloads, and who may do what."""

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from recognition.models import CapacityPlan, CapacityPlanSegment
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    PoolMembershipFactory,
)
from tests.recognition.planning_factories import ENTERPRISE, form_data, make_plan

pytestmark = pytest.mark.django_db

LIST = reverse("recognition:capacity_plan_list")
NEW = reverse("recognition:capacity_plan_create")
COMPARE = reverse("recognition:capacity_plan_compare")


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


# --- The list ------------------------------------------------------------------------


def test_the_list_says_when_there_is_no_plan(client, org):
    client.force_login(org.manager_a)
    response = client.get(LIST)
    assert response.status_code == 200
    assert 'data-testid="no-plans"' in response.text


def test_managers_see_their_own_plans_admins_every_plan_members_none(client, org):
    make_plan(org.admin, name="Admin's plan")
    make_plan(org.manager_b, name="Team B's plan")
    make_plan(org.manager_a, name="Team A's plan")
    client.force_login(org.manager_a)
    text = client.get(LIST).text
    # Another leader's plan holds their team's segments and ARR: not listed.
    assert "Team A&#x27;s plan" in text
    assert "Admin&#x27;s plan" not in text and "Team B&#x27;s plan" not in text
    client.force_login(org.admin)
    text = client.get(LIST).text
    assert "Admin&#x27;s plan" in text and "Team B&#x27;s plan" in text
    for person in (org.member_a, org.interviewer, org.recruiter):
        client.force_login(person)
        assert client.get(LIST).status_code == 403


@pytest.mark.parametrize("count", [2, 12])
def test_the_list_reads_a_fixed_number_of_queries(
    client, org, count, django_assert_max_num_queries
):
    for number in range(count):
        make_plan(org.manager_a, name=f"Plan {number}")
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(8):
        response = client.get(LIST)
    assert response.text.count('data-testid="plan-row"') == count


# --- The form -------------------------------------------------------------------------


def test_a_leader_saves_a_plan_and_sees_its_results(client, org):
    client.force_login(org.manager_a)
    response = client.post(NEW, form_data(name="FY2027"))
    plan = CapacityPlan.objects.get()
    assert response.status_code == 302
    assert response.url == plan.get_absolute_url()
    assert plan.author == org.manager_a
    assert list(plan.segments.values_list("segment", "coverage_model")) == [
        ("Enterprise", "dedicated"),
        ("SMB", "pooled"),
    ]
    page = client.get(plan.get_absolute_url()).text
    # Enterprise 4 / 7, SMB 4 / 2: 8 top-down, 9 bottom-up.
    assert 'data-testid="total-top-down">8<' in page
    assert 'data-testid="total-bottom-up">9<' in page
    assert "The work needs 1 more CSMs than the revenue funds." in page
    assert "An automation factor of 40.0 % or more." in page
    assert "At most 12 hours per account a month." in page


def test_calculate_shows_the_results_and_saves_nothing(client, org):
    client.force_login(org.admin)
    response = client.post(NEW, form_data(action="calculate"))
    assert response.status_code == 200
    assert 'data-testid="preview"' in response.text
    assert 'data-testid="total-bottom-up">9<' in response.text
    # The what-if: 7 + 2 CSMs before, 2 + 1 + 2 after.
    assert 'data-testid="before-csms">9<' in response.text
    assert 'data-testid="after-csms">5<' in response.text
    assert CapacityPlan.objects.count() == 0


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"automation_percent": "100"},
            "automation_percent",
            "The automation factor is at least 0 and below 100.",
        ),
        (
            {"span_of_control": "13"},
            "span_of_control",
            "An experienced leader has 8 to 12 direct reports.",
        ),
        (
            {"whatif_rule": "threshold", "whatif_threshold": ""},
            "whatif_threshold",
            "Give the ARR per account below which a segment moves into a pool.",
        ),
    ],
)
def test_bad_plan_input_is_refused_on_its_field_and_kept(
    client, org, changes, field, message
):
    client.force_login(org.admin)
    response = client.post(NEW, form_data(name="Typed name", **changes))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[field] == [message]
    assert 'value="Typed name"' in response.text
    assert 'value="Enterprise"' in response.text
    assert CapacityPlan.objects.count() == 0


def test_bad_rows_are_refused_on_their_field_and_kept(client, org):
    client.force_login(org.admin)
    bad = ENTERPRISE | {"hours_per_account": "0", "arr_per_csm": "-5"}
    twice = ENTERPRISE | {"accounts": 7}
    response = client.post(NEW, form_data([bad, twice]))
    assert response.status_code == 200
    first, second = response.context["formset"].forms[:2]
    assert first.errors["hours_per_account"] == [
        "Hours per account are more than 0 and at most 744."
    ]
    assert first.errors["arr_per_csm"] == [
        "The benchmark is a whole amount of yen over 0."
    ]
    assert 'value="-5"' in response.text and 'value="7"' in response.text
    assert CapacityPlan.objects.count() == 0

    response = client.post(NEW, form_data([ENTERPRISE, twice]))
    second = response.context["formset"].forms[1]
    assert second.errors["segment"] == [
        "This segment and coverage model is in the plan already."
    ]


def test_a_plan_needs_a_row(client, org):
    client.force_login(org.admin)
    response = client.post(NEW, form_data([], extra_rows=2))
    assert 'data-testid="rows-error"' in response.text
    assert "Add at least one segment to the plan." in response.text
    assert CapacityPlan.objects.count() == 0


def test_an_emptied_or_removed_row_is_left_out(client, org):
    client.force_login(org.admin)
    data = form_data()
    data["segments-1-DELETE"] = "on"
    client.post(NEW, data)
    assert list(CapacityPlanSegment.objects.values_list("segment", flat=True)) == [
        "Enterprise"
    ]


def _accounts(org):
    """Team A: two enterprise accounts owned by member_a (¥30M), a pooled SMB
    account; Team B: a 'Secret-B' segment account owned by member_b."""
    CustomerAccountFactory(
        segment="Enterprise", arr=Decimal(10_000_000), owner=org.member_a
    )
    CustomerAccountFactory(
        segment="Enterprise", arr=Decimal(20_000_000), owner=org.member_a
    )
    pool = PoolFactory(team=org.team_a)
    PoolMembershipFactory(pool=pool, user=org.member_a)
    PoolMembershipFactory(pool=pool, user=org.sub_member)
    CustomerAccountFactory(segment="SMB", arr=Decimal(1_000_000), pool=pool)
    CustomerAccountFactory(
        segment="Secret-B", arr=Decimal(777_000_000), owner=org.member_b
    )


def test_fill_from_todays_data_reads_the_accounts_the_viewer_sees(client, org):
    _accounts(org)
    client.force_login(org.manager_a)
    typed = ENTERPRISE | {"arr_per_csm": "15000000", "hours_per_account": "6"}
    tech = {
        "segment": "SMB",
        "coverage_model": "tech_touch",
        "accounts": "500",
        "arr": "50000000",
        "arr_per_csm": "50000000",
        "hours_per_account": "0.5",
    }
    response = client.post(
        NEW, form_data([typed, tech], action="prefill", name="From today")
    )
    assert response.status_code == 200
    rows = [form.initial for form in response.context["formset"].forms if form.initial]
    assert [(r["segment"], r["coverage_model"], r["accounts"]) for r in rows] == [
        ("Enterprise", "dedicated", 2),
        ("SMB", "pooled", 1),
        ("SMB", "tech_touch", "500"),
    ]
    assert rows[0]["arr"] == Decimal(30_000_000)
    # The benchmark and hours typed for the same row are kept.
    assert (rows[0]["arr_per_csm"], rows[0]["hours_per_account"]) == ("15000000", "6")
    assert 'value="From today"' in response.text
    # Team B's segment and ARR stay out of a Team A leader's plan.
    assert "Secret-B" not in response.text and "777000000" not in response.text
    assert CapacityPlan.objects.count() == 0

    client.force_login(org.admin)
    response = client.post(NEW, form_data([], action="prefill"))
    segments = {form.initial.get("segment") for form in response.context["formset"]}
    assert "Secret-B" in segments


def test_todays_team_is_counted_per_segment_beside_the_plan(client, org):
    _accounts(org)
    plan = make_plan(
        org.admin,
        segments=[
            ENTERPRISE | {"accounts": 2, "arr": Decimal(30_000_000)},
            {
                "segment": "SMB",
                "coverage_model": "pooled",
                "accounts": 1,
                "arr": Decimal(1_000_000),
                "arr_per_csm": Decimal(1_000_000),
                "hours_per_account": Decimal(1),
            },
        ],
    )
    client.force_login(org.admin)
    response = client.get(plan.get_absolute_url())
    beside = {row["segment"]: row for row in response.context["beside_today"]}
    # Enterprise: member_a (owner); SMB: member_a and sub_member (the pool).
    assert beside["Enterprise"]["today"] == 1
    assert beside["SMB"]["today"] == 2
    # member_a counts once in the total; member_b (Secret-B) too.
    assert response.context["today_total"] == 3
    # The same plan by manager_a: today's team counts their teams' people only.
    plan.author = org.manager_a
    plan.save()
    client.force_login(org.manager_a)
    response = client.get(plan.get_absolute_url())
    assert response.context["today_total"] == 2
    assert "Secret-B" not in response.text


# --- Changing and deleting ------------------------------------------------------------


def test_the_author_and_admins_change_a_plan_other_leaders_do_not_reach_it(client, org):
    plan = make_plan(org.manager_a, name="A's plan")
    edit = reverse("recognition:capacity_plan_edit", args=[plan.pk])
    client.force_login(org.manager_b)
    assert client.get(plan.get_absolute_url()).status_code == 404
    assert client.post(edit, form_data(name="Taken over")).status_code == 404
    plan.refresh_from_db()
    assert plan.name == "A's plan"

    client.force_login(org.manager_a)
    form = client.get(edit)
    assert 'value="Enterprise"' in form.text
    assert client.post(edit, form_data([ENTERPRISE], name="Renamed")).status_code == 302
    plan.refresh_from_db()
    assert plan.name == "Renamed"
    assert plan.segments.count() == 1

    client.force_login(org.admin)
    assert client.post(edit, form_data(name="By the admin")).status_code == 302


def test_deleting_a_plan_asks_first(client, org):
    plan = make_plan(org.manager_a)
    url = reverse("recognition:capacity_plan_delete", args=[plan.pk])
    client.force_login(org.manager_b)
    assert client.post(url).status_code == 404
    client.force_login(org.manager_a)
    assert 'data-testid="confirm-delete"' in client.get(url).text
    assert client.post(url).status_code == 302
    assert not CapacityPlan.objects.exists()
    assert not CapacityPlanSegment.objects.exists()


# --- Downloads and comparison ---------------------------------------------------------


def test_a_plan_downloads_as_csv(client, org):
    plan = make_plan(org.manager_a)
    client.force_login(org.manager_a)
    response = client.get(reverse("recognition:capacity_plan_export", args=[plan.pk]))
    rows = _csv(response)
    assert rows[0][:3] == ["Segment", "Coverage model", "Accounts"]
    enterprise = rows[1]
    assert enterprise[0] == "Enterprise"
    assert enterprise[3] == "400000000"
    assert enterprise[7:10] == ["4", "7", "3"]
    total = rows[3]
    assert total[0] == "Total"
    assert total[7:10] == ["8", "9", "1"]
    leaders = rows[4]
    assert leaders[0] == "Leaders" and leaders[7:9] == ["1", "1"]


def test_two_or_three_plans_compare_side_by_side(client, org):
    first = make_plan(org.manager_a, name="Today")
    second = make_plan(org.manager_a, name="Automated", automation_percent=40)
    client.force_login(org.manager_a)
    response = client.get(COMPARE, {"plans": [first.pk, second.pk]})
    assert response.status_code == 200
    names = [plan.name for plan, _shown in response.context["compared"]]
    assert names == ["Today", "Automated"]
    bottom_up = [s["results"].bottom_up for _p, s in response.context["compared"]]
    # At 40 %: Enterprise 40 × 12 / 120 = 4, SMB 200 × 0.6 / 120 = 1.
    assert bottom_up == [9, 5]
    export = client.get(
        reverse("recognition:capacity_plan_compare_export"),
        {"plans": [first.pk, second.pk]},
    )
    rows = _csv(export)
    assert rows[0] == ["Figure", "Today", "Automated"]
    assert ["Bottom-up CSMs", "9", "5"] in rows


@pytest.mark.parametrize("picked", [[], ["1"], ["1", "2", "3", "4"], ["x", "y"]])
def test_comparing_needs_two_or_three_plans(client, org, picked):
    client.force_login(org.admin)
    response = client.get(COMPARE, {"plans": picked})
    assert response.status_code == 200
    assert 'data-testid="compare-problem"' in response.text


def test_comparing_an_unknown_plan_answers_404(client, org):
    plan = make_plan(org.admin)
    client.force_login(org.admin)
    assert client.get(COMPARE, {"plans": [plan.pk, 999999]}).status_code == 404


@pytest.mark.parametrize("rows", [2, 20])
def test_the_plan_page_reads_a_fixed_number_of_queries(
    client, org, rows, django_assert_max_num_queries
):
    segments = [ENTERPRISE | {"segment": f"Segment {n}"} for n in range(rows)]
    plan = make_plan(org.manager_a, segments=segments)
    for number in range(rows):
        CustomerAccountFactory(segment=f"Segment {number}", owner=org.member_a)
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(12):
        response = client.get(plan.get_absolute_url())
    assert response.text.count('data-testid="segment-result"') == rows


def test_the_navigation_offers_capacity_plans_to_leaders_only(client, org):
    link = f'href="{LIST}"'
    client.force_login(org.manager_a)
    assert link in client.get(reverse("home")).text
    client.force_login(org.member_a)
    assert link not in client.get(reverse("home")).text
