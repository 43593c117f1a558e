"""config/fields.py: a date and time the database cannot store (an offset beyond
±15:59, a moment outside the years 1–9999) is a field error in forms, API bodies and
query-string filters, never a query (PostgreSQL would answer a 500)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from rest_framework import serializers
from rest_framework.test import APIClient

from config.fields import ApiDateTimeField, DateTimeField, validate_utc_offset

OFFSET_MESSAGE = "Enter a time zone offset between −15:59 and +15:59."


@pytest.mark.parametrize(
    "offset",
    [timedelta(hours=15, minutes=59), -timedelta(hours=15, minutes=59, seconds=59)],
)
def test_offsets_up_to_15_59_are_accepted(offset):
    validate_utc_offset(datetime(2026, 11, 1, 10, tzinfo=timezone(offset)))


@pytest.mark.parametrize(
    "offset",
    [timedelta(hours=16), -timedelta(hours=20), timedelta(hours=1, microseconds=5)],
)
def test_offsets_beyond_or_of_a_fraction_of_a_second_are_refused(offset):
    with pytest.raises(ValidationError) as error:
        validate_utc_offset(datetime(2026, 11, 1, 10, tzinfo=timezone(offset)))
    assert error.value.messages == [OFFSET_MESSAGE]


def test_a_form_field_refuses_an_impossible_offset_and_keeps_a_possible_one():
    field = DateTimeField()
    with pytest.raises(ValidationError) as error:
        field.clean("2026-11-01T10:00:00+20:00")
    assert error.value.messages == [OFFSET_MESSAGE]
    assert field.clean("2026-11-01T10:00:00+14:00") == datetime(
        2026, 10, 31, 20, tzinfo=UTC
    )


def test_a_form_field_refuses_a_moment_before_the_year_1_in_utc():
    with pytest.raises(ValidationError) as error:
        DateTimeField().clean("0001-01-01T00:00:00+09:00")
    assert error.value.messages == [
        "Enter a date and time between the years 1 and 9999."
    ]


def test_an_api_field_refuses_what_drf_would_quietly_move_to_the_time_zone():
    class Body(serializers.Serializer):
        at = ApiDateTimeField()

    body = Body(data={"at": "2026-11-01T10:00:00+20:00"})
    assert not body.is_valid()
    assert body.errors == {"at": [OFFSET_MESSAGE]}
    body = Body(data={"at": "2026-11-01T10:00:00+09:00"})
    assert body.is_valid()
    assert body.validated_data["at"] == datetime(2026, 11, 1, 1, tzinfo=UTC)


@pytest.mark.django_db
@pytest.mark.parametrize("parameter", ["scheduled_after", "scheduled_before"])
def test_the_interview_filters_answer_400_on_an_impossible_offset(org, parameter):
    client = APIClient()
    client.force_authenticate(org.admin)

    response = client.get(
        "/api/v1/interviews/", {parameter: "2026-11-01T10:00:00+20:00"}
    )

    assert response.status_code == 400, response.content
    assert response.json() == {parameter: [OFFSET_MESSAGE]}
