"""Organization resources: portals/{id}/resources, resources/{key}, addResource and
removeResource (sharing-api.md §3.5)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from geoshare.domain import org_resources
from geoshare.domain.page_window import window
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

PAGING = (Param("start", "int", help="1-based; 0 is the first page too."),
          Param("num", "int", help="Page size, 0 to 100 (default 10)."))
# A key may hold "/": resources/{key} answers for keys of up to MAX_SEGMENTS path segments.
KEY_PATHS = tuple("portals/{portal}/resources/{key}" + "".join(f"/{{key{i}}}" for i in range(1, n))
                  for n in range(2, org_resources.MAX_SEGMENTS + 1))
# A file served from the portal's own origin must not run as a page of it: no script, no
# plugin, no same-origin access even for an HTML or SVG file.
RESOURCE_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
                    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"}


@operation("sharing", "portals/{portal}/resources", name="resources", params=PAGING,
           summary="The organization's resources (private ones for its website administrators only).")
async def resources(ctx: Ctx) -> dict[str, Any]:
    page = window(ctx.params["start"], ctx.params["num"])
    return await org_resources.list_resources(ctx.svc, ctx.principal, ctx.path_params["portal"], page)


@operation("sharing", "portals/{portal}/resources/{key}", name="resource", aliases=KEY_PATHS, private_ok=True,
           summary="One resource's bytes, typed by the key's extension.")
async def resource(ctx: Ctx) -> Response:
    parts = [ctx.path_params["key"], *(ctx.path_params[f"key{i}"] for i in range(1, len(ctx.path_params) - 1))]
    data, media_type = await org_resources.get_resource(ctx.svc, ctx.principal, ctx.path_params["portal"],
                                                        "/".join(parts))
    return Response(data, media_type=media_type, headers=RESOURCE_HEADERS)


@operation("sharing", "portals/{portal}/addResource", name="addResource", kind="operation", methods=("POST",),
           permission="portal:admin:manageWebsite", failure_message=org_resources.ADD_MESSAGE,
           params=(Param("key", required=True, max_length=org_resources.MAX_KEY,
                         help="File name with its extension; may contain /."),
                   Param("file", "file", help="The file (multipart)."),
                   Param("text", help="Or the content as text."),
                   Param("access", choices=("public", "private"), default="public")),
           summary="Add or replace a resource.")
async def add_resource(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    data = await p["file"].read() if p["file"] is not None else None
    return await org_resources.add_resource(ctx.svc, ctx.principal, ctx.path_params["portal"], p["key"], data,
                                            p["text"], p["access"])


@operation("sharing", "portals/{portal}/removeResource", name="removeResource", kind="operation",
           methods=("POST",), permission="portal:admin:manageWebsite",
           params=(Param("key", required=True, max_length=org_resources.MAX_KEY),),
           failure_message="Unable to remove resource.", summary="Remove a resource.")
async def remove_resource(ctx: Ctx) -> dict[str, Any]:
    return await org_resources.remove_resource(ctx.svc, ctx.principal, ctx.path_params["portal"], ctx.params["key"])
