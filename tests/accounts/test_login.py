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
