"""API building blocks shared by the apps."""

import re
from collections.abc import Mapping

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from django_filters import rest_framework as rest_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, filters, serializers
from rest_framework.relations import MANY_RELATION_KWARGS

# Ids are whole numbers the database can hold (a signed 64-bit integer); as text,
# plain ASCII digits ("²" passes str.isdigit() but is no number).
MAX_ID = 2**63 - 1
ID_TEXT = re.compile(r"[0-9]{1,18}")
ID_MESSAGE = _("Not a valid id: ids are whole numbers.")
# DRF's words for a lone surrogate in a text field, which DRF's Japanese lacks:
# marked here so that makemessages keeps the project's translation.
SURROGATE_MESSAGE = gettext_noop(
    "Surrogate characters are not allowed: U+{code_point:X}."
)
# DRF's words for a list longer than its max_length: missing from its Japanese too.
LIST_TOO_LONG_MESSAGE = gettext_noop(
    "Ensure this field has no more than {max_length} elements."
)


def parse_id(value) -> int | None:
    """`value` as an id, or None when it is none: a bool, a float, "²", 2**64…"""
    if isinstance(value, str) and ID_TEXT.fullmatch(value):
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_ID:
        return value
    return None


@extend_schema_field(
    {"type": "integer", "format": "int64", "minimum": 0, "maximum": MAX_ID}
)
class IdFilter(django_filters.NumberFilter):
    """A query parameter naming an object by id: a whole number the database can
    hold. Anything else (1.5, -2.19e201, "²", 2**64) is refused with a 400 on the
    parameter, never looked up."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class DjangoFilterBackend(rest_filters.DjangoFilterBackend):
    """django-filter's backend (an invalid filterset answers 400 by parameter), but a
    boolean filter takes only true or false: django-filter reads anything else
    ("abc", "1") as no filter at all and answers 200 with every row."""

    BOOLEANS = {"true", "false", "True", "False"}

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is None:
            return None
        errors = {
            name: [_("Use true or false.")]
            for name, filter_ in filterset.filters.items()
            if isinstance(filter_, django_filters.BooleanFilter)
            and request.query_params.get(name, "") not in self.BOOLEANS | {""}
        }
        if errors:
            raise exceptions.ValidationError(errors)
        return filterset


class OrderingFilter(filters.OrderingFilter):
    """`ordering`: the view's ordering fields, comma-separated, each optionally
    prefixed with "-". A field it does not offer answers 400 on the parameter, where
    DRF would drop it silently; the schema lists the fields."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields):
            names = self._names(queryset, view, request)
            raise exceptions.ValidationError(
                {
                    self.ordering_param: [
                        _("Order by %(fields)s, each optionally after “-”.")
                        % {"fields": ", ".join(names)}
                    ]
                }
            )
        return valid

    def get_default_valid_fields(self, queryset, view, context=None):
        """Without `ordering_fields`, DRF offers every field the serializer reads
        out. A list of values (a plan's actions, a step's modules) is left out:
        ordered by it, a row came once per value and others fell off the page.
        Each name is offered once."""
        serializer_class = view.get_serializer_class()
        lists = {
            field.source.replace(".", "__") or name
            for name, field in serializer_class(context=context or {}).fields.items()
            if isinstance(
                field, serializers.ListSerializer | serializers.ManyRelatedField
            )
        }
        offered, seen = [], set()
        for name, label in super().get_default_valid_fields(queryset, view, context):
            if name in seen or name in lists:
                continue
            seen.add(name)
            offered.append((name, label))
        return offered

    def _names(self, queryset, view, request=None) -> list[str]:
        context = {"request": request}
        return [name for name, _label in self.get_valid_fields(queryset, view, context)]

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        if isinstance(getattr(view, "ordering_fields", None), list | tuple):
            fields = self._names(None, view)
            term = "-?({})".format("|".join(re.escape(name) for name in fields))
            for parameter in parameters:
                parameter["schema"]["pattern"] = f"^{term}(,{term})*$"
                parameter["description"] = str(
                    _("Order by %(fields)s (comma-separated; “-” for descending).")
                    % {"fields": ", ".join(fields)}
                )
        return parameters


class LengthFirstMixin:
    """For a list field with `max_length`: a longer list is refused with DRF's
    "max_length" error before any of its items is read. DRF reads every item
    first, and a related object's id is a query each."""

    def to_internal_value(self, data):
        if (
            self.max_length is not None
            and isinstance(data, list)
            and len(data) > self.max_length
        ):
            self.fail("max_length", max_length=self.max_length)
        return super().to_internal_value(data)


class BoundedListField(LengthFirstMixin, serializers.ListField):
    """DRF's ListField: give it a `max_length` (maxItems in the schema)."""


class ManyIdRelatedField(LengthFirstMixin, serializers.ManyRelatedField):
    """`IdRelatedField(many=True)`: DRF's ManyRelatedField, which takes no
    `max_length`, with a `max_length` as a ListField has (see `config.schema`)."""

    default_error_messages = {
        "max_length": serializers.ListField.default_error_messages["max_length"]
    }

    def __init__(self, *args, max_length=None, **kwargs):
        self.max_length = max_length
        super().__init__(*args, **kwargs)


class IdRelatedField(serializers.PrimaryKeyRelatedField):
    """A related object by id. What cannot be an id is refused on the field before
    any lookup. With `many=True`, give the list a `max_length`."""

    default_error_messages = {"invalid_id": ID_MESSAGE}

    @classmethod
    def many_init(cls, *args, max_length=None, **kwargs):
        outer = {name: kwargs[name] for name in kwargs if name in MANY_RELATION_KWARGS}
        return ManyIdRelatedField(
            child_relation=cls(*args, **kwargs), max_length=max_length, **outer
        )

    def to_internal_value(self, data):
        pk = parse_id(data)
        if pk is None:
            self.fail("invalid_id")
        return super().to_internal_value(pk)


class WholeRowMixin:
    """For the serializer of a row in a written list (`many=True`): a row is
    written whole, also within a PATCH. DRF lets a partial update's nested rows
    leave out required fields, and a row `{}` reached the service without them;
    here each missing field gets DRF's own "required" error on its row."""

    def to_internal_value(self, data):
        if getattr(self.root, "partial", False) and isinstance(data, Mapping):
            missing = {
                name: [field.error_messages["required"]]
                for name, field in self.fields.items()
                if field.required and not field.read_only and name not in data
            }
            if missing:
                raise serializers.ValidationError(missing)
        return super().to_internal_value(data)


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
