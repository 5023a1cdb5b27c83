"""The identity-store operations of portaladmin `security/users` (portal-admin-api.md §3.4).

geoshare's identity store is its built-in one, so the "enterprise users" these operations look
up are the members of the caller's organization; only `updateEnterpriseUser` is limited to
accounts whose provider is `enterprise`.  Another organization's members are as unknown here
as names nobody has.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Connection

from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import InvalidParameter, NotFound
from geoshare.logsafe import printable
from geoshare.storage import members as member_store
from geoshare.storage import users as user_store
from geoshare.storage.records import User

log = logging.getLogger("geoshare.members")

MAX_IDP_USERNAME = 255


def _org_of(viewer: Principal) -> str:
    assert viewer.user is not None
    return viewer.user.org_id


def _summary(user: User) -> dict[str, Any]:
    return {"username": user.username, "fullname": user.full_name, "description": user.description,
            "email": user.email}


def _member(conn: Connection, org_id: str, username: str) -> User:
    user = user_store.user_by_username(conn, username)
    if user is None or user.org_id != org_id:
        raise NotFound("User does not exist or is inaccessible.")
    return user


async def registered_members(svc: Services, viewer: Principal) -> dict[str, int]:
    """GET security/users."""
    return {"currentRegisteredMembers": await svc.db.read(user_store.count_users, _org_of(viewer))}


async def get_enterprise_user(svc: Services, viewer: Principal, username: str) -> dict[str, Any]:
    """POST security/users/getEnterpriseUser."""
    return _summary(await svc.db.read(_member, _org_of(viewer), username))


async def search_enterprise_users(svc: Services, viewer: Principal, needle: str | None,
                                  max_count: int) -> dict[str, Any]:
    """security/users/searchEnterpriseUsers: a case-insensitive substring of the username, full
    name or e-mail (nothing = everyone), by username, at most `max_count`."""
    found = await svc.db.read(member_store.search_org_users, _org_of(viewer), (needle or "").strip(), max_count + 1)
    return {"users": [_summary(u) for u in found[:max_count]], "hasMore": len(found) > max_count}


async def update_enterprise_user(svc: Services, viewer: Principal, username: str, idp_username: str) -> dict[str, Any]:
    """POST security/users/updateEnterpriseUser: the login name an enterprise account signs in with."""
    text = idp_username.strip()
    if len(text) > MAX_IDP_USERNAME or not text.isprintable():
        raise InvalidParameter("Unable to update user.",
                               [f"'idpUsername' must be printable text of at most {MAX_IDP_USERNAME} characters."])
    org_id = _org_of(viewer)
    now = svc.clock.now_ms()

    def change(conn: Connection) -> None:
        user = _member(conn, org_id, username)
        if user.provider != "enterprise":
            raise InvalidParameter("Unable to update user.", [f"'{user.username}' is not an enterprise account."])
        user_store.update_user(conn, user.id, idp_username=text, modified=now)

    await svc.db.write(change)
    log.info("idpUsername of %s changed by %s", printable(username, 120), viewer.username)
    return {"status": "success"}


def refresh_membership(users: list[str]) -> dict[str, Any]:
    """POST security/users/refreshMembership: only meaningful with enterprise groups, which
    geoshare's built-in store does not have."""
    raise InvalidParameter("Enterprise groups are not configured.",
                           ["Membership can only be refreshed from an enterprise group store."])
