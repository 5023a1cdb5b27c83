"""Edges of invitations and join requests (sharing-api.md §5.5, §4.10) found by the mutation
check: the envelope of each refused invite, the invitation's and the notifications' contents."""

from __future__ import annotations

from tests.api.group_members_support import error, get, member, post, snapshot
from tests.conftest import make_group, make_org, make_user

INVITE_FAILED = "Unable to invite users to the group."


async def _refused(client, svc, path, token, **data):
    before = await snapshot(svc)
    body = await post(client, path, token, **data)
    assert await snapshot(svc) == before
    return error(body)


async def test_refused_invites_name_the_invite(client, svc, admin_token):
    owner = await member(client, svc, "owner_e")
    await make_user(svc, "guest_e")
    group = await make_group(svc, "owner_e", "Inviting", membership_access="org")
    path = f"community/groups/{group.id}/invite"
    assert await _refused(client, svc, path, owner, users="guest_e", role="group_owner", expiration="1440") == (
        400, INVITE_FAILED, ["'role' must be one of: group_member, group_admin."])
    assert await _refused(client, svc, path, owner, users=",".join(f"u{i}" for i in range(1001)),
                          role="group_member", expiration="1440") == (
        400, INVITE_FAILED, ["At most 1000 users may be named in one request."])
    far = (await make_org(client, admin_token, "Far Org", "far_admin"))["org"]["id"]
    for name in ("far_b", "far_a"):
        await make_user(svc, name, org_id=far, access="public")
    assert await _refused(client, svc, path, owner, users="far_b,guest_e,far_a", role="group_member",
                          expiration="1440") == (
        400, INVITE_FAILED, ["This group takes members of its own organization only: far_a, far_b."])


async def test_the_invitation_and_its_notification_carry_sender_and_role(client, svc):
    owner = await member(client, svc, "owner_f")
    guest = await member(client, svc, "guest_f")
    group = await make_group(svc, "owner_f", "Invited Team")
    assert (await post(client, f"community/groups/{group.id}/invite", owner, users="guest_f", role="group_admin",
                       expiration="1440"))["success"] is True
    [invitation] = (await get(client, "community/users/guest_f/invitations", guest))["userInvitations"]
    assert (invitation["mustApprove"], invitation["role"]) == (False, "group_admin")
    [note] = (await get(client, "community/users/guest_f/notifications", guest))["notifications"]
    assert (note["type"], note["targetType"]) == ("group_invite", "user")
    assert note["data"] == {"groupId": group.id, "groupTitle": "Invited Team", "invitationId": invitation["id"],
                            "fromUser": "owner_f", "role": "group_admin"}
