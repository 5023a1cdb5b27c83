"""Users table access."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from geoshare.storage.records import User
from geoshare.storage.tables import users


def user_by_id(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id.lower())).mappings().first()
    return User.from_row(row) if row else None


def user_by_username(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username_key == username.lower())).mappings().first()
    return User.from_row(row) if row else None


def count_users(conn: Connection, org_id: str | None = None) -> int:
    query = select(func.count()).select_from(users)
    if org_id is not None:
        query = query.where(users.c.org_id == org_id)
    return int(conn.execute(query).scalar_one())


def users_of_org(conn: Connection, org_id: str) -> list[User]:
    rows = conn.execute(select(users).where(users.c.org_id == org_id).order_by(users.c.username_key)).mappings()
    return [User.from_row(r) for r in rows]


def insert_user(conn: Connection, **values: Any) -> None:
    values = dict(values)
    values["username_key"] = values["username"].lower()
    values["tags"] = json.dumps(list(values.get("tags") or []))
    values.setdefault("disabled", False)
    values.setdefault("last_login", -1)
    values.setdefault("provider", "arcgis")
    conn.execute(insert(users).values(**values))


def update_user(conn: Connection, user_id: str, **values: Any) -> None:
    if "tags" in values:
        values["tags"] = json.dumps(list(values["tags"]))
    conn.execute(update(users).where(users.c.id == user_id).values(**values))
