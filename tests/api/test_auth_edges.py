"""Edges of http/auth.py that the CSRF and token suites leave open (mutation survivors, issue 7):
a bearer token after more than one space, `Sec-Fetch-Site: none`, HEAD, the operation a cookie
would authorise, a token sent both explicitly and as the cookie, and X-Forwarded-For from a
peer that is not a trusted proxy."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from geoshare.domain.principal import ANONYMOUS
from geoshare.http.auth import client_ip, cookie_allowed, find_token, principal_for
from geoshare.http.operations import Operation
from geoshare.http.origins import origins_for
from tests.conftest import SHARING

NAVIGATION = {"sec-fetch-mode": "navigate", "sec-fetch-dest": "document"}


def _request(method: str, headers: dict[str, str], client: tuple[str, int] | None = ("127.0.0.1", 5000)) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "method": method, "headers": raw, "path": "/", "query_string": b"",
                    "client": client})


async def _noop(ctx: Any) -> None:
    return None


RUNS_ON_GET = Operation(mount="sharing", path="x/op", handler=_noop, name="op", kind="operation")


async def test_bearer_token_after_several_spaces(client, admin_token):
    reply = await client.get(f"{SHARING}/community/self", params={"f": "json"},
                             headers={"Authorization": f"Bearer   {admin_token}"})
    assert reply.json()["username"] == "admin"
    spaced = await client.get(f"{SHARING}/community/self", params={"f": "json"},
                              headers={"X-Esri-Authorization": f"Bearer  {admin_token} "})
    assert spaced.json()["username"] == "admin"


def test_sec_fetch_site_none_is_the_user_s_own_request(settings):
    """Typed or bookmarked (`none`) counts as same-origin; another site does not."""
    origins = origins_for(settings)
    fetch = {"sec-fetch-mode": "no-cors", "sec-fetch-dest": "empty"}
    assert cookie_allowed(_request("GET", {**fetch, "sec-fetch-site": "none"}), {}, None, origins) is True
    assert cookie_allowed(_request("GET", {**fetch, "sec-fetch-site": "None"}), {}, None, origins) is True
    assert cookie_allowed(_request("POST", {"sec-fetch-site": "none"}), {}, None, origins) is True
    assert cookie_allowed(_request("GET", {**fetch, "sec-fetch-site": "cross-site"}), {}, None, origins) is False


def test_head_reads_like_get(settings):
    origins = origins_for(settings)
    assert cookie_allowed(_request("HEAD", {}), {}, None, origins) is True
    assert cookie_allowed(_request("GET", {}), {}, RUNS_ON_GET, origins) is False
    cross_link = {**NAVIGATION, "sec-fetch-site": "cross-site"}
    assert cookie_allowed(_request("HEAD", cross_link), {}, None, origins) is True  # a link only reads
    assert cookie_allowed(_request("GET", cross_link), {}, RUNS_ON_GET, origins) is False
    assert cookie_allowed(_request("POST", {}), {}, None, origins) is False


async def test_the_cookie_never_runs_an_operation_from_a_link(svc, client, admin_token):
    link = {**NAVIGATION, "sec-fetch-site": "same-origin", "cookie": f"agstoken={admin_token}"}
    assert find_token(svc, _request("GET", link), {}, RUNS_ON_GET) is None
    assert find_token(svc, _request("GET", link), {}, None) == admin_token
    assert await principal_for(svc, _request("GET", link), {}, RUNS_ON_GET) is ANONYMOUS
    assert (await principal_for(svc, _request("GET", link), {}, None)).username == "admin"


async def test_a_bad_token_sent_explicitly_is_refused_even_when_it_is_also_the_cookie(client):
    reply = await client.get(f"{SHARING}/community/self", params={"f": "json", "token": "not-a-token"},
                             headers={"Cookie": "agstoken=not-a-token", "Sec-Fetch-Site": "same-origin"})
    assert reply.json()["error"]["code"] == 498
    cookie_only = await client.get(f"{SHARING}/community/self", params={"f": "json"},
                                   headers={"Cookie": "agstoken=not-a-token", "Sec-Fetch-Site": "same-origin"})
    assert cookie_only.json()["error"]["code"] == 499  # anonymous, not the 498 of a bad token


def test_forwarded_for_is_ignored_from_an_untrusted_peer():
    trusted = frozenset({"10.0.0.1"})
    sent = {"x-forwarded-for": "203.0.113.9"}
    assert client_ip(_request("GET", sent, ("192.0.2.7", 1)), trusted) == "192.0.2.7"
    assert client_ip(_request("GET", sent, ("10.0.0.1", 1)), trusted) == "203.0.113.9"
    assert client_ip(_request("GET", sent, None), trusted) is None
