"""Models arrive with this pillar's issue."""
