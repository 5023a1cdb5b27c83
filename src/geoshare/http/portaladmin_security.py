"""`{context}/portaladmin/security`: the security configuration and the member operations of
the Portal Administrator API (portal-admin-api.md §3.1–3.4).

Who: the root, `security` and `security/config` answer every administrator (errata "Members":
arcgis reads them to build `gis.admin` and before `users.create`); creating members takes
"Add" (portal:admin:inviteUsers) or "Security and Infrastructure" (manageSecurity), and so does
the member count arcgis reads first; the identity-store reads are user reads (viewUsers).
"""

from __future__ import annotations

from typing import Any

from geoshare.domain import identity_store, members, org_settings
from geoshare.errors import InvalidParameter
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

CREATE = "portal:admin:inviteUsers | portal:admin:manageSecurity"
READ_USERS = "portal:admin:viewUsers | portal:admin:manageSecurity"


@operation("portaladmin", "security", name="Security", permission="any-admin",
           summary="The security resources of the caller's organization.")
async def security(ctx: Ctx) -> dict[str, Any]:
    return {"resources": ["users", "config"]}


@operation("portaladmin", "security/config", name="Security Configuration", permission="any-admin",
           summary="The organization's security configuration, with the new-member defaults.")
async def security_config(ctx: Ctx) -> dict[str, Any]:
    assert ctx.principal.user is not None
    return org_settings.security_config(await org_settings.load_org(ctx.svc, ctx.principal.user.org_id))


CONFIG_PARAMS = (
    Param("securityConfig", "json", help="The members to change, as a JSON object; absent members keep their value."),
    Param("disableServicesDirectory", "bool"), Param("enableAutomaticAccountCreation", "bool"),
    Param("allowedProxyHosts", max_length=4096, help="Comma-separated host names or patterns."),
    Param("defaultRoleForUser", max_length=64, help="org_user, org_publisher, org_admin or a role id."),
    Param("defaultUserTypeIdForUser", max_length=64, help="e.g. creatorUT, viewerUT."),
    Param("defaultIDPUsernameSuffix", max_length=255),
)


@operation("portaladmin", "security/config/update", name="update", kind="operation", methods=("POST",),
           permission="portal:admin:manageSecurity", failure_message="Unable to update the security configuration.",
           params=CONFIG_PARAMS, summary="Change members of the security configuration (merge).")
async def update_security_config(ctx: Ctx) -> dict[str, Any]:
    changes = {p.name: ctx.params[p.name] for p in CONFIG_PARAMS[1:] if ctx.params[p.name] is not None}
    given = ctx.params["securityConfig"]
    if given is not None and not isinstance(given, dict):
        raise InvalidParameter(ctx.op.failure_message, ["'securityConfig' must be a JSON object."])
    return await org_settings.update_security_config(ctx.svc, ctx.principal, {**changes, **(given or {})})


@operation("portaladmin", "security/users", name="Users", permission=f"portal:admin:viewUsers | {CREATE}",
           summary="How many members the caller's organization has.")
async def security_users(ctx: Ctx) -> dict[str, Any]:
    return await identity_store.registered_members(ctx.svc, ctx.principal)


CREATE_PARAMS = (
    Param("username", required=True, max_length=256, help="6 to 24 characters: letters, digits, _ @ . -"),
    Param("password", "password", max_length=1024, help="Required for built-in (arcgis) accounts."),
    Param("firstname", max_length=1024), Param("lastname", max_length=1024),
    Param("fullname", max_length=1024, help="Instead of firstname and lastname (split on the last space)."),
    Param("email", required=True, max_length=1024),
    Param("role", max_length=64, help="org_user, org_publisher, org_admin, a short name or a role id; "
                                      "default: the organization's defaultRoleForUser."),
    Param("userLicenseTypeId", max_length=64, help="creatorUT, viewerUT, ...; default: defaultUserTypeIdForUser."),
    Param("provider", choices=("arcgis", "enterprise", "webadaptor"), help="webadaptor = enterprise."),
    Param("idpUsername", max_length=1024, help="Enterprise accounts: the login name (default: the username)."),
    Param("description", max_length=members.MAX_DESCRIPTION), Param("level", choices=members.LEVELS),
    Param("applyActUserDefaults", "bool"), Param("applyDefaults", "bool"),
    Param("referer", max_length=2048, help="Ignored."),
)


def member_request(params: dict[str, Any]) -> members.MemberRequest:
    return members.MemberRequest(
        username=params["username"], email=params["email"], password=params["password"],
        first_name=params["firstname"], last_name=params["lastname"], full_name=params["fullname"],
        role=params["role"], user_type=params["userLicenseTypeId"], provider=params["provider"],
        idp_username=params["idpUsername"], description=params["description"], level=params["level"])


@operation("portaladmin", "security/users/createUser", name="createUser", kind="operation", methods=("POST",),
           permission=CREATE, failure_message="Unable to create user.", params=CREATE_PARAMS,
           summary="Create a member of the caller's organization.")
async def create_user(ctx: Ctx) -> dict[str, Any]:
    user = await members.create_user(ctx.svc, ctx.principal, member_request(ctx.params))
    return {"status": "success", "username": user.username}


USERNAME = Param("username", required=True, max_length=256)


@operation("portaladmin", "security/users/getEnterpriseUser", name="getEnterpriseUser", permission=READ_USERS,
           params=(USERNAME,), failure_message="Unable to get user.",
           summary="A member's name, description and e-mail from the identity store.")
async def get_enterprise_user(ctx: Ctx) -> dict[str, Any]:
    return await identity_store.get_enterprise_user(ctx.svc, ctx.principal, ctx.params["username"])


@operation("portaladmin", "security/users/searchEnterpriseUsers", name="searchEnterpriseUsers",
           permission=READ_USERS, failure_message="Unable to search users.",
           params=(Param("filter", max_length=256, help="Part of a username, full name or e-mail; empty: all."),
                   Param("maxCount", "int", default=100, minimum=1, maximum=10_000)),
           summary="Members of the identity store whose name or e-mail contains the filter.")
async def search_enterprise_users(ctx: Ctx) -> dict[str, Any]:
    return await identity_store.search_enterprise_users(ctx.svc, ctx.principal, ctx.params["filter"],
                                                        ctx.params["maxCount"])


@operation("portaladmin", "security/users/updateEnterpriseUser", name="updateEnterpriseUser", kind="operation",
           methods=("POST",), permission="portal:admin:updateUsers | portal:admin:manageSecurity",
           failure_message="Unable to update user.",
           params=(USERNAME, Param("idpUsername", required=True, max_length=1024)),
           summary="Change the login name of an enterprise account.")
async def update_enterprise_user(ctx: Ctx) -> dict[str, Any]:
    return await identity_store.update_enterprise_user(ctx.svc, ctx.principal, ctx.params["username"],
                                                       ctx.params["idpUsername"])


@operation("portaladmin", "security/users/refreshMembership", name="refreshMembership", kind="operation",
           methods=("POST",), permission="portal:admin:manageSecurity | portal:admin:manageEnterpriseGroups",
           failure_message="Unable to refresh membership.", params=(Param("users", "list", max_length=65536),),
           summary="Refresh members from enterprise groups (none are configured here).")
async def refresh_membership(ctx: Ctx) -> dict[str, Any]:
    return identity_store.refresh_membership(ctx.params["users"] or [])
