"""Success plans on the account page, their forms, and the at-risk list: what
each role sees and may write, and the query count of the list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import SuccessMeasure, SuccessPlan, SuccessProgress
from tests.journeys.factories import CustomerAccountFactory, StepEventFactory
from tests.journeys.success_factories import (
    journey_with_value_points,
    measure_for,
    plan_for,
    read,
)

pytestmark = pytest.mark.django_db

AT_RISK = reverse("journeys:success_at_risk")


def _today():
    return timezone.localdate()


def _behind_plan(account, name="解約率"):
    """A plan whose measure is halfway through its time with no progress."""
    today = _today()
    plan = plan_for(account)
    measure = measure_for(
        plan,
        name=name,
        baseline_on=today - timedelta(days=50),
        target_on=today + timedelta(days=50),
    )
    return plan, measure


@pytest.fixture
def world(org):
    journey, steps = journey_with_value_points()
    own = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    other = CustomerAccountFactory(journey=journey, owner=org.member_b, name="Other")
    return {"org": org, "steps": steps, "own": own, "other": other}


def _detail(account):
    return reverse("journeys:account_detail", args=[account.pk])


def test_the_account_page_invites_to_write_the_plan(client, world):
    client.force_login(world["org"].member_a)
    response = client.get(_detail(world["own"]))
    html = response.content.decode()
    assert 'data-testid="success-plan-empty"' in html
    assert reverse("journeys:success_plan_edit", args=[world["own"].pk]) in html


def test_the_owner_writes_the_plan_and_a_typo_keeps_what_was_typed(client, world):
    org, account = world["org"], world["own"]
    client.force_login(org.member_a)
    url = reverse("journeys:success_plan_edit", args=[account.pk])
    response = client.post(
        url,
        {
            "outcome": "問い合わせ工数を半分に",
            "outcome_kind": "",
            "customer_owner": "佐藤",
        },
    )
    assert response.status_code == 200
    assert "問い合わせ工数を半分に" in response.content.decode()
    assert not SuccessPlan.objects.exists()
    response = client.post(
        url,
        {
            "outcome": "問い合わせ工数を半分に",
            "outcome_kind": "cost",
            "customer_owner": "佐藤",
            "customer_owner_title": "CS部長",
        },
    )
    assert response.status_code == 302
    page = client.get(_detail(account)).content.decode()
    assert "問い合わせ工数を半分に" in page and "CS部長" in page


def test_a_measure_with_the_target_at_its_baseline_is_refused_on_the_field(
    client, world
):
    org, account, steps = world["org"], world["own"], world["steps"]
    plan_for(account)
    client.force_login(org.member_a)
    url = reverse("journeys:success_measure_add", args=[account.pk])
    form = client.get(url).content.decode()
    # Only the journey's value points are offered.
    assert f'value="{steps[1].pk}"' in form and f'value="{steps[0].pk}"' not in form
    data = {
        "name": "工数",
        "baseline": "100",
        "baseline_on": "2026-01-01",
        "target": "100",
        "target_on": "2026-12-31",
        "value_points": [steps[1].pk],
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "The target must differ from the baseline" in html
    assert 'value="工数"' in html
    assert not SuccessMeasure.objects.exists()
    response = client.post(url, data | {"target": "50"})
    assert response.status_code == 302
    measure = SuccessMeasure.objects.get()
    assert list(measure.value_points.all()) == [steps[1]]


def test_the_page_shows_each_measure_with_its_way_and_value_points(client, world):
    org, account, steps = world["org"], world["own"], world["steps"]
    StepEventFactory(account=account, step=steps[0])
    plan, measure = _behind_plan(account)
    measure.value_points.set([steps[1]])
    read(measure, _today() - timedelta(days=1), 90)
    client.force_login(org.manager_a)
    html = client.get(_detail(account)).content.decode()
    assert 'data-status="behind"' in html
    assert "Outcome at risk" in html
    assert "20% done, 50% expected by today" in html
    assert 'data-testid="linked-value-point"' in html
    assert (
        reverse("journeys:success_progress_record", args=[account.pk, measure.pk])
        in html
    )


def test_measured_figures_read_as_written_and_the_value_is_named_in_japanese(
    client, world
):
    """600.6 showed as 600.6000 (the figures are kept to 4 decimal places), and
    the progress form's "Value" read 価値観 (a person's values)."""
    org, account = world["org"], world["own"]
    _plan, measure = _behind_plan(account)
    read(measure, _today() - timedelta(days=1), "600.6")
    client.force_login(org.member_a)
    page = client.get(_detail(account)).content.decode()
    assert "<strong>600.6" in page and "600.6000" not in page
    assert "<strong>100" in page and "100.0000" not in page
    url = reverse("journeys:success_progress_record", args=[account.pk, measure.pk])
    form = client.get(url, headers={"accept-language": "ja"}).content.decode()
    assert "実績値" in form and "価値観" not in form
    assert "600.6000" not in form


def test_recording_progress_takes_the_account_off_the_at_risk_list(client, world):
    org, account = world["org"], world["own"]
    _plan, measure = _behind_plan(account)
    client.force_login(org.member_a)
    assert [account.pk] == _listed(client.get(AT_RISK))
    url = reverse("journeys:success_progress_record", args=[account.pk, measure.pk])
    future = (_today() + timedelta(days=1)).isoformat()
    response = client.post(url, {"measured_on": future, "value": "70"})
    assert response.status_code == 200
    assert "in the future" in response.content.decode()
    assert f'value="{future}"' in response.content.decode()
    response = client.post(url, {"measured_on": _today().isoformat(), "value": "70"})
    assert response.status_code == 302
    assert SuccessProgress.objects.get().recorded_by == org.member_a
    assert _listed(client.get(AT_RISK)) == []


def test_another_teams_plan_answers_404_and_its_forms_too(client, world):
    org, other = world["org"], world["other"]
    _plan, measure = _behind_plan(other)
    client.force_login(org.member_a)
    for url in (
        _detail(other),
        reverse("journeys:success_plan_edit", args=[other.pk]),
        reverse("journeys:success_measure_edit", args=[other.pk, measure.pk]),
        reverse("journeys:success_progress_record", args=[other.pk, measure.pk]),
    ):
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("journeys:success_progress_record", args=[other.pk, measure.pk]),
        {"measured_on": _today().isoformat(), "value": "70"},
    )
    assert response.status_code == 404
    response = client.post(
        reverse("journeys:success_measure_remove", args=[other.pk, measure.pk])
    )
    assert response.status_code == 404
    assert not SuccessProgress.objects.exists()
    assert SuccessMeasure.objects.filter(pk=measure.pk).exists()


def _listed(response) -> list[int]:
    html = response.content.decode()
    import re

    return [
        int(pk)
        for pk in re.findall(r'data-testid="at-risk-row" data-account="(\d+)"', html)
    ]


def test_the_at_risk_list_follows_each_roles_scope(client, world):
    org, own, other = world["org"], world["own"], world["other"]
    _behind_plan(own)
    _behind_plan(other)
    on_track = CustomerAccountFactory(journey=own.journey, owner=org.member_a)
    measure = measure_for(
        plan_for(on_track),
        baseline_on=_today() - timedelta(days=10),
        target_on=_today() + timedelta(days=90),
    )
    read(measure, _today(), 90)
    client.force_login(org.member_a)
    assert _listed(client.get(AT_RISK)) == [own.pk]
    client.force_login(org.manager_a)
    assert _listed(client.get(AT_RISK)) == [own.pk]
    client.force_login(org.manager_b)
    assert _listed(client.get(AT_RISK)) == [other.pk]
    client.force_login(org.admin)
    assert sorted(_listed(client.get(AT_RISK))) == sorted([own.pk, other.pk])
    assert _listed(client.get(AT_RISK, {"team": org.team_b.pk})) == [other.pk]
    assert _listed(client.get(AT_RISK, {"owner": org.member_a.pk})) == [own.pk]
    response = client.get(AT_RISK, {"owner": org.recruiter.pk})
    assert 'data-testid="at-risk-empty"' in response.content.decode()


def test_the_home_pages_count_the_outcomes_at_risk(client, world):
    org = world["org"]
    _behind_plan(world["own"])
    for user in (org.member_a, org.manager_a):
        client.force_login(user)
        html = client.get(reverse("home")).content.decode()
        assert 'data-testid="outcomes-at-risk-count"' in html
        assert AT_RISK in html


@pytest.mark.parametrize("size", [2, 12])
def test_the_at_risk_list_query_count_does_not_grow(
    client, org, django_assert_max_num_queries, size
):
    journey, steps = journey_with_value_points()
    for number in range(size):
        account = CustomerAccountFactory(journey=journey, owner=org.member_a)
        plan, measure = _behind_plan(account, name=f"m{number}")
        measure.value_points.set([steps[1]])
        measure_for(plan, name="second", position=2)
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(12):
        response = client.get(AT_RISK)
    assert len(_listed(response)) == size


@pytest.mark.parametrize("size", [2, 12])
def test_the_account_page_query_count_does_not_grow_with_measures(
    client, org, django_assert_max_num_queries, size
):
    journey, steps = journey_with_value_points()
    account = CustomerAccountFactory(journey=journey, owner=org.member_a)
    plan = plan_for(account)
    for number in range(size):
        measure = measure_for(plan, name=f"m{number}", position=number + 1)
        measure.value_points.set([steps[1], steps[3]])
        read(measure, _today(), 60)
    client.force_login(org.member_a)
    with django_assert_max_num_queries(30):
        response = client.get(_detail(account))
    assert response.content.decode().count("data-measure=") == size
