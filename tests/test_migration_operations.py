"""`config.migration_operations.AddIndexConcurrently`: an index on the step events,
which people record all day, is built without blocking their writes on PostgreSQL
(CREATE INDEX CONCURRENTLY, outside a transaction) and as a plain index on SQLite,
and goes away again when the migration is reversed. `config.queries.NullsLastIndex`:
a descending column is written to sort empty values last on both databases (that
the list by ARR does so, with the index in place: test_account_list).
`config.migration_operations.FillFactor`: the accounts' pages keep room for the
updates of each account on PostgreSQL."""

import pytest
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader
from django.db.models import F

from config.migration_operations import AddIndexConcurrently, FillFactor
from config.queries import NullsLastIndex

pytestmark = pytest.mark.django_db(transaction=True)


def _sql(direction: str, *, model_name: str = "stepevent", index=None) -> str:
    before = MigrationLoader(connection).project_state(
        ("journeys", "0011_account_progress")
    )
    operation = AddIndexConcurrently(
        model_name=model_name,
        index=index
        or models.Index(fields=["recorded_at"], name="kata_test_recorded_idx"),
    )
    after = before.clone()
    operation.state_forwards("journeys", after)
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        if direction == "forwards":
            operation.database_forwards("journeys", editor, before, after)
        else:
            operation.database_backwards("journeys", editor, after, before)
    return " ".join(editor.collected_sql)


def test_the_index_builds_without_blocking_writes_on_postgresql():
    sql = _sql("forwards")
    assert "kata_test_recorded_idx" in sql and "CREATE INDEX" in sql
    assert ("CONCURRENTLY" in sql) == (connection.vendor == "postgresql")


def test_reversing_drops_the_index():
    sql = _sql("backwards")
    assert "DROP INDEX" in sql and "kata_test_recorded_idx" in sql
    assert ("CONCURRENTLY" in sql) == (connection.vendor == "postgresql")


def test_a_descending_column_is_written_to_sort_empty_values_last_on_each_database():
    index = NullsLastIndex(
        F("arr").desc(nulls_last=True), "id", name="kata_test_arr_desc"
    )
    sql = _sql("forwards", model_name="customeraccount", index=index)
    if connection.vendor == "postgresql":
        assert '"arr" DESC NULLS LAST, "id"' in sql
    else:
        # SQLite refuses NULLS LAST in an index; DESC sorts NULL last there.
        assert '"arr" DESC, "id"' in sql and "NULLS" not in sql


def _reloptions(table: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        return list(cursor.fetchone()[0] or [])


def test_the_accounts_keep_room_for_their_updates_on_postgresql():
    """The migrated accounts' table keeps 15 % of each page free for the rollup's
    updates of each account; reversed, the operation resets the setting; SQLite has
    no such setting, and the operation writes nothing there."""
    operation = FillFactor(model_name="customeraccount", fillfactor=85)
    state = MigrationLoader(connection).project_state(
        ("journeys", "0015_account_fillfactor")
    )
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        operation.database_backwards("journeys", editor, state, state)
        operation.database_forwards("journeys", editor, state, state)
    if connection.vendor != "postgresql":
        assert editor.collected_sql == []
        return
    assert editor.collected_sql == [
        'ALTER TABLE "journeys_customeraccount" RESET (fillfactor);',
        'ALTER TABLE "journeys_customeraccount" SET (fillfactor = 85);',
    ]
    assert _reloptions("journeys_customeraccount") == ["fillfactor=85"]
