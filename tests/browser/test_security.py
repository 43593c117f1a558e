"""The Content-Security-Policy in a real browser: Kata's pages, the language switch
and a confirmation (now in static JavaScript), the API docs and the admin run with
no violation on the console (the `page` fixture fails the test on any)."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from recognition.models import CareerLevel
from tests.factories import TEST_PASSWORD, build_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(transactional_db):
    # An earlier transactional test flushes the groups the data migration made.
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    return build_organisation()


def test_pages_scripts_and_third_party_pages_keep_the_policy(page, org):
    level = CareerLevel.objects.create(name="CSM", position=1)
    response = page.goto(reverse("login"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{reverse('home')}")

    # The language switcher submits on change, from static/js/kata.js.
    # Each switch navigates: wait for it, or the next goto races it (ERR_ABORTED).
    with page.expect_navigation():
        page.select_option("#language-select", "ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    with page.expect_navigation():
        page.select_option("#language-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"

    for url in [
        reverse("accounts:audit_history"),
        reverse("recognition:ladder"),
        reverse("admin:index"),
        reverse("admin:recognition_careerlevel_changelist"),
        reverse("admin:recognition_memberlevel_changelist"),
        reverse("admin:recognition_careerlevel_history", args=[level.pk]),
        "/api/v1/me/",
    ]:
        assert page.goto(url).status == 200, url
    page.goto(reverse("api-docs"))
    page.wait_for_selector(".swagger-ui .info", timeout=15000)
