from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import permissions
from tests.factories import TeamFactory, TeamMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def _usernames(queryset):
    return set(queryset.values_list("username", flat=True))


def test_admin_sees_everyone_and_every_team(org):
    assert permissions.visible_users(org.admin).count() == 9
    assert set(permissions.visible_teams(org.admin)) == {
        org.team_a,
        org.team_b,
        org.sub_a,
    }


def test_manager_sees_own_team_sub_teams_and_themselves_only(org):
    assert _usernames(permissions.visible_users(org.manager_a)) == {
        "manager_a",
        "member_a",
        "sub_leader",
        "sub_member",
    }
    assert set(permissions.visible_teams(org.manager_a)) == {org.team_a, org.sub_a}


def test_sub_team_leader_does_not_see_the_parent_team(org):
    assert _usernames(permissions.visible_users(org.sub_leader)) == {
        "sub_leader",
        "sub_member",
    }
    assert set(permissions.visible_teams(org.sub_leader)) == {org.sub_a}


def test_sub_teams_are_followed_at_any_depth(org):
    deeper = TeamFactory(name="A-1-x", parent=org.sub_a)
    deep_member = TeamMembershipFactory(team=deeper).user
    assert permissions.can_see_user(org.manager_a, deep_member)
    assert not permissions.can_see_user(org.manager_b, deep_member)


def test_member_sees_only_themselves_and_their_current_team(org):
    assert _usernames(permissions.visible_users(org.member_a)) == {"member_a"}
    assert set(permissions.visible_teams(org.member_a)) == {org.team_a}


def test_former_member_is_no_longer_visible_to_the_manager(org):
    former = TeamMembershipFactory(
        team=org.team_a,
        start_date=date(2024, 4, 1),
        end_date=timezone.localdate() - timedelta(days=1),
    ).user
    assert not permissions.can_see_user(org.manager_a, former)
    assert permissions.can_see_user(org.admin, former)


def test_interviewer_and_recruiter_see_no_team(org):
    assert not permissions.visible_teams(org.interviewer).exists()
    assert not permissions.visible_teams(org.recruiter).exists()


def test_superuser_without_admin_role_is_an_admin(db):
    root = UserFactory(is_superuser=True)
    assert permissions.is_admin(root)


@pytest.mark.parametrize("url_name", ["accounts:user_detail"])
def test_manager_of_team_a_gets_404_on_team_b_member_page(client, org, url_name):
    client.force_login(org.manager_a)
    response = client.get(reverse(url_name, kwargs={"pk": org.member_b.pk}))
    assert response.status_code == 404
    response = client.get(reverse(url_name, kwargs={"pk": org.member_a.pk}))
    assert response.status_code == 200


def test_manager_of_team_a_gets_404_on_team_b_page(client, org):
    client.force_login(org.manager_a)
    assert client.get(org.team_b.get_absolute_url()).status_code == 404
    assert client.get(org.team_a.get_absolute_url()).status_code == 200


def test_manager_of_team_a_gets_404_on_team_b_in_the_api(api_client, org):
    api_client.force_authenticate(org.manager_a)
    assert api_client.get(f"/api/v1/users/{org.member_b.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/teams/{org.team_b.pk}/").status_code == 404
    assert api_client.get(f"/api/v1/users/{org.member_a.pk}/").status_code == 200
    listed = {
        row["username"] for row in api_client.get("/api/v1/users/").json()["results"]
    }
    assert "member_b" not in listed
    assert "member_a" in listed


def test_a_member_sees_team_mates_names_without_links_to_their_pages(client, org):
    team_mate = TeamMembershipFactory(team=org.team_a).user
    client.force_login(org.member_a)
    response = client.get(org.team_a.get_absolute_url())
    assert team_mate.display_name in response.text
    assert team_mate.get_absolute_url() not in response.text
    assert client.get(team_mate.get_absolute_url()).status_code == 404


def test_the_teams_a_leader_manages_follow_a_change_of_team_on_the_same_user(
    org, django_assert_num_queries
):
    """The teams a user leads are read once per user object (a request's), yet a
    team saved or deleted afterwards counts at once."""
    manager = org.manager_a
    assert permissions.managed_team_ids(manager) == {org.team_a.pk, org.sub_a.pk}
    with django_assert_num_queries(0):
        assert permissions.managed_team_ids(manager) == {org.team_a.pk, org.sub_a.pk}

    org.team_b.leader = manager
    org.team_b.save()
    assert permissions.managed_team_ids(manager) == {
        org.team_a.pk,
        org.sub_a.pk,
        org.team_b.pk,
    }
    deeper = TeamFactory(name="Sub B", parent=org.team_b)
    assert deeper.pk in permissions.managed_team_ids(manager)
    deeper.delete()
    org.sub_a.parent = None
    org.sub_a.save()
    assert permissions.managed_team_ids(manager) == {org.team_a.pk, org.team_b.pk}
