from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from accounts.models import Role, Team, TeamMembership, User

pytestmark = pytest.mark.django_db


def _snapshot():
    return {
        "users": list(User.objects.order_by("pk").values()),
        "teams": list(Team.objects.order_by("pk").values()),
        "memberships": list(TeamMembership.objects.order_by("pk").values()),
        "roles": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    }


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    first = _snapshot()
    call_command("seed_demo", "--size", "small", stdout=StringIO())
    assert _snapshot() == first


def test_seed_demo_creates_the_organisation_and_prints_logins():
    out = StringIO()
    call_command("seed_demo", stdout=out)

    def holders(role):
        return User.objects.filter(groups__name=role.value).count()

    assert holders(Role.ADMIN) == 1
    assert holders(Role.MANAGER) == 3
    assert holders(Role.MEMBER) == 20
    assert holders(Role.INTERVIEWER) >= 2
    assert holders(Role.RECRUITER) == 1
    assert (
        Team.objects.filter(
            parent__isnull=False, leader__groups__name="Manager"
        ).count()
        == 3
    )
    assert User.objects.get(username="admin").family_name == "山本"
    text = out.getvalue()
    assert "kata-demo-2026" in text
    for username in ("admin", "tanaka", "sato", "ito", "kobayashi"):
        assert username in text
    assert User.objects.get(username="tanaka").check_password("kata-demo-2026")


def test_demo_shows_a_span_of_control_warning(client):
    call_command("seed_demo", stdout=StringIO())
    client.force_login(User.objects.get(username="admin"))
    team = Team.objects.get(name="オンボーディング")
    assert 'data-testid="span-warning"' in client.get(team.get_absolute_url()).text


def test_roles_exist_after_migrations():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}
