"""The streamed multipart upload (sharing-api.md §6.6): addPart, parts, commit, cancel, status.

An item made by addItem (or update) with multipart=true has status "partial".  Each part is
written to the blob store under a fresh key first, and its row second; a part sent again gets a
new blob and its row is replaced, the old blob deleted once no row names it.  An addPart cut
short therefore leaves at most a blob no row names, never a row naming half a blob.

commit joins the parts, ascending by number, into a fresh data blob outside any transaction,
then in one transaction names that blob on the item, sets its name, size, type and status
"completed", and deletes the part rows; the part blobs (and a replaced data blob) are deleted
after.  Parts must be numbered 1..n without gaps: otherwise nothing changes.

Who: the item's owner, and administrators of its organization holding portal:admin:updateItems.
"""

from __future__ import annotations

import mimetypes
from typing import Any, BinaryIO

from sqlalchemy import Connection

from geoshare.domain import items
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import Conflict, InvalidParameter
from geoshare.storage import item_files as file_store
from geoshare.storage import items as item_store
from geoshare.storage.item_files import Part
from geoshare.storage.records import Item

UPDATE = "portal:admin:updateItems"
MAX_PART = 10000
PART_MESSAGE = "Unable to add part."
COMMIT_MESSAGE = "Unable to commit item."
JOB_TYPES = ("publish", "generateFeatures", "export", "createService")


async def owned_item(svc: Services, viewer: Principal, username: str, item_id: str) -> Item:
    """The item under content/users/{username}: visible to `viewer`, owned by `username`, and
    `viewer` its owner or an administrator with updateItems (a wrong owner reads as missing)."""
    found = await svc.db.read(items.seen_item, viewer, item_id)
    if found.item.owner.lower() != username.lower():
        raise items.missing()
    items.require_owner_or_admin(viewer, found, UPDATE)
    return found.item


def _require_partial(item: Item, message: str) -> None:
    if item.status != "partial":
        raise InvalidParameter(message, ["The item has no multipart upload in progress (addItem or update "
                                         "with multipart=true starts one)."])


def part_key(item_id: str) -> str:
    return f"items/{item_id}/parts/{new_id()}"


async def add_part(svc: Services, viewer: Principal, username: str, item_id: str, part_num: int,
                   source: BinaryIO | None) -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/addPart: store one part (streamed, never read whole)."""
    item = await owned_item(svc, viewer, username, item_id)
    _require_partial(item, PART_MESSAGE)
    if not 1 <= part_num <= MAX_PART:
        raise InvalidParameter(PART_MESSAGE, [f"'partNum' is an integer from 1 to {MAX_PART}."])
    if source is None:
        raise InvalidParameter(PART_MESSAGE, ["'file' (the part's bytes, multipart) must be specified."])
    key = part_key(item.id)
    size = await svc.blobs.put_file(key, source)
    try:
        replaced = await svc.db.write(_store_part, item.id, Part(part_num, key, size), svc.clock.now_ms())
    except BaseException:
        await svc.blobs.delete(key)
        raise
    if replaced is not None:
        await svc.blobs.delete(replaced)
    return {"success": True}


def _store_part(conn: Connection, item_id: str, part: Part, now: int) -> str | None:
    item = item_store.lock_item(conn, item_id)
    if item is None:
        raise items.missing()
    _require_partial(item, PART_MESSAGE)
    return file_store.put_part(conn, item_id, part, now)


async def list_parts(svc: Services, viewer: Principal, username: str, item_id: str) -> dict[str, Any]:
    """GET/POST content/users/{u}/items/{id}/parts: the part numbers received, ascending."""
    item = await owned_item(svc, viewer, username, item_id)
    return {"parts": [p.num for p in await svc.db.read(file_store.parts_of, item.id)]}


def _check_numbering(parts: list[Part]) -> None:
    if not parts:
        raise InvalidParameter(COMMIT_MESSAGE, ["No parts were added (addPart)."])
    gaps = sorted(set(range(1, parts[-1].num + 1)) - {p.num for p in parts})
    if gaps:
        raise InvalidParameter(COMMIT_MESSAGE, [f"Parts are missing: {', '.join(map(str, gaps[:20]))}."])


def data_type_of(name: str | None) -> str:
    guessed = mimetypes.guess_type(name or "", strict=False)[0]
    return guessed or "application/octet-stream"


async def commit(svc: Services, viewer: Principal, username: str, item_id: str) -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/commit: join the parts into the item's data."""
    item = await owned_item(svc, viewer, username, item_id)
    _require_partial(item, COMMIT_MESSAGE)
    parts = await svc.db.read(file_store.parts_of, item.id)
    _check_numbering(parts)
    key = items.data_key(item.id, new_id())
    size = await svc.blobs.concat(key, [p.blob for p in parts])
    try:
        old = await svc.db.write(_finish_commit, item.id, parts, key, size, svc.clock.now_ms())
    except BaseException:
        await svc.blobs.delete(key)
        raise
    for blob in [p.blob for p in parts] + ([old] if old else []):
        await svc.blobs.delete(blob)
    return {"success": True, "id": item.id}


def _finish_commit(conn: Connection, item_id: str, parts: list[Part], key: str, size: int, now: int) -> str | None:
    """Name the joined blob on the item, unless a part changed meanwhile (then nothing changes)."""
    item = item_store.lock_item(conn, item_id)
    if item is None:
        raise items.missing()
    _require_partial(item, COMMIT_MESSAGE)
    if file_store.parts_of(conn, item_id) != parts:
        raise Conflict(COMMIT_MESSAGE, ["Parts changed while the commit ran; commit again."])
    files = file_store.files_size(conn, item_id)
    file_store.set_item(conn, item_id, {"data_blob": key, "data_kind": "file", "data_type": data_type_of(item.name),
                                        "size": size + files, "status": "completed", "modified": now})
    file_store.delete_parts(conn, item_id)
    return item.data_blob


async def cancel(svc: Services, viewer: Principal, username: str, item_id: str) -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/cancel: discard the parts; an item that never had data
    (a multipart addItem not yet committed) is deleted, any other goes back to completed."""
    item = await owned_item(svc, viewer, username, item_id)
    _require_partial(item, "Unable to cancel upload.")
    blobs = await svc.db.write(_cancel, item.id)
    for blob in blobs:
        await svc.blobs.delete(blob)
    return {"success": True}


def _cancel(conn: Connection, item_id: str) -> list[str]:
    item = item_store.lock_item(conn, item_id)
    if item is None or item.status != "partial":
        return []
    blobs = file_store.delete_parts(conn, item_id)
    if item.data_blob is None:
        blobs += file_store.delete_files(conn, item_id, "resource", None)
        blobs += file_store.delete_files(conn, item_id, "info", None)
        blobs += [k for k in (item.metadata_blob,) if k]
        if item.thumbnail:
            blobs.append(items.thumbnail_key(item_id, item.thumbnail.removeprefix("thumbnail/")))
        item_store.delete_item(conn, item_id)
    else:
        file_store.set_item(conn, item_id, {"status": "completed"})
    return blobs


async def status(svc: Services, viewer: Principal, username: str, item_id: str) -> dict[str, Any]:
    """GET/POST content/users/{u}/items/{id}/status: items are never processed in the
    background, so an item is "partial" during an upload and "completed" otherwise."""
    item = await owned_item(svc, viewer, username, item_id)
    return {"itemId": item.id, "status": item.status, "statusMessage": item.status}
