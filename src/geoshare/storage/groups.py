"""Groups, their members and join requests (tables groups, group_members, group_applications).

Every read of a group joins the owner's username in, so a group record always names its owner.
Membership changes lock the group row first (`lock_group`), then the member rows in id order
(`lock_users`), so concurrent changes to one group queue up instead of losing each other's
writes, and two changes never wait on each other in opposite orders.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select, update

from geoshare.storage import json_text
from geoshare.storage.records import Group, GroupMember
from geoshare.storage.tables import group_applications, group_members, groups, users

JSON_COLUMNS = ("tags", "type_keywords", "display_settings")


def _with_owner() -> Select[Any]:
    return select(groups, users.c.username.label("owner")).join(users, users.c.id == groups.c.owner_id)


def _encode(values: dict[str, Any]) -> dict[str, Any]:
    out = dict(values)
    for name in JSON_COLUMNS:
        if name in out:
            value = out[name]
            out[name] = json_text.dumps(list(value) if isinstance(value, (tuple, list)) else value)
    if "title" in out:
        out["title_key"] = out["title"].lower()
    return out


# ------------------------------------------------------------------ groups
def group_by_id(conn: Connection, group_id: str) -> Group | None:
    row = conn.execute(_with_owner().where(groups.c.id == group_id.lower())).mappings().first()
    return Group.from_row(row) if row else None


def groups_by_ids(conn: Connection, group_ids: Sequence[str]) -> list[Group]:
    if not group_ids:
        return []
    rows = conn.execute(_with_owner().where(groups.c.id.in_(list(group_ids)))).mappings()
    found = {r["id"]: Group.from_row(r) for r in rows}
    return [found[i] for i in group_ids if i in found]


def lock_group(conn: Connection, group_id: str) -> Group | None:
    """The group, its row locked until the transaction ends (PostgreSQL; SQLite writes are serial)."""
    if conn.execute(select(groups.c.id).where(groups.c.id == group_id).with_for_update()).first() is None:
        return None
    return group_by_id(conn, group_id)


def title_taken(conn: Connection, owner_id: str, title: str, *, excluding: str | None = None) -> bool:
    query = select(groups.c.id).where(groups.c.owner_id == owner_id, groups.c.title_key == title.lower())
    if excluding is not None:
        query = query.where(groups.c.id != excluding)
    return conn.execute(query).first() is not None


def insert_group(conn: Connection, values: dict[str, Any]) -> None:
    conn.execute(insert(groups).values(**_encode(values)))


def update_group(conn: Connection, group_id: str, values: dict[str, Any]) -> None:
    conn.execute(update(groups).where(groups.c.id == group_id).values(**_encode(values)))


def delete_group(conn: Connection, group_id: str) -> bool:
    """The group row; members and applications go with it (ON DELETE CASCADE)."""
    conn.execute(delete(group_members).where(group_members.c.group_id == group_id))
    conn.execute(delete(group_applications).where(group_applications.c.group_id == group_id))
    return conn.execute(delete(groups).where(groups.c.id == group_id)).rowcount > 0


def count_owned(conn: Connection, user_id: str) -> int:
    return int(conn.execute(select(func.count()).select_from(groups).where(groups.c.owner_id == user_id)).scalar_one())


def owned_ids(conn: Connection, user_id: str) -> list[str]:
    return list(conn.execute(select(groups.c.id).where(groups.c.owner_id == user_id).order_by(groups.c.id)).scalars())


# ------------------------------------------------------------------ members
def lock_users(conn: Connection, user_ids: Iterable[str]) -> None:
    """Lock member rows in id order: the 512-group limit is counted under these locks."""
    ids = sorted(set(user_ids))
    if ids:
        conn.execute(select(users.c.id).where(users.c.id.in_(ids)).order_by(users.c.id).with_for_update()).all()


def member_type(conn: Connection, group_id: str, user_id: str) -> str | None:
    query = select(group_members.c.member_type).where(group_members.c.group_id == group_id,
                                                      group_members.c.user_id == user_id)
    return conn.execute(query).scalar_one_or_none()


def member_types(conn: Connection, group_id: str, user_ids: Iterable[str]) -> dict[str, str]:
    """user id -> member type, for those of `user_ids` who are members."""
    ids = list(set(user_ids))
    if not ids:
        return {}
    query = select(group_members.c.user_id, group_members.c.member_type).where(
        group_members.c.group_id == group_id, group_members.c.user_id.in_(ids))
    return {r.user_id: r.member_type for r in conn.execute(query)}


def add_member(conn: Connection, group_id: str, user_id: str, member_type: str, now: int) -> None:
    conn.execute(insert(group_members).values(group_id=group_id, user_id=user_id, member_type=member_type, joined=now))
    conn.execute(delete(group_applications).where(group_applications.c.group_id == group_id,
                                                  group_applications.c.user_id == user_id))


def set_member_type(conn: Connection, group_id: str, user_id: str, member_type: str) -> None:
    conn.execute(update(group_members).where(group_members.c.group_id == group_id, group_members.c.user_id == user_id)
                 .values(member_type=member_type))


def remove_member(conn: Connection, group_id: str, user_id: str) -> bool:
    result = conn.execute(delete(group_members).where(group_members.c.group_id == group_id,
                                                      group_members.c.user_id == user_id))
    return result.rowcount > 0


def count_memberships(conn: Connection, user_id: str) -> int:
    """How many groups `user_id` belongs to (owning or member): the 512 limit counts these."""
    query = select(func.count()).select_from(group_members).where(group_members.c.user_id == user_id)
    return int(conn.execute(query).scalar_one())


def memberships_count(conn: Connection, user_ids: Iterable[str]) -> dict[str, int]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    query = (select(group_members.c.user_id, func.count()).where(group_members.c.user_id.in_(ids))
             .group_by(group_members.c.user_id))
    counts = {row[0]: int(row[1]) for row in conn.execute(query)}
    return {i: counts.get(i, 0) for i in ids}


def groups_of_user(conn: Connection, user_id: str) -> list[tuple[Group, str]]:
    """Every group `user_id` belongs to with their member type, by title."""
    query = (_with_owner().add_columns(group_members.c.member_type.label("member_type"))
             .join(group_members, group_members.c.group_id == groups.c.id)
             .where(group_members.c.user_id == user_id).order_by(groups.c.title_key, groups.c.id))
    return [(Group.from_row(r), r["member_type"]) for r in conn.execute(query).mappings()]


def members(conn: Connection, group_id: str) -> list[GroupMember]:
    """Every member, owner first, then admins, then members, each by username."""
    query = (select(group_members.c.user_id, group_members.c.member_type, group_members.c.joined, users.c.username,
                    users.c.full_name, users.c.thumbnail)
             .join(users, users.c.id == group_members.c.user_id).where(group_members.c.group_id == group_id)
             .order_by(users.c.username_key))
    found = [GroupMember(user_id=r.user_id, username=r.username, full_name=r.full_name, thumbnail=r.thumbnail,
                         member_type=r.member_type, joined=r.joined) for r in conn.execute(query)]
    rank = {"owner": 0, "admin": 1, "member": 2}
    return sorted(found, key=lambda m: rank.get(m.member_type, 3))


def count_applications(conn: Connection, group_id: str) -> int:
    query = select(func.count()).select_from(group_applications).where(group_applications.c.group_id == group_id)
    return int(conn.execute(query).scalar_one())


def reassign_owned(conn: Connection, from_user_id: str, to_user_id: str, now: int) -> None:
    """Every group `from_user_id` owns now belongs to `to_user_id`, who becomes its owner member;
    the previous owner stays on as a group administrator (sharing-api.md §5.4)."""
    for group_id in owned_ids(conn, from_user_id):
        change_owner(conn, group_id, from_user_id, to_user_id, now)


def change_owner(conn: Connection, group_id: str, from_user_id: str, to_user_id: str, now: int) -> None:
    conn.execute(update(groups).where(groups.c.id == group_id).values(owner_id=to_user_id, modified=now))
    set_member_type(conn, group_id, from_user_id, "admin")
    if member_type(conn, group_id, to_user_id) is None:
        add_member(conn, group_id, to_user_id, "owner", now)
    else:
        set_member_type(conn, group_id, to_user_id, "owner")
