"""Edges of group membership (sharing-api.md §5.5, §4.10) found by the mutation check: updateUsers
with an unknown name or too many names, the group an invitation describes, and the group limit
when a user's groups are reassigned to someone already in them."""

from __future__ import annotations

from geoshare.domain import groups
from geoshare.storage import groups as group_store
from tests.api.group_admin_support import add_invitation
from tests.api.group_members_support import error, get, member, post, snapshot
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
