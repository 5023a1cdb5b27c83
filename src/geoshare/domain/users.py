"""User operations (sharing-api.md §4.3-4.5, §4.10): read a profile, update it, delete,
reassign, disable, enable and unlock a member, and the user's tags, properties and thumbnail.

Who may act on whom is decided here.  A user may act on themselves; an administrator holding the
operation's privilege may act on members of their own organization only.  Anyone else is refused
with 403 when the profile is visible to them, and with the same "does not exist or is
inaccessible" as a missing user when it is not, so a refusal never reveals a hidden user.

Items and groups do not exist yet, but deleting a user must be refused while they own some, and
`reassign` must move them.  The *ownership registry* below is where later modules plug in: each
registers a `Holding` (how to count and how to reassign what a user owns) and a tag source (the
tags of the user's items).  The content listing `content/users/{u}` is domain/user_content.py.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import Connection

from geoshare.domain import privileges as privs
from geoshare.domain.portal import groups_of, user_document, user_view
from geoshare.domain.principal import Principal
from geoshare.domain.services import Services
from geoshare.errors import Forbidden, InvalidParameter, NotFound
from geoshare.storage import orgs as org_store
from geoshare.storage import roles as role_store
from geoshare.storage import tokens as token_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Org, User

log = logging.getLogger("geoshare.users")
USER_MISSING = "User does not exist or is inaccessible."
MAX_PROPERTIES_CHARS = 64 * 1024
DEFAULT_PROPERTIES: dict[str, Any] = {"landingPage": {"url": ""}, "mapViewer": "modern"}


# ------------------------------------------------------------------ the ownership registry
@dataclass(frozen=True)
class Holding:
    """Something a user can own (items, groups): `count(conn, user_id)` how many they own, and
    `reassign(conn, from_user, to_user, now)` to move all of it inside the caller's transaction."""

    noun: str
    count: Callable[[Connection, str], int]
    reassign: Callable[[Connection, User, User, int], None]


TagSource = Callable[[Connection, str], dict[str, int]]  # user id -> {tag: number of the user's things}
HOLDINGS: list[Holding] = []
TAG_SOURCES: list[TagSource] = []


def register_holding(holding: Holding) -> None:
    HOLDINGS.append(holding)


def register_tag_source(source: TagSource) -> None:
    TAG_SOURCES.append(source)


def owned(conn: Connection, user_id: str) -> dict[str, int]:
    """What `user_id` owns, by noun, leaving out nouns they own none of."""
    counts = {holding.noun: holding.count(conn, user_id) for holding in HOLDINGS}
    return {noun: n for noun, n in counts.items() if n}


# ------------------------------------------------------------------ finding a user
@dataclass(frozen=True)
class Target:
    """A user someone acts on, with their organization and their custom role's privileges."""

    user: User
    org: Org
    role_privileges: tuple[str, ...] | None

    @property
    def privileges(self) -> list[str]:
        return privs.privileges_for(self.user.role, self.user.role_id, self.role_privileges)


MAX_NAME_CHARS = 128  # the users.username column


def load_target(conn: Connection, name_or_id: str) -> Target | None:
    """A user by username, or by 32-hex id (the Python client fetches search hits by id)."""
    user = user_store.user_by_username(conn, name_or_id)
    if user is None and len(name_or_id) == 32:
        user = user_store.user_by_id(conn, name_or_id)
    if user is None:
        return None
    org = org_store.org_by_id(conn, user.org_id)
    assert org is not None  # pragma: no mutate (users.org_id references orgs)
    # no mutate: a built-in role id finds no custom role row either, so the condition only saves a query
    role = role_store.role_by_id(conn, user.org_id, user.role_id) if user.role_id else None  # pragma: no mutate
    return Target(user, org, role.privileges if role else None)


def missing() -> NotFound:
    return NotFound(USER_MISSING)


def view_of(target: Target, viewer: Principal) -> dict[str, Any] | None:
    return user_view(target.user, target.org, viewer, target.role_privileges)


async def get_user(svc: Services, viewer: Principal, name_or_id: str) -> dict[str, Any]:
    """GET community/users/{u}: the profile as `viewer` may see it (§4.3, §8.4).  The record is
    read through the cache the token lookup uses (any commit drops it): profile reads are the
    Python client's most frequent call, one per search result."""
    if len(name_or_id) > MAX_NAME_CHARS:  # no such user; never a cache entry
        raise missing()
    key = ("user", name_or_id.lower())  # pragma: no mutate - a cache key: any value unlike the others does
    target = await svc.db.read_cached(key, load_target, name_or_id)
    view = view_of(target, viewer) if target is not None else None
    if view is None:
        raise missing()
    if "groups" in view:  # the full view: the user or an administrator (§4.1)
        assert target is not None  # pragma: no mutate (a view exists only for a target)
        view["groups"] = await svc.db.read(groups_of, target.user)
    return view


async def self_document(svc: Services, viewer: Principal) -> dict[str, Any]:
    """GET community/self (§4.2): the caller's full user object, with the groups they belong to."""
    assert viewer.user is not None and viewer.org is not None  # pragma: no mutate (the table admits users only)
    doc = user_document(viewer.user, viewer.org, viewer.role_privileges)
    doc["groups"] = await svc.db.read(groups_of, viewer.user)
    return doc


def is_self(viewer: Principal, user: User) -> bool:
    return viewer.user is not None and viewer.user.id == user.id


def refuse(target: Target, viewer: Principal) -> Forbidden | NotFound:
    """403 for a profile the caller can see, the missing-user error for one it cannot."""
    return Forbidden() if view_of(target, viewer) is not None else missing()


async def acting_on(svc: Services, viewer: Principal, name_or_id: str, privilege: str | None) -> Target:
    """The user `viewer` may act on: themselves, or a member of their own organization when they
    hold `privilege` (None: nobody but the user).  Operations that may not be used on oneself
    (delete, disable) refuse that afterwards, with a message saying so."""
    target = await svc.db.read(load_target, name_or_id)
    if target is None:
        raise missing()
    if is_self(viewer, target.user):
        return target
    if privilege is not None and viewer.admin_of(target.user.org_id, privilege):
        return target
    raise refuse(target, viewer)


# ------------------------------------------------------------------ delete, reassign, disable, enable, unlock
def _is_last_full_admin(conn: Connection, target: Target) -> bool:
    """Whether `target` is a full administrator and no other enabled one is left.  A disabled
    one counts too: deleting it would leave nobody who could ever enable an administrator."""
    if not privs.is_full_admin(target.privileges):
        return False
    custom = role_store.privileges_by_role(conn, target.user.org_id)
    for other in user_store.possible_admins(conn, target.user.org_id):
        # no mutate: any key that is no role id finds nothing, as a missing role id must
        held = privs.privileges_for(other.role, other.role_id, custom.get(other.role_id or ""))  # pragma: no mutate
        if other.id != target.user.id and privs.is_full_admin(held):
            return False
    return True


def _refuse_self_and_last_admin(conn: Connection, viewer: Principal, target: Target, verb: str) -> None:
    if is_self(viewer, target.user):
        raise InvalidParameter(f"Unable to {verb} user.", [f"You cannot {verb} your own account."])
    if _is_last_full_admin(conn, target):
        raise InvalidParameter(f"Unable to {verb} user.", [
            f"'{target.user.username}' is the last administrator of the organization."])


async def delete_user(svc: Services, viewer: Principal, name_or_id: str) -> dict[str, Any]:
    """POST community/users/{u}/delete (§4.5): never yourself, the last full administrator, or
    a user who still owns something.  Tokens, notifications, invitations and password history
    go with the row."""
    target = await acting_on(svc, viewer, name_or_id, "portal:admin:deleteUsers")

    def remove(conn: Connection) -> None:
        _refuse_self_and_last_admin(conn, viewer, target, "delete")
        holdings = owned(conn, target.user.id)
        if holdings:
            raise InvalidParameter("Unable to delete user.", [
                f"'{target.user.username}' owns {', '.join(f'{n} {noun}' for noun, n in holdings.items())}: "
                "reassign or delete them first."])
        if not user_store.delete_user(conn, target.user.id):
            raise missing()

    await svc.db.write(remove)
    if target.user.thumbnail:
        await svc.blobs.delete(thumbnail_key(target.user.id, target.user.thumbnail))
    log.info("user %s deleted by %s", target.user.username, viewer.username)
    return {"success": True, "username": target.user.username}


async def reassign_user(svc: Services, viewer: Principal, name_or_id: str, target_username: str) -> dict[str, Any]:
    """POST community/users/{u}/reassign (§4.5): move everything the user owns to
    `targetUsername`, an enabled member of the same organization."""
    source = await acting_on(svc, viewer, name_or_id, "portal:admin:reassignItems")
    receiver = await svc.db.read(user_store.user_by_username, target_username)
    problem = _receiver_problem(source.user, receiver)
    if problem:
        raise InvalidParameter("Unable to reassign user content.", [problem])
    assert receiver is not None
    now = svc.clock.now_ms()

    def move(conn: Connection) -> None:
        for holding in HOLDINGS:
            holding.reassign(conn, source.user, receiver, now)

    await svc.db.write(move)
    log.info("content of %s reassigned to %s by %s", source.user.username, receiver.username, viewer.username)
    return {"success": True}


def _receiver_problem(source: User, receiver: User | None) -> str | None:
    if receiver is None or receiver.org_id != source.org_id:
        return "'targetUsername' must name a member of the same organization."
    if receiver.id == source.id:
        return "'targetUsername' must name another user."
    if receiver.disabled:
        return "'targetUsername' names a disabled account."
    return None


async def set_disabled(svc: Services, viewer: Principal, name_or_id: str, disabled: bool) -> dict[str, Any]:
    """POST community/users/{u}/disable and /enable (§4.5).  Disabling revokes every token of
    the user, so nothing they were issued works again after a later enable."""
    target = await acting_on(svc, viewer, name_or_id, "portal:admin:disableUsers")
    now = svc.clock.now_ms()

    def change(conn: Connection) -> None:
        if disabled and not target.user.disabled:  # disabling a disabled account again changes nothing
            _refuse_self_and_last_admin(conn, viewer, target, "disable")
            token_store.revoke_user_tokens(conn, target.user.id)
        user_store.update_user(conn, target.user.id, disabled=disabled, modified=now)

    await svc.db.write(change)
    log.info("user %s %s by %s", target.user.username, "disabled" if disabled else "enabled", viewer.username)
    return {"success": True}


async def unlock_user(svc: Services, viewer: Principal, name_or_id: str) -> dict[str, Any]:
    """POST community/users/{u}/unlock (geoshare, §4.5): lift a sign-in lockout now.  The lock's
    end is set to now rather than deleted, so the failures that caused it stop counting too."""
    target = await acting_on(svc, viewer, name_or_id, "portal:admin:updateUsers")
    now = svc.clock.now_ms()
    await svc.db.write(token_store.set_locked_until, target.user.username.lower(), now)
    log.info("user %s unlocked by %s", target.user.username, viewer.username)
    return {"success": True, "username": target.user.username}


# ------------------------------------------------------------------ tags, properties, thumbnail
async def user_tags(svc: Services, viewer: Principal, name_or_id: str) -> dict[str, Any]:
    """GET community/users/{u}/tags: the tags of the user's things with their counts."""
    target = await acting_on(svc, viewer, name_or_id, "portal:admin:viewUsers")

    def collect(conn: Connection) -> dict[str, int]:
        counts: dict[str, int] = {}
        for source in TAG_SOURCES:
            for tag, n in source(conn, target.user.id).items():
                counts[tag] = counts.get(tag, 0) + n
        return counts

    counts = await svc.db.read(collect)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0].lower(), kv[0]))
    return {"tags": [{"tag": tag, "count": n} for tag, n in ordered]}


async def user_properties(svc: Services, viewer: Principal, name_or_id: str) -> dict[str, Any]:
    """GET community/users/{u}/properties: the stored object over the portal's defaults."""
    target = await acting_on(svc, viewer, name_or_id, "portal:admin:updateUsers")
    return {"properties": {**DEFAULT_PROPERTIES, **target.user.properties}}


async def set_properties(svc: Services, viewer: Principal, name_or_id: str, properties: Any) -> dict[str, Any]:
    """POST community/users/{u}/setProperties: replace the stored object."""
    target = await acting_on(svc, viewer, name_or_id, "portal:admin:updateUsers")
    if not isinstance(properties, dict):
        raise InvalidParameter("Unable to set user properties.", ["'properties' must be a JSON object."])
    if len(json.dumps(properties)) > MAX_PROPERTIES_CHARS:
        raise InvalidParameter("Unable to set user properties.", [
            f"'properties' is larger than {MAX_PROPERTIES_CHARS} characters as JSON."])
    now = svc.clock.now_ms()
    await svc.db.write(lambda conn: user_store.update_user(conn, target.user.id, properties=properties,
                                                           modified=now))
    return {"success": True}


CONTENT_TYPES = {"png": "image/png", "gif": "image/gif", "jpg": "image/jpeg"}


def thumbnail_key(user_id: str, file_name: str) -> str:
    return f"users/{user_id}/{file_name}"


async def user_info_file(svc: Services, viewer: Principal, name_or_id: str, file_name: str) -> tuple[bytes, str]:
    """GET community/users/{u}/info/{file}: the thumbnail's bytes and type, for whoever may
    see the profile; a file the user does not have is a 404."""
    target = await svc.db.read(load_target, name_or_id)
    if target is None or view_of(target, viewer) is None:
        raise missing()
    stored = target.user.thumbnail
    data = await svc.blobs.get(thumbnail_key(target.user.id, stored)) if stored == file_name else None
    if data is None or stored is None:
        raise NotFound("Resource not found", [f"'{file_name}' is not a file of this user."], code=404)
    return data, CONTENT_TYPES[PurePosixPath(stored).suffix[1:]]
