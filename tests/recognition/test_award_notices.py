"""Winners are announced when a period closes: every participant gets an in-app
notice (in the reader's language, read from its kind and parameters) and an email
in their preferred language; closing twice announces once.

The world is the closing tests' (test_awards_closing.py): team A's April award, two
winners — sato 2/2 (rank 1) and member_a 2/3 (rank 2); suzuki 1/2 takes part
without winning; member_b (team B) does not take part."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Notification
from accounts.services import notify
from recognition import metrics
from recognition.models import AwardPeriod
from recognition.services import awards as services
from recognition.tasks import close_award_periods
from tests.recognition.award_factories import APRIL
from tests.recognition.test_awards_closing import WINDOW_ENDS, world  # noqa: F401

pytestmark = pytest.mark.django_db

CLOSED_AT = WINDOW_ENDS + timedelta(hours=1)


def april() -> str:
    """April 2026 as the active language says it (the English pages: Apr 2026)."""
    return metrics.month_period(APRIL).label


@pytest.fixture
def closed(org, world):  # noqa: F811
    period, sato, suzuki, _events = world
    sato.preferred_language = "ja"
    sato.save(update_fields=["preferred_language"])
    suzuki.preferred_language = "ja"
    suzuki.save(update_fields=["preferred_language"])
    org.member_a.preferred_language = "en"
    org.member_a.save(update_fields=["preferred_language"])
    mail.outbox.clear()
    assert services.award_periods_close(now=CLOSED_AT) == [period.pk]
    return period, sato, suzuki


def _mail_to(user):
    found = [m for m in mail.outbox if m.to == [user.email]]
    assert len(found) == 1, [m.to for m in mail.outbox]
    return found[0]


def test_every_participant_gets_one_email_in_their_language(org, closed):
    period, sato, suzuki = closed
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        u.email for u in (sato, suzuki, org.member_a)
    )
    english = _mail_to(org.member_a)
    assert english.subject.endswith(f"the winners of {april()}")
    assert english.subject.startswith(period.program.name)
    assert "Congratulations: you won, at rank 2." in english.body
    assert f"1. {sato.display_name} — 100.0 %" in english.body
    assert f"2. {org.member_a.display_name} — 66.7 %" in english.body
    assert f"/awards/{period.program_id}/leaderboard/?period=2026-04" in english.body
    # Japanese for sato and suzuki: the greeting, the winners' heading and the
    # metric's name are read in Japanese.
    japanese = _mail_to(suzuki)
    assert f"{suzuki.display_name} 様" in japanese.body
    assert "受賞者：" in japanese.body and "転換率" in japanese.body
    assert "Congratulations" not in japanese.body
    assert "Winners:" not in japanese.body
    assert "受賞者：" in _mail_to(sato).body
    assert "member_b" not in " ".join(m.to[0] for m in mail.outbox)


def test_every_participant_gets_a_notice_that_reads_in_the_readers_language(
    org, closed
):
    period, sato, suzuki = closed
    won = Notification.objects.get(user=sato)
    assert won.kind == "award_won" and won.read_at is None
    assert won.text == (
        f"Congratulations: you won {period.program.name} for {april()} (rank 1)."
    )
    assert won.link == (
        reverse("recognition:award_leaderboard", args=[period.program_id])
        + "?period=2026-04"
    )
    other = Notification.objects.get(user=suzuki)
    assert other.text == (
        f"{period.program.name}, {april()}: the winners are "
        f"1. {sato.display_name}, 2. {org.member_a.display_name}."
    )
    assert not Notification.objects.filter(user=org.member_b).exists()
    # The text is not stored: it reads in the language of whoever reads it.
    with translation.override("ja"):
        assert str(other.text) != "Notice"


def test_closing_twice_announces_once(org, closed):
    period, *_rest = closed
    sent = len(mail.outbox)
    notices = Notification.objects.count()
    assert services.award_periods_close(now=CLOSED_AT + timedelta(days=1)) == []
    assert services.award_periods_announce(now=CLOSED_AT + timedelta(days=1)) == []
    assert close_award_periods() == 0
    assert len(mail.outbox) == sent == 3
    assert Notification.objects.count() == notices == 3
    period.refresh_from_db()
    assert period.announced_at == CLOSED_AT


def test_a_period_announced_again_by_hand_notifies_no_one_twice(org, closed):
    period, sato, _suzuki = closed
    AwardPeriod.objects.filter(pk=period.pk).update(announced_at=None)
    mail.outbox.clear()
    services.award_periods_announce(now=CLOSED_AT)
    # The notices are keyed by the period: still one each.
    assert Notification.objects.filter(user=sato).count() == 1


def test_notify_gives_one_notice_per_key():
    from tests.factories import UserFactory

    user = UserFactory()
    assert notify(users=[user], kind="x", key="k") == [user.pk]
    assert notify(users=[user], kind="x", key="k") == []
    assert Notification.objects.filter(user=user).count() == 1
    assert Notification.objects.get(user=user).text == "Notice"  # unknown kind


# --- The notices page -----------------------------------------------------------------


def test_the_navbar_counts_unread_notices_and_opening_one_marks_it_read(
    client, org, closed
):
    _period, sato, _suzuki = closed
    notify(
        users=[sato],
        kind="award_won",
        params={"program": "P", "period": "2026-05", "rank": 1},
    )
    client.force_login(sato)
    home = client.get(reverse("accounts:notice_list"))
    assert home.status_code == 200
    assert 'data-testid="notices-unread">2<' in home.text
    assert home.text.count('data-read="no"') == 2
    first = Notification.objects.filter(user=sato).order_by("pk").first()
    opened = client.post(reverse("accounts:notice_open", args=[first.pk]))
    assert opened.status_code == 302 and opened.url == first.link
    first.refresh_from_db()
    assert first.read_at is not None
    page = client.get(reverse("accounts:notice_list"))
    assert 'data-testid="notices-unread">1<' in page.text
    client.post(reverse("accounts:notices_read_all"))
    page = client.get(reverse("accounts:notice_list"))
    assert 'data-testid="notices-unread"' not in page.text
    assert 'data-read="no"' not in page.text


def test_another_users_notice_answers_404(client, org, closed):
    _period, sato, suzuki = closed
    notice = Notification.objects.get(user=sato)
    client.force_login(suzuki)
    response = client.post(reverse("accounts:notice_open", args=[notice.pk]))
    assert response.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None
    assert (
        reverse("accounts:notice_open", args=[notice.pk])
        not in client.get(reverse("accounts:notice_list")).text
    )


def test_the_unread_count_costs_one_query_whatever_the_notices(
    client, org, django_assert_max_num_queries
):
    from django.core.cache import cache

    client.force_login(org.member_a)
    url = reverse("accounts:profile")
    client.get(url)
    cache.clear()
    with django_assert_max_num_queries(50) as few:
        client.get(url)
    for n in range(30):
        notify(users=[org.member_a], kind="award_won", params={}, key=f"k{n}")
    cache.clear()
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert 'data-testid="notices-unread">30<' in page.text


def test_announcing_without_email_notifies_in_the_app_only(org, closed):
    period, sato, _suzuki = closed
    AwardPeriod.objects.filter(pk=period.pk).update(announced_at=None)
    Notification.objects.all().delete()
    mail.outbox.clear()
    assert services.award_periods_announce(now=CLOSED_AT, email=False) == [period.pk]
    assert mail.outbox == []
    assert Notification.objects.filter(user=sato).count() == 1
