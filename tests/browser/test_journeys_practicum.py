"""The practicum in a real browser: a new member walks a step of the journey, writes
a reflection and finds it kept after a reload."""

import pytest
from django.urls import reverse

from journeys.models import PracticumReflection
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, TeamMembershipFactory
from tests.journeys.factories import journey_with_steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_new_member_writes_a_practicum_reflection_and_finds_it_kept(page, org):
    journey, steps = journey_with_steps(2, name="Onboarding journey")
    newcomer = TeamMembershipFactory(
        team=org.team_a,
        user__username="newcomer",
        user__family_name="新人",
        user__preferred_language="en",
    ).user
    step = steps[0]
    prefix = f"#id_step-{step.pk}"
    card = f"#step-{step.pk}"

    page.goto(reverse("journeys:practicum"))
    page.fill("#id_username", newcomer.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/journeys/practicum/")
    assert "Not ready for accounts" in page.inner_text("[data-testid=readiness]")

    page.locator(card).get_by_label("kickoff held").check()
    page.fill(f"{prefix}-what_was_hard", "初回の議題が多すぎた")
    page.fill(f"{prefix}-where_stuck", "日程調整の連絡先")
    page.click(f"{card} button[name=save]")
    page.wait_for_selector(".alert-success")

    page.reload()
    assert page.input_value(f"{prefix}-what_was_hard") == "初回の議題が多すぎた"
    assert page.input_value(f"{prefix}-where_stuck") == "日程調整の連絡先"
    assert page.locator(card).get_by_label("kickoff held").is_checked()
    assert not page.locator(card).get_by_label("goals agreed").is_checked()
    assert "In progress" in page.inner_text(card)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "journeys_practicum_kept.png", full_page=True)

    reflection = PracticumReflection.objects.get(member=newcomer, step=step)
    assert reflection.checks_done == ["kickoff held"]
    assert reflection.completed_at is None
    assert journey.pk == step.journey_id
