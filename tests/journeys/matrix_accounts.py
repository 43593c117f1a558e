"""Authorization-matrix rows (see tests/test_authorization_matrix.py): accounts.

The objects: an account of member_a (team A, so manager_a sees it) and a pool of
team A that member_a belongs to."""

from datetime import date
from types import SimpleNamespace

from django.urls import reverse


def _objects(org):
    objects = getattr(org, "journeys_accounts", None)
    if objects is None:
        from tests.journeys.factories import (
            CustomerAccountFactory,
            PoolFactory,
            PoolMembershipFactory,
            journey_with_steps,
        )

        journey, steps = journey_with_steps(3)
        pool = PoolFactory(team=org.team_a)
        PoolMembershipFactory(pool=pool, user=org.member_a, start_date=date(2025, 1, 1))
        objects = SimpleNamespace(
            journey=journey,
            pool=pool,
            account=CustomerAccountFactory(journey=journey, owner=org.member_a),
        )
        org.journeys_accounts = objects
    return objects


def _account(name):
    return lambda org: reverse(name, args=[_objects(org).account.pk])


def _pool(org):
    return reverse("journeys:pool_detail", args=[_objects(org).pool.pk])


UI_ROWS = {
    # Lists show what each one may see; others get an empty list.
    "journeys:account_list": (
        "get",
        lambda org: reverse("journeys:account_list"),
        None,
        "302 200 200 200 200 200",
    ),
    "journeys:account_detail": (
        "get",
        _account("journeys:account_detail"),
        None,
        "302 200 200 200 404 404",
    ),
    # Coverage changes: admins, and managers for their teams' accounts.
    "journeys:account_assign": (
        "get",
        _account("journeys:account_assign"),
        None,
        "302 200 200 403 404 404",
    ),
    "journeys:pool_list": (
        "get",
        lambda org: reverse("journeys:pool_list"),
        None,
        "302 200 200 200 200 200",
    ),
    "journeys:pool_detail": ("get", _pool, None, "302 200 200 200 404 404"),
    "journeys:import_upload": (
        "get",
        lambda org: reverse("journeys:import_upload"),
        None,
        "302 200 403 403 403 403",
    ),
}
API_ROWS = {}
