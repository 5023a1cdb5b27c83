"""A web app on the ArcGIS Maps SDK for JavaScript (`@arcgis/core`, installed in
tests/e2e/node), served from another origin than geoshare's, in headless Chromium.

The SDK loads `portals/self` with credentialed CORS (clients.md §8 no. 13, §10): the page
must be able to load the portal anonymously, sign in with a token it registers with the
IdentityManager, and read the answers of further portal calls.  Nothing may load from
outside this machine: the SDK's assets come from the page's own origin.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .support import LiveServer, require_chromium, start_server, stop_server
from .webapp_server import require_sdk_module, serve_webapp

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

require_chromium()

from playwright.sync_api import Browser, ConsoleMessage, Page, Route  # noqa: E402 - after the check

require_sdk_module("portal/Portal.js")

TIMEOUT_MS = 30_000
LOOPBACK = "127.0.0.1"


class AppPage:
    """The web app open in a fresh browser context; what it logged and what it tried to fetch from outside."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        self.outside: list[str] = []

    def call(self, name: str, *args: Any) -> Any:
        return self.page.evaluate("([name, args]) => window.geoshareApp[name](...args)", [name, list(args)])

    def cors_complaints(self) -> list[str]:
        return [line for line in self.console if "CORS" in line]


@pytest.fixture
def open_app(browser: Browser) -> Iterator[Callable[[str], AppPage]]:
    """open_app(origin): the web app served at `origin`, in a fresh browser context."""
    opened: list[AppPage] = []

    def open_at(origin: str) -> AppPage:
        opened.append(_open(browser, origin))
        return opened[-1]

    yield open_at
    for app in opened:
        app.page.context.close()
    for app in opened:
        assert not app.outside, f"the web app tried to load from outside this machine: {app.outside}"


@pytest.fixture
def app_page(open_app: Callable[[str], AppPage], webapp: str) -> AppPage:
    return open_app(webapp)


def _open(browser: Browser, origin: str) -> AppPage:
    context = browser.new_context(ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    app = AppPage(context.new_page())

    def only_loopback(route: Route) -> None:
        if urlsplit(route.request.url).hostname == LOOPBACK:
            route.continue_()
        else:
            app.outside.append(route.request.url)
            route.abort()

    def remember(message: ConsoleMessage) -> None:
        app.console.append(f"{message.type}: {message.text}")

    context.route("**/*", only_loopback)
    app.page.on("console", remember)
    app.page.goto(origin)
    app.page.wait_for_function("window.geoshareApp !== undefined")
    return app


def value(outcome: dict[str, Any], app: AppPage) -> Any:
    assert "error" not in outcome, f"{outcome['error']}\nbrowser console:\n" + "\n".join(app.console)
    return outcome["value"]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_web_app_on_another_origin_loads_the_portal_and_signs_in(app_page: AppPage, live_server: LiveServer,
                                                                 webapp: str, scheme: str) -> None:
    portal_url = live_server.portal_url(scheme)
    assert urlsplit(portal_url).port != urlsplit(webapp).port  # another origin than the page's
    expected = live_server.get_json("/portal/sharing/rest/portals/self", {"f": "json"})

    anonymous = value(app_page.call("loadPortal", portal_url), app_page)
    assert (anonymous["id"], anonymous["name"]) == (expected["id"], expected["name"])
    assert anonymous["username"] is None

    issued = value(app_page.call("generateToken", portal_url, live_server.admin_username,
                                 live_server.admin_password), app_page)
    assert issued["expires"] > time.time() * 1000
    signed = value(app_page.call("signInWithToken", portal_url, live_server.admin_username, issued["token"],
                                 issued["expires"], scheme == "https"), app_page)
    assert signed["username"] == live_server.admin_username
    assert signed["id"] == expected["id"]

    me = value(app_page.call("fetchWithHeader", portal_url, issued["token"]), app_page)
    assert me.get("username") == live_server.admin_username, me
    assert not app_page.cors_complaints(), app_page.cors_complaints()


def test_the_sdk_sign_in_dialog_signs_in(app_page: AppPage, live_server: LiveServer) -> None:
    """`authMode: "immediate"` makes the SDK ask for a username and password in its own
    dialog (calcite components) and call generateToken itself."""
    page = app_page.page
    page.evaluate("url => { window.pending = window.geoshareApp.loadPortal(url, 'immediate'); }",
                  live_server.portal_url("https"))
    page.locator("calcite-input[name=username] input").fill(live_server.admin_username)
    page.locator("calcite-input[name=password] input").fill(live_server.admin_password)
    page.locator("calcite-button[type=submit]").click()
    signed = value(page.evaluate("() => window.pending"), app_page)
    assert signed["username"] == live_server.admin_username
    assert not app_page.cors_complaints(), app_page.cors_complaints()


def test_portal_queries_are_readable_across_origins(app_page: AppPage, live_server: LiveServer) -> None:
    """`queryItems` (search) and `queryGroups` (community/groups) may not be served yet: an
    answer the page can read (a count, or the server's own error) is what CORS must allow."""
    portal_url = live_server.portal_url("http")
    issued = value(app_page.call("generateToken", portal_url, live_server.admin_username,
                                 live_server.admin_password), app_page)
    value(app_page.call("signInWithToken", portal_url, live_server.admin_username, issued["token"],
                        issued["expires"], False), app_page)
    outcome = app_page.call("queryItemsAndGroups", portal_url)
    assert "error" not in outcome["load"], outcome
    for name, path in (("items", "/sharing/rest/search"), ("groups", "/sharing/rest/community/groups")):
        answer = outcome[name]
        if "error" in answer:  # the server's own envelope reached the page: no network or CORS failure
            details = answer["error"]["details"] or {}
            assert answer["error"]["message"] == "Invalid URL", answer
            assert details.get("httpStatus") == 400 and "does not name a resource" in str(details.get("messages"))
            # Portal.request sends every query over https, whatever the portal URL says
            # (`_normalizeSSL` in @arcgis/core 5.1): geoshare answers both on one port.
            assert details["url"] == live_server.portal_url("https") + path, details["url"]
        else:
            assert isinstance(answer["value"], int), answer
    assert not app_page.cors_complaints(), app_page.cors_complaints()


# ---------------------------------------------------------------- an organization that lists its origins
def _set_allowed_origins(database_url: str, origins: list[str]) -> None:
    from sqlalchemy import create_engine, update

    from geoshare.storage.tables import orgs

    engine = create_engine(database_url)
    try:
        with engine.begin() as conn:
            row = conn.execute(orgs.select().where(orgs.c.is_default.is_(True))).mappings().one()
            settings = {**json.loads(row["settings"] or "{}"), "allowedOrigins": origins}
            conn.execute(update(orgs).where(orgs.c.id == row["id"]).values(settings=json.dumps(settings)))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def listing_server(tmp_path_factory: pytest.TempPathFactory, webapp: str) -> Iterator[LiveServer]:
    """A server of its own whose organization allows only the `webapp` origin.  Nothing sets
    `allowedOrigins` through the API yet, so it is written into the database between a first
    start (which creates the organization) and a second.  SQLite even on a PostgreSQL run: the
    browser's side of CORS is under test here; tests/api/test_cors.py reads the list on both."""
    root = tmp_path_factory.mktemp("geoshare-origins")
    stop_server(start_server(root))
    _set_allowed_origins(f"sqlite:///{root / 'data' / 'geoshare.db'}", [webapp])
    server = start_server(root)
    try:
        yield server
    finally:
        stop_server(server)


def test_only_the_listed_origin_may_read_the_portal(open_app: Callable[[str], AppPage], webapp: str,
                                                    listing_server: LiveServer) -> None:
    portal_url = listing_server.portal_url("https")
    listed = open_app(webapp)
    loaded = value(listed.call("loadPortal", portal_url), listed)
    assert loaded["id"] and loaded["name"]

    with serve_webapp() as elsewhere:  # the same app on an origin the organization does not list
        unlisted = open_app(elsewhere)
        refused = unlisted.call("loadPortal", portal_url)
    assert "error" in refused, refused
    assert refused["error"]["details"].get("httpStatus") == 0, refused  # the browser withheld the answer
    assert any("blocked by CORS policy" in line and "Access-Control-Allow-Origin" in line
               for line in unlisted.cors_complaints()), unlisted.console
