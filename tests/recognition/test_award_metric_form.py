"""The award metric form opens on the next period that has no metric, with no metric
chosen; every metric says when the period's winners will be known; the flow metrics
(counts, final when the month ends) are offered in their own group. The program form
explains the denominator tie-break; a closed period's status has its own context."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import trans_real

from recognition.selectors import awards as selectors
from tests.recognition.award_factories import (
    AwardProgramFactory,
    award_metric,
    award_period,
    month,
)

pytestmark = pytest.mark.django_db


def _day(moment) -> str:
    with translation.override("en"):
        return date_format(moment, "DATE_FORMAT")


def _form(client, org, program, **query):
    client.force_login(org.admin)
    return client.get(
        reverse("recognition:award_metric", args=[program.pk]), query or None
    )


def test_the_form_opens_on_the_next_period_without_a_metric(client, org):
    key, _steps = award_metric()
    program = AwardProgramFactory(teams=[org.team_a])
    award_period(program, month(0), key, set_by=org.admin)
    award_period(program, month(1), key, set_by=org.admin)
    page = _form(client, org, program)
    form = page.context["form"]
    # This month and next month have theirs: the month after next is the one to set.
    assert form["period"].value() == f"{month(2):%Y-%m}"
    assert not form["metric"].value()
    assert page.context["dates_span"].key == f"{month(2):%Y-%m}"


def test_a_new_program_opens_on_next_month_not_the_running_one(client, org):
    award_metric()
    program = AwardProgramFactory(teams=[org.team_a])
    form = _form(client, org, program).context["form"]
    assert form["period"].value() == f"{month(1):%Y-%m}"
    assert not form["metric"].value()


def test_asking_for_a_period_still_preselects_it_with_its_metric(client, org):
    key, _steps = award_metric()
    program = AwardProgramFactory(teams=[org.team_a])
    award_period(program, month(0), key, set_by=org.admin)
    form = _form(client, org, program, period=f"{month(0):%Y-%m}").context["form"]
    assert (form["period"].value(), form["metric"].value()) == (
        f"{month(0):%Y-%m}",
        key,
    )


def test_each_metric_says_when_the_winners_are_known_and_flow_metrics_are_offered(
    client, org
):
    _key, steps = award_metric()
    program = AwardProgramFactory(teams=[org.team_a])
    page = _form(client, org, program)
    html = page.text
    span = selectors.cadence_span(program.cadence, month(1))
    # A count of the month is final when the month ends: the first of the month
    # after next (00:00 in Tokyo).
    flow = f"conversions_completed:{steps[0].pk}"
    assert f'value="{flow}"' in html
    # Dates in the page language's format (English here: Jun 1, 2026).
    assert f"final on {_day(month(2))}, when the period ends" in html
    assert "Counts of the period (final when it ends)" in html
    # A conversion is final when the last window of the month's cohorts ends
    # (90 days after the month's end).
    conversion = f"step_conversion:{steps[0].pk}"
    groups = dict(selectors.metric_choices(span))
    labels = dict(groups["Journey metrics"])
    final = selectors.metrics.metric_by_key(conversion).final_at(span)
    assert f"final by {_day(final)}" in labels[conversion]
    assert flow in dict(groups["Counts of the period (final when it ends)"])


def test_the_program_form_explains_the_denominator_tie_break(client, org):
    client.force_login(org.admin)
    page = client.get(reverse("recognition:award_create"))
    assert 'name="larger_denominator_breaks_ties"' in page.text
    assert "6/8 ranks above 3/4" in page.text
    program = AwardProgramFactory(teams=[org.team_a])
    response = client.post(
        reverse("recognition:award_edit", args=[program.pk]),
        {
            "name": program.name,
            "cadence": program.cadence,
            "winners": 1,
            "minimum_denominator": 3,
            "larger_denominator_breaks_ties": "on",
            "teams": [org.team_a.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.larger_denominator_breaks_ties


def test_a_closed_period_is_closed_in_the_award_periods_context(monkeypatch):
    """Its own msgctxt, apart from a job opening's "Closed" (募集終了): with the
    award period's translation 締切, the job opening's stays."""
    catalog = trans_real.translation("ja")._catalog
    monkeypatch.setitem(catalog._catalogs[0], "award period\x04Closed", "締切")
    label = selectors.STATUS_LABELS[selectors.Status.CLOSED]
    assert str(label) == "Closed"
    with translation.override("ja"):
        assert str(label) == "締切"
        assert translation.gettext("Closed") != "締切"


def test_the_form_lists_when_the_winners_are_known_for_every_metric(client, org):
    _key, steps = award_metric()
    program = AwardProgramFactory(teams=[org.team_a])
    page = _form(client, org, program)
    assert page.text.count('data-testid="final-date"') == len(selectors.award_metrics())
    groups = dict(page.context["final_dates"])
    counts = dict(groups["Counts of the period (final when it ends)"])
    label = selectors.metrics.metric_by_key(
        f"conversions_completed:{steps[0].pk}"
    ).label
    # A count of next month is final when next month ends.
    assert counts[str(label)].startswith("final on ")
    assert counts[str(label)].endswith(", when the period ends")
