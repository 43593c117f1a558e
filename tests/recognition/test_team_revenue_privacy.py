"""A team's revenue KPIs are its leaders' (README, Revenue KPIs): its members read
the team's journey figures through /api/v1/team-metrics/, not its ARR (a member
took their teammate's ARR from the team's ARR per CSM)."""

from datetime import date

import pytest
from django.utils import timezone

from recognition.models import TeamFigure

pytestmark = pytest.mark.django_db

URL = "/api/v1/team-metrics/"


@pytest.fixture
def figures(org):
    month, now = date(2026, 10, 1), timezone.now()
    for metric, value in (("arr_per_csm", 299_200_000.0), ("step_conversion:1", 0.5)):
        TeamFigure.objects.create(
            team=org.team_a,
            metric=metric,
            month=month,
            value=value,
            numerator=1,
            denominator=2,
            computed_at=now,
        )


def _metrics(api_client, user, team) -> set[str]:
    api_client.force_authenticate(user)
    response = api_client.get(URL, {"team": team.pk})
    assert response.status_code == 200
    return {row["metric"] for row in response.json()["results"]}


def test_a_member_reads_the_teams_journey_figures_not_its_revenue(
    api_client, org, figures
):
    assert _metrics(api_client, org.member_a, org.team_a) == {"step_conversion:1"}


def test_the_teams_leader_reads_both(api_client, org, figures):
    assert _metrics(api_client, org.manager_a, org.team_a) == {
        "arr_per_csm",
        "step_conversion:1",
    }
