"""build_app(settings) -> the ASGI application.  Wiring only."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from geoshare.domain.passwords import PasswordHasher
from geoshare.domain.services import Services
from geoshare.http import cors, limits, pages, register  # noqa: F401  (register fills the operation table)
from geoshare.http.dispatch import Mounts, dispatch
from geoshare.settings import Settings
from geoshare.storage import item_writes
from geoshare.storage.blobs import LocalBlobStore
from geoshare.storage.engine import Database

log = logging.getLogger("geoshare")


def build_services(settings: Settings) -> Services:
    return Services(settings=settings, db=Database(settings.effective_database_url),
                    hasher=PasswordHasher(settings.argon2_time_cost, settings.argon2_memory_kib),
                    blobs=LocalBlobStore(settings.data_path / "blobs"))


class GeoshareApp:
    """The ASGI entry point.  API requests go straight to the dispatcher (one prefix test
    instead of a walk through every route); pages under /-/, the landing pages and the
    lifespan go through Starlette.  Every request with a body, whichever way it goes, passes
    the same body limits (http/limits.py): the API's `max_body_bytes`, the pages' small
    PAGE_MAX_BODY, and the read deadline.  HTTPS answers carry HSTS when a real certificate
    is configured."""

    def __init__(self, starlette: Starlette, endpoint: Callable[[Request], Awaitable[Response]],
                 pages: frozenset[str], settings: Settings) -> None:
        self.max_body = settings.max_body_bytes
        # The guard admits the larger of the two limits; dispatch lowers it to max_body_bytes
        # before reading the body of an operation that takes no file.
        self.max_api_body = max(settings.max_body_bytes, settings.max_upload_bytes)
        self.body_timeout = float(settings.body_timeout)
        self.access_log = settings.access_log
        self.hsts = _hsts_header(settings)
        self.starlette = starlette
        self.endpoint = endpoint
        self.pages = pages
        self.state = starlette.state
        self.router = starlette.router
        starlette.add_exception_handler(limits.BodyRefused, limits.plain_answer)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.starlette(scope, receive, send)
            return
        if self.hsts is not None and scope["scheme"] == "https":
            send = _adding(send, self.hsts)
        path = scope["path"]
        if path == "/-/ping":
            await pages.ping()(scope, receive, send)
            return
        api = not path.startswith("/-/") and path not in self.pages
        guard = limits.guard(scope, receive, self.max_api_body if api else limits.PAGE_MAX_BODY, self.body_timeout,
                             logging.DEBUG if api and self.access_log else logging.INFO)
        if guard is not None:
            receive, send = guard.receive, guard.closing(send)
            scope[limits.GUARD_KEY] = guard
        if api:
            response = await self.endpoint(Request(scope, receive))
            await response(scope, receive, send)
            return
        await self.starlette(scope, receive, send)


def _hsts_header(settings: Settings) -> tuple[bytes, bytes] | None:
    """Only with a real certificate: HSTS with the self-signed one would lock browsers out."""
    if not settings.cert or settings.hsts_seconds <= 0:
        return None
    return b"strict-transport-security", f"max-age={settings.hsts_seconds}".encode()


def _adding(send: Send, header: tuple[bytes, bytes]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", ()), header]}
        await send(message)

    return sending


def build_app(settings: Settings, services: Services | None = None) -> GeoshareApp:
    svc = services or build_services(settings)
    mounts = Mounts(settings.portal_context, settings.server_context)
    home = f"/{settings.portal_context.strip('/')}/sharing/rest"

    async def endpoint(request: Request) -> Response:
        if request.method == "OPTIONS":
            return await cors.preflight(svc, request)
        response = await dispatch(svc, mounts, request)
        await cors.add_headers(svc, request, response)
        return response

    async def login(request: Request) -> Response:
        return await pages.login(svc, home, request)

    async def logout(request: Request) -> Response:
        return await pages.logout(svc, home, request)

    async def openapi(request: Request) -> Response:
        return pages.openapi(svc)

    async def landing(request: Request) -> Response:
        return pages.landing(svc)

    async def portal_home(request: Request) -> Response:
        """A browser opening the portal URL lands on the directory (JSON probes still get errors)."""
        if request.query_params.get("f", "html").lower() != "html":
            return await endpoint(request)
        return RedirectResponse(home, status_code=302)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await svc.db.start()
        svc.views.start(lambda counts: svc.db.write(item_writes.add_views, counts))
        purger = asyncio.get_running_loop().create_task(_purge_expired(svc))
        try:
            yield
        finally:
            purger.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await purger
            await svc.views.stop()
            await svc.db.stop()

    routes = [
        Route("/", landing),
        Route(f"/{settings.portal_context.strip('/')}", portal_home),
        Route(f"/{settings.portal_context.strip('/')}/", portal_home),
        Route(f"/{settings.portal_context.strip('/')}/home", portal_home),
        Route("/-/login", login, methods=["GET", "POST"]),
        Route("/-/logout", logout, methods=["GET", "POST"]),
        Route("/-/openapi.json", openapi),
        Mount("/-/static", StaticFiles(directory=Path(__file__).parent / "html" / "static"), name="static"),
        Route("/{path:path}", endpoint, methods=["GET", "POST", "OPTIONS"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.services = svc
    pc = settings.portal_context.strip("/")
    return GeoshareApp(app, endpoint, frozenset({"/", f"/{pc}", f"/{pc}/", f"/{pc}/home"}), settings)


async def _purge_expired(svc: Services, every_seconds: float = 3600) -> None:
    """Expired tokens, OAuth sessions and codes are deleted hourly (they are refused anyway)."""
    from geoshare.storage.tokens import purge_expired_tokens

    while True:
        try:
            removed = await svc.db.write(purge_expired_tokens, svc.clock.now_ms())
            if removed:
                log.info("purged %d expired tokens", removed)
        except Exception:  # a failed purge must never stop the server; it is retried
            log.exception("purging expired tokens failed")
        await asyncio.sleep(every_seconds)
