"""Roles of an organization and members' role and user-type changes (sharing-api.md §3.4, §4.8)."""

from __future__ import annotations

from typing import Any

from geoshare.domain import roles
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

MANAGE = "portal:admin:manageRoles"
INT32 = 2**31  # paging values are echoed back: keep them inside what every JSON reader holds
PAGING = (Param("start", "int", minimum=-INT32, maximum=INT32 - 1,
                help="1-based index of the first role; 0 is the first page too."),
          Param("num", "int", minimum=0, help="Roles per page (at most 100)."))
NAME = Param("name", max_length=roles.MAX_NAME, help="Unique in the organization, ignoring letter case; plain text.")
DESCRIPTION = Param("description", max_length=roles.MAX_DESCRIPTION,
                    help=f"Limited HTML, at most {roles.MAX_DESCRIPTION} characters once cleaned.")
ROLE = "portals/{portal}/roles/{roleId}"


def _where(ctx: Ctx) -> tuple[str, str]:
    return ctx.path_params["portal"], ctx.path_params.get("roleId", "")


@operation("sharing", "portals/{portal}/roles", name="Roles", permission=MANAGE, params=PAGING,
           summary="The built-in Viewer and Data Editor roles, then the organization's custom roles.")
async def list_roles(ctx: Ctx) -> dict[str, Any]:
    return await roles.list_roles(ctx.svc, ctx.principal, ctx.path_params["portal"], ctx.param("start"),
                                  ctx.param("num"))


@operation("sharing", "portals/{portal}/createRole", kind="operation", methods=("POST",), permission=MANAGE,
           params=(Param("name", required=True, max_length=roles.MAX_NAME, help=NAME.help), DESCRIPTION),
           failure_message="Unable to create role.", summary="Create a custom role (no privileges yet).")
async def create_role(ctx: Ctx) -> dict[str, Any]:
    return await roles.create_role(ctx.svc, ctx.principal, ctx.path_params["portal"], ctx.param("name"),
                                   ctx.param("description"))


@operation("sharing", ROLE, name="Role", permission=MANAGE, summary="One role: id, name, description, dates.")
async def get_role(ctx: Ctx) -> dict[str, Any]:
    return await roles.get_role(ctx.svc, ctx.principal, *_where(ctx))


@operation("sharing", f"{ROLE}/update", kind="operation", methods=("POST",), permission=MANAGE,
           params=(NAME, DESCRIPTION), failure_message="Unable to update role.",
           summary="Rename a custom role or change its description.")
async def update_role(ctx: Ctx) -> dict[str, Any]:
    return await roles.update_role(ctx.svc, ctx.principal, *_where(ctx), ctx.param("name"), ctx.param("description"))


@operation("sharing", f"{ROLE}/delete", kind="operation", methods=("POST",), permission=MANAGE,
           failure_message="Unable to delete role.", summary="Delete a custom role no member holds.")
async def delete_role(ctx: Ctx) -> dict[str, Any]:
    return await roles.delete_role(ctx.svc, ctx.principal, *_where(ctx))


@operation("sharing", f"{ROLE}/privileges", name="Privileges", permission=MANAGE,
           summary="The privileges a role grants.")
async def role_privileges(ctx: Ctx) -> dict[str, Any]:
    return await roles.role_privileges(ctx.svc, ctx.principal, *_where(ctx))


@operation("sharing", f"{ROLE}/setPrivileges", kind="operation", methods=("POST",), permission=MANAGE,
           params=(Param("privileges", "json", required=True, help='JSON {"privileges": ["portal:user:...", ...]}.'),),
           failure_message="Unable to set privileges.", summary="Replace a custom role's privileges.")
async def set_privileges(ctx: Ctx) -> dict[str, Any]:
    return await roles.set_privileges(ctx.svc, ctx.principal, *_where(ctx), ctx.param("privileges"))


@operation("sharing", "portals/{portal}/updateUserRole", kind="operation", methods=("POST",),
           permission="portal:admin:changeUserRoles", failure_message="Unable to update user role.",
           params=(Param("user", required=True, max_length=128, help="Username of a member."),
                   Param("role", required=True, max_length=64,
                         help="org_admin, org_publisher, org_user, a built-in or custom role id.")),
           summary="Give a member another role (the path matches updateuserrole too).")
async def update_user_role(ctx: Ctx) -> dict[str, Any]:
    return await roles.update_user_role(ctx.svc, ctx.principal, ctx.path_params["portal"], ctx.param("user"),
                                        ctx.param("role"))


@operation("sharing", "portals/{portal}/updateUserLicenseType", kind="operation", methods=("POST",),
           permission="portal:admin:manageLicenses", failure_message="Unable to update user license type.",
           params=(Param("users", "list", required=True, help="Usernames (comma-separated or a JSON array)."),
                   Param("userLicenseType", required=True, max_length=64, help="creatorUT, viewerUT, ...")),
           summary="Give members another user type; one result per member.")
async def update_license_type(ctx: Ctx) -> dict[str, Any]:
    return await roles.update_license_types(ctx.svc, ctx.principal, ctx.path_params["portal"], ctx.param("users"),
                                            ctx.param("userLicenseType"))
