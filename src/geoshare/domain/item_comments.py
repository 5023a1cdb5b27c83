"""Comments on items (sharing-api.md §6.13): anyone who may read an item lists its comments;
signed-in readers add them while both the item and the organization have comments enabled; the
author edits; the author, the item's owner and administrators (portal:admin:updateItems) delete.
Comment text keeps the limited HTML of §9.  `numComments` is recounted in the transaction that
adds or deletes a comment, under the item's row lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoshare.domain import items, page_window
from geoshare.domain.items import SeenItem
from geoshare.domain.principal import Principal
from geoshare.domain.sanitize import clean_html
from geoshare.domain.services import Services, new_id
from geoshare.errors import Forbidden, InvalidParameter, NotFound
from geoshare.storage import item_social
from geoshare.storage import orgs as org_store
from geoshare.storage.item_social import Comment
from geoshare.storage.records import Item

MAX_COMMENT = 8_000
COMMENT_MISSING = "Comment does not exist or is inaccessible."
ADD_FAILED = "Unable to add comment."
DISABLED = "Comments are disabled for this item."


def comment_document(comment: Comment) -> dict[str, Any]:
    return {"id": comment.id, "owner": comment.owner, "created": comment.created, "comment": comment.comment}


def clean_comment(text: str, message: str) -> str:
    """The comment reduced to the allow-list; empty or over-long comments are refused."""
    if len(text) > MAX_COMMENT:
        raise InvalidParameter(message, [f"'comment' is longer than {MAX_COMMENT} characters."])
    cleaned = (clean_html(text) or "").strip()
    if not cleaned:
        raise InvalidParameter(message, ["'comment' must be specified."])
    return cleaned


def _comments_enabled(conn: Connection, found: SeenItem) -> bool:
    org = org_store.org_by_id(conn, found.item.org_id)
    return found.item.comments_enabled and bool(org is not None and org.settings.get("commentsEnabled", True))


def _comment(conn: Connection, found: SeenItem, comment_id: str) -> Comment:
    comment = item_social.comment_by_id(conn, found.item.id, comment_id)
    if comment is None:
        raise NotFound(COMMENT_MISSING, code=404)
    return comment


# ------------------------------------------------------------------ reading
async def list_comments(svc: Services, viewer: Principal, item_id: str, start: int | None,
                        num: int | None) -> dict[str, Any]:
    """GET content/items/{id}/comments: newest first."""
    return (await commented_item(svc, viewer, item_id, start, num))[1]


async def commented_item(svc: Services, viewer: Principal, item_id: str, start: int | None,
                         num: int | None) -> tuple[Item, dict[str, Any]]:
    """The item with one page of its comments: the JSON answer and the RSS feed (which names the
    item) both come from here, so their paging and visibility cannot drift apart."""
    window = page_window.window(start, num)

    def load(conn: Connection) -> tuple[Item, dict[str, Any]]:
        found = items.seen_item(conn, viewer, item_id)
        total, page = item_social.comments_page(conn, found.item.id, window.offset, window.limit)
        return found.item, {**window.answer(total), "comments": [comment_document(c) for c in page]}

    return await svc.db.read(load)


async def get_comment(svc: Services, viewer: Principal, item_id: str, comment_id: str) -> dict[str, Any]:
    def load(conn: Connection) -> dict[str, Any]:
        return comment_document(_comment(conn, items.seen_item(conn, viewer, item_id), comment_id))

    return await svc.db.read(load)


# ------------------------------------------------------------------ changing
async def add_comment(svc: Services, viewer: Principal, item_id: str, text: str) -> dict[str, Any]:
    """POST content/items/{id}/addComment."""
    cleaned = clean_comment(text, ADD_FAILED)
    assert viewer.user is not None  # the operation admits signed-in users only
    user_id, comment_id, now = viewer.user.id, new_id(), svc.clock.now_ms()

    def change(conn: Connection) -> None:
        found = items.seen_item(conn, viewer, item_id, lock=True)
        if not _comments_enabled(conn, found):
            raise Forbidden(DISABLED)
        item_social.insert_comment(conn, comment_id, found.item.id, user_id, cleaned, now)

    await svc.db.write(change)
    return {"success": True, "commentId": comment_id}


async def update_comment(svc: Services, viewer: Principal, item_id: str, comment_id: str,
                         text: str) -> dict[str, Any]:
    """POST content/items/{id}/comments/{cid}/update: the author only."""
    cleaned = clean_comment(text, "Unable to update comment.")
    now = svc.clock.now_ms()

    def change(conn: Connection) -> str:
        comment = _comment(conn, items.seen_item(conn, viewer, item_id, lock=True), comment_id)
        if viewer.user is None or viewer.user.id != comment.owner_id:
            raise Forbidden()
        item_social.update_comment(conn, comment.id, cleaned, now)
        return comment.id

    return {"success": True, "commentId": await svc.db.write(change)}


def _may_delete(viewer: Principal, found: SeenItem, comment: Comment) -> bool:
    if viewer.user is None:
        return False
    return viewer.user.id in (comment.owner_id, found.item.owner_id) or viewer.admin_of(
        found.item.org_id, "portal:admin:updateItems")


async def delete_comment(svc: Services, viewer: Principal, item_id: str, comment_id: str) -> dict[str, Any]:
    """POST content/items/{id}/comments/{cid}/delete: the author, the owner, administrators."""

    def change(conn: Connection) -> str:
        found = items.seen_item(conn, viewer, item_id, lock=True)
        comment = _comment(conn, found, comment_id)
        if not _may_delete(viewer, found, comment):
            raise Forbidden()
        item_social.delete_comment(conn, found.item.id, comment.id)
        return comment.id

    return {"success": True, "commentId": await svc.db.write(change)}
