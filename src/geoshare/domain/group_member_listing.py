"""Who belongs to a group: `users` (names by kind) and `userlist` (a filtered, sorted page)
(sharing-api.md §5.5, §8.3).

Whoever sees the group sees its members, except in a group with hidden members: there only its
owner and group administrators, and administrators of its organization holding
portal:admin:viewGroups, see them; anyone else who sees the group gets 403 (not an empty list,
which would read as "nobody is a member").
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoshare.domain import groups
from geoshare.domain.page_window import window
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import Forbidden, InvalidParameter
from geoshare.storage import group_members as member_store
from geoshare.storage import groups as group_store
from geoshare.storage import users as user_store
from geoshare.storage.records import GroupMember

VIEW_HIDDEN = "portal:admin:viewGroups"
USERLIST_DEFAULT_NUM = 25
LIST_FAILED = "Unable to list the group's members."


def _seen_members(conn: Connection, viewer: Principal, group_id: str) -> groups.Seen:
    found = groups.seen(conn, viewer, group_id)
    if found.group.hidden_members and not (found.is_manager or viewer.admin_of(found.group.org_id, VIEW_HIDDEN)):
        raise Forbidden()
    return found


async def group_users(svc: Services, viewer: Principal, group_id: str) -> dict[str, Any]:
    """GET community/groups/{id}/users: {"owner", "admins" (owner included), "users"}."""

    def load(conn: Connection) -> dict[str, Any]:
        found = _seen_members(conn, viewer, group_id)
        everyone = group_store.members(conn, found.group.id)
        return {"owner": found.group.owner,
                "admins": [m.username for m in everyone if m.member_type in groups.MANAGER_TYPES],
                "users": [m.username for m in everyone if m.member_type == "member"]}

    return await svc.db.read(load)


def parse_joined(text: str | None) -> tuple[int | None, int | None]:
    """`joined` as "<from>,<to>" in epoch milliseconds; either end may be empty."""
    if not text:
        return None, None
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2:
        raise InvalidParameter(LIST_FAILED, ["'joined' must be '<from>,<to>' in milliseconds."])
    try:
        return tuple(int(p) if p and p.lower() != "null" else None for p in parts)  # type: ignore[return-value]
    except ValueError:
        raise InvalidParameter(LIST_FAILED, ["'joined' must be '<from>,<to>' in milliseconds."]) from None


def _member_document(member: GroupMember) -> dict[str, Any]:
    return {"username": member.username, "fullName": member.full_name, "memberType": member.member_type,
            "thumbnail": member.thumbnail, "joined": member.joined}


async def user_list(svc: Services, viewer: Principal, group_id: str, *, name: str | None, member_type: str | None,
                    joined: str | None, sort_field: str | None, sort_order: str | None, start: int | None,
                    num: int | None) -> dict[str, Any]:
    """GET community/groups/{id}/userlist: one page of members matching the filters."""
    joined_from, joined_to = parse_joined(joined)
    wanted = member_store.MemberFilter(name=name, member_type=member_type, joined_from=joined_from,
                                       joined_to=joined_to)
    page = window(start, USERLIST_DEFAULT_NUM if num is None else num)
    field = (sort_field or "username").lower()  # pragma: no mutate (the operation table defaults it)

    def load(conn: Connection) -> dict[str, Any]:
        found = _seen_members(conn, viewer, group_id)
        total, members = member_store.member_page(conn, found.group.id, wanted, field, sort_order == "desc",
                                                  page.offset, page.limit)
        owner = user_store.user_by_id(conn, found.group.owner_id)
        assert owner is not None  # pragma: no mutate (a group's owner exists: foreign key)
        return {**page.answer(total), "owner": {"username": owner.username, "fullName": owner.full_name},
                "users": [_member_document(m) for m in members]}

    return await svc.db.read(load)
