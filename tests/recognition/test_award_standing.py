"""`member_standing`: where a member stands in each running award period they take
part in — place, figure, denominator so far against the minimum (distance to
qualifying) and the distance to the place above — computed by hand here."""

from datetime import UTC, datetime
from fractions import Fraction

import pytest
from django.urls import reverse

from recognition import metrics
from recognition.selectors import awards as selectors
from recognition.selectors.awards import (
    Standing,
    member_standing,
    rank_standings,
    with_distances,
)
from tests.factories import TeamFactory
from tests.recognition.award_factories import (
    AwardProgramFactory,
    award_metric,
    award_period,
    figure,
    member_of,
    month,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def race(org):
    """A monthly award of one team, minimum cohort 3, one winner. This month:
    ben 4/5 (80 %), ann 3/4 and dan 3/4 (75 %), cai 2/2 (below the minimum), eve
    no figure at all."""
    key, steps = award_metric()
    team = TeamFactory(name="Race team")
    program = AwardProgramFactory(
        name="Race", teams=[team], winners=1, minimum_denominator=3
    )
    period = award_period(program, month(0), key, set_by=org.admin)
    people = {
        name: member_of(team, family_name=name, username=name)
        for name in ("ann", "ben", "cai", "dan", "eve")
    }
    figure(people["ben"], key, month(0), 4, 5)
    figure(people["ann"], key, month(0), 3, 4)
    figure(people["dan"], key, month(0), 3, 4)
    figure(people["cai"], key, month(0), 2, 2)
    return program, period, key, team, people


def _only(standings):
    assert len(standings) == 1
    return standings[0]


def test_a_ranked_member_sees_place_figure_and_gap_to_the_place_above(race):
    program, period, _key, _team, people = race
    ann = _only(member_standing(member=people["ann"]))
    assert ann.program == program and ann.period == period
    assert ann.place == 2 and not ann.is_winner
    assert (ann.numerator, ann.denominator, ann.text) == (3, 4, "75.0 %")
    assert ann.minimum == 3 and ann.to_qualify == 0 and ann.qualifies
    # 4/5 − 3/4 = 1/20: five percentage points behind rank 1.
    assert ann.above_rank == 1
    assert ann.gap == Fraction(1, 20)
    assert ann.gap_text == "5.0 pt"
    assert ann.ranked == 3 and ann.participants == 5 and ann.winners == 1
    assert ann.provisional
    assert ann.final_at == ann.metric.final_at(ann.span)


def test_the_leader_has_no_place_above(race):
    ben = _only(member_standing(member=race[4]["ben"]))
    assert (ben.place, ben.is_winner, ben.above_rank, ben.gap) == (1, True, None, None)


def test_below_the_minimum_the_distance_to_qualifying_is_the_missing_accounts(race):
    people = race[4]
    cai = _only(member_standing(member=people["cai"]))
    assert cai.place is None and not cai.qualifies
    assert (cai.denominator, cai.minimum, cai.to_qualify) == (2, 3, 1)
    assert cai.text == "100.0 %"
    # No figure yet: nothing so far, the whole minimum to go.
    eve = _only(member_standing(member=people["eve"]))
    assert (eve.place, eve.denominator, eve.to_qualify, eve.text) == (
        None,
        0,
        3,
        "—",
    )


def test_with_the_denominator_tie_break_the_gap_can_be_zero(org, race):
    _program, _period, key, _team, people = race
    team = TeamFactory(name="Tie team")
    tie = AwardProgramFactory(
        name="Tie",
        teams=[team],
        winners=1,
        minimum_denominator=3,
        larger_denominator_breaks_ties=True,
    )
    award_period(tie, month(0), key, set_by=org.admin)
    fay = member_of(team, family_name="fay", username="fay")
    gus = member_of(team, family_name="gus", username="gus")
    figure(fay, key, month(0), 6, 8)
    figure(gus, key, month(0), 3, 4)
    standing = _only(member_standing(member=gus))
    # 6/8 = 3/4, but 8 accounts beat 4: gus is second, at no distance in value.
    assert (standing.place, standing.above_rank, standing.gap) == (2, 1, 0)
    assert standing.gap_text == "same value, more accounts"


class _Person:
    def __init__(self, name):
        self.pk = hash(name) % 10_000
        self.family_name_reading = name
        self.given_name_reading = ""
        self.username = name


def test_a_count_metric_measures_the_gap_in_its_count():
    count = metrics.Metric(
        key="k", family="conversions_completed", label="L", unit="count",
        direction=metrics.HIGHER, denominator="accounts at the step",
    )  # fmt: skip
    standings = [
        Standing(member=_Person(name), value=n, numerator=None, denominator=d)
        for name, n, d in (("first", 7, 9), ("second", 4, 6), ("new", 9, 1))
    ]
    ranked, others = rank_standings(standings, metric=count, minimum=2, winners=1)
    ranked, others = with_distances(ranked, others, metric=count, minimum=2)
    second = ranked[1]
    # 7 − 4 conversions behind the leader; "new" has 1 account of the 2 needed.
    assert (second.rank, second.gap, second.gap_text) == (2, 3, "3")
    assert [(s.member.username, s.to_qualify) for s in others] == [("new", 1)]


def test_only_running_periods_of_active_programs_the_member_takes_part_in(org, race):
    program, _period, key, team, people = race
    ann = people["ann"]
    # A past period, a next one and a closed one do not count.
    award_period(program, month(-1), key, set_by=org.admin)
    award_period(program, month(1), key, set_by=org.admin)
    closed = AwardProgramFactory(name="Closed", teams=[team])
    award_period(closed, month(0), key, set_by=org.admin, closed_at=datetime.now(UTC))
    inactive = AwardProgramFactory(name="Inactive", teams=[team], is_active=False)
    award_period(inactive, month(0), key, set_by=org.admin)
    other = AwardProgramFactory(name="Other team's", teams=[org.team_b])
    award_period(other, month(0), key, set_by=org.admin)
    assert [s.program.name for s in member_standing(member=ann)] == ["Race"]
    # A member who left the team before this period no longer takes part.
    gone = member_of(team, since=month(-6), end=month(-1))
    assert member_standing(member=gone) == []
    # `at` looks at the period running then.
    earlier = member_standing(
        member=ann,
        at=datetime.combine(month(1), datetime.min.time(), UTC).replace(day=15),
    )
    assert [s.span.key for s in earlier] == [f"{month(1):%Y-%m}"]


def test_the_member_page_of_one_who_left_before_the_period_shows_no_running_award(
    org, race
):
    """The team's members still there do not make a former member take part: the
    end of the member's own membership is what counts."""
    program, _period, key, team, people = race
    gone = member_of(team, since=month(-6), end=month(-1), username="gone")
    figure(gone, key, month(-2), 1, 2)
    assert list(selectors.running_periods_of(gone, month(0))) == []
    assert selectors.member_standings(member=gone, viewer=org.admin) is None
    # One who left during the period took part in it.
    late = member_of(team, since=month(-6), end=month(0).replace(day=10))
    assert [p.program for p in selectors.running_periods_of(late, month(0))] == [
        program
    ]


def test_a_non_member_takes_part_in_nothing(org, race):
    assert member_standing(member=org.admin) == []


def test_query_count_does_not_grow_with_programs_or_people(
    org, race, django_assert_max_num_queries
):
    program, _period, key, team, people = race
    ann = people["ann"]
    with django_assert_max_num_queries(12) as small:
        member_standing(member=ann)
    for n in range(4):
        extra = AwardProgramFactory(name=f"Extra {n}", teams=[team])
        award_period(extra, month(0), key, set_by=org.admin)
        for i in range(3):
            figure(member_of(team), key, month(0), i, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(member_standing(member=ann)) == 5


def test_the_leaderboard_standings_carry_the_same_distances(race):
    _program, period, _key, _team, people = race
    board = selectors.leaderboard(period=period)
    by_name = {s.member.username: s for s in board.standings}
    assert by_name["dan"].gap_text == "5.0 pt" and by_name["dan"].above_rank == 1
    assert [s.to_qualify for s in board.not_eligible] == [1]


def test_the_live_leaderboard_shows_gaps_and_who_is_close_to_qualifying(
    client, org, race
):
    program, _period, _key, _team, people = race
    client.force_login(org.admin)
    page = client.get(reverse("recognition:award_leaderboard", args=[program.pk]))
    html = page.text
    # ann and dan, 3/4, are 5.0 points behind ben's 4/5 (rank 1).
    assert html.count("5.0 pt behind rank 1") == 2
    # cai has 2 of the 3 accounts needed: one more to qualify.
    assert "2 of 3" in html and "1 more account" in html
    # The member sees their own distance to qualifying.
    client.force_login(people["cai"])
    mine = client.get(reverse("recognition:award_leaderboard", args=[program.pk]))
    assert "1 more account to qualify." in mine.text
    # A teammate does not see cai's counts: cai is not listed for them.
    client.force_login(people["ann"])
    theirs = client.get(reverse("recognition:award_leaderboard", args=[program.pk]))
    assert "2 of 3" not in theirs.text


def test_the_member_page_shows_the_gap_and_the_distance_to_qualifying(
    client, org, race
):
    _program, _period, _key, _team, people = race
    client.force_login(org.admin)
    ann = client.get(reverse("recognition:member", args=[people["ann"].pk]))
    assert "5.0 pt behind rank 1" in ann.text
    cai = client.get(reverse("recognition:member", args=[people["cai"].pk]))
    assert "1 more account to qualify." in cai.text


def test_the_api_leaderboard_gives_the_distances(api_client, org, race):
    program, period, _key, _team, people = race
    api_client.force_authenticate(org.admin)
    board = api_client.get(
        f"/api/v1/awards/{program.pk}/leaderboard/", {"period": f"{month(0):%Y-%m}"}
    ).json()
    by_name = {row["member_name"]: row for row in board["standings"]}
    dan = by_name[people["dan"].display_name]
    assert (dan["rank"], dan["above_rank"], dan["to_qualify"]) == (2, 1, 0)
    assert dan["gap"] == pytest.approx(0.05)
    assert by_name[people["ben"].display_name]["above_rank"] is None
