"""The journeys admin keeps history: read-only history models, step edits through
the services, playbook revisions as new versions, coverage changes that close the
open period."""

from datetime import date

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from journeys.models import (
    Coverage,
    CustomerAccount,
    Playbook,
    PlaybookVersion,
    PracticumReflection,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
)
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    PoolFactory,
    StepEventFactory,
    TrainingModuleFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

HISTORY = [
    StepEvent,
    Coverage,
    PlaybookVersion,
    TrainingCompletion,
    PracticumReflection,
]


def _url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


@pytest.fixture
def admin_client(client, org):
    client.force_login(org.admin)
    return client


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def _history(org):
    """One row of every history model."""
    journey, steps = journey_with_steps(3)
    account = CustomerAccountFactory(journey=journey, owner=org.member_a)
    event = StepEventFactory(account=account, step=steps[0])
    version = PlaybookVersionFactory(playbook=PlaybookFactory(from_step=steps[0]))
    module = TrainingModuleFactory(from_step=steps[0])
    completion = TrainingCompletion.objects.create(
        module=module, member=org.member_a, completed_at=T0, passed=True
    )
    reflection = PracticumReflection.objects.create(
        member=org.member_a, step=steps[0], what_was_hard="the setup"
    )
    return {
        StepEvent: event,
        Coverage: account.coverage.get(),
        PlaybookVersion: version,
        TrainingCompletion: completion,
        PracticumReflection: reflection,
    }


@pytest.mark.parametrize("model", HISTORY, ids=lambda m: m.__name__)
def test_history_models_refuse_add_change_and_delete(admin_client, org, model):
    row = _history(org)[model]
    model_admin = admin.site._registry[model]
    request = _request(org.admin)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, row)
    assert not model_admin.has_delete_permission(request, row)
    assert admin_client.get(_url(model, "add")).status_code == 403
    assert admin_client.get(_url(model, "delete", row.pk)).status_code == 403
    assert (
        admin_client.post(_url(model, "delete", row.pk), {"post": "yes"}).status_code
        == 403
    )
    assert model.objects.filter(pk=row.pk).exists()
    # Viewable: the change page opens, read-only.
    page = admin_client.get(_url(model, "change", row.pk))
    assert page.status_code == 200
    assert 'name="_save"' not in page.text
    changelist = admin_client.get(_url(model, "changelist"))
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.text


def test_a_step_event_cannot_be_edited_in_the_admin(admin_client, org):
    event = _history(org)[StepEvent]
    response = admin_client.post(
        _url(StepEvent, "change", event.pk),
        {
            "reached_at_0": "2020-01-01",
            "reached_at_1": "00:00:00",
            "note": "rewritten",
            "void_reason": "gone",
        },
    )
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.reached_at == T0
    assert event.note == "" and event.voided_at is None


def test_an_inserted_step_shifts_the_later_ones_and_keeps_their_events(
    admin_client, org
):
    journey, (one, two, three) = journey_with_steps(3)
    account = CustomerAccountFactory(journey=journey, owner=org.member_a)
    event = StepEventFactory(account=account, step=two)
    response = admin_client.post(
        _url(Step, "add"),
        {
            "journey": journey.pk,
            "insert_at": 2,
            "name": "Data connected",
            "definition_of_done": "data flows",
            "conversion_window_days": 30,
        },
    )
    assert response.status_code == 302
    new = Step.objects.get(name="Data connected")
    positions = dict(journey.steps.values_list("pk", "position"))
    assert positions == {one.pk: 1, new.pk: 2, two.pk: 3, three.pk: 4}
    event.refresh_from_db()
    assert event.step_id == two.pk


def test_an_insert_beyond_the_end_is_refused_on_the_field(admin_client):
    journey, _steps = journey_with_steps(2)
    response = admin_client.post(
        _url(Step, "add"),
        {
            "journey": journey.pk,
            "insert_at": 5,
            "name": "Late",
            "conversion_window_days": 90,
        },
    )
    assert response.status_code == 200
    assert "The position is a number from 1 to 3." in response.text
    assert journey.steps.count() == 2


def test_a_steps_position_is_not_edited_on_its_page(admin_client):
    journey, (one, two) = journey_with_steps(2)
    response = admin_client.post(
        _url(Step, "change", one.pk),
        {
            "position": 2,
            "name": "Kickoff held",
            "definition_of_done": "kickoff held",
            "conversion_window_days": 45,
        },
    )
    assert response.status_code == 302
    one.refresh_from_db()
    two.refresh_from_db()
    assert (one.position, one.name, one.conversion_window_days) == (
        1,
        "Kickoff held",
        45,
    )
    assert two.position == 2


def test_move_and_retire_actions_keep_events_attached(admin_client, org):
    journey, (one, two, three) = journey_with_steps(3)
    account = CustomerAccountFactory(journey=journey, owner=org.member_a)
    event = StepEventFactory(account=account, step=three)
    changelist = _url(Step, "changelist")
    admin_client.post(changelist, {"action": "move_up", "_selected_action": [three.pk]})
    positions = dict(journey.steps.values_list("pk", "position"))
    assert positions == {one.pk: 1, three.pk: 2, two.pk: 3}
    admin_client.post(changelist, {"action": "retire", "_selected_action": [one.pk]})
    positions = dict(journey.steps.values_list("pk", "position"))
    assert positions == {one.pk: None, three.pk: 1, two.pk: 2}
    one.refresh_from_db()
    assert one.retired_at is not None
    event.refresh_from_db()
    assert event.step_id == three.pk
    # No deletion of steps from the admin.
    assert admin_client.get(_url(Step, "delete", two.pk)).status_code == 403


def test_changing_a_playbooks_content_writes_a_new_version(admin_client, org):
    journey, (one, _two) = journey_with_steps(2)
    playbook = PlaybookFactory(from_step=one, owner=org.manager_a)
    PlaybookVersionFactory(playbook=playbook, content="Hello {customer_name}")
    url = _url(Playbook, "change", playbook.pk)
    data = {
        "owner": org.manager_a.pk,
        "goal": "Setup done within ten days",
        "actions": "Run the setup workshop",
        "content": "Hello {customer_name}",
        "note": "",
        "versions-TOTAL_FORMS": 1,
        "versions-INITIAL_FORMS": 1,
    }
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "Say what changed in this version." in refused.text
    assert playbook.versions.count() == 1

    assert admin_client.post(url, data | {"note": "Ten days now"}).status_code == 302
    versions = list(playbook.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].goal == "Setup done within two weeks"
    assert (versions[1].goal, versions[1].note) == (
        "Setup done within ten days",
        "Ten days now",
    )
    assert versions[1].created_by == org.admin


def test_an_account_gets_a_new_owner_through_the_service(admin_client, org):
    journey, _steps = journey_with_steps(1)
    account = CustomerAccountFactory(journey=journey, owner=org.member_a)
    url = _url(CustomerAccount, "change", account.pk)
    data = {
        "name": account.name,
        "external_id": account.external_id,
        "segment": "SMB",
        "is_active": "on",
        "owner": org.member_b.pk,
        "coverage-TOTAL_FORMS": 0,
        "coverage-INITIAL_FORMS": 0,
        "step_events-TOTAL_FORMS": 0,
        "step_events-INITIAL_FORMS": 0,
    }
    # member_b has not walked the practicum: the change asks for a confirmation.
    refused = admin_client.post(url, data)
    assert refused.status_code == 200
    assert "Confirm to assign the account anyway." in refused.text
    assert account.coverage.count() == 1

    response = admin_client.post(url, data | {"confirm_not_ready": "on"})
    assert response.status_code == 302
    first, second = account.coverage.order_by("started_at")
    assert first.owner == org.member_a and first.ended_at == second.started_at
    assert second.owner == org.member_b and second.ended_at is None
    assert second.owner_not_ready_confirmed and second.assigned_by == org.admin
    assert second.started_at <= timezone.now()


def test_an_account_is_created_with_its_pool(admin_client, org):
    journey, _steps = journey_with_steps(1)
    pool = PoolFactory()
    data = {
        "name": "Aoba Trading",
        "external_id": "CRM-NEW-1",
        "journey": journey.pk,
        "is_active": "on",
        "coverage-TOTAL_FORMS": 0,
        "coverage-INITIAL_FORMS": 0,
        "step_events-TOTAL_FORMS": 0,
        "step_events-INITIAL_FORMS": 0,
    }
    refused = admin_client.post(_url(CustomerAccount, "add"), data)
    assert refused.status_code == 200
    assert not CustomerAccount.objects.filter(external_id="CRM-NEW-1").exists()

    response = admin_client.post(_url(CustomerAccount, "add"), data | {"pool": pool.pk})
    assert response.status_code == 302
    account = CustomerAccount.objects.get(external_id="CRM-NEW-1")
    (period,) = account.coverage.all()
    assert (period.model, period.pool, period.owner) == ("pooled", pool, None)


def test_a_training_assignment_goes_to_a_team(admin_client, org):
    journey, (one, _two) = journey_with_steps(2)
    module = TrainingModuleFactory(from_step=one)
    response = admin_client.post(
        _url(TrainingAssignment, "add"),
        {"module": module.pk, "team": org.team_a.pk, "due_date": "2026-12-01"},
    )
    assert response.status_code == 302
    (assignment,) = TrainingAssignment.objects.all()
    assert (assignment.team, assignment.member) == (org.team_a, None)
    assert assignment.due_date == date(2026, 12, 1)
    assert assignment.assigned_by == org.admin
