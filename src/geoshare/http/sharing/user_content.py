"""A user's content and folders (sharing-api.md §6.2, §6.3, §6.9 move and reassign, §6.7
content/items/{id}/groups): listings, createFolder, updateFolder, delete a folder, move,
moveItems, reassign."""

from __future__ import annotations

from typing import Any

from geoshare.domain import folders, item_moves, user_content
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

USER = "content/users/{user}"
FOLDER = f"{USER}/{{folderId}}"
ITEM = f"{USER}/items/{{itemId}}"
FOLDER_ITEM = f"{FOLDER}/items/{{itemId}}"
LISTING_PARAMS = (
    Param("start", "int", help="1-based; 0 is the first page, a negative start an empty page."),
    Param("num", "int", minimum=0, help="Page size, 10 by default; above 100 counts as 100."),
    Param("sortField", choices=("title", "created", "modified", "type", "size")),
    Param("sortOrder", choices=("asc", "desc")),
    Param("folders", "bool", help="Accepted; the root listing always lists the folders."),
    Param("foldersContent", "bool", help="true: the items of every folder, the root's too."),
    Param("types", max_length=1024, help="Accepted and ignored (arcgis Folder.list sends it)."),
)
TITLE = Param("title", max_length=1024, help="The folder's title: plain text, unique per user, no '/'.")
FOLDER_PARAM = Param("folder", max_length=1024, help="Target folder id (or title); '/' or empty: the root.")


def _user(ctx: Ctx) -> str:
    return ctx.path_params["user"]


async def _listing(ctx: Ctx, folder_id: str | None) -> dict[str, Any]:
    p = ctx.params
    return await user_content.user_content(ctx.svc, ctx.principal, _user(ctx), folder_id, start=p["start"],
                                           num=p["num"], sort_field=p["sortField"], sort_order=p["sortOrder"],
                                           folders_content=bool(p["foldersContent"]))


@operation("sharing", USER, name="User Content", permission="user", params=LISTING_PARAMS,
           summary="The user's root folder and folders (the user, or portal:admin:viewItems in their organization).")
async def list_user_content(ctx: Ctx) -> dict[str, Any]:
    return await _listing(ctx, None)


@operation("sharing", FOLDER, name="Folder Content", permission="user", params=LISTING_PARAMS,
           summary="The items of one of the user's folders.")
async def list_folder_content(ctx: Ctx) -> dict[str, Any]:
    return await _listing(ctx, ctx.path_params["folderId"])


@operation("sharing", f"{USER}/createFolder", kind="operation", methods=("POST",), permission="user",
           params=(TITLE,), failure_message=folders.CREATE_FAILED, summary="Create a folder.")
async def create_folder(ctx: Ctx) -> dict[str, Any]:
    return await folders.create_folder(ctx.svc, ctx.principal, _user(ctx), ctx.params["title"])


@operation("sharing", f"{FOLDER}/updateFolder", kind="operation", methods=("POST",), permission="user",
           params=(TITLE, Param("newTitle", max_length=1024, help="arcgis's name for title.")),
           failure_message=folders.UPDATE_FAILED, summary="Rename a folder.")
async def update_folder(ctx: Ctx) -> dict[str, Any]:
    title = ctx.params["title"] or ctx.params["newTitle"]
    return await folders.update_folder(ctx.svc, ctx.principal, _user(ctx), ctx.path_params["folderId"], title)


@operation("sharing", f"{FOLDER}/delete", kind="operation", methods=("POST",), permission="user",
           params=(Param("permanentDelete", "bool", help="Accepted; there is no recycle bin."),),
           failure_message=folders.DELETE_FAILED, summary="Delete a folder and every item in it.")
async def delete_folder(ctx: Ctx) -> dict[str, Any]:
    return await folders.delete_folder(ctx.svc, ctx.principal, _user(ctx), ctx.path_params["folderId"])


@operation("sharing", f"{ITEM}/move", kind="operation", methods=("POST",), permission="user",
           aliases=(f"{FOLDER_ITEM}/move",), params=(FOLDER_PARAM,), failure_message=item_moves.MOVE_FAILED,
           summary="Move the item to another of its owner's folders.")
async def move_item(ctx: Ctx) -> dict[str, Any]:
    return await item_moves.move_item(ctx.svc, ctx.principal, _user(ctx), ctx.path_params["itemId"],
                                      ctx.params["folder"])


@operation("sharing", f"{USER}/moveItems", kind="operation", methods=("POST",), permission="user",
           aliases=(f"{FOLDER}/moveItems",),
           params=(Param("items", "list", required=True, max_length=33 * 1000, help="Item ids."), FOLDER_PARAM),
           failure_message=item_moves.MOVE_FAILED, summary="Move items; one result per item.")
async def move_items(ctx: Ctx) -> dict[str, Any]:
    return await item_moves.move_items(ctx.svc, ctx.principal, _user(ctx), ctx.params["items"],
                                       ctx.params["folder"])


@operation("sharing", f"{ITEM}/reassign", kind="operation", methods=("POST",), permission="portal:admin:reassignItems",
           aliases=(f"{FOLDER_ITEM}/reassign",),
           params=(Param("targetUsername", required=True, max_length=128, help="The new owner."),
                   Param("targetFolderName", max_length=1024, help="The new owner's folder; created if missing.")),
           failure_message=item_moves.REASSIGN_FAILED, summary="Give the item to another member of its organization.")
async def reassign_item(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await item_moves.reassign_item(ctx.svc, ctx.principal, _user(ctx), ctx.path_params["itemId"],
                                          p["targetUsername"], p["targetFolderName"])


@operation("sharing", "content/items/{itemId}/groups", name="Item Groups",
           summary="The groups the item is shared with that you see: admin, member, other.")
async def item_groups(ctx: Ctx) -> dict[str, Any]:
    return await user_content.item_groups(ctx.svc, ctx.principal, ctx.path_params["itemId"])
