"""CSV imports of customer accounts, of step events and of ARR by month.

A file is imported whole or not at all: every row is checked first and every problem
is reported with its line, column and reason; only a file without problems is
written, in one transaction, with bulk inserts and updates. Importing the same file
again creates nothing new: accounts are matched by external id, events by account,
step and time (voided events included, so that a correction stays). Step events and
new accounts go through a staging table (journeys.staging) and set-based
statements, so that a file of a hundred thousand lines takes seconds.

Files come from CRMs and from Excel, so UTF-8 (with or without a byte order mark) and
Shift_JIS (cp932, what Japanese Excel writes) are both read.
"""

import codecs
import csv
import io
import re
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from decimal import Decimal
from functools import cache, partial
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import Role, User
from accounts.permissions import is_admin
from config.fields import validate_utc_offset

from . import revenue, selectors, services, staging
from .models import (
    ARRSnapshot,
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    Pool,
    Step,
    StepEvent,
)
from .progress import advance_progress
from .signals import segments_changed

# Rows per UPDATE, and values per IN (...) lookup: far below the parameter limits
# of SQLite (32,766) and PostgreSQL (65,535), and few enough queries for 100,000 rows.
WRITE_BATCH = 1000
LOOKUP_BATCH = 2000

ACCOUNT_COLUMNS = ("external_id", "name", "segment", "arr", "journey", "coverage")
ACCOUNT_REQUIRED = ("external_id", "name", "journey", "coverage")
ACCOUNT_OPTIONAL = ("owner", "pool")
EVENT_COLUMNS = ("external_id", "step", "reached_at", "note")
EVENT_REQUIRED = ("external_id", "step", "reached_at")

_SLASHED_DATE = re.compile(
    r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


class ImportFileError(ValueError):
    """The file cannot be read at all (encoding, no header)."""


@dataclass(frozen=True)
class RowProblem:
    """What is wrong with one cell of the file; `line` is None for the whole file."""

    line: int | None
    column: str
    reason: str

    def __str__(self):
        if self.line is None:
            return self.reason
        return _("Line %(line)s, column %(column)s: %(reason)s") % {
            "line": self.line,
            "column": self.column or "-",
            "reason": self.reason,
        }


@dataclass(frozen=True)
class ImportedRow:
    """What became of one line of an imported file: `outcome` is "created",
    "updated" or "skipped" (already there); `account_id` names the account the
    line is about, to link to it."""

    line: int
    outcome: str
    external_id: str
    account_id: int | None
    detail: str = ""


@dataclass
class ImportReport:
    """The outcome of one import. With problems, nothing was written."""

    created: int = 0
    updated: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    # Values that were read but deliberately not applied (the rows were imported).
    notes: list[RowProblem] = field(default_factory=list)
    # Every imported line, in the file's order (empty when nothing was imported).
    rows: Sequence[ImportedRow] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.problems)

    def add(self, line: int | None, column: str, reason: str) -> None:
        self.problems.append(RowProblem(line, column, reason))

    def summary(self) -> str:
        if self.rejected:
            count = len(self.problems)
            return ngettext(
                "Nothing was imported: %(count)s problem in the file.",
                "Nothing was imported: %(count)s problems in the file.",
                count,
            ) % {"count": count}
        return _(
            "%(created)s created, %(updated)s updated, %(skipped)s already there."
        ) % {"created": self.created, "updated": self.updated, "skipped": self.skipped}

    def lines(self) -> list[str]:
        """The report as text: the summary, then every problem and note."""
        return [self.summary(), *map(str, self.problems), *map(str, self.notes)]


# --- Reading the file -------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8 with a BOM, else strict UTF-8, else cp932."""
    return data.decode(csv_encoding(data))


def csv_encoding(data: bytes) -> str:
    """The file's encoding: UTF-8 with a BOM, else strict UTF-8, else cp932. Checked
    a piece at a time, so that a large file is never held twice. A file in UTF-8
    with a byte that is not is refused on that line when the lines before it are
    Japanese in UTF-8 (`_refuse_broken_utf8`): read as cp932, every Japanese name
    in it would turn into other characters without a word."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    else:
        encodings = ["utf-8", "cp932"]
    # NUL never appears in a CSV in either encoding (UTF-16 is full of them).
    if b"\x00" not in data:
        view = memoryview(data)
        for encoding in encodings:
            decoder = codecs.getincrementaldecoder(encoding)()
            try:
                for start in range(0, len(view), 1 << 16):
                    decoder.decode(view[start : start + (1 << 16)])
                decoder.decode(b"", final=True)
            except UnicodeDecodeError as error:
                if encoding.startswith("utf-8"):
                    _refuse_broken_utf8(data, start, error)
                continue
            return encoding
    raise ImportFileError(
        _(
            "The file could not be read: save it as CSV in UTF-8 or in Shift_JIS "
            "(Excel: “CSV UTF-8” or “CSV”)."
        )
    )


def _refuse_broken_utf8(data: bytes, start: int, error: UnicodeDecodeError) -> None:
    """Refuse a file read as UTF-8 up to a byte that is not UTF-8 (`error`, in the
    piece from `start`), naming the line of that byte, when it says it is UTF-8
    (a BOM) or the lines before that one hold Japanese in UTF-8 (kana, kanji,
    full-width forms). A file in Shift_JIS may hold a few bytes that happen to
    be UTF-8 (half-width kana, some kanji) on the line where it first fails, but
    hardly whole lines of Japanese: it is read as cp932, as before."""
    # The decoder's positions count from the bytes it held back between pieces.
    held = len(error.object) - len(data[start : start + (1 << 16)])
    at = start - held + error.start
    line_start = data.rfind(b"\n", 0, at) + 1
    bom = data.startswith(b"\xef\xbb\xbf")
    earlier = data[:line_start].decode("utf-8-sig" if bom else "utf-8")
    if not bom and not any(character >= "\u3000" for character in earlier):
        return
    raise ImportFileError(
        _(
            "Line %(line)s is not valid UTF-8, though the lines before it are: "
            "save the file again as “CSV UTF-8” (a character pasted from "
            "elsewhere may be the cause)."
        )
        % {"line": data.count(b"\n", 0, at) + 1}
    )


def _read_bytes(file: bytes | IO[bytes]) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read()


@dataclass(frozen=True)
class _Row:
    line: int
    values: dict[str, str]


def _rows(
    file: bytes | IO[bytes],
    report: ImportReport,
    *,
    required: Iterable[str],
    known: Iterable[str],
) -> list[_Row] | None:
    """The file's data rows (blank ones left out), or None after reporting why the
    file cannot be read."""
    opened = _open_csv(file, report, required=required, known=known)
    if opened is None:
        return None
    reader, columns = opened
    return list(_data_rows(reader, columns, report))


def _open_csv(
    file: bytes | IO[bytes],
    report: ImportReport,
    *,
    required: Iterable[str],
    known: Iterable[str],
) -> tuple[Iterator[list[str]], list[str]] | None:
    """A CSV reader past the header row, and the header's column names; or None after
    reporting why the file cannot be read."""
    try:
        data = _read_bytes(file)
        encoding = csv_encoding(data)
    except ImportFileError as error:
        report.add(None, "", str(error))
        return None
    # Decoded as it is read: the text of a large file is never held whole.
    reader = csv.reader(
        io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
    )
    try:
        header = next(reader, None)
    except csv.Error as error:
        report.add(1, "", _("The header row is not valid CSV: %s") % error)
        return None
    columns = [name.strip().lower() for name in header or []]
    if not any(columns):
        report.add(None, "", _("The file is empty: a header row is required."))
        return None
    for name in required:
        if name not in columns:
            report.add(1, name, _("This column is missing from the header row."))
    # Counted once (not one count per column: a header of 100,000 columns took
    # minutes).
    duplicated = {name for name, n in Counter(columns).items() if name and n > 1}
    for name in sorted(duplicated):
        report.add(1, name, _("This column appears more than once."))
    if report.rejected:
        return None
    known = set(known)
    for name in columns:
        if name and name not in known:
            report.notes.append(
                RowProblem(1, name, _("Unknown column, its values were ignored."))
            )
    return reader, columns


def _data_rows(reader, columns: list[str], report: ImportReport) -> Iterator[_Row]:
    line = reader.line_num + 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if len(cells) > len(columns) and any(
                    cell.strip() for cell in cells[len(columns) :]
                ):
                    report.add(
                        line, "", _("This row has more values than the header row.")
                    )
                values = {
                    name: cell.strip()
                    for name, cell in zip(columns, cells, strict=False)
                    if name
                }
                yield _Row(line, values)
            line = reader.line_num + 1
    except csv.Error as error:
        report.add(line, "", _("This row is not valid CSV: %s") % error)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _check_may_import(by: User) -> None:
    if not is_admin(by):
        raise PermissionDenied(_("Only admins may import."))


# --- Parsing values ----------------------------------------------------------------


def parse_reached_at(value: str, *, zone: tzinfo | None = None) -> datetime:
    """An ISO 8601 date-time (or 2025/04/01 10:00 as Japanese Excel writes it).

    A time without offset is in `zone` (default: the current time zone, TIME_ZONE);
    a plain date is 00:00 there. Raises ValueError.
    """
    slashed = _SLASHED_DATE.match(value) if "/" in value else None
    if slashed:
        parts = [int(part) if part else 0 for part in slashed.groups()]
        moment = datetime(*parts)
    elif len(value) == 10:
        moment = datetime.combine(date.fromisoformat(value), time())
    else:
        moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or timezone.get_current_timezone())
    return moment


# --- Accounts ----------------------------------------------------------------------


@dataclass
class _AccountRow:
    line: int
    external_id: str
    name: str
    segment: str
    arr: Decimal | None
    journey: Journey | None
    coverage: str
    owner: User | None
    pool: Pool | None
    # Filled in once the row is known to be valid:
    account: CustomerAccount | None = None  # the existing account
    coverage_changes: bool = False
    owner_not_ready: bool = False


def import_accounts(
    *, file: bytes | IO[bytes], by: User, confirm_not_ready: bool = False
) -> ImportReport:
    """Create the accounts that are new, with their coverage; update the name,
    segment and ARR of those that exist, and change their coverage (owner or pool)
    through the coverage services, which keep its history.

    An owner must be a member; one who is not ready for accounts is refused unless
    `confirm_not_ready`, and the confirmation is recorded on the coverage period.
    The journey of an existing account is not changed (see the report's notes).
    """
    _check_may_import(by)
    report = ImportReport()
    rows = _rows(
        file,
        report,
        required=ACCOUNT_REQUIRED,
        known=ACCOUNT_COLUMNS + ACCOUNT_OPTIONAL,
    )
    if rows is None:
        return report
    try:
        with transaction.atomic():
            parsed = _check_accounts(rows, report)
            _match_existing(parsed, report)
            _check_owners(parsed, report, confirm_not_ready=confirm_not_ready)
            if report.rejected:
                report.problems.sort(key=lambda problem: problem.line or 0)
                return report
            _write_accounts(parsed, report, by=by)
    except ValidationError as error:
        # A coverage service refused a change the checks above let through.
        report.created = report.updated = report.skipped = 0
        report.rows = []
        report.add(
            getattr(error, "import_line", None), "coverage", " ".join(error.messages)
        )
    except IntegrityError:
        report.created = report.updated = report.skipped = 0
        report.add(
            None,
            "",
            _(
                "Accounts were changed at the same time: nothing was imported, "
                "try again."
            ),
        )
    return report


def _by_key(queryset, key: str, values: set[str]) -> dict:
    found = {}
    for chunk in _chunks(sorted(values), LOOKUP_BATCH):
        for obj in queryset.filter(**{f"{key}__in": chunk}):
            found[getattr(obj, key)] = obj
    return found


def _check_accounts(rows: list[_Row], report: ImportReport) -> list[_AccountRow]:
    """Each row's values, parsed; problems of single rows are reported."""

    def column(row, name):
        return row.values.get(name, "")

    journeys = _by_key(
        Journey.objects.all(), "name", {column(r, "journey") for r in rows}
    )
    pools = _by_key(Pool.objects.all(), "name", {column(r, "pool") for r in rows})
    # Usernames are matched without regard to case, as at login.
    owners = _by_key(
        User.objects.annotate(username_lower=Lower("username")),
        "username_lower",
        {column(r, "owner").lower() for r in rows},
    )
    first_line: dict[str, int] = {}
    parsed = []
    for row in rows:
        problems_before = len(report.problems)
        external_id = column(row, "external_id")
        if not external_id:
            report.add(row.line, "external_id", _("An external id is required."))
        elif len(external_id) > 100:
            report.add(row.line, "external_id", _("At most 100 characters."))
        elif external_id in first_line:
            report.add(
                row.line,
                "external_id",
                _("This account is already on line %(line)s.")
                % {"line": first_line[external_id]},
            )
        else:
            first_line[external_id] = row.line
        name = column(row, "name")
        if not name:
            report.add(row.line, "name", _("A name is required."))
        elif len(name) > 200:
            report.add(row.line, "name", _("At most 200 characters."))
        segment = column(row, "segment")
        if len(segment) > 100:
            report.add(row.line, "segment", _("At most 100 characters."))
        arr = None
        if column(row, "arr"):
            try:
                arr = revenue.parse_arr(column(row, "arr"))
            except ValueError as error:
                report.add(row.line, "arr", str(error))
        journey = journeys.get(column(row, "journey"))
        if journey is None:
            report.add(
                row.line,
                "journey",
                _("No journey is called “%(name)s”.") % {"name": column(row, "journey")}
                if column(row, "journey")
                else _("A journey is required."),
            )
        coverage = column(row, "coverage").lower()
        owner = pool = None
        if coverage == CoverageModel.DEDICATED:
            owner = owners.get(column(row, "owner").lower())
            if not column(row, "owner"):
                report.add(row.line, "owner", _("A dedicated account needs an owner."))
            elif owner is None or not owner.is_active:
                report.add(
                    row.line,
                    "owner",
                    _("No active user has the username “%(name)s”.")
                    % {"name": column(row, "owner")},
                )
            if column(row, "pool"):
                report.add(
                    row.line, "pool", _("A dedicated account belongs to no pool.")
                )
        elif coverage == CoverageModel.POOLED:
            pool = pools.get(column(row, "pool"))
            if not column(row, "pool"):
                report.add(row.line, "pool", _("A pooled account needs a pool."))
            elif pool is None:
                report.add(
                    row.line,
                    "pool",
                    _("No pool is called “%(name)s”.") % {"name": column(row, "pool")},
                )
            if column(row, "owner"):
                report.add(
                    row.line, "owner", _("A pooled account has no dedicated owner.")
                )
        else:
            report.add(
                row.line, "coverage", _("Coverage must be “dedicated” or “pooled”.")
            )
        if len(report.problems) == problems_before:
            parsed.append(
                _AccountRow(
                    row.line,
                    external_id,
                    name,
                    segment,
                    arr,
                    journey,
                    coverage,
                    owner,
                    pool,
                )
            )
    return parsed


# The staging table of the external ids of a file (`_accounts_by_external_id`).
_KEYS = "journeys_import_account_keys"


def _accounts_by_external_id(accounts: QuerySet, external_ids: set[str]) -> dict:
    """The accounts of `accounts` whose external ids are among `external_ids`, by
    external id: the ids go into a staging table and one join finds them (an IN
    list per thousands read the whole table each time: 200 ms a list at 100,000
    accounts)."""
    # A transaction for the staging table's life (within the caller's, no
    # savepoint: a failure here fails the import).
    with (
        transaction.atomic(savepoint=False),
        connection.cursor() as cursor,
        staging.staging_table(cursor, _KEYS, {"external_id": "TextField"}),
    ):
        staging.load(cursor, _KEYS, ["external_id"], ((e,) for e in external_ids))
        in_file = RawSQL(
            f"SELECT external_id FROM {connection.ops.quote_name(_KEYS)}", []
        )
        return {
            account.external_id: account
            for account in accounts.filter(external_id__in=in_file).order_by()
        }


# What an import reads of an existing account (and writes: name, segment).
_READ_OF_EXISTING = ("external_id", "name", "segment", "arr", "journey")


def _match_existing(parsed: list[_AccountRow], report: ImportReport) -> None:
    """Attach each row's existing account (the columns an import reads, its open
    coverage's owner and pool, whether it has an ARR snapshot: one query), and
    whether its coverage changes."""
    open_period = Coverage.objects.filter(account=OuterRef("pk"), ended_at=None)
    existing = _accounts_by_external_id(
        CustomerAccount.objects.only(*_READ_OF_EXISTING).annotate(
            open_owner_id=Subquery(open_period.values("owner_id")[:1]),
            open_pool_id=Subquery(open_period.values("pool_id")[:1]),
            has_arr_snapshot=Exists(ARRSnapshot.objects.filter(account=OuterRef("pk"))),
        ),
        {row.external_id for row in parsed},
    )
    journeys = Journey.objects.in_bulk({a.journey_id for a in existing.values()})
    for row in parsed:
        row.account = existing.get(row.external_id)
        if row.account is None:
            continue
        row.account.journey = journeys[row.account.journey_id]
        wanted = (getattr(row.owner, "pk", None), getattr(row.pool, "pk", None))
        row.coverage_changes = (
            row.account.open_owner_id,
            row.account.open_pool_id,
        ) != wanted
        if row.journey.pk != row.account.journey_id:
            report.notes.append(
                RowProblem(
                    row.line,
                    "journey",
                    _(
                        "The journey of an existing account is not changed by an "
                        "import; it stays “%(journey)s”."
                    )
                    % {"journey": row.account.journey},
                )
            )


def _journey_of(row: _AccountRow) -> Journey:
    """The journey the row's account is on: an existing account keeps its own."""
    return row.account.journey if row.account else row.journey


def _check_owners(
    parsed: list[_AccountRow], report: ImportReport, *, confirm_not_ready: bool
) -> None:
    """The rules of `services.account_assign_owner`, for every owner the import
    assigns: a member, ready for accounts unless confirmed. A fixed number of
    queries, however many rows, owners and journeys."""
    assigned = [
        row
        for row in parsed
        if row.owner is not None and (row.account is None or row.coverage_changes)
    ]
    member_ids = set(
        User.groups.through.objects.filter(
            user_id__in={row.owner.pk for row in assigned},
            group__name=Role.MEMBER.value,
        ).values_list("user_id", flat=True)
    )
    ready = selectors.ready_for_accounts(
        member_ids, {_journey_of(row).pk for row in assigned}
    )
    for row in assigned:
        if row.owner.pk not in member_ids:
            report.add(
                row.line,
                "owner",
                _("Only a member (CSM) can own a customer account."),
            )
            continue
        if (row.owner.pk, _journey_of(row).pk) in ready:
            continue
        if confirm_not_ready:
            row.owner_not_ready = True
        else:
            report.add(
                row.line,
                "owner",
                _(
                    "%(name)s has not finished the practicum and required training "
                    "yet. Import with the confirmation to assign the account anyway."
                )
                % {"name": row.owner.display_name},
            )


def _write_accounts(parsed: list[_AccountRow], report: ImportReport, *, by) -> None:
    new_rows = [row for row in parsed if row.account is None]
    changed = set()
    moved_segment = []
    for row in parsed:
        account = row.account
        if account is None:
            continue
        if account.segment != row.segment:
            moved_segment.append(account.pk)
        values = {"name": row.name, "segment": row.segment}
        if any(getattr(account, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(account, name, value)
            changed.add(row.line)
        if row.arr is not None and account.arr != row.arr:
            changed.add(row.line)
    CustomerAccount.objects.bulk_update(
        [row.account for row in parsed if row.line in changed],
        ["name", "segment"],
        batch_size=WRITE_BATCH,
    )
    if moved_segment:
        segments_changed.send(sender=CustomerAccount, account_ids=moved_segment)
    # Coverage changes are few (accounts move one by one): the coverage services
    # close the open period and keep the history.
    for row in parsed:
        if row.account is None or not row.coverage_changes:
            continue
        try:
            if row.owner is not None:
                services.account_assign_owner(
                    account=row.account,
                    owner=row.owner,
                    by=by,
                    confirm_not_ready=row.owner_not_ready,
                )
            else:
                services.account_move_to_pool(account=row.account, pool=row.pool, by=by)
        except ValidationError as error:
            error.import_line = row.line
            raise
        changed.add(row.line)

    now = timezone.now()
    new_ids = _create_accounts(new_rows, by=by, now=now)
    _record_account_arr(
        [row for row in parsed if row.account is not None], by=by, now=now
    )
    report.created = len(new_rows)
    report.updated = len(changed)
    report.skipped = len(parsed) - len(new_rows) - len(changed)
    report.rows = [
        ImportedRow(
            line=row.line,
            outcome=(
                "created"
                if row.account is None
                else "updated"
                if row.line in changed
                else "skipped"
            ),
            external_id=row.external_id,
            account_id=new_ids[row.line] if row.account is None else row.account.pk,
            detail=row.name,
        )
        for row in parsed
    ]


# The staging table of the new accounts of an import: one row each, as checked.
_NEW_ACCOUNTS = "journeys_import_accounts"
_NEW_ACCOUNT_COLUMNS = {
    "line": "IntegerField",
    "external_id": "TextField",
    "name": "TextField",
    "segment": "TextField",
    "arr": "BigIntegerField",
    "movement": "TextField",
    "journey_id": "BigIntegerField",
    "model": "TextField",
    "owner_id": "BigIntegerField",
    "pool_id": "BigIntegerField",
    "not_ready": "BooleanField",
}


def _create_accounts(rows: list[_AccountRow], *, by, now) -> dict[int, int]:
    """Create the new accounts, each with its coverage from now and its ARR of this
    month (a snapshot and its history, `revenue.first_snapshots_insert`): the rows
    go into a staging table, then one INSERT … SELECT each writes every column as
    the ORM would. Returns each line's new account id."""
    if not rows:
        return {}
    quote = connection.ops.quote_name
    staged = quote(_NEW_ACCOUNTS)
    table = quote(CustomerAccount._meta.db_table)
    joined = (
        f"{staged} AS staged JOIN {table} AS account "
        "ON account.external_id = staged.external_id"
    )
    with (
        connection.cursor() as cursor,
        staging.staging_table(cursor, _NEW_ACCOUNTS, _NEW_ACCOUNT_COLUMNS),
    ):
        staging.load(
            cursor,
            _NEW_ACCOUNTS,
            _NEW_ACCOUNT_COLUMNS,
            (
                (
                    row.line,
                    row.external_id,
                    row.name,
                    row.segment,
                    None if row.arr is None else int(row.arr),
                    "" if row.arr is None else revenue.first_movement(row.arr),
                    row.journey.pk,
                    row.coverage,
                    getattr(row.owner, "pk", None),
                    getattr(row.pool, "pk", None),
                    row.owner_not_ready,
                )
                for row in rows
            ),
        )
        # The account's ARR is its only snapshot's.
        columns, values, params = staging.insert_columns(
            connection,
            CustomerAccount,
            from_query={
                "external_id": "external_id",
                "name": "name",
                "segment": "segment",
                "arr": "arr",
                "journey": "journey_id",
            },
            given={"created_at": now},
        )
        cursor.execute(
            f"INSERT INTO {table} ({columns}) "
            f"SELECT {values} FROM {staged} ORDER BY line",
            params,
        )
        columns, values, params = staging.insert_columns(
            connection,
            Coverage,
            from_query={
                "account": "account.id",
                "model": "staged.model",
                "owner": "staged.owner_id",
                "pool": "staged.pool_id",
                "owner_not_ready_confirmed": "staged.not_ready",
            },
            given={"started_at": now, "assigned_by": by.pk, "updated_at": now},
        )
        cursor.execute(
            f"INSERT INTO {quote(Coverage._meta.db_table)} ({columns}) "
            f"SELECT {values} FROM {joined} ORDER BY staged.line",
            params,
        )
        revenue.first_snapshots_insert(
            cursor,
            rows=(
                "SELECT account.id AS account_id, staged.arr AS arr, "
                f"staged.movement AS movement FROM {joined} "
                "WHERE staged.arr IS NOT NULL"
            ),
            params=[],
            month=revenue.current_month(now),
            by=by,
            source=ARRSnapshot.Source.IMPORT,
            now=now,
        )
        cursor.execute(f"SELECT staged.line, account.id FROM {joined}")
        return dict(cursor.fetchall())


def _record_account_arr(existing: list[_AccountRow], *, by, now) -> None:
    """The file's ARR is the account's ARR of the current month: recorded as that
    month's snapshot (`journeys.revenue`, which keeps `CustomerAccount.arr`) for an
    existing account whose ARR changed or that has no snapshot yet (a new
    account's is written with it, `_create_accounts`). An empty cell leaves the
    ARR as it is."""
    month = revenue.current_month(now)
    entries = [
        revenue.ARREntry(row.account, month, row.arr)
        for row in existing
        if row.arr is not None
        and (row.account.arr != row.arr or not row.account.has_arr_snapshot)
    ]
    if entries:
        revenue.arr_snapshots_record(
            entries=entries, by=by, source=ARRSnapshot.Source.IMPORT, now=now
        )


# --- Step events -------------------------------------------------------------------

# The staging table of an events import: the file's lines as read, one row each.
_STAGED = "journeys_import_step_events"
_STAGED_COLUMNS = {
    "line": "IntegerField",
    "external_id": "TextField",
    "step_value": "TextField",
    "step_key": "IntegerField",
    "reached_at": "DateTimeField",
    "note": "TextField",
}


def import_step_events(*, file: bytes | IO[bytes], by: User) -> ImportReport:
    """Record the step events of the file (source: import, recorded by `by`).
    Events already there (same account, step and time, voided ones included) and
    repeated lines of the file are skipped.

    Python reads the lines and their times; they go as tuples into a staging table,
    from which one query resolves every line's account and step and tells the new
    events, and one more inserts them. Python keeps a few numbers per line for the
    report, never a model instance, and asks the same number of queries for ten
    lines as for a hundred thousand."""
    _check_may_import(by)
    report = ImportReport()
    opened = _open_csv(file, report, required=EVENT_REQUIRED, known=EVENT_COLUMNS)
    if opened is None:
        return report
    reader, columns = opened
    steps = _StepChoices(Step.objects.all())
    now = timezone.now()
    lines = _EventLines(reader, columns, report, steps=steps, now=now)
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            with staging.staging_table(cursor, _STAGED, _STAGED_COLUMNS):
                staging.load(cursor, _STAGED, _STAGED_COLUMNS, lines)
                rows = _EventRows(steps)
                if lines.count:
                    _resolve_events(cursor, steps, lines, report, rows)
                if not report.rejected and rows.created:
                    # The new events' ids come after every id given out before
                    # the insert (an identity's sequence hands them out in
                    # order; SQLite's AUTOINCREMENT never reuses one): the range
                    # finds them by the primary key. The other conditions keep
                    # another writer's events out.
                    before = StepEvent.objects.aggregate(last=Max("pk"))["last"] or 0
                    _insert_events(cursor, steps, by=by, now=now, expected=rows.created)
                    imported = StepEvent.objects.filter(
                        pk__gt=before,
                        recorded_at=now,
                        recorded_by=by,
                        source=StepEvent.Source.IMPORT,
                    )
                    advance_progress(imported)
            if not report.rejected:
                report.created = rows.created
                report.skipped = len(rows) - rows.created
                report.rows = rows
    except IntegrityError:
        # Someone recorded one of these events while we were importing.
        report.created = report.skipped = 0
        report.rows = []
        report.add(
            None,
            "",
            _(
                "Events were recorded at the same time: nothing was imported, "
                "try again."
            ),
        )
    return report


class _EventLines:
    """The file's data lines as staging rows, read while the database takes them:
    (line, external_id or None, step as written, step key, reached_at, note).

    Problems of the file itself go to the report as they are met. Problems of a
    line's time wait in `time_problems` as (reason, reason once the account and step
    are known): the event rules check a time only for an account and a step that
    exist."""

    def __init__(self, reader, columns, report, *, steps, now):
        self.reader = reader
        self.columns = columns
        self.report = report
        self.steps = steps
        self.now = now
        self.count = 0
        self.time_problems: dict[int, tuple[str | None, str | None]] = {}

    def __iter__(self) -> Iterator[tuple]:
        reader, report, width = self.reader, self.report, len(self.columns)
        at_external_id, at_step, at_reached_at = (
            self.columns.index(name) for name in EVENT_REQUIRED
        )
        at_note = self.columns.index("note") if "note" in self.columns else None
        step_key = self.steps.key
        reached_at = _ReachedAt(now=self.now, problems=self.time_problems)
        line = reader.line_num + 1
        try:
            for cells in reader:
                if len(cells) < width:
                    cells += [""] * (width - len(cells))
                values = (
                    cells[at_external_id].strip(),
                    cells[at_step].strip(),
                    cells[at_reached_at].strip(),
                    cells[at_note].strip() if at_note is not None else "",
                )
                if any(values) or any(cell.strip() for cell in cells):
                    if len(cells) > width and any(
                        cell.strip() for cell in cells[width:]
                    ):
                        report.add(
                            line, "", _("This row has more values than the header row.")
                        )
                    external_id, step, moment, note = values
                    yield (
                        line,
                        external_id or None,
                        step,
                        step_key(step),
                        reached_at(line, moment),
                        note,
                    )
                    self.count += 1
                line = reader.line_num + 1
        except csv.Error as error:
            report.add(line, "", _("This row is not valid CSV: %s") % error)


class _ReachedAt:
    """A line's time as the database takes it, or None after noting the problem."""

    def __init__(self, *, now: datetime, problems: dict):
        self.now = now
        self.problems = problems
        self.zone = timezone.get_current_timezone()
        self.to_database = staging.datetime_value(connection)

    def __call__(self, line: int, value: str):
        if not value:
            self.problems[line] = (
                _("The time the step was reached is required."),
                None,
            )
            return None
        try:
            moment = parse_reached_at(value, zone=self.zone)
            # The time zone's own offsets are valid: only an offset the file gives
            # needs checking, or a time the move to UTC takes out of range.
            if moment.tzinfo is not self.zone:
                validate_utc_offset(moment)
            try:
                # In UTC, like `now`: comparing times of one zone is quick.
                moment = moment.astimezone(UTC)
            except OverflowError:
                validate_utc_offset(moment)
                raise
        except ValidationError as error:
            self.problems[line] = (" ".join(error.messages), None)
            return None
        except ValueError:
            self.problems[line] = (
                _(
                    "“%(value)s” is not a date and time (for example 2025-04-01, "
                    "2025-04-01 10:30 or 2025-04-01T10:30:00+09:00)."
                )
                % {"value": value},
                None,
            )
            return None
        if problem := services.step_event_time_problem(moment, now=self.now):
            self.problems[line] = (None, problem)
        return self.to_database(moment)


class _StepChoices:
    """How a file names a step: by its position in the account's journey, or by its
    name, in the account's journey first (a current step before a retired one), else
    in another journey, which the event rules then refuse with a clear reason.

    Each way of naming a step that names one gets a key (`key`); `choices` lists for
    each key the step it names in each journey, and in journey 0 the one it names
    for an account of any other journey. The database picks by the account."""

    OTHER_JOURNEY = 0

    def __init__(self, steps: Iterable[Step]):
        self.by_id: dict[int, Step] = {}
        self._by_position: dict[int, dict[int, int]] = defaultdict(dict)
        self._by_name: dict[str, dict[int, int]] = defaultdict(dict)
        for step in sorted(steps, key=lambda s: (s.retired_at is not None, s.pk)):
            self.by_id[step.pk] = step
            if step.position is not None:
                self._by_position[step.position][step.journey_id] = step.pk
            self._by_name[step.name.casefold()].setdefault(step.journey_id, step.pk)
        self._keys: dict[str, int | None] = {}
        self._named: dict[tuple[str, object], int] = {}
        self.choices: list[tuple[int, int, int]] = []
        self.problems = _StepProblems(self.by_id)
        self._names: dict[int, str] = {}

    def key(self, value: str) -> int | None:
        """The key of the step `value` names, None if it names none."""
        try:
            return self._keys[value]
        except KeyError:
            pass
        if value.isascii() and value.isdigit():
            named = ("position", int(value))
            in_journey = self._by_position.get(named[1], {})
            elsewhere = None
        else:
            named = ("name", value.casefold())
            in_journey = self._by_name.get(named[1], {})
            # The first of the name in any journey: a current one, the oldest.
            elsewhere = next(iter(in_journey.values()), None)
        key = self._named.get(named)
        if key is None and in_journey:
            key = self._named[named] = len(self._named) + 1
            self.choices.extend(
                (key, journey_id, step_id) for journey_id, step_id in in_journey.items()
            )
            if elsewhere is not None:
                self.choices.append((key, self.OTHER_JOURNEY, elsewhere))
        self._keys[value] = key
        return key

    def not_found(self, value: str) -> str:
        """Why no step was found for `value` in the account's journey."""
        if not value:
            return _("A step is required.")
        if value.isascii() and value.isdigit():
            return _("The account's journey has no step %(position)s.") % {
                "position": value
            }
        return _("No step is called “%(name)s”.") % {"name": value}

    def name(self, step_id: int) -> str:
        try:
            return self._names[step_id]
        except KeyError:
            name = self._names[step_id] = str(self.by_id[step_id])
            return name


class _StepProblems(dict):
    """Why a step may not be recorded for an account of a journey, by (step id,
    journey id): the event rules, asked once per pair rather than per line."""

    def __init__(self, steps: dict[int, Step]):
        super().__init__()
        self.steps = steps

    def __missing__(self, key: tuple[int, int]) -> str | None:
        step_id, journey_id = key
        problem = self[key] = services.step_event_step_problem(
            step=self.steps[step_id], journey_id=journey_id
        )
        return problem


class _EventRows(Sequence[ImportedRow]):
    """What became of each line of an events import: a few numbers per line, an
    ImportedRow made only when one is read (the import page shows the first few
    hundred of a hundred thousand)."""

    def __init__(self, steps: _StepChoices):
        self.steps = steps
        self.lines = array("q")
        self.account_ids = array("q")
        self.step_ids = array("q")
        self.new = bytearray()
        self.external_ids: dict[int, str] = {}
        self.created = 0

    def add(self, line, account_id, step_id, is_new, external_id) -> None:
        self.lines.append(line)
        self.account_ids.append(account_id)
        self.step_ids.append(step_id)
        self.new.append(is_new)
        self.created += is_new
        self.external_ids[account_id] = external_id

    def __len__(self) -> int:
        return len(self.lines)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        account_id = self.account_ids[index]
        return ImportedRow(
            line=self.lines[index],
            outcome="created" if self.new[index] else "skipped",
            external_id=self.external_ids[account_id],
            account_id=account_id,
            detail=self.steps.name(self.step_ids[index]),
        )


def _resolved_events(steps: _StepChoices) -> str:
    """The staged lines with their account and step (NULL when none is found), each
    numbered among the lines of the same event (account, step, time)."""
    quote = connection.ops.quote_name
    if steps.choices:
        choices = "VALUES " + ", ".join(
            f"({key:d}, {journey_id:d}, {step_id:d})"
            for key, journey_id, step_id in steps.choices
        )
    else:
        choices = "SELECT 0, 0, 0 WHERE 1 = 0"
    return f"""
        WITH step_choice (step_key, journey_id, step_id) AS ({choices}),
        resolved AS (
            SELECT
                staged.line, staged.external_id, staged.step_value,
                staged.reached_at, staged.note,
                account.id AS account_id, account.journey_id,
                COALESCE(own.step_id, other.step_id) AS step_id
            FROM {quote(_STAGED)} AS staged
            LEFT JOIN {quote(CustomerAccount._meta.db_table)} AS account
                ON account.external_id = staged.external_id
            LEFT JOIN step_choice AS own
                ON own.step_key = staged.step_key
                AND own.journey_id = account.journey_id
            LEFT JOIN step_choice AS other
                ON other.step_key = staged.step_key
                AND other.journey_id = {steps.OTHER_JOURNEY:d}
        ),
        numbered AS (
            SELECT resolved.*, ROW_NUMBER() OVER (
                PARTITION BY account_id, step_id, reached_at ORDER BY line
            ) AS nth
            FROM resolved
        )
    """


def _new_event() -> str:
    """Whether a line of `numbered` is a new event: the first line of it in the file,
    and not recorded yet (a voided event counts as recorded: importing the same file
    again must not bring back what someone voided)."""
    return f"""
        numbered.nth = 1 AND NOT EXISTS (
            SELECT 1 FROM {connection.ops.quote_name(StepEvent._meta.db_table)} AS event
            WHERE event.account_id = numbered.account_id
            AND event.step_id = numbered.step_id
            AND event.reached_at = numbered.reached_at
        )
    """


def _resolve_events(cursor, steps, lines, report, rows: _EventRows) -> None:
    """Check every staged line (problems to the report, in the file's order) and
    note what becomes of it (in `rows`)."""
    cursor.execute(
        f"""{_resolved_events(steps)}
        SELECT
            line, account_id, journey_id, step_id,
            CASE WHEN {_new_event()} THEN 1 ELSE 0 END,
            external_id,
            CASE WHEN step_id IS NULL THEN step_value END
        FROM numbered
        ORDER BY line
        """
    )
    time_problems = lines.time_problems
    step_problems = steps.problems
    for line, account_id, journey_id, step_id, is_new, external_id, step in cursor:
        if (
            account_id is None
            or step_id is None
            or line in time_problems
            or step_problems[step_id, journey_id]
        ):
            always, once_known = time_problems.get(line, (None, None))
            if external_id is None:
                report.add(line, "external_id", _("An external id is required."))
            elif account_id is None:
                report.add(
                    line,
                    "external_id",
                    _("No account has the external id “%(id)s”.") % {"id": external_id},
                )
            elif step_id is None:
                report.add(line, "step", steps.not_found(step))
            if always:
                report.add(line, "reached_at", always)
            elif account_id is not None and step_id is not None:
                if step_problem := step_problems[step_id, journey_id]:
                    report.add(line, "step", step_problem)
                if once_known:
                    report.add(line, "reached_at", once_known)
        else:
            rows.add(line, account_id, step_id, is_new, external_id)


def _insert_events(cursor, steps, *, by: User, now: datetime, expected: int) -> None:
    """Insert the new events, in the file's order: every column as the ORM would
    write it (recorded now by `by`, source import, the model's defaults)."""
    from_staged = {
        "account": "account_id",
        "step": "step_id",
        "reached_at": "reached_at",
        "note": "note",
    }
    given = {
        "recorded_by": by.pk,
        "recorded_at": now,
        "source": StepEvent.Source.IMPORT,
    }
    columns, values, params = staging.insert_columns(
        connection, StepEvent, from_query=from_staged, given=given
    )
    cursor.execute(
        # INSERT first: Python's sqlite3 counts the rows only of a statement that
        # starts with it.
        f"""INSERT INTO {connection.ops.quote_name(StepEvent._meta.db_table)}
            ({columns})
        {_resolved_events(steps)}
        SELECT {values} FROM numbered
        WHERE {_new_event()}
        ORDER BY line
        """,
        params,
    )
    if cursor.rowcount != expected:
        # An event of the file was recorded between the check and the insert.
        raise IntegrityError("step events recorded during the import")


# --- ARR by month -------------------------------------------------------------------

ARR_COLUMNS = ("external_id", "month", "arr", "movement")
ARR_REQUIRED = ("external_id", "month", "arr")


def import_arr_snapshots(
    *, file: bytes | IO[bytes], by: User, now: datetime | None = None
) -> ImportReport:
    """Record each account's ARR of each month of the file (source: import,
    recorded by `by`), by the rules of `journeys.revenue`: a month already recorded
    with the same ARR (and type) is skipped, one with another ARR is corrected (its
    history keeps the value before). `movement` states the movement type; empty,
    the type stated before stays, or it is inferred. A file holds each account's
    month once. A fixed number of queries, whatever the file's size."""
    _check_may_import(by)
    report = ImportReport()
    rows = _rows(file, report, required=ARR_REQUIRED, known=ARR_COLUMNS)
    if rows is None:
        return report
    now = now or timezone.now()
    accounts = _accounts_by_external_id(
        CustomerAccount.objects.only("pk", "external_id", "arr"),
        {row.values.get("external_id", "") for row in rows},
    )
    entries, lines = _check_arr_rows(rows, accounts, report, now=now)
    if report.rejected:
        report.problems.sort(key=lambda problem: problem.line or 0)
        return report
    written = revenue.arr_snapshots_record(
        entries=entries, by=by, source=ARRSnapshot.Source.IMPORT, now=now
    )
    for index, reason in sorted(written.problems.items()):
        report.add(lines[index], "movement", reason)
    if report.rejected:
        return report
    outcomes = [outcome for outcome, _snapshot in written.outcomes]
    report.created = outcomes.count("created")
    report.updated = outcomes.count("updated")
    report.skipped = outcomes.count("skipped")
    report.rows = [
        ImportedRow(
            line=line,
            outcome=outcome,
            external_id=entry.account.external_id,
            account_id=entry.account.pk,
            detail=f"{entry.month:%Y-%m}",
        )
        for line, entry, outcome in zip(lines, entries, outcomes, strict=True)
    ]
    return report


def _check_arr_rows(
    rows: list[_Row], accounts: dict, report: ImportReport, *, now: datetime
) -> tuple[list[revenue.ARREntry], list[int]]:
    """The rows as entries to record, with their lines; problems of single rows
    are reported."""
    entries, lines = [], []
    first_line: dict[tuple[int, date], int] = {}
    # A file holds a few months: each is checked once.
    month_problem = cache(partial(revenue.month_problem, now=now))
    for row in rows:
        problems_before = len(report.problems)
        external_id = row.values.get("external_id", "")
        account = accounts.get(external_id)
        if not external_id:
            report.add(row.line, "external_id", _("An external id is required."))
        elif account is None:
            report.add(
                row.line,
                "external_id",
                _("No account has the external id “%(id)s”.") % {"id": external_id},
            )
        month = _arr_cell(row, "month", revenue.parse_month, report)
        if month is not None and (problem := month_problem(month)):
            report.add(row.line, "month", problem)
        arr = _arr_cell(row, "arr", revenue.parse_arr, report)
        movement = _arr_cell(row, "movement", revenue.movement_choice, report) or ""
        if len(report.problems) > problems_before:
            continue
        key = (account.pk, month)
        if key in first_line:
            report.add(
                row.line,
                "month",
                _("This account's month is already on line %(line)s.")
                % {"line": first_line[key]},
            )
            continue
        first_line[key] = row.line
        entries.append(revenue.ARREntry(account, month, arr, movement))
        lines.append(row.line)
    return entries, lines


def _arr_cell(row: _Row, column: str, parse, report: ImportReport):
    """The cell parsed, or None after reporting why it cannot be (a required cell
    that is empty included)."""
    value = row.values.get(column, "")
    if not value and column in ARR_REQUIRED:
        report.add(row.line, column, _("A value is required."))
        return None
    try:
        return parse(value)
    except ValueError as error:
        report.add(row.line, column, str(error))
        return None
