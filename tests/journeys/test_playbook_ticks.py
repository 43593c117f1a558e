"""Issue 11: playbook action checklists are saved per customer account (who ticked
what, when; unticking kept in the history). The plain playbook page lists the
actions; a member works through the playbook of the transition an account is at,
from the account page. Another team's account answers 404; the API reads and
creates ticks within the same scope."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from journeys import services
from journeys.models import PlaybookActionTick
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    journey, steps = journey_with_steps(3)
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    version = PlaybookVersionFactory(
        playbook=playbook,
        goal="Kick off {customer_name}",
        actions="Run the kickoff\nSend the plan\nBook the review",
    )
    account = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    StepEventFactory(account=account, step=steps[0])
    other = CustomerAccountFactory(journey=journey, owner=org.member_b, name="Other")
    StepEventFactory(account=other, step=steps[0])
    return {"account": account, "other": other, "version": version, "steps": steps}


def _url(account):
    return reverse("journeys:account_playbook", args=[account.pk])


def test_a_member_ticks_and_unticks_an_action_for_their_account(client, org, world):
    account = world["account"]
    client.force_login(org.member_a)

    page = client.get(_url(account))
    assert page.status_code == 200
    assert "Kick off Acme" in page.text
    assert [item.text for item in page.context["checklist"].items] == [
        "Run the kickoff",
        "Send the plan",
        "Book the review",
    ]

    client.post(_url(account), {"action": "2", "done": "1"})
    page = client.get(_url(account))
    item = page.context["checklist"].items[1]
    assert item.is_done and item.latest.ticked_by == org.member_a
    assert "1 of 3 done" in page.text
    assert "Ticked by 秋山" in page.text

    # The manager unticks it: the state changes, the tick stays in the history.
    client.force_login(org.manager_a)
    client.post(_url(account), {"action": "2", "done": "0"})
    page = client.get(_url(account))
    assert not page.context["checklist"].items[1].is_done
    history = page.context["checklist"].history
    assert [(t.is_done, t.ticked_by) for t in history] == [
        (False, org.manager_a),
        (True, org.member_a),
    ]
    assert "Unticked by 青木" in page.text


def test_ticks_are_per_account(org, world):
    services.playbook_action_tick(
        account=world["account"],
        version=world["version"],
        action_number=1,
        done=True,
        by=org.member_a,
    )
    from journeys.selectors import playbook_checklist

    assert playbook_checklist(world["account"], world["version"]).done == 1
    assert playbook_checklist(world["other"], world["version"]).done == 0


def test_ticking_twice_records_once_and_a_wrong_action_is_refused(org, world):
    tick = dict(account=world["account"], version=world["version"], by=org.member_a)
    first = services.playbook_action_tick(action_number=1, done=True, **tick)
    again = services.playbook_action_tick(action_number=1, done=True, **tick)
    assert first == again and PlaybookActionTick.objects.count() == 1
    with pytest.raises(ValidationError) as error:
        services.playbook_action_tick(action_number=4, done=True, **tick)
    assert "action_number" in error.value.message_dict
    _journey, other_steps = journey_with_steps(2)
    foreign = PlaybookVersionFactory(playbook=PlaybookFactory(from_step=other_steps[0]))
    with pytest.raises(ValidationError) as error:
        services.playbook_action_tick(
            account=world["account"],
            version=foreign,
            action_number=1,
            done=True,
            by=org.member_a,
        )
    assert "version" in error.value.message_dict


def test_another_teams_account_answers_404(client, org, world):
    client.force_login(org.member_a)
    assert client.get(_url(world["other"])).status_code == 404
    response = client.post(_url(world["other"]), {"action": "1", "done": "1"})
    assert response.status_code == 404
    client.force_login(org.manager_a)
    assert client.get(_url(world["other"])).status_code == 404
    assert not PlaybookActionTick.objects.exists()


def test_the_account_page_links_to_working_through_the_playbook(client, org, world):
    client.force_login(org.member_a)
    html = client.get(world["account"].get_absolute_url()).text
    assert f'href="{_url(world["account"])}"' in html


def test_the_playbook_page_lists_the_actions_without_checkboxes(client, org, world):
    client.force_login(org.member_a)
    html = client.get(world["version"].playbook.get_absolute_url()).text
    assert 'type="checkbox"' not in html
    assert "<li>Send the plan</li>" in html


def test_the_api_reads_and_creates_ticks_in_scope(api_client, org, world):
    api_client.force_authenticate(org.member_a)
    url = "/api/v1/playbook-action-ticks/"
    body = {
        "account": world["account"].pk,
        "version": world["version"].pk,
        "action_number": 3,
        "done": True,
    }
    created = api_client.post(url, body, format="json")
    assert created.status_code == 201
    assert created.json()["action_text"] == "Book the review"
    assert created.json()["ticked_by_name"] == org.member_a.display_name

    # Another team's account is unknown (400 on the field); its ticks unseen.
    refused = api_client.post(url, body | {"account": world["other"].pk}, format="json")
    assert refused.status_code == 400 and "account" in refused.json()
    services.playbook_action_tick(
        account=world["other"],
        version=world["version"],
        action_number=1,
        done=True,
        by=org.member_b,
    )
    listed = api_client.get(url, {"account": world["account"].pk}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [row["account"] for row in rows] == [world["account"].pk]
    hidden = api_client.get(url, {"account": world["other"].pk}).json()
    assert (hidden["results"] if isinstance(hidden, dict) else hidden) == []
