"""The figure groups an incremental rollup writes again: (scope, owner, month) and
what changed in them, the per-account rows (`ROWS`: every figure of the rows,
flow metrics included) or the events recorded (`EVENTS`: the events-recorded
count). They are kept in a temporary table of the run's connection (`GROUPS`),
with each month's first instant and the first instant after it (in TIME_ZONE), so
that rows and events are matched to a group by comparing stored UTC times.

The rollup fills the table (`services.rows`: the groups of changed rows, of events
recorded or voided, of windows and deadlines that passed); `figures` and `flow`
read only the rows of those groups where an index allows, and keep only the
groups' figures.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

GROUPS = "kata_rollup_groups"
ROWS = "r"
EVENTS = "e"


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


def in_group_months(
    model, scope: str, owner: str, moment: str, kind: str = ROWS
) -> RawSQL:
    """A filter: the row's owner of the scope has a listed group of the month (in
    TIME_ZONE) of the instant `moment` where `kind` changed."""
    at = _column(model, moment)
    return RawSQL(
        f"EXISTS (SELECT 1 FROM {GROUPS} g WHERE g.kind = '{kind}' AND g.scope = %s "
        f"AND g.owner_id = {_column(model, owner)} "
        f"AND {at} >= g.starts_at AND {at} < g.ends_at)",
        [scope],
        output_field=BooleanField(),
    )
