"""Portal administrator tree (`{context}/portaladmin`): its root (portal-admin-api.md §2.1) and the
geoshare operations on organizations (sharing-api.md §3.1a).  The security tree is in
portaladmin_security.py."""

from __future__ import annotations

from typing import Any

from geoshare.domain import accounts, org_settings
from geoshare.domain.portal import CURRENT_VERSION, SERVER_FULL_VERSION
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

BUILD = f"{SERVER_FULL_VERSION}.51575"


@operation("portaladmin", "", name="Portal Admin", permission="any-admin",
           summary="The portal administrator directory; every administrator may read it (arcgis builds gis.admin "
                   "from it).")
async def portaladmin_root(ctx: Ctx) -> dict[str, Any]:
    # Only what exists for this caller: the organizations are the site administrators'.
    resources = ["security", *(["orgs"] if ctx.principal.is_site_admin else [])]
    return {"version": SERVER_FULL_VERSION, "currentbuild": BUILD, "isPortalLicensed": True,
            "isLicensePopulated": True, "isLicenseFileRequired": False, "isUserTypeLicensing": True,
            "isPostUpgrade": False, "siteKey": await org_settings.site_key(ctx.svc), "resources": resources,
            "currentVersion": CURRENT_VERSION, "isPortal": True}


def _org_summary(org: Any) -> dict[str, Any]:
    return {"id": org.id, "name": org.name, "access": org.access, "isDefault": org.is_default,
            "created": org.created}


@operation("portaladmin", "orgs", name="Organizations", permission="site-admin",
           summary="Every organization hosted by this portal (geoshare extension).")
async def list_orgs(ctx: Ctx) -> dict[str, Any]:
    orgs = await accounts.list_orgs(ctx.svc)
    return {"orgs": [_org_summary(o) for o in orgs]}


@operation("portaladmin", "orgs/createOrg", name="createOrg", kind="operation", methods=("POST",),
           permission="site-admin", failure_message="Unable to create organization.",
           params=(Param("name", required=True, max_length=250, help="Organization name (unique)."),
                   Param("access", choices=("public", "private"), default="public"),
                   Param("adminUsername", required=True, max_length=128, help="Its first administrator."),
                   Param("adminPassword", "password", required=True, max_length=1024),
                   Param("adminEmail", max_length=320), Param("adminFullName", max_length=255)),
           summary="Create an organization and its first administrator (geoshare extension).")
async def create_org(ctx: Ctx) -> dict[str, Any]:
    p = ctx.params
    admin = accounts.NewUser(username=p["adminUsername"], password=p["adminPassword"], role="org_admin",
                             email=p["adminEmail"], full_name=p["adminFullName"])
    org, user = await accounts.create_org(ctx.svc, p["name"], admin, access=p["access"])
    return {"status": "success", "org": _org_summary(org), "adminUsername": user.username}
