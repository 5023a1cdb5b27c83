"""Storage for addItem's one-call relationship: the group shares a new destination item copies."""

from __future__ import annotations

from sqlalchemy import Connection, select

from geoshare.storage.tables import item_groups


def shares_of(conn: Connection, item_id: str) -> list[tuple[str, bool]]:
    """(group id, item control) of every group the item is shared with, by group id."""
    query = (select(item_groups.c.group_id, item_groups.c.item_control)
             .where(item_groups.c.item_id == item_id).order_by(item_groups.c.group_id))
    return [(row.group_id, bool(row.item_control)) for row in conn.execute(query)]
