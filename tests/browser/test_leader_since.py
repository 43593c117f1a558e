"""An admin corrects a leader's start date on the person's page, in the browser: a
future date is refused on the field, then a past one is saved and listed."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import Role
from tests.factories import TEST_PASSWORD, build_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(transactional_db):
    # An earlier transactional test flushes the groups the data migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    return build_organisation()


def test_an_admin_corrects_a_leader_start_date(page, org):
    org.admin.preferred_language = "en"
    org.admin.save(update_fields=["preferred_language"])
    page.goto("/login/")
    page.fill("#id_username", org.admin.username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/")

    page.goto(org.manager_a.get_absolute_url())
    form = page.get_by_test_id("leader-since-form")
    tomorrow = timezone.localdate() + timedelta(days=1)
    form.locator("#id_leader_since").fill(tomorrow.isoformat())
    form.locator("input[type=submit]").click()
    page.wait_for_load_state()
    form = page.get_by_test_id("leader-since-form")
    assert "cannot be in the future" in form.inner_text()
    assert form.locator("#id_leader_since").input_value() == tomorrow.isoformat()

    page.get_by_test_id("leader-since-form").locator("#id_leader_since").fill(
        "2019-04-01"
    )
    page.get_by_test_id("leader-since-form").locator("input[type=submit]").click()
    page.wait_for_url(f"**{org.manager_a.get_absolute_url()}")
    assert "2019" in page.get_by_test_id("leader-since").inner_text()
    assert org.admin.display_name in (
        page.get_by_test_id("leader-since-history").inner_text()
    )
