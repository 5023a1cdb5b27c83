"""Joining, leaving, adding, removing and promoting group members (sharing-api.md §5.5, §8.3).

Every change runs in one write transaction in the same order (issue 9's locking rule): the group
row is locked first (`groups.seen(..., lock=True)`), then the rows of the users whose group count
may grow, then the 512-group limit is counted, then the rows are written.  Concurrent changes to
one group therefore queue on the group row, and a user at 511 groups joining two groups at once
queues on their own row, so the second join sees the first.

Where the spec is silent, geoshare decides:
* addUsers: organization administrators holding portal:admin:assignToGroups, and the group's
  owner and group administrators, add members of the group's organization.  Users of other
  organizations, unknown users and users at the limit are `notAdded` (other organizations'
  users come in by invitation, which they accept themselves).  Disabled accounts are added:
  disabling is reversible and does not end memberships either.  A name in `admins` makes the
  user a group administrator, promoting an existing ordinary member; a name in `users` leaves an
  existing member as they are.
* removeUsers: a group administrator who is not the owner may remove ordinary members only;
  other administrators and the owner are `notRemoved`.  The owner is never removed.
* updateUsers: the owner, or an organization administrator with portal:admin:assignToGroups.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import groups
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.errors import InvalidParameter
from geoshare.storage import group_members as member_store
from geoshare.storage import groups as group_store
from geoshare.storage import notifications as notification_store
from geoshare.storage.records import Group, Notification, User

log = logging.getLogger("geoshare.groups")
ASSIGN = "portal:admin:assignToGroups"
MAX_NAMES = 1000  # names in one addUsers / removeUsers / updateUsers / invite call
JOIN_FAILED = "Unable to join group."
LEAVE_FAILED = "Unable to leave group."


def too_many(message: str, names: Iterable[str]) -> None:
    if len(set(n.lower() for n in names)) > MAX_NAMES:
        raise InvalidParameter(message, [f"At most {MAX_NAMES} users may be named in one request."])


def notify(conn: Connection, user_ids: Iterable[str], kind: str, group: Group, now: int, **data: Any) -> None:
    """One built-in notification about `group` for each of `user_ids`."""
    rows = [Notification(id=new_id(), user_id=user_id, type=kind, target=None, target_type="user", received=now,
                         data={"groupId": group.id, "groupTitle": group.title, **data}) for user_id in user_ids]
    notification_store.insert_notifications(conn, rows)


def add_checked(conn: Connection, group: Group, user: User, member_type: str, now: int) -> None:
    """Add one user under the limit (their row locked first), or raise the limit error."""
    group_store.lock_users(conn, [user.id])
    if groups.full_members(conn, [user.id]):
        raise groups.limit_error(user.username)
    group_store.add_member(conn, group.id, user.id, member_type, now)


# ------------------------------------------------------------------ join and leave
async def join_group(svc: Services, viewer: Principal, group_id: str) -> dict[str, Any]:
    """POST community/groups/{id}/join: become a member (autoJoin) or ask to (an application)."""
    assert viewer.user is not None  # pragma: no mutate (the table admits signed-in callers only)
    me = viewer.user
    now = svc.clock.now_ms()

    def change(conn: Connection) -> str:
        # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
        found = groups.seen(conn, viewer, group_id, lock=True)  # pragma: no mutate
        group = found.group
        if found.member_type is not None:
            return "member"
        _may_join(viewer, group)
        if group.auto_join and group.org_id == me.org_id:
            add_checked(conn, group, me, "member", now)
            return "joined"
        if member_store.add_application(conn, group.id, me.id, now):
            notify(conn, member_store.manager_ids(conn, group.id), "group_join_request", group, now,
                   username=me.username)
        return "applied"

    outcome = await svc.db.write(change)
    log.info("%s join %s: %s", me.username, group_id, outcome)
    return {"success": True, "groupId": group_id.lower()}


# membershipAccess values that keep a group to its own organization's members (collaborations,
# which would widen `collaboration`, do not exist here).
OWN_ORG_ONLY = ("org", "collaboration")


def _may_join(viewer: Principal, group: Group) -> None:
    if group.is_invitation_only:
        raise InvalidParameter(JOIN_FAILED, ["This group is invitation only: members are invited or added."])
    if viewer.user is not None and group.org_id != viewer.user.org_id and group.membership_access in OWN_ORG_ONLY:
        raise InvalidParameter(JOIN_FAILED, ["This group takes members of its own organization only."])
    if viewer.user is not None and group.org_id != viewer.user.org_id and not viewer.has("portal:user:joinNonOrgGroup"):
        raise InvalidParameter(JOIN_FAILED, ["Joining groups of other organizations needs the privilege "
                                             "portal:user:joinNonOrgGroup."])


async def leave_group(svc: Services, viewer: Principal, group_id: str) -> dict[str, Any]:
    """POST community/groups/{id}/leave: a member leaves; never the owner."""
    assert viewer.user is not None  # pragma: no mutate (the table admits signed-in callers only)
    me = viewer.user

    def change(conn: Connection) -> None:
        # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
        found = groups.seen(conn, viewer, group_id, lock=True)  # pragma: no mutate
        if found.member_type is None:
            raise InvalidParameter(LEAVE_FAILED, ["You are not a member of this group."])
        if found.is_owner:
            raise InvalidParameter(LEAVE_FAILED, ["The owner cannot leave the group; reassign it to someone else first."])
        if found.group.leaving_disallowed:
            raise InvalidParameter(LEAVE_FAILED, ["Members may not leave this group."])
        group_store.remove_member(conn, found.group.id, me.id)

    await svc.db.write(change)
    return {"success": True, "groupId": group_id.lower()}


# ------------------------------------------------------------------ addUsers
def _wanted(usernames: list[str], admins: list[str]) -> dict[str, str]:
    """lower-cased name -> member type asked for; a name in both lists is an administrator."""
    wanted = {name.lower(): "member" for name in usernames}
    wanted.update({name.lower(): "admin" for name in admins})
    return wanted


async def add_users(svc: Services, viewer: Principal, group_id: str, usernames: list[str],
                    admins: list[str]) -> dict[str, Any]:
    """POST community/groups/{id}/addUsers: add members of the group's organization at once."""
    names = [*usernames, *admins]
    too_many("Unable to add users to the group.", names)
    wanted = _wanted(usernames, admins)
    now = svc.clock.now_ms()

    def change(conn: Connection) -> list[str]:
        # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
        found = groups.seen(conn, viewer, group_id, lock=True)  # pragma: no mutate
        groups.require_manager(viewer, found, ASSIGN)
        return _add_all(conn, found.group, wanted, now)

    not_added = await svc.db.write(change)
    spelled = {name.lower(): name for name in names}
    return {"notAdded": [spelled[key] for key in not_added]}


def _add_all(conn: Connection, group: Group, wanted: dict[str, str], now: int) -> list[str]:
    """Add or promote what may be; the lower-cased names that could not be added, in order."""
    known = member_store.users_by_names(conn, wanted)
    candidates = [known[k] for k in wanted if k in known and known[k].org_id == group.org_id]
    current = group_store.member_types(conn, group.id, [u.id for u in candidates])
    joining = [u for u in candidates if u.id not in current]
    group_store.lock_users(conn, [u.id for u in joining])
    full = groups.full_members(conn, [u.id for u in joining])
    for user in joining:
        if user.id not in full:
            group_store.add_member(conn, group.id, user.id, wanted[user.username.lower()], now)
    for user in candidates:
        if current.get(user.id) == "member" and wanted[user.username.lower()] == "admin":
            group_store.set_member_type(conn, group.id, user.id, "admin")
    added = {u.username.lower() for u in candidates if u.id not in full}
    return [key for key in wanted if key not in added]


# ------------------------------------------------------------------ removeUsers
async def remove_users(svc: Services, viewer: Principal, group_id: str, usernames: list[str]) -> dict[str, Any]:
    """POST community/groups/{id}/removeUsers: the names that were not removed come back."""
    too_many("Unable to remove users from the group.", usernames)

    def change(conn: Connection) -> list[str]:
        # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
        found = groups.seen(conn, viewer, group_id, lock=True)  # pragma: no mutate
        groups.require_manager(viewer, found, ASSIGN)
        may_remove_admins = found.is_owner or viewer.admin_of(found.group.org_id, ASSIGN)
        return [name for name in dict.fromkeys(usernames)
                if not _remove_one(conn, found.group, name, may_remove_admins)]

    return {"notRemoved": await svc.db.write(change)}


def _remove_one(conn: Connection, group: Group, name: str, may_remove_admins: bool) -> bool:
    user = member_store.users_by_names(conn, [name]).get(name.lower())
    if user is None:
        return False
    kind = group_store.member_type(conn, group.id, user.id)
    if kind is None or kind == "owner" or (kind == "admin" and not may_remove_admins):
        return False
    return group_store.remove_member(conn, group.id, user.id)


# ------------------------------------------------------------------ updateUsers
async def update_users(svc: Services, viewer: Principal, group_id: str, admins: list[str],
                       usernames: list[str]) -> dict[str, Any]:
    """POST community/groups/{id}/updateUsers: promote (`admins`) and demote (`users`) members."""
    too_many("Unable to update group membership.", [*admins, *usernames])
    if not admins and not usernames:
        raise InvalidParameter("Unable to update group membership.", ["'admins' or 'users' must be specified."])
    changes = [(name, "admin") for name in admins] + [(name, "member") for name in usernames]

    def change(conn: Connection) -> list[dict[str, Any]]:
        # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
        found = groups.seen(conn, viewer, group_id, lock=True)  # pragma: no mutate
        groups.require_owner(viewer, found, ASSIGN)
        return [{"username": name, "success": _set_type(conn, found.group, name, kind)} for name, kind in changes]

    return {"results": await svc.db.write(change)}


def _set_type(conn: Connection, group: Group, name: str, kind: str) -> bool:
    user = member_store.users_by_names(conn, [name]).get(name.lower())
    current = group_store.member_type(conn, group.id, user.id) if user else None
    if user is None or current is None or current == "owner":
        return False
    group_store.set_member_type(conn, group.id, user.id, kind)
    return True
