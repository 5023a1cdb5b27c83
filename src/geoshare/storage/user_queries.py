"""Listing and search selects over users: one page and its total in one statement.

The predicate (who matches, who may be seen) comes from the domain as a SQLAlchemy expression
over `users` (domain/access.user_visible and the search compiler); this module only runs it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, insert, select, true

from geoshare.storage import json_text
from geoshare.storage.records import Org, User
from geoshare.storage.tables import orgs, users

Order = Sequence[tuple[str, bool]]  # (users column name, descending)
CASE_FOLDED = ("full_name",)  # sorted without regard to case, the same on SQLite and PostgreSQL


def _ordering(columns: Any, order: Order) -> list[Any]:
    keys = []
    for name, desc in order:
        key = func.lower(columns[name]) if name in CASE_FOLDED else columns[name]
        keys.append(key.desc() if desc else key.asc())
    return keys


def users_page(conn: Connection, where: ColumnElement[bool], order: Order, offset: int, limit: int,
               count_cap: int | None = None) -> tuple[int, list[User]]:
    """(how many users match, at most `count_cap` + 1 of them counted; one page in `order`).

    The count and the page are one statement (the count left-joined with the page), so the
    total and the rows come from the same snapshot and can never disagree."""
    counted = select(users.c.id).where(where)
    if count_cap is not None:
        counted = counted.limit(count_cap + 1)  # beyond the cap only "more than the cap" matters
    total = select(func.count().label("total")).select_from(counted.subquery("c")).subquery("t")
    page = select(users).where(where).order_by(*_ordering(users.c, order)).offset(offset).limit(limit).subquery("p")
    query = select(total.c.total, page).select_from(total.outerjoin(page, true())).order_by(*_ordering(page.c, order))
    rows = conn.execute(query).mappings().all()
    return int(rows[0]["total"]), [User.from_row(r) for r in rows if r["id"] is not None]


def orgs_by_ids(conn: Connection, org_ids: Iterable[str]) -> dict[str, Org]:
    wanted = sorted(set(org_ids))
    if not wanted:
        return {}
    return {r["id"]: Org.from_row(r) for r in conn.execute(select(orgs).where(orgs.c.id.in_(wanted))).mappings()}


def usernames_in_org(conn: Connection, org_id: str, usernames: Iterable[str]) -> dict[str, str]:
    """Lower-cased name -> username as stored, for those of `usernames` who are members of `org_id`."""
    keys = sorted({name.lower() for name in usernames})
    if not keys:
        return {}
    query = select(users.c.username_key, users.c.username).where(users.c.org_id == org_id,
                                                                   users.c.username_key.in_(keys))
    return {r.username_key: r.username for r in conn.execute(query)}


def insert_users(conn: Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Many users in one statement (bulk loads: the members benchmark).  Each row names every
    column the table requires; tags may be a list."""
    prepared = []
    for row in rows:
        values = dict(row)
        values["username_key"] = values["username"].lower()
        values["tags"] = json_text.dumps(list(values.get("tags") or []))
        prepared.append(values)
    if prepared:
        conn.execute(insert(users), prepared)
