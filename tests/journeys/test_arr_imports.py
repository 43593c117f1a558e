"""The ARR import, like the step-event import: UTF-8, UTF-8 with a BOM and Shift_JIS;
all or nothing with every problem's line, column and reason; the same file twice
changes nothing; a different ARR for a recorded month corrects it; a query count
that does not grow with the lines; the page and its template file."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journeys.imports import import_arr_snapshots
from journeys.models import ARRMovement, ARRSnapshot, CustomerAccount
from tests.journeys.factories import CustomerAccountFactory, journey_with_steps

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 6, 15, 3, 0, tzinfo=UTC)
HEADER = "external_id,month,arr,movement"


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


@pytest.fixture
def accounts(org):
    journey, _steps = journey_with_steps(2)
    return [
        CustomerAccountFactory(
            external_id=f"C-{n}", name=f"顧客{n}", journey=journey, owner=org.member_a
        )
        for n in (1, 2)
    ]


def _import(org, lines, encoding="utf-8"):
    return import_arr_snapshots(file=csv_bytes(lines, encoding), by=org.admin, now=NOW)


def _stored():
    return [
        (s.account.external_id, f"{s.month:%Y-%m}", int(s.arr), s.movement)
        for s in ARRSnapshot.objects.select_related("account").order_by(
            "account__external_id", "month"
        )
    ]


GOOD = [
    HEADER,
    "C-1,2026-01,1000000,",
    'C-1,2026/2,"1,500,000",upsell',
    "C-1,2026-03,0,",
    "C-2,2026/4/1,￥300000,",
]


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp932"], ids=["utf8", "bom", "shift_jis"]
)
def test_each_encoding_is_read(org, accounts, encoding):
    report = _import(org, GOOD, encoding)
    assert report.problems == []
    assert (report.created, report.updated, report.skipped) == (4, 0, 0)
    assert _stored() == [
        ("C-1", "2026-01", 1_000_000, ARRMovement.NEW),
        ("C-1", "2026-02", 1_500_000, ARRMovement.UPSELL),
        ("C-1", "2026-03", 0, ARRMovement.CHURN),
        ("C-2", "2026-04", 300_000, ARRMovement.NEW),
    ]
    snapshot = ARRSnapshot.objects.first()
    assert (snapshot.source, snapshot.recorded_by) == ("import", org.admin)
    assert [(row.line, row.outcome, row.detail) for row in report.rows] == [
        (2, "created", "2026-01"),
        (3, "created", "2026-02"),
        (4, "created", "2026-03"),
        (5, "created", "2026-04"),
    ]
    # The accounts' ARR follows their latest month.
    assert dict(CustomerAccount.objects.values_list("external_id", "arr")) == {
        "C-1": 0,
        "C-2": 300_000,
    }


def test_the_same_file_twice_changes_nothing(org, accounts):
    _import(org, GOOD)
    history = ARRSnapshot.history.count()
    before = list(ARRSnapshot.objects.values_list("pk", "updated_at", "movement"))
    again = _import(org, GOOD)
    assert again.problems == []
    assert (again.created, again.updated, again.skipped) == (0, 0, 4)
    assert {row.outcome for row in again.rows} == {"skipped"}
    assert list(ARRSnapshot.objects.values_list("pk", "updated_at", "movement")) == (
        before
    )
    assert ARRSnapshot.history.count() == history


def test_a_file_with_another_arr_corrects_the_month_and_those_after(org, accounts):
    _import(org, GOOD)
    report = _import(org, [HEADER, "C-1,2026-01,2000000,"])
    assert (report.created, report.updated, report.skipped) == (0, 1, 0)
    # February (stated upsell) is now a decrease: the inferred downsell applies.
    assert _stored()[:2] == [
        ("C-1", "2026-01", 2_000_000, ARRMovement.NEW),
        ("C-1", "2026-02", 1_500_000, ARRMovement.DOWNSELL),
    ]
    january = ARRSnapshot.objects.get(month=date(2026, 1, 1))
    assert [h.arr for h in january.history.order_by("history_id")] == [
        1_000_000,
        2_000_000,
    ]


def test_months_written_in_bulk_keep_who_recorded_them_unless_their_arr_changed(
    org, accounts
):
    """The import writes its months at once (COPY and UPDATE … FROM on PostgreSQL):
    a new month is recorded by the importer now; a month only classified again
    (an earlier one came in) keeps its source, recorder and time; a corrected one
    takes the importer's."""
    from journeys import revenue

    earlier = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
    account = accounts[0]
    march = revenue.arr_snapshot_record(
        account=account,
        month=date(2026, 3, 1),
        arr=Decimal(500_000),
        by=org.manager_a,
        source=ARRSnapshot.Source.UI,
        now=earlier,
    )
    april = revenue.arr_snapshot_record(
        account=account,
        month=date(2026, 4, 1),
        arr=Decimal(800_000),
        by=org.manager_a,
        source=ARRSnapshot.Source.UI,
        now=earlier,
    )

    report = _import(org, [HEADER, "C-1,2026-02,600000,", "C-1,2026-04,900000,"])

    assert (report.created, report.updated) == (1, 1)
    rows = {
        s.month.month: (
            s.arr,
            s.previous_arr,
            s.movement,
            s.source,
            s.recorded_by,
            s.recorded_at,
            s.updated_at,
        )
        for s in ARRSnapshot.objects.filter(account=account)
    }
    assert rows == {
        2: (
            Decimal(600_000),
            None,
            ARRMovement.NEW,
            "import",
            org.admin,
            NOW,
            rows[2][6],  # auto_now: the moment of the write
        ),
        # Classified again only: February came before it.
        3: (
            Decimal(500_000),
            Decimal(600_000),
            ARRMovement.DOWNSELL,
            "ui",
            org.manager_a,
            earlier,
            NOW,
        ),
        4: (
            Decimal(900_000),
            Decimal(500_000),
            ARRMovement.EXPANSION,
            "import",
            org.admin,
            NOW,
            NOW,
        ),
    }
    assert rows[2][6] is not None
    assert {march.pk, april.pk} <= {
        h.id for h in ARRSnapshot.history.filter(history_type="~")
    }


def test_months_written_in_the_middle_of_a_long_series_follow_the_months_before(
    org, accounts
):
    """A write reads an account's months from the last one before the first it
    records: that month's ARR carries into the next, and a churn long before it
    still makes ARR from nothing a reactivation. The months before are left as
    they were."""
    _import(
        org,
        [
            HEADER,
            "C-1,2025-01,100000,",
            "C-1,2025-02,0,",
            "C-1,2025-03,0,",
            "C-1,2025-04,0,",
            "C-1,2025-05,200000,",
            "C-1,2025-06,200000,",
            "C-2,2025-05,0,",
        ],
    )
    last_history_id = ARRSnapshot.history.latest("history_id").history_id

    report = _import(
        org,
        [HEADER, "C-1,2025-04,50000,", "C-1,2025-06,300000,", "C-2,2025-06,70000,"],
    )

    assert (report.created, report.updated, report.skipped) == (1, 2, 0)
    assert _stored() == [
        ("C-1", "2025-01", 100_000, ARRMovement.NEW),
        ("C-1", "2025-02", 0, ARRMovement.CHURN),
        ("C-1", "2025-03", 0, ""),
        # From nothing, after January's ARR (before the month before): reactivation.
        ("C-1", "2025-04", 50_000, ARRMovement.REACTIVATION),
        ("C-1", "2025-05", 200_000, ARRMovement.EXPANSION),
        ("C-1", "2025-06", 300_000, ARRMovement.EXPANSION),
        ("C-2", "2025-05", 0, ""),
        # From nothing, never any ARR before: new business.
        ("C-2", "2025-06", 70_000, ARRMovement.NEW),
    ]
    previous = {
        (s.account.external_id, f"{s.month:%Y-%m}"): s.previous_arr
        for s in ARRSnapshot.objects.select_related("account")
    }
    assert previous[("C-1", "2025-04")] == 0
    assert previous[("C-1", "2025-05")] == 50_000
    assert previous[("C-2", "2025-06")] == 0
    # April and June corrected, May classified again, C-2's June created; no
    # other month written.
    assert {
        (h.account.external_id, f"{h.month:%Y-%m}", h.history_type)
        for h in ARRSnapshot.history.filter(
            history_id__gt=last_history_id
        ).select_related("account")
    } == {
        ("C-1", "2025-04", "~"),
        ("C-1", "2025-05", "~"),
        ("C-1", "2025-06", "~"),
        ("C-2", "2025-06", "+"),
    }
    accounts[0].refresh_from_db()
    accounts[1].refresh_from_db()
    assert (accounts[0].arr, accounts[1].arr) == (300_000, 70_000)


def test_whether_an_account_had_arr_counts_the_month_before_and_no_zero_month(
    org, accounts
):
    """ARR from nothing is a reactivation when the account had ARR before, be it
    only in the month before the write (C-1), and new when its months before held
    0 (C-2)."""
    _import(org, [HEADER, "C-1,2025-01,100000,", "C-2,2025-01,0,", "C-2,2025-02,0,"])

    _import(org, [HEADER, "C-1,2025-02,0,", "C-1,2025-03,50000,", "C-2,2025-03,9000,"])

    assert _stored() == [
        ("C-1", "2025-01", 100_000, ARRMovement.NEW),
        ("C-1", "2025-02", 0, ARRMovement.CHURN),
        ("C-1", "2025-03", 50_000, ARRMovement.REACTIVATION),
        ("C-2", "2025-01", 0, ""),
        ("C-2", "2025-02", 0, ""),
        ("C-2", "2025-03", 9_000, ARRMovement.NEW),
    ]


def test_a_bad_row_writes_nothing_and_every_problem_is_reported(org, accounts):
    lines = [
        HEADER,
        "C-1,2026-01,1000000,",
        "C-9,2026-01,100,",  # unknown account
        "C-1,2026-13,100,",  # no month
        "C-1,2026-07,100,",  # the future
        "C-2,2026-01,-5,",  # negative
        "C-2,2026-02,abc,",  # no amount
        "C-2,2026-03,100,bigger",  # unknown type
        "C-1,2026/1,100,",  # the same month twice
        ",2026-01,100,",
        "C-2,2026-05,,",
    ]
    report = _import(org, lines)
    assert [(p.line, p.column) for p in report.problems] == [
        (3, "external_id"),
        (4, "month"),
        (5, "month"),
        (6, "arr"),
        (7, "arr"),
        (8, "movement"),
        (9, "month"),
        (10, "external_id"),
        (11, "arr"),
    ]
    reasons = {p.line: p.reason for p in report.problems}
    assert reasons[3] == "No account has the external id “C-9”."
    assert reasons[5] == "This month is in the future."
    assert reasons[6] == "ARR is never negative."
    assert reasons[9] == "This account's month is already on line 2."
    assert "Unknown movement type “bigger”" in reasons[8]
    assert report.summary() == "Nothing was imported: 9 problems in the file."
    assert not ARRSnapshot.objects.exists()
    assert report.rows == []


def test_types_are_read_by_their_japanese_names_in_shift_jis(org, accounts):
    report = _import(
        org,
        [HEADER, "C-1,2026-01,1000000,新規", "C-1,2026-02,1500000,クロスセル"],
        "cp932",
    )
    assert report.problems == []
    assert [movement for *_rest, movement in _stored()] == ["new", "cross_sell"]


def test_a_type_that_does_not_fit_its_change_rejects_the_file(org, accounts):
    report = _import(
        org,
        [HEADER, "C-1,2026-01,1000000,", "C-1,2026-02,900000,expansion"],
    )
    assert [(p.line, p.column, p.reason) for p in report.problems] == [
        (3, "movement", "A decrease that leaves some ARR is a downsell.")
    ]
    assert not ARRSnapshot.objects.exists()


def test_an_empty_type_keeps_the_type_stated_before(org, accounts):
    _import(org, GOOD)
    report = _import(org, [HEADER, 'C-1,2026-02,"1,500,000",'])
    assert report.skipped == 1
    assert ARRSnapshot.objects.get(month=date(2026, 2, 1)).movement == "upsell"


def test_only_admins_import(org, accounts):
    with pytest.raises(PermissionDenied):
        import_arr_snapshots(file=csv_bytes(GOOD), by=org.manager_a)


def test_a_missing_column_is_reported_on_the_header(org, accounts):
    report = _import(org, ["external_id,arr", "C-1,100"])
    assert [(p.line, p.column) for p in report.problems] == [(1, "month")]


@pytest.mark.parametrize("count", [10, 300])
def test_the_query_count_does_not_grow_with_the_lines(
    org, django_assert_max_num_queries, count
):
    journey, _steps = journey_with_steps(2)
    for n in range(count):
        CustomerAccountFactory(external_id=f"Q-{n}", journey=journey)
    lines = [HEADER] + [
        f"Q-{n},2026-{month:02d},{1000 * (n + month)},"
        for n in range(count)
        for month in (1, 2)
    ]
    with django_assert_max_num_queries(20):
        report = _import(org, lines)
    assert report.created == 2 * count


# --- The page -------------------------------------------------------------------------


def test_an_admin_imports_from_the_page_and_reads_the_report(client, org, accounts):
    client.force_login(org.admin)
    upload = SimpleUploadedFile("arr.csv", csv_bytes(GOOD[:3], "cp932"))
    response = client.post(
        reverse("journeys:import_upload"), {"kind": "arr", "file": upload}
    )
    assert response.status_code == 200
    assert "2 created, 0 updated, 0 already there." in response.text
    assert 'data-line="3"' in response.text
    assert ARRSnapshot.objects.count() == 2


def test_the_template_file_has_the_columns_and_imports_as_it_is(client, org):
    journey, _steps = journey_with_steps(2)
    CustomerAccountFactory(external_id="CRM-0001", journey=journey)
    client.force_login(org.admin)
    response = client.get(reverse("journeys:import_template", args=["arr"]))
    assert response.status_code == 200
    data = (
        b"".join(response.streaming_content)
        if response.streaming
        else (response.content)
    )
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["external_id", "month", "arr", "movement"]
    report = import_arr_snapshots(file=data, by=org.admin)
    assert report.problems == []
    assert report.created == 2
    assert ARRSnapshot.objects.order_by("month").last().movement == "upsell"
    assert Decimal(rows[2][2]) == 13_500_000
