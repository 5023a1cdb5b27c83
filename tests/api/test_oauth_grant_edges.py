"""The token endpoint's edges (sharing-api.md §2.4.3, §2.5): exact error texts and codes, expiry
boundaries, the reply's fields and types, what each grant records, and the warnings it logs."""

from __future__ import annotations

import logging

import pytest

from geoshare.domain import oauth_grants
from geoshare.domain.oauth import OAuthError
from geoshare.storage import tokens as token_store
from geoshare.storage.tables import sign_ins
from tests.api.test_oauth import _code_flow, _password_grant, _redeem, _refresh, _s256, _whoami
from tests.conftest import ADMIN_PASSWORD, SHARING, disable_user

OOB = "urn:ietf:wg:oauth:2.0:oob"
CLIENT_IP = "127.0.0.1"  # the address the `client` fixture's requests come from


async def _grant(svc, grant_type, ip="10.0.0.7", ssl=False, **params):
    return await oauth_grants.token(svc, grant_type, {"client_id": "pythonapi", **params}, ip, ssl)


async def _refused(svc, grant_type, **params) -> OAuthError:
    with pytest.raises(OAuthError) as caught:
        await _grant(svc, grant_type, **params)
    return caught.value


def _error(exc: OAuthError) -> tuple[str, str, int]:
    return exc.message, exc.oauth_error, exc.code


async def _last_sign_in(svc):
    query = sign_ins.select().order_by(sign_ins.c.id.desc()).limit(1)
    return await svc.db.read(lambda conn: conn.execute(query).mappings().first())


async def _stored(svc, token):
    from geoshare.domain.tokens import hash_token

    return await svc.db.read(token_store.token_by_hash, hash_token(token))


# ---------------------------------------------------------------- client and grant type
async def test_unknown_or_missing_client_id_is_invalid_client(client, svc):
    body = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "password", "client_id": "who", "username": "admin", "password": ADMIN_PASSWORD})).json()
    assert body == {"error": {"code": 400, "message": "Invalid client_id", "details": [],
                              "error": "invalid_client", "error_description": "Invalid client_id"}}
    for params in ({"client_id": None}, {}):
        with pytest.raises(OAuthError) as caught:
            await oauth_grants.token(svc, "password", {"username": "admin", "password": ADMIN_PASSWORD, **params},
                                     None, False)
        assert _error(caught.value) == ("Invalid client_id", "invalid_client", 400)


async def test_an_unknown_grant_type_is_unsupported(svc):
    """The HTTP layer lists the grant types; the domain refuses any other on its own."""
    exc = await _refused(svc, "implicit")
    assert _error(exc) == ("Invalid grant_type", "unsupported_grant_type", 400)


async def test_client_credentials_needs_a_registered_application(client):
    body = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "client_credentials", "client_id": "pythonapi", "client_secret": "s"})).json()
    assert body["error"] == {"code": 400, "message": "Invalid client_id or client_secret", "details": [],
                             "error": "invalid_client", "error_description": "Invalid client_id or client_secret"}


def test_a_missing_or_empty_parameter_reads_as_empty():
    call = oauth_grants.TokenCall("pythonapi", {"code": None, "state": "s"}, None, False)
    assert call.param("code") == "" and call.param("code_verifier") == "" and call.param("state") == "s"


# ---------------------------------------------------------------- the reply
async def test_the_reply_has_exactly_the_documented_fields_as_integers(client):
    token = await _redeem(client, await _code_flow(client))
    assert set(token) == {"access_token", "expires_in", "username", "ssl", "refresh_token",
                          "refresh_token_expires_in", "token_type"}
    assert token["token_type"] == "Bearer" and token["ssl"] is False and token["username"] == "admin"
    assert type(token["expires_in"]) is int and type(token["refresh_token_expires_in"]) is int
    refreshed = await _refresh(client, token["refresh_token"])
    assert set(refreshed) == {"access_token", "expires_in", "username", "ssl", "token_type"}
    assert refreshed["username"] == "admin" and refreshed["ssl"] is False and refreshed["token_type"] == "Bearer"
    exchanged = await _refresh(client, token["refresh_token"], "exchange_refresh_token")
    assert exchanged["ssl"] is False and type(exchanged["refresh_token_expires_in"]) is int
    assert (await _password_grant(client))["ssl"] is False


async def test_ssl_is_true_on_every_grant_over_https(svc):
    svc.clock.pin()
    first = await _grant(svc, "password", ssl=True, username="admin", password=ADMIN_PASSWORD)
    assert first["ssl"] is True and first["expires_in"] == 1800
    assert (await _grant(svc, "refresh_token", ssl=True, refresh_token=first["refresh_token"]))["ssl"] is True
    exchanged = await _grant(svc, "exchange_refresh_token", ssl=True, refresh_token=first["refresh_token"])
    assert exchanged["ssl"] is True


async def test_issued_tokens_record_their_client(client, svc):
    token = await _password_grant(client)
    assert (await _stored(svc, token["access_token"])).client_id == "pythonapi"
    assert (await _stored(svc, token["refresh_token"])).client_id == "pythonapi"


# ---------------------------------------------------------------- authorization codes
async def test_a_missing_code_is_an_invalid_grant(svc):
    exc = await _refused(svc, "authorization_code", redirect_uri=OOB)
    assert _error(exc) == ("Invalid authorization code", "invalid_grant", 400)


async def test_a_code_is_good_until_the_instant_it_expires(client, svc):
    start = svc.clock.pin()
    code = await _code_flow(client)
    svc.clock.pin(start + 5 * 60_000 - 1)
    assert (await _redeem(client, code))["username"] == "admin"
    svc.clock.pin(start)
    code = await _code_flow(client)
    svc.clock.pin(start + 5 * 60_000)
    assert (await _redeem(client, code))["error"] == {
        "code": 400, "message": "Invalid authorization code", "details": [], "error": "invalid_grant",
        "error_description": "Invalid authorization code"}


async def test_a_code_is_for_the_client_it_was_issued_to(client):
    code = await _code_flow(client)
    other = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": "arcgisonline", "code": code, "redirect_uri": OOB})).json()
    assert other["error"]["message"] == "Invalid authorization code"


async def test_the_redirect_uri_must_be_the_authorize_one(client):
    code = await _code_flow(client)
    wrong = await _redeem(client, code, redirect_uri="https://testserver")
    assert wrong["error"] == {"code": 400, "message": "Invalid redirect_uri", "details": [], "error": "invalid_grant",
                              "error_description": "Invalid redirect_uri"}


async def test_a_code_of_a_user_disabled_since_is_refused(client, svc):
    code = await _code_flow(client)
    await disable_user(svc, "admin")
    refused = await _redeem(client, code)
    assert refused["error"] == {"code": 400, "message": "User is not allowed to sign in.", "details": [],
                                "error": "invalid_grant", "error_description": "User is not allowed to sign in."}


async def test_a_refresh_token_of_a_user_disabled_since_is_refused(client, svc):
    token = await _password_grant(client)
    await disable_user(svc, "admin")
    assert (await _refresh(client, token["refresh_token"]))["error"]["message"] == "User is not allowed to sign in."


async def test_pkce_without_a_verifier_is_refused(client):
    code = await _code_flow(client, code_challenge=_s256("v" * 50), code_challenge_method="S256")
    assert (await _redeem(client, code))["error"]["message"] == "Invalid code_verifier"


async def test_a_replayed_code_is_logged_with_the_address(client, caplog):
    caplog.set_level(logging.WARNING, logger="geoshare.oauth")
    code = await _code_flow(client)
    await _redeem(client, code)
    await _redeem(client, "never-issued")
    assert not [r for r in caplog.records if r.name == "geoshare.oauth"]  # success and unknown codes: silent
    await _redeem(client, code)
    assert [r.getMessage() for r in caplog.records if r.name == "geoshare.oauth"] == [
        f"authorization code presented again by {CLIENT_IP}: the tokens it bought are revoked"]


async def test_a_code_replayed_after_its_tokens_were_revoked_is_still_a_replay(client, svc, caplog):
    """Nothing is left to revoke, but a used code seen again is still logged as a replay."""
    caplog.set_level(logging.WARNING, logger="geoshare.oauth")
    code = await _code_flow(client)
    await _redeem(client, code)
    await _redeem(client, code)
    caplog.clear()
    assert (await _redeem(client, code))["error"]["message"] == "Invalid authorization code"
    assert len([r for r in caplog.records if r.name == "geoshare.oauth"]) == 1


# ---------------------------------------------------------------- refresh tokens
async def test_a_refresh_token_is_good_until_the_instant_it_expires(client, svc):
    start = svc.clock.pin()
    token = await _password_grant(client, expiration="60")
    svc.clock.pin(start + 60 * 60_000 - 1)
    assert (await _refresh(client, token["refresh_token"]))["username"] == "admin"
    svc.clock.pin(start + 60 * 60_000)
    assert (await _refresh(client, token["refresh_token"]))["error"] == {
        "code": 498, "message": "refresh_token expired", "details": [], "error": "invalid_request",
        "error_description": "refresh_token expired"}


async def test_an_access_token_is_not_a_refresh_token(client):
    token = await _password_grant(client)
    refused = await _refresh(client, token["access_token"])
    assert refused["error"]["code"] == 498 and refused["error"]["message"] == "refresh_token expired"


async def test_suspending_an_unknown_refresh_token_is_refused(svc):
    exc = await _refused(svc, "suspend_session", refresh_token="never-issued")
    assert _error(exc) == ("refresh_token expired", "invalid_request", 498)


async def test_a_spent_refresh_token_is_logged_with_the_address(client, caplog):
    caplog.set_level(logging.WARNING, logger="geoshare.oauth")
    token = await _password_grant(client)
    await _refresh(client, token["refresh_token"])
    await _refresh(client, token["refresh_token"], "exchange_refresh_token")
    assert not [r for r in caplog.records if r.name == "geoshare.oauth"]
    await _refresh(client, token["refresh_token"], "exchange_refresh_token")
    assert [r.getMessage() for r in caplog.records if r.name == "geoshare.oauth"] == [
        f"spent refresh token presented again by {CLIENT_IP}: its family is revoked"]
    assert await _whoami(client, token["access_token"]) == 498


# ---------------------------------------------------------------- password grant and expiration
async def test_the_password_grant_records_its_channel_and_address(client, svc):
    await _password_grant(client)
    row = await _last_sign_in(svc)
    assert (row["channel"], row["client_ip"], row["success"]) == ("oauth-password", CLIENT_IP, True)
    await _grant(svc, "password", ip="10.0.0.9", username="admin", password=ADMIN_PASSWORD)
    assert (await _last_sign_in(svc))["client_ip"] == "10.0.0.9"


async def test_a_wrong_password_is_an_invalid_grant_with_the_sign_in_text(client):
    body = (await client.post(f"{SHARING}/oauth2/token", data={
        "grant_type": "password", "client_id": "pythonapi", "username": "admin", "password": "x"})).json()
    assert body["error"] == {"code": 400, "message": "Invalid username or password.", "details": [],
                             "error": "invalid_grant", "error_description": "Invalid username or password."}


async def test_expiration_empty_means_the_default_and_text_is_refused(svc):
    svc.clock.pin()
    reply = await _grant(svc, "password", username="admin", password=ADMIN_PASSWORD, expiration="")
    assert reply["refresh_token_expires_in"] == 20160 * 60
    exc = await _refused(svc, "password", username="admin", password=ADMIN_PASSWORD, expiration="soon")
    assert _error(exc) == ("Invalid expiration", "invalid_request", 400)
