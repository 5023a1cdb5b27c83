"""Authorization-matrix rows for item sharing (sharing-api.md §6.10, §8.2).

Written by hand from the spec.  The rows work on one public item owned by a member who is none
of the matrix callers (`m_iowner`), so every caller with a token sees it and none owns it.  Under
content/users/{u} only the organization's Administrator (holding portal:admin:shareToOrg and
portal:admin:shareToGroup) may change its sharing; the others see the item and get 403.  The
group managers' form (content/items/{id}) and the batches answer every caller who sees the item:
what a caller may not do is reported per group or per item, never as a whole-call refusal.
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_support import ADMINISTRATOR, MEMBERS, Call, World, body_has
from tests.conftest import make_group, make_item, make_user

OWNER = "m_iowner"
ITEM_ID = "e" * 32
GROUP_ID = "f" * 32
ADMIN_ONLY = frozenset({ADMINISTRATOR})
OWNED = "content/users/{user}/items/{itemId}"
ITEM = "content/items/{itemId}"


async def _item(world: World) -> dict[str, Any]:
    """The row's public item and a group of its owner (made once)."""
    from geoshare.storage import items as item_store

    if await world.svc.db.read(item_store.item_by_id, ITEM_ID) is None:
        await make_user(world.svc, OWNER)
        await make_group(world.svc, OWNER, "Matrix sharing", group_id=GROUP_ID)
        await make_item(world.svc, OWNER, "Matrix shared item", item_id=ITEM_ID, shared_public=True, shared_org=True)
    return {"groups": GROUP_ID}


async def _org(world: World) -> dict[str, Any]:
    return {**await _item(world), "org": "true"}


async def _batch(world: World) -> dict[str, Any]:
    return {**await _item(world), "items": ITEM_ID}


def _single(key: str) -> Any:
    return body_has(lambda b, w, who: b["itemId"] == ITEM_ID and isinstance(b[key], list))


def _results(key: str) -> Any:
    def ok(b: Any, w: World, who: str) -> bool:
        result = b["results"][0]
        admitted = who == ADMINISTRATOR
        return bool(result["itemId"] == ITEM_ID and result["success"] is admitted and result[key] == [] and
                    (admitted or result["error"]["code"] == 403))
    return body_has(ok)


EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", f"{OWNED}/share"): ADMIN_ONLY,
    ("sharing", f"{OWNED}/unshare"): ADMIN_ONLY,
    ("sharing", f"{ITEM}/share"): MEMBERS,
    ("sharing", f"{ITEM}/unshare"): MEMBERS,
    ("sharing", "content/users/{user}/shareItems"): MEMBERS,
    ("sharing", "content/users/{user}/unshareItems"): MEMBERS,
}
AT = {"user": OWNER, "itemId": ITEM_ID}
CALLS: dict[tuple[str, str], Call] = {
    ("sharing", f"{OWNED}/share"): Call("POST", AT, _org, _single("notSharedWith")),
    ("sharing", f"{OWNED}/unshare"): Call("POST", AT, _item, _single("notUnsharedFrom")),
    ("sharing", f"{ITEM}/share"): Call("POST", {"itemId": ITEM_ID}, _item, _single("notSharedWith")),
    ("sharing", f"{ITEM}/unshare"): Call("POST", {"itemId": ITEM_ID}, _item, _single("notUnsharedFrom")),
    ("sharing", "content/users/{user}/shareItems"): Call("POST", {"user": OWNER}, _batch, _results("notSharedWith")),
    ("sharing", "content/users/{user}/unshareItems"): Call("POST", {"user": OWNER}, _batch,
                                                           _results("notUnsharedFrom")),
}
