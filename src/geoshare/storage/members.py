"""Reads and writes behind member creation (domain/members.py): earlier password hashes,
usernames taken under a prefix, and the substring search of the identity-store operations."""

from __future__ import annotations

from sqlalchemy import Connection, func, insert, or_, select

from geoshare.storage.records import User
from geoshare.storage.tables import password_history, users

LIKE_ESCAPE = "\\"


def like_literal(text: str) -> str:
    """`text` with LIKE's wildcards escaped, so it matches only itself."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def insert_password_history(conn: Connection, user_id: str, password_hash: str, changed: int) -> None:
    conn.execute(insert(password_history).values(user_id=user_id, password_hash=password_hash, changed=changed))


def password_history_of(conn: Connection, user_id: str) -> list[tuple[str, int]]:
    """(hash, changed) of `user_id`, newest first."""
    query = select(password_history.c.password_hash, password_history.c.changed).where(
        password_history.c.user_id == user_id).order_by(password_history.c.changed.desc(), password_history.c.id.desc())
    return [(row.password_hash, row.changed) for row in conn.execute(query)]


def usernames_starting_with(conn: Connection, prefix: str) -> set[str]:
    """Lower-cased usernames (of every organization: usernames are unique portal-wide) that
    begin with `prefix`."""
    pattern = like_literal(prefix.lower()) + "%"
    query = select(users.c.username_key).where(users.c.username_key.like(pattern, escape=LIKE_ESCAPE))
    return {row.username_key for row in conn.execute(query)}


def search_org_users(conn: Connection, org_id: str, needle: str, limit: int) -> list[User]:
    """Members of `org_id` whose username, full name or e-mail contains `needle` (any case),
    by username; at most `limit`."""
    query = select(users).where(users.c.org_id == org_id)
    if needle:
        pattern = "%" + like_literal(needle.lower()) + "%"
        query = query.where(or_(*(func.lower(column).like(pattern, escape=LIKE_ESCAPE)
                                  for column in (users.c.username_key, users.c.full_name, users.c.email))))
    rows = conn.execute(query.order_by(users.c.username_key).limit(limit)).mappings()
    return [User.from_row(row) for row in rows]
