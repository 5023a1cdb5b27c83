"""Changing and deleting an item (sharing-api.md §6.7-6.9): update, the thumbnail, delete,
deleteItems, canDelete, protect and unprotect; and the items' part of the users work (what a user
owns, reassigning it, the user's tags).

Who: content updates (update, updateThumbnail, deleteThumbnail) are for `items.require_updater`
(the owner, an administrator with portal:admin:updateItems, a shared-update member); delete,
protect and unprotect for the owner or an administrator with portal:admin:deleteItems.  The item
row is locked for the whole change, so two updates of one item queue instead of losing one.
New blobs are written before the row changes; the blobs the row stopped naming are deleted after
the transaction committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import item_add, item_fields, item_secrets, items, users
from geoshare.domain.items import SeenItem, seen_item
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import GeoshareError, InvalidParameter
from geoshare.storage import item_writes
from geoshare.storage import items as item_store
from geoshare.storage.records import Item, User

log = logging.getLogger("geoshare.items")
DELETE_FAILED = "Unable to delete item."
PROTECTED = "Unable to delete item. This item is protected."
DELETE_ITEMS = "portal:admin:deleteItems"
MAX_DELETE_ITEMS = 100


@dataclass
class Update:
    given: dict[str, Any]
    clear: bool
    sources: item_add.Sources
    thumbnail_cleared: bool = False


def _owned_by(found: SeenItem, username: str) -> SeenItem:
    """The path names the owner: any other user name answers like a missing item."""
    if found.item.owner.lower() != username.lower():
        raise items.missing()
    return found


def updater_item(conn: Connection, viewer: Principal, username: str, item_id: str) -> SeenItem:
    found = _owned_by(seen_item(conn, viewer, item_id, lock=True), username)  # pragma: no mutate (row lock)
    items.require_updater(viewer, found)
    return found


def owner_item(conn: Connection, viewer: Principal, username: str, item_id: str) -> SeenItem:
    found = _owned_by(seen_item(conn, viewer, item_id, lock=True), username)  # pragma: no mutate (row lock)
    items.require_owner_or_admin(viewer, found, DELETE_ITEMS)
    return found


def thumbnail_blob(item: Item) -> str | None:
    return items.thumbnail_key(item.id, item.thumbnail.removeprefix("thumbnail/")) if item.thumbnail else None


def replaced_blobs(item: Item, values: dict[str, Any]) -> list[str]:
    """Blobs the row named before `values` and no longer names."""
    old = {"data_blob": item.data_blob, "metadata_blob": item.metadata_blob, "thumbnail": thumbnail_blob(item)}
    return [key for column, key in old.items() if key is not None and column in values]


def column_changes(svc: Services, given: dict[str, Any], clear: bool) -> dict[str, Any]:
    values = item_fields.changes(given, item_fields.UPDATE_FAILED, clear)
    if values.get("service_password"):
        values["service_password"] = item_secrets.encrypt(svc.settings.data_path, values["service_password"])
    return values


def _check_type(item: Item, values: dict[str, Any]) -> None:
    if "type" in values and values.pop("type") != item.type:
        raise InvalidParameter(item_fields.UPDATE_FAILED, ["An item's type cannot be changed."])


async def _change(svc: Services, viewer: Principal, username: str, item_id: str, values: dict[str, Any],
                  written: item_add.Written) -> list[str]:
    """Write `values` (and the new blobs' columns) under the row lock; the keys to delete after."""
    now = svc.clock.now_ms()

    def change(conn: Connection) -> list[str]:
        item = updater_item(conn, viewer, username, item_id).item
        _check_type(item, values)
        values.update(written.values, modified=now)
        item_store.update_item(conn, item.id, values)
        return replaced_blobs(item, values)

    try:
        old = await svc.db.write(change)
    except BaseException:
        await item_add.discard(svc, written.keys)
        raise
    await item_add.discard(svc, old)
    return old


async def update_item(svc: Services, viewer: Principal, username: str, item_id: str, request: Update) \
        -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/update."""
    found = await svc.db.read(updater_item, viewer, username, item_id)  # refuse before writing blobs
    item_add.check_sources(request.sources, item_fields.UPDATE_FAILED)
    values = column_changes(svc, request.given, request.clear)
    if request.thumbnail_cleared and request.clear:
        values["thumbnail"] = None
    written = await item_add.write_blobs(svc, found.item.id, request.sources, item_fields.UPDATE_FAILED)
    if request.sources.multipart:
        written.values.update(status="partial")
    await _change(svc, viewer, username, found.item.id, values, written)
    return {"success": True, "id": found.item.id}


async def update_thumbnail(svc: Services, viewer: Principal, username: str, item_id: str,
                           sources: item_add.Sources) -> dict[str, Any]:
    found = await svc.db.read(updater_item, viewer, username, item_id)
    if sources.thumbnail is None and sources.thumbnail_url is None:
        raise InvalidParameter(item_fields.UPDATE_FAILED, ["'thumbnail' must be specified."])
    item_add.check_sources(sources, item_fields.UPDATE_FAILED)
    written = await item_add.write_blobs(svc, found.item.id, sources, item_fields.UPDATE_FAILED)
    await _change(svc, viewer, username, found.item.id, {}, written)
    return {"success": True}


async def delete_thumbnail(svc: Services, viewer: Principal, username: str, item_id: str) -> dict[str, Any]:
    await _change(svc, viewer, username, item_id, {"thumbnail": None}, item_add.Written())
    return {"success": True}


# ------------------------------------------------------------------ delete, protect
def _remove(conn: Connection, viewer: Principal, username: str, item_id: str) -> list[str]:
    """Delete the row (its child rows cascade); the blob keys to delete afterwards."""
    item = owner_item(conn, viewer, username, item_id).item
    if item.protected:
        raise InvalidParameter(PROTECTED)
    keys = [k for k in (item.data_blob, item.metadata_blob, thumbnail_blob(item)) if k]
    keys += item_writes.child_blobs(conn, item.id)
    item_store.delete_item(conn, item.id)
    return keys


async def delete_item(svc: Services, viewer: Principal, username: str, item_id: str) -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/delete: the row, then every blob it named."""
    keys = await svc.db.write(_remove, viewer, username, item_id)
    await item_add.discard(svc, keys)
    log.info("item %s deleted by %s", item_id.lower(), viewer.user.username if viewer.user else "?")
    return {"success": True, "itemId": item_id.lower()}


def _failure(item_id: str, error: GeoshareError) -> dict[str, Any]:
    return {"itemId": item_id, "success": False,
            "error": {"code": error.code, "message": error.message, "details": list(error.details)}}


async def delete_items(svc: Services, viewer: Principal, username: str, item_ids: list[str]) -> dict[str, Any]:
    """POST content/users/{u}/deleteItems: each item on its own, one result per id."""
    if len(item_ids) > MAX_DELETE_ITEMS:
        raise InvalidParameter(DELETE_FAILED, [f"'items' may name at most {MAX_DELETE_ITEMS} items."])
    await users.acting_on(svc, viewer, username, DELETE_ITEMS)
    results = []
    for item_id in item_ids:
        try:
            results.append(await delete_item(svc, viewer, username, item_id))
        except GeoshareError as error:
            results.append(_failure(item_id, error))
    return {"results": results}


async def can_delete(svc: Services, viewer: Principal, username: str, item_id: str) -> dict[str, Any]:
    found = await svc.db.read(lambda conn: owner_item(conn, viewer, username, item_id))
    if found.item.protected:
        raise InvalidParameter(PROTECTED)
    return {"itemId": found.item.id, "success": True}


async def set_protected(svc: Services, viewer: Principal, username: str, item_id: str, on: bool) -> dict[str, Any]:
    def change(conn: Connection) -> None:
        item = owner_item(conn, viewer, username, item_id).item
        item_store.update_item(conn, item.id, {"protected": on})

    await svc.db.write(change)
    return {"success": True}


# ------------------------------------------------------------------ the users work
def _reassign(conn: Connection, from_user: User, to_user: User, now: int) -> None:
    item_writes.move_owner(conn, from_user.id, to_user.id, now)


users.register_holding(users.Holding("items", item_store.count_owned, _reassign))
users.register_tag_source(item_writes.tag_counts)
