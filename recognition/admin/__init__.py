"""Django admin of the management pillar, one module per area."""

from . import (  # noqa: F401
    awards,
    development,
    organisation,
    planning,
    promotion,
    rollups,
)
