"""Users table access, with the rows that hang off a user: password history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, func, insert, or_, select, update

from geoshare.storage import json_text
from geoshare.storage.records import User
from geoshare.storage.tables import password_history, tokens, users

_JSON_COLUMNS = ("tags", "categories")  # stored as JSON arrays
PASSWORD_HISTORY_KEPT = 24  # the largest historySize a security policy may ask for


def user_by_id(conn: Connection, user_id: str) -> User | None:
    row = conn.execute(select(users).where(users.c.id == user_id.lower())).mappings().first()
    return User.from_row(row) if row else None


def user_by_username(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username_key == username.lower())).mappings().first()
    return User.from_row(row) if row else None


def count_users(conn: Connection, org_id: str | None = None) -> int:
    query = select(func.count()).select_from(users)
    if org_id is not None:
        query = query.where(users.c.org_id == org_id)
    return int(conn.execute(query).scalar_one())


def users_of_org(conn: Connection, org_id: str) -> list[User]:
    rows = conn.execute(select(users).where(users.c.org_id == org_id).order_by(users.c.username_key)).mappings()
    return [User.from_row(r) for r in rows]


def users_by_usernames(conn: Connection, org_id: str, usernames: list[str]) -> list[User]:
    """The members of `org_id` among `usernames` (matched case-insensitively)."""
    keys = [name.lower() for name in usernames]
    query = select(users).where(users.c.org_id == org_id, users.c.username_key.in_(keys))
    return [User.from_row(r) for r in conn.execute(query.order_by(users.c.username_key)).mappings()]


def possible_admins(conn: Connection, org_id: str) -> list[User]:
    """Enabled members of `org_id` who may be full administrators: the built-in Administrator
    role, and every holder of a custom role (whose privileges the caller then checks)."""
    query = select(users).where(users.c.org_id == org_id, users.c.disabled.is_(False),
                                or_(users.c.role == "org_admin", users.c.role_id.is_not(None)))
    return [User.from_row(r) for r in conn.execute(query).mappings()]


def insert_user(conn: Connection, **values: Any) -> None:
    values = dict(values)
    values["username_key"] = values["username"].lower()
    values["tags"] = json_text.dumps(list(values.get("tags") or []))
    values.setdefault("disabled", False)
    values.setdefault("last_login", -1)
    values.setdefault("provider", "arcgis")
    conn.execute(insert(users).values(**values))


def update_user(conn: Connection, user_id: str, **values: Any) -> None:
    for column in _JSON_COLUMNS:
        if column in values:
            values[column] = json_text.dumps(list(values[column]))
    if "properties" in values:
        values["properties"] = json_text.dumps(values["properties"])
    conn.execute(update(users).where(users.c.id == user_id).values(**values))


def delete_user(conn: Connection, user_id: str) -> bool:
    """Delete a user row.  Its tokens, OAuth codes, notifications, invitations and password
    history go with it (ON DELETE CASCADE on each of those tables)."""
    return bool(conn.execute(delete(users).where(users.c.id == user_id)).rowcount)


def password_history_of(conn: Connection, user_id: str, limit: int) -> list[str]:
    """The user's earlier password hashes, newest first."""
    query = (select(password_history.c.password_hash).where(password_history.c.user_id == user_id)
             .order_by(password_history.c.changed.desc(), password_history.c.id.desc()).limit(limit))
    return [row.password_hash for row in conn.execute(query)]


def add_password_history(conn: Connection, user_id: str, password_hash: str, changed: int) -> None:
    """Remember a password hash the user no longer has; keep only the newest ones."""
    conn.execute(insert(password_history).values(user_id=user_id, password_hash=password_hash, changed=changed))
    kept = (select(password_history.c.id).where(password_history.c.user_id == user_id)
            .order_by(password_history.c.changed.desc(), password_history.c.id.desc())
            .limit(PASSWORD_HISTORY_KEPT))
    conn.execute(delete(password_history).where(password_history.c.user_id == user_id,
                                                password_history.c.id.not_in(kept.scalar_subquery())))


def revoke_other_tokens(conn: Connection, user_id: str, keep_hash: str | None) -> int:
    """Revoke every token of a user except the one whose hash is `keep_hash` (the session that
    changed its own password stays signed in)."""
    query = update(tokens).where(tokens.c.user_id == user_id, tokens.c.revoked.is_(False))
    if keep_hash is not None:
        query = query.where(tokens.c.token_hash != keep_hash)
    return int(conn.execute(query.values(revoked=True)).rowcount or 0)
