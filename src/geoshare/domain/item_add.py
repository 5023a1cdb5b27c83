"""addItem (sharing-api.md §6.4): a new item in one of the caller's folders.

The data comes from at most one source: a file, text, a URL to fetch (`dataUrl`, allowed hosts
only) or `multipart=true` (the item waits, status "partial", for its parts).  `url` is a property
of the item, not a source: url items carry no data.  Blobs are written first under fresh keys and
the row after; when the row cannot be written the new blobs are deleted again, so a refused call
leaves nothing behind.
"""

from __future__ import annotations

import logging
import mimetypes
import secrets
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, BinaryIO

import orjson
from sqlalchemy import Connection

from geoshare.domain import item_add_links, item_fetch, item_fields, item_secrets, item_types, users
from geoshare.domain.images import MAX_THUMBNAIL_BYTES, check_thumbnail, thumbnail_name
from geoshare.domain.items import data_key, thumbnail_key
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import InvalidParameter
from geoshare.storage import items as item_store

log = logging.getLogger("geoshare.items")
FOLDER_MISSING = "Folder does not exist or is inaccessible."
MAX_METADATA_BYTES = 4 * 1024 * 1024
ROOT_NAMES = ("", "/", "root", "null")
GENERIC_TYPES = ("", "application/octet-stream", "binary/octet-stream")


@dataclass(frozen=True)
class FileUpload:
    """A file part as the HTTP layer received it: read through `file`, never whole."""

    filename: str | None
    content_type: str | None
    file: BinaryIO
    read: Any = None  # async callable(n) -> bytes, for small files (thumbnails, metadata)


@dataclass
class Sources:
    """The data and companion files of an add or update call."""

    file: FileUpload | None = None
    text: str | None = None
    data_url: str | None = None
    multipart: bool = False
    file_name: str | None = None
    thumbnail: FileUpload | None = None
    thumbnail_url: str | None = None
    metadata: FileUpload | None = None

    def data_sources(self) -> list[str]:
        given = {"file": self.file is not None, "text": self.text is not None, "dataUrl": self.data_url is not None,
                 "multipart": self.multipart}
        return [name for name, present in given.items() if present]


@dataclass
class Written:
    """Column values of the blobs written so far, and their keys (to delete on failure)."""

    values: dict[str, Any] = field(default_factory=dict)
    keys: list[str] = field(default_factory=list)


def safe_name(name: str | None) -> str | None:
    """A base name without directories, control characters or leading dots; None when nothing is left."""
    if not name:
        return None
    base = PureWindowsPath(PurePosixPath(name).name).name  # NUL goes with the unprintable characters below
    base = "".join(c for c in base if c.isprintable() and c not in '<>:"/\\|?*').strip().lstrip(".")
    return base[:255] or None


def content_type_of(name: str | None, given: str | None) -> str:
    declared = (given or "").split(";")[0].strip().lower()
    if declared not in GENERIC_TYPES and "/" in declared and len(declared) <= 255:
        return declared
    guessed = mimetypes.guess_type(name or "")[0]
    return guessed or "application/octet-stream"


def text_type(text: str) -> str:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return "text/plain"
    return "application/json"


async def read_small(upload: FileUpload, limit: int) -> bytes:
    """At most limit+1 bytes of a small file (the callers refuse anything beyond `limit`)."""
    return upload.file.read(limit + 1)


# ------------------------------------------------------------------ writing blobs
async def write_data(svc: Services, item_id: str, sources: Sources, out: Written) -> None:
    """The data blob (file, text or fetched URL) and the columns naming it."""
    key = data_key(item_id, secrets.token_hex(8))
    if sources.file is not None:
        name = safe_name(sources.file_name) or safe_name(sources.file.filename) or "data"
        out.keys.append(key)
        size = await svc.blobs.put_file(key, sources.file.file)
        kind, ctype = "file", content_type_of(name, sources.file.content_type)
    elif sources.text is not None:
        out.keys.append(key)
        await svc.blobs.put(key, sources.text.encode())
        name, kind, ctype, size = None, "text", text_type(sources.text), len(sources.text.encode())
    elif sources.data_url is not None:
        out.keys.append(key)
        fetched = await item_fetch.fetch_to_blob(svc, sources.data_url, key, "dataUrl")
        name = safe_name(sources.file_name) or safe_name(PurePosixPath(fetched.path).name) or "data"
        kind, ctype, size = "file", content_type_of(name, fetched.content_type), fetched.size
    else:
        return
    out.values.update(data_kind=kind, data_blob=key, data_type=ctype, size=size, name=name)


async def write_thumbnail(svc: Services, item_id: str, sources: Sources, message: str, out: Written) -> None:
    if sources.thumbnail is not None:
        data = await read_small(sources.thumbnail, MAX_THUMBNAIL_BYTES)
        stem = sources.thumbnail.filename
    elif sources.thumbnail_url is not None:
        data = await item_fetch.fetch_small(svc, sources.thumbnail_url, MAX_THUMBNAIL_BYTES, "thumbnailurl")
        stem = PurePosixPath(sources.thumbnail_url.split("?")[0]).name
    else:
        return
    extension = check_thumbnail(data, message=message)
    name = thumbnail_name(stem, extension)
    out.keys.append(thumbnail_key(item_id, name))
    await svc.blobs.put(thumbnail_key(item_id, name), data)
    out.values["thumbnail"] = f"thumbnail/{name}"


def metadata_key(item_id: str) -> str:
    return f"items/{item_id}/info/metadata/{secrets.token_hex(8)}.xml"


async def write_metadata(svc: Services, item_id: str, sources: Sources, message: str, out: Written) -> None:
    if sources.metadata is None:
        return
    data = await read_small(sources.metadata, MAX_METADATA_BYTES)
    if len(data) > MAX_METADATA_BYTES:
        raise InvalidParameter(message, [f"'metadata' is larger than {MAX_METADATA_BYTES} bytes."])
    if not data.lstrip().startswith(b"<"):
        raise InvalidParameter(message, ["'metadata' must be an XML file."])
    key = metadata_key(item_id)
    out.keys.append(key)
    await svc.blobs.put(key, data)
    out.values["metadata_blob"] = key


async def discard(svc: Services, keys: list[str]) -> None:
    for key in keys:
        await svc.blobs.delete(key)


async def write_blobs(svc: Services, item_id: str, sources: Sources, message: str) -> Written:
    """Every blob of the call, or none of them (the written ones are deleted on a failure)."""
    out = Written()
    try:
        await write_thumbnail(svc, item_id, sources, message, out)
        await write_metadata(svc, item_id, sources, message, out)
        await write_data(svc, item_id, sources, out)
    except BaseException:
        await discard(svc, out.keys)
        raise
    return out


# ------------------------------------------------------------------ checking the call
def check_sources(sources: Sources, message: str) -> None:
    found = sources.data_sources()
    if len(found) > 1:
        raise InvalidParameter(message, [f"Give at most one of file, text, dataUrl and multipart (got {', '.join(found)})."])
    if sources.data_url is not None:
        item_fields.web_url(message, "dataUrl", sources.data_url)
    if sources.thumbnail_url is not None:
        item_fields.web_url(message, "thumbnailurl", sources.thumbnail_url)


def type_of(given: dict[str, Any], sources: Sources) -> item_types.ItemType:
    """The declared type; for a file without one, the type its extension names."""
    if given.get("type") is not None:
        return item_fields.item_type(item_fields.ADD_FAILED, "type", given["type"])
    name = (sources.file.filename if sources.file is not None else None) or sources.file_name
    found = item_types.type_for_file_name(name or "")
    if found is None:
        raise InvalidParameter(item_fields.ADD_FAILED, ["'type' must be specified."])
    return found


def folder_of(conn: Connection, owner_id: str, folder_id: str | None) -> str | None:
    if folder_id is None or folder_id.strip().lower() in ROOT_NAMES:
        return None
    folder = item_store.folder_by_id(conn, owner_id, folder_id.strip())
    if folder is None:
        raise InvalidParameter(FOLDER_MISSING, [f"No folder '{folder_id[:64]}' among the user's folders."])
    return folder.id


def column_values(svc: Services, given: dict[str, Any], found_type: item_types.ItemType) -> dict[str, Any]:
    message = item_fields.ADD_FAILED
    if given.get("title") is None:
        raise InvalidParameter(message, ["'title' must be specified."])
    values = {**item_fields.DEFAULTS, **item_fields.changes({**given, "type": found_type.type}, message, clear=False)}
    values["type_keywords"] = item_types.default_keywords(found_type, values["type_keywords"])
    if values.get("service_password"):
        values["service_password"] = item_secrets.encrypt(svc.settings.data_path, values["service_password"])
    return values


# ------------------------------------------------------------------ addItem
async def add_item(svc: Services, viewer: Principal, username: str, folder_id: str | None, given: dict[str, Any],
                   sources: Sources, link: item_add_links.Link | None = None) -> dict[str, Any]:
    """POST content/users/{u}[/{folder}]/addItem: the user themself only (administrators add
    content for others by reassigning it afterwards); `link` relates it to an existing item."""
    target = await users.acting_on(svc, viewer, username, None)
    owner, message = target.user, item_fields.ADD_FAILED
    check_sources(sources, message)
    found_type = type_of(given, sources)
    values = column_values(svc, given, found_type)
    await svc.db.read(folder_of, owner.id, folder_id)  # refuse a bad folder before writing blobs
    item_id, now = new_id(), svc.clock.now_ms()
    written = await write_blobs(svc, item_id, sources, message)
    values.update(written.values)
    if sources.multipart:
        values.update(status="partial", name=safe_name(sources.file_name) or safe_name(given.get("title")))
    values.update(id=item_id, org_id=owner.org_id, owner_id=owner.id, created=now, modified=now, access="private")

    def insert(conn: Connection) -> str | None:
        folder_id_found = values["folder_id"] = folder_of(conn, owner.id, folder_id)
        item_store.insert_item(conn, values)
        if link is not None:
            item_add_links.attach(conn, viewer, owner.username, item_id, link, now)
        return folder_id_found


    try:
        folder = await svc.db.write(insert)
    except BaseException:
        await discard(svc, written.keys)
        raise
    log.info("item %s added by %s", item_id, owner.username)
    return {"success": True, "id": item_id, "folder": folder}
