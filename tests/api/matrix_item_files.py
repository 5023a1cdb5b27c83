"""Authorization-matrix rows for item uploads and files (see test_authorization_matrix.py).

Written from sharing-api.md §6.6, §6.7, §6.8 and §6.11: the item is m_user's and public, so
every caller reads it; its owner and the default organization's administrator (holding
portal:admin:updateItems) upload, add and remove its files; everyone else signed in gets 403;
the administrator of the other organization holds no power over it (403).  Reads of the item's
resources and info files follow the item's own visibility (everyone here).

The matrix posts form fields only, no file parts: for addPart and updateinfo an admitted
caller's proof is the domain's own "'file' must be specified" answer (past authorization);
their file-carrying successes are tested in test_item_upload.py and test_item_info_files.py.
"""

from __future__ import annotations

import io
from typing import Any

import httpx

from geoshare.storage import item_files as file_store
from geoshare.storage import items as item_store
from geoshare.storage.item_files import ItemFile, Part
from tests.api.matrix_support import ADMINISTRATOR, EVERYONE, USER, Call, World, _json, body_has, body_is
from tests.conftest import make_item

ITEM = "4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d4d"
OWNER_AND_ADMIN = frozenset({USER, ADMINISTRATOR})
M_ITEM = {"user": "m_user", "item": ITEM}


async def _item(world: World, **reset: Any) -> None:
    """The matrix item (made again when a call deleted it), then `reset` columns written."""
    if await world.svc.db.read(item_store.item_by_id, ITEM) is None:
        await make_item(world.svc, "m_user", "Matrix files", item_type="CSV", item_id=ITEM, shared_public=True,
                        name="matrix.csv")
    if reset:
        await world.svc.db.write(file_store.set_item, ITEM, reset)


async def _partial(world: World) -> dict[str, Any]:
    await _item(world, status="partial")
    return {}


async def _part_one(world: World) -> dict[str, Any]:
    await _item(world, status="partial")
    return {"partNum": "1"}


async def _with_part(world: World) -> dict[str, Any]:
    await _item(world, status="partial")
    key = f"items/{ITEM}/parts/matrix-{next(world.counter)}"
    await world.svc.blobs.put(key, b"part")
    await world.svc.db.write(file_store.put_part, ITEM, Part(1, key, 4), 0)
    return {}


async def _completed(world: World) -> dict[str, Any]:
    await _item(world, status="completed")
    return {}


async def _file(world: World, kind: str, path: str) -> None:
    await _item(world)
    key = f"items/{ITEM}/{kind}/matrix-{next(world.counter)}"
    await world.svc.blobs.put_file(key, io.BytesIO(b"matrix"))
    await world.svc.db.write(file_store.put_file, ItemFile(ITEM, kind, path, "inherit", 6, key, 0))


async def _resource(world: World) -> dict[str, Any]:
    await _file(world, "resource", "matrix.txt")
    return {"resource": "matrix.txt"}


async def _info(world: World) -> dict[str, Any]:
    await _file(world, "info", "matrix.txt")
    return {"infoFile": "matrix.txt"}


async def _text_resource(world: World) -> dict[str, Any]:
    await _item(world)
    return {"text": "{}", "fileName": "added.json"}


def _needs_file(response: httpx.Response, world: World, who: str) -> None:
    body = _json(response)
    assert body["error"]["code"] == 400 and "'file'" in body["error"]["details"][0], body


def _matrix_bytes(response: httpx.Response, world: World, who: str) -> None:
    assert response.status_code == 200 and response.content == b"matrix", response.text[:300]


SUCCESS_ITEM = body_is({"success": True, "itemId": ITEM, "owner": "m_user", "folder": None})
U = "content/users/{user}/items/{item}/"

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", U + "addPart"): OWNER_AND_ADMIN,
    ("sharing", U + "parts"): OWNER_AND_ADMIN,
    ("sharing", U + "commit"): OWNER_AND_ADMIN,
    ("sharing", U + "cancel"): OWNER_AND_ADMIN,
    ("sharing", U + "status"): OWNER_AND_ADMIN,
    ("sharing", U + "addResources"): OWNER_AND_ADMIN,
    ("sharing", U + "updateResources"): OWNER_AND_ADMIN,
    ("sharing", U + "removeResources"): OWNER_AND_ADMIN,
    ("sharing", U + "updateinfo"): OWNER_AND_ADMIN,
    ("sharing", U + "deleteInfo"): OWNER_AND_ADMIN,
    ("sharing", "content/items/{item}/resources"): EVERYONE,
    ("sharing", "content/items/{item}/resources/{p0}"): EVERYONE,
    ("sharing", "content/items/{item}/info/{p0}"): EVERYONE,
}

CALLS: dict[tuple[str, str], Call] = {
    ("sharing", U + "addPart"): Call("POST", M_ITEM, _part_one, _needs_file, html=False),
    ("sharing", U + "parts"): Call("GET", M_ITEM, _partial, body_is({"parts": []})),
    ("sharing", U + "commit"): Call("POST", M_ITEM, _with_part, body_is({"success": True, "id": ITEM})),
    ("sharing", U + "cancel"): Call("POST", M_ITEM, _partial, body_is({"success": True})),
    ("sharing", U + "status"): Call("GET", M_ITEM, _completed,
                                    body_is({"itemId": ITEM, "status": "completed", "statusMessage": "completed"})),
    ("sharing", U + "addResources"): Call("POST", M_ITEM, _text_resource, SUCCESS_ITEM),
    ("sharing", U + "updateResources"): Call("POST", M_ITEM, _text_resource, SUCCESS_ITEM),
    ("sharing", U + "removeResources"): Call("POST", M_ITEM, _resource, body_is({"success": True})),
    ("sharing", U + "updateinfo"): Call("POST", M_ITEM, _partial, _needs_file, html=False),
    ("sharing", U + "deleteInfo"): Call("POST", M_ITEM, _info, body_is({"success": True})),
    ("sharing", "content/items/{item}/resources"): Call("GET", {"item": ITEM}, _resource, body_has(
        lambda b, w, who: "matrix.txt" in [r["resource"] for r in b["resources"]])),
    ("sharing", "content/items/{item}/resources/{p0}"): Call("GET", {"item": ITEM, "p0": "matrix.txt"}, _resource,
                                                             _matrix_bytes, html=False),
    ("sharing", "content/items/{item}/info/{p0}"): Call("GET", {"item": ITEM, "p0": "matrix.txt"}, _info,
                                                        _matrix_bytes, html=False),
}
