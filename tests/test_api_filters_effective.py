"""Every filter the API declares on a list of accounts or recognition filters it:
for each filter of each list's FilterSet, two objects that differ on that field,
and the filter returns only the one asked for. The list of filters is read from
the routers, so a new filter without a case here fails."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.api_urls import router as accounts_router
from accounts.models import Role
from config.api import DjangoFilterBackend
from recognition.api_urls import router as recognition_router
from recognition.metrics import Family
from recognition.models import (
    Cadence,
    DevelopmentPlan,
    MaturityAssessment,
    PlanStatus,
    RoleFunction,
    RoleImportance,
    RoleStatus,
    TeamFigure,
)
from tests.factories import UserFactory
from tests.recognition.award_factories import AwardProgramFactory, figure
from tests.recognition.development_factories import assess
from tests.recognition.planning_factories import make_plan

pytestmark = pytest.mark.django_db

TRAINING = str(Family.TRAINING_COMPLETION)
EVENTS = str(Family.STEP_EVENTS_RECORDED)
MONTH = date(2026, 1, 1)


def _declared_filters() -> set[tuple[str, str]]:
    """(list's basename, filter name) of every filter of every list's FilterSet."""
    found = set()
    for _prefix, viewset, basename in (
        accounts_router.registry + recognition_router.registry
    ):
        if not hasattr(viewset, "list"):
            continue
        view = viewset()
        view.action = "list"
        backends = getattr(viewset, "filter_backends", None) or [DjangoFilterBackend]
        if not any(issubclass(b, DjangoFilterBackend) for b in backends):
            continue
        filterset = DjangoFilterBackend().get_filterset_class(view, viewset.queryset)
        if filterset is not None:
            found |= {(basename, name) for name in filterset.base_filters}
    return found


# Each case: (org) → (query parameters, the object asked for, the other one).


def _user_team(org):
    return {"team": org.team_a.pk}, org.member_a, org.member_b


def _user_role(org):
    return {"role": Role.INTERVIEWER.value}, org.interviewer, org.member_a


def _user_is_active(org):
    gone = UserFactory(username="gone", is_active=False)
    return {"is_active": "false"}, gone, org.member_a


def _team_parent(org):
    return {"parent": org.team_a.pk}, org.sub_a, org.team_b


def _team_leader(org):
    return {"leader": org.manager_b.pk}, org.team_b, org.team_a


def _team_top_level(org):
    return {"top_level": "true"}, org.team_a, org.sub_a


def _member_figure_member(org):
    return (
        {"member": org.member_a.pk},
        figure(org.member_a, TRAINING, MONTH, 1, 2),
        figure(org.member_b, TRAINING, MONTH, 1, 2),
    )


def _member_figure_metric(org):
    return (
        {"metric": EVENTS},
        figure(org.member_a, EVENTS, MONTH, 1, 2),
        figure(org.member_a, TRAINING, MONTH, 1, 2),
    )


def _member_figure_period(org):
    return (
        {"period": "2026-02"},
        figure(org.member_a, TRAINING, date(2026, 2, 1), 1, 2),
        figure(org.member_a, TRAINING, MONTH, 1, 2),
    )


def _member_figure_provisional(org):
    return (
        {"provisional": "true"},
        figure(org.member_a, TRAINING, MONTH, 1, 2, provisional=True),
        figure(org.member_b, TRAINING, MONTH, 1, 2),
    )


def _team_figure(team, metric=TRAINING, month=MONTH, provisional=False):
    return TeamFigure.objects.create(
        team=team,
        metric=metric,
        month=month,
        value=0.5,
        numerator=1,
        denominator=2,
        provisional=provisional,
        computed_at=timezone.now(),
    )


def _team_figure_team(org):
    return (
        {"team": org.team_a.pk},
        _team_figure(org.team_a),
        _team_figure(org.team_b),
    )


def _team_figure_metric(org):
    return (
        {"metric": EVENTS},
        _team_figure(org.team_a, metric=EVENTS),
        _team_figure(org.team_a),
    )


def _team_figure_period(org):
    return (
        {"period": "2026-02"},
        _team_figure(org.team_a, month=date(2026, 2, 1)),
        _team_figure(org.team_a),
    )


def _team_figure_provisional(org):
    return (
        {"provisional": "false"},
        _team_figure(org.team_a),
        _team_figure(org.team_b, provisional=True),
    )


def _assessment_member(org):
    return (
        {"member": org.member_a.pk},
        assess(org.member_a, org.manager_a, {}),
        assess(org.member_b, org.manager_b, {}),
    )


def _plan(member, by, status=PlanStatus.ON_TRACK):
    return DevelopmentPlan.objects.create(member=member, created_by=by, status=status)


def _plan_member(org):
    return (
        {"member": org.member_b.pk},
        _plan(org.member_b, org.manager_b),
        _plan(org.member_a, org.manager_a),
    )


def _plan_status(org):
    other = next(s for s in PlanStatus.values if s != PlanStatus.ON_TRACK)
    return (
        {"status": other},
        _plan(org.member_b, org.manager_b, status=other),
        _plan(org.member_a, org.manager_a),
    )


def _award_cadence(org):
    return (
        {"cadence": Cadence.QUARTERLY.value},
        AwardProgramFactory(cadence=Cadence.QUARTERLY),
        AwardProgramFactory(cadence=Cadence.MONTHLY),
    )


def _award_is_active(org):
    return (
        {"is_active": "false"},
        AwardProgramFactory(is_active=False),
        AwardProgramFactory(is_active=True),
    )


def _plan_author(org):
    return (
        {"author": org.manager_b.pk},
        make_plan(org.manager_b, name="B's plan"),
        make_plan(org.manager_a, name="A's plan"),
    )


def _function(name, status, importance):
    shared_with = "CSM" if status == RoleStatus.SHARED else ""
    return RoleFunction.objects.create(
        name=name, status=status, importance=importance, shared_with=shared_with
    )


def _function_status(org):
    return (
        {"status": RoleStatus.SHARED.value},
        _function("Renewal desk", RoleStatus.SHARED, RoleImportance.NOW),
        _function("Academy", RoleStatus.DEDICATED, RoleImportance.NOW),
    )


def _function_importance(org):
    return (
        {"importance": RoleImportance.LATER.value},
        _function("Community desk", RoleStatus.NOT_STARTED, RoleImportance.LATER),
        _function("Onboarding desk", RoleStatus.NOT_STARTED, RoleImportance.NOW),
    )


def _function_needs_person(org):
    return (
        {"needs_person": "true"},
        _function("Ops desk", RoleStatus.NOT_STARTED, RoleImportance.NOW),
        _function("Adoption desk", RoleStatus.DEDICATED, RoleImportance.NOW),
    )


def _assessment(quarter, level):
    return MaturityAssessment.objects.create(
        quarter=quarter, level=level, assessed_at=timezone.now()
    )


def _maturity_level(org):
    return (
        {"level": 3},
        _assessment("FY2025-Q1", 3),
        _assessment("FY2025-Q2", 2),
    )


def _maturity_quarter(org):
    return (
        {"quarter": "FY2025-Q2"},
        _assessment("FY2025-Q2", 2),
        _assessment("FY2025-Q1", 3),
    )


CASES = {
    ("user", "team"): _user_team,
    ("user", "role"): _user_role,
    ("user", "is_active"): _user_is_active,
    ("team", "parent"): _team_parent,
    ("team", "leader"): _team_leader,
    ("team", "top_level"): _team_top_level,
    ("member-metric", "member"): _member_figure_member,
    ("member-metric", "metric"): _member_figure_metric,
    ("member-metric", "period"): _member_figure_period,
    ("member-metric", "provisional"): _member_figure_provisional,
    ("team-metric", "team"): _team_figure_team,
    ("team-metric", "metric"): _team_figure_metric,
    ("team-metric", "period"): _team_figure_period,
    ("team-metric", "provisional"): _team_figure_provisional,
    ("competency-assessment", "member"): _assessment_member,
    ("development-plan", "member"): _plan_member,
    ("development-plan", "status"): _plan_status,
    ("award", "cadence"): _award_cadence,
    ("award", "is_active"): _award_is_active,
    ("capacity-plan", "author"): _plan_author,
    ("role-function", "status"): _function_status,
    ("role-function", "importance"): _function_importance,
    ("role-function", "needs_person"): _function_needs_person,
    ("maturity-assessment", "level"): _maturity_level,
    ("maturity-assessment", "quarter"): _maturity_quarter,
}


def test_every_declared_filter_has_a_case():
    assert _declared_filters() == set(CASES)


def _list_ids(client, basename, params) -> set[int]:
    response = client.get(
        reverse(f"{basename}-list"), {**params, "page_size": 200}, format="json"
    )
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("basename", "name"), sorted(CASES), ids=lambda value: str(value)
)
def test_the_filter_returns_only_what_it_asks_for(org, basename, name):
    params, wanted, other = CASES[basename, name](org)
    client = APIClient()
    client.force_authenticate(org.admin)
    both = {wanted.pk, other.pk}
    # Both are in the list unfiltered: the filter, not visibility, tells them apart.
    assert _list_ids(client, basename, {}) >= both
    assert _list_ids(client, basename, params) & both == {wanted.pk}


def test_the_plans_page_reads_the_status_filter_as_the_api_does(client, org):
    """One FilterSet for the plans: the page's status filter is the API's."""
    other = next(s for s in PlanStatus.values if s != PlanStatus.ON_TRACK)
    wanted = _plan(org.member_b, org.manager_b, status=other)
    _plan(org.member_a, org.manager_a)
    client.force_login(org.admin)
    api = APIClient()
    api.force_authenticate(org.admin)

    page = client.get(reverse("recognition:plan_list"), {"status": other})

    assert page.context["status"] == other
    assert org.member_b.display_name in page.text
    assert org.member_a.display_name not in page.text
    assert _list_ids(api, "development-plan", {"status": other}) == {wanted.pk}
    # Members without a plan: the page lists them; every plan has a status.
    page = client.get(reverse("recognition:plan_list"), {"status": "none"})
    assert org.sub_member.display_name in page.text
    assert org.member_b.display_name not in page.text
    assert _list_ids(api, "development-plan", {"status": "none"}) == set()
    # What is no status filters nothing on the page, and is refused by the API.
    page = client.get(reverse("recognition:plan_list"), {"status": "bogus"})
    assert page.context["status"] == ""
    assert org.member_a.display_name in page.text
    response = api.get(reverse("development-plan-list"), {"status": "bogus"})
    assert response.status_code == 400
    assert "status" in response.json()
