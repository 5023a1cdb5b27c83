"""Cross-origin attacks on a signed-in browser, in Chromium (issue 6, item 2).

The administrator signs in to the real server over http://127.0.0.1:<port>.  A page served
on another port of 127.0.0.1 (the same site, so SameSite=Strict lets the cookie through) then
auto-posts createOrg, includes community/self as JSONP, auto-posts a sign-in as the
attacker and loads /-/logout.  Each must fail; the portal's own forms must still work.
"""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from .support import LiveServer, free_port, require_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

require_chromium()

from playwright.sync_api import Browser, BrowserContext, Page, expect  # noqa: E402 - after the check

TIMEOUT_MS = 15_000


class AttackerSite:
    """A tiny web server on another port of 127.0.0.1 serving the pages a test gives it."""

    def __init__(self) -> None:
        self.pages: dict[str, str] = {}
        pages = self.pages

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server hook name
                body = pages.get(self.path.split("?")[0], "not here").encode()
                self.send_response(200 if self.path.split("?")[0] in pages else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.port = free_port()
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str, html: str) -> str:
        self.pages[path] = f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{html}</body></html>"
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="module")
def attacker() -> Iterator[AttackerSite]:
    site = AttackerSite()
    try:
        yield site
    finally:
        site.close()


@pytest.fixture
def victim(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    """A browser signed in as the administrator through /-/login over plain http."""
    context: BrowserContext = browser.new_context()
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(f"{live_server.base('http')}/-/login?next=/portal/sharing/rest")
    page.get_by_label("Username").fill(live_server.admin_username)
    page.get_by_label("Password").fill(live_server.admin_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("nav.session")).to_contain_text(f"Signed in as {live_server.admin_username}")
    try:
        yield page
    finally:
        context.close()


def auto_post(action: str, fields: dict[str, str]) -> str:
    inputs = "".join(f'<input type="hidden" name="{k}" value="{v}">' for k, v in fields.items())
    return f'<form id="f" method="post" action="{action}">{inputs}</form><script>f.submit()</script>'


def session_token(page: Page) -> str | None:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "agstoken"), None)


def assert_still_signed_in_as_admin(page: Page, live_server: LiveServer, token: str | None) -> None:
    assert token and session_token(page) == token, "the session cookie changed"
    answer = live_server.get_json("/portal/sharing/rest/community/self", {"f": "json", "token": token})
    assert answer.get("username") == live_server.admin_username, answer  # not revoked either


def org_names(live_server: LiveServer) -> list[str]:
    reply = live_server.get_json("/portal/portaladmin/orgs", {"f": "json", "token": live_server.admin_token()},
                                 headers={"Referer": "http://localhost"})
    return [org["name"] for org in reply["orgs"]]


def test_cross_origin_form_cannot_create_an_organization(victim: Page, live_server: LiveServer,
                                                         attacker: AttackerSite) -> None:
    target = f"{live_server.base('http')}/portal/portaladmin/orgs/createOrg"
    evil = attacker.url("/create", auto_post(target, {"name": "csrf org", "adminUsername": "csrf_admin",
                                                      "adminPassword": "Csrf-12345", "f": "json"}))
    victim.goto(evil)
    victim.wait_for_url(target)
    assert '"code":499' in victim.content(), victim.content()[:500]
    assert "csrf org" not in org_names(live_server)


def test_jsonp_from_another_origin_is_anonymous(victim: Page, live_server: LiveServer,
                                                attacker: AttackerSite) -> None:
    jsonp = f"{live_server.base('http')}/portal/sharing/rest/community/self?f=json&callback=steal"
    evil = attacker.url("/jsonp", f'<script>window.stolen = null; function steal(d) {{ window.stolen = d; }}</script>'
                                  f'<script src="{jsonp}"></script>')
    victim.goto(evil)
    victim.wait_for_function("window.stolen !== null")
    stolen = victim.evaluate("window.stolen")
    assert stolen["error"]["code"] == 499 and "username" not in stolen, stolen


def test_login_csrf_cannot_switch_the_session(victim: Page, live_server: LiveServer,
                                              attacker: AttackerSite) -> None:
    username, password = live_server.new_org_admin("csrflogin")
    token = session_token(victim)
    evil = attacker.url("/login", auto_post(f"{live_server.base('http')}/-/login",
                                            {"username": username, "password": password, "next": "/"}))
    victim.goto(evil)
    victim.wait_for_url(re.compile(rf"^{live_server.base('http')}/"))
    assert_still_signed_in_as_admin(victim, live_server, token)
    expect(victim.locator("h1")).to_have_text("Request refused")
    victim.goto(f"{live_server.base('http')}/portal/sharing/rest/community/self")
    expect(victim.locator("nav.session")).to_contain_text(f"Signed in as {live_server.admin_username}")


def test_logout_csrf_keeps_the_session(victim: Page, live_server: LiveServer, attacker: AttackerSite) -> None:
    token = session_token(victim)
    logout = f"{live_server.base('http')}/-/logout"
    victim.goto(attacker.url("/logout-img", f'<img src="{logout}">'))
    victim.wait_for_load_state("load")
    assert_still_signed_in_as_admin(victim, live_server, token)
    victim.goto(attacker.url("/logout-link", f'<a id="out" href="{logout}">win a prize</a>'))
    victim.click("#out")
    victim.wait_for_url(re.compile(rf"^{live_server.base('http')}/"))
    assert_still_signed_in_as_admin(victim, live_server, token)
    expect(victim.get_by_role("button", name="Sign out")).to_be_visible()  # the page only offers it
    victim.goto(attacker.url("/logout-post", auto_post(logout, {"next": "/"})))
    victim.wait_for_url(re.compile(rf"^{live_server.base('http')}/"))
    assert_still_signed_in_as_admin(victim, live_server, token)
    expect(victim.locator("h1")).to_have_text("Request refused")


def test_the_portals_own_forms_still_work(victim: Page, live_server: LiveServer) -> None:
    victim.goto(f"{live_server.base('http')}/portal/portaladmin/orgs/createOrg")
    form = victim.locator("form.op")
    form.locator("input[name=name]").fill("own form org")
    form.locator("input[name=adminUsername]").fill("own_form_admin")
    form.locator("input[name=adminPassword]").fill("Own-form-12345")
    form.get_by_role("button", name="createOrg").click()
    expect(victim.locator("table.props")).to_contain_text("success")
    assert "own form org" in org_names(live_server)
    # Sign out from the page GET /-/logout shows: the POST of the portal's own button works.
    token = session_token(victim)
    victim.goto(f"{live_server.base('http')}/-/logout")
    victim.get_by_role("button", name="Sign out").click()
    expect(victim).to_have_url(f"{live_server.base('http')}/portal/sharing/rest")
    expect(victim.locator("nav.session")).to_contain_text("Sign in")
    replayed = live_server.get_json("/portal/sharing/rest/community/self", {"f": "json", "token": token})
    assert replayed["error"]["code"] == 498
