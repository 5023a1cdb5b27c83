"""Fetching `dataUrl` and `thumbnailurl` (sharing-api.md §6.4) without becoming a proxy.

Only hosts named in the `item_fetch_hosts` setting are fetched (none by default), over http or
https, without following redirects (a redirect could lead anywhere), with a timeout and a size cap.
Everything else is refused before any connection is made.
"""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from geoshare.domain.services import Services
from geoshare.errors import InvalidParameter

TIMEOUT = 30
CHUNK = 256 * 1024
MAX_FETCH_BYTES = 1024 * 1024 * 1024
FETCH_FAILED = "Unable to fetch the URL."


@dataclass(frozen=True)
class Fetched:
    path: str
    content_type: str | None
    size: int


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def allowed(svc: Services, url: str, name: str) -> None:
    host = (urlsplit(url).hostname or "").lower()
    if host not in svc.settings.item_fetch_host_set:
        raise InvalidParameter(FETCH_FAILED, [f"'{name}' names a host this portal does not fetch from."])


def _open(url: str) -> object:
    opener = urllib.request.build_opener(_NoRedirect)
    return opener.open(urllib.request.Request(url, headers={"User-Agent": "geoshare"}), timeout=TIMEOUT)  # noqa: S310 (allowed() admitted http(s) to a listed host only)


async def _chunks(response: object, limit: int, name: str) -> AsyncIterator[bytes]:
    total = 0
    while True:
        chunk = await asyncio.to_thread(response.read, CHUNK)  # type: ignore[attr-defined]
        if not chunk:
            return
        total += len(chunk)
        if total > limit:
            raise InvalidParameter(FETCH_FAILED, [f"'{name}' is larger than {limit} bytes."])
        yield chunk


async def _response(url: str, name: str) -> object:
    try:
        return await asyncio.to_thread(_open, url)
    except (OSError, ValueError):
        raise InvalidParameter(FETCH_FAILED, [f"'{name}' could not be fetched."]) from None


async def fetch_to_blob(svc: Services, url: str, key: str, name: str) -> Fetched:
    allowed(svc, url, name)
    response = await _response(url, name)
    try:
        size = await svc.blobs.put_stream(key, _chunks(response, MAX_FETCH_BYTES, name))
        ctype = response.headers.get("Content-Type")  # type: ignore[attr-defined]
    finally:
        response.close()  # type: ignore[attr-defined]
    return Fetched(urlsplit(url).path, ctype, size)


async def fetch_small(svc: Services, url: str, limit: int, name: str) -> bytes:
    allowed(svc, url, name)
    response = await _response(url, name)
    try:
        return b"".join([chunk async for chunk in _chunks(response, limit, name)])
    finally:
        response.close()  # type: ignore[attr-defined]
