"""The figure groups an incremental rollup writes again: (scope, owner, month) and
what changed in them, the per-account rows (`ROWS`: every figure of the rows,
flow metrics included) or the events recorded (`EVENTS`: the events-recorded
count). They are kept in a temporary table of the run's connection (`GROUPS`);
a row is matched to a group by its owner and its month (a cohort month, or the
month in TIME_ZONE an instant falls in, found by comparing stored UTC times with
the months' bounds: `InGroup`).

The rollup fills the table (`services.rows`: the groups of changed rows, of events
recorded or voided, of windows and deadlines that passed); `figures` and `flow`
read only the rows of those groups where an index allows, and keep only the
groups' figures.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField, Func
from django.db.models.expressions import RawSQL

GROUPS = "kata_rollup_groups"
ROWS = "r"
EVENTS = "e"
# The scopes of the figures and the column naming each row's owner in them.
SCOPES = {"member": "member_id", "team": "team_id", "pool": "pool_id"}


def in_groups_sql(scope_param: str, owner: str, month: str, kind: str) -> str:
    """SQL: (owner, month) is a listed group of the scope (`scope_param` is its
    placeholder or literal) where `kind` changed."""
    return (
        f"EXISTS (SELECT 1 FROM {GROUPS} g WHERE g.kind = '{kind}' "
        f"AND g.scope = {scope_param} AND g.owner_id = {owner} "
        f"AND g.month = {month})"
    )


def _column(model, field: str) -> str:
    quote = connection.ops.quote_name
    return f"{quote(model._meta.db_table)}.{quote(field)}"


def in_groups(model, scope: str, owner: str, month: str = "cohort_month") -> RawSQL:
    """A filter: the row's owner of the scope and its month (a date column) make a
    listed group whose rows changed."""
    return RawSQL(
        in_groups_sql("%s", _column(model, owner), _column(model, month), ROWS),
        [scope],
        output_field=BooleanField(),
    )


class InGroup(Func):
    """A filter: the owner and the month (two expressions: an owner column and a
    date, such as the month a row's instant falls in) make a listed group of the
    scope where `kind` changed. Matching the month by equality lets the database
    join the rows to the groups by (owner, month)."""

    output_field = BooleanField()

    def __init__(self, scope: str, owner, month, kind: str = ROWS):
        if scope not in SCOPES or kind not in (ROWS, EVENTS):
            raise ValueError(f"Not a group: {scope!r}, {kind!r}")
        super().__init__(owner, month)
        self.scope, self.kind = scope, kind

    def as_sql(self, compiler, connection, **extra_context):
        (owner, owner_params), (month, month_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return (
            in_groups_sql("%s", owner, month, self.kind),
            [self.scope, *owner_params, *month_params],
        )
