"""The awards API: programs (admins change, participants read), the metric of each
period with its rules, leaderboards with validated parameters (400 on the field,
never 500), visibility per role and query counts."""

import pytest

from recognition.models import AwardMetricChange, AwardPeriod, AwardProgram, Cadence
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

V1 = "/api/v1/awards/"


@pytest.fixture
def world(org):
    return awards_world(org)


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _periods(program, key=""):
    return f"{V1}{program.pk}/periods/" + (f"{key}/" if key else "")


def _board(program, **query):
    suffix = "?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""
    return f"{V1}{program.pk}/leaderboard/{suffix}"


# --- Programs ------------------------------------------------------------------------


def test_participants_read_their_programs_and_outsiders_get_404(api_client, org, world):
    other = AwardProgramFactory(teams=[org.team_b])
    client = _as(api_client, org.member_a)
    listed = client.get(V1).json()
    assert {row["id"] for row in listed["results"]} == {
        world.program.pk,
        world.spare.pk,
    }
    assert client.get(f"{V1}{other.pk}/").status_code == 404
    assert client.get(f"{V1}abc/").status_code == 404
    assert _as(api_client, org.interviewer).get(V1).status_code == 403


def test_admins_create_programs_with_errors_on_the_fields(api_client, org):
    client = _as(api_client, org.admin)
    refused = client.post(
        V1,
        {"name": "MVP", "cadence": "weekly", "teams": ["x", 2**70]},
        format="json",
    )
    assert refused.status_code == 400
    assert {"cadence", "teams"} <= refused.json().keys()
    no_team = client.post(
        V1, {"name": "MVP", "cadence": "monthly", "teams": []}, format="json"
    )
    assert no_team.status_code == 400 and "teams" in no_team.json()
    created = client.post(
        V1,
        {
            "name": "MVP",
            "cadence": "quarterly",
            "teams": [org.team_a.pk],
            "winners": 2,
            "minimum_denominator": 4,
        },
        format="json",
    )
    assert created.status_code == 201
    assert created.json()["teams"] == [org.team_a.pk]
    assert AwardProgram.objects.get().cadence == Cadence.QUARTERLY
    manager = _as(api_client, org.manager_a).post(
        V1, {"name": "Mine", "cadence": "monthly", "teams": [org.team_a.pk]}
    )
    assert manager.status_code == 403
    assert AwardProgram.objects.count() == 1


def test_patch_and_delete_follow_the_programs_history(api_client, org, world):
    client = _as(api_client, org.admin)
    cadence = client.patch(
        f"{V1}{world.program.pk}/", {"cadence": "quarterly"}, format="json"
    )
    assert cadence.status_code == 400 and "cadence" in cadence.json()
    renamed = client.patch(
        f"{V1}{world.program.pk}/", {"name": "月間MVP"}, format="json"
    )
    assert renamed.status_code == 200 and renamed.json()["name"] == "月間MVP"
    assert client.delete(f"{V1}{world.program.pk}/").status_code == 400
    assert client.delete(f"{V1}{world.spare.pk}/").status_code == 204
    assert not AwardProgram.objects.filter(pk=world.spare.pk).exists()


# --- Periods --------------------------------------------------------------------------


def test_periods_list_their_metric_changes_and_winners(api_client, org, world):
    response = _as(api_client, org.member_a).get(_periods(world.program))
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["period"] for row in rows] == [
        f"{month(0):%Y-%m}",
        f"{month(-2):%Y-%m}",
    ]
    assert [row["status"] for row in rows] == ["running", "closed"]
    assert rows[1]["winners"][0]["member"] == org.member_a.pk
    assert rows[1]["winners"][0]["denominator"] == 2  # their own counts


def test_a_participant_does_not_see_another_winners_counts(api_client, org, world):
    teammate_win = award_period(
        world.program, month(-3), world.key, set_by=org.admin, closed_at=jst(2026, 1, 1)
    )
    winner(teammate_win, world.teammate, 1, 5, 6)
    rows = _as(api_client, org.member_a).get(_periods(world.program)).json()
    won = next(row for row in rows["results"] if row["id"] == teammate_win.pk)
    assert won["winners"][0]["member_name"] == world.teammate.display_name
    assert (won["winners"][0]["numerator"], won["winners"][0]["denominator"]) == (
        None,
        None,
    )


def test_admins_set_and_change_a_metric_by_the_rules(api_client, org, world):
    client = _as(api_client, org.admin)
    other = f"journey_conversion:{world.steps[0].journey_id}"
    next_key = f"{month(1):%Y-%m}"
    created = client.post(
        _periods(world.program), {"period": next_key, "metric": world.key}
    )
    assert created.status_code == 201
    assert created.json()["period"] == next_key
    changed = client.patch(_periods(world.program, next_key), {"metric": other})
    assert changed.status_code == 200 and changed.json()["metric"] == other
    # The running month: a reason is needed, then the change is recorded.
    this_key = f"{month(0):%Y-%m}"
    refused = client.patch(_periods(world.program, this_key), {"metric": other})
    assert refused.status_code == 400 and "reason" in refused.json()
    again = client.post(
        _periods(world.program),
        {"period": this_key, "metric": other, "reason": "全体を見る"},
    )
    assert again.status_code == 200
    assert again.json()["changes"][0]["reason"] == "全体を見る"
    assert AwardMetricChange.objects.count() == 1
    # A closed period is locked.
    past_key = f"{month(-2):%Y-%m}"
    locked = client.patch(
        _periods(world.program, past_key), {"metric": other, "reason": "late"}
    )
    assert locked.status_code == 400 and "metric" in locked.json()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period": "FY2026-Q3", "metric": "training_completion"}, "period"),
        ({"period": "2026-13", "metric": "training_completion"}, "period"),
        ({"period": "2099-01", "metric": "step_events_recorded"}, "metric"),
        ({"period": "2099-01", "metric": "step_conversion:999999"}, "metric"),
        ({"period": "2099-01"}, "metric"),
        ({"period": ["2099-01"], "metric": "training_completion"}, "period"),
    ],
)
def test_a_wrong_metric_or_period_is_a_400_on_its_field(
    api_client, org, world, body, field
):
    response = _as(api_client, org.admin).post(
        _periods(world.program), body, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_periods_answer_404_for_unknown_keys_and_outsiders(api_client, org, world):
    client = _as(api_client, org.admin)
    assert client.get(_periods(world.program, "2019-01")).status_code == 404
    assert client.get(_periods(world.program, "garbage")).status_code == 404
    assert client.get(f"{V1}99999999999999999999/periods/").status_code == 404
    outsider = _as(api_client, org.member_b)
    assert outsider.get(_periods(world.program)).status_code == 404
    assert (
        outsider.post(
            _periods(world.program), {"period": "2099-01", "metric": world.key}
        ).status_code
        == 403
    )
    assert not AwardPeriod.objects.filter(start__year=2099).exists()


# --- Leaderboards ---------------------------------------------------------------------


def test_the_leaderboard_shows_ranks_and_values_and_only_the_viewers_counts(
    api_client, org, world
):
    response = _as(api_client, org.member_a).get(_board(world.program))
    assert response.status_code == 200
    board = response.json()
    assert board["period"] == f"{month(0):%Y-%m}"
    assert board["provisional"] is True and board["status"] == "running"
    assert [
        (row["member"], row["rank"], row["value"], row["denominator"])
        for row in board["standings"]
    ] == [(world.teammate.pk, 1, 1.0, None), (org.member_a.pk, 2, 0.75, 4)]
    assert board["not_eligible"] == []
    admin = _as(api_client, org.admin).get(_board(world.program)).json()
    assert [row["member"] for row in admin["not_eligible"]] == [world.newcomer.pk]


@pytest.mark.parametrize(
    "period", ["garbage", "FY2026-Q1", "2019-01", "x" * 50, "last-3", "%00"]
)
def test_a_wrong_leaderboard_period_is_a_400_on_period(api_client, org, world, period):
    response = _as(api_client, org.member_a).get(_board(world.program, period=period))
    assert response.status_code == 400
    assert "period" in response.json()


def test_a_closed_period_shows_its_recorded_winners(api_client, org, world):
    figure(world.teammate, world.key, month(-2), 3, 3)  # corrected after closing
    board = (
        _as(api_client, org.member_a)
        .get(_board(world.program, period=f"{month(-2):%Y-%m}"))
        .json()
    )
    assert board["provisional"] is False
    assert [row["member"] for row in board["recorded_winners"]] == [org.member_a.pk]
    assert board["changed_since_close"] is True


def test_an_empty_period_means_the_current_one(api_client, org, world):
    board = _as(api_client, org.member_a).get(_board(world.program, period=""))
    assert board.json()["period"] == f"{month(0):%Y-%m}"


def test_a_program_without_any_metric_answers_400(api_client, org, world):
    response = _as(api_client, org.admin).get(_board(world.spare))
    assert response.status_code == 400 and "period" in response.json()


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("which", ["programs", "periods", "leaderboard"])
def test_lists_and_leaderboards_run_as_many_queries_with_more_data(
    api_client, org, world, which, django_assert_max_num_queries
):
    url = {
        "programs": V1,
        "periods": _periods(world.program),
        "leaderboard": _board(world.program),
    }[which]
    client = _as(api_client, org.manager_a)
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        assert client.get(url).status_code == 200
    for offset in range(3, 15):
        period = award_period(
            world.program,
            month(-offset),
            world.key,
            set_by=org.admin,
            closed_at=jst(2026, 1, 1),
        )
        winner(period, world.teammate, 1, 1, 2)
    for _n in range(15):
        figure(member_of(org.team_a), world.key, month(0), 1, 2)
        AwardProgramFactory(teams=[org.team_a])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_an_admin_lets_the_larger_denominator_break_ties(api_client, org, world):
    client = _as(api_client, org.admin)
    assert client.get(f"{V1}{world.program.pk}/").json()[
        "larger_denominator_breaks_ties"
    ] is False  # fmt: skip
    changed = client.patch(
        f"{V1}{world.program.pk}/",
        {"larger_denominator_breaks_ties": True},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["larger_denominator_breaks_ties"] is True
    world.program.refresh_from_db()
    assert world.program.larger_denominator_breaks_ties
    board = client.get(_board(world.program)).json()
    assert board["larger_denominator_breaks_ties"] is True
