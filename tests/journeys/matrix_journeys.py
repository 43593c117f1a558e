"""Authorization-matrix rows (see tests/test_authorization_matrix.py): journeys."""

UI_ROWS = {}
API_ROWS = {}
