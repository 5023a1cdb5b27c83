"""Invitations and join requests (sharing-api.md §5.5, §4.10): a manager invites users, who
accept or decline themselves; a user asks to join, and a manager accepts or declines.

Where the spec is silent, geoshare decides:
* invite: the invitees are users of the group's organization, or users of other organizations
  whose profile is public (an invitation is how other organizations' users come in, and naming
  a user nobody outside may see must not reveal them).  Any other name fails the whole call,
  naming the users, and nothing is invited: REST JS sends batches of 25 and reports a failed
  batch as `success: false` with its error.  Existing members and users already holding an
  unexpired invitation are skipped without error.
* accepting an invitation needs no sight of the group: the invitation is the permission.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from geoshare.domain import groups
from geoshare.domain.group_membership import ASSIGN, OWN_ORG_ONLY, add_checked, notify, too_many
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.domain.users import acting_on
from geoshare.errors import InvalidParameter, NotFound
from geoshare.storage import group_members as member_store
from geoshare.storage import groups as group_store
from geoshare.storage import invitations as invitation_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Group, Invitation, User

INVITE_FAILED = "Unable to invite users to the group."
EXPIRATIONS = (1440, 4320, 10080, 20160)  # minutes
ROLES = {"group_member": "member", "group_admin": "admin"}
INVITATION_MISSING = "Invitation does not exist or is inaccessible."
APPLICATION_MISSING = "Application does not exist or is inaccessible."


def new_invitation_id() -> str:
    return "G" + new_id()


# ------------------------------------------------------------------ invite
async def invite(svc: Services, viewer: Principal, group_id: str, usernames: list[str], role: str,
                 expiration: int) -> dict[str, Any]:
    """POST community/groups/{id}/invite: an invitation and a notification for each new invitee."""
    too_many(INVITE_FAILED, usernames)
    if role not in ROLES:
        raise InvalidParameter(INVITE_FAILED, ["'role' must be one of: group_member, group_admin."])
    if expiration not in EXPIRATIONS:
        raise InvalidParameter(INVITE_FAILED, ["'expiration' must be one of: 1440, 4320, 10080, 20160 (minutes)."])
    assert viewer.user is not None  # pragma: no mutate (the table admits signed-in callers only)
    sender, now = viewer.user, svc.clock.now_ms()

    def change(conn: Connection) -> None:
        # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
        found = groups.seen(conn, viewer, group_id, lock=True)  # pragma: no mutate
        groups.require_manager(viewer, found, ASSIGN)
        invitees = _invitees(conn, found.group, usernames)
        rows = [Invitation(id=new_invitation_id(), user_id=u.id, target_type="group", target_id=found.group.id,
                           from_user_id=sender.id, role=role, must_approve=False, email=None, created=now,
                           expiration=now + expiration * 60_000) for u in _new_invitees(conn, found.group, invitees, now)]
        member_store.insert_invitations(conn, rows)
        for row in rows:
            notify(conn, [row.user_id], "group_invite", found.group, now, invitationId=row.id,
                   fromUser=sender.username, role=role)

    await svc.db.write(change)
    return {"success": True, "groupId": group_id.lower()}


def _invitees(conn: Connection, group: Group, usernames: list[str]) -> list[User]:
    if not usernames:
        raise InvalidParameter(INVITE_FAILED, ["'users' must be specified."])
    known = member_store.users_by_names(conn, usernames)
    usable = {k: u for k, u in known.items() if u.org_id == group.org_id or u.access == "public"}
    unknown = sorted({n.lower() for n in usernames} - set(usable))
    if unknown:
        raise InvalidParameter(INVITE_FAILED, [f"These users do not exist or are inaccessible: {', '.join(unknown)}."])
    outside = sorted(k for k, u in usable.items() if u.org_id != group.org_id)
    if outside and group.membership_access in OWN_ORG_ONLY:
        raise InvalidParameter(INVITE_FAILED, [
            f"This group takes members of its own organization only: {', '.join(outside)}."])
    return list(usable.values())


def _new_invitees(conn: Connection, group: Group, invitees: list[User], now: int) -> list[User]:
    ids = [u.id for u in invitees]
    skip = set(group_store.member_types(conn, group.id, ids)) | member_store.invited_user_ids(conn, group.id, ids, now)
    # Sorted so a call writes its rows in a stable order; no reader sees that order.
    return sorted((u for u in invitees if u.id not in skip), key=lambda u: u.username.lower())  # pragma: no mutate


# ------------------------------------------------------------------ the invitee answers
async def accept_invitation(svc: Services, viewer: Principal, name_or_id: str, invitation_id: str) -> dict[str, Any]:
    """POST community/users/{u}/invitations/{id}/accept: join with the invited role."""
    target = await acting_on(svc, viewer, name_or_id, None)
    user, now = target.user, svc.clock.now_ms()

    def change(conn: Connection) -> Invitation:
        found = _invitation(conn, user, invitation_id, now)
        group = group_store.lock_group(conn, found.target_id)
        if group is None:
            raise NotFound(groups.GROUP_MISSING)
        if group_store.member_type(conn, group.id, user.id) is None:
            # invite writes only the roles of ROLES; the default guards a row written by hand.
            add_checked(conn, group, user, ROLES.get(found.role, "member"), now)  # pragma: no mutate
        member_store.delete_invitation(conn, found.id)
        return found

    found = await svc.db.write(change)
    return {"success": True, "username": user.username, "groupId": found.target_id, "id": found.id}


async def decline_invitation(svc: Services, viewer: Principal, name_or_id: str, invitation_id: str) -> dict[str, Any]:
    """POST community/users/{u}/invitations/{id}/decline: drop it and tell the inviter."""
    target = await acting_on(svc, viewer, name_or_id, None)
    user, now = target.user, svc.clock.now_ms()

    def change(conn: Connection) -> Invitation:
        found = _invitation(conn, user, invitation_id, now)
        member_store.delete_invitation(conn, found.id)
        group = group_store.group_by_id(conn, found.target_id)
        if group is not None and found.from_user_id:
            notify(conn, [found.from_user_id], "group_invite_declined", group, now, username=user.username)
        return found

    found = await svc.db.write(change)
    return {"success": True, "username": user.username, "groupId": found.target_id, "id": found.id}


def _invitation(conn: Connection, user: User, invitation_id: str, now: int) -> Invitation:
    found = invitation_store.invitation_by_id(conn, user.id, invitation_id, now)
    if found is None or found.target_type != "group":
        raise NotFound(INVITATION_MISSING, code=404)
    return found


# ------------------------------------------------------------------ join requests
def _application_document(user: User, received: int) -> dict[str, Any]:
    return {"username": user.username, "fullName": user.full_name, "received": received}


async def list_applications(svc: Services, viewer: Principal, group_id: str) -> dict[str, Any]:
    """GET community/groups/{id}/applications: pending requests, oldest first."""

    def load(conn: Connection) -> list[dict[str, Any]]:
        found = groups.seen(conn, viewer, group_id)
        groups.require_manager(viewer, found, ASSIGN)
        return [_application_document(u, r) for u, r in member_store.applications(conn, found.group.id)]

    return {"applications": await svc.db.read(load)}


def _applicant(conn: Connection, group: Group, username: str) -> tuple[User, int]:
    user = user_store.user_by_username(conn, username)
    received = member_store.application_received(conn, group.id, user.id) if user else None
    if user is None or received is None:
        raise NotFound(APPLICATION_MISSING)
    return user, received


async def get_application(svc: Services, viewer: Principal, group_id: str, username: str) -> dict[str, Any]:
    """GET community/groups/{id}/applications/{u}."""

    def load(conn: Connection) -> dict[str, Any]:
        found = groups.seen(conn, viewer, group_id)
        groups.require_manager(viewer, found, ASSIGN)
        return _application_document(*_applicant(conn, found.group, username))

    return await svc.db.read(load)


async def answer_application(svc: Services, viewer: Principal, group_id: str, username: str,
                             accept: bool) -> dict[str, Any]:
    """POST community/groups/{id}/applications/{u}/accept (adds the member) or /decline; the
    applicant is notified either way."""
    now = svc.clock.now_ms()

    def change(conn: Connection) -> str:
        # The row lock shows only under concurrent writers on PostgreSQL, never in one process.
        found = groups.seen(conn, viewer, group_id, lock=True)  # pragma: no mutate
        groups.require_manager(viewer, found, ASSIGN)
        user, _ = _applicant(conn, found.group, username)
        member_store.delete_application(conn, found.group.id, user.id)
        if accept:
            add_checked(conn, found.group, user, "member", now)
        notify(conn, [user.id], "group_join" if accept else "group_join_declined", found.group, now)
        return user.username

    return {"success": True, "username": await svc.db.write(change)}
