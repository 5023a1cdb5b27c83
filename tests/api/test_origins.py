"""The portal's own origins come from configuration, never from the Host header (issue 6, item 1).

The attack: without --public-url, `Host: evil.example` made oauth2/authorize accept a
redirect URI on evil.example (an oauth_state whose sign-in sends the victim's token there)
and rewrote owningSystemUrl in `info`.
"""

from __future__ import annotations

import dataclasses
import json
import socket
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from geoshare.http.origins import origin_of, origins_for
from tests.api.test_oauth import oauth_info_like_arcgis
from tests.conftest import ADMIN_PASSWORD, SHARING, count_rows, get_token, portal


async def authorize_page(client: httpx.AsyncClient, redirect_uri: str, **headers: str) -> str:
    query = {"client_id": "pythonapi", "response_type": "token", "redirect_uri": redirect_uri, "state": "s"}
    return (await client.get(f"{SHARING}/oauth2/authorize", params=query, headers=headers)).text


async def accepted(client: httpx.AsyncClient, redirect_uri: str, **headers: str) -> bool:
    page = await authorize_page(client, redirect_uri, **headers)
    return "Invalid redirect_uri" not in page and "oauth_state" in page


async def info(client: httpx.AsyncClient, host: str) -> dict[str, Any]:
    return dict((await client.get(f"{SHARING}/info?f=json", headers={"Host": host})).json())


# ---------------------------------------------------------------- the attack, in-process

async def test_forged_host_gets_no_oauth_state_for_its_redirect(client, svc):
    page = await authorize_page(client, "https://evil.example/cb", Host="evil.example")
    assert "Invalid redirect_uri" in page and "oauth_state" not in page
    assert await count_rows(svc, "oauth_sessions") == 0
    # The same with the port the portal listens on, and with http.
    assert not await accepted(client, "https://evil.example:7443/cb", Host="evil.example:7443")
    assert not await accepted(client, "http://evil.example/cb", Host="evil.example")


async def test_forged_host_does_not_rewrite_the_urls_geoshare_writes(client):
    forged = await info(client, "evil.example")
    assert forged["owningSystemUrl"] == "http://127.0.0.1:7443/portal"
    assert forged["authInfo"]["tokenServicesUrl"] == "http://127.0.0.1:7443/portal/sharing/rest/generateToken"
    me = (await client.get(f"{SHARING}/portals/self?f=json", headers={"Host": "evil.example"})).json()
    assert me["portalHostname"] == "127.0.0.1:7443/portal"
    server = (await client.get("/arcgis/rest/info?f=json", headers={"Host": "evil.example"})).json()
    assert "evil" not in json.dumps(server)
    # A Host that names one of the own origins is kept (the client's own spelling).
    assert (await info(client, "localhost:7443"))["owningSystemUrl"] == "http://localhost:7443/portal"
    assert (await info(client, "testserver"))["owningSystemUrl"] == "http://testserver/portal"


async def test_redirects_to_the_listening_address_are_accepted(client):
    for uri in ("https://localhost:7443", "https://127.0.0.1:7443", "https://[::1]:7443/cb", "http://localhost:7443"):
        assert await accepted(client, uri), uri
    for uri in ("https://127.0.0.1:9999", "https://localhost", "ftp://localhost:7443",
                "https://localhost:7443@evil.example/", "https://localhost:7443/#frag", "https://localhost.:7443"):
        assert not await accepted(client, uri), uri


async def test_server_token_exchange_names_only_own_servers(client):
    token = await get_token(client)

    async def exchange(server_url: str, host: str) -> dict[str, Any]:
        return dict((await client.post(f"{SHARING}/generateToken", headers={"Host": host}, data={
            "serverUrl": server_url, "token": token, "f": "json"})).json())

    assert "error" in await exchange("https://evil.example/arcgis", "evil.example")
    assert (await exchange("https://localhost:7443/arcgis", "evil.example"))["token"] == token
    assert (await exchange("https://testserver/arcgis", "testserver"))["token"] == token


# ---------------------------------------------------------------- configuration

async def test_allowed_hosts(settings):
    async with portal(settings, allowed_hosts="gis.internal, proxy.example:8443") as client:
        assert await accepted(client, "https://gis.internal/cb")  # through a proxy on 443
        assert await accepted(client, "https://gis.internal:7443")  # straight to the listening port
        assert await accepted(client, "https://proxy.example:8443/app")
        assert not await accepted(client, "https://proxy.example/app")
        assert not await accepted(client, "https://testserver")  # no longer listed
        assert (await info(client, "gis.internal"))["owningSystemUrl"] == "http://gis.internal/portal"
        assert (await info(client, "testserver"))["owningSystemUrl"] == "http://127.0.0.1:7443/portal"


async def test_public_url_is_the_only_origin(settings):
    async with portal(settings, public_url="https://gis.example.org/", allowed_hosts="") as client:
        assert await accepted(client, "https://gis.example.org/cb")
        assert not await accepted(client, "http://gis.example.org/cb")
        assert not await accepted(client, "https://localhost:7443")
        assert not await accepted(client, "https://evil.example/cb", Host="evil.example")
        for host in ("evil.example", "localhost:7443"):
            assert (await info(client, host))["owningSystemUrl"] == "https://gis.example.org/portal"


async def test_every_interface(settings):
    machine = socket.gethostname().lower()
    async with portal(settings, host="0.0.0.0", allowed_hosts="") as client:  # noqa: S104
        assert await accepted(client, f"https://{machine}:7443")
        assert await accepted(client, "https://localhost:7443")
        assert not await accepted(client, "https://evil.example:7443", Host="evil.example:7443")
        assert (await info(client, f"{machine}:7443"))["owningSystemUrl"] == f"http://{machine}:7443/portal"
        assert "evil" not in (await info(client, "evil.example:7443"))["owningSystemUrl"]


async def test_ipv6_listening_address(settings):
    async with portal(settings, host="::1", allowed_hosts="[fd00::5]:9443") as client:
        assert await accepted(client, "https://[::1]:7443")
        assert await accepted(client, "https://localhost:7443")
        assert await accepted(client, "https://[fd00::5]:9443/cb")
        assert not await accepted(client, "https://[fd00::6]:9443/cb")
        assert (await info(client, "[::1]:7443"))["owningSystemUrl"] == "http://[::1]:7443/portal"
        assert (await info(client, "evil.example"))["owningSystemUrl"] == "http://[::1]:7443/portal"


async def test_organization_allowed_redirect_uris(client, svc):
    listed = {"allowedRedirectUris": ["https://app.example.org/cb", "https://other.example.org", "https://", 7]}
    await svc.db.write(lambda c: c.execute(text("UPDATE orgs SET settings = :s"), {"s": json.dumps(listed)}))
    for uri in ("https://app.example.org/cb", "https://app.example.org/cb/deeper", "https://other.example.org/x"):
        assert await accepted(client, uri), uri
    for uri in ("https://app.example.org/cbx", "https://app.example.org/", "https://app.example.org.evil.example/cb",
                "https://other.example.org.evil.example/"):
        assert not await accepted(client, uri), uri


async def test_the_accepted_redirect_is_where_the_token_goes(client):
    page = await authorize_page(client, "https://localhost:7443")
    reply = await client.post("/portal/sharing/oauth2/signin", data={
        "oauth_state": oauth_info_like_arcgis(page)["oauth_state"], "username": "admin", "password": ADMIN_PASSWORD})
    assert reply.status_code == 302 and reply.headers["location"].startswith("https://localhost:7443#access_token=")


# ---------------------------------------------------------------- the origin arithmetic

@pytest.mark.parametrize(("url", "expected"), [
    ("HTTPS://LocalHost:443/x", "https://localhost"), ("http://127.0.0.1:80", "http://127.0.0.1"),
    ("https://[::1]:7443/", "https://[::1]:7443"), ("https://user@host/", None), ("javascript:alert(1)", None),
    ("https://host:99999/", None), ("//host/", None), ("null", None),
])
def test_origin_of(url, expected):
    assert origin_of(url) == expected


def test_loopback_names_are_interchangeable(settings):
    own = origins_for(dataclasses.replace(settings, host="localhost", allowed_hosts="")).own
    assert {"http://localhost:7443", "https://127.0.0.1:7443", "https://[::1]:7443"} <= own
    assert not any("7444" in o or "evil" in o for o in own)
    specific = origins_for(dataclasses.replace(settings, host="192.0.2.7", allowed_hosts="")).own
    assert specific == {"http://192.0.2.7:7443", "https://192.0.2.7:7443"}


def test_bracketed_loopback_listening_address(settings):
    own = origins_for(dataclasses.replace(settings, host="[::1]", allowed_hosts="")).own
    assert {"http://[::1]:7443", "https://localhost:7443", "https://127.0.0.1:7443"} <= own
    assert origins_for(dataclasses.replace(settings, host="[::1]", allowed_hosts="")).canonical_host == "[::1]:7443"


def test_allowed_hosts_skip_empty_entries(settings):
    own = origins_for(dataclasses.replace(settings, allowed_hosts=" ,gis.internal,, proxy.example:8443,:,x:y")).own
    assert {"https://gis.internal", "http://gis.internal:7443", "https://proxy.example:8443",
            "http://x", "https://x:7443"} <= own
    assert "https://proxy.example" not in own and not any(o.endswith("://") for o in own)


def test_is_own_of_nothing(settings):
    origins = origins_for(settings)
    assert not origins.is_own(None) and not origins.is_own("")
    assert origins.is_own("http://testserver/anything") and origins.is_own("HTTP://TestServer:80")


def test_urls_name_the_public_host_whatever_the_request_says(settings):
    origins = origins_for(dataclasses.replace(settings, public_url="https://gis.example.org:8443/geo/"))
    for host in ("evil.example", "gis.example.org:8443", None):
        assert origins.host("http", host) == "gis.example.org:8443"
        assert origins.base_url("http", host) == "https://gis.example.org:8443/geo"


async def test_portal_hostname_behind_a_public_url(settings):
    async with portal(settings, public_url="https://gis.example.org/", allowed_hosts="") as client:
        me = (await client.get(f"{SHARING}/portals/self?f=json", headers={"Host": "evil.example"})).json()
        assert me["portalHostname"] == "gis.example.org/portal"
