"""Saving a record that must be unique, when two requests may save it at once."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_noop

# Django's own words for a unique value taken, marked here so that makemessages
# keeps the project's Japanese for them (without the spaces Django's Japanese
# puts around the names: この 名前 を持った ジャーニー が既に存在します。).
UNIQUE_TAKEN = gettext_noop("%(model_name)s with this %(field_label)s already exists.")
UNIQUE_TOGETHER_TAKEN = gettext_noop(
    "%(model_name)s with this %(field_labels)s already exists."
)


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
        instance.clean()
        instance.validate_unique()
        instance.validate_constraints()
        raise
