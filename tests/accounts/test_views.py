import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from tests.factories import (
    TEST_PASSWORD,
    TeamFactory,
    TeamMembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("login", ["hanako", "Hanako@Example.com", "HANAKO"])
def test_login_by_username_or_email_without_regard_to_case(client, login):
    UserFactory(username="hanako", email="hanako@example.com")
    response = client.post(
        reverse("login"), {"username": login, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_failed_login_says_so_and_keeps_the_username(client):
    UserFactory(username="hanako")
    response = client.post(
        reverse("login"), {"username": "hanako", "password": "wrong"}
    )
    assert response.status_code == 200
    assert "Enter a correct username or email address and password." in response.text
    assert 'value="hanako"' in response.text


def test_login_switches_to_the_users_preferred_language(client):
    UserFactory(username="john", preferred_language="en")
    response = client.post(
        reverse("login"), {"username": "john", "password": TEST_PASSWORD}
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    client.logout()
    UserFactory(username="taro", preferred_language="ja")
    response = client.post(
        reverse("login"), {"username": "taro", "password": TEST_PASSWORD}
    )
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ja"


def test_pages_need_login(client):
    response = client.get(reverse("accounts:team_list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_accept_language_ja_gives_japanese_pages(client):
    response = client.get(reverse("login"), headers={"accept-language": "ja"})
    assert '<html lang="ja">' in response.text
    assert "ログイン" in response.text
    response = client.get(reverse("login"), headers={"accept-language": "en"})
    assert "Log in to Kata" in response.text


def test_language_switcher_changes_the_page_language(client):
    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "ja", "next": "/teams/"})
    assert "チーム" in client.get(reverse("accounts:team_list")).text
    client.post(reverse("set_language"), {"language": "en", "next": "/teams/"})
    assert "Teams" in client.get(reverse("accounts:team_list")).text


def test_dates_follow_the_language(client, org):
    client.force_login(org.admin)
    japanese = client.get(
        org.team_a.get_absolute_url(), headers={"accept-language": "ja"}
    )
    assert "2025/04/01" in japanese.text
    english = client.get(
        org.team_a.get_absolute_url(), headers={"accept-language": "en"}
    )
    assert "Apr 1, 2025" in english.text


def _profile_form(**changes) -> dict[str, str]:
    """What a person types on the profile page: 佐藤 花子, in Japanese."""
    return {
        "family_name": "佐藤",
        "given_name": "花子",
        "family_name_reading": "さとう",
        "given_name_reading": "はなこ",
        "email": "hanako@example.com",
        "preferred_language": "ja",
        **changes,
    }


def test_profile_edit_saves_and_switches_language(client):
    user = UserFactory(preferred_language="ja")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), _profile_form(preferred_language="en")
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "佐藤 花子"
    assert user.preferred_language == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_profile_error_is_on_the_field_and_keeps_what_was_typed(client):
    UserFactory(email="taken@example.com")
    user = UserFactory(family_name="山田")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), _profile_form(email="TAKEN@example.com")
    )
    assert response.status_code == 200
    assert "A user with this email already exists." in str(
        response.context["form"].errors["email"]
    )
    assert 'value="佐藤"' in response.text
    user.refresh_from_db()
    assert user.family_name == "山田"


def test_team_page_shows_the_span_of_control_warning(client, org):
    for _ in range(7):
        TeamMembershipFactory(team=org.team_b)
    client.force_login(org.admin)
    response = client.get(org.team_b.get_absolute_url())
    assert 'data-testid="span-warning"' in response.text
    assert "more than the 6 recommended" in response.text
    response = client.get(org.team_a.get_absolute_url())
    assert 'data-testid="span-warning"' not in response.text


def test_navigation_shows_administration_only_to_staff(client, org):
    client.force_login(org.member_a)
    assert reverse("admin:index") not in client.get(reverse("home")).text
    staff = UserFactory(is_staff=True, roles=[Role.ADMIN])
    client.force_login(staff)
    assert reverse("admin:index") in client.get(reverse("home")).text


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("admin", True),
        ("manager", True),
        ("member", True),
        ("interviewer", False),
        ("recruiter", False),
    ],
)
def test_navigation_offers_team_pages_to_the_roles_that_use_them(
    client, org, role, offered
):
    client.force_login(org.by_role()[role])
    navigation = client.get(reverse("home")).text.split("</nav>")[0]
    assert (f'href="{reverse("accounts:team_list")}"' in navigation) is offered


def test_password_reset_email_speaks_the_recipients_language(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="john@example.com", preferred_language="en")
    UserFactory(email="taro@example.com", preferred_language="ja")
    for address in ("john@example.com", "taro@example.com"):
        # The email leaves from a task once the request commits.
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("password_reset"),
                {"email": address},
                headers={"accept-language": "ja"},
            )
    english, japanese = mailoutbox
    assert "Open this link to choose a new password" in english.body
    assert "Open this link to choose a new password" not in japanese.body


def test_team_list_is_paginated_with_constant_queries(
    client, django_assert_max_num_queries
):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    TeamFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("accounts:team_list"))
    TeamFactory.create_batch(40)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse("accounts:team_list"))
    assert response.context["page"].paginator.num_pages == 2
    assert len(response.context["page"].object_list) == 25


def test_team_page_queries_do_not_grow_with_members(
    client, django_assert_max_num_queries
):
    admin = UserFactory(is_superuser=True)
    client.force_login(admin)
    team = TeamFactory(leader=UserFactory())
    TeamMembershipFactory.create_batch(2, team=team)
    with CaptureQueriesContext(connection) as few:
        client.get(team.get_absolute_url())
    TeamMembershipFactory.create_batch(25, team=team)
    with django_assert_max_num_queries(len(few)):
        response = client.get(team.get_absolute_url())
    assert len(response.context["team"].current_memberships) == 27


def test_password_change_keeps_the_user_logged_in(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": TEST_PASSWORD,
            "new_password1": "a much longer new password",
            "new_password2": "a much longer new password",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    user.refresh_from_db()
    assert user.check_password("a much longer new password")


def test_logout_is_a_post_and_ends_the_session(client):
    client.force_login(UserFactory())
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_healthz_answers_without_login(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_the_team_list_names_a_parent_team_only_to_those_who_see_it(client, org):
    client.force_login(org.sub_leader)
    assert "Team A</a>" not in client.get(reverse("accounts:team_list")).text
    client.force_login(org.manager_a)
    page = client.get(reverse("accounts:team_list")).text
    # Once as a team of its own, once as the parent of Team A-1.
    assert page.count(f'<a href="{org.team_a.get_absolute_url()}">Team A</a>') == 2


def test_a_member_sees_neither_the_parent_team_nor_sub_teams(client, org):
    client.force_login(org.sub_member)
    page = client.get(org.sub_a.get_absolute_url()).text
    assert org.team_a.get_absolute_url() not in page
    assert "Team A</a>" not in page
    client.force_login(org.member_a)
    page = client.get(org.team_a.get_absolute_url()).text
    assert org.sub_a.name not in page
    assert org.sub_leader.display_name not in page


def test_the_manager_sees_and_opens_sub_teams(client, org):
    client.force_login(org.manager_a)
    page = client.get(org.team_a.get_absolute_url()).text
    assert org.sub_a.get_absolute_url() in page
    client.force_login(org.sub_leader)
    assert (
        org.team_a.get_absolute_url()
        not in client.get(org.sub_a.get_absolute_url()).text
    )


def test_a_refused_profile_change_does_not_show_in_the_navigation(client):
    UserFactory(email="taken@example.com")
    user = UserFactory(family_name="山田", given_name="太郎")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), _profile_form(email="taken@example.com")
    )
    navigation = response.text.split("</nav>")[0]
    assert "山田 太郎" in navigation
    assert "佐藤 花子" not in navigation


def test_a_user_who_never_set_a_password_can_ask_for_a_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory(email="new@example.com")
    user.set_unusable_password()
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "NEW@example.com"})
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new@example.com"]


def test_an_admin_role_holder_without_superuser_can_add_a_team_in_admin(client):
    from accounts import services

    admin = services.user_create(
        username="ops",
        password="a long password 123",
        roles=[Role.ADMIN],
        send_welcome=False,
    )
    client.force_login(admin)
    assert client.get(reverse("admin:accounts_team_add")).status_code == 200
    response = client.post(
        reverse("admin:accounts_team_add"),
        {
            "name": "New team",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
