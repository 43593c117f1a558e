import pytest

from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_in_switch_to_japanese_and_open_a_team_page(page, org):
    org.admin.preferred_language = "en"
    org.admin.save()
    page.goto("/")
    assert "/login/" in page.url
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("h1").inner_text().startswith("Welcome")

    with page.expect_navigation():
        page.select_option("#language-select", "ja")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "ようこそ" in page.locator("h1").inner_text()

    page.get_by_role("link", name="チーム", exact=True).click()
    page.wait_for_url("**/teams/")
    # The team's own row (the name also links from its sub-team's parent column).
    page.locator("td:first-child").get_by_role(
        "link", name="Team A", exact=True
    ).click()
    page.wait_for_url(f"**/teams/{org.team_a.pk}/")
    assert page.locator("h1").inner_text() == "Team A"
    assert page.get_by_text("スパン・オブ・コントロール").is_visible()
    assert page.get_by_text(org.member_a.display_name).is_visible()


def test_the_preferred_language_is_the_page_language_after_login(page, org):
    assert org.manager_b.preferred_language == "ja"
    page.goto("/login/")
    page.fill("#id_username", "manager_b")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/")
    assert page.locator("html").get_attribute("lang") == "ja"
