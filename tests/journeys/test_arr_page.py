"""The ARR section of the account page: the monthly history (month, ARR, change,
movement, who recorded it), the entry form with its errors on the fields and what
was typed kept, corrections of a movement's type, the empty state, who may record,
and a query count that does not grow with the months."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from journeys import revenue
from journeys.models import ARRMovement, ARRSnapshot
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(org):
    journey, _steps = journey_with_steps(3)
    return {
        "org": org,
        "own": CustomerAccountFactory(journey=journey, owner=org.member_a),
        "other": CustomerAccountFactory(journey=journey, owner=org.member_b),
    }


def _detail(account):
    return reverse("journeys:account_detail", args=[account.pk])


def _record(client, account, month, arr, movement=""):
    return client.post(
        _detail(account),
        {
            "arr-month": month,
            "arr-arr": arr,
            "arr-movement": movement,
            "arr-record": "",
        },
    )


def _rows(response) -> list[tuple[str, str, str]]:
    """(month, ARR, change) of each row of the history, as shown."""
    table = response.text.split('id="arr-history"', 1)[1].split("</table>", 1)[0]
    return re.findall(
        r'<tr data-month="([0-9-]+)".*?data-testid="arr">([^<]*)<.*?'
        r'data-testid="change">([^<]*)<',
        table,
        re.S,
    )


def _seed(account, by, *months):
    for month, arr in months:
        revenue.arr_snapshot_record(
            account=account,
            month=date.fromisoformat(f"{month}-01"),
            arr=Decimal(arr),
            by=by,
            source=ARRSnapshot.Source.UI,
        )


def test_a_member_records_the_arr_of_a_month(client, world):
    org, account = world["org"], world["own"]
    client.force_login(org.member_a)
    page = client.get(_detail(account))
    # The form proposes the current month.
    assert f'value="{revenue.current_month():%Y-%m}"' in page.text
    response = _record(client, account, "2025-01", "1,200,000")
    assert response.status_code == 302
    assert response.url.endswith("#arr")
    snapshot = ARRSnapshot.objects.get(account=account)
    assert (snapshot.month, snapshot.arr) == (date(2025, 1, 1), 1_200_000)
    assert (snapshot.recorded_by, snapshot.source) == (org.member_a, "ui")
    assert snapshot.movement == ARRMovement.NEW
    page = client.get(_detail(account))
    assert "ARR of Jan 2025 recorded: ¥1,200,000." in page.text
    assert _rows(page)[-1] == ("2025-01", "¥1,200,000", "+¥1,200,000")


def test_the_history_shows_each_movement_and_the_carried_months(client, world):
    org, account = world["org"], world["own"]
    _seed(account, org.member_a, ("2025-01", 1_000_000), ("2025-03", 800_000))
    client.force_login(org.manager_a)
    page = client.get(_detail(account))
    rows = _rows(page)
    assert rows[-3:] == [
        ("2025-03", "¥800,000", "−¥200,000"),
        ("2025-02", "¥1,000,000", ""),  # no snapshot: carried forward
        ("2025-01", "¥1,000,000", "+¥1,000,000"),
    ]
    history = page.text.split('id="arr-history"', 1)[1]
    assert "Downsell" in history and "New" in history
    assert "No snapshot: the ARR is carried forward" in history
    # Up to the current month.
    assert rows[0][0] == f"{revenue.current_month():%Y-%m}"


def test_an_increase_may_be_given_as_an_upsell_and_corrected_later(client, world):
    org, account = world["org"], world["own"]
    _seed(account, org.member_a, ("2025-01", 1_000_000))
    client.force_login(org.member_a)
    _record(client, account, "2025-02", "1500000", ARRMovement.UPSELL)
    february = ARRSnapshot.objects.get(month=date(2025, 2, 1))
    assert (february.movement, february.stated_movement) == ("upsell", "upsell")
    response = client.post(
        _detail(account),
        {
            "arr-movement-snapshot": february.pk,
            "arr-movement-movement": ARRMovement.CROSS_SELL,
            "arr-correct": "",
        },
    )
    assert response.status_code == 302
    february.refresh_from_db()
    assert february.movement == ARRMovement.CROSS_SELL
    page = client.get(_detail(account))
    assert "The movement type of Feb 2025 was corrected." in page.text
    assert re.search(r'<option value="cross_sell" selected>Cross-sell', page.text)
    # Back to the inferred type.
    client.post(
        _detail(account),
        {
            "arr-movement-snapshot": february.pk,
            "arr-movement-movement": "",
            "arr-correct": "",
        },
    )
    february.refresh_from_db()
    assert (february.movement, february.stated_movement) == ("expansion", "")


def test_a_type_that_does_not_fit_is_refused_and_nothing_changes(client, world):
    org, account = world["org"], world["own"]
    _seed(account, org.member_a, ("2025-01", 1_000_000))
    client.force_login(org.member_a)
    response = _record(client, account, "2025-02", "900000", ARRMovement.UPSELL)
    assert response.status_code == 200
    assert response.context["arr_form"].errors["movement"] == [
        "A decrease that leaves some ARR is a downsell."
    ]
    assert ARRSnapshot.objects.count() == 1


@pytest.mark.parametrize(
    ("month", "arr", "field", "message"),
    [
        ("2025-01", "-5", "arr", "ARR is never negative."),
        ("2025-01", "1.5", "arr", "ARR is a whole amount of yen."),
        (
            "2025-01",
            "12万",
            "arr",
            "“12万” is not an amount: write a whole number of yen, for example "
            "1200000 or 1,200,000.",
        ),
        ("2025-13", "100", "month", "Write a month as YYYY-MM, for example 2026-04."),
        ("next", "100", "month", "Write a month as YYYY-MM, for example 2026-04."),
    ],
)
def test_errors_are_shown_on_their_field_with_what_was_typed(
    client, world, month, arr, field, message
):
    org, account = world["org"], world["own"]
    client.force_login(org.member_a)
    response = _record(client, account, month, arr)
    assert response.status_code == 200
    assert response.context["arr_form"].errors[field] == [message]
    assert f'value="{month}"' in response.text
    assert f'value="{arr}"' in response.text
    assert not ARRSnapshot.objects.exists()


def test_a_month_in_the_future_is_refused_on_its_field(client, world):
    org, account = world["org"], world["own"]
    client.force_login(org.member_a)
    future = f"{revenue.add_months(revenue.current_month(), 1):%Y-%m}"
    response = _record(client, account, future, "100")
    assert response.context["arr_form"].errors["month"] == [
        "This month is in the future."
    ]
    assert f'value="{future}"' in response.text
    assert not ARRSnapshot.objects.exists()


def test_an_account_without_arr_says_so(client, world):
    client.force_login(world["org"].member_a)
    page = client.get(_detail(world["own"]))
    assert 'id="arr-empty"' in page.text
    assert "No ARR recorded yet." in page.text
    assert 'id="arr-history"' not in page.text


@pytest.mark.parametrize("role", ["admin", "manager_a", "member_a"])
def test_those_who_work_on_the_account_record_its_arr(client, world, role):
    client.force_login(getattr(world["org"], role))
    assert 'id="record-arr"' in client.get(_detail(world["own"])).text
    assert _record(client, world["own"], "2025-01", "100").status_code == 302
    assert ARRSnapshot.objects.filter(account=world["own"]).count() == 1


@pytest.mark.parametrize("role", ["member_a", "manager_a"])
def test_another_teams_account_answers_404_and_nothing_is_written(client, world, role):
    other = world["other"]
    _seed(other, world["org"].member_b, ("2025-01", 100))
    snapshot = ARRSnapshot.objects.get()
    client.force_login(getattr(world["org"], role))
    assert client.get(_detail(other)).status_code == 404
    assert _record(client, other, "2025-02", "200").status_code == 404
    correct = client.post(
        _detail(other),
        {
            "arr-movement-snapshot": snapshot.pk,
            "arr-movement-movement": "reactivation",
            "arr-correct": "",
        },
    )
    assert correct.status_code == 404
    assert list(ARRSnapshot.objects.values_list("month", "stated_movement")) == [
        (date(2025, 1, 1), "")
    ]


def test_a_snapshot_of_another_account_cannot_be_corrected_through_this_one(
    client, world
):
    org = world["org"]
    _seed(world["other"], org.member_b, ("2025-01", 100))
    client.force_login(org.admin)
    response = client.post(
        _detail(world["own"]),
        {
            "arr-movement-snapshot": ARRSnapshot.objects.get().pk,
            "arr-movement-movement": "reactivation",
            "arr-correct": "",
        },
    )
    assert response.status_code == 404
    assert ARRSnapshot.objects.get().stated_movement == ""


@pytest.mark.parametrize("months", [1, 24])
def test_the_account_page_query_count_does_not_grow_with_the_months(
    client, world, months, django_assert_max_num_queries
):
    org, account = world["org"], world["own"]
    start = revenue.add_months(revenue.current_month(), -months)
    _seed(
        account,
        org.member_a,
        *(
            (f"{revenue.add_months(start, n):%Y-%m}", 1_000_000 + 10_000 * n)
            for n in range(months)
        ),
    )
    client.force_login(org.member_a)
    # The page's sections: the journey, events, ARR, coverage, the success plan
    # (plan, measures, their value points and progress) and the health (latest
    # and history): 20 at one month and at 24.
    with django_assert_max_num_queries(20):
        response = client.get(_detail(account))
    assert response.status_code == 200
    assert len(_rows(response)) == months + 1
