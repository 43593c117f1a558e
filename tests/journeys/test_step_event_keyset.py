"""Step-event lists page by cursor (keyset), newest reach first: every event once
across the pages, ties on the reach time included, forwards and backwards; the
filters kept on every link; no count of the whole list and a query count that does
not grow with the data or the depth; a cursor, page size or ordering the list does
not offer answers 400 on the parameter, never 404 or 500."""

import base64
import html
import json
import re
from datetime import timedelta

import factory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, reverse_lazy
from rest_framework.test import APIClient

from journeys.models import StepEvent
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)
from tests.test_api_schema import assert_matches_schema

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
LIST = f"{V1}/step-events/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def world(org):
    """Member A's accounts on two journeys and member B's account: 12 events of
    member A's, five of them reached at the same moment (ties broken by id)."""
    journey, steps = journey_with_steps(3, name="Onboarding")
    renewal, renewal_steps = journey_with_steps(2, name="Renewal")
    accounts = [
        CustomerAccountFactory(journey=journey, owner=org.member_a) for _ in range(5)
    ]
    renewing = CustomerAccountFactory(journey=renewal, owner=org.member_a)
    theirs = CustomerAccountFactory(journey=journey, owner=org.member_b)
    events = [
        StepEventFactory(account=account, step=steps[0], reached_at=T0)
        for account in accounts
    ]
    events += [
        StepEventFactory(
            account=accounts[0], step=steps[1], reached_at=T0 + timedelta(days=day)
        )
        for day in (1, 2, 3)
    ]
    events += [
        StepEventFactory(
            account=renewing,
            step=renewal_steps[0],
            reached_at=T0 - timedelta(hours=hours),
        )
        for hours in (1, 2, 3)
    ]
    events.append(
        StepEventFactory(
            account=accounts[1], step=steps[2], reached_at=T0 + timedelta(days=9)
        )
    )
    hidden = StepEventFactory(account=theirs, step=steps[0], reached_at=T0)
    return {
        "journey": journey,
        "renewal": renewal,
        "events": events,
        "hidden": hidden,
    }


def _newest_first(events) -> list[int]:
    return [
        event.pk
        for event in sorted(events, key=lambda event: (event.reached_at, event.pk))[
            ::-1
        ]
    ]


def _walk(client, url, params=None, *, link="next") -> list[list[int]]:
    """The ids of every page, following the `link` links from the first."""
    pages = []
    response = client.get(url, params)
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        if body[link] is None:
            return pages
        assert len(pages) < 50, "the links go round in circles"
        response = client.get(body[link])


# --- Walking the list -----------------------------------------------------------------


def test_the_next_links_walk_every_visible_event_once_newest_first(org, world):
    pages = _walk(_client(org.member_a), LIST, {"page_size": 5})
    assert [len(page) for page in pages] == [5, 5, 2]
    walked = [pk for page in pages for pk in page]
    assert walked == _newest_first(world["events"])
    assert world["hidden"].pk not in walked


def test_the_previous_links_walk_back_the_same_pages(org, world):
    client = _client(org.member_a)
    forwards = _walk(client, LIST, {"page_size": 4})
    last = client.get(LIST, {"page_size": 4})
    while last.json()["next"]:
        last = client.get(last.json()["next"])
    backwards = [[row["id"] for row in last.json()["results"]]]
    while (previous := last.json()["previous"]) is not None:
        last = client.get(previous)
        backwards.append([row["id"] for row in last.json()["results"]])
    assert backwards[::-1] == forwards
    assert client.get(LIST, {"page_size": 4}).json()["previous"] is None


def test_oldest_first_and_by_id_walk_every_event_once(org, world):
    client = _client(org.member_a)
    oldest = _walk(client, LIST, {"page_size": 5, "ordering": "reached_at"})
    assert [pk for page in oldest for pk in page] == _newest_first(world["events"])[
        ::-1
    ]
    by_id = _walk(client, LIST, {"page_size": 5, "ordering": "-id"})
    assert [pk for page in by_id for pk in page] == sorted(
        (event.pk for event in world["events"]), reverse=True
    )


def test_a_filter_is_kept_on_every_link(org, world):
    client = _client(org.member_a)
    pages = _walk(client, LIST, {"page_size": 2, "journey": world["journey"].pk})
    walked = [pk for page in pages for pk in page]
    onboarding = [
        e for e in world["events"] if e.step.journey_id == world["journey"].pk
    ]
    assert walked == _newest_first(onboarding)
    second = client.get(
        client.get(LIST, {"page_size": 2, "journey": world["journey"].pk}).json()[
            "next"
        ]
    ).json()
    assert f"journey={world['journey'].pk}" in second["next"]
    assert f"journey={world['journey'].pk}" in second["previous"]


def test_a_page_size_beyond_the_maximum_gets_200_rows(org, world):
    StepEventFactory.create_batch(
        201,
        account=CustomerAccountFactory(journey=world["journey"], owner=org.member_a),
        step=world["events"][0].step,
        reached_at=factory.Sequence(lambda n: T0 - timedelta(days=30, minutes=n)),
    )
    body = _client(org.member_a).get(LIST, {"page_size": 1000}).json()
    assert len(body["results"]) == 200
    assert body["next"] is not None
    assert len(_client(org.member_a).get(LIST).json()["results"]) == 50


def test_events_recorded_during_the_walk_do_not_shift_the_next_page(org, world):
    client = _client(org.member_a)
    first = client.get(LIST, {"page_size": 3}).json()
    second = [row["id"] for row in client.get(first["next"]).json()["results"]]
    StepEventFactory(
        account=world["events"][0].account,
        step=world["events"][-1].step,
        reached_at=T0 + timedelta(days=20),
    )
    assert [row["id"] for row in client.get(first["next"]).json()["results"]] == second


def test_when_the_rest_of_the_list_is_gone_previous_leads_back(org, world):
    client = _client(org.member_a)
    first = client.get(LIST, {"page_size": 3}).json()
    shown = [row["id"] for row in first["results"]]
    StepEvent.objects.exclude(pk__in=[*shown, world["hidden"].pk]).delete()
    empty = client.get(first["next"]).json()
    assert empty["results"] == [] and empty["next"] is None
    back = client.get(empty["previous"]).json()
    assert [row["id"] for row in back["results"]] == shown


def test_another_teams_events_stay_out_of_every_page(org, world):
    theirs = _walk(_client(org.member_b), LIST, {"page_size": 1})
    assert theirs == [[world["hidden"].pk]]
    everyone = _walk(_client(org.admin), LIST, {"page_size": 4})
    assert sorted(pk for page in everyone for pk in page) == sorted(
        [event.pk for event in world["events"]] + [world["hidden"].pk]
    )
    assert _walk(_client(org.interviewer), LIST) == [[]]


def test_a_page_matches_the_schema(org, world):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    client = _client(org.member_a)
    first = client.get(LIST, {"page_size": 3})
    assert_matches_schema(schema, LIST, "get", first)
    assert set(first.json()) == {"next", "previous", "results"}
    bad = client.get(LIST, {"cursor": "nope"})
    assert_matches_schema(schema, LIST, "get", bad)
    parameters = {
        parameter["name"]: parameter
        for parameter in schema["paths"][LIST]["get"]["parameters"]
    }
    assert parameters["ordering"]["schema"]["enum"] == [
        "-reached_at",
        "reached_at",
        "-id",
        "id",
    ]
    assert parameters["page_size"]["schema"]["minimum"] == 1
    assert parameters["cursor"]["schema"]["type"] == "string"
    assert "page" not in parameters


# --- Cost -----------------------------------------------------------------------------


def _fresh_client(user) -> APIClient:
    """A client signed in as a fresh copy of `user`, so that no request reads what
    an earlier one cached on the user."""
    return _client(type(user).objects.get(pk=user.pk))


def _queries(user, url, params=None) -> list[str]:
    client = _fresh_client(user)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url, params)
    assert response.status_code == 200
    return [query["sql"] for query in context.captured_queries]


def _add_events(org, journey, count):
    step = journey.steps.order_by("position").first()
    for n in range(count):
        StepEventFactory(
            account=CustomerAccountFactory(journey=journey, owner=org.member_a),
            step=step,
            reached_at=T0 - timedelta(days=40, minutes=n),
        )


@pytest.mark.parametrize("user", ["admin", "manager_a", "member_a"])
def test_no_count_and_the_same_queries_at_two_sizes_and_depths(org, world, user):
    viewer = getattr(org, user)
    small = _queries(viewer, LIST, {"page_size": 2})
    deep_link = _client(viewer).get(LIST, {"page_size": 2}).json()["next"]
    small_deep = _queries(viewer, deep_link)
    _add_events(org, world["journey"], 30)
    large = _queries(viewer, LIST, {"page_size": 2})
    large_deep = _queries(viewer, deep_link)
    assert len(small) == len(large) == len(small_deep) == len(large_deep)
    for sql in small + small_deep + large + large_deep:
        assert "COUNT(" not in sql.upper()
        assert "OFFSET" not in sql.upper()


def test_the_list_stays_within_its_query_budget(
    org, world, django_assert_max_num_queries
):
    _add_events(org, world["journey"], 60)
    # Who the viewer is (their roles, the teams they lead), then the page.
    first, then = _fresh_client(org.member_a), _fresh_client(org.member_a)
    with django_assert_max_num_queries(3):
        body = first.get(LIST).json()
    with django_assert_max_num_queries(3):
        then.get(body["next"])


# --- Refused --------------------------------------------------------------------------


def _cursor(data) -> str:
    text = json.dumps(data) if not isinstance(data, str) else data
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


GOOD_MOMENT = T0.isoformat()

HOSTILE_CURSORS = [
    "nope",
    "!!!!",
    "%00",
    "x" * 600,
    _cursor("not json"),
    _cursor([1, 2]),
    _cursor({"p": [GOOD_MOMENT]}),
    _cursor({"p": [GOOD_MOMENT, 1, 2]}),
    _cursor({"p": [GOOD_MOMENT, 2**64]}),
    _cursor({"p": [GOOD_MOMENT, -(2**70)]}),
    _cursor({"p": [GOOD_MOMENT, 1.5]}),
    _cursor({"p": [GOOD_MOMENT, True]}),
    _cursor({"p": [GOOD_MOMENT, "1"]}),
    _cursor({"p": [GOOD_MOMENT, None]}),
    _cursor({"p": ["2026-04-01T03:00:00", 1]}),
    _cursor({"p": ["2026-13-01T03:00:00+00:00", 1]}),
    _cursor({"p": ["0001-01-01T00:00:00+14:00", 1]}),
    _cursor({"p": ["9999-12-31T23:59:59-14:00", 1]}),
    _cursor({"p": [12345, 1]}),
    _cursor({"p": [GOOD_MOMENT, 1], "r": 2}),
    _cursor({"p": [GOOD_MOMENT, 1], "x": 1}),
]


@pytest.mark.parametrize("cursor", HOSTILE_CURSORS)
def test_a_cursor_the_list_did_not_give_answers_400_on_the_cursor(org, world, cursor):
    response = _client(org.member_a).get(LIST, {"cursor": cursor})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]
    assert "next and previous links" in response.json()["cursor"][0]


def test_a_cursor_of_another_ordering_answers_400(org, world):
    client = _client(org.member_a)
    by_id = client.get(LIST, {"page_size": 2, "ordering": "-id"}).json()["next"]
    cursor = by_id.split("cursor=")[1].split("&")[0]
    response = client.get(LIST, {"cursor": cursor, "page_size": 2})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "-3"}, "page_size"),
        ({"page_size": "1.5"}, "page_size"),
        ({"page_size": "abc"}, "page_size"),
        ({"ordering": "recorded_at"}, "ordering"),
        ({"ordering": "-reached_at,-id"}, "ordering"),
        ({"ordering": "account__owner__password"}, "ordering"),
        ({"journey": "1.5"}, "journey"),
    ],
)
def test_a_page_size_or_ordering_the_list_does_not_offer_answers_400(
    org, world, params, parameter
):
    response = _client(org.member_a).get(LIST, params)
    assert response.status_code == 400
    assert list(response.json()) == [parameter]


# --- The page -------------------------------------------------------------------------

PAGE = reverse_lazy("journeys:step_event_list")


def _page_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(pk) for pk in re.findall(r'data-event="(\d+)"', response.text)]


def _link(response, name: str) -> str | None:
    """The href of the page's Newer or Older link (None when it is disabled)."""
    found = re.search(rf'href="([^"]*)" rel="\w+" data-testid="{name}"', response.text)
    return html.unescape(found.group(1)) if found else None


def _walk_page(client, query: str, *, link="older") -> list[list[int]]:
    pages = []
    response = client.get(f"{PAGE}{query}")
    while True:
        pages.append(_page_ids(response))
        href = _link(response, link)
        if href is None:
            return pages
        assert len(pages) < 50, "the links go round in circles"
        response = client.get(f"{PAGE}{href}")


@pytest.fixture
def small_pages(monkeypatch):
    from journeys.views import accounts

    monkeypatch.setattr(accounts, "EVENTS_PER_PAGE", 5)


def test_the_page_walks_every_visible_event_once_newest_first(
    client, org, world, small_pages
):
    client.force_login(org.member_a)
    pages = _walk_page(client, "")
    assert [len(page) for page in pages] == [5, 5, 2]
    assert [pk for page in pages for pk in page] == _newest_first(world["events"])
    response = client.get(PAGE)
    assert _link(response, "newer") is None
    assert "Newer" in response.text and "Older" in response.text


def test_the_newer_links_walk_back_the_same_pages(client, org, world, small_pages):
    client.force_login(org.member_a)
    forwards = _walk_page(client, "")
    response = client.get(PAGE)
    while (older := _link(response, "older")) is not None:
        response = client.get(f"{PAGE}{older}")
    backwards = [_page_ids(response)]
    while (newer := _link(response, "newer")) is not None:
        response = client.get(f"{PAGE}{newer}")
        backwards.append(_page_ids(response))
    assert backwards[::-1] == forwards


def test_the_page_keeps_its_filters_on_the_links(client, org, world, small_pages):
    client.force_login(org.member_a)
    journey = world["journey"].pk
    pages = _walk_page(client, f"?journey={journey}&void=false")
    onboarding = [e for e in world["events"] if e.step.journey_id == journey]
    assert [pk for page in pages for pk in page] == _newest_first(onboarding)
    older = _link(client.get(f"{PAGE}?journey={journey}&void=false"), "older")
    assert f"journey={journey}" in older and "void=false" in older


def test_the_page_shows_only_the_viewers_events_and_no_count(
    client, org, world, small_pages
):
    client.force_login(org.member_b)
    response = client.get(PAGE)
    assert _page_ids(response) == [world["hidden"].pk]
    assert _link(response, "older") is None and _link(response, "newer") is None
    client.force_login(org.interviewer)
    assert _page_ids(client.get(PAGE)) == []


def test_a_broken_cursor_on_the_page_answers_400_with_a_message(client, org, world):
    client.force_login(org.member_a)
    for cursor in HOSTILE_CURSORS:
        response = client.get(PAGE, {"cursor": cursor})
        assert response.status_code == 400
        assert "start again from the first page" in response.text


def test_the_page_reads_the_same_number_of_queries_at_two_sizes(
    client, org, world, small_pages
):
    client.force_login(org.manager_a)
    first = client.get(PAGE)
    older = _link(first, "older")

    def counted(url):
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return [query["sql"] for query in context.captured_queries]

    small, small_deep = counted(PAGE), counted(f"{PAGE}{older}")
    _add_events(org, world["journey"], 30)
    large, large_deep = counted(PAGE), counted(f"{PAGE}{older}")
    assert len(small) == len(large) == len(small_deep) == len(large_deep)
    # (The base template counts the viewer's unread notices: not the list's.)
    counts = [
        sql
        for sql in small + large_deep
        if "COUNT(" in sql.upper() and "journeys_stepevent" in sql
    ]
    assert counts == []


def test_the_account_list_links_to_the_page(client, org, world):
    client.force_login(org.member_a)
    response = client.get(reverse("journeys:account_list"))
    assert f'href="{PAGE}"' in response.text
