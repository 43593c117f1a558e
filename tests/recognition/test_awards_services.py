"""Award programs and the metric of each period: admins only, a metric with a
denominator, free before the period starts, a recorded reason after, locked once
closed."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from recognition.models import AwardMetricChange, AwardPeriod, Cadence
from recognition.services import awards as services
from tests.recognition.award_factories import (
    APRIL,
    AwardProgramFactory,
    award_metric,
    award_period,
    jst,
    winner,
)

pytestmark = pytest.mark.django_db

BEFORE_APRIL = jst(2026, 3, 20)
IN_APRIL = jst(2026, 4, 10)


@pytest.fixture
def setup(org):
    key, steps = award_metric()
    other_key = f"journey_conversion:{steps[0].journey_id}"
    program = AwardProgramFactory(teams=[org.team_a])
    return program, key, other_key, steps


def _set(program, by, metric, *, period="2026-04", reason="", now=IN_APRIL):
    return services.award_period_set_metric(
        program=program, by=by, period=period, metric=metric, reason=reason, now=now
    )


def _field_errors(error: ValidationError) -> dict:
    return error.value.message_dict


# --- Programs -------------------------------------------------------------------------


def test_only_admins_create_programs_and_a_program_needs_a_team(org):
    with pytest.raises(PermissionError):
        services.award_program_create(
            by=org.manager_a, name="MVP", cadence=Cadence.MONTHLY, teams=[org.team_a]
        )
    with pytest.raises(ValidationError) as error:
        services.award_program_create(
            by=org.admin, name="MVP", cadence=Cadence.MONTHLY, teams=[]
        )
    assert "teams" in _field_errors(error)
    program = services.award_program_create(
        by=org.admin,
        name="MVP",
        cadence=Cadence.QUARTERLY,
        teams=[org.team_a, org.team_b],
        winners=2,
        minimum_denominator=4,
    )
    assert set(program.teams.all()) == {org.team_a, org.team_b}
    with pytest.raises(ValidationError) as error:
        services.award_program_create(
            by=org.admin, name="MVP", cadence=Cadence.MONTHLY, teams=[org.team_a]
        )
    assert "name" in _field_errors(error)


def test_the_cadence_is_kept_once_a_period_has_a_metric(org, setup):
    program, key, _other, _steps = setup
    services.award_program_update(
        program=program, by=org.admin, cadence=Cadence.QUARTERLY
    )
    services.award_program_update(program=program, by=org.admin, cadence="monthly")
    _set(program, org.admin, key, now=BEFORE_APRIL)
    with pytest.raises(ValidationError) as error:
        services.award_program_update(
            program=program, by=org.admin, cadence=Cadence.QUARTERLY
        )
    assert "cadence" in _field_errors(error)
    program.refresh_from_db()
    assert program.cadence == Cadence.MONTHLY


def test_a_program_with_winners_is_not_deleted(org, setup):
    program, key, _other, _steps = setup
    period = award_period(program, APRIL, key, set_by=org.admin)
    period.closed_at = jst(2026, 8, 1)
    period.save()
    winner(period, org.member_a, 1, 3, 4)
    with pytest.raises(ValidationError):
        services.award_program_delete(program=program, by=org.admin)
    assert AwardPeriod.objects.filter(pk=period.pk).exists()


# --- The metric of a period -----------------------------------------------------------


def test_before_the_period_starts_the_metric_changes_freely_and_unrecorded(org, setup):
    program, key, other_key, _steps = setup
    period = _set(program, org.admin, key, now=BEFORE_APRIL)
    assert (period.start, period.end) == (date(2026, 4, 1), date(2026, 4, 30))
    second_admin = org.admin  # the same rules for whoever sets it
    later = jst(2026, 3, 25)
    changed = _set(program, second_admin, other_key, now=later)
    assert changed.pk == period.pk
    assert (changed.metric, changed.set_at) == (other_key, later)
    assert not AwardMetricChange.objects.exists()


def test_after_the_start_a_change_needs_a_reason_and_is_recorded(org, setup):
    program, key, other_key, _steps = setup
    _set(program, org.admin, key, now=BEFORE_APRIL)
    with pytest.raises(ValidationError) as error:
        _set(program, org.admin, other_key, reason="   ")
    assert "reason" in _field_errors(error)
    assert AwardPeriod.objects.get().metric == key
    _set(program, org.admin, other_key, reason="Focus on the whole journey")
    change = AwardMetricChange.objects.get()
    assert (change.old_metric, change.new_metric) == (key, other_key)
    assert (change.changed_by, change.changed_at) == (org.admin, IN_APRIL)
    assert change.reason == "Focus on the whole journey"
    # Setting the same metric again changes nothing.
    _set(program, org.admin, other_key)
    assert AwardMetricChange.objects.count() == 1


def test_a_first_metric_set_after_the_start_needs_a_reason_too(org, setup):
    program, key, _other, _steps = setup
    with pytest.raises(ValidationError) as error:
        _set(program, org.admin, key)
    assert "reason" in _field_errors(error)
    _set(program, org.admin, key, reason="Forgot to set it")
    change = AwardMetricChange.objects.get()
    assert (change.old_metric, change.new_metric) == ("", key)


def test_a_closed_period_is_locked(org, setup):
    program, key, other_key, _steps = setup
    period = award_period(program, APRIL, key, set_by=org.admin)
    period.closed_at = jst(2026, 8, 1)
    period.save()
    with pytest.raises(ValidationError) as error:
        _set(program, org.admin, other_key, reason="too late", now=jst(2026, 8, 2))
    assert "closed" in " ".join(_field_errors(error)["metric"])
    period.refresh_from_db()
    assert period.metric == key


def test_only_catalogue_metrics_with_a_denominator_can_be_set(org, setup):
    program, _key, _other, steps = setup
    for metric in (f"days_to_convert:{steps[0].pk}", "step_events_recorded", "nope"):
        with pytest.raises(ValidationError) as error:
            _set(program, org.admin, metric, now=BEFORE_APRIL)
        assert "metric" in _field_errors(error)
    _set(program, org.admin, "training_completion", now=BEFORE_APRIL)


def test_periods_follow_the_cadence(org, setup):
    program, key, _other, _steps = setup
    for wrong in ("FY2026-Q1", "last-3", "2026-13", ""):
        with pytest.raises(ValidationError) as error:
            _set(program, org.admin, key, period=wrong, now=BEFORE_APRIL)
        assert "period" in _field_errors(error)
    quarterly = AwardProgramFactory(teams=[org.team_a], cadence=Cadence.QUARTERLY)
    with pytest.raises(ValidationError):
        _set(quarterly, org.admin, key, period="2026-04", now=BEFORE_APRIL)
    period = _set(quarterly, org.admin, key, period="FY2026-Q2", now=BEFORE_APRIL)
    # Fiscal quarters start in April: Q2 is July to September.
    assert (period.start, period.end) == (date(2026, 7, 1), date(2026, 9, 30))


def test_only_admins_set_metrics(org, setup):
    program, key, _other, _steps = setup
    with pytest.raises(PermissionError):
        _set(program, org.manager_a, key, now=BEFORE_APRIL)
    assert not AwardPeriod.objects.exists()
