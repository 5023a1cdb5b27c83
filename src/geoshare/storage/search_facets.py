"""Facet counts of an item search (sharing-api.md §7.1 countFields) as SQL.

The caller's `where` (the search's predicate, access rule included) is applied in a subquery
over `items` alone, so whatever subqueries it holds keep their own FROM clauses, and the counts
cover exactly the rows the search's total counts.  Values are lower-cased; a JSON-array column
(tags, typeKeywords, categories) counts an item once per distinct lower-cased element.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, ColumnElement, Connection, cast, func, select

from geoshare.storage.tables import items, users

SCALAR_COLUMNS = {"type": items.c.type, "access": items.c.access, "culture": items.c.culture,
                  "contentstatus": items.c.content_status}
ARRAY_COLUMNS = {"tags": items.c.tags, "typekeywords": items.c.type_keywords, "categories": items.c.categories}
FIELDS = frozenset({*SCALAR_COLUMNS, *ARRAY_COLUMNS, "owner"})


def _elements(conn: Connection, column: Any) -> Any:
    """A table-valued function yielding the elements of a JSON-array text column as `value`."""
    if conn.dialect.name == "postgresql":
        return func.json_array_elements_text(cast(column, JSON)).table_valued("value")
    return func.json_each(column).table_valued("value")


def _values(conn: Connection, where: ColumnElement[bool], field: str) -> tuple[Any, Any]:
    """(lower-cased value, item id) rows of the matching items for one facet field."""
    if field in SCALAR_COLUMNS:
        rows = select(items.c.id, SCALAR_COLUMNS[field].label("v")).where(where).subquery()
        return func.lower(rows.c.v), select(rows.c.id).select_from(rows)
    if field == "owner":
        rows = select(items.c.id, items.c.owner_id).where(where).subquery()
        # owner_id is the subquery's one foreign key: SQLAlchemy would infer this same ON clause
        joined = rows.join(users, users.c.id == rows.c.owner_id)  # pragma: no mutate
        return func.lower(users.c.username), select(rows.c.id).select_from(joined)
    rows = select(items.c.id, ARRAY_COLUMNS[field].label("arr")).where(where).subquery()
    element = _elements(conn, rows.c.arr)
    return func.lower(element.c.value), select(rows.c.id).select_from(rows).join(element, element.c.value.isnot(None))


def facet_values(conn: Connection, where: ColumnElement[bool], field: str, size: int) -> list[tuple[str, int]]:
    """The `size` most frequent values of `field` among the rows `where` selects, each with the
    number of items holding it; ties in value order."""
    value, base = _values(conn, where, field)
    counted = func.count(base.selected_columns[0].distinct()).label("n")
    query = (base.with_only_columns(value.label("value"), counted)
             .where(value != "")  # also drops NULL: NULL != '' is not true
             .group_by(value).order_by(counted.desc(), value).limit(size))
    return [(str(row.value), int(row.n)) for row in conn.execute(query)]
