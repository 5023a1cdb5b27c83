"""Items, folders and group shares (tables items, folders, item_groups).

Every read of an item joins the owner's username in and leaves the encrypted service password
out: it is read only by `service_password_of`, for the one place that needs it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, delete, func, insert, select, update

from geoshare.storage import json_text
from geoshare.storage.records import Folder, Item
from geoshare.storage.tables import folders, item_groups, items, users

JSON_LISTS = ("type_keywords", "tags", "categories")
JSON_OBJECTS = ("properties", "advanced_settings", "proxy_filter", "service_proxy_params")
READ_COLUMNS = [c for c in items.c if c.name != "service_password"]


def _with_owner() -> Select[Any]:
    # The owner's name looked up per item (its primary key), not joined: PostgreSQL hashed the
    # whole users table to join a page of ten items (0.4 ms at 1,000 users, growing with them).
    owner = select(users.c.username).where(users.c.id == items.c.owner_id).scalar_subquery()
    return select(*READ_COLUMNS, owner.label("owner"))


# The item reads, built once: building this 50-column statement and its cache key cost about
# 0.15 ms a read, more than SQLite takes to read a page of ten items.
_NAMES = (*(c.name for c in READ_COLUMNS), "owner")
_BY_ID = _with_owner().where(items.c.id == bindparam("key"))
_BY_IDS = _with_owner().where(items.c.id.in_(bindparam("keys", expanding=True)))
_BY_SEQS = _with_owner().where(items.c.seq.in_(bindparam("keys", expanding=True)))


def _item(row: Row[Any]) -> Item:
    return Item.from_row(dict(zip(_NAMES, row, strict=True)))


def _encode(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in JSON_LISTS:
        if name in out:
            out[name] = json_text.dumps(list(out[name] or []))
    for name in JSON_OBJECTS:
        if name in out and out[name] is not None:
            out[name] = json_text.dumps(out[name])
    if "title" in out:
        out["title_key"] = out["title"].lower()
    return out


# ------------------------------------------------------------------ items
def item_by_id(conn: Connection, item_id: str) -> Item | None:
    row = conn.execute(_BY_ID, {"key": item_id.lower()}).first()
    return _item(row) if row else None


def items_by_ids(conn: Connection, item_ids: Sequence[str]) -> list[Item]:
    return _in_order(conn, _BY_IDS, "id", item_ids)


def items_by_seqs(conn: Connection, seqs: Sequence[int]) -> list[Item]:
    """The items whose `seq` is in `seqs`, in that order (the search index's keys)."""
    return _in_order(conn, _BY_SEQS, "seq", seqs)


def _in_order(conn: Connection, read: Select[Any], key: str, values: Sequence[Any]) -> list[Item]:
    """The items whose column `key` holds one of `values` (`read` asks for them), in the order
    of `values` (a value no item holds is left out)."""
    if not values:
        return []
    found = {getattr(row, key): _item(row) for row in conn.execute(read, {"keys": list(values)})}
    return [found[v] for v in values if v in found]


def lock_item(conn: Connection, item_id: str) -> Item | None:
    """The item, its row locked until the transaction ends (PostgreSQL; SQLite writes are serial)."""
    if conn.execute(select(items.c.id).where(items.c.id == item_id).with_for_update()).first() is None:
        return None
    return item_by_id(conn, item_id)


def insert_item(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(items).values(**_encode(values)))


def update_item(conn: Connection, item_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(items).where(items.c.id == item_id).values(**_encode(values)))


def delete_item(conn: Connection, item_id: str) -> bool:
    """The item row; shares, parts, files, relationships, comments and ratings go with it."""
    return conn.execute(delete(items).where(items.c.id == item_id)).rowcount > 0


def service_password_of(conn: Connection, item_id: str) -> str | None:
    """The stored (encrypted) service password: never part of an Item record."""
    return conn.execute(select(items.c.service_password).where(items.c.id == item_id)).scalar_one_or_none()


def count_owned(conn: Connection, user_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(items).where(items.c.owner_id == user_id)).scalar_one())


# ------------------------------------------------------------------ group shares
def group_ids_of(conn: Connection, item_id: str) -> list[str]:
    query = select(item_groups.c.group_id).where(item_groups.c.item_id == item_id).order_by(item_groups.c.group_id)
    return list(conn.execute(query).scalars())


def share_with(conn: Connection, item_id: str, group_id: str, item_control: bool, now: int) -> None:
    """Add the share, or update its item control when it exists."""
    found = conn.execute(select(item_groups.c.item_id).where(item_groups.c.item_id == item_id,
                                                           item_groups.c.group_id == group_id)).first()
    if found is None:
        conn.execute(insert(item_groups).values(item_id=item_id, group_id=group_id, item_control=item_control,
                                                shared=now))
    else:
        conn.execute(update(item_groups).where(item_groups.c.item_id == item_id, item_groups.c.group_id == group_id)
                     .values(item_control=item_control))


def unshare_from(conn: Connection, item_id: str, group_id: str) -> bool:
    result = conn.execute(delete(item_groups).where(item_groups.c.item_id == item_id,
                                                    item_groups.c.group_id == group_id))
    return result.rowcount > 0


def count_shares(conn: Connection, item_id: str) -> int:
    query = select(func.count()).select_from(item_groups).where(item_groups.c.item_id == item_id)
    return int(conn.execute(query).scalar_one())


def items_shared_with(conn: Connection, group_id: str) -> list[str]:
    query = select(item_groups.c.item_id).where(item_groups.c.group_id == group_id).order_by(item_groups.c.item_id)
    return list(conn.execute(query).scalars())


# ------------------------------------------------------------------ folders
def folder_by_id(conn: Connection, owner_id: str, folder_id: str) -> Folder | None:
    query = select(folders).where(folders.c.owner_id == owner_id, folders.c.id == folder_id.lower())
    row = conn.execute(query).mappings().first()
    return Folder.from_row(row) if row else None


def folder_by_title(conn: Connection, owner_id: str, title: str) -> Folder | None:
    query = select(folders).where(folders.c.owner_id == owner_id, folders.c.title_key == title.lower())
    row = conn.execute(query).mappings().first()
    return Folder.from_row(row) if row else None


def folders_of(conn: Connection, owner_id: str) -> list[Folder]:
    query = select(folders).where(folders.c.owner_id == owner_id).order_by(folders.c.title_key, folders.c.id)
    return [Folder.from_row(r) for r in conn.execute(query).mappings()]


def insert_folder(conn: Connection, folder_id: str, owner_id: str, title: str, now: int) -> None:
    conn.execute(insert(folders).values(id=folder_id, owner_id=owner_id, title=title, title_key=title.lower(),
                                        created=now))
