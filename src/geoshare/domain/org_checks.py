"""Value checks of the organization's settings (portals/{id}/update, sharing-api.md §3.2).

Each check takes the parameter's name and its value as the operation table coerced it, and
returns what is stored, or raises InvalidParameter naming the parameter.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from geoshare.domain import sanitize
from geoshare.domain.portal import LANGUAGES, REGIONS
from geoshare.errors import InvalidParameter

MESSAGE = "Unable to update portal."
MAX_LIST = 100  # allowedOrigins and the other lists of origins, URIs and usernames
MAX_ENTRY = 2048
MAX_TOKEN_MINUTES = 525_600  # one year
URL_KEY = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*\Z")
ORIGIN_PORTS = {"http": 80, "https": 443}


def _fail(detail: str) -> InvalidParameter:
    return InvalidParameter(MESSAGE, [detail])


def same(name: str, value: Any) -> Any:
    return value


def name(param: str, value: str) -> str:
    cleaned = (sanitize.plain_text(value) or "").strip()
    if not cleaned:
        raise _fail(f"'{param}' must not be empty.")
    return cleaned


def description(param: str, value: str) -> str | None:
    return sanitize.clean_html(value)


def url_key(param: str, value: str) -> str:
    if not URL_KEY.match(value):
        raise _fail(f"'{param}' has 1 to 63 letters, digits and hyphens, and neither starts nor ends with a hyphen.")
    return value.lower()


def hostname(param: str, value: str) -> str:
    host = value.lower().rstrip(".")
    if len(host) > 253 or not all(LABEL.match(label) for label in host.split(".")):
        raise _fail(f"'{param}' must be a host name such as gis.example.org.")
    return host


def culture(param: str, value: str) -> str:
    return _listed(param, value, [entry["culture"] for entry in LANGUAGES], "portals/languages")


def region(param: str, value: str) -> str:
    return _listed(param, value, [entry["region"] for entry in REGIONS], "portals/regions")


def culture_format(param: str, value: str) -> str:
    """Number and date formats follow a region's conventions: a region code, in lower case."""
    return _listed(param, value, [entry["region"].lower() for entry in REGIONS], "portals/regions")


def _listed(param: str, value: str, allowed: list[str], source: str) -> str:
    for entry in allowed:
        if entry.lower() == value.lower():
            return entry
    raise _fail(f"'{param}' must be one of {source}: {', '.join(allowed)}.")


def token_minutes(param: str, value: int) -> int:
    if value == -1 or 1 <= value <= MAX_TOKEN_MINUTES:
        return value
    raise _fail(f"'{param}' must be -1 or 1 to {MAX_TOKEN_MINUTES} minutes.")


def _bounded(param: str, values: list[str]) -> list[str]:
    if len(values) > MAX_LIST:
        raise _fail(f"'{param}' may have at most {MAX_LIST} entries.")
    for value in values:
        if len(value) > MAX_ENTRY or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in value):
            raise _fail(f"'{param}': {value[:80]!r} is not valid.")
    return list(dict.fromkeys(values))


def origins(param: str, values: list[str]) -> list[str]:
    """Origins as a browser writes them in `Origin`: scheme://host[:port], nothing after."""
    values = _bounded(param, values)
    for value in values:
        if not _is_origin(value):
            raise _fail(f"'{param}': {value[:80]!r} is not an origin (http(s)://host[:port]).")
    return [value.rstrip("/") for value in values]


def _is_origin(value: str) -> bool:
    try:
        parts = urlsplit(value.rstrip("/"))
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return False
    return (parts.scheme.lower() in ORIGIN_PORTS and bool(parts.hostname) and not parts.path and not parts.query
            and not parts.fragment and "@" not in parts.netloc)


def redirect_uris(param: str, values: list[str]) -> list[str]:
    """Absolute URIs (a scheme, and a host for http and https), without a fragment."""
    values = _bounded(param, values)
    for value in values:
        if not _is_redirect_uri(value):
            raise _fail(f"'{param}': {value[:80]!r} is not an absolute URI without a fragment.")
    return values


def _is_redirect_uri(value: str) -> bool:
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018
    except ValueError:
        return False
    if not SCHEME.match(parts.scheme) or parts.fragment or "#" in value:
        return False
    if parts.scheme.lower() in ORIGIN_PORTS:
        return bool(parts.hostname) and "@" not in parts.netloc
    return bool(parts.netloc or parts.path)


def usernames(param: str, values: list[str]) -> list[str]:
    """Checked against the members in the update's transaction (organization.py)."""
    return _bounded(param, values)


def json_object(param: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _fail(f"'{param}' must be a JSON object.")
    return value


def json_array(param: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise _fail(f"'{param}' must be a JSON array.")
    return value


def http_url(param: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme.lower() not in ORIGIN_PORTS or not parts.netloc or any(c.isspace() for c in value):
        raise _fail(f"'{param}' must be an http or https URL.")
    return value


def featured_count(param: str, value: int) -> int:
    if not 0 <= value <= 100:
        raise _fail(f"'{param}' must be 0 to 100.")
    return value


def credits(param: str, value: int) -> int:
    if value < -1:
        raise _fail(f"'{param}' must be -1 (no limit) or more.")
    return value


def metadata_formats(param: str, values: list[str]) -> list[str]:
    if len(values) > 20 or any(len(v) > 64 or not re.fullmatch(r"[A-Za-z0-9_.-]+", v) for v in values):
        raise _fail(f"'{param}' is a list of at most 20 format names such as iso19139.")
    return values
