"""Authorization-matrix rows (see tests/test_authorization_matrix.py): framework."""

UI_ROWS = {}
API_ROWS = {}
