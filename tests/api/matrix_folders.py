"""Authorization-matrix rows for folders, user content, moves and item groups (sharing-api.md
§6.2, §6.3, §6.9, §6.7).

Written by hand from the spec.  Every row works on m_user's content: the user themselves is
admitted, and so is the organization's Administrator, who holds portal:admin:viewItems,
updateItems, deleteItems and reassignItems; the other organization's administrator and the custom
role (portal:admin:viewUsers only) are refused with 403.  reassign is for portal:admin:reassignItems
alone, so m_user may not give their item away.  content/items/{id}/groups reads a public item:
everyone who reads the item is admitted.  Each call makes what it consumes (a folder to delete, an
item owned by m_user to reassign) before it runs.
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_support import ADMINISTRATOR, EVERYONE, USER, Call, World, body_has
from tests.conftest import make_item

OWNER = "m_user"
SELF_AND_ADMIN = frozenset({USER, ADMINISTRATOR})
ADMIN_ONLY = frozenset({ADMINISTRATOR})
FOLDER_ID = "f" * 32
ITEM_ID = "e" * 32
USER = "content/users/{user}"
FOLDER = f"{USER}/{{folderId}}"
ITEM = f"{USER}/items/{{itemId}}"


async def _owner(world: World) -> Any:
    from geoshare.storage import users as user_store

    return await world.svc.db.read(user_store.user_by_username, OWNER)


async def _folder(world: World) -> dict[str, Any]:
    from geoshare.storage import items as item_store

    owner = await _owner(world)
    if await world.svc.db.read(item_store.folder_by_id, owner.id, FOLDER_ID) is None:
        await world.svc.db.write(lambda conn: item_store.insert_folder(conn, FOLDER_ID, owner.id, "Matrix",
                                                                        world.svc.clock.now_ms()))
    return {}


async def _item(world: World) -> dict[str, Any]:
    """m_user's public item, in the root folder, owned by m_user again if a call gave it away."""
    from geoshare.storage import items as item_store

    owner = await _owner(world)
    if await world.svc.db.read(item_store.item_by_id, ITEM_ID) is None:
        await make_item(world.svc, OWNER, "Matrix item", item_id=ITEM_ID, shared_public=True)
    await world.svc.db.write(lambda conn: item_store.update_item(conn, ITEM_ID, {"owner_id": owner.id,
                                                                                  "folder_id": None}))
    return {}


async def _new_title(world: World) -> dict[str, Any]:
    await _folder(world)
    return {"title": f"Matrix {next(world.counter)}"}


async def _move(world: World) -> dict[str, Any]:
    await _item(world)
    return {"folder": "/", "items": ITEM_ID}


async def _reassign(world: World) -> dict[str, Any]:
    await _item(world)
    return {"targetUsername": "m_publisher", "targetFolderName": "Received"}


def _key(path: str) -> tuple[str, str]:
    return ("sharing", path)


AT_USER = {"user": OWNER}
AT_FOLDER = {"user": OWNER, "folderId": FOLDER_ID}
AT_ITEM = {"user": OWNER, "itemId": ITEM_ID}
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    _key(FOLDER): SELF_AND_ADMIN, _key(f"{USER}/createFolder"): SELF_AND_ADMIN,
    _key(f"{FOLDER}/updateFolder"): SELF_AND_ADMIN, _key(f"{FOLDER}/delete"): SELF_AND_ADMIN,
    _key(f"{ITEM}/move"): SELF_AND_ADMIN, _key(f"{USER}/moveItems"): SELF_AND_ADMIN,
    _key(f"{ITEM}/reassign"): ADMIN_ONLY, _key("content/items/{itemId}/groups"): EVERYONE,
}
CALLS: dict[tuple[str, str], Call] = {
    _key(FOLDER): Call("GET", AT_FOLDER, _folder, body_has(
        lambda b, w, who: b["currentFolder"]["id"] == FOLDER_ID and b["items"] == [] and b["folders"] == [])),
    _key(f"{USER}/createFolder"): Call("POST", AT_USER, _new_title, body_has(
        lambda b, w, who: b["success"] is True and b["folder"]["username"] == OWNER)),
    _key(f"{FOLDER}/updateFolder"): Call("POST", AT_FOLDER, _new_title, body_has(
        lambda b, w, who: b["success"] is True and b["folder"]["id"] == FOLDER_ID)),
    _key(f"{FOLDER}/delete"): Call("POST", AT_FOLDER, _folder, body_has(
        lambda b, w, who: b["success"] is True and b["folder"]["id"] == FOLDER_ID)),
    _key(f"{ITEM}/move"): Call("POST", AT_ITEM, _move, body_has(
        lambda b, w, who: b == {"success": True, "itemId": ITEM_ID, "owner": OWNER, "folder": None})),
    _key(f"{USER}/moveItems"): Call("POST", AT_USER, _move, body_has(
        lambda b, w, who: b == {"results": [{"itemId": ITEM_ID, "success": True}]})),
    _key(f"{ITEM}/reassign"): Call("POST", AT_ITEM, _reassign, body_has(
        lambda b, w, who: b == {"success": True, "itemId": ITEM_ID})),
    _key("content/items/{itemId}/groups"): Call("GET", {"itemId": ITEM_ID}, _item, body_has(
        lambda b, w, who: b == {"admin": [], "member": [], "other": []})),
}
