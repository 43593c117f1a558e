"""Saving a record that must be unique, when two requests may save it at once."""

from django.db import IntegrityError, transaction


def save_unique(instance, **save_kwargs) -> None:
    """Save `instance` (validated already). When another request saved the same
    unique values since it was validated (a double click, a retried request, two
    people at once), refuse it as `full_clean` refuses it, with a ValidationError
    on its field, instead of a database error (a 500)."""
    try:
        with transaction.atomic():
            instance.save(**save_kwargs)
    except IntegrityError:
        # In `full_clean`'s order: a model's `clean` may put on its field what a
        # constraint over an expression would say of the whole record.
        instance.validate_unique()
        instance.clean()
        instance.validate_constraints()
        raise
