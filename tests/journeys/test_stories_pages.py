"""Success-story pages: the library (filters, empty states, pagination, its query
count at two sizes), a story as each reader sees it (another team's account and
author withheld), writing a draft then publishing it, errors on the fields,
the account page's link, featuring, and the real examples on the playbook and the
training module pages and the sharing meeting."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import StoryStatus, SuccessStory
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    TrainingModuleFactory,
    journey_with_steps,
)
from tests.journeys.story_factories import story_for

pytestmark = pytest.mark.django_db

LIBRARY = reverse("journeys:story_list")
NEW = reverse("journeys:story_create")


@pytest.fixture
def w(org):
    journey, steps = journey_with_steps(3, name="Onboarding journey")
    own = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    other = CustomerAccountFactory(
        journey=journey, owner=org.member_b, name="Beta Corp", segment="Secret SEG"
    )
    return {"journey": journey, "steps": steps, "own": own, "other": other}


def _text(response) -> str:
    return response.content.decode()


# --- The library ------------------------------------------------------------------


def test_the_library_lists_published_stories_and_my_drafts(client, org, w):
    story_for(org.member_b, w["other"], *w["steps"][:2], title="Beta moved on")
    story_for(
        org.member_a, w["own"], *w["steps"][:2], title="My draft", published=False
    )
    story_for(
        org.member_b, w["other"], *w["steps"][:2], title="Their draft", published=False
    )
    client.force_login(org.member_a)
    body = _text(client.get(LIBRARY))
    assert "Beta moved on" in body and "My draft" in body
    assert "Their draft" not in body
    # Another team's account and its segment are withheld, and so is the author.
    assert "Beta Corp" not in body and "Secret SEG" not in body
    assert org.member_b.display_name not in body
    assert "a customer" in body and "a colleague" in body


def test_the_library_is_not_for_hiring_roles(client, org):
    client.force_login(org.interviewer)
    assert client.get(LIBRARY).status_code == 403


def test_empty_library_and_empty_filters_say_so(client, org, w):
    client.force_login(org.member_a)
    assert "No success story yet" in _text(client.get(LIBRARY))
    story_for(org.member_a, w["own"], *w["steps"][:2])
    body = _text(client.get(LIBRARY, {"featured": "true"}))
    assert "No story with these filters." in body


def test_a_bad_filter_value_is_an_error_on_the_field(client, org, w):
    story_for(org.member_a, w["own"], *w["steps"][:2], title="Visible")
    client.force_login(org.member_a)
    response = client.get(LIBRARY, {"journey": "abc", "featured": "maybe"})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"journey", "featured"}
    assert "Visible" not in _text(response)


def test_the_library_paginates(client, org, w):
    for number in range(23):
        story_for(org.member_a, w["own"], *w["steps"][:2], title=f"Story {number}")
    client.force_login(org.member_a)
    first = client.get(LIBRARY, {"mine": "true"})
    assert len(first.context["page"].object_list) == 20
    second = _text(client.get(LIBRARY, {"mine": "true", "page": 2}))
    assert second.count('data-testid="story"') == 3
    assert "mine=true" in _text(first)  # the page links keep the filters


@pytest.mark.parametrize("size", [2, 12])
def test_the_library_query_count_does_not_grow(
    client, org, w, size, django_assert_max_num_queries
):
    for number in range(size):
        account = CustomerAccountFactory(journey=w["journey"], owner=org.member_b)
        story_for(org.member_b, account, *w["steps"][:2], title=f"Story {number}")
    client.force_login(org.member_a)
    with django_assert_max_num_queries(12):
        response = client.get(LIBRARY)
    assert _text(response).count('data-testid="story"') == size


# --- A story ----------------------------------------------------------------------


def test_a_story_shows_its_account_to_who_sees_it_and_a_customer_to_others(
    client, org, w
):
    story = story_for(org.member_b, w["other"], *w["steps"][:2], title="Beta")
    client.force_login(org.manager_b)
    body = _text(client.get(story.get_absolute_url()))
    assert "Beta Corp" in body and org.member_b.display_name in body
    client.force_login(org.member_a)
    body = _text(client.get(story.get_absolute_url()))
    assert "Beta Corp" not in body and "Secret SEG" not in body
    assert org.member_b.display_name not in body
    assert "You do not work on this account" in body
    assert "キックオフで目標を合意した" in body  # the story itself is shared


def test_another_members_draft_answers_404(client, org, w):
    draft = story_for(org.member_b, w["other"], *w["steps"][:2], published=False)
    for user in (org.member_a, org.manager_b):
        client.force_login(user)
        assert client.get(draft.get_absolute_url()).status_code == 404


def test_the_story_links_the_playbook_and_training_of_its_transition(client, org, w):
    playbook = PlaybookFactory(from_step=w["steps"][0])
    module = TrainingModuleFactory(from_step=w["steps"][0], title="Kickoff training")
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    client.force_login(org.member_a)
    body = _text(client.get(story.get_absolute_url()))
    assert playbook.get_absolute_url() in body
    assert module.get_absolute_url() in body


# --- Writing ----------------------------------------------------------------------


def _form(account, step, **fields):
    return {
        "account": account.pk,
        "from_step": step.pk,
        "title": "Setup in two weeks",
        "what_we_did": "We agreed the goals at the kickoff.",
        "customer_outcome": "Setup done in two weeks.",
        "outcome_on": "",
        **fields,
    }


def test_a_member_saves_a_draft_then_publishes_it(client, org, w):
    client.force_login(org.member_a)
    response = client.post(NEW, {**_form(w["own"], w["steps"][0]), "draft": "1"})
    story = SuccessStory.objects.get()
    assert response.url == story.get_absolute_url()
    assert story.status == StoryStatus.DRAFT
    page = _text(client.get(story.get_absolute_url()))
    assert "Draft: only you read it" in page and 'data-testid="story-publish"' in page
    client.post(reverse("journeys:story_publish", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED


def test_publish_from_the_form(client, org, w):
    client.force_login(org.member_a)
    client.post(NEW, {**_form(w["own"], w["steps"][0]), "publish": "1"})
    assert SuccessStory.objects.get().status == StoryStatus.PUBLISHED


def test_errors_are_on_their_fields_and_the_form_keeps_what_was_typed(client, org, w):
    _journey, foreign = journey_with_steps(2, name="Other journey")
    client.force_login(org.member_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        NEW,
        {
            **_form(w["own"], foreign[0], outcome_on=tomorrow),
            "what_we_did": "Kept this text",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"from_step", "outcome_on"}
    assert "Onboarding journey" in errors["from_step"][0]
    assert "Kept this text" in _text(response)
    assert not SuccessStory.objects.exists()


def test_an_account_of_another_team_is_not_offered(client, org, w):
    client.force_login(org.member_a)
    response = client.post(NEW, _form(w["other"], w["steps"][0]))
    assert "account" in response.context["form"].errors
    assert not SuccessStory.objects.exists()


def test_the_account_page_offers_to_write_a_story_prefilled(client, org, w):
    client.force_login(org.member_a)
    page = _text(client.get(w["own"].get_absolute_url()))
    link = f"{NEW}?account={w['own'].pk}"
    assert link in page
    form = client.get(link).context["form"]
    assert form.initial["account"] == w["own"].pk
    client.force_login(org.member_a)
    assert client.get(f"{NEW}?account={w['other'].pk}").status_code == 404


def test_too_many_accounts_for_a_menu_offer_the_one_chosen(client, org, w, monkeypatch):
    """An admin may write of any account: tens of thousands in a large
    organisation, too many for a menu. Past the limit the menu offers the account
    the account page's link chose; another writable account is still accepted."""
    from journeys.views import stories as story_views

    monkeypatch.setattr(story_views, "LISTED_ACCOUNTS", 1)
    client.force_login(org.admin)
    page = _text(client.get(f"{NEW}?account={w['own'].pk}"))
    assert _menu(page) == ["", str(w["own"].pk)]
    assert "open the account and choose" in page
    client.post(NEW, {**_form(w["other"], w["steps"][0]), "draft": "1"})
    assert SuccessStory.objects.get().account == w["other"]
    # Below the limit, every writable account is on the menu.
    monkeypatch.setattr(story_views, "LISTED_ACCOUNTS", 300)
    menu = _menu(_text(client.get(NEW)))
    assert {str(w["own"].pk), str(w["other"].pk)} <= set(menu)


def _menu(page: str) -> list[str]:
    """The values of the account menu's options."""
    menu = page.split('name="account"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([^"]*)"', menu)


def test_only_the_author_edits(client, org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    url = reverse("journeys:story_edit", args=[story.pk])
    client.force_login(org.manager_a)
    assert client.get(url).status_code == 403
    client.force_login(org.member_a)
    response = client.post(url, _form(w["own"], w["steps"][0], title="Ten days"))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Ten days" and story.status == StoryStatus.PUBLISHED


def test_an_author_edits_a_story_of_an_account_they_no_longer_work_on(client, org, w):
    # The account has moved to member_b since member_a told its story.
    story = story_for(org.member_a, w["other"], *w["steps"][:2])
    client.force_login(org.member_a)
    url = reverse("journeys:story_edit", args=[story.pk])
    response = client.post(url, _form(w["other"], w["steps"][0], title="Typo fixed"))
    assert response.status_code == 302
    story.refresh_from_db()
    assert story.title == "Typo fixed"


def test_the_edit_page_offers_the_storys_own_transition_after_a_reordering(
    client, org, w
):
    from journeys import services

    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    retired = story_for(org.member_a, w["own"], *w["steps"][1:3])
    services.step_insert(journey=w["journey"], position=2, name="Inserted")
    services.step_retire(step=w["steps"][1], by=org.admin)
    client.force_login(org.member_a)
    for told, (from_step, to_step) in (
        (story, w["steps"][:2]),
        (retired, w["steps"][1:3]),
    ):
        url = reverse("journeys:story_edit", args=[told.pk])
        menu = _text(client.get(url)).split('name="from_step"', 1)[1]
        # Offered and chosen, as it was written (a retired step has no number).
        chosen = re.search(r'<option value="(\d+)" selected>([^<]*)</option>', menu)
        assert chosen.group(1) == str(from_step.pk)
        label = re.sub(r"\d+\. ", "", chosen.group(2))
        assert label == f"{from_step.name} → {to_step.name}"
        response = client.post(url, _form(w["own"], from_step, title="Typo fixed"))
        assert response.status_code == 302
        told.refresh_from_db()
        assert (told.title, told.from_step, told.to_step) == (
            "Typo fixed",
            from_step,
            to_step,
        )


def test_the_author_deletes_a_draft(client, org, w):
    draft = story_for(org.member_a, w["own"], *w["steps"][:2], published=False)
    client.force_login(org.member_a)
    response = client.post(reverse("journeys:story_delete", args=[draft.pk]))
    assert response.url == LIBRARY
    assert not SuccessStory.objects.exists()


# --- Featuring --------------------------------------------------------------------


def test_a_leader_features_and_unfeatures_from_the_story_page(client, org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    client.force_login(org.manager_a)
    page = _text(client.get(story.get_absolute_url()))
    assert 'data-testid="story-feature"' in page
    month = f"{timezone.localdate():%Y-%m}"
    client.post(reverse("journeys:story_feature", args=[story.pk]), {"month": month})
    story.refresh_from_db()
    assert f"{story.featured_month:%Y-%m}" == month
    client.post(reverse("journeys:story_unfeature", args=[story.pk]))
    story.refresh_from_db()
    assert story.featured_month is None


def test_a_bad_month_is_an_error_on_the_field(client, org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    client.force_login(org.manager_a)
    url = reverse("journeys:story_feature", args=[story.pk])
    for month in ("2026-13", "2001-01"):
        response = client.post(url, {"month": month})
        assert response.status_code == 400
        assert "month" in response.context["feature_form"].errors
    story.refresh_from_db()
    assert story.featured_month is None


def test_members_and_other_leaders_see_no_feature_action(client, org, w):
    story = story_for(org.member_a, w["own"], *w["steps"][:2])
    for user in (org.member_a, org.manager_b):
        client.force_login(user)
        page = _text(client.get(story.get_absolute_url()))
        assert 'data-testid="story-feature"' not in page


def test_featured_stories_are_on_the_sharing_meeting_of_their_month(client, org, w):
    month = timezone.localdate().replace(day=1)
    story_for(
        org.member_b,
        w["other"],
        *w["steps"][:2],
        title="Featured Beta",
        featured_month=month,
    )
    url = reverse("recognition:sharing_meeting")
    client.force_login(org.manager_b)
    body = _text(client.get(url, {"month": f"{month:%Y-%m}"}))
    assert "Featured Beta" in body and "Beta Corp" in body
    assert body.count('data-testid="story-featured-at-meeting"') == 1
    client.force_login(org.manager_a)  # Team B is not theirs
    assert "Featured Beta" not in _text(client.get(url, {"month": f"{month:%Y-%m}"}))


# --- Real examples ----------------------------------------------------------------


def test_the_playbook_and_the_training_list_the_transitions_stories(client, org, w):
    playbook = PlaybookFactory(from_step=w["steps"][0])
    PlaybookVersionFactory(playbook=playbook)
    module = TrainingModuleFactory(from_step=w["steps"][0])
    story_for(org.member_b, w["other"], *w["steps"][:2], title="Real one")
    story_for(org.member_b, w["other"], *w["steps"][1:], title="Next transition")
    story_for(
        org.member_b, w["other"], *w["steps"][:2], title="A draft", published=False
    )
    client.force_login(org.member_a)
    for url in (playbook.get_absolute_url(), module.get_absolute_url()):
        body = _text(client.get(url))
        assert "Real examples" in body and "Real one" in body
        assert "Next transition" not in body and "A draft" not in body
        assert "Beta Corp" not in body


def test_a_transition_without_stories_says_so(client, org, w):
    playbook = PlaybookFactory(from_step=w["steps"][0])
    client.force_login(org.member_a)
    body = _text(client.get(playbook.get_absolute_url()))
    assert 'data-testid="real-examples-empty"' in body
