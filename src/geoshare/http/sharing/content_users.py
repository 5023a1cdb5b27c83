"""content/users/{u}: a user's content listing (sharing-api.md §6.2).  The domain's content
source is empty until items exist; the listing's shape and paging are already the real ones,
because the Python client's `user.delete()` reads it first."""

from __future__ import annotations

from typing import Any

from geoshare.domain import users
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

LISTING_PARAMS = (
    Param("start", "int", help="1-based; 0 is the first page, a negative start an empty page."),
    Param("num", "int", minimum=0, help="Page size, 10 by default; above 100 counts as 100."),
    Param("sortField", choices=("title", "created", "modified", "type", "size")),
    Param("sortOrder", choices=("asc", "desc")),
    Param("folders", "bool"), Param("foldersContent", "bool"),
)


@operation("sharing", "content/users/{user}", name="User Content", permission="user", params=LISTING_PARAMS,
           summary="The user's content (the user, or portal:admin:viewItems in their organization).")
async def user_content(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    return await users.user_content(ctx.svc, ctx.principal, ctx.path_params["user"], start=p["start"], num=p["num"],
                                     sort_field=p["sortField"], sort_order=p["sortOrder"])
