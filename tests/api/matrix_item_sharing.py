"""Authorization-matrix rows for item sharing (sharing-api.md §6.10, §8.2).

Written by hand from the spec.  The rows work on one public item owned by a member who is none
of the matrix callers (`m_iowner`), so every caller with a token sees it and none owns it.  Under
content/users/{u} only the organization's Administrator (holding portal:admin:shareToOrg and
portal:admin:shareToGroup) may change its sharing; the others see the item and get 403.  The
group managers' form (content/items/{id}) and the batches answer every caller who sees the item:
what a caller may not do is reported per group or per item, never as a whole-call refusal.

Comments, ratings and relationships (§6.12, §6.13) use the same item: everyone who reads it lists
its comments and related items, every signed-in caller comments and rates (none owns it); a
comment written by m_user is edited by m_user alone and deleted by m_user or the Administrator;
relationships from the item are added and removed by the Administrator only.
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_support import ADMINISTRATOR, EVERYONE, MEMBERS, USER, USERNAMES, Call, World, body_has
from tests.conftest import make_group, make_item, make_user

OWNER = "m_iowner"
ITEM_ID = "e" * 32
GROUP_ID = "f" * 32
ADMIN_ONLY = frozenset({ADMINISTRATOR})
OWNED = "content/users/{user}/items/{itemId}"
ITEM = "content/items/{itemId}"
OTHER_ID = "d" * 32
COMMENT_ID = "c" * 32


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


# ------------------------------------------------------------------ comments, ratings, relationships
async def _comment(world: World) -> dict[str, Any]:
    """The row's comment by m_user (made again after a delete)."""
    from geoshare.storage import item_social
    from geoshare.storage import users as user_store

    await _item(world)
    author = await world.svc.db.read(user_store.user_by_username, USERNAMES[USER])

    def ensure(conn: Any) -> None:
        if item_social.comment_by_id(conn, ITEM_ID, COMMENT_ID) is None:
            item_social.insert_comment(conn, COMMENT_ID, ITEM_ID, author.id, "matrix", world.svc.clock.now_ms())

    await world.svc.db.write(ensure)
    return {"comment": "edited"}


async def _link(world: World) -> dict[str, Any]:
    """A second public item of the owner, related to the row's item (made again after a delete)."""
    from geoshare.storage import item_social
    from geoshare.storage import items as item_store

    await _item(world)
    if await world.svc.db.read(item_store.item_by_id, OTHER_ID) is None:
        await make_item(world.svc, OWNER, "Matrix related", item_id=OTHER_ID, shared_public=True, shared_org=True)
    await world.svc.db.write(lambda conn: item_social.add_relationship(conn, ITEM_ID, OTHER_ID, "Map2Service",
                                                                       world.svc.clock.now_ms()))
    return {"originItemId": ITEM_ID, "destinationItemId": OTHER_ID, "relationshipType": "Map2Service"}


async def _comment_text(world: World) -> dict[str, Any]:
    await _item(world)
    return {"comment": "hello"}


async def _rating(world: World) -> dict[str, Any]:
    await _item(world)
    return {"rating": "4"}


async def _nothing(world: World) -> dict[str, Any]:
    await _item(world)
    return {}


async def _related(world: World) -> dict[str, Any]:
    await _link(world)
    return {"relationshipType": "Map2Service"}


SUCCESS = body_has(lambda b, w, who: b == {"success": True})
COMMENT_DONE = body_has(lambda b, w, who: b == {"success": True, "commentId": COMMENT_ID})
AUTHOR_OR_ADMIN = frozenset({USER, ADMINISTRATOR})
AT_COMMENT = {"itemId": ITEM_ID, "commentId": COMMENT_ID}
COMMENT = f"{ITEM}/comments/{{commentId}}"
EXPECTED.update({
    ("sharing", f"{ITEM}/comments"): EVERYONE,
    ("sharing", f"{ITEM}/addComment"): MEMBERS,
    ("sharing", COMMENT): EVERYONE,
    ("sharing", f"{COMMENT}/update"): frozenset({USER}),
    ("sharing", f"{COMMENT}/delete"): AUTHOR_OR_ADMIN,
    ("sharing", f"{ITEM}/rating"): MEMBERS,
    ("sharing", f"{ITEM}/addRating"): MEMBERS,
    ("sharing", f"{ITEM}/deleteRating"): MEMBERS,
    ("sharing", f"{ITEM}/relatedItems"): EVERYONE,
    ("sharing", "content/users/{user}/addRelationship"): ADMIN_ONLY,
    ("sharing", "content/users/{user}/deleteRelationship"): ADMIN_ONLY,
})
CALLS.update({
    ("sharing", f"{ITEM}/comments"): Call("GET", {"itemId": ITEM_ID}, _comment, body_has(
        lambda b, w, who: b["total"] >= 1 and COMMENT_ID in [c["id"] for c in b["comments"]])),
    ("sharing", f"{ITEM}/addComment"): Call("POST", {"itemId": ITEM_ID}, _comment_text, body_has(
        lambda b, w, who: b["success"] is True and len(b["commentId"]) == 32)),
    ("sharing", COMMENT): Call("GET", AT_COMMENT, _comment, body_has(
        lambda b, w, who: b["id"] == COMMENT_ID and b["owner"] == USERNAMES[USER])),
    ("sharing", f"{COMMENT}/update"): Call("POST", AT_COMMENT, _comment, COMMENT_DONE),
    ("sharing", f"{COMMENT}/delete"): Call("POST", AT_COMMENT, _comment, COMMENT_DONE),
    ("sharing", f"{ITEM}/rating"): Call("GET", {"itemId": ITEM_ID}, _nothing, body_has(
        lambda b, w, who: b == {} or b["rating"] == 4.0)),
    ("sharing", f"{ITEM}/addRating"): Call("POST", {"itemId": ITEM_ID}, _rating, SUCCESS),
    ("sharing", f"{ITEM}/deleteRating"): Call("POST", {"itemId": ITEM_ID}, _nothing, SUCCESS),
    ("sharing", f"{ITEM}/relatedItems"): Call("GET", {"itemId": ITEM_ID}, _related, body_has(
        lambda b, w, who: [i["id"] for i in b["relatedItems"]] == [OTHER_ID])),
    ("sharing", "content/users/{user}/addRelationship"): Call("POST", {"user": OWNER}, _link, SUCCESS),
    ("sharing", "content/users/{user}/deleteRelationship"): Call("POST", {"user": OWNER}, _link, SUCCESS),
})
