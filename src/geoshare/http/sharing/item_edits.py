"""Items: update, thumbnail, delete, deleteItems, canDelete, protect, unprotect (sharing-api.md §6.7-6.9)."""

from __future__ import annotations

from typing import Any

from geoshare.domain import item_add, item_edit, item_fields
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param
from geoshare.http.sharing.items import (
    FIELD_PARAMS,
    FOLDER_ITEM,
    SOURCE_PARAMS,
    USER,
    USER_ITEM,
    given_fields,
    sources_of,
    upload_of,
)


def _at(name: str) -> dict[str, Any]:
    """Path and folder-form alias of an operation on one of the user's items."""
    return {"path": f"{USER_ITEM}/{name}", "aliases": (f"{FOLDER_ITEM}/{name}",)}


def _ids(ctx: Ctx) -> tuple[Any, str, str]:
    return ctx.principal, ctx.path_params["user"], ctx.path_params["itemId"]


@operation("sharing", kind="operation", methods=("POST",), permission="user", failure_message=item_fields.UPDATE_FAILED,
           params=(*FIELD_PARAMS, *SOURCE_PARAMS,
                   Param("multipart", "bool", help="true: new data follows in parts (addPart, commit)."),
                   Param("clearEmptyFields", "bool", default=False, help="Supplied empty values clear their property.")),
           summary="Change the item: its owner, an administrator with portal:admin:updateItems, or a member of a "
                   "shared-update group it was shared with under item control.", **_at("update"))
async def update_item(ctx: Ctx) -> dict[str, Any]:
    thumbnail = ctx.param("thumbnail")
    request = item_edit.Update(given=given_fields(ctx), clear=ctx.params["clearEmptyFields"], sources=sources_of(ctx),
                               thumbnail_cleared=thumbnail is None and "thumbnail" in ctx.supplied)
    return await item_edit.update_item(ctx.svc, *_ids(ctx), request)


@operation("sharing", kind="operation", methods=("POST",), permission="user", failure_message=item_fields.UPDATE_FAILED,
           params=(Param("thumbnail", "file", help="PNG, GIF or JPEG image of at most 1 MB."),
                   Param("thumbnailurl", max_length=item_fields.MAX_URL, help="Fetched; allowed hosts only.")),
           summary="Replace the item's thumbnail: whoever may update the item.", **_at("updateThumbnail"))
async def update_thumbnail(ctx: Ctx) -> dict[str, Any]:
    sources = item_add.Sources(thumbnail=upload_of(ctx.param("thumbnail")), thumbnail_url=ctx.param("thumbnailurl"))
    return await item_edit.update_thumbnail(ctx.svc, *_ids(ctx), sources)


@operation("sharing", kind="operation", methods=("POST",), permission="user", failure_message=item_fields.UPDATE_FAILED,
           summary="Remove the item's thumbnail: whoever may update the item.", **_at("deleteThumbnail"))
async def delete_thumbnail(ctx: Ctx) -> dict[str, Any]:
    return await item_edit.delete_thumbnail(ctx.svc, *_ids(ctx))


@operation("sharing", kind="operation", methods=("POST",), permission="user", failure_message=item_edit.DELETE_FAILED,
           params=(Param("permanentDelete", "bool", help="Accepted; deletes are always permanent."),),
           summary="Delete the item and its files: the owner or an administrator with portal:admin:deleteItems; "
                   "never a protected item.", **_at("delete"))
async def delete_item(ctx: Ctx) -> dict[str, Any]:
    return await item_edit.delete_item(ctx.svc, *_ids(ctx))


@operation("sharing", f"{USER}/deleteItems", kind="operation", methods=("POST",), permission="user",
           failure_message=item_edit.DELETE_FAILED, aliases=(f"{USER}/{{folderId}}/deleteItems",),
           params=(Param("items", "list", required=True, help="Comma-separated item ids (at most 100)."),
                   Param("permanentDelete", "bool", help="Accepted; deletes are always permanent.")),
           summary="Delete several items; one result per item.")
async def delete_items(ctx: Ctx) -> dict[str, Any]:
    return await item_edit.delete_items(ctx.svc, ctx.principal, ctx.path_params["user"], ctx.params["items"])


@operation("sharing", permission="user", failure_message=item_edit.DELETE_FAILED,
           summary="Whether the item may be deleted (not protected): owner or administrator.", **_at("canDelete"))
async def can_delete(ctx: Ctx) -> dict[str, Any]:
    return await item_edit.can_delete(ctx.svc, *_ids(ctx))


@operation("sharing", kind="operation", methods=("POST",), permission="user",
           summary="Protect the item from deletion: the owner or an administrator with portal:admin:deleteItems.",
           **_at("protect"))
async def protect(ctx: Ctx) -> dict[str, Any]:
    return await item_edit.set_protected(ctx.svc, *_ids(ctx), True)


@operation("sharing", kind="operation", methods=("POST",), permission="user",
           summary="Allow the item to be deleted again: the owner or an administrator with portal:admin:deleteItems.",
           **_at("unprotect"))
async def unprotect(ctx: Ctx) -> dict[str, Any]:
    return await item_edit.set_protected(ctx.svc, *_ids(ctx), False)
