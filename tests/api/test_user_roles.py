"""updateUserRole and updateUserLicenseType (sharing-api.md §4.7-4.8; the Python client's
User.update_role and User.update_license_type).  Rejected calls leave the member as it was."""

from __future__ import annotations

import json
from typing import Any

import pytest

from geoshare.domain import privileges as privs
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from tests.api.matrix_support import (
    ANONYMOUS,
    CUSTOM_ROLE_ID,
    CUSTOM_VIEW_USERS,
    DISABLED,
    EXPIRED,
    OTHER_ADMIN,
    PUBLISHER,
    USER,
    VIEWER,
)
from tests.api.test_roles import PASSWORD, add_role, call, holder, stored_user
from tests.conftest import DEFAULT_ORG, SHARING, get_token, make_org, make_user

INVALID_ROLE = ["'role' must be org_admin, org_publisher, org_user, a built-in role id or a role id of this "
                "organization."]
NO_USER = {"error": {"code": 400, "message": "User does not exist or is inaccessible.", "details": []}}


async def set_role(client: Any, token: str, user: str, role: str, path: str = "updateUserRole") -> Any:
    return await call(client, path, token, user=user, role=role)


async def shown(client: Any, token: str, username: str) -> dict[str, Any]:
    body = await call(client, f"{SHARING}/community/users/{username}", token, "GET")
    return {k: body.get(k) for k in ("role", "roleId", "privileges", "level", "userLicenseTypeId")}


async def user_type(svc: Any, username: str, value: str) -> None:
    user = await stored_user(svc, username)
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, user_license_type_id=value))


# ---------------------------------------------------------------- updateUserRole
@pytest.mark.parametrize("path", ["updateUserRole", "updateuserrole", "UPDATEUSERROLE"])
async def test_built_in_roles(client, admin_token, svc, path):
    svc.clock.pin(1_700_000_000_000)
    await make_user(svc, "m_member", PASSWORD)
    svc.clock.advance(3000)
    reply = await set_role(client, admin_token, "M_MEMBER", "org_publisher", path)
    assert reply == {"success": True, "username": "m_member"}
    assert await shown(client, admin_token, "m_member") == {
        "role": "org_publisher", "roleId": None, "privileges": list(privs.PUBLISHER), "level": "2",
        "userLicenseTypeId": "creatorUT"}
    stored = await stored_user(svc, "m_member")
    assert (stored.role, stored.role_id, stored.modified) == ("org_publisher", None, 1_700_000_003_000)


@pytest.mark.parametrize(("role", "stored"), [
    ("org_admin", ("org_admin", None)), ("ORG_USER", ("org_user", None)), ("publisher", ("org_publisher", None)),
    ("account_admin", ("org_admin", None)), ("Viewer", ("org_user", "iAAAAAAAAAAAAAAA")),
    ("iAAAAAAAAAAAAAAA", ("org_user", "iAAAAAAAAAAAAAAA")), ("iaaaaaaaaaaaaaaa", ("org_user", "iAAAAAAAAAAAAAAA")),
    ("data editor", ("org_user", "iBBBBBBBBBBBBBBB")), ("iBBBBBBBBBBBBBBB", ("org_user", "iBBBBBBBBBBBBBBB")),
])
async def test_role_names_and_ids(client, admin_token, svc, role, stored):
    await make_user(svc, "m_member", PASSWORD, role="org_publisher")
    assert (await set_role(client, admin_token, "m_member", role))["success"] is True
    user = await stored_user(svc, "m_member")
    assert (user.role, user.role_id) == stored


async def test_viewer_reports_level_one_and_its_role_id(client, admin_token, svc):
    await make_user(svc, "m_member", PASSWORD)
    await set_role(client, admin_token, "m_member", "iAAAAAAAAAAAAAAA")
    assert await shown(client, admin_token, "m_member") == {
        "role": "org_user", "roleId": "iAAAAAAAAAAAAAAA", "privileges": list(privs.VIEWER), "level": "1",
        "userLicenseTypeId": "creatorUT"}
    await set_role(client, admin_token, "m_member", "org_user")  # back to a built-in role: no roleId
    assert (await shown(client, admin_token, "m_member"))["roleId"] is None


async def test_custom_role(client, admin_token, svc):
    await add_role(svc, "customPublish001", ["portal:publisher:publishFeatures", "portal:user:createItem"])
    await make_user(svc, "m_member", PASSWORD)
    token = await get_token(client, "m_member", PASSWORD)
    assert (await set_role(client, admin_token, "m_member", "customPublish001"))["success"] is True
    stored = await stored_user(svc, "m_member")
    assert (stored.role, stored.role_id) == ("org_publisher", "customPublish001")
    me = await call(client, f"{SHARING}/community/self", token, "GET")  # the member's token, at once
    assert (me["role"], me["roleId"], me["privileges"]) == \
        ("org_publisher", "customPublish001", ["portal:publisher:publishFeatures", "portal:user:createItem"])


async def test_new_privileges_apply_to_existing_tokens_at_once(client, admin_token, svc):
    await make_user(svc, "m_member", PASSWORD)
    token = await get_token(client, "m_member", PASSWORD)
    assert (await call(client, "roles", token, "GET"))["error"]["code"] == 403
    await set_role(client, admin_token, "m_member", "org_admin")
    assert (await call(client, "roles", token, "GET"))["total"] == 2
    await set_role(client, admin_token, "m_member", "org_user")
    assert (await call(client, "roles", token, "GET"))["error"]["code"] == 403


@pytest.mark.parametrize(("data", "error"), [
    ({"user": "m_member", "role": "superuser"}, {"code": 400, "message": "Invalid role.", "details": INVALID_ROLE}),
    ({"user": "m_member", "role": "tLST9emLCNfFcejK"}, {"code": 400, "message": "Invalid role.",
                                                       "details": INVALID_ROLE}),
    ({"user": "m_member", "role": "otherOrgRole0001"}, {"code": 400, "message": "Invalid role.",
                                                       "details": INVALID_ROLE}),
    ({"user": "m_member"}, {"code": 400, "message": "Unable to update user role.",
                            "details": ["'role' must be specified."]}),
    ({"role": "org_user"}, {"code": 400, "message": "Unable to update user role.",
                            "details": ["'user' must be specified."]}),
    ({"user": "m_member", "role": "r" * 65}, {"code": 400, "message": "Unable to update user role.",
                                             "details": ["'role' is longer than 64 characters."]}),
    ({"user": "nobody_here", "role": "org_user"}, NO_USER["error"]),
    ({"user": "second_admin", "role": "org_user"}, NO_USER["error"]),
])
async def test_bad_role_changes_change_nothing(client, admin_token, svc, data, error):
    org = await make_org(client, admin_token, "Second", "second_admin")
    await add_role(svc, "otherOrgRole0001", [], org_id=org["org"]["id"])
    await make_user(svc, "m_member", PASSWORD, role="org_publisher")
    before = [await stored_user(svc, u) for u in ("m_member", "second_admin")]
    reply = await call(client, "updateUserRole", admin_token, **data)
    assert reply == {"error": error}
    assert [await stored_user(svc, u) for u in ("m_member", "second_admin")] == before


# ---------------------------------------------------------------- who may change roles
async def changer(client: Any, svc: Any, *extra: str) -> str:
    """A member who may change roles (and `extra`) but is no full administrator."""
    await add_role(svc, "roleChangers0001", ["portal:admin:changeUserRoles", *extra, *privs.USER])
    await holder(svc, "m_changer", "roleChangers0001")
    return await get_token(client, "m_changer", PASSWORD)


async def test_a_partial_admin_changes_ordinary_roles(client, svc):
    token = await changer(client, svc)
    await make_user(svc, "m_member", PASSWORD)
    await add_role(svc, "plainCustom00001", ["portal:user:createItem"])
    for role in ("org_publisher", "iAAAAAAAAAAAAAAA", "plainCustom00001", "org_user"):
        assert (await set_role(client, token, "m_member", role))["success"] is True, role
    assert (await stored_user(svc, "m_member")).role == "org_user"


@pytest.mark.parametrize(("start", "target"), [
    ("org_user", "org_admin"),  # granting the Administrator role
    ("org_user", "adminCustom00001"),  # granting a role with an administrative privilege
    ("org_admin", "org_user"),  # taking it away
    ("adminCustom00001", "org_user"),
])
async def test_only_a_full_admin_grants_or_removes_admin_privileges(client, admin_token, svc, start, target):
    token = await changer(client, svc)
    await add_role(svc, "adminCustom00001", ["portal:admin:viewUsers"])
    await make_user(svc, "m_member", PASSWORD)
    await set_role(client, admin_token, "m_member", start)
    before = await stored_user(svc, "m_member")
    reply = await set_role(client, token, "m_member", target)
    assert reply["error"] == {"code": 403, "message": "Only a full administrator may grant or remove administrative "
                              "privileges.", "details": [], "messageCode": "GWM_0003"}
    assert await stored_user(svc, "m_member") == before
    assert (await set_role(client, admin_token, "m_member", target))["success"] is True


async def test_the_last_full_admin_keeps_the_role(client, admin_token, svc):
    before = await stored_user(svc, "admin")
    reply = await set_role(client, admin_token, "admin", "org_publisher")
    assert reply["error"] == {"code": 400, "message": "The organization must keep a full administrator.",
                              "details": ["This change would leave no enabled member with every administrative "
                                          "privilege."]}
    assert await stored_user(svc, "admin") == before
    await make_user(svc, "m_second", PASSWORD, role="org_admin", disabled=True)  # a disabled one does not count
    assert (await set_role(client, admin_token, "admin", "org_publisher"))["error"]["code"] == 400
    second = await stored_user(svc, "m_second")
    await svc.db.write(lambda conn: user_store.update_user(conn, second.id, disabled=False))
    assert (await set_role(client, admin_token, "admin", "org_publisher"))["success"] is True
    assert (await stored_user(svc, "admin")).role == "org_publisher"


async def test_a_full_admin_by_custom_role_counts(client, admin_token, svc):
    await add_role(svc, "everyAdminPriv01", sorted(privs.ADMIN_PRIVILEGES))
    await holder(svc, "m_deputy", "everyAdminPriv01")
    assert (await set_role(client, admin_token, "admin", "org_user"))["success"] is True
    token = await get_token(client, "m_deputy", PASSWORD)
    assert (await set_role(client, token, "m_deputy", "org_user"))["error"]["code"] == 400
    assert (await set_role(client, token, "m_deputy", "org_admin"))["success"] is True  # still a full admin
    assert (await stored_user(svc, "m_deputy")).role_id is None


async def test_another_organizations_members_stay_out_of_reach(client, admin_token, svc):
    await make_org(client, admin_token, "Second", "second_admin")
    other = await get_token(client, "second_admin", "Other12345")
    await make_user(svc, "m_member", PASSWORD)
    before = await stored_user(svc, "m_member")
    assert await set_role(client, other, "m_member", "org_admin") == NO_USER
    assert await stored_user(svc, "m_member") == before


# ---------------------------------------------------------------- user types
@pytest.mark.parametrize(("user_type_", "role", "allowed"), [
    ("viewerUT", "iAAAAAAAAAAAAAAA", True), ("viewerUT", "iBBBBBBBBBBBBBBB", False),
    ("viewerUT", "org_user", False), ("editorUT", "iBBBBBBBBBBBBBBB", True), ("editorUT", "org_user", False),
    ("fieldWorkerUT", "org_publisher", True), ("creatorUT", "org_admin", True),
])
async def test_the_user_type_must_allow_the_role(client, admin_token, svc, user_type_, role, allowed):
    await make_user(svc, "m_member", PASSWORD, role_id=privs.VIEWER_ROLE_ID)
    await user_type(svc, "m_member", user_type_)
    before = await stored_user(svc, "m_member")
    reply = await set_role(client, admin_token, "m_member", role)
    if allowed:
        assert reply == {"success": True, "username": "m_member"}
        return
    assert reply["error"] == {"code": 400, "message": "The user type does not allow this role.",
                              "details": [f"'m_member' has the user type {user_type_}."]}
    assert await stored_user(svc, "m_member") == before


# ---------------------------------------------------------------- updateUserLicenseType
def ok(username: str) -> dict[str, Any]:
    return {"username": username, "status": True, "success": True}


def failed(username: str, message: str) -> dict[str, Any]:
    return {"username": username, "status": False, "success": False,
            "error": {"code": 400, "message": message, "details": []}}


async def test_update_license_type(client, admin_token, svc):
    svc.clock.pin(1_700_000_000_000)
    await make_user(svc, "m_member", PASSWORD, role_id=privs.VIEWER_ROLE_ID)
    await make_user(svc, "m_other", PASSWORD, role_id=privs.DATA_EDITOR_ROLE_ID)
    svc.clock.advance(4000)
    reply = await call(client, "updateUserLicenseType", admin_token, users='["m_member", "M_OTHER"]',
                       userLicenseType="contributorUT")
    assert reply == {"results": [ok("m_member"), ok("m_other")]}
    for name in ("m_member", "m_other"):
        stored = await stored_user(svc, name)
        assert (stored.user_license_type_id, stored.modified) == ("editorUT", 1_700_000_004_000)
    again = await call(client, "updateUserLicenseType", admin_token, users="m_member, M_OTHER, M_MEMBER, m_other",
                       userLicenseType="viewerut")  # each member once, as first spelled
    assert again == {"results": [ok("m_member"), failed("m_other", "The role of 'm_other' is not allowed for "
                                                          "viewerUT.")]}
    assert (await shown(client, admin_token, "m_member"))["userLicenseTypeId"] == "viewerUT"


async def test_license_failures_are_per_member(client, admin_token, svc):
    await make_org(client, admin_token, "Second", "second_admin")
    await make_user(svc, "m_viewer", PASSWORD, role_id=privs.VIEWER_ROLE_ID)
    await make_user(svc, "m_publisher", PASSWORD, role="org_publisher")
    await add_role(svc, "editingRole00001", list(privs.DATA_EDITOR))
    await holder(svc, "m_custom", "editingRole00001")
    before = [await stored_user(svc, u) for u in ("m_publisher", "second_admin")]
    reply = await call(client, "updateUserLicenseType", admin_token,
                       users=json.dumps(["m_viewer", "m_publisher", "nobody_here", "second_admin", "m_custom"]),
                       userLicenseType="editorUT")
    assert reply == {"results": [
        ok("m_viewer"), failed("m_publisher", "The role of 'm_publisher' is not allowed for editorUT."),
        failed("nobody_here", "User does not exist or is inaccessible."),
        failed("second_admin", "User does not exist or is inaccessible."), ok("m_custom")]}
    assert [await stored_user(svc, u) for u in ("m_publisher", "second_admin")] == before
    assert (await stored_user(svc, "m_viewer")).user_license_type_id == "editorUT"


REFUSED = "Unable to update user license type."


@pytest.mark.parametrize(("data", "message", "details"), [
    ({"users": "m_member", "userLicenseType": "goldUT"}, "Invalid user type.",
     ["'userLicenseType' must be one of creatorUT, editorUT, viewerUT, fieldWorkerUT, GISProfessionalBasicUT, "
      "GISProfessionalStdUT, GISProfessionalAdvUT."]),
    ({"users": "m_member"}, REFUSED, ["'userLicenseType' must be specified."]),
    ({"userLicenseType": "viewerUT"}, REFUSED, ["'users' must be specified."]),
    ({"users": "[]", "userLicenseType": "viewerUT"}, "Invalid users.", ["'users' must name 1 to 100 members."]),
    ({"users": ",".join(f"m{n}" for n in range(101)), "userLicenseType": "viewerUT"}, "Invalid users.",
     ["'users' must name 1 to 100 members."]),
])
async def test_bad_license_calls_change_nothing(client, admin_token, svc, data, message, details):
    await make_user(svc, "m_member", PASSWORD, role_id=privs.VIEWER_ROLE_ID)
    before = await stored_user(svc, "m_member")
    reply = await call(client, "updateUserLicenseType", admin_token, **data)
    assert reply == {"error": {"code": 400, "message": message, "details": details}}
    assert await stored_user(svc, "m_member") == before


async def test_names_differing_beyond_letter_case_are_two_members(client, admin_token):
    """"ß" and "SS" are one name in upper case but two in lower case, as usernames are compared."""
    reply = await call(client, "updateUserLicenseType", admin_token, users="ß_user,SS_USER", userLicenseType="creatorUT")
    assert [r["username"] for r in reply["results"]] == ["ß_user", "SS_USER"]


async def test_a_hundred_members_in_one_call(client, admin_token, svc):
    names = [f"m_bulk_{n:03d}" for n in range(100)]
    reply = await call(client, "updateUserLicenseType", admin_token, users=",".join(names), userLicenseType="creatorUT")
    assert [r["username"] for r in reply["results"]] == names


async def test_licences_need_manage_licenses_only(client, svc):
    await add_role(svc, "licenceManager01", ["portal:admin:manageLicenses", *privs.USER])
    await holder(svc, "m_licences", "licenceManager01")
    token = await get_token(client, "m_licences", PASSWORD)
    await make_user(svc, "m_member", PASSWORD, role_id=privs.VIEWER_ROLE_ID)
    reply = await call(client, "updateUserLicenseType", token, users="m_member", userLicenseType="viewerUT")
    assert reply == {"results": [ok("m_member")]}
    assert (await set_role(client, token, "m_member", "org_user"))["error"]["code"] == 403
    assert DEFAULT_ORG == (await stored_user(svc, "m_member")).org_id


# ---------------------------------------------------------------- refused callers change nothing
async def everything(svc: Any) -> Any:
    def load(conn: Any) -> Any:
        orgs = {u.org_id for u in user_store.users_of_org(conn, DEFAULT_ORG)}
        return ([role_store.roles_of_org(conn, org) for org in sorted(orgs)],
                user_store.users_of_org(conn, DEFAULT_ORG))

    return await svc.db.read(load)


async def test_refused_callers_change_nothing(world):
    every_admin = json.dumps(sorted(privs.ADMIN_PRIVILEGES))
    changes = [("createRole", {"name": "Intruders"}), (f"roles/{CUSTOM_ROLE_ID}/update", {"name": "Hijacked"}),
               (f"roles/{CUSTOM_ROLE_ID}/delete", {}), (f"roles/{CUSTOM_ROLE_ID}/setPrivileges",
                                                        {"privileges": every_admin}),
               ("updateUserRole", {"user": "m_custom", "role": "org_admin"}),
               ("updateUserLicenseType", {"users": "m_custom", "userLicenseType": "viewerUT"})]
    before = await everything(world.svc)
    for who in (ANONYMOUS, VIEWER, USER, PUBLISHER, CUSTOM_VIEW_USERS, EXPIRED, DISABLED, OTHER_ADMIN):
        for portal_id in ("self", DEFAULT_ORG):
            for path, data in changes:
                token = world.tokens[who]
                reply = await call(world.client, f"{SHARING}/portals/{portal_id}/{path}", token, **data)
                expected = {ANONYMOUS: 499, EXPIRED: 498, DISABLED: 498}.get(who, 403)
                if who == OTHER_ADMIN and portal_id == "self":  # their own organization: none of ours is there
                    assert reply.get("success") or "results" in reply or reply["error"]["code"] == 400, reply
                    continue
                assert reply.get("error", {}).get("code") == expected, (who, portal_id, path, reply)
    assert await everything(world.svc) == before


async def test_no_token_in_the_pages(client, admin_token):
    listing = await client.get(f"{SHARING}/portals/self/roles", params={"f": "html", "token": admin_token})
    created = await client.post(f"{SHARING}/portals/self/createRole",
                                data={"f": "html", "token": admin_token, "name": "Page check"})
    for page in (listing, created):
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert admin_token not in page.text
    assert "Data Editor" in listing.text and "<h2>Result</h2>" in created.text
