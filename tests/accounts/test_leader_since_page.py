"""Admins correct the day someone started leading on the person's page; the span of
control follows it, and the change is kept with who made it."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import User

pytestmark = pytest.mark.django_db


def _url(user):
    return reverse("accounts:user_leader_since", args=[user.pk])


def test_an_admin_saves_the_date_and_sees_it_with_the_change(client, org):
    leader = org.manager_a
    before = leader.leader_since
    client.force_login(org.admin)
    page = client.get(leader.get_absolute_url())
    assert 'data-testid="leader-since-form"' in page.text

    response = client.post(_url(leader), {"leader_since": "2019-04-01"}, follow=True)

    assert response.redirect_chain[-1][0] == leader.get_absolute_url()
    leader.refresh_from_db()
    assert leader.leader_since == date(2019, 4, 1)
    page = response.text
    assert "The leader start date was saved." in page
    assert 'data-testid="leader-since-history"' in page
    assert org.admin.display_name in page
    assert ("<del>" in page) == (before is not None)
    change = leader.history.latest()
    assert change.history_user == org.admin
    assert change.leader_since == date(2019, 4, 1)


def test_the_date_shows_on_the_page_and_sets_the_span_of_control(client, org):
    client.force_login(org.admin)
    client.post(_url(org.manager_a), {"leader_since": "2019-04-01"})
    page = client.get(org.manager_a.get_absolute_url()).text
    shown = page.split('data-testid="leader-since">')[1].split("<")[0]
    assert "2019" in shown
    team = client.get(org.team_a.get_absolute_url()).text
    assert "2019" in team


def test_a_future_date_is_refused_on_the_field_and_the_input_kept(client, org):
    leader = org.manager_a
    before = leader.leader_since
    tomorrow = timezone.localdate() + timedelta(days=1)
    client.force_login(org.admin)

    response = client.post(_url(leader), {"leader_since": tomorrow.isoformat()})

    assert response.status_code == 200
    form = response.context["leader_form"]
    assert form.errors["leader_since"] == [
        "The leader start date cannot be in the future."
    ]
    assert f'value="{tomorrow.isoformat()}"' in response.text
    leader.refresh_from_db()
    assert leader.leader_since == before


def test_a_date_before_they_joined_is_accepted(client, org):
    """People led teams before Kata came: the account's creation is no bound."""
    client.force_login(org.admin)
    client.post(_url(org.manager_b), {"leader_since": "2001-01-01"})
    org.manager_b.refresh_from_db()
    assert org.manager_b.leader_since == date(2001, 1, 1)
    assert org.manager_b.date_joined.date() > date(2001, 1, 1)


def test_an_empty_date_is_refused_on_the_field(client, org):
    client.force_login(org.admin)
    response = client.post(_url(org.manager_a), {"leader_since": ""})
    assert response.status_code == 200
    assert response.context["leader_form"].errors["leader_since"]


def test_a_plain_members_page_does_not_ask_for_a_leader_date(client, org):
    client.force_login(org.admin)
    page = client.get(org.member_a.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="leader-since-form"' not in page.text
    assert (
        'data-testid="leader-since-form"'
        in client.get(org.manager_a.get_absolute_url()).text
    )


def test_a_manager_may_not_set_it(client, org):
    client.force_login(org.manager_a)
    # The manager sees their member's page, without the form.
    page = client.get(org.member_a.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="leader-since-form"' not in page.text
    response = client.post(_url(org.member_a), {"leader_since": "2020-01-01"})
    assert response.status_code == 403
    org.member_a.refresh_from_db()
    assert org.member_a.leader_since is None


def test_someone_who_cannot_see_the_person_gets_404(client, org):
    client.force_login(org.member_a)
    response = client.post(_url(org.manager_b), {"leader_since": "2020-01-01"})
    assert response.status_code == 404


def test_the_history_keeps_only_leader_date_changes():
    user = services.user_create(username="new", send_welcome=False)
    assert user.history.count() == 0  # created without a date: nothing to keep
    user.save(update_fields=["last_login"])
    user.save()
    assert user.history.count() == 0  # nothing changed the date
    admin = services.user_create(username="boss", send_welcome=False)
    services.user_set_leader_since(user=user, leader_since=date(2020, 5, 1), by=admin)
    services.user_set_leader_since(user=user, leader_since=date(2020, 5, 1), by=admin)
    user.refresh_from_db()
    user.save()
    assert list(user.history.values_list("leader_since", "history_user")) == [
        (date(2020, 5, 1), admin.pk)
    ]
    assert User.objects.get(pk=user.pk).leader_since == date(2020, 5, 1)


def test_the_page_runs_the_same_queries_with_more_changes(
    client, org, django_assert_max_num_queries
):
    client.force_login(org.admin)
    client.post(_url(org.manager_a), {"leader_since": "2019-04-01"})
    with CaptureQueriesContext(connection) as few:
        client.get(org.manager_a.get_absolute_url())
    count = len(few)  # read now: the next request empties the query log
    for day in range(2, 12):
        client.post(_url(org.manager_a), {"leader_since": f"2019-04-{day:02d}"})
    with django_assert_max_num_queries(count):
        page = client.get(org.manager_a.get_absolute_url())
    assert page.text.count("<ins ") >= 11
