"""The baseline: "the database alone". One hand-written SQL query per database that
computes, from the raw tables only, every member's monthly step conversion, journey
conversion and median days to convert, the figures Kata's rollup writes as
MemberFigure rows (shared/METRICS.md):

- first reach: an account's earliest non-void event of a current step of its
  journey (non-void events of an account, step and moment are unique, so there
  are no ties);
- credit: the dedicated owner at the first reach (coverage start ≤ t < end) if they
  held the Member role then (role period start ≤ t < end), else, with no owner, the
  recorder of that event if they held the Member role then, else no member;
- converted: the first reach of some later step falls at or after the first reach
  and no later than the window's end (window days × 24 hours, end included); the
  journey: the last step's first reach within the journey's window (its own, else
  the sum of the windows of steps 1..n−1);
- cohort month and days to convert: calendar months and days in TIME_ZONE; the
  median is the mean of the two middle values.

First reaches by DISTINCT ON (PostgreSQL) or MIN() with its row's columns
(SQLite), conversions by joining the first reaches to themselves, coverage and role
periods joined on the moment, the median by `percentile_cont` (PostgreSQL) or
ROW_NUMBER() (SQLite). Only the member figures are computed (the ones compared);
Kata also writes the team and pool figures, the per-account rows and the other
metrics in the same run.

`check_equal()` compares the query's output with the MemberFigure rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

POSTGRES = """
WITH steps AS (
    SELECT s.id, s.journey_id, s.position, s.conversion_window_days AS window_days,
           MAX(s.position) OVER journey AS last_position,
           COALESCE(
               j.conversion_window_days,
               SUM(s.conversion_window_days) OVER journey
               - FIRST_VALUE(s.conversion_window_days) OVER (
                   PARTITION BY s.journey_id ORDER BY s.position DESC)
           ) AS journey_window
    FROM journeys_step s JOIN journeys_journey j ON j.id = s.journey_id
    WHERE s.position IS NOT NULL
    WINDOW journey AS (PARTITION BY s.journey_id)
),
first_reach AS MATERIALIZED (
    SELECT DISTINCT ON (e.account_id, e.step_id)
           e.account_id, e.step_id, e.reached_at, e.recorded_by_id,
           st.position, st.journey_id, st.window_days, st.last_position,
           st.journey_window
    FROM journeys_stepevent e
    JOIN steps st ON st.id = e.step_id
    JOIN journeys_customeraccount a
        ON a.id = e.account_id AND a.journey_id = st.journey_id
    WHERE e.voided_at IS NULL
    ORDER BY e.account_id, e.step_id, e.reached_at, e.id
),
credited AS (
    SELECT f.*,
           CASE WHEN c.owner_id IS NOT NULL THEN owner_role.user_id
                ELSE recorder_role.user_id END AS member_id
    FROM first_reach f
    LEFT JOIN journeys_coverage c
        ON c.account_id = f.account_id AND c.started_at <= f.reached_at
        AND (c.ended_at IS NULL OR c.ended_at > f.reached_at)
    LEFT JOIN accounts_roleperiod owner_role
        ON owner_role.user_id = c.owner_id AND owner_role.role = 'Member'
        AND (owner_role.started_at IS NULL OR owner_role.started_at <= f.reached_at)
        AND (owner_role.ended_at IS NULL OR owner_role.ended_at > f.reached_at)
    LEFT JOIN accounts_roleperiod recorder_role
        ON recorder_role.user_id = f.recorded_by_id AND recorder_role.role = 'Member'
        AND (recorder_role.started_at IS NULL
             OR recorder_role.started_at <= f.reached_at)
        AND (recorder_role.ended_at IS NULL OR recorder_role.ended_at > f.reached_at)
    WHERE f.position < f.last_position
),
converted AS (
    SELECT f.member_id, f.step_id, f.journey_id, f.position, f.reached_at,
           f.window_days, f.journey_window, f.last_position,
           MIN(g.reached_at) AS next_at,
           MIN(g.reached_at) FILTER (WHERE g.position = f.last_position) AS last_at
    FROM credited f
    LEFT JOIN first_reach g
        ON g.account_id = f.account_id AND g.position > f.position
        AND g.reached_at >= f.reached_at
    WHERE f.member_id IS NOT NULL
    GROUP BY f.member_id, f.account_id, f.step_id, f.journey_id, f.position,
             f.reached_at, f.window_days, f.journey_window, f.last_position
),
transitions AS (
    SELECT member_id, step_id, journey_id, position,
           date_trunc('month', reached_at AT TIME ZONE %(zone)s)::date AS month,
           next_at IS NOT NULL
               AND next_at <= reached_at + window_days * INTERVAL '24 hours'
               AS step_converted,
           (next_at AT TIME ZONE %(zone)s)::date
               - (reached_at AT TIME ZONE %(zone)s)::date AS days,
           last_at IS NOT NULL
               AND last_at <= reached_at + journey_window * INTERVAL '24 hours'
               AS journey_converted
    FROM converted
)
SELECT member_id, month, 'step_conversion:' || step_id,
       COUNT(*) FILTER (WHERE step_converted), COUNT(*), NULL::float
FROM transitions GROUP BY member_id, month, step_id
UNION ALL
SELECT member_id, month, 'journey_conversion:' || journey_id,
       COUNT(*) FILTER (WHERE journey_converted), COUNT(*), NULL
FROM transitions WHERE position = 1 GROUP BY member_id, month, journey_id
UNION ALL
SELECT member_id, month, 'days_to_convert:' || step_id, NULL, COUNT(*),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY days)
FROM transitions WHERE step_converted GROUP BY member_id, month, step_id
"""

# Times are text in Django's SQLite format ("YYYY-MM-DD HH:MM:SS[.ffffff]", UTC):
# they compare as text; a window's end is the date part plus N days followed by the
# same time of day (N × 24 hours in UTC); local dates and months shift by the
# zone's fixed offset (checked by `_fixed_offset`).
SQLITE = """
WITH steps AS (
    SELECT s.id, s.journey_id, s.position, s.conversion_window_days AS window_days,
           MAX(s.position) OVER journey AS last_position,
           COALESCE(
               j.conversion_window_days,
               SUM(s.conversion_window_days) OVER journey
               - FIRST_VALUE(s.conversion_window_days) OVER (
                   PARTITION BY s.journey_id ORDER BY s.position DESC)
           ) AS journey_window
    FROM journeys_step s JOIN journeys_journey j ON j.id = s.journey_id
    WHERE s.position IS NOT NULL
    WINDOW journey AS (PARTITION BY s.journey_id)
),
earliest AS MATERIALIZED (
    -- SQLite takes the bare columns of the row holding the MIN().
    SELECT e.account_id, e.step_id, MIN(e.reached_at) AS reached_at,
           e.recorded_by_id
    FROM journeys_stepevent e
    WHERE e.voided_at IS NULL
    GROUP BY e.account_id, e.step_id
),
first_reach AS MATERIALIZED (
    SELECT f.account_id, f.step_id, f.reached_at, f.recorded_by_id,
           st.position, st.journey_id, st.window_days, st.last_position,
           st.journey_window
    FROM earliest f
    JOIN steps st ON st.id = f.step_id
    JOIN journeys_customeraccount a
        ON a.id = f.account_id AND a.journey_id = st.journey_id
),
credited AS (
    SELECT f.*,
           CASE WHEN c.owner_id IS NOT NULL THEN owner_role.user_id
                ELSE recorder_role.user_id END AS member_id
    FROM first_reach f
    LEFT JOIN journeys_coverage c
        ON c.account_id = f.account_id AND c.started_at <= f.reached_at
        AND (c.ended_at IS NULL OR c.ended_at > f.reached_at)
    LEFT JOIN accounts_roleperiod owner_role
        ON owner_role.user_id = c.owner_id AND owner_role.role = 'Member'
        AND (owner_role.started_at IS NULL OR owner_role.started_at <= f.reached_at)
        AND (owner_role.ended_at IS NULL OR owner_role.ended_at > f.reached_at)
    LEFT JOIN accounts_roleperiod recorder_role
        ON recorder_role.user_id = f.recorded_by_id AND recorder_role.role = 'Member'
        AND (recorder_role.started_at IS NULL
             OR recorder_role.started_at <= f.reached_at)
        AND (recorder_role.ended_at IS NULL OR recorder_role.ended_at > f.reached_at)
    WHERE f.position < f.last_position
),
converted AS (
    SELECT f.member_id, f.step_id, f.journey_id, f.position, f.reached_at,
           f.window_days, f.journey_window,
           MIN(CASE WHEN gs.id IS NOT NULL THEN g.reached_at END) AS next_at,
           MIN(CASE WHEN gs.position = f.last_position THEN g.reached_at END) AS last_at
    FROM credited f
    -- The first reaches of later steps, found through the events' index (SQLite
    -- would scan a materialised table of first reaches for every row).
    LEFT JOIN journeys_stepevent g
        ON g.account_id = f.account_id AND g.voided_at IS NULL
        AND g.reached_at >= f.reached_at
        AND NOT EXISTS (
            SELECT 1 FROM journeys_stepevent h
            WHERE h.account_id = g.account_id AND h.step_id = g.step_id
            AND h.voided_at IS NULL AND h.reached_at < g.reached_at)
    LEFT JOIN steps gs
        ON gs.id = g.step_id AND gs.journey_id = f.journey_id
        AND gs.position > f.position
    WHERE f.member_id IS NOT NULL
    GROUP BY f.account_id, f.step_id
),
transitions AS MATERIALIZED (
    SELECT member_id, step_id, journey_id, position,
           strftime('%Y-%m-01', substr(reached_at, 1, 19), :offset) AS month,
           next_at IS NOT NULL AND next_at <=
               date(substr(reached_at, 1, 10), '+' || window_days || ' days')
               || substr(reached_at, 11) AS step_converted,
           CAST(julianday(date(substr(next_at, 1, 19), :offset))
                - julianday(date(substr(reached_at, 1, 19), :offset)) AS INTEGER)
               AS days,
           last_at IS NOT NULL AND last_at <=
               date(substr(reached_at, 1, 10), '+' || journey_window || ' days')
               || substr(reached_at, 11) AS journey_converted
    FROM converted
),
ranked AS (
    SELECT member_id, month, step_id, days,
           ROW_NUMBER() OVER (part ORDER BY days) AS rank,
           COUNT(*) OVER part AS size
    FROM transitions WHERE step_converted
    WINDOW part AS (PARTITION BY member_id, month, step_id)
)
SELECT member_id, month, 'step_conversion:' || step_id,
       SUM(step_converted), COUNT(*), NULL
FROM transitions GROUP BY member_id, month, step_id
UNION ALL
SELECT member_id, month, 'journey_conversion:' || journey_id,
       SUM(journey_converted), COUNT(*), NULL
FROM transitions WHERE position = 1 GROUP BY member_id, month, journey_id
UNION ALL
SELECT member_id, month, 'days_to_convert:' || step_id, NULL, MAX(size),
       AVG(days)
FROM ranked WHERE rank IN ((size + 1) / 2, (size + 2) / 2)
GROUP BY member_id, month, step_id
"""


def _fixed_offset(zone: ZoneInfo) -> timedelta:
    """The zone's UTC offset, checked to be the same over the years of the data
    (true of Asia/Tokyo); SQLite shifts by it."""
    offsets = {
        zone.utcoffset(datetime(year, month, 1))
        for year in range(2000, 2041)
        for month in (1, 7)
    }
    if len(offsets) != 1:
        raise RuntimeError(
            f"The SQLite baseline needs a zone with a fixed offset; {zone} has "
            f"{len(offsets)}."
        )
    return offsets.pop()


def query() -> tuple[str, dict]:
    """The SQL and its parameters for Django's default connection."""
    from django.conf import settings
    from django.db import connection

    if connection.vendor == "postgresql":
        return POSTGRES, {"zone": settings.TIME_ZONE}
    offset = _fixed_offset(ZoneInfo(settings.TIME_ZONE))
    minutes = int(offset.total_seconds() // 60)
    return SQLITE, {"offset": f"{minutes:+d} minutes"}


Key = tuple[int, date, str]


def figures() -> dict[Key, tuple]:
    """Run the baseline: (member id, month, metric) → (numerator, denominator,
    value)."""
    from django.db import connection

    sql, params = query()
    # The driver's own cursor: the SQL holds strftime's % signs (SQLite) and named
    # parameters in the driver's style.
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    found = {}
    for member_id, month, metric, numerator, denominator, value in rows:
        if isinstance(month, str):
            month = date.fromisoformat(month)
        if numerator is not None:
            value = numerator / denominator
        found[(member_id, month, metric)] = (
            int(numerator) if numerator is not None else None,
            int(denominator),
            float(value),
        )
    return found


FAMILIES = ("step_conversion:", "journey_conversion:", "days_to_convert:")


def kata_figures() -> dict[Key, tuple]:
    """The same figures from Kata's MemberFigure rows."""
    from django.db.models import Q

    from recognition.models import MemberFigure

    wanted = Q()
    for family in FAMILIES:
        wanted |= Q(metric__startswith=family)
    return {
        (member_id, month, metric): (numerator, denominator, value)
        for member_id, month, metric, numerator, denominator, value in (
            MemberFigure.objects.filter(wanted).values_list(
                "member_id", "month", "metric", "numerator", "denominator", "value"
            )
        )
    }


@dataclass
class Comparison:
    compared: int
    differences: list[str] = field(default_factory=list)
    missing_in_kata: int = 0
    missing_in_baseline: int = 0

    @property
    def equal(self) -> bool:
        return not self.differences

    def describe(self, limit: int = 20) -> str:
        if self.equal:
            return f"equal on {self.compared:,} figures"
        lines = [
            f"{len(self.differences):,} differences over {self.compared:,} figures "
            f"({self.missing_in_kata} only in the baseline, "
            f"{self.missing_in_baseline} only in Kata):"
        ]
        lines += self.differences[:limit]
        return "\n".join(lines)


def compare(baseline: dict[Key, tuple], kata: dict[Key, tuple]) -> Comparison:
    result = Comparison(compared=len(baseline.keys() | kata.keys()))
    for key in sorted(baseline.keys() | kata.keys(), key=str):
        ours, theirs = baseline.get(key), kata.get(key)
        label = f"member {key[0]}, {key[1]:%Y-%m}, {key[2]}"
        if theirs is None:
            result.missing_in_kata += 1
            result.differences.append(f"{label}: baseline {ours}, Kata has no figure")
        elif ours is None:
            result.missing_in_baseline += 1
            result.differences.append(f"{label}: Kata {theirs}, baseline has none")
        elif (
            ours[0] != theirs[0]
            or ours[1] != theirs[1]
            or abs(ours[2] - (theirs[2] if theirs[2] is not None else -1)) > 1e-9
        ):
            result.differences.append(f"{label}: baseline {ours}, Kata {theirs}")
    return result


def check_equal(baseline: dict[Key, tuple] | None = None) -> Comparison:
    """Compare the baseline's figures (run now unless given) with MemberFigure."""
    return compare(baseline if baseline is not None else figures(), kata_figures())
