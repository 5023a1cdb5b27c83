"""One port, HTTP and HTTPS: the first byte of each connection decides.

A TLS connection starts with a ClientHello record (0x16).  The listener accepts, waits until
the socket is readable, peeks one byte (MSG_PEEK, nothing consumed), then hands the socket to
the event loop with or without the TLS context, running uvicorn's own HTTP protocol.  Each
accepted socket gets TCP_NODELAY (without it every response waits ~40 ms for a delayed ACK).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import ssl
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import Server

log = logging.getLogger("geoshare.server")
TLS_HANDSHAKE = 0x16
FIRST_BYTE_TIMEOUT = 15.0
HEADER_TIMEOUT = 20.0
MAX_CONNECTIONS = 2000  # beyond this uvicorn answers 503 instead of running out of descriptors
TLS_SHUTDOWN_TIMEOUT = 2.0  # wait this long for a peer's close_notify (asyncio's default: 30 s)


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


class GeoshareHttpProtocol(HttpToolsProtocol):
    """uvicorn's protocol plus a deadline for request headers: a client that connects (or
    starts a request) and then sends its headers slower than HEADER_TIMEOUT is dropped, so
    slow clients cannot hold connections open for ever."""

    header_timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        self._disarm()
        self.header_timer = self.loop.call_later(HEADER_TIMEOUT, self._headers_too_slow)

    def _disarm(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)


class SniffingServer(Server):
    def __init__(self, config: uvicorn.Config, tls: ssl.SSLContext, sock: socket.socket) -> None:
        super().__init__(config)
        self.tls = tls
        self.listen_sock = sock

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
            return config.http_protocol_class(  # type: ignore[call-arg]
                config=config, server_state=self.server_state, app_state=self.lifespan.state, _loop=loop)

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
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def run(app: Any, host: str, port: int, tls: ssl.SSLContext, log_level: str = "info") -> None:
    config = uvicorn.Config(app, host=host, port=port, http=GeoshareHttpProtocol, loop="uvloop", lifespan="on",
                            limit_concurrency=MAX_CONNECTIONS,
                            access_log=False, log_level=log_level, log_config=None, server_header=False, proxy_headers=False,
                            timeout_keep_alive=30)
    sock = listening_socket(host, port)
    server = SniffingServer(config, tls, sock)
    server.run()
