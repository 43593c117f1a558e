"""Authorization-matrix rows (see tests/test_authorization_matrix.py): api.

Statuses in the order anonymous admin manager(manager_a) member(member_a) interviewer
recruiter. The world (`api_world`): a journey of three steps; member_a owns `account`
and belongs to `pool` (of team A), which covers `pooled`; the first transition has a
playbook owned by the admin and a module assigned to member_a, who completed it; the
account reached step 1. Interviewers and recruiters see the journeys but no account.
"""

from dataclasses import dataclass
from datetime import date

from journeys.models import (
    CustomerAccount,
    Journey,
    Playbook,
    Pool,
    Step,
    StepEvent,
    TrainingAssignment,
    TrainingCompletion,
    TrainingModule,
)
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    PoolFactory,
    PoolMembershipFactory,
    StepEventFactory,
    TrainingModuleFactory,
    journey_with_steps,
)

V1 = "/api/v1"


@dataclass
class ApiWorld:
    journey: Journey
    steps: list[Step]
    pool: Pool
    account: CustomerAccount
    pooled: CustomerAccount
    playbook: Playbook
    module: TrainingModule
    assignment: TrainingAssignment
    completion: TrainingCompletion
    event: StepEvent


def api_world(org) -> ApiWorld:
    """Built once per organisation (memoised on it)."""
    if getattr(org, "journeys_api", None) is None:
        journey, steps = journey_with_steps(3, name="オンボーディング")
        pool = PoolFactory(team=org.team_a, name="SMB pool")
        PoolMembershipFactory(pool=pool, user=org.member_a)
        account = CustomerAccountFactory(
            journey=journey, owner=org.member_a, external_id="CRM-A", name="Acme"
        )
        pooled = CustomerAccountFactory(
            journey=journey, pool=pool, external_id="CRM-P", name="Pooled"
        )
        playbook = PlaybookFactory(from_step=steps[0], owner=org.admin)
        PlaybookVersionFactory(playbook=playbook, created_by=org.admin)
        module = TrainingModuleFactory(from_step=steps[0], title="Kickoff")
        assignment = TrainingAssignment.objects.create(
            module=module, member=org.member_a, due_date=date(2026, 5, 1)
        )
        completion = TrainingCompletion.objects.create(
            module=module, member=org.member_a, completed_at=T0, passed=True
        )
        event = StepEventFactory(account=account, step=steps[0], reached_at=T0)
        org.journeys_api = ApiWorld(
            journey=journey,
            steps=steps,
            pool=pool,
            account=account,
            pooled=pooled,
            playbook=playbook,
            module=module,
            assignment=assignment,
            completion=completion,
            event=event,
        )
    return org.journeys_api


def _w(org) -> ApiWorld:
    return api_world(org)


def _list(path):
    return lambda org: (_w(org), f"{V1}/{path}/")[1]


def _detail(path, obj, suffix=""):
    return lambda org: (
        f"{V1}/{path}/{obj(_w(org)).pk}/" + (f"{suffix}/" if suffix else "")
    )


# The router's URL names: their operations are the API_ROWS below.
UI_ROWS = {
    f"{name}-{suffix}": None
    for name, suffixes in {
        "journey": ("list", "detail"),
        "step": ("list", "detail", "move", "retire"),
        "playbook": ("list", "detail", "revise"),
        "training-module": ("list", "detail"),
        "training-assignment": ("list", "detail"),
        "training-completion": ("list", "detail"),
        "pool": ("list", "detail"),
        "customer": ("list", "detail", "import"),
        "step-event": ("list", "detail", "void", "import"),
    }.items()
    for suffix in suffixes
}

EVERYONE = "401 200 200 200 200 200"
ACCOUNT_READ = "401 200 200 200 404 404"
ADMIN_CREATES = "401 201 403 403 403 403"
ADMIN_CHANGES = "401 200 403 403 403 403"
# Imports take a multipart file: a JSON body is refused (415) once allowed.
ADMIN_IMPORTS = "401 415 403 403 403 403"


API_ROWS = {
    # Journeys and steps: everyone reads; admins write.
    (f"{V1}/journeys/", "GET"): (_list("journeys"), None, EVERYONE),
    (f"{V1}/journeys/", "POST"): (
        _list("journeys"),
        {"name": "拡大の旅"},
        ADMIN_CREATES,
    ),
    (f"{V1}/journeys/{{id}}/", "GET"): (
        _detail("journeys", lambda w: w.journey),
        None,
        EVERYONE,
    ),
    (f"{V1}/journeys/{{id}}/", "PATCH"): (
        _detail("journeys", lambda w: w.journey),
        {"description": "全員の共通言語"},
        ADMIN_CHANGES,
    ),
    (f"{V1}/steps/", "GET"): (_list("steps"), None, EVERYONE),
    (f"{V1}/steps/", "POST"): (
        _list("steps"),
        None,  # replaced below: needs the journey's id
        ADMIN_CREATES,
    ),
    (f"{V1}/steps/{{id}}/", "GET"): (
        _detail("steps", lambda w: w.steps[1]),
        None,
        EVERYONE,
    ),
    (f"{V1}/steps/{{id}}/", "PATCH"): (
        _detail("steps", lambda w: w.steps[1]),
        {"name": "初期設定完了"},
        ADMIN_CHANGES,
    ),
    (f"{V1}/steps/{{id}}/move/", "POST"): (
        _detail("steps", lambda w: w.steps[1], "move"),
        {"position": 3},
        ADMIN_CHANGES,
    ),
    (f"{V1}/steps/{{id}}/retire/", "POST"): (
        _detail("steps", lambda w: w.steps[2], "retire"),
        {},
        ADMIN_CHANGES,
    ),
    # Playbooks: everyone reads; admins create; admins and the owner revise.
    (f"{V1}/playbooks/", "GET"): (_list("playbooks"), None, EVERYONE),
    (f"{V1}/playbooks/", "POST"): (_list("playbooks"), None, ADMIN_CREATES),
    (f"{V1}/playbooks/{{id}}/", "GET"): (
        _detail("playbooks", lambda w: w.playbook),
        None,
        EVERYONE,
    ),
    (f"{V1}/playbooks/{{id}}/revise/", "POST"): (
        _detail("playbooks", lambda w: w.playbook, "revise"),
        {"goal": "目標", "actions": "電話する", "note": "見直し"},
        ADMIN_CHANGES,
    ),
    # Training: admins, managers and members take part.
    (f"{V1}/training-modules/", "GET"): (_list("training-modules"), None, EVERYONE),
    (f"{V1}/training-modules/{{id}}/", "GET"): (
        _detail("training-modules", lambda w: w.module),
        None,
        EVERYONE,
    ),
    (f"{V1}/training-assignments/", "GET"): (
        _list("training-assignments"),
        None,
        EVERYONE,
    ),
    (f"{V1}/training-assignments/", "POST"): (
        _list("training-assignments"),
        None,
        "401 201 201 403 403 403",
    ),
    (f"{V1}/training-assignments/{{id}}/", "GET"): (
        _detail("training-assignments", lambda w: w.assignment),
        None,
        ACCOUNT_READ,
    ),
    (f"{V1}/training-completions/", "GET"): (
        _list("training-completions"),
        None,
        EVERYONE,
    ),
    (f"{V1}/training-completions/", "POST"): (
        _list("training-completions"),
        None,
        "401 201 201 201 403 403",
    ),
    (f"{V1}/training-completions/{{id}}/", "GET"): (
        _detail("training-completions", lambda w: w.completion),
        None,
        ACCOUNT_READ,
    ),
    # Pools and accounts follow coverage.
    (f"{V1}/pools/", "GET"): (_list("pools"), None, EVERYONE),
    (f"{V1}/pools/{{id}}/", "GET"): (
        _detail("pools", lambda w: w.pool),
        None,
        ACCOUNT_READ,
    ),
    (f"{V1}/customers/", "GET"): (_list("customers"), None, EVERYONE),
    (f"{V1}/customers/", "POST"): (_list("customers"), None, ADMIN_CREATES),
    (f"{V1}/customers/{{id}}/", "GET"): (
        _detail("customers", lambda w: w.account),
        None,
        ACCOUNT_READ,
    ),
    (f"{V1}/customers/import/", "POST"): (
        _list("customers/import"),
        {},
        ADMIN_IMPORTS,
    ),
    (f"{V1}/step-events/", "GET"): (_list("step-events"), None, EVERYONE),
    (f"{V1}/step-events/", "POST"): (
        _list("step-events"),
        None,
        "401 201 201 201 403 403",
    ),
    (f"{V1}/step-events/{{id}}/", "GET"): (
        _detail("step-events", lambda w: w.event),
        None,
        ACCOUNT_READ,
    ),
    (f"{V1}/step-events/{{id}}/void/", "POST"): (
        _detail("step-events", lambda w: w.event, "void"),
        {"reason": "誤入力"},
        "401 200 200 200 403 403",
    ),
    (f"{V1}/step-events/import/", "POST"): (
        _list("step-events/import"),
        {},
        ADMIN_IMPORTS,
    ),
}


class _Body(dict):
    """A request body built from the world when the row's request is sent."""


def _with_world(path, body):
    """A row whose data needs the world's ids: the URL lambda builds the world and
    fills the (shared) body in place before the request is sent."""
    data = _Body()

    def url(org):
        data.clear()
        data.update(body(_w(org), org))
        return f"{V1}/{path}/"

    return url, data


for _path, _body in {
    "steps": lambda w, org: {"journey": w.journey.pk, "position": 2, "name": "新"},
    "playbooks": lambda w, org: {
        "from_step": w.steps[1].pk,
        "owner": org.manager_a.pk,
        "goal": "定着",
        "actions": "週次の定例",
    },
    "training-assignments": lambda w, org: {
        "module": w.module.pk,
        "member": org.member_a.pk,
        "due_date": "2026-06-01",
    },
    "training-completions": lambda w, org: {"module": w.module.pk},
    "customers": lambda w, org: {
        "name": "新規顧客",
        "external_id": "CRM-NEW",
        "journey": w.journey.pk,
        "pool": w.pool.pk,
    },
    "step-events": lambda w, org: {
        "external_id": w.account.external_id,
        "journey": w.journey.pk,
        "position": 2,
        "reached_at": "2026-04-02T10:00:00+09:00",
    },
}.items():
    _key = (f"{V1}/{_path}/", "POST")
    _url, _data = _with_world(_path, _body)
    API_ROWS[_key] = (_url, _data, API_ROWS[_key][2])


# --- Playbook action ticks (issue 11) -------------------------------------------------


def _tick(org):
    """member_a ticked the first action of the playbook on their account."""
    tick = getattr(org, "journeys_tick", None)
    if tick is None:
        from journeys.models import PlaybookActionTick

        w = _w(org)
        tick = PlaybookActionTick.objects.create(
            account=w.account,
            version=w.playbook.versions.get(),
            action_number=1,
            action_text="Kickoff",
            is_done=True,
            ticked_by=org.member_a,
            ticked_at=T0,
        )
        org.journeys_tick = tick
    return tick


UI_ROWS |= {
    "playbook-action-tick-list": None,
    "playbook-action-tick-detail": None,
}
_tick_url, _tick_body = _with_world(
    "playbook-action-ticks",
    lambda w, org: {
        "account": w.account.pk,
        "version": w.playbook.versions.get().pk,
        "action_number": 1,
        "done": True,
    },
)
API_ROWS |= {
    (f"{V1}/playbook-action-ticks/", "GET"): (
        _list("playbook-action-ticks"),
        None,
        EVERYONE,
    ),
    # Interviewers and recruiters do not work with customers.
    (f"{V1}/playbook-action-ticks/", "POST"): (
        _tick_url,
        _tick_body,
        "401 201 201 201 403 403",
    ),
    (f"{V1}/playbook-action-ticks/{{id}}/", "GET"): (
        lambda org: f"{V1}/playbook-action-ticks/{_tick(org).pk}/",
        None,
        ACCOUNT_READ,
    ),
}


# --- ARR snapshots (issue 13) ---------------------------------------------------------


def _arr_snapshot(org):
    """member_a's account had ARR in January 2025."""
    snapshot = getattr(org, "journeys_arr", None)
    if snapshot is None:
        from decimal import Decimal

        from journeys import revenue
        from journeys.models import ARRSnapshot

        snapshot = revenue.arr_snapshot_record(
            account=_w(org).account,
            month=date(2025, 1, 1),
            arr=Decimal(1_000_000),
            by=org.member_a,
            source=ARRSnapshot.Source.UI,
        )
        org.journeys_arr = snapshot
    return snapshot


def _arr_detail(org):
    return f"{V1}/arr-snapshots/{_arr_snapshot(org).pk}/"


UI_ROWS |= {
    "arr-snapshot-list": None,
    "arr-snapshot-detail": None,
    "arr-snapshot-import": None,
}
_arr_url, _arr_body = _with_world(
    "arr-snapshots",
    lambda w, org: {
        "account": w.account.pk,
        "month": "2025-02",
        "arr": 1_200_000,
    },
)
API_ROWS |= {
    (f"{V1}/arr-snapshots/", "GET"): (_list("arr-snapshots"), None, EVERYONE),
    # Those who work with customers record on the accounts they see.
    (f"{V1}/arr-snapshots/", "POST"): (_arr_url, _arr_body, "401 201 201 201 403 403"),
    (f"{V1}/arr-snapshots/{{id}}/", "GET"): (_arr_detail, None, ACCOUNT_READ),
    (f"{V1}/arr-snapshots/{{id}}/", "PATCH"): (
        _arr_detail,
        {"arr": 1_100_000},
        "401 200 200 200 403 403",
    ),
    (f"{V1}/arr-snapshots/import/", "POST"): (
        _list("arr-snapshots/import"),
        {},
        ADMIN_IMPORTS,
    ),
}
