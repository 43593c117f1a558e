"""Migration operations shared by the apps."""

from django.contrib.postgres.operations import (
    AddIndexConcurrently as PostgresAddIndexConcurrently,
)
from django.db.migrations.operations import AddIndex
from django.db.migrations.operations.base import Operation


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


class FillFactor(Operation):
    """A table whose rows are written again in place all day (an account's latest
    health) keeps room on each page (PostgreSQL's `fillfactor`), so
    that an update whose indexed columns stay the same writes the new row on the
    same page without new index entries (a heap-only tuple). Pages written from
    then on keep the room; other databases have no such setting."""

    reversible = True

    def __init__(self, model_name: str, fillfactor: int):
        self.model_name = model_name
        self.fillfactor = fillfactor

    def deconstruct(self):
        return (
            self.__class__.__qualname__,
            [],
            {"model_name": self.model_name, "fillfactor": self.fillfactor},
        )

    def state_forwards(self, app_label, state):
        pass

    def _alter(self, app_label, schema_editor, state, setting: str) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        model = state.apps.get_model(app_label, self.model_name)
        table = schema_editor.quote_name(model._meta.db_table)
        schema_editor.execute(f"ALTER TABLE {table} {setting}")

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(
            app_label,
            schema_editor,
            to_state,
            f"SET (fillfactor = {self.fillfactor:d})",
        )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        self._alter(app_label, schema_editor, from_state, "RESET (fillfactor)")

    def describe(self):
        return (
            f"Leave {100 - self.fillfactor} % of each page of {self.model_name} free "
            "for updates (PostgreSQL)"
        )
