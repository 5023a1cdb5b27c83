"""Multipart upload parts and the files kept with an item (tables item_parts and item_files).

Rows only: the bytes live in the blob store under the key each row names.  Functions that
replace or remove rows return the blob keys that no longer have a row, so the caller deletes
those blobs after the transaction committed (never before: a rollback would leave a row naming
a deleted blob).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from geoshare.storage.tables import item_files, item_parts, items


@dataclass(frozen=True)
class Part:
    num: int
    blob: str
    size: int


@dataclass(frozen=True)
class ItemFile:
    item_id: str
    kind: str  # resource | info
    path: str
    access: str  # inherit | private
    size: int
    blob: str
    created: int


# ------------------------------------------------------------------ parts
def parts_of(conn: Connection, item_id: str) -> list[Part]:
    query = select(item_parts.c.part_num, item_parts.c.blob, item_parts.c.size).where(
        item_parts.c.item_id == item_id).order_by(item_parts.c.part_num)
    return [Part(r.part_num, r.blob, r.size) for r in conn.execute(query)]


def put_part(conn: Connection, item_id: str, part: Part, now: int) -> str | None:
    """Insert or replace part `part.num`; returns the blob of the replaced part."""
    where = (item_parts.c.item_id == item_id, item_parts.c.part_num == part.num)
    old = conn.execute(select(item_parts.c.blob).where(*where)).scalar_one_or_none()
    if old is None:
        conn.execute(insert(item_parts).values(item_id=item_id, part_num=part.num, blob=part.blob,
                                               size=part.size, received=now))
    else:
        conn.execute(update(item_parts).where(*where).values(blob=part.blob, size=part.size, received=now))
    return old


def delete_parts(conn: Connection, item_id: str) -> list[str]:
    blobs = [p.blob for p in parts_of(conn, item_id)]
    conn.execute(delete(item_parts).where(item_parts.c.item_id == item_id))
    return blobs


def set_item(conn: Connection, item_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(items).where(items.c.id == item_id).values(**values))


# ------------------------------------------------------------------ files (resources, info)
def _file(row: Any) -> ItemFile:
    return ItemFile(row.item_id, row.kind, row.path, row.access, row.size, row.blob, row.created)


def file_at(conn: Connection, item_id: str, kind: str, path: str) -> ItemFile | None:
    row = conn.execute(select(item_files).where(item_files.c.item_id == item_id, item_files.c.kind == kind,
                                                item_files.c.path == path)).first()
    return _file(row) if row else None


def files_page(conn: Connection, item_id: str, kind: str, private_too: bool, offset: int, limit: int) \
        -> tuple[int, list[ItemFile]]:
    where = [item_files.c.item_id == item_id, item_files.c.kind == kind]
    if not private_too:
        where.append(item_files.c.access != "private")
    total = conn.execute(select(func.count()).select_from(item_files).where(*where)).scalar_one()
    rows = conn.execute(select(item_files).where(*where).order_by(item_files.c.path).offset(offset).limit(limit))
    return int(total), [_file(r) for r in rows]


def put_file(conn: Connection, found: ItemFile) -> str | None:
    """Insert or replace the file at (item, kind, path); returns the replaced blob."""
    old = file_at(conn, found.item_id, found.kind, found.path)
    if old is not None:
        _delete_where(conn, found.item_id, found.kind, found.path)
    conn.execute(insert(item_files).values(item_id=found.item_id, kind=found.kind, path=found.path,
                                           access=found.access, size=found.size, blob=found.blob,
                                           created=found.created))
    return old.blob if old else None


def _delete_where(conn: Connection, item_id: str, kind: str, path: str | None) -> None:
    where = [item_files.c.item_id == item_id, item_files.c.kind == kind]
    if path is not None:
        where.append(item_files.c.path == path)
    conn.execute(delete(item_files).where(*where))


def delete_files(conn: Connection, item_id: str, kind: str, path: str | None) -> list[str]:
    """Remove one file (`path`) or all of `kind` (path None); returns their blobs."""
    query = select(item_files.c.blob).where(item_files.c.item_id == item_id, item_files.c.kind == kind)
    if path is not None:
        query = query.where(item_files.c.path == path)
    blobs = list(conn.execute(query).scalars())
    _delete_where(conn, item_id, kind, path)
    return blobs


def files_size(conn: Connection, item_id: str) -> int:
    query = select(func.coalesce(func.sum(item_files.c.size), 0)).where(item_files.c.item_id == item_id)
    return int(conn.execute(query).scalar_one())


def add_size(conn: Connection, item_id: str, delta: int) -> None:
    """The item's size counts its data and its files: move it by `delta` bytes."""
    conn.execute(update(items).where(items.c.id == item_id).values(size=items.c.size + delta))


def blobs_of(conn: Connection, item_id: str) -> list[str]:
    """Every blob the item's parts and files name: an item's delete removes their rows by
    cascade, and the caller deletes these blobs after its transaction."""
    parts = conn.execute(select(item_parts.c.blob).where(item_parts.c.item_id == item_id)).scalars()
    files = conn.execute(select(item_files.c.blob).where(item_files.c.item_id == item_id)).scalars()
    return [*parts, *files]
