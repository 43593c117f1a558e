"""Asking for a password reset: the same answer for any address, the email sent by a
task after the request commits, and a limit per address and per client."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts import tasks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _ask(client, email, **extra):
    return client.post(reverse("password_reset"), {"email": email}, **extra)


def test_known_and_unknown_addresses_get_the_same_answer(
    client, django_capture_on_commit_callbacks, django_assert_num_queries
):
    UserFactory(email="hanako@example.com")
    answers = []
    for address in ("hanako@example.com", "nobody@example.com"):
        # The page itself never looks the address up: no query either way.
        with (
            django_capture_on_commit_callbacks() as callbacks,
            django_assert_num_queries(0),
        ):
            response = _ask(client, address)
        answers.append((response.status_code, response.url, len(callbacks)))
    assert answers[0] == answers[1] == (302, reverse("password_reset_done"), 1)
    assert mail.outbox == []


def test_the_email_is_sent_by_the_task_once_the_request_commits(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    UserFactory(email="hanako@example.com")
    queued = []
    monkeypatch.setattr(
        tasks.send_password_reset_email,
        "delay",
        lambda *args: queued.append(args),
    )
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "Hanako@Example.com")
        assert queued == []
    [(email, request_id)] = queued
    assert email == "Hanako@Example.com"
    assert mail.outbox == []
    assert tasks.send_password_reset_email(email, request_id) == 1
    [sent] = mail.outbox
    assert sent.to == ["hanako@example.com"]
    assert "/password/reset/" in sent.body
    # The same request, delivered twice, emails once.
    assert tasks.send_password_reset_email(email, request_id) == 0
    assert len(mail.outbox) == 1


def test_an_unknown_address_gets_no_email(client, django_capture_on_commit_callbacks):
    UserFactory(email="hanako@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        _ask(client, "nobody@example.com")
    assert mail.outbox == []


def test_asking_too_often_for_one_address_is_paused(
    client, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "3/h"
    UserFactory(email="hanako@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        statuses = [
            _ask(client, "hanako@example.com", REMOTE_ADDR=f"10.0.0.{n}").status_code
            for n in range(4)
        ]
        # Another address from the same clients is not paused.
        other = _ask(client, "taro@example.com", REMOTE_ADDR="10.0.0.1")
    assert statuses == [302, 302, 302, 429]
    assert other.status_code == 302
    assert len(mail.outbox) == 3


def test_asking_too_often_from_one_client_is_paused(client, settings):
    settings.PASSWORD_RESET_RATE_PER_CLIENT = "3/h"
    statuses = [_ask(client, f"person{n}@example.com").status_code for n in range(4)]
    assert statuses == [302, 302, 302, 429]
    paused = _ask(client, "someone@example.com")
    assert "Too many reset requests" in paused.text
    # Another client is not.
    assert _ask(client, "x@example.com", REMOTE_ADDR="10.9.9.9").status_code == 302


def test_a_forged_forwarded_address_is_the_same_client(client, settings):
    settings.PASSWORD_RESET_RATE_PER_CLIENT = "3/h"
    statuses = [
        _ask(
            client, f"person{n}@example.com", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}"
        ).status_code
        for n in range(4)
    ]
    assert statuses == [302, 302, 302, 429]
