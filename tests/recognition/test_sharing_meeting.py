"""The monthly success-sharing meeting: a hand-made month (outcomes reached by a
reading in it, value points reached in it), by team, for each role; its query
count at two sizes."""

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from recognition.models import AccountValuePoint
from tests.factories import TeamMembershipFactory
from tests.journeys.factories import CustomerAccountFactory
from tests.journeys.success_factories import (
    journey_with_value_points,
    measure_for,
    plan_for,
    read,
)

pytestmark = pytest.mark.django_db

URL = reverse("recognition:sharing_meeting")
MARCH = "2026-03"


def _reached_value_point(account, step, member, team, reached_at, on_time=True):
    return AccountValuePoint.objects.create(
        account=account,
        journey=account.journey,
        step=step,
        member=member,
        team=team,
        cohort_month=date(2026, 1, 1),
        computed_at=reached_at,
        started_at=datetime(2026, 1, 5, tzinfo=UTC),
        deadline=datetime(2026, 4, 5, tzinfo=UTC),
        reached_at=reached_at,
        on_time=on_time,
    )


@pytest.fixture
def march(org):
    """Team A: an outcome reached in March (a cost halved), one reached in
    February, one reading in March short of its target; a value point reached
    in March (on time), one in April. Team B: an outcome reached in March."""
    journey, steps = journey_with_value_points()
    acme = CustomerAccountFactory(journey=journey, owner=org.member_a, name="Acme")
    plan = plan_for(acme, outcome="問い合わせ対応の工数を半分に")
    reached = measure_for(plan, name="月間工数", baseline=100, target=50)
    read(reached, date(2026, 3, 20), 48)
    earlier = measure_for(plan, name="一次回答時間", baseline=10, target=5, position=2)
    read(earlier, date(2026, 2, 10), 5)
    short = measure_for(plan, name="CSAT", baseline=3, target=4, position=3)
    read(short, date(2026, 3, 25), 3.5)
    beta = CustomerAccountFactory(journey=journey, owner=org.member_b, name="Beta")
    revenue = measure_for(
        plan_for(beta, outcome="新規売上を二割伸ばす"),
        name="月間売上",
        baseline=1000,
        target=1200,
    )
    read(revenue, date(2026, 3, 31), 1250)
    _reached_value_point(
        acme, steps[1], org.member_a, org.team_a, datetime(2026, 3, 3, 3, tzinfo=UTC)
    )
    _reached_value_point(
        acme, steps[3], org.member_a, org.team_a, datetime(2026, 4, 2, 3, tzinfo=UTC)
    )
    return {"acme": acme, "beta": beta}


def _get(client, user, **params):
    client.force_login(user)
    return client.get(URL, params)


def _sections(html):
    import re

    return re.findall(r'data-team="(\d+)"', html)


def test_a_manager_sees_the_month_of_their_team(client, org, march):
    html = _get(client, org.manager_a, month=MARCH).content.decode()
    # The teams they lead, sub-teams included, by name.
    assert _sections(html) == [str(org.team_a.pk), str(org.sub_a.pk)]
    assert html.count('data-testid="outcome-reached"') == 1
    assert "問い合わせ対応の工数を半分に" in html and "月間工数" in html
    assert "一次回答時間" not in html and "CSAT" not in html
    assert "新規売上を二割伸ばす" not in html
    assert html.count('data-testid="value-point-reached"') == 1
    assert "On time" in html
    assert org.member_a.display_name in html


def test_the_customers_words_are_quoted_as_each_language_quotes(client, org, march):
    client.force_login(org.manager_a)
    for language, quoted in (
        ("ja", "「問い合わせ対応の工数を半分に」"),
        ("en", "“問い合わせ対応の工数を半分に”"),
    ):
        response = client.get(
            URL, {"month": MARCH}, headers={"accept-language": language}
        )
        assert quoted in response.content.decode()


def test_an_admin_sees_every_team_and_a_member_their_own(client, org, march):
    html = _get(client, org.admin, month=MARCH).content.decode()
    assert html.count('data-testid="outcome-reached"') == 2
    assert "新規売上を二割伸ばす" in html
    html = _get(client, org.member_b, month=MARCH).content.decode()
    assert _sections(html) == [str(org.team_b.pk)]
    assert "新規売上を二割伸ばす" in html and "Acme" not in html
    # Members read: no form writes anything here.
    assert 'method="post"' not in html.split("<main")[-1]


def test_a_member_sees_a_teammates_outcomes_counted_not_shown(client, org, march):
    """The plan and the name of an account are for those who see the account: a
    teammate's are counted (the meeting's member saw them, and got 404 on the
    account)."""
    teammate = TeamMembershipFactory(team=org.team_a).user
    march["acme"].coverage.update(owner=teammate)
    html = _get(client, org.member_a, month=MARCH).content.decode()
    assert "問い合わせ対応の工数を半分に" not in html and "Acme" not in html
    assert 'data-testid="outcome-reached"' not in html
    assert 'data-testid="value-point-reached"' not in html
    hidden = html.split('data-testid="outcomes-hidden">')[1].split("<")[0]
    assert hidden == "And 1 more on an account you do not see."
    assert 'data-testid="value-points-hidden"' in html
    # Their leader sees them.
    html = _get(client, org.manager_a, month=MARCH).content.decode()
    assert "問い合わせ対応の工数を半分に" in html and "Acme" in html


def test_another_month_and_a_team_filter(client, org, march):
    html = _get(client, org.admin, month="2026-02").content.decode()
    assert "一次回答時間" in html and "月間工数" not in html
    html = _get(client, org.admin, month="2026-04").content.decode()
    assert html.count('data-testid="value-point-reached"') == 1
    assert html.count('data-testid="outcome-reached"') == 0
    html = _get(client, org.admin, month=MARCH, team=org.team_b.pk).content.decode()
    assert _sections(html) == [str(org.team_b.pk)]


def test_a_wrong_month_falls_back_with_a_message(client, org, march):
    response = _get(client, org.admin, month="2026-13")
    assert response.status_code == 200
    assert "YYYY-MM" in response.content.decode()


def test_interviewers_have_no_meeting_page(client, org):
    assert _get(client, org.interviewer).status_code == 403


@pytest.mark.parametrize("size", [1, 8])
def test_the_query_count_does_not_grow(
    client, org, django_assert_max_num_queries, size
):
    journey, steps = journey_with_value_points()
    for number in range(size):
        account = CustomerAccountFactory(journey=journey, owner=org.member_a)
        measure = measure_for(plan_for(account), baseline=0, target=10)
        read(measure, date(2026, 3, 10 + number), 10)
        _reached_value_point(
            account,
            steps[1],
            org.member_a,
            org.team_a,
            datetime(2026, 3, 3, 3, tzinfo=UTC),
        )
    client.force_login(org.admin)
    with django_assert_max_num_queries(12):
        response = client.get(URL, {"month": MARCH})
    assert response.content.decode().count('data-testid="outcome-reached"') == size
