"""Who sees which journeys and customer accounts, and who may record step events."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from accounts.models import Role, TeamMembership
from journeys import permissions
from journeys.models import Coverage, CoverageModel
from tests.factories import UserFactory
from tests.journeys.factories import (
    CustomerAccountFactory,
    JourneyFactory,
    PoolFactory,
    PoolMembershipFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    """Accounts of every kind around `org` (see tests.factories.build_organisation).

    pool_a belongs to team A; member_b is in it today, member_a left it yesterday.
    pool_b belongs to team B. `former` left team A yesterday and still owns an account.
    """
    today = timezone.localdate()
    journey = JourneyFactory()
    pool_a = PoolFactory(team=org.team_a)
    pool_b = PoolFactory(team=org.team_b)
    PoolMembershipFactory(pool=pool_a, user=org.member_b)
    PoolMembershipFactory(
        pool=pool_a, user=org.member_a, end_date=today - timedelta(days=1)
    )
    former = TeamMembership.objects.create(
        team=org.team_a,
        user=UserFactory(roles=[Role.MEMBER]),
        start_date=today - timedelta(days=100),
        end_date=today - timedelta(days=1),
    ).user
    accounts = {
        "a": CustomerAccountFactory(journey=journey, owner=org.member_a),
        "b": CustomerAccountFactory(journey=journey, owner=org.member_b),
        "sub": CustomerAccountFactory(journey=journey, owner=org.sub_member),
        "pool_a": CustomerAccountFactory(journey=journey, pool=pool_a),
        "pool_b": CustomerAccountFactory(journey=journey, pool=pool_b),
        "former": CustomerAccountFactory(journey=journey, owner=former),
    }
    # Owned by member_a once, by member_b now.
    moved = CustomerAccountFactory(journey=journey, owner=org.member_a)
    period = moved.coverage.get()
    period.ended_at = period.started_at + timedelta(days=10)
    period.save()
    Coverage.objects.create(
        account=moved,
        model=CoverageModel.DEDICATED,
        owner=org.member_b,
        started_at=period.ended_at,
    )
    accounts["moved"] = moved
    return accounts


def _names(viewer, world):
    visible = set(permissions.visible_accounts(viewer).values_list("pk", flat=True))
    return {name for name, account in world.items() if account.pk in visible}


def test_admins_see_every_account(org, world):
    assert _names(org.admin, world) == set(world)


def test_a_member_sees_their_accounts_and_their_pools_today(org, world):
    assert _names(org.member_a, world) == {"a"}
    assert _names(org.member_b, world) == {"b", "pool_a", "moved"}


def test_a_leader_sees_accounts_of_current_members_and_pools_of_their_teams(org, world):
    # Sub-team included; member_b's accounts are team B's even in team A's pool.
    assert _names(org.manager_a, world) == {"a", "sub", "pool_a"}
    assert _names(org.sub_leader, world) == {"sub"}
    assert _names(org.manager_b, world) == {"b", "pool_b", "moved"}


def test_people_without_accounts_see_none(org, world):
    assert _names(org.interviewer, world) == set()
    assert _names(org.recruiter, world) == set()
    assert not permissions.visible_accounts(AnonymousUser()).exists()


def test_active_journeys_for_everyone_signed_in_all_for_admins(org):
    active = JourneyFactory()
    retired = JourneyFactory(is_active=False)
    assert list(permissions.visible_journeys(org.interviewer)) == [active]
    assert set(permissions.visible_journeys(org.admin)) == {active, retired}
    assert not permissions.visible_journeys(AnonymousUser()).exists()


def test_recording_needs_the_account_and_a_cs_role(org, world):
    assert permissions.can_record_event(org.member_a, world["a"])
    assert not permissions.can_record_event(org.member_a, world["b"])
    assert permissions.can_record_event(org.manager_a, world["sub"])
    assert permissions.can_record_event(org.admin, world["b"])
    assert not permissions.can_record_event(AnonymousUser(), world["a"])


def test_a_pool_member_without_a_cs_role_sees_but_does_not_record(org, world):
    pool = world["pool_b"].coverage.get().pool
    PoolMembershipFactory(pool=pool, user=org.interviewer)
    assert _names(org.interviewer, world) == {"pool_b"}
    assert not permissions.can_record_event(org.interviewer, world["pool_b"])


def test_only_admins_manage_journeys(org):
    assert permissions.manages_journeys(org.admin)
    assert not permissions.manages_journeys(org.manager_a)
    assert not permissions.manages_journeys(AnonymousUser())
