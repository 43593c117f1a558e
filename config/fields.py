"""Input fields shared by the apps, for values the database could not store.

A date and time typed in (a form, an API filter or body, an import) may carry any UTC
offset Python accepts, up to ±23:59; PostgreSQL refuses one beyond ±15:59 (no time
zone on Earth is further than ±14:00). Such a value is a field error, never a query.
"""

from datetime import UTC, date, datetime, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

# PostgreSQL's limit, inclusive (±15:59:59); offsets are whole seconds there.
MAX_UTC_OFFSET = timedelta(hours=15, minutes=59, seconds=59)
OFFSET_MESSAGE = _("Enter a time zone offset between −15:59 and +15:59.")
OUT_OF_RANGE_MESSAGE = _("Enter a date and time between the years 1 and 9999.")


# A date a person plans or records by (a due date, a target date, a check-in):
# within these years. 0001-01-01 made an assignment overdue since the year 1.
FIRST_PLAUSIBLE_YEAR, LAST_PLAUSIBLE_YEAR = 2000, 2099
PLAUSIBLE_DATE_MESSAGE = _("Enter a date in the years 2000 to 2099.")


def validate_plausible_date(value: date | None) -> None:
    """Refuse a date outside FIRST_PLAUSIBLE_YEAR–LAST_PLAUSIBLE_YEAR."""
    if value is not None and not (
        FIRST_PLAUSIBLE_YEAR <= value.year <= LAST_PLAUSIBLE_YEAR
    ):
        raise ValidationError(PLAUSIBLE_DATE_MESSAGE, code="implausible_date")


def validate_utc_offset(value: datetime | None) -> None:
    """Refuse a date and time the database cannot store: an offset beyond ±15:59 or
    of a fraction of a second, or a moment outside the years 1–9999 in UTC."""
    if value is None:
        return
    offset = value.utcoffset()
    if offset is None:
        return
    if abs(offset) > MAX_UTC_OFFSET or offset.microseconds:
        raise ValidationError(OFFSET_MESSAGE, code="invalid_offset")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValidationError(OUT_OF_RANGE_MESSAGE, code="out_of_range") from None


class DateTimeField(forms.DateTimeField):
    """A form's date and time, refused when the database could not store it."""

    default_validators = [validate_utc_offset]


class IsoDateTimeField(django_filters.fields.IsoDateTimeField):
    default_validators = [validate_utc_offset]


class IsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date and time in a query string (`?reached_after=…`), with the
    checks of `DateTimeField`: an impossible offset is a 400 on the parameter."""

    field_class = IsoDateTimeField


class ApiDateTimeField(serializers.DateTimeField):
    """An API body's date and time. DRF would quietly move an impossible offset
    into the current time zone; it is refused instead, as in forms and filters."""

    default_error_messages = {
        "invalid_offset": OFFSET_MESSAGE,
        "out_of_range": OUT_OF_RANGE_MESSAGE,
    }

    def enforce_timezone(self, value):
        # Checked as typed (DRF's conversion would hide the offset), then as stored
        # (a date without offset, made aware in the current time zone).
        self._check(value)
        try:
            value = super().enforce_timezone(value)
        except OverflowError:
            # A date without offset at the very edge of the years 1–9999, made
            # aware in the current time zone.
            self.fail("out_of_range")
        self._check(value)
        return value

    def _check(self, value):
        try:
            validate_utc_offset(value)
        except ValidationError as error:
            self.fail(error.code)
