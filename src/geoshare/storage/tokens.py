"""Tokens, sign-in records, OAuth sessions and codes."""

from __future__ import annotations

import json

from sqlalchemy import Connection, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from geoshare.storage.records import OAuthCode, OAuthSession, Org, Token, User
from geoshare.storage.tables import (
    lockouts,
    oauth_codes,
    oauth_sessions,
    orgs,
    roles,
    sign_ins,
    tokens,
    users,
)

SIGN_IN_RECORD_DAYS = 90  # how long sign-in records are kept
BAD_CREDENTIALS = "bad-credentials"  # the reason recorded for a wrong password or unknown username


def token_by_hash(conn: Connection, token_hash: str) -> Token | None:
    row = conn.execute(select(tokens).where(tokens.c.token_hash == token_hash)).mappings().first()
    return Token.from_row(row) if row else None


def insert_token(conn: Connection, token: Token) -> None:
    conn.execute(insert(tokens).values(**token.__dict__))


def revoke_token(conn: Connection, token_hash: str) -> bool:
    result = conn.execute(update(tokens).where(tokens.c.token_hash == token_hash).values(revoked=True))
    return bool(result.rowcount)


def claim_token(conn: Connection, token_hash: str) -> bool:
    """Revoke a token that is not revoked yet; False when it already was.  Of two transactions
    that spend one refresh token at once, exactly one gets True (PostgreSQL re-checks the
    condition after the other commits; SQLite has one writer)."""
    result = conn.execute(update(tokens).where(tokens.c.token_hash == token_hash, tokens.c.revoked.is_(False))
                          .values(revoked=True))
    return result.rowcount == 1


def revoke_family(conn: Connection, family: str) -> int:
    result = conn.execute(update(tokens).where(tokens.c.family == family, tokens.c.revoked.is_(False))
                          .values(revoked=True))
    return int(result.rowcount or 0)


def revoke_user_tokens(conn: Connection, user_id: str) -> int:
    result = conn.execute(update(tokens).where(tokens.c.user_id == user_id).values(revoked=True))
    return int(result.rowcount or 0)


def purge_expired_tokens(conn: Connection, now: int) -> int:
    result = conn.execute(delete(tokens).where(tokens.c.expires < now))
    conn.execute(delete(oauth_sessions).where(oauth_sessions.c.expires < now))
    conn.execute(delete(oauth_codes).where(oauth_codes.c.expires < now))
    conn.execute(delete(sign_ins).where(sign_ins.c.at < now - SIGN_IN_RECORD_DAYS * 86_400_000))
    # A lock that ended this long ago no longer bounds the failure count.
    conn.execute(delete(lockouts).where(lockouts.c.locked_until < now - SIGN_IN_RECORD_DAYS * 86_400_000))
    return int(result.rowcount or 0)


def record_sign_in(conn: Connection, *, username_key: str, user_id: str | None, at: int, success: bool,
                   channel: str, client_ip: str | None, reason: str | None) -> None:
    conn.execute(insert(sign_ins).values(username_key=username_key, user_id=user_id, at=at, success=success,
                                         channel=channel, client_ip=client_ip, reason=reason))


def recent_failures(conn: Connection, username_key: str, since: int) -> int:
    """Wrong passwords given since `since`, not counting those before the latest success (by
    record order, so even one in the same millisecond) or before the end of the latest lock."""
    last_ok = conn.execute(
        select(func.max(sign_ins.c.id)).where(sign_ins.c.username_key == username_key, sign_ins.c.success.is_(True))
    ).scalar_one()
    query = select(func.count()).select_from(sign_ins).where(
        sign_ins.c.username_key == username_key, sign_ins.c.id > (last_ok or 0), sign_ins.c.reason == BAD_CREDENTIALS,
        sign_ins.c.at >= max(since, locked_until(conn, username_key)))
    return int(conn.execute(query).scalar_one())


def sign_ins_of(conn: Connection, username_key: str, limit: int = 50) -> list[dict[str, object]]:
    rows = conn.execute(select(sign_ins).where(sign_ins.c.username_key == username_key)
                        .order_by(sign_ins.c.id.desc()).limit(limit)).mappings()
    return [dict(r) for r in rows]


def locked_until(conn: Connection, username_key: str) -> int:
    """When the lock of a username ends (or ended); 0 when it was never locked."""
    until = conn.execute(select(lockouts.c.locked_until).where(lockouts.c.username_key == username_key)).scalar()
    return int(until or 0)


def set_locked_until(conn: Connection, username_key: str, until: int) -> None:
    """Lock a username until `until`, or lift its lock by passing the current time."""
    dialect_insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = dialect_insert(lockouts).values(username_key=username_key, locked_until=until)
    # An upsert, because two nodes may lock the same name at once.
    conn.execute(statement.on_conflict_do_update(index_elements=[lockouts.c.username_key],
                                                 set_={"locked_until": until}))


def insert_oauth_session(conn: Connection, session: OAuthSession) -> None:
    conn.execute(insert(oauth_sessions).values(**session.__dict__))


def oauth_session_by_hash(conn: Connection, state_hash: str) -> OAuthSession | None:
    row = conn.execute(select(oauth_sessions).where(oauth_sessions.c.state_hash == state_hash)).mappings().first()
    return OAuthSession.from_row(row) if row else None


def delete_oauth_session(conn: Connection, state_hash: str) -> None:
    conn.execute(delete(oauth_sessions).where(oauth_sessions.c.state_hash == state_hash))


def insert_oauth_code(conn: Connection, code: OAuthCode) -> None:
    conn.execute(insert(oauth_codes).values(**code.__dict__))


def take_oauth_code(conn: Connection, code_hash: str) -> OAuthCode | None:
    """Mark a code used and return it; a code can be taken once."""
    row = conn.execute(select(oauth_codes).where(oauth_codes.c.code_hash == code_hash)).mappings().first()
    if row is None:
        return None
    code = OAuthCode.from_row(row)
    if code.used:
        return code
    conn.execute(update(oauth_codes).where(oauth_codes.c.code_hash == code_hash).values(used=True))
    return code


_OWNER_TABLES = (tokens, users, orgs)
_OWNER_QUERY = (
    select(*[c for table in _OWNER_TABLES for c in table.c], roles.c.privileges)
    .select_from(tokens.join(users, users.c.id == tokens.c.user_id).join(orgs, orgs.c.id == users.c.org_id)
                 .outerjoin(roles, roles.c.id == users.c.role_id))
    .where(tokens.c.token_hash == bindparam("token_hash"))
)
_OWNER_SLICES = []
_start = 0
for _table in _OWNER_TABLES:
    _names = [c.name for c in _table.c]
    _OWNER_SLICES.append((_start, _start + len(_names), _names))
    _start += len(_names)


def token_with_owner(conn: Connection, token_hash: str) -> tuple[Token, User, Org, tuple[str, ...] | None] | None:
    """One round trip for every authenticated request: the token, its user, their organization
    and, when the user holds a custom role, that role's privileges.

    The statement is built once; the row is cut apart by position (both measured: building
    the select and matching labels per request cost more than the query itself)."""
    row = conn.execute(_OWNER_QUERY, {"token_hash": token_hash}).first()
    if row is None:
        return None
    token_part, user_part, org_part = (dict(zip(names, row[a:b], strict=True)) for a, b, names in _OWNER_SLICES)
    role_privileges = tuple(json.loads(row[-1])) if row[-1] is not None else None
    return (Token.from_row(token_part), User.from_row(user_part), Org.from_row(org_part),  # type: ignore[arg-type]
            role_privileges)
