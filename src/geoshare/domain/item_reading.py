"""Reading an item (sharing-api.md §6.1, §6.5, §6.15): the item object, the owner's view with its
sharing, the data, and the info files (thumbnail, metadata, iteminfo.xml).

numViews counts reads of the item object (content/items/{id}) and downloads of its data; the
owner's own reads count too, as on ArcGIS.  Views are counted in memory and written in batches
(domain/view_counts.py), so a read never costs a write transaction.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import Connection

from geoshare.domain import items
from geoshare.domain.items import SeenItem, item_document, seen_item
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import NotFound
from geoshare.storage import items as item_store


@dataclass(frozen=True)
class Download:
    """What the HTTP layer streams: chunks (None: an empty answer), type and file name."""

    chunks: AsyncIterator[bytes] | None
    media_type: str
    file_name: str | None
    size: int | None = None


async def get_item(svc: Services, viewer: Principal, item_id: str) -> dict[str, Any]:
    """GET content/items/{id}: the item object; ownerFolder for its owner and administrators.
    The read counts as a view (domain/view_counts.py: counted in memory, written in batches)."""
    found = await svc.db.read(seen_item, viewer, item_id)
    svc.views.note(found.item.id)
    doc = item_document(found.item, control=found.control, show_folder=found.is_owner_or_admin)
    doc["numViews"] += svc.views.unwritten(found.item.id)
    return doc


async def get_user_item(svc: Services, viewer: Principal, username: str, item_id: str) -> dict[str, Any]:
    """GET content/users/{u}/items/{id}: the item and its sharing, for its owner and administrators."""

    def load(conn: Connection) -> dict[str, Any]:
        found = seen_item(conn, viewer, item_id)
        if found.item.owner.lower() != username.lower():
            raise items.missing()
        items.require_owner_or_admin(viewer, found, "portal:admin:viewItems")
        sharing = {"access": found.item.access, "groups": item_store.group_ids_of(conn, found.item.id)}
        return {"item": item_document(found.item, control=found.control, show_folder=True), "sharing": sharing}

    return await svc.db.read(load)


async def get_data(svc: Services, viewer: Principal, item_id: str) -> Download:
    """GET content/items/{id}/data: the file or text; url and empty items answer empty."""
    item = (await svc.db.read(seen_item, viewer, item_id)).item
    if item.data_blob is not None:
        svc.views.note(item.id)
    if item.data_blob is None or await svc.blobs.size(item.data_blob) is None:
        return Download(None, "text/plain", None)
    media = item.data_type or "application/octet-stream"
    name = item.name if item.data_kind == "file" else None
    return Download(svc.blobs.chunks(item.data_blob), media, name, item.size)


async def _seen(svc: Services, viewer: Principal, item_id: str) -> SeenItem:
    return await svc.db.read(seen_item, viewer, item_id)


async def thumbnail(svc: Services, viewer: Principal, item_id: str, file_name: str) -> tuple[bytes, str]:
    """info/thumbnail/{file}: the stored image whatever size `w` asks for."""
    item = (await _seen(svc, viewer, item_id)).item
    data = await svc.blobs.get(items.thumbnail_key(item.id, file_name)) \
        if item.thumbnail == f"thumbnail/{file_name}" else None
    if data is None:
        raise NotFound("File not found.", code=404)
    extension = PurePosixPath(file_name).suffix.lower()
    return data, {".png": "image/png", ".gif": "image/gif"}.get(extension, "image/jpeg")


async def metadata(svc: Services, viewer: Principal, item_id: str) -> bytes:
    item = (await _seen(svc, viewer, item_id)).item
    data = await svc.blobs.get(item.metadata_blob) if item.metadata_blob else None
    if data is None:
        raise NotFound("File not found.", code=404)
    return data


def _element(name: str, value: Any) -> str:
    return f"<{name}>{escape('' if value is None else str(value))}</{name}>"


async def item_info_xml(svc: Services, viewer: Principal, item_id: str) -> str:
    """info/iteminfo.xml: the main properties as XML, every value escaped."""
    item = (await _seen(svc, viewer, item_id)).item
    simple = [("id", item.id), ("owner", item.owner), ("title", item.title), ("type", item.type),
              ("name", item.name), ("description", item.description), ("snippet", item.snippet),
              ("url", item.url), ("thumbnail", item.thumbnail), ("accessinformation", item.access_information),
              ("licenseinfo", item.license_info), ("culture", item.culture)]
    lists = "".join(f"<{tag}>{''.join(_element(one, v) for v in values)}</{tag}>" for tag, one, values in (
        ("tags", "tag", item.tags), ("typekeywords", "typekeyword", item.type_keywords)))
    body = "".join(_element(n, v) for n, v in simple)
    return f'<?xml version="1.0" encoding="UTF-8"?><ESRI_ItemInformation>{body}{lists}</ESRI_ItemInformation>'
