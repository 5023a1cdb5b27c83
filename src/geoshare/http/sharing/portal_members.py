"""Members arriving in an organization (sharing-api.md §4.7, §3.7): invite, checkUsernames and
the new-member defaults.

Who: invite and checkUsernames take portal:admin:inviteUsers (checkUsernames also
manageSecurity, like createUser): a name check tells whether an account exists, even a private
one or another organization's, so only those who create accounts ask it.  Every administrator
may read the new-member defaults (arcgis reads them inside `users.create`); changing them takes
manageSecurity, as security/config/update does, since both write the same record.
"""

from __future__ import annotations

from typing import Any

from geoshare.domain import members, org_settings
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

CHECK = "portal:admin:inviteUsers | portal:admin:manageSecurity"


@operation("sharing", "portals/{portal}/invite", name="invite", kind="operation", methods=("POST",),
           permission="portal:admin:inviteUsers", failure_message=members.INVITE_MESSAGE,
           params=(Param("invitationList", "json", required=True, max_length=1_000_000,
                         help='{"invitations": [{"username", "password", "email", "firstname", "lastname", '
                              '"role", "userLicenseType", ...}]}'),
                   Param("subject", max_length=1024), Param("html", max_length=65536),
                   Param("message", max_length=65536), Param("expiration", "int", minimum=1, maximum=525_600)),
           summary="Create members from invitations that carry a password; the others are listed in notInvited.")
async def invite(ctx: Ctx) -> dict[str, Any]:
    return await members.invite_users(ctx.svc, ctx.principal, ctx.path_params["portal"],
                                      ctx.params["invitationList"])


USERNAMES = (Param("usernames", "list", required=True, max_length=65536, help="Names to check."),)


@operation("sharing", "portals/{portal}/checkUsernames", name="checkUsernames", permission=CHECK,
           params=USERNAMES, failure_message="Unable to check usernames.",
           summary="Each requested username with a free one (itself when free).")
async def check_usernames(ctx: Ctx) -> dict[str, Any]:
    org_settings.own_org_id(ctx.principal, ctx.path_params["portal"])
    return await members.check_usernames(ctx.svc, ctx.params["usernames"])


@operation("sharing", "community/checkUsernames", name="checkUsernames", permission=CHECK, params=USERNAMES,
           failure_message="Unable to check usernames.",
           summary="Each requested username with a free one (itself when free).")
async def community_check_usernames(ctx: Ctx) -> dict[str, Any]:
    return await members.check_usernames(ctx.svc, ctx.params["usernames"])


@operation("sharing", "portals/{portal}/userDefaultSettings", name="userDefaultSettings", permission="any-admin",
           summary="The role, user type and groups new members get.")
async def user_default_settings(ctx: Ctx) -> dict[str, Any]:
    org_id = org_settings.own_org_id(ctx.principal, ctx.path_params["portal"])
    return org_settings.user_defaults(await org_settings.load_org(ctx.svc, org_id))


@operation("sharing", "portals/{portal}/setUserDefaultSettings", name="setUserDefaultSettings", kind="operation",
           methods=("POST",), permission="portal:admin:manageSecurity",
           failure_message="Unable to set the new member defaults.",
           params=(Param("role", max_length=64), Param("userLicenseType", max_length=64),
                   Param("groups", "json", max_length=65536, help="Group ids new members join (JSON array)."),
                   Param("userType", choices=("arcgisonly", "both")), Param("apps", "json", max_length=65536),
                   Param("appBundles", "json", max_length=65536), Param("clearEmptyFields", "bool", default=False)),
           summary="Change the new-member defaults (the members not given keep their value).")
async def set_user_default_settings(ctx: Ctx) -> dict[str, Any]:
    values = {k: v for k, v in ctx.params.items() if k != "clearEmptyFields"}
    return await org_settings.set_user_defaults(ctx.svc, ctx.principal, ctx.path_params["portal"], values,
                                                ctx.params["clearEmptyFields"])


@operation("sharing", "portals/{portal}/userDefaultSettings/delete", name="delete", kind="operation",
           methods=("POST",), permission="portal:admin:manageSecurity",
           summary="Return the new-member defaults to the portal's.")
async def delete_user_default_settings(ctx: Ctx) -> dict[str, Any]:
    return await org_settings.delete_user_defaults(ctx.svc, ctx.principal, ctx.path_params["portal"])
