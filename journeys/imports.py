"""CSV imports of customer accounts and of step events.

A file is imported whole or not at all: every row is checked first and every problem
is reported with its line, column and reason; only a file without problems is
written, in one transaction, with bulk inserts and updates. Importing the same file
again creates nothing new: accounts are matched by external id, events by account,
step and time (among events that are not void).

Files come from CRMs and from Excel, so UTF-8 (with or without a byte order mark) and
Shift_JIS (cp932, what Japanese Excel writes) are both read.
"""

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.permissions import is_admin
from config.fields import validate_utc_offset

from . import selectors, services
from .models import (
    Coverage,
    CoverageModel,
    CustomerAccount,
    Journey,
    Pool,
    Step,
    StepEvent,
)

# Rows per INSERT/UPDATE, and ids per IN (...) lookup: far below the parameter limits
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
    rows: list[ImportedRow] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.problems)

    def add(self, line: int | None, column: str, reason: str) -> None:
        self.problems.append(RowProblem(line, column, reason))

    def summary(self) -> str:
        if self.rejected:
            return _("Nothing was imported: %(count)s problem(s) in the file.") % {
                "count": len(self.problems)
            }
        return _(
            "%(created)s created, %(updated)s updated, %(skipped)s already there."
        ) % {"created": self.created, "updated": self.updated, "skipped": self.skipped}

    def lines(self) -> list[str]:
        """The report as text: the summary, then every problem and note."""
        return [self.summary(), *map(str, self.problems), *map(str, self.notes)]


# --- Reading the file -------------------------------------------------------------


def decode_csv(data: bytes) -> str:
    """The file's text: UTF-8 with a BOM, else strict UTF-8, else cp932."""
    if data.startswith(b"\xef\xbb\xbf"):
        encodings = ["utf-8-sig"]
    else:
        encodings = ["utf-8", "cp932"]
    # NUL never appears in a CSV in either encoding (UTF-16 is full of them).
    if b"\x00" not in data:
        for encoding in encodings:
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                continue
    raise ImportFileError(
        _(
            "The file could not be read: save it as CSV in UTF-8 or in Shift_JIS "
            "(Excel: “CSV UTF-8” or “CSV”)."
        )
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
    try:
        text = decode_csv(_read_bytes(file))
    except ImportFileError as error:
        report.add(None, "", str(error))
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
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
    duplicated = {name for name in columns if name and columns.count(name) > 1}
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
    return list(_data_rows(reader, columns, report))


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


def parse_reached_at(value: str) -> datetime:
    """An ISO 8601 date-time (or 2025/04/01 10:00 as Japanese Excel writes it).

    A time without offset is in TIME_ZONE; a plain date is 00:00 there.
    Raises ValueError.
    """
    slashed = _SLASHED_DATE.match(value)
    if slashed:
        parts = [int(part) if part else 0 for part in slashed.groups()]
        moment = datetime(*parts)
    elif len(value) == 10:
        moment = datetime.combine(date.fromisoformat(value), time())
    else:
        moment = datetime.fromisoformat(value)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _parse_arr(value: str) -> Decimal:
    """A whole, non-negative amount the ARR column holds; thousands separators and a
    yen sign allowed. Raises ValueError with the reason."""
    cleaned = value.replace(",", "").replace("¥", "").replace("￥", "").strip()
    not_an_amount = _("ARR must be a whole, non-negative amount.")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(not_an_amount) from None
    if not amount.is_finite() or amount < 0 or amount != amount.to_integral_value():
        raise ValueError(not_an_amount)
    column = CustomerAccount._meta.get_field("arr")
    largest = Decimal(10) ** (column.max_digits - column.decimal_places) - 1
    if amount > largest:
        raise ValueError(
            _("ARR must be at most %(largest)s.") % {"largest": f"{largest:,}"}
        )
    return amount.quantize(Decimal(1))


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
                arr = _parse_arr(column(row, "arr"))
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


def _match_existing(parsed: list[_AccountRow], report: ImportReport) -> None:
    """Attach each row's existing account, and whether its coverage changes."""
    existing = _by_key(
        CustomerAccount.objects.select_related("journey"),
        "external_id",
        {row.external_id for row in parsed},
    )
    open_coverage = {
        period.account_id: (period.owner_id, period.pool_id)
        for chunk in _chunks([a.pk for a in existing.values()], LOOKUP_BATCH)
        for period in Coverage.objects.filter(account_id__in=chunk, ended_at=None)
    }
    for row in parsed:
        row.account = existing.get(row.external_id)
        if row.account is None:
            continue
        wanted = (getattr(row.owner, "pk", None), getattr(row.pool, "pk", None))
        row.coverage_changes = open_coverage.get(row.account.pk) != wanted
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


def _check_owners(
    parsed: list[_AccountRow], report: ImportReport, *, confirm_not_ready: bool
) -> None:
    """The rules of `services.account_assign_owner`, for every owner the import
    assigns: a member, ready for accounts unless confirmed. Queries per distinct
    owner and journey, not per row."""
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
    readiness: dict[tuple[int, int], bool] = {}
    for row in assigned:
        if row.owner.pk not in member_ids:
            report.add(
                row.line,
                "owner",
                _("Only a member (CSM) can own a customer account."),
            )
            continue
        journey = row.account.journey if row.account else row.journey
        key = (row.owner.pk, journey.pk)
        if key not in readiness:
            readiness[key] = selectors.is_ready_for_accounts(row.owner, journey)
        if readiness[key]:
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
    for row in parsed:
        account = row.account
        if account is None:
            continue
        values = {"name": row.name, "segment": row.segment, "arr": row.arr}
        if any(getattr(account, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(account, name, value)
            changed.add(row.line)
    CustomerAccount.objects.bulk_update(
        [row.account for row in parsed if row.line in changed],
        ["name", "segment", "arr"],
        batch_size=WRITE_BATCH,
    )
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

    created = CustomerAccount.objects.bulk_create(
        [
            CustomerAccount(
                external_id=row.external_id,
                name=row.name,
                segment=row.segment,
                arr=row.arr,
                journey=row.journey,
            )
            for row in new_rows
        ],
        batch_size=WRITE_BATCH,
    )
    now = timezone.now()
    Coverage.objects.bulk_create(
        [
            Coverage(
                account=account,
                model=row.coverage,
                owner=row.owner,
                pool=row.pool,
                started_at=now,
                assigned_by=by,
                owner_not_ready_confirmed=row.owner_not_ready,
            )
            for row, account in zip(new_rows, created, strict=True)
        ],
        batch_size=WRITE_BATCH,
    )
    report.created = len(created)
    report.updated = len(changed)
    report.skipped = len(parsed) - len(created) - len(changed)
    new_ids = {
        row.line: account.pk for row, account in zip(new_rows, created, strict=True)
    }
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
            account_id=new_ids.get(row.line) if row.account is None else row.account.pk,
            detail=row.name,
        )
        for row in parsed
    ]


# --- Step events -------------------------------------------------------------------


def import_step_events(*, file: bytes | IO[bytes], by: User) -> ImportReport:
    """Record the step events of the file (source: import, recorded by `by`).
    Events already there (same account, step and time, not void) are skipped."""
    _check_may_import(by)
    report = ImportReport()
    rows = _rows(file, report, required=EVENT_REQUIRED, known=EVENT_COLUMNS)
    if rows is None:
        return report
    try:
        with transaction.atomic():
            events = _check_events(rows, report)
            if report.rejected:
                return report
            new_events = _skip_existing(events, report)
            for chunk in _chunks(new_events, WRITE_BATCH):
                StepEvent.objects.bulk_create(
                    [
                        StepEvent(
                            account_id=event.account_id,
                            step_id=event.step_id,
                            reached_at=event.reached_at,
                            note=event.note,
                            source=StepEvent.Source.IMPORT,
                            recorded_by=by,
                        )
                        for event in chunk
                    ],
                    batch_size=WRITE_BATCH,
                )
            report.created = len(new_events)
            created = {event.line for event in new_events}
            report.rows = [
                ImportedRow(
                    line=event.line,
                    outcome="created" if event.line in created else "skipped",
                    external_id=event.external_id,
                    account_id=event.account_id,
                    detail=event.step_name,
                )
                for event in events
            ]
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


@dataclass(frozen=True)
class _Event:
    account_id: int
    step_id: int
    reached_at: datetime
    note: str
    line: int
    external_id: str
    step_name: str

    @property
    def key(self) -> tuple[int, int, datetime]:
        return (self.account_id, self.step_id, self.reached_at)


def _check_events(rows: list[_Row], report: ImportReport) -> list[_Event]:
    accounts = _by_key(
        CustomerAccount.objects.only("id", "external_id", "journey_id"),
        "external_id",
        {row.values.get("external_id", "") for row in rows},
    )
    steps = _StepFinder(Step.objects.all())
    now = timezone.now()
    events = []
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
        step = steps.find(row, account, report) if account is not None else None
        reached_at = _reached_at(row, report)
        if step is not None and reached_at is not None:
            # The rules an event must follow are the services' (UI and API alike).
            for column, reason in services.step_event_problems(
                account=account, step=step, reached_at=reached_at, now=now
            ).items():
                report.add(row.line, column, reason)
        if len(report.problems) == problems_before:
            events.append(
                _Event(
                    account_id=account.pk,
                    step_id=step.pk,
                    reached_at=reached_at,
                    note=row.values.get("note", ""),
                    line=row.line,
                    external_id=external_id,
                    step_name=str(step),
                )
            )
    return events


def _reached_at(row: _Row, report: ImportReport) -> datetime | None:
    value = row.values.get("reached_at", "")
    if not value:
        report.add(
            row.line, "reached_at", _("The time the step was reached is required.")
        )
        return None
    try:
        moment = parse_reached_at(value)
        validate_utc_offset(moment)
        return moment
    except ValidationError as error:
        report.add(row.line, "reached_at", " ".join(error.messages))
        return None
    except ValueError:
        report.add(
            row.line,
            "reached_at",
            _(
                "“%(value)s” is not a date and time (for example 2025-04-01, "
                "2025-04-01 10:30 or 2025-04-01T10:30:00+09:00)."
            )
            % {"value": value},
        )
        return None


class _StepFinder:
    """A step by its position in the account's journey, or by its name: in the
    account's journey first (a current step before a retired one), else in another
    journey, which the event rules then refuse with a clear reason."""

    def __init__(self, steps: Iterable[Step]):
        self.by_position: dict[tuple[int, int], Step] = {}
        self.by_name: dict[tuple[int, str], Step] = {}
        self.elsewhere: dict[str, Step] = {}
        for step in sorted(steps, key=lambda s: (s.retired_at is not None, s.pk)):
            if step.position is not None:
                self.by_position[step.journey_id, step.position] = step
            name = step.name.casefold()
            self.by_name.setdefault((step.journey_id, name), step)
            self.elsewhere.setdefault(name, step)

    def find(self, row: _Row, account, report: ImportReport) -> Step | None:
        value = row.values.get("step", "")
        if not value:
            report.add(row.line, "step", _("A step is required."))
            return None
        if value.isascii() and value.isdigit():
            step = self.by_position.get((account.journey_id, int(value)))
            if step is None:
                report.add(
                    row.line,
                    "step",
                    _("The account's journey has no step %(position)s.")
                    % {"position": value},
                )
            return step
        name = value.casefold()
        step = self.by_name.get((account.journey_id, name)) or self.elsewhere.get(name)
        if step is None:
            report.add(
                row.line,
                "step",
                _("No step is called “%(name)s”.") % {"name": value},
            )
        return step


def _skip_existing(events: list[_Event], report: ImportReport) -> list[_Event]:
    """The events that are neither already recorded nor repeated in the file.

    A voided event counts as recorded: importing the same file again must not bring
    back what someone voided."""
    seen = set()
    for chunk in _chunks(sorted({event.account_id for event in events}), LOOKUP_BATCH):
        seen.update(
            StepEvent.objects.filter(account_id__in=chunk).values_list(
                "account_id", "step_id", "reached_at"
            )
        )
    new_events = []
    for event in events:
        key = event.key
        if key in seen:
            report.skipped += 1
        else:
            seen.add(key)
            new_events.append(event)
    return new_events
