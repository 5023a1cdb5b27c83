"""Files kept with an item: resources (sharing-api.md §6.11: addResources, updateResources,
removeResources, resources, resources/{path}) and info files (§6.8 updateinfo and deleteInfo,
§6.7 info/{path}; thumbnail and metadata are served by the item operations, not here).

Both live in item_files (kind "resource" or "info"): the bytes first under a fresh blob key,
the row second; a replaced or removed blob is deleted once no row names it.  Their sizes count
into the item's size.  Paths are relative paths of plain segments, checked before any use:
never "..", ".", an empty segment, a backslash, a control character or a leading "/".
"""

from __future__ import annotations

import io
import mimetypes
from collections.abc import AsyncIterator
from typing import Any, BinaryIO

from sqlalchemy import Connection

from geoshare.domain import items
from geoshare.domain.item_upload import UPDATE, owned_item
from geoshare.domain.page_window import Window
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import InvalidParameter, NotFound
from geoshare.storage import item_files as file_store
from geoshare.storage.item_files import ItemFile

MAX_PATH = 512
MAX_SEGMENTS = 16
ADD_MESSAGE = "Unable to add resource."
INFO_MESSAGE = "Unable to update item info."
RESERVED_INFO = ("thumbnail", "metadata")  # served by the item operations themselves


def check_path(path: str, message: str, name: str = "resource") -> str:
    """A relative path of plain segments (it is also the URL path that serves the file)."""
    segments = path.split("/")
    bad = (not path or len(path) > MAX_PATH or len(segments) > MAX_SEGMENTS or path.startswith("/")
           or any(s in ("", ".", "..") for s in segments)
           or any(c in "\\?#:" or ord(c) < 32 or ord(c) == 127 for c in path))
    if bad:
        raise InvalidParameter(message, [f"'{name}' is a relative path of at most {MAX_PATH} characters and "
                                         f"{MAX_SEGMENTS} segments, without '..', '.', empty segments, '\\', ':', "
                                         "'?', '#' or control characters."])
    return path


def base_name(name: str | None) -> str | None:
    """A client's file name is never a path: only its last segment counts."""
    if not name:
        return None
    last = name.replace("\\", "/").rsplit("/", 1)[-1]
    return last if last not in ("", ".", "..") else None


def media_type(path: str) -> str:
    guessed = mimetypes.guess_type(path, strict=False)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


async def _store(svc: Services, found: ItemFile, source: BinaryIO) -> None:
    """Blob first, then the row (replacing one at the same path); the item's size follows."""
    size = await svc.blobs.put_file(found.blob, source)
    try:
        replaced = await svc.db.write(_put_row, ItemFile(**{**found.__dict__, "size": size}))
    except BaseException:
        await svc.blobs.delete(found.blob)
        raise
    if replaced is not None:
        await svc.blobs.delete(replaced)


def _put_row(conn: Connection, found: ItemFile) -> str | None:
    old = file_store.file_at(conn, found.item_id, found.kind, found.path)
    replaced = file_store.put_file(conn, found)
    file_store.add_size(conn, found.item_id, found.size - (old.size if old else 0))
    return replaced


def _new_file(svc: Services, item_id: str, kind: str, path: str, access: str) -> ItemFile:
    return ItemFile(item_id, kind, path, access, 0, f"items/{item_id}/{kind}/{new_id()}", svc.clock.now_ms())


# ------------------------------------------------------------------ resources (§6.11)
def resource_path(prefix: str | None, file_name: str | None, message: str) -> str:
    name = base_name(file_name)
    if name is None:
        raise InvalidParameter(message, ["'fileName' (or the file's own name) must be specified."])
    path = f"{prefix.strip('/')}/{name}" if prefix and prefix.strip("/") else name
    return check_path(path, message)


async def add_resource(svc: Services, viewer: Principal, username: str, item_id: str, *, source: BinaryIO | None,
                       upload_name: str | None, text: str | None, file_name: str | None, prefix: str | None,
                       access: str, replace: bool) -> dict[str, Any]:
    """POST addResources / updateResources: a file, or a text with fileName."""
    message = "Unable to update resource." if replace else ADD_MESSAGE
    item = await owned_item(svc, viewer, username, item_id)
    if (source is None) == (text is None):
        raise InvalidParameter(message, ["Send either 'file' or 'text' (with 'fileName')."])
    path = resource_path(prefix, file_name or upload_name, message)
    if source is None:
        source = io.BytesIO((text or "").encode("utf-8"))
    await _store(svc, _new_file(svc, item.id, "resource", path, access), source)
    return {"success": True, "itemId": item.id, "owner": item.owner, "folder": item.folder_id}


async def remove_resource(svc: Services, viewer: Principal, username: str, item_id: str, resource: str | None,
                          delete_all: bool) -> dict[str, Any]:
    """POST removeResources: one resource, or all of them with deleteAll=true."""
    item = await owned_item(svc, viewer, username, item_id)
    if not delete_all:
        if resource is None:
            raise InvalidParameter("Unable to remove resource.", ["'resource' or deleteAll=true must be specified."])
        check_path(resource, "Unable to remove resource.")
    blobs = await svc.db.write(_remove_rows, item.id, "resource", None if delete_all else resource)
    if not delete_all and not blobs:
        raise NotFound("Resource does not exist or is inaccessible.")
    for blob in blobs:
        await svc.blobs.delete(blob)
    return {"success": True}


def _remove_rows(conn: Connection, item_id: str, kind: str, path: str | None) -> list[str]:
    total, found = file_store.files_page(conn, item_id, kind, True, 0, 1_000_000)
    gone = [f for f in found if path is None or f.path == path]
    file_store.delete_files(conn, item_id, kind, path)
    file_store.add_size(conn, item_id, -sum(f.size for f in gone))
    return [f.blob for f in gone]


def _sees_private(viewer: Principal, found: items.SeenItem) -> bool:
    return viewer.user is not None and (viewer.user.id == found.item.owner_id
                                        or viewer.admin_of(found.item.org_id, UPDATE))


async def list_resources(svc: Services, viewer: Principal, item_id: str, page: Window) -> dict[str, Any]:
    """GET content/items/{id}/resources (private ones for the owner and administrators only)."""
    found = await svc.db.read(items.seen_item, viewer, item_id)
    total, rows = await svc.db.read(file_store.files_page, found.item.id, "resource", _sees_private(viewer, found),
                                    page.offset, page.limit)
    return {**page.answer(total), "resources": [{"resource": f.path, "access": f.access, "created": f.created,
                                                 "size": f.size} for f in rows]}


async def open_file(svc: Services, viewer: Principal, item_id: str, kind: str, path: str) \
        -> tuple[AsyncIterator[bytes], str, int]:
    """The bytes of a resource or info file as a stream, its media type and size (404 when
    missing, malformed or private to someone else)."""
    found = await svc.db.read(items.seen_item, viewer, item_id)
    gone = NotFound("Resource does not exist or is inaccessible.", code=404)
    try:
        check_path(path, "")
    except InvalidParameter:
        raise gone from None
    row = await svc.db.read(file_store.file_at, found.item.id, kind, path)
    if row is None or (row.access == "private" and not _sees_private(viewer, found)):
        raise gone
    return svc.blobs.chunks(row.blob), media_type(path), row.size


# ------------------------------------------------------------------ info files (§6.8)
def info_path(folder: str | None, upload_name: str | None) -> str:
    name = base_name(upload_name)
    if name is None:
        raise InvalidParameter(INFO_MESSAGE, ["'file' must be specified, with a file name."])
    path = f"{folder.strip('/')}/{name}" if folder and folder.strip("/") else name
    check_path(path, INFO_MESSAGE, "folderName")
    if path.split("/", 1)[0].lower() in RESERVED_INFO or path.lower() == "iteminfo.xml":
        raise InvalidParameter(INFO_MESSAGE, ["Thumbnails and metadata have their own operations "
                                              "(updateThumbnail, update with metadata)."])
    return path


async def update_info(svc: Services, viewer: Principal, username: str, item_id: str, source: BinaryIO | None,
                      upload_name: str | None, folder: str | None) -> dict[str, Any]:
    """POST updateinfo: add or replace info/{folderName}/{file name}."""
    item = await owned_item(svc, viewer, username, item_id)
    if source is None:
        raise InvalidParameter(INFO_MESSAGE, ["'file' must be specified."])
    path = info_path(folder, upload_name)
    await _store(svc, _new_file(svc, item.id, "info", path, "inherit"), source)
    return {"success": True, "itemId": item.id, "owner": item.owner, "folder": item.folder_id}


async def delete_info(svc: Services, viewer: Principal, username: str, item_id: str, path: str) -> dict[str, Any]:
    """POST deleteInfo: remove one info file."""
    item = await owned_item(svc, viewer, username, item_id)
    check_path(path, "Unable to delete item info.", "infoFile")
    blobs = await svc.db.write(_remove_rows, item.id, "info", path)
    if not blobs:
        raise NotFound("Resource does not exist or is inaccessible.")
    for blob in blobs:
        await svc.blobs.delete(blob)
    return {"success": True}
