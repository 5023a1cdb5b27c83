"""Member listing and user search: portals/{id}/users, portals/{id}/users/search and
community/users (sharing-api.md §3.3, §4.6)."""

from __future__ import annotations

from typing import Any

from geoshare.domain import user_listing
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

MEMBERS = "portal:user:viewOrgUsers | portal:admin:viewUsers"
ORDER = Param("sortOrder", choices=("asc", "desc"), default="asc")
PAGING = (Param("start", "int", help="1-based; 0 is the first page too, a negative start an empty page."),
          Param("num", "int", help="Page size, 0 to 100 (default 10)."))
SEARCH = (Param("q", max_length=4096, help="The query (sharing-api.md §7.3); * matches everyone."),
          Param("filter", max_length=4096, help="A further query every result must match."),
          *PAGING, Param("sortField", choices=tuple(user_listing.SEARCH_SORT), default="username"), ORDER)
FILTERS = (Param("role", max_length=64, help="A built-in role (org_admin, org_publisher, org_user) or a role id."),
           Param("userLicenseType", max_length=64, help="A user type such as creatorUT."))
ACCEPTED = (Param("excludeSystemUsers", "bool", help="Accepted; geoshare has no system accounts."),
            Param("applyFiltersIntersection", "bool", help="Accepted; filters always intersect."))


def _query(ctx: Ctx) -> user_listing.Query:
    p = ctx.params
    return user_listing.Query(start=p["start"], num=p["num"], sort_field=p.get("sortField"),
                              sort_order=p.get("sortOrder"), q=p.get("q"), filter=p.get("filter"),
                              role=p.get("role"), provider=p.get("provider"), user_type=p.get("userLicenseType"))


@operation("sharing", "portals/{portal}/users", name="users", permission=MEMBERS,
           params=(*PAGING, Param("sortField", choices=tuple(user_listing.LIST_SORT), default="username"), ORDER,
                   *FILTERS, Param("provider", max_length=32, help="arcgis, enterprise ..."), *ACCEPTED),
           summary="The organization's members (full details for holders of portal:admin:viewUsers).")
async def list_users(ctx: Ctx) -> dict[str, Any]:
    return await user_listing.list_members(ctx.svc, ctx.principal, ctx.path_params["portal"], _query(ctx))


@operation("sharing", "portals/{portal}/users/search", name="search", permission=MEMBERS, params=SEARCH,
           aliases=("portal/{portal}/users/search",), summary="Search the organization's members.")
async def search_members(ctx: Ctx) -> dict[str, Any]:
    return await user_listing.search_members(ctx.svc, ctx.principal, ctx.path_params["portal"], _query(ctx))


@operation("sharing", "community/users", name="Users", permission="user", params=(*SEARCH, *FILTERS, *ACCEPTED),
           summary="Search every user the caller may see.")
async def search_users(ctx: Ctx) -> dict[str, Any]:
    return await user_listing.search_users(ctx.svc, ctx.principal, _query(ctx))
