"""The pages under /-/ that are not the directory: sign in, sign out, a refusal, the landing page.

Plain data in, a response out: the HTTP side (http/pages.py) decides what to show.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from starlette.responses import HTMLResponse

from geoshare.html import policy

HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<link rel="stylesheet" href="/-/static/geoshare.css"></head>
"""


def _document(title: str, body: str) -> str:
    return HEAD.format(title=html.escape(title)) + body + "</html>\n"


def login_page(next_url: str, message: str = "") -> HTMLResponse:
    note = f'<p class="error">{html.escape(message)}</p>' if message else ""
    body = f"""<body class="signin"><main><h1>Sign in to the directory</h1>{note}
<form method="post" action="/-/login">
<input type="hidden" name="next" value="{html.escape(next_url)}">
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></main></body>"""
    return HTMLResponse(_document("Sign in - geoshare directory", body), headers=policy.SIGN_IN)


def logout_page(next_url: str, signed_in: bool) -> HTMLResponse:
    """GET /-/logout changes nothing: it offers the button that posts the sign-out."""
    state = "You are signed in to the directory." if signed_in else "You are not signed in."
    body = f"""<body class="signin"><main><h1>Sign out</h1><p>{state}</p>
<form method="post" action="/-/logout">
<input type="hidden" name="next" value="{html.escape(next_url)}">
<button type="submit">Sign out</button></form></main></body>"""
    return HTMLResponse(_document("Sign out - geoshare directory", body), headers=policy.SIGN_IN)


def refused_page(message: str) -> HTMLResponse:
    body = f"""<body class="signin"><main><h1>Request refused</h1>
<p class="error">{html.escape(message)}</p></main></body>"""
    return HTMLResponse(_document("Refused - geoshare", body), status_code=403, headers=policy.NO_FORMS)


def landing_page(portal_context: str, server_context: str) -> HTMLResponse:
    pc, sc = portal_context.strip("/"), server_context.strip("/")
    body = f"""<body><main><h1>geoshare</h1>
<ul><li><a href="/{quote(pc)}/sharing/rest">Portal directory</a> (/{html.escape(pc)}/sharing/rest)</li>
<li><a href="/{quote(sc)}/admin">Server administrator directory</a> (/{html.escape(sc)}/admin)</li>
<li><a href="/{quote(sc)}/rest/info">Server info</a></li>
<li><a href="/-/openapi.json">OpenAPI document</a></li></ul></main></body>"""
    return HTMLResponse(_document("geoshare", body), headers=policy.NO_FORMS)
