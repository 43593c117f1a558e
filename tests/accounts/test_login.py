"""Logging in: by username or email, safely, with a pause after repeated failures."""

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from accounts import services
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _authenticate(login, password=TEST_PASSWORD):
    return authenticate(
        RequestFactory().post("/login/"), username=login, password=password
    )


def test_a_username_wins_over_someone_elses_email():
    owner = UserFactory(username="hanako@example.com", email="")
    # Created before the model refused it (for example through an older import).
    other = UserFactory(username="other", email="x@example.com")
    type(other).objects.filter(pk=other.pk).update(email="HANAKO@example.com")
    assert _authenticate("hanako@example.com") == owner


def test_an_email_may_not_be_another_users_username():
    UserFactory(username="hanako@example.com")
    with pytest.raises(ValidationError) as error:
        services.user_create(username="someone", email="Hanako@Example.com")
    assert "another user's username" in error.value.message_dict["email"][0]


def test_a_username_may_not_be_another_users_email():
    UserFactory(email="hanako@example.com")
    with pytest.raises(ValidationError) as error:
        services.user_create(username="HANAKO@example.com")
    assert "another user's email address" in error.value.message_dict["username"][0]


def test_an_inactive_user_cannot_log_in():
    UserFactory(username="gone", is_active=False)
    assert _authenticate("gone") is None


def test_a_wrong_password_is_refused():
    UserFactory(username="hanako")
    assert _authenticate("hanako", "wrong") is None
    assert _authenticate("hanako") is not None


def _post_login(client, password):
    return client.post(reverse("login"), {"username": "hanako", "password": password})


def test_ten_failures_pause_logins_even_with_the_right_password(client, settings):
    UserFactory(username="hanako")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _post_login(client, "wrong").status_code == 200
    locked = _post_login(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert _post_login(client, TEST_PASSWORD).status_code == 429


def test_the_lockout_counts_a_person_whatever_case_or_email_they_type(client, settings):
    """Varying the case of the username, or typing the email address, does not
    start a new count of failures (it once gave ten more guesses each time)."""
    UserFactory(username="hanako", email="hanako@example.com")
    typed = ["hanako", "HANAKO", "Hanako", "hanako@example.com", "HANAKO@EXAMPLE.COM"]
    for n in range(settings.AXES_FAILURE_LIMIT):
        login = typed[n % len(typed)]
        client.post(reverse("login"), {"username": login, "password": "wrong"})
    assert _post_login(client, TEST_PASSWORD).status_code == 429


def test_the_lockout_page_speaks_japanese(client, settings):
    UserFactory(username="hanako")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "wrong")
    response = client.post(
        reverse("login"),
        {"username": "hanako", "password": "wrong"},
        headers={"accept-language": "ja"},
    )
    assert response.status_code == 429
    assert "ログインの失敗が多すぎます" in response.text


def test_a_success_before_the_limit_starts_the_count_again(client, settings):
    UserFactory(username="hanako")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post_login(client, "wrong")
    assert _post_login(client, TEST_PASSWORD).status_code == 302
    client.logout()
    assert _post_login(client, "wrong").status_code == 200


def test_the_api_token_endpoint_shares_the_lockout(api_client, client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"auth": "1000/min"},
    }
    UserFactory(username="hanako")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post_login(client, "wrong")
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "hanako", "password": TEST_PASSWORD}
    )
    assert response.status_code == 429
    assert "token" not in response.json()
    assert response.json()["detail"].startswith("Too many failed logins.")


def _token_attempt(api_client, forwarded_for, username="nobody"):
    # A username nobody has: the login lockout never counts it, only the throttle.
    return api_client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": "wrong"},
        REMOTE_ADDR="203.0.113.7",
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_forged_forwarded_addresses_do_not_escape_the_token_throttle(api_client):
    """40 attempts, each claiming another address: without a trusted proxy the header
    is the client's own and is ignored, so the throttle stops them after 10."""
    statuses = [
        _token_attempt(api_client, f"198.51.100.{n}", f"user{n}").status_code
        for n in range(40)
    ]
    assert statuses[:10] == [400] * 10
    assert set(statuses[10:]) == {429}


def test_behind_one_trusted_proxy_the_address_it_saw_is_the_client(
    api_client, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client writes "1.2.3.n" itself; our proxy appends the address it saw.
    forged = [
        _token_attempt(api_client, f"1.2.3.{n}, 198.51.100.1", f"user{n}").status_code
        for n in range(11)
    ]
    assert forged[-1] == 429
    # Another client behind the same proxy is counted on its own.
    assert _token_attempt(api_client, "198.51.100.2").status_code == 400


def test_the_login_lockout_ignores_forged_forwarded_addresses(client, settings):
    UserFactory(username="hanako")
    for n in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("login"),
            {"username": "hanako", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
    response = client.post(
        reverse("login"),
        {"username": "hanako", "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.200",
    )
    assert response.status_code == 429


@pytest.mark.parametrize(
    ("proxy_count", "forwarded_for", "expected"),
    [
        (0, "1.1.1.1", "10.0.0.1"),
        (0, None, "10.0.0.1"),
        (1, "1.1.1.1, 2.2.2.2", "2.2.2.2"),
        (2, "1.1.1.1, 2.2.2.2, 3.3.3.3", "2.2.2.2"),
        (2, "2.2.2.2", "2.2.2.2"),
        (1, None, "10.0.0.1"),
    ],
)
def test_every_limit_names_the_client_by_one_rule(
    settings, proxy_count, forwarded_for, expected
):
    from axes.helpers import get_client_ip_address

    from accounts.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = proxy_count
    meta = {"REMOTE_ADDR": "10.0.0.1"}
    if forwarded_for:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().post("/login/", **meta)
    assert client_ip(request) == expected
    assert get_client_ip_address(request) == expected
