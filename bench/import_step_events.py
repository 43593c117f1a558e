"""Benchmark: import 100,000 step events from a CSV file, then import it again.

    .venv/bin/python bench/import_step_events.py [--events N] [--accounts N]
                                                  [--no-memory]

Runs on a fresh temporary SQLite database (the test settings, migrated here), with a
journey of 5 steps and 2,000 accounts. Prints the time and the peak memory of each
import (tracemalloc, which itself slows Python down; --no-memory times without it).
A benchmark, not a test: see bench/README.md for the last result.
"""

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--no-memory", action="store_true")
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
    from django.utils import timezone

    from accounts.models import User
    from journeys.imports import import_step_events
    from journeys.models import CustomerAccount, Journey, Step, StepEvent

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    # A superuser is an admin, who may import.
    admin = User.objects.create_user(username="bench-admin", is_superuser=True)
    journey = Journey.objects.create(name="Bench journey")
    Step.objects.bulk_create(
        Step(journey=journey, position=position, name=f"Step {position}")
        for position in range(1, 6)
    )
    CustomerAccount.objects.bulk_create(
        CustomerAccount(
            name=f"Customer {n}", external_id=f"CRM-{n:05d}", journey=journey
        )
        for n in range(args.accounts)
    )
    data = events_csv(args.events, args.accounts, timezone.get_current_timezone())
    print(
        f"Set up (migrate, {args.accounts:,} accounts, a CSV of {args.events:,} "
        f"events, {len(data) / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s "
        f"on SQLite {connection.Database.sqlite_version}."
    )

    for attempt in ("First import", "Same file again"):
        report, seconds, peak = timed(
            lambda: import_step_events(file=data, by=admin), memory=not args.no_memory
        )
        memory = f", peak memory {peak / 2**20:.0f} MiB" if peak is not None else ""
        print(f"{attempt}: {seconds:.1f} s{memory}. {report.summary()}")
        if report.rejected:
            print("\n".join(map(str, report.problems[:10])))
            sys.exit(1)
    print(f"Events in the database: {StepEvent.objects.count():,}.")


def events_csv(events: int, accounts: int, zone) -> bytes:
    """`events` events spread over the accounts: account n reaches steps 1..5 in
    turn, a day or so apart, from January 2024 (times without offset: TIME_ZONE)."""
    start = datetime(2024, 1, 1, 9, 0)
    lines = ["external_id,step,reached_at,note"]
    for n in range(events):
        account, visit = n % accounts, n // accounts
        reached_at = start + timedelta(days=visit, minutes=account)
        note = "CRM sync" if n % 10 == 0 else ""
        lines.append(
            f"CRM-{account:05d},{visit % 5 + 1},{reached_at:%Y-%m-%dT%H:%M:%S},{note}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def timed(function, *, memory: bool):
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, seconds, peak


if __name__ == "__main__":
    main()
