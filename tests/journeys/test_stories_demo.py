"""The demo's success stories: a dozen, by members on their own accounts and on
transitions those accounts made, two drafts, three featured at last month's
sharing meeting by the author's leader; a second run adds none."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from journeys import permissions
from journeys.models import StepEvent, StoryStatus, SuccessStory
from journeys.success import last_complete_month

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("starting_profiles"),
    pytest.mark.long,
]


def test_the_demo_has_a_dozen_stories_featured_at_last_months_meeting(client):
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    stories = list(
        SuccessStory.objects.select_related("author", "account", "from_step", "to_step")
    )
    assert len(stories) == 12
    assert sum(story.status == StoryStatus.DRAFT for story in stories) == 2
    featured = [story for story in stories if story.featured_month]
    assert len(featured) == 3
    assert {story.featured_month for story in featured} == {last_complete_month()}
    assert len({story.author_id for story in stories}) > 1
    for story in stories:
        assert permissions.can_write_story_on(story.author, story.account)
        assert story.from_step.journey_id == story.account.journey_id
        assert story.to_step.position == story.from_step.position + 1
        assert StepEvent.objects.filter(
            account=story.account, step=story.to_step, voided_at__isnull=True
        ).exists()
    for story in featured:
        assert permissions.can_feature_story(story.featured_by, story)

    # The meeting of last month shows them to the leader who featured the first.
    client.force_login(featured[0].featured_by)
    page = client.get(
        reverse("recognition:sharing_meeting"),
        {"month": f"{last_complete_month():%Y-%m}"},
    ).content.decode()
    assert featured[0].title in page

    call_command("seed_demo", "--size", "small", stdout=StringIO())
    assert SuccessStory.objects.count() == 12
