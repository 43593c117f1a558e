"""manage.py refresh_progress"""

from django.core.management.base import BaseCommand

from journeys.progress import refresh_progress


class Command(BaseCommand):
    help = (
        "Work out again where every account stands on its journey (current step, "
        "its first reach, step 1's first reach) from its events, and store it. "
        "Kata keeps it itself; run this after step events were written into the "
        "database by something else than Kata."
    )

    def handle(self, *args, **options):
        count = refresh_progress()
        self.stdout.write(f"Accounts brought up to date: {count}.")
