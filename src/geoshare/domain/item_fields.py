"""The item's own properties (sharing-api.md §6.4): one validator per addItem/update parameter.

Parameters arrive typed by the operation table (lists split, JSON parsed, booleans read); here
they are cleaned (descriptive HTML through the §9 allow-list, titles and tags as plain text) and
checked against the limits.  `changes` turns the supplied parameters into column values and
raises on the first bad one before anything is stored, so a refused call changes nothing.
Parameters describing server-kept state (access, owner, id, created, modified, numViews, size)
are accepted by the table and ignored here.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from geoshare.domain import item_types, sanitize
from geoshare.errors import InvalidParameter

ADD_FAILED = "Unable to add item."
UPDATE_FAILED = "Unable to update item."
MAX_TITLE = 250
MAX_SNIPPET = 250
MAX_TAGS = 128
MAX_TAG_CHARS = 256
MAX_KEYWORDS = 128
MAX_URL = 2048
MAX_JSON_CHARS = 64 * 1024
MAX_SHORT = 255
CREDENTIAL_TYPES = ("basic", "token", "oauth2", "windows", "apikey")
IGNORED = ("access", "owner", "id", "created", "modified", "numViews", "size")


def bad(message: str, detail: str) -> InvalidParameter:
    return InvalidParameter(message, [detail])


_plain = sanitize.plain_line


# ------------------------------------------------------------------ one validator per parameter
def _title(message: str, name: str, value: Any) -> Any:
    text = _plain(value)
    if not text:
        raise bad(message, "'title' must be specified.")
    if len(text) > MAX_TITLE:
        raise bad(message, f"'title' is longer than {MAX_TITLE} characters.")
    return text


def item_type(message: str, name: str, value: Any) -> item_types.ItemType:
    found = item_types.canonical(str(value))
    if found is None:
        raise bad(message, f"Item type not valid: '{_plain(value)[:100]}'.")
    return found


def _type(message: str, name: str, value: Any) -> Any:
    return item_type(message, name, value).type


def _html(limit: int | None, message: str, name: str, value: Any) -> Any:
    text = (sanitize.clean_html(str(value)) or "").strip()  # pragma: no mutate (see _plain)
    if limit is not None and len(text) > limit:
        raise bad(message, f"'{name}' is longer than {limit} characters.")
    return text or None


def _short(limit: int, message: str, name: str, value: Any) -> Any:
    text = _plain(value)
    if len(text) > limit:
        raise bad(message, f"'{name}' is longer than {limit} characters.")
    return text or None


def _listed(limit: int, message: str, name: str, value: Any) -> Any:
    return sanitize.plain_list(name, value, most=limit, longest=MAX_TAG_CHARS, message=message)


def _number(message: str, value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise bad(message, "'extent' must hold four numbers.") from None
    if isinstance(value, bool) or not math.isfinite(number):
        raise bad(message, "'extent' must hold four numbers.")
    return number


def _corners(message: str, value: Any) -> list[Any]:
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                return _corners(message, json.loads(text))
            except ValueError:
                raise bad(message, "'extent' is not valid JSON.") from None
        return text.split(",")
    if isinstance(value, dict):
        return [value.get(k) for k in ("xmin", "ymin", "xmax", "ymax")]
    if isinstance(value, list) and len(value) == 2 and all(isinstance(p, list) and len(p) == 2 for p in value):
        return [value[0][0], value[0][1], value[1][0], value[1][1]]
    if isinstance(value, list):
        return value
    raise bad(message, "'extent' must be xmin,ymin,xmax,ymax.")


def extent(message: str, name: str, value: Any) -> Any:
    """[xmin, ymin, xmax, ymax] in WGS84 degrees; [] for none."""
    corners = _corners(message, value)
    if corners in ([], [""]):
        return []
    if len(corners) != 4:
        raise bad(message, "'extent' must hold four numbers: xmin,ymin,xmax,ymax.")
    xmin, ymin, xmax, ymax = (_number(message, c) for c in corners)
    if not (-180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90):
        raise bad(message, "'extent' must lie within -180,-90,180,90 with xmin <= xmax and ymin <= ymax.")
    return [xmin, ymin, xmax, ymax]


def _json_object(message: str, name: str, value: Any) -> Any:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise bad(message, f"'{name}' is not valid JSON.") from None
    if not isinstance(value, dict):
        raise bad(message, f"'{name}' must be a JSON object.")
    if len(json.dumps(value)) > MAX_JSON_CHARS:
        raise bad(message, f"'{name}' is longer than {MAX_JSON_CHARS} characters.")
    return value


def web_url(message: str, name: str, value: Any) -> Any:
    text = str(value).strip()
    if len(text) > MAX_URL:
        raise bad(message, f"'{name}' is longer than {MAX_URL} characters.")
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c in text for c in " <>\"\n\r\t"):
        raise bad(message, f"'{name}' must be an http or https URL.")
    return text


def _flag(message: str, name: str, value: Any) -> Any:
    return bool(value)


def _credentials_type(message: str, name: str, value: Any) -> Any:
    text = _plain(value)
    if text.lower() not in CREDENTIAL_TYPES:
        raise bad(message, f"'{name}' must be one of: {', '.join(CREDENTIAL_TYPES)}.")
    return text.lower()


def _password(message: str, name: str, value: Any) -> Any:
    text = str(value)
    if len(text) > 1024:
        raise bad(message, f"'{name}' is longer than 1024 characters.")
    return text  # encrypted by the caller, which knows where the key lives (item_secrets)


@dataclass(frozen=True)
class Field:
    column: str
    check: Callable[[str, str, Any], Any]
    cleared: Any = None  # what an empty value stores under clearEmptyFields
    clearable: bool = True


FIELDS: dict[str, Field] = {
    "title": Field("title", _title, clearable=False),
    "type": Field("type", _type, clearable=False),
    "typeKeywords": Field("type_keywords", partial(_listed, MAX_KEYWORDS), cleared=[]),
    "description": Field("description", partial(_html, None)),
    "snippet": Field("snippet", partial(_html, MAX_SNIPPET)),
    "accessInformation": Field("access_information", partial(_html, None)),
    "licenseInfo": Field("license_info", partial(_html, None)),
    "tags": Field("tags", partial(_listed, MAX_TAGS), cleared=[]),
    "categories": Field("categories", partial(_listed, MAX_TAGS), cleared=[]),
    "extent": Field("extent", extent, cleared=[]),
    "spatialReference": Field("spatial_reference", partial(_short, MAX_SHORT)),
    "culture": Field("culture", partial(_short, 32)),
    "properties": Field("properties", _json_object),
    "advancedSettings": Field("advanced_settings", _json_object),
    "proxyFilter": Field("proxy_filter", _json_object),
    "url": Field("url", web_url),
    "commentsEnabled": Field("comments_enabled", _flag, clearable=False),
    "documentation": Field("documentation", partial(_html, None)),
    "serviceUsername": Field("service_username", partial(_short, MAX_SHORT)),
    "servicePassword": Field("service_password", _password),
    "serviceCredentialsType": Field("service_credentials_type", _credentials_type),
    "serviceProxyParams": Field("service_proxy_params", _json_object),
}
ALIASES = {"serviceProxyFilter": "serviceProxyParams"}

DEFAULTS: dict[str, Any] = {
    "type_keywords": [], "description": None, "snippet": None, "access_information": None, "license_info": None,
    "tags": [], "categories": [], "spatial_reference": None, "culture": None, "properties": None,
    "advanced_settings": None, "proxy_filter": None, "url": None, "comments_enabled": True, "documentation": None,
    "service_username": None, "service_password": None, "service_credentials_type": None,
    "service_proxy_params": None, "thumbnail": None, "protected": False, "data_kind": "none", "data_blob": None,
    "data_type": None, "metadata_blob": None, "size": 0, "name": None, "status": "completed",
}


def _store_extent(out: dict[str, Any], corners: list[float]) -> None:
    values: list[float | None] = list(corners) or [None, None, None, None]
    # pragma below: `extent` yields four numbers or none (stored as four Nones), so strict never trips
    for key, number in zip(("extent_xmin", "extent_ymin", "extent_xmax", "extent_ymax"), values, strict=True):  # pragma: no mutate
        out[key] = number


def changes(given: dict[str, Any], message: str, clear: bool) -> dict[str, Any]:
    """Column values for the supplied parameters (`given`: name -> coerced value, None when
    supplied empty).  Empty values clear their property only under clearEmptyFields."""
    out: dict[str, Any] = {}
    for name, value in given.items():
        field = FIELDS[ALIASES.get(name, name)]
        empty = value is None or value == [] or value == ""
        new = None if empty else field.check(message, name, value)
        if new is None or new == []:
            if not (clear and field.clearable) and not (field.column == "extent" and new == []):
                continue
            new = field.cleared
        if field.column == "extent":
            _store_extent(out, new)
        else:
            out[field.column] = new
    return out
