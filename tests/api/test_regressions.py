"""Regressions that a deliberate bug once slipped past (issue 7), each pinned on both sides of
its boundary: token transport errors, the exact 499 texts, expiry to the millisecond, clamping
to the exact maximum, IP binding with no known client address, JSONP names that could run."""

from __future__ import annotations

import httpx
import pytest

from tests.api.expected import ADMIN_499_TEXT, INVALID_TOKEN, TOKEN_REQUIRED
from tests.conftest import ADMIN, ADMIN_PASSWORD, SHARING, count_rows, get_token, make_user, portal

MINUTE = 60_000
GEN = f"{SHARING}/generateToken"
# (URL, mount) pairs that read a token: a user-only one, a public one, and one per /arcgis tree.
TOKEN_READERS = ((f"{SHARING}/community/self", "sharing"), (f"{SHARING}/portals/self", "sharing"),
                 ("/portal/portaladmin", "portaladmin"), ("/arcgis/admin", "admin"), ("/arcgis/rest/info", "rest"))


# ---------------------------------------------------------------- a bad token is never anonymous
@pytest.mark.parametrize("header", ["Authorization", "X-Esri-Authorization"])
@pytest.mark.parametrize(("url", "mount"), TOKEN_READERS)
async def test_bad_bearer_token_is_498_never_anonymous(client, header, url, mount):
    reply = await client.get(url, params={"f": "json"}, headers={header: "Bearer not-a-real-token"})
    assert reply.status_code == 200 and reply.json() == INVALID_TOKEN[mount]


@pytest.mark.parametrize("header", ["Authorization", "X-Esri-Authorization"])
async def test_good_bearer_token_is_the_user(client, admin_token, header):
    reply = await client.get(f"{SHARING}/community/self", params={"f": "json"},
                             headers={header: f"Bearer {admin_token}"})
    assert reply.json()["username"] == ADMIN


async def test_empty_or_foreign_authorization_scheme_is_anonymous(client):
    """No token at all (an empty Bearer, another scheme, the literal `None` some clients send)."""
    for value in ("Bearer ", "Bearer None", "Basic YWRtaW46eA==", "bearer"):
        reply = await client.get(f"{SHARING}/community/self", params={"f": "json"}, headers={"Authorization": value})
        assert reply.json() == TOKEN_REQUIRED["sharing"], value


# ---------------------------------------------------------------- exact 499 texts per mount
@pytest.mark.parametrize(("url", "mount"), [("/arcgis/admin", "admin"), ("/arcgis/admin/info", "admin"),
                                            (f"{SHARING}/community/self", "sharing"),
                                            ("/portal/portaladmin", "portaladmin")])
async def test_token_required_texts(client, url, mount):
    reply = await client.get(url, params={"f": "json"})
    assert reply.json() == TOKEN_REQUIRED[mount]


async def test_admin_499_text_is_the_servers_own(client):
    body = (await client.post("/arcgis/admin/info", data={"f": "pjson"})).json()
    assert body["messages"] == [ADMIN_499_TEXT]


# ---------------------------------------------------------------- expiry, to the millisecond
async def _self_code(client, token):
    body = (await client.get(f"{SHARING}/community/self", params={"f": "json", "token": token})).json()
    return body.get("username") or body["error"]["code"]


async def test_portal_token_works_until_one_ms_before_expiry(client, svc):
    issued_at = svc.clock.pin()
    reply = (await client.post(GEN, data={"username": ADMIN, "password": ADMIN_PASSWORD, "expiration": "1",
                                          "f": "json"})).json()
    assert reply["expires"] == issued_at + MINUTE
    svc.clock.pin(reply["expires"] - 1)
    assert await _self_code(client, reply["token"]) == ADMIN
    svc.clock.pin(reply["expires"])
    assert await _self_code(client, reply["token"]) == 498


async def test_server_token_works_until_one_ms_before_expiry(client, svc):
    issued_at = svc.clock.pin()
    reply = (await client.post("/arcgis/admin/generateToken", data={
        "username": ADMIN, "password": ADMIN_PASSWORD, "client": "requestip", "expiration": "2", "f": "json"})).json()
    assert reply["expires"] == issued_at + 2 * MINUTE
    svc.clock.pin(reply["expires"] - 1)
    ok = (await client.get("/arcgis/admin/info", params={"f": "json", "token": reply["token"]})).json()
    assert ok["loggedInUser"] == ADMIN
    svc.clock.pin(reply["expires"])
    gone = (await client.get("/arcgis/admin/info", params={"f": "json", "token": reply["token"]})).json()
    assert gone == INVALID_TOKEN["admin"]


# ---------------------------------------------------------------- publishers on the server site
async def test_publishers_reach_the_server_site_and_users_do_not(client, svc):
    await make_user(svc, "site_publisher", role="org_publisher")
    await make_user(svc, "site_user")
    credentials = {"password": "Member12345", "client": "requestip", "f": "json"}
    issued = (await client.post("/arcgis/admin/generateToken", data={"username": "site_publisher",
                                                                     **credentials})).json()
    info = (await client.get("/arcgis/admin/info", params={"f": "json", "token": issued["token"]})).json()
    assert (info["loggedInUser"], info["loggedInUserPrivilege"]) == ("site_publisher", "PUBLISH")
    refused = (await client.post("/arcgis/admin/generateToken", data={"username": "site_user", **credentials})).json()
    assert refused == {"status": "error", "code": 403,
                       "messages": ["User does not have administrative privileges on this site."]}
    portal_token = await get_token(client, "site_user", "Member12345")
    assert (await client.get("/arcgis/admin", params={"f": "json", "token": portal_token})).json()["code"] == 403


# ---------------------------------------------------------------- clamping to the exact maximum
@pytest.mark.parametrize(("url", "asked", "minutes"), [
    (GEN, "999999", 20160), (GEN, "20161", 20160), (GEN, "20160", 20160), (GEN, "20159", 20159),
    (GEN, "1", 1), (GEN, None, 120), (GEN, "0", 120), (GEN, "-5", 120),
    ("/arcgis/admin/generateToken", "100000", 1440), ("/arcgis/admin/generateToken", "1441", 1440),
    ("/arcgis/admin/generateToken", "1439", 1439), ("/arcgis/admin/generateToken", None, 60),
    ("/arcgis/tokens/generateToken", "100000", 1440), ("/arcgis/tokens/generateToken", "0", 60),
])
async def test_token_life_is_clamped_exactly(client, svc, url, asked, minutes):
    issued_at = svc.clock.pin()
    data = {"username": ADMIN, "password": ADMIN_PASSWORD, "client": "requestip", "f": "json",
            **({"expiration": asked} if asked is not None else {})}
    reply = (await client.post(url, data=data)).json()
    assert reply["expires"] == issued_at + minutes * MINUTE, reply


# ---------------------------------------------------------------- IP binding, client address unknown
@pytest.fixture
async def addressless(app):
    """A client whose ASGI scope has no client address (some servers and proxies give none)."""
    transport = httpx.ASGITransport(app=app, client=None)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        yield c


async def test_ip_bound_token_is_refused_when_the_address_is_unknown(client, addressless):
    token = await get_token(client, client="ip", ip="127.0.0.1")
    assert await _self_code(client, token) == ADMIN  # from the bound address it works
    assert await _self_code(addressless, token) == 498
    server = (await client.post("/arcgis/admin/generateToken", data={
        "username": ADMIN, "password": ADMIN_PASSWORD, "client": "ip", "ip": "127.0.0.1", "f": "json"})).json()
    refused = (await addressless.get("/arcgis/admin", params={"f": "json", "token": server["token"]})).json()
    assert refused == INVALID_TOKEN["admin"]


# ---------------------------------------------------------------- JSONP over HTTP
@pytest.mark.parametrize("callback", ["alert(document.cookie)", "a=b", "a'b", 'a"b', "a(b", "a)b", "a,b", "a+b",
                                      "a`b`", "x\u2028y", "a-b", "a/*x*/", "a\nb", "a\x00b", "é", "a" * 129])
async def test_jsonp_callback_that_could_run_is_refused_unreflected(client, callback):
    reply = await client.get(SHARING, params={"f": "json", "callback": callback})
    assert reply.headers["content-type"].startswith("application/json")
    assert reply.json()["error"]["code"] == 400 and reply.json()["error"]["message"] == "Invalid callback function name."
    assert callback not in reply.text


@pytest.mark.parametrize("callback", ["cb", "dojo.io.script.jsonp_cb1", "$jq_1", "_", "a[0]", "a" * 128])
async def test_jsonp_callback_identifier_paths_are_accepted(client, callback):
    reply = await client.get(SHARING, params={"f": "json", "callback": callback})
    assert reply.headers["content-type"].startswith("application/javascript")
    assert reply.text == f'/**/{callback}({{"currentVersion":"2024.1"}});'


async def test_jsonp_error_answers_are_wrapped_too(client):
    reply = await client.get(f"{SHARING}/community/self", params={"f": "json", "callback": "cb"})
    assert reply.headers["content-type"].startswith("application/javascript")
    assert reply.text.startswith('/**/cb({"error":{"code":499,') and reply.text.endswith("});")


# ---------------------------------------------------------------- OAuth authorize with a malformed redirect
async def test_malformed_redirect_uri_is_an_error_page(client):
    reply = await client.get(f"{SHARING}/oauth2/authorize", params={
        "client_id": "pythonapi", "response_type": "token", "redirect_uri": "https://testserver[", "f": "json"})
    assert reply.headers["content-type"].startswith("text/html") and "Invalid redirect_uri" in reply.text


# ---------------------------------------------------------------- body limit, both sides
@pytest.fixture
async def small_body_client(settings):
    async with portal(settings, max_body_bytes=1000) as http:
        yield http, http.svc


def _form_of_size(size: int) -> bytes:
    head = f"username={ADMIN}&password={ADMIN_PASSWORD}&f=json&pad=".encode()
    return head + b"x" * (size - len(head))


async def test_body_of_exactly_the_limit_is_read(small_body_client):
    http, _ = small_body_client
    body = _form_of_size(1000)
    reply = await http.post(GEN, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert "token" in reply.json()

    async def chunked():
        yield body[:500]
        yield body[500:]

    streamed = await http.post(GEN, content=chunked(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert "token" in streamed.json()


async def test_body_one_byte_over_the_limit_is_413(small_body_client):
    http, svc = small_body_client
    body = _form_of_size(1001)
    reply = await http.post(GEN, content=body, headers={"content-type": "application/x-www-form-urlencoded"})
    assert reply.json()["error"]["code"] == 413

    async def chunked():
        yield body[:500]
        yield body[500:]

    streamed = await http.post(GEN, content=chunked(), headers={"content-type": "application/x-www-form-urlencoded"})
    assert streamed.json()["error"]["code"] == 413
    assert await count_rows(svc, "tokens") == 0


# (Spaces around a value are trimmed by the parameter layer; inside, they refuse the URI.)
@pytest.mark.parametrize("uri", ["https://test\tserver/", "https://testserver/a b", "https://testserver/\ncb",
                                 "https://testserver/\x7f"])
async def test_a_redirect_uri_with_spaces_or_controls_is_refused(client, uri):
    page = await client.get(f"{SHARING}/oauth2/authorize", params={
        "client_id": "pythonapi", "response_type": "token", "redirect_uri": uri})
    assert "Invalid redirect_uri" in page.text and "oAuthInfo" not in page.text
