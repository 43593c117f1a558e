"""Long API lists written from `.values()` rows, as their serializer would write the
objects.

A page of a hundred objects through a DRF serializer builds a model instance per
row (and per related row), then looks each field up by its source and, for every
date and time, the current time zone again: most of a list's time. A list that only
reads reads its rows with `.values()` instead and hands them to `RowsWriter`, which
calls each field's own `to_representation` on the row's column: the same JSON, and
the serializer still documents the list (drf-spectacular reads its fields).
"""

import copy
from collections.abc import Callable, Mapping
from functools import cached_property, partial

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework import serializers
from rest_framework.relations import RelatedField


def _identity(value):
    return value


class RowsWriter:
    """Writes rows as `serializer_class` writes objects. `sources` names, for each
    field the serializer reads out, where its value is in the row:

    - a column's name: the field writes it (a related field: the column is the id);
    - a function of the row and the page's context (`rows()`'s keywords, and
      `zone`, the current time zone): the final value (a display name, a number of
      days, a label);
    - `Nested(writer, when=column)`: a nested object from the same row, or None
      when that column is.

    One writer serves a list for the life of the process: the serializer's fields
    are built once (not once per request, as a view's serializer is), and its
    date-time fields take the time zone current for each page, once."""

    def __init__(self, serializer_class: type[serializers.Serializer], sources: dict):
        self.serializer_class = serializer_class
        self.sources = sources

    @cached_property
    def _plan(self) -> list[tuple]:
        serializer = self.serializer_class()
        plan = []
        for field in serializer._readable_fields:
            source = self.sources[field.field_name]
            if isinstance(source, Nested) or callable(source):
                plan.append((field.field_name, source, None))
            elif isinstance(field, RelatedField):
                plan.append((field.field_name, source, _identity))
            elif isinstance(field, serializers.DateTimeField):
                plan.append((field.field_name, source, field))
            else:
                plan.append((field.field_name, source, field.to_representation))
        unread = set(self.sources) - {name for name, *_rest in plan}
        if unread:
            raise ValueError(f"Not fields {serializer!r} writes: {sorted(unread)}")
        return plan

    def rows(self, rows, **context) -> list[dict]:
        context["zone"] = timezone.get_current_timezone() if settings.USE_TZ else None
        write = self.writer(context)
        return [write(row) for row in rows]

    def writer(self, context: dict) -> Callable[[Mapping], dict]:
        """The function that writes one row, date-times in `context["zone"]`."""
        plan = []
        for name, source, convert in self._plan:
            if isinstance(source, Nested):
                plan.append((name, None, _nested(source, context)))
            elif convert is None:
                plan.append((name, None, partial(_call, source, context=context)))
            else:
                plan.append((name, source, _in_zone(convert, context["zone"])))

        def write(row: Mapping) -> dict:
            values = {}
            for name, column, convert in plan:
                if column is None:
                    values[name] = convert(row)
                else:
                    value = row[column]
                    values[name] = None if value is None else convert(value)
            return values

        return write


class Nested:
    """A nested object written from the same row (see RowsWriter)."""

    def __init__(self, writer: RowsWriter, *, when: str):
        self.writer = writer
        self.when = when


def _nested(nested: Nested, context: dict):
    write = nested.writer.writer(context)

    def nested_object(row):
        return None if row[nested.when] is None else write(row)

    return nested_object


def _call(function, row, *, context):
    return function(row, context)


def _in_zone(convert, zone):
    """A date-time field's writing in `zone` (on a copy of the field: the writer's
    own is shared by every request); anything else as it is."""
    if not isinstance(convert, serializers.DateTimeField):
        return convert
    field = copy.copy(convert)
    field.timezone = zone
    return field.to_representation


class PagedByKey:
    """What a paginator pages (Django's, DRF's): the list `listed` (an ordered
    queryset: the viewer's scope, the filters, the order), a page at a time by
    primary key. The count is `listed`'s; a page is `rows(keys)` (a queryset of the
    rows of those keys, `keys` a subquery) in `listed`'s order.

    The database finds a page's keys in the list's order without computing what
    the rows show (lookups, joins) for the rows it sorts or skips, then computes it
    for the page's rows only: a page deep in a list of a hundred thousand, or the
    first page in an order no index reads, costs about what the first page in the
    index's order costs."""

    def __init__(self, listed: QuerySet, rows: Callable[[QuerySet], QuerySet]):
        if not listed.query.order_by:
            raise ValueError("A list paged by key needs an order_by().")
        self.listed = listed
        self.rows = rows
        self.ordered = True

    def count(self) -> int:
        return self.listed.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> QuerySet:
        if not isinstance(key, slice):
            raise TypeError("A list paged by key is read a page (a slice) at a time.")
        keys = self.listed.prefetch_related(None).values("pk")[key]
        return self.rows(keys).order_by(*self.listed.query.order_by)
