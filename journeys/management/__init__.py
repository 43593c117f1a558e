"""What the import commands share: read the file, import it as a user, print the
report, and fail (exit code 1) when the file was rejected."""

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import User


class ImportCommand(BaseCommand):
    importer = None  # import_accounts or import_step_events, as a staticmethod

    def add_arguments(self, parser):
        parser.add_argument("file", help="The CSV file (UTF-8 or Shift_JIS).")
        parser.add_argument(
            "--user", required=True, help="The username the import is recorded as."
        )

    def importer_options(self, options) -> dict:
        return {}

    def handle(self, *args, file, user, **options):
        try:
            by = User.objects.get_by_natural_key(user)
        except User.DoesNotExist:
            raise CommandError(_("No user has the username “%s”.") % user) from None
        try:
            data = Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                _("The file could not be opened: %s") % error.strerror
            ) from None
        try:
            report = self.importer(file=data, by=by, **self.importer_options(options))
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        for line in report.lines()[1:]:
            self.stdout.write(line)
        if report.rejected:
            raise CommandError(report.summary())
        self.stdout.write(self.style.SUCCESS(report.summary()))
