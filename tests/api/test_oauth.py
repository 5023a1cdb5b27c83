"""OAuth 2.0 as the ArcGIS API for Python and REST JS use it (clients.md §1.1)."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import parse_qs, urlsplit

from tests.conftest import ADMIN_PASSWORD, SHARING

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
    assert (await client.post("/portal/sharing/oauth2/signin", data=data)).status_code == 302
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


async def test_code_flow_and_refresh(client):
    code = await _code_flow(client)
    token = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": "pythonapi", "code": code,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "expiration": "20160"})).json()
    assert token["username"] == "admin" and token["expires_in"] == 1800
    assert token["refresh_token_expires_in"] == 20160 * 60
    reused = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": "pythonapi", "code": code,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob"})).json()
    assert reused["error"]["code"] == 400 and reused["error"]["error"] == "invalid_grant"
    refreshed = (await client.post(f"{SHARING}/oauth2/token/", data={
        "grant_type": "refresh_token", "client_id": "pythonapi", "refresh_token": token["refresh_token"]})).json()
    assert refreshed["access_token"] and "refresh_token" not in refreshed
    me = await client.get(f"{SHARING}/community/self", params={"f": "json", "token": refreshed["access_token"]})
    assert me.json()["username"] == "admin"
    # A refresh token is not an access token.
    assert (await client.get(f"{SHARING}/community/self", params={
        "f": "json", "token": token["refresh_token"]})).json()["error"]["code"] == 498


async def test_pkce(client):
    verifier = "v" * 50
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    code = await _code_flow(client, code_challenge=challenge, code_challenge_method="S256")
    bad = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": "pythonapi", "code": code,
        "redirect_uri": "urn:ietf:wg:oauth:2.0:oob", "code_verifier": "wrong"})).json()
    assert bad["error"]["error"] == "invalid_grant"


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
