import re

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

# A page number or size as a client writes it: plain ASCII digits, never so many
# that Python's int() refuses them.
_NUMBER = re.compile(r"[0-9]{1,18}")


class StandardPagination(PageNumberPagination):
    """Every API list is paginated; a client may ask for up to max_page_size rows
    (a larger page_size gets max_page_size rows, and the `next` link).

    `page` and `page_size` are whole numbers from 1: anything else (-314526, 1.5,
    "abc") answers 400 on the parameter, never a silent default. A page past the
    last one answers 404, as in DRF."""

    page_size = 50
    page_size_query_param = "page_size"
    page_size_query_description = _(
        "Number of results to return per page: 50 unless given, at most 200 (a "
        "larger number gets 200)."
    )
    max_page_size = 200
    last_page_strings = ()

    def get_page_size(self, request):
        size = self._number(request, self.page_size_query_param, self.page_size)
        return min(size, self.max_page_size)

    def get_page_number(self, request, paginator):
        return self._number(request, self.page_query_param, 1)

    def _number(self, request, name: str, default: int) -> int:
        raw = request.query_params.get(name, "")
        if raw == "":
            return default
        if not _NUMBER.fullmatch(raw) or int(raw) < 1:
            raise ValidationError({name: [_("A whole number from 1.")]})
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["default"] = self.page_size
        return parameters
