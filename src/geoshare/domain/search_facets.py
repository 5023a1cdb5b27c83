"""Facets of an item search (sharing-api.md §7.1 countFields/countSize): for each requested field,
the most frequent lower-cased values among the items the search matches, with their counts.

`where` is the search's whole predicate, the access rule (domain/access.item_visible) included,
so facets count only what the caller may see: private content never shows up in them.  The
item search validates countFields/countSize and calls facet_counts; the SQL is in
storage/search_facets.py.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection

from geoshare.storage import search_facets as store

FIELDS = store.FIELDS  # type, access, tags, typekeywords, owner, categories, culture, contentstatus
MAX_FIELDS = 3
MAX_SIZE = 200
DEFAULT_SIZE = 10


def facet_counts(conn: Connection, where: ColumnElement[bool], fields: tuple[str, ...], size: int) -> dict[str, Any]:
    """`{"counts": [{"fieldName", "fieldValues": [{"value", "count"}, ...]}, ...]}` in the order of
    `fields` (lower-case names from FIELDS), each with at most `size` values, most frequent first."""
    table = store.facet_table(conn, where, fields, size)
    return {"counts": [{"fieldName": field, "fieldValues": [{"value": v, "count": n} for v, n in table[field]]}
                       for field in fields]}
