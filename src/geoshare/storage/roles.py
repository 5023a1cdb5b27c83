"""Custom roles table access."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from geoshare.storage import json_text
from geoshare.storage.records import Role, User
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
                                      description=description, privileges=json_text.dumps(privileges), created=now,
                                      modified=now))


def update_role(conn: Connection, role_id: str, **values: Any) -> None:
    if "name" in values:
        values["name_key"] = values["name"].lower()
    if "privileges" in values:
        values["privileges"] = json_text.dumps(list(values["privileges"]))
    conn.execute(update(roles).where(roles.c.id == role_id).values(**values))


def delete_role(conn: Connection, role_id: str) -> None:
    conn.execute(delete(roles).where(roles.c.id == role_id))


def count_holders(conn: Connection, role_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(users).where(users.c.role_id == role_id)).scalar_one())


def holders(conn: Connection, role_id: str) -> list[User]:
    """The members holding a role, by username."""
    query = select(users).where(users.c.role_id == role_id).order_by(users.c.username_key)
    return [User.from_row(r) for r in conn.execute(query).mappings()]


def set_holders_role(conn: Connection, role_id: str, role: str, now: int) -> None:
    """Keep the base role the holders report (users.role) in step with the role's privileges."""
    conn.execute(update(users).where(users.c.role_id == role_id).values(role=role, modified=now))


def count_full_admins(conn: Connection, org_id: str, admin_role_ids: Iterable[str], *,
                      excluding: str | None = None) -> int:
    """Enabled members of `org_id` who hold the built-in Administrator role (org_admin without a
    roleId) or one of the custom roles `admin_role_ids`; `excluding` names a user id to leave out."""
    built_in = and_(users.c.role == "org_admin", users.c.role_id.is_(None))
    query = select(func.count()).select_from(users).where(
        users.c.org_id == org_id, users.c.disabled.is_(False), or_(built_in, users.c.role_id.in_(list(admin_role_ids))))
    if excluding is not None:
        query = query.where(users.c.id != excluding)
    return int(conn.execute(query).scalar_one())
