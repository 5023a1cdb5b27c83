"""The OAuth token endpoint, `POST oauth2/token` (sharing-api.md §2.4.3): a code, a refresh
token or a password in; an access token (and a refresh token) out.

Every token a grant hands out belongs to a *family*: all access and refresh tokens descended
from one authorization code (the family is the code's hash) or one password grant (a random
id).  A family is revoked whole when something shows that a copy of a secret is in other hands:
an authorization code presented a second time, or a refresh token presented after it was spent.

What the real clients do decides when a refresh token is spent.  Read in their code: the ArcGIS
API for Python 2.4.4 (`arcgis/auth/_auth/_pkce.py` `_refresh_token`, `_oauth.py`) and ArcGIS
REST JS 4.10.2 (`ArcGISIdentityManager.refreshWithRefreshToken`) send the refresh token they
first received on every `refresh_token` grant and ignore a new one in the answer; only
`exchange_refresh_token` replaces it (REST JS keeps the new one).  So `exchange_refresh_token`
always spends the old token, while `refresh_token` spends it (and answers a new one) only when
`oauth_rotate_refresh_tokens` is on; with the default off, those clients keep working.

Each grant runs in one transaction that decides and records everything (a spent token, a
revoked family, the new tokens) and returns an outcome; the error is raised after the commit,
so a refused request still leaves its revocations behind.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import Connection

from geoshare.domain import tokens
from geoshare.domain.oauth import BUILT_IN_CLIENTS, CODE_ACCESS_MINUTES, OAuthError
from geoshare.domain.services import Services, new_id
from geoshare.errors import SignInFailed
from geoshare.storage import tokens as token_store
from geoshare.storage import users as user_store
from geoshare.storage.records import OAuthCode, Token

log = logging.getLogger("geoshare.oauth")

REFRESH_DEFAULT_MINUTES = 20160
REFRESH_MAX_MINUTES = 129600
_EXPIRED = ("refresh_token expired", "invalid_request", 498)
_BAD_CODE = ("Invalid authorization code", "invalid_grant", 400)
OUTCOMES = {  # outcome of a grant's transaction -> (message, OAuth error, code)
    "expired": _EXPIRED, "reused": _EXPIRED, "client": ("Invalid client_id", "invalid_client", 400),
    "invalid": _BAD_CODE, "replayed": _BAD_CODE, "redirect_uri": ("Invalid redirect_uri", "invalid_grant", 400),
    "code_verifier": ("Invalid code_verifier", "invalid_grant", 400),
    "user": ("User is not allowed to sign in.", "invalid_grant", 400),
}


@dataclass(frozen=True)
class TokenCall:
    """One request to the token endpoint."""

    client_id: str
    params: dict[str, str | None]
    client_ip: str | None
    ssl: bool

    def param(self, name: str) -> str:
        return self.params.get(name) or ""


@dataclass(frozen=True)
class Grant:
    """What to hand out: an access token, and a refresh token ending at `refresh_until` if set."""

    user_id: str
    client_id: str
    family: str
    refresh_until: int | None = None


@dataclass(frozen=True)
class Minted:
    username: str
    access: str
    access_expires: int
    refresh: str | None = None
    refresh_expires: int = 0


Outcome = tuple[str, Minted | None]


async def token(svc: Services, grant_type: str, params: dict[str, str | None], client_ip: str | None,
                ssl: bool) -> dict[str, object]:
    """POST oauth2/token."""
    client_id = params.get("client_id") or ""  # pragma: no mutate - any text that is not a client's id
    if client_id not in BUILT_IN_CLIENTS:
        raise OAuthError("Invalid client_id", "invalid_client")
    handler = _GRANTS.get(grant_type)
    if handler is None:
        raise OAuthError("Invalid grant_type", "unsupported_grant_type")
    return await handler(svc, TokenCall(client_id, params, client_ip, ssl))


def _fail(outcome: str) -> OAuthError:
    message, oauth_error, code = OUTCOMES[outcome]
    return OAuthError(message, oauth_error, code=code)


def _reply(minted: Minted, now: int, ssl: bool) -> dict[str, object]:
    reply: dict[str, object] = {"access_token": minted.access, "expires_in": (minted.access_expires - now) // 1000,
                                "username": minted.username, "ssl": ssl, "token_type": "Bearer"}
    if minted.refresh is not None:
        reply["refresh_token"] = minted.refresh
        reply["refresh_token_expires_in"] = (minted.refresh_expires - now) // 1000
    return reply


def _mint(conn: Connection, grant: Grant, now: int) -> Outcome:
    user = user_store.user_by_id(conn, grant.user_id)
    if user is None or user.disabled:
        return "user", None
    access, record = tokens.new_record(user.id, "oauth", now + CODE_ACCESS_MINUTES * tokens.MINUTE, now,
                                       client_id=grant.client_id, family=grant.family)
    token_store.insert_token(conn, record)
    minted = Minted(user.username, access, record.expires)
    if grant.refresh_until is not None:
        refresh, record = tokens.new_record(user.id, "refresh", grant.refresh_until, now,
                                            client_id=grant.client_id, family=grant.family)
        token_store.insert_token(conn, record)
        minted = Minted(user.username, access, minted.access_expires, refresh, record.expires)
    return "ok", minted  # pragma: no mutate - with tokens minted, the state is never read


def _issued(outcome: Outcome, now: int, ssl: bool) -> dict[str, object]:
    state, minted = outcome
    if minted is None:
        raise _fail(state)
    return _reply(minted, now, ssl)


# ---------------------------------------------------------------- authorization code
def pkce_ok(code: OAuthCode, verifier: str, allow_plain: bool) -> bool:
    if not code.code_challenge:
        return True
    if not verifier:
        return False
    if code.code_challenge_method == "plain":
        return allow_plain and hmac.compare_digest(verifier, code.code_challenge)
    encoded = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    digest = encoded.rstrip(b"=").decode()  # pragma: no mutate - the last letter is never X (it holds 4 bits)
    return hmac.compare_digest(digest, code.code_challenge)


def _redeem_code(conn: Connection, code_hash: str, call: TokenCall, now: int, allow_plain: bool) -> Outcome:
    code = token_store.take_oauth_code(conn, code_hash)
    if code is None or code.used:
        # A code buys tokens once.  Seen again (even after its row was purged: the family is
        # the code's hash), it has leaked, and whatever it bought is revoked.
        return ("replayed" if token_store.revoke_family(conn, code_hash) or code else "invalid"), None
    if code.expires <= now or code.client_id != call.client_id:
        return "invalid", None
    if call.param("redirect_uri") != code.redirect_uri:
        return "redirect_uri", None
    if not pkce_ok(code, call.param("code_verifier"), allow_plain):
        return "code_verifier", None
    refresh_until = now + code.refresh_minutes * tokens.MINUTE
    return _mint(conn, Grant(code.user_id, call.client_id, code_hash, refresh_until), now)


async def _authorization_code(svc: Services, call: TokenCall) -> dict[str, object]:
    if not call.param("code"):
        raise _fail("invalid")
    now = svc.clock.now_ms()
    outcome = await svc.db.write(_redeem_code, tokens.hash_token(call.param("code")), call, now,
                                 svc.settings.oauth_allow_plain_pkce)
    if outcome[0] == "replayed":
        log.warning("authorization code presented again by %s: the tokens it bought are revoked", call.client_ip)
    return _issued(outcome, now, call.ssl)


# ---------------------------------------------------------------- refresh tokens
RefreshLife = Callable[[Token, int], "int | None"]  # (presented token, now) -> end of a new refresh token


def _no_new_refresh(old: Token, now: int) -> int | None:
    return None


def _same_end(old: Token, now: int) -> int | None:
    return old.expires  # rotation swaps the token, it does not lengthen the session


def _redeem_refresh(conn: Connection, token_hash: str, client_id: str, now: int, spend: bool,
                    refresh_life: RefreshLife | None) -> Outcome:
    """Use a refresh token: `spend` it (revoke it, once) or not, then mint from it unless
    `refresh_life` is None (suspend_session)."""
    old = token_store.token_by_hash(conn, token_hash)
    if old is None or old.kind != "refresh" or old.expires <= now:
        return "expired", None
    family = old.family or old.token_hash  # tokens from before families start one
    if old.revoked:
        token_store.revoke_family(conn, family)  # a spent token came back: someone holds a copy
        return "reused", None
    if old.client_id != client_id:
        return "client", None
    if spend and not token_store.claim_token(conn, token_hash):
        token_store.revoke_family(conn, family)  # spent by a concurrent request a moment ago
        return "reused", None
    if refresh_life is None:
        return "ok", None
    return _mint(conn, Grant(old.user_id, client_id, family, refresh_life(old, now)), now)


async def _use_refresh(svc: Services, call: TokenCall, *, spend: bool,
                       refresh_life: RefreshLife | None) -> tuple[Outcome, int]:
    now = svc.clock.now_ms()
    outcome = await svc.db.write(_redeem_refresh, tokens.hash_token(call.param("refresh_token")), call.client_id,
                                 now, spend, refresh_life)
    if outcome[0] == "reused":
        log.warning("spent refresh token presented again by %s: its family is revoked", call.client_ip)
    return outcome, now


async def _refresh_token(svc: Services, call: TokenCall) -> dict[str, object]:
    rotate = svc.settings.oauth_rotate_refresh_tokens
    outcome, now = await _use_refresh(svc, call, spend=rotate, refresh_life=_same_end if rotate else _no_new_refresh)
    return _issued(outcome, now, call.ssl)


async def _exchange_refresh_token(svc: Services, call: TokenCall) -> dict[str, object]:
    minutes = tokens.clamp_minutes(_int(call.params.get("expiration")), REFRESH_DEFAULT_MINUTES, REFRESH_MAX_MINUTES)

    def new_life(old: Token, now: int) -> int:
        return now + minutes * tokens.MINUTE

    outcome, now = await _use_refresh(svc, call, spend=True, refresh_life=new_life)
    return _issued(outcome, now, call.ssl)


async def _suspend_session(svc: Services, call: TokenCall) -> dict[str, object]:
    (state, _), _ = await _use_refresh(svc, call, spend=True, refresh_life=None)
    if state != "ok":
        raise _fail(state)
    return {"success": True}


# ---------------------------------------------------------------- password and the rest
async def _password(svc: Services, call: TokenCall) -> dict[str, object]:
    minutes = tokens.clamp_minutes(_int(call.params.get("expiration")), REFRESH_DEFAULT_MINUTES, REFRESH_MAX_MINUTES)
    try:
        user = await tokens.authenticate(svc, call.param("username"), call.param("password"),
                                         channel="oauth-password", client_ip=call.client_ip)
    except SignInFailed as exc:
        raise OAuthError(exc.reason, "invalid_grant") from None
    now = svc.clock.now_ms()
    grant = Grant(user.id, call.client_id, new_id(), now + minutes * tokens.MINUTE)
    return _issued(await svc.db.write(_mint, grant, now), now, call.ssl)


async def _client_credentials(svc: Services, call: TokenCall) -> dict[str, object]:
    raise OAuthError("Invalid client_id or client_secret", "invalid_client")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise OAuthError("Invalid expiration", "invalid_request") from None


_GRANTS: dict[str, Callable[[Services, TokenCall], Awaitable[dict[str, object]]]] = {
    "authorization_code": _authorization_code, "refresh_token": _refresh_token,
    "exchange_refresh_token": _exchange_refresh_token, "suspend_session": _suspend_session,
    "password": _password, "client_credentials": _client_credentials,
}
