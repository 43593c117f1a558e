"""Authorization-matrix rows (see tests/test_authorization_matrix.py): training.

Training and the practicum are for admins, managers and members (the interviewer and
the recruiter get 403). Admins and managers assign modules. A member's practicum is
read by the member, their team's leader (manager_a for member_a) and admins. A
playbook's reflections are read by its owner (manager_a here) and admins.
"""

from datetime import date

from django.urls import reverse

from journeys.models import PracticumReflection, TrainingAssignment
from tests.journeys.factories import (
    PlaybookFactory,
    PlaybookVersionFactory,
    TrainingModuleFactory,
    add_quiz,
    journey_with_steps,
)
from tests.journeys.matrix_accounts import _objects as _accounts

TRAINEES = "302 200 200 200 403 403"
ASSIGNERS = "302 200 200 403 403 403"
PLAYBOOK_OWNER = "302 200 200 403 403 403"


def _training(org):
    """A journey of three steps, a module on step 1 with a quiz assigned to team A,
    a playbook 1 → 2 owned by manager_a, and member_a's reflection on step 2."""
    world = getattr(org, "training_world", None)
    if world is None:
        journey, steps = journey_with_steps(3, name="Matrix training journey")
        module = TrainingModuleFactory(from_step=steps[0], title="Kickoff training")
        add_quiz(module, questions=2, pass_mark=50)
        TrainingAssignment.objects.create(
            module=module, team=org.team_a, due_date=date(2030, 1, 31)
        )
        playbook = PlaybookFactory(from_step=steps[0], owner=org.manager_a)
        PlaybookVersionFactory(playbook=playbook)
        PracticumReflection.objects.create(
            member=org.member_a, step=steps[1], what_was_hard="Setup"
        )
        world = {"module": module, "playbook": playbook}
        org.training_world = world
    return world


def _get(name, statuses, pk=None):
    def url(org):
        return reverse(f"journeys:{name}", args=[pk(org)] if pk else [])

    return ("get", url, None, statuses)


def _module(org):
    return _training(org)["module"].pk


def _playbook(org):
    return _training(org)["playbook"].pk


def _member_a(org):
    _training(org)
    return org.member_a.pk


def _nothing(org):
    _training(org)
    return None


UI_ROWS = {
    "journeys:module_detail": _get("module_detail", TRAINEES, _module),
    "journeys:training_assign": _get("training_assign", ASSIGNERS, _module),
    "journeys:my_training": (
        "get",
        lambda org: _nothing(org) or reverse("journeys:my_training"),
        None,
        TRAINEES,
    ),
    "journeys:practicum": (
        "get",
        lambda org: _nothing(org) or reverse("journeys:practicum"),
        None,
        TRAINEES,
    ),
    "journeys:practicum_member": _get("practicum_member", TRAINEES, _member_a),
    "journeys:playbook_reflections": _get(
        "playbook_reflections", PLAYBOOK_OWNER, _playbook
    ),
    # Working through a playbook on an account: those who see the account (member_a
    # owns it; manager_a leads team A); the others do not see it (404).
    "journeys:account_playbook": (
        "get",
        lambda org: reverse(
            "journeys:account_playbook", args=[_accounts(org).account.pk]
        ),
        None,
        "302 200 200 200 404 404",
    ),
}
API_ROWS = {}
