"""What a sign-in leaves behind: the `sign_ins` record of every attempt (who, which account,
when, how, from where, why refused), the user's lastLogin, and the sign-in log lines."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from geoshare.domain import tokens
from geoshare.errors import SignInFailed
from tests.api.test_oauth import authorize, oauth_info_like_arcgis
from tests.conftest import ADMIN_PASSWORD, SHARING, make_user

GEN = f"{SHARING}/generateToken"
IP = "127.0.0.1"  # the address the test client connects from


async def _generate(client, username, password, url=GEN):
    return (await client.post(url, data={"username": username, "password": password, "f": "json"})).json()


async def _records(svc):
    query = text("SELECT username_key, user_id, at, success, channel, client_ip, reason FROM sign_ins ORDER BY id")
    rows = await svc.db.read(lambda c: [tuple(r) for r in c.execute(query)])
    return [(key, user, at, bool(ok), channel, ip, reason) for key, user, at, ok, channel, ip, reason in rows]


async def _oauth_sign_in(client, username, password):
    info = oauth_info_like_arcgis((await authorize(client)).text)
    return await client.post("/portal/sharing/oauth2/signin", data={
        "oauth_state": info["oauth_state"], "username": username, "password": password})


async def test_every_outcome_is_recorded_with_its_account_and_address(client, svc):
    at = svc.clock.pin()
    member = await make_user(svc, "Member")
    gone = await make_user(svc, "gone", "Gone123456", disabled=True)
    assert "token" in await _generate(client, "member", "Member12345")
    await _generate(client, "MEMBER", "wrong")
    await _generate(client, "Ghost", "wrong")
    await _generate(client, "gone", "Gone123456")
    assert (await _oauth_sign_in(client, "Member", "Member12345")).status_code == 302
    await client.post("/arcgis/admin/generateToken", data={"username": "admin", "password": ADMIN_PASSWORD, "f": "json"})
    for _ in range(5):
        await _generate(client, "member", "wrong")
    await _generate(client, "member", "Member12345")
    bad = tokens.token_store.BAD_CREDENTIALS
    assert await _records(svc) == [
        ("member", member.id, at, True, "generateToken", IP, None),
        ("member", member.id, at, False, "generateToken", IP, bad),
        ("ghost", None, at, False, "generateToken", IP, bad),
        ("gone", gone.id, at, False, "generateToken", IP, "disabled"),
        ("member", member.id, at, True, "oauth", IP, None),
        ("admin", (await _user_id(svc, "admin")), at, True, "admin-generateToken", IP, None),
        *[("member", member.id, at, False, "generateToken", IP, bad)] * 5,
        ("member", member.id, at, False, "generateToken", IP, "locked"),
    ]


async def _user_id(svc, username):
    from geoshare.storage import users as user_store

    return (await svc.db.read(user_store.user_by_username, username)).id


async def _last_login(client, token):
    return (await client.get(f"{SHARING}/community/self", params={"f": "json", "token": token})).json()["lastLogin"]


async def test_last_login_is_the_time_of_the_latest_success(client, svc):
    first = svc.clock.pin()
    token = (await _generate(client, "admin", ADMIN_PASSWORD))["token"]
    assert await _last_login(client, token) == first
    later = svc.clock.pin(first + 60_000)
    await _generate(client, "admin", "wrong")  # a failure leaves it alone
    assert await _last_login(client, token) == first
    assert (await _oauth_sign_in(client, "admin", ADMIN_PASSWORD)).status_code == 302
    assert await _last_login(client, token) == later


async def test_a_success_on_the_sign_in_page_starts_a_fresh_count(client, svc):
    """The success is recorded under the lower-cased name, however it was typed, so the
    failures before it no longer count towards a lock."""
    svc.clock.pin()
    for _ in range(4):
        await _generate(client, "admin", "wrong")
    assert (await _oauth_sign_in(client, "ADMIN", ADMIN_PASSWORD)).status_code == 302
    details = [(await _generate(client, "admin", "wrong"))["error"]["details"][0] for _ in range(5)]
    assert details == [tokens.BAD_CREDENTIALS] * 4 + [tokens.LOCKED]


def _lines(caplog):
    return [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "geoshare.signin"]


async def test_sign_in_log_lines(client, svc, caplog):
    caplog.set_level(logging.INFO, logger="geoshare.signin")
    svc.clock.pin()
    await _generate(client, "Admin", ADMIN_PASSWORD)
    await _oauth_sign_in(client, "admin", ADMIN_PASSWORD)
    for _ in range(5):
        await _generate(client, "admin", "wrong")
    await _generate(client, "admin", ADMIN_PASSWORD)
    failed = ("WARNING", f"sign-in failed for admin via generateToken from {IP}")
    assert _lines(caplog) == [
        ("INFO", f"sign-in succeeded for Admin via generateToken from {IP}"),
        ("INFO", f"sign-in succeeded for admin via oauth from {IP}"),
        *[failed] * 4,
        ("WARNING", f"sign-in failed for admin via generateToken from {IP} (now locked)"),
        ("WARNING", f"sign-in refused for admin via generateToken from {IP}: locked"),
    ]
    assert ADMIN_PASSWORD not in caplog.text and "wrong" not in caplog.text


async def test_log_lines_show_at_most_200_characters_of_a_name(svc, caplog):
    """Names are cut (and escaped) in the log however long the caller made them."""
    caplog.set_level(logging.INFO, logger="geoshare.signin")
    svc.clock.pin()
    name = "n" * 199 + "XYZ"
    shown = "n" * 199 + "X"
    request = tokens.TokenRequest("generate", 60)
    for _ in range(4):
        with pytest.raises(SignInFailed):
            await tokens.sign_in(svc, name, "wrong", request, channel="test", client_ip="192.0.2.1")
    lines = [message for _, message in _lines(caplog)]
    assert lines == [f"sign-in failed for {shown} via test from 192.0.2.1"] * 4
    caplog.clear()
    for _ in range(2):
        with pytest.raises(SignInFailed):
            await tokens.authenticate(svc, name, "wrong", channel="test", client_ip="192.0.2.1")
    assert [message for _, message in _lines(caplog)] == [
        f"sign-in failed for {shown} via test from 192.0.2.1 (now locked)",
        f"sign-in refused for {shown} via test from 192.0.2.1: locked"]


async def test_success_log_lines_cut_the_name_too(svc, caplog):
    from geoshare.domain import accounts

    caplog.set_level(logging.INFO, logger="geoshare.signin")
    name = "m" * 127 + "Q"  # the longest username there is; escaped, a control character takes four
    await accounts.create_user(svc, "0123456789ABCDEF", accounts.NewUser(name, "Member12345"))
    await tokens.authenticate(svc, name, "Member12345", channel="test", client_ip=None)
    await tokens.sign_in(svc, name, "Member12345", tokens.TokenRequest("generate", 60), channel="test",
                         client_ip="192.0.2.1")
    assert [message for _, message in _lines(caplog)] == [
        f"sign-in succeeded for {name} via test from None", f"sign-in succeeded for {name} via test from 192.0.2.1"]
    caplog.clear()
    odd = "\x01" * 60  # escaped to 240 characters, cut to 200
    with pytest.raises(SignInFailed):
        await tokens.authenticate(svc, odd, "wrong", channel="test", client_ip=None)
    escaped = "\\x01" * 50
    assert [message for _, message in _lines(caplog)] == [f"sign-in failed for {escaped} via test from None"]
