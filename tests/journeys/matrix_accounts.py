"""Authorization-matrix rows (see tests/test_authorization_matrix.py): accounts."""

UI_ROWS = {}
API_ROWS = {}
