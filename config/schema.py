"""The OpenAPI schema documents every answer an operation can give, errors included.

`AutoSchema` (REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"]) adds to each operation the
errors it can answer, in the shapes `config.exceptions.api_exception_handler`
really returns, unless the view documents that status itself:

- 400 (`ValidationError`: messages by field or query parameter) when the operation
  takes input: a request body (every write) or query parameters;
- 401 and 403 (`Error`: `{"detail": …}`) when it needs a signed-in user: 403 when
  a role rule may refuse it, or it writes (with a session, a missing CSRF token);
- 404 (`Error`) when its path names an object, or it is a paginated list (a page
  past the last one);
- 415 (`Error`) when it takes a body: in another media type than it documents;
- 429 (`Error`) when it is throttled.
"""

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.settings import api_settings


class ErrorSerializer(serializers.Serializer):
    """Every error but a validation error: what went wrong, in words."""

    detail = serializers.CharField()


VALIDATION_ERROR_NAME = "ValidationError"
# For a view that documents a 400 body of its own that may also be this one.
VALIDATION_ERROR_REF = {"$ref": f"#/components/schemas/{VALIDATION_ERROR_NAME}"}
VALIDATION_ERROR_DESCRIPTION = _(
    "Messages by field: each field (or query parameter) that is wrong, with its "
    "messages; non_field_errors for the request as a whole. A nested object has "
    "its own fields' messages, a list of objects one such entry per item."
)


def validation_error_schema() -> dict:
    return {
        "type": "object",
        "description": str(VALIDATION_ERROR_DESCRIPTION),
        "properties": {
            api_settings.NON_FIELD_ERRORS_KEY: {
                "type": "array",
                "items": {"type": "string"},
            }
        },
        "additionalProperties": {
            "anyOf": [{"type": "array", "items": {}}, {"type": "object"}]
        },
    }


DESCRIPTIONS = {
    "400": _("Invalid input: nothing was done. Messages by field."),
    "401": _("Not signed in: no valid token or session."),
    "403": _("Signed in, but not allowed to do this."),
    "404": _("No such object, or not one you may see (for a list: no such page)."),
    "415": _("The body is not in a media type the operation takes."),
    "429": _("Too many requests: try again later."),
}


def _may_be_blank(field) -> bool:
    """A text field that may hold "": it allows it, or (read only, where DRF keeps
    no allow_blank) its model field is blank=True."""
    if getattr(field, "allow_blank", False):
        return True
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    if model is None or not field.source or "." in field.source:
        return False
    try:
        return model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False


class AutoSchema(openapi.AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(
            path, path_regex, path_prefix, method, registry
        )
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self._error_codes(operation):
            if code not in responses:
                responses[code] = self._error_response(code)
            elif "content" not in responses[code]:
                # Documented by the view with a description only: the body is ours.
                responses[code]["content"] = self._error_response(code)["content"]
        operation["responses"] = dict(sorted(responses.items()))
        return operation

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        if (
            schema.get("type") == "string"
            and "format" in schema
            and _may_be_blank(field)
        ):
            # "" is no email address or URL, but such a field may hold it.
            schema["oneOf"] = [{"format": schema.pop("format")}, {"maxLength": 0}]
        # A list of objects, or of related ids, checks its max_length itself, not
        # with a validator that drf-spectacular would read.
        if (
            isinstance(field, serializers.ListSerializer | serializers.ManyRelatedField)
            and schema.get("type") == "array"
            and getattr(field, "max_length", None) is not None
        ):
            schema["maxItems"] = field.max_length

    def _error_codes(self, operation) -> list[str]:
        writes = self.method not in SAFE_METHODS
        queried = any(p["in"] == "query" for p in operation.get("parameters", []))
        permissions = self.view.get_permissions()
        public = all(isinstance(p, AllowAny) for p in permissions)
        role_rules = any(
            not isinstance(p, (AllowAny, IsAuthenticated)) for p in permissions
        )
        codes = []
        if writes or queried:
            codes.append("400")
        if not public:
            codes.append("401")
            if writes or role_rules:
                codes.append("403")
        if "{" in self.path or (self._is_list_view() and self._get_paginator()):
            codes.append("404")
        if "requestBody" in operation:
            codes.append("415")
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _error_response(self, code: str) -> dict:
        if code == "400":
            component = ResolvedComponent(
                name=VALIDATION_ERROR_NAME,
                type=ResolvedComponent.SCHEMA,
                schema=validation_error_schema(),
                object=VALIDATION_ERROR_NAME,
            )
            self.registry.register_on_missing(component)
        else:
            component = self.resolve_serializer(ErrorSerializer(), "response")
        return {
            "description": str(DESCRIPTIONS[code]),
            "content": {"application/json": {"schema": component.ref}},
        }
