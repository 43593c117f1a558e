"""Where each account stands, stored on the account (journeys.progress): the current
step, its first reach and step 1's first reach follow every write that changes them
— events recorded, voided and imported, steps moved and retired — and equal what
the events say, so that the account list filters and sorts by them."""

import random
from datetime import timedelta

import pytest
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
            ["record", "record", "import", "void", "move", "retire", "journey"]
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
