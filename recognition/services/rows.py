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
4. writes these credited first reaches into a temporary table (`REACHES`), from
   which one statement inserts the transitions (windows, conversions, calendar days
   to convert in TIME_ZONE) and another the value points.

Local days and months: PostgreSQL converts with `AT TIME ZONE`; SQLite, which has no
time zones, adds the zone's UTC offset, a constant or (for a zone with summer time)
a search over the zone's transitions computed here from the tz database. No
per-row Python function runs on either.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db import connection

from accounts.models import Role, RolePeriod, Team, TeamMembership
from journeys.models import Coverage, CustomerAccount, Pool, Step, StepEvent

from .. import metrics
from ..models import AccountTransition, AccountValuePoint, ConversionKind

# Temporary tables of a run, on its own connection.
ACCOUNTS = "kata_rollup_accounts"
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

    def __init__(self, *, first: datetime | None = None, last: datetime | None = None):
        self.postgres = connection.vendor == "postgresql"
        self.zone = settings.TIME_ZONE
        first = first or datetime(2000, 1, 1, tzinfo=UTC)
        last = last or first
        self.ladder = (
            None
            if self.postgres
            else _transitions(self.zone, first.year - 1, last.year + 1)
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
        return f"date({expression}, {self._shift(expression)})"

    def local_month(self, expression: str) -> str:
        """The first day of the month (in TIME_ZONE) of an instant."""
        if self.postgres:
            return (
                f"CAST(date_trunc('month', {expression} AT TIME ZONE "
                f"'{self.zone}') AS date)"
            )
        return f"date({expression}, {self._shift(expression)}, 'start of month')"

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
            f"(strftime('%%Y-%%m-%%d %%H:%%M:%%S', {expression}, "
            f"'+' || ({days}) || ' days') || substr({expression}, 20))"
        )

    def create_temporary(self, name: str, select: str) -> str:
        return f"CREATE TEMPORARY TABLE {name} AS {select}"


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
    elif account_ids:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {ACCOUNTS} (id) VALUES (%s)",
                [(account_id,) for account_id in sorted(account_ids)],
            )
    if connection.vendor == "postgresql":
        _run(f"ANALYZE {ACCOUNTS}")


def accounts_in(column: str) -> str:
    """SQL: `column` is one of the listed accounts."""
    return f"{column} IN (SELECT id FROM {ACCOUNTS})"


# The rows -----------------------------------------------------------------------------


def _reaches_select(dialect: Dialect, *, last_position: int, listed: bool) -> str:
    """The credited first reaches of one journey's current steps (params: journey
    id twice). Columns: account_id, step_id, position, reached_at, member_id,
    team_id, pool_id, cohort_month, converted_at, journey_converted_at."""
    event, step, account = _table(StepEvent), _table(Step), _table(CustomerAccount)
    coverage, role, pool = _table(Coverage), _table(RolePeriod), _table(Pool)
    membership, team = _table(TeamMembership), _table(Team)
    only_listed = f"AND {accounts_in('e.account_id')}" if listed else ""
    member_role = f"'{Role.MEMBER.value}'"

    def held(user: str, moment: str) -> str:
        return (
            f"EXISTS (SELECT 1 FROM {role} rp WHERE rp.user_id = {user} "
            f"AND rp.role = {member_role} "
            f"AND (rp.started_at IS NULL OR rp.started_at <= {moment}) "
            f"AND (rp.ended_at IS NULL OR rp.ended_at > {moment}))"
        )

    day = dialect.local_date("c.reached_at")
    return f"""
    WITH ranked AS (
        SELECT e.id, e.account_id, e.step_id, e.reached_at, e.recorded_by_id,
               s.position,
               ROW_NUMBER() OVER (
                   PARTITION BY e.account_id, e.step_id
                   ORDER BY e.reached_at, e.id
               ) AS rn
        FROM {event} e
        JOIN {step} s ON s.id = e.step_id
        JOIN {account} a ON a.id = e.account_id
        WHERE e.voided_at IS NULL AND s.position IS NOT NULL
          AND s.journey_id = %s AND a.journey_id = %s {only_listed}
    ),
    firsts AS (
        SELECT id, account_id, step_id, reached_at, recorded_by_id, position
        FROM ranked WHERE rn = 1
    ),
    later AS (
        SELECT f.account_id, f.step_id,
               MIN(g.reached_at) AS converted_at,
               MIN(CASE WHEN g.position = {int(last_position)} THEN g.reached_at END)
                   AS journey_converted_at
        FROM firsts f
        JOIN firsts g ON g.account_id = f.account_id
            AND g.position > f.position AND g.reached_at >= f.reached_at
        GROUP BY f.account_id, f.step_id
    ),
    covered AS (
        SELECT f.account_id, f.step_id, cv.owner_id, cv.pool_id,
               ROW_NUMBER() OVER (
                   PARTITION BY f.account_id, f.step_id
                   ORDER BY cv.started_at DESC, cv.id DESC
               ) AS rn
        FROM firsts f
        JOIN {coverage} cv ON cv.account_id = f.account_id
            AND cv.started_at <= f.reached_at
            AND (cv.ended_at IS NULL OR cv.ended_at > f.reached_at)
    ),
    credited AS (
        SELECT f.account_id, f.step_id, f.position, f.reached_at,
               cv.pool_id,
               CASE
                   WHEN cv.owner_id IS NOT NULL THEN
                       CASE WHEN {held("cv.owner_id", "f.reached_at")}
                            THEN cv.owner_id END
                   WHEN {held("f.recorded_by_id", "f.reached_at")}
                       THEN f.recorded_by_id
               END AS member_id,
               l.converted_at, l.journey_converted_at
        FROM firsts f
        LEFT JOIN covered cv ON cv.account_id = f.account_id
            AND cv.step_id = f.step_id AND cv.rn = 1
        LEFT JOIN later l ON l.account_id = f.account_id AND l.step_id = f.step_id
    )
    SELECT c.account_id, c.step_id, c.position, c.reached_at, c.member_id,
           CASE
               WHEN c.member_id IS NOT NULL THEN (
                   SELECT tm.team_id FROM {membership} tm
                   JOIN {team} t ON t.id = tm.team_id
                   WHERE tm.user_id = c.member_id AND tm.start_date <= {day}
                     AND (tm.end_date IS NULL OR tm.end_date >= {day})
                   ORDER BY t.name, tm.start_date, tm.id
                   LIMIT 1
               )
               WHEN c.pool_id IS NOT NULL THEN (
                   SELECT p.team_id FROM {pool} p WHERE p.id = c.pool_id
               )
           END AS team_id,
           c.pool_id,
           {dialect.local_month("c.reached_at")} AS cohort_month,
           c.converted_at, c.journey_converted_at
    FROM credited c
    """


def write_rows(journey, steps: list[Step], *, as_of: datetime, listed: bool) -> None:
    """Insert the per-account rows of one journey (of the listed accounts, or all);
    the caller deleted the old ones. Four statements, whatever the data."""
    if not steps:
        return
    last = steps[-1]
    dialect = Dialect(first=_first_event(), last=as_of)
    drop_temporary(REACHES)
    _run(
        dialect.create_temporary(
            REACHES,
            _reaches_select(dialect, last_position=last.position, listed=listed),
        ),
        [journey.pk, journey.pk],
    )
    if dialect.postgres:
        _run(f"ANALYZE {REACHES}")
    stamp = connection.ops.adapt_datetimefield_value(as_of)
    credited = "member_id, team_id, pool_id, cohort_month, computed_at"
    window_end = dialect.plus_days("r.reached_at", "r.window_days")
    candidate = "r.candidate"
    converted = f"({candidate} IS NOT NULL AND {candidate} <= {window_end})"
    journey_rows = ""
    if len(steps) >= 2:
        journey_rows = f"""
            UNION ALL
            SELECT account_id, step_id, reached_at, member_id, team_id, pool_id,
                   cohort_month, '{ConversionKind.JOURNEY.value}' AS kind,
                   %s AS window_days, journey_converted_at AS candidate
            FROM {REACHES} WHERE position = 1
        """
    step = _table(Step)
    _run(
        f"""
        INSERT INTO {_table(AccountTransition)} (
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
            WHERE re.position < %s
            {journey_rows}
        ) r
        """,
        [
            journey.pk,
            stamp,
            last.position,
            *([metrics.journey_window_days(journey, steps)] if journey_rows else []),
        ],
    )
    if len(steps) >= 2 and any(s.is_value_point for s in steps):
        deadline = dialect.plus_days("r.reached_at", "vp.target_days")
        _run(
            f"""
            INSERT INTO {_table(AccountValuePoint)} (
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
            LEFT JOIN {REACHES} v ON v.account_id = r.account_id
                AND v.step_id = vp.id
            WHERE r.position = 1
            """,
            [journey.pk, stamp, journey.pk],
        )
    drop_temporary(REACHES)


def _first_event() -> datetime | None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(reached_at) FROM {_table(StepEvent)}")
        (first,) = cursor.fetchone()
    if isinstance(first, str):
        first = datetime.fromisoformat(first)
    return first


def row_months(dialect: Dialect, *, listed: bool) -> set:
    """The months the rows count in (of the listed accounts, or every row): their
    cohort months, and the months of their conversions and value points reached
    (flow metrics). One query."""
    transitions, points = _table(AccountTransition), _table(AccountValuePoint)
    where = f"WHERE {accounts_in('account_id')}" if listed else "WHERE 1 = 1"
    sql = f"""
        SELECT cohort_month FROM {transitions} {where}
        UNION SELECT cohort_month FROM {points} {where}
        UNION SELECT {dialect.local_month("converted_at")} FROM {transitions}
            {where} AND converted
        UNION SELECT {dialect.local_month("reached_at")} FROM {points}
            {where} AND reached_at IS NOT NULL
    """
    with connection.cursor() as cursor:
        cursor.execute(sql)
        found = set()
        for (month,) in cursor.fetchall():
            if isinstance(month, str):
                month = datetime.strptime(month, "%Y-%m-%d").date()
            found.add(month)
    return found


def delete_rows(*, listed: bool) -> None:
    """Delete the per-account rows of the listed accounts (or every row)."""
    for model in (AccountTransition, AccountValuePoint):
        where = f" WHERE {accounts_in('account_id')}" if listed else ""
        _run(f"DELETE FROM {_table(model)}{where}")


__all__ = [
    "ACCOUNTS",
    "Dialect",
    "accounts_in",
    "delete_rows",
    "list_accounts",
    "row_months",
    "write_rows",
]
