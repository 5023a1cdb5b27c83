"""Managing a group (sharing-api.md §5.4): update, delete, protect and unprotect, reassign,
createNotification, and the thumbnail file at `info/{file}`.

Who may do what (owner, group administrators, organization administrators holding a
`portal:admin:*` privilege in the group's organization) is decided here with
`groups.require_manager` / `require_owner`; a group the caller cannot see answers like a missing
one before any of that is asked.

Every write runs in one transaction that locks the group row first (`groups.seen(..., lock=True)`)
and checks the caller's rights again under the lock, so a concurrent change of owner or managers
cannot slip between the check and the write.  Thumbnails follow the blob rule: the new blob is
written before the row changes (and removed again if the row does not change), the old blob is
deleted only after the row no longer names it.

Hook for other work: `ON_DELETE` is a list of functions `(conn, group_id) -> None` called inside
the delete transaction, after the caller's rights are checked and before the group row goes.
The items work appends one that unshares every item shared to the group (items are never
deleted with a group).  A hook that raises cancels the delete.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import sanitize
from geoshare.domain.group_fields import (
    UPDATE_FAILED,
    Checking,
    changes,
    store_thumbnail,
    title_clash,
)
from geoshare.domain.groups import (
    Seen,
    full_members,
    limit_error,
    require_manager,
    require_owner,
    seen,
    thumbnail_key,
)
from geoshare.domain.images import Upload
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.domain.users import CONTENT_TYPES
from geoshare.errors import Forbidden, InvalidParameter, NotFound
from geoshare.storage import group_admin as admin_store
from geoshare.storage import groups as group_store
from geoshare.storage import notifications as notification_store
from geoshare.storage import orgs as org_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Group, Notification, User

log = logging.getLogger("geoshare.groups")
UPDATE_GROUPS = "portal:admin:updateGroups"
DELETE_GROUPS = "portal:admin:deleteGroups"
# Protection exists to guard a group against deletion, so whoever may delete a group decides
# whether it is protected: the owner, or an administrator holding portal:admin:deleteGroups.
PROTECT_GROUPS = DELETE_GROUPS
REASSIGN_GROUPS = "portal:admin:reassignGroups"
# Writing to a group's members is managing the group, not its membership, so the privilege that
# lets an administrator change any group of the organization also lets them notify its members.
NOTIFY_GROUPS = UPDATE_GROUPS
DELETE_FAILED = "Unable to delete group."
# The message itself says why: REST JS shows the message of an error and drops its details.
PROTECTED = "Unable to delete group: the group is protected."
REASSIGN_FAILED = "Unable to reassign group."
NOTIFY_FAILED = "Unable to create notification."
MAX_SUBJECT = 1024
MAX_MESSAGE = 10_000
MAX_RECIPIENTS = 1000

DeleteHook = Callable[[Connection, str], None]
ON_DELETE: list[DeleteHook] = []


def _found(conn: Connection, viewer: Principal, group_id: str, privilege: str, *, owner_only: bool = False) -> Seen:
    """The locked group, once the caller is known to manage it (missing-group error, then 403)."""
    # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
    found = seen(conn, viewer, group_id, lock=True)  # pragma: no mutate
    (require_owner if owner_only else require_manager)(viewer, found, privilege)
    return found


async def _check(svc: Services, viewer: Principal, group_id: str, privilege: str, *, owner_only: bool = False) -> Seen:
    """The same checks before a blob is written, so a refused caller never stores a file."""
    return await svc.db.read(lambda conn: _found(conn, viewer, group_id, privilege, owner_only=owner_only))


# ------------------------------------------------------------------ update
@dataclass(frozen=True)
class GroupUpdate:
    """The update's parameters: `given` holds the supplied group properties (None = supplied
    empty).  REST JS posts back the whole group it read: `group_id` is the echoed `id`, and a
    thumbnail given as text must be the stored name."""

    given: dict[str, Any]
    clear: bool = False
    thumbnail: Upload | None = None
    thumbnail_cleared: bool = False
    thumbnail_name: str | None = None
    group_id: str | None = None


def _bad(detail: str) -> InvalidParameter:
    return InvalidParameter(UPDATE_FAILED, [detail])


def _echoes(group: Group, request: GroupUpdate) -> None:
    if request.group_id is not None and request.group_id.lower() != group.id:
        raise _bad("'id' does not name this group.")
    if request.thumbnail_name is not None and request.thumbnail_name != group.thumbnail:
        raise _bad("'thumbnail' must be a PNG, GIF or JPEG file; as text it can only repeat the current name.")


async def update_group(svc: Services, viewer: Principal, group_id: str, request: GroupUpdate) -> dict[str, Any]:
    """POST community/groups/{id}/update: the owner, a group administrator, or an administrator
    of the group's organization holding portal:admin:updateGroups."""
    first = await _check(svc, viewer, group_id, UPDATE_GROUPS)
    _echoes(first.group, request)
    thumbnail = None
    if request.thumbnail is not None:
        thumbnail = await store_thumbnail(svc, first.group.id, request.thumbnail, UPDATE_FAILED)
    try:
        old = await svc.db.write(_apply_update, viewer, first.group.id, request, thumbnail, svc.clock.now_ms())
    except BaseException:
        if thumbnail:
            await svc.blobs.delete(thumbnail_key(first.group.id, thumbnail))
        raise
    if old is not None:
        await svc.blobs.delete(thumbnail_key(first.group.id, old))
    return {"success": True, "groupId": first.group.id}


def _apply_update(conn: Connection, viewer: Principal, group_id: str, request: GroupUpdate,
                  thumbnail: str | None, now: int) -> str | None:
    """Check again under the lock and write; the replaced thumbnail's name (to delete) or None."""
    group = _found(conn, viewer, group_id, UPDATE_GROUPS).group
    _echoes(group, request)
    org = org_store.org_by_id(conn, group.org_id)
    assert org is not None  # pragma: no mutate (a group's organization exists: foreign key)
    values = changes(request.given, Checking(viewer, org, UPDATE_FAILED, group), clear=request.clear)
    if "title" in values and group_store.title_taken(conn, group.owner_id, values["title"], excluding=group.id):
        raise title_clash(values["title"])
    if thumbnail is not None:
        values["thumbnail"] = thumbnail
    elif request.thumbnail_cleared and request.clear:
        values["thumbnail"] = None
    if values:
        group_store.update_group(conn, group.id, {**values, "modified": now})
        log.info("group %s updated by %s", group.id, viewer.username)
    replaced = "thumbnail" in values and group.thumbnail and group.thumbnail != values["thumbnail"]
    return group.thumbnail if replaced else None


# ------------------------------------------------------------------ delete, protect
async def delete_group(svc: Services, viewer: Principal, group_id: str) -> dict[str, Any]:
    """POST community/groups/{id}/delete: the owner, or an administrator of the group's
    organization holding portal:admin:deleteGroups.  A protected group is refused."""
    group = await svc.db.write(_delete, viewer, group_id)
    if group.thumbnail:
        await svc.blobs.delete(thumbnail_key(group.id, group.thumbnail))
    log.info("group %s deleted by %s", group.id, viewer.username)
    return {"success": True, "groupId": group.id}


def _delete(conn: Connection, viewer: Principal, group_id: str) -> Group:
    group = _found(conn, viewer, group_id, DELETE_GROUPS, owner_only=True).group
    if group.protected:
        raise InvalidParameter(PROTECTED, ["The group is protected from deletion; unprotect it first."])
    for hook in ON_DELETE:
        hook(conn, group.id)
    admin_store.delete_group_invitations(conn, group.id)
    group_store.delete_group(conn, group.id)
    return group


async def set_protected(svc: Services, viewer: Principal, group_id: str, protected: bool) -> dict[str, Any]:
    """POST community/groups/{id}/protect and /unprotect: the owner, or an administrator holding
    portal:admin:deleteGroups (protection guards deletion)."""

    def write(conn: Connection) -> None:
        group = _found(conn, viewer, group_id, PROTECT_GROUPS, owner_only=True).group
        if group.protected != protected:
            group_store.update_group(conn, group.id, {"protected": protected})

    await svc.db.write(write)
    return {"success": True}


# ------------------------------------------------------------------ reassign
async def reassign_group(svc: Services, viewer: Principal, group_id: str, target_username: str) -> dict[str, Any]:
    """POST community/groups/{id}/reassign: an administrator of the group's organization holding
    portal:admin:reassignGroups gives the group to another enabled member of that organization.
    The new owner becomes the owner member; the previous owner stays as a group administrator."""
    now = svc.clock.now_ms()

    def write(conn: Connection) -> Group:
        # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
        group = seen(conn, viewer, group_id, lock=True).group  # pragma: no mutate
        if not viewer.admin_of(group.org_id, REASSIGN_GROUPS):
            raise Forbidden()
        target = _new_owner(conn, group, target_username)
        if target.id != group.owner_id:
            _check_receiver(conn, group, target)
            group_store.change_owner(conn, group.id, group.owner_id, target.id, now)
        return group

    group = await svc.db.write(write)
    log.info("group %s reassigned to %s by %s", group.id, target_username, viewer.username)
    return {"success": True, "groupId": group.id}


def _new_owner(conn: Connection, group: Group, username: str) -> User:
    found = user_store.users_by_usernames(conn, group.org_id, [username])
    if not found or found[0].disabled:
        raise InvalidParameter(REASSIGN_FAILED, [
            f"'targetUsername' must name an enabled member of the group's organization: '{username}' does not."])
    return found[0]


def _check_receiver(conn: Connection, group: Group, target: User) -> None:
    if group_store.title_taken(conn, target.id, group.title):  # the target does not own this group
        raise InvalidParameter(REASSIGN_FAILED, [f"'{target.username}' already owns a group named '{group.title}'."])
    group_store.lock_users(conn, [target.id])
    if group_store.member_type(conn, group.id, target.id) is None and full_members(conn, [target.id]):
        raise limit_error(target.username)


# ------------------------------------------------------------------ createNotification
@dataclass(frozen=True)
class GroupMessage:
    subject: str
    message: str
    users: list[str]
    notify_all: bool = False
    channel: str = "email"


async def notify_group(svc: Services, viewer: Principal, group_id: str, request: GroupMessage) -> dict[str, Any]:
    """POST community/groups/{id}/createNotification: the owner, a group administrator, or an
    administrator holding portal:admin:updateGroups writes to named members or to all of them.
    geoshare sends no e-mail or push messages: every channel lands in the built-in inbox."""
    subject = _plain("subject", request.subject, MAX_SUBJECT)
    message = _plain("message", request.message, MAX_MESSAGE)
    now = svc.clock.now_ms()

    def write(conn: Connection) -> int:
        group = _found(conn, viewer, group_id, NOTIFY_GROUPS).group
        recipients = _recipients(conn, group, request)
        data = {"fromUser": viewer.username, "subject": subject, "message": message, "groupId": group.id,
                "groupTitle": group.title}
        rows = [Notification(id=new_id(), user_id=user_id, type="message_received", target=group.id,
                             target_type="group", received=now, data=data) for user_id in recipients]
        notification_store.insert_notifications(conn, rows)
        return len(rows)

    sent = await svc.db.write(write)
    log.info("%s sent a group notification to %d members", viewer.username, sent)
    return {"success": True}


def _plain(name: str, text: str, limit: int) -> str:
    cleaned = (sanitize.plain_text(text) or "").strip()  # pragma: no mutate (a string in, a string out)
    if not cleaned:
        raise InvalidParameter(NOTIFY_FAILED, [f"'{name}' must be specified."])
    if len(cleaned) > limit:
        raise InvalidParameter(NOTIFY_FAILED, [f"'{name}' is longer than {limit} characters."])
    return cleaned


def _recipients(conn: Connection, group: Group, request: GroupMessage) -> list[str]:
    """User ids: every member under notifyAll, else the named ones, who must all be members."""
    members = {m.username.lower(): m.user_id for m in group_store.members(conn, group.id)}
    if request.notify_all:
        return list(members.values())
    wanted = list(dict.fromkeys(name.strip().lower() for name in request.users if name.strip()))
    if not wanted:
        raise InvalidParameter(NOTIFY_FAILED, ["'users' or 'notifyAll=true' must be specified."])
    if len(wanted) > MAX_RECIPIENTS:
        raise InvalidParameter(NOTIFY_FAILED, [f"'users' names more than {MAX_RECIPIENTS} users."])
    outsiders = [name for name in wanted if name not in members]
    if outsiders:
        raise InvalidParameter(NOTIFY_FAILED, [
            f"'users' names users who are not members of the group: {', '.join(outsiders)}."])
    return [members[name] for name in wanted]


async def delete_thumbnail(svc: Services, viewer: Principal, group_id: str) -> dict[str, Any]:
    """POST community/groups/{id}/deleteThumbnail (the Python client's delete_group_thumbnail):
    the same callers and the same transaction as an update clearing the thumbnail."""
    await update_group(svc, viewer, group_id, GroupUpdate(given={}, clear=True, thumbnail_cleared=True))
    return {"success": True}


# ------------------------------------------------------------------ the thumbnail file
async def group_info_file(svc: Services, viewer: Principal, group_id: str, file_name: str) -> tuple[bytes, str]:
    """GET community/groups/{id}/info/{file}: the thumbnail's bytes and type, for whoever may see
    the group; a file the group does not have is a 404."""
    group = (await svc.db.read(seen, viewer, group_id)).group
    stored = group.thumbnail
    data = await svc.blobs.get(thumbnail_key(group.id, stored)) if stored and stored == file_name else None
    if data is None or stored is None:
        raise NotFound("Resource not found", [f"'{file_name}' is not a file of this group."], code=404)
    return data, CONTENT_TYPES[PurePosixPath(stored).suffix[1:]]
