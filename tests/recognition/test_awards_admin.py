"""The awards in Django's admin: programs and metrics through the services, with
the same rules as the pages; metric changes and winners are read-only history."""

import pytest
from django.urls import reverse

from recognition.models import (
    AwardMetricChange,
    AwardPeriod,
    AwardProgram,
    AwardWinner,
    Cadence,
)
from tests.recognition.award_factories import awards_world, month

pytestmark = pytest.mark.django_db

# The read-only inlines of a period still post their (empty) management forms.
INLINES = {
    f"{prefix}-{name}": 0
    for prefix in ("metric_changes", "winners")
    for name in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def _url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, org):
    client.force_login(org.admin)
    return client


def test_the_admin_creates_a_program_with_its_teams(admin_client, org):
    response = admin_client.post(
        _url(AwardProgram, "add"),
        {
            "name": "Quarterly MVP",
            "description": "",
            "cadence": Cadence.QUARTERLY,
            "winners": 2,
            "minimum_denominator": 5,
            "teams": [org.team_a.pk],
            "is_active": "on",
            "periods-TOTAL_FORMS": 0,
            "periods-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    program = AwardProgram.objects.get()
    assert list(program.teams.all()) == [org.team_a]


def test_the_cadence_of_a_program_with_periods_is_kept(admin_client, org):
    world = awards_world(org)
    response = admin_client.post(
        _url(AwardProgram, "change", world.program.pk),
        {
            "name": world.program.name,
            "cadence": Cadence.QUARTERLY,
            "winners": 1,
            "minimum_denominator": 2,
            "teams": [org.team_a.pk],
            "is_active": "on",
            "periods-TOTAL_FORMS": 0,
            "periods-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "cadence" in response.context["adminform"].form.errors
    world.program.refresh_from_db()
    assert world.program.cadence == Cadence.MONTHLY


def test_a_metric_set_in_the_admin_follows_the_rules(admin_client, org):
    world = awards_world(org)
    other = f"journey_conversion:{world.steps[0].journey_id}"
    add = _url(AwardPeriod, "add")
    assert admin_client.get(add).status_code == 200
    created = admin_client.post(
        add,
        {
            "program": world.program.pk,
            "period": f"{month(1):%Y-%m}",
            "metric": world.key,
            **INLINES,
        },
    )
    assert created.status_code == 302
    period = AwardPeriod.objects.get(program=world.program, start=month(1))
    assert period.set_by == org.admin
    change = _url(AwardPeriod, "change", world.current.pk)
    refused = admin_client.post(change, {"metric": other, **INLINES})
    assert refused.status_code == 200
    assert "reason" in refused.context["adminform"].form.errors
    admin_client.post(change, {"metric": other, "reason": "focus", **INLINES})
    assert AwardMetricChange.objects.get().new_metric == other


def test_closed_periods_and_programs_with_winners_keep_their_history(admin_client, org):
    world = awards_world(org)
    closed = _url(AwardPeriod, "change", world.past.pk)
    assert admin_client.get(closed).status_code == 200  # shown read-only
    assert admin_client.post(closed, {"metric": "x"}).status_code == 403
    assert (
        admin_client.get(_url(AwardProgram, "delete", world.program.pk)).status_code
        == 403
    )
    assert admin_client.get(_url(AwardWinner, "changelist")).status_code == 200
    assert admin_client.get(_url(AwardWinner, "add")).status_code == 403
