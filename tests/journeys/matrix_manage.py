"""Authorization-matrix rows (see tests/test_authorization_matrix.py): the admins'
pages of journeys/views/manage.py, the CSV downloads and the import templates.

Objects: those of `matrix_accounts` (a pool of team A that member_a belongs to) and
a training module on its journey's first step."""

from django.urls import reverse

from .matrix_accounts import _objects

ADMINS = "302 200 403 403 403 403"
EVERYONE = "302 200 200 200 200 200"


def _module(org):
    module = getattr(org, "journeys_manage_module", None)
    if module is None:
        from tests.journeys.factories import TrainingModuleFactory

        step = _objects(org).journey.steps.order_by("position").first()
        module = TrainingModuleFactory(from_step=step)
        org.journeys_manage_module = module
    return module


def _get(name, statuses, args=None):
    return (
        "get",
        lambda org: reverse(name, args=args(org) if args else None),
        None,
        statuses,
    )


UI_ROWS = {
    # The downloads follow the list's scope: everyone signed in, their own rows.
    "journeys:account_export": _get("journeys:account_export", EVERYONE),
    "journeys:step_event_export": _get("journeys:step_event_export", EVERYONE),
    # The step-event page too (each sees the events of their own accounts).
    "journeys:step_event_list": _get("journeys:step_event_list", EVERYONE),
    "journeys:import_template": _get(
        "journeys:import_template", ADMINS, lambda org: ["accounts"]
    ),
    "journeys:manage_journey_create": _get("journeys:manage_journey_create", ADMINS),
    "journeys:manage_module_create": _get("journeys:manage_module_create", ADMINS),
    "journeys:manage_module_edit": _get(
        "journeys:manage_module_edit", ADMINS, lambda org: [_module(org).pk]
    ),
    "journeys:manage_account_create": _get("journeys:manage_account_create", ADMINS),
    # A pool the viewer does not see answers 404 (interviewers, recruiters).
    "journeys:manage_pool_members": _get(
        "journeys:manage_pool_members",
        "302 200 403 403 404 404",
        lambda org: [_objects(org).pool.pk],
    ),
}
API_ROWS = {}
