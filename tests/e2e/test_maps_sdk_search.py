"""Item and group search through the ArcGIS Maps SDK for JavaScript (`portal.queryItems` and
`queryGroups` with `PortalQueryParams`, following the next page's parameters to the end;
clients.md §10) in headless Chromium, from a page on another origin than geoshare's.  The app
and its server are test_maps_sdk.py's; webapp/search.js adds the calls."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from .support import LiveServer, require_chromium
from .webapp_server import require_sdk_module

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

require_chromium()

from playwright.sync_api import Browser  # noqa: E402 - after the check

require_sdk_module("portal/PortalQueryParams.js")

SHARING = "/portal/sharing/rest"
TIMEOUT_MS = 30_000


def _admin(server: LiveServer, path: str, **params: Any) -> Any:
    body = server.post_json(f"{SHARING}/{path}", {"f": "json", "token": server.admin_token(), **params},
                            headers={"Referer": "http://localhost"})
    assert "error" not in body, body
    return body


def _seed(server: LiveServer, word: str) -> None:
    user = f"content/users/{server.admin_username}"
    for n, kind in enumerate(("Web Map", "CSV", "Web Map", "CSV", "Web Map")):
        made = _admin(server, f"{user}/addItem", title=f"{word} {n}", type=kind, text="{}")
        if n < 4:  # the last one stays private: the anonymous search must not count it
            _admin(server, f"{user}/items/{made['id']}/share", everyone="true")
    for n in range(3):
        _admin(server, "community/createGroup", title=f"{word} group {n}", access="public")


def _search(browser: Browser, webapp: str, server: LiveServer, word: str, signed_in: bool) -> tuple[Any, list[str]]:
    context = browser.new_context(ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    console: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.goto(webapp)
        page.wait_for_function("window.geoshareApp !== undefined")
        page.add_script_tag(url="/search.js", type="module")
        page.wait_for_function("window.geoshareSearch !== undefined")
        portal_url = server.portal_url("http")
        token, expires = None, None
        if signed_in:
            issued = page.evaluate("([u, n, p]) => window.geoshareApp.generateToken(u, n, p)",
                                   [portal_url, server.admin_username, server.admin_password])["value"]
            token, expires = issued["token"], issued["expires"]
        outcome = page.evaluate("(args) => window.geoshareSearch.search(...args)",
                                [portal_url, server.admin_username, token, expires, False, word])
    finally:
        context.close()
    return outcome, console


def test_query_items_and_groups_from_another_origin(browser: Browser, webapp: str, live_server: LiveServer) -> None:
    word = f"sdq{secrets.token_hex(3)}"
    _seed(live_server, word)
    outcome, console = _search(browser, webapp, live_server, word, signed_in=True)
    assert "error" not in outcome, f"{outcome}\n" + "\n".join(console)
    seen = outcome["value"]
    items = seen["items"]  # num=2 over 5 matches: three pages, each item once, in title order
    assert (items["total"], items["pages"], items["titles"]) == (5, 3, [f"{word} {n}" for n in range(5)])
    assert seen["csv"] == {"total": 2, "nextStart": -1}  # the SDK copies nextStart, -1 on the last page
    groups = seen["groups"]
    assert (groups["total"], groups["pages"]) == (3, 3)
    assert sorted(groups["titles"]) == [f"{word} group {n}" for n in range(3)]
    assert not [line for line in console if "CORS" in line], console


def test_anonymous_query_sees_public_items_only(browser: Browser, webapp: str, live_server: LiveServer) -> None:
    word = f"sdq{secrets.token_hex(3)}"
    _seed(live_server, word)
    outcome, console = _search(browser, webapp, live_server, word, signed_in=False)
    assert "error" not in outcome, f"{outcome}\n" + "\n".join(console)
    assert outcome["value"]["items"]["titles"] == [f"{word} {n}" for n in range(4)]
