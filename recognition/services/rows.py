"""The per-account rows of the rollup (`AccountTransition`, `AccountValuePoint`),
written by the database: one `INSERT … SELECT` per journey and kind of row, so that
Python never holds a row and memory stays flat in the number of events.

For one journey (and, in an incremental run, the accounts listed in the temporary
table `ACCOUNTS`), the database:

1. ranks each account's live events of each current step (`ROW_NUMBER()`): the
   first is the first reach (METRICS.md);
2. joins the first reaches to themselves: the earliest first reach of a later step
   that falls at or after a first reach may convert it, and the first reach of the
   last step may convert step 1 for the journey;
3. joins the coverage in force at the first reach (owner or pool), checks the
   Member role periods of the owner and of the recorder at that moment, and finds
   the credited member's team on the local day of the first reach (or the pool's
   team);
4. keeps the first reaches (`FIRSTS`) and the credited ones (`REACHES`) in
   temporary tables (analysed on PostgreSQL, so that every join is planned on
   true sizes), from which one statement inserts the transitions (windows,
   conversions, calendar days to convert in TIME_ZONE) and another the value
   points. For listed accounts they go to temporary tables, and only the rows
   that differ from the stored ones are written (`replace_changed_rows`).

Local days and months: PostgreSQL converts with `AT TIME ZONE`; SQLite, which has no
time zones, adds the zone's UTC offset, a constant or (for a zone with summer time)
a search over the zone's transitions computed here from the tz database. No
per-row Python function runs on either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection

from accounts.models import Role, RolePeriod, Team, TeamMembership
from config.queries import analyze_tables
from journeys.models import Coverage, CustomerAccount, Pool, Step, StepEvent

from .. import metrics
from ..models import AccountTransition, AccountValuePoint, ConversionKind
from ..selectors.groups import GROUPS, ROWS, SCOPES

# Temporary tables of a run, on its own connection.
ACCOUNTS = "kata_rollup_accounts"
FIRSTS = "kata_rollup_firsts"
REACHES = "kata_rollup_reaches"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Dialect ----------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _transitions(zone_name: str, first_year: int, last_year: int):
    """The instants (UTC, naive) at which the zone's UTC offset changes between the
    years, with the offset (seconds) in force from each: [(None, offset), (t1,
    offset1), …]."""
    zone = metrics.ZoneInfo(zone_name)

    def offset(moment: datetime) -> int:
        return int(moment.astimezone(zone).utcoffset().total_seconds())

    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    found = [(None, offset(moment))]
    step = timedelta(hours=6)
    while moment < end:
        following = moment + step
        if offset(following) != offset(moment):
            low, high = moment, following  # offset(low) != offset(high)
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                middle = middle.replace(microsecond=0)
                if offset(middle) == offset(low):
                    low = middle
                else:
                    high = middle
            found.append((high.replace(tzinfo=None), offset(high)))
        moment = following
    return found


class Dialect:
    """The few expressions SQLite and PostgreSQL write differently."""

    # SQLite: the zone's offsets are searched from this year to the year after the
    # run's (an instant before it takes the offset of that year's start).
    FIRST_YEAR = 1970

    def __init__(self, *, last: datetime):
        self.postgres = connection.vendor == "postgresql"
        self.zone = settings.TIME_ZONE
        self.ladder = (
            None
            if self.postgres
            else _transitions(self.zone, self.FIRST_YEAR, last.year + 1)
        )

    def _offset(self, expression: str) -> str:
        """SQLite: the zone's UTC offset (seconds) at the instant `expression`."""
        ladder = self.ladder
        if len({offset for _moment, offset in ladder}) == 1:
            return str(ladder[0][1])

        def search(low: int, high: int) -> str:  # ladder[low:high]
            if high - low == 1:
                return str(ladder[low][1])
            middle = (low + high) // 2
            moment = ladder[middle][0].strftime("%Y-%m-%d %H:%M:%S")
            return (
                f"(CASE WHEN {expression} < '{moment}' THEN {search(low, middle)} "
                f"ELSE {search(middle, high)} END)"
            )

        return search(0, len(ladder))

    def _shift(self, expression: str) -> str:
        offset = self._offset(expression)
        if offset.lstrip("-").isdigit():
            return f"'{int(offset):+d} seconds'"
        return f"({offset} || ' seconds')"

    def local_date(self, expression: str) -> str:
        """The calendar day (in TIME_ZONE) of an instant."""
        if self.postgres:
            return f"CAST(({expression} AT TIME ZONE '{self.zone}') AS date)"
        return f"date({self._seconds(expression)}, {self._shift(expression)})"

    def local_month(self, expression: str) -> str:
        """The first day of the month (in TIME_ZONE) of an instant."""
        if self.postgres:
            return (
                f"CAST(date_trunc('month', {expression} AT TIME ZONE "
                f"'{self.zone}') AS date)"
            )
        return (
            f"date({self._seconds(expression)}, {self._shift(expression)}, "
            "'start of month')"
        )

    def days_between(self, start: str, end: str) -> str:
        """Calendar days (in TIME_ZONE) from the day of `start` to that of `end`."""
        if self.postgres:
            return f"({self.local_date(end)} - {self.local_date(start)})"
        return (
            f"CAST(julianday({self.local_date(end)}) - "
            f"julianday({self.local_date(start)}) AS INTEGER)"
        )

    def plus_days(self, expression: str, days: str) -> str:
        """An instant plus `days` × 24 hours, to the microsecond."""
        if self.postgres:
            return f"({expression} + ({days}) * INTERVAL '1 day')"
        # Django stores 'YYYY-MM-DD HH:MM:SS[.ffffff]' in UTC: shift the seconds,
        # keep the fraction as written.
        return (
            f"(strftime('%%Y-%%m-%%d %%H:%%M:%%S', {self._seconds(expression)}, "
            f"'+' || ({days}) || ' days') || substr({expression}, 20))"
        )

    @staticmethod
    def _seconds(expression: str) -> str:
        """SQLite: an instant to the second, its fraction cut off. SQLite's date
        functions round a fraction to the millisecond: 23:59:59.9996 would become
        the next day (and the next month, or a window's end one second late)."""
        return f"substr({expression}, 1, 19)"


def _run(sql: str, params=()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def drop_temporary(name: str) -> None:
    _run(f"DROP TABLE IF EXISTS {name}")


# The accounts of a run ----------------------------------------------------------------


def list_accounts(account_ids=None, *, select: str | None = None, params=()) -> None:
    """Fill the temporary table ACCOUNTS with these ids, or the result of `select`
    (one column of account ids)."""
    drop_temporary(ACCOUNTS)
    _run(f"CREATE TEMPORARY TABLE {ACCOUNTS} (id bigint PRIMARY KEY)")
    if select is not None:
        _run(f"INSERT INTO {ACCOUNTS} (id) SELECT DISTINCT * FROM ({select}) s", params)
    elif account_ids and connection.vendor == "postgresql":
        # One statement: thousands of single-row INSERTs cost a round trip each.
        _run(
            f"INSERT INTO {ACCOUNTS} (id) SELECT DISTINCT unnest(%s::bigint[])",
            [sorted(account_ids)],
        )
    elif account_ids:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ACCOUNTS} (id) VALUES (%s)",
                [(account_id,) for account_id in sorted(account_ids)],
            )
    analyze_tables(ACCOUNTS)


def accounts_in(column: str) -> str:
    """SQL: `column` is one of the listed accounts."""
    return f"{column} IN (SELECT id FROM {ACCOUNTS})"


class Accounts:
    """Which accounts a statement writes: every one (`EVERY`), the listed ones
    (`LISTED`: the temporary table ACCOUNTS), or a shard: one journey's accounts
    with ids from `low` to `high` (`Accounts.shard`)."""

    def __init__(self, condition=None, params=()):
        self._condition = condition
        self.params = list(params)

    @classmethod
    def shard(cls, journey_id: int, low: int, high: int) -> Accounts:
        account = _table(CustomerAccount)
        return cls(
            lambda column: (
                f"{column} BETWEEN %s AND %s AND {column} IN (SELECT id FROM "
                f"{account} WHERE journey_id = %s AND id BETWEEN %s AND %s)"
            ),
            [low, high, journey_id, low, high],
        )

    def where(self, column: str) -> str:
        """SQL: `column` is one of these accounts (TRUE for every account)."""
        return self._condition(column) if self._condition else "1 = 1"


EVERY = Accounts()
LISTED = Accounts(accounts_in)


# The rows -----------------------------------------------------------------------------


def _firsts_select(dialect: Dialect, accounts: Accounts) -> str:
    """Each account's first reach of each current step of one journey (params: the
    journey id twice, then the accounts'). Columns: account_id, step_id,
    position, reached_at, recorded_by_id."""
    event, step, account = _table(StepEvent), _table(Step), _table(CustomerAccount)
    live = f"""
        FROM {event} e
        JOIN {step} s ON s.id = e.step_id
        JOIN {account} a ON a.id = e.account_id
        WHERE e.voided_at IS NULL AND s.position IS NOT NULL
          AND s.journey_id = %s AND a.journey_id = %s
          AND {accounts.where("e.account_id")}
    """
    if dialect.postgres:
        return f"""
            SELECT DISTINCT ON (e.account_id, e.step_id)
                   e.account_id, e.step_id, s.position, e.reached_at,
                   e.recorded_by_id
            {live}
            ORDER BY e.account_id, e.step_id, e.reached_at, e.id
        """
    return f"""
        SELECT account_id, step_id, position, reached_at, recorded_by_id
        FROM (
            SELECT e.account_id, e.step_id, s.position, e.reached_at,
                   e.recorded_by_id,
                   ROW_NUMBER() OVER (
                       PARTITION BY e.account_id, e.step_id
                       ORDER BY e.reached_at, e.id
                   ) AS rn
            {live}
        ) ranked
        WHERE rn = 1
    """


def _reaches_select(dialect: Dialect, *, last_position: int) -> str:
    """The credited first reaches (of the steps before the last) from the table
    FIRSTS. Columns: account_id, step_id, position, reached_at, member_id,
    team_id, pool_id, cohort_month, converted_at, journey_converted_at.

    Every lookup is a join: coverage in force at the first reach (the latest
    started, should periods overlap), the Member role of its owner and of its
    recorder at that moment (semi-joins), the credited member's team on the local
    day (the first by team name, should memberships overlap), the pool's team."""
    coverage, role, pool = _table(Coverage), _table(RolePeriod), _table(Pool)
    membership, team = _table(TeamMembership), _table(Team)
    member_role = f"'{Role.MEMBER.value}'"

    def held(user: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {role} rp WHERE rp.user_id = {user} "
            f"AND rp.role = {member_role} "
            "AND (rp.started_at IS NULL OR rp.started_at <= f.reached_at) "
            "AND (rp.ended_at IS NULL OR rp.ended_at > f.reached_at))"
        )

    day = dialect.local_date("c.reached_at")
    same = "{0}.account_id = f.account_id AND {0}.step_id = f.step_id"
    return f"""
    WITH credit AS MATERIALIZED (
        SELECT * FROM {FIRSTS} WHERE position < {int(last_position)}
    ),
    covered AS MATERIALIZED (
        SELECT account_id, step_id, owner_id, pool_id FROM (
            SELECT f.account_id, f.step_id, cv.owner_id, cv.pool_id,
                   ROW_NUMBER() OVER (
                       PARTITION BY f.account_id, f.step_id
                       ORDER BY cv.started_at DESC, cv.id DESC
                   ) AS rn
            FROM credit f
            JOIN {coverage} cv ON cv.account_id = f.account_id
                AND cv.started_at <= f.reached_at
                AND (cv.ended_at IS NULL OR cv.ended_at > f.reached_at)
        ) ranked WHERE rn = 1
    ),
    owner_member AS MATERIALIZED (
        SELECT f.account_id, f.step_id
        FROM credit f JOIN covered o ON {same.format("o")}
        WHERE o.owner_id IS NOT NULL AND {held("o.owner_id")}
    ),
    recorder_member AS MATERIALIZED (
        SELECT f.account_id, f.step_id FROM credit f
        WHERE f.recorded_by_id IS NOT NULL AND {held("f.recorded_by_id")}
    ),
    credited AS MATERIALIZED (
        SELECT f.account_id, f.step_id, f.position, f.reached_at, cv.pool_id,
               CASE
                   WHEN cv.owner_id IS NOT NULL THEN
                       CASE WHEN om.account_id IS NOT NULL THEN cv.owner_id END
                   WHEN rm.account_id IS NOT NULL THEN f.recorded_by_id
               END AS member_id
        FROM credit f
        LEFT JOIN covered cv ON {same.format("cv")}
        LEFT JOIN owner_member om ON {same.format("om")}
        LEFT JOIN recorder_member rm ON {same.format("rm")}
    ),
    teamed AS MATERIALIZED (
        SELECT account_id, step_id, team_id FROM (
            SELECT c.account_id, c.step_id, tm.team_id,
                   ROW_NUMBER() OVER (
                       PARTITION BY c.account_id, c.step_id
                       ORDER BY t.name, tm.start_date, tm.id
                   ) AS rn
            FROM credited c
            JOIN {membership} tm ON tm.user_id = c.member_id
                AND tm.start_date <= {day}
                AND (tm.end_date IS NULL OR tm.end_date >= {day})
            JOIN {team} t ON t.id = tm.team_id
        ) ranked WHERE rn = 1
    ),
    later AS MATERIALIZED (
        SELECT f.account_id, f.step_id,
               MIN(g.reached_at) AS converted_at,
               MIN(CASE WHEN g.position = {int(last_position)} THEN g.reached_at END)
                   AS journey_converted_at
        FROM credit f
        JOIN {FIRSTS} g ON g.account_id = f.account_id
            AND g.position > f.position AND g.reached_at >= f.reached_at
        GROUP BY f.account_id, f.step_id
    )
    SELECT f.account_id, f.step_id, f.position, f.reached_at, f.member_id,
           CASE
               WHEN f.member_id IS NOT NULL THEN tt.team_id
               WHEN f.pool_id IS NOT NULL THEN p.team_id
           END AS team_id,
           f.pool_id,
           {dialect.local_month("f.reached_at")} AS cohort_month,
           l.converted_at, l.journey_converted_at
    FROM credited f
    LEFT JOIN teamed tt ON {same.format("tt")}
    LEFT JOIN {pool} p ON p.id = f.pool_id
    LEFT JOIN later l ON {same.format("l")}
    """


def write_rows(
    journey,
    steps: list[Step],
    *,
    as_of: datetime,
    accounts: Accounts,
    into: dict | None = None,
) -> None:
    """Insert the per-account rows of one journey's accounts (all, the listed ones
    or a shard); the caller deleted the old ones. With `into` (model → table, as
    `fresh_row_tables`), the rows go to those tables instead. A fixed number of
    statements, whatever the data."""
    if len(steps) < 2:
        return  # No transition leaves the last step, and no journey of one step.
    last = steps[-1]
    dialect = Dialect(last=as_of)
    firsts_params = [journey.pk, journey.pk, *accounts.params]
    for name, select, params in (
        (FIRSTS, _firsts_select(dialect, accounts), firsts_params),
        (REACHES, _reaches_select(dialect, last_position=last.position), []),
    ):
        drop_temporary(name)
        _run(f"CREATE TEMPORARY TABLE {name} AS {select}", params)
        analyze_tables(name)
    stamp = connection.ops.adapt_datetimefield_value(as_of)
    credited = "member_id, team_id, pool_id, cohort_month, computed_at"
    order = "" if accounts is LISTED else f"\n        ORDER BY {CLUSTERED_BY}"
    window_end = dialect.plus_days("r.reached_at", "r.window_days")
    candidate = "r.candidate"
    converted = f"({candidate} IS NOT NULL AND {candidate} <= {window_end})"
    step = _table(Step)
    _run(
        f"""
        INSERT INTO {_target(AccountTransition, into)} (
            account_id, journey_id, from_step_id, kind, {credited},
            reached_at, window_ends_at, converted, converted_at, days_to_convert
        )
        SELECT r.account_id, %s, r.step_id, r.kind, r.member_id, r.team_id,
               r.pool_id, r.cohort_month, %s, r.reached_at, {window_end},
               CASE WHEN {converted} THEN TRUE ELSE FALSE END,
               CASE WHEN {converted} THEN {candidate} END,
               CASE WHEN {converted}
                    THEN {dialect.days_between("r.reached_at", candidate)} END
        FROM (
            SELECT re.account_id, re.step_id, re.reached_at, re.member_id,
                   re.team_id, re.pool_id, re.cohort_month,
                   '{ConversionKind.STEP.value}' AS kind,
                   s.conversion_window_days AS window_days,
                   re.converted_at AS candidate
            FROM {REACHES} re JOIN {step} s ON s.id = re.step_id
            UNION ALL
            SELECT account_id, step_id, reached_at, member_id, team_id, pool_id,
                   cohort_month, '{ConversionKind.JOURNEY.value}' AS kind,
                   %s AS window_days, journey_converted_at AS candidate
            FROM {REACHES} WHERE position = 1
        ) r{order}
        """,
        [journey.pk, stamp, metrics.journey_window_days(journey, steps)],
    )
    if any(s.is_value_point for s in steps):
        deadline = dialect.plus_days("r.reached_at", "vp.target_days")
        _run(
            f"""
            INSERT INTO {_target(AccountValuePoint, into)} (
                account_id, journey_id, step_id, {credited},
                started_at, deadline, reached_at, on_time
            )
            SELECT r.account_id, %s, vp.id, r.member_id, r.team_id, r.pool_id,
                   r.cohort_month, %s, r.reached_at, {deadline}, v.reached_at,
                   CASE WHEN v.reached_at IS NOT NULL
                         AND v.reached_at >= r.reached_at
                         AND v.reached_at <= {deadline}
                        THEN TRUE ELSE FALSE END
            FROM {REACHES} r
            JOIN {step} vp ON vp.journey_id = %s AND vp.position IS NOT NULL
                AND vp.is_value_point
            LEFT JOIN {FIRSTS} v ON v.account_id = r.account_id
                AND v.step_id = vp.id
            WHERE r.position = 1{order}
            """,
            [journey.pk, stamp, journey.pk],
        )
    drop_temporary(REACHES)
    drop_temporary(FIRSTS)


# The order in which a full run writes each journey's rows (a run in shards, each
# shard's): the pages read them by month and team (the dashboard, the member
# page's team figures, the home's transitions), then by member. Written in this
# order, a team's rows of a month fill a few pages of the table rather than one
# row in each of thousands (PostgreSQL at L, after a full run in one process: 141
# pages read instead of 2,671 for the member page's rows, 11 → 4.5 ms). The rows
# of an incremental run or of a run of some months (LISTED accounts) land at the
# end unsorted, and scatter again until the next full run.
CLUSTERED_BY = "r.cohort_month, r.team_id, r.member_id"


def _target(model, into: dict | None) -> str:
    return into[model] if into else _table(model)


_TRANSITION_COLUMNS = (
    "account_id, journey_id, from_step_id, kind, member_id, team_id, pool_id, "
    "cohort_month, reached_at, window_ends_at, converted, converted_at, "
    "days_to_convert"
)
_VALUE_POINT_COLUMNS = (
    "account_id, journey_id, step_id, member_id, team_id, pool_id, cohort_month, "
    "started_at, deadline, reached_at, on_time"
)


# When an account's part of a cohort figure stopped changing (METRICS.md: a cohort
# is provisional while an account has not converted and its window is open): its
# conversion, else its window's end. A cohort is final from the latest of them
# (a figure's `final_at` once final; `selectors.figures`).
SETTLED_TRANSITION = "CASE WHEN converted THEN converted_at ELSE window_ends_at END"
# A value point's part: due and on time when reached by its deadline (not before
# the journey's start, when the account joined the cohort), else due and late at
# its deadline.
SETTLED_VALUE_POINT = (
    "CASE WHEN reached_at IS NULL OR reached_at >= deadline THEN deadline"
    " WHEN reached_at > started_at THEN reached_at ELSE started_at END"
)


@dataclass(frozen=True)
class _RowTable:
    """A kind of per-account row as `replace_changed_rows` compares it: its model,
    the columns that make a row what it is (all but the id and `computed_at`),
    those that name it, the temporary tables of a run's rebuilt rows (the fresh
    ones, those gone or changed, those new or changed) and what its cohort month's
    figures read of it (`add_changed_groups`)."""

    model: type
    columns: str
    key: str
    fresh: str
    gone: str
    new: str
    # What the figures of a row's cohort month read of it as of the run's moment
    # (`%s`): a row gone and its new one equal in these change no figure of the
    # cohort month (`add_changed_groups`). None: every column.
    cohort_columns: str | None


_ROW_TABLES = (
    _RowTable(
        AccountTransition,
        _TRANSITION_COLUMNS,
        "account_id, from_step_id, kind",
        "kata_rollup_fresh_transitions",
        "kata_rollup_gone_transitions",
        "kata_rollup_new_transitions",
        # Whatever changed in a transition may change its figures.
        None,
    ),
    _RowTable(
        AccountValuePoint,
        _VALUE_POINT_COLUMNS,
        "account_id, step_id",
        "kata_rollup_fresh_value_points",
        "kata_rollup_gone_value_points",
        "kata_rollup_new_value_points",
        # The moment of the reach only as far as the cohort's figures read it:
        # whether the value point is still open (not reached, deadline ahead;
        # otherwise it is due), and when it settled (an on-time reach). A value
        # point reached after its deadline had passed, late, counts in its
        # cohort month as it did (due, not on time, settled at the deadline);
        # its reach month's groups are still written (`add_changed_groups`).
        "account_id, journey_id, step_id, member_id, team_id, pool_id, "
        "cohort_month, started_at, deadline, on_time, "
        "CASE WHEN reached_at IS NULL AND deadline > %s THEN 1 ELSE 0 END, "
        f"{SETTLED_VALUE_POINT}",
    ),
)


def empty_temporary(name: str, table: str, columns: str) -> None:
    """A new, empty temporary table `name` with these columns of `table` (their
    types on PostgreSQL, their affinities on SQLite)."""
    drop_temporary(name)
    _run(f"CREATE TEMPORARY TABLE {name} AS SELECT {columns} FROM {table} WHERE 1 = 0")


def fresh_row_tables() -> dict:
    """Empty temporary tables (model → name) with the row tables' columns, for
    `write_rows(into=...)`: the listed accounts' rows rebuilt, before
    `replace_changed_rows` compares them with the stored ones."""
    for table in _ROW_TABLES:
        empty_temporary(
            table.fresh, _table(table.model), f"{table.columns}, computed_at"
        )
    return {table.model: table.fresh for table in _ROW_TABLES}


def replace_changed_rows(*, as_of: datetime) -> None:
    """Make the stored rows of the listed accounts their fresh rows
    (`fresh_row_tables`), writing only the differences: each stored row with no
    equal fresh one (gone, or changed) is deleted, each fresh row with no equal
    stored one (new, or changed) inserted, as of `as_of`. A row that comes out the
    same (most of a changed account's: a new event changes one or two of its
    transitions) keeps its row and `computed_at`. The differences stay, as
    temporary tables, for `add_changed_groups`. Equal means equal in every column
    but the id and `computed_at`, NULL equal to NULL (EXCEPT)."""
    stamp = connection.ops.adapt_datetimefield_value(as_of)
    for table in _ROW_TABLES:
        stored = (
            f"SELECT {table.columns} FROM {_table(table.model)} "
            f"WHERE {accounts_in('account_id')}"
        )
        fresh = f"SELECT {table.columns} FROM {table.fresh}"
        for name, difference in (
            (table.gone, f"{stored} EXCEPT {fresh}"),
            (table.new, f"{fresh} EXCEPT {stored}"),
        ):
            drop_temporary(name)
            _run(f"CREATE TEMPORARY TABLE {name} AS {difference}")
        drop_temporary(table.fresh)
        _run(
            f"DELETE FROM {_table(table.model)} WHERE ({table.key}) IN "
            f"(SELECT {table.key} FROM {table.gone})"
        )
        _run(
            f"INSERT INTO {_table(table.model)} ({table.columns}, computed_at) "
            f"SELECT {table.columns}, %s FROM {table.new}",
            [stamp],
        )


def start_groups() -> None:
    """An empty temporary table GROUPS: the (scope, owner, month) groups whose
    figures an incremental run writes again (`figures.write_group_figures`)."""
    drop_temporary(GROUPS)
    _run(
        f"CREATE TEMPORARY TABLE {GROUPS} (kind char(1) NOT NULL, "
        "scope varchar(6) NOT NULL, owner_id bigint NOT NULL, month date NOT NULL)"
    )


def add_groups(kind: str, select: str, params=()) -> None:
    """Add to GROUPS the rows of a SELECT of (scope, owner id, month): groups
    where `kind` changed (`groups.ROWS` or `groups.EVENTS`)."""
    _run(
        f"INSERT INTO {GROUPS} (kind, scope, owner_id, month) "
        f"SELECT '{kind}', s.* FROM ({select}) s",
        params,
    )


def finish_groups(*, outside, months) -> None:
    """GROUPS without repeats, without the groups of months written whole
    (`outside`) or not among `months` (those that can hold a figure), analysed and
    indexed for the lookups of the figures."""
    kept = sorted(set(months) - set(outside))
    _run(
        f"CREATE TEMPORARY TABLE {GROUPS}_d (kind char(1) NOT NULL, "
        "scope varchar(6) NOT NULL, owner_id bigint NOT NULL, month date NOT NULL)"
    )
    if kept:
        _run(
            f"INSERT INTO {GROUPS}_d SELECT DISTINCT kind, scope, owner_id, month "
            f"FROM {GROUPS} WHERE month IN ({', '.join(['%s'] * len(kept))})",
            [connection.ops.adapt_datefield_value(month) for month in kept],
        )
    drop_temporary(GROUPS)
    _run(f"ALTER TABLE {GROUPS}_d RENAME TO {GROUPS}")
    _run(f"CREATE INDEX {GROUPS}_key ON {GROUPS} (kind, scope, owner_id, month)")
    analyze_tables(GROUPS)


def add_changed_groups(dialect: Dialect, *, as_of: datetime | None) -> None:
    """Add to GROUPS the groups whose figures the rebuilt rows of the listed
    accounts change: of each row that is new, gone or different (the differences
    `replace_changed_rows` kept), its member's, team's and pool's groups of the
    month of its conversion or of its value point reached (flow metrics), and of
    its cohort month unless the row changed only in what the cohort's figures do
    not read as of `as_of` (`cohort_columns`: a value point reached after its
    deadline had passed). That holds for a run that listed first the groups time
    alone changed since the last run (a window or deadline that ended while the
    row was open: `rollup._add_passed_groups`), an incremental one; for another
    (`as_of` None: a run of some months) every changed column counts. A row that
    came out the same (an old cohort whose window had ended) changes no group.
    One statement per kind of row."""
    for table in _ROW_TABLES:
        if table.model is AccountTransition:
            flow = f"CASE WHEN converted THEN {dialect.local_month('converted_at')} END"
        else:
            flow = f"{dialect.local_month('reached_at')}"
        read = None if as_of is None else table.cohort_columns
        params = []
        if read is None:
            # Every column counts: the rows gone and new are the differences
            # themselves (`replace_changed_rows` left them none in common).
            cohort = " UNION ALL ".join(
                f"SELECT member_id, team_id, pool_id, cohort_month FROM {name}"
                for name in (table.gone, table.new)
            )
        else:
            cohort = " UNION ALL ".join(
                "SELECT member_id, team_id, pool_id, cohort_month FROM ("
                f"SELECT {read} FROM {first} EXCEPT SELECT {read} FROM {second}) d{n}"
                for n, (first, second) in enumerate(
                    ((table.gone, table.new), (table.new, table.gone))
                )
            )
            moment = connection.ops.adapt_datetimefield_value(as_of)
            params = [moment] * (read.count("%s") * 4)
        flows = " UNION ALL ".join(
            f"SELECT member_id, team_id, pool_id, {flow} AS flow_month FROM {name}"
            for name in (table.gone, table.new)
        )
        groups = " UNION ALL ".join(
            f"SELECT '{scope}', {scope}_id, {month} FROM {source} "
            f"WHERE {scope}_id IS NOT NULL AND {month} IS NOT NULL"
            for scope in SCOPES
            for source, month in (("cohort", "cohort_month"), ("flow", "flow_month"))
        )
        add_groups(
            ROWS,
            f"WITH cohort AS MATERIALIZED ({cohort}), "
            f"flow AS MATERIALIZED ({flows}) {groups}",
            params,
        )
        drop_temporary(table.gone)
        drop_temporary(table.new)


def analyze(models) -> None:
    """Refresh the planner's statistics of tables a full run rewrote, which the
    pages read next. PostgreSQL: autovacuum may be late or off, and pages would be
    planned for the old sizes. SQLite gathers none by itself: without them it
    chose an index of the rows by cohort month alone for the manager's home (at M
    its SQL took 51–59 ms, 25–37 ms with them; the five tables' ANALYZE takes 0.2
    s there)."""
    if connection.vendor == "sqlite":
        for model in models:
            _run(f"ANALYZE {_table(model)}")
        return
    analyze_tables(*(_table(model) for model in models))


def delete_rows(accounts: Accounts, *, into: dict | None = None) -> None:
    """Delete the per-account rows of these accounts (from the tables `into`:
    model → name, as `write_rows` takes it)."""
    for model in (AccountTransition, AccountValuePoint):
        _run(
            f"DELETE FROM {_target(model, into)} WHERE {accounts.where('account_id')}",
            accounts.params,
        )
