"""oauth2/authorize and the sign-in post in detail (domain/oauth.py): the exact refusals, what a
sign-in session keeps, where the browser is sent with its token or code, and for how long."""

from __future__ import annotations

import dataclasses
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import text

from geoshare.domain import oauth, oauth_grants, tokens
from geoshare.storage import tokens as token_store
from tests.conftest import ADMIN_PASSWORD, SHARING

MINUTE = 60_000
OOB = oauth.OOB
APP = "https://app.example.org/cb"


def _request(**changes) -> oauth.AuthorizeRequest:
    base = oauth.AuthorizeRequest(client_id="pythonapi", response_type="token", redirect_uri=APP, state="st",
                                  expiration=None, code_challenge=None, code_challenge_method=None)
    return dataclasses.replace(base, **changes)


def _own(uri: str) -> bool:
    return uri.startswith("https://app.example.org/")


async def _refused(svc, req, is_own=_own) -> tuple[str, list[str]]:
    with pytest.raises(oauth.OAuthPageError) as info:
        await oauth.begin(svc, req, is_own)
    assert info.value.code == 400
    return info.value.message, info.value.details


@pytest.mark.parametrize(("changes", "message", "details"), [
    ({"client_id": "stranger"}, "Error: Invalid client_id", ["Invalid client_id"]),
    ({"client_id": ""}, "Error: Invalid client_id", ["Invalid client_id"]),
    ({"response_type": "id_token"}, "Error: Invalid response_type", ["response_type must be token or code"]),
    ({"redirect_uri": "https://evil.example.org/cb"}, "Error: Invalid redirect_uri", ["Invalid redirect_uri"]),
    ({"code_challenge": "c" * 43, "code_challenge_method": "S512"}, "Error: Invalid code_challenge_method",
     ["code_challenge_method must be S256 or plain"]),
    ({"code_challenge": "c" * 43, "code_challenge_method": "plain"}, "Error: Invalid code_challenge_method",
     ["code_challenge_method must be S256"]),
])
async def test_authorize_refusals(svc, changes, message, details):
    # The page shows the message only; `details` records what it is about, for the reader.
    assert await _refused(svc, _request(**changes)) == (message, [])


@pytest.mark.parametrize(("challenge", "method", "kept"), [
    (None, None, None), ("c" * 43, None, "S256"), ("c" * 43, "S256", "S256"), (None, "S256", "S256")])
async def test_the_session_keeps_the_request(svc, challenge, method, kept):
    now = svc.clock.pin()
    state, session = await oauth.begin(svc, _request(response_type="code", expiration=90, code_challenge=challenge,
                                                     code_challenge_method=method), _own)
    assert session == await oauth.session_for(svc, state)
    assert (session.client_id, session.response_type, session.redirect_uri, session.state, session.expiration) == (
        "pythonapi", "code", APP, "st", 90)
    assert (session.code_challenge, session.code_challenge_method) == (challenge, kept)
    assert (session.created, session.expires) == (now, now + 10 * MINUTE)
    assert session.state_hash == tokens.hash_token(state)


async def test_plain_pkce_is_kept_when_allowed(settings):
    from tests.conftest import portal

    async with portal(settings, oauth_allow_plain_pkce=True) as client:
        _, session = await oauth.begin(client.svc, _request(code_challenge="v" * 43, code_challenge_method="plain"),
                                       _own)
        assert session.code_challenge_method == "plain"


async def test_a_sign_in_session_lasts_ten_minutes(svc):
    started = svc.clock.pin()
    state, _ = await oauth.begin(svc, _request(), _own)
    svc.clock.pin(started + 10 * MINUTE - 1)
    assert (await oauth.session_for(svc, state)).state == "st"
    svc.clock.pin(started + 10 * MINUTE)
    for value in (state, "never-issued", ""):
        with pytest.raises(oauth.OAuthPageError) as info:
            await oauth.session_for(svc, value)
        assert (info.value.message, info.value.details) == ("Error: Invalid or expired oauth_state", [])


async def _sign_in(svc, posted=None, ssl=False, **changes):
    """Authorize with `changes` to the request, then sign in posting the expiration `posted`."""
    state, _ = await oauth.begin(svc, _request(**changes), _own)
    return await oauth.sign_in(svc, state, "admin", ADMIN_PASSWORD, posted, "192.0.2.1", ssl)


def _fragment(outcome) -> dict[str, list[str]]:
    assert outcome.approval_code is None and outcome.location.startswith(f"{APP}#")
    return parse_qs(urlsplit(outcome.location).fragment)


async def test_implicit_flow_fragment(svc):
    svc.clock.pin()
    fragment = _fragment(await _sign_in(svc, ssl=True))
    assert set(fragment) == {"access_token", "expires_in", "username", "ssl", "state"}
    assert (fragment["expires_in"], fragment["username"], fragment["ssl"], fragment["state"]) == (
        ["7200"], ["admin"], ["true"], ["st"])
    record = await svc.db.read(token_store.token_by_hash, tokens.hash_token(fragment["access_token"][0]))
    assert (record.kind, record.client_id, record.expires - record.created) == ("oauth", "pythonapi", 120 * MINUTE)
    without_state = _fragment(await _sign_in(svc, state=None))
    assert "state" not in without_state and without_state["ssl"] == ["false"]


@pytest.mark.parametrize(("posted", "asked", "minutes"), [
    (None, None, 120), (0, None, 120), (None, 30, 30), (-1, 30, 30), (0, 30, 30), (1, 30, 1), (45, 30, 45), (20160, None, 20160),
    (20161, None, 20160), (None, 20161, 20160)])
async def test_implicit_token_life(svc, posted, asked, minutes):
    """The sign-in post's expiration wins over the authorize request's; 2 hours when neither
    names one, 2 weeks at most."""
    fragment = _fragment(await _sign_in(svc, posted, expiration=asked))
    assert fragment["expires_in"] == [str(minutes * 60)]


async def _redeem(svc, code, redirect_uri):
    return await oauth_grants.token(svc, "authorization_code", {
        "client_id": "pythonapi", "code": code, "redirect_uri": redirect_uri}, "192.0.2.1", False)


@pytest.mark.parametrize(("redirect_uri", "state", "expected"), [
    (APP, "st", f"{APP}?code={{code}}&state=st"),
    (APP, None, f"{APP}?code={{code}}"),
    (f"{APP}?app=1", "a b&c", f"{APP}?app=1&code={{code}}&state=a+b%26c"),
])
async def test_code_flow_redirect(svc, redirect_uri, state, expected):
    outcome = await _sign_in(svc, response_type="code", redirect_uri=redirect_uri, state=state)
    assert outcome.approval_code is None
    code = parse_qs(urlsplit(outcome.location).query)["code"][0]
    assert outcome.location == expected.format(code=code)
    assert (await _redeem(svc, code, redirect_uri))["username"] == "admin"


async def test_out_of_band_code(svc):
    outcome = await _sign_in(svc, response_type="code", redirect_uri=OOB, client_id="arcgispro")
    assert outcome.location is None and outcome.approval_code
    reply = await oauth_grants.token(svc, "authorization_code", {
        "client_id": "arcgispro", "code": outcome.approval_code, "redirect_uri": OOB}, None, False)
    assert reply["username"] == "admin"


@pytest.mark.parametrize(("asked", "minutes"), [(None, 20160), (0, 20160), (60, 60), (129600, 129600),
                                                (129601, 129600)])
async def test_refresh_token_life_from_the_authorize_request(svc, asked, minutes):
    outcome = await _sign_in(svc, 5, response_type="code", redirect_uri=OOB, expiration=asked)  # 5: not for codes
    svc.clock.pin()
    reply = await _redeem(svc, outcome.approval_code, OOB)
    assert reply["refresh_token_expires_in"] == minutes * 60 and reply["expires_in"] == 30 * 60


async def test_code_record(svc):
    now = svc.clock.pin()
    outcome = await _sign_in(svc, response_type="code", redirect_uri=OOB, code_challenge="c" * 43)
    row = await svc.db.read(lambda c: dict(c.execute(text("SELECT * FROM oauth_codes")).mappings().one()))
    assert row["code_hash"] == tokens.hash_token(outcome.approval_code)
    assert (row["client_id"], row["redirect_uri"], row["code_challenge"], row["code_challenge_method"]) == (
        "pythonapi", OOB, "c" * 43, "S256")
    assert (row["created"], row["expires"], bool(row["used"])) == (now, now + 5 * MINUTE, False)


@pytest.mark.parametrize(("uri", "allowed"), [
    (OOB, True),
    ("https://app.example.org/cb", True),
    ("https://app.example.org/cb/deeper", True),
    ("https://listed.example.org/base/", True),
    ("https://listed.example.org/base/cb", True),
    ("https://listed.example.org/base", False),
    ("https://listed.example.org/appX/cb", True),
    ("https://listed.example.org/app/cb", False),
    ("https://user@app.example.org/cb", False),
    ("ftp://files.example.org/cb", False),
    ("https://app.example.org/cb#frag", False),
    ("https://[bad/cb", False),
    ("https://app.example.org:http/cb", False),
    ("//app.example.org/cb", False),
])
def test_redirect_allowed(uri, allowed):
    listed = ["https://listed.example.org/base/", "https://listed.example.org/appX", "https://user@app.example.org/cb",
              "ftp://files.example.org/cb", "https://", "https://app.example.org/cb#frag"]
    assert oauth.redirect_allowed("pythonapi", uri, lambda u: u.startswith("https://app.example.org/cb"),
                                  listed) is allowed


def test_native_clients_only_go_out_of_band():
    for client in oauth.OOB_ONLY_CLIENTS:
        assert oauth.redirect_allowed(client, OOB, lambda u: True)
        assert not oauth.redirect_allowed(client, "https://app.example.org/cb", lambda u: True)


async def test_a_listed_uri_with_a_trailing_slash_admits_what_is_under_it(client, svc):
    listed = {"allowedRedirectUris": ["https://app.example.org/cb/"]}
    await svc.db.write(lambda c: c.execute(text("UPDATE orgs SET settings = :s"), {"s": json.dumps(listed)}))
    page = await client.get(f"{SHARING}/oauth2/authorize", params={
        "client_id": "pythonapi", "response_type": "token", "redirect_uri": "https://app.example.org/cb/deeper"})
    assert "oauth_state" in page.text and "Invalid redirect_uri" not in page.text
