"""Response headers of every HTML page geoshare writes: one Content-Security-Policy per kind.

No page runs script (the OAuth pages' one-line `oAuthInfo` script is read as text by the
Python client; blocking its execution is intended), styles come from /-/static, and nothing
may frame a page that has a form.  `form-action` is listed because Chromium also applies it
to the redirects that follow a form post: the OAuth sign-in form ends in a 302 to the
redirect URI, so that page admits the redirect URI's origin.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

BASE = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'"
HOST_RE = re.compile(r"[a-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9a-f:.]+\](:[0-9]{1,5})?")
NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def csp(form_action: str | None = "'none'", frame_ancestors: str | None = "'none'") -> str:
    """The policy; a directive given as None is left out."""
    parts = [BASE]
    if form_action:
        parts.append(f"form-action {form_action}")
    if frame_ancestors:
        parts.append(f"frame-ancestors {frame_ancestors}")
    return "; ".join(parts)


def page_headers(form_action: str | None = "'self'") -> dict[str, str]:
    """A page that must not be framed: the directory, sign-in, sign-out, the landing page."""
    return {**NO_STORE, "X-Frame-Options": "DENY", "Content-Security-Policy": csp(form_action)}


def form_target(redirect_uri: str | None) -> str:
    """form-action for the OAuth sign-in page: our own origin plus where the 302 goes.
    Chromium ignores an IPv6 literal in a source list, so such a redirect is admitted by its
    scheme alone (the form itself still posts only to the portal)."""
    if not redirect_uri:
        return "'self'"
    parts = urlsplit(redirect_uri)
    scheme, netloc = parts.scheme.lower(), parts.netloc.lower()
    if scheme not in ("http", "https") or not HOST_RE.fullmatch(netloc):
        return "'self'"
    return f"'self' {scheme}:" if netloc.startswith("[") else f"'self' {scheme}://{netloc}"


DIRECTORY = page_headers()
SIGN_IN = page_headers()
NO_FORMS = page_headers("'none'")
# The callback.html wrapper of legacy iframe uploads is read by the page that framed it.
FRAMED_RESULT = {**NO_STORE, "Content-Security-Policy": csp(frame_ancestors=None)}
