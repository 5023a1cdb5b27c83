"""Authorization-matrix rows for adding and reading items (sharing-api.md §6.4, §6.5, §6.15, §8.2).

Written by hand from the spec: addItem is for the user themself holding portal:user:createItem
(User, Publisher and Administrator roles; not the Viewer); nobody adds into another user's content,
administrators included (geoshare's choice, docs/content/items.md), so on m_user's path only
m_user succeeds and everyone else who may see m_user gets 403.  A public item (owned by m_user)
is read by everyone, its data and info files too.  The owner's view with sharing
(content/users/{u}/items/{id}) is for the owner and the administrators of the item's organization.
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_support import ADMINISTRATOR, EVERYONE, USER, Call, World, body_has
from tests.conftest import image_bytes, make_item

PUBLIC_ITEM = "abcdefabcdefabcdefabcdefabcdef01"  # public, owned by m_user, with text data and a thumbnail
PNG = image_bytes()
M_USER = {"user": "m_user"}
ITEM = {"itemId": PUBLIC_ITEM}


async def public_item(world: World) -> dict[str, Any]:
    from geoshare.storage import items as item_store

    if await world.svc.db.read(item_store.item_by_id, PUBLIC_ITEM) is None:
        await world.svc.blobs.put(f"items/{PUBLIC_ITEM}/data/v1", b'{"a": 1}')
        await world.svc.blobs.put(f"items/{PUBLIC_ITEM}/info/thumbnail/t.png", PNG)
        await world.svc.blobs.put(f"items/{PUBLIC_ITEM}/info/metadata/m.xml", b"<metadata/>")
        await make_item(world.svc, "m_user", "Matrix public item", item_id=PUBLIC_ITEM, shared_public=True,
                        data_kind="text", data_blob=f"items/{PUBLIC_ITEM}/data/v1", data_type="application/json",
                        size=8, thumbnail="thumbnail/t.png", metadata_blob=f"items/{PUBLIC_ITEM}/info/metadata/m.xml")
    return {}


async def _add_params(world: World) -> dict[str, Any]:
    return {"title": f"Matrix item {next(world.counter)}", "type": "Web Map", "text": "{}"}


def _bytes(expected: bytes, media: str) -> Any:
    def check(response: Any, world: World, who: str) -> None:
        assert response.status_code == 200 and response.headers["content-type"].startswith(media), response.text[:300]
        assert response.content == expected

    return check


def _has_id(response: Any, world: World, who: str) -> None:
    assert response.status_code == 200 and f"<id>{PUBLIC_ITEM}</id>" in response.text, response.text[:300]


MANAGED_ITEM = "abcdefabcdefabcdefabcdefabcdef02"  # rewritten before each call: public, owned by m_user


def _managed(**columns: Any) -> Any:
    async def params(world: World) -> dict[str, Any]:
        from geoshare.storage import items as item_store

        await world.svc.db.write(item_store.delete_item, MANAGED_ITEM)
        await make_item(world.svc, "m_user", "Matrix managed item", item_id=MANAGED_ITEM, shared_public=True,
                        **columns)
        return dict(extra)

    extra = columns.pop("params", {})
    return params


def _success(**fields: Any) -> Any:
    return body_has(lambda b, w, who: b == {"success": True, **fields})


def _past_authorization(response: Any, world: World, who: str) -> None:
    """The matrix posts forms without files: an admitted caller reaches the missing-image refusal
    (the upload itself is tested in test_item_update.py)."""
    assert response.json()["error"]["details"] == ["'thumbnail' must be specified."], response.text[:300]


MANAGED_PATH = {**M_USER, "itemId": MANAGED_ITEM}
OWNER_OR_ADMIN = frozenset({USER, ADMINISTRATOR})
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", "content/users/{user}/addItem"): frozenset({USER}),
    ("sharing", "content/items/{itemId}"): EVERYONE,
    ("sharing", "content/users/{user}/items/{itemId}"): frozenset({USER, ADMINISTRATOR}),
    ("sharing", "content/items/{itemId}/data"): EVERYONE,
    ("sharing", "content/items/{itemId}/info/thumbnail/{file}"): EVERYONE,
    ("sharing", "content/items/{itemId}/info/metadata/metadata.xml"): EVERYONE,
    ("sharing", "content/items/{itemId}/info/iteminfo.xml"): EVERYONE,
    ("sharing", "content/users/{user}/items/{itemId}/update"): OWNER_OR_ADMIN,
    ("sharing", "content/users/{user}/items/{itemId}/updateThumbnail"): OWNER_OR_ADMIN,
    ("sharing", "content/users/{user}/items/{itemId}/deleteThumbnail"): OWNER_OR_ADMIN,
    ("sharing", "content/users/{user}/items/{itemId}/delete"): OWNER_OR_ADMIN,
    ("sharing", "content/users/{user}/deleteItems"): OWNER_OR_ADMIN,
    ("sharing", "content/users/{user}/items/{itemId}/canDelete"): OWNER_OR_ADMIN,
    ("sharing", "content/users/{user}/items/{itemId}/protect"): OWNER_OR_ADMIN,
    ("sharing", "content/users/{user}/items/{itemId}/unprotect"): OWNER_OR_ADMIN,
}
CALLS: dict[tuple[str, str], Call] = {
    ("sharing", "content/users/{user}/addItem"): Call("POST", M_USER, _add_params, body_has(
        lambda b, w, who: b["success"] is True and len(b["id"]) == 32)),
    ("sharing", "content/items/{itemId}"): Call("GET", ITEM, public_item, body_has(
        lambda b, w, who: (b["id"], b["access"]) == (PUBLIC_ITEM, "public"))),
    ("sharing", "content/users/{user}/items/{itemId}"): Call("GET", {**M_USER, **ITEM}, public_item, body_has(
        lambda b, w, who: b["item"]["id"] == PUBLIC_ITEM and b["sharing"] == {"access": "public", "groups": []})),
    ("sharing", "content/items/{itemId}/data"): Call("GET", ITEM, public_item, _bytes(b'{"a": 1}', "application/json"),
                                                     html=False),
    ("sharing", "content/items/{itemId}/info/thumbnail/{file}"): Call(
        "GET", {**ITEM, "file": "t.png"}, public_item, _bytes(PNG, "image/png"), html=False),
    ("sharing", "content/items/{itemId}/info/metadata/metadata.xml"): Call(
        "GET", ITEM, public_item, _bytes(b"<metadata/>", "text/xml"), html=False),
    ("sharing", "content/items/{itemId}/info/iteminfo.xml"): Call(
        "GET", ITEM, public_item, _has_id, html=False),
    ("sharing", "content/users/{user}/items/{itemId}/update"): Call(
        "POST", MANAGED_PATH, _managed(params={"snippet": "matrix"}), _success(id=MANAGED_ITEM)),
    ("sharing", "content/users/{user}/items/{itemId}/updateThumbnail"): Call(
        "POST", MANAGED_PATH, _managed(), _past_authorization, html=False),
    ("sharing", "content/users/{user}/items/{itemId}/deleteThumbnail"): Call(
        "POST", MANAGED_PATH, _managed(thumbnail="thumbnail/x.png"), _success()),
    ("sharing", "content/users/{user}/items/{itemId}/delete"): Call(
        "POST", MANAGED_PATH, _managed(), _success(itemId=MANAGED_ITEM)),
    ("sharing", "content/users/{user}/deleteItems"): Call("POST", M_USER, _managed(params={"items": MANAGED_ITEM}), body_has(
        lambda b, w, who: b == {"results": [{"success": True, "itemId": MANAGED_ITEM}]})),
    ("sharing", "content/users/{user}/items/{itemId}/canDelete"): Call(
        "GET", MANAGED_PATH, _managed(), _success(itemId=MANAGED_ITEM)),
    ("sharing", "content/users/{user}/items/{itemId}/protect"): Call("POST", MANAGED_PATH, _managed(), _success()),
    ("sharing", "content/users/{user}/items/{itemId}/unprotect"): Call(
        "POST", MANAGED_PATH, _managed(protected=True), _success()),
}
