"""Authorization-matrix rows for the members operations (see test_authorization_matrix.py).

Written by hand from the specs: the portaladmin `security` tree (portal-admin-api.md §3.1–3.4,
errata "Members": every administrator reads the root, `security` and `security/config`),
createUser and invite ("Add" = portal:admin:inviteUsers), the identity-store reads (viewUsers),
checkUsernames and the new-member defaults (sharing-api.md §3.7, §4.7).  The custom-role caller
holds the Viewer privileges and portal:admin:viewUsers: it reads, it never creates or changes.
"""

from __future__ import annotations

from typing import Any

import httpx

from geoshare.domain import members
from tests.api.matrix_support import (
    ADMINISTRATOR,
    ANY_ADMINS,
    OTHER_ADMIN,
    PASSWORD,
    Call,
    World,
    _fixed,
    _json,
    _none,
    body_has,
    body_is,
)
from tests.conftest import DEFAULT_ORG

ORG_ADMINS = frozenset({ADMINISTRATOR, OTHER_ADMIN})  # full administrators of either organization
NOT_IN_ORG = {"error": {"code": 400, "message": "User does not exist or is inaccessible.", "details": []}}
DEFAULT_ORG_MEMBERS = {"admin", "m_viewer", "m_user", "m_publisher", "m_disabled", "m_custom"}

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("portaladmin", "security"): ANY_ADMINS,
    ("portaladmin", "security/config"): ANY_ADMINS,
    ("portaladmin", "security/config/update"): ORG_ADMINS,
    ("portaladmin", "security/users"): ANY_ADMINS,
    ("portaladmin", "security/users/createUser"): ORG_ADMINS,
    ("portaladmin", "security/users/getEnterpriseUser"): ANY_ADMINS,
    ("portaladmin", "security/users/searchEnterpriseUsers"): ANY_ADMINS,
    ("portaladmin", "security/users/updateEnterpriseUser"): ORG_ADMINS,
    ("portaladmin", "security/users/refreshMembership"): ORG_ADMINS,
    ("sharing", "portals/{portal}/invite"): ORG_ADMINS,
    ("sharing", "portals/{portal}/checkUsernames"): ORG_ADMINS,
    ("sharing", "community/checkUsernames"): ORG_ADMINS,
    ("sharing", "portals/{portal}/userDefaultSettings"): ANY_ADMINS,
    ("sharing", "portals/{portal}/setUserDefaultSettings"): ORG_ADMINS,
    ("sharing", "portals/{portal}/userDefaultSettings/delete"): ORG_ADMINS,
}


async def _new_member(world: World) -> dict[str, Any]:
    n = next(world.counter)
    return {"username": f"m_created_{n:03d}", "password": PASSWORD, "firstname": "New", "lastname": f"Member {n}",
            "email": f"new{n}@example.org"}


def _created(body: Any, world: World, who: str) -> bool:
    return body["status"] == "success" and body["username"].startswith("m_created_") and set(body) == {
        "status", "username"}


async def _invitation(world: World) -> dict[str, Any]:
    n = next(world.counter)
    entry = {"username": f"m_invited_{n:03d}", "password": PASSWORD, "email": f"inv{n}@example.org",
             "firstname": "Invited", "lastname": "Member", "role": "org_user", "userLicenseType": "creatorUT"}
    return {"invitationList": f'{{"invitations": [{_dumps(entry)}]}}'}


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value)


async def _enterprise_member(world: World) -> dict[str, Any]:
    """A fresh enterprise account of the default organization, written through the domain."""
    n = next(world.counter)
    await members.add_member(world.svc, DEFAULT_ORG, members.MemberRequest(
        username=f"m_ent_{n:03d}", email=f"ent{n}@example.org", full_name="Enter Prise", provider="enterprise"),
        grantor_is_full_admin=True, by=None)
    return {"username": f"m_ent_{n:03d}", "idpUsername": f"ent{n}@CORP"}


def _in_own_org(check: Any) -> Any:
    """Admitted callers of the other organization are admitted, but the default organization's
    member is not theirs: the same answer as a name nobody has."""
    def run(response: httpx.Response, world: World, who: str) -> None:
        body = _json(response)
        if who == OTHER_ADMIN:
            assert body == NOT_IN_ORG, body
        else:
            assert check(body), body
    return run


def _search_result(body: Any, world: World, who: str) -> bool:
    names = {u["username"] for u in body["users"]}
    expected = {"m_other_admin"} if who == OTHER_ADMIN else DEFAULT_ORG_MEMBERS - {"admin"}
    return names == expected and body["hasMore"] is False and set(body["users"][0]) == {
        "username", "fullname", "description", "email"}


def _refused_for_lack_of_groups(response: httpx.Response, world: World, who: str) -> None:
    assert _json(response) == {"error": {"code": 400, "message": "Enterprise groups are not configured.",
                                         "details": ["Membership can only be refreshed from an enterprise group "
                                                     "store."]}}


CHECKED = {"usernames": [{"requested": "m_user", "suggested": "m_user1"},
                         {"requested": "free_name_x", "suggested": "free_name_x"}]}

CALLS: dict[tuple[str, str], Call] = {
    ("portaladmin", "security"): Call("GET", {}, _none, body_is({"resources": ["users", "config"]})),
    ("portaladmin", "security/config"): Call("GET", {}, _none, body_has(
        lambda b, w, who: (b["defaultRoleForUser"], b["defaultUserTypeIdForUser"]) == ("org_user", "creatorUT")
        and b["userStoreConfig"]["type"] == "BUILTIN")),
    ("portaladmin", "security/config/update"): Call("POST", {}, _fixed(
        securityConfig='{"allowedProxyHosts": "maps.example.org", "defaultRoleForUser": "org_publisher"}'),
        body_is({"status": "success"})),
    ("portaladmin", "security/users"): Call("GET", {}, _none, body_has(
        lambda b, w, who: b == {"currentRegisteredMembers": 1 if who == OTHER_ADMIN else len(DEFAULT_ORG_MEMBERS)})),
    ("portaladmin", "security/users/createUser"): Call("POST", {}, _new_member, body_has(_created)),
    ("portaladmin", "security/users/getEnterpriseUser"): Call("POST", {}, _fixed(username="M_USER"), _in_own_org(
        lambda b: b == {"username": "m_user", "fullname": "m_user", "description": None, "email": None})),
    ("portaladmin", "security/users/searchEnterpriseUsers"): Call("GET", {}, _fixed(filter="M_", maxCount="50"),
                                                                  body_has(_search_result)),
    ("portaladmin", "security/users/updateEnterpriseUser"): Call("POST", {}, _enterprise_member, _in_own_org(
        lambda b: b == {"status": "success"})),
    ("portaladmin", "security/users/refreshMembership"): Call("POST", {}, _fixed(users="m_user"),
                                                              _refused_for_lack_of_groups, html=False),
    ("sharing", "portals/{portal}/invite"): Call("POST", {"portal": "self"}, _invitation,
                                                 body_is({"success": True, "notInvited": []})),
    ("sharing", "portals/{portal}/checkUsernames"): Call("POST", {"portal": "self"},
                                                         _fixed(usernames="m_user,free_name_x"), body_is(CHECKED)),
    ("sharing", "community/checkUsernames"): Call("POST", {}, _fixed(usernames='["m_user", "free_name_x"]'),
                                                  body_is(CHECKED)),
    ("sharing", "portals/{portal}/userDefaultSettings"): Call("GET", {"portal": "self"}, _none, body_is(
        {"role": "org_user", "userLicenseType": "creatorUT", "groups": []})),
    ("sharing", "portals/{portal}/setUserDefaultSettings"): Call("POST", {"portal": "self"}, _fixed(
        role="publisher", userLicenseType="GISProfessionalStdUT", groups="[]"), body_is({"success": True})),
    ("sharing", "portals/{portal}/userDefaultSettings/delete"): Call("POST", {"portal": "self"}, _none,
                                                                     body_is({"success": True})),
}
