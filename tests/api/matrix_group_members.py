"""Authorization-matrix rows for the group members operations (filled in with the operations)."""

from __future__ import annotations

from tests.api.matrix_support import Call

EXPECTED: dict[tuple[str, str], frozenset[str]] = {}
CALLS: dict[tuple[str, str], Call] = {}
