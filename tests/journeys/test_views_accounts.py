"""Accounts pages: the account list and its filters, the account page (journey path,
next playbook, recording and voiding events, coverage history), coverage changes
with the readiness confirmation, pools, and the CSV upload."""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from journeys.models import Coverage, CustomerAccount, PracticumReflection, StepEvent
from tests.journeys.factories import (
    CustomerAccountFactory,
    PlaybookFactory,
    PlaybookVersionFactory,
    PoolFactory,
    PoolMembershipFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db


def _listed(response) -> set[int]:
    return {int(pk) for pk in re.findall(r'data-account="(\d+)"', response.text)}


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def world(org):
    """Accounts of member_a (team A), sub_member (sub-team A-1), member_b (team B),
    and one of a team A pool that member_a belongs to."""
    journey, steps = journey_with_steps(4, name="Onboarding")
    pool = PoolFactory(name="SMB pool", team=org.team_a)
    PoolMembershipFactory(pool=pool, user=org.member_a, start_date=date(2025, 1, 1))
    own = CustomerAccountFactory(name="Acme", journey=journey, owner=org.member_a)
    sub = CustomerAccountFactory(name="Sub Co", journey=journey, owner=org.sub_member)
    other = CustomerAccountFactory(
        name="Beta", journey=journey, owner=org.member_b, segment="Enterprise"
    )
    pooled = CustomerAccountFactory(name="Pooled Co", journey=journey, pool=pool)
    return {
        "org": org,
        "journey": journey,
        "steps": steps,
        "pool": pool,
        "own": own,
        "sub": sub,
        "other": other,
        "pooled": pooled,
    }


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _detail(account):
    return reverse("journeys:account_detail", args=[account.pk])


# --- Visibility -----------------------------------------------------------------------


def test_each_role_lists_the_accounts_it_may_see(client, world):
    org = world["org"]
    url = reverse("journeys:account_list")
    own, sub, other, pooled = (world[k].pk for k in ("own", "sub", "other", "pooled"))
    assert _listed(_get(client, org.member_a, url)) == {own, pooled}
    assert _listed(_get(client, org.manager_a, url)) == {own, sub, pooled}
    assert _listed(_get(client, org.admin, url)) == {own, sub, other, pooled}
    response = _get(client, org.interviewer, url)
    assert _listed(response) == set()
    assert "There is no customer account for you to see" in response.text


def test_an_account_outside_the_viewer_answers_404(client, world):
    org = world["org"]
    assert _get(client, org.member_a, _detail(world["other"])).status_code == 404
    assert _get(client, org.manager_a, _detail(world["other"])).status_code == 404
    assert _get(client, org.manager_b, _detail(world["other"])).status_code == 200
    assert _get(client, org.member_a, _detail(world["pooled"])).status_code == 200


def test_the_list_filters_by_owner_pool_segment_step_and_overdue(client, world):
    org, steps = world["org"], world["steps"]
    value_point = steps[2]
    value_point.is_value_point = True
    value_point.target_days = 10
    value_point.save()
    long_ago = timezone.now() - timedelta(days=30)
    # Acme started 30 days ago and is at step 2: the value point (10 days) is overdue.
    StepEventFactory(account=world["own"], step=steps[0], reached_at=long_ago)
    StepEventFactory(account=world["own"], step=steps[1], reached_at=long_ago)
    # Sub Co reached the value point: nothing overdue.
    StepEventFactory(account=world["sub"], step=steps[0], reached_at=long_ago)
    StepEventFactory(account=world["sub"], step=steps[2], reached_at=long_ago)
    url = reverse("journeys:account_list")
    client.force_login(org.admin)

    def listed(**params):
        return _listed(client.get(url, params))

    assert listed(owner=org.member_a.pk) == {world["own"].pk}
    assert listed(pool=world["pool"].pk) == {world["pooled"].pk}
    assert listed(segment="Enterprise") == {world["other"].pk}
    assert listed(current_step=steps[1].pk) == {world["own"].pk}
    assert listed(current_step=steps[2].pk) == {world["sub"].pk}
    assert listed(overdue="true") == {world["own"].pk}
    assert world["own"].pk not in listed(overdue="false")
    response = client.get(url, {"segment": "Enterprise", "owner": org.member_a.pk})
    assert "No account matches these filters." in response.text


def test_the_list_is_paginated_by_25(client, world):
    org = world["org"]
    for number in range(26):
        CustomerAccountFactory(
            name=f"Zeta {number:02d}", journey=world["journey"], owner=org.member_a
        )
    client.force_login(org.member_a)
    first = client.get(reverse("journeys:account_list"))
    second = client.get(reverse("journeys:account_list"), {"page": 2})
    assert len(_listed(first)) == 25
    assert len(_listed(second)) == 3  # 28 accounts: Acme, Pooled Co and 26 Zetas
    assert "Page 2 of 2" in second.text


# --- Account page ---------------------------------------------------------------------


def test_the_page_shows_the_path_current_step_days_and_overdue_value_point(
    client, world
):
    steps = world["steps"]
    steps[3].is_value_point = True
    steps[3].target_days = 5
    steps[3].save()
    StepEventFactory(
        account=world["own"],
        step=steps[0],
        reached_at=timezone.now() - timedelta(days=9),
    )
    StepEventFactory(
        account=world["own"],
        step=steps[1],
        reached_at=timezone.now() - timedelta(days=3),
    )
    response = _get(client, world["org"].member_a, _detail(world["own"]))
    text = _text(response.text)
    assert "Current step: 2. Step 2 , for 3 days." in text
    assert "Value points overdue: 4. Step 4" in text
    classes = dict(
        (int(pk), css)
        for css, pk in re.findall(
            r'<li class="([^"]*)" data-step="(\d+)"', response.text
        )
    )
    assert "border-danger" in classes[steps[3].pk]
    assert "border-primary" in classes[steps[1].pk]  # the current step
    assert "border-danger" not in classes[steps[2].pk]  # not a value point
    # The page language's date format (English here): Nov 23, 2026.
    with translation.override("en"):
        reached = date_format(timezone.localdate() - timedelta(days=9), "DATE_FORMAT")
    assert f"Reached {reached}" in text


def test_the_page_header_shows_the_arr_in_yen_as_the_list_does(client, world):
    account = world["own"]
    account.arr = 8_700_000
    account.save(update_fields=["arr"])
    response = _get(client, world["org"].member_a, _detail(account))
    shown = re.search(r'data-testid="account-arr">([^<]*)<', response.text)
    assert shown and shown.group(1) == "¥8,700,000"


def test_the_next_playbook_is_one_click_away_with_the_customer_name(client, world):
    steps = world["steps"]
    playbook = PlaybookFactory(from_step=steps[0])
    PlaybookVersionFactory(playbook=playbook, number=1, goal="Old goal")
    PlaybookVersionFactory(
        playbook=playbook,
        number=2,
        goal="Kick off {customer_name} well",
        content="Dear {customer_name} team,",
    )
    StepEventFactory(account=world["own"], step=steps[0])
    response = _get(client, world["org"].member_a, _detail(world["own"]))
    assert "Kick off Acme well" in response.text
    assert "Dear Acme team," in response.text
    assert "Old goal" not in response.text
    assert reverse("journeys:playbook_detail", args=[playbook.pk]) in response.text


def test_a_member_records_that_the_account_reached_a_step(client, world):
    org, account, steps = world["org"], world["own"], world["steps"]
    client.force_login(org.member_a)
    page = client.get(_detail(account))
    # The form proposes the first step and now.
    assert re.search(rf'<option value="{steps[0].pk}" selected', page.text)
    now = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert f'value="{now}"' in page.text
    response = client.post(
        _detail(account),
        {
            "record-step": steps[1].pk,
            "record-reached_at": "2026-03-02T10:30",
            "record-note": "Setup call",
        },
    )
    assert response.status_code == 302
    event = StepEvent.objects.get(account=account)
    assert event.step == steps[1]
    assert timezone.localtime(event.reached_at).strftime("%Y-%m-%d %H:%M") == (
        "2026-03-02 10:30"
    )
    assert event.recorded_by == org.member_a
    assert event.source == StepEvent.Source.UI
    assert event.note == "Setup call"


def test_a_future_time_is_refused_on_its_field_and_nothing_is_written(client, world):
    org, account, steps = world["org"], world["own"], world["steps"]
    client.force_login(org.member_a)
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        _detail(account),
        {"record-step": steps[0].pk, "record-reached_at": future, "record-note": "x"},
    )
    assert response.status_code == 200
    assert response.context["record_form"].errors["reached_at"] == [
        "This time is in the future."
    ]
    assert f'value="{future}"' in response.text  # what was typed is kept
    assert not StepEvent.objects.exists()


def test_a_moment_before_the_account_was_covered_is_recorded_once_confirmed(
    client, world
):
    """A year typed wrong (2020 for 2026) would silently become the account's first
    reach: a moment 90 days or more before the account was first covered asks for
    a confirmation, keeps what was typed, and records once confirmed."""
    org, account, steps = world["org"], world["own"], world["steps"]
    covered_since = Coverage.objects.get(account=account).started_at
    typed = {
        "record-step": steps[3].pk,
        "record-reached_at": "2020-01-01T10:00",
        "record-note": "Renewal call",
    }
    client.force_login(org.member_a)
    response = client.post(_detail(account), typed)
    assert response.status_code == 200
    (error,) = response.context["record_form"].errors["reached_at"]
    since = date_format(timezone.localtime(covered_since), "DATE_FORMAT")
    assert error.startswith(
        f"This is 90 days or more before the account was first covered ({since})."
    )
    assert 'value="2020-01-01T10:00"' in response.text
    assert "Renewal call" in response.text
    assert 'name="record-confirm_date"' in response.text
    assert not StepEvent.objects.exists()
    # Posted again without ticking the box: asked again, nothing written.
    response = client.post(_detail(account), typed)
    assert 'name="record-confirm_date"' in response.text
    assert not StepEvent.objects.exists()
    response = client.post(_detail(account), {**typed, "record-confirm_date": "on"})
    assert response.status_code == 302
    event = StepEvent.objects.get(account=account)
    assert (event.step, event.note) == (steps[3], "Renewal call")
    # A step reached a month before the account was covered is recorded at once.
    month_before = timezone.localtime(covered_since - timedelta(days=31))
    response = client.post(
        _detail(account),
        {
            "record-step": steps[0].pk,
            "record-reached_at": month_before.strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert StepEvent.objects.filter(account=account, step=steps[0]).exists()


def test_an_impossible_offset_is_refused_on_its_field(client, world):
    org, account, steps = world["org"], world["own"], world["steps"]
    client.force_login(org.member_a)
    response = client.post(
        _detail(account),
        {
            "record-step": steps[0].pk,
            "record-reached_at": "2026-03-02T10:30:00+20:00",
            "record-note": "x",
        },
    )
    assert response.status_code == 200
    assert response.context["record_form"].errors["reached_at"] == [
        "Enter a time zone offset between −15:59 and +15:59."
    ]
    assert not StepEvent.objects.exists()


def test_recording_on_someone_elses_account_answers_404_and_writes_nothing(
    client, world
):
    client.force_login(world["org"].member_a)
    response = client.post(
        _detail(world["other"]),
        {"record-step": world["steps"][0].pk, "record-reached_at": "2026-03-02T10:30"},
    )
    assert response.status_code == 404
    assert not StepEvent.objects.exists()


def test_a_wrong_event_is_voided_with_a_reason_and_stays_listed(client, world):
    org, account = world["org"], world["own"]
    event = StepEventFactory(account=account, step=world["steps"][1])
    client.force_login(org.member_a)
    refused = client.post(_detail(account), {"void-event": event.pk, "void-reason": ""})
    assert refused.status_code == 200
    assert "Say why the event is voided." in refused.text
    event.refresh_from_db()
    assert event.voided_at is None
    response = client.post(
        _detail(account), {"void-event": event.pk, "void-reason": "Wrong account"}
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.voided_at is not None
    assert (event.voided_by, event.void_reason) == (org.member_a, "Wrong account")
    page = _text(client.get(_detail(account)).text)
    assert "Voided by 秋山" in page and "Wrong account" in page
    assert "No step reached yet." in page  # the void event no longer counts


def test_voiding_an_event_of_another_account_answers_404(client, world):
    event = StepEventFactory(account=world["other"], step=world["steps"][0])
    client.force_login(world["org"].member_a)
    response = client.post(
        _detail(world["own"]), {"void-event": event.pk, "void-reason": "nope"}
    )
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.voided_at is None


# --- Coverage -------------------------------------------------------------------------


def _assign_url(account):
    return reverse("journeys:account_assign", args=[account.pk])


def _make_ready(member, steps):
    for step in steps:
        PracticumReflection.objects.create(
            member=member, step=step, completed_at=timezone.now()
        )


def test_a_not_ready_owner_needs_the_confirmation_which_is_recorded(client, world):
    org, account = world["org"], world["pooled"]
    client.force_login(org.manager_a)
    data = {"model": "dedicated", "owner": org.sub_member.pk}
    asked = client.post(_assign_url(account), data)
    assert asked.status_code == 200
    assert "has not finished the practicum" in asked.text
    assert 'name="confirm_not_ready"' in asked.text
    assert Coverage.objects.filter(account=account).count() == 1
    done = client.post(_assign_url(account), data | {"confirm_not_ready": "on"})
    assert done.status_code == 302
    periods = list(Coverage.objects.filter(account=account).order_by("started_at"))
    assert [p.pool for p in periods] == [world["pool"], None]
    assert periods[0].ended_at == periods[1].started_at
    assert periods[1].owner == org.sub_member
    assert periods[1].owner_not_ready_confirmed
    assert periods[1].assigned_by == org.manager_a
    page = _text(client.get(_detail(account)).text)
    assert "Assigned before ready" in page


def test_a_ready_owner_is_assigned_without_confirmation(client, world):
    org, account = world["org"], world["pooled"]
    _make_ready(org.member_a, world["steps"])
    client.force_login(org.manager_a)
    response = client.post(
        _assign_url(account), {"model": "dedicated", "owner": org.member_a.pk}
    )
    assert response.status_code == 302
    current = Coverage.objects.get(account=account, ended_at=None)
    assert (current.owner, current.owner_not_ready_confirmed) == (org.member_a, False)


def test_an_account_moves_to_a_pool(client, world):
    org, account = world["org"], world["own"]
    client.force_login(org.manager_a)
    response = client.post(
        _assign_url(account), {"model": "pooled", "pool": world["pool"].pk}
    )
    assert response.status_code == 302
    assert Coverage.objects.get(account=account, ended_at=None).pool == world["pool"]


def test_a_manager_cannot_give_an_account_to_another_teams_member(client, world):
    org, account = world["org"], world["own"]
    client.force_login(org.manager_a)
    response = client.post(
        _assign_url(account),
        {"model": "dedicated", "owner": org.member_b.pk, "confirm_not_ready": "on"},
    )
    assert response.status_code == 200
    assert "owner" in response.context["form"].errors
    assert Coverage.objects.get(account=account, ended_at=None).owner == org.member_a


def test_members_may_not_change_coverage_and_outsiders_get_404(client, world):
    org = world["org"]
    client.force_login(org.member_a)
    data = {"model": "pooled", "pool": world["pool"].pk}
    assert client.post(_assign_url(world["own"]), data).status_code == 403
    client.force_login(org.manager_b)
    assert client.post(_assign_url(world["own"]), data).status_code == 404
    assert Coverage.objects.filter(account=world["own"]).count() == 1


# --- Pools ----------------------------------------------------------------------------


def test_pools_are_seen_by_their_members_their_teams_managers_and_admins(client, world):
    org, pool = world["org"], world["pool"]
    other_pool = PoolFactory(name="Enterprise pool", team=org.team_b)
    url = reverse("journeys:pool_list")

    def pools(user):
        response = _get(client, user, url)
        return {int(pk) for pk in re.findall(r'data-pool="(\d+)"', response.text)}

    assert pools(org.member_a) == {pool.pk}
    assert pools(org.manager_a) == {pool.pk}
    assert pools(org.admin) == {pool.pk, other_pool.pk}
    assert pools(org.member_b) == set()
    detail = reverse("journeys:pool_detail", args=[other_pool.pk])
    assert _get(client, org.member_a, detail).status_code == 404
    page = _get(client, org.member_a, reverse("journeys:pool_detail", args=[pool.pk]))
    assert _listed(page) == {world["pooled"].pk}
    assert "秋山" in page.text


# --- Import ---------------------------------------------------------------------------


def _upload(client, kind, lines, **extra):
    content = ("\r\n".join(lines) + "\r\n").encode("utf-8")
    return client.post(
        reverse("journeys:import_upload"),
        {"kind": kind, "file": SimpleUploadedFile("data.csv", content), **extra},
    )


def test_a_bad_file_is_reported_row_by_row_and_nothing_is_imported(client, world):
    client.force_login(world["org"].admin)
    response = _upload(
        client,
        "events",
        [
            "external_id,step,reached_at",
            f"{world['own'].external_id},1,2026-03-01 10:00",
            "NO-SUCH,1,2026-03-01 10:00",
            f"{world['own'].external_id},9,2026-03-01 10:00",
        ],
    )
    assert response.status_code == 200
    text = _text(response.text)
    assert "Nothing was imported: 2 problems in the file." in text
    problems = re.findall(
        r"<tr><td>(\d+)</td><td>(\w+)</td>", response.text.split("import-problems")[1]
    )
    assert problems == [("3", "external_id"), ("4", "step")]
    assert not StepEvent.objects.exists()


def test_a_good_file_is_imported_and_again_creates_nothing(client, world):
    client.force_login(world["org"].admin)
    lines = [
        "external_id,name,journey,coverage,pool",
        "NEW-1,Gamma,Onboarding,pooled,SMB pool",
    ]
    first = _upload(client, "accounts", lines)
    assert "1 created, 0 updated, 0 already there." in _text(first.text)
    again = _upload(client, "accounts", lines)
    assert "0 created, 0 updated, 1 already there." in _text(again.text)
    assert CustomerAccount.objects.filter(external_id="NEW-1").count() == 1


def test_only_admins_upload(client, world):
    client.force_login(world["org"].manager_a)
    response = _upload(client, "events", ["external_id,step,reached_at"])
    assert response.status_code == 403


# --- Query counts ---------------------------------------------------------------------


def _grow(world, count):
    org, steps = world["org"], world["steps"]
    for number in range(count):
        account = CustomerAccountFactory(
            journey=world["journey"],
            owner=org.member_a if number % 2 else None,
            pool=None if number % 2 else world["pool"],
        )
        StepEventFactory(account=account, step=steps[0])
        StepEventFactory(account=account, step=steps[1])


@pytest.mark.parametrize("count", [2, 20])
def test_the_account_list_query_count_does_not_grow(
    client, world, count, django_assert_max_num_queries
):
    world["steps"][2].is_value_point = True
    world["steps"][2].target_days = 10
    world["steps"][2].save()
    _grow(world, count)
    client.force_login(world["org"].manager_a)
    with django_assert_max_num_queries(18):
        response = client.get(reverse("journeys:account_list"))
    assert len(_listed(response)) == min(count + 3, 25)


@pytest.mark.parametrize("count", [1, 15])
def test_the_account_page_query_count_does_not_grow(
    client, world, count, django_assert_max_num_queries
):
    org, account, steps = world["org"], world["own"], world["steps"]
    playbook = PlaybookFactory(from_step=steps[1])
    PlaybookVersionFactory(playbook=playbook)
    for number in range(count):
        StepEventFactory(
            account=account,
            step=steps[number % 2],
            reached_at=timezone.now() - timedelta(hours=number + 1),
            recorded_by=org.member_a,
        )
    for number in range(count):
        Coverage.objects.filter(account=account, ended_at=None).update(
            ended_at=timezone.now() - timedelta(days=count - number)
        )
        Coverage.objects.create(
            account=account,
            model="pooled",
            pool=world["pool"],
            started_at=timezone.now() - timedelta(days=count - number),
        )
    client.force_login(org.member_a)
    with django_assert_max_num_queries(22):
        response = client.get(_detail(account))
    assert response.status_code == 200
