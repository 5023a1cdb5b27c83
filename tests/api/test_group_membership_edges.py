"""Edges of group membership (sharing-api.md §5.5, §4.10) found by the mutation check: updateUsers
with an unknown name or too many names, the group an invitation describes, and the group limit
when a user's groups are reassigned to someone already in them."""

from __future__ import annotations

from geoshare.domain import groups
from geoshare.storage import groups as group_store
from tests.api.group_admin_support import add_application, add_invitation
from tests.api.group_members_support import error, get, member, members_of, post, snapshot
from tests.conftest import make_group, make_user


async def test_update_users_with_an_unknown_name_reports_it(client, svc):
    token = await member(client, svc, "owner_u")
    await make_user(svc, "member_u")
    group = await make_group(svc, "owner_u", "Team", members=("member_u",))
    body = await post(client, f"community/groups/{group.id}/updateUsers", token, admins="ghost,member_u")
    assert body == {"results": [{"username": "ghost", "success": False}, {"username": "member_u", "success": True}]}


async def test_update_users_names_at_most_1000_users(client, svc):
    token = await member(client, svc, "owner_v")
    group = await make_group(svc, "owner_v", "Team")
    before = await snapshot(svc)
    body = await post(client, f"community/groups/{group.id}/updateUsers", token,
                      admins=",".join(f"a{i}" for i in range(600)), users=",".join(f"u{i}" for i in range(401)))
    assert error(body) == (400, "Unable to update group membership.",
                           ["At most 1000 users may be named in one request."])
    assert await snapshot(svc) == before
    body = await post(client, f"community/groups/{group.id}/updateUsers", token,
                      admins=",".join(f"a{i}" for i in range(600)), users=",".join(f"u{i}" for i in range(400)))
    assert len(body["results"]) == 1000 and not any(r["success"] for r in body["results"])


async def test_an_invitation_describes_its_group(client, svc):
    token = await member(client, svc, "invited_w")
    await make_user(svc, "owner_w")
    group = await make_group(svc, "owner_w", "Described", access="org")
    await add_invitation(svc, group.id, "invited_w")
    [listed] = (await get(client, "community/users/invited_w/invitations", token))["userInvitations"]
    one = await get(client, f"community/users/invited_w/invitations/{listed['id']}", token)
    assert one["group"] == {"id": group.id, "title": "Described", "owner": "owner_w", "thumbnail": None,
                            "access": "org"}
    await svc.db.write(group_store.delete_group, group.id)  # the invitation row stays: only its id is left
    gone = await get(client, f"community/users/invited_w/invitations/{listed['id']}", token)
    assert gone["group"] == {"id": group.id}


async def test_reassigning_groups_the_receiver_is_already_in_does_not_count_them_again(client, svc, admin_token,
                                                                                     monkeypatch):
    monkeypatch.setattr(groups, "MAX_GROUPS_PER_USER", 2)
    await make_user(svc, "giver_x")
    taker = await make_user(svc, "taker_x")
    shared = await make_group(svc, "giver_x", "Shared", members=("taker_x",))
    await make_group(svc, "taker_x", "Own")
    body = await post(client, "community/users/giver_x/reassign", admin_token, targetUsername="taker_x")
    assert body == {"success": True}
    assert await svc.db.read(group_store.member_type, shared.id, taker.id) == "owner"


async def test_remove_users_names_at_most_1000_users(client, svc):
    token = await member(client, svc, "owner_r")
    group = await make_group(svc, "owner_r", "Team")
    before = await snapshot(svc)
    body = await post(client, f"community/groups/{group.id}/removeUsers", token,
                      users=",".join(f"u{i}" for i in range(1001)))
    assert error(body) == (400, "Unable to remove users from the group.",
                           ["At most 1000 users may be named in one request."])
    assert await snapshot(svc) == before
    body = await post(client, f"community/groups/{group.id}/removeUsers", token,
                      users=",".join(f"u{i}" for i in range(1000)))
    assert len(body["notRemoved"]) == 1000


async def test_accepting_an_invitation_once_already_a_member_keeps_the_membership(client, svc):
    token = await member(client, svc, "invited_m")
    await make_user(svc, "owner_m")
    group = await make_group(svc, "owner_m", "Joined", admins=("invited_m",))
    await add_invitation(svc, group.id, "invited_m")
    [listed] = (await get(client, "community/users/invited_m/invitations", token))["userInvitations"]
    body = await post(client, f"community/users/invited_m/invitations/{listed['id']}/accept", token)
    assert body == {"success": True, "username": "invited_m", "groupId": group.id, "id": listed["id"]}
    assert (await members_of(svc, group.id))["invited_m"] == "admin"
    assert (await get(client, "community/users/invited_m/invitations", token))["userInvitations"] == []


async def test_a_declined_application_is_gone_and_an_unknown_applicant_is_missing(client, svc):
    owner = await member(client, svc, "owner_d")
    await member(client, svc, "asker_d")
    group = await make_group(svc, "owner_d", "Asked")
    await add_application(svc, group.id, "asker_d")
    assert await post(client, f"community/groups/{group.id}/applications/asker_d/decline", owner) == {
        "success": True, "username": "asker_d"}
    assert await get(client, f"community/groups/{group.id}/applications", owner) == {"applications": []}
    for name in ("asker_d", "ghost"):
        body = await get(client, f"community/groups/{group.id}/applications/{name}", owner)
        assert error(body)[1] == "Application does not exist or is inaccessible.", body


async def test_invite_names_every_unknown_user(client, svc):
    owner = await member(client, svc, "owner_i")
    group = await make_group(svc, "owner_i", "Inviting")
    before = await snapshot(svc)
    body = await post(client, f"community/groups/{group.id}/invite", owner, users="Ghost2,ghost1", role="group_member",
                      expiration="1440")
    assert error(body) == (400, "Unable to invite users to the group.",
                           ["These users do not exist or are inaccessible: ghost1, ghost2."])
    assert await snapshot(svc) == before


async def test_userlist_joined_bounds_and_owner(client, svc):
    owner = await member(client, svc, "owner_j")
    await make_user(svc, "early_j")
    group = await make_group(svc, "owner_j", "Listed", members=("early_j",))
    svc.clock.advance(10_000)
    await make_user(svc, "late_j")
    await post(client, f"community/groups/{group.id}/addUsers", owner, users="late_j")
    cut = svc.clock.now_ms() - 5_000

    async def names(joined):
        body = await get(client, f"community/groups/{group.id}/userlist", owner, joined=joined)
        assert body["owner"] == {"username": "owner_j", "fullName": "owner_j"}, body
        return [u["username"] for u in body["users"]]

    assert await names(f"null,{cut}") == ["early_j", "owner_j"]
    assert await names(f"NULL,{cut}") == ["early_j", "owner_j"]
    assert await names(f"{cut},") == ["late_j"]
    for bad in ("5", "a,b", "1,2,3"):
        body = await get(client, f"community/groups/{group.id}/userlist", owner, joined=bad)
        assert error(body) == (400, "Unable to list the group's members.",
                               ["'joined' must be '<from>,<to>' in milliseconds."])


async def test_join_outcomes_are_logged_and_a_non_member_reads_none(client, svc, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="geoshare.groups")
    joiner = await member(client, svc, "joiner_k")
    await make_user(svc, "owner_k")
    open_group = await make_group(svc, "owner_k", "Open", access="org", auto_join=True)
    asked = await make_group(svc, "owner_k", "Asked", access="org")
    read = await get(client, f"community/groups/{open_group.id}", joiner)
    assert read["userMembership"] == {"username": "joiner_k", "memberType": "none"}
    for group in (open_group, open_group, asked):
        assert (await post(client, f"community/groups/{group.id}/join", joiner))["success"] is True
    assert [r.getMessage() for r in caplog.records if r.name == "geoshare.groups"] == [
        f"joiner_k join {open_group.id}: joined", f"joiner_k join {open_group.id}: member",
        f"joiner_k join {asked.id}: applied"]
