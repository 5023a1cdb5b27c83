"""Find the token of a request (parameter, headers, cookie) and turn it into a Principal.

Order (sharing-api.md §1.4): `token` parameter, `X-Esri-Authorization: Bearer`,
`Authorization: Bearer`, cookie `agstoken`.  A token that is present but bad is an error
(498); it never falls back to anonymous.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from geoshare.domain import tokens
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.domain.services import Services
from geoshare.errors import InvalidToken

COOKIE = "agstoken"


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, rest = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    rest = rest.strip()
    return rest if rest and rest != "None" else None


def find_token(request: Request, raw_params: dict[str, Any]) -> str | None:
    return _explicit_token(request, raw_params) or _cookie_token(request) or None


def client_ip(request: Request, trusted: frozenset[str] = frozenset()) -> str | None:
    """The client's address: the peer, or, when the peer is a trusted reverse proxy, the
    right-most address in X-Forwarded-For that is not itself a trusted proxy."""
    peer = request.client.host if request.client else None
    if peer is None or peer not in trusted:
        return peer
    forwarded = request.headers.get("x-forwarded-for")
    if not forwarded:
        return peer
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if hop not in trusted:
            return hop
    return peer


async def principal_for(svc: Services, request: Request, raw_params: dict[str, Any]) -> Principal:
    token = find_token(request, raw_params)
    if token is None:
        return ANONYMOUS
    try:
        return await tokens.validate(svc, token, referer=request.headers.get("referer"),
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
    for header in ("x-esri-authorization", "authorization"):
        found = _bearer(request.headers.get(header))
        if found:
            return found
    return None
