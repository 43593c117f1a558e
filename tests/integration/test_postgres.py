"""Behaviour that needs a database with real concurrent transactions."""

import threading

import pytest
from django.core import mail
from django.db import IntegrityError, connection, connections

from accounts import services
from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_the_same_welcome_email_send_it_once():
    user = UserFactory(email="once@example.com")
    barrier = threading.Barrier(2)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(services.user_send_welcome_email(user_id=user.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_email_uniqueness_is_enforced_by_the_database_without_regard_to_case():
    assert connection.vendor == "postgresql"
    UserFactory(email="hanako@example.com")
    with pytest.raises(IntegrityError):
        User.objects.create(username="other", email="HANAKO@example.com")


@pytest.mark.django_db
def test_connections_run_without_the_jit_compiler():
    """config/settings/base.py turns PostgreSQL's JIT off (seconds of compiling on
    the health score's INSERT … SELECT, nothing saved on the rollup)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
