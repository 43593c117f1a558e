"""The manager dashboard and the member page: hand-checked figures of a small team
(tests/recognition/dashboard_factories.py), the heat map's standing-out cells, the
weakest transition with its playbook and training, who sees what, empty states, and
query counts that do not grow with members, accounts or events."""

import re
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import Role
from journeys.models import Coverage, CustomerAccount, Journey, PracticumReflection
from recognition import metrics
from recognition.models import RollupRun, StepRetrospective
from recognition.selectors import dashboard as selectors
from recognition.services.rollup import rollup
from tests.factories import TeamFactory, UserFactory
from tests.journeys.factories import journey_with_steps
from tests.recognition.coaching_factories import build_coaching_world
from tests.recognition.dashboard_factories import (
    APRIL,
    build_dashboard_world,
    grow,
    jst,
    owned_account,
    reach,
)

pytestmark = pytest.mark.django_db

APRIL_PERIOD = metrics.parse_period(APRIL)


@pytest.fixture
def world(org):
    return build_dashboard_world(org)


def _dashboard_url(**query) -> str:
    url = reverse("recognition:dashboard")
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _member_url(member, **query) -> str:
    url = reverse("recognition:member", args=[member.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _cell(html: str, member, metric: str) -> str:
    """The text of a member's heat-map cell (tags stripped)."""
    row = re.search(rf'data-member="{member.pk}">(.*?)</tr>', html, re.S).group(1)
    cell = re.search(rf'<td [^>]*data-metric="{metric}"[^>]*>(.*?)</td>', row, re.S)
    return _text(cell.group(0))


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _weak_metrics(html: str, member) -> set[str]:
    row = re.search(rf'data-member="{member.pk}">(.*?)</tr>', html, re.S).group(1)
    return set(re.findall(r'data-metric="([^"]+)" data-weak="true"', row))


# --- The figures of the table ---------------------------------------------------------


def test_a_row_per_member_of_the_team_with_the_hand_checked_figures(org, world):
    page = selectors.dashboard(
        viewer=org.manager_a, team=org.team_a, period=APRIL_PERIOD
    )
    (table,) = page.tables
    rows = {row.member: row for row in table.rows}
    # member_b is in team B, sub_member in the sub-team A-1.
    assert set(rows) == {org.member_a, world.member_c}
    a, c = rows[org.member_a], rows[world.member_c]
    first, second = (item for item in a.transitions)
    assert (a.accounts_owned, c.accounts_owned) == (4, 3)
    assert _counts(first.conversion) == (0.5, 2, 4)
    assert first.days.value == 13.5
    assert _counts(second.conversion) == (0.5, 1, 2)
    assert second.days.value == 10
    assert _counts(c.transitions[0].conversion) == (1.0, 3, 3)
    assert c.transitions[0].days.value == 5
    assert _counts(c.transitions[1].conversion) == (pytest.approx(1 / 3), 1, 3)
    assert c.transitions[1].days.value == 25
    assert _counts(a.journey) == (0.25, 1, 4)
    assert (a.journey.figure.provisional, a.journey.figure.final_at) == (
        True,
        jst(2026, 10, 6),
    )
    assert c.journey.figure.final_at == jst(2026, 10, 1)
    assert _counts(a.training) == (0.0, 0, 1)
    assert _counts(c.training) == (1.0, 1, 1)
    team = table.team_row
    assert team.accounts_owned == 7
    assert _counts(team.transitions[0].conversion) == (pytest.approx(5 / 7), 5, 7)
    assert team.transitions[0].days.value == 6  # median(4, 5, 6, 7, 20)
    assert _counts(team.transitions[1].conversion) == (0.4, 2, 5)
    assert team.transitions[1].days.value == 17.5  # median(10, 25)
    assert _counts(team.training) == (0.5, 1, 2)


def _counts(cell) -> tuple:
    return (cell.value, cell.figure.numerator, cell.figure.denominator)


def test_accounts_owned_today_are_the_active_accounts_of_open_coverage(org, world):
    """Per member and journey: an inactive account, a coverage period that ended and
    another owner's account are left out; another journey's account counts there."""
    other_journey, _steps = journey_with_steps(2)
    owned_account(other_journey, org.member_a)
    inactive = owned_account(world.journey, org.member_a)
    CustomerAccount.objects.filter(pk=inactive.pk).update(is_active=False)
    handed_over = owned_account(world.journey, org.member_a)
    Coverage.objects.filter(account=handed_over).update(ended_at=jst(2026, 3, 1))
    owned_account(world.journey, world.member_c)

    owned = selectors.accounts_owned([org.member_a.pk])

    assert owned == {
        (org.member_a.pk, world.journey.pk): 4,
        (org.member_a.pk, other_journey.pk): 1,
    }


def test_cells_worse_than_the_team_rate_stand_out_by_the_metric_direction(org, world):
    page = selectors.dashboard(
        viewer=org.manager_a, team=org.team_a, period=APRIL_PERIOD
    )
    (table,) = page.tables
    rows = {row.member: row for row in table.rows}
    a, c = rows[org.member_a], rows[world.member_c]
    # Step 1 → 2: the team rate is 5 of 7 = 71.4 %.
    assert table.team_row.transitions[0].conversion.value == pytest.approx(5 / 7)
    assert (a.transitions[0].conversion.weak, c.transitions[0].conversion.strong) == (
        True,
        True,
    )
    # Step 2 → 3: team rate 2 of 5 = 40 %; member_c's 33.3 % is the weak one.
    assert (a.transitions[1].conversion.strong, c.transitions[1].conversion.weak) == (
        True,
        True,
    )
    # Days: lower is better, so member_a's 13.5 days (the team's accounts: 6 days)
    # stands out.
    assert a.transitions[0].days.weak and c.transitions[0].days.strong
    assert a.journey.weak and a.training.weak
    # The team row is the reference, never marked.
    assert not any(cell.weak or cell.strong for cell in table.team_row.cells())


def test_a_weak_transition_carries_the_module_the_member_has_not_completed(org, world):
    page = selectors.dashboard(
        viewer=org.manager_a, team=org.team_a, period=APRIL_PERIOD
    )
    (table,) = page.tables
    rows = {row.member: row for row in table.rows}
    assert rows[org.member_a].transitions[0].conversion.module == world.kickoff_module
    # member_c is weak at 2 → 3 but passed its module "Setup training".
    assert rows[world.member_c].transitions[1].conversion.weak
    assert rows[world.member_c].transitions[1].conversion.module is None
    # Not weak: never marked, whatever the training.
    assert rows[org.member_a].transitions[1].conversion.module is None
    # Every cohort has fewer than 5 accounts: nothing "needs attention" (v3).
    assert table.attention is None


def test_the_page_shows_the_heat_map_with_labels_counts_and_provisional_dates(
    client, org, world
):
    client.force_login(org.manager_a)
    html = client.get(_dashboard_url(period=APRIL)).text
    step_1 = world.key("step_conversion", world.s1)
    step_2 = world.key("step_conversion", world.s2)
    journey = world.key("journey_conversion")
    cell = _cell(html, org.member_a, step_1)
    assert "50.0 %" in cell
    assert "below the team rate" in cell
    assert "2 of 4" in cell
    assert "median 13.5 days" in cell
    assert "not passed yet: Kickoff training" in cell
    assert reverse("journeys:module_detail", args=[world.kickoff_module.pk]) in html
    assert _weak_metrics(html, org.member_a) == {
        step_1,
        journey,
        "training_completion",
    }
    assert _weak_metrics(html, world.member_c) == {step_2}
    assert "provisional until Oct 6, 2026" in _cell(html, org.member_a, journey)
    assert "provisional until Oct 1, 2026" in _cell(html, world.member_c, journey)
    team_row = _text(re.search(r'data-testid="team-row">(.*?)</tr>', html, re.S)[1])
    assert "71.4 % 5 of 7 · median 6 days" in team_row
    assert "坂本" not in html and "土屋" not in html
    # Cohorts of fewer than 5 accounts: no "needs attention" banner.
    assert 'data-testid="attention"' not in html
    assert "Figures as of Sep 1, 2026" in html


def test_a_period_still_running_names_no_day_its_figures_become_final(
    client, org, world
):
    """A cohort of the running month grows until the month ends: its cell says
    provisional, not "until" the end of the window of an account in it so far."""
    this_month = metrics.this_month()
    # An hour ago, or the month's first instant in its first hour.
    when = max(timezone.now() - timedelta(hours=1), metrics.month_start(this_month))
    reach(owned_account(world.journey, org.member_a), world.s1, when)
    rollup(full=True)
    client.force_login(org.manager_a)
    html = client.get(_dashboard_url(period=f"{this_month:%Y-%m}")).text
    cell = _cell(html, org.member_a, world.key("step_conversion", world.s1))
    assert "0 of 1" in cell
    assert "provisional" in cell and "until" not in cell
    # The cell's drill-down says the same.
    cohort = client.get(
        reverse("recognition:cohort_detail", args=[org.member_a.pk, world.s1.pk]),
        {"period": f"{this_month:%Y-%m}"},
    ).text
    mark = re.search(r'data-testid="cohort-provisional">(.*?)</span>', cohort, re.S)
    assert mark and "provisional" in mark.group(1) and "final on" not in mark.group(1)


def test_a_final_cohorts_page_says_since_when_it_is_final(client, org, world):
    """member_a's April cohort of step 1 → 2: A1 and A2 converted in April, A3's
    and A4's windows ended on July 6 and July 8 (12:00 JST + 90 days)."""
    client.force_login(org.manager_a)
    url = reverse("recognition:cohort_detail", args=[org.member_a.pk, world.s1.pk])
    cohort = client.get(url, {"period": APRIL}).text
    mark = re.search(r'data-testid="cohort-final">(.*?)</span>', cohort, re.S)
    assert mark and mark.group(1) == "final since Jul 8, 2026"
    assert 'data-testid="cohort-provisional"' not in cohort
    japanese = client.get(url, {"period": APRIL}, headers={"accept-language": "ja"})
    mark = re.search(r'data-testid="cohort-final">(.*?)</span>', japanese.text, re.S)
    assert mark and mark.group(1) == "2026/07/08 に確定済み"


def test_a_quarter_aggregates_the_accounts_of_its_months(client, org, world):
    """FY2026 Q1 is April–June: step 1 → 2 has the same April cohorts, and the
    step 2 → 3 cohort of member_c adds nothing (every step 2 was in April)."""
    page = selectors.dashboard(
        viewer=org.manager_a,
        team=org.team_a,
        period=metrics.parse_period("FY2026-Q1"),
    )
    rows = {row.member: row for row in page.tables[0].rows}
    assert _counts(rows[org.member_a].transitions[0].conversion) == (0.5, 2, 4)
    assert rows[org.member_a].transitions[0].days.value == 13.5
    assert _counts(rows[world.member_c].transitions[1].conversion)[1:] == (1, 3)


def test_a_wrong_period_shows_the_default_and_says_so(client, org, world):
    client.force_login(org.manager_a)
    response = client.get(_dashboard_url(period="2026-13"))
    assert response.status_code == 200
    assert "Unknown period “2026-13”" in response.text
    default = metrics.parse_period(selectors.DEFAULT_PERIOD)
    assert f'<option value="{default.key}" selected>' in response.text


def test_the_period_selector_offers_months_quarters_and_the_last_months(
    client, org, world
):
    client.force_login(org.manager_a)
    html = client.get(_dashboard_url(period=APRIL)).text
    for key in ("2026-04", "last-3", "last-6", "last-12"):
        assert f'value="{key}"' in html
    assert re.search(r'value="FY\d{4}-Q\d"', html)
    assert '<option value="2026-04" selected>' in html


# --- Teams and who sees what ----------------------------------------------------------


def test_a_leader_switches_to_a_sub_team_they_lead(client, org, world):
    client.force_login(org.manager_a)
    html = client.get(_dashboard_url(team=org.sub_a.pk, period=APRIL)).text
    assert "土屋" in html  # sub_member
    assert "秋山" not in html


def test_another_team_answers_404_and_an_admin_picks_any_team(client, org, world):
    client.force_login(org.manager_a)
    assert client.get(_dashboard_url(team=org.team_b.pk)).status_code == 404
    assert client.get(_dashboard_url(team="abc")).status_code == 404
    assert client.get(_dashboard_url(team=2**70)).status_code == 404
    client.force_login(org.admin)
    html = client.get(_dashboard_url(team=org.team_b.pk, period=APRIL)).text
    assert f'data-member="{org.member_b.pk}"' in html
    assert "秋山" not in html


def test_a_member_who_leads_no_team_lands_on_their_own_page(client, org, world):
    client.force_login(org.member_a)
    response = client.get(_dashboard_url())
    assert response.status_code == 302
    assert response["Location"] == _member_url(org.member_a)


@pytest.mark.parametrize("role", ["interviewer", "recruiter"])
def test_other_roles_are_refused(client, org, world, role):
    client.force_login(getattr(org, role))
    assert client.get(_dashboard_url()).status_code == 403
    assert client.get(_member_url(org.member_a)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, org):
    response = client.get(_dashboard_url())
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- Empty states ---------------------------------------------------------------------


def test_a_manager_who_leads_no_team_is_told_so(client, db):
    manager = UserFactory(roles=[Role.MANAGER])
    client.force_login(manager)
    html = client.get(_dashboard_url()).text
    assert "You do not lead a team yet" in html


def test_an_admin_without_any_team_is_told_there_is_none(client, db):
    admin = UserFactory(roles=[Role.ADMIN])
    client.force_login(admin)
    html = client.get(_dashboard_url()).text
    assert "There is no team yet" in html


def test_before_the_first_rollup_the_page_says_the_figures_are_not_computed(
    client, org
):
    build_dashboard_world(org, run=False)
    client.force_login(org.manager_a)
    html = client.get(_dashboard_url(period=APRIL)).text
    assert "The figures have not been computed yet" in html
    assert "50.0 %" not in html
    assert f'data-member="{org.member_a.pk}"' in html


def test_without_a_journey_the_page_says_so(client, org):
    RollupRun.objects.create(
        started_at=jst(2026, 9, 1), as_of=jst(2026, 9, 1), finished_at=jst(2026, 9, 1)
    )
    client.force_login(org.manager_a)
    html = client.get(_dashboard_url()).text
    assert 'data-testid="no-journeys"' in html
    assert "Figures as of Sep 1, 2026" in html


def test_a_team_without_members_in_the_period_says_so(client, org):
    journey_with_steps(2)
    empty = TeamFactory(name="Empty team", leader=org.manager_a)
    client.force_login(org.manager_a)
    html = client.get(_dashboard_url(team=empty.pk)).text
    assert 'data-testid="no-members"' in html


def test_an_inactive_journey_has_no_table(client, org, world):
    Journey.objects.filter(pk=world.journey.pk).update(is_active=False)
    page = selectors.dashboard(
        viewer=org.manager_a, team=org.team_a, period=APRIL_PERIOD
    )
    assert page.tables == [] and not page.has_journeys


# --- Member page ----------------------------------------------------------------------


def test_no_weakest_transition_below_a_cohort_of_five(org, world):
    page = selectors.member_page(
        viewer=org.manager_a, member=org.member_a, period=APRIL_PERIOD
    )
    # member_a is below the team rate at 1 → 2, but with a cohort of 4 (v3: 5 at
    # least); see tests/recognition/test_team_rate.py for the rule itself.
    assert page.weakest is None
    assert page.team == org.team_a
    assert (
        page.transitions[0].team.numerator,
        page.transitions[0].team.denominator,
    ) == (
        5,
        7,
    )
    assert (page.journey.numerator, page.journey.denominator) == (1, 4)
    assert page.accounts_owned == 4


@pytest.fixture
def coaching(org):
    return build_coaching_world(org)


def test_the_member_page_links_the_playbook_and_the_training_of_the_weakest(
    client, org, coaching
):
    client.force_login(org.manager_a)
    html = client.get(_member_url(org.member_a, period=APRIL)).text
    weakest = _text(re.search(r'id="weakest"(.*?)</div></div>', html, re.S)[1])
    assert "1. Step 1 → 2. Step 2" in weakest
    assert "50.0 % (5 of 10) · team rate 76.3 %" in weakest
    assert "Not passed yet" in weakest
    assert reverse("journeys:playbook_detail", args=[coaching.playbook.pk]) in html
    assert reverse("journeys:module_detail", args=[coaching.module.pk]) in html


def test_the_plan_button_appears_for_coaches_once_the_plan_page_exists(
    client, org, coaching
):
    try:
        plan_url = reverse(
            "recognition:plan_add_transition",
            kwargs={"member_pk": org.member_a.pk, "step_pk": coaching.s1.pk},
        )
    except NoReverseMatch:
        plan_url = None
    client.force_login(org.manager_a)
    html = client.get(_member_url(org.member_a, period=APRIL)).text
    assert ('data-testid="add-to-plan"' in html) == (plan_url is not None)
    if plan_url:
        assert plan_url in html
    client.force_login(org.member_a)
    html = client.get(_member_url(org.member_a, period=APRIL)).text
    assert 'data-testid="add-to-plan"' not in html
    assert "Look back on it" in html


def test_the_member_page_draws_the_funnel_beside_the_team_and_a_trend_per_transition(
    client, org, world
):
    client.force_login(org.manager_a)
    html = client.get(_member_url(org.member_a, period=APRIL)).text
    funnel = re.search(r'data-testid="funnel">(.*?)</figure>', html, re.S)[1]
    assert "<svg" in funnel and "https://" not in funnel.replace(
        "http://www.w3.org", ""
    )
    assert "秋山: 50.0 % (2/4)" in funnel
    assert "Team A: 71.4 % (5/7)" in funnel
    assert "25.0 % (1/4) *" in funnel  # the journey, provisional
    trends = re.findall(r'data-testid="trend">(.*?)</figure>', html, re.S)
    assert len(trends) == 2
    assert "Apr 2026: 50.0 % (2/4)" in trends[0]
    assert "Apr 2026: team rate 71.4 % (5/7)" in trends[0]  # the team's point


def test_the_member_page_shows_practicum_reflections_and_retrospectives(
    client, org, world
):
    PracticumReflection.objects.create(
        member=org.member_a, step=world.s2, what_was_hard="設定項目が多すぎる"
    )
    StepRetrospective.objects.create(
        member=org.member_a,
        period=APRIL,
        from_step=world.s1,
        next_time="チェックリストを先に送る",
    )
    client.force_login(org.manager_a)
    html = client.get(_member_url(org.member_a, period=APRIL)).text
    assert "設定項目が多すぎる" in html
    assert "チェックリストを先に送る" in html


def test_a_member_sees_their_own_page_and_nobody_else_s(client, org, world):
    client.force_login(org.member_a)
    assert client.get(_member_url(org.member_a)).status_code == 200
    assert client.get(_member_url(world.member_c)).status_code == 404
    client.force_login(org.manager_a)
    assert client.get(_member_url(org.member_b)).status_code == 404
    assert client.get(_member_url(org.sub_member)).status_code == 200
    assert client.get(reverse("recognition:member", args=[10**9])).status_code == 404


def test_the_member_page_offers_each_journey_and_ignores_a_wrong_one(
    client, org, world
):
    other, _steps = journey_with_steps(2, name="Expansion")
    client.force_login(org.manager_a)
    html = client.get(_member_url(org.member_a, period=APRIL, journey=other.pk)).text
    assert f'<option value="{other.pk}" selected>Expansion' in html
    assert 'data-testid="no-weakest"' in html
    html = client.get(_member_url(org.member_a, period=APRIL, journey="x")).text
    # By default the journey where the member has the largest cohorts.
    assert f'<option value="{world.journey.pk}" selected>' in html


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("period", [APRIL, "FY2026-Q1"])
def test_the_dashboard_runs_as_many_queries_for_many_members_and_accounts(
    client, org, world, django_assert_max_num_queries, period
):
    client.force_login(org.manager_a)
    url = _dashboard_url(period=period)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(world, members=8, accounts_each=6)
    with django_assert_max_num_queries(len(few)):
        html = client.get(url).text
    assert html.count('data-testid="member-row"') == 10


@pytest.mark.parametrize("period", [APRIL, "last-6"])
def test_the_member_page_runs_as_many_queries_for_many_accounts_and_events(
    client, org, world, django_assert_max_num_queries, period
):
    StepRetrospective.objects.create(
        member=org.member_a, period=APRIL, from_step=world.s1, went_well="ok"
    )
    client.force_login(org.manager_a)
    url = _member_url(org.member_a, period=period)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    grow(world, members=8, accounts_each=6)
    for month in range(1, 4):
        StepRetrospective.objects.create(
            member=org.member_a,
            period=f"2026-0{month}",
            from_step=world.s1,
            went_well="ok",
        )
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_the_trend_covers_the_twelve_months_up_to_the_current_one():
    months = selectors.trend_months(today=date(2026, 11, 23))
    assert (months[0], months[-1], len(months)) == (
        date(2025, 12, 1),
        date(2026, 11, 1),
        12,
    )


def test_a_journey_the_team_does_not_work_on_is_left_out(client, org, world):
    journey_with_steps(3, name="Tech-touch journey")
    client.force_login(org.manager_a)
    html = client.get(_dashboard_url(period=APRIL)).text
    assert "Tech-touch journey" not in html
    assert world.journey.name in html


def test_median_days_read_with_their_unit_on_the_member_page(client, org, world):
    """Days carry their unit (13.5 days / 13.5日), never a bare "d"."""
    client.force_login(org.manager_a)
    row = re.search(
        rf'data-testid="transition-row" data-step="{world.s1.pk}"[^>]*>(.*?)</tr>',
        client.get(_member_url(org.member_a, period=APRIL)).text,
        re.S,
    ).group(1)
    assert "13.5 days" in _text(row) and "6 days" in _text(row)
    assert " d<" not in row
    client.cookies["django_language"] = "ja"
    row = re.search(
        rf'data-testid="transition-row" data-step="{world.s1.pk}"[^>]*>(.*?)</tr>',
        client.get(_member_url(org.member_a, period=APRIL)).text,
        re.S,
    ).group(1)
    assert "13.5日" in _text(row) and "6日" in _text(row)


def test_in_days_reads_one_day_and_fractions():
    from django.utils import translation

    from recognition.templatetags.recognition import in_days

    assert in_days(1) == "1 day"
    assert in_days(25.5) == "25.5 days"
    assert in_days(None) == "—" and in_days("—") == "—"
    with translation.override("ja"):
        assert in_days(7) == "7日"


def test_summary_cards_of_a_member_without_a_cohort_read_cleanly(client, org, world):
    """No cohort of their own: the team rate alone, not "· team rate …"."""
    from tests.recognition.dashboard_factories import team_member

    newcomer = team_member(org.team_a, "newcomer", "新人")
    client.force_login(org.manager_a)
    html = client.get(_member_url(newcomer, period=APRIL)).text
    detail = re.search(
        r'data-testid="journey-conversion-detail">(.*?)</div>', html, re.S
    ).group(1)
    assert _text(detail).startswith("team rate")


def test_the_summary_marks_a_provisional_journey_conversion(client, org, world):
    """As the heat map does (provisional until Oct 6, 2026) and the home does."""
    client.force_login(org.manager_a)
    html = client.get(_member_url(org.member_a, period=APRIL)).text
    card = re.search(r'data-testid="journey-conversion">(.*?)</div>', html, re.S)
    assert 'data-testid="summary-provisional"' in card.group(1)
