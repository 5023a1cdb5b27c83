"""Search selects over groups: one page and its total in one statement, and bulk loads.

The predicate (which groups match, which the caller may see) comes from the domain as a
SQLAlchemy expression over `groups` (domain/access.group_visible and the group search
compiler); this module only runs it.  Owners are joined in, as every group read does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select, true

from geoshare.storage import json_text
from geoshare.storage.records import Group
from geoshare.storage.tables import group_members, groups, users

Order = Sequence[tuple[str, bool]]  # (sort key name, descending)
# The sort keys a search may name: the group's columns, and its owner's lower-cased username.
SORT_KEYS = ("title_key", "id", "created", "modified", "owner_key")


def _ordering(columns: Any, order: Order) -> list[Any]:
    return [(columns[name].desc() if desc else columns[name].asc()) for name, desc in order]


def owner_ids(username_condition: ColumnElement[bool]) -> Any:
    """The ids of users matching a condition on `users`: owner:... clauses of a search."""
    return select(users.c.id).where(username_condition)


def groups_page(conn: Connection, where: ColumnElement[bool], order: Order, offset: int, limit: int,
                count_cap: int | None = None) -> tuple[int, list[Group]]:
    """(how many groups match, at most `count_cap` + 1 of them counted; one page in `order`).

    The count and the page are one statement (the count left-joined with the page), so the total
    and the rows come from one snapshot and can never disagree."""
    counted = select(groups.c.id).where(where)
    if count_cap is not None:
        counted = counted.limit(count_cap + 1)  # beyond the cap only "more than the cap" matters
    total = select(func.count().label("total")).select_from(counted.subquery("c")).subquery("t")
    with_owner = select(groups, users.c.username.label("owner"), users.c.username_key.label("owner_key")).join(
        users, users.c.id == groups.c.owner_id)
    keyed: dict[str, Any] = {**{c.name: c for c in groups.c}, "owner_key": users.c.username_key}
    page = with_owner.where(where).order_by(*_ordering(keyed, order)).offset(offset).limit(limit).subquery("p")
    query = select(total.c.total, page).select_from(total.outerjoin(page, true())).order_by(*_ordering(page.c, order))
    rows = conn.execute(query).mappings().all()
    return int(rows[0]["total"]), [Group.from_row(r) for r in rows if r["id"] is not None]


def insert_groups(conn: Connection, rows: Sequence[dict[str, Any]], members: Sequence[dict[str, Any]] = ()) -> None:
    """Many groups (and member rows) in two statements, for bulk loads (the groups benchmark).
    Each group row names every column the table requires; JSON columns may be lists or dicts."""
    prepared = []
    for row in rows:
        values = dict(row)
        values["title_key"] = values["title"].lower()
        for name in ("tags", "type_keywords"):
            values[name] = json_text.dumps(list(values.get(name) or []))
        values["display_settings"] = json_text.dumps(values.get("display_settings") or {})
        prepared.append(values)
    if prepared:
        conn.execute(insert(groups), prepared)
    if members:
        conn.execute(insert(group_members), list(members))
