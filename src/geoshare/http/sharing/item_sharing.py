"""Sharing items (sharing-api.md §6.10): by the owner or administrators under
content/users/{u}, and by group managers under content/items/{id}."""

from __future__ import annotations

from typing import Any

from geoshare.domain import item_sharing
from geoshare.domain.item_sharing import Share
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

OWNED = "content/users/{user}/items/{itemId}"
ITEM = "content/items/{itemId}"
LIST_CHARS = item_sharing.MAX_GROUPS * 40
GROUPS = Param("groups", "list", max_length=LIST_CHARS, help="Group ids, comma-separated.")
LEVELS = (Param("everyone", "bool", help="true shares with everyone, false stops; absent leaves it."),
          Param("org", "bool", help="true shares with the organization, false stops; absent leaves it."))
CONFIRM = Param("confirmItemControl", "bool", default=False,
                help="Required to share into shared-update groups (their members may then update the item).")
ITEMS = Param("items", "list", required=True, max_length=item_sharing.MAX_ITEMS * 40, help="Item ids.")


def _share(ctx: Ctx) -> Share:
    p = ctx.params
    return Share(everyone=p["everyone"], org=p["org"],
                 groups=tuple(p["groups"] or ()), confirm_item_control=bool(p["confirmItemControl"]),
                 blank_groups="groups" in ctx.supplied and not p["groups"])


@operation("sharing", f"{OWNED}/share", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to share item.", params=(*LEVELS, GROUPS, CONFIRM),
           summary="Share the item (owner; administrators with portal:admin:shareTo*).")
async def share(ctx: Ctx) -> dict[str, Any]:
    return await item_sharing.share_item(ctx.svc, ctx.principal, ctx.path_params["user"],
                                         ctx.path_params["itemId"], _share(ctx))


@operation("sharing", f"{OWNED}/unshare", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to unshare item.", params=(GROUPS,),
           summary="Stop sharing the item with groups (owner; administrators).")
async def unshare(ctx: Ctx) -> dict[str, Any]:
    return await item_sharing.unshare_item(ctx.svc, ctx.principal, ctx.path_params["user"],
                                           ctx.path_params["itemId"], tuple(ctx.params["groups"] or ()))


@operation("sharing", f"{ITEM}/share", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to share item.", params=(*LEVELS, GROUPS, CONFIRM),
           summary="Share an item the caller sees into groups the caller manages (levels: owner, administrators).")
async def share_as_manager(ctx: Ctx) -> dict[str, Any]:
    return await item_sharing.share_item_as_manager(ctx.svc, ctx.principal, ctx.path_params["itemId"], _share(ctx))


@operation("sharing", f"{ITEM}/unshare", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to unshare item.", params=(GROUPS,),
           summary="Stop sharing an item with groups the caller manages.")
async def unshare_as_manager(ctx: Ctx) -> dict[str, Any]:
    return await item_sharing.unshare_item_as_manager(ctx.svc, ctx.principal, ctx.path_params["itemId"],
                                                      tuple(ctx.params["groups"] or ()))


@operation("sharing", "content/users/{user}/shareItems", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to share items.", params=(ITEMS, *LEVELS, GROUPS, CONFIRM),
           summary="Share several of the user's items at once; a result per item.")
async def share_items(ctx: Ctx) -> dict[str, Any]:
    return await item_sharing.share_items(ctx.svc, ctx.principal, ctx.path_params["user"], ctx.params["items"],
                                          _share(ctx))


@operation("sharing", "content/users/{user}/unshareItems", kind="operation", methods=("POST",), permission="user",
           failure_message="Unable to unshare items.", params=(ITEMS, GROUPS),
           summary="Stop sharing several of the user's items with groups; a result per item.")
async def unshare_items(ctx: Ctx) -> dict[str, Any]:
    return await item_sharing.unshare_items(ctx.svc, ctx.principal, ctx.path_params["user"], ctx.params["items"],
                                            tuple(ctx.params["groups"] or ()))
