import re
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.utils.urls import replace_query_param

from config import keyset

# A page number or size as a client writes it: plain ASCII digits, never so many
# that Python's int() refuses them.
_NUMBER = re.compile(r"[0-9]{1,18}")

PAGE_SIZE_DESCRIPTION = _(
    "Number of results to return per page: 50 unless given, at most 200 (a larger "
    "number gets 200)."
)


def _whole_number(request, name: str, default: int) -> int:
    """The query parameter `name` as a whole number from 1, `default` when it is
    absent; anything else answers 400 on the parameter."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    if not _NUMBER.fullmatch(raw) or int(raw) < 1:
        raise ValidationError({name: [_("A whole number from 1.")]})
    return int(raw)


class StandardPagination(PageNumberPagination):
    """Every API list is paginated; a client may ask for up to max_page_size rows
    (a larger page_size gets max_page_size rows, and the `next` link).

    `page` and `page_size` are whole numbers from 1: anything else (-314526, 1.5,
    "abc") answers 400 on the parameter, never a silent default. A page past the
    last one answers 404, as in DRF."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = PAGE_SIZE_DESCRIPTION
    max_page_size = 200
    last_page_strings = ()

    def get_page_size(self, request):
        size = _whole_number(request, self.page_size_query_param, self.page_size)
        return min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        return _whole_number(request, self.page_query_param, 1)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["default"] = self.page_size
        return parameters


class KeysetPagination(CursorPagination):
    """For lists too long to count: pages follow each other by cursor (`next` and
    `previous` links), read through an index on the list's order, with no total and
    no page numbers (config.keyset).

    The order is one of `orderings` (the `ordering` parameter names it, default
    first), each ending with a unique field. `page_size` is as in
    StandardPagination; a cursor the list did not give, a page size or an ordering
    it does not offer answer 400 on the parameter."""

    page_size = StandardPagination.page_size
    page_size_query_param = "page_size"
    page_size_query_description = PAGE_SIZE_DESCRIPTION
    max_page_size = StandardPagination.max_page_size
    cursor_query_description = _(
        "Where the page starts: the cursor of the `next` or `previous` link of "
        "another page of the same list, as given."
    )
    invalid_cursor_message = _(
        "Not a cursor of this list: follow the list's next and previous links as "
        "they are, with the same ordering."
    )
    ordering_param = "ordering"
    # {value of the ordering parameter: the fields ordered by}; the first is the
    # default.
    orderings: dict[str, tuple[str, ...]] = {"-id": ("-id",), "id": ("id",)}

    def paginate_queryset(self, queryset, request, view=None, rows_by_key=None):
        """The page's rows; `rows_by_key`: see config.keyset.keyset_page."""
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.ordering = self.get_ordering(request, queryset, view)
        self.model = queryset.model
        self.cursor = self.decode_cursor(request)
        self.page = keyset.keyset_page(
            queryset,
            ordering=self.ordering,
            cursor=self.cursor,
            size=self.page_size,
            rows_by_key=rows_by_key,
        )
        self.has_next = self.page.next is not None
        self.has_previous = self.page.previous is not None
        self.display_page_controls = self.has_next or self.has_previous
        return self.page.rows

    def get_page_size(self, request):
        size = _whole_number(request, self.page_size_query_param, self.page_size)
        return min(size, self.max_page_size)

    def get_ordering(self, request, queryset, view):
        default = next(iter(self.orderings))
        name = request.query_params.get(self.ordering_param, default)
        if name not in self.orderings:
            raise ValidationError(
                {
                    self.ordering_param: [
                        _("Order by one of %(orderings)s.")
                        % {"orderings": ", ".join(self.orderings)}
                    ]
                }
            )
        return self.orderings[name]

    def decode_cursor(self, request):
        text = request.query_params.get(self.cursor_query_param)
        if text is None:
            return None
        try:
            return keyset.decode_cursor(text, model=self.model, ordering=self.ordering)
        except keyset.InvalidCursor:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None

    def encode_cursor(self, cursor):
        return replace_query_param(
            self.base_url, self.cursor_query_param, keyset.encode_cursor(cursor)
        )

    def get_next_link(self):
        return self.encode_cursor(self.page.next) if self.page.next else None

    def get_previous_link(self):
        return self.encode_cursor(self.page.previous) if self.page.previous else None

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["required"] = ["next", "previous", "results"]
        return response

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.cursor_query_param:
                parameter["schema"]["maxLength"] = keyset.MAX_CURSOR_LENGTH
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, default=self.page_size)
        orderings = list(self.orderings)
        parameters.append(
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": str(
                    _(
                        "The order of the list, one of %(orderings)s (“-” for "
                        "descending); %(default)s unless given. Pages follow each "
                        "other in this order only."
                    )
                    % {"orderings": ", ".join(orderings), "default": orderings[0]}
                ),
                "schema": {
                    "type": "string",
                    "enum": orderings,
                    "default": orderings[0],
                },
            }
        )
        return parameters


class StepEventCursorPagination(KeysetPagination):
    """Step events, newest reach first: an organisation has millions of them."""

    orderings = {
        "-reached_at": ("-reached_at", "-id"),
        "reached_at": ("reached_at", "id"),
        "-id": ("-id",),
        "id": ("id",),
    }


class _CursorFields:
    """The fields `config.keyset` reads a figure cursor's values by: a foreign key's
    id as the id it is, a month (a date) as text, checked by FigureCursorPagination."""

    def __init__(self, model):
        self.model = model
        self._meta = self

    def get_field(self, name):
        field = self.model._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            return field.target_field
        if isinstance(field, models.DateField) and not isinstance(
            field, models.DateTimeField
        ):
            return models.CharField()
        return field


class FigureCursorPagination(KeysetPagination):
    """Monthly figures (of members or of teams), newest month first: an
    organisation has hundreds of thousands of them. Within a month they follow
    the `owner` (member or team id, descending) and the metric key: the order of
    one index, read forwards or backwards."""

    owner = "member_id"

    @property
    def orderings(self):
        owner = self.owner
        return {
            "-month": ("-month", f"-{owner}", "-metric", "-id"),
            "month": ("month", owner, "metric", "id"),
            "-id": ("-id",),
            "id": ("id",),
        }

    def decode_cursor(self, request):
        text = request.query_params.get(self.cursor_query_param)
        if text is None:
            return None
        try:
            cursor = keyset.decode_cursor(
                text, model=_CursorFields(self.model), ordering=self.ordering
            )
            position = tuple(
                _month(value) if name.lstrip("-") == "month" else value
                for name, value in zip(self.ordering, cursor.position, strict=True)
            )
        except keyset.InvalidCursor:
            raise ValidationError(
                {self.cursor_query_param: [self.invalid_cursor_message]}
            ) from None
        return keyset.Cursor(
            position, reverse=cursor.reverse, inclusive=cursor.inclusive
        )


def _month(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise keyset.InvalidCursor(text) from error


class MemberFigureCursorPagination(FigureCursorPagination):
    owner = "member_id"


class TeamFigureCursorPagination(FigureCursorPagination):
    owner = "team_id"
