"""Pages under the reserved prefix /-/: sign-in and sign-out for the HTML directory, OpenAPI, a bare ping."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from geoshare.domain import tokens
from geoshare.domain.services import Services
from geoshare.errors import GeoshareError
from geoshare.html import session_pages
from geoshare.http.auth import COOKIE, client_ip, same_origin
from geoshare.http.openapi import openapi_document
from geoshare.http.origins import origins_for

SESSION_MINUTES = 120


def _safe_next(value: str | None, default: str) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def _from_own_page(svc: Services, request: Request) -> bool:
    """Sign-in and sign-out change the browser's session, so they must be posted by one of
    the portal's own pages: a cross-site auto-post would sign the victim in as the attacker
    (login CSRF) or out."""
    return request.method == "POST" and same_origin(request, origins_for(svc.settings)) is True


def _refused(request: Request) -> Response:
    sent = request.headers.get("origin")
    where = f"from {sent[:200]}" if sent else "without saying where it came from"
    return session_pages.refused_page(
        f"This form was not posted from a page of this portal (it came {where}). If that is the address "
        "you use for the portal, start geoshare with --public-url or --allowed-hosts naming it.")


async def login(svc: Services, home: str, request: Request) -> Response:
    if request.method == "GET":
        return session_pages.login_page(_safe_next(request.query_params.get("next"), home))
    if not _from_own_page(svc, request):
        return _refused(request)
    form = await request.form(max_fields=10, max_part_size=8192)
    next_url = _safe_next(str(form.get("next") or ""), home)
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    ip = client_ip(request, svc.settings.trusted_proxy_set)
    try:
        user = await tokens.authenticate(svc, username, password, channel="html", client_ip=ip)
    except GeoshareError as exc:
        reason = exc.details[0] if exc.details else exc.message
        return session_pages.login_page(next_url, reason)
    issued = await tokens.issue(svc, user, kind="generate", minutes=SESSION_MINUTES,
                                binding=tokens.Binding("ip", ip) if ip else tokens.Binding())
    response = RedirectResponse(next_url, status_code=303)
    # Behind a proxy that ends TLS the request arrives over http, yet the browser's is https.
    secure = request.url.scheme == "https" or origins_for(svc.settings).public_base.startswith("https://")
    response.set_cookie(COOKIE, issued.token, max_age=SESSION_MINUTES * 60, httponly=True, samesite="strict",
                        secure=secure, path="/")
    return response


async def logout(svc: Services, home: str, request: Request) -> Response:
    """GET shows a sign-out button; the POST from it revokes the session token on the server
    (a copy of the cookie stops working too) and clears the cookie."""
    if request.method == "GET":
        next_url = _safe_next(request.query_params.get("next"), home)
        return session_pages.logout_page(next_url, signed_in=bool(request.cookies.get(COOKIE)))
    if not _from_own_page(svc, request):
        return _refused(request)
    form = await request.form(max_fields=10, max_part_size=8192)
    token = request.cookies.get(COOKIE)
    if token:
        await tokens.revoke(svc, token)
    response = RedirectResponse(_safe_next(str(form.get("next") or ""), home), status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def openapi(svc: Services) -> Response:
    return JSONResponse(openapi_document(svc.settings))


def ping() -> Response:
    return Response(b'{"ok":true}', media_type="application/json")


def landing(svc: Services) -> Response:
    return session_pages.landing_page(svc.settings.portal_context, svc.settings.server_context)
