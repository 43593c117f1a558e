"""The migrations describe the models as they are: `makemigrations` finds nothing
to write (an index whose definition does not survive its own migration, such as a
custom Index class that deconstructs differently, would show up here)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_the_models_need_no_new_migration():
    # Exits with status 1 (SystemExit) when a migration is missing.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
