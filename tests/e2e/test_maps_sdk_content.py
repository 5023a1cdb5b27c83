"""A user's folders and items read by the ArcGIS Maps SDK for JavaScript (`portal.user.fetchFolders()`
and `fetchItems()`, clients.md §10) in headless Chromium, from a page on another origin than
geoshare's.  The app and its server are test_maps_sdk.py's; webapp/content.js adds the calls."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from .support import LiveServer, require_chromium
from .webapp_server import require_sdk_module

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

require_chromium()

from playwright.sync_api import Browser  # noqa: E402 - after the check

require_sdk_module("portal/PortalUser.js")

SHARING = "/portal/sharing/rest"
TIMEOUT_MS = 30_000


def _admin_call(server: LiveServer, path: str, **params: Any) -> Any:
    body = server.post_json(f"{SHARING}/content/users/{server.admin_username}{path}", {
        "f": "json", "token": server.admin_token(), **params}, headers={"Referer": "http://localhost"})
    assert "error" not in body, body
    return body


def test_fetch_folders_and_items_from_another_origin(browser: Browser, webapp: str, live_server: LiveServer) -> None:
    word = f"sdk{secrets.token_hex(3)}"
    folder = _admin_call(live_server, "/createFolder", title=f"{word} folder")["folder"]["id"]
    in_folder = [_admin_call(live_server, f"/{folder}/addItem", title=f"{word} in {n}", type="Web Map",
                             text="{}")["id"] for n in range(3)]
    at_root = _admin_call(live_server, "/addItem", title=f"{word} root", type="Web Map", text="{}")["id"]
    context = browser.new_context(ignore_https_errors=True)
    context.set_default_timeout(TIMEOUT_MS)
    console: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.goto(webapp)
        page.wait_for_function("window.geoshareApp !== undefined")
        page.add_script_tag(url="/content.js", type="module")
        page.wait_for_function("window.geoshareContent !== undefined")
        portal_url = live_server.portal_url("http")
        issued = page.evaluate("([u, n, p]) => window.geoshareApp.generateToken(u, n, p)",
                               [portal_url, live_server.admin_username, live_server.admin_password])["value"]
        outcome = page.evaluate("(args) => window.geoshareContent.fetchContent(...args)",
                                [portal_url, live_server.admin_username, issued["token"], issued["expires"], False])
    finally:
        context.close()
    assert "error" not in outcome, f"{outcome}\n" + "\n".join(console)
    seen = outcome["value"]
    assert {"id": folder, "title": f"{word} folder"} in seen["folders"]
    assert at_root in [i["id"] for i in seen["root"]] and not set(in_folder) & {i["id"] for i in seen["root"]}
    paged = seen["inFolders"][folder]
    assert (paged["total"], paged["nextStart"]) == (3, 3)  # num=2: the SDK follows nextStart
    assert sorted(paged["titles"]) == [f"{word} in {n}" for n in range(3)]
    assert not [line for line in console if "CORS" in line], console
