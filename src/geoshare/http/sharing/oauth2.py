"""OAuth 2.0 endpoints (sharing-api.md §2.4): authorize, signin, approval, token, revokeToken."""

from __future__ import annotations

from typing import Any

from starlette.responses import RedirectResponse, Response

from geoshare.domain import oauth, oauth_grants, tokens
from geoshare.errors import SignInFailed
from geoshare.html import oauth_pages
from geoshare.http.context import Ctx
from geoshare.http.operations import operation
from geoshare.http.params import Param

AUTHORIZE_PARAMS = (
    Param("client_id", required=True, max_length=64, help="The application: pythonapi, arcgisonline, ..."),
    Param("response_type", required=True, choices=("token", "code"), help="token (implicit) or code."),
    Param("redirect_uri", required=True, max_length=2048, help="Where to send the browser afterwards."),
    Param("state", max_length=1024, help="Echoed back unchanged."),
    Param("expiration", "int", help="Minutes: access-token life (token) or refresh-token life (code)."),
    Param("code_challenge", max_length=256), Param("code_challenge_method", choices=("S256", "plain")),
    Param("locale", max_length=16), Param("style", max_length=16), Param("allow_verification", max_length=16),
)


def _signin_action(ctx: Ctx) -> str:
    return f"/{ctx.svc.settings.portal_context.strip('/')}/sharing/oauth2/signin"


@operation("sharing", "oauth2/authorize", name="authorize", resolve_token=False, private_ok=True,
           params=AUTHORIZE_PARAMS, failure_message="Invalid request.",
           summary="The HTML sign-in page that starts an OAuth flow.")
async def authorize(ctx: Ctx) -> Response:
    p = ctx.params
    req = oauth.AuthorizeRequest(client_id=p["client_id"], response_type=p["response_type"],
                                 redirect_uri=p["redirect_uri"], state=p["state"], expiration=p["expiration"],
                                 code_challenge=p["code_challenge"], code_challenge_method=p["code_challenge_method"])
    try:
        oauth_state, _ = await oauth.begin(ctx.svc, req, ctx.origins.is_own)
    except oauth.OAuthPageError as exc:
        return oauth_pages.error_page(exc.message)
    return oauth_pages.sign_in_page(oauth_state=oauth_state, client_id=req.client_id, expiration=req.expiration,
                                    action=_signin_action(ctx), messages=[], redirect_uri=req.redirect_uri)


@operation("sharing", "oauth2/signin", name="signin", kind="operation", methods=("POST",), resolve_token=False,
           private_ok=True, failure_message="Invalid request.",
           params=(Param("oauth_state", required=True, max_length=256), Param("username", max_length=128),
                   Param("password", "password", max_length=1024), Param("authorize", "bool"),
                   Param("expiration", "int"), Param("user_orgkey", max_length=64)),
           summary="The sign-in page posts here; success redirects with a token or a code.")
async def signin(ctx: Ctx) -> Response:
    p = ctx.params
    try:
        outcome = await oauth.sign_in(ctx.svc, p["oauth_state"], p["username"] or "", p["password"] or "",
                                      p["expiration"], ctx.client_ip, ctx.is_https)
    except oauth.OAuthPageError as exc:
        return oauth_pages.error_page(exc.message)
    except SignInFailed as exc:
        session = await oauth.session_for(ctx.svc, p["oauth_state"])
        return oauth_pages.sign_in_page(oauth_state=p["oauth_state"], client_id=session.client_id,
                                        expiration=session.expiration, action=_signin_action(ctx),
                                        messages=[exc.reason], redirect_uri=session.redirect_uri)
    if outcome.approval_code is not None:
        return oauth_pages.approval_page(outcome.approval_code)
    assert outcome.location is not None
    return RedirectResponse(outcome.location, status_code=302, headers={"Cache-Control": "no-store"})


@operation("sharing", "oauth2/token", name="token", kind="operation", methods=("POST",), resolve_token=False,
           private_ok=True, json_by_default=True, failure_message="Invalid request.",
           params=(Param("grant_type", required=True, choices=("authorization_code", "refresh_token",
                                                                 "exchange_refresh_token", "password",
                                                                 "client_credentials", "suspend_session")),
                   Param("client_id", max_length=64), Param("client_secret", "password", max_length=256),
                   Param("code", max_length=256), Param("redirect_uri", max_length=2048),
                   Param("refresh_token", max_length=256), Param("code_verifier", max_length=256),
                   Param("username", max_length=128), Param("password", "password", max_length=1024),
                   Param("expiration", max_length=16)),
           summary="Exchange a code, a refresh token or a password for an access token.")
async def token(ctx: Ctx) -> dict[str, Any]:
    raw = {k: (str(v) if v is not None else None) for k, v in ctx.params.items()}
    return await oauth_grants.token(ctx.svc, ctx.params["grant_type"], raw, ctx.client_ip, ctx.is_https)


@operation("sharing", "oauth2/revokeToken", name="revokeToken", kind="operation", methods=("POST",),
           resolve_token=False, private_ok=True, json_by_default=True,
           params=(Param("client_id", max_length=64), Param("auth_token", max_length=2048),
                   Param("token", max_length=2048)),
           summary="Revoke an access or refresh token.")
async def revoke_token(ctx: Ctx) -> dict[str, Any]:
    value = ctx.params["auth_token"] or ctx.params["token"]
    if value:
        await tokens.revoke(ctx.svc, value)
    return {"success": True}


@operation("sharing", "oauth2/approval", name="approval", resolve_token=False, private_ok=True,
           params=(Param("code", max_length=256),), summary="Out-of-band page that shows an authorization code.")
async def approval(ctx: Ctx) -> Response:
    return oauth_pages.approval_page(ctx.params["code"] or "")
