"""`config.migration_operations.AddIndexConcurrently`: an index on the step events,
which people record all day, is built without blocking their writes on PostgreSQL
(CREATE INDEX CONCURRENTLY, outside a transaction) and as a plain index on SQLite,
and goes away again when the migration is reversed."""

import pytest
from django.db import connection, models
from django.db.migrations.loader import MigrationLoader

from config.migration_operations import AddIndexConcurrently

pytestmark = pytest.mark.django_db(transaction=True)


def _sql(direction: str) -> str:
    before = MigrationLoader(connection).project_state(
        ("journeys", "0011_account_progress")
    )
    operation = AddIndexConcurrently(
        model_name="stepevent",
        index=models.Index(fields=["recorded_at"], name="kata_test_recorded_idx"),
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
