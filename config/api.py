"""API building blocks shared by the apps."""

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers

# Ids are whole numbers the database can hold (a signed 64-bit integer); as text,
# plain ASCII digits ("²" passes str.isdigit() but is no number).
MAX_ID = 2**63 - 1
ID_TEXT = re.compile(r"[0-9]{1,18}")
ID_MESSAGE = _("Not a valid id: ids are whole numbers.")


def parse_id(value) -> int | None:
    """`value` as an id, or None when it is none: a bool, a float, "²", 2**64…"""
    if isinstance(value, str) and ID_TEXT.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    return None


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id. What cannot be an id is refused on the field before
    any lookup."""

    default_error_messages = {"invalid_id": ID_MESSAGE}

    def to_internal_value(self, data):
        pk = parse_id(data)
        if pk is None:
            self.fail("invalid_id")
        return super().to_internal_value(pk)


class ServiceViewSetMixin:
    """For viewsets that write through services: a service's PermissionError is a
    403 (its Django ValidationError becomes a 400 by field in `config.exceptions`),
    and what cannot be an id in the URL names no object (404, never a lookup)."""

    def handle_exception(self, exc):
        if isinstance(exc, PermissionError):
            exc = exceptions.PermissionDenied()
        return super().handle_exception(exc)

    def get_object(self):
        lookup = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        if parse_id(lookup) is None:
            raise exceptions.NotFound()
        return super().get_object()

    def read(self, pk: int):
        """The object as the viewer reads it, after a write."""
        return self.get_queryset().get(pk=pk)
