"""Journeys rows of the authorization matrix, one module per area (see
tests/hiring/matrix.py for the conventions). Rows build the journeys objects they
need from the organisation fixture themselves (e.g. with tests/journeys/factories.py),
memoised on `org` so that one row's lambda does not create them twice."""

from . import (
    matrix_accounts,
    matrix_api,
    matrix_health,
    matrix_journeys,
    matrix_manage,
    matrix_stories,
    matrix_success,
    matrix_training,
)

_MODULES = (
    matrix_journeys,
    matrix_accounts,
    matrix_training,
    matrix_api,
    matrix_manage,
    matrix_success,
    matrix_health,
    matrix_stories,
)

UI_ROWS = {key: row for module in _MODULES for key, row in module.UI_ROWS.items()}
API_ROWS = {key: row for module in _MODULES for key, row in module.API_ROWS.items()}
# Built once for the matrix module, before its tests (see its `world` fixture).
WORLDS = (
    matrix_accounts._objects,
    matrix_api.api_world,
    matrix_journeys.journeys_world,
    matrix_training._training,
    matrix_success.success_world,
    matrix_health.health_world,
    matrix_stories.stories_world,
)
