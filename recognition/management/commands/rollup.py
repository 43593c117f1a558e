"""manage.py rollup [--full [--shards]] [--since YYYY-MM]"""

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from recognition.services.rollup import RollupBusy, rollup, rollup_sharded


def _month(value: str) -> date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if not match or not 1 <= int(match[2]) <= 12:
        raise CommandError(f"--since takes a month as YYYY-MM, not “{value}”.")
    return date(int(match[1]), int(match[2]), 1)


class Command(BaseCommand):
    help = (
        "Compute the metric rollups: incrementally (what changed since the last run, "
        "and provisional months), in full with --full, or every month from --since."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="Recompute every account and month."
        )
        parser.add_argument(
            "--since", metavar="YYYY-MM", help="Recompute every month from this one."
        )
        parser.add_argument(
            "--shards",
            action="store_true",
            help="With --full: split the run into shards for the Celery workers "
            "(ROLLUP_SHARDS_PER_JOURNEY per journey) and wait for them.",
        )

    def handle(self, *args, full: bool, since: str | None, shards: bool, **options):
        if shards and (not full or since):
            raise CommandError("--shards goes with --full (and without --since).")
        try:
            if shards:
                run = rollup_sharded(full=True)
            else:
                run = rollup(full=full, since=_month(since) if since else None)
        except RollupBusy as busy:
            raise CommandError(str(busy)) from busy
        if run is None:
            raise CommandError("The sharded run lost its lease before it ended.")
        kind = "full" if run.full else "incremental"
        months = ", ".join(run.months) or "none"
        self.stdout.write(
            f"Rollup ({kind}): {run.accounts} accounts, months: {months}."
        )
