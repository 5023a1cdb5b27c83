"""Authorize and sign-in edges (sharing-api.md §2.4.1-2.4.2): the exact error texts, the
oauth_state's lifetime, which expiration wins, the redirect's exact form, and which redirect
URIs are accepted."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from geoshare.domain import oauth
from geoshare.domain.oauth import OOB, AuthorizeRequest, OAuthPageError, redirect_allowed
from geoshare.storage import tokens as token_store
from geoshare.storage.tables import sign_ins
from tests.api.test_oauth import authorize, oauth_info_like_arcgis
from tests.conftest import ADMIN_PASSWORD

SIGNIN = "/portal/sharing/oauth2/signin"
OWN = "https://testserver"


def _own(uri: str) -> bool:
    return uri == OWN or uri.startswith(OWN + "/") or uri.startswith(OWN + "?")


def _request(**changes) -> AuthorizeRequest:
    fields = {"client_id": "pythonapi", "response_type": "token", "redirect_uri": OWN, "state": "st-1",
              "expiration": None, "code_challenge": None, "code_challenge_method": None, **changes}
    return AuthorizeRequest(**fields)


async def _begin_refused(svc, **changes) -> str:
    with pytest.raises(OAuthPageError) as caught:
        await oauth.begin(svc, _request(**changes), _own)
    return caught.value.message


async def _sign_in(svc, posted=None, ssl=False, ip="10.0.0.7", **changes) -> oauth.SignInOutcome:
    state, _ = await oauth.begin(svc, _request(**changes), _own)
    return await oauth.sign_in(svc, state, "admin", ADMIN_PASSWORD, posted, ip, ssl)


def _fragment(outcome: oauth.SignInOutcome) -> dict[str, list[str]]:
    assert outcome.location is not None
    return parse_qs(urlsplit(outcome.location).fragment)


# ---------------------------------------------------------------- exact texts
async def test_authorize_refusals_have_exact_texts(svc):
    assert await _begin_refused(svc, client_id="stranger") == "Error: Invalid client_id"
    assert await _begin_refused(svc, response_type="id_token") == "Error: Invalid response_type"
    assert await _begin_refused(svc, redirect_uri="https://evil.example.com") == "Error: Invalid redirect_uri"
    assert await _begin_refused(svc, response_type="code", code_challenge="c" * 43,
                                code_challenge_method="S512") == "Error: Invalid code_challenge_method"
    assert await _begin_refused(svc, response_type="code", code_challenge="c" * 43,
                                code_challenge_method="plain") == "Error: Invalid code_challenge_method"


async def test_the_error_page_shows_the_text(client):
    page = await authorize(client, client_id="stranger")
    assert '<p class="error">Error: Invalid client_id</p>' in page.text


async def test_an_unknown_oauth_state_is_refused(svc):
    with pytest.raises(OAuthPageError) as caught:
        await oauth.sign_in(svc, "never-issued", "admin", ADMIN_PASSWORD, None, None, False)
    assert caught.value.message == "Error: Invalid or expired oauth_state"


async def test_the_oauth_state_lives_until_the_instant_it_expires(client, svc):
    start = svc.clock.pin()
    data = {"username": "admin", "password": ADMIN_PASSWORD}
    info = oauth_info_like_arcgis((await authorize(client)).text)
    svc.clock.pin(start + 10 * 60_000 - 1)
    assert (await client.post(SIGNIN, data={**data, "oauth_state": info["oauth_state"]})).status_code == 302
    svc.clock.pin(start)
    info = oauth_info_like_arcgis((await authorize(client)).text)
    svc.clock.pin(start + 10 * 60_000)
    late = await client.post(SIGNIN, data={**data, "oauth_state": info["oauth_state"]})
    assert late.status_code == 200 and '<p class="error">Error: Invalid or expired oauth_state</p>' in late.text


async def test_the_sign_in_is_recorded_with_its_channel_and_address(client, svc):
    info = oauth_info_like_arcgis((await authorize(client)).text)
    await client.post(SIGNIN, data={"oauth_state": info["oauth_state"], "username": "admin",
                                    "password": ADMIN_PASSWORD})
    query = sign_ins.select().order_by(sign_ins.c.id.desc()).limit(1)
    row = await svc.db.read(lambda conn: conn.execute(query).mappings().first())
    assert (row["channel"], row["client_ip"], row["success"]) == ("oauth", "127.0.0.1", True)


# ---------------------------------------------------------------- implicit flow
async def test_which_expiration_the_implicit_token_gets(svc):
    assert _fragment(await _sign_in(svc))["expires_in"] == ["7200"]  # none anywhere: 120 minutes
    assert _fragment(await _sign_in(svc, expiration=600))["expires_in"] == ["36000"]  # the authorize request's
    assert _fragment(await _sign_in(svc, expiration=30000))["expires_in"] == [str(20160 * 60)]


async def test_a_posted_expiration_wins_unless_it_is_not_positive(svc):
    async def expires_in(posted: int | None) -> str:
        return _fragment(await _sign_in(svc, posted, expiration=600))["expires_in"][0]

    assert await expires_in(None) == "36000"  # the authorize request's
    assert await expires_in(0) == "36000"
    assert await expires_in(-5) == "36000"
    assert await expires_in(1) == "60"
    assert await expires_in(30) == "1800"
    assert await expires_in(30000) == str(20160 * 60)  # clamped to the maximum


async def test_the_fragment_says_ssl_and_echoes_state_only_when_given(svc):
    plain = _fragment(await _sign_in(svc))
    assert plain["ssl"] == ["false"] and plain["state"] == ["st-1"] and plain["username"] == ["admin"]
    secure = _fragment(await _sign_in(svc, ssl=True, state=None))
    assert secure["ssl"] == ["true"] and "state" not in secure
    assert set(secure) == {"access_token", "expires_in", "username", "ssl"}


async def test_the_implicit_token_records_its_client(svc):
    from geoshare.domain.tokens import hash_token

    fragment = _fragment(await _sign_in(svc, client_id="arcgisonline"))
    record = await svc.db.read(token_store.token_by_hash, hash_token(fragment["access_token"][0]))
    assert record.client_id == "arcgisonline" and record.kind == "oauth"


# ---------------------------------------------------------------- code flow
async def test_the_code_redirect_has_the_exact_form(svc):
    outcome = await _sign_in(svc, response_type="code")
    assert outcome.approval_code is None and outcome.location is not None
    parts = urlsplit(outcome.location)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == OWN
    assert set(parse_qs(parts.query)) == {"code", "state"} and parse_qs(parts.query)["state"] == ["st-1"]
    assert outcome.location == f"{OWN}?{parts.query}"
    no_state = await _sign_in(svc, response_type="code", state=None)
    assert no_state.location is not None and set(parse_qs(urlsplit(no_state.location).query)) == {"code"}
    with_query = await _sign_in(svc, response_type="code", redirect_uri=f"{OWN}/app?x=1")
    assert with_query.location is not None and with_query.location.startswith(f"{OWN}/app?x=1&code=")
    assert parse_qs(urlsplit(with_query.location).query)["x"] == ["1"]


async def test_the_out_of_band_code_is_shown_not_redirected(svc):
    outcome = await _sign_in(svc, response_type="code", redirect_uri=OOB)
    assert outcome.location is None and outcome.approval_code


async def test_the_refresh_token_life_comes_from_the_authorize_request(svc):
    from geoshare.domain import oauth_grants

    async def refresh_life(expiration: int | None) -> object:
        outcome = await _sign_in(svc, response_type="code", redirect_uri=OOB, expiration=expiration)
        reply = await oauth_grants.token(svc, "authorization_code", {
            "client_id": "pythonapi", "code": outcome.approval_code, "redirect_uri": OOB}, None, False)
        return reply["refresh_token_expires_in"]

    svc.clock.pin()
    assert await refresh_life(None) == 20160 * 60
    assert await refresh_life(30000) == 30000 * 60
    assert await refresh_life(200000) == 129600 * 60


# ---------------------------------------------------------------- redirect URIs
def _never(uri: str) -> bool:
    return False


def test_a_listed_prefix_admits_paths_below_it_only():
    listed = ["https://apps.example.com/cb/"]
    assert redirect_allowed("pythonapi", "https://apps.example.com/cb/x", _never, listed)
    assert redirect_allowed("pythonapi", "https://apps.example.com/cb", _never, ["https://apps.example.com/cb"])
    assert not redirect_allowed("pythonapi", "https://apps.example.com/cbx", _never, ["https://apps.example.com/cb"])
    entry = ["https://apps.example.com/appX/"]
    assert not redirect_allowed("pythonapi", "https://apps.example.com/app/cb", _never, entry)
    assert redirect_allowed("pythonapi", "https://apps.example.com/appX/cb", _never, entry)


def test_only_web_schemes_with_a_host_are_admitted_even_when_listed():
    assert not redirect_allowed("pythonapi", "ftp://apps.example.com/cb", _never, ["ftp://apps.example.com/"])
    assert not redirect_allowed("pythonapi", "https://apps.example.com/cb#x", _never, ["https://apps.example.com/"])


def test_a_redirect_with_user_info_is_refused_even_when_listed():
    for entry in ("https://someone@apps.example.com/cb", "https://someone@apps.example.com/"):
        assert not redirect_allowed("pythonapi", "https://someone@apps.example.com/cb", _never, [entry])


async def test_a_redirect_with_user_info_to_an_own_origin_is_refused(client):
    for uri in ("https://someone@testserver", "https://someone@testserver/cb"):
        page = await authorize(client, redirect_uri=uri)
        assert '<p class="error">Error: Invalid redirect_uri</p>' in page.text, uri
    assert "oauth_state" in (await authorize(client, redirect_uri="https://testserver/cb")).text
