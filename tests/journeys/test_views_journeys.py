"""Journey pages: the path of steps with each transition's playbook and training,
step edits that keep history, and versioned playbooks."""

import pytest
from django.urls import reverse

from journeys.models import Playbook, PlaybookVersion, Step
from tests.journeys.factories import (
    CustomerAccountFactory,
    JourneyFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    StepEventFactory,
    TrainingModuleFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


def _client(client, user):
    client.force_login(user)
    return client


def _positions(journey):
    return list(
        Step.objects.filter(journey=journey, retired_at__isnull=True)
        .order_by("position")
        .values_list("name", "position")
    )


def _events_of(step):
    return step.events.count()


def _step_data(**overrides):
    data = {
        "name": "オンボーディング完了",
        "description": "",
        "definition_of_done": "初回ログイン\n設定完了",
        "conversion_window_days": "90",
        "target_days": "",
    }
    data.update(overrides)
    return data


def _with_events(journey, steps):
    """One account of the journey that reached each step once."""
    account = CustomerAccountFactory(journey=journey)
    for step in steps:
        StepEventFactory(account=account, step=step)
    return account


# --- Journey list and navigation ------------------------------------------------------


def test_members_see_the_active_journeys_admins_the_inactive_too(client, org):
    JourneyFactory(name="SMB journey")
    JourneyFactory(name="Old journey", is_active=False)
    page = _client(client, org.member_a).get(reverse("journeys:journey_list"))
    assert "SMB journey" in page.text
    assert "Old journey" not in page.text

    page = _client(client, org.admin).get(reverse("journeys:journey_list"))
    assert "Old journey" in page.text
    assert "Inactive" in page.text


def test_the_journey_list_counts_current_steps_and_value_points(client, org):
    journey, steps = journey_with_steps(4, name="Enterprise")
    steps[2].is_value_point, steps[2].target_days = True, 30
    steps[2].save()
    Step.objects.create(
        journey=journey,
        name="Gone",
        position=None,
        retired_at=steps[0].journey.created_at,
    )
    page = _client(client, org.member_a).get(reverse("journeys:journey_list"))
    row = page.context["page"].object_list[0]
    assert (row.step_count, row.value_point_count) == (4, 1)


def test_an_empty_list_says_so(client, org):
    page = _client(client, org.member_a).get(reverse("journeys:journey_list"))
    assert "There is no journey yet." in page.text


def test_the_navigation_offers_enablement_to_members_not_to_interviewers(client, org):
    link = reverse("journeys:journey_list")
    assert f'href="{link}"' in _client(client, org.member_a).get("/").text
    client.logout()
    assert f'href="{link}"' not in _client(client, org.interviewer).get("/").text


def test_an_inactive_journey_is_hidden_from_members(client, org):
    journey = JourneyFactory(is_active=False)
    url = reverse("journeys:journey_detail", args=[journey.pk])
    assert _client(client, org.member_a).get(url).status_code == 404
    client.logout()
    assert _client(client, org.admin).get(url).status_code == 200


# --- Journey page: the path -----------------------------------------------------------


def test_the_path_shows_each_transition_with_its_playbook_and_training(client, org):
    journey, steps = journey_with_steps(3)
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    PlaybookVersionFactory(playbook=playbook, number=1, goal="Old goal")
    PlaybookVersionFactory(playbook=playbook, number=2, goal="Setup in two weeks")
    TrainingModuleFactory(from_step=steps[0], title="Setup workshop training")
    TrainingModuleFactory(from_step=steps[0], title="Retired module", is_active=False)

    page = _client(client, org.member_a).get(journey.get_absolute_url())

    transitions = page.context["page"].transitions
    assert [(t.from_step.position, t.to_step.position) for t in transitions] == [
        (1, 2),
        (2, 3),
    ]
    assert transitions[0].version.goal == "Setup in two weeks"
    assert [m.title for m in transitions[0].modules] == ["Setup workshop training"]
    assert transitions[1].playbook is None
    assert "Setup in two weeks" in page.text
    assert "Old goal" not in page.text
    assert "No playbook yet." in page.text
    # Members read; they do not get the admins' controls.
    assert reverse("journeys:step_insert", args=[journey.pk]) not in page.text
    assert reverse("journeys:playbook_create", args=[steps[1].pk]) not in page.text


def test_admins_get_the_step_controls(client, org):
    journey, steps = journey_with_steps(2)
    page = _client(client, org.admin).get(journey.get_absolute_url())
    assert reverse("journeys:step_insert", args=[journey.pk]) in page.text
    assert reverse("journeys:step_retire", args=[steps[0].pk]) in page.text
    assert reverse("journeys:playbook_create", args=[steps[0].pk]) in page.text


def test_a_journey_without_steps_says_so(client, org):
    journey = JourneyFactory()
    page = _client(client, org.member_a).get(journey.get_absolute_url())
    assert "This journey has no step yet." in page.text


def _journey_of(size: int, org):
    journey, steps = journey_with_steps(size)
    for step in steps[:-1]:
        playbook = PlaybookFactory(from_step=step, owner=org.manager_a)
        for number in range(1, size + 1):
            PlaybookVersionFactory(playbook=playbook, number=number)
        for _ in range(size):
            TrainingModuleFactory(from_step=step)
    _with_events(journey, steps)
    Step.objects.create(
        journey=journey, name="Retired", position=None, retired_at=journey.created_at
    )
    return journey


@pytest.mark.parametrize("size", [2, 8])
def test_the_journey_page_query_count_does_not_grow(
    client, org, size, django_assert_max_num_queries
):
    journey = _journey_of(size, org)
    _client(client, org.admin)
    with django_assert_max_num_queries(8):
        page = client.get(journey.get_absolute_url())
    assert len(page.context["page"].steps) == size
    assert len(page.context["page"].transitions[0].modules) == size


# --- Steps: edits keep history ------------------------------------------------------


def test_inserting_a_step_moves_the_later_ones_and_keeps_their_events(client, org):
    journey, steps = journey_with_steps(3)
    _with_events(journey, steps)
    response = _client(client, org.admin).post(
        reverse("journeys:step_insert", args=[journey.pk]),
        _step_data(name="New 2", position="2"),
    )
    assert response.status_code == 302
    assert _positions(journey) == [
        ("Step 1", 1),
        ("New 2", 2),
        ("Step 2", 3),
        ("Step 3", 4),
    ]
    assert [_events_of(step) for step in steps] == [1, 1, 1]


def test_a_value_point_without_target_is_refused_on_its_field(client, org):
    journey, _steps = journey_with_steps(2)
    response = _client(client, org.admin).post(
        reverse("journeys:step_insert", args=[journey.pk]),
        _step_data(is_value_point="on", position="3"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["target_days"]
    assert 'value="オンボーディング完了"' in response.text  # what was typed stays
    assert Step.objects.filter(journey=journey).count() == 2


def test_a_position_beyond_the_end_is_refused(client, org):
    journey, _steps = journey_with_steps(2)
    response = _client(client, org.admin).post(
        reverse("journeys:step_insert", args=[journey.pk]),
        _step_data(position="5"),
    )
    assert response.context["form"].errors["position"]
    assert Step.objects.filter(journey=journey).count() == 2


def test_editing_a_step_keeps_its_place_and_events(client, org):
    journey, steps = journey_with_steps(3)
    _with_events(journey, steps)
    response = _client(client, org.admin).post(
        reverse("journeys:step_edit", args=[steps[1].pk]),
        _step_data(name="初回価値", is_value_point="on", target_days="30"),
    )
    assert response.status_code == 302
    steps[1].refresh_from_db()
    assert (steps[1].name, steps[1].position, steps[1].target_days) == (
        "初回価値",
        2,
        30,
    )
    assert _events_of(steps[1]) == 1


def test_moving_a_step_keeps_its_events_with_it(client, org):
    journey, steps = journey_with_steps(3)
    account = _with_events(journey, steps[2:])
    response = _client(client, org.admin).post(
        reverse("journeys:step_move", args=[steps[2].pk]), {"position": "1"}
    )
    assert response.status_code == 302
    assert _positions(journey) == [("Step 3", 1), ("Step 1", 2), ("Step 2", 3)]
    assert list(account.step_events.values_list("step_id", flat=True)) == [steps[2].pk]


def test_retiring_a_step_keeps_its_events_and_lists_it_as_retired(client, org):
    journey, steps = journey_with_steps(3)
    _with_events(journey, steps)
    _client(client, org.admin)
    confirm = client.get(reverse("journeys:step_retire", args=[steps[1].pk]))
    assert "The 1 event recorded for it stays attached to it" in confirm.text

    response = client.post(reverse("journeys:step_retire", args=[steps[1].pk]))

    assert response.status_code == 302
    assert _positions(journey) == [("Step 1", 1), ("Step 3", 2)]
    assert _events_of(steps[1]) == 1
    page = client.get(journey.get_absolute_url())
    retired = page.context["page"].retired_steps
    assert [(step.name, step.event_count) for step in retired] == [("Step 2", 1)]


@pytest.mark.parametrize("who", ["manager_a", "member_a"])
def test_only_admins_change_steps(client, org, who):
    journey, steps = journey_with_steps(3)
    _client(client, getattr(org, who))
    for name, data in [
        ("step_edit", _step_data(name="Hacked")),
        ("step_move", {"position": "1"}),
        ("step_retire", {}),
    ]:
        url = reverse(f"journeys:{name}", args=[steps[2].pk])
        assert client.post(url, data).status_code == 403
    url = reverse("journeys:step_insert", args=[journey.pk])
    assert client.post(url, _step_data(position="1")).status_code == 403
    assert _positions(journey) == [("Step 1", 1), ("Step 2", 2), ("Step 3", 3)]


def test_a_step_of_a_hidden_journey_answers_404_and_nothing_changes(client, org):
    journey, steps = journey_with_steps(2, is_active=False)
    response = _client(client, org.manager_a).post(
        reverse("journeys:step_retire", args=[steps[0].pk])
    )
    assert response.status_code == 404
    assert _positions(journey) == [("Step 1", 1), ("Step 2", 2)]


# --- Playbooks ---------------------------------------------------------------------


def _playbook_data(**overrides):
    data = {
        "goal": "2週間以内に設定完了",
        "actions": "設定ワークショップを開く\nチェックリストを送る",
        "content": "{customer_name} 様\nhttps://example.com/setup",
        "note": "",
    }
    data.update(overrides)
    return data


def test_an_admin_creates_a_playbook_with_its_first_version(client, org):
    journey, steps = journey_with_steps(2)
    response = _client(client, org.admin).post(
        reverse("journeys:playbook_create", args=[steps[0].pk]),
        _playbook_data(owner=str(org.manager_a.pk)),
    )
    playbook = Playbook.objects.get(from_step=steps[0])
    assert response.url == playbook.get_absolute_url()
    assert playbook.owner == org.manager_a
    version = playbook.versions.get()
    assert (version.number, version.created_by) == (1, org.admin)


def test_the_last_step_gets_no_playbook_and_the_form_says_why(client, org):
    journey, steps = journey_with_steps(2)
    response = _client(client, org.admin).post(
        reverse("journeys:playbook_create", args=[steps[1].pk]),
        _playbook_data(owner=str(org.manager_a.pk)),
    )
    assert response.status_code == 200
    assert "A playbook leads from a step to the next current step." in response.text
    assert not Playbook.objects.exists()


def _playbook_with_two_versions(org):
    journey, steps = journey_with_steps(2)
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    PlaybookVersionFactory(
        playbook=playbook, number=1, goal="First goal", actions="Call\nMail"
    )
    PlaybookVersionFactory(
        playbook=playbook,
        number=2,
        goal="Second goal",
        actions="Workshop\nChecklist\nFollow-up",
        note="Workshop first",
    )
    return playbook


def test_the_playbook_page_shows_the_version_in_use_and_the_history(client, org):
    playbook = _playbook_with_two_versions(org)
    page = _client(client, org.member_a).get(playbook.get_absolute_url())
    assert page.context["version"].number == 2
    assert "Second goal" in page.text
    # The actions as a list: ticking them is per account (work through a playbook).
    assert 'type="checkbox"' not in page.text
    assert "<li>Checklist</li>" in page.text
    assert [v.number for v in page.context["versions"]] == [2, 1]
    assert "Workshop first" in page.text
    assert "?version=1" in page.text
    # Members read it; only admins and the owner revise it.
    assert reverse("journeys:playbook_revise", args=[playbook.pk]) not in page.text

    old = client.get(playbook.get_absolute_url() + "?version=1")
    assert "First goal" in old.text
    assert "You are reading version 1; version 2 is in use." in old.text
    assert client.get(playbook.get_absolute_url() + "?version=9").status_code == 404


def test_the_owner_revises_and_the_earlier_version_stays(client, org):
    playbook = _playbook_with_two_versions(org)
    url = reverse("journeys:playbook_revise", args=[playbook.pk])
    _client(client, org.manager_a)
    form = client.get(url)
    assert "Second goal" in form.text  # starts from the version in use

    response = client.post(url, _playbook_data(note="メールの雛形を追加"))

    assert response.url == playbook.get_absolute_url()
    assert list(playbook.versions.values_list("number", "goal")) == [
        (3, "2週間以内に設定完了"),
        (2, "Second goal"),
        (1, "First goal"),
    ]
    page = client.get(playbook.get_absolute_url())
    assert [v.number for v in page.context["versions"]] == [3, 2, 1]
    assert "メールの雛形を追加" in page.text


def test_an_empty_goal_is_refused_and_nothing_is_written(client, org):
    playbook = _playbook_with_two_versions(org)
    response = _client(client, org.admin).post(
        reverse("journeys:playbook_revise", args=[playbook.pk]),
        _playbook_data(goal=""),
    )
    assert response.context["form"].errors["goal"]
    assert PlaybookVersion.objects.filter(playbook=playbook).count() == 2


def test_a_member_who_does_not_own_the_playbook_may_not_revise_it(client, org):
    playbook = _playbook_with_two_versions(org)
    response = _client(client, org.member_a).post(
        reverse("journeys:playbook_revise", args=[playbook.pk]), _playbook_data()
    )
    assert response.status_code == 403
    assert playbook.versions.count() == 2


def test_a_playbook_of_a_hidden_journey_answers_404(client, org):
    journey, steps = journey_with_steps(2, is_active=False)
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    PlaybookVersionFactory(playbook=playbook)
    _client(client, org.member_a)
    assert client.get(playbook.get_absolute_url()).status_code == 404
    response = client.post(
        reverse("journeys:playbook_revise", args=[playbook.pk]), _playbook_data()
    )
    assert response.status_code == 404
    assert playbook.versions.count() == 1
