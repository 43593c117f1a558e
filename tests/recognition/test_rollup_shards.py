"""A full rollup in shards writes the tables a full run in one process writes; while
it holds the lock's lease, no other run starts and stale shards write nothing."""

import re
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from journeys.models import CustomerAccount, TrainingAssignment
from recognition.models import (
    AccountTransition,
    AccountValuePoint,
    MemberFigure,
    PoolFigure,
    RollupLock,
    RollupRun,
    TeamFigure,
)
from recognition.selectors.figures import (
    FIGURE_PARTS,
    stage_row_tables,
    stage_tables,
)
from recognition.services import rollup as rollup_services
from recognition.services.rollup import (
    RollupBusy,
    lease,
    plan_month_parts,
    plan_shards,
    rollup,
    rollup_figures,
    rollup_finish,
    rollup_index_rows,
    rollup_shard,
    rollup_sharded,
)
from recognition.tasks import rollup_metrics
from tests.journeys.factories import JourneyFactory, TrainingModuleFactory
from tests.recognition.rollup_world import (
    account,
    change_owner,
    jst,
    member,
    pool,
    reach,
    snapshot,
    snapshot_difference,
    team,
    worked_example,
)
from tests.recognition.test_rollup_incremental import full_snapshot

NOW = jst(2026, 9, 1)


@pytest.fixture(autouse=True)
def _tokyo(settings):
    settings.TIME_ZONE = "Asia/Tokyo"
    settings.FISCAL_YEAR_START_MONTH = 4
    settings.ROLLUP_SHARDS_PER_JOURNEY = 3


def _world():
    """The worked example of METRICS.md, and more accounts: an owner change, a
    pooled account credited to its recorder, an account of no journey's step."""
    example = worked_example()
    kata = example.team
    other = member(team("Team Two"), username="tanaka")
    shared = pool(kata)
    moved = account(example.journey, owner=example.sato)
    reach(moved, example.s1, jst(2026, 4, 10))
    change_owner(moved, other, at=jst(2026, 4, 20))
    reach(moved, example.s2, jst(2026, 5, 2))
    pooled = account(example.journey, in_pool=shared)
    reach(pooled, example.s1, jst(2026, 6, 3), by=other)
    for day in range(1, 8):
        extra = account(example.journey, owner=example.suzuki)
        reach(extra, example.s1, jst(2026, 7, day))
        if day % 2:
            reach(extra, example.s3, jst(2026, 7, day + 20))
    return example


@pytest.mark.django_db
def test_the_shards_cover_every_account_of_each_journey_once():
    example = _world()
    shards = plan_shards(3)
    assert len(shards) == 3
    ids = sorted(
        CustomerAccount.objects.filter(journey=example.journey).values_list(
            "pk", flat=True
        )
    )
    assert len(ids) == 13
    covered = []
    for journey_id, low, high in shards:
        assert journey_id == example.journey.pk
        covered += [pk for pk in ids if low <= pk <= high]
    assert sorted(covered) == ids


@pytest.mark.django_db
def test_a_full_run_in_shards_writes_what_a_full_run_writes(monkeypatch):
    _world()
    expected = full_snapshot(NOW)
    # Rows and figures of an earlier run (some windows then still open), which
    # the shards must replace.
    rollup(full=True, now=jst(2026, 7, 15))
    assert snapshot_difference(snapshot(), expected) != {}
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    run = rollup_sharded(full=True, timeout=60)
    assert (run.full, run.as_of) == (True, NOW)
    assert snapshot_difference(snapshot(), expected) == {}
    # A, C and the moved account: 3 rows (1→2, 2→3, journey); the ten others 2.
    assert AccountTransition.objects.count() == 29
    lock = RollupLock.objects.get(pk=1)
    assert (lock.lease_token, lock.leased_until) == ("", None)


@pytest.mark.django_db
def test_a_full_run_in_shards_removes_the_rows_no_shard_covers(
    monkeypatch,
):
    example = _world()
    rollup(full=True, now=jst(2026, 7, 15))
    assert AccountTransition.objects.filter(account=example.c).exists()
    # C moves to a journey without steps: no shard covers it, nor its rows. A
    # row of an account that no longer exists (deleted while a shard wrote its
    # rows) goes too.
    CustomerAccount.objects.filter(pk=example.c.pk).update(journey=JourneyFactory())
    orphan = AccountTransition.objects.filter(account=example.a).first()
    orphan.pk, orphan.account_id = None, 10**9
    orphan.save()
    expected = full_snapshot(NOW)
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    rollup_sharded(full=True, timeout=60)
    assert not AccountTransition.objects.filter(account=example.c).exists()
    assert not AccountTransition.objects.filter(account_id=10**9).exists()
    assert snapshot_difference(snapshot(), expected) == {}


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_shards_write_staged_rows_that_replace_the_rows_at_the_end(
    monkeypatch,
):
    """On PostgreSQL the shards write the rows into staging tables: pages read the
    last run's rows until the finish swaps the new ones in. A shard delivered
    twice writes its rows once; the rows of an account moved off every shard
    after its shard ran, or deleted meanwhile, do not reach the tables."""
    example = _world()
    rollup(full=True, now=jst(2026, 7, 15))
    earlier = snapshot()
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = lease()
    shards = plan_shards(3)
    for journey_id, low, high in shards:
        rollup_shard(token, journey_id, low, high, as_of)
    # Delivered again (its worker lost before the acknowledgement).
    rollup_shard(token, *shards[0], as_of)
    staged = stage_row_tables(token)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {staged[AccountTransition]}")
        assert cursor.fetchone() == (29,)
        # As a shard would have written them for an account deleted since.
        columns = ", ".join(
            field.column
            for field in AccountTransition._meta.concrete_fields
            if field.column not in ("id", "account_id")
        )
        cursor.execute(
            f"INSERT INTO {staged[AccountTransition]} (account_id, {columns}) "
            f"SELECT %s, {columns} FROM {staged[AccountTransition]} "
            "WHERE account_id = %s",
            [10**9, example.a.pk],
        )
    # Readers still see the earlier run's rows.
    assert snapshot() == earlier
    # C moves to a journey without steps after its shard ran.
    CustomerAccount.objects.filter(pk=example.c.pk).update(journey=JourneyFactory())
    rollup_services.dispatch_figures(
        token, started_at.isoformat(), as_of.isoformat(), shards
    )
    assert RollupRun.objects.filter(started_at=started_at).exists()
    assert not AccountTransition.objects.filter(account=example.c).exists()
    assert not AccountTransition.objects.filter(account_id=10**9).exists()
    assert snapshot_difference(snapshot(), full_snapshot(NOW)) == {}


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_staged_rows_indexes_are_built_once_under_the_lease():
    """The task that indexes the staged rows builds each index of the rows'
    tables once, even delivered twice; under a lease no longer held it builds
    nothing."""
    _world()
    token, _started_at, as_of = lease()
    for journey_id, low, high in plan_shards(3):
        rollup_shard(token, journey_id, low, high, as_of)
    staged = stage_row_tables(token)[AccountTransition]

    def indexes(table: str) -> list[str]:
        """Each index of the table, without its name and table's."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = %s", [table]
            )
            return sorted(
                re.sub(r"INDEX \S+ ON \S+", "INDEX ON", found) for (found,) in cursor
            )

    real = indexes(AccountTransition._meta.db_table)
    assert len(real) == 6
    assert sum("UNIQUE INDEX" in index for index in real) == 2
    assert indexes(staged) == []
    # The lease given up (the run ended or another took over): nothing is built.
    RollupLock.objects.filter(pk=1).update(lease_token="")
    assert rollup_index_rows(token) is False
    assert indexes(staged) == []
    RollupLock.objects.filter(pk=1).update(lease_token=token)
    assert rollup_index_rows(token) is True
    assert rollup_index_rows(token) is True
    assert indexes(staged) == real


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_rows_of_what_was_deleted_during_a_run_in_shards_do_not_return():
    """Rows and figures naming an account or a member deleted after they were
    written (Django deleting their rows and figures from the tables, not from the
    run's staging tables): the finish leaves none of them, and keeps the rows
    credited to no one."""
    example = _world()
    token, started_at, as_of = lease()
    for journey_id, low, high in plan_shards(3):
        rollup_shard(token, journey_id, low, high, as_of)
    assert rollup_index_rows(token)
    for part in plan_month_parts(rollup_services._all_months(as_of), 2):
        rollup_figures(token, part, as_of)
    staged = stage_row_tables(token)[AccountTransition]
    staged_figures = stage_tables(token)["member"]
    # No account nor user has these ids: deleted since.
    with connection.cursor() as cursor:
        for table, column, was in (
            (staged, "account_id", example.b.pk),
            (staged, "member_id", example.sato.pk),
            (staged_figures, "member_id", example.sato.pk),
        ):
            cursor.execute(
                f"UPDATE {table} SET {column} = %s WHERE {column} = %s",
                [10**9, was],
            )
            assert cursor.rowcount > 0
        # And rows credited to no one (a pooled account's, say).
        cursor.execute(
            f"UPDATE {staged} SET member_id = NULL WHERE account_id = %s",
            [example.d.pk],
        )
        assert cursor.rowcount > 0
    assert rollup_finish(token, started_at, as_of) is not None
    assert not AccountTransition.objects.filter(account_id=10**9).exists()
    assert not AccountTransition.objects.filter(member_id=10**9).exists()
    assert not MemberFigure.objects.filter(member_id=10**9).exists()
    assert AccountTransition.objects.filter(
        account=example.d, member__isnull=True
    ).exists()
    assert MemberFigure.objects.filter(member=example.suzuki).exists()


@pytest.mark.django_db
def test_a_run_that_took_over_a_lease_past_its_time_is_not_undone_by_its_finish():
    """A run in shards whose lease ran out while it worked: the run that takes
    the lock over gives the lease up, and the old run's finish then writes
    nothing (it would put rows and figures of the old moment back)."""
    _world()
    token, started_at, as_of = lease()
    for journey_id, low, high in plan_shards(3):
        rollup_shard(token, journey_id, low, high, as_of)
    RollupLock.objects.filter(pk=1).update(leased_until=NOW - timedelta(days=400))
    rollup(full=True, now=NOW)
    assert RollupLock.objects.get(pk=1).lease_token == ""
    after = snapshot()
    assert rollup_finish(token, started_at, as_of) is None
    assert snapshot() == after
    assert RollupRun.objects.count() == 1


@pytest.mark.django_db
def test_the_figures_go_in_parts_of_months_and_a_part_run_again_counts_once(
    monkeypatch,
):
    _world()
    expected = full_snapshot(NOW)
    rollup(full=True, now=jst(2026, 7, 15))
    earlier = snapshot()["MemberFigure"]
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = lease()
    shards = plan_shards(3)
    for journey_id, low, high in shards:
        rollup_shard(token, journey_id, low, high, as_of)
    months = rollup_services._all_months(as_of)
    parts = plan_month_parts(months, 3)
    # Three runs of consecutive months, together every month once.
    assert len(parts) == 3
    assert [month for part in parts for month in part] == months
    for part in parts:
        assert rollup_figures(token, part, as_of) == len(part)
    # A part whose worker died after it committed runs again.
    rollup_figures(token, parts[0], as_of)
    # Until the finish, readers see the earlier run's figures.
    assert snapshot()["MemberFigure"] == earlier != expected["MemberFigure"]
    run = rollup_finish(token, started_at, as_of)
    assert run.full
    assert snapshot_difference(snapshot(), expected) == {}
    assert not [
        name
        for name in connection.introspection.table_names()
        if name.startswith("kata_stage_")
    ]
    # A part of a lease no longer held writes nothing.
    assert rollup_figures(token, parts[0], as_of) == 0


@pytest.mark.django_db
def test_the_figures_go_in_parts_by_kind_and_a_kind_run_again_replaces_only_its_own(
    monkeypatch,
):
    example = _world()
    # A training assignment: the people's part has training completion to write.
    module = TrainingModuleFactory(from_step=example.s1)
    assignment = TrainingAssignment.objects.create(
        module=module,
        member=example.sato,
        assigned_by=None,
        due_date=date(2026, 7, 31),
    )
    TrainingAssignment.objects.filter(pk=assignment.pk).update(
        assigned_at=jst(2026, 6, 1)
    )
    expected = full_snapshot(NOW)
    rollup(full=True, now=jst(2026, 7, 15))
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = lease()
    for journey_id, low, high in plan_shards(3):
        rollup_shard(token, journey_id, low, high, as_of)
    runs = plan_month_parts(rollup_services._all_months(as_of), 2)
    for part in reversed(FIGURE_PARTS):
        for months in runs:
            assert rollup_figures(token, months, as_of, part) == len(months)
    # Each kind again once every other one has written (a redelivery): it
    # replaces its own figures and leaves the other kinds' of the same months.
    for part in FIGURE_PARTS:
        rollup_figures(token, runs[0], as_of, part)
    rollup_finish(token, started_at, as_of)
    assert snapshot_difference(snapshot(), expected) == {}
    # Every kind is there: conversion (each scope's), events recorded and
    # training completion (the people's).
    families = {
        metric.split(":")[0]
        for metric in MemberFigure.objects.values_list("metric", flat=True)
    }
    assert {"step_conversion", "step_events_recorded", "training_completion"} <= (
        families
    )
    assert TeamFigure.objects.exists() and PoolFigure.objects.exists()


@pytest.mark.django_db
def test_a_part_of_the_figures_that_does_not_exist_is_refused():
    _world()
    token, _started_at, as_of = lease()
    months = rollup_services._all_months(as_of)
    with pytest.raises(ValueError):
        rollup_figures(token, months, as_of, "members")


FIGURE_TABLES = (MemberFigure, TeamFigure, PoolFigure)
# What a full run in one process swaps in.
SWAPPED_TABLES = (AccountTransition, AccountValuePoint, *FIGURE_TABLES)


def _tables_schema(models=FIGURE_TABLES) -> dict:
    """Each table's (default: figure table's) constraints and indexes (name →
    definition) and its id sequence, as the migrations left them."""
    found = {}
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass",
                [table],
            )
            constraints = dict(cursor.fetchall())
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s",
                [table],
            )
            indexes = dict(cursor.fetchall())
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            found[table] = (constraints, indexes, cursor.fetchone()[0])
    return found


def _table_oids(models=FIGURE_TABLES) -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, oid FROM pg_class WHERE relname = ANY(%s)",
            [[model._meta.db_table for model in models]],
        )
        return dict(cursor.fetchall())


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_the_finish_swaps_tables_that_keep_the_migrations_names(
    monkeypatch,
):
    """The staging tables take the places of the figure tables and of the
    per-account rows' (which the shards wrote there): same constraints, indexes,
    id sequence and privileges, by the names the migrations know, and later runs
    write rows and figures as before. A table with a trigger keeps its place."""
    _world()
    # As the migrations made the tables (a full run swaps them in too).
    before = _tables_schema(SWAPPED_TABLES)
    expected = full_snapshot(NOW)
    rollup(full=True, now=jst(2026, 7, 15))
    with connection.cursor() as cursor:
        # A reporting tool's privilege, and a trigger someone added to one table
        # (which a new table would not carry: that one's figures are copied in).
        cursor.execute(f"GRANT SELECT ON {TeamFigure._meta.db_table} TO PUBLIC")
        cursor.execute(
            "CREATE FUNCTION kata_test_noop() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NEW; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER kata_test_audit AFTER INSERT ON "
            f"{PoolFigure._meta.db_table} FOR EACH ROW EXECUTE FUNCTION "
            "kata_test_noop()"
        )
    tables_before = _table_oids(SWAPPED_TABLES)
    highest_id = MemberFigure.objects.order_by("-pk").values_list("pk", flat=True)[0]
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = lease()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE %s",
            [f"kata_stage_member_{token[:16]}"],
        )
        assert cursor.fetchall()
    for journey_id, low, high in plan_shards(3):
        rollup_shard(token, journey_id, low, high, as_of)
    assert rollup_index_rows(token)
    for part in plan_month_parts(rollup_services._all_months(as_of), 2):
        rollup_figures(token, part, as_of)
    rollup_finish(token, started_at, as_of)
    assert snapshot_difference(snapshot(), expected) == {}
    assert _tables_schema(SWAPPED_TABLES) == before
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE %s", ["kata_stage%"]
        )
        assert cursor.fetchall() == []
        # Swapped, not copied into: another table under the same name; but the
        # table with a trigger is the same, its trigger kept.
        after = _table_oids(SWAPPED_TABLES)
        for model in (AccountTransition, AccountValuePoint, MemberFigure):
            table = model._meta.db_table
            assert after[table] != tables_before[table]
        assert (
            after["recognition_teamfigure"] != tables_before["recognition_teamfigure"]
        )
        assert (
            after["recognition_poolfigure"] == tables_before["recognition_poolfigure"]
        )
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass",
            [PoolFigure._meta.db_table],
        )
        assert cursor.fetchall() == [("kata_test_audit",)]
        cursor.execute(
            "SELECT has_table_privilege('public', %s, 'SELECT')",
            [TeamFigure._meta.db_table],
        )
        assert cursor.fetchone() == (True,)
    # Ids go on from the swapped-out table's: none is an earlier figure's again.
    assert MemberFigure.objects.order_by("pk").values_list("pk", flat=True)[0] > (
        highest_id
    )
    # The id sequence goes on: an incremental run and a full run write figures.
    assert rollup(now=NOW + timedelta(hours=1)).full is False
    assert rollup(full=True, now=NOW + timedelta(hours=2)).full
    assert MemberFigure.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_on_postgresql_a_full_run_swaps_in_staged_rows_and_figures(
    monkeypatch,
):
    """A full run in one process writes the per-account rows and every figure into
    staging tables without indexes, computes the figures from the staged rows,
    indexes them and swaps them in: the rows and figures a rewrite in place
    gives, new tables under the migrations' names with the same constraints and
    indexes, no staging table left, ids that go on from the old tables', and
    later runs write rows and figures as before."""
    example = _world()
    # As the migrations made the tables.
    before = _tables_schema(SWAPPED_TABLES)
    # The rows and months rewritten in place, as on SQLite.
    with monkeypatch.context() as patched:
        patched.setattr(rollup_services, "_start_staging", lambda: None)
        rollup(full=True, now=jst(2026, 7, 15))
        rollup(full=True, now=NOW)
    in_place = snapshot()
    assert len(in_place["MemberFigure"]) > 10
    assert len(in_place["AccountTransition"]) > 10
    tables_before = _table_oids(SWAPPED_TABLES)
    highest = {
        model: model.objects.order_by("-pk").values_list("pk", flat=True)[0]
        for model in (AccountTransition, MemberFigure)
    }
    rollup(full=True, now=NOW)
    assert snapshot_difference(snapshot(), in_place) == {}
    after = _table_oids(SWAPPED_TABLES)
    assert len(after) == 5
    assert all(after[name] != tables_before[name] for name in tables_before)
    assert _tables_schema(SWAPPED_TABLES) == before
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE %s", ["kata_stage%"]
        )
        assert cursor.fetchall() == []
    # Ids go on from the swapped-out tables': none is an earlier row's again.
    for model, highest_id in highest.items():
        lowest = model.objects.order_by("pk").values_list("pk", flat=True)[0]
        assert lowest > highest_id
    # Later runs: an incremental one after a new event, then a full one in place.
    reach(account(example.journey, owner=example.sato), example.s1, jst(2026, 8, 20))
    assert rollup(now=NOW + timedelta(hours=1)).full is False
    with monkeypatch.context() as patched:
        patched.setattr(rollup_services, "_start_staging", lambda: None)
        rollup(full=True, now=NOW + timedelta(hours=1))
    expected = snapshot()
    rollup(full=True, now=NOW + timedelta(hours=1))
    assert snapshot_difference(snapshot(), expected) == {}


@pytest.mark.postgres
@pytest.mark.django_db
def test_a_figure_table_a_migration_changed_during_the_run_is_copied_into(
    monkeypatch,
):
    """A migration that ran while the shards worked (a column added, an index
    dropped) stays: that table keeps its place and the figures are copied in."""
    _world()
    expected = full_snapshot(NOW)
    before = _table_oids()
    monkeypatch.setattr(rollup_services.timezone, "now", lambda: NOW)
    token, started_at, as_of = lease()
    with connection.cursor() as cursor:
        cursor.execute(
            f"ALTER TABLE {MemberFigure._meta.db_table} ADD COLUMN kata_test_note text"
        )
        cursor.execute("DROP INDEX recog_team_figure_month")
    for journey_id, low, high in plan_shards(3):
        rollup_shard(token, journey_id, low, high, as_of)
    rollup_figures(token, rollup_services._all_months(as_of), as_of)
    rollup_finish(token, started_at, as_of)
    assert snapshot_difference(snapshot(), expected) == {}
    after = _table_oids()
    assert after["recognition_memberfigure"] == before["recognition_memberfigure"]
    assert after["recognition_teamfigure"] == before["recognition_teamfigure"]
    # The pool figures' table had not changed: swapped.
    assert after["recognition_poolfigure"] != before["recognition_poolfigure"]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'kata_test_note'",
            [MemberFigure._meta.db_table],
        )
        assert cursor.fetchone() == (1,)
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname LIKE %s", ["kata_stage%"]
        )
        assert cursor.fetchall() == []


@pytest.mark.django_db
def test_no_other_run_starts_while_a_sharded_run_holds_the_lease():
    _world()
    lease()
    with pytest.raises(RollupBusy):
        rollup(full=True)
    # The hourly task skips its turn; the next hour catches up.
    assert rollup_metrics() == 0
    with pytest.raises(CommandError, match="sharded full rollup runs until"):
        call_command("rollup")
    assert not RollupRun.objects.exists()


@pytest.mark.django_db
def test_a_lease_past_its_time_no_longer_blocks_and_its_shards_write_nothing():
    _world()
    token, _started, as_of = lease()
    RollupLock.objects.filter(pk=1).update(leased_until=NOW - timedelta(days=400))
    rollup(full=True, now=NOW)
    before = snapshot()
    journey_id, low, high = plan_shards(1)[0]
    # A later run took the lock over: the old lease's shard is stale.
    lease()
    assert rollup_shard(token, journey_id, low, high, as_of) == 0
    assert snapshot() == before


@pytest.mark.django_db
def test_without_a_journey_with_steps_a_sharded_run_is_one_full_run():
    """No account rows to split (it raised on the empty journey list): the run is
    done in one go and recorded, and the lease is left free."""
    trainee = member(team())
    module = TrainingModuleFactory()
    TrainingAssignment.objects.create(
        module=module, member=trainee, due_date=date(2026, 6, 30), assigned_by=None
    )
    assert plan_shards(3) == []
    run = rollup_sharded(full=True, timeout=60)
    assert run.full is True
    assert RollupLock.objects.get(pk=1).lease_token == ""


def test_shards_go_with_a_full_run_only():
    with pytest.raises(CommandError, match="--shards goes with --full"):
        call_command("rollup", "--shards")
