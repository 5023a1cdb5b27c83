"""join, leave, addUsers, removeUsers and updateUsers (sharing-api.md §5.5, §8.3).  Every refusal
asserts the body and that groups, members, applications, invitations and notifications are
unchanged; every change is checked in the users' community/self `groups` lists too."""

from __future__ import annotations

import pytest

from geoshare.domain.privileges import VIEWER_ROLE_ID
from geoshare.storage import users as user_store
from tests.api.expected import FORBIDDEN
from tests.api.group_members_support import (
    bulk_users,
    error,
    fill_memberships,
    get,
    groups_of,
    member,
    members_of,
    post,
    snapshot,
)
from tests.conftest import ADMIN, get_token, make_group, make_org, make_user

MISSING = "Group does not exist or is inaccessible."


@pytest.fixture
async def people(client, svc, admin_token):
    """Tokens of the administrator, a group owner, a group admin, a member and an outsider."""
    return {"admin": admin_token, "owner": await member(client, svc, "owner1"),
            "gadmin": await member(client, svc, "gadmin1"), "member": await member(client, svc, "member1"),
            "outsider": await member(client, svc, "outsider1")}


async def _group(svc, **columns):
    group = await make_group(svc, "owner1", columns.pop("title", "Team"), members=("member1",), admins=("gadmin1",),
                             **{"access": "org", **columns})
    return group.id


async def refused(client, svc, path, token, **data):
    """Call, and assert nothing changed; the body is returned for the caller's assertions."""
    before = await snapshot(svc)
    body = await post(client, path, token, **data)
    assert await snapshot(svc) == before
    return body


# ------------------------------------------------------------------ join
async def test_auto_join_adds_at_once_and_shows_in_groups_list(client, svc, people):
    gid = await _group(svc, auto_join=True)
    assert await post(client, f"community/groups/{gid}/join", people["outsider"]) == {"success": True, "groupId": gid}
    assert (await members_of(svc, gid))["outsider1"] == "member"
    assert (await groups_of(client, people["outsider"]))[gid] == "member"
    # already a member: success, nothing changes
    assert await refused(client, svc, f"community/groups/{gid}/join", people["outsider"]) == {
        "success": True, "groupId": gid}


async def test_join_without_auto_join_is_an_application_managers_hear_of(client, svc, people):
    gid = await _group(svc)
    assert await post(client, f"community/groups/{gid}/join", people["outsider"]) == {"success": True, "groupId": gid}
    assert "outsider1" not in await members_of(svc, gid)
    assert gid not in await groups_of(client, people["outsider"])
    for who in ("owner", "gadmin"):
        notes = (await get(client, f"community/users/{who}1/notifications", people[who]))["notifications"]
        assert [(n["type"], n["data"]["groupId"], n["data"]["username"]) for n in notes] == [
            ("group_join_request", gid, "outsider1")]
    assert (await get(client, "community/users/member1/notifications", people["member"]))["notifications"] == []
    group = await get(client, f"community/groups/{gid}", people["owner"])
    assert group["userMembership"]["applications"] == 1
    # asking again: success, no second application and no second notification
    assert await refused(client, svc, f"community/groups/{gid}/join", people["outsider"]) == {
        "success": True, "groupId": gid}


async def test_invitation_only_group_refuses_join(client, svc, people):
    gid = await _group(svc, is_invitation_only=True, auto_join=True)
    body = await refused(client, svc, f"community/groups/{gid}/join", people["outsider"])
    assert error(body) == (400, "Unable to join group.", ["This group is invitation only: members are invited or added."])


async def test_join_a_group_one_cannot_see_answers_like_a_missing_one(client, svc, people):
    gid = await _group(svc, access="private")
    body = await refused(client, svc, f"community/groups/{gid}/join", people["outsider"])
    missing = await refused(client, svc, "community/groups/" + "f" * 32 + "/join", people["outsider"])
    assert body == missing
    assert error(body)[:2] == (400, MISSING)


async def test_auto_join_for_another_organization_is_an_application(client, svc, people):
    gid = await _group(svc, access="public", auto_join=True)
    await make_org(client, people["admin"], "Elsewhere", "else_admin")
    other = await get_token(client, "else_admin", "Other12345")
    assert await post(client, f"community/groups/{gid}/join", other) == {"success": True, "groupId": gid}
    assert "else_admin" not in await members_of(svc, gid)
    apps = await get(client, f"community/groups/{gid}/applications", people["owner"])
    assert [a["username"] for a in apps["applications"]] == ["else_admin"]


async def test_join_of_another_organization_needs_join_non_org_group(client, svc, people):
    gid = await _group(svc, access="public")
    await make_org(client, people["admin"], "Elsewhere", "else_admin")
    other_org = (await svc.db.read(user_store.user_by_username, "else_admin")).org_id
    await make_user(svc, "else_viewer", org_id=other_org, role_id=VIEWER_ROLE_ID)
    token = await get_token(client, "else_viewer", "Member12345")
    body = await refused(client, svc, f"community/groups/{gid}/join", token)
    assert error(body) == (400, "Unable to join group.", [
        "Joining groups of other organizations needs the privilege portal:user:joinNonOrgGroup."])


async def test_join_at_the_512_limit_is_refused_and_at_511_allowed(client, svc, people):
    gid, second = await _group(svc, auto_join=True), await _group(svc, auto_join=True, title="Second")
    await fill_memberships(svc, "outsider1", 511)
    assert await post(client, f"community/groups/{gid}/join", people["outsider"]) == {"success": True, "groupId": gid}
    body = await refused(client, svc, f"community/groups/{second}/join", people["outsider"])
    assert error(body) == (400, "Unable to add the user to the group.", [
        "'outsider1' already belongs to 512 groups, the most a user may belong to."])
    assert len(await groups_of(client, people["outsider"])) == 512


async def test_join_needs_a_token(client, svc, people):
    gid = await _group(svc, access="public", auto_join=True)
    body = await refused(client, svc, f"community/groups/{gid}/join", None)
    assert error(body)[0] == 499


# ------------------------------------------------------------------ leave
async def test_member_leaves_and_the_groups_list_follows(client, svc, people):
    gid = await _group(svc)
    assert gid in await groups_of(client, people["member"])
    assert await post(client, f"community/groups/{gid}/leave", people["member"]) == {"success": True, "groupId": gid}
    assert "member1" not in await members_of(svc, gid)
    assert gid not in await groups_of(client, people["member"])


@pytest.mark.parametrize(("who", "columns", "detail"), [
    ("owner", {}, "The owner cannot leave the group; reassign it to someone else first."),
    ("member", {"leaving_disallowed": True}, "Members may not leave this group."),
    ("outsider", {}, "You are not a member of this group."),
])
async def test_leave_refusals(client, svc, people, who, columns, detail):
    gid = await _group(svc, **columns)
    body = await refused(client, svc, f"community/groups/{gid}/leave", people[who])
    assert error(body) == (400, "Unable to leave group.", [detail])


async def test_group_admin_may_leave_a_leaving_allowed_group(client, svc, people):
    gid = await _group(svc)
    assert (await post(client, f"community/groups/{gid}/leave", people["gadmin"]))["success"] is True
    assert "gadmin1" not in await members_of(svc, gid)


# ------------------------------------------------------------------ addUsers
async def test_org_admin_adds_members_and_admins_and_hears_who_was_not_added(client, svc, people):
    gid = await _group(svc)
    await make_org(client, people["admin"], "Elsewhere", "else_admin")
    await member(client, svc, "newbie")
    await member(client, svc, "promoted")
    await post(client, f"community/groups/{gid}/addUsers", people["admin"], users="promoted")
    await fill_memberships(svc, "outsider1", 512)
    body = await post(client, f"community/groups/{gid}/addUsers", people["admin"],
                      users="Newbie,member1,nobody,else_admin,outsider1", admins="promoted")
    assert body == {"notAdded": ["nobody", "else_admin", "outsider1"]}
    assert await members_of(svc, gid) == {"owner1": "owner", "gadmin1": "admin", "promoted": "admin",
                                          "member1": "member", "newbie": "member"}
    assert (await groups_of(client, await member_token(client, "newbie")))[gid] == "member"


async def member_token(client, username):
    return await get_token(client, username, "Member12345")


async def test_group_managers_add_users_of_their_organization(client, svc, people):
    gid = await _group(svc)
    for who in ("owner", "gadmin"):
        name = f"by_{who}"
        await member(client, svc, name)
        assert await post(client, f"community/groups/{gid}/addUsers", people[who], users=name) == {"notAdded": []}
        assert (await members_of(svc, gid))[name] == "member"


async def test_add_users_refused_for_members_and_other_organizations(client, svc, people):
    gid = await _group(svc, access="public")
    await make_org(client, people["admin"], "Elsewhere", "else_admin")
    other = await get_token(client, "else_admin", "Other12345")
    for token in (people["member"], people["outsider"], other):
        assert await refused(client, svc, f"community/groups/{gid}/addUsers", token, users="outsider1") == FORBIDDEN[
            "sharing"]


async def test_add_a_thousand_users_in_one_call_and_refuse_more(client, svc, people):
    gid = await _group(svc)
    names = await bulk_users(svc, "bulk", 1001)
    body = await refused(client, svc, f"community/groups/{gid}/addUsers", people["admin"], users=",".join(names))
    assert error(body) == (400, "Unable to add users to the group.", ["At most 1000 users may be named in one request."])
    assert await post(client, f"community/groups/{gid}/addUsers", people["admin"], users=",".join(names[:1000])) == {
        "notAdded": []}
    listed = await members_of(svc, gid)
    assert len(listed) == 1003 and "bulk1000" not in listed


# ------------------------------------------------------------------ removeUsers
async def test_remove_users_never_removes_the_owner_and_reports_non_members(client, svc, people):
    gid = await _group(svc)
    body = await post(client, f"community/groups/{gid}/removeUsers", people["admin"],
                      users="member1,owner1,outsider1,nobody,gadmin1")
    assert body == {"notRemoved": ["owner1", "outsider1", "nobody"]}
    assert await members_of(svc, gid) == {"owner1": "owner"}
    assert gid not in await groups_of(client, people["member"])


async def test_group_admin_removes_members_but_not_other_admins(client, svc, people):
    gid = await _group(svc)
    await member(client, svc, "gadmin2")
    await post(client, f"community/groups/{gid}/addUsers", people["admin"], admins="gadmin2")
    body = await post(client, f"community/groups/{gid}/removeUsers", people["gadmin"], users="gadmin2,member1")
    assert body == {"notRemoved": ["gadmin2"]}
    assert await members_of(svc, gid) == {"owner1": "owner", "gadmin1": "admin", "gadmin2": "admin"}
    # the owner may remove a group admin
    assert await post(client, f"community/groups/{gid}/removeUsers", people["owner"], users="gadmin2") == {
        "notRemoved": []}


async def test_remove_users_refused_for_a_member(client, svc, people):
    gid = await _group(svc)
    assert await refused(client, svc, f"community/groups/{gid}/removeUsers", people["member"],
                         users="member1") == FORBIDDEN["sharing"]


# ------------------------------------------------------------------ updateUsers
async def test_owner_promotes_and_demotes(client, svc, people):
    gid = await _group(svc)
    body = await post(client, f"community/groups/{gid}/updateUsers", people["owner"], admins="member1",
                      users="gadmin1,owner1,outsider1")
    assert body == {"results": [{"username": "member1", "success": True}, {"username": "gadmin1", "success": True},
                                {"username": "owner1", "success": False},
                                {"username": "outsider1", "success": False}]}
    assert await members_of(svc, gid) == {"owner1": "owner", "member1": "admin", "gadmin1": "member"}
    assert (await groups_of(client, people["member"]))[gid] == "admin"


async def test_update_users_by_a_group_admin_is_forbidden_and_needs_names(client, svc, people):
    gid = await _group(svc)
    assert await refused(client, svc, f"community/groups/{gid}/updateUsers", people["gadmin"],
                         admins="member1") == FORBIDDEN["sharing"]
    body = await refused(client, svc, f"community/groups/{gid}/updateUsers", people["owner"])
    assert error(body) == (400, "Unable to update group membership.", ["'admins' or 'users' must be specified."])


async def test_org_admin_of_the_group_org_updates_users(client, svc, people):
    gid = await _group(svc)
    assert (await post(client, f"community/groups/{gid}/updateUsers", people["admin"], admins="member1"))[
        "results"] == [{"username": "member1", "success": True}]
    assert ADMIN not in await members_of(svc, gid)
