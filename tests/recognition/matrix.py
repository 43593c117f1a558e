"""Management rows of the authorization matrix, one module per area (see
tests/hiring/matrix.py for the conventions)."""

from . import (
    matrix_awards,
    matrix_dashboard,
    matrix_development,
    matrix_organisation,
    matrix_planning,
    matrix_quality,
    matrix_revenue,
    matrix_sharing,
)

_MODULES = (
    matrix_dashboard,
    matrix_awards,
    matrix_development,
    matrix_quality,
    matrix_sharing,
    matrix_revenue,
    matrix_organisation,
    matrix_planning,
)

UI_ROWS = {key: row for module in _MODULES for key, row in module.UI_ROWS.items()}
API_ROWS = {key: row for module in _MODULES for key, row in module.API_ROWS.items()}
# Built once for the matrix module, before its tests (see its `world` fixture).
WORLDS = (
    matrix_dashboard._retrospective,
    matrix_awards.awards_world,
    matrix_development.development_world,
    matrix_organisation.organisation_world,
    matrix_planning.planning_world,
)
