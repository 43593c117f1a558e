"""The revenue KPI page's months table in a real browser, in Japanese: every figure
and header stays on one line at 1280 px, and at a phone's width (375 px) the table
scrolls sideways inside its wrapper while the page itself does not."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Role
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_revenue_kpis import _arr
from tests.factories import TEST_PASSWORD, build_organisation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = "[data-testid=revenue-months]"
# The height of the tallest header or body cell, in lines of the cell's own text.
LINES = """(selector) => {
  const cells = document.querySelectorAll(`${selector} th, ${selector} td`);
  let most = 0;
  for (const cell of cells) {
    const style = getComputedStyle(cell);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    most = Math.max(most, (cell.clientHeight - padding) / line);
  }
  return most;
}"""


@pytest.fixture
def leader(transactional_db):
    for role in Role:
        Group.objects.get_or_create(name=role.value)
    org = build_organisation()
    org.admin.preferred_language = "ja"
    org.admin.save(update_fields=["preferred_language"])
    _arr(org)
    return org


def _open(page) -> None:
    url = reverse("recognition:revenue_kpis")
    page.goto(url)
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"**{url}")


def test_each_figure_stays_on_one_line_on_a_desktop_and_a_phone(page, leader):
    _open(page)
    # The running month's badge sits beside its month: one line, with room.
    assert page.evaluate(LINES, TABLE) < 1.9
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "revenue_kpis_ja.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate(LINES, TABLE) < 1.9
    wrapper = page.locator(f".table-responsive:has({TABLE})")
    assert wrapper.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=ARTIFACTS / "revenue_kpis_ja_375.png", full_page=True)
