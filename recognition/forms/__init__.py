"""Forms of the management pillar, one module per area."""
