"""Limits on request bodies, the same for every route: the API, the pages under /-/ and the
landing pages.

`BodyGuard` stands between the server and the application for each request that has a body:

* size: the body may not exceed `max_body` bytes, whatever Content-Length says (a declared
  length over the limit is refused before a byte is read; chunked bodies are counted);
* time: a body may not pause longer than `body_timeout` seconds, and once that many seconds
  have passed it must have averaged MIN_RATE bytes a second, so a client cannot hold a request
  open by trickling a byte now and then;
* fields: an urlencoded form may have at most MAX_FIELDS fields, counted from its separators as
  the bytes arrive, so a body of `&&&...` is refused before the form parser walks it.

A broken limit raises `BodyRefused`, a GeoshareError carrying the status: the API answers it in
the error envelope of its mount, the pages as a short plain answer (`plain_answer`).  A client
that goes away mid-body raises `ClientGone` after one log line (no traceback).  Either way the response closes
the connection (`closing`), since the rest of the body is never read.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import Message, Receive, Scope, Send

from geoshare.errors import InvalidParameter
from geoshare.logsafe import printable

log = logging.getLogger("geoshare.http")
MAX_FIELDS = 2000  # form fields, urlencoded and multipart alike
PAGE_MAX_BODY = 64 * 1024  # the pages under /-/ take a few short form fields
MIN_RATE = 1024  # bytes a second a body must average once body_timeout seconds have passed
CLOSE = (b"connection", b"close")


class BodyRefused(InvalidParameter):
    """The request body broke a limit; `code` is also the HTTP status of the plain answer."""


class ClientGone(BodyRefused):
    """The client closed the connection before its body was complete (nobody reads the answer)."""


def body_too_large(max_body: int) -> BodyRefused:
    return BodyRefused("Request too large.", [f"The request body is over {max_body} bytes."], code=413)


def body_too_slow(timeout: float) -> BodyRefused:
    return BodyRefused("Request timeout.", [f"The request body did not arrive in time (it may pause at most "
                                            f"{timeout:g} seconds and must average {MIN_RATE} bytes a second)."],
                       code=408)


def too_many_fields() -> BodyRefused:
    return BodyRefused("Too many fields.", [f"A form may have at most {MAX_FIELDS} fields."], code=400)


def declared_body(scope: Scope) -> tuple[bool, int | None, bool]:
    """(has a body, its declared length or None when chunked, is an urlencoded form)."""
    length: int | None = None
    chunked = urlencoded = False
    for name, value in scope["headers"]:
        if name == b"content-length":
            length = int(value) if value.isdigit() else 0
        elif name == b"transfer-encoding":
            chunked = True
        elif name == b"content-type":
            urlencoded = value[:33].lower() == b"application/x-www-form-urlencoded"
    if chunked:
        return True, None, urlencoded
    return bool(length), length, urlencoded


GUARD_KEY = "geoshare.body_guard"  # where the ASGI scope keeps a request's guard, for dispatch


class BodyGuard:
    """The limits of one request's body, applied as `receive` hands it over."""

    def __init__(self, scope: Scope, receive: Receive, max_body: int, timeout: float,
                 declared: int | None, urlencoded: bool, gone_level: int = logging.INFO) -> None:
        self._receive = receive
        self.gone_level = gone_level
        self.max_body = max_body
        self.timeout = timeout
        self.declared = declared
        self.urlencoded = urlencoded
        self.scope = scope
        self.seen = self.separators = 0
        self.complete = False
        self.loop = asyncio.get_running_loop()
        self.started = self.last = self.loop.time()

    async def receive(self) -> Message:
        if self.complete:
            return await self._receive()  # only http.disconnect is left to come
        if self.declared is not None and self.declared > self.max_body:
            raise body_too_large(self.max_body)
        message = await self._next()
        if message["type"] == "http.disconnect":
            raise self._gone()
        self._count(message.get("body", b""))
        self.complete = not message.get("more_body", False)
        return message

    async def _next(self) -> Message:
        try:
            async with asyncio.timeout(self._deadline() - self.loop.time()):
                return await self._receive()
        except TimeoutError:
            raise body_too_slow(self.timeout) from None

    def _deadline(self) -> float:
        """The earlier of: the longest pause, and when the average would fall below MIN_RATE."""
        return min(self.last + self.timeout, self.started + max(self.timeout, self.seen / MIN_RATE))

    def _count(self, chunk: bytes) -> None:
        self.last = self.loop.time()
        self.seen += len(chunk)
        if self.seen > self.max_body:
            raise body_too_large(self.max_body)
        if self.urlencoded:
            # The same separators as the form parser (python-multipart splits on both).
            self.separators += chunk.count(b"&") + chunk.count(b";")
            if self.separators >= MAX_FIELDS:
                raise too_many_fields()

    def _gone(self) -> ClientGone:
        log.log(self.gone_level, "client closed the connection after %d bytes of the request body: %s %s",
                self.seen, self.scope["method"], printable(self.scope["path"]))
        return ClientGone("Request incomplete.", ["The client closed the connection."])

    def closing(self, send: Send) -> Send:
        """`send` that adds `Connection: close` to an answer given before the body was read whole."""

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and not self.complete:
                message = {**message, "headers": [*message.get("headers", ()), CLOSE]}
            await send(message)

        return sending


def guard(scope: Scope, receive: Receive, max_body: int, timeout: float,
          gone_level: int = logging.INFO) -> BodyGuard | None:
    """A guard for a request with a body; None for one without (nothing to limit).  `gone_level`
    is the level of the line that reports a client gone mid-body (DEBUG where the access log
    writes its own line for the request, so one disconnect is one line at INFO)."""
    has_body, declared, urlencoded = declared_body(scope)
    if not has_body:
        return None
    return BodyGuard(scope, receive, max_body, timeout, declared, urlencoded, gone_level)


def plain_answer(request: Request, exc: Exception) -> Response:
    """The answer of the pages (not the API) to a refused body: a short plain text."""
    assert isinstance(exc, BodyRefused)
    text = " ".join([exc.message, *exc.details])
    return PlainTextResponse(text + "\n", status_code=exc.code, headers={"Cache-Control": "no-store"})
