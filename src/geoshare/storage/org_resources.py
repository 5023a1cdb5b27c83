"""Organization resources table access (the bytes themselves live in the blob store)."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select

from geoshare.storage.records import OrgResource
from geoshare.storage.tables import org_resources


def resource_by_key(conn: Connection, org_id: str, key: str) -> OrgResource | None:
    query = select(org_resources).where(org_resources.c.org_id == org_id, org_resources.c.key == key)
    row = conn.execute(query).mappings().first()
    return OrgResource.from_row(row) if row else None


def resources_page(conn: Connection, org_id: str, include_private: bool, offset: int,
                   limit: int) -> tuple[int, list[OrgResource]]:
    """(how many resources the caller may see, one page of them in key order)."""
    visible = org_resources.c.org_id == org_id
    if not include_private:
        visible = visible & (org_resources.c.access == "public")
    total = conn.execute(select(func.count()).select_from(org_resources).where(visible)).scalar_one()
    query = select(org_resources).where(visible).order_by(org_resources.c.key).offset(offset).limit(limit)
    return int(total), [OrgResource.from_row(r) for r in conn.execute(query).mappings()]


def put_resource(conn: Connection, resource: OrgResource) -> OrgResource | None:
    """Insert or replace the resource with this key; returns the one it replaced."""
    old = resource_by_key(conn, resource.org_id, resource.key)
    if old is not None:
        delete_resource(conn, resource.org_id, resource.key)
    conn.execute(insert(org_resources).values(**resource.__dict__))
    return old


def delete_resource(conn: Connection, org_id: str, key: str) -> OrgResource | None:
    """Remove the resource; returns it (None when there was none)."""
    old = resource_by_key(conn, org_id, key)
    if old is not None:
        conn.execute(delete(org_resources).where(org_resources.c.org_id == org_id, org_resources.c.key == key))
    return old

