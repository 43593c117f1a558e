"""Authorization-matrix rows (see tests/test_authorization_matrix.py): success stories.

Statuses in the order anonymous admin manager(manager_a) member(member_a) interviewer
recruiter. The objects: member_a's account (team A), a published story of member_a
on it and a draft of member_a. Published stories are read by admins, managers and
members; a draft by its author (and admins); only the author changes, publishes
and deletes (a draft) their story; manager_a (member_a's leader) and admins feature
it. Interviewers and recruiters have no library (403 on the pages and the API's
writes, whose role rule comes first; the API's list is empty for them)."""

from types import SimpleNamespace

from django.urls import reverse

V1 = "/api/v1"


def stories_world(org):
    objects = getattr(org, "journeys_stories", None)
    if objects is None:
        from django.utils import timezone

        from journeys.models import StoryStatus, SuccessStory
        from tests.journeys.factories import CustomerAccountFactory, journey_with_steps

        journey, steps = journey_with_steps(3)
        account = CustomerAccountFactory(journey=journey, owner=org.member_a)
        story = dict(
            author=org.member_a,
            account=account,
            from_step=steps[0],
            to_step=steps[1],
            what_we_did="キックオフで目標を合意した",
            customer_outcome="二週間で設定完了",
        )
        objects = SimpleNamespace(
            account=account,
            steps=steps,
            published=SuccessStory.objects.create(
                title="設定を二週間で",
                status=StoryStatus.PUBLISHED,
                published_at=timezone.now(),
                **story,
            ),
            draft=SuccessStory.objects.create(title="下書き", **story),
        )
        org.journeys_stories = objects
    return objects


def _page(name, which="published"):
    return lambda org: reverse(name, args=[getattr(stories_world(org), which).pk])


READERS = "302 200 200 200 403 403"
AUTHOR_OF_DRAFT = "302 403 404 302 403 403"
FEATURERS = "302 302 302 403 403 403"

UI_ROWS = {
    "journeys:story_list": (
        "get",
        lambda org: reverse("journeys:story_list"),
        None,
        READERS,
    ),
    "journeys:story_create": (
        "get",
        lambda org: reverse("journeys:story_create"),
        None,
        READERS,
    ),
    "journeys:story_detail": ("get", _page("journeys:story_detail"), None, READERS),
    "journeys:story_edit": (
        "get",
        _page("journeys:story_edit"),
        None,
        "302 403 403 200 403 403",
    ),
    "journeys:story_publish": (
        "post",
        _page("journeys:story_publish", "draft"),
        {},
        AUTHOR_OF_DRAFT,
    ),
    "journeys:story_delete": (
        "post",
        _page("journeys:story_delete", "draft"),
        {},
        AUTHOR_OF_DRAFT,
    ),
    "journeys:story_feature": (
        "post",
        _page("journeys:story_feature"),
        {},
        FEATURERS,
    ),
    "journeys:story_unfeature": (
        "post",
        _page("journeys:story_unfeature"),
        {},
        FEATURERS,
    ),
    # The API's own URL names: their operations are in API_ROWS.
    "success-story-list": None,
    "success-story-detail": None,
    "success-story-publish": None,
    "success-story-feature": None,
}


def _story_url(which="published", suffix=""):
    return lambda org: (
        f"{V1}/success-stories/{getattr(stories_world(org), which).pk}/{suffix}"
    )


# The body of a new story names the world's account and step: filled in place when
# the URL is built, before the request is sent.
_new_story = {}


def _new_story_url(org):
    world = stories_world(org)
    _new_story.clear()
    _new_story.update(
        {
            "account": world.account.pk,
            "from_step": world.steps[1].pk,
            "title": "定着化の工夫",
            "what_we_did": "週次で利用状況を共有した",
            "customer_outcome": "利用率が八割に",
        }
    )
    return f"{V1}/success-stories/"


API_ROWS = {
    (f"{V1}/success-stories/", "GET"): (
        lambda org: f"{V1}/success-stories/",
        None,
        "401 200 200 200 200 200",
    ),
    (f"{V1}/success-stories/", "POST"): (
        _new_story_url,
        _new_story,
        "401 201 201 201 403 403",
    ),
    (f"{V1}/success-stories/{{id}}/", "GET"): (
        _story_url(),
        None,
        "401 200 200 200 404 404",
    ),
    (f"{V1}/success-stories/{{id}}/", "PATCH"): (
        _story_url(),
        {"title": "設定を十日で"},
        "401 403 403 200 403 403",
    ),
    (f"{V1}/success-stories/{{id}}/", "DELETE"): (
        _story_url("draft"),
        None,
        "401 403 404 204 403 403",
    ),
    (f"{V1}/success-stories/{{id}}/publish/", "POST"): (
        _story_url("draft", "publish/"),
        None,
        "401 403 404 200 403 403",
    ),
    (f"{V1}/success-stories/{{id}}/feature/", "POST"): (
        _story_url(suffix="feature/"),
        {},
        "401 200 200 403 403 403",
    ),
    (f"{V1}/success-stories/{{id}}/feature/", "DELETE"): (
        _story_url(suffix="feature/"),
        None,
        "401 200 200 403 403 403",
    ),
}
