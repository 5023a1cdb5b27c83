"""Authorization-matrix rows for the org operations (see test_authorization_matrix.py)."""

from __future__ import annotations

from tests.api.matrix_support import Call

EXPECTED: dict[tuple[str, str], frozenset[str]] = {}
CALLS: dict[tuple[str, str], Call] = {}
