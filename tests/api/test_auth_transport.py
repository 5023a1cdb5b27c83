"""How http/auth.py finds a request's token and address: Bearer headers, the cookie against
the operation it would run, the client address behind (untrusted) proxies, and the browser's
word on where a request comes from."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from geoshare.domain.principal import ANONYMOUS
from geoshare.errors import InvalidToken
from geoshare.http.auth import client_ip, cookie_allowed, find_token, principal_for, same_origin
from geoshare.http.operations import Operation
from geoshare.http.origins import origins_for
from tests.conftest import SHARING

ATTACKER = "http://127.0.0.1:9999"
LINK_FROM_ELSEWHERE = {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document"}


def _request(method: str = "GET", headers: dict[str, str] | None = None, peer: str | None = "127.0.0.1") -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    scope: dict[str, Any] = {"type": "http", "method": method, "headers": raw, "path": "/", "query_string": b""}
    if peer is not None:
        scope["client"] = (peer, 50000)
    return Request(scope)


async def _noop(ctx: Any) -> None:
    return None


RUNS_ON_GET = Operation(mount="sharing", path="x/op", handler=_noop, name="op", kind="operation")
READ = Operation(mount="sharing", path="x/read", handler=_noop, name="read")


async def _self(client, **headers):
    return (await client.get(f"{SHARING}/community/self", params={"f": "json"}, headers=headers)).json()


async def test_bearer_headers(client, admin_token):
    for header in ("X-Esri-Authorization", "Authorization"):
        for value in (f"Bearer {admin_token}", f"bearer  {admin_token} ", f"  BEARER {admin_token}"):
            assert (await _self(client, **{header: value}))["username"] == "admin", (header, value)
        for value in (f"Basic {admin_token}", "Bearer None", "Bearer ", admin_token):
            assert (await _self(client, **{header: value}))["error"]["code"] == 499, (header, value)


async def test_a_forged_token_sent_both_ways_is_an_error(client):
    """The cookie's leniency (stale means anonymous) is for the cookie alone: the same value sent
    explicitly as well is checked strictly."""
    client.cookies.set("agstoken", "forged")
    assert "id" in (await client.get(f"{SHARING}/portals/self?f=json")).json()
    both = await client.get(f"{SHARING}/portals/self", params={"f": "json", "token": "forged"})
    assert both.json()["error"]["code"] == 498


async def test_the_cookie_is_weighed_against_the_operation(svc, admin_token):
    """With no browser headers at all, the cookie reads but never runs an operation."""
    request = _request("GET", {"cookie": f"agstoken={admin_token}"})
    assert find_token(svc, request, {}, READ) == admin_token
    assert find_token(svc, request, {}, RUNS_ON_GET) is None
    assert find_token(svc, request, {}) == admin_token
    assert (await principal_for(svc, request, {}, READ)).user.username == "admin"
    assert await principal_for(svc, request, {}, RUNS_ON_GET) is ANONYMOUS
    assert await principal_for(svc, request, {"token": admin_token}, RUNS_ON_GET) != ANONYMOUS
    with pytest.raises(InvalidToken):
        await principal_for(svc, _request("GET", {"authorization": "Bearer forged"}), {}, READ)


@pytest.mark.parametrize(("headers", "expected"), [
    ({"Sec-Fetch-Site": "same-origin"}, True),
    ({"Sec-Fetch-Site": "none"}, True),  # typed or bookmarked by the user
    ({"Sec-Fetch-Site": "None", "Origin": ATTACKER}, True),  # the browser's verdict wins over Origin
    ({"Sec-Fetch-Site": "same-site", "Origin": "http://testserver"}, False),
    ({"Sec-Fetch-Site": "cross-site"}, False),
    ({"Origin": "http://testserver"}, True),
    ({"Origin": ATTACKER}, False),
    ({"Origin": "null"}, False),
    ({"Referer": "http://testserver/"}, None),
    ({}, None),
])
def test_same_origin(settings, headers, expected):
    assert same_origin(_request("POST", headers), origins_for(settings)) is expected


@pytest.mark.parametrize(("method", "headers", "op", "allowed"), [
    ("HEAD", {}, READ, True),
    ("GET", {}, RUNS_ON_GET, False),
    ("HEAD", LINK_FROM_ELSEWHERE, READ, True),  # a link shows a page, HEAD as GET
    ("GET", LINK_FROM_ELSEWHERE, READ, True),
    ("POST", LINK_FROM_ELSEWHERE, READ, False),  # a form posted from elsewhere
    ("HEAD", {**LINK_FROM_ELSEWHERE, "Sec-Fetch-Dest": "iframe"}, READ, False),
    ("GET", {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "navigate"}, READ, True),  # no Dest: a document
    ("GET", {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Dest": "document"}, READ, False),  # no Mode: not a link
    ("GET", {"Sec-Fetch-Site": "same-site", "Sec-Fetch-Mode": "NAVIGATE", "Sec-Fetch-Dest": "Document"}, READ, True),
])
def test_cookie_allowed(settings, method, headers, op, allowed):
    assert cookie_allowed(_request(method, headers), {}, op, origins_for(settings)) is allowed


@pytest.mark.parametrize(("peer", "forwarded", "trusted", "expected"), [
    ("198.51.100.7", "203.0.113.7", set(), "198.51.100.7"),  # an untrusted peer's header is its own word
    ("198.51.100.7", "203.0.113.7", {"10.0.0.1"}, "198.51.100.7"),
    ("10.0.0.1", "203.0.113.7", {"10.0.0.1"}, "203.0.113.7"),
    ("10.0.0.1", "203.0.113.7, 10.0.0.2 , 10.0.0.1", {"10.0.0.1", "10.0.0.2"}, "203.0.113.7"),
    ("10.0.0.1", "198.51.100.9, 203.0.113.7", {"10.0.0.1"}, "203.0.113.7"),  # the left part may be forged
    ("10.0.0.1", "10.0.0.2, ,", {"10.0.0.1", "10.0.0.2"}, "10.0.0.1"),
    ("10.0.0.1", None, {"10.0.0.1"}, "10.0.0.1"),
    ("10.0.0.1", "", {"10.0.0.1"}, "10.0.0.1"),
    (None, "203.0.113.7", {"10.0.0.1"}, None),
])
def test_client_ip(peer, forwarded, trusted, expected):
    headers = {"X-Forwarded-For": forwarded} if forwarded is not None else {}
    assert client_ip(_request("GET", headers, peer), frozenset(trusted)) == expected
