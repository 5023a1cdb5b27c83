"""Group membership reads and writes beyond storage/groups.py: join requests (group_applications),
the paged member listing (`userlist`) and the invitations a group has sent.

The member listing filters, counts and sorts in SQL so a page of a large group costs one query
for the total and one for the page.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, case, delete, func, insert, select

from geoshare.storage.records import GroupMember, Invitation, User
from geoshare.storage.tables import group_applications, group_members, invitations, users


# ------------------------------------------------------------------ applications (join requests)
def add_application(conn: Connection, group_id: str, user_id: str, now: int) -> bool:
    """A pending request to join; False when one is already there (no duplicate)."""
    if application_received(conn, group_id, user_id) is not None:
        return False
    conn.execute(insert(group_applications).values(group_id=group_id, user_id=user_id, received=now))
    return True


def application_received(conn: Connection, group_id: str, user_id: str) -> int | None:
    query = select(group_applications.c.received).where(group_applications.c.group_id == group_id,
                                                        group_applications.c.user_id == user_id)
    return conn.execute(query).scalar_one_or_none()


def applications(conn: Connection, group_id: str) -> list[tuple[User, int]]:
    """Every pending request with its applicant, oldest first."""
    query = (select(users, group_applications.c.received.label("received_at"))
             .join(group_applications, group_applications.c.user_id == users.c.id)
             .where(group_applications.c.group_id == group_id)
             .order_by(group_applications.c.received, users.c.username_key))
    return [(User.from_row(r), int(r["received_at"])) for r in conn.execute(query).mappings()]


def delete_application(conn: Connection, group_id: str, user_id: str) -> bool:
    result = conn.execute(delete(group_applications).where(group_applications.c.group_id == group_id,
                                                           group_applications.c.user_id == user_id))
    return result.rowcount > 0


def manager_ids(conn: Connection, group_id: str) -> list[str]:
    """The owner and the group administrators."""
    query = select(group_members.c.user_id).where(group_members.c.group_id == group_id,
                                                  group_members.c.member_type.in_(("owner", "admin")))
    return sorted(conn.execute(query).scalars())


# ------------------------------------------------------------------ the member listing
@dataclass(frozen=True)
class MemberFilter:
    name: str | None = None  # substring of the username or full name, any case
    member_type: str | None = None  # owner | admin | member
    joined_from: int | None = None
    joined_to: int | None = None


SORT_COLUMNS: dict[str, Any] = {
    "username": users.c.username_key,
    "fullname": func.lower(func.coalesce(users.c.full_name, "")),
    "joined": group_members.c.joined,
    "membertype": case({"owner": 0, "admin": 1}, value=group_members.c.member_type, else_=2),
}


def _conditions(group_id: str, wanted: MemberFilter) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = [group_members.c.group_id == group_id]
    if wanted.name:
        pattern = "%" + wanted.name.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        found.append(users.c.username_key.like(pattern, escape="\\")
                     | func.lower(func.coalesce(users.c.full_name, "")).like(pattern, escape="\\"))
    if wanted.member_type:
        found.append(group_members.c.member_type == wanted.member_type)
    if wanted.joined_from is not None:
        found.append(group_members.c.joined >= wanted.joined_from)
    if wanted.joined_to is not None:
        found.append(group_members.c.joined <= wanted.joined_to)
    return found


def member_page(conn: Connection, group_id: str, wanted: MemberFilter, sort_field: str, descending: bool,
                offset: int, limit: int) -> tuple[int, list[GroupMember]]:
    """The total of matching members and one page of them (ties broken by username)."""
    where = and_(*_conditions(group_id, wanted))
    joined = group_members.join(users, users.c.id == group_members.c.user_id)
    total = int(conn.execute(select(func.count()).select_from(joined).where(where)).scalar_one())
    column = SORT_COLUMNS[sort_field]
    order = [column.desc() if descending else column.asc(), users.c.username_key]
    query = (select(group_members.c.user_id, group_members.c.member_type, group_members.c.joined, users.c.username,
                    users.c.full_name, users.c.thumbnail)
             .select_from(joined).where(where).order_by(*order).offset(offset).limit(limit))
    rows = list(conn.execute(query)) if limit > 0 else []
    return total, [GroupMember(user_id=r.user_id, username=r.username, full_name=r.full_name,
                               thumbnail=r.thumbnail, member_type=r.member_type, joined=r.joined) for r in rows]


# ------------------------------------------------------------------ invitations a group sent
def invited_user_ids(conn: Connection, group_id: str, user_ids: Iterable[str], now: int) -> set[str]:
    """Those of `user_ids` holding an unexpired invitation to the group."""
    ids = list(set(user_ids))
    if not ids:
        return set()
    query = select(invitations.c.user_id).where(
        invitations.c.target_type == "group", invitations.c.target_id == group_id,
        invitations.c.user_id.in_(ids), invitations.c.expiration > now)
    return set(conn.execute(query).scalars())


def insert_invitations(conn: Connection, rows: list[Invitation]) -> None:
    if rows:
        conn.execute(insert(invitations), [row.__dict__ for row in rows])


def group_invitations(conn: Connection, group_id: str) -> list[Invitation]:
    """Every invitation the group sent, expired ones included."""
    query = (select(invitations).where(invitations.c.target_type == "group", invitations.c.target_id == group_id)
             .order_by(invitations.c.created, invitations.c.id))
    return [Invitation.from_row(r) for r in conn.execute(query).mappings()]


def delete_invitation(conn: Connection, invitation_id: str) -> bool:
    return conn.execute(delete(invitations).where(invitations.c.id == invitation_id)).rowcount > 0


def users_by_names(conn: Connection, usernames: Iterable[str]) -> dict[str, User]:
    """Users of any organization by lower-cased username."""
    keys = list({name.lower() for name in usernames})
    if not keys:
        return {}
    rows = conn.execute(select(users).where(users.c.username_key.in_(keys))).mappings()
    return {r["username_key"]: User.from_row(r) for r in rows}
