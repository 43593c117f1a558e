"""Hiring rows of the authorization matrix, one module per area.

Rows take the organisation fixture, whose `hiring` attribute is `build_hiring(org)`:
manager_a is the opening's hiring manager; `interviewer` interviews the candidate and
has not submitted (bound by independence); `member` takes no part in hiring.
"""

from . import (
    matrix_api,
    matrix_candidates,
    matrix_framework,
    matrix_openings,
    matrix_scorecards,
)

_MODULES = (
    matrix_framework,
    matrix_openings,
    matrix_candidates,
    matrix_scorecards,
    matrix_api,
)

UI_ROWS = {key: row for module in _MODULES for key, row in module.UI_ROWS.items()}
API_ROWS = {key: row for module in _MODULES for key, row in module.API_ROWS.items()}
# Rows read `org.hiring`, built with the organisation: no other world to build.
WORLDS = ()
