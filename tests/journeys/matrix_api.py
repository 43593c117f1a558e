"""Authorization-matrix rows (see tests/test_authorization_matrix.py): api."""

UI_ROWS = {}
API_ROWS = {}
