"""Django admin of the management pillar, one module per area."""

from . import awards, development, organisation, promotion, rollups  # noqa: F401
