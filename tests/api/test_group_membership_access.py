"""membershipAccess (sharing-api.md §5.1): `org` (and `collaboration`, since geoshare has no
collaborations) keeps a group to members of its own organization; unset lets others in."""

from __future__ import annotations

from geoshare.storage import users as user_store
from tests.api.group_members_support import error, get, member, members_of, post, snapshot
from tests.conftest import get_token, make_group, make_org, make_user


async def _outsider(client, svc, admin_token) -> str:
    await make_org(client, admin_token, "Elsewhere", "else_admin")
    other_org = (await svc.db.read(user_store.user_by_username, "else_admin")).org_id
    await make_user(svc, "else_member", org_id=other_org, access="public")
    return await get_token(client, "else_member", "Member12345")


async def test_join_from_another_organization_follows_membership_access(client, svc, admin_token):
    await member(client, svc, "owner1")
    outsider = await _outsider(client, svc, admin_token)
    for access, applied in (("org", False), ("collaboration", False), (None, True)):
        group = await make_group(svc, "owner1", f"Open {access}", access="public", membership_access=access)
        before = await snapshot(svc)
        body = await post(client, f"community/groups/{group.id}/join", outsider)
        if applied:
            assert body == {"success": True, "groupId": group.id}
            apps = await get(client, f"community/groups/{group.id}/applications", admin_token)
            assert [a["username"] for a in apps["applications"]] == ["else_member"]
        else:
            assert error(body) == (400, "Unable to join group.", [
                "This group takes members of its own organization only."])
            assert await snapshot(svc) == before


async def test_invite_from_another_organization_follows_membership_access(client, svc, admin_token):
    owner = await member(client, svc, "owner1")
    await _outsider(client, svc, admin_token)
    closed = await make_group(svc, "owner1", "Closed", access="org", membership_access="org")
    before = await snapshot(svc)
    body = await post(client, f"community/groups/{closed.id}/invite", owner, users="else_member")
    assert error(body) == (400, "Unable to invite users to the group.", [
        "This group takes members of its own organization only: else_member."])
    assert await snapshot(svc) == before
    open_group = await make_group(svc, "owner1", "Open", access="org")
    assert await post(client, f"community/groups/{open_group.id}/invite", owner, users="else_member") == {
        "success": True, "groupId": open_group.id}
    assert "else_member" not in await members_of(svc, open_group.id)
