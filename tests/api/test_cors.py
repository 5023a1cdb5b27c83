"""CORS on every API mount: credentialed for allowed origins (the default organization's
`allowedOrigins`, every origin while it is empty), nothing for the others, never for `null`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import update

from geoshare.http.cors import normalize_origin
from geoshare.storage.tables import orgs
from tests.conftest import SHARING

APP = "https://app.example.org"
OTHER = "https://evil.example.net"
# One path per mount: sharing, portaladmin, server admin, services directory, server tokens.
PATHS = (f"{SHARING}/portals/self", f"{SHARING}/community/self", "/portal/portaladmin", "/arcgis/admin/info",
         "/arcgis/rest/info", "/arcgis/tokens")
CLIENT_HEADERS = ("X-Esri-Authorization", "Authorization", "Content-Type", "X-Requested-With",
                  "X-Esri-Auth-Client-Id", "X-Esri-Auth-Redirect-Uri")


async def set_allowed_origins(svc: Any, origins: list[str]) -> None:
    """Store `allowedOrigins` in the default organization's settings, as a settings update would."""
    def write(conn: Any) -> None:
        row = conn.execute(orgs.select().where(orgs.c.is_default.is_(True))).mappings().one()
        settings = {**json.loads(row["settings"] or "{}"), "allowedOrigins": origins}
        conn.execute(update(orgs).where(orgs.c.id == row["id"]).values(settings=json.dumps(settings)))

    await svc.db.write(write)


async def preflight(client: Any, path: str, origin: str) -> Any:
    return await client.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "x-esri-authorization"})


def assert_credentialed(reply: Any, origin: str) -> None:
    assert reply.headers.get("access-control-allow-origin") == origin, dict(reply.headers)
    assert reply.headers.get("access-control-allow-credentials") == "true", dict(reply.headers)
    assert "origin" in reply.headers.get("vary", "").lower()


def assert_no_cors(reply: Any) -> None:
    assert not [h for h in reply.headers if h.lower().startswith("access-control-")], dict(reply.headers)
    assert "origin" in reply.headers.get("vary", "").lower()


# ------------------------------------------------------------------ every origin while the list is empty
async def test_any_origin_gets_credentialed_cors_on_every_mount(client):
    for path in PATHS:
        reply = await client.get(path, params={"f": "json"}, headers={"Origin": APP})
        assert reply.status_code == 200, path
        assert_credentialed(reply, APP)


async def test_preflight_allows_the_client_headers_with_credentials(client):
    for path in (f"{SHARING}/generateToken", "/arcgis/admin/generateToken", "/arcgis/rest/services"):
        reply = await preflight(client, path, "http://127.0.0.1:8123")
        assert reply.status_code == 204, path
        assert_credentialed(reply, "http://127.0.0.1:8123")
        assert {m.strip() for m in reply.headers["access-control-allow-methods"].split(",")} >= {"GET", "POST"}
        allowed = {h.strip().lower() for h in reply.headers["access-control-allow-headers"].split(",")}
        assert {h.lower() for h in CLIENT_HEADERS} <= allowed
        assert int(reply.headers["access-control-max-age"]) > 0


async def test_an_answer_with_credentials_never_names_every_origin(client):
    reply = await client.get(f"{SHARING}/portals/self", params={"f": "json"}, headers={"Origin": APP})
    assert reply.headers["access-control-allow-origin"] != "*"


async def test_null_origin_gets_no_credentials(client):
    reply = await client.get(f"{SHARING}/portals/self", params={"f": "json"}, headers={"Origin": "null"})
    assert reply.headers.get("access-control-allow-origin") == "*"
    assert "access-control-allow-credentials" not in reply.headers
    answer = await preflight(client, f"{SHARING}/portals/self", "null")
    assert answer.headers.get("access-control-allow-origin") == "*"
    assert "access-control-allow-credentials" not in answer.headers


async def test_without_origin_there_is_no_cors_header(client):
    assert_no_cors(await client.get(f"{SHARING}/portals/self", params={"f": "json"}))


async def test_a_header_that_is_no_origin_is_not_reflected(client):
    for junk in ("evil", "https://app.example.org/path", "javascript://x", "https://"):
        assert_no_cors(await client.get(f"{SHARING}/portals/self", params={"f": "json"}, headers={"Origin": junk}))


# ------------------------------------------------------------------ only the listed origins once a list is set
async def test_listed_origin_gets_credentialed_cors(client, svc):
    await set_allowed_origins(svc, [APP, "http://localhost:3000"])
    for path in PATHS:
        assert_credentialed(await client.get(path, params={"f": "json"}, headers={"Origin": APP}), APP)
    reply = await preflight(client, f"{SHARING}/generateToken", "http://localhost:3000")
    assert reply.status_code == 204
    assert_credentialed(reply, "http://localhost:3000")
    assert "x-esri-authorization" in reply.headers["access-control-allow-headers"].lower()


async def test_unlisted_origin_gets_no_cors(client, svc):
    await set_allowed_origins(svc, [APP])
    for path in PATHS:
        reply = await client.get(path, params={"f": "json"}, headers={"Origin": OTHER})
        assert reply.status_code == 200, path
        assert_no_cors(reply)
    for origin in (OTHER, "http://app.example.org", "https://app.example.org:8443"):  # scheme and port count
        answer = await preflight(client, f"{SHARING}/generateToken", origin)
        assert answer.status_code == 204
        assert_no_cors(answer)


async def test_null_origin_gets_nothing_once_a_list_is_set(client, svc):
    await set_allowed_origins(svc, [APP, "null"])
    assert_no_cors(await client.get(f"{SHARING}/portals/self", params={"f": "json"}, headers={"Origin": "null"}))
    assert_no_cors(await preflight(client, f"{SHARING}/portals/self", "null"))


async def test_listed_origins_match_as_origins(client, svc):
    await set_allowed_origins(svc, ["HTTPS://App.Example.org:443/", "http://[::1]:8080", 42, "not an origin"])
    assert_credentialed(await client.get(f"{SHARING}/portals/self", headers={"Origin": APP}), APP)
    ipv6 = "http://[::1]:8080"
    assert_credentialed(await client.get(f"{SHARING}/portals/self", headers={"Origin": ipv6}), ipv6)
    assert_no_cors(await client.get(f"{SHARING}/portals/self", headers={"Origin": "http://[::1]:8081"}))


async def test_a_changed_list_applies_to_the_next_request(client, svc):
    await client.get(f"{SHARING}/portals/self", headers={"Origin": OTHER})  # fills the cache
    await set_allowed_origins(svc, [APP])
    assert_no_cors(await client.get(f"{SHARING}/portals/self", headers={"Origin": OTHER}))
    await set_allowed_origins(svc, [])
    assert_credentialed(await client.get(f"{SHARING}/portals/self", headers={"Origin": OTHER}), OTHER)


async def test_errors_carry_cors_too(client):
    """A page on another origin must be able to read the error envelope (e.g. an invalid token)."""
    reply = await client.get(f"{SHARING}/community/self", params={"f": "json", "token": "nope"},
                             headers={"Origin": APP})
    assert "error" in reply.json()
    assert_credentialed(reply, APP)


@pytest.mark.parametrize(("value", "expected"), [
    ("https://app.example.org", "https://app.example.org"),
    ("HTTPS://APP.example.org:443", "https://app.example.org"),
    ("http://app.example.org:80/", "http://app.example.org"),
    ("http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ("http://[::1]:80", "http://[::1]"),
    ("null", None), ("", None), ("app.example.org", None), ("ftp://app.example.org", None),
    ("https://app.example.org/path", None), ("https://app.example.org?x=1", None), ("https://host:99999", None),
])
def test_normalize_origin(value, expected):
    assert normalize_origin(value) == expected


async def test_allowed_origins_are_shown_to_administrators_only(client, svc, admin_token):
    await set_allowed_origins(svc, [APP])
    anonymous = (await client.get(f"{SHARING}/portals/self", params={"f": "json"})).json()
    assert anonymous["id"] == "0123456789ABCDEF" and "allowedOrigins" not in anonymous
    admin = (await client.get(f"{SHARING}/portals/self", params={"f": "json", "token": admin_token})).json()
    assert admin["allowedOrigins"] == [APP]
