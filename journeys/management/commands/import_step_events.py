"""manage.py import_step_events FILE --user USERNAME"""

from journeys.imports import import_step_events
from journeys.management import ImportCommand


class Command(ImportCommand):
    help = (
        "Import step events from a CSV file: external_id (of the account), step "
        "(position or name), reached_at (ISO 8601), note. All or nothing."
    )
    importer = staticmethod(import_step_events)
