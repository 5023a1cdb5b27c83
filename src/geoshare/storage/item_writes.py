"""Item writes the shared storage/items.py does not offer: view counts, blob keys of an item's
child rows (read before a delete, which cascades the rows but not their blobs), owner moves and tags."""

from __future__ import annotations

import json
from collections import Counter

from sqlalchemy import Connection, select, update

from geoshare.storage.tables import item_files, item_parts, items


def add_view(conn: Connection, item_id: str) -> None:
    conn.execute(update(items).where(items.c.id == item_id).values(num_views=items.c.num_views + 1))


def child_blobs(conn: Connection, item_id: str) -> list[str]:
    """Blob keys of the item's files and multipart parts."""
    files = conn.execute(select(item_files.c.blob).where(item_files.c.item_id == item_id)).scalars()
    parts = conn.execute(select(item_parts.c.blob).where(item_parts.c.item_id == item_id)).scalars()
    return [*files, *parts]


def move_owner(conn: Connection, from_user: str, to_user: str, now: int) -> None:
    """Every item of `from_user` to `to_user`'s root folder."""
    conn.execute(update(items).where(items.c.owner_id == from_user)
                 .values(owner_id=to_user, folder_id=None, modified=now))


def tag_counts(conn: Connection, user_id: str) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for text in conn.execute(select(items.c.tags).where(items.c.owner_id == user_id)).scalars():
        counts.update(json.loads(text or "[]"))
    return dict(counts)
