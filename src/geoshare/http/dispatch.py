"""The one request path for every declared operation.

normalize path -> find mount and operation -> read and coerce parameters -> resolve the
token -> check permission -> call the handler -> render JSON/JSONP/HTML, or the error
envelope of the mount.  Nothing here knows about a particular operation.
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from geoshare.domain import accounts
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.domain.services import Services
from geoshare.errors import Forbidden, GeoshareError, InvalidParameter, TokenRequired, Unsupported
from geoshare.http import auth, conventions, limits
from geoshare.http.access_log import ACCESS_LOG
from geoshare.http.context import Ctx
from geoshare.http.limits import MAX_FIELDS, body_too_large
from geoshare.http.operations import ROUTER, Operation
from geoshare.http.params import coerce_all
from geoshare.logsafe import printable

log = logging.getLogger("geoshare.http")
# code_challenge too: with plain PKCE it is the verifier itself.
REDACT = {"token", "password", "code", "refresh_token", "access_token", "oauth_state", "client_secret",
          "code_verifier", "code_challenge", "auth_token", "newpassword"}
SECRET_WORDS = ("password", "token", "secret", "answer")  # answer: securityAnswer


def is_secret(name: str) -> bool:
    """Parameters whose values never reach the log: the named ones, every parameter declared
    as a password in the operation table, and anything that looks like one."""
    low = name.lower()
    return low in REDACT or any(word in low for word in SECRET_WORDS)


class Mounts:
    """Path prefixes of each mount, longest first, built from the settings."""

    def __init__(self, portal_context: str, server_context: str) -> None:
        pc, sc = portal_context.strip("/").lower(), server_context.strip("/").lower()
        self.table: list[tuple[tuple[str, ...], str]] = sorted(
            [((pc, "sharing", "rest"), "sharing"), ((pc, "sharing"), "sharing"), ((pc, "portaladmin"), "portaladmin"),
             ((sc, "admin"), "admin"), ((sc, "rest"), "rest"), ((sc, "tokens"), "tokens")],
            key=lambda entry: -len(entry[0]))

    def find(self, segments: list[str]) -> tuple[str, int] | None:
        lowered = [s.lower() for s in segments]
        for prefix, mount in self.table:
            if tuple(lowered[: len(prefix)]) == prefix:
                return mount, len(prefix)
        return None


OUTSIDE_MOUNTS = "sharing"  # a URL outside every mount is answered in the portal's envelope
CACHE_INPUT_LIMIT = 1024  # only short paths and query strings are cached, so the caches stay small


def query_items(request: Request) -> list[tuple[str, str]]:
    """The query string's pairs, parsed once per request (cheaper than Starlette's QueryParams)."""
    raw: bytes = request.scope["query_string"]  # always there in ASGI (Starlette reads it so too)
    if len(raw) > CACHE_INPUT_LIMIT:  # pragma: no mutate (cached or not, the same pairs)
        return _parse_query_uncached(raw)
    return list(_parse_query(raw))


@functools.lru_cache(maxsize=4096)
def _parse_query(raw: bytes) -> tuple[tuple[str, str], ...]:
    """Clients repeat the same query strings (same token, same f), so parsing is cached."""
    return tuple(_parse_query_uncached(raw))


def _parse_query_uncached(raw: bytes) -> list[tuple[str, str]]:
    if not raw:
        return []
    text = raw.decode("latin-1")  # pragma: no mutate (codec names ignore case)
    if "%" in text or "+" in text:  # UTF-8, undecodable bytes replaced: parse_qsl's defaults
        return parse_qsl(text, keep_blank_values=True)
    pairs = []
    for part in text.split("&"):  # the common case: nothing to unquote
        if part:
            key, _, value = part.partition("=")
            pairs.append((key, value))
    return pairs


def redacted_query(items: list[tuple[str, str]]) -> str:
    if not any(is_secret(k) for k, _ in items):
        return urlencode(items)
    return urlencode([(k, "***" if is_secret(k) else v) for k, v in items])


async def read_raw_params(request: Request, max_body: int, query: list[tuple[str, str]]) -> dict[str, Any]:
    """Query and body parameters merged, names lower-cased; the body wins (sharing-api.md §1.2)."""
    raw: dict[str, Any] = {}
    for key, text_value in query:
        raw.setdefault(key.lower(), text_value)
    if request.method != "POST":
        return raw
    length = request.headers.get("content-length")  # pragma: no mutate (header names ignore case)
    if length and length.isdigit() and int(length) > max_body:
        raise body_too_large(max_body)
    # no mutate: header names ignore case, and any default that names no form reads the same
    ctype = request.headers.get("content-type", "").lower()  # pragma: no mutate
    if ctype.startswith("multipart/form-data") or ctype.startswith("application/x-www-form-urlencoded"):
        try:
            form = await request.form(max_fields=MAX_FIELDS, max_part_size=max_body)
        except GeoshareError:
            raise
        except Exception as exc:  # malformed bodies are the caller's fault, never a 500
            # no mutate: Starlette's messages stay far below the cut, which only guards against a long one
            raise InvalidParameter("Unable to read the request body.", [str(exc)[:200]]) from None  # pragma: no mutate
        for key, value in form.multi_items():
            raw[key.lower()] = value
    return raw


def _body_limit(svc: Services, request: Request, matched: tuple[Operation, dict[str, str]] | None) -> int:
    """max_upload_bytes for an operation that takes item data or files (`large_upload`),
    max_body_bytes for everything else; the request's body guard is set to it before a byte of
    the body is read."""
    large = matched is not None and matched[0].large_upload
    limit = svc.settings.max_upload_bytes if large else svc.settings.max_body_bytes
    guard = request.scope.get(limits.GUARD_KEY)
    if guard is not None:
        guard.max_body = limit
    return limit


async def _display_principal(svc: Services, request: Request, raw: dict[str, Any]) -> Principal:
    """Who the HTML header names: the caller's token if it is valid, else nobody (never an error)."""
    try:
        return await auth.principal_for(svc, request, raw)
    except GeoshareError:
        return ANONYMOUS


def _permission(op: Operation, principal: Principal) -> None:
    if principal.admits(op.requirement):
        return
    if principal.is_anonymous:
        raise TokenRequired()
    raise Forbidden()


async def _private_portal_check(svc: Services, op: Operation, principal: Principal) -> None:
    if op.mount not in ("sharing", "portaladmin") or op.private_ok or not principal.is_anonymous:
        return
    org = await accounts.default_org(svc)
    if org.access == "private":
        raise TokenRequired()


def _split_path(mounts: Mounts, path: str) -> tuple[list[str], tuple[str, int] | None]:
    if len(path) > CACHE_INPUT_LIMIT:  # pragma: no mutate (cached or not, the same split)
        return _split_path_uncached(mounts, path)
    return _split_path_cached(mounts, path)


def _split_path_uncached(mounts: Mounts, path: str) -> tuple[list[str], tuple[str, int] | None]:
    segments = [s for s in path.split("/") if s]
    return segments, mounts.find(segments)


_split_path_cached = functools.lru_cache(maxsize=4096)(_split_path_uncached)


async def dispatch(svc: Services, mounts: Mounts, request: Request) -> Response:
    started = time.perf_counter()
    path: str = request.scope["path"]
    query = query_items(request)
    segments, found = _split_path(mounts, path)
    segments = list(segments)
    mount = found[0] if found else OUTSIDE_MOUNTS
    # no mutate: until `f` is read, any format but html and pjson answers the same compact JSON
    fmt = "json"  # pragma: no mutate
    # no mutate: an empty callback is no callback, everywhere one is looked at
    callback: str | None = None  # pragma: no mutate
    callback_html: str | None = None  # pragma: no mutate
    op: Operation | None = None
    status_note = "ok"
    # no mutate: only an HTML error reads it, and the format is known only after the parameters are read
    raw: dict[str, Any] = {}  # pragma: no mutate
    try:
        rest = segments[found[1]:] if found is not None else []
        matched = ROUTER.match(mount, rest) if found is not None else None
        raw = await read_raw_params(request, _body_limit(svc, request, matched), query)
        if found is None:
            # outside every mount: answered in the portal's envelope, with its 400
            raise Unsupported("Invalid URL", ["The URL does not name a resource of this server."])
        fmt = conventions.pick_format(raw.get("f") if isinstance(raw.get("f"), str) else None,
                                      matched is not None and matched[0].json_by_default,
                                      ("rss",) if matched is not None and matched[0].rss is not None else ())
        callback = raw.get("callback") if isinstance(raw.get("callback"), str) else None
        callback_html = raw.get("callback.html") if isinstance(raw.get("callback.html"), str) else None
        conventions.check_callback(callback, callback_html)
        prefix = "/" + "/".join(segments[: found[1]])
        if matched is None:
            return await _directory_or_missing(svc, mount, prefix, rest, request, fmt, callback, callback_html, raw)
        op, path_params = matched
        principal = ANONYMOUS
        if op.resolve_token:
            principal = await auth.principal_for(svc, request, raw, op)
        elif fmt == "html":
            principal = await _display_principal(svc, request, raw)
        if request.method not in op.methods:
            if request.method == "GET" and fmt == "html":
                from geoshare.html.render import render_operation_form

                return render_operation_form(op, prefix, rest, principal)
            raise Unsupported("Method not supported.", [f"{op.name} accepts {', '.join(op.methods)}."])
        _permission(op, principal)
        await _private_portal_check(svc, op, principal)
        params = coerce_all(op.params, raw, message=op.failure_message, default_max=svc.settings.max_param_chars)
        ctx = Ctx(request=request, svc=svc, op=op, params=params, path_params=path_params, principal=principal,
                  mount_prefix=prefix, supplied=frozenset(raw))
        if fmt == "rss" and op.rss is not None:
            feed: Response = await op.rss(ctx)  # a feed; its errors still answer in the JSON envelope
            return feed
        result = await op.handler(ctx)
        if isinstance(result, Response):
            return result
        if fmt == "html" and not callback and not callback_html:
            from geoshare.html.render import render_result

            return render_result(ctx, result, ROUTER.children(mount, rest), rest)
        return conventions.json_response(result, fmt, callback, callback_html)
    except GeoshareError as exc:
        status_note = f"error {exc.code}"
        # no mutate: only a page names the caller; looking them up for JSON too would only cost time
        who = await _display_principal(svc, request, raw) if fmt == "html" else None  # pragma: no mutate
        return _error_response(request, mount, exc, fmt, callback, callback_html, op, who)
    except Exception:
        status_note = "error 500"
        log.exception("unexpected failure in %s %s", request.method, path)
        exc500 = GeoshareError(details=["An unexpected error occurred on the server."])  # the default message
        return _error_response(request, mount, exc500, fmt, callback, callback_html, op)
    finally:
        await request.close()  # uploaded files' temporary files go now, not when collected
        if svc.settings.access_log:
            shown = redacted_query(query)
            ACCESS_LOG.write(request.method, printable(f"{path}?{shown}" if shown else path), status_note,
                             (time.perf_counter() - started) * 1000)


def _error_response(request: Request, mount: str, exc: GeoshareError, fmt: str,
                    callback: str | None, callback_html: str | None, op: Operation | None,
                    who: Principal | None = None) -> Response:
    body = conventions.error_body(mount, exc)
    if fmt == "html" and isinstance(exc, TokenRequired) and request.method == "GET":
        query = request.scope["query_string"].decode("latin-1")  # pragma: no mutate (codec names ignore case)
        target = request.scope["path"] + (f"?{query}" if query else "")
        return RedirectResponse(f"/-/login?{urlencode({'next': target})}", status_code=303)
    if fmt == "html":
        from geoshare.html.render import render_error

        return render_error(request, mount, exc, body, op, who)
    return conventions.json_response(body, fmt,
                                     callback if callback and conventions.CALLBACK_RE.match(callback) else None,
                                     callback_html if callback_html and conventions.TAG_RE.match(callback_html) else None)


async def _directory_or_missing(svc: Services, mount: str, prefix: str, rest: list[str], request: Request, fmt: str,
                                callback: str | None, callback_html: str | None, raw: dict[str, Any]) -> Response:
    """A path with no operation of its own but declared children (e.g. `community`) is a directory."""
    children = ROUTER.children(mount, rest)
    if not children:
        raise Unsupported("Invalid URL", [f"'{request.scope['path']}' does not name a resource."],
                          code=400 if mount in ("sharing", "portaladmin") else 404)
    if fmt == "html":
        from geoshare.html.render import render_directory

        principal = await _display_principal(svc, request, raw)
        return render_directory(request, mount, prefix, rest, children, principal)
    return conventions.json_response({"resources": [name for name, _ in children]}, fmt, callback, callback_html)

