"""community/self and community/users/{u} (sharing-api.md §4.2-4.3)."""

from __future__ import annotations

from typing import Any

from geoshare.domain import portal
from geoshare.http.context import Ctx
from geoshare.http.operations import operation


@operation("sharing", "community/self", name="Self", permission="user",
           summary="The signed-in user (an error without a token).")
async def community_self(ctx: Ctx) -> dict[str, Any]:
    return portal.self_user(ctx.principal)


@operation("sharing", "community/users/{user}", name="User",
           summary="A user by username or id, as much as the caller may see.")
async def community_user(ctx: Ctx) -> dict[str, Any]:
    return await portal.get_user(ctx.svc, ctx.principal, ctx.path_params["user"])
