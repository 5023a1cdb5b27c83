"""Group membership driven by the real clients against the real server process: the ArcGIS API
for Python (`group.add_users`, `remove_users`, `get_members`, `invite_users`, `join` and `leave`
by another member, `group.applications` with accept and decline) and ArcGIS REST JS
(node/restjs-group-members.mjs: addGroupUsers, removeGroupUsers, inviteGroupUsers, joinGroup,
leaveGroup, getGroupUsers, searchGroupUsers, acceptInvitation, declineInvitation).

Members are written into the server's database by geoshare's own domain functions; groups are
created over HTTP with createGroup.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from .support import LiveServer, close_client
from .test_users_clients import SHARING, create_member, ok, run_node

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]
HEADERS = {"Referer": "http://localhost"}

try:  # arcgis is big and optional outside CI; its absence skips only this part
    from arcgis.gis import GIS
except ImportError:  # pragma: no cover - depends on the machine
    GIS = None


def create_group(server: LiveServer, title: str, **fields: Any) -> str:
    body = server.post_json(f"{SHARING}/community/createGroup", {
        "title": title, "access": "org", "f": "json", "token": server.admin_token(), **fields}, headers=HEADERS)
    assert body["success"] is True, body
    return str(body["group"]["id"])


def members(server: LiveServer, group_id: str) -> Any:
    return server.get_json(f"{SHARING}/community/groups/{group_id}/users",
                           {"f": "json", "token": server.admin_token()}, headers=HEADERS)


def invitations(server: LiveServer, username: str, password: str) -> list[dict[str, Any]]:
    token = server.generate_token(username, password)["token"]
    body = server.get_json(f"{SHARING}/community/users/{username}/invitations", {"f": "json", "token": token},
                           headers=HEADERS)
    return list(body["userInvitations"])


def member_gis(server: LiveServer, username: str, password: str) -> Any:
    return GIS(server.portal_url("https"), username, password, verify_cert=False)


def test_arcgis_add_get_remove_members(gis: Any, live_server: LiveServer) -> None:
    group_id = create_group(live_server, "Python members")
    a, _ = create_member(live_server, "pya")
    b, _ = create_member(live_server, "pyb")
    c, _ = create_member(live_server, "pyc")
    group = gis.groups.get(group_id)
    assert group.add_users([a, b, "nobody_here"]) == {"notAdded": ["nobody_here"]}
    assert group.add_users(admins=[c]) == {"notAdded": []}
    got = group.get_members()
    assert got["owner"] == live_server.admin_username
    assert sorted(got["admins"]) == sorted([live_server.admin_username, c]) and sorted(got["users"]) == sorted([a, b])
    assert group.remove_users([b]) == {"notRemoved": []}
    assert sorted(members(live_server, group_id)["users"]) == [a]


def test_arcgis_invite_then_the_member_accepts(gis: Any, live_server: LiveServer) -> None:
    group_id = create_group(live_server, "Python invite", isInvitationOnly="true")
    guest, password = create_member(live_server, "pyinv")
    assert gis.groups.get(group_id).invite_users([guest]) is True
    (invitation,) = invitations(live_server, guest, password)
    assert (invitation["groupId"], invitation["role"]) == (group_id, "group_member")
    token = live_server.generate_token(guest, password)["token"]
    accepted = live_server.post_json(f"{SHARING}/community/users/{guest}/invitations/{invitation['id']}/accept",
                                     {"f": "json", "token": token}, headers=HEADERS)
    assert accepted == {"success": True, "username": guest, "groupId": group_id, "id": invitation["id"]}
    assert guest in members(live_server, group_id)["users"]


def test_arcgis_join_applications_accept_decline_and_leave(gis: Any, live_server: LiveServer) -> None:
    group_id = create_group(live_server, "Python join")
    joiner, joiner_password = create_member(live_server, "pyjoin")
    other, other_password = create_member(live_server, "pyother")
    for username, password in ((joiner, joiner_password), (other, other_password)):
        signed_in = member_gis(live_server, username, password)
        try:
            assert signed_in.groups.get(group_id).join() is True
        finally:
            close_client(signed_in)
    group = gis.groups.get(group_id)
    applications = {app.properties["username"]: app for app in group.applications}
    assert sorted(applications) == sorted([joiner, other])
    assert applications[joiner].accept() is True
    assert applications[other].decline() is True
    assert members(live_server, group_id)["users"] == [joiner]
    assert group.applications == []
    signed_in = member_gis(live_server, joiner, joiner_password)
    try:
        assert signed_in.groups.get(group_id).leave() is True
    finally:
        close_client(signed_in)
    assert members(live_server, group_id)["users"] == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_restjs_group_member_calls(live_server: LiveServer, node_bin: str, scheme: str) -> None:
    group_id = create_group(live_server, f"REST JS members {scheme}")
    open_id = create_group(live_server, f"REST JS open {scheme}", autoJoin="true")
    names = [create_member(live_server, f"rjm{i}")[0] for i in range(27)]  # more than one batch of 25
    guest, guest_password = create_member(live_server, "rjguest")
    decliner, decliner_password = create_member(live_server, "rjdecl")
    result = run_node(node_bin, "restjs-group-members.mjs", {
        "portal": live_server.sharing_url(scheme), "admin": live_server.admin_username,
        "adminPassword": live_server.admin_password, "groupId": group_id, "openGroupId": open_id, "users": names,
        "guest": guest, "guestPassword": guest_password, "decliner": decliner,
        "declinerPassword": decliner_password})
    assert ok(result, "addGroupUsers") == {"notAdded": ["rj_nobody"]}
    users = ok(result, "getGroupUsers")
    assert users["owner"] == live_server.admin_username and sorted(users["users"]) == sorted(names)
    page = ok(result, "searchGroupUsers")
    assert (page["total"], page["num"], page["nextStart"], len(page["users"])) == (28, 10, 11, 10)
    assert ok(result, "searchGroupUsersByName")["users"][0]["username"] == names[3]
    assert ok(result, "removeGroupUsers") == {"notRemoved": []}
    assert ok(result, "inviteGroupUsers") == {"success": True}
    accepted = ok(result, "acceptInvitation")
    assert (accepted["success"], accepted["username"], accepted["groupId"]) == (True, guest, group_id)
    declined = ok(result, "declineInvitation")
    assert (declined["success"], declined["username"]) == (True, decliner)
    assert ok(result, "joinGroup") == {"success": True, "groupId": open_id}
    assert ok(result, "leaveGroup") == {"success": True, "groupId": open_id}
    refused = result["leaveAgain"]
    assert not refused["ok"] and "Unable to leave group." in refused["error"]["message"], refused
    final = members(live_server, group_id)
    assert sorted(final["users"]) == sorted([*names[5:], guest])
    assert decliner not in final["users"] and members(live_server, open_id)["users"] == []


# ---------------------------------------------------------------- many clients at once
def test_concurrent_membership_changes_against_the_server(live_server: LiveServer) -> None:
    """Adds, removes, joins and leaves on one group from 16 client threads at once against the
    server process (on PostgreSQL when GEOSHARE_TEST_DATABASE_URL names one): the member list,
    every user's community/self `groups` list and the expected outcome agree."""
    group_id = create_group(live_server, "Concurrent members", autoJoin="true")
    people = {kind: [create_member(live_server, f"cc{kind}{i}") for i in range(6)]
              for kind in ("add", "rem", "join", "leave")}
    admin = live_server.admin_token()
    path = f"{SHARING}/community/groups/{group_id}"
    pre = ",".join(name for kind in ("rem", "leave") for name, _ in people[kind])
    assert live_server.post_json(f"{path}/addUsers", {"users": pre, "f": "json", "token": admin},
                                 headers=HEADERS) == {"notAdded": []}
    tokens = {name: live_server.generate_token(name, pw)["token"] for group in people.values() for name, pw in group}
    calls = [(f"{path}/addUsers", {"users": name, "token": admin}) for name, _ in people["add"]]
    calls += [(f"{path}/removeUsers", {"users": name, "token": admin}) for name, _ in people["rem"]]
    calls += [(f"{path}/join", {"token": tokens[name]}) for name, _ in people["join"] * 4]
    calls += [(f"{path}/leave", {"token": tokens[name]}) for name, _ in people["leave"]]

    def send(call: tuple[str, dict[str, Any]]) -> Any:
        return live_server.post_json(call[0], {**call[1], "f": "json"}, headers=HEADERS)

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(send, calls))
    assert all("error" not in r for r in results), [r for r in results if "error" in r]
    expected = sorted(name for kind in ("add", "join") for name, _ in people[kind])
    listed = members(live_server, group_id)
    assert sorted(listed["users"]) == expected
    for name, token in tokens.items():
        me = live_server.get_json(f"{SHARING}/community/self", {"f": "json", "token": token}, headers=HEADERS)
        assert (group_id in {g["id"] for g in me["groups"]}) == (name in expected), name
