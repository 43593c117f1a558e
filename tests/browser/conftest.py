"""Playwright for Python driving Debian's Chromium against the live test server."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from accounts.models import Role
from tests.conftest import CHROMIUM
from tests.factories import TEST_PASSWORD, build_organisation

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by
    # the test itself (fixtures, assertions) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    context = browser.new_context(
        base_url=live_server.url,
        locale="en-US",
        viewport={"width": 1280, "height": 900},
    )
    page = context.new_page()
    # Whatever the Content-Security-Policy blocks, Chromium reports on the console.
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{request.node.name}.png", full_page=True)
    context.close()
    assert violations == [], "the page broke its Content-Security-Policy"


@pytest.fixture
def org(transactional_db):
    """The organisation, with the role groups first: an earlier transactional test
    flushes the database, taking the groups the data migration created with it."""
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    return build_organisation()


def log_in(page, username: str) -> None:
    """Sign in on the login page the browser is on."""
    page.fill("#id_username", username)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
