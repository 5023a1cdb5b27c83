"""oauth2/token in detail (domain/oauth_grants.py): the exact answer of every grant, each refusal
with its OAuth error, the boundaries of codes and refresh tokens, and the warnings a replay logs."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from geoshare.domain import oauth, oauth_grants, tokens
from geoshare.domain.oauth import OAuthError
from geoshare.storage import tokens as token_store
from tests.api.test_oauth import _code_flow, _password_grant, _redeem, _refresh, _whoami
from tests.conftest import ADMIN_PASSWORD, SHARING, disable_user

MINUTE = 60_000
OOB = oauth.OOB
IP = "127.0.0.1"


def _error(reply, code, oauth_error, message):
    return reply == {"error": {"code": code, "message": message, "details": [], "error": oauth_error,
                               "error_description": message}}


async def _token(client, **data):
    return (await client.post(f"{SHARING}/oauth2/token", data={"client_id": "pythonapi", **data})).json()


async def _grant(svc, grant_type, ssl=True, **params):
    return await oauth_grants.token(svc, grant_type, {"client_id": "pythonapi", **params}, "192.0.2.1", ssl)


async def _refused(svc, grant_type, **params) -> tuple[str, str, int]:
    with pytest.raises(OAuthError) as info:
        await _grant(svc, grant_type, **params)
    return info.value.message, info.value.oauth_error, info.value.code


# ---------------------------------------------------------------- the answers

async def test_every_grant_answers_the_same_shape(client, svc):
    svc.clock.pin()
    code = await _code_flow(client)
    coded = await _redeem(client, code)
    assert set(coded) == {"access_token", "expires_in", "username", "ssl", "token_type", "refresh_token",
                          "refresh_token_expires_in"}
    assert (coded["expires_in"], coded["username"], coded["ssl"], coded["token_type"]) == (1800, "admin", False,
                                                                                          "Bearer")
    assert coded["refresh_token_expires_in"] == 20160 * 60
    assert type(coded["expires_in"]) is int and type(coded["refresh_token_expires_in"]) is int
    refreshed = await _refresh(client, coded["refresh_token"])
    assert {k: v for k, v in refreshed.items() if k != "access_token"} == {
        "expires_in": 1800, "username": "admin", "ssl": False, "token_type": "Bearer"}
    password = await _password_grant(client, expiration="90")
    assert (password["expires_in"], password["refresh_token_expires_in"]) == (1800, 90 * 60)
    assert type(password["expires_in"]) is int and type(password["refresh_token_expires_in"]) is int


async def test_ssl_is_told_as_the_request_came(client, svc):
    assert (await _grant(svc, "password", username="admin", password=ADMIN_PASSWORD))["ssl"] is True
    token = await _grant(svc, "password", ssl=False, username="admin", password=ADMIN_PASSWORD)
    assert token["ssl"] is False
    assert (await _grant(svc, "refresh_token", refresh_token=token["refresh_token"]))["ssl"] is True
    exchanged = await _grant(svc, "exchange_refresh_token", refresh_token=token["refresh_token"])
    assert exchanged["ssl"] is True
    state, _ = await oauth.begin(svc, oauth.AuthorizeRequest("pythonapi", "code", OOB, None, None, None, None),
                                 lambda uri: False)
    outcome = await oauth.sign_in(svc, state, "admin", ADMIN_PASSWORD, None, None, False)
    assert (await _grant(svc, "authorization_code", code=outcome.approval_code, redirect_uri=OOB))["ssl"] is True


async def test_tokens_of_a_grant_carry_its_client(svc):
    reply = await _grant(svc, "password", username="admin", password=ADMIN_PASSWORD)
    for value, kind in ((reply["access_token"], "oauth"), (reply["refresh_token"], "refresh")):
        record = await svc.db.read(token_store.token_by_hash, tokens.hash_token(value))
        assert (record.kind, record.client_id) == (kind, "pythonapi")


async def test_client_credentials_are_refused(client):
    reply = await _token(client, grant_type="client_credentials", client_secret="s3cret")
    assert _error(reply, 400, "invalid_client", "Invalid client_id or client_secret"), reply


async def test_unknown_client_and_grant_type(svc):
    for client_id in ("stranger", "", None):
        with pytest.raises(OAuthError) as info:
            await oauth_grants.token(svc, "password", {"client_id": client_id}, None, False)
        assert (info.value.message, info.value.oauth_error, info.value.code) == ("Invalid client_id",
                                                                                 "invalid_client", 400)
    assert await _refused(svc, "implicit") == ("Invalid grant_type", "unsupported_grant_type", 400)


# ---------------------------------------------------------------- password grant

async def test_password_grant_refusals(client, svc):
    svc.clock.pin()
    wrong = await _token(client, grant_type="password", username="admin", password="wrong")
    assert _error(wrong, 400, "invalid_grant", "Invalid username or password."), wrong
    missing = await _token(client, grant_type="password", password="wrong")
    assert missing["error"]["details"] == ["'username' must be specified."] and "error" not in missing["error"]
    rows = await svc.db.read(lambda c: [tuple(r) for r in c.execute(text(
        "SELECT username_key, channel, client_ip FROM sign_ins"))])
    assert rows == [("admin", "oauth-password", IP)]


@pytest.mark.parametrize(("expiration", "minutes"), [("", 20160), ("0", 20160), ("60", 60), ("129600", 129600),
                                                     ("129601", 129600)])
async def test_password_grant_refresh_life(svc, expiration, minutes):
    svc.clock.pin()
    reply = await _grant(svc, "password", username="admin", password=ADMIN_PASSWORD, expiration=expiration)
    assert reply["refresh_token_expires_in"] == minutes * 60


@pytest.mark.parametrize("grant_type", ["password", "exchange_refresh_token"])
async def test_an_expiration_that_is_not_a_number(svc, grant_type):
    assert await _refused(svc, grant_type, username="admin", password=ADMIN_PASSWORD, refresh_token="x",
                          expiration="soon") == ("Invalid expiration", "invalid_request", 400)


# ---------------------------------------------------------------- authorization codes

async def test_code_refusals(client, svc):
    invalid = ("Invalid authorization code", "invalid_grant", 400)
    assert await _refused(svc, "authorization_code", redirect_uri=OOB) == invalid
    assert await _refused(svc, "authorization_code", code="", redirect_uri=OOB) == invalid
    code = await _code_flow(client)
    assert await _refused(svc, "authorization_code", code=code, redirect_uri="https://app.example.org") == (
        "Invalid redirect_uri", "invalid_grant", 400)
    code = await _code_flow(client)
    assert await _refused(svc, "authorization_code", code=code) == ("Invalid redirect_uri", "invalid_grant", 400)
    code = await _code_flow(client)
    with pytest.raises(OAuthError) as info:
        await oauth_grants.token(svc, "authorization_code", {"client_id": "arcgisonline", "code": code,
                                                             "redirect_uri": OOB}, None, False)
    assert (info.value.message, info.value.oauth_error) == invalid[:2]


async def test_a_code_lasts_five_minutes(client, svc):
    started = svc.clock.pin()
    late = await _code_flow(client)
    in_time = await _code_flow(client)
    svc.clock.pin(started + 5 * MINUTE)
    assert _error(await _redeem(client, late), 400, "invalid_grant", "Invalid authorization code")
    svc.clock.pin(started + 5 * MINUTE - 1)
    assert (await _redeem(client, in_time))["username"] == "admin"


def _warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "geoshare.oauth" and r.levelname == "WARNING"]


async def test_a_replayed_code_is_logged_and_an_unknown_one_is_not(client, svc, caplog):
    from geoshare.storage.tokens import purge_expired_tokens

    caplog.set_level(logging.WARNING, logger="geoshare.oauth")
    await _redeem(client, "never-issued")
    assert _warnings(caplog) == []
    code = await _code_flow(client)
    await _redeem(client, code)
    assert _error(await _redeem(client, code), 400, "invalid_grant", "Invalid authorization code")
    replay = f"authorization code presented again by {IP}: the tokens it bought are revoked"
    assert _warnings(caplog) == [replay]
    purged = await _code_flow(client)  # replayed after its row is gone: known by the family it bought
    await _redeem(client, purged)
    svc.clock.advance(6 * MINUTE)
    await svc.db.write(purge_expired_tokens, svc.clock.now_ms())
    await _redeem(client, purged)
    assert _warnings(caplog) == [replay, replay]


async def test_a_used_code_whose_tokens_are_gone_is_still_a_replay(client, svc, caplog):
    """Its tokens revoked already, the replay revokes nothing more, yet it is still logged."""
    caplog.set_level(logging.WARNING, logger="geoshare.oauth")
    code = await _code_flow(client)
    await _redeem(client, code)
    await _redeem(client, code)
    await _redeem(client, code)
    assert len(_warnings(caplog)) == 2


# ---------------------------------------------------------------- refresh tokens

async def test_a_refresh_token_lasts_until_exactly_its_end(client, svc):
    svc.clock.pin()
    token = await _password_grant(client, expiration="1")
    svc.clock.advance(MINUTE - 1)
    assert (await _refresh(client, token["refresh_token"]))["access_token"]
    svc.clock.advance(1)
    assert _error(await _refresh(client, token["refresh_token"]), 498, "invalid_request", "refresh_token expired")


async def test_an_access_token_is_not_a_refresh_token(client):
    token = await _password_grant(client)
    reply = await _refresh(client, token["access_token"])
    assert _error(reply, 498, "invalid_request", "refresh_token expired"), reply
    assert _error(await _refresh(client, token["access_token"], "suspend_session"), 498, "invalid_request",
                  "refresh_token expired")
    assert await _whoami(client, token["access_token"]) == "admin"


async def test_a_disabled_user_gets_nothing_for_a_refresh_token(client, svc):
    token = await _password_grant(client)
    await disable_user(svc, "admin")
    reply = await _refresh(client, token["refresh_token"])
    assert _error(reply, 400, "invalid_grant", "User is not allowed to sign in."), reply


async def test_refresh_with_another_client(client):
    token = await _password_grant(client)
    reply = await _refresh(client, token["refresh_token"], client_id="arcgisonline")
    assert _error(reply, 400, "invalid_client", "Invalid client_id"), reply


async def test_reuse_of_a_spent_refresh_token_is_logged(client, caplog):
    caplog.set_level(logging.WARNING, logger="geoshare.oauth")
    token = await _password_grant(client)
    await _refresh(client, token["refresh_token"], "exchange_refresh_token")
    assert _warnings(caplog) == []
    await _refresh(client, token["refresh_token"])
    assert _warnings(caplog) == [f"spent refresh token presented again by {IP}: its family is revoked"]


async def test_a_refresh_token_spent_between_read_and_claim_revokes_the_family(client, svc, monkeypatch):
    """Two requests spending one refresh token at once, as PostgreSQL runs them: both read it
    unspent, the other commits its claim first, so this one's claim fails.  (SQLite has one
    writer, so in-process the other request's claim is made right after this one's read.)"""
    token = await _password_grant(client)
    other_family = await _password_grant(client)
    read = token_store.token_by_hash

    def read_then_lose_the_race(conn, token_hash):
        found = read(conn, token_hash)
        assert token_store.claim_token(conn, token_hash)  # the other request, a moment later
        return found

    monkeypatch.setattr(token_store, "token_by_hash", read_then_lose_the_race)
    reply = await _refresh(client, token["refresh_token"], "exchange_refresh_token")
    monkeypatch.undo()
    assert _error(reply, 498, "invalid_request", "refresh_token expired"), reply
    assert await _whoami(client, token["access_token"]) == 498
    assert await _whoami(client, other_family["access_token"]) == "admin"


async def test_suspend_session_refusals(client):
    assert _error(await _refresh(client, "never-issued", "suspend_session"), 498, "invalid_request",
                  "refresh_token expired")
    token = await _password_grant(client)
    reply = await _refresh(client, token["refresh_token"], "suspend_session", client_id="arcgisonline")
    assert _error(reply, 400, "invalid_client", "Invalid client_id"), reply
