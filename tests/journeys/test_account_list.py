"""The account list: search by name or external id, sortable columns, ARR in yen,
filters kept in the URL (links, pagination, the CSV download), and a query count
that does not grow with the accounts."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone, translation

from journeys import permissions, selectors
from journeys.models import Coverage
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    StepEventFactory,
    journey_with_steps,
)
from tests.recognition.dashboard_factories import team_member

pytestmark = pytest.mark.django_db

URL = "/journeys/accounts/"


def _listed(response) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-account="(\d+)"', response.text)]


@pytest.fixture
def world(org):
    journey, steps = journey_with_steps(3, name="Onboarding")
    accounts = {
        "acme": CustomerAccountFactory(
            name="Acme",
            external_id="SF-001",
            arr=Decimal(12_000_000),
            journey=journey,
            owner=org.member_a,
            segment="SMB",
        ),
        "beta": CustomerAccountFactory(
            name="Beta",
            external_id="SF-777",
            arr=Decimal(500_000),
            journey=journey,
            owner=org.member_a,
            segment="Enterprise",
        ),
        "chi": CustomerAccountFactory(
            name="Chiba Trading",
            external_id="HS-42",
            arr=None,
            journey=journey,
            owner=org.member_b,
            segment="SMB",
        ),
    }
    StepEventFactory(account=accounts["beta"], step=steps[1])
    StepEventFactory(account=accounts["chi"], step=steps[0])
    return {"org": org, "journey": journey, "steps": steps, **accounts}


def test_the_url_is_the_list_page():
    assert reverse("journeys:account_list") == URL


def test_search_finds_by_name_or_external_id(client, world):
    client.force_login(world["org"].admin)
    assert _listed(client.get(URL, {"search": "chiba"})) == [world["chi"].pk]
    assert _listed(client.get(URL, {"search": "sf-7"})) == [world["beta"].pk]
    response = client.get(URL, {"search": "nothing like it"})
    assert "No account matches these filters." in response.text
    assert 'value="nothing like it"' in response.text  # the search box keeps it


def test_search_stays_within_what_the_viewer_sees(client, world):
    client.force_login(world["org"].member_a)
    assert _listed(client.get(URL, {"search": "chiba"})) == []


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["acme", "beta", "chi"]),
        ("-name", ["chi", "beta", "acme"]),
        ("arr", ["beta", "acme", "chi"]),  # no ARR last, either way
        ("-arr", ["acme", "beta", "chi"]),
        ("current_step", ["chi", "beta", "acme"]),  # not started last
        ("segment", ["beta", "acme", "chi"]),
    ],
)
def test_columns_sort_both_ways(client, world, ordering, expected):
    client.force_login(world["org"].admin)
    listed = _listed(client.get(URL, {"ordering": ordering}))
    assert listed == [world[name].pk for name in expected]


def test_a_header_sorts_by_its_column_and_a_second_click_reverses(client, world):
    client.force_login(world["org"].admin)
    page = client.get(URL, {"segment": "SMB"}).text
    # The ARR header keeps the filter and asks for ascending ARR.
    assert 'href="?segment=SMB&amp;ordering=arr"' in page
    page = client.get(URL, {"segment": "SMB", "ordering": "arr"}).text
    assert 'aria-sort="ascending"' in page
    assert 'href="?segment=SMB&amp;ordering=-arr"' in page


def test_arr_is_shown_in_yen_in_both_languages(client, world):
    client.force_login(world["org"].admin)
    cells = re.findall(r'data-testid="arr">([^<]*)<', client.get(URL).text)
    assert cells == ["¥12,000,000", "¥500,000", "—"]
    with translation.override("ja"):
        response = client.get(URL, headers={"accept-language": "ja"})
    assert "¥12,000,000" in response.text


def test_filters_stay_in_the_url_of_pages_and_download(client, world):
    org = world["org"]
    for number in range(30):
        CustomerAccountFactory(
            name=f"Zeta {number:02d}",
            journey=world["journey"],
            owner=org.member_a,
            segment="SMB",
        )
    client.force_login(org.admin)
    response = client.get(URL, {"segment": "SMB", "ordering": "-name"})
    text = response.text
    assert 'href="?segment=SMB&amp;ordering=-name&amp;page=2"' in text
    assert 'href="/journeys/accounts/export.csv?segment=SMB&amp;ordering=-name"' in text
    # The form keeps the chosen values, the order included.
    assert '<option value="SMB" selected>' in text
    assert 'name="ordering" value="-name"' in text
    second = client.get(URL, {"segment": "SMB", "ordering": "-name", "page": 2})
    assert len(_listed(second)) == 32 - 25


def test_the_filters_offer_what_the_viewer_sees(client, world):
    PoolFactory(name="Hidden pool", team=world["org"].team_b)
    client.force_login(world["org"].member_a)
    page = client.get(URL).text
    assert "Hidden pool" not in page
    assert world["org"].member_b.display_name not in page


def _menu(page: str, name: str) -> list[str]:
    menu = re.search(rf'<select name="{name}".*?</select>', page, re.S).group(0)
    return [value for value in re.findall(r'<option value="([^"]*)"', menu) if value]


def _segment_menu(page: str) -> list[str]:
    return _menu(page, "segment")


def test_the_owner_menu_offers_who_holds_an_account_the_viewer_sees(client, world):
    org = world["org"]
    former = team_member(org.team_b, "former", "元担当")
    account = CustomerAccountFactory(journey=world["journey"], owner=former)
    Coverage.objects.filter(account=account).update(ended_at=timezone.now())
    CustomerAccountFactory(journey=world["journey"], owner=None)  # no owner

    # An admin's menu: whoever holds an account now, each once (member_a holds
    # two), not who held one before.
    client.force_login(org.admin)
    owners = [org.member_a.pk, org.member_b.pk]
    assert sorted(map(int, _menu(client.get(URL).text, "owner"))) == sorted(owners)
    assert set(selectors.account_owners(org.admin)) == {org.member_a, org.member_b}
    # A member's: the holders of the accounts they see.
    assert list(selectors.account_owners(org.member_a)) == [org.member_a]
    # Nobody signed in sees no account, and so no holder.
    assert not selectors.account_owners(AnonymousUser()).exists()


def test_a_leaders_owner_menu_offers_the_holders_of_the_accounts_they_see(
    client, world
):
    """The menu is read from the open periods the leader sees accounts by: the
    same people as the holders of every account they see."""
    org = world["org"]
    # Team A's pool (an account in it has no owner), a former holder in team A,
    # and team B's holder (member_b, of "chi"), whom manager_a does not see.
    CustomerAccountFactory(journey=world["journey"], pool=PoolFactory(team=org.team_a))
    former = team_member(org.team_a, "former", "元担当")
    account = CustomerAccountFactory(journey=world["journey"], owner=former)
    Coverage.objects.filter(account=account).update(ended_at=timezone.now())
    sub_member = team_member(org.sub_a, "sub", "子チーム")
    CustomerAccountFactory(journey=world["journey"], owner=sub_member)

    for leader, holders in (
        (org.manager_a, [org.member_a, sub_member]),
        (org.sub_leader, [sub_member]),
        (org.manager_b, [org.member_b]),
    ):
        menu = list(selectors.account_owners(leader))
        assert sorted(user.pk for user in menu) == sorted(u.pk for u in holders)
        seen = permissions.visible_accounts(leader).values("pk")
        assert menu == list(selectors.current_owners(seen))
    client.force_login(org.manager_a)
    shown = sorted(map(int, _menu(client.get(URL).text, "owner")))
    assert shown == sorted([org.member_a.pk, sub_member.pk])


def test_the_segment_menu_offers_each_segment_the_viewer_sees_once_in_order(
    client, world
):
    org = world["org"]
    for name, segment, owner in (
        ("Delta", "", org.member_a),
        ("Echo", "Public sector", org.member_b),
        ("Fuji", "中堅企業", org.member_b),
        ("Gamma", "Enterprise", org.member_b),
    ):
        CustomerAccountFactory(
            name=name, journey=world["journey"], owner=owner, segment=segment
        )
    everyone = ["Enterprise", "Public sector", "SMB", "中堅企業"]

    # An admin's menu is found in the segment index; a member's among the
    # accounts they see (not the segments of member_b's accounts alone).
    client.force_login(org.admin)
    assert _segment_menu(client.get(URL).text) == everyone
    assert selectors.account_segments(org.admin) == everyone
    client.force_login(org.member_a)
    assert _segment_menu(client.get(URL).text) == ["Enterprise", "SMB"]
    assert selectors.account_segments(org.member_a) == ["Enterprise", "SMB"]


def test_the_segment_menu_of_accounts_without_segments_is_empty(client, org):
    journey, _steps = journey_with_steps(1)
    CustomerAccountFactory(journey=journey, owner=org.member_a, segment="")
    assert selectors.account_segments(org.admin) == []
    client.force_login(org.admin)
    assert _segment_menu(client.get(URL).text) == []


@pytest.mark.parametrize("size", [3, 30])
def test_the_query_count_does_not_grow_with_the_accounts(
    client, org, django_assert_max_num_queries, size
):
    journey, steps = journey_with_steps(3)
    pool = PoolFactory(team=org.team_a)
    for number in range(size):
        account = CustomerAccountFactory(
            journey=journey,
            owner=org.member_a if number % 2 else None,
            pool=None if number % 2 else pool,
            arr=number * 1000,
        )
        StepEventFactory(account=account, step=steps[number % 3])
    client.force_login(org.admin)
    with django_assert_max_num_queries(16):
        response = client.get(URL, {"ordering": "-arr", "segment": "SMB"})
    assert len(_listed(response)) == min(size, 25)
