"""Authorization-matrix rows (see tests/test_authorization_matrix.py): training."""

UI_ROWS = {}
API_ROWS = {}
