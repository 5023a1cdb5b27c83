"""delete, reassign, disable, enable and unlock (sharing-api.md §4.5), and the ownership registry
later modules plug into (domain/users.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from geoshare.domain import accounts, privileges, users
from geoshare.domain.services import new_id
from geoshare.storage import invitations as invitation_store
from geoshare.storage import notifications as notification_store
from geoshare.storage import roles as role_store
from geoshare.storage import tokens as token_store
from geoshare.storage import users as user_store
from geoshare.storage.records import Invitation, Notification
from geoshare.storage.tables import invitations, notifications, password_history, tokens
from tests.api.expected import FORBIDDEN, INVALID_TOKEN
from tests.api.matrix_users import image_bytes
from tests.conftest import ADMIN, ADMIN_PASSWORD, DEFAULT_ORG, SHARING, get_token, make_user

PASSWORD = "Member12345"
MISSING = {"error": {"code": 400, "message": "User does not exist or is inaccessible.", "details": []}}


def refusal(verb: str, detail: str) -> dict[str, Any]:
    return {"error": {"code": 400, "message": f"Unable to {verb} user.", "details": [detail]}}


def last_admin(verb: str, username: str = ADMIN) -> dict[str, Any]:
    return refusal(verb, f"'{username}' is the last administrator of the organization.")


async def post(client: Any, token: str | None, path: str, **data: Any) -> dict[str, Any]:
    sent = {"f": "json", **({"token": token} if token else {}), **data}
    return dict((await client.post(f"{SHARING}/community/users/{path}", data=sent)).json())


async def stored(svc: Any, username: str) -> Any:
    return await svc.db.read(user_store.user_by_username, username)


async def rows_of(svc: Any, table: Any, user_id: str) -> int:
    query = select(func.count()).select_from(table).where(table.c.user_id == user_id)
    return int(await svc.db.read(lambda conn: conn.execute(query).scalar_one()))


async def me_with(client: Any, token: str) -> dict[str, Any]:
    return dict((await client.get(f"{SHARING}/community/self", params={"f": "json", "token": token})).json())


@pytest.fixture
def registry():
    """Holdings and tag sources a test registers are removed again afterwards."""
    holdings, sources = list(users.HOLDINGS), list(users.TAG_SOURCES)
    users.HOLDINGS[:] = []  # only what the test registers (the real groups holding counts real groups)
    yield
    users.HOLDINGS[:] = holdings
    users.TAG_SOURCES[:] = sources


async def _custom_admin(svc: Any, username: str, granted: list[str]) -> Any:
    role_id = f"c{new_id()[:15]}"
    now = svc.clock.now_ms()
    await svc.db.write(lambda c: role_store.insert_role(c, role_id=role_id, org_id=DEFAULT_ORG, name=role_id,
                                                        description=None, privileges=granted, now=now))
    return await make_user(svc, username, PASSWORD, role_id=role_id)


# ------------------------------------------------------------------ delete
async def test_delete_removes_the_user_and_everything_hanging_off_it(client, svc, admin_token):
    user = await make_user(svc, "leaver", PASSWORD)
    token = await get_token(client, "leaver", PASSWORD)
    await post(client, token, "leaver/update", password="Leaver98765")  # a password history row
    await post(client, token, "leaver/update", files=None, description="x")
    now = svc.clock.now_ms()
    await svc.db.write(lambda c: notification_store.insert_notifications(c, [Notification(
        id=new_id(), user_id=user.id, type="message_received", target="leaver", target_type="user", received=now,
        data={})]))
    await svc.db.write(lambda c: invitation_store.insert_invitation(c, Invitation(
        id="G" + new_id(), user_id=user.id, target_type="group", target_id=new_id(), from_user_id=None,
        role="group_member", must_approve=False, email=None, created=now, expiration=now + 10**9)))
    for table in (tokens, notifications, invitations, password_history):
        assert await rows_of(svc, table, user.id) >= 1, table.name

    assert await post(client, admin_token, "leaver/delete") == {"success": True, "username": "leaver"}
    assert await stored(svc, "leaver") is None
    for table in (tokens, notifications, invitations, password_history):
        assert await rows_of(svc, table, user.id) == 0, table.name
    assert await me_with(client, token) == INVALID_TOKEN["sharing"]
    assert (await client.get(f"{SHARING}/community/users/leaver", params={"f": "json", "token": admin_token})).json() \
        == MISSING


async def test_delete_by_id_removes_the_thumbnail(client, svc, admin_token):
    user = await make_user(svc, "pictured", PASSWORD)
    reply = await client.post(f"{SHARING}/community/users/pictured/update", data={"f": "json", "token": admin_token},
                              files={"thumbnail": ("p.png", image_bytes())})
    assert reply.json()["success"] is True
    key = f"users/{user.id}/{(await stored(svc, 'pictured')).thumbnail}"
    assert await svc.blobs.get(key) is not None
    assert await post(client, admin_token, f"{user.id}/delete") == {"success": True, "username": "pictured"}
    assert await svc.blobs.get(key) is None


async def test_delete_is_refused_for_yourself_and_for_other_organizations(client, svc, admin_token):
    body = await post(client, admin_token, f"{ADMIN}/delete")
    assert body == refusal("delete", "You cannot delete your own account.")
    await accounts.create_org(svc, "Far", accounts.NewUser("faradmin", PASSWORD))
    far = await get_token(client, "faradmin", PASSWORD)
    await make_user(svc, "hidden_one", PASSWORD)  # org profile: hidden from the other organization
    await make_user(svc, "shown_one", PASSWORD, access="public")
    assert await post(client, far, "hidden_one/delete") == MISSING
    assert await post(client, far, "shown_one/delete") == FORBIDDEN["sharing"]
    assert await stored(svc, "hidden_one") is not None and await stored(svc, "shown_one") is not None


async def test_the_last_full_administrator_is_never_deleted_or_disabled(client, svc, admin_token):
    # a partial administrator may delete and disable members, but not the only full administrator
    await _custom_admin(svc, "deleter", [*privileges.VIEWER, "portal:admin:deleteUsers",
                                         "portal:admin:disableUsers"])
    deleter = await get_token(client, "deleter", PASSWORD)
    before = await stored(svc, ADMIN)
    for op in ("delete", "disable"):
        body = await post(client, deleter, f"{ADMIN}/{op}")
        assert body == last_admin(op), body
    assert await stored(svc, ADMIN) == before
    # with a second full administrator (a custom role holding every admin privilege) it may
    await _custom_admin(svc, "second_admin", sorted(privileges.ADMIN_PRIVILEGES))
    assert await post(client, deleter, f"{ADMIN}/disable") == {"success": True}
    # ... but a disabled administrator does not count: second_admin is now the last one
    body = await post(client, deleter, "second_admin/delete")
    assert body == last_admin("delete", "second_admin")
    assert await post(client, deleter, f"{ADMIN}/enable") == {"success": True}
    assert await post(client, deleter, "second_admin/delete") == {"success": True, "username": "second_admin"}


async def test_a_custom_role_missing_one_admin_privilege_is_not_a_full_admin(client, svc, admin_token):
    almost = sorted(privileges.ADMIN_PRIVILEGES - {"portal:admin:manageRoles"})
    await _custom_admin(svc, "almost_admin", almost)
    await _custom_admin(svc, "deleter", [*privileges.VIEWER, "portal:admin:deleteUsers"])
    deleter = await get_token(client, "deleter", PASSWORD)
    body = await post(client, deleter, f"{ADMIN}/delete")
    assert body == last_admin("delete")
    # the almost-admin is no full admin, so deleting them is never the last-admin case
    assert await post(client, deleter, "almost_admin/delete") == {"success": True, "username": "almost_admin"}


def _notification_holding(noun: str, kind: str) -> users.Holding:
    """A stand-in for what later modules own, kept in a real table: notifications of `kind`
    count as owned things, and reassigning moves them (stamped with the time of the move)."""
    def count(conn: Any, user_id: str) -> int:
        query = select(func.count()).select_from(notifications).where(notifications.c.user_id == user_id,
                                                                      notifications.c.type == kind)
        return int(conn.execute(query).scalar_one())

    def reassign(conn: Any, old: Any, new: Any, now: int) -> None:
        conn.execute(notifications.update().where(notifications.c.user_id == old.id, notifications.c.type == kind)
                     .values(user_id=new.id, received=now, target=new.username))

    return users.Holding(noun, count, reassign)


async def _own(svc: Any, user: Any, kind: str, how_many: int) -> None:
    rows = [Notification(id=new_id(), user_id=user.id, type=kind, target=user.username, target_type="user",
                         received=0, data={}) for _ in range(how_many)]
    await svc.db.write(notification_store.insert_notifications, rows)


async def test_delete_is_refused_while_the_user_owns_something(client, svc, admin_token, registry):
    owner = await make_user(svc, "owner1", PASSWORD)
    heir = await make_user(svc, "heir", PASSWORD)
    users.register_holding(_notification_holding("items", "test_item"))
    users.register_holding(_notification_holding("groups", "test_group"))
    users.register_holding(_notification_holding("folders", "test_folder"))
    await _own(svc, owner, "test_item", 2)
    await _own(svc, owner, "test_group", 1)
    body = await post(client, admin_token, "owner1/delete")
    assert body == refusal("delete", "'owner1' owns 2 items, 1 groups: reassign or delete them first.")
    assert await stored(svc, "owner1") == owner
    moved_at = svc.clock.pin()
    assert await post(client, admin_token, "owner1/reassign", targetUsername="HEIR") == {"success": True}
    moved = await svc.db.read(lambda c: notification_store.notifications_of(c, heir.id, 10))
    assert sorted(n.type for n in moved) == ["test_group", "test_item", "test_item"]
    assert {n.received for n in moved} == {moved_at} and {n.target for n in moved} == {"heir"}
    assert await post(client, admin_token, "owner1/delete") == {"success": True, "username": "owner1"}


# ------------------------------------------------------------------ reassign
async def test_reassign_target_rules(client, svc, admin_token):
    await make_user(svc, "giver", PASSWORD)
    await make_user(svc, "sleeper", PASSWORD, disabled=True)
    await accounts.create_org(svc, "Away", accounts.NewUser("awayadmin", PASSWORD))
    cases = {"": "'targetUsername' must be specified.",
             "nobody_at_all": "'targetUsername' must name a member of the same organization.",
             "awayadmin": "'targetUsername' must name a member of the same organization.",
             "GIVER": "'targetUsername' must name another user.",
             "sleeper": "'targetUsername' names a disabled account."}
    for target, detail in cases.items():
        body = await post(client, admin_token, "giver/reassign", targetUsername=target)
        assert body == {"error": {"code": 400, "message": "Unable to reassign user content.", "details": [detail]}}


async def test_reassign_needs_both_privileges(client, svc):
    await _custom_admin(svc, "half", [*privileges.VIEWER, "portal:admin:reassignItems"])
    await make_user(svc, "giver", PASSWORD, access="public")
    half = await get_token(client, "half", PASSWORD)
    assert await post(client, half, "giver/reassign", targetUsername="half") == FORBIDDEN["sharing"]


# ------------------------------------------------------------------ disable, enable
async def test_disable_stops_every_token_at_once_and_enable_needs_a_new_sign_in(client, svc, admin_token):
    await make_user(svc, "sleepy", PASSWORD)
    token = await get_token(client, "sleepy", PASSWORD)
    assert (await me_with(client, token))["username"] == "sleepy"  # now cached
    assert await post(client, admin_token, "sleepy/disable") == {"success": True}
    assert (await stored(svc, "sleepy")).disabled is True
    assert await me_with(client, token) == INVALID_TOKEN["sharing"]
    refused = (await client.post(f"{SHARING}/generateToken", data={"username": "sleepy", "password": PASSWORD,
                                                                   "f": "json"})).json()
    assert refused["error"]["details"] == ["This account has been disabled."]
    assert await post(client, admin_token, "sleepy/enable") == {"success": True}
    assert (await stored(svc, "sleepy")).disabled is False
    assert await me_with(client, token) == INVALID_TOKEN["sharing"]  # revoked, not only suspended
    fresh = await get_token(client, "sleepy", PASSWORD)
    assert (await me_with(client, fresh))["username"] == "sleepy"


async def test_disable_is_refused_for_yourself(client, svc, admin_token):
    body = await post(client, admin_token, f"{ADMIN}/disable")
    assert body == refusal("disable", "You cannot disable your own account.")
    assert (await stored(svc, ADMIN)).disabled is False


async def test_enabling_yourself_is_harmless(client, svc, admin_token):
    assert await post(client, admin_token, f"{ADMIN}/enable") == {"success": True}


async def test_disable_twice_and_enable_twice(client, svc, admin_token):
    await make_user(svc, "twice", PASSWORD)
    for op, state in (("disable", True), ("disable", True), ("enable", False), ("enable", False)):
        assert await post(client, admin_token, f"twice/{op}") == {"success": True}
        assert (await stored(svc, "twice")).disabled is state


async def test_members_and_view_only_admins_cannot_disable(client, svc):
    from tests.api.matrix_support import _custom_role_member

    await make_user(svc, "plain", PASSWORD, access="public")
    await _custom_role_member(svc)
    for who in ("plain", "m_custom"):
        token = await get_token(client, who, PASSWORD)
        assert await post(client, token, "plain/disable") == FORBIDDEN["sharing"]
    assert await post(client, None, "plain/disable") == {"error": {
        "code": 499, "message": "Token Required", "details": ["Token Required"], "messageCode": "GWM_0003"}}


# ------------------------------------------------------------------ unlock
async def test_unlock_lifts_a_lockout_and_forgets_its_failures(client, svc, admin_token):
    await make_user(svc, "forgetful", PASSWORD)
    svc.clock.pin()
    for _ in range(svc.settings.lockout_attempts):
        await client.post(f"{SHARING}/generateToken", data={"username": "forgetful", "password": "wrong-one1",
                                                            "f": "json"})
    locked = (await client.post(f"{SHARING}/generateToken", data={"username": "forgetful", "password": PASSWORD,
                                                                  "f": "json"})).json()
    assert "error" in locked
    svc.clock.advance(1000)
    assert await post(client, admin_token, "forgetful/unlock") == {"success": True, "username": "forgetful"}
    until = await svc.db.read(token_store.locked_until, "forgetful")
    assert until == svc.clock.now_ms()
    # one more failure does not lock again: the failures before the unlock no longer count
    await client.post(f"{SHARING}/generateToken", data={"username": "forgetful", "password": "wrong-one1",
                                                        "f": "json"})
    assert await get_token(client, "forgetful", PASSWORD)


async def test_unlock_needs_update_users(client, svc):
    from tests.api.matrix_support import _custom_role_member

    await make_user(svc, "someone", PASSWORD, access="public")
    await _custom_role_member(svc)
    token = await get_token(client, "m_custom", PASSWORD)
    assert await post(client, token, "someone/unlock") == FORBIDDEN["sharing"]


async def test_admin_password_reset_signs_the_user_out(client, svc, admin_token):
    await make_user(svc, "resetme", PASSWORD)
    token = await get_token(client, "resetme", PASSWORD)
    assert await post(client, admin_token, "resetme/update", password="Brand9new9") == \
        {"success": True, "username": "resetme"}
    assert await me_with(client, token) == INVALID_TOKEN["sharing"]
    assert await get_token(client, "resetme", "Brand9new9")
    assert (await me_with(client, admin_token))["username"] == ADMIN  # the administrator stays signed in


async def test_own_password_change_keeps_this_session_only(client, svc):
    user = await make_user(svc, "changer", PASSWORD)
    this, other = await get_token(client, "changer", PASSWORD), await get_token(client, "changer", PASSWORD)
    svc.clock.pin(svc.clock.now_ms() + 1000)
    assert await post(client, this, "changer/update", password="Changed12345") == \
        {"success": True, "username": "changer"}
    assert (await me_with(client, this))["username"] == "changer"
    assert await me_with(client, other) == INVALID_TOKEN["sharing"]
    changed = await stored(svc, "changer")
    assert changed.password_changed == svc.clock.now_ms()
    assert await svc.hasher.verify(changed.password_hash, "Changed12345")
    history = await svc.db.read(user_store.password_history_of, user.id, 10)
    assert history == [user.password_hash]
    bad = (await client.post(f"{SHARING}/generateToken", data={"username": "changer", "password": PASSWORD,
                                                               "f": "json"})).json()
    assert "error" in bad


async def _set_policy(svc: Any, **policy: Any) -> None:
    import json

    from geoshare.storage.tables import orgs

    settings = json.dumps({"securityPolicy": {"passwordPolicy": policy}})
    await svc.db.write(lambda c: c.execute(orgs.update().where(orgs.c.id == DEFAULT_ORG).values(settings=settings)))


async def test_password_policy_of_the_organization(client, svc):
    await make_user(svc, "policed", PASSWORD)
    token = await get_token(client, "policed", PASSWORD)
    await _set_policy(svc, minLength=12, minUpper=1)
    before = await stored(svc, "policed")
    body = await post(client, token, "policed/update", password="short1A")
    assert body["error"]["message"] == "Invalid password."
    assert body["error"]["details"] == ["The password must have at least 12 characters."]
    body = await post(client, token, "policed/update", password="longenough12")
    assert body["error"]["details"] == ["The password must contain at least 1 upper-case letter."]
    body = await post(client, token, "policed/update", password="Policed")
    assert body["error"]["details"] == ["The password must have at least 12 characters.",
                                        "The password must contain at least 1 digit.",
                                        "The password must differ from the username."]
    assert await stored(svc, "policed") == before
    assert (await post(client, token, "policed/update", password="Longenough12"))["success"] is True


async def test_password_history(client, svc):
    await make_user(svc, "historian", PASSWORD)
    token = await get_token(client, "historian", PASSWORD)
    await _set_policy(svc, historySize=3)
    passwords = ["Second12345", "Third12345", "Fourth12345"]
    for number, password in enumerate(passwords):
        svc.clock.advance(1000)
        assert (await post(client, token, "historian/update", password=password))["success"] is True, number
    # the current one and the two before it are remembered; the first one is old enough again
    for reused in ("Fourth12345", "Third12345", "Second12345"):
        before = await stored(svc, "historian")
        body = await post(client, token, "historian/update", password=reused)
        assert body == {"error": {"code": 400, "message": "Invalid password.",
                                  "details": ["The password must differ from the last 3 passwords."]}}, reused
        assert await stored(svc, "historian") == before
    assert (await post(client, token, "historian/update", password=PASSWORD))["success"] is True


async def test_password_history_keeps_at_most_24(client, svc):
    user = await make_user(svc, "rotator", PASSWORD)
    for n in range(26):
        await svc.db.write(user_store.add_password_history, user.id, f"hash-{n}", 1000 + n)
    kept = await svc.db.read(user_store.password_history_of, user.id, 100)
    assert kept == [f"hash-{n}" for n in range(25, 1, -1)]


async def test_admin_reset_lifts_a_lockout(client, svc, admin_token):
    await make_user(svc, "lockedout", PASSWORD)
    svc.clock.pin()
    await svc.db.write(token_store.set_locked_until, "lockedout", svc.clock.now_ms() + 10**6)
    assert (await post(client, admin_token, "lockedout/update", password="Unlocked12345"))["success"] is True
    assert await svc.db.read(token_store.locked_until, "lockedout") == svc.clock.now_ms()
    assert await get_token(client, "lockedout", "Unlocked12345")


async def test_the_last_admin_check_reads_other_organizations_apart(client, svc, admin_token):
    """Full administrators of another organization never count for this one."""
    await accounts.create_org(svc, "Twin", accounts.NewUser("twinadmin", PASSWORD))
    await _custom_admin(svc, "deleter", [*privileges.VIEWER, "portal:admin:deleteUsers"])
    deleter = await get_token(client, "deleter", PASSWORD)
    body = await post(client, deleter, f"{ADMIN}/delete")
    assert body == last_admin("delete")
    assert ADMIN_PASSWORD  # the default administrator is untouched


async def test_a_disabled_last_administrator_is_not_deleted(client, svc):
    """Deleting the only full administrator, even a disabled one, would leave nobody who could
    enable an administrator again."""
    from tests.conftest import disable_user

    await _custom_admin(svc, "deleter", [*privileges.VIEWER, "portal:admin:deleteUsers",
                                         "portal:admin:disableUsers"])
    deleter = await get_token(client, "deleter", PASSWORD)
    await disable_user(svc, ADMIN)
    before = await stored(svc, ADMIN)
    body = await post(client, deleter, f"{ADMIN}/delete")
    assert body == last_admin("delete")
    assert await stored(svc, ADMIN) == before
    # disabling it again changes nothing and is not refused
    assert await post(client, deleter, f"{ADMIN}/disable") == {"success": True}
    # with another enabled full administrator the disabled one may go
    await _custom_admin(svc, "second_admin", sorted(privileges.ADMIN_PRIVILEGES))
    assert await post(client, deleter, f"{ADMIN}/delete") == {"success": True, "username": ADMIN}


async def test_a_viewer_role_id_on_an_admin_role_is_no_full_admin(client, svc):
    """Privileges come from the role id first: org_admin with the Viewer id is a viewer."""
    from geoshare.domain.privileges import VIEWER_ROLE_ID

    await make_user(svc, "odd_viewer", PASSWORD, role="org_admin", role_id=VIEWER_ROLE_ID)
    await _custom_admin(svc, "deleter", [*privileges.VIEWER, "portal:admin:deleteUsers"])
    deleter = await get_token(client, "deleter", PASSWORD)
    assert await post(client, deleter, f"{ADMIN}/delete") == last_admin("delete")


async def test_administrative_acts_are_logged(client, svc, admin_token, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="geoshare.users")
    await make_user(svc, "logme", PASSWORD)
    await make_user(svc, "heir2", PASSWORD)
    for path, data in (("logme/disable", {}), ("logme/enable", {}), ("logme/unlock", {}),
                       ("logme/reassign", {"targetUsername": "heir2"}), ("logme/delete", {})):
        assert "error" not in await post(client, admin_token, path, **data)
    assert [r.getMessage() for r in caplog.records if r.name == "geoshare.users"] == [
        "user logme disabled by admin", "user logme enabled by admin", "user logme unlocked by admin",
        "content of logme reassigned to heir2 by admin", "user logme deleted by admin"]


async def test_disable_and_enable_move_modified(client, svc, admin_token):
    user = await make_user(svc, "stamped", PASSWORD)
    for op, step in (("disable", 1000), ("enable", 2000)):
        svc.clock.pin(user.modified + step)
        await post(client, admin_token, f"stamped/{op}")
        assert (await stored(svc, "stamped")).modified == user.modified + step
