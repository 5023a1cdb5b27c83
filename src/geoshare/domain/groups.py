"""Groups (sharing-api.md §5, §8.3): the group object, who sees a group, who manages it, and the
512-group limit.  The operations build on these: group_fields.py (create), and the management,
membership and search modules.

Who sees a group is one rule with two forms: `access.group_visible` (SQL, for listings and
searches) and `access.sees_group` (one loaded group).  A group the caller may not see answers
exactly like a missing one.

Who manages a group: its owner and its group administrators ("managers"), and administrators of
the group's organization holding the operation's `portal:admin:*` privilege.  Administrative
powers stop at the organization.

Groups plug into the users work here: a user who owns groups cannot be deleted until they are
reassigned (`Holding`), `reassign` moves them, a user's `groups` list is filled in, and an
invitation names its group.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import access, notifications, portal, users
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import Forbidden, InvalidParameter, NotFound
from geoshare.storage import groups as group_store
from geoshare.storage.records import Group, User

GROUP_MISSING = "Group does not exist or is inaccessible."
MAX_GROUPS_PER_USER = 512
MANAGER_TYPES = ("owner", "admin")


def missing() -> NotFound:
    return NotFound(GROUP_MISSING)


# ------------------------------------------------------------------ the group object
def thumbnail_key(group_id: str, file_name: str) -> str:
    return f"groups/{group_id}/info/{file_name}"


def group_document(group: Group) -> dict[str, Any]:
    """The group object of §5.1, without the caller's `userMembership`."""
    return {
        "id": group.id, "title": group.title, "owner": group.owner, "description": group.description,
        "snippet": group.snippet, "phone": group.phone, "tags": list(group.tags),
        "typeKeywords": list(group.type_keywords), "sortField": group.sort_field, "sortOrder": group.sort_order,
        "access": group.access, "isInvitationOnly": group.is_invitation_only, "isViewOnly": group.is_view_only,
        "autoJoin": group.auto_join, "protected": group.protected, "isFav": False, "isReadOnly": False,
        "isOpenData": False, "capabilities": ["updateitemcontrol"] if group.shared_update else [],
        "leavingDisallowed": group.leaving_disallowed, "hiddenMembers": group.hidden_members,
        "membershipAccess": group.membership_access, "displaySettings": dict(group.display_settings),
        "thumbnail": group.thumbnail, "created": group.created, "modified": group.modified, "provider": None,
        "providerGroupName": None, "notificationsEnabled": group.notifications_enabled, "orgId": group.org_id,
        "collaborationInfo": {},
    }


def membership(username: str, member_type: str | None, applications: int | None) -> dict[str, Any]:
    """`userMembership`: the caller's relation; pending applications count for managers only."""
    doc: dict[str, Any] = {"username": username, "memberType": member_type or "none"}
    if member_type in MANAGER_TYPES:
        doc["applications"] = applications or 0
    return doc


def document_for(conn: Connection, group: Group, viewer: Principal, member_type: str | None) -> dict[str, Any]:
    """The group object with `userMembership` for a signed-in caller."""
    doc = group_document(group)
    if viewer.user is not None:
        # Counting for everyone would only cost a query: membership() shows the count to managers.
        pending = group_store.count_applications(conn, group.id) if member_type in MANAGER_TYPES else None  # pragma: no mutate
        doc["userMembership"] = membership(viewer.user.username, member_type, pending)
    return doc


# ------------------------------------------------------------------ finding a group
@dataclass(frozen=True)
class Seen:
    """A group as one caller sees it: the group and the caller's member type (None: not a member)."""

    group: Group
    member_type: str | None

    @property
    def is_manager(self) -> bool:
        return self.member_type in MANAGER_TYPES

    @property
    def is_owner(self) -> bool:
        return self.member_type == "owner"


def _member_type(conn: Connection, viewer: Principal, group: Group) -> str | None:
    return group_store.member_type(conn, group.id, viewer.user.id) if viewer.user is not None else None


# pragma on the `lock` lines: the row lock shows only under concurrent writers on PostgreSQL.
def seen(conn: Connection, viewer: Principal, group_id: str, *, lock: bool = False) -> Seen:  # pragma: no mutate
    """The group `viewer` may see, or the missing-group error (the same for a hidden one).
    `lock` also locks the group row until the transaction ends (membership changes)."""
    if len(group_id) != 32:
        raise missing()
    group = group_store.lock_group(conn, group_id.lower()) if lock else group_store.group_by_id(conn, group_id)  # pragma: no mutate
    if group is None:
        raise missing()
    member_type = _member_type(conn, viewer, group)
    if not access.sees_group(viewer, group, member_type):
        raise missing()
    return Seen(group, member_type)


def require_manager(viewer: Principal, found: Seen, privilege: str) -> None:
    """The owner, a group administrator, or an organization administrator holding `privilege`."""
    if not (found.is_manager or viewer.admin_of(found.group.org_id, privilege)):
        raise Forbidden()


def require_owner(viewer: Principal, found: Seen, privilege: str) -> None:
    """The owner, or an organization administrator holding `privilege`."""
    if not (found.is_owner or viewer.admin_of(found.group.org_id, privilege)):
        raise Forbidden()


def may_share_into(viewer: Principal, found: Seen) -> bool:
    """Whether `viewer` may share content into the group (§8.3), for the items work: its members
    may, except into a view-only group, where only its owner and managers may; administrators of
    the group's organization holding portal:admin:shareToGroup may share into any of its groups."""
    if viewer.admin_of(found.group.org_id, "portal:admin:shareToGroup"):
        return True
    return found.is_manager or (found.member_type == "member" and not found.group.is_view_only)


def may_update_shared(found: Seen) -> bool:
    """Whether membership lets a caller update other members' items shared with the group with
    item control (§8.3 shared update groups): any member of a group with `updateitemcontrol`."""
    return found.group.shared_update and found.member_type is not None


async def get_group(svc: Services, viewer: Principal, group_id: str) -> dict[str, Any]:
    """GET community/groups/{id} (§5.3)."""

    def load(conn: Connection) -> dict[str, Any]:
        found = seen(conn, viewer, group_id)
        return document_for(conn, found.group, viewer, found.member_type)

    return await svc.db.read(load)


# ------------------------------------------------------------------ the 512-group limit
def full_members(conn: Connection, user_ids: list[str], adding: int = 1) -> set[str]:
    """Those of `user_ids` who cannot join `adding` more groups.  Call it after
    `group_store.lock_users(conn, user_ids)` so concurrent joins count each other."""
    counts = group_store.memberships_count(conn, user_ids)
    return {user_id for user_id, n in counts.items() if n + adding > MAX_GROUPS_PER_USER}


def limit_error(username: str) -> InvalidParameter:
    return InvalidParameter("Unable to add the user to the group.", [
        f"'{username}' already belongs to {MAX_GROUPS_PER_USER} groups, the most a user may belong to."])


# ------------------------------------------------------------------ plugging into the users work
def user_groups(conn: Connection, user: User) -> list[dict[str, Any]]:
    """The `groups` list of a user object: every group they belong to, with their membership."""
    found = group_store.groups_of_user(conn, user.id)
    pending = {g.id: group_store.count_applications(conn, g.id) for g, t in found if t in MANAGER_TYPES}
    return [{**group_document(g), "userMembership": membership(user.username, t, pending.get(g.id))}
            for g, t in found]


def _reassign_owned(conn: Connection, source: User, receiver: User, now: int) -> None:
    """`community/users/{u}/reassign`: the receiver takes over every group the source owns."""
    owned = group_store.groups_by_ids(conn, group_store.owned_ids(conn, source.id))
    clashing = [g.title for g in owned if group_store.title_taken(conn, receiver.id, g.title)]
    if clashing:
        raise InvalidParameter("Unable to reassign user content.", [
            f"'{receiver.username}' already owns a group named '{clashing[0]}'."])
    group_store.lock_users(conn, [receiver.id])
    joining = [g for g in owned if group_store.member_type(conn, g.id, receiver.id) is None]
    if full_members(conn, [receiver.id], len(joining)):
        raise limit_error(receiver.username)
    for group in owned:
        group_store.change_owner(conn, group.id, source.id, receiver.id, now)


def _describe(conn: Connection, group_id: str) -> dict[str, Any]:
    group = group_store.group_by_id(conn, group_id)
    if group is None:
        return {"id": group_id}
    return {"id": group.id, "title": group.title, "owner": group.owner, "thumbnail": group.thumbnail,
            "access": group.access}


users.register_holding(users.Holding("groups", group_store.count_owned, _reassign_owned))
notifications.set_group_describer(_describe)
portal.set_groups_source(user_groups)
