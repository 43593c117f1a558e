"""Each customer account's ARR month by month (ARR snapshots) and how it moved:
the writes (recording, correcting) and the reads (an account's history).

The rules, written once (the revenue figures read the movements they leave):

- **One snapshot per account and month.** A month is its first day; the ARR is a
  whole amount of yen, never negative. A month may not be in the future (the current
  month may be recorded: its ARR so far) nor before 2000.
- **A month without a snapshot carries the last ARR forward.** The account's ARR in a
  month is that of its latest snapshot on or before the month; before its first
  snapshot it has none (it was not a customer yet). So ARR moves only in a month that
  has a snapshot, from the latest earlier snapshot (`previous_arr`), however many
  months lie between them.
- **Inferred movement**, from the ARR before (P, none before the first snapshot) to
  the month's ARR (A):

  ================================  ==============================================
  P none or 0, A = 0                no movement
  P none or 0, A > 0                new; reactivation when the account had ARR
                                    before (it churned, then came back)
  P > 0, A = 0                      churn
  P > 0, 0 < A < P                  downsell
  P > 0, A > P                      expansion
  A = P > 0                         no movement
  ================================  ==============================================

  So a first snapshot of 0 (a signed customer not billed yet) is no movement, and
  its first ARR above 0 is new.
- **Stated movement.** A person may say what the movement was: on the form, in the
  import's `movement` column, through the API, or by correcting a month later. It
  must fit the change: an increase of a paying account is an expansion, an upsell
  or a cross-sell; ARR from nothing is new or a reactivation; a decrease that leaves
  ARR is a downsell; down to 0 is churn; an unchanged ARR has no movement. A type
  that does not fit is refused on the field. What was stated is kept, never
  overwritten by inference, and a later recording of the month without a type keeps
  it; only a correction back to "inferred" clears it. If an edit of another month
  later changes this month's change so that the stated type no longer fits, the
  inferred type applies while the statement stays recorded (and applies again if
  the change fits it again).
- **Correcting.** Recording a month that has a snapshot corrects it in place; the
  snapshot's history (django-simple-history) keeps every earlier value with who
  changed it and when. Recording what is already there changes nothing. Every write
  recomputes the account's movements in month order from the first month it records
  (the months before it do not change), under a lock of the account.
- **The account's ARR** (`CustomerAccount.arr`) follows its latest snapshot whenever
  the account's snapshots are written.
"""

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User

from . import permissions, staging
from .models import ARRMovement, ARRSnapshot, CustomerAccount

# Customer success started long after this: earlier months are typing mistakes.
EARLIEST_MONTH = date(2000, 1, 1)
# The largest ARR the column holds (14 digits).
LARGEST_ARR = Decimal(10) ** 14 - 1

FROM_NOTHING = (ARRMovement.NEW, ARRMovement.REACTIVATION)
INCREASE = (ARRMovement.EXPANSION, ARRMovement.UPSELL, ARRMovement.CROSS_SELL)

_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?$")


# --- Reading what people write ----------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    """The first day of the month `count` months after `month` (before, if
    negative)."""
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def current_month(now: datetime | None = None) -> date:
    """The month in progress, in the organisation's time zone."""
    return month_start(timezone.localdate(now or timezone.now()))


def parse_month(value: str) -> date:
    """A month as written: 2026-04 or 2026/4; a first day (2026-04-01, 2026/4/1, as
    Excel turns a month into a date) is read as its month. Raises ValueError."""
    found = _MONTH.match((value or "").strip())
    year, month = (int(found.group(1)), int(found.group(2))) if found else (0, 0)
    if (
        not found
        or (found.group(3) is not None and int(found.group(3)) != 1)
        or not 1 <= month <= 12
        or year < 1
    ):
        raise ValueError(_("Write a month as YYYY-MM, for example 2026-04."))
    return date(year, month, 1)


def parse_arr(value: str) -> Decimal:
    """An amount of yen as written: 1200000, 1,200,000, ¥1,200,000 (a yen sign
    of Shift_JIS reads as a backslash) or 1,200,000円. Raises ValueError with
    the reason."""
    cleaned = (value or "").strip().lstrip("¥￥\\").replace(",", "").strip()
    cleaned = cleaned.removesuffix("円").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValueError(
            _(
                "“%(value)s” is not an amount: write a whole number of yen, for "
                "example 1200000 or 1,200,000."
            )
            % {"value": value}
        )
    if problem := arr_problem(amount):
        raise ValueError(problem)
    return amount.quantize(Decimal(1))


def arr_problem(arr: Decimal | None) -> str | None:
    """Why `arr` cannot be an account's ARR."""
    if arr is None:
        return _("Give the ARR.")
    if arr < 0:
        return _("ARR is never negative.")
    if arr != arr.to_integral_value():
        return _("ARR is a whole amount of yen.")
    if arr > LARGEST_ARR:
        return _("ARR must be at most %(largest)s.") % {"largest": f"{LARGEST_ARR:,}"}
    return None


def month_problem(month: date | None, *, now: datetime | None = None) -> str | None:
    """Why `month` (its first day) cannot be recorded."""
    if month is None:
        return _("Give the month.")
    if month.day != 1:
        return _("A month is given by its first day.")
    if month > current_month(now):
        return _("This month is in the future.")
    if month < EARLIEST_MONTH:
        return _("This month is too far in the past.")
    return None


def movement_choice(value: str) -> str:
    """A movement type as a file or a client writes it: its code (cross_sell,
    cross-sell) or its name in English or Japanese; "" for none. Raises
    ValueError."""
    text = (value or "").strip()
    if not text:
        return ""
    wanted = text.casefold().replace("-", "_").replace(" ", "_")
    if wanted in ARRMovement.values:
        return wanted
    names = _movement_names()
    if text.casefold() in names:
        return names[text.casefold()]
    raise ValueError(
        _("Unknown movement type “%(value)s”. Use %(codes)s, or leave it empty.")
        % {"value": text, "codes": ", ".join(ARRMovement.values)}
    )


def _movement_names() -> dict[str, str]:
    names = {}
    for language in ("en", "ja"):
        with translation.override(language):
            for code, label in ARRMovement.choices:
                names[str(label).casefold()] = code
    return names


# --- Classifying movements -------------------------------------------------------


def fitting_movements(
    previous: Decimal | None, arr: Decimal, *, had_arr: bool
) -> tuple[str, ...]:
    """The movement types that fit a change from `previous` to `arr`, the inferred
    one first; empty when the ARR did not move. `had_arr`: the account had ARR
    above 0 in an earlier month."""
    if not previous:
        if arr == 0:
            return ()
        if had_arr:
            return (ARRMovement.REACTIVATION, ARRMovement.NEW)
        return FROM_NOTHING
    if arr == 0:
        return (ARRMovement.CHURN,)
    if arr < previous:
        return (ARRMovement.DOWNSELL,)
    if arr > previous:
        return INCREASE
    return ()


def misfit_reason(fitting: Sequence[str]) -> str:
    """Why a stated movement type does not fit a change whose fitting types are
    `fitting`."""
    if not fitting:
        return _("The ARR did not move this month: there is no movement to type.")
    if set(fitting) == set(FROM_NOTHING):
        return _("ARR from nothing is new business or a reactivation.")
    if set(fitting) == set(INCREASE):
        return _("An increase is an expansion, an upsell or a cross-sell.")
    if fitting == (ARRMovement.DOWNSELL,):
        return _("A decrease that leaves some ARR is a downsell.")
    return _("ARR down to zero is churn.")


@dataclass(frozen=True)
class Classified:
    """One month of an account's series: the ARR carried into it, the movement
    that applies, and the types that would fit."""

    previous_arr: Decimal | None
    movement: str
    fitting: tuple[str, ...]


def classify(
    series: Iterable[tuple[Decimal, str]],
    *,
    previous: Decimal | None = None,
    had_arr: bool = False,
) -> list[Classified]:
    """An account's snapshots in month order, as (ARR, stated movement), classified
    by the rules of this module. A series that starts after the account's first
    snapshot gives the ARR carried into its first month (`previous`) and whether the
    account had ARR above 0 before it (`had_arr`)."""
    classified = []
    for arr, stated in series:
        fitting = fitting_movements(previous, arr, had_arr=had_arr)
        movement = stated if stated in fitting else (fitting[0] if fitting else "")
        classified.append(Classified(previous, movement, fitting))
        previous, had_arr = arr, had_arr or arr > 0
    return classified


# --- Writes -------------------------------------------------------------------------


@dataclass(frozen=True)
class ARREntry:
    """One month of one account to record; `movement` is the stated type ("":
    keep what was stated before, or infer)."""

    account: CustomerAccount
    month: date
    arr: Decimal
    movement: str = ""


class _Month:
    """One month of an account's series as a write holds it: what classifying the
    series again needs, and for a month the write records, who recorded it and
    when. Not a model instance: an import reads months of a hundred thousand accounts
    (Django built one each in most of its time)."""

    __slots__ = (
        "pk",
        "account_id",
        "month",
        "arr",
        "previous_arr",
        "movement",
        "stated_movement",
        "source",
        "recorded_by_id",
        "recorded_at",
        "updated_at",
        "recorded",
    )

    def __init__(self, pk, account_id, month, arr, previous_arr, movement, stated):
        self.pk, self.account_id, self.month = pk, account_id, month
        self.arr, self.previous_arr, self.movement = arr, previous_arr, movement
        self.stated_movement = stated
        self.source = self.recorded_by_id = self.recorded_at = self.updated_at = None
        # Whether this write records the month (its source, recorder and time).
        self.recorded = False

    def record(self, arr: Decimal, *, source: str, by: User | None, now) -> None:
        self.arr, self.source, self.recorded_at = arr, source, now
        self.recorded_by_id = by.pk if by else None
        self.recorded = True

    def written_fields(self) -> list[str]:
        """The fields of `_WRITTEN` this write knows the value of."""
        return [name for name in _WRITTEN if self.recorded or name not in _RECORDING]


@dataclass
class ARRWrite:
    """What became of each entry, in their order: ("created" | "updated" |
    "skipped", the month as written, its `pk` the snapshot's). With `problems`
    (entry index → why its stated type does not fit), nothing was written."""

    outcomes: list[tuple[str, _Month]] = field(default_factory=list)
    problems: dict[int, str] = field(default_factory=dict)


# The fields a write may change (the rest are set when the snapshot is created).
_WRITTEN = [
    "arr",
    "previous_arr",
    "movement",
    "stated_movement",
    "source",
    "recorded_by",
    "recorded_at",
    "updated_at",
]
# Those a write sets only on the months it records.
_RECORDING = ("source", "recorded_by", "recorded_at")


def arr_snapshot_problems(
    *, month: date | None, arr: Decimal | None, now: datetime | None = None
) -> dict[str, str]:
    """What is wrong with recording `arr` for `month`, by field ("month", "arr");
    empty when it may be recorded."""
    problems = {}
    if problem := month_problem(month, now=now):
        problems["month"] = problem
    if problem := arr_problem(arr):
        problems["arr"] = problem
    return problems


def arr_snapshot_record(
    *,
    account: CustomerAccount,
    month: date,
    arr: Decimal,
    by: User | None,
    source: str,
    movement: str = "",
    corrects: bool = True,
    now: datetime | None = None,
) -> ARRSnapshot:
    """Record the account's ARR of `month`, or correct the month when it has one
    (see the rules above; unless `corrects` is False: then a month recorded already
    is refused). `movement` states the movement type. The caller checked that `by`
    may (`permissions.can_record_arr`)."""
    problems = arr_snapshot_problems(month=month, arr=arr, now=now)
    if movement and movement not in ARRMovement.values:
        problems["movement"] = _("Unknown movement type.")
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        _lock_accounts([account.pk])
        if not corrects and (
            recorded := ARRSnapshot.objects.filter(account=account, month=month)
            .values_list("pk", flat=True)
            .first()
        ):
            raise ValidationError(
                {
                    "month": _(
                        "This account's ARR of this month is already recorded "
                        "(snapshot %(id)s): correct that one."
                    )
                    % {"id": recorded}
                },
                code="duplicate",
            )
        written = arr_snapshots_record(
            entries=[ARREntry(account, month, arr, movement)],
            by=by,
            source=source,
            now=now,
        )
    if written.problems:
        raise ValidationError({"movement": written.problems[0]})
    # The month as stored, whole (a bulk write knows only part of a month it did
    # not record).
    return ARRSnapshot.objects.select_related("recorded_by").get(
        pk=written.outcomes[0][1].pk
    )


def arr_snapshot_correct(
    *,
    snapshot: ARRSnapshot,
    by: User | None,
    source: str,
    arr: Decimal | None = None,
    movement: str | None = None,
    now: datetime | None = None,
) -> ARRSnapshot:
    """Correct a recorded month: its ARR (None: unchanged) and its movement type
    (None: unchanged; "": back to the inferred type), all or nothing."""
    with transaction.atomic():
        if arr is not None:
            snapshot = arr_snapshot_record(
                account=snapshot.account,
                month=snapshot.month,
                arr=arr,
                movement=movement or "",
                by=by,
                source=source,
                now=now,
            )
        if movement is not None and (arr is None or not movement):
            snapshot = arr_movement_correct(snapshot=snapshot, movement=movement, by=by)
    return snapshot


def arr_snapshots_record(
    *,
    entries: Sequence[ARREntry],
    by: User | None,
    source: str,
    now: datetime | None = None,
) -> ARRWrite:
    """Record many months at once (the import, the demo), all or nothing, in a
    fixed number of queries whatever the number of entries. Each entry is valid on
    its own (`arr_snapshot_problems`) and names its (account, month) once; a stated
    type that does not fit its change is reported in `problems`, and then nothing
    is written."""
    now = now or timezone.now()
    by_account: dict[int, list[int]] = defaultdict(list)
    for index, entry in enumerate(entries):
        by_account[entry.account.pk].append(index)
    written = ARRWrite(outcomes=[None] * len(entries))
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        staging.staging_table(cursor, _ENTRIES, _ENTRY_COLUMNS),
    ):
        staging.load(
            cursor,
            _ENTRIES,
            _ENTRY_COLUMNS,
            map(
                staging.prepared(connection, list(_ENTRY_COLUMNS.values())),
                (
                    (account_id, min(entries[i].month for i in indexes))
                    for account_id, indexes in by_account.items()
                ),
            ),
        )
        in_write = RawSQL(f"SELECT account_id FROM {_quote(_ENTRIES)}", [])
        _lock_accounts(in_write)
        months, carried = _months_from_entries(cursor)
        created, changed = [], {}
        for account_id, indexes in by_account.items():
            account_months = months[account_id]
            for index in indexes:
                outcome, snapshot = written.outcomes[index] = _apply_entry(
                    entries[index], account_months, by=by, source=source, now=now
                )
                if outcome == "created":
                    created.append(snapshot)
                elif outcome == "updated":
                    changed[snapshot.pk] = snapshot
            # The months from the first one written on; the month before it (if
            # any) and those before are not changed by the write.
            before, had_arr_before = carried.get(account_id, (None, False))
            previous, had_arr = None, False
            if before is not None:
                previous = account_months[before].arr
                had_arr = had_arr_before or previous > 0
            series = [
                account_months[month]
                for month in sorted(account_months)
                if before is None or month > before
            ]
            results = classify(
                ((s.arr, s.stated_movement) for s in series),
                previous=previous,
                had_arr=had_arr,
            )
            fitting = {}
            for snapshot, result in zip(series, results, strict=True):
                fitting[snapshot.month] = result.fitting
                if (snapshot.previous_arr, snapshot.movement) != (
                    result.previous_arr,
                    result.movement,
                ):
                    snapshot.previous_arr = result.previous_arr
                    snapshot.movement = result.movement
                    if snapshot.pk is not None:
                        changed[snapshot.pk] = snapshot
            for index in indexes:
                entry = entries[index]
                snapshot = written.outcomes[index][1]
                if entry.movement and snapshot.movement != entry.movement:
                    written.problems[index] = misfit_reason(fitting[entry.month])
        if written.problems:
            return written
        for snapshot in changed.values():
            snapshot.updated_at = now
        for snapshot in created:
            # As auto_now would on save: the moment of the write.
            snapshot.updated_at = timezone.now()
        _insert(cursor, created)
        _update(cursor, changed.values())
        _record_history(
            cursor, {"+": [s.pk for s in created], "~": list(changed)}, by=by, now=now
        )
        _follow_latest_arr(in_write)
    return written


# The accounts a write records months of, each with the first month it records: a
# staging table that the write's reads join.
_ENTRIES = "journeys_arr_write_accounts"
_ENTRY_COLUMNS = {
    "account_id": ARRSnapshot._meta.get_field("account"),
    "first_month": ARRSnapshot._meta.get_field("month"),
}
# The ids of snapshots whose history a write records.
_HISTORY_IDS = "journeys_arr_write_ids"


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


# Every field of a snapshot but its id (as a new one is inserted) → its attribute.
_ATTNAMES = {
    field.name: field.attname
    for field in ARRSnapshot._meta.concrete_fields
    if not field.primary_key
}
_INSERTED = list(_ATTNAMES)


def _insert(cursor, snapshots: list[_Month]) -> None:
    """Insert the new snapshots (COPY on PostgreSQL: the ORM's bulk_create spent
    seconds preparing a hundred thousand) and give each its id. The accounts are
    locked (`_lock_accounts`), so the snapshots of theirs with ids past the last
    one before the insert are these (ids are handed out in order)."""
    if not snapshots:
        return
    table = _quote(ARRSnapshot._meta.db_table)
    cursor.execute(f"SELECT MAX(id) FROM {table}")
    (before,) = cursor.fetchone()
    staging.insert_rows(
        cursor,
        ARRSnapshot,
        _INSERTED,
        (tuple(getattr(s, _ATTNAMES[name]) for name in _INSERTED) for s in snapshots),
    )
    cursor.execute(
        f"SELECT id, account_id, month FROM {table} WHERE id > %s", [before or 0]
    )
    ids = {(account_id, _as_date(month)): pk for pk, account_id, month in cursor}
    for snapshot in snapshots:
        snapshot.pk = ids.get((snapshot.account_id, snapshot.month))
        if snapshot.pk is None:
            # Ids handed out out of order (a sequence set back, rows given ids).
            raise IntegrityError("an inserted ARR snapshot was not found by its id")


def _as_date(value) -> date:
    """A date column as a raw query returns it (SQLite: text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _update(cursor, months: Iterable[_Month]) -> None:
    """Write what the write changed of each recorded month: the fields it may
    change (`_WRITTEN`) that it knows (a month only classified again keeps who
    recorded it and when, which were not read), all at once per set of fields
    (`staging.update_rows`; bulk_update's CASE over a thousand rows per field takes
    the database seconds)."""
    groups: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    for month in months:
        names = tuple(month.written_fields())
        groups[names].append(
            (month.pk, *(getattr(month, _ATTNAMES[name]) for name in names))
        )
    for names, rows in groups.items():
        staging.update_rows(cursor, ARRSnapshot, list(names), rows)


def _record_history(cursor, ids: dict[str, list[int]], *, by: User | None, now) -> None:
    """The history rows (django-simple-history's) of the snapshots `ids` by kind
    ("+" created, "~" changed) as they are now, copied by the database, one
    statement per kind (the ids in a staging table): simple_history's bulk helpers
    make a model instance of each row, most of a large import's time."""
    if not any(ids.values()):
        return
    columns = {"id": ARRSnapshot._meta.pk, "kind": "TextField"}
    with staging.staging_table(cursor, _HISTORY_IDS, columns):
        staging.load(
            cursor,
            _HISTORY_IDS,
            columns,
            ((pk, kind) for kind, kind_ids in ids.items() for pk in kind_ids),
        )
        for kind, kind_ids in ids.items():
            if kind_ids:
                _copy_to_history(
                    cursor,
                    f"id IN (SELECT id FROM {_quote(_HISTORY_IDS)} WHERE kind = %s)",
                    [kind],
                    kind,
                    by=by,
                    now=now,
                )


def _copy_to_history(cursor, where: str, params, kind: str, *, by, now) -> None:
    """Copy the snapshots `where` (SQL on the snapshots' table) into their history
    as they are now, by the database."""
    history = ARRSnapshot.history.model
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in history.tracked_fields)
    when = history._meta.get_field("history_date").get_db_prep_save(now, connection)
    cursor.execute(
        f"""INSERT INTO {quote(history._meta.db_table)} ({columns},
            history_date, history_change_reason, history_type, history_user_id)
        SELECT {columns}, %s, NULL, %s, %s
        FROM {quote(ARRSnapshot._meta.db_table)}
        WHERE {where}
        ORDER BY id""",
        [when, kind, by.pk if by else None, *params],
    )


def first_movement(arr: Decimal) -> str:
    """The movement into an account's first snapshot (nothing before it)."""
    return classify([(arr, "")])[0].movement


def first_snapshots_insert(
    cursor, *, rows: str, params, month: date, by: User | None, source: str, now
) -> int:
    """Record `month`'s ARR of many accounts that have no snapshot yet (accounts
    an import creates), in one statement, with their history. `rows` is a query of
    (account_id, arr, movement), one row per account, the movement
    `first_movement(arr)`; the accounts' own ARR is the caller's to set (theirs is
    this one, their latest snapshot). Returns how many were recorded."""
    quote = connection.ops.quote_name
    columns, values, given_params = staging.insert_columns(
        connection,
        ARRSnapshot,
        from_query={"account": "account_id", "arr": "arr", "movement": "movement"},
        given={
            "month": month,
            "previous_arr": None,
            "stated_movement": "",
            "source": source,
            "recorded_by": by.pk if by else None,
            "recorded_at": now,
            "updated_at": now,
        },
    )
    cursor.execute(
        f"""INSERT INTO {quote(ARRSnapshot._meta.db_table)} ({columns})
        SELECT {values} FROM ({rows}) AS first_months ORDER BY account_id""",
        [*given_params, *params],
    )
    written = cursor.rowcount
    _copy_to_history(
        cursor,
        f"month = %s AND account_id IN (SELECT account_id FROM ({rows}) AS firsts)",
        [ARRSnapshot._meta.get_field("month").get_db_prep_save(month, connection)]
        + list(params),
        "+",
        by=by,
        now=now,
    )
    return written


def _lock_accounts(account_ids: Iterable[int] | RawSQL) -> None:
    """Lock the accounts for a write, in id order (two writers never wait on each
    other crosswise)."""
    list(
        CustomerAccount.objects.select_for_update()
        .filter(pk__in=account_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _follow_latest_arr(account_ids: RawSQL) -> None:
    """The accounts' ARR is that of their latest snapshot (written where it is
    not)."""
    latest = Subquery(
        ARRSnapshot.objects.filter(account=OuterRef("pk"))
        .order_by("-month")
        .values("arr")[:1]
    )
    CustomerAccount.objects.filter(pk__in=account_ids).alias(latest=latest).exclude(
        arr=F("latest")
    ).update(arr=latest)


def _months_from_entries(cursor) -> tuple[dict[int, dict], dict[int, tuple]]:
    """The recorded months a write needs of the accounts in `_ENTRIES`, each from
    the last month before the first one it records: by account, its months (plain
    rows), and that month before (none: all its months are read) with whether the
    account had ARR above 0 before that. The months before it are not read: a write
    changes nothing there (an account may have years of them)."""
    snapshots = _quote(ARRSnapshot._meta.db_table)
    cursor.execute(
        f"""SELECT s.id, s.account_id, s.month, s.arr, s.previous_arr, s.movement,
            s.stated_movement, starts.month_before,
            CASE WHEN s.month <> starts.month_before THEN 0 WHEN EXISTS (
                SELECT 1 FROM {snapshots} AS earlier
                WHERE earlier.account_id = starts.account_id
                    AND earlier.month < starts.month_before AND earlier.arr > 0
            ) THEN 1 ELSE 0 END
        FROM (
            SELECT entries.account_id, entries.first_month, (
                SELECT MAX(before.month) FROM {snapshots} AS before
                WHERE before.account_id = entries.account_id
                    AND before.month < entries.first_month
            ) AS month_before
            FROM {_quote(_ENTRIES)} AS entries
        ) AS starts
        JOIN {snapshots} AS s ON s.account_id = starts.account_id
            AND s.month >= COALESCE(starts.month_before, starts.first_month)"""
    )
    months: dict[int, dict] = defaultdict(dict)
    carried: dict[int, tuple] = {}
    for row in cursor:
        pk, account_id, month, arr, previous_arr, movement, stated, before, had = row
        month = _as_date(month)
        months[account_id][month] = _Month(
            pk,
            account_id,
            month,
            _as_decimal(arr),
            _as_decimal(previous_arr),
            movement,
            stated,
        )
        if before is not None and month == _as_date(before):
            # The month before's row says whether ARR came before it (looked up
            # for that row only).
            carried[account_id] = (month, bool(had))
    return months, carried


def _as_decimal(value) -> Decimal | None:
    """An amount as a raw query returns it (SQLite: an integer)."""
    return value if value is None or isinstance(value, Decimal) else Decimal(value)


def _apply_entry(
    entry: ARREntry, account_months: dict, *, by, source, now
) -> tuple[str, _Month]:
    month = account_months.get(entry.month)
    if month is None:
        month = account_months[entry.month] = _Month(
            None, entry.account.pk, entry.month, None, None, "", entry.movement
        )
        month.record(entry.arr, source=source, by=by, now=now)
        return "created", month
    outcome = "skipped"
    if month.arr != entry.arr:
        month.record(entry.arr, source=source, by=by, now=now)
        outcome = "updated"
    if entry.movement and entry.movement != month.stated_movement:
        month.stated_movement = entry.movement
        outcome = "updated"
    return outcome, month


def arr_movement_correct(
    *, snapshot: ARRSnapshot, movement: str, by: User | None
) -> ARRSnapshot:
    """State the type of the movement into the snapshot's month ("": back to the
    inferred type). The type must fit the change (see the rules above). The caller
    checked that `by` may (`permissions.can_record_arr`)."""
    if movement and movement not in ARRMovement.values:
        raise ValidationError({"movement": _("Unknown movement type.")})
    with transaction.atomic():
        _lock_accounts([snapshot.account_id])
        series = list(
            ARRSnapshot.objects.filter(account_id=snapshot.account_id).order_by("month")
        )
        position = next(i for i, s in enumerate(series) if s.pk == snapshot.pk)
        current = series[position]
        before = (current.stated_movement, current.movement)
        current.stated_movement = movement
        result = classify((s.arr, s.stated_movement) for s in series)[position]
        if movement and result.movement != movement:
            raise ValidationError({"movement": misfit_reason(result.fitting)})
        current.movement = result.movement
        if (current.stated_movement, current.movement) != before:
            current._history_user = by
            current.save(update_fields=["movement", "stated_movement", "updated_at"])
    return current


# --- Reads --------------------------------------------------------------------------


@dataclass(frozen=True)
class ARRMonth:
    """One month of an account's ARR history. `snapshot` is None for a month
    without one (its ARR carried forward)."""

    month: date
    arr: Decimal
    snapshot: ARRSnapshot | None = None
    previous_arr: Decimal | None = None
    movement: str = ""
    fitting: tuple[str, ...] = ()

    @property
    def iso_month(self) -> str:
        """2026-04: the month for machines (the API, the page's data attributes)."""
        return f"{self.month:%Y-%m}"

    @property
    def change(self) -> Decimal:
        if self.snapshot is None:
            return Decimal(0)
        return self.arr - (self.previous_arr or 0)

    @property
    def movement_label(self) -> str:
        return ARRMovement(self.movement).label if self.movement else ""

    @property
    def is_stated(self) -> bool:
        stated = self.snapshot.stated_movement if self.snapshot else ""
        return bool(stated) and stated == self.movement

    @property
    def stated_misfit(self) -> str:
        """The type stated for the month when it no longer fits its change."""
        stated = self.snapshot.stated_movement if self.snapshot else ""
        return ARRMovement(stated).label if stated and stated != self.movement else ""

    @property
    def inferred(self) -> str:
        """The type inference gives the month (what "inferred" goes back to)."""
        return self.fitting[0] if self.fitting else ""

    @property
    def inferred_label(self) -> str:
        return ARRMovement(self.inferred).label if self.inferred else ""

    @property
    def fitting_choices(self) -> list[tuple[str, str]]:
        return [(code, ARRMovement(code).label) for code in self.fitting]

    @property
    def can_be_typed(self) -> bool:
        """Whether a person may choose among several types for the month."""
        return len(self.fitting) > 1


def account_arr_history(
    account: CustomerAccount, *, now: datetime | None = None
) -> list[ARRMonth]:
    """The account's ARR month by month, newest first: from its first snapshot to
    the current month (or its latest snapshot, if later), months without a snapshot
    carrying the ARR forward. One query."""
    snapshots = list(
        ARRSnapshot.objects.filter(account=account)
        .select_related("recorded_by")
        .order_by("month")
    )
    if not snapshots:
        return []
    classified = classify((s.arr, s.stated_movement) for s in snapshots)
    by_month = {
        snapshot.month: (snapshot, result)
        for snapshot, result in zip(snapshots, classified, strict=True)
    }
    last = max(snapshots[-1].month, current_month(now))
    months, month, arr = [], snapshots[0].month, Decimal(0)
    while month <= last:
        if month in by_month:
            snapshot, result = by_month[month]
            arr = snapshot.arr
            months.append(
                ARRMonth(
                    month=month,
                    arr=arr,
                    snapshot=snapshot,
                    previous_arr=snapshot.previous_arr,
                    movement=snapshot.movement,
                    fitting=result.fitting,
                )
            )
        else:
            months.append(ARRMonth(month=month, arr=arr))
        month = add_months(month, 1)
    months.reverse()
    return months


def arr_history(
    *, viewer: User, account_id: int, now: datetime | None = None
) -> list[ARRMonth]:
    """An account's ARR history as the viewer may read it:
    `CustomerAccount.DoesNotExist` when the viewer does not see the account."""
    account = permissions.visible_accounts(viewer).get(pk=account_id)
    return account_arr_history(account, now=now)
