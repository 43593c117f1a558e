"""Where each account stands on its journey, stored on the account.

An account's **current step** (the current step of the highest position it has a
non-void event on), that step's first reach and the first reach of step 1 follow
from its events and its journey's steps (`selectors.account_list` says the rule,
`selectors.progress_expressions` computes it). Lists filter and sort accounts by
them, and at 100,000 accounts looking through every account's events for that
takes a second; so they are kept on the account (`CustomerAccount.progress_…`) and
brought up to date here, by one UPDATE in the database, whenever what they follow
from changes:

- an event recorded or voided (`services.step_event_record`, `step_event_void`)
  or events written in bulk (the demo, the benchmark's generator): the accounts
  of those events, computed again (`refresh_progress`);
- events imported (`imports.import_step_events`): new events only move an
  account on, so each account's stored progress is compared with its best new
  event (`advance_progress`), in time with the number of events imported, not
  with the events the accounts already have;
- a step inserted, moved or retired (`services.step_insert`, `step_move`,
  `step_retire`): every account with an event on a step of its journey, since
  positions decide which step is the highest and which is step 1.

Health on a past day (`journeys.health`) computes them from the events of then,
not from these.

Writers of many accounts at once (an import, a journey's refresh, every account's)
take turns (`one_bulk_writer_at_a_time`): an import's UPDATE locks its accounts in
whatever order its plan reads them, a refresh in the order of their ids, and two
such writers at once could each wait for a lock the other holds (PostgreSQL would
abort one with a deadlock error); and a step move that commits while an import
runs is then seen by the import's UPDATE, which starts after it. A step insert,
move or retire takes its turn before it locks the journey's steps
(`services._current_step_ids`), so that the locks always go in one order: the
turn, the steps, the accounts.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import F, Min, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from . import selectors
from .models import CustomerAccount, Journey, Step, StepEvent

# The keys of the transaction-level advisory lock that writers of many accounts'
# progress hold until they commit ("PROG", 0).
BULK_LOCK = (0x50524F47, 0)


def one_bulk_writer_at_a_time() -> None:
    """Wait until no other writer of many accounts' progress runs, and keep others
    waiting until this transaction ends (PostgreSQL; SQLite has one writer at a
    time anyway). Taken again in the same transaction, it is already held."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", BULK_LOCK)


def refresh_progress(
    *,
    account_ids: Iterable[int] | QuerySet | None = None,
    journey: Journey | int | None = None,
) -> int:
    """Bring the stored progress of these accounts up to date: of `account_ids`
    (ids, or a query of them), of the accounts with an event on a step of
    `journey`, or (neither) of every account. Returns the number of accounts
    written.

    The accounts are locked first (PostgreSQL), so that the UPDATE, which reads
    the events as they are when it starts, starts after any other write to them
    has committed: two events recorded at once on one account both count. A
    refresh of more than one account waits for other writers of many accounts
    first (`one_bulk_writer_at_a_time`)."""
    accounts = CustomerAccount.objects.order_by()
    one_account = False
    if account_ids is not None:
        if not isinstance(account_ids, QuerySet):
            account_ids = list(account_ids)
            if not account_ids:
                return 0
            one_account = len(account_ids) == 1 and journey is None
        accounts = accounts.filter(pk__in=account_ids)
    if journey is not None:
        accounts = accounts.filter(
            pk__in=StepEvent.objects.filter(step__journey=journey).values("account_id")
        )
    with transaction.atomic():
        if not one_account:
            one_bulk_writer_at_a_time()
        if connection.features.has_select_for_update:
            # In the order of their ids, as every refresh takes them: two
            # refreshes never wait for each other in a circle.
            for _locked in (
                accounts.select_for_update().order_by("pk").values_list("pk").iterator()
            ):
                pass
        return accounts.update(**selectors.progress_expressions())


def advance_progress(events: QuerySet) -> None:
    """Bring the stored progress of the accounts of `events` (events just
    recorded: none voided since, no step moved or retired since) up to date from
    those events alone. An account's current step can only move on: to the new
    event first in `selectors.CURRENT_STEP_ORDER` when it comes before the stored
    one (a higher position, or the same with an earlier reach; on a tie the
    stored one, the older event, stays), and step 1's first reach only earlier.

    One UPDATE. It compares with the account's own columns, not with a copy read
    beforehand: when another write to an account commits while this one waits
    for it, PostgreSQL compares with what that write stored."""
    new = (
        events.filter(voided_at__isnull=True, step__retired_at__isnull=True)
        .annotate(
            position=F("step__position"),
            rank=Window(
                RowNumber(),
                partition_by=[F("account_id")],
                order_by=list(selectors.CURRENT_STEP_ORDER),
            ),
            # Step 1's first reach among the account's new events, on every row.
            first_reach=Window(
                Min("reached_at", filter=Q(step__position=1)),
                partition_by=[F("account_id")],
            ),
        )
        .values_list(
            "account_id", "step_id", "reached_at", "position", "rank", "first_reach"
        )
        .order_by()
    )
    try:
        sql, params = new.query.sql_with_params()
    except EmptyResultSet:
        return
    quote = connection.ops.quote_name
    accounts = quote(CustomerAccount._meta.db_table)
    steps = quote(Step._meta.db_table)
    stored = (
        f"(SELECT s.position FROM {steps} s WHERE s.id = {accounts}.progress_step_id)"
    )
    moves_on = (
        f"{accounts}.progress_step_id IS NULL OR b.step_position > {stored}"
        f" OR (b.step_position = {stored}"
        f" AND b.reached_at < {accounts}.progress_step_since)"
    )
    starts_earlier = (
        f"b.first_reach IS NOT NULL AND ({accounts}.progress_started_at IS NULL"
        f" OR b.first_reach < {accounts}.progress_started_at)"
    )
    # One row per account (its best new event) joined to the account, written
    # only when it moves the account on. No common table expression: the
    # planner guesses its rows, and a guess of one nested-looped over them all.
    # In a transaction, so that other writers wait until it ends (the caller's:
    # an import's).
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        one_bulk_writer_at_a_time()
        cursor.execute(
            f"""UPDATE {accounts} SET
                progress_step_id = CASE WHEN {moves_on} THEN b.step_id
                    ELSE {accounts}.progress_step_id END,
                progress_step_since = CASE WHEN {moves_on} THEN b.reached_at
                    ELSE {accounts}.progress_step_since END,
                progress_started_at = CASE WHEN {starts_earlier} THEN b.first_reach
                    ELSE {accounts}.progress_started_at END
            FROM (
                SELECT account_id, step_id, reached_at, first_reach,
                    {quote("position")} AS step_position
                FROM ({sql}) arrived WHERE {quote("rank")} = 1
            ) b
            WHERE {accounts}.id = b.account_id AND ({moves_on} OR {starts_earlier})""",
            params,
        )
