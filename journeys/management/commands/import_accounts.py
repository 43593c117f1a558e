"""manage.py import_accounts FILE --user USERNAME"""

from journeys.imports import import_accounts
from journeys.management import ImportCommand


class Command(ImportCommand):
    help = (
        "Import customer accounts from a CSV file: external_id, name, segment, arr, "
        "journey, coverage (dedicated or pooled), owner or pool. All or nothing."
    )
    importer = staticmethod(import_accounts)

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--confirm-not-ready",
            action="store_true",
            help="Assign accounts also to owners not ready for accounts yet "
            "(recorded on the coverage).",
        )

    def importer_options(self, options) -> dict:
        return {"confirm_not_ready": options["confirm_not_ready"]}
