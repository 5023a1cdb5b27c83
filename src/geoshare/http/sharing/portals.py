"""Portal (organization) resources: portals/self, portals/{id}, languages, regions (sharing-api.md §3)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

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
    return portal.portal_document(org, ctx.principal, host_path=host_path, public_base=ctx.portal_url,
                                  port=public_port(ctx.svc.settings.public_url, ctx.svc.settings.port))


def public_port(public_url: str, listening_port: int) -> int:
    """The port clients reach the portal on: --public-url's (explicit or its scheme's default),
    else the listening port; never the port a request's Host header names."""
    if not public_url:
        return listening_port
    parts = urlsplit(public_url)
    return parts.port or (443 if parts.scheme.lower() == "https" else 80)


@operation("sharing", "portals/languages", private_ok=True, params=(CULTURE,),
           summary="Languages the portal offers (a bare JSON array).")
async def languages(ctx: Ctx) -> list[dict[str, str]]:
    return list(portal.LANGUAGES)


@operation("sharing", "portals/regions", private_ok=True, params=(CULTURE,),
           summary="Regions the portal offers (a bare JSON array).")
async def regions(ctx: Ctx) -> list[dict[str, str]]:
    return list(portal.REGIONS)
