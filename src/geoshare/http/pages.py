"""Pages under the reserved prefix /-/: sign-in for the HTML directory, OpenAPI, a bare ping."""

from __future__ import annotations

import html
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from geoshare.domain import tokens
from geoshare.domain.services import Services
from geoshare.errors import GeoshareError
from geoshare.http.auth import COOKIE, client_ip
from geoshare.http.openapi import openapi_document

SESSION_MINUTES = 120


def _safe_next(value: str | None, default: str) -> str:
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


def _login_page(next_url: str, message: str = "") -> HTMLResponse:
    note = f'<p class="error">{html.escape(message)}</p>' if message else ""
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - geoshare directory</title>
<link rel="stylesheet" href="/-/static/geoshare.css"></head>
<body class="signin"><main><h1>Sign in to the directory</h1>{note}
<form method="post" action="/-/login">
<input type="hidden" name="next" value="{html.escape(next_url)}">
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></main></body></html>
"""
    return HTMLResponse(body, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})


async def login(svc: Services, home: str, request: Request) -> Response:
    if request.method == "GET":
        return _login_page(_safe_next(request.query_params.get("next"), home))
    form = await request.form(max_fields=10, max_part_size=8192)
    next_url = _safe_next(str(form.get("next") or ""), home)
    username, password = str(form.get("username") or ""), str(form.get("password") or "")
    try:
        user = await tokens.authenticate(svc, username, password, channel="html", client_ip=client_ip(request, svc.settings.trusted_proxy_set))
    except GeoshareError as exc:
        reason = exc.details[0] if exc.details else exc.message
        return _login_page(next_url, reason)
    ip = client_ip(request, svc.settings.trusted_proxy_set)
    issued = await tokens.issue(svc, user, kind="generate", minutes=SESSION_MINUTES,
                                binding=tokens.Binding("ip", ip) if ip else tokens.Binding())
    response = RedirectResponse(next_url, status_code=303)
    response.set_cookie(COOKIE, issued.token, max_age=SESSION_MINUTES * 60, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https", path="/")
    return response


async def logout(svc: Services, home: str, request: Request) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        await tokens.revoke(svc, token)
    response = RedirectResponse(_safe_next(request.query_params.get("next"), home), status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


def openapi(svc: Services) -> Response:
    return JSONResponse(openapi_document(svc.settings))


def ping() -> Response:
    return Response(b'{"ok":true}', media_type="application/json")


def landing(svc: Services) -> Response:
    pc, sc = svc.settings.portal_context.strip("/"), svc.settings.server_context.strip("/")
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>geoshare</title>
<link rel="stylesheet" href="/-/static/geoshare.css"></head><body><main><h1>geoshare</h1>
<ul><li><a href="/{quote(pc)}/sharing/rest">Portal directory</a> (/{html.escape(pc)}/sharing/rest)</li>
<li><a href="/{quote(sc)}/admin">Server administrator directory</a> (/{html.escape(sc)}/admin)</li>
<li><a href="/{quote(sc)}/rest/info">Server info</a></li>
<li><a href="/-/openapi.json">OpenAPI document</a></li></ul></main></body></html>
"""
    return HTMLResponse(body)
