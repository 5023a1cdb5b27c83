"""The HTML directory: pages, links, operation forms and the sign-in cookie."""

from __future__ import annotations

import re

from tests.conftest import ADMIN_PASSWORD, SHARING


def links(page: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', page)


async def test_root_links_children(client):
    page = (await client.get(SHARING)).text
    hrefs = links(page)
    for child in ("community", "generateToken", "info", "oauth2", "portals"):
        assert f"{SHARING}/{child}" in hrefs, child


async def test_walk_to_portals_self(client):
    portals = (await client.get(f"{SHARING}/portals")).text
    assert f"{SHARING}/portals/languages" in links(portals)
    assert 'name="_goto"' in portals
    jump = await client.get(f"{SHARING}/portals", params={"_goto": "self"})
    assert jump.status_code == 302 and jump.headers["location"].endswith("/portals/self")
    page = (await client.get(f"{SHARING}/portals/self")).text
    assert "portalName" in page and "0123456789ABCDEF" in page


async def test_operation_form_and_submit(client):
    form = (await client.get(f"{SHARING}/generateToken")).text
    assert '<form method="post"' in form and 'name="username"' in form and 'type="password"' in form
    result = await client.post(f"{SHARING}/generateToken", data={
        "username": "admin", "password": ADMIN_PASSWORD, "f": "html"})
    assert result.headers["content-type"].startswith("text/html")
    assert re.search(r"<th>token</th><td>[A-Za-z0-9_-]{20,}</td>", result.text)
    failed = await client.post(f"{SHARING}/generateToken", data={"username": "admin", "password": "x", "f": "html"})
    assert "Invalid username or password." in failed.text


async def test_html_escapes_values(client, admin_token, svc):
    from sqlalchemy import text

    await svc.db.write(lambda c: c.execute(text("UPDATE orgs SET name='<script>alert(1)</script>'")))
    page = (await client.get(f"{SHARING}/portals/self")).text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


# What a browser sends with a form posted by one of the portal's own pages.
SAME_ORIGIN = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate"}


async def test_login_cookie_session(client):
    page = await client.get("/-/login", params={"next": f"{SHARING}/portals/self"})
    assert 'name="password"' in page.text
    bad = await client.post("/-/login", data={"username": "admin", "password": "x", "next": "/"},
                            headers=SAME_ORIGIN)
    assert "Invalid username or password." in bad.text and "set-cookie" not in bad.headers
    reply = await client.post("/-/login", data={"username": "admin", "password": ADMIN_PASSWORD,
                                                "next": f"{SHARING}/portals/self"}, headers=SAME_ORIGIN)
    assert reply.status_code == 303 and reply.headers["location"] == f"{SHARING}/portals/self"
    cookie = reply.headers["set-cookie"]
    assert "agstoken=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = (await client.get(f"{SHARING}/portals/self")).text
    assert "Signed in as <b>admin</b>" in page
    assert (await client.get(f"{SHARING}/community/self?f=json")).json()["username"] == "admin"
    token = client.cookies["agstoken"]
    out = await client.post("/-/logout", headers=SAME_ORIGIN)
    assert out.status_code == 303 and 'agstoken=""' in out.headers["set-cookie"]
    client.cookies.clear()
    assert (await client.get(f"{SHARING}/community/self?f=json")).json()["error"]["code"] == 499
    # Signing out revoked the session on the server, not only in the browser.
    again = await client.get(f"{SHARING}/community/self", params={"f": "json", "token": token})
    assert again.json()["error"]["code"] == 498


async def test_login_refuses_open_redirect(client):
    reply = await client.post("/-/login", data={"username": "admin", "password": ADMIN_PASSWORD,
                                                "next": "//evil.example.com/"}, headers=SAME_ORIGIN)
    assert reply.headers["location"] == SHARING


async def test_admin_directory_html(client, admin_token):
    client.cookies.set("agstoken", admin_token)
    page = (await client.get("/arcgis/admin")).text
    assert "Server Administrator Directory" in page and "/arcgis/admin/info" in page


async def test_pages_that_need_a_token_send_the_browser_to_sign_in(client):
    reply = await client.get("/arcgis/admin")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/-/login?next=%2Farcgis%2Fadmin"
    assert (await client.get("/arcgis/admin?f=json")).json()["code"] == 499


def policy_of(reply) -> dict[str, str]:
    """The Content-Security-Policy as directive -> value."""
    directives = [d.strip().split(" ", 1) for d in reply.headers["content-security-policy"].split(";")]
    return {d[0]: (d[1] if len(d) > 1 else "") for d in directives}


def assert_locked_down(reply, form_action: str | None) -> dict[str, str]:
    policy = policy_of(reply)
    assert policy["default-src"] == "'none'" and policy["base-uri"] == "'none'", policy
    assert "script-src" not in policy and "'unsafe-inline'" not in str(policy)
    assert policy.get("form-action") == form_action, policy
    assert reply.headers["x-content-type-options"] == "nosniff"
    return policy


def assert_unframeable(reply) -> None:
    assert policy_of(reply)["frame-ancestors"] == "'none'" and reply.headers["x-frame-options"] == "DENY"


async def test_every_html_page_has_a_content_security_policy(client):
    pages = {
        "directory": (await client.get(SHARING), "'self'"),
        "directory error": (await client.get(f"{SHARING}/no/such/thing"), "'self'"),
        "landing": (await client.get("/"), "'none'"),
        "login": (await client.get("/-/login"), "'self'"),
        "logout": (await client.get("/-/logout"), "'self'"),
        "refused": (await client.post("/-/login", data={"username": "a", "password": "b"}), "'none'"),
        "oauth error": (await client.get(f"{SHARING}/oauth2/authorize", params={
            "client_id": "stranger", "response_type": "token", "redirect_uri": "https://testserver"}), "'none'"),
        "oauth approval": (await client.get(f"{SHARING}/oauth2/approval", params={"code": "abc"}), "'none'"),
    }
    for name, (reply, form_action) in pages.items():
        assert reply.headers["content-type"].startswith("text/html"), name
        assert_locked_down(reply, form_action)
        assert_unframeable(reply)


async def test_oauth_sign_in_page_admits_its_redirect_in_form_action(client):
    for redirect, expected in (("https://localhost:7443", "'self' https://localhost:7443"),
                               ("https://[::1]:7443/cb", "'self' https:"),  # Chromium ignores IPv6 sources
                               ("urn:ietf:wg:oauth:2.0:oob", "'self'")):
        page = await client.get(f"{SHARING}/oauth2/authorize", params={
            "client_id": "pythonapi", "response_type": "code" if redirect.startswith("urn") else "token",
            "redirect_uri": redirect})
        assert "var oAuthInfo = {" in page.text  # the Python client reads it as text
        assert_locked_down(page, expected)
        assert_unframeable(page)


async def test_callback_html_wrapper_has_a_policy(client):
    reply = await client.get(SHARING, params={"f": "json", "callback.html": "textarea"})
    assert reply.text.startswith("<html><body><textarea>")
    policy = assert_locked_down(reply, "'none'")
    assert "frame-ancestors" not in policy  # the page that posted the upload frames it


async def test_sign_in_page_shown_again_still_admits_its_redirect(client):
    page = await client.get(f"{SHARING}/oauth2/authorize", params={
        "client_id": "pythonapi", "response_type": "token", "redirect_uri": "https://localhost:7443"})
    state = page.text.split('"oauth_state":"', 1)[1].split('"', 1)[0]
    again = await client.post(f"{SHARING}/oauth2/signin", data={"oauth_state": state, "username": "admin",
                                                                "password": "wrong-password1"})
    assert "Invalid username or password." in again.text
    assert_locked_down(again, "'self' https://localhost:7443")
