"""Account health where people see it: the account list (sort, filter, badge), the
account page (score, band, each part with why, the history), the homes, the
health API (latest or history, filters, validation, visibility) and the policy
pages (admins, errors on the field, recompute now)."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from journeys import health
from journeys.models import AccountHealth, CustomerAccount, HealthBand, HealthPolicy
from tests.journeys.factories import (
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

LIST = reverse("journeys:account_list")
POLICY = reverse("journeys:health_policy")
API = "/api/v1/account-health/"


def _record(account, day, score, band, **inputs):
    row = AccountHealth.objects.create(
        account=account,
        day=day,
        score=score,
        band=band,
        computed_at=timezone.now(),
        **inputs,
    )
    latest = AccountHealth.objects.filter(account=account).order_by("-day").first()
    CustomerAccount.objects.filter(pk=account.pk).update(
        health_score=latest.score, health_band=latest.band
    )
    return row


def _listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-account="(\d+)"', response.text)]


@pytest.fixture
def three(org):
    """member_a's accounts: healthy 80, at risk 55, critical 20; one without."""
    today = timezone.localdate()
    accounts = {}
    for name, score, band in [
        ("Healthy", 80, HealthBand.HEALTHY),
        ("Risky", 55, HealthBand.AT_RISK),
        ("Failing", 20, HealthBand.CRITICAL),
    ]:
        accounts[name] = CustomerAccountFactory(name=name, owner=org.member_a)
        _record(accounts[name], today, score, band)
    accounts["Unscored"] = CustomerAccountFactory(name="Unscored", owner=org.member_a)
    return accounts


# --- Account list --------------------------------------------------------------------


def test_the_list_sorts_by_score_and_filters_by_band(client, org, three):
    client.force_login(org.member_a)
    ids = {name: account.pk for name, account in three.items()}
    response = client.get(LIST, {"ordering": "health_score"})
    assert _listed(response) == [
        ids["Failing"],
        ids["Risky"],
        ids["Healthy"],
        ids["Unscored"],
    ]
    response = client.get(LIST, {"ordering": "-health_score"})
    assert _listed(response)[0] == ids["Healthy"]
    assert _listed(response)[-1] == ids["Unscored"]  # no score: last either way
    response = client.get(LIST, {"health": "critical"})
    assert _listed(response) == [ids["Failing"]]
    response = client.get(LIST, {"health": "sick"})
    assert "invalid-feedback" in response.text


def test_the_badge_says_the_band_in_words(client, org, three):
    client.force_login(org.member_a)
    response = client.get(LIST, {"health": "at_risk"})
    assert re.search(r'data-band="at_risk">55 <span[^>]*>At risk</span>', response.text)


@pytest.mark.parametrize("size", [3, 30])
def test_the_list_sorted_by_health_runs_the_same_queries(
    client, org, django_assert_max_num_queries, size
):
    journey, steps = journey_with_steps(3)
    for number in range(size):
        account = CustomerAccountFactory(journey=journey, owner=org.member_a)
        StepEventFactory(account=account, step=steps[number % 3])
    health.record_health()
    client.force_login(org.member_a)
    with django_assert_max_num_queries(16):
        response = client.get(LIST, {"ordering": "health_score", "health": ""})
    assert len(_listed(response)) == min(size, 25)


# --- Account page ----------------------------------------------------------------


def test_the_account_page_shows_each_part_with_why_and_the_history(client, org):
    journey, steps = journey_with_steps(3)
    account = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    now = timezone.now()
    StepEventFactory(account=account, step=steps[0], reached_at=now - timedelta(70))
    StepEventFactory(account=account, step=steps[1], reached_at=now - timedelta(62))
    for step in steps:
        step.conversion_window_days = 60
        step.save()
    today = timezone.localdate()
    health.record_health(today - timedelta(days=30))
    health.record_health(today)
    client.force_login(org.member_a)
    response = client.get(account.get_absolute_url())
    text = response.text
    assert 'id="health"' in text
    assert "62 days at 2. Step 2 of a 60-day window." in text
    assert "Last step event 62 days ago." in text
    assert "No success plan with measures." in text
    # What scores 100 and 0, so a member sees how far off the account is.
    assert "100 up to 75% of the window, 0 from 150%." in text
    assert "100 up to 30 days, 0 from 90 days." in text
    assert "does not apply" in text
    row = AccountHealth.objects.get(account=account, day=today)
    # pace: 62/60 = 1.033 → 100 × (1.5 − 1.033) / 0.75 = 62.2 → 62; no value
    # point overdue: 100; recency: 100 × (90 − 62) / 60 = 46.7 → 47;
    # (3·62 + 3·100 + 2·47) / 8 = 72.5 → 73, healthy.
    assert (row.pace, row.value_points, row.recency, row.score) == (62, 100, 47, 73)
    assert 'data-band="healthy">73' in text
    assert "0 value points overdue." in text
    history = re.search(r'data-testid="health-history">(.*?)</ol>', text, re.S)
    assert history and history.group(1).count("<li") == 2


def test_an_account_without_health_says_so(client, org):
    account = CustomerAccountFactory(owner=org.member_a)
    client.force_login(org.member_a)
    response = client.get(account.get_absolute_url())
    assert "No health score has been recorded for this account yet." in response.text


def test_another_teams_account_page_answers_404(client, org, three):
    client.force_login(org.member_b)
    response = client.get(three["Risky"].get_absolute_url())
    assert response.status_code == 404


# --- Homes -------------------------------------------------------------------------


def test_the_member_and_manager_homes_list_accounts_at_risk_by_score(
    client, org, three
):
    for user in (org.member_a, org.manager_a):
        client.force_login(user)
        text = client.get(reverse("home")).text
        section = re.search(
            r'data-testid="health-at-risk">(.*?)</div></div>', text, re.S
        )
        assert section, user
        names = re.findall(r"#health\">([^<]+)</a>", section.group(1))
        assert names == ["Failing", "Risky"]
    client.force_login(org.member_b)
    text = client.get(reverse("home")).text
    assert "No account is at risk or critical by its health score." in text


# --- API -----------------------------------------------------------------------------


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_lists_the_latest_day_of_each_visible_account(org, three):
    yesterday = timezone.localdate() - timedelta(days=1)
    _record(three["Risky"], yesterday, 90, HealthBand.HEALTHY)
    other = CustomerAccountFactory(owner=org.member_b)
    _record(other, date(2026, 6, 1), 10, HealthBand.CRITICAL)
    rows = _api(org.member_a).get(API, {"ordering": "score"}).json()["results"]
    assert [(row["account_name"], row["score"]) for row in rows] == [
        ("Failing", 20),
        ("Risky", 55),
        ("Healthy", 80),
    ]
    assert rows[0]["band"] == "critical"
    assert set(rows[0]) >= {"pace", "days_at_step", "window_days", "measures"}
    critical = _api(org.member_a).get(API, {"band": "critical"}).json()["results"]
    assert [row["account_name"] for row in critical] == ["Failing"]


def test_the_api_gives_an_accounts_history_by_day_range(org, three):
    account = three["Risky"]
    today = timezone.localdate()
    for back in (10, 20, 40):
        _record(account, today - timedelta(days=back), 60 + back, HealthBand.HEALTHY)
    client = _api(org.member_a)
    rows = client.get(API, {"account": account.pk, "ordering": "-day"}).json()
    assert [row["score"] for row in rows["results"]] == [55, 70, 80, 100]
    ranged = client.get(
        API,
        {
            "account": account.pk,
            "day_from": (today - timedelta(days=25)).isoformat(),
            "day_to": (today - timedelta(days=5)).isoformat(),
            "ordering": "day",
        },
    ).json()["results"]
    assert [row["score"] for row in ranged] == [80, 70]


def test_the_api_hides_other_teams_accounts(org, three):
    row = AccountHealth.objects.get(account=three["Risky"])
    client = _api(org.member_b)
    assert client.get(f"{API}{row.pk}/").status_code == 404
    assert client.get(API, {"account": three["Risky"].pk}).json()["results"] == []
    assert _api(org.member_a).get(f"{API}{row.pk}/").status_code == 200


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("band", "sick"),
        ("account", "abc"),
        ("day", "2026-13-01"),
        ("day_from", "yesterday"),
        ("ordering", "name"),
    ],
)
def test_the_api_refuses_bad_filters_on_the_parameter(org, parameter, value):
    response = _api(org.admin).get(API, {parameter: value})
    assert response.status_code == 400
    assert parameter in response.json()


def test_the_api_is_read_only(org, three):
    row = AccountHealth.objects.get(account=three["Risky"])
    client = _api(org.admin)
    assert client.post(API, {}).status_code == 405
    assert client.patch(f"{API}{row.pk}/", {"score": 1}).status_code == 405


def test_the_customers_api_gives_the_latest_health(org, three):
    rows = _api(org.member_a).get("/api/v1/customers/", {"ordering": "name"}).json()
    by_name = {row["name"]: row for row in rows["results"]}
    assert (by_name["Failing"]["health_score"], by_name["Failing"]["health_band"]) == (
        20,
        "critical",
    )
    assert (
        by_name["Unscored"]["health_score"],
        by_name["Unscored"]["health_band"],
    ) == (
        None,
        "",
    )


@pytest.mark.parametrize("size", [3, 30])
def test_the_api_runs_the_same_queries_at_any_size(
    org, django_assert_max_num_queries, size
):
    today = timezone.localdate()
    for number in range(size):
        account = CustomerAccountFactory(owner=org.member_a)
        _record(account, today - timedelta(days=1), 50, HealthBand.AT_RISK)
        _record(account, today, number % 100, HealthBand.CRITICAL)
    client = _api(org.member_a)
    with django_assert_max_num_queries(6):
        response = client.get(API, {"ordering": "-score"})
    assert response.json()["count"] == size


# --- Policy ------------------------------------------------------------------------


def test_only_admins_edit_the_policy(client, org):
    client.force_login(org.manager_a)
    assert client.get(POLICY).status_code == 403
    assert client.post(POLICY, {"recompute": "1"}).status_code == 403
    client.force_login(org.admin)
    response = client.get(POLICY)
    assert response.status_code == 200
    assert "How the health score is computed" in response.text


def _policy_data(**changes):
    data = {name: str(getattr(HealthPolicy(), name)) for name in health.POLICY_FIELDS}
    data.update({name: str(value) for name, value in changes.items()})
    return data


def test_the_policy_form_shows_each_error_on_its_field_and_keeps_the_input(client, org):
    client.force_login(org.admin)
    response = client.post(
        POLICY,
        _policy_data(
            pace_good="1.20", pace_bad="1.10", healthy_from=30, weight_plan=11
        ),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["pace_bad"] == ["Pace: “bad from” must be above “good up to”."]
    assert form.errors["healthy_from"] == [
        "“Healthy from” must be above “critical below”."
    ]
    assert "weight_plan" in form.errors
    assert 'value="1.20"' in response.text
    assert not HealthPolicy.objects.exists()


def test_saving_the_policy_keeps_its_history_and_applies_to_the_next_recording(
    client, org
):
    client.force_login(org.admin)
    response = client.post(POLICY, _policy_data(recency_good_days=5))
    assert response.status_code == 302
    client.post(POLICY, _policy_data(recency_good_days=7))
    policy = HealthPolicy.objects.get()
    assert (policy.recency_good_days, policy.updated_by) == (7, org.admin)
    assert policy.history.count() == 2
    assert health.current_policy().recency_good_days == 7


def test_recompute_now_records_todays_health(client, org):
    journey, steps = journey_with_steps(2)
    account = CustomerAccountFactory(journey=journey)
    StepEventFactory(account=account, step=steps[0], reached_at=timezone.now())
    client.force_login(org.admin)
    response = client.post(POLICY, {"recompute": "1"}, follow=True)
    assert "The health of 1 account was recorded for today." in response.text
    account.refresh_from_db()
    assert account.health_score == 100


def test_the_django_admin_shows_constraint_errors_on_the_field(client, org):
    client.force_login(org.admin)
    url = reverse("admin:journeys_healthpolicy_add")
    response = client.post(url, _policy_data(recency_good_days=90))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["recency_bad_days"] == [
        "Days since the last event: “bad from” must be above “good up to”."
    ]
    response = client.post(url, _policy_data())
    assert response.status_code == 302
    assert HealthPolicy.objects.get().updated_by == org.admin
