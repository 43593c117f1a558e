"""CSV imports: encodings, idempotence, all-or-nothing with a row report, bulk writes
(the query count does not grow with the rows) and the management commands."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from journeys import revenue
from journeys.imports import (
    ImportFileError,
    csv_encoding,
    import_accounts,
    import_step_events,
    parse_reached_at,
)
from journeys.models import (
    ARRMovement,
    ARRSnapshot,
    Coverage,
    CoverageModel,
    CustomerAccount,
    PracticumReflection,
    StepEvent,
)
from tests.journeys.factories import (
    CustomerAccountFactory,
    PoolFactory,
    StepEventFactory,
    journey_with_steps,
)

pytestmark = pytest.mark.django_db

JST = timezone.get_fixed_timezone(9 * 60)


def csv_bytes(lines: list[str], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(lines).encode(encoding) + b"\r\n"


def make_ready(member, steps):
    """The member walked every step (no required modules are assigned)."""
    for step in steps:
        PracticumReflection.objects.create(
            member=member, step=step, completed_at=timezone.now()
        )


@pytest.fixture
def world(org):
    journey, steps = journey_with_steps(5, name="Onboarding")
    other_journey, other_steps = journey_with_steps(3, name="Renewal")
    make_ready(org.member_a, steps)
    pool = PoolFactory(name="SMB pool", team=org.team_a)
    account = CustomerAccountFactory(
        external_id="C-1", name="Acme", journey=journey, owner=org.member_a
    )
    return {
        "org": org,
        "journey": journey,
        "steps": steps,
        "other_steps": other_steps,
        "pool": pool,
        "account": account,
    }


ACCOUNT_HEADER = "external_id,name,segment,arr,journey,coverage,owner,pool"


# --- Accounts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp932"], ids=["utf8", "bom", "shift_jis"]
)
def test_accounts_import_in_each_encoding_with_japanese_names(world, encoding):
    data = csv_bytes(
        [
            ACCOUNT_HEADER,
            'C-2,株式会社さくら,SMB,"1,200,000",Onboarding,dedicated,member_a,',
            "C-3,ひまわり商事,Enterprise,,Onboarding,pooled,,SMB pool",
        ],
        encoding,
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert report.problems == []
    assert (report.created, report.updated, report.skipped) == (2, 0, 0)
    sakura = CustomerAccount.objects.get(external_id="C-2")
    assert (sakura.name, sakura.arr) == ("株式会社さくら", Decimal(1_200_000))
    coverage = Coverage.objects.get(account=sakura)
    assert (coverage.model, coverage.owner, coverage.assigned_by) == (
        CoverageModel.DEDICATED,
        world["org"].member_a,
        world["org"].admin,
    )
    himawari = Coverage.objects.get(account__external_id="C-3")
    assert (himawari.model, himawari.pool) == (CoverageModel.POOLED, world["pool"])


def test_arr_as_japanese_excel_writes_it_is_read_as_in_every_other_arr_field(world):
    """Shift_JIS has no ¥ of its own: Japanese Excel writes byte 0x5C, read as a
    backslash. The accounts import reads ARR by the one rule of the ARR import and
    the forms (`revenue.parse_arr`); it refused these before."""
    data = csv_bytes(
        [
            ACCOUNT_HEADER,
            'C-2,さくら,SMB,"\\1,200,000",Onboarding,pooled,,SMB pool',
            "C-3,ひまわり,SMB,300000円,Onboarding,pooled,,SMB pool",
            "C-4,つばき,SMB,12.5,Onboarding,pooled,,SMB pool",
        ],
        "cp932",
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert [(p.line, p.column, p.reason) for p in report.problems] == [
        (4, "arr", "ARR is a whole amount of yen.")
    ]
    fixed = data.replace(b"12.5", b"125")
    assert import_accounts(file=fixed, by=world["org"].admin).created == 3
    assert dict(
        CustomerAccount.objects.filter(
            external_id__in=["C-2", "C-3", "C-4"]
        ).values_list("external_id", "arr")
    ) == {"C-2": Decimal(1_200_000), "C-3": Decimal(300_000), "C-4": Decimal(125)}


def test_a_file_in_another_encoding_is_refused_with_one_clear_message(world):
    data = csv_bytes([ACCOUNT_HEADER, "C-2,さくら,,,Onboarding,pooled,,SMB pool"])

    report = import_accounts(file=data.decode().encode("utf-16"), by=world["org"].admin)

    assert report.rejected
    assert len(report.problems) == 1
    assert report.problems[0].line is None
    assert "UTF-8" in report.problems[0].reason
    assert "Shift_JIS" in report.problems[0].reason
    assert not CustomerAccount.objects.filter(external_id="C-2").exists()


def test_a_utf8_file_with_one_byte_that_is_not_is_refused_on_its_line(world):
    """Read as Shift_JIS, every Japanese name of such a file turned into other
    characters without a word."""
    data = csv_bytes(
        [
            ACCOUNT_HEADER,
            "C-2,株式会社さくら,SMB,,Onboarding,pooled,,SMB pool",
            "C-3,ひまわり商事,SMB,,Onboarding,pooled,,SMB pool",
        ]
    ).replace("ひまわり".encode(), "ひまわり".encode() + b"\x81")

    report = import_accounts(file=data, by=world["org"].admin)

    assert report.rejected
    assert len(report.problems) == 1
    assert "Line 3 is not valid UTF-8" in report.problems[0].reason
    assert report.summary() == "Nothing was imported: 1 problem in the file."
    assert not CustomerAccount.objects.filter(external_id__in=["C-2", "C-3"]).exists()


def test_the_line_of_the_byte_is_found_past_the_first_piece_read():
    # Japanese on line 1; then lines up to 65,534 bytes, "😀" (4 bytes) across the
    # first 64 KiB piece, a byte that is no UTF-8 and the line's end right after.
    head = "さくら\n".encode()
    filler = b"x\n" * ((65_534 - len(head)) // 2)
    lines = head + filler + b"y" * (65_534 - len(head) - len(filler))
    data = lines + "😀".encode() + b"\xff\nz\n"
    assert len(lines) == (1 << 16) - 2
    line = data.count(b"\n", 0, data.index(b"\xff")) + 1
    with pytest.raises(ImportFileError, match=f"Line {line} is not valid UTF-8"):
        csv_encoding(data)


@pytest.mark.parametrize(
    "name", ["ﾃｽﾄ", "ﾆｯｻﾝ", "ﾊｲﾃｸ商事", "皓商事", "株式会社ﾃｽﾄ", "ｶﾌﾞｼｷｶﾞｲｼｬ"]
)
def test_a_shift_jis_name_whose_bytes_begin_like_utf8_is_read(world, name):
    """Half-width kana and some kanji in Shift_JIS start like UTF-8: such a file
    was refused as broken UTF-8."""
    data = csv_bytes(
        [ACCOUNT_HEADER, f"C-9,{name},SMB,,Onboarding,pooled,,SMB pool"], "cp932"
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert report.problems == []
    assert CustomerAccount.objects.get(external_id="C-9").name == name


def test_a_shift_jis_file_is_still_read_after_lines_in_ascii(world):
    data = csv_bytes(
        [
            ACCOUNT_HEADER,
            *[f"C-{n},Account {n},SMB,,Onboarding,pooled,,SMB pool" for n in range(3)],
            "C-9,株式会社さくら,SMB,,Onboarding,pooled,,SMB pool",
        ],
        "cp932",
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert report.problems == []
    assert CustomerAccount.objects.get(external_id="C-9").name == "株式会社さくら"


def test_arr_may_be_written_with_its_yen_sign_or_en(world):
    data = csv_bytes(
        [
            ACCOUNT_HEADER,
            'C-2,さくら,SMB,"¥12,000,000",Onboarding,pooled,,SMB pool',
            'C-3,ひまわり,SMB,"12,000,000円",Onboarding,pooled,,SMB pool',
        ]
    )
    report = import_accounts(file=data, by=world["org"].admin)
    assert report.problems == []
    arrs = CustomerAccount.objects.filter(external_id__in=["C-2", "C-3"])
    assert set(arrs.values_list("arr", flat=True)) == {Decimal(12_000_000)}


def test_a_column_given_twice_is_refused_on_the_header(world):
    data = csv_bytes(
        [
            ACCOUNT_HEADER + ",Name,segment",
            "C-2,さくら,SMB,,Onboarding,pooled,,SMB pool,x,y",
        ]
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert report.rejected
    assert sorted((p.line, p.column, p.reason) for p in report.problems) == [
        (1, "name", "This column appears more than once."),
        (1, "segment", "This column appears more than once."),
    ]


def test_accounts_import_twice_creates_nothing_new(world):
    data = csv_bytes([ACCOUNT_HEADER, "C-2,さくら,SMB,100,Onboarding,pooled,,SMB pool"])
    import_accounts(file=data, by=world["org"].admin)

    again = import_accounts(file=data, by=world["org"].admin)

    assert (again.created, again.updated, again.skipped) == (0, 0, 1)
    assert CustomerAccount.objects.filter(external_id="C-2").count() == 1
    assert Coverage.objects.filter(account__external_id="C-2").count() == 1


def test_changed_name_segment_and_arr_update_the_existing_account(world):
    data = csv_bytes(
        [
            ACCOUNT_HEADER,
            "C-1,Acme Japan,Enterprise,5000,Onboarding,dedicated,member_a,",
        ]
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert (report.created, report.updated, report.skipped) == (0, 1, 0)
    world["account"].refresh_from_db()
    assert (
        world["account"].name,
        world["account"].segment,
        world["account"].arr,
    ) == ("Acme Japan", "Enterprise", Decimal(5000))
    assert report.notes == []


def test_a_coverage_change_closes_the_open_period_and_keeps_history(world):
    data = csv_bytes([ACCOUNT_HEADER, "C-1,Acme,SMB,,Onboarding,pooled,,SMB pool"])

    report = import_accounts(file=data, by=world["org"].admin)

    assert (report.created, report.updated) == (0, 1)
    periods = list(Coverage.objects.filter(account=world["account"]))
    assert [(p.model, p.ended_at is None) for p in periods] == [
        (CoverageModel.DEDICATED, False),
        (CoverageModel.POOLED, True),
    ]


def test_an_owner_not_ready_needs_the_confirmation_which_is_recorded(world):
    not_ready = world["org"].sub_member
    data = csv_bytes([ACCOUNT_HEADER, "C-2,さくら,,,Onboarding,dedicated,sub_member,"])

    refused = import_accounts(file=data, by=world["org"].admin)
    confirmed = import_accounts(
        file=data, by=world["org"].admin, confirm_not_ready=True
    )

    assert [(p.line, p.column) for p in refused.problems] == [(2, "owner")]
    assert confirmed.created == 1
    coverage = Coverage.objects.get(account__external_id="C-2")
    assert (coverage.owner, coverage.owner_not_ready_confirmed) == (not_ready, True)


def test_the_journey_of_an_existing_account_is_kept_and_noted(world):
    data = csv_bytes([ACCOUNT_HEADER, "C-1,Acme,SMB,,Renewal,dedicated,member_a,"])

    report = import_accounts(file=data, by=world["org"].admin)

    assert report.skipped == 1
    assert [(n.line, n.column) for n in report.notes] == [(2, "journey")]
    world["account"].refresh_from_db()
    assert world["account"].journey == world["journey"]


def test_one_bad_account_row_writes_nothing_and_every_problem_is_listed(world):
    data = csv_bytes(
        [
            ACCOUNT_HEADER,
            "C-2,Good,SMB,100,Onboarding,pooled,,SMB pool",
            "C-3,,SMB,-5,Nowhere,dedicated,nobody,",
            "C-4,Also good,SMB,,Onboarding,shared,,",
            "C-2,Twice,SMB,,Onboarding,pooled,,SMB pool",
            "C-5,Interviewer,SMB,,Onboarding,dedicated,interviewer,",
        ]
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert [(p.line, p.column) for p in report.problems] == [
        (3, "name"),
        (3, "arr"),
        (3, "journey"),
        (3, "owner"),
        (4, "coverage"),
        (5, "external_id"),
        (6, "owner"),
    ]
    assert "line 2" in report.problems[5].reason
    assert CustomerAccount.objects.count() == 1


@pytest.mark.parametrize(
    "arr", ["100000000000000", "1e20", "99,999,999,999,999,999", "1E+999999"]
)
def test_an_arr_beyond_the_column_is_a_clear_row_problem(world, arr):
    data = csv_bytes(
        [ACCOUNT_HEADER, f'C-2,Huge,SMB,"{arr}",Onboarding,pooled,,SMB pool']
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert [(p.line, p.column, p.reason) for p in report.problems] == [
        (2, "arr", "ARR must be at most 99,999,999,999,999.")
    ]
    assert not CustomerAccount.objects.filter(external_id="C-2").exists()


def test_the_largest_arr_the_column_holds_is_imported(world):
    data = csv_bytes(
        [ACCOUNT_HEADER, 'C-2,Big,SMB,"99,999,999,999,999",Onboarding,pooled,,SMB pool']
    )

    report = import_accounts(file=data, by=world["org"].admin)

    assert report.problems == []
    assert CustomerAccount.objects.get(external_id="C-2").arr == Decimal(10**14 - 1)


def test_a_missing_column_is_reported_on_the_header_line(world):
    data = csv_bytes(["external_id,name,journey", "C-2,さくら,Onboarding"])

    report = import_accounts(file=data, by=world["org"].admin)

    assert [(p.line, p.column) for p in report.problems] == [(1, "coverage")]


def test_only_admins_import(world):
    data = csv_bytes([ACCOUNT_HEADER])
    with pytest.raises(PermissionDenied):
        import_accounts(file=data, by=world["org"].manager_a)
    with pytest.raises(PermissionDenied):
        import_step_events(file=data, by=world["org"].member_a)


# --- Step events -------------------------------------------------------------------

EVENT_HEADER = "external_id,step,reached_at,note"


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp932"], ids=["utf8", "bom", "shift_jis"]
)
def test_events_import_in_each_encoding(world, encoding):
    data = csv_bytes(
        [
            EVENT_HEADER,
            "C-1,1,2026-04-01,キックオフ実施",
            "C-1,Step 2,2026-04-10 15:30,",
            "C-1,3,2026-04-20T10:00:00+00:00,",
        ],
        encoding,
    )

    report = import_step_events(file=data, by=world["org"].admin)

    assert report.problems == []
    assert report.created == 3
    events = list(StepEvent.objects.order_by("reached_at"))
    steps = world["steps"]
    assert [(e.step, e.reached_at) for e in events] == [
        (steps[0], datetime(2026, 4, 1, tzinfo=JST)),
        (steps[1], datetime(2026, 4, 10, 15, 30, tzinfo=JST)),
        (steps[2], datetime(2026, 4, 20, 10, tzinfo=UTC)),
    ]
    assert events[0].note == "キックオフ実施"
    assert {(e.source, e.recorded_by) for e in events} == {
        (StepEvent.Source.IMPORT, world["org"].admin)
    }


def test_events_import_twice_creates_nothing_new(world):
    data = csv_bytes([EVENT_HEADER, "C-1,1,2026-04-01,", "C-1,2,2026-04-05,"])
    import_step_events(file=data, by=world["org"].admin)

    again = import_step_events(file=data, by=world["org"].admin)

    assert (again.created, again.skipped, again.problems) == (0, 2, [])
    assert StepEvent.objects.count() == 2


def test_a_reimport_does_not_bring_back_a_voided_event(world):
    StepEventFactory(
        account=world["account"],
        step=world["steps"][0],
        reached_at=datetime(2026, 4, 1, tzinfo=JST),
        voided_at=timezone.now(),
        void_reason="wrong day",
    )
    data = csv_bytes([EVENT_HEADER, "C-1,1,2026-04-01,", "C-1,1,2026-04-01,"])

    report = import_step_events(file=data, by=world["org"].admin)

    # Someone voided it: the file sent again does not undo the correction.
    assert (report.created, report.skipped) == (0, 2)
    assert StepEvent.objects.filter(voided_at=None).count() == 0


def test_one_bad_event_row_writes_nothing_and_every_problem_is_listed(world):
    world["steps"][4].retired_at = timezone.now()
    world["steps"][4].position = None
    world["steps"][4].save()
    world["other_steps"][0].name = "Renewal kickoff"
    world["other_steps"][0].save()
    # A date is its first moment, and a few minutes ahead still count as now
    # (services.FUTURE_TOLERANCE): tomorrow's date stopped being in the future in
    # the last minutes of today, when a CI run came upon it. Two days ahead is.
    later = (timezone.localdate() + timedelta(days=2)).isoformat()
    data = csv_bytes(
        [
            EVENT_HEADER,
            "C-1,1,2026-04-01,good",
            "NOPE,1,2026-04-01,unknown account",
            "C-1,Renewal kickoff,2026-04-01,",
            f"C-1,2,{later},future",
            "C-1,2,2026-13-01,bad date",
            "C-1,Step 5,2026-04-01,retired",
            "C-1,9,2026-04-01,no such position",
            "C-1,,,",
            "C-1,²,2026-04-01,a digit that is no number",
        ]
    )

    report = import_step_events(file=data, by=world["org"].admin)

    assert [(p.line, p.column) for p in report.problems] == [
        (3, "external_id"),
        (4, "step"),
        (5, "reached_at"),
        (6, "reached_at"),
        (7, "step"),
        (8, "step"),
        (9, "step"),
        (9, "reached_at"),
        (10, "step"),
    ]
    assert "another journey" in report.problems[1].reason
    assert "NOPE" in report.problems[0].reason
    assert "future" in report.problems[2].reason
    assert StepEvent.objects.count() == 0


def test_a_missing_event_column_is_reported(world):
    data = csv_bytes(["external_id,reached_at", "C-1,2026-04-01"])

    report = import_step_events(file=data, by=world["org"].admin)

    assert [(p.line, p.column) for p in report.problems] == [(1, "step")]


def test_line_numbers_count_lines_of_the_file_including_quoted_line_breaks(world):
    data = csv_bytes(
        [
            EVENT_HEADER,
            'C-1,1,2026-04-01,"two',
            'lines"',
            "",
            "C-1,1,yesterday,",
        ]
    )

    report = import_step_events(file=data, by=world["org"].admin)

    assert [(p.line, p.column) for p in report.problems] == [(5, "reached_at")]


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-04-01", datetime(2026, 4, 1, tzinfo=JST)),
        ("2026-04-01 09:15", datetime(2026, 4, 1, 9, 15, tzinfo=JST)),
        ("2026-04-01T09:15:00Z", datetime(2026, 4, 1, 9, 15, tzinfo=UTC)),
        ("2026/4/1", datetime(2026, 4, 1, tzinfo=JST)),
        ("2026/04/01 9:15", datetime(2026, 4, 1, 9, 15, tzinfo=JST)),
    ],
)
def test_reached_at_is_read_in_the_time_zone_unless_it_has_an_offset(value, expected):
    assert parse_reached_at(value) == expected


@pytest.mark.parametrize(
    "reached_at, reason",
    [
        ("2026-03-01T10:00:00+20:00", "between −15:59 and +15:59"),
        ("2026-03-01T10:00:00-16:00", "between −15:59 and +15:59"),
        ("2026-03-01T10:00:00+01:00:00.500000", "between −15:59 and +15:59"),
    ],
)
def test_an_offset_the_database_cannot_store_is_a_row_problem(
    world, reached_at, reason
):
    data = csv_bytes([EVENT_HEADER, f"C-1,1,{reached_at},"])

    report = import_step_events(file=data, by=world["org"].admin)

    assert [(p.line, p.column) for p in report.problems] == [(2, "reached_at")]
    assert reason in report.problems[0].reason
    assert not StepEvent.objects.exists()


def test_an_offset_of_15_59_is_imported(world):
    data = csv_bytes([EVENT_HEADER, "C-1,1,2026-03-01T10:00:00+15:59,"])

    report = import_step_events(file=data, by=world["org"].admin)

    assert report.problems == []
    assert StepEvent.objects.get().reached_at == datetime(
        2026, 2, 28, 18, 1, tzinfo=UTC
    )


def _events_file(world, rows: int) -> bytes:
    start = datetime(2025, 1, 1, tzinfo=JST)
    return csv_bytes(
        [EVENT_HEADER]
        + [
            f"C-{1 + n % 2},{1 + n % 5},{(start + timedelta(hours=n)).isoformat()},"
            for n in range(rows)
        ]
    )


def test_the_query_count_of_an_event_import_does_not_grow_with_rows(
    world, django_assert_max_num_queries
):
    CustomerAccountFactory(external_id="C-2", journey=world["journey"])
    # 11: the steps; a savepoint and its release; the staging table made, loaded
    # and dropped; the lines resolved; the last event id before the insert (the
    # progress update finds the new events by their ids); the insert; the lock
    # and the progress update.
    with django_assert_max_num_queries(11) as small:
        import_step_events(file=_events_file(world, 10), by=world["org"].admin)
    StepEvent.objects.all().delete()
    with django_assert_max_num_queries(11) as large:
        report = import_step_events(
            file=_events_file(world, 200), by=world["org"].admin
        )

    assert report.created == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_query_count_of_an_account_import_does_not_grow_with_rows(
    world, django_assert_max_num_queries
):
    def accounts_file(first: int, rows: int) -> bytes:
        return csv_bytes(
            [ACCOUNT_HEADER]
            + [
                f"N-{n},Customer {n},SMB,{n},Onboarding,"
                + ("dedicated,member_a," if n % 2 else "pooled,,SMB pool")
                for n in range(first, first + rows)
            ]
        )

    with django_assert_max_num_queries(22) as small:
        import_accounts(file=accounts_file(0, 10), by=world["org"].admin)
    with django_assert_max_num_queries(22) as large:
        report = import_accounts(file=accounts_file(100, 200), by=world["org"].admin)

    assert report.created == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_query_count_of_an_account_import_does_not_grow_with_owners_or_journeys(
    world, django_assert_max_num_queries
):
    """Whether each owner is ready for each journey is read for all of them at once
    (it was four queries per owner and journey: 3.4 s for an import of 20,000
    accounts among 500 members)."""
    org = world["org"]
    owners = [org.member_a, org.member_b, org.sub_member]
    for owner in owners:
        if owner != org.member_a:  # ready for Onboarding already
            make_ready(owner, world["steps"])
        make_ready(owner, world["other_steps"])

    def accounts_file(first: int, rows: int, owners: list, journeys: list) -> bytes:
        return csv_bytes(
            [ACCOUNT_HEADER]
            + [
                f"M-{n},Customer {n},SMB,{n},{journeys[n % len(journeys)]},"
                f"dedicated,{owners[n % len(owners)].username},"
                for n in range(first, first + rows)
            ]
        )

    with django_assert_max_num_queries(22) as small:
        import_accounts(
            file=accounts_file(0, 4, owners[:1], ["Onboarding"]), by=org.admin
        )
    with django_assert_max_num_queries(22) as large:
        report = import_accounts(
            file=accounts_file(100, 60, owners, ["Onboarding", "Renewal"]),
            by=org.admin,
        )

    assert (report.problems, report.created) == ([], 60)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_new_accounts_are_written_whole_with_their_coverage_and_arr(world):
    """New accounts go in by INSERT … SELECT from a staging table: every column as
    the ORM writes it, their coverage from the moment of the import, their ARR as
    the month's first snapshot with its history."""
    org = world["org"]
    data = csv_bytes(
        [
            ACCOUNT_HEADER,
            'N-1,Acme 日本,Enterprise,"1,200,000",Onboarding,dedicated,member_a,',
            "N-2,Beta,,0,Renewal,pooled,,SMB pool",
            "N-3,Gamma,SMB,,Onboarding,dedicated,sub_member,",
        ]
    )
    before = timezone.now()

    report = import_accounts(file=data, by=org.admin, confirm_not_ready=True)

    after = timezone.now()
    assert (report.problems, report.created) == ([], 3)
    accounts = {
        a.external_id: a
        for a in CustomerAccount.objects.exclude(pk=world["account"].pk)
    }
    assert [(r.line, r.outcome, r.account_id) for r in report.rows] == [
        (2, "created", accounts["N-1"].pk),
        (3, "created", accounts["N-2"].pk),
        (4, "created", accounts["N-3"].pk),
    ]
    assert [
        (a.name, a.segment, a.journey.name, a.arr, a.is_active, a.health_band)
        for a in sorted(accounts.values(), key=lambda a: a.external_id)
    ] == [
        ("Acme 日本", "Enterprise", "Onboarding", Decimal(1_200_000), True, ""),
        ("Beta", "", "Renewal", Decimal(0), True, ""),
        ("Gamma", "SMB", "Onboarding", None, True, ""),
    ]
    assert all(before <= a.created_at <= after for a in accounts.values())
    assert all(a.progress_step is None for a in accounts.values())
    periods = {
        p.account.external_id: p
        for p in Coverage.objects.exclude(account=world["account"])
    }
    started = {p.started_at for p in periods.values()}
    assert len(started) == 1 and before <= started.pop() <= after
    assert [
        (
            p.model,
            p.owner,
            p.pool,
            p.ended_at,
            p.assigned_by,
            p.owner_not_ready_confirmed,
        )
        for _id, p in sorted(periods.items())
    ] == [
        (CoverageModel.DEDICATED, org.member_a, None, None, org.admin, False),
        (CoverageModel.POOLED, None, world["pool"], None, org.admin, False),
        # sub_member has not walked the practicum: assigned with the confirmation.
        (CoverageModel.DEDICATED, org.sub_member, None, None, org.admin, True),
    ]
    month = revenue.current_month()
    snapshots = ARRSnapshot.objects.order_by("account__external_id")
    assert [
        (
            s.account.external_id,
            s.month,
            s.arr,
            s.previous_arr,
            s.movement,
            s.stated_movement,
            s.source,
            s.recorded_by,
        )
        for s in snapshots
    ] == [
        (
            "N-1",
            month,
            Decimal(1_200_000),
            None,
            ARRMovement.NEW,
            "",
            "import",
            org.admin,
        ),
        # A first ARR of 0 (signed, not billed yet) is no movement.
        ("N-2", month, Decimal(0), None, "", "", "import", org.admin),
    ]
    assert all(before <= s.recorded_at <= after for s in snapshots)
    assert [
        (h.account_id, h.arr, h.history_type, h.history_user)
        for h in ARRSnapshot.history.order_by("account_id")
    ] == [
        (accounts["N-1"].pk, Decimal(1_200_000), "+", org.admin),
        (accounts["N-2"].pk, Decimal(0), "+", org.admin),
    ]


# --- Step events through the staging table -----------------------------------------


def test_an_import_writes_exactly_the_new_events_with_every_column_set(world):
    steps, admin = world["steps"], world["org"].admin
    CustomerAccountFactory(external_id="C-2", journey=world["journey"])
    existing = StepEventFactory(
        account=world["account"],
        step=steps[0],
        reached_at=datetime(2026, 4, 1, 10, 0, 0, 123456, tzinfo=JST),
    )
    data = csv_bytes(
        [
            EVENT_HEADER,
            "C-1,1,2026-04-01T10:00:00.123456+09:00,already there",
            "C-1,2,2026-04-02 10:00,first",
            # The same event as the line above: step 2 by its name, the time in UTC.
            "C-1,step 2,2026-04-02T01:00:00Z,again",
            "C-2,1,2026-04-03,",
        ]
    )
    before = timezone.now()

    report = import_step_events(file=data, by=admin)

    after = timezone.now()
    assert (report.problems, report.created, report.skipped) == ([], 2, 2)
    assert [
        (row.line, row.outcome, row.external_id, row.detail) for row in report.rows
    ] == [
        (2, "skipped", "C-1", "1. Step 1"),
        (3, "created", "C-1", "2. Step 2"),
        (4, "skipped", "C-1", "2. Step 2"),
        (5, "created", "C-2", "1. Step 1"),
    ]
    new = StepEvent.objects.exclude(pk=existing.pk).order_by("pk")
    assert [(e.account.external_id, e.step, e.reached_at, e.note) for e in new] == [
        ("C-1", steps[1], datetime(2026, 4, 2, 10, tzinfo=JST), "first"),
        ("C-2", steps[0], datetime(2026, 4, 3, tzinfo=JST), ""),
    ]
    for event in new:
        assert before <= event.recorded_at <= after
        assert (event.source, event.recorded_by) == (StepEvent.Source.IMPORT, admin)
        assert (event.voided_at, event.voided_by, event.void_reason) == (None, None, "")
    # What the metric rollup reads as changed since the import began.
    assert set(StepEvent.objects.filter(recorded_at__gte=before)) == set(new)


def test_a_note_is_stored_exactly_as_the_file_has_it(world):
    note = 'Tab\there, a backslash \\N, "quotes", 改行\nand a second line'
    quoted = '"' + note.replace('"', '""') + '"'

    report = import_step_events(
        file=csv_bytes([EVENT_HEADER, f"C-1,1,2026-04-01,{quoted}"]),
        by=world["org"].admin,
    )

    assert report.problems == []
    assert StepEvent.objects.get().note == note


@pytest.mark.parametrize("bad_line", [2, 27, 51])
def test_a_rejected_line_anywhere_in_the_file_leaves_nothing_written(world, bad_line):
    CustomerAccountFactory(external_id="C-2", journey=world["journey"])
    lines = _events_file(world, 50).decode().splitlines()
    lines[bad_line - 1] = "C-1,1,not a date,"

    report = import_step_events(file=csv_bytes(lines), by=world["org"].admin)

    assert [(p.line, p.column) for p in report.problems] == [(bad_line, "reached_at")]
    assert (report.created, report.skipped, list(report.rows)) == (0, 0, [])
    assert not StepEvent.objects.exists()
    # Nothing of the refused import is left behind: the next one goes through.
    again = import_step_events(file=_events_file(world, 50), by=world["org"].admin)
    assert (again.problems, again.created) == ([], 50)


def test_the_query_count_of_a_reimport_with_repeated_lines_does_not_grow_with_rows(
    world, django_assert_max_num_queries
):
    CustomerAccountFactory(external_id="C-2", journey=world["journey"])

    def import_twice(rows: int) -> list[int]:
        StepEvent.objects.all().delete()
        # Every line twice: the second of each is skipped.
        data = (
            _events_file(world, rows) + _events_file(world, rows).split(b"\r\n", 1)[1]
        )
        counts = []
        for _attempt in range(2):
            # As a first import (above): 11.
            with django_assert_max_num_queries(11) as queries:
                report = import_step_events(file=data, by=world["org"].admin)
            assert report.problems == []
            counts.append(len(queries.captured_queries))
        assert (report.created, report.skipped) == (0, 2 * rows)
        assert StepEvent.objects.count() == rows
        return counts

    assert import_twice(5) == import_twice(1000)


# --- Commands ----------------------------------------------------------------------


def test_the_events_command_prints_the_report(world, tmp_path, capsys):
    path = tmp_path / "events.csv"
    path.write_bytes(csv_bytes([EVENT_HEADER, "C-1,1,2026-04-01,"], "cp932"))

    call_command("import_step_events", str(path), "--user", "ADMIN")

    assert "1 created, 0 updated, 0 already there." in capsys.readouterr().out
    assert StepEvent.objects.count() == 1


def test_the_command_exits_with_1_and_lists_the_problems_when_rejected(
    world, tmp_path, capsys
):
    path = tmp_path / "events.csv"
    path.write_bytes(csv_bytes([EVENT_HEADER, "C-1,1,2026-04-01,", "X-9,1,2026,"]))

    with pytest.raises(CommandError) as rejected:
        call_command("import_step_events", str(path), "--user", "admin")

    assert rejected.value.returncode == 1
    assert "Nothing was imported: 2 problems" in str(rejected.value)
    out = capsys.readouterr().out
    assert "Line 3, column external_id: No account has the external id “X-9”." in out
    assert "Line 3, column reached_at:" in out
    assert StepEvent.objects.count() == 0


def test_the_accounts_command_imports_and_refuses_an_unknown_user(world, tmp_path):
    path = tmp_path / "accounts.csv"
    path.write_bytes(
        csv_bytes([ACCOUNT_HEADER, "C-2,さくら,,,Onboarding,pooled,,SMB pool"])
    )

    with pytest.raises(CommandError, match="nobody"):
        call_command("import_accounts", str(path), "--user", "nobody")
    call_command("import_accounts", str(path), "--user", "admin")

    assert CustomerAccount.objects.filter(external_id="C-2").exists()
