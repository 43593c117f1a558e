"""Every role lands on its work: each role logs in at /, walks its home and clicks
into its main task, in Japanese and in English (the user's preferred language is
the page language after login)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from tests.browser.conftest import ARTIFACTS
from tests.factories import (
    TEST_PASSWORD,
    ApplicationFactory,
    CandidateFactory,
    build_hiring,
    build_organisation,
    schedule_interview,
)
from tests.test_home import build_home_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGUAGES = ["ja", "en"]


@pytest.fixture
def org(transactional_db):
    # An earlier transactional test flushes the groups the data migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    return build_organisation()


def _log_in(page, user, language: str) -> None:
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    page.goto("/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == language
    assert ("ようこそ" if language == "ja" else "Welcome") in page.locator(
        "h1"
    ).inner_text()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"home_{name}.png", full_page=True)


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_interviewer_opens_a_due_scorecard(page, org, language):
    hiring = build_hiring(org)
    late = schedule_interview(
        ApplicationFactory(
            opening=hiring.opening, candidate=CandidateFactory(name="遅延 花子")
        ),
        hiring.kit,
        org.interviewer,
        when=timezone.now() - timedelta(days=3),
    )
    schedule_interview(
        ApplicationFactory(
            opening=hiring.opening, candidate=CandidateFactory(name="次回 次郎")
        ),
        hiring.kit,
        org.interviewer,
        when=timezone.now() + timedelta(days=1),
    )
    _log_in(page, org.interviewer, language)
    section = page.get_by_test_id("role-interviewer")
    assert section.is_visible()
    assert page.get_by_test_id("role-member").count() == 0
    due = page.get_by_test_id("due-scorecard")
    assert due.count() == 2
    # Overdue first.
    assert "遅延 花子" in due.first.inner_text()
    assert "次回 次郎" in page.get_by_test_id("next-interviews").inner_text()
    _shot(page, f"interviewer_{language}")

    due.first.get_by_role("link", name="遅延 花子").click()
    page.wait_for_url(f"**{reverse('hiring:scorecard', args=[late.pk])}")
    assert "遅延 花子" in page.content()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_member_opens_the_weakest_transitions_playbook(page, org, language):
    world = build_home_world(org)
    _log_in(page, org.member_a, language)
    assert page.get_by_test_id("role-member").is_visible()
    assert page.get_by_test_id("figure-line").count() >= 2
    weakest = page.get_by_test_id("my-weakest")
    assert "1. Step 1 → 2. Step 2" in weakest.inner_text()
    assert "Kickoff training" in weakest.inner_text()
    assert page.get_by_test_id("account-needing-action").count() == 8
    # Only their own figures: nobody else's name on the page.
    assert world.member_c.display_name not in page.content()
    _shot(page, f"member_{language}")

    page.get_by_test_id("weakest-playbook").click()
    page.wait_for_url(
        f"**{reverse('journeys:playbook_detail', args=[world.playbook.pk])}"
    )
    assert "初期設定を2週間で終える" in page.get_by_test_id("goal").inner_text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_manager_opens_an_attention_item(page, org, language):
    build_home_world(org)
    _log_in(page, org.manager_a, language)
    assert page.get_by_test_id("role-manager").is_visible()
    cell = page.get_by_test_id("weak-cell").first
    assert org.member_a.display_name in cell.inner_text()
    assert (
        page.get_by_test_id("plans-due")
        .get_by_text(org.member_a.display_name)
        .is_visible()
    )
    _shot(page, f"manager_{language}")

    cell.get_by_role("link", name=org.member_a.display_name).click()
    page.wait_for_url(
        "**" + reverse("recognition:member", args=[org.member_a.pk]) + "?period=*"
    )
    assert page.get_by_test_id("weakest").is_visible()


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_admin_opens_a_team_row_and_a_missing_award_metric(page, org, language):
    world = build_home_world(org)
    _log_in(page, org.admin, language)
    assert page.get_by_test_id("role-admin").is_visible()
    rows = page.get_by_test_id("team-row")
    assert rows.count() == 3
    assert page.get_by_test_id("unset-period").count() >= 2
    _shot(page, f"admin_{language}")

    page.locator(f"[data-team='{org.team_a.pk}']").get_by_role(
        "link", name="Team A"
    ).click()
    page.wait_for_url(f"**{reverse('recognition:dashboard')}?team={org.team_a.pk}")
    assert page.get_by_test_id("journey-table").count() >= 1

    page.goto("/")
    spare = world.awards.spare
    page.get_by_test_id("unset-period").filter(has_text=spare.name).first.get_by_role(
        "link"
    ).click()
    page.wait_for_url(
        "**" + reverse("recognition:award_metric", args=[spare.pk]) + "?period=*"
    )
    assert page.locator("#id_metric").is_visible()
