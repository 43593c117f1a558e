"""The revenue KPIs where the catalogue is used: award metrics (they have a
denominator, final when the month ends), plan targets and promotion criteria (NRR
may pass 100 %, GRR may not), the catalogue API."""

import pytest
from django.core.exceptions import ValidationError

from recognition import metrics
from recognition.forms.development import TargetForm
from recognition.forms.promotion import MetricCriterionForm
from recognition.metrics import Family
from recognition.selectors.awards import award_metrics
from recognition.services.development import check_metric_value

pytestmark = pytest.mark.django_db


def test_award_metrics_offer_the_revenue_shares_not_the_amounts():
    keys = {metric.key for metric in award_metrics()}
    assert {
        Family.NRR,
        Family.GRR,
        Family.UPSELL,
        Family.EXPANSION,
        Family.CROSS_SELL,
        Family.DOWNSELL,
        Family.CHURNED_ARR,
        Family.LOGO_CHURN,
        Family.ARR_PER_CSM,
        Family.ACCOUNTS_PER_CSM,
    } <= keys
    assert Family.NEW_ARR not in keys


def test_nrr_targets_may_pass_100_percent_grr_ones_may_not():
    nrr = metrics.metric_by_key(Family.NRR)
    grr = metrics.metric_by_key(Family.GRR)
    check_metric_value(nrr, 1.1)
    with pytest.raises(ValidationError):
        check_metric_value(grr, 1.1)
    check_metric_value(metrics.metric_by_key(Family.ARR_PER_CSM), 50_000_000)


def test_the_target_form_takes_110_percent_nrr():
    form = TargetForm(
        data={"metric": Family.NRR, "target_value": "110", "by_date": "2026-12-31"}
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["value"] == pytest.approx(1.1)
    form = TargetForm(
        data={"metric": Family.GRR, "target_value": "110", "by_date": "2026-12-31"}
    )
    assert not form.is_valid()
    assert "target_value" in form.errors


def test_a_promotion_criterion_on_nrr():
    form = MetricCriterionForm(
        data={"metric": Family.NRR, "comparison": "gte", "value": "105", "months": 3}
    )
    form.is_valid()
    assert "value" not in form.errors
    assert form.cleaned_data["value"] == pytest.approx(1.05)


def test_the_catalogue_api_lists_them(api_client, org):
    api_client.force_authenticate(org.member_a)
    response = api_client.get("/api/v1/metrics/", {"family": Family.ARR_PER_CSM})
    assert response.status_code == 200
    rows = response.json()
    rows = rows["results"] if isinstance(rows, dict) else rows
    assert [(row["key"], row["unit"]) for row in rows] == [(Family.ARR_PER_CSM, "yen")]
