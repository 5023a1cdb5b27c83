"""Listings of items (a user's folders, a group's content) and the folder and ownership writes
that go with them: rename and delete a folder, move items between folders, hand a user's folders
and items to another user.

The visibility predicate comes from the caller (domain/access.item_visible), so the total and
the page are counted by one statement shape and never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, delete, func, select, update

from geoshare.storage import items as item_store
from geoshare.storage.records import Item
from geoshare.storage.tables import folders, item_groups, items

# sortField -> column; the id breaks ties so pages never overlap.
SORT_COLUMNS = {"title": items.c.title_key, "created": items.c.created, "modified": items.c.modified,
                "type": items.c.type, "size": items.c.size, "avgrating": items.c.avg_rating,
                "numviews": items.c.num_views}
ALL_FOLDERS = "*"  # folder filter: every item of the owner, whichever folder holds it


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int
    sort_field: str | None
    sort_order: str | None


def _ordered(query: Any, page: Page) -> Any:
    column = SORT_COLUMNS.get((page.sort_field or "").lower(), items.c.created)
    descending = (page.sort_order or "asc").lower() == "desc"
    return query.order_by(column.desc() if descending else column.asc(), items.c.id)


def _page(conn: Connection, where: ColumnElement[bool], page: Page) -> tuple[int, list[Item]]:
    total = conn.execute(select(func.count()).select_from(items).where(where)).scalar_one()
    if page.limit <= 0 or page.offset >= total:
        return total, []
    ids_query = _ordered(select(items.c.id).where(where), page).offset(page.offset).limit(page.limit)
    return total, item_store.items_by_ids(conn, list(conn.execute(ids_query).scalars()))


def folder_filter(owner_id: str, folder_id: str | None) -> ColumnElement[bool]:
    """Items of `owner_id` in one folder (None: the root folder; ALL_FOLDERS: any folder)."""
    mine = items.c.owner_id == owner_id
    if folder_id == ALL_FOLDERS:
        return mine
    return mine & (items.c.folder_id.is_(None) if folder_id is None else items.c.folder_id == folder_id)


def user_items(conn: Connection, owner_id: str, folder_id: str | None, page: Page) -> tuple[int, list[Item]]:
    return _page(conn, folder_filter(owner_id, folder_id), page)


def group_items(conn: Connection, group_id: str, visible: ColumnElement[bool], page: Page) -> tuple[int, list[Item]]:
    """Items shared with `group_id` that the `visible` predicate admits."""
    shared = items.c.id.in_(select(item_groups.c.item_id).where(item_groups.c.group_id == group_id))
    return _page(conn, shared & visible, page)


def visible_group_ids(conn: Connection, item_id: str, visible: ColumnElement[bool]) -> list[str]:
    """Ids of the groups the item is shared with that the `visible` predicate (on groups) admits."""
    from geoshare.storage.tables import groups

    query = (select(groups.c.id).join(item_groups, item_groups.c.group_id == groups.c.id)
             .where(item_groups.c.item_id == item_id, visible).order_by(groups.c.id))
    return list(conn.execute(query).scalars())


# ------------------------------------------------------------------ folders
def count_folders(conn: Connection, owner_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(folders).where(folders.c.owner_id == owner_id))
               .scalar_one())


def rename_folder(conn: Connection, folder_id: str, title: str) -> None:
    conn.execute(update(folders).where(folders.c.id == folder_id).values(title=title, title_key=title.lower()))


def delete_folder(conn: Connection, folder_id: str) -> None:
    conn.execute(delete(folders).where(folders.c.id == folder_id))


def item_ids_in_folder(conn: Connection, owner_id: str, folder_id: str) -> list[str]:
    query = select(items.c.id).where(folder_filter(owner_id, folder_id)).order_by(items.c.id)
    return list(conn.execute(query).scalars())


def protected_in_folder(conn: Connection, owner_id: str, folder_id: str) -> list[str]:
    query = select(items.c.id).where(folder_filter(owner_id, folder_id), items.c.protected.is_(True))
    return list(conn.execute(query.order_by(items.c.id)).scalars())


def blob_keys_of(conn: Connection, item_ids: Sequence[str]) -> list[str]:
    """Every blob the items' rows name (data, metadata, parts, files), to delete after the rows."""
    from geoshare.storage.tables import item_files, item_parts

    if not item_ids:
        return []
    keys: list[str] = []
    for column, table in ((items.c.data_blob, items), (items.c.metadata_blob, items),
                          (item_parts.c.blob, item_parts), (item_files.c.blob, item_files)):
        id_column = table.c.id if table is items else table.c.item_id
        keys += [k for k in conn.execute(select(column).where(id_column.in_(list(item_ids)))).scalars() if k]
    return keys


# ------------------------------------------------------------------ ownership
def move_to_folder(conn: Connection, item_id: str, folder_id: str | None, now: int) -> None:
    conn.execute(update(items).where(items.c.id == item_id).values(folder_id=folder_id, modified=now))


def reassign_item(conn: Connection, item_id: str, owner_id: str, folder_id: str | None) -> None:
    conn.execute(update(items).where(items.c.id == item_id).values(owner_id=owner_id, folder_id=folder_id))


def reassign_all_items(conn: Connection, from_id: str, to_id: str) -> None:
    """Every item keeps its folder id: the folders move with them (reassign_folders)."""
    conn.execute(update(items).where(items.c.owner_id == from_id).values(owner_id=to_id))


def folders_clashing(conn: Connection, from_id: str, to_id: str) -> list[tuple[str, str]]:
    """(folder id of `from_id`, folder id of `to_id`) pairs whose titles are the same ignoring case."""
    theirs = folders.alias("theirs")
    query = (select(folders.c.id, theirs.c.id).join(theirs, theirs.c.title_key == folders.c.title_key)
             .where(folders.c.owner_id == from_id, theirs.c.owner_id == to_id))
    return [(a, b) for a, b in conn.execute(query).all()]


def reassign_folders(conn: Connection, from_id: str, to_id: str) -> None:
    """Move `from_id`'s folders to `to_id`; a folder whose title the receiver already uses is
    merged into the receiver's folder of that title."""
    for mine, theirs in folders_clashing(conn, from_id, to_id):
        conn.execute(update(items).where(items.c.folder_id == mine).values(folder_id=theirs))
        delete_folder(conn, mine)
    conn.execute(update(folders).where(folders.c.owner_id == from_id).values(owner_id=to_id))
