"""The success stories API: reading with the account and author withheld from who
may not see them, filters (400 on bad values), writing with validation on the
field, another member's draft 404, publishing, featuring, query counts."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from journeys.models import StoryStatus, SuccessStory
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    journey_with_steps,
)
from tests.journeys.story_factories import story_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/success-stories/"


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def w(org):
    journey, steps = journey_with_steps(3)
    own = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    other = CustomerAccountFactory(journey=journey, owner=org.member_b, name="Beta")
    return {"journey": journey, "steps": steps, "own": own, "other": other}


def _body(account, step, **fields):
    return {
        "account": account.pk,
        "from_step": step.pk,
        "title": "設定を二週間で",
        "what_we_did": "キックオフで目標を合意した",
        "customer_outcome": "二週間で設定完了",
        **fields,
    }


# --- Reading ----------------------------------------------------------------------


def test_another_teams_story_comes_without_its_account_and_author(org, w):
    story = story_for(org.member_b, w["other"], *w["steps"][:2])
    row = _client(org.member_a).get(f"{URL}{story.pk}/").json()
    assert row["account"] is None and row["account_name"] is None
    assert row["author"] is None and row["author_name"] is None
    assert row["what_we_did"] == "キックオフで目標を合意した"
    assert (row["from_step"], row["to_step"]) == (w["steps"][0].pk, w["steps"][1].pk)
    row = _client(org.manager_b).get(f"{URL}{story.pk}/").json()
    assert row["account_name"] == "Beta"
    assert row["author_name"] == org.member_b.display_name


def test_the_list_holds_published_stories_and_own_drafts_only(org, w):
    published = story_for(org.member_b, w["other"], *w["steps"][:2])
    mine = story_for(org.member_a, w["own"], *w["steps"][:2], published=False)
    theirs = story_for(org.member_b, w["other"], *w["steps"][:2], published=False)
    ids = {row["id"] for row in _client(org.member_a).get(URL).json()["results"]}
    assert ids == {published.pk, mine.pk}
    assert _client(org.member_a).get(f"{URL}{theirs.pk}/").status_code == 404
    admin_ids = {row["id"] for row in _client(org.admin).get(URL).json()["results"]}
    assert admin_ids == {published.pk, mine.pk, theirs.pk}


def test_hiring_roles_list_nothing(org, w):
    story_for(org.member_a, w["own"], *w["steps"][:2])
    assert _client(org.interviewer).get(URL).json()["results"] == []


def test_filters_by_playbook_transition_featured_and_status(org, w):
    first = story_for(org.member_a, w["own"], *w["steps"][:2])
    second = story_for(
        org.member_a,
        w["own"],
        *w["steps"][1:],
        featured_month=timezone.localdate().replace(day=1),
    )
    draft = story_for(org.member_a, w["own"], *w["steps"][:2], published=False)
    playbook = PlaybookFactory(from_step=w["steps"][1])
    client = _client(org.member_a)

    def ids(**params):
        return {row["id"] for row in client.get(URL, params).json()["results"]}

    assert ids(playbook=playbook.pk) == {second.pk}
    assert ids(from_step=w["steps"][0].pk) == {first.pk, draft.pk}
    assert ids(featured="true") == {second.pk}
    assert ids(status="draft") == {draft.pk}
    assert ids(journey=w["journey"].pk) == {first.pk, second.pk, draft.pk}
    assert ids(account=w["own"].pk, mine="false") == set()


@pytest.mark.parametrize(
    "params",
    [
        {"journey": "abc"},
        {"playbook": "1.5"},
        {"featured": "yes"},
        {"mine": "1"},
        {"status": "archived"},
        {"account": "-3"},
        {"ordering": "title"},
    ],
)
def test_a_bad_filter_value_answers_400_on_it(org, params):
    response = _client(org.member_a).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


@pytest.mark.parametrize("size", [2, 12])
def test_the_list_query_count_does_not_grow(
    org, w, size, django_assert_max_num_queries
):
    for number in range(size):
        account = CustomerAccountFactory(journey=w["journey"], owner=org.member_b)
        story_for(org.member_b, account, *w["steps"][:2], title=f"Story {number}")
    client = _client(org.member_a)
    with django_assert_max_num_queries(9):
        response = client.get(URL)
    assert len(response.json()["results"]) == size


# --- Writing ----------------------------------------------------------------------


def test_a_member_writes_a_draft_then_publishes_it(org, w):
    client = _client(org.member_a)
    response = client.post(URL, _body(w["own"], w["steps"][0]), format="json")
    assert response.status_code == 201
    row = response.json()
    assert (row["status"], row["is_mine"], row["account_name"]) == (
        "draft",
        True,
        "Acme",
    )
    assert row["to_step"] == w["steps"][1].pk
    published = client.post(f"{URL}{row['id']}/publish/").json()
    assert published["status"] == "published" and published["published_at"]


def test_publish_at_once(org, w):
    response = _client(org.member_a).post(
        URL, _body(w["own"], w["steps"][0], publish=True), format="json"
    )
    assert response.json()["status"] == "published"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"account": "other"}, "account"),
        ({"account": 10**12}, "account"),
        ({"account": "abc"}, "account"),
        ({"from_step": "foreign"}, "from_step"),
        ({"from_step": "last"}, "from_step"),
        ({"from_step": 10**12}, "from_step"),
        ({"to_step": "last"}, "to_step"),
        ({"title": ""}, "title"),
        ({"outcome_on": "2999-01-01"}, "outcome_on"),
        ({"outcome_on": "2026-02-30"}, "outcome_on"),
    ],
)
def test_bad_input_answers_400_on_its_field_and_writes_nothing(org, w, change, field):
    _journey, foreign = journey_with_steps(2)
    named = {
        "other": w["other"].pk,
        "foreign": foreign[0].pk,
        "last": w["steps"][2].pk,
    }
    body = _body(w["own"], w["steps"][0])
    body.update({key: named.get(value, value) for key, value in change.items()})
    response = _client(org.member_a).post(URL, body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not SuccessStory.objects.exists()


def test_only_the_author_changes_a_story(org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    url = f"{URL}{story.pk}/"
    assert _client(org.manager_a).patch(url, {"title": "x"}).status_code == 403
    response = _client(org.member_a).patch(url, {"title": "十日で"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "十日で"
    moved = _client(org.member_a).patch(
        url, {"from_step": w["steps"][1].pk}, format="json"
    )
    assert moved.json()["to_step"] == w["steps"][2].pk


def test_patching_the_title_keeps_the_transition_after_a_reordering(org, w):
    from journeys import services

    story = story_for(org.member_a, w["own"], *w["steps"][1:3])
    services.step_retire(step=w["steps"][1], by=org.admin)
    response = _client(org.member_a).patch(
        f"{URL}{story.pk}/", {"title": "十日で"}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["title"], body["from_step"], body["to_step"]) == (
        "十日で",
        w["steps"][1].pk,
        w["steps"][2].pk,
    )


def test_a_published_story_is_not_deleted_a_draft_is(org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    draft = story_for(org.member_a, w["own"], *w["steps"][:2], published=False)
    client = _client(org.member_a)
    assert client.delete(f"{URL}{story.pk}/").status_code == 403
    assert client.delete(f"{URL}{draft.pk}/").status_code == 204
    assert list(SuccessStory.objects.values_list("pk", flat=True)) == [story.pk]


def test_another_members_draft_answers_404_to_every_write(org, w):
    draft = story_for(org.member_b, w["other"], *w["steps"][:2], published=False)
    client = _client(org.member_a)
    url = f"{URL}{draft.pk}/"
    assert client.patch(url, {"title": "x"}, format="json").status_code == 404
    assert client.post(f"{url}publish/").status_code == 404
    assert client.delete(url).status_code == 404
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("二週間で設定完了", StoryStatus.DRAFT)


# --- Featuring --------------------------------------------------------------------


def test_a_leader_features_a_story_for_a_month_and_stops(org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    client = _client(org.manager_a)
    month = f"{timezone.localdate():%Y-%m}"
    row = client.post(f"{URL}{story.pk}/feature/", {"month": month}).json()
    assert row["featured_month"] == month
    row = client.delete(f"{URL}{story.pk}/feature/").json()
    assert row["featured_month"] is None


@pytest.mark.parametrize("month", ["2026-13", "26-01", "2001-01"])
def test_a_bad_month_answers_400(org, w, month):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    response = _client(org.manager_a).post(
        f"{URL}{story.pk}/feature/", {"month": month}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["month"]


def test_another_teams_leader_and_members_may_not_feature(org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    for user in (org.manager_b, org.member_a):
        response = _client(user).post(f"{URL}{story.pk}/feature/", {})
        assert response.status_code == 403
    story.refresh_from_db()
    assert story.featured_month is None
