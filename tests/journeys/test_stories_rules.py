"""Success stories: who reads them (drafts, published stories, the account and the
author's name), the writes' validation (account, transition, date), publishing,
deleting a draft, featuring at a month's meeting, and the library's filters."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone

from journeys import permissions, stories, story_services
from journeys.models import StoryStatus, SuccessStory
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps
from tests.journeys.story_factories import story_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(org):
    journey, steps = journey_with_steps(3)
    own = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    other = CustomerAccountFactory(journey=journey, owner=org.member_b, name="Beta")
    return {"journey": journey, "steps": steps, "own": own, "other": other}


def _write(by, account, from_step, **fields):
    return story_services.story_save(
        by=by,
        account=account,
        from_step=from_step,
        title=fields.pop("title", "設定を二週間で"),
        what_we_did=fields.pop("what_we_did", "キックオフで目標を合意した"),
        customer_outcome=fields.pop("customer_outcome", "二週間で設定完了"),
        **fields,
    )


# --- Who reads what ---------------------------------------------------------------


def test_a_draft_is_read_by_its_author_and_admins_only(org, w):
    draft = story_for(org.member_b, w["other"], *w["steps"][:2], published=False)
    readers = {
        role: permissions.visible_stories(user).filter(pk=draft.pk).exists()
        for role, user in {
            "author": org.member_b,
            "admin": org.admin,
            "their leader": org.manager_b,
            "another member": org.member_a,
            "another leader": org.manager_a,
        }.items()
    }
    assert readers == {
        "author": True,
        "admin": True,
        "their leader": False,
        "another member": False,
        "another leader": False,
    }


def test_a_published_story_is_read_across_teams_but_not_by_hiring_roles(org, w):
    story = story_for(org.member_b, w["other"], *w["steps"][:2])
    for user in (org.member_a, org.manager_a, org.sub_member, org.admin):
        assert permissions.visible_stories(user).filter(pk=story.pk).exists()
    for user in (org.interviewer, org.recruiter):
        assert not permissions.visible_stories(user).exists()


def test_the_account_and_the_author_are_disclosed_only_to_who_may_see_them(org, w):
    story = story_for(org.member_b, w["other"], *w["steps"][:2])
    shown = {}
    for role, user in {
        "author": org.member_b,
        "their leader": org.manager_b,
        "admin": org.admin,
        "another member": org.member_a,
        "another leader": org.manager_a,
    }.items():
        copy = SuccessStory.objects.get(pk=story.pk)
        permissions.story_disclosure(user, [copy])
        shown[role] = (copy.shows_account, copy.shows_author)
    assert shown == {
        "author": (True, True),
        "their leader": (True, True),
        "admin": (True, True),
        "another member": (False, False),
        "another leader": (False, False),
    }


def test_teammates_know_each_other_but_not_the_account_they_do_not_cover(org, w):
    from accounts.models import Role
    from tests.factories import TeamMembershipFactory, UserFactory

    teammate = TeamMembershipFactory(
        team=org.team_a, user=UserFactory(roles=[Role.MEMBER])
    ).user
    story = story_for(teammate, w["own"], *w["steps"][:2])
    permissions.story_disclosure(org.member_a, [story])
    # member_a owns the account and shares the team roster with the author.
    assert (story.shows_account, story.shows_author) == (True, True)
    permissions.story_disclosure(org.sub_member, [story])
    assert (story.shows_account, story.shows_author) == (False, False)


def test_disclosure_runs_two_queries_for_any_number_of_stories(
    org, w, django_assert_num_queries
):
    many = [story_for(org.member_b, w["other"], *w["steps"][:2]) for _ in range(6)]
    # The roles and led teams are read once per user object, before.
    permissions.roles_of(org.member_a)
    permissions.managed_team_ids(org.member_a)
    with django_assert_num_queries(2):
        permissions.story_disclosure(org.member_a, many)


# --- Writing ----------------------------------------------------------------------


def test_a_new_story_is_a_draft_of_its_author_on_the_next_step(org, w):
    story = _write(org.member_a, w["own"], w["steps"][0])
    assert story.status == StoryStatus.DRAFT
    assert story.published_at is None
    assert story.author == org.member_a
    assert story.to_step == w["steps"][1]


def test_publishing_at_once_or_later_stamps_the_time(org, w):
    at_once = _write(org.member_a, w["own"], w["steps"][0], publish=True)
    assert at_once.status == StoryStatus.PUBLISHED and at_once.published_at
    draft = _write(org.member_a, w["own"], w["steps"][1])
    moment = datetime(2026, 5, 1, 3, tzinfo=UTC)
    story_services.story_publish(story=draft, by=org.member_a, now=moment)
    draft.refresh_from_db()
    assert (draft.status, draft.published_at) == (StoryStatus.PUBLISHED, moment)


def test_an_account_the_author_does_not_work_on_is_refused_on_its_field(org, w):
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, w["other"], w["steps"][0])
    assert list(error.value.message_dict) == ["account"]
    assert not SuccessStory.objects.exists()


def test_a_transition_of_another_journey_is_refused_on_its_field(org, w):
    _journey, foreign = journey_with_steps(2)
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, w["own"], foreign[0])
    assert list(error.value.message_dict) == ["from_step"]
    assert w["journey"].name in error.value.message_dict["from_step"][0]


def test_the_last_step_leads_nowhere(org, w):
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, w["own"], w["steps"][2])
    assert list(error.value.message_dict) == ["from_step"]


def test_a_to_step_that_is_not_the_next_one_is_refused(org, w):
    with pytest.raises(ValidationError) as error:
        _write(org.member_a, w["own"], w["steps"][0], to_step=w["steps"][2])
    assert list(error.value.message_dict) == ["to_step"]


def test_a_retired_step_in_between_is_skipped(org, w):
    from journeys import services

    services.step_retire(step=w["steps"][1], by=org.admin)
    story = _write(org.member_a, w["own"], w["steps"][0])
    assert story.to_step == w["steps"][2]


def test_a_later_reordering_does_not_rewrite_the_story_on_an_edit(org, w):
    from journeys import services

    story = _write(org.member_a, w["own"], w["steps"][1])
    assert story.to_step == w["steps"][2]
    inserted = services.step_insert(journey=w["journey"], position=3, name="New")
    story_services.story_update(story=story, by=org.member_a, title="Typo fixed")
    story.refresh_from_db()
    assert (story.title, story.to_step) == ("Typo fixed", w["steps"][2])
    # Choosing the transition again (from the same step) takes today's next step.
    story_services.story_update(
        story=story, by=org.member_a, from_step=w["steps"][1], to_step=inserted
    )
    story.refresh_from_db()
    assert story.to_step == inserted


def test_a_story_whose_from_step_was_retired_is_still_edited(org, w):
    from journeys import services

    story = _write(org.member_a, w["own"], w["steps"][1])
    services.step_retire(step=w["steps"][1], by=org.admin)
    story_services.story_update(story=story, by=org.member_a, title="Typo fixed")
    story.refresh_from_db()
    assert story.title == "Typo fixed"
    assert (story.from_step, story.to_step) == (w["steps"][1], w["steps"][2])
    # A change of transition is checked against today's steps.
    with pytest.raises(ValidationError) as error:
        story_services.story_update(
            story=story, by=org.member_a, from_step=w["steps"][1], to_step=w["steps"][0]
        )
    assert list(error.value.message_dict) == ["from_step"]


def test_an_outcome_in_the_future_and_blank_text_are_refused_by_field(org, w):
    with pytest.raises(ValidationError) as error:
        _write(
            org.member_a,
            w["own"],
            w["steps"][0],
            title="  ",
            outcome_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"title", "outcome_on"}


def test_only_the_author_edits_and_only_a_draft_is_deleted(org, w):
    story = _write(org.member_a, w["own"], w["steps"][0])
    with pytest.raises(PermissionError):
        story_services.story_update(story=story, by=org.manager_a, title="x")
    story_services.story_update(story=story, by=org.member_a, title="十日で設定")
    story.refresh_from_db()
    assert story.title == "十日で設定"
    story_services.story_publish(story=story, by=org.member_a)
    with pytest.raises(PermissionError):
        story_services.story_delete(story=story, by=org.member_a)
    assert SuccessStory.objects.filter(pk=story.pk).exists()


def test_hiring_roles_write_no_story(org, w):
    with pytest.raises(PermissionError):
        _write(org.interviewer, w["own"], w["steps"][0])


# --- Featuring --------------------------------------------------------------------


def test_a_leader_features_their_members_story_for_a_month(org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    story_services.story_feature(
        story=story, by=org.manager_a, month=timezone.localdate()
    )
    story.refresh_from_db()
    assert story.featured_month == timezone.localdate().replace(day=1)
    assert story.featured_by == org.manager_a
    story_services.story_unfeature(story=story, by=org.manager_a)
    story.refresh_from_db()
    assert (story.featured_month, story.featured_by) == (None, None)


def test_another_teams_leader_a_member_and_drafts_are_not_featured(org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    for user in (org.manager_b, org.member_a):
        with pytest.raises(PermissionError):
            story_services.story_feature(story=story, by=user)
    draft = story_for(org.member_a, w["own"], *w["steps"][:2], published=False)
    with pytest.raises(PermissionError):
        story_services.story_feature(story=draft, by=org.admin)
    # The leader of the team above features the sub-team's member's story.
    sub = CustomerAccountFactory(journey=w["journey"], owner=org.sub_member)
    sub_story = story_for(org.sub_member, sub, *w["steps"][:2])
    story_services.story_feature(story=sub_story, by=org.manager_a)
    assert SuccessStory.objects.get(pk=sub_story.pk).featured_month is not None


def test_a_month_before_publication_or_too_far_ahead_is_refused(org, w):
    now = datetime(2026, 6, 10, 3, tzinfo=UTC)
    story = story_for(
        org.member_a,
        w["own"],
        *w["steps"][:2],
        published_at=datetime(2026, 5, 20, 3, tzinfo=UTC),
    )
    for month in (date(2026, 4, 1), date(2026, 8, 1)):
        with pytest.raises(ValidationError) as error:
            story_services.story_feature(
                story=story, by=org.manager_a, month=month, now=now
            )
        assert list(error.value.message_dict) == ["month"]
    for month in (date(2026, 5, 1), date(2026, 7, 1)):
        story_services.story_feature(
            story=story, by=org.manager_a, month=month, now=now
        )
        assert SuccessStory.objects.get(pk=story.pk).featured_month == month


def test_featured_stories_count_for_their_authors_current_team(org, w):
    month = timezone.localdate().replace(day=1)
    a = story_for(org.member_a, w["own"], *w["steps"][:2], featured_month=month)
    b = story_for(org.member_b, w["other"], *w["steps"][:2], featured_month=month)
    story_for(org.member_a, w["own"], *w["steps"][:2])  # not featured
    by_team = stories.featured_by_team(
        org.admin, month=month, team_ids=[org.team_a.pk, org.team_b.pk]
    )
    assert by_team == {org.team_a.pk: [a], org.team_b.pk: [b]}


# --- The library's filters --------------------------------------------------------


def _filtered(viewer, **params):
    request = RequestFactory().get("/", params)
    request.user = viewer
    filterset = stories.StoryFilter(
        request.GET, queryset=stories.story_library(viewer), request=request
    )
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs)


def test_filters_by_transition_playbook_and_featured(org, w):
    from tests.journeys.factories import PlaybookFactory

    first = story_for(org.member_a, w["own"], *w["steps"][:2])
    second = story_for(
        org.member_a, w["own"], *w["steps"][1:3], featured_month=date(2026, 4, 1)
    )
    playbook = PlaybookFactory(from_step=w["steps"][1])
    viewer = org.member_a
    assert _filtered(viewer, from_step=w["steps"][0].pk) == {first}
    assert _filtered(viewer, playbook=playbook.pk) == {second}
    assert _filtered(viewer, featured="true") == {second}
    assert _filtered(viewer, journey=w["journey"].pk) == {first, second}


def test_account_and_author_filters_do_not_tell_whose_a_story_is(org, w):
    story = story_for(org.member_b, w["other"], *w["steps"][:2])
    assert _filtered(org.member_a, account=w["other"].pk) == set()
    assert _filtered(org.member_a, author=org.member_b.pk) == set()
    assert _filtered(org.manager_b, account=w["other"].pk) == {story}
    assert _filtered(org.manager_b, author=org.member_b.pk) == {story}


def test_mine_lists_own_drafts_and_stories(org, w):
    mine = story_for(org.member_a, w["own"], *w["steps"][:2], published=False)
    theirs = story_for(org.member_b, w["other"], *w["steps"][:2])
    assert _filtered(org.member_a) == {mine, theirs}
    assert _filtered(org.member_a, mine="true") == {mine}
    # Another member's draft is not in anyone else's library, admins' included.
    story_for(org.member_b, w["other"], *w["steps"][:2], published=False)
    assert _filtered(org.admin) == {theirs}
