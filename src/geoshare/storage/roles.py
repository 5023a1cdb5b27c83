"""Custom roles table access."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from geoshare.storage.records import Role
from geoshare.storage.tables import roles, users


def role_by_id(conn: Connection, org_id: str, role_id: str) -> Role | None:
    row = conn.execute(select(roles).where(roles.c.org_id == org_id, roles.c.id == role_id)).mappings().first()
    return Role.from_row(row) if row else None


def role_by_name(conn: Connection, org_id: str, name: str) -> Role | None:
    query = select(roles).where(roles.c.org_id == org_id, roles.c.name_key == name.lower())
    row = conn.execute(query).mappings().first()
    return Role.from_row(row) if row else None


def roles_of_org(conn: Connection, org_id: str, offset: int = 0, limit: int | None = None) -> list[Role]:
    query = select(roles).where(roles.c.org_id == org_id).order_by(roles.c.name_key, roles.c.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [Role.from_row(r) for r in conn.execute(query).mappings()]


def count_roles(conn: Connection, org_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(roles).where(roles.c.org_id == org_id)).scalar_one())


def privileges_by_role(conn: Connection, org_id: str) -> dict[str, tuple[str, ...]]:
    """role id -> privileges, for rendering many members at once."""
    rows = conn.execute(select(roles.c.id, roles.c.privileges).where(roles.c.org_id == org_id))
    return {r.id: tuple(json.loads(r.privileges or "[]")) for r in rows}


def insert_role(conn: Connection, *, role_id: str, org_id: str, name: str, description: str | None,
                privileges: list[str], now: int) -> None:
    conn.execute(insert(roles).values(id=role_id, org_id=org_id, name=name, name_key=name.lower(),
                                      description=description, privileges=json.dumps(privileges), created=now,
                                      modified=now))


def update_role(conn: Connection, role_id: str, **values: Any) -> None:
    if "name" in values:
        values["name_key"] = values["name"].lower()
    if "privileges" in values:
        values["privileges"] = json.dumps(list(values["privileges"]))
    conn.execute(update(roles).where(roles.c.id == role_id).values(**values))


def delete_role(conn: Connection, role_id: str) -> None:
    conn.execute(delete(roles).where(roles.c.id == role_id))


def count_holders(conn: Connection, role_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(users).where(users.c.role_id == role_id)).scalar_one())
