"""Temporary staging tables for bulk writes: the rows of a file go into one as plain
tuples, then set-based statements resolve, check and write them.

What differs between PostgreSQL and SQLite is here and nowhere else: the table's
life (dropped at commit on PostgreSQL, by `staging_table` on both), how the rows go
in (COPY on PostgreSQL, executemany on SQLite) and how a date and time is written.
The statements that read a staging table are plain SQL that both databases run.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime

from django.db.models import NOT_PROVIDED, Field
from django.db.transaction import TransactionManagementError


@contextmanager
def staging_table(cursor, name: str, columns: dict[str, str | Field]) -> Iterator[None]:
    """A temporary table `name` for the life of the block, inside the caller's
    transaction (atomic()); `columns` maps each column to a Django field type
    ("IntegerField", "TextField", "DateTimeField", ...) or to a model field whose
    column type it takes, so that its values compare with the model tables' as the
    ORM's do.

    The table is dropped when the block ends normally; on an error the caller's
    transaction rolls back, which takes the table with it (the database is not
    asked anything more in an aborted transaction)."""
    connection = cursor.db
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # Dropped at commit: in autocommit, as soon as it was made.
        raise TransactionManagementError("A staging table needs atomic().")
    quote = connection.ops.quote_name
    definition = ", ".join(
        f"{quote(column)} "
        + (
            connection.data_types[kind]
            if isinstance(kind, str)
            else kind.db_type(connection)
        )
        for column, kind in columns.items()
    )
    # A safety net on PostgreSQL: the table never outlives the transaction.
    on_commit = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
    cursor.execute(f"CREATE TEMPORARY TABLE {quote(name)} ({definition}){on_commit}")
    yield
    cursor.execute(f"DROP TABLE {quote(name)}")


def load(cursor, name: str, columns: Iterable[str], rows: Iterable[tuple]) -> None:
    """Put `rows` (tuples in the order of `columns`) into the table `name` (a
    staging table, or a model's table for `insert_rows`), consuming them as a
    stream."""
    connection = cursor.db
    quote = connection.ops.quote_name
    columns = list(columns)
    names = ", ".join(map(quote, columns))
    if connection.vendor == "postgresql":
        sql = f"COPY {quote(name)} ({names}) FROM STDIN"
        # Logged like any other statement (connection.queries, query counts).
        logged = getattr(cursor, "debug_sql", None)
        with (
            logged(sql, rows, many=True) if logged else nullcontext(),
            connection.wrap_database_errors,
            cursor.cursor.copy(sql) as copy,
        ):
            for row in rows:
                copy.write_row(row)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(
            f"INSERT INTO {quote(name)} ({names}) VALUES ({placeholders})", rows
        )


def datetime_value(connection) -> Callable[[datetime], object]:
    """How an aware date and time is written to this database in raw SQL: as the ORM
    writes it (SQLite compares the text), quickly enough for every row of a file."""
    if connection.vendor == "sqlite":
        zone = connection.timezone
        return lambda moment: str(moment.astimezone(zone).replace(tzinfo=None))
    return connection.ops.adapt_datetimefield_value


def insert_columns(
    connection, model, *, from_query: dict[str, str], given: dict
) -> tuple[str, str, list]:
    """The column list, the SELECT list and its parameters of an `INSERT INTO
    <model's table> (columns) SELECT …` that writes every column as the ORM would:
    a field named in `from_query` from that SQL expression, one in `given` from
    that value, any other from its default. The primary key, and a database
    default of a field not named, are the database's. A field the ORM fills in on
    save (auto_now, auto_now_add) must be named: its default would be NULL."""
    quote = connection.ops.quote_name
    columns, values, params = [], [], []
    for model_field in model._meta.concrete_fields:
        name = model_field.name
        if model_field.primary_key or (
            model_field.db_default is not NOT_PROVIDED
            and name not in from_query
            and name not in given
        ):
            continue
        columns.append(quote(model_field.column))
        if name in from_query:
            values.append(from_query[name])
            continue
        if name not in given and (
            getattr(model_field, "auto_now", False)
            or getattr(model_field, "auto_now_add", False)
        ):
            raise ValueError(f"{model.__name__}.{name} needs a value.")
        values.append("%s")
        value = given[name] if name in given else model_field.get_default()
        params.append(model_field.get_db_prep_save(value, connection))
    return ", ".join(columns), ", ".join(values), params


def prepared(connection, fields: list) -> Callable[[tuple], tuple]:
    """A row's values as this database takes them in a bulk write: as they are on
    PostgreSQL (psycopg adapts dates, times and decimals as the ORM has it do), through
    the fields' `get_db_prep_save` on SQLite (which keeps dates and times as text)."""
    if connection.vendor == "postgresql":
        return lambda row: row
    return lambda row: tuple(
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, row, strict=True)
    )


def insert_rows(cursor, model, names: list[str], rows: Iterable[tuple]) -> None:
    """Insert `rows` (tuples of the fields `names`: every value the ORM would write,
    defaults and auto_now the caller's) into `model`'s table, without a model
    instance: COPY on PostgreSQL, executemany on SQLite. No ids come back."""
    fields = [model._meta.get_field(name) for name in names]
    prepare = prepared(cursor.db, fields)
    load(
        cursor,
        model._meta.db_table,
        [field.column for field in fields],
        map(prepare, rows),
    )


def update_rows(cursor, model, names: list[str], rows: Iterable[tuple]) -> None:
    """Set the fields `names` of many rows of `model`'s table, each row a tuple
    (primary key, *values): on PostgreSQL the rows go into a staging table (COPY)
    and one UPDATE … FROM writes them all (an UPDATE per row took seconds for
    thousands); on SQLite, an UPDATE per row sent together (executemany, in
    process)."""
    connection = cursor.db
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    table, key = quote(meta.db_table), quote(meta.pk.column)
    if connection.vendor != "postgresql":
        prepare = prepared(connection, fields)
        assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
        cursor.executemany(
            f"UPDATE {table} SET {assignments} WHERE {key} = %s",
            ((*prepare(row[1:]), row[0]) for row in rows),
        )
        return
    staged = f"{meta.db_table}_updates"
    columns = {field.column: field for field in [meta.pk, *fields]}
    with staging_table(cursor, staged, columns):
        load(cursor, staged, columns, rows)
        assignments = ", ".join(
            f"{quote(field.column)} = staged.{quote(field.column)}" for field in fields
        )
        cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {quote(staged)} AS staged "
            f"WHERE {table}.{key} = staged.{key}"
        )
