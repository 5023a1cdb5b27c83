"""Folders (sharing-api.md §6.3): createFolder, {folderId}/updateFolder, {folderId}/delete.

A user's content lives in their root folder or in one of their folders; folders do not nest.
Who: the user, or an administrator of the user's organization holding portal:admin:updateItems
(create, rename) or portal:admin:deleteItems (delete).

Titles are plain text (tags stripped), non-blank, at most 255 characters, without "/", and unique
per user ignoring case.  Deleting a folder deletes every item in it, in the one transaction that
removes the folder row; if any of those items is protected nothing is deleted and the call is
refused (the items' own delete refuses protected items the same way).  The items' blobs (data,
metadata, thumbnail, parts, files) are deleted after the rows.

Folder ids are what the clients send (arcgis Folder and REST JS both use the `id` of the
listing's `folders`); ids are 32 hex characters, matched case-insensitively.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import sanitize, users
from geoshare.domain.items import thumbnail_key
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import InvalidParameter, NotFound
from geoshare.storage import groups as group_store
from geoshare.storage import item_listing as listing_store
from geoshare.storage import items as item_store
from geoshare.storage.records import Folder, User

log = logging.getLogger("geoshare.folders")
FOLDER_MISSING = "Folder does not exist or is inaccessible."
UPDATE_ITEMS = "portal:admin:updateItems"
DELETE_ITEMS = "portal:admin:deleteItems"
MAX_TITLE = 255
CREATE_FAILED = "Unable to create folder."
UPDATE_FAILED = "Unable to update folder."
DELETE_FAILED = "Unable to delete folder."


def folder_document(owner: User, folder: Folder) -> dict[str, Any]:
    return {"username": owner.username, "id": folder.id, "title": folder.title, "created": folder.created}


def folder_missing() -> NotFound:
    return NotFound(FOLDER_MISSING)


def find_folder(conn: Connection, owner: User, folder_id: str) -> Folder:
    """The owner's folder with this id, or the missing-folder error."""
    found = item_store.folder_by_id(conn, owner.id, folder_id) if len(folder_id) == 32 else None
    if found is None:
        raise folder_missing()
    return found


def clean_title(raw: str | None, failure: str) -> str:
    """A folder title: plain text, non-blank, ≤ 255 characters, no "/"."""
    title = (sanitize.plain_text(raw or "") or "").strip()
    if not title:
        raise InvalidParameter(failure, ["'title' must be specified."])
    if len(title) > MAX_TITLE:
        raise InvalidParameter(failure, [f"'title' must be at most {MAX_TITLE} characters."])
    if "/" in title:
        raise InvalidParameter(failure, ["'title' must not contain '/'."])
    return title


def _unique(conn: Connection, owner: User, title: str, failure: str, keep: str | None = None) -> None:
    clash = item_store.folder_by_title(conn, owner.id, title)
    if clash is not None and clash.id != keep:
        # The message itself says why: REST JS shows an error's message and drops its details.
        raise InvalidParameter(f"{failure[:-1]}: a folder named '{title}' already exists.",
                               [f"A folder named '{title}' already exists."])


async def create_folder(svc: Services, viewer: Principal, username: str, raw_title: str | None) -> dict[str, Any]:
    """POST content/users/{u}/createFolder."""
    owner = (await users.acting_on(svc, viewer, username, UPDATE_ITEMS)).user
    title = clean_title(raw_title, CREATE_FAILED)
    folder_id, now = new_id(), svc.clock.now_ms()

    def write(conn: Connection) -> Folder:
        # One owner's folder changes queue on their user row, so two creations of one title
        # cannot both pass the check (the unique index would answer the second with a 500).
        group_store.lock_users(conn, [owner.id])  # pragma: no mutate (a lock shows only under concurrency)
        _unique(conn, owner, title, CREATE_FAILED)
        item_store.insert_folder(conn, folder_id, owner.id, title, now)
        return Folder(id=folder_id, owner_id=owner.id, title=title, created=now)

    folder = await svc.db.write(write)
    return {"success": True, "folder": folder_document(owner, folder)}


async def update_folder(svc: Services, viewer: Principal, username: str, folder_id: str,
                        raw_title: str | None) -> dict[str, Any]:
    """POST content/users/{u}/{folderId}/updateFolder (`title`, or arcgis's `newTitle`)."""
    owner = (await users.acting_on(svc, viewer, username, UPDATE_ITEMS)).user

    def write(conn: Connection) -> Folder:
        group_store.lock_users(conn, [owner.id])  # pragma: no mutate (as in create_folder)
        folder = find_folder(conn, owner, folder_id)
        title = clean_title(raw_title, UPDATE_FAILED)
        _unique(conn, owner, title, UPDATE_FAILED, keep=folder.id)
        listing_store.rename_folder(conn, folder.id, title)
        return Folder(id=folder.id, owner_id=owner.id, title=title, created=folder.created)

    folder = await svc.db.write(write)
    return {"success": True, "folder": folder_document(owner, folder)}


@dataclass(frozen=True)
class Removed:
    folder: Folder
    blob_keys: list[str]


def _remove(conn: Connection, owner: User, folder_id: str) -> Removed:
    folder = find_folder(conn, owner, folder_id)
    protected = listing_store.protected_in_folder(conn, owner.id, folder.id)
    if protected:
        raise InvalidParameter(f"{DELETE_FAILED} The folder holds protected items.",
                               [f"Protected items: {', '.join(protected)}; unprotect them first."])
    item_ids = listing_store.item_ids_in_folder(conn, owner.id, folder.id)
    keys = listing_store.blob_keys_of(conn, item_ids)
    for item in item_store.items_by_ids(conn, item_ids):
        keys += [thumbnail_key(item.id, item.thumbnail)] if item.thumbnail else []
        item_store.delete_item(conn, item.id)
    listing_store.delete_folder(conn, folder.id)
    return Removed(folder, keys)


async def delete_folder(svc: Services, viewer: Principal, username: str, folder_id: str) -> dict[str, Any]:
    """POST content/users/{u}/{folderId}/delete: the folder and every item in it."""
    owner = (await users.acting_on(svc, viewer, username, DELETE_ITEMS)).user
    removed = await svc.db.write(_remove, owner, folder_id)
    for key in removed.blob_keys:  # after the rows stopped naming them
        await svc.blobs.delete(key)
    log.info("folder %s of %s deleted by %s", removed.folder.id, owner.username, viewer.username)
    return {"success": True, "folder": folder_document(owner, removed.folder)}
