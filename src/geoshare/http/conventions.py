"""ArcGIS response conventions, done once: `f`, JSONP, `callback.html`, the error envelopes.

* `f=json` compact JSON, `f=pjson` indented, `f=html` (the default) the directory page built
  from the same data.
* `callback=name` wraps JSON as JSONP after checking `name` is a plain identifier path.
* Errors ride on HTTP 200 in the envelope of the mount: `{"error": {...}}` on the portal and
  the REST tree, `{"status": "error", "messages": [...], "code": N}` on the server admin tree,
  with the 498/499 texts each tree's clients look for (server-admin-api.md §1.11).
"""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.responses import Response

from geoshare.errors import GeoshareError, InvalidParameter, InvalidToken, TokenRequired
from geoshare.html import policy

FORMATS = ("html", "json", "pjson")
# \Z, not $: `$` also matches before a final newline, which would let "cb\n" through.
CALLBACK_RE = re.compile(r"[A-Za-z_$][\w$.\[\]]{0,127}\Z")
TAG_RE = re.compile(r"(?i:textarea|pre)\Z")  # the legacy iframe-upload wrappers; nothing executable

TOKEN_TEXTS = {
    "sharing": ("Invalid token.", "Token Required"),
    "portaladmin": ("Invalid token.", "Token Required"),
    "rest": ("Invalid Token", "Token Required"),
    "tokens": ("Invalid Token", "Token Required"),
    "admin": ("Invalid Token",
              "Unauthorized access. Token not found. You can generate a token using the 'generateToken' operation."),
}
JSON_TYPE = "application/json; charset=utf-8"
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"}


class JSONBytes(Response):
    """A JSON response with its header list written out once (Starlette's generic header
    building is a measurable share of a small request)."""

    _JSON = [(b"content-type", JSON_TYPE.encode()), (b"x-content-type-options", b"nosniff"),
             (b"cache-control", b"no-store")]
    _TEXT = [(b"content-type", b"text/plain; charset=utf-8"), *_JSON[1:]]

    def __init__(self, body: bytes, pretty: bool) -> None:
        self.status_code = 200
        self.background = None
        self.body = body
        self.raw_headers = [(b"content-length", str(len(body)).encode()), *(self._TEXT if pretty else self._JSON)]


def error_body(mount: str, exc: GeoshareError) -> dict[str, Any]:
    message = exc.message
    details = list(exc.details)
    invalid, required = TOKEN_TEXTS.get(mount, TOKEN_TEXTS["sharing"])
    if isinstance(exc, InvalidToken):
        message, details = invalid, details or ([invalid] if mount == "sharing" else [])
    elif isinstance(exc, TokenRequired):
        message, details = required, details or ([required] if mount == "sharing" else [])
    if mount == "admin":
        return {"status": "error", "messages": [message, *details], "code": exc.code}
    error: dict[str, Any] = {"code": exc.code, "message": message, "details": details}
    if exc.message_code and mount != "tokens":
        error["messageCode"] = exc.message_code
    oauth_error = getattr(exc, "oauth_error", None)
    if oauth_error:
        error["error"] = oauth_error
        error["error_description"] = message
    return {"error": error}


def pick_format(raw: str | None, json_by_default: bool, offered: tuple[str, ...] = ()) -> str:
    """The output format asked for; `offered` adds formats one operation answers besides the
    common ones (`rss` for the operations that declare a feed)."""
    if raw is None or raw.strip() == "":
        return "json" if json_by_default else "html"
    value = raw.strip().lower()
    allowed = FORMATS + offered
    if value not in allowed:
        raise InvalidParameter("Output format not supported.", [f"'f' must be one of: {', '.join(allowed)}."])
    return value


def check_callback(callback: str | None, callback_html: str | None) -> None:
    if callback is not None and callback != "" and not CALLBACK_RE.match(callback):
        raise InvalidParameter("Invalid callback function name.", ["'callback' must be a JavaScript identifier path."])
    if callback_html is not None and callback_html != "" and not TAG_RE.match(callback_html):
        raise InvalidParameter("Invalid callback.html tag.", ["'callback.html' must be a plain element name."])


def _dumps(data: Any, pretty: bool) -> bytes:
    """UTF-8 JSON; orjson because encoding is a visible share of a small request's cost."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 if pretty else 0)


def json_response(data: Any, fmt: str, callback: str | None = None, callback_html: str | None = None) -> Response:
    """Serialize `data` as the caller asked: json, pjson, JSONP or callback.html."""
    body = _dumps(data, fmt == "pjson")
    if not callback and not callback_html:
        return JSONBytes(body, pretty=fmt == "pjson")
    text = body.decode("utf-8")  # pragma: no mutate (codec names ignore case)
    if callback:
        safe = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("<", "\\u003c")
        return Response(f"/**/{callback}({safe});", media_type="application/javascript; charset=utf-8",
                        headers=SECURITY_HEADERS)
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    page = f"<html><body><{callback_html}>{safe}</{callback_html}></body></html>"
    return Response(page, media_type="text/html; charset=utf-8", headers=policy.FRAMED_RESULT)
