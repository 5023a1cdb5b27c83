"""Comments, ratings and relationships of items (sharing-api.md §6.12, §6.13)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from geoshare.domain import item_comments, item_ratings, item_relationships
from geoshare.http import rss
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

ITEM = "content/items/{itemId}"
COMMENT = f"{ITEM}/comments/{{commentId}}"
TEXT = Param("comment", required=True, max_length=item_comments.MAX_COMMENT,
             help="The comment: plain text or the limited HTML of descriptions.")
PAGING = (Param("start", "int", help="1-based; 0 is the first page."),
          Param("num", "int", minimum=0, help="Page size, 10 by default, at most 100."))
LINK = (Param("originItemId", required=True, max_length=64, help="The item the relationship starts from."),
        Param("destinationItemId", required=True, max_length=64, help="The item it points to."),
        Param("relationshipType", required=True, max_length=64, help="One of the relationship types of §6.12."))


def _item(ctx: Ctx) -> str:
    return ctx.path_params["itemId"]


# ------------------------------------------------------------------ comments
def item_page(ctx: Ctx, item_id: str) -> str:
    return f"{ctx.portal_url}/home/item.html?id={item_id}"


async def comments_feed(ctx: Ctx) -> Response:
    """`f=rss` of the comments: the same page of the same comments as the JSON answer."""
    item, answer = await item_comments.commented_item(ctx.svc, ctx.principal, _item(ctx), ctx.params["start"],
                                                      ctx.params["num"])
    link = item_page(ctx, item.id)
    channel = rss.Channel(f"Comments for {item.title}", link, f"Comments on the item {item.title}.")
    return rss.feed(channel, [rss.Entry(f"Comment by {c['owner']}", link, c["comment"], c["id"], c["created"])
                              for c in answer["comments"]])


@operation("sharing", f"{ITEM}/comments", name="Comments", params=PAGING, rss=comments_feed,
           summary="The item's comments, newest first (whoever may read the item); f=rss gives them as a feed.")
async def comments(ctx: Ctx) -> dict[str, Any]:
    return await item_comments.list_comments(ctx.svc, ctx.principal, _item(ctx), ctx.params["start"],
                                             ctx.params["num"])


@operation("sharing", f"{ITEM}/addComment", kind="operation", methods=("POST",), permission="user",
           failure_message=item_comments.ADD_FAILED, params=(TEXT,),
           summary="Comment on an item the caller reads (comments enabled on the item and the organization).")
async def add_comment(ctx: Ctx) -> dict[str, Any]:
    return await item_comments.add_comment(ctx.svc, ctx.principal, _item(ctx), ctx.params["comment"])


@operation("sharing", COMMENT, name="Comment", summary="One comment of the item.")
async def comment(ctx: Ctx) -> dict[str, Any]:
    return await item_comments.get_comment(ctx.svc, ctx.principal, _item(ctx), ctx.path_params["commentId"])


@operation("sharing", f"{COMMENT}/update", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to update comment.", params=(TEXT,), summary="Edit a comment (its author).")
async def update_comment(ctx: Ctx) -> dict[str, Any]:
    return await item_comments.update_comment(ctx.svc, ctx.principal, _item(ctx), ctx.path_params["commentId"],
                                              ctx.params["comment"])


@operation("sharing", f"{COMMENT}/delete", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to delete comment.",
           summary="Delete a comment (its author, the item's owner, administrators).")
async def delete_comment(ctx: Ctx) -> dict[str, Any]:
    return await item_comments.delete_comment(ctx.svc, ctx.principal, _item(ctx), ctx.path_params["commentId"])


# ------------------------------------------------------------------ ratings
@operation("sharing", f"{ITEM}/rating", name="Rating", permission="user",
           summary="The caller's rating of the item, or {} when they have not rated it.")
async def rating(ctx: Ctx) -> dict[str, Any]:
    return await item_ratings.get_rating(ctx.svc, ctx.principal, _item(ctx))


@operation("sharing", f"{ITEM}/addRating", kind="operation", methods=("POST",), permission="user",
           failure_message=item_ratings.RATE_FAILED,
           params=(Param("rating", required=True, max_length=32, help="From 1.0 to 5.0."),),
           summary="Rate an item the caller reads (not their own); rating again overwrites.")
async def add_rating(ctx: Ctx) -> dict[str, Any]:
    return await item_ratings.add_rating(ctx.svc, ctx.principal, _item(ctx), ctx.params["rating"])


@operation("sharing", f"{ITEM}/deleteRating", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to delete rating.", summary="Withdraw the caller's rating.")
async def delete_rating(ctx: Ctx) -> dict[str, Any]:
    return await item_ratings.delete_rating(ctx.svc, ctx.principal, _item(ctx))


# ------------------------------------------------------------------ relationships
@operation("sharing", f"{ITEM}/relatedItems", name="Related items",
           params=(Param("relationshipType", max_length=64, help="One relationship type."),
                   Param("relationshipTypes", "list", max_length=2000, help="Relationship types, comma-separated."),
                   Param("direction", choices=("forward", "reverse"), default="forward",
                         help="forward: this item is the origin; reverse: the destination.")),
           summary="Items related to this one that the caller may read.")
async def related_items(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    kinds = [*([p["relationshipType"]] if p["relationshipType"] else []), *(p["relationshipTypes"] or [])]
    return await item_relationships.related_items(ctx.svc, ctx.principal, _item(ctx), kinds, p["direction"])


@operation("sharing", "content/users/{user}/addRelationship", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to add relationship.", params=LINK,
           summary="Relate the user's item to another item the caller reads (idempotent).")
async def add_relationship(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await item_relationships.add_relationship(ctx.svc, ctx.principal, ctx.path_params["user"],
                                                     p["originItemId"], p["destinationItemId"], p["relationshipType"])


@operation("sharing", "content/users/{user}/deleteRelationship", kind="operation", methods=("POST",),
           permission="user", failure_message="Unable to delete relationship.", params=LINK,
           summary="Remove a relationship from the user's item.")
async def delete_relationship(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await item_relationships.delete_relationship(ctx.svc, ctx.principal, ctx.path_params["user"],
                                                        p["originItemId"], p["destinationItemId"],
                                                        p["relationshipType"])
