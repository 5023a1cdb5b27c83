"""OAuth 2.0 as the ArcGIS API for Python and REST JS use it (clients.md §1.1)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.conftest import ADMIN_PASSWORD, SHARING, portal

HOST = "testserver"


def oauth_info_like_arcgis(page: str) -> dict:
    """What the Python client does: first '{' to last '}' of the line that has them."""
    for line in page.splitlines():
        if "{" in line and "}" in line:
            return json.loads(line[line.index("{"): line.rindex("}") + 1])
    raise AssertionError("no JSON line on the page")


async def authorize(client, **params):
    query = {"client_id": "pythonapi", "response_type": "token", "redirect_uri": f"https://{HOST}",
             "state": "st-1", "expiration": "600", "allow_verification": "false", "style": "dark",
             "locale": "en-US", **params}
    return await client.get(f"{SHARING}/oauth2/authorize", params=query)


async def test_authorize_page_has_one_line_oauth_info(client):
    page = await authorize(client)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    info = oauth_info_like_arcgis(page.text)
    assert info["oauth_state"] and info["messages"] == []
    assert "Invalid redirect_uri" not in page.text
    assert re.search(r"var oAuthInfo = \{.*\};", page.text)


async def test_unknown_client_and_bad_redirect(client):
    assert "Error: Invalid client_id" in (await authorize(client, client_id="stranger")).text
    assert "Invalid redirect_uri" in (await authorize(client, redirect_uri="https://evil.example.com")).text


async def test_implicit_flow(client):
    info = oauth_info_like_arcgis((await authorize(client)).text)
    reply = await client.post("/portal/sharing/oauth2/signin", data={
        "oauth_state": info["oauth_state"], "username": "admin", "password": ADMIN_PASSWORD, "expiration": "600"})
    assert reply.status_code == 302
    location = reply.headers["location"]
    assert location.startswith(f"https://{HOST}#")
    fragment = parse_qs(urlsplit(location).fragment)
    assert fragment["state"] == ["st-1"] and fragment["username"] == ["admin"]
    assert fragment["expires_in"] == ["36000"]
    me = await client.get(f"{SHARING}/community/self?f=json",
                          headers={"X-Esri-Authorization": f"Bearer {fragment['access_token'][0]}"})
    assert me.json()["username"] == "admin"


async def test_oauth_state_is_single_use(client):
    info = oauth_info_like_arcgis((await authorize(client)).text)
    data = {"oauth_state": info["oauth_state"], "username": "admin", "password": ADMIN_PASSWORD}
    first = await client.post("/portal/sharing/oauth2/signin", data=data)
    assert first.status_code == 302 and "#access_token=" in first.headers["location"]
    again = await client.post("/portal/sharing/oauth2/signin", data=data)
    assert again.status_code == 200 and "location" not in again.headers


async def test_wrong_password_shows_page_with_message(client):
    info = oauth_info_like_arcgis((await authorize(client)).text)
    reply = await client.post("/portal/sharing/oauth2/signin", data={
        "oauth_state": info["oauth_state"], "username": "admin", "password": "wrong"})
    assert reply.status_code == 200 and "location" not in reply.headers
    assert oauth_info_like_arcgis(reply.text)["messages"] == ["Invalid username or password."]


async def _code_flow(client, **extra):
    page = await authorize(client, response_type="code", redirect_uri="urn:ietf:wg:oauth:2.0:oob",
                           expiration="20160", **extra)
    info = oauth_info_like_arcgis(page.text)
    reply = await client.post("/portal/sharing/rest/oauth2/signin", data={
        "oauth_state": info["oauth_state"], "authorize": "True", "username": "admin", "password": ADMIN_PASSWORD},
        follow_redirects=True)
    title = re.search(r"<title>SUCCESS code=([^<]+)</title>", reply.text)
    assert title and "var oAuthInfo = {" in reply.text and "messages" not in oauth_info_like_arcgis(reply.text)
    return title.group(1)


async def _redeem(client, code, **extra):
    return (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": "pythonapi", "code": code,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", **extra})).json()


async def _refresh(client, refresh_token, grant_type="refresh_token", **extra):
    return (await client.post(f"{SHARING}/oauth2/token/", data={
        "grant_type": grant_type, "client_id": "pythonapi", "refresh_token": refresh_token, **extra})).json()


async def _whoami(client, token):
    reply = (await client.get(f"{SHARING}/community/self", params={"f": "json", "token": token})).json()
    return reply.get("username") or reply["error"]["code"]


async def test_code_flow_and_refresh(client):
    code = await _code_flow(client)
    token = await _redeem(client, code, expiration="20160")
    assert token["username"] == "admin" and token["expires_in"] == 1800
    assert token["refresh_token_expires_in"] == 20160 * 60
    refreshed = await _refresh(client, token["refresh_token"])
    assert refreshed["access_token"] and "refresh_token" not in refreshed
    assert await _whoami(client, refreshed["access_token"]) == "admin"
    assert await _whoami(client, token["refresh_token"]) == 498  # a refresh token is not an access token


async def test_the_default_refresh_grant_takes_the_same_token_again(client):
    """What arcgis 2.4.4 and REST JS 4.10.2 do: the first refresh token on every refresh."""
    token = await _redeem(client, await _code_flow(client))
    first = await _refresh(client, token["refresh_token"])
    second = await _refresh(client, token["refresh_token"])
    assert "refresh_token" not in first and "refresh_token" not in second
    for access in (token["access_token"], first["access_token"], second["access_token"]):
        assert await _whoami(client, access) == "admin"


async def test_a_replayed_code_revokes_what_it_bought(client):
    code = await _code_flow(client)
    token = await _redeem(client, code)
    refreshed = await _refresh(client, token["refresh_token"])
    replayed = await _redeem(client, code)
    assert replayed["error"]["code"] == 400 and replayed["error"]["error"] == "invalid_grant"
    assert await _whoami(client, token["access_token"]) == 498
    assert await _whoami(client, refreshed["access_token"]) == 498
    assert (await _refresh(client, token["refresh_token"]))["error"]["code"] == 498


async def test_a_code_replayed_after_its_row_is_purged_still_revokes(client, svc):
    from geoshare.storage.tokens import purge_expired_tokens

    code = await _code_flow(client)
    token = await _redeem(client, code)
    svc.clock.advance(6 * 60_000)  # the code (5 minutes) is gone, its access token (30) is not
    await svc.db.write(purge_expired_tokens, svc.clock.now_ms())
    assert await _whoami(client, token["access_token"]) == "admin"
    assert (await _redeem(client, code))["error"]["error"] == "invalid_grant"
    assert await _whoami(client, token["access_token"]) == 498


async def test_an_unknown_code_revokes_nothing(client):
    token = await _redeem(client, await _code_flow(client))
    assert (await _redeem(client, "never-issued"))["error"]["error"] == "invalid_grant"
    assert await _whoami(client, token["access_token"]) == "admin"


async def _password_grant(client, **extra):
    reply = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "password", "client_id": "pythonapi", "username": "admin", "password": ADMIN_PASSWORD,
        **extra})).json()
    assert reply.get("refresh_token"), reply
    return reply


async def test_exchange_rotates_and_the_old_refresh_token_revokes_the_family(client):
    first = await _password_grant(client)
    other = await _password_grant(client)  # another family, untouched throughout
    exchanged = await _refresh(client, first["refresh_token"], "exchange_refresh_token", expiration="60")
    assert exchanged["refresh_token"] != first["refresh_token"] and exchanged["refresh_token_expires_in"] == 3600
    again = await _refresh(client, exchanged["refresh_token"])  # the new one works, repeatedly
    assert (await _refresh(client, exchanged["refresh_token"]))["access_token"]
    assert await _whoami(client, again["access_token"]) == "admin"
    reused = await _refresh(client, first["refresh_token"])  # the exchanged one comes back
    assert reused["error"]["code"] == 498 and reused["error"]["message"] == "refresh_token expired"
    for access in (first["access_token"], exchanged["access_token"], again["access_token"]):
        assert await _whoami(client, access) == 498
    assert (await _refresh(client, exchanged["refresh_token"]))["error"]["code"] == 498
    assert await _whoami(client, other["access_token"]) == "admin"
    assert (await _refresh(client, other["refresh_token"]))["access_token"]


async def test_a_refresh_token_spent_twice_at_once_revokes_the_family(client):
    import asyncio

    token = await _password_grant(client)
    replies = await asyncio.gather(*[_refresh(client, token["refresh_token"], "exchange_refresh_token")
                                     for _ in range(2)])
    winners = [r for r in replies if "refresh_token" in r]
    assert len(winners) == 1 and sum("error" in r for r in replies) == 1
    assert await _whoami(client, winners[0]["access_token"]) == 498
    assert (await _refresh(client, winners[0]["refresh_token"]))["error"]["code"] == 498


async def test_suspend_session_spends_the_refresh_token(client):
    token = await _password_grant(client)
    other = await _password_grant(client)
    assert await _refresh(client, token["refresh_token"], "suspend_session") == {"success": True}
    assert await _whoami(client, token["access_token"]) == "admin"  # suspending ends refreshes only
    assert (await _refresh(client, token["refresh_token"]))["error"]["code"] == 498
    assert await _whoami(client, token["access_token"]) == 498  # ... until the spent token comes back
    assert await _whoami(client, other["access_token"]) == "admin"


async def test_revoking_a_refresh_token_revokes_its_access_tokens(client):
    token = await _password_grant(client)
    access_only = await _password_grant(client)
    await client.post(f"{SHARING}/oauth2/revokeToken", data={"client_id": "pythonapi",
                                                             "auth_token": access_only["access_token"]})
    assert (await _refresh(client, access_only["refresh_token"]))["access_token"]  # the refresh token lives
    await client.post(f"{SHARING}/oauth2/revokeToken", data={"client_id": "pythonapi",
                                                             "token": token["refresh_token"]})
    assert await _whoami(client, token["access_token"]) == 498


async def test_refresh_with_another_client_is_refused_without_spending(client):
    token = await _password_grant(client)
    other = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "exchange_refresh_token", "client_id": "arcgisonline",
        "refresh_token": token["refresh_token"]})).json()
    assert other["error"]["error"] == "invalid_client"
    assert (await _refresh(client, token["refresh_token"], "exchange_refresh_token"))["refresh_token"]


@pytest.fixture
async def rotating(settings):
    """A portal with oauth_rotate_refresh_tokens on."""
    async with portal(settings, oauth_rotate_refresh_tokens=True) as http:
        yield http, http.svc


async def test_rotation_on_issues_a_new_refresh_token_each_time(rotating):
    client, svc = rotating
    svc.clock.pin()
    token = await _password_grant(client, expiration="600")
    svc.clock.advance(60_000)
    rotated = await _refresh(client, token["refresh_token"])
    assert rotated["refresh_token"] != token["refresh_token"]
    assert rotated["refresh_token_expires_in"] == 599 * 60  # the session does not grow
    assert await _whoami(client, rotated["access_token"]) == "admin"
    assert (await _refresh(client, rotated["refresh_token"]))["refresh_token"]


async def test_rotation_on_reuse_of_a_rotated_token_revokes_the_family(rotating):
    client, _ = rotating
    token = await _password_grant(client)
    rotated = await _refresh(client, token["refresh_token"])
    assert (await _refresh(client, token["refresh_token"]))["error"]["code"] == 498
    assert await _whoami(client, rotated["access_token"]) == 498
    assert (await _refresh(client, rotated["refresh_token"]))["error"]["code"] == 498


def _s256(verifier):
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


async def test_pkce_s256(client):
    verifier = "v" * 50
    code = await _code_flow(client, code_challenge=_s256(verifier), code_challenge_method="S256")
    bad = await _redeem(client, code, code_verifier="wrong")
    assert bad["error"]["error"] == "invalid_grant" and bad["error"]["message"] == "Invalid code_verifier"
    code = await _code_flow(client, code_challenge=_s256(verifier), code_challenge_method="S256")
    assert (await _redeem(client, code, code_verifier=verifier))["username"] == "admin"
    code = await _code_flow(client, code_challenge=_s256(verifier))  # S256 when no method is named
    assert (await _redeem(client, code, code_verifier=verifier))["username"] == "admin"


async def test_plain_pkce_is_refused_by_default(client):
    page = await authorize(client, response_type="code", redirect_uri="urn:ietf:wg:oauth:2.0:oob",
                           code_challenge="v" * 50, code_challenge_method="plain")
    assert "Error: Invalid code_challenge_method" in page.text and "oauth_state" not in page.text


async def test_plain_pkce_when_allowed(settings):
    async with portal(settings, oauth_allow_plain_pkce=True) as http:
        code = await _code_flow(http, code_challenge="v" * 50, code_challenge_method="plain")
        assert (await _redeem(http, code, code_verifier="w" * 50))["error"]["error"] == "invalid_grant"
        code = await _code_flow(http, code_challenge="v" * 50, code_challenge_method="plain")
        assert (await _redeem(http, code, code_verifier="v" * 50))["username"] == "admin"


async def test_password_grant_and_revoke(client):
    reply = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "password", "client_id": "pythonapi", "username": "admin", "password": ADMIN_PASSWORD})).json()
    assert reply["access_token"] and reply["refresh_token"]
    revoked = (await client.post(f"{SHARING}/oauth2/revokeToken/", data={
        "client_id": "pythonapi", "auth_token": reply["access_token"]})).json()
    assert revoked == {"success": True}
    me = await client.get(f"{SHARING}/community/self", params={"f": "json", "token": reply["access_token"]})
    assert me.json()["error"]["code"] == 498
    wrong = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "password", "client_id": "pythonapi", "username": "admin", "password": "x"})).json()
    assert wrong["error"]["code"] == 400


async def test_token_endpoint_errors(client):
    expired = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": "pythonapi", "refresh_token": "nope"})).json()
    assert expired["error"]["code"] == 498 and expired["error"]["message"] == "refresh_token expired"
    unknown = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "password", "client_id": "who", "username": "admin", "password": ADMIN_PASSWORD})).json()
    assert unknown["error"]["error"] == "invalid_client"


async def test_native_clients_are_out_of_band_only_and_token_is_post_only(client):
    assert "Invalid redirect_uri" in (await authorize(client, client_id="arcgispro")).text
    oob = await authorize(client, client_id="arcgispro", response_type="code", redirect_uri="urn:ietf:wg:oauth:2.0:oob")
    assert '"oauth_state":"' in oob.text  # compact, as the Python client's fallback search expects
    via_get = (await client.get(f"{SHARING}/oauth2/token", params={
        "grant_type": "password", "client_id": "pythonapi", "username": "admin", "password": ADMIN_PASSWORD})).json()
    assert via_get["error"]["code"] == 400 and "access_token" not in via_get


async def test_pkce_values_never_reach_the_access_log(settings, monkeypatch):
    import io

    from geoshare.http import dispatch
    from geoshare.http.access_log import AccessLog

    out = io.StringIO()
    monkeypatch.setattr(dispatch, "ACCESS_LOG", AccessLog(out))
    challenge, verifier = _s256("secret-verifier-" * 3), "secret-verifier-" * 3
    async with portal(settings, access_log=True) as http:
        code = await _code_flow(http, code_challenge=challenge, code_challenge_method="S256")
        await http.post(f"{SHARING}/oauth2/token?code_verifier={verifier}", data={
            "grant_type": "authorization_code", "client_id": "pythonapi", "code": code,
            "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"})
    dispatch.ACCESS_LOG.flush()
    text = out.getvalue()
    assert "oauth2/authorize?" in text and "code_challenge=%2A%2A%2A" in text and "code_verifier=%2A%2A%2A" in text
    assert challenge not in text and verifier not in text and code not in text
