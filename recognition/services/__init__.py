"""Every write of the management pillar, one module per area (rollup, awards,
development, promotion, retrospectives, profiles). Callers import the module."""
