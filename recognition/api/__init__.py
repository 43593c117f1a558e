"""API of the management pillar, one module per area, each with register(router)."""
