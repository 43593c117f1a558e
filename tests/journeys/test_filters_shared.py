"""Every filter the journeys API declares narrows the list to what it says (none is
parsed and then ignored), and the account list page reads the same FilterSet as
the API: the same parameters give the same accounts."""

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from journeys import api
from journeys.models import (
    Journey,
    Pool,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
)
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    PlaybookFactory,
    PoolFactory,
    StepEventFactory,
    StepFactory,
    TrainingModuleFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
HALF_DAY = timedelta(hours=12)

# The endpoint of each list viewset.
ENDPOINTS = {
    api.JourneyViewSet: "journeys",
    api.StepViewSet: "steps",
    api.PlaybookViewSet: "playbooks",
    api.TrainingModuleViewSet: "training-modules",
    api.TrainingAssignmentViewSet: "training-assignments",
    api.TrainingCompletionViewSet: "training-completions",
    api.PoolViewSet: "pools",
    api.CustomerViewSet: "customers",
    api.StepEventViewSet: "step-events",
}


@pytest.fixture
def w(org):
    """Two of everything, differing in what each filter reads."""
    long_ago = timezone.now() - timedelta(days=30)
    journey, steps = journey_with_steps(3, name="Onboarding")
    steps[2].is_value_point, steps[2].target_days = True, 10
    steps[2].save()
    retired = StepFactory(
        journey=journey, position=None, name="Old", retired_at=T0, is_value_point=False
    )
    other_journey, (other_step,) = journey_with_steps(1, name="Renewal")
    Journey.objects.filter(pk=other_journey.pk).update(is_active=False)
    pool_a = PoolFactory(name="SMB pool", team=org.team_a, kind=Pool.Kind.SEGMENT)
    pool_b = PoolFactory(name="East pool", team=org.team_b, kind=Pool.Kind.REGION)
    acme = CustomerAccountFactory(
        name="Acme",
        external_id="CRM-A",
        journey=journey,
        segment="SMB",
        owner=org.member_a,
    )
    beta = CustomerAccountFactory(
        name="Beta",
        external_id="CRM-B",
        journey=journey,
        segment="Enterprise",
        pool=pool_b,
        is_active=False,
    )
    gamma = CustomerAccountFactory(
        name="Gamma",
        external_id="CRM-G",
        journey=other_journey,
        segment="SMB",
        owner=org.member_b,
    )
    # Acme started 30 days ago and has not reached the value point (day 10).
    first = StepEventFactory(account=acme, step=steps[0], reached_at=long_ago)
    second = StepEventFactory(
        account=beta, step=steps[1], reached_at=T0, source=StepEvent.Source.API
    )
    void = StepEventFactory(
        account=gamma,
        step=other_step,
        reached_at=T0 + timedelta(days=1),
        source=StepEvent.Source.IMPORT,
        voided_at=T0 + timedelta(days=2),
        voided_by=org.admin,
        void_reason="wrong account",
    )
    playbook_a = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    playbook_b = PlaybookFactory(from_step=other_step, owner=org.manager_b)
    module_a = TrainingModuleFactory(from_step=steps[0], title="Kickoff")
    module_b = TrainingModuleFactory(
        from_step=other_step, title="Renewal talk", is_required=False, is_active=False
    )
    assignment_a = TrainingAssignment.objects.create(
        module=module_a, member=org.member_a, due_date=date(2026, 5, 1)
    )
    assignment_b = TrainingAssignment.objects.create(
        module=module_b, team=org.team_b, due_date=date(2026, 6, 1)
    )
    completion_a = TrainingCompletion.objects.create(
        module=module_a, member=org.member_a, completed_at=T0, passed=True
    )
    completion_b = TrainingCompletion.objects.create(
        module=module_b, member=org.member_b, completed_at=T0, passed=False
    )
    return {
        "org": org,
        "journey": journey,
        "other_journey": other_journey,
        "steps": steps,
        "retired": retired,
        "other_step": other_step,
        "pool_a": pool_a,
        "pool_b": pool_b,
        "acme": acme,
        "beta": beta,
        "gamma": gamma,
        "first": first,
        "second": second,
        "void": void,
        "playbook_a": playbook_a,
        "playbook_b": playbook_b,
        "module_a": module_a,
        "module_b": module_b,
        "assignment_a": assignment_a,
        "assignment_b": assignment_b,
        "completion_a": completion_a,
        "completion_b": completion_b,
    }


def _at(moment) -> str:
    return moment.isoformat()


# (endpoint, parameter) → (the value, the objects it keeps), from the world above.
def _band(account, band: str) -> str:
    """Record a health band on the account (`journeys.health` would); the value."""
    type(account).objects.filter(pk=account.pk).update(
        health_score=20, health_band=band
    )
    return band


CASES = {
    ("journeys", "active"): lambda w: ("false", ["other_journey"]),
    ("steps", "journey"): lambda w: (
        w["other_journey"].pk,
        ["other_step"],
    ),
    ("steps", "retired"): lambda w: ("true", ["retired"]),
    ("steps", "is_value_point"): lambda w: ("true", ["steps.2"]),
    ("playbooks", "journey"): lambda w: (w["journey"].pk, ["playbook_a"]),
    ("playbooks", "from_step"): lambda w: (w["other_step"].pk, ["playbook_b"]),
    ("playbooks", "owner"): lambda w: (w["org"].manager_b.pk, ["playbook_b"]),
    ("training-modules", "journey"): lambda w: (w["journey"].pk, ["module_a"]),
    ("training-modules", "from_step"): lambda w: (w["other_step"].pk, ["module_b"]),
    ("training-modules", "is_required"): lambda w: ("false", ["module_b"]),
    ("training-modules", "is_active"): lambda w: ("true", ["module_a"]),
    ("training-assignments", "module"): lambda w: (w["module_b"].pk, ["assignment_b"]),
    ("training-assignments", "member"): lambda w: (
        w["org"].member_a.pk,
        ["assignment_a"],
    ),
    ("training-assignments", "team"): lambda w: (w["org"].team_b.pk, ["assignment_b"]),
    ("training-completions", "module"): lambda w: (w["module_a"].pk, ["completion_a"]),
    ("training-completions", "member"): lambda w: (
        w["org"].member_b.pk,
        ["completion_b"],
    ),
    ("training-completions", "passed"): lambda w: ("false", ["completion_b"]),
    ("pools", "kind"): lambda w: ("region", ["pool_b"]),
    ("pools", "team"): lambda w: (w["org"].team_a.pk, ["pool_a"]),
    ("customers", "search"): lambda w: ("crm-b", ["beta"]),
    ("customers", "external_id"): lambda w: ("CRM-G", ["gamma"]),
    ("customers", "journey"): lambda w: (w["other_journey"].pk, ["gamma"]),
    ("customers", "segment"): lambda w: ("Enterprise", ["beta"]),
    ("customers", "active"): lambda w: ("false", ["beta"]),
    ("customers", "owner"): lambda w: (w["org"].member_a.pk, ["acme"]),
    ("customers", "pool"): lambda w: (w["pool_b"].pk, ["beta"]),
    ("customers", "current_step"): lambda w: (w["steps"][1].pk, ["beta"]),
    ("customers", "overdue"): lambda w: ("true", ["acme"]),
    ("customers", "health"): lambda w: (_band(w["gamma"], "critical"), ["gamma"]),
    ("customers", "ordering"): lambda w: ("-name", ["gamma", "beta", "acme"]),
    ("step-events", "account"): lambda w: (w["beta"].pk, ["second"]),
    ("step-events", "external_id"): lambda w: ("CRM-A", ["first"]),
    ("step-events", "step"): lambda w: (w["steps"][1].pk, ["second"]),
    ("step-events", "journey"): lambda w: (w["other_journey"].pk, ["void"]),
    ("step-events", "source"): lambda w: ("api", ["second"]),
    ("step-events", "void"): lambda w: ("true", ["void"]),
    # second at T0, void a day later, first 30 days before today (after both).
    ("step-events", "reached_after"): lambda w: (_at(T0 + HALF_DAY), ["void", "first"]),
    ("step-events", "reached_before"): lambda w: (_at(T0 + HALF_DAY), ["second"]),
}


def _object(w, name):
    if "." in name:
        key, index = name.split(".")
        return w[key][int(index)]
    return w[name]


def _get(user, endpoint, params=None) -> list[int]:
    client = APIClient()
    client.force_authenticate(user)
    response = client.get(f"{V1}/{endpoint}/", {"page_size": 100, **(params or {})})
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_every_declared_filter_has_a_case():
    declared = {
        (endpoint, name)
        for viewset, endpoint in ENDPOINTS.items()
        for name in viewset.filterset_class.base_filters
    }
    assert declared == set(CASES)


@pytest.mark.parametrize(("endpoint", "parameter"), sorted(CASES))
def test_each_api_filter_narrows_the_list_to_what_it_says(w, endpoint, parameter):
    value, kept = CASES[endpoint, parameter](w)
    admin = w["org"].admin
    everything = _get(admin, endpoint)
    expected = [_object(w, name).pk for name in kept]
    filtered = _get(admin, endpoint, {parameter: value})
    if parameter == "ordering":
        assert filtered == expected
        assert sorted(filtered) == sorted(everything)
    else:
        assert sorted(filtered) == sorted(expected)
        assert set(filtered) < set(everything), "the filter kept every row"


def _page_ids(client, params) -> list[int]:
    response = client.get(reverse("journeys:account_list"), params)
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-account="(\d+)"', response.text)]


@pytest.mark.parametrize(
    "parameter",
    sorted(name for endpoint, name in CASES if endpoint == "customers"),
)
def test_the_account_page_filters_as_the_api_does(client, w, parameter):
    value, _kept = CASES["customers", parameter](w)
    admin = w["org"].admin
    client.force_login(admin)
    api_ids = _get(admin, "customers", {parameter: value})
    page_ids = _page_ids(client, {parameter: value})
    if parameter == "ordering":
        assert page_ids == api_ids
    else:
        assert sorted(page_ids) == sorted(api_ids)


def test_a_filter_the_viewer_may_not_use_widens_nothing(w):
    """Filters narrow the viewer's accounts; they never reach others."""
    member = w["org"].member_a
    assert _get(member, "customers", {"owner": w["org"].member_b.pk}) == []
    assert _get(member, "customers", {"pool": w["pool_b"].pk}) == []


@pytest.mark.parametrize(
    ("parameter", "value"),
    [
        ("owner", "abc"),
        ("current_step", "1.5"),
        ("overdue", "maybe"),
        ("health", "sick"),
        ("ordering", "password"),
    ],
)
def test_a_bad_value_answers_400_in_the_api_and_an_error_on_the_page(
    client, w, parameter, value
):
    admin = w["org"].admin
    api_client = APIClient()
    api_client.force_authenticate(admin)
    response = api_client.get(f"{V1}/customers/", {parameter: value})
    assert response.status_code == 400
    assert parameter in response.json()
    client.force_login(admin)
    page = client.get(reverse("journeys:account_list"), {parameter: value})
    assert page.status_code == 200
    if parameter != "ordering":  # a hidden field: the list keeps its order
        assert "invalid-feedback" in page.text


@pytest.mark.parametrize(
    "parameter", sorted(name for endpoint, name in CASES if endpoint == "pools")
)
def test_the_pool_page_filters_as_the_api_does(client, w, parameter):
    value, kept = CASES["pools", parameter](w)
    client.force_login(w["org"].admin)
    response = client.get(reverse("journeys:pool_list"), {parameter: value})
    listed = [int(pk) for pk in re.findall(r'data-pool="(\d+)"', response.text)]
    assert sorted(listed) == sorted(_get(w["org"].admin, "pools", {parameter: value}))
    assert sorted(listed) == sorted(_object(w, name).pk for name in kept)


def test_the_journey_page_filters_as_the_api_does(client, w):
    admin = w["org"].admin
    client.force_login(admin)
    for value in ("true", "false"):
        response = client.get(reverse("journeys:journey_list"), {"active": value})
        listed = re.findall(r'<a href="/journeys/(\d+)/">', response.text)
        expected = _get(admin, "journeys", {"active": value})
        assert sorted(map(int, listed)) == sorted(expected)
    client.force_login(w["org"].member_a)
    text = client.get(reverse("journeys:journey_list")).text
    assert 'data-testid="journey-filters"' not in text
