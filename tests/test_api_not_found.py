"""An address under /api/ that no route answers (a negative id, an id with a dot,
an id longer than the routes take) gets the API's JSON 404, as the API's own 404s;
pages keep the 404 page."""

import pytest
from django.contrib.staticfiles import finders
from django.templatetags.static import static

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/awards/-5/periods/", "/api/v1/users/1.5/", "/api/v1/no-such-list/"],
)
def test_an_api_address_no_route_answers_is_a_json_404(api_client, org, path):
    api_client.force_authenticate(org.admin)
    response = api_client.get(path, headers={"accept-language": "ja"})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "見つかりませんでした。"}


def test_a_page_no_route_answers_is_the_404_page(client, org):
    client.force_login(org.admin)
    response = client.get("/journeys/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_api_list_without_its_slash_still_redirects(api_client, org):
    api_client.force_authenticate(org.admin)
    response = api_client.get("/api/v1/users")
    assert response.status_code == 301
    assert response.url == "/api/v1/users/"


def test_a_user_id_in_full_width_digits_names_no_user(api_client, org):
    api_client.force_authenticate(org.admin)
    assert api_client.get(f"/api/v1/users/{org.admin.pk}/").status_code == 200
    wide = str(org.admin.pk).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    assert api_client.get(f"/api/v1/users/{wide}/").status_code == 404


def test_the_browsers_favicon_address_leads_to_katas_icon(client):
    """Pages without an icon link (the Django admin, the API's JSON) make browsers
    ask for /favicon.ico: it leads to the icon, not to a 404."""
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    assert finders.find("favicon.svg")
