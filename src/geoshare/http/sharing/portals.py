"""Portal (organization) resources: portals/self, portals/{id}, languages, regions (sharing-api.md §3)."""

from __future__ import annotations

from typing import Any

from geoshare.domain import portal
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

CULTURE = Param("culture", max_length=16, help="Culture code for localized names (e.g. en-US).")


@operation("sharing", "portals/{portal}", name="Portal", private_ok=True, params=(CULTURE, Param("region", max_length=16)),
           summary="The organization as the caller sees it; `self` is the caller's own.")
async def portal_self(ctx: Ctx) -> dict[str, Any]:
    org = await portal.portal_for(ctx.svc, ctx.principal, ctx.path_params["portal"])
    host_path = f"{ctx.host}/{ctx.svc.settings.portal_context.strip('/')}"
    port = ctx.request.url.port or ctx.svc.settings.port
    return portal.portal_document(org, ctx.principal, host_path=host_path, public_base=ctx.portal_url, port=port)


@operation("sharing", "portals/languages", private_ok=True, params=(CULTURE,),
           summary="Languages the portal offers (a bare JSON array).")
async def languages(ctx: Ctx) -> list[dict[str, str]]:
    return list(portal.LANGUAGES)


@operation("sharing", "portals/regions", private_ok=True, params=(CULTURE,),
           summary="Regions the portal offers (a bare JSON array).")
async def regions(ctx: Ctx) -> list[dict[str, str]]:
    return list(portal.REGIONS)
