"""Server site: admin root, admin info, generateToken on /admin and /tokens, rest/info
(server-admin-api.md §2, §3.1-3.2, §10.1)."""

from __future__ import annotations

from typing import Any

from geoshare.domain.portal import SERVER_FULL_VERSION, SERVER_VERSION
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.sharing.root import TOKEN_PARAMS, issue_for_credentials

SHORT_TIMEOUT = 60
LONG_TIMEOUT = 1440


@operation("admin", "", name="Server Administrator Directory", permission="server-publisher",
           summary="The site root: resources and version.")
async def admin_root(ctx: Ctx) -> dict[str, Any]:
    return {"resources": ["info"], "currentVersion": SERVER_VERSION, "fullVersion": SERVER_FULL_VERSION,
            "isServerLicensed": True, "acceptLanguage": ctx.request.headers.get("accept-language")}


@operation("admin", "info", permission="server-publisher", summary="Server version and the signed-in user.")
async def admin_info(ctx: Ctx) -> dict[str, Any]:
    return {"currentversion": str(SERVER_VERSION), "fullVersion": SERVER_FULL_VERSION, "currentbuild": "geoshare",
            "timezone": {"displayname": "(UTC) Coordinated Universal Time", "windowsid": "UTC",
                         "olsonid": "Etc/UTC", "daylightsavings": False},
            "loggedInUser": ctx.principal.username, "loggedInUserPrivilege": ctx.principal.server_privilege}


@operation("admin", "generateToken", kind="operation", methods=("POST",), resolve_token=False,
           params=TOKEN_PARAMS, failure_message="Unable to generate token.",
           summary="A token for the administrator API (publishers and administrators only).")
async def admin_generate_token(ctx: Ctx) -> dict[str, Any]:
    return await issue_for_credentials(ctx, kind="server", channel="admin-generateToken", default=SHORT_TIMEOUT,
                                       maximum=LONG_TIMEOUT, require_server_privilege=("ADMINISTER", "PUBLISH"))


async def _server_token(ctx: Ctx) -> dict[str, Any]:
    return await issue_for_credentials(ctx, kind="server", channel="tokens-generateToken",
                                       default=SHORT_TIMEOUT, maximum=LONG_TIMEOUT)


@operation("tokens", "generateToken", kind="operation", methods=("POST",), resolve_token=False,
           params=TOKEN_PARAMS, failure_message="Unable to generate token.",
           summary="A token for the server's services and administrator API.")
async def tokens_generate_token(ctx: Ctx) -> dict[str, Any]:
    return await _server_token(ctx)


@operation("tokens", "", name="Token service", kind="operation", methods=("POST",), resolve_token=False,
           params=TOKEN_PARAMS, failure_message="Unable to generate token.",
           summary="Legacy entry: a POST here is generateToken.")
async def tokens_root(ctx: Ctx) -> dict[str, Any]:
    return await _server_token(ctx)


@operation("rest", "info", name="Server info", summary="Version and how to obtain tokens (anonymous).")
async def rest_info(ctx: Ctx) -> dict[str, Any]:
    return {"currentVersion": SERVER_VERSION, "fullVersion": SERVER_FULL_VERSION,
            "soapUrl": f"{ctx.server_url}/services", "secureSoapUrl": f"{ctx.server_url}/services",
            "authInfo": {"isTokenBasedSecurity": True, "tokenServicesUrl": f"{ctx.server_url}/tokens/generateToken",
                         "shortLivedTokenValidity": SHORT_TIMEOUT}}


@operation("rest", "info/healthCheck", name="healthCheck", summary="200 with success=true while the site serves.")
async def health_check(ctx: Ctx) -> dict[str, Any]:
    await ctx.svc.db.read(lambda conn: conn.exec_driver_sql("SELECT 1").scalar())
    return {"success": True}
