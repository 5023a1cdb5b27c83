"""A person with a browser: headless Debian Chromium driven by Playwright (never a downloaded
browser) walks the HTML directory of the real server process, signs in, and submits an
operation form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .support import LiveServer, require_chromium

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

require_chromium()

from playwright.sync_api import Browser, Page, expect  # noqa: E402 - after the check

TIMEOUT_MS = 15_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def page_for(browser: Browser) -> Iterator[Any]:
    """page_for(): a fresh page in a fresh context (its own cookies) that accepts the self-signed cert."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(ignore_https_errors=True)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page: Page, username: str, password: str) -> None:
    """From any directory page: follow 'Sign in', fill the form, submit."""
    page.get_by_role("link", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/-/login\?next="))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def session_text(page: Page) -> str:
    return page.locator("nav.session").inner_text()


def test_walk_sign_in_and_generate_token(page_for: Any, live_server: LiveServer,
                                         tmp_path_factory: pytest.TempPathFactory) -> None:
    base = live_server.base("https")
    page = page_for()

    # The portal directory, anonymous.
    page.goto(f"{base}/portal/sharing/rest")
    expect(page.locator("h1")).to_have_text("Portal Directory")
    expect(page.locator("table.props")).to_contain_text("2024.1")
    expect(page.locator("nav.session")).to_contain_text("Sign in")

    # portals -> self, by the links and the "Open by name" form
    page.get_by_role("link", name="portals", exact=True).click()
    expect(page).to_have_url(f"{base}/portal/sharing/rest/portals")
    page.get_by_label("portal").fill("self")
    page.get_by_role("button", name="Open").click()
    expect(page).to_have_url(f"{base}/portal/sharing/rest/portals/self")
    expect(page.locator("table.props")).to_contain_text("portalName")
    anonymous_props = page.locator("table.props").inner_text()
    assert not re.search(r"^user\s", anonymous_props, re.M), "anonymous portals/self must have no user"

    # Sign in from here; the form brings the browser back to this page.
    sign_in(page, live_server.admin_username, live_server.admin_password)
    expect(page).to_have_url(f"{base}/portal/sharing/rest/portals/self")
    expect(page.locator("nav.session")).to_contain_text(f"Signed in as {live_server.admin_username}")
    user_row = page.locator("table.props tr", has=page.locator("th", has_text=re.compile(r"^user$")))
    expect(user_row).to_contain_text(f'"username": "{live_server.admin_username}"')
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["agstoken"]["httpOnly"] and cookies["agstoken"]["secure"], cookies

    # Home via the breadcrumb: still signed in
    page.get_by_role("link", name="Home", exact=True).click()
    expect(page).to_have_url(f"{base}/portal/sharing/rest")
    expect(page.locator("nav.session")).to_contain_text(f"Signed in as {live_server.admin_username}")

    # The generateToken operation's form, submitted with f=html.
    page.get_by_role("link", name="generateToken", exact=True).click()
    expect(page).to_have_url(f"{base}/portal/sharing/rest/generateToken")
    form = page.locator("form.op")
    form.locator("input[name=username]").fill(live_server.admin_username)
    form.locator("input[name=password]").fill(live_server.admin_password)
    form.locator("select[name=client]").select_option("referer")
    form.locator("input[name=referer]").fill("http://localhost")
    form.locator("input[name=expiration]").fill("30")
    assert form.locator("select[name=f]").input_value() == "html"
    form.get_by_role("button", name="generateToken").click()
    expect(page.locator("h2", has_text="Result")).to_be_visible()
    token_cell = page.locator("table.props tr", has=page.locator("th", has_text=re.compile(r"^token$"))).locator("td")
    token = token_cell.inner_text().strip()
    assert re.fullmatch(r"[A-Za-z0-9_\-.]{20,}", token), token

    # The token the page showed works for an API call.
    me = live_server.get_json("/portal/sharing/rest/community/self", {"f": "json", "token": token},
                              headers={"Referer": "http://localhost"})
    assert me["username"] == live_server.admin_username

    shot = tmp_path_factory.mktemp("screenshots") / "generate-token.png"
    page.screenshot(path=str(shot), full_page=True)
    data = Path(shot).read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 1000, len(data)


def test_sign_in_and_out_over_plain_http(page_for: Any, live_server: LiveServer) -> None:
    base = live_server.base("http")
    page = page_for()
    page.goto(f"{base}/portal/sharing/rest/community/self")
    # Anonymous on a page that needs a token: the browser is sent to sign in, then back.
    expect(page).to_have_url(re.compile(r"/-/login\?next=%2Fportal%2Fsharing%2Frest%2Fcommunity%2Fself"))
    page.get_by_label("Username").fill(live_server.admin_username)
    page.get_by_label("Password").fill(live_server.admin_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/portal/sharing/rest/community/self")
    expect(page.locator("nav.session")).to_contain_text(f"Signed in as {live_server.admin_username}")
    expect(page.locator("table.props")).to_contain_text("privileges")
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert not cookies["agstoken"]["secure"], "a cookie marked Secure would not come back over http"

    token = {c["name"]: c for c in page.context.cookies()}["agstoken"]["value"]
    page.get_by_role("button", name="Sign out").click()  # a POST form: a link could be forged elsewhere
    expect(page).to_have_url(re.compile(r"/-/login\?next="))  # signed out: the page needs a token again
    assert "agstoken" not in {c["name"] for c in page.context.cookies()}
    replayed = live_server.get_json("/portal/sharing/rest/community/self", {"f": "json", "token": token})
    assert replayed["error"]["code"] == 498, replayed  # revoked on the server, not only forgotten


def test_wrong_password_stays_on_the_form(page_for: Any, live_server: LiveServer) -> None:
    username, password = live_server.new_org_admin("browserbad")
    page = page_for()
    page.goto(f"{live_server.base('https')}/portal/sharing/rest")
    sign_in(page, username, password + "-nope")
    expect(page.locator("p.error")).to_have_text("Invalid username or password.")
    expect(page).to_have_url(re.compile(r"/-/login"))
    assert "agstoken" not in {c["name"] for c in page.context.cookies()}
    # The form keeps `next`; the right password now lands on the page the walk started from.
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.base('https')}/portal/sharing/rest")
    expect(page.locator("nav.session")).to_contain_text(f"Signed in as {username}")


def test_every_directory_page_shows_the_session(page_for: Any, live_server: LiveServer) -> None:
    """Pages without an operation of their own (`portals`, `community`) and sign-in operations
    (`generateToken`) show the same header as the rest once the browser is signed in."""
    base = live_server.base("https")
    page = page_for()
    page.goto(f"{base}/portal/sharing/rest")
    sign_in(page, live_server.admin_username, live_server.admin_password)
    expect(page.locator("nav.session")).to_contain_text(f"Signed in as {live_server.admin_username}")
    wrong = {}
    for path in ("/portal/sharing/rest/portals", "/portal/sharing/rest/community",
                 "/portal/sharing/rest/generateToken", "/portal/sharing/rest/no/such/resource"):
        page.goto(base + path)  # static HTML: the header is final once the page has loaded
        header = " ".join(session_text(page).split())
        if f"Signed in as {live_server.admin_username}" not in header:
            wrong[path] = header
    assert not wrong, f"pages that forget the signed-in user: {wrong}"


def test_html_values_are_shown_as_json(page_for: Any, live_server: LiveServer) -> None:
    """The HTML page shows the same data as the JSON: booleans as true/false, not Python's True/False."""
    page = page_for()
    page.goto(f"{live_server.base('https')}/portal/sharing/rest/portals/self")
    cells = {}
    for row in page.locator("table.props tr").all():
        cells[row.locator("th").inner_text().strip()] = row.locator("td").inner_text().strip()
    assert cells["isPortal"] == "true", cells["isPortal"]
    assert cells["allSSL"] == "false", cells["allSSL"]


def test_oauth_sign_in_page_redirects_under_its_policy(page_for: Any, live_server: LiveServer) -> None:
    """The sign-in page's form-action must admit the redirect URI's origin: Chromium applies it
    to the 302 that ends the form post (here to another own origin, localhost vs 127.0.0.1)."""
    back = f"https://localhost:{live_server.port}/portal/sharing/rest"
    page = page_for()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text
            else None)
    page.goto(f"{live_server.base('https')}/portal/sharing/rest/oauth2/authorize?client_id=arcgisonline"
              f"&response_type=token&state=st&redirect_uri={back}")
    page.get_by_label("Username").fill(live_server.admin_username)
    page.get_by_label("Password").fill(live_server.admin_password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(rf"^{re.escape(back)}#access_token="))
    assert not [m for m in blocked if "form-action" in m], blocked
    fragment = dict(part.split("=", 1) for part in page.url.split("#", 1)[1].split("&"))
    me = live_server.get_json("/portal/sharing/rest/community/self", {"f": "json", "token": fragment["access_token"]})
    assert me["username"] == live_server.admin_username and fragment["state"] == "st"
