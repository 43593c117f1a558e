"""Where each account stands, stored on the account (journeys.progress): the current
step, its first reach and step 1's first reach follow every write that changes them
— events recorded, voided and imported, steps moved and retired — and equal what
the events say, so that the account list filters and sorts by them."""

import io
import random
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from journeys import selectors, services
from journeys.imports import import_step_events
from journeys.models import CustomerAccount, StepEvent
from journeys.progress import advance_progress, refresh_progress
from tests.journeys.factories import (
    T0,
    CustomerAccountFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)
HEADER = "external_id,step,reached_at,note"


def stored() -> dict:
    return {
        pk: rest
        for pk, *rest in CustomerAccount.objects.values_list(
            "pk", "progress_step_id", "progress_step_since", "progress_started_at"
        )
    }


def from_events() -> dict:
    """Every account's progress computed from its events, as the list read it
    before it was stored."""
    names = {
        f"from_events_{name}": e for name, e in selectors.progress_expressions().items()
    }
    return {
        pk: rest
        for pk, *rest in CustomerAccount.objects.annotate(**names).values_list(
            "pk", *names
        )
    }


def imported(lines: list[str], by) -> None:
    report = import_step_events(file="\r\n".join([HEADER, *lines]).encode(), by=by)
    assert report.problems == []


def at(days: float) -> str:
    """T0 + days as the import file writes it (UTC)."""
    return (T0 + days * DAY).astimezone(timezone.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def journey(org):
    journey, steps = journey_with_steps(4)
    return {"journey": journey, "steps": steps}


def test_an_account_without_events_stands_nowhere(org, journey):
    account = CustomerAccountFactory(journey=journey["journey"])

    assert stored()[account.pk] == [None, None, None]


def test_recording_and_voiding_move_the_account_on_and_back(org, journey):
    one, two, three, _four = journey["steps"]
    account = CustomerAccountFactory(journey=journey["journey"])
    services.step_event_record(
        account=account, step=one, reached_at=T0, by=org.admin, source="ui"
    )
    wrong = services.step_event_record(
        account=account, step=three, reached_at=T0 + DAY, by=org.admin, source="ui"
    )
    assert stored()[account.pk] == [three.pk, T0 + DAY, T0]

    services.step_event_void(event=wrong, by=org.admin, reason="wrong account")

    assert stored()[account.pk] == [one.pk, T0, T0]
    services.step_event_record(
        account=account, step=two, reached_at=T0 + 2 * DAY, by=org.admin, source="ui"
    )
    assert stored()[account.pk] == [two.pk, T0 + 2 * DAY, T0]


def test_an_import_moves_accounts_on_by_their_best_new_event(org, journey):
    one, two, three, _four = journey["steps"]
    ahead = CustomerAccountFactory(journey=journey["journey"], external_id="AHEAD")
    behind = CustomerAccountFactory(journey=journey["journey"], external_id="BEHIND")
    earlier = CustomerAccountFactory(journey=journey["journey"], external_id="EARLY")
    fresh = CustomerAccountFactory(journey=journey["journey"], external_id="FRESH")
    StepEventFactory(account=ahead, step=one, reached_at=T0 + 10 * DAY)
    StepEventFactory(account=ahead, step=three, reached_at=T0 + 20 * DAY)
    StepEventFactory(account=behind, step=one, reached_at=T0 + 10 * DAY)
    StepEventFactory(account=earlier, step=two, reached_at=T0 + 10 * DAY)

    imported(
        [
            # A lower step and a later step 1: the current step stays; step 1's
            # first reach is earlier than none.
            f"AHEAD,2,{at(30)},",
            f"AHEAD,1,{at(40)},",
            # Two steps up, the higher one wins whatever its time.
            f"BEHIND,2,{at(11)},",
            f"BEHIND,3,{at(12)},",
            # The same step reached earlier: its first reach moves back; step 1
            # reached for the first time.
            f"EARLY,2,{at(5)},",
            f"EARLY,1,{at(1)},",
            f"FRESH,1,{at(3)},",
            f"FRESH,1,{at(2)},",
        ],
        org.admin,
    )

    progress = stored()
    assert progress[ahead.pk] == [three.pk, T0 + 20 * DAY, T0 + 10 * DAY]
    assert progress[behind.pk] == [three.pk, T0 + 12 * DAY, T0 + 10 * DAY]
    assert progress[earlier.pk] == [two.pk, T0 + 5 * DAY, T0 + DAY]
    assert progress[fresh.pk] == [one.pk, T0 + 2 * DAY, T0 + 2 * DAY]
    assert progress == from_events()


def test_steps_of_one_position_on_two_journeys_go_by_the_earlier_reach(org, journey):
    """An account moved to another journey keeps its events on the old one's
    steps: at the same position the earlier reach is current, as in the list."""
    _old_one, old_two, *_rest = journey["steps"]
    other, (new_one, new_two, *_more) = journey_with_steps(3)
    late = CustomerAccountFactory(journey=journey["journey"], external_id="LATE")
    early = CustomerAccountFactory(journey=journey["journey"], external_id="EARLY")
    StepEventFactory(account=late, step=old_two, reached_at=T0 + 10 * DAY)
    StepEventFactory(account=early, step=old_two, reached_at=T0 + 10 * DAY)
    CustomerAccount.objects.filter(pk__in=[late.pk, early.pk]).update(journey=other)

    imported([f"LATE,2,{at(20)},", f"EARLY,2,{at(5)},"], org.admin)

    progress = stored()
    assert progress[late.pk][:2] == [old_two.pk, T0 + 10 * DAY]
    assert progress[early.pk][:2] == [new_two.pk, T0 + 5 * DAY]
    assert progress == from_events()


def test_moving_and_retiring_steps_changes_who_stands_where(org, journey):
    one, two, three, four = journey["steps"]
    account = CustomerAccountFactory(journey=journey["journey"])
    StepEventFactory(account=account, step=one, reached_at=T0)
    StepEventFactory(account=account, step=three, reached_at=T0 + DAY)
    StepEventFactory(account=account, step=two, reached_at=T0 + 2 * DAY)

    services.step_move(step=two, position=4)
    assert stored()[account.pk] == [two.pk, T0 + 2 * DAY, T0]

    services.step_retire(step=two, by=org.admin)
    assert stored()[account.pk] == [three.pk, T0 + DAY, T0]

    services.step_retire(step=one, by=org.admin)
    # Step 3 is step 1 now: the journey started when it was reached.
    assert stored()[account.pk] == [three.pk, T0 + DAY, T0 + DAY]
    assert four.pk not in stored()[account.pk]


def test_the_list_filters_and_sorts_by_the_stored_progress(org, journey):
    one, two, three, _four = journey["steps"]
    accounts = {
        name: CustomerAccountFactory(journey=journey["journey"], name=name)
        for name in "ABC"
    }
    StepEventFactory(account=accounts["A"], step=two, reached_at=T0)
    StepEventFactory(account=accounts["B"], step=three, reached_at=T0)
    StepEventFactory(account=accounts["C"], step=two, reached_at=T0 + DAY)
    services.step_event_void(
        event=StepEvent.objects.get(account=accounts["B"]), by=org.admin, reason="no"
    )

    at_two = selectors.account_list(viewer=org.admin, current_step=two)
    ordered = selectors.account_list(viewer=org.admin).order_by(
        F("current_step_position").asc(nulls_last=True), "current_step_since", "name"
    )

    assert sorted(a.name for a in at_two) == ["A", "C"]
    assert [a.name for a in ordered] == ["A", "C", "B"]


@pytest.mark.parametrize("seed", range(6))
def test_every_write_keeps_the_stored_progress_equal_to_the_events(org, seed):
    """Random records, voids, imports, step moves and retirements on two
    journeys, with accounts moved between them: after each, the stored progress
    equals the progress computed from the events."""
    rng = random.Random(seed)
    journeys = [journey_with_steps(4), journey_with_steps(3)]
    accounts = [
        CustomerAccountFactory(journey=journeys[n % 2][0], external_id=f"A-{n}")
        for n in range(6)
    ]
    moment = T0
    for _turn in range(25):
        moment += timedelta(hours=rng.randint(1, 60))
        account = rng.choice(accounts)
        account.refresh_from_db()
        journey = rng.choice(journeys)[0]
        current = list(journey.steps.filter(retired_at__isnull=True))
        own = list(account.journey.steps.filter(retired_at__isnull=True))
        action = rng.choice(
            [
                "record",
                "record",
                "import",
                "void",
                "insert",
                "move",
                "retire",
                "journey",
            ]
        )
        if action == "record" and own:
            services.step_event_record(
                account=account,
                step=rng.choice(own),
                reached_at=moment - rng.randint(0, 20) * DAY,
                by=org.admin,
                source="ui",
            )
        elif action == "import":
            if own:
                lines = {
                    f"{rng.choice(accounts).external_id},{rng.randint(1, len(own))},"
                    f"{at((moment - T0) / DAY - rng.randint(0, 30))},"
                    for _line in range(rng.randint(1, 5))
                }
                report = import_step_events(
                    file="\r\n".join([HEADER, *lines]).encode(), by=org.admin
                )
                # A line on a step the other account's journey lacks is refused,
                # and then nothing is imported: both keep the stored equal.
                assert report.created or report.problems or report.skipped
        elif action == "void":
            live = StepEvent.objects.filter(voided_at__isnull=True).order_by("pk")
            if live:
                services.step_event_void(
                    event=rng.choice(list(live)), by=org.admin, reason="wrong"
                )
        elif action == "move" and len(current) > 1:
            services.step_move(
                step=rng.choice(current), position=rng.randint(1, len(current))
            )
        elif action == "insert":
            services.step_insert(
                journey=journey,
                position=rng.randint(1, len(current) + 1),
                name=f"Inserted {_turn}",
            )
        elif action == "retire" and len(current) > 1:
            services.step_retire(step=rng.choice(current), by=org.admin)
        elif action == "journey":
            CustomerAccount.objects.filter(pk=account.pk).update(journey=journey)
        assert stored() == from_events(), action


def test_advancing_from_no_events_changes_nothing(org, journey):
    account = CustomerAccountFactory(journey=journey["journey"])

    advance_progress(StepEvent.objects.none())
    refresh_progress(account_ids=[])

    assert stored()[account.pk] == [None, None, None]


def test_a_step_inserted_first_restarts_the_journey_and_its_deadlines(org, journey):
    """Step 1 is where the journey starts: a new first step, not reached yet,
    leaves the account without a start, so no value point is overdue."""
    one, two, *_rest = journey["steps"]
    services.step_update(step=two, is_value_point=True, target_days=3)
    account = CustomerAccountFactory(journey=journey["journey"])
    StepEventFactory(account=account, step=one, reached_at=T0)
    assert (
        selectors.account_list(viewer=org.admin, now=T0 + 10 * DAY)
        .get(pk=account.pk)
        .value_point_overdue
    )

    services.step_insert(journey=journey["journey"], position=1, name="Welcome")

    assert stored()[account.pk] == [one.pk, T0, None]
    listed = selectors.account_list(viewer=org.admin, now=T0 + 10 * DAY)
    assert not listed.get(pk=account.pk).value_point_overdue


def test_saving_an_account_read_before_an_event_keeps_the_event(org, journey):
    one, *_rest = journey["steps"]
    account = CustomerAccountFactory(journey=journey["journey"], name="Before")
    read_before = CustomerAccount.objects.get(pk=account.pk)
    services.step_event_record(
        account=account, step=one, reached_at=T0, by=org.admin, source="ui"
    )

    read_before.name = "Renamed"
    read_before.save()

    account.refresh_from_db()
    assert (account.name, account.progress_step_id) == ("Renamed", one.pk)


@pytest.mark.parametrize("seed", range(12))
def test_advancing_equals_computing_again(org, seed):
    """New events in bulk on accounts with and without events before, on steps
    of two journeys, at equal times: advancing from them alone stores what
    computing every account again stores."""
    rng = random.Random(seed)
    first, first_steps = journey_with_steps(4)
    second, second_steps = journey_with_steps(3)
    steps = first_steps + second_steps
    accounts = [
        CustomerAccountFactory(journey=rng.choice([first, second])) for _n in range(5)
    ]
    times = [T0 + n * DAY for n in range(4)]
    seen = set()

    def events(count):
        made = []
        for _n in range(count):
            account, step, moment = (
                rng.choice(accounts),
                rng.choice(steps),
                rng.choice(times),
            )
            if (account.pk, step.pk, moment) not in seen:
                seen.add((account.pk, step.pk, moment))
                made.append(
                    StepEvent(
                        account=account, step=step, reached_at=moment, source="import"
                    )
                )
        return made

    StepEvent.objects.bulk_create(events(6))
    refresh_progress()
    last = StepEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    StepEvent.objects.bulk_create(events(8))

    advance_progress(StepEvent.objects.filter(pk__gt=last))

    assert stored() == from_events()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_events_recorded_at_once_both_count(org):
    """While one request records step 3 and has not committed yet, another
    records step 2 on the same account: once both commit, step 3 is current."""
    journey, steps = journey_with_steps(4)
    account = CustomerAccountFactory(journey=journey)
    recorded, release = threading.Event(), threading.Event()
    errors = []

    def record(step, *, hold: bool):
        try:
            with transaction.atomic():
                services.step_event_record(
                    account=account, step=step, reached_at=T0, by=org.admin, source="ui"
                )
                if hold:
                    recorded.set()
                    release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=record, args=(steps[2],), kwargs={"hold": True})
    first.start()
    assert recorded.wait(10)
    second = threading.Thread(target=record, args=(steps[1],), kwargs={"hold": False})
    second.start()
    second.join(1)
    # The second waits for the first's lock on the account.
    assert second.is_alive()
    release.set()
    first.join(10)
    second.join(10)

    assert errors == []
    assert stored()[account.pk][0] == steps[2].pk
    assert stored() == from_events()


def _holding(write, started: threading.Event, release: threading.Event, errors):
    """Run `write` in a transaction kept open until `release` (a thread's work)."""

    def run():
        try:
            with transaction.atomic():
                write()
                started.set()
                release.wait(10)
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


def _in_thread(write, errors) -> threading.Thread:
    def run():
        try:
            write()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()

    return threading.Thread(target=run)


def _a_lock_is_awaited() -> bool:
    """Whether some transaction waits for a lock (PostgreSQL), within 10 s."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM pg_locks WHERE NOT granted")
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.05)
    return False


def _while_held(first, then) -> list:
    """Run `first` in a transaction kept open, `then` in another thread once it
    waits for a lock; let `first` commit; the errors of both."""
    started, release, errors = threading.Event(), threading.Event(), []
    holder = _holding(first, started, release, errors)
    follower = _in_thread(then, errors)
    holder.start()
    try:
        assert started.wait(10)
        follower.start()
        assert _a_lock_is_awaited()
    finally:
        release.set()
        holder.join(30)
        if follower.ident:  # started
            follower.join(30)
    assert not holder.is_alive() and not follower.is_alive()
    return errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_step_moved_during_an_import_on_its_journey_waits_then_both_are_right(org):
    """An import has written its events and their accounts' progress and not
    committed yet when a step of the same journey is moved. The move waits for
    it; when the import commits (checking its events' steps), the move goes on.
    Neither fails with a deadlock, and progress follows the moved positions."""
    journey, (_first, second, third, fourth) = journey_with_steps(4)
    account = CustomerAccountFactory(journey=journey, external_id="X")
    StepEventFactory(account=account, step=second, reached_at=T0)

    errors = _while_held(
        lambda: imported([f"X,3,{at(1)},"], org.admin),
        lambda: services.step_move(step=fourth, position=1),
    )

    assert errors == []
    fourth.refresh_from_db()
    assert fourth.position == 1
    assert stored()[account.pk][0] == third.pk
    assert stored() == from_events()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_step_moved_while_an_event_is_recorded_on_its_journey_waits(org):
    """An event is being recorded on an account (its progress written, not
    committed) when a step of its journey is moved: the move waits for the
    account; the event's commit, which checks its step, does not wait for the
    move. Both end without a deadlock."""
    journey, (first, _second, third, fourth) = journey_with_steps(4)
    account = CustomerAccountFactory(journey=journey)
    StepEventFactory(account=account, step=first, reached_at=T0)

    errors = _while_held(
        lambda: services.step_event_record(
            account=account, step=third, reached_at=T0 + DAY, by=org.admin, source="ui"
        ),
        lambda: services.step_move(step=fourth, position=2),
    )

    assert errors == []
    assert stored()[account.pk][0] == third.pk
    assert stored() == from_events()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_recording_one_event_does_not_wait_for_a_journeys_refresh(org):
    """Only writers of many accounts take turns: an event recorded on a page does
    not wait for a step move on another journey."""
    moved, (_first, _second, third) = journey_with_steps(3)
    other, other_steps = journey_with_steps(3)
    account = CustomerAccountFactory(journey=other)
    started, release, errors = threading.Event(), threading.Event(), []

    def move():
        services.step_move(step=third, position=1)

    def record():
        services.step_event_record(
            account=account,
            step=other_steps[1],
            reached_at=T0,
            by=org.admin,
            source="ui",
        )

    holder = _holding(move, started, release, errors)
    holder.start()
    assert started.wait(10)
    recorder = _in_thread(record, errors)
    recorder.start()
    recorder.join(5)
    try:
        assert not recorder.is_alive()
    finally:
        release.set()
        holder.join(10)
        recorder.join(10)
    assert errors == []
    assert stored()[account.pk][0] == other_steps[1].pk


def test_the_command_puts_back_progress_of_events_written_behind_kata(org, journey):
    one, two, *_rest = journey["steps"]
    account = CustomerAccountFactory(journey=journey["journey"])
    StepEventFactory(account=account, step=one, reached_at=T0)
    # An integration writing into the database, not through Kata.
    StepEvent.objects.bulk_create(
        [StepEvent(account=account, step=two, reached_at=T0 + DAY, source="api")]
    )
    assert stored()[account.pk][0] == one.pk
    out = io.StringIO()

    call_command("refresh_progress", stdout=out)

    assert stored()[account.pk] == [two.pk, T0 + DAY, T0]
    assert "Accounts brought up to date: 1." in out.getvalue()
