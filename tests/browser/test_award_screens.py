"""The live leaderboard and the award metric form in Japanese, in a real browser:
distances to the place above, who is close to qualifying, the metric form opening
on the next period without a metric, the navbar's unread notices. Screenshots go
to test-artifacts/."""

import pytest
from django.urls import reverse

from accounts.services import notify
from tests.browser.conftest import ARTIFACTS
from tests.factories import TEST_PASSWORD, TeamFactory
from tests.journeys.factories import journey_with_steps
from tests.recognition.award_factories import (
    AwardProgramFactory,
    award_period,
    figure,
    member_of,
    month,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login_ja(page, org, url):
    org.admin.preferred_language = "ja"
    org.admin.save(update_fields=["preferred_language"])
    page.goto(url)
    page.fill("#id_username", "admin")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_load_state()


def test_the_live_leaderboard_in_japanese(page, org):
    _journey, steps = journey_with_steps(3, name="オンボーディング")
    key = f"step_conversion:{steps[0].pk}"
    team = TeamFactory(name="東京チーム")
    program = AwardProgramFactory(
        name="月間MVP", teams=[team], winners=1, minimum_denominator=3
    )
    award_period(program, month(0), key, set_by=org.admin)
    for family, given, numerator, denominator in (
        ("佐藤", "花子", 4, 5),
        ("鈴木", "一郎", 3, 4),
        ("高橋", "健", 3, 4),
        ("田中", "美咲", 2, 2),
    ):
        member = member_of(team, family_name=family, given_name=given)
        figure(member, key, month(0), numerator, denominator)
    notify(users=[org.admin], kind="award_won", params={"program": "x"})
    _login_ja(page, org, reverse("recognition:award_leaderboard", args=[program.pk]))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "awards_leaderboard_ja.png", full_page=True)
    gaps = page.get_by_test_id("gap").all_inner_texts()
    assert len(gaps) == 3 and gaps[0] == "—"
    assert page.get_by_test_id("qualifying").is_visible()
    assert page.get_by_test_id("notices-unread").inner_text().startswith("1")


def test_the_award_metric_form_in_japanese(page, org):
    journey_with_steps(3, name="オンボーディング")
    program = AwardProgramFactory(name="月間MVP", teams=[org.team_a])
    _login_ja(page, org, reverse("recognition:award_metric", args=[program.pk]))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "awards_metric_form_ja.png", full_page=True)
    assert page.locator("#id_period").input_value() == f"{month(1):%Y-%m}"
    assert page.locator("#id_metric").input_value() == ""


def test_the_ladder_with_tracks_in_japanese(page, org):
    from recognition.models import CareerTrack, PromotionStep
    from tests.recognition.development_factories import ladder, step_up

    csm, senior = ladder("CSM", "シニアCSM")
    step_up(csm, senior, metric_criteria=[("training_completion", "gte", 0.8, 3)])
    track = CareerTrack.objects.create(name="SMBプール", team=org.team_b)
    PromotionStep.objects.create(track=track, from_level=csm, to_level=senior)
    _login_ja(page, org, reverse("recognition:ladder") + f"?track={track.pk}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "ladder_tracks_ja.png", full_page=True)
    assert len(page.get_by_test_id("track").all()) == 2


def test_the_notices_page_in_japanese(page, org):
    notify(
        users=[org.admin],
        kind="award_closed",
        params={
            "program": "月間MVP",
            "period": "2026-04",
            "winners": [[1, "佐藤 花子"]],
        },
        link="/",
        key="a",
    )
    notify(
        users=[org.admin],
        kind="award_won",
        params={"program": "月間MVP", "period": "2026-05", "rank": 1},
        key="b",
    )
    _login_ja(page, org, reverse("accounts:notice_list"))
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "notices_ja.png", full_page=True)
    assert len(page.get_by_test_id("notice").all()) == 2
    page.get_by_test_id("read-all").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("notices-unread").count() == 0
