from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    """Services validate with Django's ValidationError; the API answers it as a 400
    with the message on the field that caused it. Errors about no field in
    particular (Django's `__all__`, or a plain message) come as `non_field_errors`,
    as DRF's own do. So a 400 body is always an object of messages by field (the
    shape `config.schema` documents), a body that cannot be parsed included; every
    other error is `{"detail": "…"}` (a missing object's the same whatever its
    model)."""
    if isinstance(exc, Http404):
        # DRF would answer Django's "No Scorecard matches the given query.", in
        # English whatever the language, naming the model: its own "Not found."
        # is translated.
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(detail=validation_detail(exc))
    elif isinstance(exc, exceptions.ParseError):
        # A body that is no JSON (or form) at all: wrong as a whole.
        exc = exceptions.ValidationError(
            detail={api_settings.NON_FIELD_ERRORS_KEY: [exc.detail]}
        )
    elif isinstance(exc, exceptions.ValidationError) and not isinstance(
        exc.detail, dict
    ):
        exc = exceptions.ValidationError(
            detail={api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
        )
    return exception_handler(exc, context)


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """Django's ValidationError as DRF's 400 body: messages by field."""
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    if not hasattr(exc, "error_dict"):
        return {non_field: exc.messages}
    return {
        non_field if field == NON_FIELD_ERRORS else field: messages
        for field, messages in exc.message_dict.items()
    }
