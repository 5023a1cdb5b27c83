"""Cross-origin resource sharing for every API mount (portal and /arcgis).

Web apps on the ArcGIS Maps SDK for JavaScript run on origins of their own and load
`portals/self` with credentialed CORS (`withCredentials`), so an allowed origin gets its own
name back with `Access-Control-Allow-Credentials: true`, never `*`.  The allowed origins are
the default organization's `allowedOrigins`; while that list is empty every origin is allowed,
as Portal does.  Credentials are safe to allow because the `agstoken` cookie authorises
same-origin requests only: a cross-origin request is authorised by an explicit token or not
at all.

`Origin: null` (sandboxed frames, files, some redirects) never gets credentials: it stands for
any page, so it gets `*` while every origin is allowed and nothing once a list is set.  A
disallowed origin gets no CORS header at all, and its preflight no allow headers, so the
browser withholds the answer from the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from geoshare.domain import accounts
from geoshare.domain.services import Services

ALLOW_METHODS = "GET, POST, OPTIONS"
# What the clients send: arcgis and REST JS put tokens in X-Esri-Authorization or
# Authorization; REST JS adds its X-Esri-Auth-* headers on platformSelf.
ALLOW_HEADERS = ("Content-Type, Authorization, X-Esri-Authorization, X-Requested-With, X-Esri-Auth-Client-Id, "
                 "X-Esri-Auth-Redirect-Uri")
MAX_AGE_SECONDS = 86400
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalize_origin(value: str) -> str | None:
    """`scheme://host[:port]` in lower case without a default port, or None when `value` is no origin."""
    try:
        parts = urlsplit(value.strip().rstrip("/"))
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path or parts.query:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    suffix = f":{port}" if port is not None and port != DEFAULT_PORTS[parts.scheme] else ""
    return f"{parts.scheme}://{host}{suffix}"


def origin_set(values: Iterable[object]) -> frozenset[str]:
    """The normalized origins of an `allowedOrigins` list (entries that are no origin are ignored)."""
    return frozenset(o for o in (normalize_origin(v) for v in values if isinstance(v, str)) if o)


async def allowed_origins(svc: Services) -> frozenset[str]:
    """The default organization's `allowedOrigins`; empty means every origin."""
    org = await accounts.default_org(svc)  # a cached read: this runs on every cross-origin request
    listed = org.settings.get("allowedOrigins") or []
    return origin_set(listed if isinstance(listed, list) else [])


async def grant(svc: Services, origin: str | None) -> dict[str, str]:
    """The CORS headers a request from `origin` gets (none for a disallowed origin)."""
    if not origin:
        return {}
    allowed = await allowed_origins(svc)
    if origin == "null":
        return {} if allowed else {"Access-Control-Allow-Origin": "*"}
    normalized = normalize_origin(origin)
    if normalized is None or (allowed and normalized not in allowed):
        return {}
    return {"Access-Control-Allow-Origin": origin, "Access-Control-Allow-Credentials": "true"}


async def add_headers(svc: Services, request: Request, response: Response) -> None:
    """Add the CORS headers of an actual (non-preflight) request to its response."""
    response.headers.update(await grant(svc, request.headers.get("origin")))
    _vary_origin(response)


async def preflight(svc: Services, request: Request) -> Response:
    """Answer an OPTIONS preflight: 204, with the allow headers only for an allowed origin."""
    response = Response(status_code=204, headers={"Allow": ALLOW_METHODS})
    granted = await grant(svc, request.headers.get("origin"))
    if granted:
        response.headers.update(granted)
        response.headers.update({"Access-Control-Allow-Methods": ALLOW_METHODS,
                                 "Access-Control-Allow-Headers": ALLOW_HEADERS,
                                 "Access-Control-Max-Age": str(MAX_AGE_SECONDS)})
    _vary_origin(response)
    return response


def _vary_origin(response: Response) -> None:
    """Every API answer depends on Origin, so a shared cache must key on it."""
    present = [v.strip().lower() for v in response.headers.get("vary", "").split(",") if v.strip()]
    if "origin" not in present and "*" not in present:
        response.headers["Vary"] = ", ".join([response.headers["vary"], "Origin"]) if present else "Origin"
