"""Keyset (cursor) pages of a long list: the page after (or before) the row a cursor
names, found through an index on the list's order, with no count of the whole list
and no OFFSET. Deep pages cost what the first one costs.

A list's order is a tuple of fields whose last one is unique (`("-reached_at",
"-id")`), so every row has its own position. A cursor is that position, opaque to
the client (URL-safe base64 of JSON), with the direction to read from it.
"""

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, QuerySet

# A cursor this list gave is far shorter; anything longer is not one.
MAX_CURSOR_LENGTH = 512
# What a database integer column can hold (a signed 64-bit integer).
_INT64 = range(-(2**63), 2**63)


class InvalidCursor(ValueError):
    """The text is no cursor of this list (garbled, forged, or of another order)."""


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: next to the row at `position` (the values of the order's
    fields), after it in the list's order or, `reverse`, before it. `inclusive`
    pages start at the row itself (when the row a link was made from is gone)."""

    position: tuple
    reverse: bool = False
    inclusive: bool = False


@dataclass(frozen=True)
class KeysetPage:
    rows: list
    next: Cursor | None
    previous: Cursor | None


def encode_cursor(cursor: Cursor) -> str:
    data = {"p": [_to_json(value) for value in cursor.position]}
    if cursor.reverse:
        data["r"] = 1
    if cursor.inclusive:
        data["i"] = 1
    text = json.dumps(data, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str, *, model: type[models.Model], ordering) -> Cursor:
    """The cursor `text` stands for, its position typed by `model`'s fields; raises
    InvalidCursor for anything this list could not have given."""
    if not text or len(text) > MAX_CURSOR_LENGTH:
        raise InvalidCursor(text)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise InvalidCursor(text) from error
    if (
        not isinstance(data, dict)
        or set(data) - {"p", "r", "i"}
        or not isinstance(data.get("p"), list)
        or len(data["p"]) != len(ordering)
        or data.get("r", 0) not in (0, 1)
        or data.get("i", 0) not in (0, 1)
    ):
        raise InvalidCursor(text)
    position = tuple(
        _from_json(model._meta.get_field(name.lstrip("-")), value)
        for name, value in zip(ordering, data["p"], strict=True)
    )
    return Cursor(position, reverse=bool(data.get("r")), inclusive=bool(data.get("i")))


def keyset_page(
    queryset: QuerySet,
    *,
    ordering,
    cursor: Cursor | None,
    size: int,
    rows_by_key: QuerySet | None = None,
) -> KeysetPage:
    """One page of `queryset` in `ordering` (its last field unique): the `size` rows
    next to the cursor's position (the first rows without a cursor), in one query
    of `size` + 1 rows, the extra one telling whether there are more.

    With `rows_by_key`, the page's rows are those of `rows_by_key` whose primary
    keys `queryset` finds (in the same query, as a subquery): the database finds
    the page's keys without the joins the rows need, and joins only the page's
    rows rather than every row it sorts."""
    ordering = tuple(ordering)
    if cursor is None:
        rows = _read(queryset, ordering, size + 1, rows_by_key)
        following = len(rows) > size
        rows = rows[:size]
        return KeysetPage(
            rows=rows,
            next=Cursor(_position(rows[-1], ordering)) if following else None,
            previous=None,
        )
    read_order = _reversed(ordering) if cursor.reverse else ordering
    found = _read(
        queryset.filter(
            _beyond(read_order, cursor.position, inclusive=cursor.inclusive)
        ),
        read_order,
        size + 1,
        rows_by_key,
    )
    more_that_way = len(found) > size
    found = found[:size]
    rows = found[::-1] if cursor.reverse else found
    if not rows:
        # The rows the link was made from are gone: offer the way back from the
        # position itself.
        back = Cursor(cursor.position, reverse=not cursor.reverse, inclusive=True)
        return KeysetPage(
            rows=[],
            next=back if cursor.reverse else None,
            previous=None if cursor.reverse else back,
        )
    first, last = _position(rows[0], ordering), _position(rows[-1], ordering)
    if cursor.reverse:
        return KeysetPage(
            rows=rows,
            next=Cursor(last),
            previous=Cursor(first, reverse=True) if more_that_way else None,
        )
    return KeysetPage(
        rows=rows,
        next=Cursor(last) if more_that_way else None,
        previous=Cursor(first, reverse=True),
    )


def _read(queryset, ordering, count: int, rows_by_key) -> list:
    page = queryset.order_by(*ordering)[:count]
    if rows_by_key is None:
        return list(page)
    return list(rows_by_key.filter(pk__in=page.values("pk")).order_by(*ordering))


def _beyond(ordering, position, *, inclusive: bool) -> Q:
    """The rows after `position` in `ordering` (lexicographically), the row at the
    position itself too when `inclusive`. The first field's own bound comes first,
    so that the database reads a range of the index rather than filtering it all."""
    condition = None
    for index in reversed(range(len(ordering))):
        name, descending = ordering[index].lstrip("-"), ordering[index].startswith("-")
        lookup = "lt" if descending else "gt"
        if inclusive and index == len(ordering) - 1:
            lookup += "e"
        beyond = Q(**{f"{name}__{lookup}": position[index]})
        if condition is not None:
            beyond |= Q(**{name: position[index]}) & condition
        condition = beyond
    if len(ordering) > 1:
        first, descending = ordering[0].lstrip("-"), ordering[0].startswith("-")
        bound = "lte" if descending else "gte"
        condition = Q(**{f"{first}__{bound}": position[0]}) & condition
    return condition


def _reversed(ordering) -> tuple:
    return tuple(name[1:] if name.startswith("-") else f"-{name}" for name in ordering)


def _position(row, ordering) -> tuple:
    if isinstance(row, Mapping):  # a row of `.values()`
        return tuple(row[name.lstrip("-")] for name in ordering)
    return tuple(getattr(row, name.lstrip("-")) for name in ordering)


def _to_json(value):
    if isinstance(value, date):  # datetimes too
        return value.isoformat()
    return value


def _from_json(field, value):
    """A position's value as `field` holds it; InvalidCursor when it cannot be one
    (the database is never asked about a value it would refuse)."""
    if isinstance(field, models.DateTimeField):
        if not isinstance(value, str):
            raise InvalidCursor(value)
        try:
            moment = field.to_python(value)
        except ValidationError as error:
            raise InvalidCursor(value) from error
        if moment is None or moment.tzinfo is None:
            raise InvalidCursor(value)
        try:
            return moment.astimezone(UTC)
        except OverflowError as error:
            raise InvalidCursor(value) from error
    if isinstance(field, models.IntegerField):
        if isinstance(value, bool) or not isinstance(value, int) or value not in _INT64:
            raise InvalidCursor(value)
        return value
    if isinstance(field, models.CharField) and isinstance(value, str):
        return value
    raise InvalidCursor(value)
