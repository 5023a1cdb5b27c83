"""Authorization-matrix rows for the users operations (see test_authorization_matrix.py).

Written from sharing-api.md §4.3-4.5, §4.10, §6.2 and §3.7: who may act on the member `m_user`
(public profile, default organization).  The user acts on themselves; administrators of the
default organization act with the privilege each operation names; the administrator of the
other organization sees m_user's public profile but holds no power over it (403).  The custom
role (Viewer + portal:admin:viewUsers) is admitted exactly where viewUsers is what is asked:
the user's tags.  Operations that remove or toggle a user act on a target of their own, made
again before each call.
"""

from __future__ import annotations

from typing import Any

import httpx

from geoshare.storage import invitations as invitation_store
from geoshare.storage import notifications as notification_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Invitation, Notification
from tests.api.matrix_support import (
    ADMINISTRATOR,
    CUSTOM_VIEW_USERS,
    EVERYONE,
    USER,
    Call,
    World,
    _fixed,
    _none,
    body_has,
    body_is,
)
from tests.conftest import DEFAULT_ORG, image_bytes, make_user

PNG = image_bytes()
NOTIFICATION_ID = "0123456789abcdef0123456789abcdef"
INVITATION_ID = "G" + "fedcba9876543210fedcba9876543210"
GROUP_ID = "00112233445566778899aabbccddeeff"
YEAR_MS = 365 * 86_400_000

SELF_AND_ADMIN = frozenset({USER, ADMINISTRATOR})
SELF_ONLY = frozenset({USER})
ADMIN_ONLY = frozenset({ADMINISTRATOR})


async def _member(world: World, username: str) -> Any:
    """A public-profile member of the default organization, made when it does not exist (again)."""
    user = await world.svc.db.read(user_store.user_by_username, username)
    return user or await make_user(world.svc, username, access="public")


def _target(username: str, **extra: Any) -> Any:
    async def params(world: World) -> dict[str, Any]:
        await _member(world, username)
        return dict(extra)
    return params


async def _thumbnail(world: World) -> dict[str, Any]:
    user = await _member(world, "m_user")
    await world.svc.blobs.put(f"users/{user.id}/matrix.png", PNG)
    await world.svc.db.write(lambda conn: user_store.update_user(conn, user.id, thumbnail="matrix.png"))
    return {}


async def _notification(world: World) -> dict[str, Any]:
    user = await _member(world, "m_user")

    def ensure(conn: Any) -> None:
        if not any(n.id == NOTIFICATION_ID for n in notification_store.notifications_of(conn, user.id, 100)):
            notification_store.insert_notifications(conn, [Notification(
                id=NOTIFICATION_ID, user_id=user.id, type="message_received", target="m_user", target_type="user",
                received=world.svc.clock.now_ms(), data={"fromUser": "admin", "subject": "s", "message": "m"})])

    await world.svc.db.write(ensure)
    return {}


async def _invitation(world: World) -> dict[str, Any]:
    user = await _member(world, "m_user")
    now = world.svc.clock.now_ms()

    def ensure(conn: Any) -> None:
        if invitation_store.invitation_by_id(conn, user.id, INVITATION_ID, now) is None:
            invitation_store.insert_invitation(conn, Invitation(
                id=INVITATION_ID, user_id=user.id, target_type="group", target_id=GROUP_ID, from_user_id=None,
                role="group_member", must_approve=False, email=None, created=now, expiration=now + YEAR_MS))

    await world.svc.db.write(ensure)
    return {}


def _thumbnail_bytes(response: httpx.Response, world: World, who: str) -> None:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG


EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", "community/users/{user}/update"): SELF_AND_ADMIN,
    ("sharing", "community/users/{user}/delete"): ADMIN_ONLY,
    ("sharing", "community/users/{user}/reassign"): ADMIN_ONLY,
    ("sharing", "community/users/{user}/disable"): ADMIN_ONLY,
    ("sharing", "community/users/{user}/enable"): ADMIN_ONLY,
    ("sharing", "community/users/{user}/unlock"): ADMIN_ONLY,
    ("sharing", "community/users/{user}/tags"): frozenset({USER, ADMINISTRATOR, CUSTOM_VIEW_USERS}),
    ("sharing", "community/users/{user}/properties"): SELF_AND_ADMIN,
    ("sharing", "community/users/{user}/setProperties"): SELF_AND_ADMIN,
    ("sharing", "community/users/{user}/info/{file}"): EVERYONE,
    ("sharing", "community/users/{user}/notifications"): SELF_ONLY,
    ("sharing", "community/users/{user}/notifications/{notification}/delete"): SELF_ONLY,
    ("sharing", "community/users/{user}/invitations"): SELF_ONLY,
    ("sharing", "community/users/{user}/invitations/{invitation}"): SELF_ONLY,
    ("sharing", "portals/{portal}/createNotification"): ADMIN_ONLY,
    ("sharing", "content/users/{user}"): SELF_AND_ADMIN,
}

M_USER = {"user": "m_user"}
CALLS: dict[tuple[str, str], Call] = {
    ("sharing", "community/users/{user}/update"): Call("POST", M_USER, _fixed(description="<b>matrix</b>"),
                                                      body_is({"success": True, "username": "m_user"})),
    ("sharing", "community/users/{user}/delete"): Call("POST", {"user": "m_delete_me"}, _target("m_delete_me"),
                                                      body_is({"success": True, "username": "m_delete_me"})),
    ("sharing", "community/users/{user}/reassign"): Call("POST", M_USER, _fixed(targetUsername="m_publisher"),
                                                        body_is({"success": True})),
    ("sharing", "community/users/{user}/disable"): Call("POST", {"user": "m_disable_me"}, _target("m_disable_me"),
                                                       body_is({"success": True})),
    ("sharing", "community/users/{user}/enable"): Call("POST", {"user": "m_enable_me"}, _target("m_enable_me"),
                                                      body_is({"success": True})),
    ("sharing", "community/users/{user}/unlock"): Call("POST", M_USER, _none,
                                                      body_is({"success": True, "username": "m_user"})),
    ("sharing", "community/users/{user}/tags"): Call("GET", M_USER, _none, body_is({"tags": []})),
    ("sharing", "community/users/{user}/properties"): Call("GET", M_USER, _none, body_has(
        lambda b, w, who: b["properties"]["landingPage"] == {"url": ""} and b["properties"]["mapViewer"] == "modern")),
    ("sharing", "community/users/{user}/setProperties"): Call("POST", M_USER, _fixed(properties='{"mapViewer": "x"}'),
                                                             body_is({"success": True})),
    ("sharing", "community/users/{user}/info/{file}"): Call("GET", {"user": "m_user", "file": "matrix.png"},
                                                           _thumbnail, _thumbnail_bytes, html=False),
    ("sharing", "community/users/{user}/notifications"): Call("GET", M_USER, _notification, body_has(
        lambda b, w, who: NOTIFICATION_ID in [n["id"] for n in b["notifications"]])),
    ("sharing", "community/users/{user}/notifications/{notification}/delete"): Call(
        "POST", {"user": "m_user", "notification": NOTIFICATION_ID}, _notification,
        body_is({"success": True, "notificationId": NOTIFICATION_ID})),
    ("sharing", "community/users/{user}/invitations"): Call("GET", M_USER, _invitation, body_has(
        lambda b, w, who: [i["id"] for i in b["userInvitations"]] == [INVITATION_ID])),
    ("sharing", "community/users/{user}/invitations/{invitation}"): Call(
        "GET", {"user": "m_user", "invitation": INVITATION_ID}, _invitation, body_has(
            lambda b, w, who: b["id"] == INVITATION_ID and b["group"]["id"] == GROUP_ID and b["username"] == "m_user")),
    ("sharing", "portals/{portal}/createNotification"): Call(
        "POST", {"portal": DEFAULT_ORG}, _fixed(subject="Matrix", message="Hello", users="m_user"),
        body_is({"success": True})),
    ("sharing", "content/users/{user}"): Call("GET", M_USER, _none, body_is({
        "username": "m_user", "total": 0, "start": 1, "num": 10, "nextStart": -1, "currentFolder": None,
        "items": [], "folders": []})),
}
