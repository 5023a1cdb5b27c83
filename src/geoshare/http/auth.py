"""Find the token of a request (parameter, headers, cookie) and turn it into a Principal.

Order (sharing-api.md §1.4): `token` parameter, `X-Esri-Authorization: Bearer`,
`Authorization: Bearer`, cookie `agstoken`.  A token that is present but bad is an error
(498); it never falls back to anonymous.

The cookie is the browser's, not the caller's choice, so it authorises a request only when the
request comes from one of the portal's own pages (`same_origin`): SameSite=Strict does not
separate two origins of one site (another port of the same host).  A top-level navigation may
read pages with it but never run an operation, and JSONP never uses it.  When the cookie does
not apply the request is simply anonymous; explicit tokens are unaffected.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from geoshare.domain import tokens
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.domain.services import Services
from geoshare.errors import InvalidToken
from geoshare.http.operations import Operation
from geoshare.http.origins import Origins, origins_for

COOKIE = "agstoken"


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    rest = rest.strip()
    return rest if rest and rest != "None" else None


def find_token(svc: Services, request: Request, raw_params: dict[str, Any], op: Operation | None = None) -> str | None:
    """The token this request authenticates with: an explicit one, else the session cookie
    when `cookie_allowed` says it may be used."""
    explicit = _explicit_token(request, raw_params)
    if explicit:
        return explicit
    cookie = _cookie_token(request)
    if cookie and cookie_allowed(request, raw_params, op, origins_for(svc.settings)):
        return cookie
    return None


def same_origin(request: Request, origins: Origins) -> bool | None:
    """True/False when the browser said where the request comes from, None when it did not.

    `Sec-Fetch-Site` is the browser's own verdict (`none`: the user typed or bookmarked it);
    without it (plain http to a non-local address) `Origin` is compared with the own origins.
    """
    site = request.headers.get("sec-fetch-site")  # pragma: no mutate - header lookups ignore case
    if site:
        return site.lower() in ("same-origin", "none")
    sent = request.headers.get("origin")  # pragma: no mutate - header lookups ignore case
    if sent:
        return origins.is_own(sent)
    return None


def _is_navigation(request: Request) -> bool:
    # Header names are matched ignoring case; a missing Mode is never "navigate" whatever stands for it.
    mode = request.headers.get("sec-fetch-mode", "").lower()  # pragma: no mutate
    dest = request.headers.get("sec-fetch-dest", "document").lower()  # pragma: no mutate - lowered anyway
    return mode == "navigate" and dest == "document"


def cookie_allowed(request: Request, raw_params: dict[str, Any], op: Operation | None, origins: Origins) -> bool:
    """May the session cookie authorise this request?"""
    callback = raw_params.get("callback")
    if isinstance(callback, str) and callback.strip():
        return False  # a <script> on any page can include JSONP
    runs_operation = op is not None and op.kind == "operation" and request.method in op.methods
    read = request.method in ("GET", "HEAD") and not runs_operation
    if request.method in ("GET", "HEAD") and _is_navigation(request):
        return read  # following a link shows a page; no state change rides a link
    verdict = same_origin(request, origins)
    if verdict is None:
        return read  # no browser header at all: never trusted for a POST
    return verdict


def client_ip(request: Request, trusted: frozenset[str] = frozenset()) -> str | None:
    """The client's address: the peer, or, when the peer is a trusted reverse proxy, the
    right-most address in X-Forwarded-For that is not itself a trusted proxy."""
    peer = request.client.host if request.client else None
    if peer is None or peer not in trusted:
        return peer
    forwarded = request.headers.get("x-forwarded-for")  # pragma: no mutate - header lookups ignore case
    if not forwarded:
        return peer
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if hop not in trusted:
            return hop
    return peer


async def principal_for(svc: Services, request: Request, raw_params: dict[str, Any],
                        op: Operation | None = None) -> Principal:
    token = find_token(svc, request, raw_params, op)
    if token is None:
        return ANONYMOUS
    try:
        referer = request.headers.get("referer")  # pragma: no mutate - header lookups ignore case
        return await tokens.validate(svc, token, referer=referer,
                                     client_ip=client_ip(request, svc.settings.trusted_proxy_set))
    except InvalidToken:
        # A token the caller sent is checked strictly (498).  The browser's session cookie is
        # not something a script chose: when it has expired the pages are simply anonymous.
        if token == _cookie_token(request) and token != _explicit_token(request, raw_params):
            return ANONYMOUS
        raise


def _cookie_token(request: Request) -> str | None:
    cookie = request.cookies.get(COOKIE)
    return cookie.strip() if cookie else None


def _explicit_token(request: Request, raw_params: dict[str, Any]) -> str | None:
    value = raw_params.get("token")
    if isinstance(value, str) and value.strip():
        return value.strip()
    for header in ("x-esri-authorization", "authorization"):  # pragma: no mutate - header lookups ignore case
        found = _bearer(request.headers.get(header))
        if found:
            return found
    return None
