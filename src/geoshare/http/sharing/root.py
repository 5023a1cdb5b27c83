"""Portal root, info and generateToken (sharing-api.md §2.1-2.3)."""

from __future__ import annotations

from typing import Any

from geoshare.domain import accounts, tokens
from geoshare.domain.portal import CURRENT_VERSION
from geoshare.errors import InvalidParameter
from geoshare.http.auth import find_token
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param
from geoshare.storage.records import User

PORTAL_DEFAULT_MINUTES = 120
PORTAL_MAX_MINUTES = 20160
CREDENTIAL_NAMES = ("username", "password")

TOKEN_PARAMS = (
    Param("username", max_length=128, help="Account name."),
    Param("password", "password", max_length=1024, help="Account password (send it in the body, over HTTPS)."),
    Param("client", choices=("referer", "ip", "requestip", "referrer"),
          help="What the token is bound to: a referer, an IP address, or the IP of this request."),
    Param("referer", max_length=1024, help="The referer the token will be used from (client=referer)."),
    Param("referrer", max_length=1024, help="Older spelling of referer."),
    Param("ip", max_length=64, help="The IP address the token will be used from (client=ip)."),
    Param("expiration", "int", help="Token life in minutes; clamped to the maximum."),
)


@operation("sharing", "", name="Portal Directory", private_ok=True, summary="The API version.")
async def root(ctx: Ctx) -> dict[str, Any]:
    return {"currentVersion": CURRENT_VERSION}


@operation("sharing", "info", private_ok=True, summary="How to obtain tokens from this portal.")
async def info(ctx: Ctx) -> dict[str, Any]:
    return {"owningSystemUrl": ctx.portal_url,
            "authInfo": {"isTokenBasedSecurity": True, "tokenServicesUrl": f"{ctx.sharing_url}/generateToken",
                         "shortLivedTokenValidity": PORTAL_DEFAULT_MINUTES}}


def _refuse_query_credentials(ctx: Ctx) -> None:
    """Credentials travel in the body only, on every generateToken (the server's
    allowHttpPostQueryParams off, server-admin-api.md §2): a query string ends up in proxy and
    browser logs."""
    present = {k.lower() for k in ctx.request.query_params}
    if any(name in present for name in CREDENTIAL_NAMES):
        raise InvalidParameter("Unable to generate token.",
                               ["Credentials in the query string are not allowed; send them in the request body."])


async def issue_for_credentials(ctx: Ctx, *, kind: str, channel: str, default: int, maximum: int,
                                require_server_privilege: tuple[str, ...] = ()) -> dict[str, Any]:
    """Shared body of every generateToken: check the password, bind, and issue."""
    _refuse_query_credentials(ctx)
    p = ctx.params
    binding = tokens.binding_for(p["client"], p["referer"] or p["referrer"], p["ip"], ctx.client_ip)
    minutes = tokens.clamp_minutes(p["expiration"], default, maximum)

    async def allow(user: User) -> None:
        await accounts.require_site_privilege(ctx.svc, user, require_server_privilege)

    issued = await tokens.sign_in(ctx.svc, p["username"] or "", p["password"] or "",
                                  tokens.TokenRequest(kind, minutes, binding), channel=channel,
                                  client_ip=ctx.client_ip, allow=allow if require_server_privilege else None)
    return {"token": issued.token, "expires": issued.expires, "ssl": False}


@operation("sharing", "generateToken", kind="operation", methods=("POST",), resolve_token=False, private_ok=True,
           params=(*TOKEN_PARAMS, Param("serverUrl", max_length=2048, help="Federated server URL (token exchange)."),
                   Param("token", max_length=2048, help="With serverUrl: the portal token to exchange.")),
           failure_message="Unable to generate token.",
           summary="Exchange a username and password for a token.")
async def generate_token(ctx: Ctx) -> dict[str, Any]:
    if ctx.params["serverUrl"] and not ctx.params["username"]:
        return await _exchange_for_server(ctx)
    return await issue_for_credentials(ctx, kind="generate", channel="generateToken",
                                       default=PORTAL_DEFAULT_MINUTES, maximum=PORTAL_MAX_MINUTES)


async def _exchange_for_server(ctx: Ctx) -> dict[str, Any]:
    """token + serverUrl: this portal's own server site takes portal tokens as they are."""
    server_url = str(ctx.params["serverUrl"])
    token = ctx.params["token"] or find_token(ctx.svc, ctx.request, {}, ctx.op)
    if not token or not ctx.origins.is_own(server_url):
        raise InvalidParameter("Unable to generate token.", ["'serverUrl' is not a server of this portal."])
    principal = await tokens.validate(ctx.svc, token, referer=ctx.referer, client_ip=ctx.client_ip)
    assert principal.token is not None
    return {"token": token, "expires": principal.token.expires, "ssl": False}
