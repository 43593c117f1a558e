"""Signals of the journeys pillar, for writes that send no model signal."""

from django.dispatch import Signal

# An import changed the segment of existing accounts in bulk (`bulk_update` sends
# no `post_save`). Keyword: `account_ids`, the accounts whose segment changed.
segments_changed = Signal()
