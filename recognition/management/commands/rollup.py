"""manage.py rollup [--full] [--since YYYY-MM]"""

import re
from datetime import date

from django.core.management.base import BaseCommand, CommandError

from recognition.services.rollup import rollup


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

    def handle(self, *args, full: bool, since: str | None, **options):
        run = rollup(full=full, since=_month(since) if since else None)
        kind = "full" if run.full else "incremental"
        months = ", ".join(run.months) or "none"
        self.stdout.write(
            f"Rollup ({kind}): {run.accounts} accounts, months: {months}."
        )
