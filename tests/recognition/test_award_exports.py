"""CSV downloads of a leaderboard (config/exports.py): the ranked members with
their distances, then those below the minimum the viewer may see; counts only
where the page shows them; another team's program answers 404."""

import pytest
from django.urls import reverse

from tests.exports import rows
from tests.recognition.award_factories import AwardProgramFactory, awards_world, month

pytestmark = pytest.mark.django_db


def _csv(client, program, **query):
    return client.get(
        reverse("recognition:award_leaderboard_csv", args=[program.pk]), query
    )


def test_an_admin_downloads_the_live_leaderboard_with_distances(client, org):
    world = awards_world(org)
    client.force_login(org.admin)
    response = _csv(client, world.program, period=f"{month(0):%Y-%m}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = rows(response)
    assert table[0][:4] == ["Period", "Metric", "Rank", "Member"]
    by_member = {row[3]: row for row in table[1:]}
    teammate = by_member[world.teammate.display_name]
    member_a = by_member[org.member_a.display_name]
    newcomer = by_member[world.newcomer.display_name]
    # teammate 4/4 wins; member_a 3/4 is 25 points behind; newcomer 1/1 needs one
    # more account (minimum 2).
    assert teammate[2:8] == ["1", teammate[3], "100.0 %", "4", "4", "1"]
    assert member_a[2] == "2" and member_a[9:] == ["1", "25.0 pt"]
    assert newcomer[2] == "" and newcomer[8] == "1"
    assert len(table) == 4


def test_a_member_gets_only_their_own_counts(client, org):
    world = awards_world(org)
    client.force_login(org.member_a)
    table = rows(_csv(client, world.program, period=f"{month(0):%Y-%m}"))
    by_member = {row[3]: row for row in table[1:]}
    assert by_member[org.member_a.display_name][5:7] == ["3", "4"]
    assert by_member[world.teammate.display_name][5:7] == ["", ""]
    assert world.newcomer.display_name not in by_member  # not theirs to see


def test_another_teams_program_answers_404(client, org):
    other = AwardProgramFactory(name="Team B award", teams=[org.team_b])
    client.force_login(org.member_a)
    assert _csv(client, other).status_code == 404
