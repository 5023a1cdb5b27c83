"""A user's inbox (sharing-api.md §4.10, §3.7): notifications and group invitations, and the
organization-wide `createNotification` by which administrators write to members.

Only the user reads their own notifications and invitations; administrators do not, because
these are the user's messages, not their profile.  geoshare sends no e-mail or push messages:
whichever `notificationChannelType` is asked for, the message lands in the built-in inbox.

Group managers write invitations (domain/group_invitations.py, which also accepts and declines
them for the user); the group work registers how an invitation's group is described
(`set_group_describer`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import portal, sanitize
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services, new_id
from geoshare.domain.users import acting_on
from geoshare.errors import Forbidden, InvalidParameter, NotFound
from geoshare.storage import invitations as invitation_store
from geoshare.storage import notifications as notification_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Invitation, Notification, User

log = logging.getLogger("geoshare.users")
MAX_NOTIFICATIONS = 1000  # the newest ones are listed
MAX_RECIPIENTS = 1000
# Sending a message to members is an act on members: it needs seeing them and changing what they see.
CREATE_NOTIFICATION = ("portal:admin:viewUsers", "portal:admin:updateUsers")
GroupDescriber = Callable[[Connection, str], dict[str, Any]]


def _group_id_only(conn: Connection, group_id: str) -> dict[str, Any]:
    return {"id": group_id}


_describe_group: list[GroupDescriber] = [_group_id_only]


def set_group_describer(describer: GroupDescriber) -> None:
    """The group work supplies the group object embedded in an invitation."""
    _describe_group[0] = describer


# ------------------------------------------------------------------ notifications
def notification_document(note: Notification) -> dict[str, Any]:
    return {"id": note.id, "type": note.type, "target": note.target, "targetType": note.target_type,
            "received": note.received, "data": note.data}


async def list_notifications(svc: Services, viewer: Principal, name_or_id: str) -> dict[str, Any]:
    """GET community/users/{u}/notifications: the user's own, newest first."""
    target = await acting_on(svc, viewer, name_or_id, None)
    notes = await svc.db.read(notification_store.notifications_of, target.user.id, MAX_NOTIFICATIONS)
    return {"notifications": [notification_document(n) for n in notes]}


async def delete_notification(svc: Services, viewer: Principal, name_or_id: str,
                              notification_id: str) -> dict[str, Any]:
    """POST community/users/{u}/notifications/{id}/delete."""
    target = await acting_on(svc, viewer, name_or_id, None)
    if not await svc.db.write(notification_store.delete_notification, target.user.id, notification_id):
        raise NotFound("Notification does not exist or is inaccessible.", [], code=404)
    return {"success": True, "notificationId": notification_id.lower()}


async def create_notification(svc: Services, viewer: Principal, portal_id: str, *, subject: str, message: str,
                              usernames: list[str]) -> dict[str, Any]:
    """POST portals/{portal}/createNotification: a `message_received` notification for each named
    member of the caller's organization."""
    org = await portal.portal_for(svc, viewer, portal_id)
    if not all(viewer.admin_of(org.id, privilege) for privilege in CREATE_NOTIFICATION):
        raise Forbidden()
    recipients = await _recipients(svc, org.id, usernames)
    data = {"fromUser": viewer.username, "subject": _plain("subject", subject),
            "message": _plain("message", message)}
    now = svc.clock.now_ms()
    rows = [Notification(id=new_id(), user_id=user.id, type="message_received", target=user.username,
                         target_type="user", received=now, data=data) for user in recipients]
    await svc.db.write(notification_store.insert_notifications, rows)
    log.info("%s sent a notification to %d members", viewer.username, len(rows))
    return {"success": True}


def _plain(name: str, text: str) -> str:
    cleaned = (sanitize.plain_text(text) or "").strip()
    if not cleaned:
        raise InvalidParameter("Unable to create notification.", [f"'{name}' must be specified."])
    return cleaned


async def _recipients(svc: Services, org_id: str, usernames: list[str]) -> list[User]:
    wanted = list(dict.fromkeys(name.lower() for name in usernames))
    if len(wanted) > MAX_RECIPIENTS:
        raise InvalidParameter("Unable to create notification.", [f"'users' names more than {MAX_RECIPIENTS} users."])
    found = await svc.db.read(user_store.users_by_usernames, org_id, wanted)
    unknown = sorted(set(wanted) - {user.username.lower() for user in found})
    if unknown:
        raise InvalidParameter("Unable to create notification.", [
            f"'users' names users who are not members of this organization: {', '.join(unknown)}."])
    return found


# ------------------------------------------------------------------ invitations
def invitation_document(invitation: Invitation, user: User, sender: User | None) -> dict[str, Any]:
    sent_by = {"username": sender.username, "fullname": sender.full_name} if sender else None
    return {"id": invitation.id, "targetType": invitation.target_type, "targetId": invitation.target_id,
            "groupId": invitation.target_id, "received": invitation.created, "created": invitation.created,
            "expiration": invitation.expiration, "accepted": False, "dateAccepted": -1,
            "mustApprove": invitation.must_approve, "email": invitation.email, "role": invitation.role,
            "type": "user", "username": user.username, "fromUsername": sent_by}


def _with_senders(conn: Connection, user: User, found: list[Invitation]) -> list[dict[str, Any]]:
    senders = {i.from_user_id: user_store.user_by_id(conn, i.from_user_id) for i in found if i.from_user_id}
    return [invitation_document(i, user, senders.get(i.from_user_id or "")) for i in found]


async def list_invitations(svc: Services, viewer: Principal, name_or_id: str) -> dict[str, Any]:
    """GET community/users/{u}/invitations: the user's unexpired invitations."""
    target = await acting_on(svc, viewer, name_or_id, None)
    now = svc.clock.now_ms()

    def load(conn: Connection) -> list[dict[str, Any]]:
        return _with_senders(conn, target.user, invitation_store.invitations_of(conn, target.user.id, now))

    return {"userInvitations": await svc.db.read(load)}


async def get_invitation(svc: Services, viewer: Principal, name_or_id: str, invitation_id: str) -> dict[str, Any]:
    """GET community/users/{u}/invitations/{id}: one invitation with its group."""
    target = await acting_on(svc, viewer, name_or_id, None)
    now = svc.clock.now_ms()

    def load(conn: Connection) -> dict[str, Any] | None:
        found = invitation_store.invitation_by_id(conn, target.user.id, invitation_id, now)
        if found is None:
            return None
        return {**_with_senders(conn, target.user, [found])[0], "group": _describe_group[0](conn, found.target_id)}

    document = await svc.db.read(load)
    if document is None:
        raise NotFound("Invitation does not exist or is inaccessible.", [], code=404)
    return document
