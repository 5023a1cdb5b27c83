"""Moving items between folders and owners (sharing-api.md §6.9): move, moveItems, reassign;
and what folders and shares owe the users and groups work (the "folders" holding, the
group-delete hook).

move / moveItems: the item's owner, or an administrator of the item's organization holding
portal:admin:updateItems.  The target is one of the owner's folders, named by id (what arcgis
and REST JS send) or, failing that, by title; "/", an empty value or "Root Folder" (what arcgis
sends for "/") is the root folder.

reassign: administrators of the item's organization holding portal:admin:reassignItems only.
The new owner is an enabled member of the item's organization; `targetFolderName` names one of
the new owner's folders, created when missing.  Group shares are kept.

A user's folders move with `community/users/{u}/reassign` (a folder whose title the receiver
already uses is merged into the receiver's folder).  Empty folders never stop a user's delete:
they go with the user's row; a folder holding items counts as owned, so the delete is refused
until the items are reassigned or deleted.

Deleting a group removes its shares and stores each affected item's new `access`, so an item
shared only with that group becomes private.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoshare.domain import folders, items, users
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import Forbidden, GeoshareError, InvalidParameter
from geoshare.storage import item_listing as listing_store
from geoshare.storage import items as item_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Folder, Item, User

UPDATE_ITEMS = "portal:admin:updateItems"
REASSIGN_ITEMS = "portal:admin:reassignItems"
MOVE_FAILED = "Unable to move item."
REASSIGN_FAILED = "Unable to reassign item."
# arcgis item.move("/") resolves "/" through folders.get, which answers its own root object, and
# sends that object's id: the text "Root Folder".
ROOT_NAMES = ("", "/", "root folder")


def _owned_item(conn: Connection, viewer: Principal, username: str, item_id: str, privilege: str) -> Item:
    """The item of user `username` the caller may change with `privilege`; an item of another
    user answers like a missing one (it is not in this user's content)."""
    found = items.seen_item(conn, viewer, item_id, lock=True)
    if found.item.owner.lower() != username.lower() and found.item.owner_id != username:
        raise items.missing()
    items.require_owner_or_admin(viewer, found, privilege)
    return found.item


def _target_folder(conn: Connection, owner_id: str, folder: str | None) -> Folder | None:
    """The folder named by `folder` (id, else title); None for the root folder."""
    name = (folder or "").strip()
    if name.lower() in ROOT_NAMES:
        return None
    found = item_store.folder_by_id(conn, owner_id, name) if len(name) == 32 else None
    found = found or item_store.folder_by_title(conn, owner_id, name)
    if found is None:
        raise InvalidParameter(MOVE_FAILED, [folders.FOLDER_MISSING])
    return found


def _move(conn: Connection, viewer: Principal, username: str, item_id: str, folder: str | None, now: int) \
        -> dict[str, Any]:
    item = _owned_item(conn, viewer, username, item_id, UPDATE_ITEMS)
    target = _target_folder(conn, item.owner_id, folder)
    listing_store.move_to_folder(conn, item.id, target.id if target else None, now)
    return {"success": True, "itemId": item.id, "owner": item.owner, "folder": target.id if target else None}


async def move_item(svc: Services, viewer: Principal, username: str, item_id: str, folder: str | None) \
        -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/move."""
    return await svc.db.write(_move, viewer, username, item_id, folder, svc.clock.now_ms())


async def move_items(svc: Services, viewer: Principal, username: str, item_ids: list[str], folder: str | None) \
        -> dict[str, Any]:
    """POST content/users/{u}/moveItems: one result per item, each moved in its own transaction.
    Moving within another user's content at all needs portal:admin:updateItems in their org."""
    await users.acting_on(svc, viewer, username, UPDATE_ITEMS)
    results: list[dict[str, Any]] = []
    for item_id in item_ids:
        try:
            await move_item(svc, viewer, username, item_id, folder)
            results.append({"itemId": item_id, "success": True})
        except GeoshareError as exc:
            results.append({"itemId": item_id, "success": False,
                            "error": {"code": exc.code, "message": exc.message, "details": exc.details}})
    return {"results": results}


# ------------------------------------------------------------------ reassign
def _receiver(conn: Connection, item: Item, target_username: str) -> User:
    receiver = user_store.user_by_username(conn, target_username) if target_username else None
    if receiver is None or receiver.org_id != item.org_id:
        raise InvalidParameter(REASSIGN_FAILED, ["'targetUsername' must name a member of the item's organization."])
    if receiver.disabled:
        raise InvalidParameter(REASSIGN_FAILED, ["'targetUsername' names a disabled account."])
    return receiver


def _receiving_folder(conn: Connection, receiver: User, name: str | None, now: int) -> str | None:
    if (name or "").strip().lower() in ROOT_NAMES:
        return None
    title = folders.clean_title(name, REASSIGN_FAILED)
    found = item_store.folder_by_title(conn, receiver.id, title)
    if found is not None:
        return found.id
    folder_id = new_id()
    item_store.insert_folder(conn, folder_id, receiver.id, title, now)
    return folder_id


def _reassign(conn: Connection, viewer: Principal, username: str, item_id: str, target_username: str,
              folder_name: str | None, now: int) -> str:
    item = _owned_item(conn, viewer, username, item_id, REASSIGN_ITEMS)
    if not viewer.admin_of(item.org_id, REASSIGN_ITEMS):  # the owner alone may not give an item away
        raise Forbidden()
    receiver = _receiver(conn, item, target_username)
    listing_store.reassign_item(conn, item.id, receiver.id, _receiving_folder(conn, receiver, folder_name, now))
    return item.id


async def reassign_item(svc: Services, viewer: Principal, username: str, item_id: str, target_username: str,
                        folder_name: str | None) -> dict[str, Any]:
    """POST content/users/{u}/items/{id}/reassign."""
    moved = await svc.db.write(_reassign, viewer, username, item_id, target_username, folder_name,
                               svc.clock.now_ms())
    return {"success": True, "itemId": moved}


# ------------------------------------------------------------------ what other work registers
def _folders_holding_items(conn: Connection, user_id: str) -> int:
    return sum(1 for f in item_store.folders_of(conn, user_id) if listing_store.item_ids_in_folder(conn, user_id, f.id))


def _reassign_folders(conn: Connection, source: User, receiver: User, now: int) -> None:
    listing_store.reassign_folders(conn, source.id, receiver.id)


users.register_holding(users.Holding("folders", _folders_holding_items, _reassign_folders))
# A group's delete unshares its items through domain/item_sharing.unshare_group.
