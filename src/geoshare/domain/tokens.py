"""Tokens: sign-in with a password, issuing, validating, revoking.

Implements generateToken for the portal (sharing-api.md §2.3) and for the server site
(server-admin-api.md §2), and the account lockout both share.  A token is an opaque random
string; only its SHA-256 is stored, with its owner, expiry and client binding.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from geoshare.domain import security_policy
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_secret
from geoshare.errors import InvalidParameter, InvalidToken, SignInFailed
from geoshare.logsafe import printable
from geoshare.storage import orgs as org_store
from geoshare.storage import tokens as token_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Org, Token, User

log = logging.getLogger("geoshare.signin")

MINUTE = 60_000
BAD_CREDENTIALS = "Invalid username or password."
LOCKED = "Too many invalid attempts. Please try again later."
DISABLED = "This account has been disabled."
BUSY = "The server is busy checking other sign-ins. Please try again shortly."
MAX_PENDING_CHECKS = 64


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Binding:
    """What a token is tied to: nothing, a referer prefix, or a client IP address."""

    type: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires: int
    user: User


def binding_for(client: str | None, referer: str | None, ip: str | None, request_ip: str | None) -> Binding:
    """Work out the binding from generateToken's `client`, `referer` and `ip` parameters."""
    client = (client or "").strip().lower()
    if client == "referrer":
        client = "referer"
    if not client:
        client = "referer" if referer else ("ip" if ip else "requestip")
    if client == "referer":
        if not referer:
            raise InvalidParameter("Unable to generate token.", ["'referer' must be specified."])
        return Binding("referer", referer.strip())
    if client == "ip":
        if not ip:
            raise InvalidParameter("Unable to generate token.", ["'ip' must be specified."])
        try:
            return Binding("ip", str(ipaddress.ip_address(ip.strip())))
        except ValueError:
            raise InvalidParameter("Unable to generate token.", ["'ip' is not a valid IP address."]) from None
    if client == "requestip":
        return Binding("ip", request_ip) if request_ip else Binding()
    raise InvalidParameter("Unable to generate token.", ["'client' must be referer, ip or requestip."])


def clamp_minutes(asked: int | None, default: int, maximum: int) -> int:
    """Token life in minutes: empty, zero or negative means the default; too long is clamped."""
    if asked is None or asked <= 0:
        return default
    return min(asked, maximum)


@dataclass(frozen=True)
class TokenRequest:
    """What to issue once the password checks out."""

    kind: str
    minutes: int
    binding: Binding = Binding()
    client_id: str | None = None


KEY_LENGTH = 128  # the sign-in records' username column; no account name is longer


def username_key(username: str) -> str:
    """The key failures and locks are kept under: the name in lower case.  A name longer than
    any account's is shortened to a key no account can have (`~` is not allowed in usernames),
    so it fits the records and is still counted and locked like any other name."""
    key = username.lower()
    if len(key) <= KEY_LENGTH:
        return key
    return key[: KEY_LENGTH - 17] + "~" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


async def authenticate(svc: Services, username: str, password: str, *, channel: str, client_ip: str | None) -> User:
    """Check a username and password, with lockout; records every attempt (never the password)."""
    _require_credentials(username, password)
    async with _admitted(svc, client_ip), _account_lock(svc, username):
        user = await _verified_user(svc, username, password, channel, client_ip)
        await svc.db.write(_succeed, username_key(username), user.id, svc.clock.now_ms(), channel, client_ip)
    log.info("sign-in succeeded for %s via %s from %s", _shown(username), channel, client_ip)
    return user


async def sign_in(svc: Services, username: str, password: str, request: TokenRequest, *, channel: str,
                  client_ip: str | None, allow: Callable[[User], Awaitable[None]] | None = None) -> IssuedToken:
    """generateToken: check the password, then record the success and store the token in one write."""
    _require_credentials(username, password)
    async with _admitted(svc, client_ip), _account_lock(svc, username):
        user = await _verified_user(svc, username, password, channel, client_ip)
        if allow is not None:
            await allow(user)
        now = svc.clock.now_ms()
        token, record = new_record(user.id, request.kind, now + request.minutes * MINUTE, now,
                                   client_id=request.client_id, binding=request.binding)
        await svc.db.write(_succeed_and_store, username_key(username), user.id, now, channel, client_ip, record)
    log.info("sign-in succeeded for %s via %s from %s", _shown(username), channel, client_ip)
    return IssuedToken(token=token, expires=record.expires, user=user)


def _shown(username: str) -> str:
    """A typed username as a log line shows it: escaped, and cut however long it was sent."""
    return printable(username, 200)


def _require_credentials(username: str, password: str) -> None:
    if not username or not password:
        missing = [f"'{n}' must be specified." for n, v in (("username", username), ("password", password)) if not v]
        raise InvalidParameter("Unable to generate token.", missing)


@contextlib.asynccontextmanager
async def _admitted(svc: Services, client_ip: str | None) -> AsyncIterator[None]:
    """Shed load per client address first, so that one address (or one address's many throwaway
    usernames) cannot fill the shared queue of password checks; the shared cap stays behind it
    for many addresses at once.  Either refusal is "busy", never a verdict on the password."""
    source = client_ip or ""
    if not svc.hasher.admit(source, svc.settings.sign_in_per_address):
        log.warning("sign-in refused for %s: %d sign-ins of that address in progress", client_ip,
                    svc.hasher.in_progress(source))
        raise SignInFailed(BUSY)
    try:
        if not password_checks_allowed(svc):
            raise SignInFailed(BUSY)
        yield
    finally:
        svc.hasher.release(source)


@contextlib.asynccontextmanager
async def _account_lock(svc: Services, username: str) -> AsyncIterator[None]:
    """Sign-ins for one username run one at a time on this node, so concurrent guesses cannot
    all be checked before the failures that lock it are recorded."""
    key = username_key(username)
    entry = svc.sign_in_locks.get(key)
    if entry is None:
        entry = svc.sign_in_locks[key] = [asyncio.Lock(), 0]
    entry[1] += 1  # callers holding or waiting: the lock is dropped when none are left
    try:
        async with entry[0]:
            yield
    finally:
        entry[1] -= 1
        if entry[1] == 0:
            svc.sign_in_locks.pop(key, None)


def password_checks_allowed(svc: Services) -> bool:
    return svc.hasher.pending < MAX_PENDING_CHECKS


def _account_state(conn: Connection, username: str) -> tuple[User | None, int, Org | None]:
    user = user_store.user_by_username(conn, username)
    org = org_store.org_by_id(conn, user.org_id) if user is not None else None
    return user, token_store.locked_until(conn, username_key(username)), org


async def _verified_user(svc: Services, username: str, password: str, channel: str, client_ip: str | None) -> User:
    """The user, if the password is right and the name not locked.  An unknown name, a wrong
    password and a locked name cost the same (one read, one password check, one write) and
    answer the same: unknown names are counted and locked exactly as accounts are."""
    key = username_key(username)
    now = svc.clock.now_ms()
    user, locked_until, org = await svc.db.read(_account_state, username)
    # The account's organization's lockout rules (securityPolicy); a name nobody has gets the server's.
    lockout = security_policy.lockout_policy(org, svc.settings)
    user_id = user.id if user else None
    # Checked even when locked or unknown, and before either is looked at, so the time an
    # answer takes does not tell them apart.
    ok = await svc.hasher.verify(user.password_hash if user else None, password)
    if locked_until > now:
        await svc.db.write(_record, key, user_id, now, False, channel, client_ip, "locked")
        log.warning("sign-in refused for %s via %s from %s: locked", _shown(username), channel, client_ip)
        raise SignInFailed(LOCKED)
    if not ok:
        locked = await svc.db.write(_fail, key, user_id, now, channel, client_ip, lockout["attempts"],
                                    lockout["lockoutMinutes"] * MINUTE)
        log.warning("sign-in failed for %s via %s from %s%s", _shown(username), channel, client_ip,
                    " (now locked)" if locked else "")
        raise SignInFailed(LOCKED if locked else BAD_CREDENTIALS)
    assert user is not None
    if user.disabled:  # told only to whoever knows the password
        await svc.db.write(_record, key, user.id, now, False, channel, client_ip, "disabled")
        raise SignInFailed(DISABLED)
    return user


def _record(conn: Connection, key: str, user_id: str | None, now: int, success: bool, channel: str,
            client_ip: str | None, reason: str | None) -> None:
    token_store.record_sign_in(conn, username_key=key, user_id=user_id, at=now, success=success, channel=channel,
                               client_ip=client_ip, reason=reason)


def _fail(conn: Connection, key: str, user_id: str | None, now: int, channel: str, client_ip: str | None,
          attempts: int, window: int) -> bool:
    """Record a wrong password; lock the name (account or not) when it is the `attempts`-th
    within `window`.  The lock lasts `window` too."""
    _record(conn, key, user_id, now, False, channel, client_ip, token_store.BAD_CREDENTIALS)
    if token_store.recent_failures(conn, key, now - window) >= attempts:
        token_store.set_locked_until(conn, key, now + window)
        return True
    return False


def _succeed(conn: Connection, key: str, user_id: str, now: int, channel: str, client_ip: str | None) -> None:
    _record(conn, key, user_id, now, True, channel, client_ip, None)
    user_store.update_user(conn, user_id, last_login=now)


def _succeed_and_store(conn: Connection, key: str, user_id: str, now: int, channel: str, client_ip: str | None,
                       record: Token) -> None:
    _succeed(conn, key, user_id, now, channel, client_ip)
    token_store.insert_token(conn, record)


def new_record(user_id: str, kind: str, expires: int, now: int, *, client_id: str | None = None,
               binding: Binding = Binding(), family: str | None = None) -> tuple[str, Token]:
    """A new opaque token and the record to store for it (which holds only its hash)."""
    token = new_secret()
    return token, Token(token_hash=hash_token(token), kind=kind, user_id=user_id, client_id=client_id,
                        bind_type=binding.type, bind_value=binding.value, created=now, expires=expires,
                        revoked=False, family=family)


async def issue(svc: Services, user: User, *, kind: str, minutes: int, binding: Binding = Binding(),
                client_id: str | None = None) -> IssuedToken:
    now = svc.clock.now_ms()
    token, record = new_record(user.id, kind, now + minutes * MINUTE, now, client_id=client_id, binding=binding)
    await svc.db.write(token_store.insert_token, record)
    return IssuedToken(token=token, expires=record.expires, user=user)


async def validate(svc: Services, token: str, *, referer: str | None, client_ip: str | None,
                   kinds: tuple[str, ...] = ("generate", "server", "oauth")) -> Principal:
    """The principal a presented token stands for, or InvalidToken (never anonymous)."""
    if not token or len(token) > 2048:
        raise InvalidToken()
    token_hash = hash_token(token)
    key = ("token", token_hash)  # pragma: no mutate - a cache key: any value unlike the other keys does
    loaded = await svc.db.read_cached(key, token_store.token_with_owner, token_hash)
    if loaded is None:
        raise InvalidToken()
    record, user, org, role_privileges = loaded
    now = svc.clock.now_ms()
    if record.revoked or record.expires <= now or record.kind not in kinds or user.disabled:
        raise InvalidToken()
    bound = record.bind_value or ""  # pragma: no mutate - set whenever bind_type is; "" only satisfies the type
    if record.bind_type == "referer" and not _referer_ok(bound, referer, svc.settings.strict_referer):
        raise InvalidToken()
    if record.bind_type == "ip" and not _ip_ok(bound, client_ip):
        raise InvalidToken()
    return Principal(user=user, org=org, token=record, role_privileges=role_privileges)


def _referer_ok(bound: str, referer: str | None, strict: bool) -> bool:
    if referer is None or referer == "":
        return not strict  # the help's scripts send no Referer after asking for a referer token (errata)
    if referer == bound:
        return True
    if not referer.startswith(bound):
        return False
    # A prefix counts only at a boundary: "https://app.example.com" must not admit
    # "https://app.example.com.evil.net".  A bare scheme ("http", what the Python client
    # binds) admits the URLs of that scheme.
    if bound.endswith(("/", "?", "#")):
        return True
    following = referer[len(bound)]
    return following in "/?#" or (following == ":" and "://" not in bound)


def _ip_ok(bound: str, client_ip: str | None) -> bool:
    if not client_ip:
        return False
    try:
        return ipaddress.ip_address(bound) == ipaddress.ip_address(client_ip)
    except ValueError:
        return False


async def revoke(svc: Services, token: str) -> bool:
    """Revoke a token; revoking an OAuth refresh token also revokes the access tokens of its
    grant (RFC 7009 §2.1)."""
    return await svc.db.write(_revoke, hash_token(token))


def _revoke(conn: Connection, token_hash: str) -> bool:
    record = token_store.token_by_hash(conn, token_hash)
    if record is not None and record.kind == "refresh" and record.family:
        token_store.revoke_family(conn, record.family)
    return token_store.revoke_token(conn, token_hash)


async def revoke_all(svc: Services, user_id: str) -> int:
    return await svc.db.write(token_store.revoke_user_tokens, user_id)
