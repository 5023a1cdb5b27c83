"""Organizations table access."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from geoshare.storage import json_text
from geoshare.storage.records import Org
from geoshare.storage.tables import orgs


def org_by_id(conn: Connection, org_id: str) -> Org | None:
    row = conn.execute(select(orgs).where(func.lower(orgs.c.id) == org_id.lower())).mappings().first()
    return Org.from_row(row) if row else None


def default_org(conn: Connection) -> Org | None:
    row = conn.execute(select(orgs).where(orgs.c.is_default.is_(True))).mappings().first()
    return Org.from_row(row) if row else None


def all_orgs(conn: Connection) -> list[Org]:
    return [Org.from_row(r) for r in conn.execute(select(orgs).order_by(orgs.c.created, orgs.c.id)).mappings()]


def org_name_taken(conn: Connection, name: str) -> bool:
    return conn.execute(select(orgs.c.id).where(func.lower(orgs.c.name) == name.lower())).first() is not None


def insert_org(conn: Connection, *, org_id: str, name: str, is_default: bool, access: str, now: int,
               settings: dict[str, Any] | None = None) -> None:
    conn.execute(insert(orgs).values(id=org_id, name=name, is_default=is_default, access=access, url_key=None,
                                     description=None, settings=json_text.dumps(settings or {}), created=now,
                                     modified=now))


def org_for_update(conn: Connection, org_id: str) -> Org | None:
    """The organization's row, locked until the transaction ends (PostgreSQL; SQLite writes are
    serialized anyway), so two settings updates cannot lose each other's changes."""
    row = conn.execute(select(orgs).where(orgs.c.id == org_id).with_for_update()).mappings().first()
    return Org.from_row(row) if row else None


def other_org_with(conn: Connection, org_id: str, column: str, value: str) -> bool:
    """Whether an organization other than `org_id` has `value` (any case) in `column`."""
    col = orgs.c[column]
    query = select(orgs.c.id).where(func.lower(col) == value.lower(), orgs.c.id != org_id)
    return conn.execute(query).first() is not None


def update_org(conn: Connection, org_id: str, **values: Any) -> None:
    if "settings" in values:
        values["settings"] = json_text.dumps(values["settings"])
    conn.execute(update(orgs).where(orgs.c.id == org_id).values(**values))
