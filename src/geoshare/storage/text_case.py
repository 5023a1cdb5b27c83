"""Lower-casing every letter in SQL, not only ASCII ones.

SQLite's `lower()` and PostgreSQL's under the C locale change ASCII letters only, so a LIKE or
equality between a lower-cased column and a query lower-cased in Python missed `École` for
`école`.  `geoshare_lower(text)` lower-cases every letter: on SQLite a function of each
connection (storage/engine.py, Python's `str.lower`), on PostgreSQL a SQL function (migration
0019: `lower()` under the ICU root collation when the server has ICU).  It is asked only when
the query text has a letter outside ASCII (`case_folded`): an ASCII text can only match ASCII
letters, which the built-in `lower()` handles, so ordinary searches keep their cost.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func

SQL_FUNCTION = "geoshare_lower"


def sqlite_lower(text: str | None) -> str | None:
    return None if text is None else text.lower()


def case_folded(column: Any, query_text: str) -> Any:
    """`column` lower-cased, for comparing with `query_text` lower-cased by Python."""
    return func.lower(column) if query_text.isascii() else getattr(func, SQL_FUNCTION)(column)
