"""Authorization-matrix rows for group membership (sharing-api.md §5.5, §4.10).

Written by hand from the spec.  Each row works on a public group of its own, owned by a member
who is none of the matrix callers (`m_gowner`), so every caller with a token sees the group and
none of them manages it except through privileges: the organization's Administrator (holding
portal:admin:assignToGroups) is the only caller admitted to the manager operations; the others
see the group and get 403.  Everyone who sees the group lists its members.  Joining needs
portal:user:joinGroup, which every role holds; leaving needs membership, which the row's
parameters give every caller before each call.  Accepting and declining an invitation is for the
invitee alone (m_user).  The parameters of each call restore what the call consumes.
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_support import ADMINISTRATOR, EVERYONE, MEMBERS, USER, USERNAMES, Call, World, body_has
from tests.conftest import make_group, make_user

OWNER, TARGET = "m_gowner", "m_gtarget"
GROUPS = {name: f"{i:02d}".ljust(32, "b") for i, name in enumerate((
    "join", "leave", "invite", "add", "remove", "update", "users", "userlist", "applications", "application",
    "accept", "decline", "inv_accept", "inv_decline"))}
INVITATIONS = {"inv_accept": "G" + "c" * 32, "inv_decline": "G" + "d" * 32}
ADMIN_ONLY = frozenset({ADMINISTRATOR})
SELF_ONLY = frozenset({USER})
PATH = "community/groups/{groupId}"


async def _user(world: World, username: str) -> Any:
    from geoshare.storage import users as user_store

    found = await world.svc.db.read(user_store.user_by_username, username)
    return found or await make_user(world.svc, username)


async def _group(world: World, row: str) -> str:
    """The row's group (made once), owned by m_gowner and public."""
    from geoshare.storage import groups as group_store

    group_id = GROUPS[row]
    if await world.svc.db.read(group_store.group_by_id, group_id) is None:
        await _user(world, OWNER)
        await make_group(world.svc, OWNER, f"Matrix members {row}", access="public", group_id=group_id)
    return group_id


async def _set_member(world: World, group_id: str, username: str, member: bool) -> None:
    from geoshare.storage import groups as group_store

    user = await _user(world, username)

    def write(conn: Any) -> None:
        kind = group_store.member_type(conn, group_id, user.id)
        if member and kind is None:
            group_store.add_member(conn, group_id, user.id, "member", world.svc.clock.now_ms())
        if not member and kind is not None:
            group_store.remove_member(conn, group_id, user.id)

    await world.svc.db.write(write)


async def _apply(world: World, group_id: str, username: str) -> None:
    from geoshare.storage import group_members as member_store

    user = await _user(world, username)
    await _set_member(world, group_id, username, False)
    await world.svc.db.write(lambda conn: member_store.add_application(conn, group_id, user.id,
                                                                        world.svc.clock.now_ms()))


def _params(row: str, **values: Any) -> Any:
    async def params(world: World) -> dict[str, Any]:
        await _group(world, row)
        return dict(values)
    return params


async def _leave(world: World) -> dict[str, Any]:
    group_id = await _group(world, "leave")
    for username in {*USERNAMES.values()} - {"m_disabled"}:
        await _set_member(world, group_id, username, True)
    return {}


async def _add(world: World) -> dict[str, Any]:
    await _set_member(world, await _group(world, "add"), TARGET, False)
    return {"users": TARGET}


async def _remove(world: World) -> dict[str, Any]:
    await _set_member(world, await _group(world, "remove"), TARGET, True)
    return {"users": TARGET}


async def _update(world: World) -> dict[str, Any]:
    await _set_member(world, await _group(world, "update"), TARGET, True)
    return {"admins": TARGET}


def _applied(row: str) -> Any:
    async def params(world: World) -> dict[str, Any]:
        await _apply(world, await _group(world, row), TARGET)
        return {}
    return params


def _invited(row: str) -> Any:
    async def params(world: World) -> dict[str, Any]:
        from geoshare.storage import invitations as invitation_store
        from geoshare.storage.records import Invitation

        group_id = await _group(world, row)
        await _set_member(world, group_id, "m_user", False)
        user, now = await _user(world, "m_user"), world.svc.clock.now_ms()

        def ensure(conn: Any) -> None:
            if invitation_store.invitation_by_id(conn, user.id, INVITATIONS[row], now) is None:
                invitation_store.insert_invitation(conn, Invitation(
                    id=INVITATIONS[row], user_id=user.id, target_type="group", target_id=group_id, from_user_id=None,
                    role="group_member", must_approve=False, email=None, created=now, expiration=now + 3_600_000))

        await world.svc.db.write(ensure)
        return {}
    return params


def _group_answer(row: str) -> Any:
    return body_has(lambda b, w, who: b == {"success": True, "groupId": GROUPS[row]})


def _invitation_answer(row: str) -> Any:
    return body_has(lambda b, w, who: b == {"success": True, "username": "m_user", "groupId": GROUPS[row],
                                            "id": INVITATIONS[row]})


def _key(suffix: str) -> tuple[str, str]:
    return ("sharing", f"{PATH}/{suffix}")


def _at(row: str) -> dict[str, str]:
    return {"groupId": GROUPS[row]}


APPLICATION = "applications/{username}"
INVITATION = "community/users/{user}/invitations/{invitation}"
EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    _key("join"): MEMBERS, _key("leave"): MEMBERS, _key("invite"): ADMIN_ONLY, _key("addUsers"): ADMIN_ONLY,
    _key("removeUsers"): ADMIN_ONLY, _key("updateUsers"): ADMIN_ONLY, _key("users"): EVERYONE,
    _key("userlist"): EVERYONE, _key("applications"): ADMIN_ONLY, _key(APPLICATION): ADMIN_ONLY,
    _key(f"{APPLICATION}/accept"): ADMIN_ONLY, _key(f"{APPLICATION}/decline"): ADMIN_ONLY,
    ("sharing", f"{INVITATION}/accept"): SELF_ONLY, ("sharing", f"{INVITATION}/decline"): SELF_ONLY,
}
CALLS: dict[tuple[str, str], Call] = {
    _key("join"): Call("POST", _at("join"), _params("join"), _group_answer("join")),
    _key("leave"): Call("POST", _at("leave"), _leave, _group_answer("leave")),
    _key("invite"): Call("POST", _at("invite"), _params("invite", users="m_user"), _group_answer("invite")),
    _key("addUsers"): Call("POST", _at("add"), _add, body_has(lambda b, w, who: b == {"notAdded": []})),
    _key("removeUsers"): Call("POST", _at("remove"), _remove, body_has(lambda b, w, who: b == {"notRemoved": []})),
    _key("updateUsers"): Call("POST", _at("update"), _update, body_has(
        lambda b, w, who: b == {"results": [{"username": TARGET, "success": True}]})),
    _key("users"): Call("GET", _at("users"), _params("users"), body_has(
        lambda b, w, who: b == {"owner": OWNER, "admins": [OWNER], "users": []})),
    _key("userlist"): Call("GET", _at("userlist"), _params("userlist"), body_has(
        lambda b, w, who: b["total"] == 1 and b["users"][0]["username"] == OWNER and b["nextStart"] == -1)),
    _key("applications"): Call("GET", _at("applications"), _applied("applications"), body_has(
        lambda b, w, who: [a["username"] for a in b["applications"]] == [TARGET])),
    _key(APPLICATION): Call("GET", {**_at("application"), "username": TARGET}, _applied("application"), body_has(
        lambda b, w, who: b["username"] == TARGET and isinstance(b["received"], int))),
    _key(f"{APPLICATION}/accept"): Call("POST", {**_at("accept"), "username": TARGET}, _applied("accept"), body_has(
        lambda b, w, who: b == {"success": True, "username": TARGET})),
    _key(f"{APPLICATION}/decline"): Call("POST", {**_at("decline"), "username": TARGET}, _applied("decline"),
                                         body_has(lambda b, w, who: b == {"success": True, "username": TARGET})),
    ("sharing", f"{INVITATION}/accept"): Call("POST", {"user": "m_user", "invitation": INVITATIONS["inv_accept"]},
                                              _invited("inv_accept"), _invitation_answer("inv_accept")),
    ("sharing", f"{INVITATION}/decline"): Call("POST", {"user": "m_user", "invitation": INVITATIONS["inv_decline"]},
                                               _invited("inv_decline"), _invitation_answer("inv_decline")),
}
