"""Query shapes the ORM does not write by itself."""

import copy

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Func,
    Index,
    IntegerField,
    OrderBy,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.query import ModelIterable


class AmongIds(Func):
    """`column IN (subquery)`, for a subquery of ids whose number the planner cannot
    estimate (a viewer's accounts: a UNION of reasons to see them).

    PostgreSQL reads it as `column = ANY(ARRAY(subquery))`: the ids are collected
    once, before the rows are read, and the rows are then found through the
    column's index. As a semi-join, a bad guess of the ids' number (thousands for a
    team's few hundred) made it read the whole table. Other databases get the plain
    IN."""

    arity = 2
    output_field = BooleanField()

    def __init__(self, column, queryset, **extra):
        super().__init__(column, Subquery(queryset), **extra)

    def as_sql(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            template="%(expressions)s",
            arg_joiner=" IN ",
            **extra_context,
        )

    def as_postgresql(self, compiler, connection, **extra_context):
        column, ids = (compiler.compile(source) for source in self.source_expressions)
        return f"{column[0]} = ANY(ARRAY{ids[0]})", (*column[1], *ids[1])


class OfGroupedColumns(Func):
    """An expression of columns a grouped query groups by, selected without being
    grouped by itself: `OfGroupedColumns(Concat(Value("step:"), "step_id"))` in a
    query grouped by `step_id`.

    The ORM groups by every expression of a grouped query's SELECT that holds no
    aggregate. A text made of grouped columns (a figure's metric key) then became a
    key of the grouping, which PostgreSQL sorted the rows by, text and all: at
    100,000 accounts, the members' conversion figures of a full rollup were a sort
    on disk, 1.52 s against 0.61 s without the text (bench/HISTORY.md, e50b24c).
    The groups are the same without it, since the text is the same within each of
    them. Only for an expression without an aggregate whose every column the query
    groups by: PostgreSQL refuses a column that is not grouped by, but SQLite takes
    it from any row of the group, silently."""

    arity = 1
    template = "%(expressions)s"

    def get_group_by_cols(self):
        return []


class Unindexed(Func):
    """A column as a value to test, not an index to read rows by: SQLite's
    `+column`. For a condition most rows meet on a list read in another index's
    order (an admin's figures: those of nearly every member), which SQLite would
    otherwise answer by reading the rows through the column's own index and sorting
    them all. Other databases get the column."""

    arity = 1

    def as_sql(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql}", params


class NullsLastIndex(Index):
    """An index whose descending columns sort empty values last, as the lists'
    orders do (`NullsLastOrderingFilter`): give them as
    `F(name).desc(nulls_last=True)`. PostgreSQL writes `DESC NULLS LAST`; SQLite
    refuses the modifier in an index and sorts NULL last in a descending column
    by itself, so it gets `DESC`."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "sqlite":
            index = self.clone()
            index.expressions = tuple(map(_default_nulls, self.expressions))
            return super(NullsLastIndex, index).create_sql(
                model, schema_editor, using=using, **kwargs
            )
        return super().create_sql(model, schema_editor, using=using, **kwargs)


def _default_nulls(expression):
    if (
        isinstance(expression, OrderBy)
        and expression.descending
        and expression.nulls_last
    ):
        expression = copy.copy(expression)
        expression.nulls_last = None
    return expression


class DaysBetween(Func):
    """Whole days from one date to another (`later - earlier`, negative when
    `later` is earlier), as an integer: PostgreSQL subtracts dates, SQLite
    subtracts Julian day numbers."""

    arity = 2
    output_field = IntegerField()

    def as_sql(self, compiler, connection, **extra_context):
        earlier, later = (compiler.compile(e) for e in self.source_expressions)
        return f"({later[0]} - {earlier[0]})", (*later[1], *earlier[1])

    def as_postgresql(self, compiler, connection, **extra_context):
        earlier, later = (compiler.compile(e) for e in self.source_expressions)
        return f"(({later[0]})::date - ({earlier[0]})::date)", (*later[1], *earlier[1])

    def as_sqlite(self, compiler, connection, **extra_context):
        earlier, later = (compiler.compile(e) for e in self.source_expressions)
        return (
            f"CAST(julianday({later[0]}) - julianday({earlier[0]}) AS INTEGER)",
            (*later[1], *earlier[1]),
        )


def first_and_count(queryset: QuerySet, shown: int) -> tuple[list, int]:
    """The first `shown` rows of `queryset` (model instances) and how many rows it
    has in all, in one query: each row carries the count of all (`COUNT(*) OVER
    ()`, computed before the LIMIT), so the rows are found once instead of once
    for the page and again for the count. A DISTINCT queryset counts its rows
    before DISTINCT, and `.values()` rows have no attribute to carry it, so those
    get the count from a second query."""
    if queryset.query.is_sliced:
        raise TypeError("first_and_count takes a queryset that is not sliced.")
    if queryset.query.distinct or queryset._iterable_class is not ModelIterable:
        rows = list(queryset[: shown + 1])
        count = queryset.count() if len(rows) > shown else len(rows)
        return rows[:shown], count
    rows = list(queryset.annotate(_count_of_all=Window(Count("*")))[:shown])
    return rows, rows[0]._count_of_all if rows else 0


def analyze_tables(*names: str) -> None:
    """PostgreSQL: refresh the planner's statistics of these tables (by name: a
    temporary table just filled, a table just rewritten, a day's rows just
    written), for the plans of the statements that read them next. SQLite plans
    without."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(names))


def limit_parallel_workers(workers: int) -> None:
    """PostgreSQL: until the current transaction ends, each statement of this
    connection starts at most `workers` parallel workers, for a query
    (`max_parallel_workers_per_gather`) or an index build
    (`max_parallel_maintenance_workers`). SQLite has none."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('max_parallel_workers_per_gather', %s, true), "
                "set_config('max_parallel_maintenance_workers', %s, true)",
                [str(workers), str(workers)],
            )
