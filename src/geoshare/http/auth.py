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
    value = raw_params.get("token")
    if isinstance(value, str) and value.strip():
        return value.strip()
    for header in ("x-esri-authorization", "authorization"):
        found = _bearer(request.headers.get(header))
        if found:
            return found
    cookie = request.cookies.get(COOKIE)
    return cookie.strip() if cookie and cookie.strip() else None


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


async def principal_for(svc: Services, request: Request, raw_params: dict[str, Any]) -> Principal:
    token = find_token(request, raw_params)
    if token is None:
        return ANONYMOUS
    return await tokens.validate(svc, token, referer=request.headers.get("referer"), client_ip=client_ip(request))
