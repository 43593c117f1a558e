"""The account list, on its page and in the API, is paged by key
(`config.rows.PagedByKey`): the list finds a page's accounts in its order, then only
those accounts' rows are read. Paging through the list, in every order it offers
(ties, empty values) and with every filter (overdue value points, owner, pool,
current step, search; invalid ones too), as an admin and as a member, shows each
account the viewer sees exactly once, in the list's order, as the whole list read
at once does. A page past the end shows the last one (the API answers 404)."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.test import APIClient

from config.rows import PagedByKey
from journeys import selectors
from journeys.filters import CustomerFilter
from journeys.models import CustomerAccount, Step
from journeys.views.accounts import PER_PAGE
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

ORDERINGS = [
    "",
    "name",
    "-name",
    "arr",
    "-arr",
    "segment",
    "-journey",
    "current_step",
    "-current_step",
    "current_step_since",
    "-health_score",
    "created_at",
]


@pytest.fixture
def world(org):
    onboarding, steps = journey_with_steps(4, name="Onboarding")
    renewal, _renewal_steps = journey_with_steps(2, name="Renewal")
    # Step 3 is a value point due 5 days after step 1: overdue for some accounts.
    Step.objects.filter(pk=steps[2].pk).update(is_value_point=True, target_days=5)
    pool = PoolFactory(team=org.team_a)
    month_ago = timezone.now() - timedelta(days=30)
    for number in range(PER_PAGE + 9):
        covered = (
            {"pool": pool}
            if number % 7 == 3
            else {"owner": [org.member_a, org.member_a, org.member_b][number % 3]}
        )
        account = CustomerAccountFactory(
            # Names, ARR and segments repeat; some ARR and segments are empty.
            name=f"Account {number % 7}",
            external_id=f"X-{number}",
            arr=None if number % 5 == 0 else Decimal(100_000 * (number % 4)),
            segment="" if number % 6 == 0 else f"S{number % 2}",
            journey=renewal if number % 4 == 0 else onboarding,
            **covered,
        )
        if account.journey == onboarding and number % 3:
            StepEventFactory(account=account, step=steps[0], reached_at=month_ago)
            if number % 5 == 1:
                StepEventFactory(account=account, step=steps[2], reached_at=month_ago)
            elif number % 5 == 2:
                StepEventFactory(
                    account=account,
                    step=steps[1],
                    reached_at=month_ago + timedelta(days=number % 3),
                )
        if number % 2:
            CustomerAccount.objects.filter(pk=account.pk).update(
                health_score=number % 4 * 25
            )
    org.pool, org.steps = pool, steps
    return org


def _whole_list(user, query: str) -> list[int]:
    request = RequestFactory().get("/", QueryDict(query))
    request.user = user
    listed = CustomerFilter(
        QueryDict(query),
        queryset=selectors.account_list(viewer=user).order_by("name", "id"),
        request=request,
    ).qs
    return list(listed.values_list("pk", flat=True))


def _listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-account="(\d+)"', response.text)]


def _paged_on_the_page(client, query: str) -> list[int]:
    listed, number = [], 1
    while True:
        response = client.get(f"/journeys/accounts/?{query}&page={number}")
        assert response.status_code == 200
        listed += _listed(response)
        if not re.search(rf"page={number + 1}[\"&]", response.text):
            return listed
        number += 1


def _paged_in_the_api(user, query: str) -> list[int]:
    client = APIClient()
    client.force_authenticate(user)
    listed, url = [], f"/api/v1/customers/?page_size=8&{query}"
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        listed += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    return listed


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_pages_show_every_account_once_in_the_list_order(client, world, ordering):
    query = f"ordering={ordering}" if ordering else ""
    expected = _whole_list(world.admin, query)
    assert len(expected) == PER_PAGE + 9
    client.force_login(world.admin)
    assert _paged_on_the_page(client, query) == expected
    assert _paged_in_the_api(world.admin, query) == expected


@pytest.mark.parametrize("ordering", ["-arr", "current_step"])
def test_a_member_pages_through_their_own_filtered_accounts(client, world, ordering):
    query = f"ordering={ordering}&segment=S1"
    expected = _whole_list(world.member_a, query)
    everyone = _whole_list(world.admin, query)
    assert 0 < len(expected) < len(everyone)
    client.force_login(world.member_a)
    assert _paged_on_the_page(client, query) == expected
    assert _paged_in_the_api(world.member_a, query) == expected


FILTERS = [
    "overdue=true&ordering=current_step_since",
    "overdue=false&ordering=-current_step",
    "owner={member_a}&ordering=current_step",
    "pool={pool}&ordering=-current_step_since",
    "current_step={step_2}&ordering=-journey",
    "search=x-1&ordering=-arr",
    "search=nothing like it",
    "ordering=-current_step_since,name",
    "ordering=external_id",
]


@pytest.mark.parametrize("viewer", ["admin", "member_a"])
@pytest.mark.parametrize("query", FILTERS)
def test_every_filter_pages_through_what_it_keeps(client, world, viewer, query):
    user = getattr(world, viewer)
    query = query.format(
        member_a=world.member_a.pk, pool=world.pool.pk, step_2=world.steps[1].pk
    )
    expected = _whole_list(user, query)
    client.force_login(user)
    assert _paged_on_the_page(client, query) == expected
    assert _paged_in_the_api(user, query) == expected


def test_the_filters_keep_some_accounts_and_leave_others(world):
    everyone = len(_whole_list(world.admin, ""))
    for query in ("overdue=true", "overdue=false", f"pool={world.pool.pk}"):
        assert 0 < len(_whole_list(world.admin, query)) < everyone


@pytest.mark.parametrize("query", ["active=maybe&ordering=-arr", "ordering=bogus"])
def test_a_list_with_an_invalid_filter_pages_as_before(client, world, query):
    # The page leaves an invalid filter out (its form shows the error); the API
    # answers 400 on it.
    client.force_login(world.admin)
    assert _paged_on_the_page(client, query) == _whole_list(world.admin, query)
    api = APIClient()
    api.force_authenticate(world.admin)
    assert api.get(f"/api/v1/customers/?{query}").status_code == 400


def test_a_pools_page_pages_through_its_accounts(client, world, monkeypatch):
    monkeypatch.setattr("journeys.views.accounts.PER_PAGE", 2)
    expected = _whole_list(world.admin, f"pool={world.pool.pk}")
    assert len(expected) == 5
    client.force_login(world.admin)
    url = f"/journeys/pools/{world.pool.pk}/"
    pages = [_listed(client.get(url, {"page": number})) for number in (1, 2, 3)]
    assert [len(page) for page in pages] == [2, 2, 1]
    assert sum(pages, []) == expected


def test_a_page_past_the_end_shows_the_last_one(client, world):
    client.force_login(world.admin)
    last = _listed(client.get("/journeys/accounts/?page=2"))
    assert len(last) == 9
    assert _listed(client.get("/journeys/accounts/?page=999")) == last
    api = APIClient()
    api.force_authenticate(world.admin)
    assert api.get("/api/v1/customers/?page=999").status_code == 404
    empty = api.get("/api/v1/customers/?search=nothing like it").json()
    assert (empty["count"], empty["results"]) == (0, [])


def test_a_page_reads_the_rows_of_the_list_found_keys_only(world):
    listed = selectors.account_list(viewer=world.admin).order_by("-arr", "id")
    page = PagedByKey(listed, selectors.accounts_by_key)
    assert page.count() == PER_PAGE + 9
    assert [a.pk for a in page[5:9]] == [a.pk for a in listed[5:9]]
    assert list(page[PER_PAGE + 9 : PER_PAGE + 20]) == []
    with pytest.raises(ValueError, match="order"):
        PagedByKey(listed.order_by(), selectors.accounts_by_key)
