"""Facet counts of an item search (sharing-api.md §7.1 countFields).

The caller's `where` (the search's predicate, access rule included) selects rows of `items`, so
the counts cover exactly the rows the search's total counts.  One streamed read of those rows
serves every requested field (the match is computed once, not once per field) and the counting
is done here.  Values are lower-cased by the database's lower(); a JSON-array column (tags,
typeKeywords, categories) counts an item once per distinct lower-cased element, and a value that
is not a JSON array counts nothing.
"""

from __future__ import annotations

import heapq
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from geoshare.storage.tables import items, users

SCALAR_COLUMNS = {"type": items.c.type, "access": items.c.access, "culture": items.c.culture,
                  "contentstatus": items.c.content_status}
ARRAY_COLUMNS = {"tags": items.c.tags, "typekeywords": items.c.type_keywords, "categories": items.c.categories}
FIELDS = frozenset({*SCALAR_COLUMNS, *ARRAY_COLUMNS, "owner"})
OWNER_BATCH = 500  # owner ids named per query


def _cell(value: Any) -> str | None:
    """One element of a JSON array as its facet value (the text SQL would give), None to skip."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))  # true/false, numbers; nested arrays as JSON text


def facet_table(conn: Connection, where: ColumnElement[bool], fields: Sequence[str],
                size: int) -> dict[str, list[tuple[str, int]]]:
    """For each of `fields`, the `size` most frequent values among the rows `where` selects, each
    with the number of items holding it; ties in value order.

    One read of the matching rows serves every field (the match is computed once, not once per
    field), streamed, and counted here; values are lower-cased by the database (lower()), JSON
    arrays lower-cased as text and then counted once per distinct element per item."""
    wanted = list(dict.fromkeys(fields))
    columns: list[Any] = []
    for field in wanted:
        if field == "owner":
            columns.append(items.c.owner_id)
        else:
            columns.append(func.lower(SCALAR_COLUMNS.get(field, ARRAY_COLUMNS.get(field))))
    counts: list[Counter[str]] = [Counter() for _ in wanted]
    arrays = [f in ARRAY_COLUMNS for f in wanted]
    # Streamed (a server-side cursor on PostgreSQL), an option of this statement only.
    rows = conn.execute(select(*columns).where(where).execution_options(stream_results=True, max_row_buffer=2000))
    for row in rows:
        for i, raw in enumerate(row):
            if raw is None or raw == "":
                continue
            if not arrays[i]:
                counts[i][raw] += 1
                continue
            try:
                elements = json.loads(raw)
            except ValueError:
                continue
            if isinstance(elements, list):
                counts[i].update({v for v in map(_cell, elements) if v})
    found = {}
    for field, counter in zip(wanted, counts, strict=True):
        if field == "owner":
            counter = _by_username(conn, counter)
        found[field] = heapq.nsmallest(size, counter.items(), key=lambda kv: (-kv[1], kv[0]))
    return found


def _by_username(conn: Connection, by_owner: Counter[str]) -> Counter[str]:
    """Owner ids' counts as counts per lower-cased username."""
    named: Counter[str] = Counter()
    ids = list(by_owner)
    for i in range(0, len(ids), OWNER_BATCH):
        chunk = ids[i:i + OWNER_BATCH]
        query = select(users.c.id, func.lower(users.c.username)).where(users.c.id.in_(chunk))
        for user_id, name in conn.execute(query):
            if name:
                named[name] += by_owner[user_id]
    return named
