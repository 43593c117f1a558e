"""The metrics API: the catalogue, members' and teams' monthly figures scoped to who
asks, filters checked with a 400 on the parameter (never a 500), and query counts
that do not grow with the figures."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recognition.models import MemberFigure, TeamFigure
from tests.recognition.dashboard_factories import APRIL, build_dashboard_world, grow

pytestmark = pytest.mark.django_db

V1 = "/api/v1"


@pytest.fixture
def world(org):
    return build_dashboard_world(org)


def _get(api_client, user, url, **params):
    if user is not None:
        api_client.force_authenticate(user)
    return api_client.get(url, params)


def _members(response) -> set[int]:
    return {row["member"] for row in response.json()["results"]}


# --- Catalogue ------------------------------------------------------------------------


def test_the_catalogue_describes_every_metric(api_client, org, world):
    response = _get(api_client, org.member_a, f"{V1}/metrics/")
    assert response.status_code == 200
    rows = {row["key"]: row for row in response.json()["results"]}
    step = rows[world.key("step_conversion", world.s1)]
    assert step == {
        "key": f"step_conversion:{world.s1.pk}",
        "family": "step_conversion",
        "label": "Conversion 1. Step 1 → 2. Step 2 (オンボーディング)",
        "unit": "percent",
        "direction": "higher",
        "has_denominator": True,
        "denominator": "cohort: accounts that first reached the step in the period",
        "journey": world.journey.pk,
        "step": world.s1.pk,
        "window_days": 90,
    }
    days = rows[world.key("days_to_convert", world.s1)]
    assert (days["direction"], days["unit"], days["has_denominator"]) == (
        "lower",
        "days",
        False,
    )
    assert rows["training_completion"]["journey"] is None
    assert rows["training_completion"]["window_days"] is None
    assert "step_events_recorded" in rows
    completed = rows[world.key("conversions_completed", world.s1)]
    assert (completed["unit"], completed["has_denominator"]) == ("count", True)
    assert completed["window_days"] is None


def test_the_catalogue_filters_by_journey_and_family(api_client, org, world):
    response = _get(
        api_client,
        org.manager_a,
        f"{V1}/metrics/",
        journey=world.journey.pk,
        family="step_conversion",
    )
    keys = [row["key"] for row in response.json()["results"]]
    assert keys == [
        world.key("step_conversion", world.s1),
        world.key("step_conversion", world.s2),
    ]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"journey": "abc"}, "journey"),
        ({"journey": "1.5"}, "journey"),
        ({"journey": str(2**64)}, "journey"),
        ({"family": "revenue"}, "family"),
    ],
)
def test_a_wrong_catalogue_filter_answers_400_on_it(api_client, org, params, field):
    response = _get(api_client, org.member_a, f"{V1}/metrics/", **params)
    assert response.status_code == 400
    assert field in response.json()


# --- Member figures -------------------------------------------------------------------


def test_members_see_their_own_figures_only(api_client, org, world):
    response = _get(api_client, org.member_a, f"{V1}/member-metrics/")
    assert response.status_code == 200
    assert _members(response) == {org.member_a.pk}
    response = _get(
        api_client,
        None,
        f"{V1}/member-metrics/",
        member=world.member_c.pk,
    )
    assert response.json()["results"] == []


def test_leaders_see_the_members_they_coach_and_admins_everyone(api_client, org, world):
    response = _get(api_client, org.manager_a, f"{V1}/member-metrics/", page_size=200)
    assert _members(response) == {org.member_a.pk, world.member_c.pk}
    response = _get(api_client, org.manager_b, f"{V1}/member-metrics/", page_size=200)
    assert _members(response) == {org.member_b.pk}
    response = _get(api_client, org.admin, f"{V1}/member-metrics/", page_size=200)
    assert _members(response) == {
        org.member_a.pk,
        world.member_c.pk,
        org.member_b.pk,
    }


def test_one_figure_by_member_metric_and_month(api_client, org, world):
    response = _get(
        api_client,
        org.manager_a,
        f"{V1}/member-metrics/",
        member=org.member_a.pk,
        metric=world.key("step_conversion", world.s1),
        period=APRIL,
    )
    (row,) = response.json()["results"]
    assert row["member"] == org.member_a.pk
    assert row["member_name"] == "秋山 member_a"
    assert row["label"] == "Conversion 1. Step 1 → 2. Step 2 (オンボーディング)"
    assert (row["period"], row["unit"]) == ("2026-04", "percent")
    assert (row["value"], row["numerator"], row["denominator"]) == (0.5, 2, 4)
    # Final since A4's window ended (April 9 12:00 JST + 90 days): A1 and A2
    # converted in April, A3's window ended on July 6.
    assert (row["provisional"], row["final_at"]) == (False, "2026-07-08T12:00:00+09:00")


def test_a_provisional_figure_says_until_when(api_client, org, world):
    response = _get(
        api_client,
        org.member_a,
        f"{V1}/member-metrics/",
        metric=world.key("journey_conversion"),
        period=APRIL,
    )
    (row,) = response.json()["results"]
    assert (row["numerator"], row["denominator"]) == (1, 4)
    assert row["provisional"] is True
    # 2026-10-06 12:00 JST (A4's journey window).
    assert row["final_at"].startswith("2026-10-06T")


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"member": "abc"}, "member", "Enter a whole number."),
        ({"member": "1.5"}, "member", "Enter a whole number."),
        ({"member": str(2**64)}, "member", "less than or equal to"),
        ({"member": "-1"}, "member", "greater than or equal to"),
        ({"metric": "conversion"}, "metric", "Unknown metric “conversion”"),
        ({"metric": "step_conversion:99999999"}, "metric", "Unknown metric"),
        ({"period": "2026-13"}, "period", "Use a month: YYYY-MM"),
        ({"period": "2026-4"}, "period", "Use a month: YYYY-MM"),
        ({"period": "FY2026-Q1"}, "period", "Use a month: YYYY-MM"),
        ({"period": "last-3"}, "period", "Use a month: YYYY-MM"),
        ({"period": "\x00"}, "period", "Null characters are not allowed."),
    ],
)
def test_a_wrong_filter_answers_400_with_a_message_on_it(
    api_client, org, world, params, field, message
):
    response = _get(api_client, org.manager_a, f"{V1}/member-metrics/", **params)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])


@pytest.mark.parametrize(
    "params, status, field",
    [
        ({"cursor": "abc"}, 400, "cursor"),
        # A cursor of the list by id, offered to the list by month.
        ({"cursor": "eyJwIjpbMV19", "ordering": "-month"}, 400, "cursor"),
        # A month that is no date.
        ({"cursor": "eyJwIjpbIngiLDEsIm0iLDFdfQ"}, 400, "cursor"),
        ({"page_size": "x"}, 400, "page_size"),
        ({"ordering": "password"}, 400, "ordering"),
        ({"ordering": "value"}, 400, "ordering"),
    ],
)
def test_garbage_in_paging_and_ordering_answers_400_on_it(
    api_client, org, world, params, status, field
):
    response = _get(api_client, org.manager_a, f"{V1}/member-metrics/", **params)
    assert response.status_code == status
    assert field in response.json()


def test_figures_are_ordered_by_month_newest_first_and_can_be_reordered(
    api_client, org, world
):
    response = _get(api_client, org.member_a, f"{V1}/member-metrics/", page_size=200)
    months = [row["period"] for row in response.json()["results"]]
    assert months == sorted(months, reverse=True)
    response = _get(api_client, org.member_a, f"{V1}/member-metrics/", ordering="month")
    months = [row["period"] for row in response.json()["results"]]
    assert months == sorted(months)


def _walk(api_client, url, link="next"):
    """Every row of the list, following its `link` links from `url`."""
    rows = []
    while url:
        body = api_client.get(url).json()
        assert "count" not in body
        rows.extend(body["results"])
        url = body[link]
    return rows


def _key(row, owner):
    return (row["period"], row[owner], row["metric"], row["id"])


@pytest.mark.parametrize(
    "path, owner, model",
    [("member-metrics", "member", MemberFigure), ("team-metrics", "team", TeamFigure)],
)
def test_figures_are_paged_by_cursor_each_once_in_the_documented_order(
    api_client, org, world, path, owner, model
):
    """Newest month first, then owner and metric descending; or all ascending;
    without a total. (Metric keys compare as Python compares them: the tests'
    database collates bytewise.)"""
    api_client.force_authenticate(org.admin)
    newest_first = _walk(api_client, f"{V1}/{path}/?page_size=3")
    assert len(newest_first) == model.objects.count() > 6
    keys = [_key(row, owner) for row in newest_first]
    assert keys == sorted(keys, reverse=True)
    oldest_first = _walk(api_client, f"{V1}/{path}/?page_size=4&ordering=month")
    assert [_key(row, owner) for row in oldest_first] == sorted(keys)
    # Back from the last page by the previous links: the same rows.
    url, last = f"{V1}/{path}/?page_size=3", None
    while url:
        last, url = url, api_client.get(url).json()["next"]
    back = _walk(api_client, last, link="previous")
    pages = [newest_first[i : i + 3] for i in range(0, len(newest_first), 3)]
    assert back == [row for page in reversed(pages) for row in page]
    by_id = _walk(api_client, f"{V1}/{path}/?page_size=5&ordering=-id")
    assert [row["id"] for row in by_id] == sorted(
        (row["id"] for row in newest_first), reverse=True
    )


@pytest.mark.parametrize("role", ["interviewer", "recruiter"])
def test_other_roles_get_403(api_client, org, role):
    for path in ("metrics", "member-metrics", "team-metrics"):
        response = _get(api_client, getattr(org, role), f"{V1}/{path}/")
        assert response.status_code == 403


def test_anonymous_callers_get_401(api_client, org):
    for path in ("metrics", "member-metrics", "team-metrics"):
        assert api_client.get(f"{V1}/{path}/").status_code == 401


# --- Team figures ---------------------------------------------------------------------


def test_team_figures_follow_the_teams_the_viewer_sees(api_client, org, world):
    metric = world.key("step_conversion", world.s1)
    response = _get(
        api_client, org.member_a, f"{V1}/team-metrics/", metric=metric, period=APRIL
    )
    (row,) = response.json()["results"]
    assert (row["team"], row["team_name"]) == (org.team_a.pk, "Team A")
    assert (row["numerator"], row["denominator"]) == (5, 7)
    response = _get(
        api_client, org.manager_b, f"{V1}/team-metrics/", team=org.team_a.pk
    )
    assert response.json()["results"] == []
    response = _get(api_client, org.admin, f"{V1}/team-metrics/", page_size=200)
    assert {row["team"] for row in response.json()["results"]} == {
        org.team_a.pk,
        org.team_b.pk,
    }


@pytest.mark.parametrize(
    "params, field",
    [
        ({"team": "x"}, "team"),
        ({"metric": "nope"}, "metric"),
        ({"period": "2026"}, "period"),
    ],
)
def test_a_wrong_team_filter_answers_400(api_client, org, params, field):
    response = _get(api_client, org.admin, f"{V1}/team-metrics/", **params)
    assert response.status_code == 400
    assert field in response.json()


# --- Query counts ---------------------------------------------------------------------


@pytest.mark.parametrize("path", ["member-metrics", "team-metrics", "metrics"])
def test_lists_run_as_many_queries_for_many_figures(
    api_client, org, world, django_assert_max_num_queries, path
):
    api_client.force_authenticate(org.manager_a)
    with CaptureQueriesContext(connection) as few:
        api_client.get(f"{V1}/{path}/")
    before = MemberFigure.objects.count()
    grow(world, members=8, accounts_each=6)
    assert MemberFigure.objects.count() > before
    with django_assert_max_num_queries(len(few)):
        response = api_client.get(f"{V1}/{path}/")
    assert response.status_code == 200
