"""Migration operations shared by the apps."""

from django.contrib.postgres.operations import (
    AddIndexConcurrently as PostgresAddIndexConcurrently,
)
from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    """An index on a table that is written all day (step events, accounts):
    PostgreSQL builds it with CREATE INDEX CONCURRENTLY, so that recording goes on
    while it builds; other databases (SQLite) add it as `AddIndex` does. Its
    migration needs `atomic = False`."""

    def describe(self):
        return f"{AddIndex.describe(self)} (concurrently on PostgreSQL)"

    @staticmethod
    def _operation(schema_editor) -> type[AddIndex]:
        if schema_editor.connection.vendor == "postgresql":
            return PostgresAddIndexConcurrently
        return AddIndex

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._operation(schema_editor).database_forwards(
            self, app_label, schema_editor, from_state, to_state
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._operation(schema_editor).database_backwards(
            self, app_label, schema_editor, from_state, to_state
        )
