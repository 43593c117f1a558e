"""Benchmark: the metric rollup over 100,000 step events.

    .venv/bin/python bench/rollup.py [--events N] [--accounts N] [--members N]

Runs on a fresh temporary SQLite database (the test settings, migrated here): a
journey of 5 steps, 50 members in 5 teams, 30,000 accounts (a third pooled) and
about 100,000 step events over 18 months with drop-off. Times a full rollup, an
incremental run with nothing changed, and an incremental run after 100 new events,
and counts the queries of each (the rollup is set-based: its query count depends on
journeys and months, not on accounts or events). A benchmark, not a test: see
bench/README.md for the last result.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=30_000)
    parser.add_argument("--members", type=int, default=50)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "bench.sqlite3"
        os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        run(args)


def run(args) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accounts.models import Role, RolePeriod, Team, TeamMembership, User
    from journeys.models import (
        Coverage,
        CoverageModel,
        CustomerAccount,
        Journey,
        Pool,
        Step,
        StepEvent,
    )
    from recognition.models import AccountTransition, MemberFigure
    from recognition.services.rollup import rollup

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(5)
    zone = timezone.get_current_timezone()
    member_role = __import__("django.contrib.auth.models").contrib.auth.models
    group = member_role.Group.objects.get(name=Role.MEMBER.value)
    teams = Team.objects.bulk_create(Team(name=f"Team {n}") for n in range(5))
    users = User.objects.bulk_create(
        User(username=f"member{n}", family_name=f"Member {n}")
        for n in range(args.members)
    )
    group.user_set.add(*users)
    # Members since always, as the role periods of migrated users are.
    RolePeriod.objects.bulk_create(
        RolePeriod(user=user, role=Role.MEMBER) for user in users
    )
    TeamMembership.objects.bulk_create(
        TeamMembership(user=user, team=teams[n % 5], start_date=date(2024, 1, 1))
        for n, user in enumerate(users)
    )
    pool = Pool.objects.create(name="SMB pool", kind=Pool.Kind.SEGMENT, team=teams[0])
    journey = Journey.objects.create(name="Bench journey")
    steps = Step.objects.bulk_create(
        Step(journey=journey, position=position, name=f"Step {position}")
        for position in range(1, 6)
    )
    accounts = CustomerAccount.objects.bulk_create(
        CustomerAccount(
            name=f"Customer {n}", external_id=f"CRM-{n:05d}", journey=journey
        )
        for n in range(args.accounts)
    )
    origin = datetime(2025, 1, 1, 9, 0, tzinfo=zone)
    Coverage.objects.bulk_create(
        Coverage(
            account=account, model=CoverageModel.POOLED, pool=pool, started_at=origin
        )
        if n % 3 == 0
        else Coverage(
            account=account,
            model=CoverageModel.DEDICATED,
            owner=users[n % len(users)],
            started_at=origin,
        )
        for n, account in enumerate(accounts)
    )
    now = datetime(2026, 7, 1, 12, tzinfo=zone)
    events, per_account = [], 5
    for n, account in enumerate(accounts):
        moment = origin + timedelta(days=rng.randrange(500), hours=rng.randrange(24))
        for position in range(min(per_account, 5)):
            if (position and rng.random() < 0.15) or moment > now:
                break
            events.append(
                StepEvent(
                    account=account,
                    step=steps[position],
                    reached_at=moment,
                    recorded_by=users[n % len(users)],
                    source=StepEvent.Source.IMPORT,
                )
            )
            moment += timedelta(days=rng.randrange(5, 120), minutes=rng.randrange(600))
    StepEvent.objects.bulk_create(events[: args.events], batch_size=5000)
    # Written long ago: an incremental run sees only what changes after the full one.
    StepEvent.objects.update(recorded_at=origin)
    Coverage.objects.update(updated_at=origin)
    TeamMembership.objects.update(updated_at=origin)
    print(
        f"Set up ({len(accounts):,} accounts, {StepEvent.objects.count():,} events, "
        f"{len(users)} members) in {time.perf_counter() - started:.1f} s "
        f"on SQLite {connection.Database.sqlite_version}."
    )

    def timed(label, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            begin = time.perf_counter()
            run = rollup(now=now, **kwargs)
            seconds = time.perf_counter() - begin
        print(
            f"{label}: {seconds:.1f} s, {len(queries)} queries, "
            f"{run.accounts:,} accounts, {len(run.months)} months."
        )

    timed("Full rollup", full=True)
    timed("Incremental, nothing changed")
    StepEvent.objects.bulk_create(
        StepEvent(
            account=accounts[n],
            step=steps[1],
            reached_at=now - timedelta(days=n % 30),
            source=StepEvent.Source.API,
        )
        for n in range(0, 100 * 7, 7)
    )
    timed("Incremental, 100 new events")
    print(
        f"Rows: {AccountTransition.objects.count():,} account transitions, "
        f"{MemberFigure.objects.count():,} member figures."
    )


if __name__ == "__main__":
    main()
