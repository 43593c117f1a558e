"""Authorization-matrix rows (see tests/test_authorization_matrix.py): candidates."""

UI_ROWS = {}
API_ROWS = {}
