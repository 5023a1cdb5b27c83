"""One port, HTTP and HTTPS: the first byte of each connection decides.

A TLS connection starts with a ClientHello record (0x16).  The listener accepts, waits until
the socket is readable, peeks one byte (MSG_PEEK, nothing consumed), then hands the socket to
the event loop with or without the TLS context, running uvicorn's own HTTP protocol.  Each
accepted socket gets TCP_NODELAY (without it every response waits ~40 ms for a delayed ACK).

The protocol (GeoshareHttpProtocol) caps and times what a client sends before the
application sees a request; the body limits that follow are the application's
(http/limits.py).  `run` takes a socket that is already listening, so the command line can
bind the port before it writes anything.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from types import FrameType
from typing import Any, cast

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import Server

from geoshare.settings import Settings

log = logging.getLogger("geoshare.server")
TLS_HANDSHAKE = 0x16
FIRST_BYTE_TIMEOUT = 15.0
HEADER_TIMEOUT = 20.0
LINGER_SECONDS = 5.0  # at most this long the rest of an answered request is read and dropped...
LINGER_IDLE = 1.0  # ...and no longer than this after the client last sent something
DEFAULT_MAX_HEADER = 32 * 1024
MAX_CONNECTIONS = 2000  # beyond this uvicorn answers 503 instead of running out of descriptors
TLS_SHUTDOWN_TIMEOUT = 2.0  # wait this long for a peer's close_notify (asyncio's default: 30 s)
_HEAD_TOO_LARGE_TEXT = b"Request header fields too large.\n"
HEAD_TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
                  b"content-length: " + str(len(_HEAD_TOO_LARGE_TEXT)).encode() + b"\r\nconnection: close\r\n\r\n"
                  + _HEAD_TOO_LARGE_TEXT)


class _Listener:
    """What uvicorn's shutdown expects of `servers`: close() and wait_closed()."""

    def __init__(self, sock: socket.socket, task: asyncio.Task[None]) -> None:
        self.sock = sock
        self.task = task

    def close(self) -> None:
        self.task.cancel()
        with contextlib.suppress(OSError):
            self.sock.close()

    async def wait_closed(self) -> None:
        with contextlib.suppress(asyncio.CancelledError):
            await self.task


class _ClosingTransport:
    """The transport as uvicorn sees it.  Closing a connection whose request is still
    arriving (a refused body, a 431) would make the kernel answer the unread bytes with a
    reset, and the client would lose the answer already sent; so close() asks the protocol,
    which lingers instead (see GeoshareHttpProtocol.close_softly)."""

    def __init__(self, real: asyncio.Transport, protocol: GeoshareHttpProtocol) -> None:
        self.real = real
        self.protocol = protocol

    def close(self) -> None:
        self.protocol.close_softly()

    def is_closing(self) -> bool:
        return self.protocol.lingering or self.real.is_closing()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


class GeoshareHttpProtocol(HttpToolsProtocol):
    """uvicorn's protocol plus limits on what a client may send before the application sees
    a request:

    * a deadline for request headers: a client that connects (or starts a request) and then
      sends its headers slower than HEADER_TIMEOUT is dropped;
    * a cap on the request line plus headers (`max_header_bytes`): the parser is fed at most
      that many bytes of a request's head, and a head that does not end within them gets 431
      before anything more is read into memory;
    * a lingering close: when the connection ends while the client is still sending (the
      rest of a refused body, an oversized head), the answer is followed by a shutdown of the
      sending side, and what still arrives is read and dropped (until the client has been
      quiet for LINGER_IDLE, LINGER_SECONDS at most), so the client reads the answer instead of
      a connection reset.
    """

    header_timer: asyncio.TimerHandle | None = None
    linger_timer: asyncio.TimerHandle | None = None

    def __init__(self, config: uvicorn.Config, server_state: Any, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None, max_header_bytes: int = DEFAULT_MAX_HEADER) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.max_header_bytes = max_header_bytes
        self.awaiting_head = True  # between the end of one request (or the connection's start) and the next head
        self.head_bytes = 0
        self.body_open = False  # the head of a request arrived, the end of its body did not
        self.lingering = False
        self.linger_until = 0.0
        self.real_transport: asyncio.Transport | None = None

    def _arm(self) -> None:
        self._disarm()
        self.header_timer = self.loop.call_later(HEADER_TIMEOUT, self._headers_too_slow)

    def _disarm(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        self._close_now()

    def _close_now(self) -> None:
        if self.real_transport is not None and not self.real_transport.is_closing():
            self.real_transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self.real_transport = transport
        super().connection_made(cast(asyncio.Transport, _ClosingTransport(transport, self)))
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.lingering:
            self._linger_on()  # the rest of a request that has been answered already: dropped unread
            return
        while self.awaiting_head and data:
            room = self.max_header_bytes - self.head_bytes
            if room <= 0:
                self._head_too_large()
                return
            piece, data = data[:room], data[room:]
            self.head_bytes += len(piece)
            super().data_received(piece)
            if self.transport.is_closing():
                return
        if data:
            # Bytes of a pipelined request that arrive in the same read as the end of the
            # previous body are not counted: a read is bounded (256 KiB), so memory still is.
            super().data_received(data)

    def _head_too_large(self) -> None:
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head behind an answer still being written: finish that answer, then close.
            self.cycle.keep_alive = False
            self.flow.pause_reading()
            return
        log.info("request head over %d bytes from %s: answered 431", self.max_header_bytes,
                 self.client[0] if self.client else "?")
        self.transport.write(HEAD_TOO_LARGE)
        self.close_softly(force=True)

    def close_softly(self, force: bool = False) -> None:
        """Close now when nothing is left unread; otherwise linger (see the class docstring)."""
        real = self.real_transport
        if real is None or real.is_closing() or self.lingering:
            return
        if not (force or self.body_open or (self.awaiting_head and self.head_bytes > 0)):
            real.close()
            return
        self.lingering = True
        self._disarm()
        self._unset_keepalive_if_required()
        self.flow.resume_reading()
        if real.can_write_eof():
            real.write_eof()  # the client sees the end of the answer now (not possible under TLS)
        self.linger_until = self.loop.time() + LINGER_SECONDS
        self._linger_on()

    def _linger_on(self) -> None:
        if self.linger_timer is not None:
            self.linger_timer.cancel()
        delay = min(LINGER_IDLE, self.linger_until - self.loop.time())
        self.linger_timer = self.loop.call_later(max(delay, 0.0), self._close_now)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        self.awaiting_head = False
        self.body_open = True
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self.body_open = False
        self.awaiting_head = True
        self.head_bytes = 0
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.linger_timer is not None:
            self.linger_timer.cancel()
        super().connection_lost(exc)


class SniffingServer(Server):
    def __init__(self, config: uvicorn.Config, tls: ssl.SSLContext, sock: socket.socket, max_header_bytes: int) -> None:
        super().__init__(config)
        self.tls = tls
        self.listen_sock = sock
        self.max_header_bytes = max_header_bytes

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Shut down gracefully and exit 0, so queued log lines are written before the end
        (uvicorn would re-raise the signal after shutdown and skip the exit handlers)."""
        super().handle_exit(sig, frame)
        self._captured_signals.clear()

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await self.lifespan.startup()
        if self.lifespan.should_exit:
            self.should_exit = True
            return
        config = self.config
        loop = asyncio.get_running_loop()

        def create_protocol() -> asyncio.Protocol:
            return GeoshareHttpProtocol(config=config, server_state=self.server_state, app_state=self.lifespan.state,
                                        _loop=loop, max_header_bytes=self.max_header_bytes)

        self.listen_sock.setblocking(False)
        task = loop.create_task(self._accept_loop(loop, create_protocol))
        self.servers = [_Listener(self.listen_sock, task)]  # type: ignore[list-item]
        self.started = True

    async def _accept_loop(self, loop: asyncio.AbstractEventLoop, create_protocol: Any) -> None:
        last_warning = -100.0
        while True:
            try:
                conn, _ = await loop.sock_accept(self.listen_sock)
            except OSError as exc:
                if self.should_exit:
                    return
                if loop.time() - last_warning > 10:  # e.g. out of descriptors: say so, not 20 times a second
                    log.warning("accept failed: %s", exc)
                    last_warning = loop.time()
                await asyncio.sleep(0.1)
                continue
            conn.setblocking(False)
            with contextlib.suppress(OSError):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            loop.create_task(self._hand_over(loop, conn, create_protocol))

    async def _hand_over(self, loop: asyncio.AbstractEventLoop, conn: socket.socket, create_protocol: Any) -> None:
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        fd = conn.fileno()  # kept: after close() fileno() is -1 and the reader could not be removed
        loop.add_reader(fd, readable)
        first = b""
        try:
            await asyncio.wait_for(ready, FIRST_BYTE_TIMEOUT)
            first = conn.recv(1, socket.MSG_PEEK)
        except (TimeoutError, OSError):
            pass
        finally:
            # Always before close: a reader left on a closed fd would swallow the next
            # connection that is given the same number.
            with contextlib.suppress(Exception):
                loop.remove_reader(fd)
        if not first:
            conn.close()
            return
        use_tls = first[0] == TLS_HANDSHAKE
        try:
            await loop.connect_accepted_socket(create_protocol, conn, ssl=self.tls if use_tls else None,
                                               ssl_handshake_timeout=FIRST_BYTE_TIMEOUT if use_tls else None,
                                               ssl_shutdown_timeout=TLS_SHUTDOWN_TIMEOUT if use_tls else None)
        except (OSError, ssl.SSLError, ConnectionError, TimeoutError) as exc:
            log.debug("connection dropped during set-up: %s", exc)
            with contextlib.suppress(OSError):
                conn.close()


def listening_socket(host: str, port: int) -> socket.socket:
    """Bound and listening; raises OSError (e.g. the port is in use) before anything else is set up."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError:
        sock.close()
        raise
    return sock


def run(app: Any, sock: socket.socket, tls: ssl.SSLContext, settings: Settings) -> None:
    """Serve `app` on the already listening `sock` until SIGINT or SIGTERM."""
    config = uvicorn.Config(app, host=settings.host, port=settings.port, http=GeoshareHttpProtocol, loop="uvloop",
                            lifespan="on", limit_concurrency=MAX_CONNECTIONS, access_log=False,
                            log_level=settings.log_level.lower(), log_config=None, server_header=False,
                            proxy_headers=False, timeout_keep_alive=30)
    server = SniffingServer(config, tls, sock, settings.max_header_bytes)
    server.run()
