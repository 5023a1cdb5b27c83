"""Sign-in lockout and load shedding: boundaries on both sides (pinned clock), unknown names
answered and timed like accounts, one address unable to crowd out another."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable

import httpx
from sqlalchemy import text

from geoshare.domain import accounts, tokens
from geoshare.domain.passwords import PasswordHasher
from tests.conftest import ADMIN_PASSWORD, SHARING, count_rows

GEN = f"{SHARING}/generateToken"
MINUTE = 60_000
BAD = "Invalid username or password."
LOCKED = "Too many invalid attempts. Please try again later."


async def _sign_in(http: httpx.AsyncClient, username: str, password: str) -> dict:
    return (await http.post(GEN, data={"username": username, "password": password, "f": "json"})).json()


def _detail(reply: dict) -> str:
    return reply["error"]["details"][0] if "error" in reply else "token"


def _client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")


async def _until(condition: Callable[[], bool], seconds: float = 10) -> None:
    """Wait for something other tasks (or the hasher's thread) bring about."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.001)


async def test_the_fifth_failure_locks_the_fourth_does_not(client, svc):
    svc.clock.pin()
    assert [_detail(await _sign_in(client, "admin", "wrong")) for _ in range(4)] == [BAD] * 4
    assert _detail(await _sign_in(client, "admin", ADMIN_PASSWORD)) == "token"  # four failures do not lock
    assert [_detail(await _sign_in(client, "admin", "wrong")) for _ in range(5)] == [BAD] * 4 + [LOCKED]
    assert _detail(await _sign_in(client, "admin", ADMIN_PASSWORD)) == LOCKED  # even the right password


async def test_the_lock_holds_until_exactly_its_end(client, svc):
    started = svc.clock.pin()
    for _ in range(5):
        await _sign_in(client, "admin", "wrong")
    svc.clock.pin(started + 15 * MINUTE - 1)
    assert _detail(await _sign_in(client, "admin", ADMIN_PASSWORD)) == LOCKED
    svc.clock.pin(started + 15 * MINUTE)
    assert _detail(await _sign_in(client, "admin", ADMIN_PASSWORD)) == "token"


async def test_failures_count_within_the_window_only(client, svc):
    started = svc.clock.pin()
    for _ in range(4):
        await _sign_in(client, "admin", "wrong")
    svc.clock.pin(started + 15 * MINUTE + 1)  # the first four are now out of the window
    assert _detail(await _sign_in(client, "admin", "wrong")) == BAD
    assert _detail(await _sign_in(client, "admin", ADMIN_PASSWORD)) == "token"
    started = svc.clock.pin()
    for _ in range(4):
        await _sign_in(client, "admin", "wrong")
    svc.clock.pin(started + 15 * MINUTE)  # still within it, at its very edge
    assert _detail(await _sign_in(client, "admin", "wrong")) == LOCKED


async def test_a_lock_that_ended_leaves_a_fresh_count(client, svc):
    started = svc.clock.pin()
    for _ in range(5):
        await _sign_in(client, "admin", "wrong")
    svc.clock.pin(started + 15 * MINUTE)
    assert [_detail(await _sign_in(client, "admin", "wrong")) for _ in range(5)] == [BAD] * 4 + [LOCKED]


async def test_unknown_wrong_and_locked_answer_alike(client, svc):
    """An unknown name goes through the same states as an account, at the same attempts."""
    await accounts.create_user(svc, "0123456789ABCDEF", accounts.NewUser("member", "Member12345"))
    for attempt in range(7):
        account = await _sign_in(client, "member", "wrong")
        unknown = await _sign_in(client, "nobody-here", "wrong")
        assert account == unknown, attempt
    locked_right = await _sign_in(client, "member", "Member12345")
    assert locked_right == await _sign_in(client, "nobody-here", "Member12345")
    assert locked_right == {"error": {"code": 400, "message": "Unable to generate token.", "details": [LOCKED]}}


async def test_oauth_password_grant_answers_alike(client, svc):
    async def grant(username):
        return (await client.post(f"{SHARING}/oauth2/token", data={
            "grant_type": "password", "client_id": "pythonapi", "username": username, "password": "wrong"})).json()

    for _ in range(6):
        assert await grant("admin") == await grant("someone-else")


async def test_every_answer_costs_one_password_check(client, svc):
    """Locked names and unknown names run the password hash like any other attempt, so the
    time an answer takes does not tell them apart."""
    seen = []
    for username, password in [("admin", ADMIN_PASSWORD), ("admin", "wrong"), ("ghost", "wrong")] + \
            [("admin", "wrong")] * 4 + [("admin", ADMIN_PASSWORD), ("admin", "wrong"), ("ghost", ADMIN_PASSWORD)]:
        before = svc.hasher.checks
        seen.append(_detail(await _sign_in(client, username, password)))
        assert svc.hasher.checks == before + 1, (username, seen)
    assert seen[-4:] == [LOCKED, LOCKED, LOCKED, BAD]  # admin locked (twice asked); ghost still has tries


async def test_disabled_account_is_told_only_with_the_right_password(client, svc):
    from geoshare.storage import users as user_store

    user = await accounts.create_user(svc, "0123456789ABCDEF", accounts.NewUser("gone", "Gone123456"))
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, disabled=True))
    assert _detail(await _sign_in(client, "gone", "wrong")) == BAD
    assert _detail(await _sign_in(client, "gone", "Gone123456")) == "This account has been disabled."


async def test_lockouts_are_recorded_and_set_password_lifts_them(client, svc):
    for _ in range(6):
        await _sign_in(client, "admin", "wrong")
    rows = await svc.db.read(lambda c: [r[0] for r in c.execute(text("SELECT reason FROM sign_ins ORDER BY id"))])
    assert rows == ["bad-credentials"] * 5 + ["locked"]
    await accounts.set_password(svc, "admin", "Changed12345")
    assert _detail(await _sign_in(client, "admin", "Changed12345")) == "token"
    # ... and the failures before it are forgotten: four more do not lock again.
    assert [_detail(await _sign_in(client, "admin", "wrong")) for _ in range(4)] == [BAD] * 4


async def test_concurrent_guesses_cannot_outrun_the_lockout(app, svc):
    """Guesses from many addresses at once (so no per-address shedding) still stop at five."""
    clients = [_client_at(app, f"192.0.2.{i}") for i in range(13)]
    passwords = ["wrong"] * 12 + [ADMIN_PASSWORD]
    try:
        replies = await asyncio.gather(*[_sign_in(c, "admin", p) for c, p in zip(clients, passwords, strict=True)])
    finally:
        for c in clients:
            await c.aclose()
    details = [_detail(r) for r in replies]
    assert "token" not in details
    assert details.count(BAD) == 4 and details[-1] == LOCKED
    assert svc.sign_in_locks == {}
    rows = await svc.db.read(lambda c: [r[0] for r in c.execute(text("SELECT reason FROM sign_ins ORDER BY id"))])
    assert rows.count("bad-credentials") == 5 and rows.count("locked") == 8


async def test_sign_ins_are_refused_when_too_many_checks_wait(client, svc, monkeypatch):
    monkeypatch.setattr(tokens, "MAX_PENDING_CHECKS", 0)
    reply = await _sign_in(client, "admin", ADMIN_PASSWORD)
    assert reply["error"]["details"] == [tokens.BUSY]
    assert await count_rows(svc, "sign_ins") == 0


class GatedHasher(PasswordHasher):
    """The real hasher, holding every check until the test opens the gate: a stand-in for a
    slow machine that makes "in progress at once" deterministic."""

    def __init__(self) -> None:
        super().__init__(1, 1024)
        self.gate = threading.Event()

    def _verify(self, stored: str | None, password: str) -> bool:
        self.gate.wait(30)
        return super()._verify(stored, password)


def _gate(svc) -> GatedHasher:
    svc.hasher.close()
    svc.hasher = GatedHasher()
    return svc.hasher


async def test_one_address_cannot_crowd_out_another(app, svc, monkeypatch):
    """One address firing sign-ins for throwaway names gets `sign_in_per_address` (8) checks
    in progress and "busy" beyond them; a real user elsewhere still gets through."""
    monkeypatch.setattr(tokens, "MAX_PENDING_CHECKS", 10)
    gated = _gate(svc)
    async with _client_at(app, "203.0.113.66") as attacker, _client_at(app, "198.51.100.7") as user:
        flood = [asyncio.create_task(_sign_in(attacker, f"throwaway{i}", "guess")) for i in range(20)]
        try:
            await _until(lambda: sum(t.done() for t in flood) + gated.pending == len(flood))
            real = asyncio.create_task(_sign_in(user, "admin", ADMIN_PASSWORD))
            await _until(lambda: real.done() or gated.pending == 9)
        finally:
            gated.gate.set()
        assert _detail(await real) == "token"
        replies = await asyncio.gather(*flood)
    assert Counter(_detail(r) for r in replies) == {tokens.BUSY: 12, BAD: 8}


async def test_a_saturated_address_is_busy_without_a_password_check(app, svc):
    gated = _gate(svc)
    async with _client_at(app, "203.0.113.66") as attacker:
        flood = [asyncio.create_task(_sign_in(attacker, f"name{i}", "guess")) for i in range(8)]
        try:
            await _until(lambda: gated.pending == 8)
            shed = await asyncio.wait_for(_sign_in(attacker, "admin", ADMIN_PASSWORD), 10)
            assert shed["error"]["details"] == [tokens.BUSY]
            assert gated.checks == 8
        finally:
            gated.gate.set()
        await asyncio.gather(*flood)
    async with _client_at(app, "203.0.113.66") as attacker:  # and once they finish, it may sign in again
        assert _detail(await _sign_in(attacker, "admin", ADMIN_PASSWORD)) == "token"


async def test_every_sign_in_channel_counts_against_its_address(app, svc):
    """The OAuth grant and the sign-in pages share an address's allowance with generateToken."""
    gated = _gate(svc)
    async with _client_at(app, "203.0.113.66") as attacker:
        flood = [asyncio.create_task(_sign_in(attacker, f"name{i}", "guess")) for i in range(8)]
        try:
            await _until(lambda: gated.pending == 8)
            grant = await asyncio.wait_for(attacker.post(f"{SHARING}/oauth2/token", data={
                "grant_type": "password", "client_id": "pythonapi", "username": "admin",
                "password": ADMIN_PASSWORD}), 5)
            assert grant.json()["error"]["message"] == tokens.BUSY
            page = await asyncio.wait_for(attacker.post("/-/login", data={
                "username": "admin", "password": ADMIN_PASSWORD, "next": "/"}, headers={"Origin": "http://testserver"}), 5)
            assert page.status_code == 200 and tokens.BUSY in page.text
            assert gated.checks == 8
        finally:
            gated.gate.set()
        await asyncio.gather(*flood)


async def test_a_name_longer_than_any_account_is_refused_and_locked_like_others(client, svc):
    name = "n" * 300
    key = tokens.username_key(name)
    assert len(key) == 128 and "~" in key and key == tokens.username_key(name.upper())
    assert tokens.username_key("a" * 128) == "a" * 128
    for attempt in range(6):
        reply = await client.post("/-/login", data={"username": name, "password": "Wrong12345"},
                                  headers={"Sec-Fetch-Site": "same-origin"})
        expected = "Too many invalid attempts." if attempt >= 4 else "Invalid username or password."
        assert reply.status_code == 200 and expected in reply.text, (attempt, reply.text[:200])
