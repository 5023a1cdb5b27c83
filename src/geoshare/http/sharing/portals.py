"""Portal (organization) resources: portals/self, portals/{id}, languages, regions (sharing-api.md §3)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from geoshare.domain import org_resources, organization, portal, security_policy
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


# ------------------------------------------------------------------ update (§3.2)
UPDATE_PARAMS = (
    *(Param(f.name, f.kind, max_length=f.max_length, choices=f.choices, help=f.help) for f in organization.FIELDS),
    Param("thumbnail", "file_or_name", max_length=255,
          help="PNG, GIF or JPEG of at most 1 MB; stored as the resource thumbnail.<ext> (as text: the "
               "current thumbnail's name, no change)."),
    Param("clearEmptyFields", "bool", help="true: parameters sent empty are cleared."),
)


@operation("sharing", "portals/{portal}/update", name="update", kind="operation", methods=("POST",),
           params=UPDATE_PARAMS, permission="portal:admin:manageWebsite | portal:admin:manageSecurity",
           failure_message=organization.MESSAGE,
           summary="Change the organization's settings (security settings need manageSecurity, the rest "
                   "manageWebsite).")
async def update_portal(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    sent = ctx.supplied
    named = p["thumbnail"] if isinstance(p["thumbnail"], str) else None
    thumbnail = await p["thumbnail"].read() if p["thumbnail"] is not None and named is None else None
    update = organization.PortalUpdate(
        values={f.name: p[f.name] for f in organization.FIELDS},
        emptied=frozenset(name for name in (*organization.BY_NAME, "thumbnail")
                          if name.lower() in sent and p[name] is None),
        thumbnail=thumbnail, thumbnail_name=named, clear_empty=bool(p["clearEmptyFields"]))
    return await organization.update_portal(ctx.svc, ctx.principal, ctx.path_params["portal"], update)


# ------------------------------------------------------------------ security policy (§3.7)
@operation("sharing", "portals/{portal}/securityPolicy", name="securityPolicy",
           permission="portal:admin:manageSecurity", summary="The password and lockout policy.")
async def security_policy_info(ctx: Ctx) -> dict[str, Any]:
    return await security_policy.get_security_policy(ctx.svc, ctx.principal, ctx.path_params["portal"])


@operation("sharing", "portals/{portal}/securityPolicy/update", name="update", kind="operation",
           methods=("POST",), permission="portal:admin:manageSecurity",
           params=tuple(Param(n, max_length=16, help="An integer, or null to switch the rule off.")
                        for n in security_policy.PARAMETERS),
           failure_message=security_policy.MESSAGE,
           summary="Set the password policy (left-out rules take their defaults) and the lockout rules.")
async def update_security_policy(ctx: Ctx) -> dict[str, Any]:
    return await security_policy.update_security_policy(ctx.svc, ctx.principal, ctx.path_params["portal"],
                                                         ctx.params)


# ------------------------------------------------------------------ small resources (§3.7)
@operation("sharing", "portals/{portal}/subscriptionInfo", name="subscriptionInfo", permission="user",
           summary="The organization's subscription (a Portal: no limits, no expiry).")
async def subscription_info(ctx: Ctx) -> dict[str, Any]:
    return org_resources.subscription_info(ctx.principal, ctx.path_params["portal"])


@operation("sharing", "portals/{portal}/settings", name="settings",
           summary="Redirect URIs, default extent, helper services and the informational banner.")
async def portal_settings(ctx: Ctx) -> dict[str, Any]:
    return await org_resources.portal_settings(ctx.svc, ctx.principal, ctx.path_params["portal"])


@operation("sharing", "portals/{portal}/isServiceNameAvailable", name="isServiceNameAvailable",
           permission="portal:user:createItem",
           params=(Param("name", required=True, max_length=120),
                   Param("type", required=True, choices=org_resources.SERVICE_TYPES)),
           summary="Whether a hosted service of that name could be created (no services are hosted yet).")
async def is_service_name_available(ctx: Ctx) -> dict[str, Any]:
    return org_resources.service_name_available(ctx.principal, ctx.path_params["portal"], ctx.params["name"])


@operation("sharing", "portals/{portal}/servers", name="servers", permission="user",
           summary="Servers federated with the portal (none).")
async def servers(ctx: Ctx) -> dict[str, Any]:
    return org_resources.servers(ctx.principal, ctx.path_params["portal"])


@operation("sharing", "portals/{portal}/purchases", name="purchases", permission="user",
           params=(Param("status", choices=("active", "expired", "all"), default="active"),),
           summary="Marketplace purchases and trials of the organization (none).")
async def purchases(ctx: Ctx) -> dict[str, Any]:
    return org_resources.purchases(ctx.principal, ctx.path_params["portal"])


@operation("sharing", "portals/{portal}/appBundles", name="appBundles", permission="user",
           params=(Param("start", "int"), Param("num", "int")), summary="App bundles of the organization (none).")
async def app_bundles(ctx: Ctx) -> dict[str, Any]:
    return org_resources.app_bundles(ctx.principal, ctx.path_params["portal"])
