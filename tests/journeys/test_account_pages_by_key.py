"""The account list, on its page and in the API, is paged by key
(`config.rows.PagedByKey`): the list finds a page's accounts in its order, then only
those accounts' rows are read. Paging through the list, in every order it offers
(ties, empty values, the viewer's scope and filters included), shows each account
the viewer sees exactly once, in the list's order, as the whole list read at once
does."""

import re
from decimal import Decimal

import pytest
from django.http import QueryDict
from django.test import RequestFactory
from rest_framework.test import APIClient

from config.rows import PagedByKey
from journeys import selectors
from journeys.filters import CustomerFilter
from journeys.models import CustomerAccount
from journeys.views.accounts import PER_PAGE
from tests.journeys.factories import (
    CustomerAccountFactory,
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
    onboarding, steps = journey_with_steps(3, name="Onboarding")
    renewal, _renewal_steps = journey_with_steps(2, name="Renewal")
    owners = [org.member_a, org.member_a, org.member_b]
    for number in range(PER_PAGE + 9):
        account = CustomerAccountFactory(
            # Names, ARR and segments repeat; some ARR and segments are empty.
            name=f"Account {number % 7}",
            arr=None if number % 5 == 0 else Decimal(100_000 * (number % 4)),
            segment="" if number % 6 == 0 else f"S{number % 2}",
            journey=renewal if number % 4 == 0 else onboarding,
            owner=owners[number % 3],
        )
        if account.journey == onboarding and number % 3:
            StepEventFactory(account=account, step=steps[number % 2])
        if number % 2:
            CustomerAccount.objects.filter(pk=account.pk).update(
                health_score=number % 4 * 25
            )
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


def _paged_on_the_page(client, query: str) -> list[int]:
    listed, number = [], 1
    while True:
        response = client.get(f"/journeys/accounts/?{query}&page={number}")
        assert response.status_code == 200
        rows = [int(pk) for pk in re.findall(r'data-account="(\d+)"', response.text)]
        listed += rows
        if f"page={number + 1}" not in response.text:
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


def test_a_page_reads_the_rows_of_the_list_found_keys_only(world):
    listed = selectors.account_list(viewer=world.admin).order_by("-arr", "id")
    page = PagedByKey(listed, selectors.accounts_by_key)
    assert page.count() == PER_PAGE + 9
    assert [a.pk for a in page[5:9]] == [a.pk for a in listed[5:9]]
    assert list(page[PER_PAGE + 9 : PER_PAGE + 20]) == []
    with pytest.raises(ValueError, match="order"):
        PagedByKey(listed.order_by(), selectors.accounts_by_key)
