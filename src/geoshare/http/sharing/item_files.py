"""Item uploads and files: the multipart upload (addPart, parts, commit, cancel, status,
sharing-api.md §6.6), item resources (§6.11) and info files (§6.7, §6.8 updateinfo/deleteInfo).

Every operation under content/users/{u}/items/{id} is also reachable in the folder form
content/users/{u}/{folder}/items/{id}/..., as the Python client calls it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response, StreamingResponse

from geoshare.domain import item_resources, item_upload
from geoshare.domain.page_window import window
from geoshare.http.context import Ctx
from geoshare.http.operations import Handler, operation
from geoshare.http.params import Param

USER_ITEM = "content/users/{user}/items/{item}/"
FOLDER_ITEM = "content/users/{user}/{folder}/items/{item}/"
# A resource or info path may hold "/": the routes take paths of up to MAX_SEGMENTS segments.
RESOURCE_PATHS = tuple("content/items/{item}/resources/{p0}" + "".join(f"/{{p{i}}}" for i in range(1, n))
                       for n in range(1, item_resources.MAX_SEGMENTS + 1))
INFO_PATHS = tuple("content/items/{item}/info/{p0}" + "".join(f"/{{p{i}}}" for i in range(1, n))
                   for n in range(1, item_resources.MAX_SEGMENTS + 1))
# Files served from the portal's own origin must not run as its pages (as organization resources).
FILE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"}


def _user_item(name: str, **kwargs: Any) -> Callable[[Handler], Handler]:
    return operation("sharing", USER_ITEM + name, name=name, aliases=(FOLDER_ITEM + name,), permission="user",
                     **kwargs)


def _who(ctx: Ctx) -> tuple[Any, Any, str, str]:
    return ctx.svc, ctx.principal, ctx.path_params["user"], ctx.path_params["item"]


# ------------------------------------------------------------------ multipart upload (§6.6)
@_user_item("addPart", large_upload=True, kind="operation", methods=("POST",), failure_message=item_upload.PART_MESSAGE,
            params=(Param("partNum", "int", required=True, help="1 to 10000; sending a number again replaces it."),
                    Param("file", "file", help="The part's bytes (multipart)."),
                    Param("streamdata", "bool", help="Sent by the Python client; parts always stream."),
                    Param("size", "int", help="Sent by the Python client; the stored size is what arrived.")),
            summary="Add one part of a multipart upload.")
async def add_part(ctx: Ctx) -> dict[str, Any]:
    upload = ctx.params["file"]
    return await item_upload.add_part(*_who(ctx), ctx.params["partNum"], upload.file if upload else None)


@_user_item("parts", summary="The part numbers received so far.")
async def parts(ctx: Ctx) -> dict[str, Any]:
    return await item_upload.list_parts(*_who(ctx))


@_user_item("commit", kind="operation", methods=("POST",), failure_message=item_upload.COMMIT_MESSAGE,
            summary="Join the parts, in ascending number, into the item's data.")
async def commit(ctx: Ctx) -> dict[str, Any]:
    return await item_upload.commit(*_who(ctx))


@_user_item("cancel", kind="operation", methods=("POST",), failure_message="Unable to cancel upload.",
            summary="Discard the parts (an item that never had data is deleted).")
async def cancel(ctx: Ctx) -> dict[str, Any]:
    return await item_upload.cancel(*_who(ctx))


@_user_item("status", params=(Param("jobId", max_length=64), Param("jobType", choices=item_upload.JOB_TYPES)),
            summary="The item's status: partial during an upload, completed otherwise.")
async def status(ctx: Ctx) -> dict[str, Any]:
    return await item_upload.status(*_who(ctx))


# ------------------------------------------------------------------ resources (§6.11)
def _resource_params() -> tuple[Param, ...]:
    return (Param("file", "file", help="The file (multipart)."),
            Param("text", help="Or the content as text (with fileName)."),
            Param("fileName", max_length=item_resources.MAX_PATH, help="The resource's name (default: the file's)."),
            Param("resourcesPrefix", max_length=item_resources.MAX_PATH, help="Sub-path to put the resource under."),
            Param("access", choices=("inherit", "private"), default="inherit"))


async def _add(ctx: Ctx, replace: bool) -> dict[str, Any]:
    p = ctx.params
    upload = p["file"]
    return await item_resources.add_resource(
        *_who(ctx), source=upload.file if upload else None, upload_name=upload.filename if upload else None,
        text=p["text"], file_name=p["fileName"], prefix=p["resourcesPrefix"],
        access=p["access"], replace=replace)


@_user_item("addResources", large_upload=True, kind="operation", methods=("POST",), failure_message=item_resources.ADD_MESSAGE,
            params=_resource_params(), summary="Add a file to the item's resources.")
async def add_resources(ctx: Ctx) -> dict[str, Any]:
    return await _add(ctx, False)


@_user_item("updateResources", large_upload=True, kind="operation", methods=("POST",), failure_message="Unable to update resource.",
            params=_resource_params(), summary="Replace (or add) a resource.")
async def update_resources(ctx: Ctx) -> dict[str, Any]:
    return await _add(ctx, True)


@_user_item("removeResources", kind="operation", methods=("POST",), failure_message="Unable to remove resource.",
            params=(Param("resource", max_length=item_resources.MAX_PATH), Param("deleteAll", "bool")),
            summary="Remove one resource, or all with deleteAll=true.")
async def remove_resources(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await item_resources.remove_resource(*_who(ctx), p["resource"], bool(p["deleteAll"]))


@operation("sharing", "content/items/{item}/resources", name="resources",
           params=(Param("start", "int", help="1-based."), Param("num", "int", help="Page size, 0 to 1000.")),
           summary="The item's resources (private ones for its owner and administrators only).")
async def resources(ctx: Ctx) -> dict[str, Any]:
    page = window(ctx.params["start"], ctx.params["num"], max_num=1000)
    return await item_resources.list_resources(ctx.svc, ctx.principal, ctx.path_params["item"], page)


def _joined(ctx: Ctx) -> str:
    count = sum(1 for k in ctx.path_params if k.startswith("p") and k[1:].isdigit())
    return "/".join(ctx.path_params[f"p{i}"] for i in range(count))


async def _serve(ctx: Ctx, kind: str) -> Response:
    stream, media_type, size = await item_resources.open_file(ctx.svc, ctx.principal, ctx.path_params["item"], kind,
                                                              _joined(ctx))
    return StreamingResponse(stream, media_type=media_type, headers={**FILE_HEADERS, "Content-Length": str(size)})


@operation("sharing", RESOURCE_PATHS[0], name="resource", aliases=RESOURCE_PATHS[1:],
           summary="One resource's bytes, typed by its extension.")
async def resource(ctx: Ctx) -> Response:
    return await _serve(ctx, "resource")


# ------------------------------------------------------------------ info files (§6.7, §6.8)
@_user_item("updateinfo", large_upload=True, kind="operation", methods=("POST",), failure_message=item_resources.INFO_MESSAGE,
            params=(Param("file", "file", help="The file (multipart)."),
                    Param("folderName", max_length=item_resources.MAX_PATH, help="Sub-folder under info/.")),
            summary="Add or replace an info file.")
async def update_info(ctx: Ctx) -> dict[str, Any]:
    upload = ctx.params["file"]
    return await item_resources.update_info(*_who(ctx), upload.file if upload else None,
                                            upload.filename if upload else None, ctx.params["folderName"])


@_user_item("deleteInfo", kind="operation", methods=("POST",), failure_message="Unable to delete item info.",
            params=(Param("infoFile", required=True, max_length=item_resources.MAX_PATH),),
            summary="Remove an info file.")
async def delete_info(ctx: Ctx) -> dict[str, Any]:
    return await item_resources.delete_info(*_who(ctx), ctx.params["infoFile"])


@operation("sharing", INFO_PATHS[0], name="info", aliases=INFO_PATHS[1:],
           summary="An info file added with updateinfo.")
async def info_file(ctx: Ctx) -> Response:
    return await _serve(ctx, "info")
