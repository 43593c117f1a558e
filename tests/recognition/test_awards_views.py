"""Award pages: programs, the metric of each period, leaderboards, the hall of fame
and the dashboard and member-page sections, as each role sees them."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from recognition.models import AwardMetricChange, AwardPeriod, AwardProgram, Cadence
from recognition.selectors.awards import member_standings, participant_leaderboards
from tests.factories import TeamFactory
from tests.recognition.award_factories import (
    AwardProgramFactory,
    award_period,
    awards_world,
    figure,
    jst,
    member_of,
    month,
    winner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def awards(org):
    """See `award_factories.AwardsWorld`."""
    w = awards_world(org)
    return w.program, w.current, w.past, w.key, w.steps, w.teammate, w.newcomer


def _url(name, program, **query):
    url = reverse(f"recognition:{name}", args=[program.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def _login(client, user):
    client.force_login(user)
    return client


# --- Programs -------------------------------------------------------------------------


def test_members_see_the_awards_of_their_team_only(client, org, awards):
    program = awards[0]
    other = AwardProgramFactory(name="Team B award", teams=[org.team_b])
    page = _login(client, org.member_a).get(reverse("recognition:award_list"))
    assert page.status_code == 200
    assert program.name in page.text and other.name not in page.text
    assert "New award program" not in page.text
    assert (
        _login(client, org.sub_member)
        .get(reverse("recognition:award_list"))
        .context["rows"]
        == []
    )
    assert client.get(_url("award_detail", other)).status_code == 404


def test_other_roles_are_refused_and_outsiders_get_404(client, org, awards):
    program = awards[0]
    _login(client, org.interviewer)
    assert client.get(reverse("recognition:award_list")).status_code == 403
    _login(client, org.member_b)
    for name in ("award_detail", "award_leaderboard", "award_hall_of_fame"):
        assert client.get(_url(name, program)).status_code == 404
    _login(client, org.manager_a)
    assert client.get(_url("award_edit", program)).status_code == 403
    assert client.get(_url("award_metric", program)).status_code == 403
    assert client.get(reverse("recognition:award_create")).status_code == 403


def test_an_admin_creates_a_program_and_a_refused_form_keeps_what_was_typed(
    client, org
):
    _login(client, org.admin)
    url = reverse("recognition:award_create")
    data = {
        "name": "四半期MVP",
        "description": "Journey conversion",
        "cadence": Cadence.QUARTERLY,
        "winners": 2,
        "minimum_denominator": 5,
        "is_active": "on",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "teams" in refused.context["form"].errors
    assert "四半期MVP" in refused.text
    assert not AwardProgram.objects.exists()
    created = client.post(url, {**data, "teams": [org.team_a.pk, org.team_b.pk]})
    program = AwardProgram.objects.get()
    assert created.url == _url("award_detail", program)
    assert program.cadence == Cadence.QUARTERLY
    assert set(program.teams.all()) == {org.team_a, org.team_b}
    assert not program.larger_denominator_breaks_ties


def test_an_admin_lets_the_larger_denominator_break_ties_and_the_page_says_so(
    client, org
):
    _login(client, org.admin)
    client.post(
        reverse("recognition:award_create"),
        {
            "name": "MVP",
            "cadence": Cadence.MONTHLY,
            "winners": 1,
            "minimum_denominator": 5,
            "larger_denominator_breaks_ties": "on",
            "teams": [org.team_a.pk],
            "is_active": "on",
        },
    )
    program = AwardProgram.objects.get()
    assert program.larger_denominator_breaks_ties
    html = client.get(_url("award_detail", program)).text
    assert "the larger denominator ranks higher" in html


def test_the_cadence_cannot_change_once_periods_have_metrics(client, org, awards):
    program = awards[0]
    response = _login(client, org.admin).post(
        _url("award_edit", program),
        {
            "name": "Renamed",
            "cadence": Cadence.QUARTERLY,
            "winners": 1,
            "minimum_denominator": 2,
            "teams": [org.team_a.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "cadence" in response.context["form"].errors
    assert "Renamed" in response.text  # kept in the form, not saved
    program.refresh_from_db()
    assert (program.name, program.cadence) == ("Conversion MVP", Cadence.MONTHLY)


# --- Metrics --------------------------------------------------------------------------


def test_an_admin_sets_next_months_metric_without_a_reason(client, org, awards):
    program, _current, _past, key, *_rest = awards
    next_key = f"{month(1):%Y-%m}"
    form = _login(client, org.admin).get(_url("award_metric", program, period=next_key))
    assert form.status_code == 200
    assert "days_to_convert" not in form.text  # no denominator, not offered
    response = client.post(
        _url("award_metric", program), {"period": next_key, "metric": key}
    )
    assert response.status_code == 302
    period = AwardPeriod.objects.get(program=program, start=month(1))
    assert (period.metric, period.set_by) == (key, org.admin)
    assert not AwardMetricChange.objects.exists()


def test_changing_a_running_periods_metric_needs_a_reason_and_shows_in_history(
    client, org, awards
):
    program, current, _past, key, steps, *_rest = awards
    other = f"journey_conversion:{steps[0].journey_id}"
    this_key = f"{month(0):%Y-%m}"
    _login(client, org.admin)
    refused = client.post(
        _url("award_metric", program), {"period": this_key, "metric": other}
    )
    assert refused.status_code == 200
    assert "reason" in refused.context["form"].errors
    assert refused.context["form"]["metric"].value() == other  # kept
    current.refresh_from_db()
    assert current.metric == key
    client.post(
        _url("award_metric", program),
        {"period": this_key, "metric": other, "reason": "全体の流れを見たい"},
    )
    current.refresh_from_db()
    assert current.metric == other
    detail = client.get(_url("award_detail", program))
    assert "全体の流れを見たい" in detail.text
    assert "Changes after the period started" in detail.text


# --- Leaderboards ---------------------------------------------------------------------


def test_a_member_sees_ranks_and_values_but_only_their_own_counts(client, org, awards):
    program, _current, _past, _key, _steps, teammate, newcomer = awards
    page = _login(client, org.member_a).get(_url("award_leaderboard", program))
    assert page.status_code == 200
    board = page.context["board"]
    assert [(s.member, s.rank) for s in board.standings] == [
        (teammate, 1),
        (org.member_a, 2),
    ]
    assert "100.0 %" in page.text and "75.0 %" in page.text
    assert "3/4" in page.text  # their own
    assert "4/4" not in page.text  # the teammate's counts are theirs
    assert newcomer.display_name not in page.text
    assert "Provisional" in page.text


def test_a_leader_sees_the_counts_and_who_is_below_the_minimum(client, org, awards):
    program, *_rest, newcomer = awards
    page = _login(client, org.manager_a).get(_url("award_leaderboard", program))
    assert "4/4" in page.text and "3/4" in page.text
    assert newcomer.display_name in page.text


def test_a_wrong_period_falls_back_to_the_current_one_said_so(client, org, awards):
    program = awards[0]
    _login(client, org.member_a)
    for wrong, message in (
        ("garbage", "Unknown period"),
        ("FY2026-Q1", "This award is monthly"),
        ("2019-01", "No metric is set"),
    ):
        page = client.get(_url("award_leaderboard", program, period=wrong))
        assert page.status_code == 200
        assert message in page.text
        assert page.context["board"].period == awards[1]


def test_a_closed_period_shows_its_recorded_winners_and_a_note_when_figures_moved(
    client, org, awards
):
    program, _current, past, key, _steps, teammate, _newcomer = awards
    _login(client, org.member_a)
    key_past = f"{month(-2):%Y-%m}"
    page = client.get(_url("award_leaderboard", program, period=key_past))
    assert "Closed on" in page.text and "Winner" in page.text
    assert "changed-note" not in page.text
    figure(teammate, key, month(-2), 3, 3)  # a correction after closing
    page = client.get(_url("award_leaderboard", program, period=key_past))
    assert 'data-testid="changed-note"' in page.text
    hall = client.get(_url("award_hall_of_fame", program))
    assert org.member_a.display_name in hall.text
    assert 'data-testid="changed-note"' in hall.text


# --- Dashboard and member page --------------------------------------------------------


def test_the_dashboard_section_shows_the_running_leaderboards_of_a_participant(
    org, awards
):
    program, *_rest = awards
    panel = participant_leaderboards(viewer=org.member_a)
    html = render_to_string(
        "recognition/_award_leaderboards.html", {"panel": panel, "user": org.member_a}
    )
    assert program.name in html
    assert "(you)" in html
    assert participant_leaderboards(viewer=org.member_b) is None
    assert render_to_string("recognition/_award_leaderboards.html", {}).strip() == ""
    # Admins are told which active program has no metric for the current period.
    TeamFactory()
    unset = AwardProgramFactory(name="No metric yet", teams=[org.team_b])
    admin_panel = participant_leaderboards(viewer=org.admin)
    assert admin_panel.unset_programs == [unset, awards_world(org).spare]
    assert participant_leaderboards(viewer=org.member_a).unset_programs == []


def test_the_member_page_shows_the_current_rank_and_the_wins(client, org, awards):
    program, *_rest = awards
    section = member_standings(member=org.member_a, viewer=org.manager_a)
    assert [(board.program, s.rank) for board, s in section.standings] == [(program, 2)]
    assert section.win_count == 1
    html = render_to_string(
        "recognition/_member_awards.html", {"section": section, "user": org.manager_a}
    )
    assert "Rank 2 of 2" in html and "1 award won" in html
    assert member_standings(member=org.member_b, viewer=org.admin) is None
    page = _login(client, org.member_a).get(
        reverse("recognition:member", args=[org.member_a.pk])
    )
    assert 'data-testid="member-awards"' in page.text


# --- Query counts ---------------------------------------------------------------------


def _more_members(team, key, count):
    for _n in range(count):
        figure(member_of(team), key, month(0), 2, 3)


def _more_periods(program, key, admin, count):
    for offset in range(3, 3 + count):
        period = award_period(
            program, month(-offset), key, set_by=admin, closed_at=jst(2026, 1, 1)
        )
        person = member_of(program.teams.first())
        figure(person, key, month(-offset), 1, 2)
        winner(period, person, 1, 1, 2)


@pytest.mark.parametrize(
    "name", ["award_list", "award_detail", "award_leaderboard", "award_hall_of_fame"]
)
def test_pages_run_as_many_queries_with_more_data(
    client, org, awards, name, django_assert_max_num_queries
):
    program, _current, _past, key, *_rest = awards
    url = (
        reverse("recognition:award_list")
        if name == "award_list"
        else _url(name, program)
    )
    _login(client, org.manager_a)
    client.get(url)
    with django_assert_max_num_queries(25) as small:
        assert client.get(url).status_code == 200
    _more_members(org.team_a, key, 15)
    _more_periods(program, key, org.admin, 14)
    for _n in range(5):
        AwardProgramFactory(teams=[org.team_a])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
