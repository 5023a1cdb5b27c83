"""Portal administrator tree (`{context}/portaladmin`): the geoshare operation that creates
organizations (sharing-api.md §3.1a).  Later issues add security/users here."""

from __future__ import annotations

from typing import Any

from geoshare.domain import accounts
from geoshare.domain.portal import CURRENT_VERSION
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param


@operation("portaladmin", "", name="Portal Admin", permission="any-admin",
           summary="The portal administrator directory.")
async def portaladmin_root(ctx: Ctx) -> dict[str, Any]:
    return {"resources": ["orgs"], "currentVersion": CURRENT_VERSION, "isPortal": True}


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
