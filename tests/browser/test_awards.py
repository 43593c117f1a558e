"""Awards in a real browser: an admin sets next month's award metric, ahead of time,
and sees it on the program's page."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from recognition.metrics import add_months, this_month
from recognition.models import AwardMetricChange, AwardPeriod
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, build_organisation
from tests.journeys.factories import journey_with_steps
from tests.recognition.award_factories import AwardProgramFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(transactional_db):
    # An earlier transactional test flushes the groups the data migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    return build_organisation()


def test_an_admin_sets_next_months_award_metric(page, org):
    journey, steps = journey_with_steps(3, name="Onboarding journey")
    program = AwardProgramFactory(name="Monthly MVP", teams=[org.team_a])
    next_month = add_months(this_month(), 1)
    org.admin.preferred_language = "en"
    org.admin.save(update_fields=["preferred_language"])

    page.goto(reverse("recognition:award_detail", args=[program.pk]))
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.get_by_test_id("set-metric").click()
    page.select_option("#id_period", f"{next_month:%Y-%m}")
    page.select_option("#id_metric", f"step_conversion:{steps[0].pk}")
    page.get_by_role("button", name="Save the metric").click()

    page.wait_for_url(f"**{reverse('recognition:award_detail', args=[program.pk])}**")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "awards_next_month.png", full_page=True)
    assert "Onboarding journey" in page.content()
    period = AwardPeriod.objects.get(program=program)
    assert (period.start, period.metric, period.set_by) == (
        next_month,
        f"step_conversion:{steps[0].pk}",
        org.admin,
    )
    # Set ahead of time: no reason was asked and no change is on record.
    assert not AwardMetricChange.objects.exists()
