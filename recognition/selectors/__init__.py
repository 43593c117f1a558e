"""Every read of the management pillar that needs rules, one module per area.
Figures are read through `figures`, the one aggregation of the per-account rows."""
