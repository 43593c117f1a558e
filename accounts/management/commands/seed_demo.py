"""Create a realistic demo organisation. Running it again changes nothing.

Each app owns its demo data (`<app>/demo.py`, declared on its AppConfig); this
command only runs them in order (accounts/demo.py).
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import demo
from accounts.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = "Create a demo organisation with Japanese names (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size",
            choices=["small", "normal"],
            default="normal",
            help="small: two members per team, for tests.",
        )

    def handle(self, *args, size: str, **options):
        with transaction.atomic():
            context = demo.seed(small=size == "small")
        self.stdout.write(self.style.SUCCESS("Demo organisation ready."))
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
        for username, description in context.logins:
            self.stdout.write(f"  {username:<12} {description}")
