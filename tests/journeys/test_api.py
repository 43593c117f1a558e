"""The journeys REST API: accounts and events visible by coverage as in the UI, step
events from a CRM (by id or external id, by step id or position) with errors by
field and never a 500, voiding, imports, training attempts, playbook versions, step
edits that keep history, and list query counts that do not grow with the data."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import Role
from journeys.models import (
    CustomerAccount,
    Journey,
    PlaybookVersion,
    Step,
    StepEvent,
    TrainingCompletion,
)
from tests.factories import UserFactory
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    PoolMembershipFactory,
    StepEventFactory,
    TrainingModuleFactory,
    add_quiz,
    journey_with_steps,
)
from tests.journeys.matrix_api import api_world

pytestmark = pytest.mark.django_db

V1 = "/api/v1"
BIG = 2**70


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _ids(user, path, query="") -> set:
    response = _client(user).get(f"{V1}/{path}/?{query}")
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def w(org):
    return api_world(org)


# --- Visibility ----------------------------------------------------------------------


def test_accounts_are_visible_by_coverage_per_role(org, w):
    other = CustomerAccountFactory(journey=w.journey, owner=org.member_b)
    sub = CustomerAccountFactory(journey=w.journey, owner=org.sub_member)
    mine = {w.account.pk, w.pooled.pk}
    assert _ids(org.member_a, "customers") == mine
    assert _ids(org.member_b, "customers") == {other.pk}
    # manager_a leads team A and (through sub_a) sub_member; the pool is team A's.
    assert _ids(org.manager_a, "customers") == mine | {sub.pk}
    assert _ids(org.admin, "customers") == mine | {other.pk, sub.pk}
    assert _ids(org.interviewer, "customers") == set()
    response = _client(org.member_a).get(f"{V1}/customers/{other.pk}/")
    assert response.status_code == 404


def test_step_events_follow_their_accounts(org, w):
    hidden = StepEventFactory(
        account=CustomerAccountFactory(journey=w.journey, owner=org.member_b),
        step=w.steps[0],
    )
    assert _ids(org.member_a, "step-events") == {w.event.pk}
    assert _ids(org.member_b, "step-events") == {hidden.pk}
    assert _ids(org.admin, "step-events") == {w.event.pk, hidden.pk}
    assert _client(org.member_a).get(f"{V1}/step-events/{hidden.pk}/").status_code == (
        404
    )


def test_a_customer_shows_its_coverage_and_current_step(org, w):
    StepEventFactory(account=w.account, step=w.steps[1], reached_at=T0)
    body = _client(org.member_a).get(f"{V1}/customers/{w.account.pk}/").json()
    assert body["coverage"]["model"] == "dedicated"
    assert body["coverage"]["owner"] == org.member_a.pk
    assert body["coverage"]["owner_name"] == org.member_a.display_name
    assert body["current_step"]["id"] == w.steps[1].pk
    assert body["current_step"]["position"] == 2
    pooled = _client(org.member_a).get(f"{V1}/customers/{w.pooled.pk}/").json()
    assert pooled["coverage"]["pool"] == w.pool.pk
    assert pooled["current_step"] is None
    assert "owner" not in pooled  # write-only: the owner is in the coverage


def test_customer_filters(org, w):
    StepEventFactory(account=w.pooled, step=w.steps[1], reached_at=T0)
    enterprise = CustomerAccountFactory(
        journey=w.journey, owner=org.member_a, segment="Enterprise"
    )
    admin = org.admin
    assert _ids(admin, "customers", "external_id=CRM-A") == {w.account.pk}
    assert _ids(admin, "customers", f"owner={org.member_a.pk}") == {
        w.account.pk,
        enterprise.pk,
    }
    assert _ids(admin, "customers", f"pool={w.pool.pk}") == {w.pooled.pk}
    assert _ids(admin, "customers", "segment=Enterprise") == {enterprise.pk}
    assert _ids(admin, "customers", f"current_step={w.steps[1].pk}") == {w.pooled.pk}
    assert _ids(admin, "customers", f"current_step={w.steps[0].pk}") == {w.account.pk}
    # Filters narrow what the viewer sees; they never widen it.
    other = CustomerAccountFactory(journey=w.journey, owner=org.member_b)
    assert _ids(org.member_a, "customers", f"owner={org.member_b.pk}") == set()
    assert other.pk in _ids(admin, "customers", f"owner={org.member_b.pk}")
    for bad in ("owner=x", f"pool={BIG}", "current_step=1.5"):
        assert _client(admin).get(f"{V1}/customers/?{bad}").status_code == 400, bad


@pytest.mark.parametrize(
    "moment",
    [
        "2026-11-01T10:00:00+20:00",
        "2026-11-01T10:00:00-16:00",
        "2026-11-01T10:00:00+01:00:00.5",
    ],
)
@pytest.mark.parametrize("parameter", ["reached_after", "reached_before"])
def test_a_time_filter_with_an_impossible_offset_is_a_400_on_it(
    org, w, parameter, moment
):
    response = _client(org.admin).get(
        f"{V1}/step-events/", {parameter: moment, "account": w.account.pk}
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        parameter: ["Enter a time zone offset between −15:59 and +15:59."]
    }


def test_a_time_filter_with_the_largest_offset_filters(org, w):
    at_t0 = "2026-04-01T18:59:00%2B15:59"  # T0 is 2026-04-01 03:00 UTC.
    assert _ids(org.admin, "step-events", f"reached_after={at_t0}") == {w.event.pk}
    assert _ids(org.admin, "step-events", f"reached_before={at_t0}") == set()


def test_pools_and_training_are_scoped(org, w):
    assert _ids(org.member_a, "pools") == {w.pool.pk}
    assert _ids(org.member_b, "pools") == set()
    assert _ids(org.manager_a, "pools") == {w.pool.pk}
    assert _ids(org.member_b, "training-assignments") == set()
    assert _ids(org.manager_a, "training-assignments") == {w.assignment.pk}
    assert _ids(org.member_b, "training-completions") == set()
    assert _ids(org.member_a, "training-completions") == {w.completion.pk}
    assert _ids(org.manager_b, "training-completions") == set()


# --- Step events from a CRM ---------------------------------------------------------


def _record(user, body):
    return _client(user).post(f"{V1}/step-events/", body, format="json")


def test_a_crm_records_a_step_by_external_id_and_position(org, w):
    response = _record(
        org.member_a,
        {
            "external_id": "CRM-A",
            "position": 2,
            "reached_at": "2026-04-02T10:00:00+09:00",
            "note": "初期設定完了",
        },
    )
    assert response.status_code == 201, response.content
    event = StepEvent.objects.get(pk=response.json()["id"])
    assert (event.account, event.step) == (w.account, w.steps[1])
    assert event.source == StepEvent.Source.API
    assert event.recorded_by == org.member_a
    assert event.reached_at == T0 + timedelta(hours=22)
    assert response.json()["step_position"] == 2


def test_a_step_by_id_and_the_account_by_id(org, w):
    response = _record(
        org.manager_a,
        {"account": w.account.pk, "step": w.steps[2].pk, "reached_at": T0.isoformat()},
    )
    assert response.status_code == 201, response.content
    assert response.json()["account"] == w.account.pk


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("unknown account", "account"),
        ("someone else's account", "account"),
        ("no account", "account"),
        ("unknown step", "step"),
        ("unknown position", "step"),
        ("other journey", "step"),
        ("future", "reached_at"),
        ("duplicate", "reached_at"),
        ("no step", "step"),
    ],
)
def test_bad_step_events_answer_400_on_the_field(org, w, case, field):
    _other_journey, other_steps = journey_with_steps(2)
    hidden = CustomerAccountFactory(journey=w.journey, owner=org.member_b)
    base = {"account": w.account.pk, "step": w.steps[1].pk, "reached_at": T0}
    body = {
        "unknown account": {**base, "account": BIG % 2**62},
        "someone else's account": {**base, "account": hidden.pk},
        "no account": {"step": w.steps[1].pk, "reached_at": T0},
        "unknown step": {**base, "step": 999_999},
        "unknown position": {
            "external_id": "CRM-A",
            "position": 9,
            "reached_at": T0,
        },
        "other journey": {**base, "step": other_steps[0].pk},
        "future": {**base, "reached_at": timezone.now() + timedelta(hours=1)},
        "duplicate": {**base, "step": w.steps[0].pk},
        "no step": {"account": w.account.pk, "reached_at": T0},
    }[case]
    before = StepEvent.objects.count()
    response = _record(org.member_a, body)
    assert response.status_code == 400, response.content
    assert field in response.json(), response.json()
    assert response.json()[field][0]
    assert StepEvent.objects.count() == before


def test_a_reached_at_with_an_impossible_offset_is_a_400_on_the_field(org, w):
    before = StepEvent.objects.count()

    response = _record(
        org.member_a,
        {
            "account": w.account.pk,
            "step": w.steps[1].pk,
            "reached_at": "2026-03-01T10:00:00+20:00",
        },
    )

    assert response.status_code == 400, response.content
    assert response.json() == {
        "reached_at": ["Enter a time zone offset between −15:59 and +15:59."]
    }
    assert StepEvent.objects.count() == before


def test_within_the_tolerance_a_time_just_ahead_is_accepted(org, w):
    soon = timezone.now() + timedelta(minutes=2)
    response = _record(
        org.member_a,
        {"account": w.account.pk, "step": w.steps[1].pk, "reached_at": soon},
    )
    assert response.status_code == 201


def test_the_messages_say_what_is_wrong(org, w):
    other_journey, other_steps = journey_with_steps(1)
    body = _record(
        org.member_a,
        {"account": w.account.pk, "step": other_steps[0].pk, "reached_at": T0},
    ).json()
    assert body == {
        "step": ["This step belongs to another journey than the account's."]
    }
    body = _record(
        org.member_a, {"external_id": "NOPE", "step": w.steps[0].pk, "reached_at": T0}
    ).json()
    assert body == {"account": ["There is no such customer account."]}


def test_voiding_keeps_the_event_and_needs_a_reason(org, w):
    url = f"{V1}/step-events/{w.event.pk}/void/"
    client = _client(org.member_a)
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    response = client.post(url, {"reason": "別の顧客の記録"}, format="json")
    assert response.status_code == 200
    assert response.json()["void_reason"] == "別の顧客の記録"
    assert response.json()["voided_by"] == org.member_a.pk
    w.event.refresh_from_db()
    assert w.event.voided_at is not None
    again = client.post(url, {"reason": "もう一度"}, format="json")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This event is already void."]}
    # Events are never edited or deleted through the API.
    assert client.delete(f"{V1}/step-events/{w.event.pk}/").status_code == 405
    assert client.patch(f"{V1}/step-events/{w.event.pk}/", {}).status_code == 405


def test_an_outsider_cannot_void_and_nothing_changes(org, w):
    response = _client(org.member_b).post(
        f"{V1}/step-events/{w.event.pk}/void/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 404
    w.event.refresh_from_db()
    assert w.event.voided_at is None


# --- Imports --------------------------------------------------------------------------


def _upload(user, path, content: bytes, **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return _client(user).post(
        f"{V1}/{path}/import/",
        {"file": SimpleUploadedFile("data.csv", content, "text/csv"), **extra},
        format="multipart",
    )


def test_importing_accounts_twice_creates_nothing_new(org, w):
    csv = (
        "external_id,name,segment,arr,journey,coverage,owner,pool\n"
        f"CRM-X1,株式会社エックス,SMB,1200000,{w.journey.name},pooled,,{w.pool.name}\n"
    ).encode("cp932")
    first = _upload(org.admin, "customers", csv)
    assert first.status_code == 200, first.content
    assert (first.json()["created"], first.json()["problems"]) == (1, [])
    assert CustomerAccount.objects.get(external_id="CRM-X1").name == "株式会社エックス"
    second = _upload(org.admin, "customers", csv)
    assert second.status_code == 200
    assert second.json()["created"] == 0


def test_a_bad_file_answers_400_with_the_row_problems(org, w):
    csv = (
        "external_id,name,journey,coverage,pool\n"
        f"CRM-Y1,Y,{w.journey.name},pooled,{w.pool.name}\n"
        "CRM-Y2,Z,存在しない旅,pooled,nope\n"
    ).encode()
    response = _upload(org.admin, "customers", csv)
    assert response.status_code == 400
    problems = response.json()["problems"]
    assert problems and all(problem["line"] == 3 for problem in problems)
    assert not CustomerAccount.objects.filter(external_id="CRM-Y1").exists()


def test_importing_step_events(org, w):
    csv = b"external_id,step,reached_at\nCRM-A,2,2026-04-03T10:00:00+09:00\n"
    response = _upload(org.admin, "step-events", csv)
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 1
    event = StepEvent.objects.get(account=w.account, step=w.steps[1])
    assert event.source == StepEvent.Source.IMPORT
    assert _upload(org.admin, "step-events", csv).json()["skipped"] == 1
    bad = _upload(org.admin, "step-events", b"external_id,step,reached_at\nNOPE,1,x\n")
    assert bad.status_code == 400
    assert {problem["line"] for problem in bad.json()["problems"]} == {2}


def test_only_admins_import_and_a_missing_file_is_a_field_error(org, w):
    csv = b"external_id,step,reached_at\nCRM-A,2,2026-04-03T10:00:00+09:00\n"
    assert _upload(org.manager_a, "step-events", csv).status_code == 403
    assert _upload(org.member_a, "customers", csv).status_code == 403
    assert StepEvent.objects.count() == 1
    response = _client(org.admin).post(
        f"{V1}/customers/import/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()
    garbage = _upload(org.admin, "step-events", b"\x00\xff\xfe garbage")
    assert garbage.status_code == 400


# --- Training ------------------------------------------------------------------------


def test_a_member_takes_a_quiz_fails_and_retries(org, w):
    module = TrainingModuleFactory(from_step=w.steps[1])
    (q1, right1, wrong1), (q2, right2, _wrong2) = add_quiz(
        module, questions=2, pass_mark=100
    )
    detail = _client(org.member_a).get(f"{V1}/training-modules/{module.pk}/").json()
    assert [q["id"] for q in detail["quiz"]] == [q1.pk, q2.pk]
    assert "is_correct" not in detail["quiz"][0]["choices"][0]
    client = _client(org.member_a)
    failed = client.post(
        f"{V1}/training-completions/",
        {
            "module": module.pk,
            "answers": {str(q1.pk): wrong1.pk, str(q2.pk): right2.pk},
        },
        format="json",
    )
    assert failed.status_code == 201
    assert (failed.json()["score"], failed.json()["passed"]) == (50, False)
    passed = client.post(
        f"{V1}/training-completions/",
        {
            "module": module.pk,
            "answers": {str(q1.pk): right1.pk, str(q2.pk): right2.pk},
        },
        format="json",
    )
    assert (passed.json()["score"], passed.json()["passed"]) == (100, True)
    assert passed.json()["member"] == org.member_a.pk
    assert TrainingCompletion.objects.filter(module=module).count() == 2
    crossed = client.post(
        f"{V1}/training-completions/",
        {"module": module.pk, "answers": {str(q1.pk): right2.pk}},
        format="json",
    )
    assert crossed.status_code == 400
    assert "answers" in crossed.json()


@pytest.mark.parametrize("due_date", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_a_due_date_outside_the_years_2000_to_2099_is_refused(org, w, due_date):
    """0001-01-01 was taken: the module was overdue since the year 1."""
    response = _client(org.manager_a).post(
        f"{V1}/training-assignments/",
        {"module": w.module.pk, "due_date": due_date, "member": org.member_a.pk},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["due_date"] == ["Enter a date in the years 2000 to 2099."]


def test_a_manager_assigns_only_to_their_own_members(org, w):
    client = _client(org.manager_a)
    body = {"module": w.module.pk, "due_date": "2026-06-01"}
    ok = client.post(
        f"{V1}/training-assignments/",
        {**body, "member": org.member_a.pk},
        format="json",
    )
    assert ok.status_code == 201
    assert ok.json()["member_name"] == org.member_a.display_name
    outside = client.post(
        f"{V1}/training-assignments/",
        {**body, "member": org.member_b.pk},
        format="json",
    )
    assert outside.status_code == 400
    assert "member" in outside.json()
    neither = client.post(f"{V1}/training-assignments/", body, format="json")
    assert neither.status_code == 400
    assert "member" in neither.json()
    team = client.post(
        f"{V1}/training-assignments/", {**body, "team": org.team_a.pk}, format="json"
    )
    assert team.status_code == 201
    assert team.json()["team_name"] == org.team_a.name


# --- Journeys, steps and playbooks --------------------------------------------------


def test_journeys_nest_their_steps_and_step_edits_keep_history(org, w):
    client = _client(org.admin)
    inserted = client.post(
        f"{V1}/steps/",
        {"journey": w.journey.pk, "position": 1, "name": "契約"},
        format="json",
    )
    assert inserted.status_code == 201, inserted.content
    retired = client.post(f"{V1}/steps/{w.steps[0].pk}/retire/")
    assert retired.status_code == 200
    assert retired.json()["position"] is None
    moved = client.post(
        f"{V1}/steps/{w.steps[2].pk}/move/", {"position": 1}, format="json"
    )
    assert moved.json()["position"] == 1
    body = client.get(f"{V1}/journeys/{w.journey.pk}/").json()
    assert [(s["name"], s["position"]) for s in body["steps"]] == [
        ("Step 3", 1),
        ("契約", 2),
        ("Step 2", 3),
        ("Step 1", None),
    ]
    # The event stays on the step it was recorded for.
    assert StepEvent.objects.get(pk=w.event.pk).step_id == w.steps[0].pk
    bad = client.post(f"{V1}/steps/{w.steps[1].pk}/move/", {"position": 9})
    assert bad.status_code == 400
    assert "position" in bad.json()
    patched = client.patch(
        f"{V1}/steps/{w.steps[1].pk}/", {"position": 1, "name": "設定"}, format="json"
    )
    assert patched.json()["name"] == "設定"
    assert Step.objects.get(pk=w.steps[1].pk).position == 3  # read-only here


def test_members_see_only_active_journeys(org, w):
    inactive = Journey.objects.create(name="旧", is_active=False)
    assert inactive.pk not in _ids(org.member_a, "journeys")
    assert inactive.pk in _ids(org.admin, "journeys")
    duplicate = _client(org.admin).post(
        f"{V1}/journeys/", {"name": w.journey.name}, format="json"
    )
    assert duplicate.status_code == 400
    assert "name" in duplicate.json()


def test_playbooks_show_the_current_version_and_the_history(org, w):
    playbook = w.playbook
    playbook.owner = org.manager_a
    playbook.save()
    client = _client(org.manager_a)
    response = client.post(
        f"{V1}/playbooks/{playbook.pk}/revise/",
        {
            "goal": "新しい目標",
            "actions": "a\nb",
            "content": "{customer_name}様",
            "note": "改訂",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["current"]["number"] == 2
    assert body["current"]["goal"] == "新しい目標"
    assert [v["number"] for v in body["versions"]] == [2, 1]
    assert PlaybookVersion.objects.filter(playbook=playbook).count() == 2
    # Someone else (not the owner, not an admin) may read but not revise.
    other = UserFactory(roles=[Role.MEMBER])
    assert _client(other).get(f"{V1}/playbooks/{playbook.pk}/").status_code == 200
    refused = _client(other).post(
        f"{V1}/playbooks/{playbook.pk}/revise/",
        {"goal": "g", "actions": "a", "note": "n"},
        format="json",
    )
    assert refused.status_code == 403


def test_a_playbook_for_the_last_step_is_refused_on_the_field(org, w):
    response = _client(org.admin).post(
        f"{V1}/playbooks/",
        {
            "from_step": w.steps[2].pk,
            "owner": org.admin.pk,
            "goal": "g",
            "actions": "a",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "from_step" in response.json()


def test_an_admin_creates_a_customer_with_a_pool(org, w):
    response = _client(org.admin).post(
        f"{V1}/customers/",
        {
            "name": "新規",
            "external_id": "CRM-N",
            "journey": w.journey.pk,
            "pool": w.pool.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["coverage"]["pool"] == w.pool.pk
    both = _client(org.admin).post(
        f"{V1}/customers/",
        {"name": "x", "external_id": "CRM-M", "journey": w.journey.pk},
        format="json",
    )
    assert both.status_code == 400
    assert "owner" in both.json()
    duplicate = _client(org.admin).post(
        f"{V1}/customers/",
        {"name": "x", "external_id": "CRM-A", "journey": w.journey.pk, "pool": 1},
        format="json",
    )
    assert duplicate.status_code == 400
    assert "external_id" in duplicate.json()


# --- Query counts ---------------------------------------------------------------------

LISTS = [
    "journeys",
    "steps",
    "playbooks",
    "training-modules",
    "training-assignments",
    "training-completions",
    "pools",
    "customers",
    "step-events",
]


def _grow(org, w, size):
    for n in range(size):
        journey, steps = journey_with_steps(3)
        steps[1].is_value_point, steps[1].target_days = True, 30
        steps[1].save()
        account = CustomerAccountFactory(journey=w.journey, owner=org.member_a)
        pooled = CustomerAccountFactory(journey=journey, pool=w.pool)
        StepEventFactory(account=account, step=w.steps[0], reached_at=T0)
        StepEventFactory(account=pooled, step=steps[0], reached_at=T0)
        module = TrainingModuleFactory(from_step=steps[0])
        add_quiz(module, questions=2, pass_mark=50)
        from journeys.models import (
            Playbook,
            TrainingAssignment,
        )

        playbook = Playbook.objects.create(from_step=steps[0], owner=org.admin)
        PlaybookVersion.objects.create(
            playbook=playbook, number=1, goal="g", actions="a", created_by=org.admin
        )
        PlaybookVersion.objects.create(
            playbook=playbook, number=2, goal="g", actions="a", created_by=org.admin
        )
        TrainingAssignment.objects.create(
            module=module, member=org.member_a, due_date=T0.date()
        )
        TrainingCompletion.objects.create(
            module=module, member=org.member_a, completed_at=T0, passed=True
        )
        PoolMembershipFactory(pool=w.pool, user=UserFactory(roles=[Role.MEMBER]))
        _ = n


@pytest.mark.parametrize("size", [1, 8])
@pytest.mark.parametrize("user", ["admin", "manager_a", "member_a"])
@pytest.mark.parametrize("path", LISTS)
def test_list_queries_do_not_grow(
    org, w, django_assert_max_num_queries, path, user, size
):
    _grow(org, w, size)
    client = _client(getattr(org, user))
    with django_assert_max_num_queries(8):
        response = client.get(f"{V1}/{path}/")
    assert response.status_code == 200
    assert response.json()["results"]


# --- Never a 500 ---------------------------------------------------------------------

GARBAGE = [
    BIG,
    -BIG,
    2**63,
    -1,
    0,
    1.5,
    True,
    None,
    "",
    "²",
    "9" * 40,
    "\x00",
    "2026-13-45T99:00:00",
    "x" * 5000,
    [],
    {},
    [BIG],
    ["²"],
    {"²": 1},
    {str(BIG): 1},
    {"1": BIG},
    {"1": "²"},
]

# (path, METHOD) → (who, the object's id, a valid body)
WRITES = {
    (f"{V1}/journeys/", "POST"): ("admin", None, lambda w, org: {"name": "新"}),
    (f"{V1}/journeys/{{id}}/", "PATCH"): ("admin", lambda w: w.journey.pk, None),
    (f"{V1}/steps/", "POST"): (
        "admin",
        None,
        lambda w, org: {"journey": w.journey.pk, "position": 2, "name": "新"},
    ),
    (f"{V1}/steps/{{id}}/", "PATCH"): ("admin", lambda w: w.steps[1].pk, None),
    (f"{V1}/steps/{{id}}/move/", "POST"): (
        "admin",
        lambda w: w.steps[1].pk,
        lambda w, org: {"position": 1},
    ),
    (f"{V1}/steps/{{id}}/retire/", "POST"): ("admin", lambda w: w.steps[2].pk, None),
    (f"{V1}/playbooks/", "POST"): (
        "admin",
        None,
        lambda w, org: {
            "from_step": w.steps[1].pk,
            "owner": org.admin.pk,
            "goal": "g",
            "actions": "a",
        },
    ),
    (f"{V1}/playbooks/{{id}}/revise/", "POST"): (
        "admin",
        lambda w: w.playbook.pk,
        lambda w, org: {"goal": "g", "actions": "a", "note": "n"},
    ),
    (f"{V1}/training-assignments/", "POST"): (
        "manager_a",
        None,
        lambda w, org: {
            "module": w.module.pk,
            "member": org.member_a.pk,
            "due_date": "2026-06-01",
        },
    ),
    (f"{V1}/training-completions/", "POST"): (
        "member_a",
        None,
        lambda w, org: {"module": w.module.pk, "answers": {}},
    ),
    (f"{V1}/customers/", "POST"): (
        "admin",
        None,
        lambda w, org: {
            "name": "n",
            "external_id": "CRM-G",
            "journey": w.journey.pk,
            "pool": w.pool.pk,
        },
    ),
    (f"{V1}/customers/import/", "POST"): ("admin", None, None),
    (f"{V1}/step-events/", "POST"): (
        "member_a",
        None,
        lambda w, org: {
            "external_id": "CRM-A",
            "journey": w.journey.pk,
            "position": 2,
            "reached_at": "2026-04-02T10:00:00+09:00",
        },
    ),
    (f"{V1}/step-events/{{id}}/void/", "POST"): (
        "member_a",
        lambda w: w.event.pk,
        lambda w, org: {"reason": "r"},
    ),
    (f"{V1}/step-events/import/", "POST"): ("admin", None, None),
}

JOURNEYS_PATHS = tuple(f"{V1}/{name}/" for name in LISTS if name not in ())


def _operations():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        if not path.startswith(JOURNEYS_PATHS):
            continue
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            ref = next((body["schema"].get("$ref") for body in content.values()), None)
            component = (
                schema["components"]["schemas"][ref.split("/")[-1]] if ref else {}
            )
            fields = [
                name
                for name, spec in component.get("properties", {}).items()
                if not spec.get("readOnly")
            ]
            yield path, method.upper(), fields


WRITE_OPERATIONS = [
    (path, method, fields)
    for path, method, fields in _operations()
    if method in {"POST", "PUT", "PATCH", "DELETE"}
]


def test_every_journeys_write_is_in_the_garbage_test():
    assert {(path, method) for path, method, _ in WRITE_OPERATIONS} == set(WRITES)


@pytest.mark.parametrize(
    ("path", "method", "fields"),
    WRITE_OPERATIONS,
    ids=[f"{method} {path}" for path, method, _ in WRITE_OPERATIONS],
)
def test_garbage_to_every_journeys_write_is_never_a_500(org, w, path, method, fields):
    who, pk, valid = WRITES[(path, method)]
    client = _client(getattr(org, who))
    # Errors raise in the test client: a 500 would fail here with its traceback.
    send = getattr(client, method.lower())
    url = path.replace("{id}", str(pk(w))) if pk else path
    base = valid(w, org) if valid else {}
    bodies = [garbage for garbage in GARBAGE if not isinstance(garbage, dict)]
    bodies += [
        {**base, field: garbage} for field in fields or ["x"] for garbage in GARBAGE
    ]
    bodies += [{field: garbage for field in fields} for garbage in GARBAGE]
    for body in bodies:
        response = send(url, body, format="json")
        assert response.status_code < 500, (body, response.content)
    if path.endswith("/import/"):
        for body in bodies:
            if isinstance(body, dict):
                flat = {k: str(v) for k, v in body.items() if v is not None}
                response = send(url, flat, format="multipart")
                assert response.status_code < 500, (body, response.content)
    if pk:
        for bad_id in ("²", str(BIG), "9" * 40, "-1", "0"):
            response = send(path.replace("{id}", bad_id), base, format="json")
            assert response.status_code == 404, bad_id
