"""ARR snapshots (journeys.revenue): movements classified against hand-computed
examples, stated types that must fit and are kept, corrections with their history,
the carried-forward months, and the history scoped to the viewer like the account."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from journeys import revenue
from journeys.models import ARRMovement, ARRSnapshot, CustomerAccount
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps

pytestmark = pytest.mark.django_db

# Mid-June 2026: June is the month in progress, July is in the future.
NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
UI = ARRSnapshot.Source.UI

NEW = ARRMovement.NEW
UPSELL = ARRMovement.UPSELL
EXPANSION = ARRMovement.EXPANSION
CROSS_SELL = ARRMovement.CROSS_SELL
DOWNSELL = ARRMovement.DOWNSELL
CHURN = ARRMovement.CHURN
REACTIVATION = ARRMovement.REACTIVATION


@pytest.fixture
def account(org):
    journey, _steps = journey_with_steps(2)
    return CustomerAccountFactory(journey=journey, owner=org.member_a)


def record(account, by, month, arr, movement=""):
    return revenue.arr_snapshot_record(
        account=account,
        month=month,
        arr=Decimal(arr),
        movement=movement,
        by=by,
        source=UI,
        now=NOW,
    )


def series(account) -> list[tuple[str, int, int | None, str]]:
    return [
        (
            f"{s.month:%Y-%m}",
            int(s.arr),
            s.previous_arr and int(s.previous_arr),
            s.movement,
        )
        for s in ARRSnapshot.objects.filter(account=account).order_by("month")
    ]


# --- Classification, hand-computed ----------------------------------------------------


def test_classify_a_year_with_every_movement():
    # ARR by month; what the rules say, worked out by hand.
    arrs = [0, 100, 100, 150, 120, 0, 0, 90, 200]
    stated = ["", "", "", "", "", "", "", "", UPSELL]
    result = revenue.classify(zip(map(Decimal, arrs), stated, strict=True))
    assert [r.movement for r in result] == [
        "",  # a zero starting ARR: signed, not billed yet, no movement
        NEW,  # first ARR above 0
        "",  # unchanged
        EXPANSION,  # increase, nothing stated
        DOWNSELL,  # 150 → 120
        CHURN,  # → 0
        "",  # still 0
        REACTIVATION,  # > 0 again after a churn
        UPSELL,  # increase stated as an upsell
    ]
    assert [r.previous_arr for r in result] == [None, 0, 100, 100, 150, 120, 0, 0, 90]


def test_a_stated_type_that_does_not_fit_gives_way_to_the_inferred_one():
    result = revenue.classify(
        [(Decimal(100), CROSS_SELL), (Decimal(50), UPSELL), (Decimal(80), CROSS_SELL)]
    )
    # First month: cross-sell does not fit ARR from nothing (new).
    assert [r.movement for r in result] == [NEW, DOWNSELL, CROSS_SELL]
    assert result[1].fitting == (DOWNSELL,)


@pytest.mark.parametrize(
    ("previous", "arr", "had_arr", "fitting"),
    [
        (None, 0, False, ()),
        (None, 10, False, (NEW, REACTIVATION)),
        (0, 10, False, (NEW, REACTIVATION)),
        (0, 10, True, (REACTIVATION, NEW)),
        (10, 0, True, (CHURN,)),
        (10, 5, True, (DOWNSELL,)),
        (10, 15, True, (EXPANSION, UPSELL, CROSS_SELL)),
        (10, 10, True, ()),
    ],
)
def test_the_types_that_fit_each_change(previous, arr, had_arr, fitting):
    previous = None if previous is None else Decimal(previous)
    assert revenue.fitting_movements(previous, Decimal(arr), had_arr=had_arr) == fitting


# --- Recording ------------------------------------------------------------------------


def test_recording_months_classifies_each_against_the_month_before(org, account):
    member = org.member_a
    record(account, member, date(2026, 1, 1), 1_000_000)
    record(account, member, date(2026, 2, 1), 1_200_000, UPSELL)
    record(account, member, date(2026, 4, 1), 900_000)  # March carried forward
    record(account, member, date(2026, 5, 1), 0)
    record(account, member, date(2026, 6, 1), 500_000)
    assert series(account) == [
        ("2026-01", 1_000_000, None, NEW),
        ("2026-02", 1_200_000, 1_000_000, UPSELL),
        ("2026-04", 900_000, 1_200_000, DOWNSELL),
        ("2026-05", 0, 900_000, CHURN),
        ("2026-06", 500_000, 0, REACTIVATION),
    ]
    first = ARRSnapshot.objects.get(account=account, month=date(2026, 1, 1))
    assert (first.recorded_by, first.source) == (member, UI)
    # The account's ARR follows its latest month.
    account.refresh_from_db()
    assert account.arr == 500_000


def test_a_month_recorded_out_of_order_reclassifies_the_months_after(org, account):
    record(account, org.member_a, date(2026, 3, 1), 1_500_000)
    assert series(account) == [("2026-03", 1_500_000, None, NEW)]
    # An earlier month arrives: March is now an expansion from January.
    record(account, org.member_a, date(2026, 1, 1), 1_000_000)
    assert series(account) == [
        ("2026-01", 1_000_000, None, NEW),
        ("2026-03", 1_500_000, 1_000_000, EXPANSION),
    ]


def test_a_zero_starting_arr_is_no_movement_and_its_first_arr_is_new(org, account):
    record(account, org.member_a, date(2026, 1, 1), 0)
    record(account, org.member_a, date(2026, 2, 1), 300_000)
    assert series(account) == [
        ("2026-01", 0, None, ""),
        ("2026-02", 300_000, 0, NEW),
    ]


def test_recording_a_month_again_corrects_it_and_the_history_keeps_the_value_before(
    org, account
):
    record(account, org.member_a, date(2026, 1, 1), 1_000_000)
    record(account, org.member_a, date(2026, 2, 1), 1_100_000)
    snapshot = record(account, org.manager_a, date(2026, 1, 1), 1_200_000)
    assert ARRSnapshot.objects.count() == 2
    assert series(account) == [
        ("2026-01", 1_200_000, None, NEW),
        ("2026-02", 1_100_000, 1_200_000, DOWNSELL),
    ]
    assert snapshot.recorded_by == org.manager_a
    latest, first = snapshot.history.order_by("-history_id")
    assert (first.arr, latest.arr) == (1_000_000, 1_200_000)
    assert (latest.history_type, latest.history_user) == ("~", org.manager_a)
    # February's movement changed because of January: recorded too, by whom.
    february = ARRSnapshot.objects.get(month=date(2026, 2, 1))
    assert february.history.latest("history_id").history_user == org.manager_a


def test_recording_what_is_there_changes_nothing(org, account):
    snapshot = record(account, org.member_a, date(2026, 1, 1), 1_000_000, NEW)
    again = record(account, org.manager_a, date(2026, 1, 1), 1_000_000)
    assert again.pk == snapshot.pk
    assert again.recorded_by == org.member_a
    assert snapshot.history.count() == 1


@pytest.mark.parametrize(
    ("month", "arr", "field", "message"),
    [
        (date(2026, 7, 1), 100, "month", "This month is in the future."),
        (date(1999, 12, 1), 100, "month", "This month is too far in the past."),
        (date(2026, 1, 15), 100, "month", "A month is given by its first day."),
        (date(2026, 1, 1), -1, "arr", "ARR is never negative."),
        (date(2026, 1, 1), Decimal("1.5"), "arr", "ARR is a whole amount of yen."),
        (date(2026, 1, 1), 10**14, "arr", "ARR must be at most"),
    ],
)
def test_bad_months_and_amounts_are_refused_on_their_field_and_nothing_is_written(
    org, account, month, arr, field, message
):
    with pytest.raises(ValidationError) as refused:
        record(account, org.member_a, month, arr)
    assert message in refused.value.message_dict[field][0]
    assert not ARRSnapshot.objects.exists()


def test_the_current_month_may_be_recorded(org, account):
    assert record(account, org.member_a, date(2026, 6, 1), 100).pk


def test_a_stated_type_must_fit_the_change(org, account):
    record(account, org.member_a, date(2026, 1, 1), 1_000_000)
    with pytest.raises(ValidationError) as refused:
        record(account, org.member_a, date(2026, 2, 1), 800_000, UPSELL)
    assert refused.value.message_dict == {
        "movement": ["A decrease that leaves some ARR is a downsell."]
    }
    assert ARRSnapshot.objects.count() == 1
    with pytest.raises(ValidationError) as refused:
        record(account, org.member_a, date(2026, 2, 1), 1_000_000, EXPANSION)
    assert "did not move" in refused.value.message_dict["movement"][0]


def test_an_increase_given_as_cross_sell_is_a_cross_sell(org, account):
    record(account, org.member_a, date(2026, 1, 1), 1_000_000)
    record(account, org.member_a, date(2026, 2, 1), 1_600_000, CROSS_SELL)
    assert series(account)[-1] == ("2026-02", 1_600_000, 1_000_000, CROSS_SELL)
    assert ARRSnapshot.objects.get(month=date(2026, 2, 1)).change == 600_000


# --- Corrections of the type ----------------------------------------------------------


def test_a_corrected_type_is_kept_when_other_months_are_recorded(org, account):
    record(account, org.member_a, date(2026, 1, 1), 1_000_000)
    february = record(account, org.member_a, date(2026, 2, 1), 1_300_000)
    assert february.movement == EXPANSION
    revenue.arr_movement_correct(snapshot=february, movement=UPSELL, by=org.manager_a)
    # Later writes infer again; the correction stays.
    record(account, org.member_a, date(2026, 3, 1), 1_400_000)
    record(account, org.member_a, date(2026, 1, 1), 900_000)
    record(account, org.member_a, date(2026, 2, 1), 1_300_000)
    assert series(account) == [
        ("2026-01", 900_000, None, NEW),
        ("2026-02", 1_300_000, 900_000, UPSELL),
        ("2026-03", 1_400_000, 1_300_000, EXPANSION),
    ]
    february.refresh_from_db()
    assert february.stated_movement == UPSELL
    assert february.history.latest("history_id").history_user == org.member_a
    assert february.history.filter(history_user=org.manager_a).exists()


def test_a_correction_that_no_longer_fits_is_kept_but_the_inferred_type_applies(
    org, account
):
    record(account, org.member_a, date(2026, 1, 1), 1_000_000)
    record(account, org.member_a, date(2026, 2, 1), 1_300_000, UPSELL)
    # January corrected above February: February becomes a downsell ...
    record(account, org.member_a, date(2026, 1, 1), 1_500_000)
    february = ARRSnapshot.objects.get(month=date(2026, 2, 1))
    assert (february.movement, february.stated_movement) == (DOWNSELL, UPSELL)
    # ... and an upsell again once the change fits it.
    record(account, org.member_a, date(2026, 1, 1), 1_000_000)
    february.refresh_from_db()
    assert february.movement == UPSELL


def test_a_correction_back_to_inferred_clears_the_statement(org, account):
    record(account, org.member_a, date(2026, 1, 1), 0)
    snapshot = record(account, org.member_a, date(2026, 2, 1), 100, REACTIVATION)
    assert snapshot.movement == REACTIVATION
    snapshot = revenue.arr_movement_correct(snapshot=snapshot, movement="", by=None)
    assert (snapshot.movement, snapshot.stated_movement) == (NEW, "")


def test_a_correction_must_fit_and_is_refused_on_the_field(org, account):
    record(account, org.member_a, date(2026, 1, 1), 1_000_000)
    snapshot = record(account, org.member_a, date(2026, 2, 1), 0)
    with pytest.raises(ValidationError) as refused:
        revenue.arr_movement_correct(
            snapshot=snapshot, movement=DOWNSELL, by=org.member_a
        )
    assert refused.value.message_dict == {"movement": ["ARR down to zero is churn."]}
    snapshot.refresh_from_db()
    assert (snapshot.movement, snapshot.stated_movement) == (CHURN, "")


# --- Reading --------------------------------------------------------------------------


def test_the_history_carries_months_without_a_snapshot_forward(org, account):
    record(account, org.member_a, date(2026, 2, 1), 1_000_000)
    record(account, org.member_a, date(2026, 4, 1), 1_500_000, UPSELL)
    months = revenue.account_arr_history(account, now=NOW)
    assert [
        (f"{m.month:%Y-%m}", int(m.arr), int(m.change), m.movement, m.is_stated)
        for m in months
    ] == [
        ("2026-06", 1_500_000, 0, "", False),  # carried to the current month
        ("2026-05", 1_500_000, 0, "", False),
        ("2026-04", 1_500_000, 500_000, UPSELL, True),
        ("2026-03", 1_000_000, 0, "", False),  # carried
        ("2026-02", 1_000_000, 1_000_000, NEW, False),
    ]
    assert [m.snapshot is None for m in months] == [True, True, False, True, False]
    assert months[2].inferred == EXPANSION


def test_an_account_without_snapshots_has_no_history(account):
    assert revenue.account_arr_history(account, now=NOW) == []


@pytest.mark.parametrize(
    ("viewer", "sees"),
    [
        ("admin", True),
        ("manager_a", True),  # their team's member owns it
        ("member_a", True),  # their own
        ("member_b", False),  # another team's
        ("manager_b", False),
        ("interviewer", False),
    ],
)
def test_the_history_is_read_as_the_account_is_seen(org, account, viewer, sees):
    record(account, org.member_a, date(2026, 5, 1), 100)
    user = getattr(org, viewer)
    if sees:
        assert len(revenue.arr_history(viewer=user, account_id=account.pk, now=NOW))
    else:
        with pytest.raises(CustomerAccount.DoesNotExist):
            revenue.arr_history(viewer=user, account_id=account.pk, now=NOW)


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-04", date(2026, 4, 1)),
        ("2026/4", date(2026, 4, 1)),
        ("2026/4/1", date(2026, 4, 1)),
        ("2026-04-01", date(2026, 4, 1)),
    ],
)
def test_months_as_people_write_them(text, month):
    assert revenue.parse_month(text) == month


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-04-15", "April", "", "2026", "0000-01", "2026-00"]
)
def test_what_is_no_month(text):
    with pytest.raises(ValueError, match="YYYY-MM"):
        revenue.parse_month(text)


@pytest.mark.parametrize(
    ("text", "outcome"),
    [
        ("1200000", Decimal(1_200_000)),
        ("1,200,000", Decimal(1_200_000)),
        ("¥1,200,000", Decimal(1_200_000)),
        ("￥1,200,000", Decimal(1_200_000)),
        ("\\1,200,000", Decimal(1_200_000)),  # Shift_JIS's yen sign, as read
        ("1,200,000円", Decimal(1_200_000)),
        ("1200000 円", Decimal(1_200_000)),
        ("1,2-00", "“1,2-00” is not an amount"),
        ("-5", "ARR is never negative."),
        ("12.5", "ARR is a whole amount of yen."),
        ("abc", "“abc” is not an amount"),
        ("NaN", "“NaN” is not an amount"),
    ],
)
def test_amounts_as_people_write_them(text, outcome):
    if isinstance(outcome, Decimal):
        assert revenue.parse_arr(text) == outcome
    else:
        with pytest.raises(ValueError, match=outcome):
            revenue.parse_arr(text)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("cross-sell", CROSS_SELL),
        ("Cross_Sell", CROSS_SELL),
        ("Upsell", UPSELL),
        ("アップセル", UPSELL),
        ("チャーン", CHURN),
        ("", ""),
    ],
)
def test_movement_types_by_code_or_name(text, code):
    assert revenue.movement_choice(text) == code
