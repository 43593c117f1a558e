"""Development plans in the coaching loop: the CSV downloads of the plan list and
of one plan (targets, actions and check-ins as rows), who may download them, their
query counts, a provisional "after" said so instead of a fall to 0 %, and the
trend charts' provisional months drawn dashed with the date they become final."""

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from recognition import metrics
from recognition.metrics import Metric, Unit
from recognition.models import PlanStatus, PlanTarget
from recognition.selectors.dashboard import Trend, TrendPoint
from recognition.selectors.figures import FigureValue
from recognition.services import development as services
from recognition.services.rollup import rollup
from recognition.templatetags.recognition import trend_chart
from tests.exports import body
from tests.exports import rows as csv_rows
from tests.factories import TeamMembershipFactory
from tests.journeys.factories import journey_with_steps
from tests.recognition.dashboard_factories import (
    APRIL,
    NOW,
    build_dashboard_world,
    jst,
    owned_account,
    reach,
)
from tests.recognition.development_factories import complete_months, conversions

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate()


def _plan(org, member, step, *, text="Shadow a senior"):
    services.plan_update(
        member=member,
        by=org.manager_a,
        summary="=Focus on onboarding",
        status=PlanStatus.AT_RISK,
        focus_competencies=[],
    )
    services.target_set(
        member=member,
        by=org.manager_a,
        metric=f"step_conversion:{step.pk}",
        target_value=0.6,
        by_date=_today() + timedelta(days=60),
    )
    services.action_add(member=member, by=org.manager_a, text=text, due_date=_today())
    services.check_in_add(
        member=member,
        by=org.manager_a,
        held_on=_today(),
        text="Going well",
        status=PlanStatus.ON_TRACK,
    )


def test_a_plan_downloads_with_its_targets_actions_and_check_ins(client, org):
    _journey, steps = journey_with_steps(2)
    _plan(org, org.member_a, steps[0])
    client.force_login(org.manager_a)
    page = client.get(reverse("recognition:plan_detail", args=[org.member_a.pk])).text
    url = reverse("recognition:plan_export", args=[org.member_a.pk])
    assert url in page
    response = client.get(url)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "development-plan-member_a" in response["Content-Disposition"]
    assert body(response).startswith(b"\xef\xbb\xbf")
    table = csv_rows(response)
    assert table[0] == [
        "Kind",
        "What",
        "Target",
        "Date",
        "Before",
        "After",
        "After: provisional until",
        "Now",
        "Status",
        "By",
    ]
    kinds = [row[0] for row in table[1:]]
    assert kinds == ["Plan", "Target", "Action", "Check-in"]
    plan, target, action, check_in = table[1:]
    # A summary that would run as a formula is neutralised.
    # The check-in's status became the plan's.
    assert plan[1] == "'=Focus on onboarding" and plan[8] == "On track"
    assert target[2] == "≥ 60.0 %"
    assert target[3] == (_today() + timedelta(days=60)).isoformat()
    assert target[9] == org.manager_a.display_name
    assert action[1:4] == ["Shadow a senior", "", _today().isoformat()]
    assert action[8] == "Open"
    assert check_in[1] == "Going well" and check_in[8] == "On track"
    assert check_in[9] == org.manager_a.display_name


def test_the_member_downloads_their_own_plan_and_another_team_gets_404(client, org):
    _journey, steps = journey_with_steps(2)
    _plan(org, org.member_a, steps[0])
    url = reverse("recognition:plan_export", args=[org.member_a.pk])
    client.force_login(org.member_a)
    assert client.get(url).status_code == 200
    for outsider in (org.manager_b, org.member_b):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    client.force_login(org.interviewer)
    assert client.get(url).status_code == 403


def test_the_plan_list_downloads_what_the_viewer_sees(client, org):
    _journey, steps = journey_with_steps(2)
    _plan(org, org.member_a, steps[0])
    client.force_login(org.manager_a)
    listing = client.get(reverse("recognition:plan_list")).text
    assert reverse("recognition:plan_list_export") in listing
    table = csv_rows(client.get(reverse("recognition:plan_list_export")))
    assert table[0] == [
        "Member",
        "Username",
        "Status",
        "Targets",
        "Open actions",
        "Overdue actions",
        "Last check-in",
        "Last assessed",
    ]
    by_username = {row[1]: row for row in table[1:]}
    # manager_a sees member_a and sub_member (a sub-team), not member_b.
    assert set(by_username) == {"member_a", "sub_member"}
    assert by_username["member_a"][2:7] == [
        "On track",
        "1",
        "1",
        "0",
        _today().isoformat(),
    ]
    assert by_username["sub_member"][2] == "No plan"
    # The status filter applies to the download too.
    filtered = csv_rows(
        client.get(reverse("recognition:plan_list_export") + "?status=none")
    )
    assert [row[1] for row in filtered[1:]] == ["sub_member"]
    client.force_login(org.member_b)
    own = csv_rows(client.get(reverse("recognition:plan_list_export")))
    assert [row[1] for row in own[1:]] == ["member_b"]


@pytest.mark.parametrize("count", [1, 10])
def test_the_plan_exports_query_counts_do_not_grow(
    client, org, count, django_assert_max_num_queries
):
    _journey, steps = journey_with_steps(2)
    for _number in range(count):
        member = TeamMembershipFactory(team=org.team_a).user
        _plan(org, member, steps[0])
        services.action_add(member=org.member_a, by=org.manager_a, text="More")
    _plan(org, org.member_a, steps[0])
    client.force_login(org.manager_a)
    with django_assert_max_num_queries(10):
        table = csv_rows(client.get(reverse("recognition:plan_list_export")))
    assert len(table) == count + 3
    with django_assert_max_num_queries(25):
        table = csv_rows(
            client.get(reverse("recognition:plan_export", args=[org.member_a.pk]))
        )
    assert len(table) == 1 + 1 + 1 + (count + 1) + 1


# --- Provisional figures ------------------------------------------------------------


def test_a_provisional_after_says_so_with_its_final_date(client, org):
    """The target was set two months ago; the one complete month since holds a
    cohort of 3 still inside its windows, none converted yet: not a fall to 0 %."""
    _journey, steps = journey_with_steps(3)
    step = steps[1]
    last = complete_months(1)[0]
    _plan(org, org.member_a, step)
    PlanTarget.objects.update(set_at=metrics.month_start(last) - timedelta(days=10))
    conversions(org.member_a, step, last, converted=0, cohort=3, provisional=True)
    client.force_login(org.manager_a)
    page = client.get(reverse("recognition:plan_detail", args=[org.member_a.pk])).text
    after = re.search(r'data-testid="target-after">(.*?)</div>', page, re.S).group(1)
    assert "provisional" in after and "0.0 %" not in after
    note = re.search(
        r'data-testid="target-after-provisional">(.*?)</div>', page, re.S
    ).group(1)
    assert "0.0 % (0/3) so far, final on" in note
    member_page = client.get(reverse("recognition:member", args=[org.member_a.pk])).text
    cell = re.search(
        r'data-testid="member-target-after">(.*?)</td>', member_page, re.S
    ).group(1)
    assert "provisional, final on" in cell
    # The member page reads like the plan: the figure so far beside the mark.
    assert "0.0 % (0/3) so far" in cell
    # The running month is named as everywhere else, in Japanese too.
    assert "(running)</th>" in page
    client.cookies["django_language"] = "ja"
    ja_page = client.get(reverse("recognition:plan_detail", args=[org.member_a.pk]))
    assert "（集計中）</th>" in ja_page.text and " (集計中)" not in ja_page.text
    client.cookies["django_language"] = "en"
    # The CSV says until when.
    table = csv_rows(
        client.get(reverse("recognition:plan_export", args=[org.member_a.pk]))
    )
    target = next(row for row in table if row[0] == "Target")
    assert target[5] == "0.0 % (0/3)" and target[6]


def test_trend_charts_draw_provisional_months_dashed_with_their_final_date(client, org):
    """member_a at step 1 → 2, as of the rollup of 2026-09-01: April's and May's
    cohorts are final, July's and August's still inside their windows."""
    world = build_dashboard_world(org, run=False)
    for month in (5, 7, 8):
        reach(owned_account(world.journey, org.member_a), world.s1, jst(2026, month, 3))
    rollup(now=NOW, full=True)
    client.force_login(org.manager_a)
    page = client.get(
        reverse("recognition:member", args=[org.member_a.pk]) + f"?period={APRIL}"
    ).text
    chart = re.findall(r'data-testid="trend">(.*?)</figure>', page, re.S)[0]
    lines = re.findall(r'<polyline [^>]*class="line-member([^"]*)"', chart)
    assert any("line-provisional" in line for line in lines)
    assert any("line-provisional" not in line for line in lines)
    note = re.search(r'data-testid="trend-provisional">(.*?)</p>', chart, re.S)
    assert note and "final on" in note.group(1)


def test_the_running_month_is_named_as_still_running_under_the_trend():
    """The running month's figure so far (often 0 %) is drawn pale and said to be
    running, so it does not read as a final fall."""
    metric = Metric(
        "step_conversion:1", "step_conversion", "x", Unit.PERCENT, "higher", ""
    )
    final = FigureValue(0.5, 1, 2)
    waiting = FigureValue(
        0.25, 1, 4, provisional=True, final_at=datetime(2026, 12, 20, tzinfo=UTC)
    )
    so_far = FigureValue(0.0, 0, 3, provisional=True)
    trend = Trend(
        transition=SimpleNamespace(conversion=metric, label="A → B"),
        points=[
            TrendPoint(date(2026, 10, 1), final, final, running=False),
            TrendPoint(date(2026, 11, 1), waiting, waiting, running=False),
            TrendPoint(date(2026, 12, 1), so_far, so_far, running=True),
        ],
    )
    chart = trend_chart(trend)
    assert [item["final_at"] is None for item in chart["provisional_months"]] == [
        False,
        True,
    ]
    assert [dot["open"] for dot in chart["dots"]] == [False, True, True]
    assert [line["provisional"] for line in chart["member_lines"]] == [True]


def test_the_running_month_names_no_final_day_though_an_account_in_it_has_one():
    """The running month's cohort grows until the month ends: the end of the window
    of an account in it so far is not the day the month's figure becomes final
    (seen in the demo: "December final on 2027/01/03" on December 7)."""
    metric = Metric(
        "step_conversion:1", "step_conversion", "x", Unit.PERCENT, "higher", ""
    )
    window_end = datetime(2027, 1, 3, 3, tzinfo=UTC)
    so_far = FigureValue(0.0, 0, 2, provisional=True, final_at=window_end)
    trend = Trend(
        transition=SimpleNamespace(conversion=metric, label="A → B"),
        points=[TrendPoint(date(2026, 12, 1), so_far, so_far, running=True)],
    )
    chart = trend_chart(trend)
    assert [item["final_at"] for item in chart["provisional_months"]] == [None]
    (dot,) = chart["dots"]
    (team_dot,) = chart["team_dots"]
    for title in (dot["title"], team_dot["title"]):
        assert title.endswith(" · provisional") and "final on" not in title
