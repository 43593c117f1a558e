"""The revenue KPI page and its drill-down: the KPI tree of a month with links to
the accounts behind each movement, the last twelve months, who sees which scope,
empty states and a fixed number of queries (tests/recognition/revenue_world.py)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation
from pytest_django.asserts import assertContains, assertNotContains

from recognition.services.rollup import rollup
from tests.journeys.factories import CustomerAccountFactory
from tests.recognition.revenue_world import build_revenue_world, cover, record

pytestmark = pytest.mark.django_db

PAGE = reverse("recognition:revenue_kpis")
ACCOUNTS = reverse("recognition:revenue_accounts")


@pytest.fixture
def world(org):
    built = build_revenue_world(org)
    rollup(full=True)
    return built


def tree_row(response, node: str) -> str:
    html = response.content.decode()
    start = html.index(f'data-node="{node}"')
    return html[start : html.index("</tr>", start) if "</tr>" in html[start:] else None]


def test_the_organisation_tree_of_a_month(client, world):
    client.force_login(world.org.admin)
    response = client.get(PAGE, {"scope": "organisation", "month": "2026-04"})
    assert response.status_code == 200
    assert "¥2,450,000" in tree_row(response, "starting")
    assert "¥200,000" in tree_row(response, "expansion")
    assert "¥300,000" in response.content.decode().split('data-node="reactivation"')[1]
    assertContains(response, "108.2 %")  # 2,650,000 / 2,450,000
    expansion = tree_row(response, "expansion")
    assert (
        f"{ACCOUNTS}?scope=organisation&amp;month=2026-04&amp;movement=expansion"
        in expansion
    )
    # The months table, newest first, the running month marked.
    html = response.content.decode()
    assert html.index('data-month="2026-05"') < html.index('data-month="2026-04"')
    assertContains(response, 'data-testid="revenue-chart"')
    assertContains(response, 'data-testid="definitions"')


def test_the_default_month_is_the_last_complete_one(client, world):
    client.force_login(world.org.admin)
    response = client.get(PAGE)
    # After May 2026 nothing moves: every later month starts with May's end.
    assert "¥2,600,000" in tree_row(response, "starting")
    assertContains(response, "100.0 %")


def test_the_drill_down_lists_the_accounts(client, world):
    client.force_login(world.org.admin)
    response = client.get(
        ACCOUNTS, {"scope": "organisation", "month": "2026-05", "movement": "downsell"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Account A") < html.index("Account E")
    assertContains(
        response,
        reverse("journeys:account_detail", args=[world.accounts["A"].pk]),
    )
    assertContains(response, "¥1,200,000")
    assertContains(response, "−¥300,000")
    assertContains(response, "−¥350,000")


def test_a_member_reads_their_own_figures_from_the_rollup(client, world):
    client.force_login(world.sato)
    response = client.get(PAGE, {"month": "2026-05"})
    assert response.status_code == 200
    assert "¥1,500,000" in tree_row(response, "starting")
    assertContains(response, "80.0 %")
    assertContains(response, 'data-testid="from-rollup"')
    # Only themselves in the picker.
    assertNotContains(response, f'value="member:{world.kato.pk}"')
    assertNotContains(response, 'value="organisation"')


def test_a_zero_starting_arr_shows_no_nrr(client, world):
    client.force_login(world.org.admin)
    response = client.get(
        PAGE, {"scope": f"member:{world.suzuki.pk}", "month": "2026-03"}
    )
    assertContains(response, 'data-testid="no-nrr"')
    assert "¥400,000" in response.content.decode().split('data-node="new"')[1]


@pytest.mark.parametrize(
    "who, query, status",
    [
        ("manager_a", {"scope": "team", "id": "team_a"}, 200),
        ("manager_a", {"scope": "member", "id": "sato"}, 200),
        ("manager_a", {"scope": "team", "id": "team_b"}, 404),
        ("manager_a", {"scope": "member", "id": "kato"}, 404),
        ("manager_a", {"scope": "organisation"}, 404),
        ("manager_a", {"scope": "segment", "segment": "SMB"}, 404),
        ("manager_a", {"scope": "pool", "id": "pool"}, 404),
        ("manager_b", {"scope": "pool", "id": "pool"}, 200),
        ("sato", {"scope": "member", "id": "sato"}, 200),
        ("sato", {"scope": "member", "id": "kato"}, 404),
        ("sato", {"scope": "team", "id": "team_a"}, 404),
        ("sato", {"scope": "organisation"}, 404),
        ("admin", {"scope": "segment", "segment": "SMB"}, 200),
        ("admin", {"scope": "pool", "id": "pool"}, 200),
        ("interviewer", {}, 403),
    ],
)
def test_who_sees_which_scope(client, world, who, query, status):
    people = {
        "manager_a": world.org.manager_a,
        "manager_b": world.org.manager_b,
        "sato": world.sato,
        "admin": world.org.admin,
        "interviewer": world.org.interviewer,
    }
    ids = {
        "team_a": world.org.team_a.pk,
        "team_b": world.org.team_b.pk,
        "sato": world.sato.pk,
        "kato": world.kato.pk,
        "pool": world.pool.pk,
    }
    if "id" in query:
        query["id"] = ids[query["id"]]
    client.force_login(people[who])
    assert client.get(PAGE, query).status_code == status
    drill = {**query, "month": "2026-05", "movement": "downsell"}
    assert client.get(ACCOUNTS, drill).status_code == status


def test_a_manager_opens_on_their_team(client, world):
    client.force_login(world.org.manager_a)
    response = client.get(PAGE, {"month": "2026-04"})
    assertContains(response, "Team A")
    assert "¥2,200,000" in tree_row(response, "starting")


def test_bad_filters_say_why_and_fall_back(client, world):
    client.force_login(world.org.admin)
    response = client.get(PAGE, {"scope": "galaxy", "month": "2099-01"})
    assert response.status_code == 200
    assertContains(response, "Unknown scope")
    assertContains(response, "This month is in the future.")
    assertContains(response, 'data-testid="kpi-tree"')


def test_no_snapshots_yet(client, org):
    client.force_login(org.admin)
    response = client.get(PAGE)
    assertContains(response, 'data-testid="no-snapshots"')
    assertNotContains(response, 'data-testid="kpi-tree"')


def test_japanese(client, world):
    client.force_login(world.org.admin)
    with translation.override("ja"):
        response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200


def _more(world, count: int) -> None:
    for index in range(count):
        account = CustomerAccountFactory(name=f"More {index}")
        cover(account, owner=world.sato)
        record(account, date(2026, 3, 1), 100_000 + index)
        record(account, date(2026, 5, 1), 90_000)


@pytest.mark.parametrize("scope", ["organisation", "member", "team"])
def test_the_number_of_queries_does_not_grow(
    client, world, django_assert_max_num_queries, scope
):
    client.force_login(world.org.admin)
    query = {"scope": scope, "month": "2026-05"}
    if scope == "member":
        query["id"] = world.sato.pk
    if scope == "team":
        query["id"] = world.org.team_a.pk
    with django_assert_max_num_queries(14):
        assert client.get(PAGE, query).status_code == 200
    with django_assert_max_num_queries(8):
        client.get(ACCOUNTS, {**query, "movement": "downsell"})
    _more(world, 15)
    rollup(full=True)
    with django_assert_max_num_queries(14):
        assert client.get(PAGE, query).status_code == 200
    with django_assert_max_num_queries(8):
        response = client.get(ACCOUNTS, {**query, "movement": "downsell"})
    assertContains(response, "More 14")


# Page polish: labels, figures on one line, the period definitions, the cache --------


def test_the_scope_label_is_a_translated_pattern(client, world):
    from recognition.views.revenue import scope_label

    client.force_login(world.org.admin)
    query = {"scope": "team", "id": world.org.team_a.pk}
    response = client.get(PAGE, query)
    assertContains(response, f"Team: {world.org.team_a.name}")
    with translation.override("ja"):
        assert scope_label("segment", "SMB") == "セグメント：SMB"


def test_figures_stay_on_one_line_and_the_period_is_defined(client, world):
    client.force_login(world.org.admin)
    response = client.get(PAGE, {"scope": "organisation", "month": "2026-04"})
    html = response.content.decode()
    table = html[html.index('data-testid="revenue-months"') - 200 :]
    assert "table-responsive" in table[:200]
    start = table.index("<table")
    assert "text-nowrap" in table[start : table.index(">", start)]
    assertContains(response, 'data-testid="period-definitions"')
    assertContains(response, "net change")


def test_the_organisations_months_are_cached_until_a_snapshot_changes(
    client, world, django_assert_max_num_queries
):
    from recognition.selectors import revenue

    client.force_login(world.org.admin)
    query = {"scope": "organisation", "month": "2026-05"}
    months = [date(2026, 4, 1), date(2026, 5, 1)]
    first = revenue.scope_months(scope="organisation", owner=None, months=months)
    # Cached: the version's query only.
    with django_assert_max_num_queries(1):
        again = revenue.scope_months(scope="organisation", owner=None, months=months)
    assert again == first
    assert client.get(PAGE, query).status_code == 200
    # A new snapshot changes the key: May's S is not May's any more.
    record(world.accounts["A"], date(2026, 4, 1), 2_000_000)
    changed = revenue.scope_months(scope="organisation", owner=None, months=months)
    assert changed[date(2026, 5, 1)].starting != first[date(2026, 5, 1)].starting
    response = client.get(PAGE, query)
    assert "¥2,950,000" not in tree_row(response, "starting")
    # A coverage change too (the per-CSM figures read it).
    before = revenue.scope_months(scope="organisation", owner=None, months=months)
    cover(CustomerAccountFactory(), owner=world.sato, start=world_start())
    after = revenue.scope_months(scope="organisation", owner=None, months=months)
    assert (
        after[date(2026, 5, 1)].owned_accounts
        == before[date(2026, 5, 1)].owned_accounts + 1
    )


@pytest.mark.parametrize("how", ["saved", "imported"])
def test_a_segments_months_follow_an_account_moved_to_it(world, how):
    """C (SMB, 500,000 at the end of April) moves to Enterprise: Enterprise's May
    starts at 1,900,000 + 500,000, though no snapshot changed (the cached months
    are read again)."""
    from journeys.imports import import_accounts
    from recognition.selectors import revenue
    from tests.journeys.test_imports import ACCOUNT_HEADER, csv_bytes

    months = [date(2026, 4, 1), date(2026, 5, 1)]
    before = revenue.scope_months(scope="segment", owner="Enterprise", months=months)
    assert before[date(2026, 5, 1)].starting == 1_900_000
    moved = world.accounts["C"]
    if how == "saved":  # the account form, the Django admin
        moved.segment = "Enterprise"
        moved.save()
    else:
        line = (
            f"{moved.external_id},{moved.name},Enterprise,,{moved.journey.name},"
            "dedicated,suzuki,"
        )
        report = import_accounts(
            file=csv_bytes([ACCOUNT_HEADER, line]),
            by=world.org.admin,
            confirm_not_ready=True,
        )
        assert not report.rejected, report.problems
    after = revenue.scope_months(scope="segment", owner="Enterprise", months=months)
    assert after[date(2026, 5, 1)].starting == 2_400_000


def world_start():
    from tests.recognition.revenue_world import START

    return START
