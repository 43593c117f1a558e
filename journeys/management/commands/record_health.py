"""manage.py record_health [--day YYYY-MM-DD]"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from journeys.health import record_health


class Command(BaseCommand):
    help = (
        "Record every active account's health score for a day (default today), "
        "replacing that day's rows. The rollup does this for today after each run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="The day, YYYY-MM-DD (default: today).")

    def handle(self, *args, **options):
        try:
            day = date.fromisoformat(options["day"]) if options["day"] else None
        except ValueError:
            raise CommandError("Write the day as YYYY-MM-DD.") from None
        if day is not None and day > timezone.localdate():
            raise CommandError("The day may not be in the future.")
        count = record_health(day)
        self.stdout.write(f"Recorded the health of {count} accounts.")
