"""Text that goes into a log line: control characters escaped, so a value taken from a
request (a path, a typed username) can never start a forged line."""

from __future__ import annotations


def printable(text: str, limit: int | None = None) -> str:
    shown = text if text.isprintable() else text.encode("unicode_escape", "backslashreplace").decode("ascii")
    return shown if limit is None else shown[:limit]
