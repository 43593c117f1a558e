"""Success plans in a real browser: a member finds an account whose outcome is at
risk from their home page, records the latest reading of the measure that is
behind, and the account leaves the at-risk list. The member reads Japanese (the
screenshots show the page as they see it)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from journeys.models import OutcomeKind, SuccessMeasure, SuccessPlan, SuccessProgress
from tests.browser.conftest import ARTIFACTS, log_in
from tests.journeys.factories import CustomerAccountFactory, StepEventFactory
from tests.journeys.success_factories import journey_with_value_points

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"success_plan_{name}.png", full_page=True)


def test_a_member_records_progress_and_the_outcome_is_no_longer_at_risk(page, org):
    today = timezone.localdate()
    journey, steps = journey_with_value_points()
    account = CustomerAccountFactory(
        name="株式会社アクメ", journey=journey, owner=org.member_a
    )
    StepEventFactory(
        account=account, step=steps[0], reached_at=timezone.now() - timedelta(40)
    )
    StepEventFactory(
        account=account, step=steps[1], reached_at=timezone.now() - timedelta(20)
    )
    plan = SuccessPlan.objects.create(
        account=account,
        outcome="問い合わせ対応の工数を半年で半分にして、その時間を企画業務に回したい。",
        outcome_kind=OutcomeKind.COST,
        customer_owner="佐藤 真理子",
        customer_owner_title="カスタマーサポート部長",
    )
    measure = SuccessMeasure.objects.create(
        plan=plan,
        name="月間の問い合わせ対応時間",
        unit="時間",
        baseline=Decimal(400),
        baseline_on=today - timedelta(days=90),
        target=Decimal(200),
        target_on=today + timedelta(days=90),
    )
    measure.value_points.set([steps[1], steps[3]])
    SuccessProgress.objects.create(
        measure=measure, measured_on=today - timedelta(days=60), value=Decimal(390)
    )
    CustomerAccountFactory(name="Other Co", journey=journey, owner=org.member_b)
    org.member_a.preferred_language = "ja"
    org.member_a.save(update_fields=["preferred_language"])

    page.goto(reverse("home"))
    log_in(page, "member_a")
    page.wait_for_selector('[data-testid="outcomes-at-risk"]')
    card = page.locator('[data-testid="outcomes-at-risk"]')
    assert "株式会社アクメ" in card.inner_text()
    card.locator(f'a[href="{reverse("journeys:success_at_risk")}"]').click()
    page.wait_for_url("**" + reverse("journeys:success_at_risk"))
    rows = page.locator('[data-testid="at-risk-row"]')
    assert rows.count() == 1
    assert "月間の問い合わせ対応時間" in rows.first.inner_text()
    _shot(page, "1_at_risk")

    rows.first.get_by_role("link", name="株式会社アクメ").click()
    page.wait_for_selector("#success-plan")
    box = page.locator(f'[data-measure="{measure.pk}"]')
    assert box.get_attribute("data-status") == "behind"
    _shot(page, "2_account_at_risk")

    box.locator('[data-testid="record-progress"]').click()
    page.wait_for_selector("#id_value")
    # A reading dated tomorrow is refused on its field; what was typed stays.
    page.fill("#id_measured_on", (today + timedelta(days=1)).isoformat())
    page.fill("#id_value", "290")
    page.click('[data-testid="save-progress"]')
    page.wait_for_selector(".invalid-feedback")
    assert page.input_value("#id_value") == "290"
    page.fill("#id_measured_on", today.isoformat())
    page.fill("#id_note", "先月の月次報告より")
    page.click('[data-testid="save-progress"]')
    page.wait_for_selector(".alert-success")
    box = page.locator(f'[data-measure="{measure.pk}"]')
    assert box.get_attribute("data-status") == "on_track"
    assert page.locator('[data-testid="plan-state"]').count() == 0
    entry = SuccessProgress.objects.latest("recorded_at")
    assert (entry.recorded_by, entry.value, entry.note) == (
        org.member_a,
        Decimal(290),
        "先月の月次報告より",
    )
    page.locator("#success-plan").scroll_into_view_if_needed()
    _shot(page, "3_recorded")

    page.goto(reverse("journeys:success_at_risk"))
    page.wait_for_selector('[data-testid="at-risk-empty"]')
    assert page.locator('[data-testid="at-risk-row"]').count() == 0


def test_a_manager_presents_the_months_successes(page, org):
    """The sharing meeting of a hand-made month, as the team's manager sees it."""
    from datetime import UTC, date, datetime

    from recognition.models import AccountValuePoint

    journey, steps = journey_with_value_points()
    account = CustomerAccountFactory(
        name="株式会社アクメ", journey=journey, owner=org.member_a
    )
    plan = SuccessPlan.objects.create(
        account=account,
        outcome="問い合わせ対応の工数を半年で半分にして、その時間を企画業務に回したい。",
        outcome_kind=OutcomeKind.COST,
        customer_owner="佐藤 真理子",
    )
    measure = SuccessMeasure.objects.create(
        plan=plan,
        name="月間の問い合わせ対応時間",
        unit="時間",
        baseline=Decimal(400),
        baseline_on=date(2026, 1, 1),
        target=Decimal(200),
        target_on=date(2026, 6, 30),
    )
    SuccessProgress.objects.create(
        measure=measure, measured_on=date(2026, 3, 25), value=Decimal(195)
    )
    AccountValuePoint.objects.create(
        account=account,
        journey=journey,
        step=steps[1],
        member=org.member_a,
        team=org.team_a,
        cohort_month=date(2026, 1, 1),
        computed_at=datetime(2026, 3, 3, tzinfo=UTC),
        started_at=datetime(2026, 1, 5, tzinfo=UTC),
        deadline=datetime(2026, 2, 4, tzinfo=UTC),
        reached_at=datetime(2026, 3, 3, tzinfo=UTC),
        on_time=False,
    )
    org.manager_a.preferred_language = "ja"
    org.manager_a.save(update_fields=["preferred_language"])
    url = reverse("recognition:sharing_meeting") + "?month=2026-03"
    page.goto(url)
    log_in(page, "manager_a")
    page.wait_for_selector('[data-testid="outcome-reached"]')
    assert "月間の問い合わせ対応時間" in page.inner_text("main")
    assert page.locator('[data-testid="value-point-reached"]').count() == 1
    _shot(page, "4_sharing_meeting")
    page.emulate_media(media="print")
    _shot(page, "5_sharing_meeting_print")
