"""Organizations table access."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, func, insert, select

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
                                     description=None, settings=json.dumps(settings or {}), created=now,
                                     modified=now))
