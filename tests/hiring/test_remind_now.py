""" "Remind now" on the overdue scorecards: the reminder email at once through the
reminder service, at most once an hour per scorecard, for those who run hiring."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hiring.models import Interview, Scorecard

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(hiring):
    """org.interviewer's scorecard, two days after the interview, not submitted."""
    Interview.objects.filter(pk=hiring.interview.pk).update(
        scheduled_at=timezone.now() - timedelta(days=2)
    )
    return hiring.interview.scorecard


def _remind(client, scorecard, **data):
    return client.post(
        reverse("hiring:overdue_remind", args=[scorecard.pk]), data, follow=True
    )


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_remind_now_sends_the_email_and_says_so(client, org, overdue, mailoutbox):
    client.force_login(org.recruiter)
    page = client.get(reverse("hiring:overdue")).text
    assert reverse("hiring:overdue_remind", args=[overdue.pk]) in page
    response = _remind(client, overdue)
    assert response.redirect_chain[-1][0] == reverse("hiring:overdue")
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [org.interviewer.email]
    assert any("reminder was sent" in text for text in _messages(response))
    assert Scorecard.objects.get(pk=overdue.pk).last_reminded_at is not None


def test_remind_now_is_limited_to_once_an_hour_per_scorecard(
    client, org, overdue, mailoutbox
):
    client.force_login(org.recruiter)
    _remind(client, overdue)
    response = _remind(client, overdue)
    assert len(mailoutbox) == 1
    assert any("less than an hour ago" in text for text in _messages(response))
    # An hour later (the last reminder moved back in time): it goes again.
    Scorecard.objects.filter(pk=overdue.pk).update(
        last_reminded_at=timezone.now() - timedelta(minutes=61)
    )
    _remind(client, overdue)
    assert len(mailoutbox) == 2


def test_the_daily_reminder_counts_for_the_limit_too(client, org, overdue, mailoutbox):
    Scorecard.objects.filter(pk=overdue.pk).update(
        last_reminded_at=timezone.now() - timedelta(minutes=10)
    )
    client.force_login(org.recruiter)
    _remind(client, overdue)
    assert mailoutbox == []


@pytest.mark.parametrize("role", ["interviewer", "manager_a", "member_a"])
def test_only_those_who_run_hiring_remind(client, org, overdue, mailoutbox, role):
    client.force_login(getattr(org, role))
    response = client.post(reverse("hiring:overdue_remind", args=[overdue.pk]))
    assert response.status_code == 403
    assert mailoutbox == []


def test_a_scorecard_that_is_not_overdue_answers_404(client, org, hiring, mailoutbox):
    client.force_login(org.recruiter)
    # Just held: not overdue yet.
    Interview.objects.filter(pk=hiring.interview.pk).update(scheduled_at=timezone.now())
    response = client.post(
        reverse("hiring:overdue_remind", args=[hiring.interview.scorecard.pk])
    )
    assert response.status_code == 404
    assert mailoutbox == []


def test_remind_now_takes_only_post(client, org, overdue):
    client.force_login(org.recruiter)
    url = reverse("hiring:overdue_remind", args=[overdue.pk])
    assert client.get(url).status_code == 405
