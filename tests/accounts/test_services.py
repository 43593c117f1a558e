from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import services
from accounts.models import Role, TeamMembership, User
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_user_create_gives_roles_and_sends_the_welcome_email_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        user = services.user_create(
            username="hanako",
            email="hanako@example.com",
            family_name="佐藤",
            given_name="花子",
            roles=[Role.MEMBER, Role.INTERVIEWER],
            preferred_language="ja",
        )
    assert len(callbacks) == 1
    assert set(user.groups.values_list("name", flat=True)) == {"Member", "Interviewer"}
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["hanako@example.com"]
    assert mail.outbox[0].subject == "Kataへようこそ"
    assert "佐藤 花子 様" in mail.outbox[0].body
    assert "/password/reset/" in mail.outbox[0].body


def test_welcome_email_follows_the_users_language(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.user_create(
            username="john", email="john@example.com", preferred_language="en"
        )
    assert mail.outbox[0].subject == "Welcome to Kata"


def test_welcome_email_is_sent_once_however_often_the_task_runs(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_create(username="john", email="john@example.com")
    assert services.user_send_welcome_email(user_id=user.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_enqueues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.user_create(username="ghost", email="ghost@example.com")
        raise RuntimeError("the request failed after the write")
    assert not User.objects.filter(username="ghost").exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_transaction_runs_the_task_in_process_without_a_worker():
    services.user_create(username="ann", email="ann@example.com")
    assert len(mail.outbox) == 1


def test_user_create_rejects_a_duplicate_email_on_the_field():
    UserFactory(email="taken@example.com")
    with pytest.raises(ValidationError) as error:
        services.user_create(username="x", email="TAKEN@example.com")
    assert "email" in error.value.message_dict


def test_usernames_are_unique_without_regard_to_case():
    UserFactory(username="hanako")
    with pytest.raises(ValidationError):
        services.user_create(username="Hanako")


def test_moving_a_member_ends_the_previous_membership_the_day_before():
    member = UserFactory()
    first, second = TeamFactory(), TeamFactory()
    services.team_membership_start(team=first, user=member, start_date=date(2025, 4, 1))
    services.team_membership_start(
        team=second, user=member, start_date=date(2026, 10, 1)
    )
    history = list(
        TeamMembership.objects.filter(user=member)
        .order_by("start_date")
        .values_list("team_id", "start_date", "end_date")
    )
    assert history == [
        (first.pk, date(2025, 4, 1), date(2026, 9, 30)),
        (second.pk, date(2026, 10, 1), None),
    ]


def test_starting_the_same_membership_twice_changes_nothing():
    member, team = UserFactory(), TeamFactory()
    one = services.team_membership_start(
        team=team, user=member, start_date=date(2025, 4, 1)
    )
    two = services.team_membership_start(
        team=team, user=member, start_date=date(2025, 5, 1)
    )
    assert one.pk == two.pk
    assert TeamMembership.objects.filter(user=member).count() == 1


def test_overlapping_memberships_are_refused_with_the_reason():
    membership = TeamMembershipFactory(
        start_date=date(2025, 4, 1), end_date=date(2025, 12, 31)
    )
    overlapping = TeamMembership(
        team=TeamFactory(), user=membership.user, start_date=date(2025, 6, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.validate_membership(overlapping)
    assert "already belongs to" in error.value.message_dict["start_date"][0]


def test_membership_end_before_start_is_refused():
    membership = TeamMembershipFactory(start_date=date(2025, 4, 1))
    with pytest.raises(ValidationError):
        services.team_membership_end(membership=membership, end_date=date(2025, 3, 1))


def test_first_leadership_starts_the_leaders_experience():
    leader = UserFactory(leader_since=None)
    services.team_create(name="New", leader=leader)
    leader.refresh_from_db()
    assert leader.leader_since is not None
    earlier = leader.leader_since
    services.team_set_leader(team=TeamFactory(), leader=leader, since=date(2030, 1, 1))
    leader.refresh_from_db()
    assert leader.leader_since == earlier


def test_a_team_cannot_be_placed_under_its_own_sub_team():
    parent = TeamFactory()
    child = TeamFactory(parent=parent)
    with pytest.raises(ValidationError):
        services.team_set_parent(team=parent, parent=child)


def test_moving_a_member_before_a_planned_end_shortens_that_membership():
    member = UserFactory()
    first, second = TeamFactory(), TeamFactory()
    TeamMembershipFactory(
        team=first,
        user=member,
        start_date=date(2025, 4, 1),
        end_date=date(2026, 12, 31),
    )
    services.team_membership_start(
        team=second, user=member, start_date=date(2026, 11, 1)
    )
    history = list(
        TeamMembership.objects.filter(user=member)
        .order_by("start_date")
        .values_list("team_id", "end_date")
    )
    assert history == [(first.pk, date(2026, 10, 31)), (second.pk, None)]


def test_moving_on_the_day_a_membership_started_asks_to_change_that_one():
    member = UserFactory()
    services.team_membership_start(
        team=TeamFactory(name="First"), user=member, start_date=date(2026, 11, 1)
    )
    with pytest.raises(ValidationError) as error:
        services.team_membership_start(
            team=TeamFactory(), user=member, start_date=date(2026, 11, 1)
        )
    message = error.value.message_dict["start_date"][0]
    assert "already belongs to First from Nov 1, 2026" in message
    assert TeamMembership.objects.filter(user=member).count() == 1


def test_a_failed_welcome_email_is_released_for_the_retry(monkeypatch):
    user = UserFactory(email="hanako@example.com")

    def refuse(**kwargs):
        raise ConnectionRefusedError("SMTP server down")

    monkeypatch.setattr(services, "send_mail", refuse)
    with pytest.raises(ConnectionRefusedError):
        services.user_send_welcome_email(user_id=user.pk)
    user.refresh_from_db()
    assert user.welcome_email_sent_at is None
    monkeypatch.undo()
    assert services.user_send_welcome_email(user_id=user.pk) is True
    assert len(mail.outbox) == 1


def test_an_admin_created_with_the_admin_role_may_use_the_admin_pages():
    admin = services.user_create(username="ops", roles=[Role.ADMIN], send_welcome=False)
    member = services.user_create(
        username="csm", roles=[Role.MEMBER], send_welcome=False
    )
    assert admin.is_staff
    assert admin.has_perm("accounts.add_team")
    assert not member.is_staff
