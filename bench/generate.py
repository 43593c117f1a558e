"""The benchmark data: a CS organisation of a given size, written in bulk SQL.

    generate("M")                     # into Django's default database, migrated
    add_day_of_events(fraction=0.005) # one more day of events, recorded now

Sizes (members, accounts, step events, months of history):

    S:  20 members,   2,000 accounts,    50,000 events, 12 months
    M: 200 members,  20,000 accounts,   500,000 events, 18 months
    L: 500 members, 100,000 accounts, 2,000,000 events, 24 months

What it holds (fixed seed, so every run builds the same data):
- two journeys: "onboarding" of 6 steps (windows 30–90 days, a value point with
  target_days, the journey window the sum of the step windows) and "tech touch" of
  5 steps (its own journey window of 100 days, a value point);
- teams of about 12 members with a manager leading each; members with Member role
  periods: most since always, some hired mid-history (their role starts then),
  some promoted to manager (their Member period ends, a Manager one starts, their
  accounts go to another member a week later); some members change team
  mid-history (one membership ends, the next starts the day after);
- pools (one per four teams, owned by a team) covering a quarter of the accounts;
  the events of pooled accounts are recorded by members of the pool's team (the
  credit goes to the recorder), an import (the admin) or the API (nobody);
- dedicated accounts with owner changes (a coverage period that ends and a new
  owner's that starts), and a few accounts moving between pooled and dedicated;
- per account a walk through the steps with drop-off at every step, skipped steps,
  later steps reached out of order, conversions exactly at the window's end (and
  one second after), first reaches around midnight of a month's first day in
  Asia/Tokyo, repeated events of a step (about 20–25 events per account in all, so
  that the first reach is what matters) and voided events (some of them first
  reaches, so that the next event becomes the first reach).

Users, teams, journeys, steps, pools, memberships and role periods (hundreds of
rows) go through the ORM; accounts, coverage and step events through COPY on
PostgreSQL and `executemany` of tuples in one transaction on SQLite.
"""

from __future__ import annotations

import io
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

DAY = 86_400


@dataclass(frozen=True)
class Size:
    members: int
    accounts: int
    events: int
    months: int


SIZES = {
    "S": Size(members=20, accounts=2_000, events=50_000, months=12),
    "M": Size(members=200, accounts=20_000, events=500_000, months=18),
    "L": Size(members=500, accounts=100_000, events=2_000_000, months=24),
}

# Journeys: (name, journey window or None, [(step window, value point target)]).
JOURNEYS = [
    (
        "Bench onboarding",
        None,
        [(30, None), (45, None), (60, None), (60, 120), (90, None), (90, None)],
    ),
    (
        "Bench tech touch",
        100,
        [(14, None), (30, None), (30, 45), (60, None), (90, None)],
    ),
]


@dataclass
class Generated:
    size: str
    now: datetime
    admin_id: int
    member_ids: list[int]
    journey_ids: list[int]
    accounts: int
    events: int
    seconds: float
    counts: dict = field(default_factory=dict)

    def summary(self) -> str:
        return (
            f"{self.size}: {len(self.member_ids)} members, {self.accounts:,} accounts, "
            f"{self.events:,} step events, generated in {self.seconds:.1f} s"
        )


# Writing rows in bulk -----------------------------------------------------------------


class _Writer:
    """Values and bulk inserts for the vendor of Django's default connection."""

    def __init__(self):
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self._days: dict[int, str] = {}

    def moment(self, seconds: float | None) -> str | None:
        """A UTC moment (epoch seconds, whole or with microseconds) as the column
        text: Django's SQLite format, or a PostgreSQL timestamptz literal."""
        if seconds is None:
            return None
        whole = int(seconds)
        day, rest = divmod(whole, DAY)
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = time.strftime("%Y-%m-%d", time.gmtime(day * DAY))
        hours, rest = divmod(rest, 3600)
        minutes, secs = divmod(rest, 60)
        text = f"{text} {hours:02d}:{minutes:02d}:{secs:02d}"
        micro = round((seconds - whole) * 1_000_000)
        if micro:
            text += f".{micro:06d}"
        return text + "+00" if self.postgres else text

    def boolean(self, value: bool):
        return ("t" if value else "f") if self.postgres else int(value)

    def insert(self, table: str, columns: list[str], rows) -> int:
        """Insert the rows (tuples of str, int or None) into the table: COPY on
        PostgreSQL, executemany on SQLite. Returns the number of rows."""
        names = ", ".join(f'"{name}"' for name in columns)
        count = 0
        if self.postgres:
            raw = self.connection.connection
            with (
                raw.cursor() as cursor,
                cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy,
            ):
                buffer = io.StringIO()
                for row in rows:
                    buffer.write(
                        "\t".join(
                            "\\N" if value is None else str(value) for value in row
                        )
                    )
                    buffer.write("\n")
                    count += 1
                    if buffer.tell() > 1 << 20:
                        copy.write(buffer.getvalue())
                        buffer = io.StringIO()
                copy.write(buffer.getvalue())
        else:
            marks = ", ".join("?" * len(columns))
            with self.connection.cursor() as cursor:
                batch = []
                for row in rows:
                    batch.append(row)
                    if len(batch) >= 50_000:
                        cursor.executemany(
                            f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch
                        )
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(
                        f'INSERT INTO "{table}" ({names}) VALUES ({marks})', batch
                    )
                    count += len(batch)
        return count

    def without_indexes_and_checks(self, table: str):
        """PostgreSQL, in the generator's transaction only: skip the foreign-key
        triggers (the generator writes consistent ids) and drop the table's
        secondary indexes, returning the statements that build them again."""
        if not self.postgres:
            return []
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            cursor.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i "
                "WHERE i.tablename = %s AND i.indexname NOT IN ("
                "  SELECT conname FROM pg_constraint"
                "  WHERE conrelid = %s::regclass)",
                [table, table],
            )
            found = cursor.fetchall()
            for name, _definition in found:
                cursor.execute(f'DROP INDEX "{name}"')
        return [definition for _name, definition in found]

    def run(self, statements: list[str]) -> None:
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)

    def next_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f'SELECT MAX(id) FROM "{table}"')
            return (cursor.fetchone()[0] or 0) + 1

    def reset_sequence(self, table: str) -> None:
        """After explicit ids: the next id the database gives (PostgreSQL; SQLite's
        AUTOINCREMENT follows the largest id inserted by itself)."""
        if not self.postgres:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                f'COALESCE((SELECT MAX(id) FROM "{table}"), 1))'
            )

    def analyze(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE")


class _SqliteFast:
    """PRAGMA synchronous=OFF while generating (SQLite only), restored after."""

    def __init__(self, writer: _Writer):
        self.writer = writer
        self.previous = None

    def __enter__(self):
        if not self.writer.postgres:
            with self.writer.connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                self.previous = cursor.fetchone()[0]
                cursor.execute("PRAGMA synchronous=OFF")
        return self

    def __exit__(self, *exc):
        if self.previous is not None:
            with self.writer.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={int(self.previous)}")


# The organisation -------------------------------------------------------------------


@dataclass
class _Person:
    id: int
    team: int  # index of the team at the start
    member_from: float | None = None  # hired mid-history: epoch seconds
    member_until: float | None = None  # promoted to manager: epoch seconds
    moves_at: date | None = None  # last day in the first team
    new_team: int | None = None


# The step-event columns the generator and the runner's direct load write, in the
# order of their rows.
EVENT_COLUMNS = [
    "reached_at",
    "recorded_at",
    "source",
    "note",
    "voided_at",
    "void_reason",
    "account_id",
    "recorded_by_id",
    "step_id",
    "voided_by_id",
]


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def _people(size: Size, rng: random.Random, origin: float, now: float):
    """Users, teams, managers, role periods and team memberships (ORM)."""
    from django.contrib.auth.models import Group

    from accounts.models import Role, RolePeriod, Team, TeamMembership, User

    groups = {group.name: group for group in Group.objects.all()}
    admin = User(
        username="bench-admin",
        family_name="Admin",
        is_superuser=True,
        is_staff=True,
    )
    admin.set_unusable_password()
    admin.save()
    groups[Role.ADMIN.value].user_set.add(admin)
    RolePeriod.objects.create(user=admin, role=Role.ADMIN)
    team_count = max(1, math.ceil(size.members / 12))
    managers = User.objects.bulk_create(
        User(
            username=f"manager{n:03d}",
            family_name="Manager",
            given_name=f"{n:03d}",
            password="!",
        )
        for n in range(team_count)
    )
    teams = Team.objects.bulk_create(
        Team(name=f"Team {n:03d}", leader=managers[n]) for n in range(team_count)
    )
    users = User.objects.bulk_create(
        User(
            username=f"member{n:04d}",
            family_name="Member",
            given_name=f"{n:04d}",
            password="!",
        )
        for n in range(size.members)
    )
    span = now - origin
    people = []
    for n, user in enumerate(users):
        person = _Person(id=user.pk, team=min(n // 12, team_count - 1))
        # One in twelve hired mid-history, one in twelve promoted to manager, one
        # in ten moving to another team (so that every size has each case).
        if n % 12 == 7:
            person.member_from = int(origin + rng.uniform(0.1, 0.6) * span)
        elif n % 12 == 5:
            person.member_until = int(origin + rng.uniform(0.3, 0.8) * span)
        if team_count > 1 and n % 10 == 3:
            moves = origin + rng.uniform(0.2, 0.8) * span
            person.moves_at = datetime.fromtimestamp(moves, UTC).date()
            person.new_team = (person.team + 1 + rng.randrange(team_count - 1)) % (
                team_count
            )
        people.append(person)

    def at(seconds):
        return datetime.fromtimestamp(seconds, UTC) if seconds is not None else None

    periods = [RolePeriod(user=m, role=Role.MANAGER) for m in managers]
    memberships = []
    start_day = datetime.fromtimestamp(origin - 60 * DAY, UTC).date()
    for n, manager in enumerate(managers):
        memberships.append(
            TeamMembership(user=manager, team=teams[n], start_date=start_day)
        )
    member_group, manager_group = groups[Role.MEMBER.value], groups[Role.MANAGER.value]
    member_group.user_set.add(*[p.id for p in people if p.member_until is None])
    manager_group.user_set.add(
        *managers, *[p.id for p in people if p.member_until is not None]
    )
    for person in people:
        periods.append(
            RolePeriod(
                user_id=person.id,
                role=Role.MEMBER,
                started_at=at(person.member_from),
                ended_at=at(person.member_until),
            )
        )
        if person.member_until is not None:
            periods.append(
                RolePeriod(
                    user_id=person.id,
                    role=Role.MANAGER,
                    started_at=at(person.member_until),
                )
            )
        first_day = (
            datetime.fromtimestamp(person.member_from, UTC).date()
            if person.member_from
            else start_day
        )
        if person.moves_at is not None and person.moves_at <= first_day:
            person.moves_at = person.new_team = None
        memberships.append(
            TeamMembership(
                user_id=person.id,
                team=teams[person.team],
                start_date=first_day,
                end_date=person.moves_at,
            )
        )
        if person.moves_at is not None:
            memberships.append(
                TeamMembership(
                    user_id=person.id,
                    team=teams[person.new_team],
                    start_date=person.moves_at + timedelta(days=1),
                )
            )
    RolePeriod.objects.bulk_create(periods)
    TeamMembership.objects.bulk_create(memberships)
    # Written long ago: an incremental run sees only what changes after the full one.
    TeamMembership.objects.update(updated_at=at(origin))
    return admin, managers, teams, people


def _journeys():
    from journeys.models import Journey, Step

    built = []
    for name, window, steps in JOURNEYS:
        journey = Journey.objects.create(
            name=name, conversion_window_days=window, coverage_models=""
        )
        rows = Step.objects.bulk_create(
            Step(
                journey=journey,
                position=position,
                name=f"{name} step {position}",
                conversion_window_days=step_window,
                is_value_point=target is not None,
                target_days=target,
            )
            for position, (step_window, target) in enumerate(steps, start=1)
        )
        built.append((journey, rows))
    return built


# Accounts, coverage and events --------------------------------------------------------


@dataclass
class _Account:
    id: int
    journey: int  # index in JOURNEYS
    # Coverage periods: (start, end or None, owner person index or None, pool index)
    periods: list = field(default_factory=list)
    pooled: bool = False
    reaches: list = field(default_factory=list)  # (position, seconds)


def _month_boundaries(origin: float, now: float) -> list[float]:
    """The first instants of the months in Asia/Tokyo (UTC+9, no DST) in range."""
    found = []
    first = datetime.fromtimestamp(origin + 9 * 3600, UTC).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    while True:
        month = first.month + 1
        first = first.replace(
            year=first.year + (month > 12), month=(month - 1) % 12 + 1
        )
        moment = first.timestamp() - 9 * 3600
        if moment >= now:
            return found
        found.append(moment)


def _coverage(account, rng, people, pools, origin, end):
    """Dedicated (75 %) or pooled, with owner changes, model changes and the
    hand-over of a promoted member's accounts a week after the promotion."""
    start = origin - 30 * DAY
    members = len(people)
    pooled = account.journey == 1 and rng.random() < 0.7
    account.pooled = pooled
    owner = rng.randrange(members)
    pool = rng.randrange(len(pools))
    periods = []
    current = (start, None if pooled else owner, pool if pooled else None)
    change = rng.random()
    if change < 0.20 and not pooled:
        at = rng.uniform(origin, end)
        periods.append((current[0], at, current[1], None))
        current = (at, rng.randrange(members), None)
    elif change < 0.25:
        at = rng.uniform(origin, end)
        periods.append((current[0], at, current[1], current[2]))
        current = (
            (at, None, rng.randrange(len(pools)))
            if not pooled
            else (
                at,
                rng.randrange(members),
                None,
            )
        )
    periods.append((current[0], None, current[1], current[2]))
    # A promoted member's open accounts go to another member a week later.
    last = periods[-1]
    if last[2] is not None and people[last[2]].member_until is not None:
        handover = people[last[2]].member_until + 7 * DAY
        if handover > last[0] and handover < end:
            periods[-1] = (last[0], handover, last[2], None)
            periods.append((handover, None, (last[2] + 1) % members, None))
    account.periods = periods


def _walk(account, rng, windows, origin, end, boundaries):
    """First reaches of the steps: a walk with drop-off, skips, out-of-order
    reaches and conversions at the window's end."""
    steps = len(windows) + 1
    if rng.random() < 0.03 and boundaries:
        # Around midnight of a month's first day in Asia/Tokyo.
        at = rng.choice(boundaries) + rng.uniform(-3600, 3600)
    else:
        at = rng.uniform(origin, end)
    if at >= end:
        at = end - rng.uniform(DAY, 30 * DAY)
    reaches = [(1, at)]
    position = 1
    while position < steps:
        if rng.random() < 0.22:  # drop-off
            break
        window = windows[position - 1] * DAY
        draw = rng.random()
        if draw < 0.02:
            gap = window  # exactly at the window's end: converted
        elif draw < 0.03:
            gap = window + 1  # a second after: not converted
        elif draw < 0.18:
            gap = rng.uniform(window, window * 2.5)  # too late
        else:
            gap = rng.uniform(600, window)
        following = position + 1
        if following < steps and rng.random() < 0.10:
            following += 1  # a skipped step
        at = at + gap
        if at >= end:
            break
        reaches.append((following, at))
        position = following
    if len(reaches) >= 3 and rng.random() < 0.04:
        # The last step recorded before the one before it (out of order).
        (p1, t1), (p2, t2) = reaches[-2], reaches[-1]
        reaches[-2], reaches[-1] = (p1, t2), (p2, t1 - rng.uniform(60, 5 * DAY))
    account.reaches = reaches


def _recorder(account, at, rng, people, pool_members, managers, admin_id):
    """Who recorded an event at `at`: the owner (or a member of the pool's team),
    a manager, an import (the admin) or the API (nobody)."""
    draw = rng.random()
    if draw < 0.12:
        return admin_id, "import"
    if draw < 0.20:
        return None, "api"
    if draw < 0.23:
        return rng.choice(managers), "ui"
    for start, finish, owner, pool in account.periods:
        if start <= at and (finish is None or at < finish):
            if owner is not None:
                return people[owner].id, "ui"
            return rng.choice(pool_members[pool]), "ui"
    return rng.choice(people).id, "ui"


def generate(size: str, *, seed: int = 12, now: datetime | None = None) -> Generated:
    """Fill Django's default database (migrated, empty) with the data of a size."""
    from django.db import transaction

    from journeys.models import Pool
    from journeys.progress import refresh_progress

    began = time.perf_counter()
    spec = SIZES[size]
    rng = random.Random(seed)
    writer = _Writer()
    now_dt = (now or datetime.now(UTC)).replace(microsecond=0)
    now_s = _epoch(now_dt)
    origin = now_s - spec.months * 30.44 * DAY
    # Events stop two days before now: "a day of events" later never collides.
    end = now_s - 2 * DAY
    with _SqliteFast(writer), transaction.atomic():
        indexes = writer.without_indexes_and_checks("journeys_stepevent")
        admin, managers, teams, people = _people(spec, rng, origin, now_s)
        journeys = _journeys()
        pool_count = max(1, math.ceil(len(teams) / 4))
        pools = Pool.objects.bulk_create(
            Pool(name=f"Pool {n:02d}", kind=Pool.Kind.SEGMENT, team=teams[n * 4])
            for n in range(pool_count)
        )
        team_members = [[] for _ in teams]
        for person in people:
            team_members[person.team].append(person.id)
        pool_members = [
            team_members[n * 4] or [people[0].id] for n in range(pool_count)
        ]
        manager_ids = [m.pk for m in managers]
        boundaries = _month_boundaries(origin, end)

        # Accounts and their coverage.
        first_account = writer.next_id("journeys_customeraccount")
        accounts = []
        for n in range(spec.accounts):
            journey = 1 if n % 4 == 0 or rng.random() < 0.15 else 0
            account = _Account(id=first_account + n, journey=journey)
            _coverage(account, rng, people, pools, origin, end)
            windows = [w for w, _t in JOURNEYS[journey][2][:-1]]
            _walk(account, rng, windows, origin, end, boundaries)
            accounts.append(account)
        origin_text = writer.moment(origin)
        writer.insert(
            "journeys_customeraccount",
            [
                "id",
                "name",
                "external_id",
                "segment",
                "arr",
                "is_active",
                "created_at",
                "journey_id",
            ],
            (
                (
                    a.id,
                    f"Customer {a.id}",
                    f"BENCH-{a.id:06d}",
                    "SMB" if a.pooled else "Enterprise",
                    None,
                    writer.boolean(True),
                    origin_text,
                    journeys[a.journey][0].pk,
                )
                for a in accounts
            ),
        )
        false = writer.boolean(False)
        coverage_rows = writer.insert(
            "journeys_coverage",
            [
                "model",
                "started_at",
                "ended_at",
                "owner_not_ready_confirmed",
                "assigned_by_id",
                "owner_id",
                "account_id",
                "pool_id",
                "updated_at",
            ],
            (
                (
                    "dedicated" if owner is not None else "pooled",
                    writer.moment(start),
                    writer.moment(finish),
                    false,
                    None,
                    people[owner].id if owner is not None else None,
                    a.id,
                    pools[pool].pk if pool is not None else None,
                    origin_text,
                )
                for a in accounts
                for start, finish, owner, pool in a.periods
            ),
        )

        # Step events: the first reaches, then repeats up to the size's count.
        skeleton = sum(len(a.reaches) for a in accounts)
        extra = max(0, spec.events - skeleton)
        repeats = Counter(rng.choices(range(len(accounts)), k=extra))
        step_ids = [[s.pk for s in steps] for _j, steps in journeys]

        def events():
            for index, account in enumerate(accounts):
                steps = step_ids[account.journey]
                taken = set()
                rows = []
                for position, at in account.reaches:
                    rows.append((position, at, False))
                    if rng.random() < 0.02:
                        # A first reach recorded in error and voided: the next
                        # event of the step (a day later) is the first reach.
                        rows.append((position, at - rng.uniform(DAY, 10 * DAY), True))
                for _ in range(repeats.get(index, 0)):
                    position, first = rng.choice(account.reaches)
                    if rng.random() < 0.05:
                        at = first - rng.uniform(60, 3 * DAY)  # earlier than thought
                    else:
                        at = first + rng.uniform(60, 200 * DAY)
                    rows.append((position, min(at, end), rng.random() < 0.02))
                for position, at, void in rows:
                    at = float(int(at))
                    if not void:
                        while (position, at) in taken:
                            at += 1
                        taken.add((position, at))
                    recorder, source = _recorder(
                        account, at, rng, people, pool_members, manager_ids, admin.pk
                    )
                    text = writer.moment(at)
                    yield (
                        text,
                        text,
                        source,
                        "",
                        writer.moment(min(at + DAY, end)) if void else None,
                        "Recorded in error" if void else "",
                        account.id,
                        recorder,
                        steps[position - 1],
                        admin.pk if void else None,
                    )

        event_count = writer.insert(
            "journeys_stepevent",
            EVENT_COLUMNS,
            events(),
        )
        writer.run(indexes)
        for table in (
            "journeys_customeraccount",
            "journeys_coverage",
            "journeys_stepevent",
        ):
            writer.reset_sequence(table)
        # Where each account stands, as the app keeps it (journeys.progress).
        refresh_progress()
    writer.analyze()
    return Generated(
        size=size,
        now=now_dt,
        admin_id=admin.pk,
        member_ids=[p.id for p in people],
        journey_ids=[j.pk for j, _s in journeys],
        accounts=len(accounts),
        events=event_count,
        seconds=time.perf_counter() - began,
        counts={"coverage": coverage_rows, "first reaches (planned)": skeleton},
    )


def add_day_of_events(*, fraction: float = 0.005, seed: int = 99) -> int:
    """One more day of step events (`fraction` of the events there), reached in the
    last 24 hours and recorded now, on random accounts: the next step of the ones
    they reached, or a repeat. Written in bulk like `generate`. Returns the count."""
    from django.db import connection, transaction

    from journeys.models import StepEvent
    from journeys.progress import advance_progress

    rng = random.Random(seed)
    writer = _Writer()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM journeys_stepevent")
        total = cursor.fetchone()[0]
        cursor.execute(
            "SELECT a.id, s.position, s.id FROM journeys_customeraccount a "
            "JOIN journeys_step s ON s.journey_id = a.journey_id "
            "WHERE s.position IS NOT NULL ORDER BY a.id, s.position"
        )
        steps_of = {}
        for account_id, _position, step_id in cursor.fetchall():
            steps_of.setdefault(account_id, []).append(step_id)
        cursor.execute(
            "SELECT account_id, owner_id FROM journeys_coverage "
            "WHERE ended_at IS NULL AND owner_id IS NOT NULL"
        )
        owners = dict(cursor.fetchall())
        cursor.execute(
            "SELECT e.account_id, MAX(s.position) FROM journeys_stepevent e "
            "JOIN journeys_step s ON s.id = e.step_id "
            "WHERE e.voided_at IS NULL GROUP BY e.account_id"
        )
        reached = dict(cursor.fetchall())
        cursor.execute(
            "SELECT user_id FROM accounts_roleperiod "
            "WHERE role = 'Member' AND ended_at IS NULL"
        )
        members = [row[0] for row in cursor.fetchall()]
    count = max(1, round(total * fraction))
    account_ids = sorted(steps_of)
    now = time.time()
    recorded = writer.moment(now)
    rows, taken = [], set()
    while len(rows) < count:
        account = rng.choice(account_ids)
        steps = steps_of[account]
        position = reached.get(account, 0)
        if position < len(steps) and rng.random() < 0.7:
            position += 1
        position = max(position, 1)
        # Microseconds: never the same moment as another event of the step.
        at = now - rng.uniform(1, DAY)
        if (account, position, at) in taken:
            continue
        taken.add((account, position, at))
        owner = owners.get(account)
        recorder = owner if owner is not None else rng.choice(members)
        rows.append(
            (
                writer.moment(at),
                recorded,
                "api",
                "",
                None,
                "",
                account,
                recorder,
                steps[position - 1],
                None,
            )
        )
    with transaction.atomic():
        inserted = writer.insert(
            "journeys_stepevent",
            EVENT_COLUMNS,
            rows,
        )
        # Recorded now: the accounts move on as an import moves them.
        advance_progress(
            StepEvent.objects.filter(
                recorded_at__gte=datetime.fromtimestamp(now - 1, UTC)
            )
        )
    return inserted


def age_recorded_events(*, seconds: float = 3600) -> int:
    """Move back by `seconds` the moment the events recorded in the last `seconds`
    were recorded (those of `add_day_of_events`): as if the runs that saw them had
    been an hour apart, as the beat runs them, not seconds. An incremental run
    looks back a margin before the last run's start (WATERMARK_MARGIN, ten
    minutes), so runs seconds apart would each see the earlier days' events again.
    Returns the number of events moved."""
    from django.db import connection, transaction

    writer = _Writer()
    now = time.time()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE journeys_stepevent SET recorded_at = %s WHERE recorded_at > %s",
            [writer.moment(now - seconds), writer.moment(now - seconds)],
        )
        return cursor.rowcount
