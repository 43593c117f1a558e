"""Issue 11: practicum reflections are reachable — from the playbook page (for its
owner and admins) and from the member's page — and a playbook owner starts a new
version from a reflection: prefilled from the current version, the reflection
quoted on the form and linked from the version."""

import pytest
from django.urls import reverse

from journeys.models import PracticumReflection
from tests.journeys.factories import (
    PlaybookFactory,
    PlaybookVersionFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    _journey, steps = journey_with_steps(3)
    playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
    PlaybookVersionFactory(
        playbook=playbook, goal="Kickoff done", actions="Run the kickoff"
    )
    reflection = PracticumReflection.objects.create(
        member=org.member_a, step=steps[0], what_was_hard="No agenda template"
    )
    # A reflection on a step far from the playbook (not around it).
    far = PracticumReflection.objects.create(
        member=org.member_a, step=steps[2], what_was_hard="Elsewhere"
    )
    return {"playbook": playbook, "reflection": reflection, "far": far}


def _revise(playbook, reflection_pk):
    url = reverse("journeys:playbook_revise", args=[playbook.pk])
    return f"{url}?reflection={reflection_pk}"


def test_the_playbook_page_links_to_its_reflections_for_the_owner(client, org, world):
    playbook = world["playbook"]
    reflections_url = reverse("journeys:playbook_reflections", args=[playbook.pk])
    client.force_login(org.manager_a)
    html = client.get(playbook.get_absolute_url()).text
    assert f'href="{reflections_url}"' in html
    assert "Reflections on this playbook (1)" in html
    # A member reading the playbook gets no link to a page they may not open.
    client.force_login(org.member_b)
    assert reflections_url not in client.get(playbook.get_absolute_url()).text


def test_the_member_page_links_to_the_members_practicum(client, org, world):
    client.force_login(org.manager_a)
    html = client.get(reverse("recognition:member", args=[org.member_a.pk])).text
    assert reverse("journeys:practicum_member", args=[org.member_a.pk]) in html


def test_the_owner_starts_a_new_version_from_a_reflection(client, org, world):
    playbook, reflection = world["playbook"], world["reflection"]
    client.force_login(org.manager_a)
    listing = client.get(
        reverse("journeys:playbook_reflections", args=[playbook.pk])
    ).text
    assert _revise(playbook, reflection.pk) in listing

    form = client.get(_revise(playbook, reflection.pk))
    assert form.status_code == 200
    assert "No agenda template" in form.text  # quoted
    assert form.context["form"].initial["goal"] == "Kickoff done"  # prefilled
    assert "秋山" in form.context["form"].initial["note"]

    response = client.post(
        _revise(playbook, reflection.pk),
        {
            "goal": "Kickoff done",
            "actions": "Send the agenda template\nRun the kickoff",
            "content": "",
            "note": "Agenda template",
        },
    )
    assert response.status_code == 302
    version = playbook.versions.order_by("-number").first()
    assert version.number == 2 and version.reflection == reflection
    html = client.get(playbook.get_absolute_url()).text
    assert "Prompted by 秋山 member_a’s practicum reflection" in html
    assert f"#reflection-{reflection.pk}" in html


def test_a_reflection_not_around_the_playbook_answers_404(client, org, world):
    client.force_login(org.manager_a)
    assert client.get(_revise(world["playbook"], world["far"].pk)).status_code == 404
    assert client.get(_revise(world["playbook"], "x")).status_code == 404


def test_another_teams_manager_may_not_revise_from_a_reflection(client, org, world):
    client.force_login(org.manager_b)
    response = client.get(_revise(world["playbook"], world["reflection"].pk))
    assert response.status_code == 403


def test_another_teams_member_answers_404(client, org, world):
    client.force_login(org.manager_a)
    for url in (
        reverse("journeys:practicum_member", args=[org.member_b.pk]),
        reverse("recognition:member", args=[org.member_b.pk]),
    ):
        assert client.get(url).status_code == 404
