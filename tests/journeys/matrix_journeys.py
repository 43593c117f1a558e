"""Authorization-matrix rows (see tests/test_authorization_matrix.py): journeys.

Everyone signed in reads the active journeys and their playbooks. Admins change the
steps and create playbooks (the others: 403, the page exists for them to read). A
playbook is revised by admins and its owner: here manager_a owns it.
"""

from types import SimpleNamespace

from django.urls import reverse

from tests.journeys.factories import (
    PlaybookFactory,
    PlaybookVersionFactory,
    journey_with_steps,
)

READERS = "302 200 200 200 200 200"
ADMINS = "302 200 403 403 403 403"
REVISERS = "302 200 200 403 403 403"


def journeys_world(org) -> SimpleNamespace:
    """An active journey of three steps; a playbook (owned by manager_a) leads from
    step 1. Built once per organisation."""
    world = getattr(org, "journeys_pages", None)
    if world is None:
        journey, steps = journey_with_steps(3, name="Matrix journey (pages)")
        playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
        PlaybookVersionFactory(playbook=playbook)
        world = SimpleNamespace(journey=journey, steps=steps, playbook=playbook)
        org.journeys_pages = world
    return world


def _get(name, statuses, pk=None):
    def url(org):
        return reverse(name, args=[pk(journeys_world(org))] if pk else [])

    return ("get", url, None, statuses)


def _journey(world):
    return world.journey.pk


def _step(world):
    return world.steps[1].pk


def _playbook(world):
    return world.playbook.pk


UI_ROWS = {
    "journeys:journey_list": _get("journeys:journey_list", READERS),
    "journeys:journey_detail": _get("journeys:journey_detail", READERS, _journey),
    "journeys:step_insert": _get("journeys:step_insert", ADMINS, _journey),
    "journeys:step_edit": _get("journeys:step_edit", ADMINS, _step),
    # GET shows the form or the confirmation; nothing changes.
    "journeys:step_move": _get("journeys:step_move", ADMINS, _step),
    "journeys:step_retire": _get("journeys:step_retire", ADMINS, _step),
    "journeys:playbook_detail": _get("journeys:playbook_detail", READERS, _playbook),
    "journeys:playbook_create": _get("journeys:playbook_create", ADMINS, _step),
    "journeys:playbook_revise": _get("journeys:playbook_revise", REVISERS, _playbook),
}
API_ROWS = {}
