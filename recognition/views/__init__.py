"""Pages of the management pillar, one module per area, each with its urlpatterns."""
