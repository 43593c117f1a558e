"""The revenue KPI page's months table in a real browser, in Japanese: every figure
and header stays on one line and the table fits at 1280 px; at a phone's width
(375 px) the table scrolls sideways inside its wrapper while the page itself does
not."""

import pytest
from django.urls import reverse

from tests.browser.conftest import ARTIFACTS, log_in
from tests.browser.test_revenue_kpis import _arr

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLE = "[data-testid=revenue-months]"
FIGURES = f"{TABLE} :is(th, td):not(.wrap-head)"
LONG_HEADERS = f"{TABLE} .wrap-head"
# The tallest text of the cells, in lines of their own font: the height from the
# top of the text's first box to the bottom of its last (not the cell's height,
# which its row sets).
LINES = """(selector) => {
  let most = 0;
  for (const cell of document.querySelectorAll(selector)) {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const boxes = Array.from(range.getClientRects());
    if (!boxes.length) continue;
    const top = Math.min(...boxes.map((box) => box.top));
    const bottom = Math.max(...boxes.map((box) => box.bottom));
    const style = getComputedStyle(cell);
    const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.5;
    most = Math.max(most, (bottom - top) / line);
  }
  return most;
}"""


@pytest.fixture
def leader(org):
    org.admin.preferred_language = "ja"
    org.admin.save(update_fields=["preferred_language"])
    _arr(org)
    return org


def _open(page) -> None:
    url = reverse("recognition:revenue_kpis")
    page.goto(url)
    log_in(page, "admin")
    page.wait_for_url(f"**{url}")


def test_each_figure_stays_on_one_line_on_a_desktop_and_a_phone(page, leader):
    _open(page)
    # The running month's badge sits beside its month: one line, with room.
    assert page.evaluate(LINES, FIGURES) < 1.9
    # The long headers (logo churn, per CSM) may take two lines, never more.
    assert page.evaluate(LINES, LONG_HEADERS) < 2.9
    # At 1280 px the whole table fits: no sideways scrolling on a desktop.
    wrapper = page.locator(f".table-responsive:has({TABLE})")
    assert wrapper.evaluate("(el) => el.scrollWidth <= el.clientWidth")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "revenue_kpis_ja_1280.png", full_page=True)

    page.set_viewport_size({"width": 375, "height": 800})
    page.reload()
    assert page.evaluate(LINES, FIGURES) < 1.9
    assert page.evaluate(LINES, LONG_HEADERS) < 2.9
    assert wrapper.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.screenshot(path=ARTIFACTS / "revenue_kpis_ja_375.png", full_page=True)
