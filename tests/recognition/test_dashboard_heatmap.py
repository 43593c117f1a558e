"""The coaching loop's heat map (METRICS.md v3: team rate, weakest transition,
provisional and final): cells graded by their distance to the team rate, sortable
columns, "final cohorts only", the drill-down to a cohort's accounts, the CSV
export, "add to plan" from any transition and the admin's default team.

Figures of the small team of tests/recognition/dashboard_factories.py, April 2026:
- step 1 → 2: team rate 5 of 7 = 71.4 %; member_a 2 of 4 = 50 % (−21.4 pt, at
  least 15 pt worse: "worse-2"), member_c 3 of 3 = 100 % (+28.6 pt: "better-2");
- step 2 → 3: team rate 2 of 5 = 40 %; member_a 1 of 2 = 50 % (+10 pt:
  "better-1"), member_c 1 of 3 = 33.3 % (−6.7 pt: "worse-1");
- journey 1 → 3: team 2 of 7 = 28.6 %, member_a 1 of 4 = 25 % (−3.6 pt), both
  provisional on 2026-09-01 (windows open until October);
- training: member_a 0 of 1 against the team's 1 of 2 (−50 pt: "worse-2").
"""

import re
from datetime import date, timedelta
from fractions import Fraction

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Team
from journeys.services import account_assign_owner
from recognition import metrics
from recognition.metrics import Family
from recognition.selectors import dashboard as selectors
from recognition.selectors.figures import FigureValue
from recognition.services.rollup import rollup
from tests.exports import rows as csv_rows
from tests.factories import TeamFactory
from tests.recognition.dashboard_factories import (
    APRIL,
    NOW,
    build_dashboard_world,
    grow,
    jst,
    owned_account,
    reach,
    team_member,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    return build_dashboard_world(org)


def _url(name="recognition:dashboard", *args, **query) -> str:
    url = reverse(name, args=args)
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def _row(html: str, member) -> str:
    return re.search(rf'data-member="{member.pk}">(.*?)</tr>', html, re.S).group(1)


def _cell(html: str, member, metric: str) -> str:
    found = re.search(
        rf'<td [^>]*data-metric="{metric}"[^>]*>(.*?)</td>', _row(html, member), re.S
    )
    return found.group(0)


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def _order(html: str) -> list[int]:
    return [
        int(pk)
        for pk in re.findall(r'data-testid="member-row" data-member="(\d+)"', html)
    ]


# --- Graded colours ---------------------------------------------------------------


def test_cells_are_graded_by_their_distance_to_the_team_rate(client, org, world):
    client.force_login(org.manager_a)
    html = client.get(_url(period=APRIL)).text
    a, c = org.member_a, world.member_c
    step_1, step_2 = (
        world.key("step_conversion", world.s1),
        world.key("step_conversion", world.s2),
    )
    grades = {
        (a, step_1): "worse-2",
        (c, step_1): "better-2",
        (a, step_2): "better-1",
        (c, step_2): "worse-1",
        (a, world.key("journey_conversion")): "worse-1",
        (c, world.key("journey_conversion")): "better-1",
        (a, "training_completion"): "worse-2",
        (c, "training_completion"): "better-2",
    }
    for (member, metric), grade in grades.items():
        cell = _cell(html, member, metric)
        assert f"heat-{grade}" in cell, (member, metric)
        assert f'data-grade="{grade}"' in cell
    # The colour is not the only signal: the distance is written in the cell
    # and in its title.
    cell = _cell(html, a, step_1)
    assert "−21.4 pt vs team" in _text(cell)
    assert 'title="−21.4 pt against the team rate 71.4 %"' in cell
    assert "+10.0 pt vs team" in _text(_cell(html, a, step_2))
    assert "−6.7 pt vs team" in _text(_cell(html, c, step_2))
    # The five grades have their legend, and the stylesheet defines each.
    legend = re.search(r'data-testid="grade-legend">(.*?)</p>', html, re.S).group(1)
    css = (settings.BASE_DIR / "static/recognition/recognition.css").read_text()
    for grade in selectors.GRADES:
        assert f"heat-{grade}" in legend
        assert f".heat-{grade} {{" in css
    # The team rows are the reference, never graded.
    team_row = re.search(r'data-testid="team-row">(.*?)</tr>', html, re.S).group(1)
    assert "data-grade" not in team_row


def _figure(numerator, denominator):
    return FigureValue(
        value=numerator / denominator, numerator=numerator, denominator=denominator
    )


def _rate():
    return metrics.Metric(
        key="step_conversion:1",
        family=Family.STEP_CONVERSION,
        label="1 → 2",
        unit=metrics.Unit.PERCENT,
        direction=metrics.HIGHER,
        denominator="accounts",
    )


@pytest.mark.parametrize(
    ("member", "team", "expected"),
    [
        ((2, 4), (3, 6), "even"),  # 50 % and 50 %: equal, exactly
        ((1, 4), (2, 5), "worse-2"),  # 25 % against 40 %: exactly 15 pt worse
        ((3, 10), (4, 10), "worse-1"),  # 10 pt worse
        ((11, 20), (2, 5), "better-2"),  # 55 % against 40 %: +15 pt
        ((2, 3), (3, 5), "better-1"),  # 66.7 % against 60 %: +6.7 pt
    ],
)
def test_the_grade_is_computed_exactly_at_its_boundaries(member, team, expected):
    metric = _rate()
    assert selectors.grade(metric, _figure(*member), _figure(*team)) == expected
    assert selectors.grade(metric, FigureValue(value=None), _figure(*team)) == ""


def test_days_are_graded_by_the_metric_direction(org, world):
    page = selectors.dashboard(
        viewer=org.manager_a, team=org.team_a, period=metrics.parse_period(APRIL)
    )
    (table,) = page.tables
    rows = {row.member: row for row in table.rows}
    # Median days 1 → 2: member_a 13.5 against the team's 6 (more is worse),
    # member_c 5 (fewer is better: 1/6 faster, at least 15 %).
    assert rows[org.member_a].transitions[0].days.grade == "worse-2"
    assert rows[world.member_c].transitions[0].days.grade == "better-2"
    assert rows[org.member_a].transitions[0].conversion.difference == Fraction(
        1, 2
    ) - Fraction(5, 7)


# --- Sorting ------------------------------------------------------------------------


def test_columns_sort_on_the_server_and_the_sort_stays_in_the_urls(client, org, world):
    member_d = team_member(org.team_a, "member_d", "土井")  # no cohort in April
    rollup(now=NOW, full=True)
    client.force_login(org.manager_a)
    step = f"step-{world.s1.pk}"
    a, c, d = org.member_a.pk, world.member_c.pk, member_d.pk

    best_first = client.get(_url(period=APRIL, sort=f"-{step}")).text
    assert _order(best_first) == [c, a, d]  # 100 %, 50 %, no cohort last
    worst_first = client.get(_url(period=APRIL, sort=step)).text
    assert _order(worst_first) == [a, c, d]  # no cohort last either way
    by_accounts = client.get(_url(period=APRIL, sort="-owned")).text
    assert _order(by_accounts) == [a, c, d]  # 4, 3, 0 accounts
    by_name = _order(client.get(_url(period=APRIL)).text)
    assert _order(client.get(_url(period=APRIL, sort="-member")).text) == list(
        reversed(by_name)
    )
    # The sorted column says so, and its link turns the order around; the other
    # links keep the period and the team.
    header = re.search(rf'<th [^>]*data-sort-key="{step}">(.*?)</th>', best_first, re.S)
    assert 'aria-sort="descending"' in header.group(0)
    assert f"sort={step}&amp;" in header.group(0) or f'sort={step}"' in header.group(0)
    assert f"period={APRIL}" in header.group(0)
    assert f"team={org.team_a.pk}" in header.group(0)
    # Changing the period keeps the sort.
    assert f'name="sort" value="-{step}"' in best_first
    # Nonsense sorts by name.
    assert _order(client.get(_url(period=APRIL, sort="%00nope")).text) == by_name


# --- Final cohorts only -------------------------------------------------------------


def test_final_cohorts_only_leaves_out_the_provisional_figures(client, org, world):
    client.force_login(org.manager_a)
    journey = world.key("journey_conversion")
    step_1 = world.key("step_conversion", world.s1)
    everything = client.get(_url(period=APRIL)).text
    assert "25.0 %" in _text(_cell(everything, org.member_a, journey))
    assert 'aria-pressed="false"' in everything

    final = client.get(_url(period=APRIL, final=1)).text
    cell = _cell(final, org.member_a, journey)
    assert "25.0 %" not in _text(cell)
    assert "provisional, left out" in _text(cell)
    assert "data-grade" not in cell
    # The final cohorts stay, graded as before.
    assert "50.0 %" in _text(_cell(final, org.member_a, step_1))
    assert 'data-grade="worse-2"' in _cell(final, org.member_a, step_1)
    # The switch says it is on, and the sort links and the period form keep it.
    assert 'aria-pressed="true"' in final
    assert 'name="final" value="1"' in final
    assert re.search(r'data-sort-key="owned">\s*<a [^>]*final=1', final)


def test_final_cohorts_only_never_picks_a_provisional_weakest(org, world):
    """August: 5 accounts of member_a reach step 1 (windows open on 2026-09-01,
    none converted: provisional), one of member_c converts: team rate 1 of 6,
    member_a 0 of 5, a provisional weakest transition."""
    for _number in range(5):
        reach(owned_account(world.journey, org.member_a), world.s1, jst(2026, 8, 20))
    converting = owned_account(world.journey, world.member_c)
    reach(converting, world.s1, jst(2026, 8, 10))
    reach(converting, world.s2, jst(2026, 8, 15))
    rollup(now=NOW, full=True)
    period = metrics.parse_period("2026-08")
    (table,) = selectors.dashboard(
        viewer=org.manager_a, team=org.team_a, period=period
    ).tables
    assert table.attention is not None
    assert table.attention.cells.conversion.figure.provisional
    (final,) = selectors.dashboard(
        viewer=org.manager_a, team=org.team_a, period=period, final_only=True
    ).tables
    assert final.attention is None


# --- Drill-down -------------------------------------------------------------------


def test_a_cell_drills_down_to_the_accounts_of_its_cohort(client, org, world):
    client.force_login(org.manager_a)
    html = client.get(_url(period=APRIL)).text
    link = _url("recognition:cohort_detail", org.member_a.pk, world.s1.pk, period=APRIL)
    assert link.replace("&", "&amp;") in _cell(
        html, org.member_a, world.key("step_conversion", world.s1)
    )
    page = client.get(link)
    assert page.status_code == 200
    listed = set(map(int, re.findall(r'data-account="(\d+)"', page.text)))
    converted = set(
        map(int, re.findall(r'data-account="(\d+)" data-converted="true"', page.text))
    )
    accounts = world.accounts
    assert listed == {accounts[name].pk for name in ("A1", "A2", "A3", "A4")}
    assert converted == {accounts["A1"].pk, accounts["A2"].pk}
    text = _text(page.text)
    assert "50.0 %: 2 of 4 accounts converted" in text
    assert "Customer A1" in text and "Customer C1" not in text
    # Step 2 → 3: A1 converted, A2 did not (its window ended in July).
    page = client.get(
        _url("recognition:cohort_detail", org.member_a.pk, world.s2.pk, period=APRIL)
    )
    assert set(map(int, re.findall(r'data-account="(\d+)"', page.text))) == {
        accounts["A1"].pk,
        accounts["A2"].pk,
    }
    assert "not converted" in _text(page.text)


def test_the_drill_down_names_only_the_accounts_the_viewer_sees(client, org, world):
    """A1 is still in member_a's April cohort after team B's member_b takes it
    over: the row counts, but manager_a, who no longer sees the account, reads
    "a customer" instead of its name."""
    taken = world.accounts["A1"]
    account_assign_owner(
        account=taken, owner=org.member_b, by=org.admin, confirm_not_ready=True
    )
    link = _url("recognition:cohort_detail", org.member_a.pk, world.s1.pk, period=APRIL)
    client.force_login(org.manager_a)
    page = client.get(link)
    assert page.status_code == 200
    listed = set(map(int, re.findall(r'data-account="(\d+)"', page.text)))
    assert taken.pk in listed and len(listed) == 4
    text = _text(page.text)
    assert taken.name not in text and "a customer" in text
    assert "Customer A2" in text
    assert reverse("journeys:account_detail", args=[taken.pk]) not in page.text
    client.force_login(org.admin)
    assert taken.name in _text(client.get(link).text)


def test_the_drill_down_is_scoped_to_the_members_the_viewer_sees(client, org, world):
    link = _url("recognition:cohort_detail", org.member_a.pk, world.s1.pk, period=APRIL)
    client.force_login(org.manager_b)
    assert client.get(link).status_code == 404
    client.force_login(org.member_b)
    assert client.get(link).status_code == 404
    client.force_login(org.member_a)  # their own cohort
    assert client.get(link).status_code == 200
    client.force_login(org.manager_a)
    last_step = world.steps[-1]  # no transition starts at the last step
    assert (
        client.get(
            _url("recognition:cohort_detail", org.member_a.pk, last_step.pk)
        ).status_code
        == 404
    )


def _more_cohort(world, member, count):
    for number in range(count):
        account = owned_account(world.journey, member)
        reach(account, world.s1, jst(2026, 4, 2 + number % 20))
        if number % 2:
            reach(account, world.s2, jst(2026, 4, 25))
    rollup(now=NOW, full=True)


@pytest.mark.parametrize("extra", [0, 15])
def test_the_drill_down_query_count_does_not_grow(
    client, org, world, extra, django_assert_max_num_queries
):
    _more_cohort(world, org.member_a, extra)
    client.force_login(org.manager_a)
    link = _url("recognition:cohort_detail", org.member_a.pk, world.s1.pk, period=APRIL)
    with django_assert_max_num_queries(16):
        page = client.get(link)
    assert len(re.findall(r'data-testid="cohort-account"', page.text)) == 4 + extra


# --- CSV export ---------------------------------------------------------------------


def test_the_heat_map_downloads_as_csv(client, org, world):
    client.force_login(org.manager_a)
    html = client.get(_url(period=APRIL)).text
    assert f"{reverse('recognition:dashboard_export')}?period={APRIL}" in html
    response = client.get(
        _url("recognition:dashboard_export", period=APRIL, team=org.team_a.pk)
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")
    response.streaming_content = [body]
    table = csv_rows(response)
    assert table[0] == [
        "Journey",
        "Member",
        "Metric",
        "Value",
        "Unit",
        "Numerator",
        "Denominator",
        "Provisional",
        "Final on",
        "Team rate",
        "Difference from the team rate",
        "Grade",
    ]
    by_key = {(row[1], row[2]): row for row in table[1:]}
    label = str(metrics.transition_label(world.s1, world.s2))
    conversion = next(
        key for key in by_key if key[0] == org.member_a.display_name and label in key[1]
    )
    row = by_key[conversion]
    assert row[0] == world.journey.name
    assert row[3:8] == ["50.0", "%", "2", "4", "0"]
    assert row[9:] == ["71.4", "-21.4", "worse-2"]
    journey = [
        row
        for (name, _metric), row in by_key.items()
        if name == org.member_a.display_name and row[7] == "1"
    ]
    assert journey and journey[0][8] == "2026-10-06 12:00"  # final on, in JST
    team_rows = [row for row in table[1:] if row[1] == "Team A: team rate"]
    assert team_rows and all(row[9] == "" for row in team_rows)
    # members a and c, then the team: one row per figure each.
    assert len(table) - 1 == 3 * len(team_rows)


def test_the_export_answers_404_for_another_team(client, org, world):
    client.force_login(org.manager_b)
    response = client.get(
        _url("recognition:dashboard_export", period=APRIL, team=org.team_a.pk)
    )
    assert response.status_code == 404


@pytest.mark.parametrize("members", [0, 8])
def test_the_dashboard_and_its_export_query_counts_do_not_grow(
    client, org, world, members, django_assert_max_num_queries
):
    if members:
        grow(world, members=members, accounts_each=6)
    client.force_login(org.manager_a)
    query = {"period": APRIL, "sort": f"-step-{world.s1.pk}", "final": 1}
    with django_assert_max_num_queries(40):
        html = client.get(_url(**query)).text
    assert len(_order(html)) == 2 + members
    with django_assert_max_num_queries(30):
        response = client.get(_url("recognition:dashboard_export", **query))
        table = csv_rows(response)
    assert len(table) > 1


# --- Add to plan from any transition -----------------------------------------------


def test_add_to_plan_from_a_transition_that_is_not_the_weakest(client, org, world):
    """member_a's weakest transition is none (cohorts under 5); every transition
    cell and row offers the plan all the same, pre-filled for that transition."""
    client.force_login(org.manager_a)
    html = client.get(_url(period=APRIL)).text
    to_plan = reverse(
        "recognition:plan_add_transition", args=[org.member_a.pk, world.s2.pk]
    )
    assert to_plan in _cell(html, org.member_a, world.key("step_conversion", world.s2))
    member_page = client.get(
        _url("recognition:member", org.member_a.pk, period=APRIL)
    ).text
    row = re.search(
        rf'data-testid="transition-row" data-step="{world.s2.pk}"[^>]*>(.*?)</tr>',
        member_page,
        re.S,
    ).group(1)
    assert to_plan in row
    form = client.get(to_plan).text
    assert str(metrics.transition_label(world.s2, world.steps[2])) in form
    response = client.post(
        to_plan,
        {
            "target_value": "60",
            "by_date": (date.today() + timedelta(days=90)).isoformat(),
            "training_due_date": (date.today() + timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302
    target = org.member_a.development_plan.targets.get()
    assert target.metric == f"step_conversion:{world.s2.pk}"
    # A member's own page and the dashboard offer nothing to those who do not
    # coach them.
    client.force_login(org.member_a)
    own = client.get(_url("recognition:member", org.member_a.pk, period=APRIL)).text
    assert 'data-testid="row-add-to-plan"' not in own


def test_the_attention_banner_offers_the_plan_for_its_transition(client, org, world):
    """Five more April accounts of member_a at step 1, none converted: 2 of 9
    (22.2 %) against the team rate 5 of 12 (41.7 %) qualifies."""
    for _number in range(5):
        reach(owned_account(world.journey, org.member_a), world.s1, jst(2026, 4, 20))
    rollup(now=NOW, full=True)
    client.force_login(org.manager_a)
    html = client.get(_url(period=APRIL)).text
    banner = re.search(r'data-testid="attention">(.*?)</div>', html, re.S).group(1)
    assert org.member_a.display_name in banner
    assert (
        reverse("recognition:plan_add_transition", args=[org.member_a.pk, world.s1.pk])
        in banner
    )
    # The member page names the same weakest transition, by the same rule.
    page = client.get(_url("recognition:member", org.member_a.pk, period=APRIL)).text
    weakest = re.search(r'data-testid="weakest-transition">(.*?)<', page).group(1)
    assert weakest == str(metrics.transition_label(world.s1, world.s2))


# --- The admin's default team --------------------------------------------------------


def test_the_admin_opens_a_team_with_members_not_their_empty_parent(client, org, world):
    parent = TeamFactory(name="CS本部")  # first by name, no member of its own
    Team.objects.filter(pk__in=[org.team_a.pk, org.team_b.pk]).update(parent=parent)
    client.force_login(org.admin)
    html = client.get(_url(period=APRIL)).text
    assert "Dashboard: Team A" in html
    assert set(_order(html)) == {org.member_a.pk, world.member_c.pk}
    # The parent, asked for, says it has no members and links its sub-teams.
    empty = client.get(_url(period=APRIL, team=parent.pk)).text
    assert 'data-testid="no-members"' in empty
    subteams = re.search(r'data-testid="subteams">(.*?)</p>', empty, re.S).group(1)
    assert f"?team={org.team_a.pk}&amp;period={APRIL}" in subteams
    assert "Team B" in subteams
