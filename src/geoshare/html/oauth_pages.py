"""The OAuth sign-in, error and approval pages.

The ArcGIS API for Python reads these pages as text: it takes the first `{` to the last `}`
of the line holding `oAuthInfo` and parses it as JSON, so that object stays on one line and
nothing above it contains braces (the stylesheet is external).  The pages' policy blocks that
script from running in a browser; the client reads it as text, which a policy cannot stop.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping

from starlette.responses import HTMLResponse

from geoshare.html import policy

HEADERS = policy.NO_FORMS


def _info_json(info: Mapping[str, object]) -> str:
    # Compact separators: the Python client's fallback looks for '"oauth_state":"' literally.
    return json.dumps(info, separators=(",", ":")).replace("<", "\\u003c").replace(">", "\\u003e")


def sign_in_page(*, oauth_state: str, client_id: str, expiration: int | None, action: str,
                 messages: list[str], redirect_uri: str | None = None) -> HTMLResponse:
    """The sign-in form.  Its post ends in a 302 to `redirect_uri`, which its form-action
    must admit (without it, e.g. a page shown again after a wrong password whose caller did
    not pass it, the policy leaves form-action out rather than block the redirect)."""
    info = {"oauth_state": oauth_state, "clientId": client_id, "appTitle": "geoshare", "expiration": expiration,
            "locale": "en", "style": "light", "messages": messages}
    errors = "".join(f'<p class="error">{html.escape(m)}</p>' for m in messages)
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in - geoshare</title>
<script>var oAuthInfo = {_info_json(info)};</script>
<link rel="stylesheet" href="/-/static/geoshare.css"></head>
<body class="signin"><main>
<h1>Sign in to geoshare</h1>
<p>Application: <b>{html.escape(client_id)}</b></p>
{errors}
<form method="post" action="{html.escape(action)}">
<input type="hidden" name="oauth_state" value="{html.escape(oauth_state)}">
<input type="hidden" name="authorize" value="true">
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form></main></body></html>
"""
    target = policy.form_target(redirect_uri) if redirect_uri is not None else None
    return HTMLResponse(body, headers=policy.page_headers(target))


def error_page(message: str) -> HTMLResponse:
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Sign in error - geoshare</title>
<link rel="stylesheet" href="/-/static/geoshare.css"></head>
<body class="signin"><main><h1>Cannot sign in</h1><p class="error">{html.escape(message)}</p></main></body></html>
"""
    return HTMLResponse(body, headers=HEADERS)


def approval_page(code: str) -> HTMLResponse:
    info = {"code": code}
    body = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SUCCESS code={html.escape(code)}</title>
<script>var oAuthInfo = {_info_json(info)};</script>
<link rel="stylesheet" href="/-/static/geoshare.css"></head>
<body class="signin"><main><h1>Signed in</h1>
<p>Copy this code into your application:</p><pre class="code">{html.escape(code)}</pre></main></body></html>
"""
    return HTMLResponse(body, headers=HEADERS)
