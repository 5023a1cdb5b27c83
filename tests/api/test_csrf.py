"""The session cookie authorises same-origin requests only (issue 6, item 2).

SameSite=Strict does not separate two origins of one site: a page on another port of the same
host posted forms with the administrator's cookie (createOrg), read community/self through
JSONP, signed the browser in as someone else (login CSRF) and out (GET /-/logout).  Each
attack below is sent with the headers Chromium sends for it; each legitimate path with the
headers of a page of the portal itself.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from starlette.requests import Request

from geoshare.http.auth import cookie_allowed
from geoshare.http.operations import Operation
from geoshare.http.origins import origins_for
from tests.conftest import ADMIN_PASSWORD, SHARING, count_rows

ATTACKER = "http://127.0.0.1:9999"  # same site as the portal (127.0.0.1), another origin
CROSS_FORM = {"Origin": ATTACKER, "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate",
              "Sec-Fetch-Dest": "document"}
CROSS_SCRIPT = {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "no-cors", "Sec-Fetch-Dest": "script",
                "Referer": f"{ATTACKER}/"}
CROSS_FETCH = {"Origin": ATTACKER, "Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}
PLAIN_HTTP_CROSS_FORM = {"Origin": ATTACKER}  # over plain http to a LAN address Chromium sends no Sec-Fetch-*
OWN_FORM = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate",
            "Sec-Fetch-Dest": "document"}
OWN_PLAIN_HTTP_FORM = {"Origin": "http://testserver"}
LINK_FROM_ELSEWHERE = {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}


def new_org(name: str) -> dict[str, str]:
    return {"name": name, "adminUsername": f"{name}_admin", "adminPassword": "Other12345", "f": "json"}


async def create_org(client: httpx.AsyncClient, name: str, headers: dict[str, str], **extra: str) -> dict[str, Any]:
    reply = await client.post("/portal/portaladmin/orgs/createOrg", data={**new_org(name), **extra}, headers=headers)
    return dict(reply.json())


async def signed_in(client: httpx.AsyncClient) -> str:
    """Sign in through /-/login as the browser does; the client keeps the cookie."""
    reply = await client.post("/-/login", data={"username": "admin", "password": ADMIN_PASSWORD, "next": "/"},
                              headers=OWN_FORM)
    assert reply.status_code == 303, reply.text
    return str(client.cookies["agstoken"])


async def me(client: httpx.AsyncClient, headers: dict[str, str] | None = None, **params: str) -> Any:
    reply = await client.get(f"{SHARING}/community/self", params={"f": "json", **params}, headers=headers or {})
    return reply.json() if "callback" not in params else reply.text


# ---------------------------------------------------------------- state changes with the cookie

@pytest.mark.parametrize("headers", [CROSS_FORM, PLAIN_HTTP_CROSS_FORM, {}, {"Origin": "null"},
                                     {**OWN_PLAIN_HTTP_FORM, "Sec-Fetch-Site": "cross-site"}],
                         ids=["same-site", "plain-http-origin", "no-header", "null-origin", "cross-site"])
async def test_cookie_does_not_authorise_a_post_from_elsewhere(client, svc, headers):
    await signed_in(client)
    before = await count_rows(svc, "orgs")
    reply = await create_org(client, "csrf", headers)
    assert reply["error"]["code"] == 499 and reply["error"]["message"] == "Token Required", reply
    assert await count_rows(svc, "orgs") == before


@pytest.mark.parametrize("headers", [OWN_FORM, OWN_PLAIN_HTTP_FORM, {"Sec-Fetch-Site": "same-origin"}],
                         ids=["same-origin", "own-origin-plain-http", "fetch-metadata-only"])
async def test_cookie_authorises_a_post_from_the_portals_own_pages(client, svc, headers):
    await signed_in(client)
    before = await count_rows(svc, "orgs")
    assert (await create_org(client, "ownpage", headers))["status"] == "success"
    assert await count_rows(svc, "orgs") == before + 1


async def test_explicit_tokens_are_unaffected(client, admin_token):
    assert (await create_org(client, "explicit", CROSS_FORM, token=admin_token))["status"] == "success"
    assert (await me(client, CROSS_FETCH, token=admin_token))["username"] == "admin"
    assert (await me(client, {**CROSS_FETCH, "Authorization": f"Bearer {admin_token}"}))["username"] == "admin"


# ---------------------------------------------------------------- reads with the cookie

async def test_jsonp_never_answers_with_the_cookie(client):
    await signed_in(client)
    for headers in (CROSS_SCRIPT, {"Sec-Fetch-Site": "same-origin"}, {}):
        body = await me(client, headers, callback="x")
        assert body.startswith("/**/x(") and '"code":499' in body and "admin" not in body, body
    assert (await me(client, {"Sec-Fetch-Site": "same-origin"}))["username"] == "admin"


async def test_cross_origin_reads_do_not_carry_the_cookie(client):
    await signed_in(client)
    assert (await me(client, CROSS_FETCH))["error"]["code"] == 499
    assert (await me(client, {**CROSS_SCRIPT, "Sec-Fetch-Mode": "no-cors"}))["error"]["code"] == 499


async def test_following_a_link_reads_pages_with_the_cookie(client):
    await signed_in(client)
    page = await client.get(f"{SHARING}/community/self", headers=LINK_FROM_ELSEWHERE)
    assert "Signed in as <b>admin</b>" in page.text and "privileges" in page.text
    framed = await client.get(f"{SHARING}/community/self", headers={**LINK_FROM_ELSEWHERE, "Sec-Fetch-Dest": "iframe"})
    assert framed.status_code == 303  # a frame from elsewhere is anonymous: sent to sign in


def _request(method: str, headers: dict[str, str]) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": method, "headers": raw, "path": "/", "query_string": b""})


async def _noop(ctx: Any) -> None:
    return None


@pytest.mark.parametrize("headers", [OWN_FORM, LINK_FROM_ELSEWHERE, {"Sec-Fetch-Site": "none",
                                                                    "Sec-Fetch-Mode": "navigate"}])
def test_no_state_change_rides_a_link(settings, headers):
    """An operation that ran on GET would still not take the cookie from a navigation."""
    origins = origins_for(settings)
    runs_on_get = Operation(mount="sharing", path="x/op", handler=_noop, name="op", kind="operation")
    read = Operation(mount="sharing", path="x/read", handler=_noop, name="read")
    post_only = Operation(mount="sharing", path="x/post", handler=_noop, name="post", kind="operation",
                          methods=("POST",))
    assert not cookie_allowed(_request("GET", headers), {}, runs_on_get, origins)
    assert cookie_allowed(_request("GET", headers), {}, read, origins)
    assert cookie_allowed(_request("GET", headers), {}, post_only, origins)  # GET only shows its form
    assert not cookie_allowed(_request("GET", {}), {}, runs_on_get, origins)
    assert cookie_allowed(_request("GET", {}), {}, read, origins)


# ---------------------------------------------------------------- sign-in and sign-out

@pytest.mark.parametrize("headers", [CROSS_FORM, PLAIN_HTTP_CROSS_FORM, {}], ids=["same-site", "origin", "none"])
async def test_login_csrf_is_refused(client, headers):
    reply = await client.post("/-/login", data={"username": "admin", "password": ADMIN_PASSWORD, "next": "/"},
                              headers=headers)
    assert reply.status_code == 403 and "set-cookie" not in reply.headers
    assert "Request refused" in reply.text and "Content-Security-Policy" in reply.headers


async def test_login_from_own_page_over_plain_http(client):
    reply = await client.post("/-/login", data={"username": "admin", "password": ADMIN_PASSWORD, "next": "/"},
                              headers=OWN_PLAIN_HTTP_FORM)
    assert reply.status_code == 303 and "agstoken=" in reply.headers["set-cookie"]


async def test_get_logout_does_not_sign_out(client):
    token = await signed_in(client)
    page = await client.get("/-/logout", params={"next": f"{SHARING}/portals"}, headers=LINK_FROM_ELSEWHERE)
    assert page.status_code == 200 and "set-cookie" not in page.headers
    assert '<form method="post" action="/-/logout">' in page.text and f'value="{SHARING}/portals"' in page.text
    assert (await me(client, {}, token=token))["username"] == "admin"


@pytest.mark.parametrize("headers", [CROSS_FORM, PLAIN_HTTP_CROSS_FORM, {}], ids=["same-site", "origin", "none"])
async def test_logout_csrf_is_refused(client, headers):
    token = await signed_in(client)
    reply = await client.post("/-/logout", headers=headers)
    assert reply.status_code == 403 and "set-cookie" not in reply.headers
    assert (await me(client, {}, token=token))["username"] == "admin"


async def test_logout_revokes_the_token_on_the_server(client):
    token = await signed_in(client)
    reply = await client.post("/-/logout", data={"next": f"{SHARING}/portals"}, headers=OWN_FORM)
    assert reply.status_code == 303 and reply.headers["location"] == f"{SHARING}/portals"
    assert 'agstoken=""' in reply.headers["set-cookie"]
    client.cookies.clear()
    replayed = await me(client, {}, token=token)  # the same value, sent explicitly
    assert replayed["error"]["code"] == 498, replayed


async def test_directory_pages_sign_out_with_a_post_form(client):
    await signed_in(client)
    page = (await client.get(f"{SHARING}/portals", headers=OWN_FORM)).text
    assert '<form method="post" action="/-/logout" class="signout">' in page
    assert 'href="/-/logout' not in page


async def test_cookie_is_secure_behind_a_proxy_that_ends_tls(settings):
    from tests.conftest import portal

    async with portal(settings, public_url="https://gis.example.org", allowed_hosts="") as client:
        reply = await client.post("/-/login", data={"username": "admin", "password": ADMIN_PASSWORD, "next": "/"},
                                  headers={"Origin": "https://gis.example.org"})  # arrived over http from nginx
        assert reply.status_code == 303 and "Secure" in reply.headers["set-cookie"]
        refused = await client.post("/-/login", data={"username": "admin", "password": ADMIN_PASSWORD},
                                    headers={"Origin": "http://testserver"})  # not an origin of this portal now
        assert refused.status_code == 403
    plain = await _login_over_plain_http(settings)
    assert "Secure" not in plain


async def _login_over_plain_http(settings) -> str:
    from tests.conftest import portal

    async with portal(settings) as client:
        reply = await client.post("/-/login", data={"username": "admin", "password": ADMIN_PASSWORD, "next": "/"},
                                  headers=OWN_FORM)
        return str(reply.headers["set-cookie"])
