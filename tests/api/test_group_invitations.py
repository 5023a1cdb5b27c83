"""invite, the invitee's accept and decline, and join requests (applications) (sharing-api.md §5.5,
§4.10).  Refusals change nothing (snapshot of every membership table)."""

from __future__ import annotations

import pytest

from tests.api.expected import FORBIDDEN
from tests.api.group_members_support import (
    error,
    fill_memberships,
    get,
    groups_of,
    member,
    members_of,
    post,
    snapshot,
)
from tests.conftest import get_token, make_group, make_org

DAY_MS = 86_400_000


@pytest.fixture
async def people(client, svc, admin_token):
    return {"admin": admin_token, "owner": await member(client, svc, "owner1"),
            "gadmin": await member(client, svc, "gadmin1"), "member": await member(client, svc, "member1"),
            "guest": await member(client, svc, "guest1"), "guest2": await member(client, svc, "guest2")}


async def _group(svc, **columns):
    group = await make_group(svc, "owner1", "Team", members=("member1",), admins=("gadmin1",),
                             **{"access": "org", **columns})
    return group.id


async def refused(client, svc, call, path, token, **data):
    before = await snapshot(svc)
    body = await call(client, path, token, **data)
    assert await snapshot(svc) == before
    return body


async def invitations(client, token, username):
    return (await get(client, f"community/users/{username}/invitations", token))["userInvitations"]


# ------------------------------------------------------------------ invite
async def test_invite_creates_an_invitation_and_a_notification(client, svc, people):
    gid = await _group(svc, is_invitation_only=True)
    now = svc.clock.pin()
    body = await post(client, f"community/groups/{gid}/invite", people["gadmin"], users="guest1,GUEST2",
                      role="group_admin", expiration="1440")
    assert body == {"success": True, "groupId": gid}
    found = await invitations(client, people["guest"], "guest1")
    assert len(found) == 1
    invitation = found[0]
    assert invitation["id"][0] == "G" and len(invitation["id"]) == 33
    assert (invitation["groupId"], invitation["role"], invitation["expiration"], invitation["fromUsername"]) == (
        gid, "group_admin", now + DAY_MS, {"username": "gadmin1", "fullname": "gadmin1"})
    notes = (await get(client, "community/users/guest1/notifications", people["guest"]))["notifications"]
    assert [(n["type"], n["data"]["groupId"], n["data"]["invitationId"]) for n in notes] == [
        ("group_invite", gid, invitation["id"])]
    assert len(await invitations(client, people["guest2"], "guest2")) == 1


async def test_invite_members_or_invited_again_is_success_without_duplicates(client, svc, people):
    gid = await _group(svc)
    await post(client, f"community/groups/{gid}/invite", people["owner"], users="guest1")
    body = await refused(client, svc, post, f"community/groups/{gid}/invite", people["owner"], users="guest1,member1")
    assert body == {"success": True, "groupId": gid}


async def test_expired_invitation_may_be_sent_again(client, svc, people):
    gid = await _group(svc)
    svc.clock.pin()
    await post(client, f"community/groups/{gid}/invite", people["owner"], users="guest1", expiration="1440")
    svc.clock.advance(DAY_MS + 1)
    guest, owner = await get_token(client, "guest1", "Member12345"), await get_token(client, "owner1", "Member12345")
    assert await invitations(client, guest, "guest1") == []
    await post(client, f"community/groups/{gid}/invite", owner, users="guest1")
    assert len(await invitations(client, guest, "guest1")) == 1


@pytest.mark.parametrize(("data", "detail"), [
    ({"users": "guest1,nobody"}, "These users do not exist or are inaccessible: nobody."),
    ({"users": "guest1", "expiration": "60"}, "'expiration' must be one of: 1440, 4320, 10080, 20160 (minutes)."),
    ({"users": "guest1", "role": "group_owner"}, "'role' must be one of: group_member, group_admin."),
    ({}, "'users' must be specified."),
])
async def test_invite_refuses_bad_parameters(client, svc, people, data, detail):
    gid = await _group(svc)
    body = await refused(client, svc, post, f"community/groups/{gid}/invite", people["owner"], **data)
    assert error(body) == (400, "Unable to invite users to the group.", [detail])


async def test_invite_of_other_organizations_users_needs_a_public_profile(client, svc, people):
    gid = await _group(svc, access="public")
    await make_org(client, people["admin"], "Elsewhere", "else_admin")
    body = await refused(client, svc, post, f"community/groups/{gid}/invite", people["owner"], users="else_admin")
    assert error(body)[2] == ["These users do not exist or are inaccessible: else_admin."]
    from geoshare.storage import users as user_store

    other = await svc.db.read(user_store.user_by_username, "else_admin")
    await svc.db.write(lambda conn: user_store.update_user(conn, other.id, access="public"))
    assert (await post(client, f"community/groups/{gid}/invite", people["owner"], users="else_admin"))["success"]


async def test_invite_by_a_plain_member_is_forbidden(client, svc, people):
    gid = await _group(svc)
    assert await refused(client, svc, post, f"community/groups/{gid}/invite", people["member"],
                         users="guest1") == FORBIDDEN["sharing"]


# ------------------------------------------------------------------ the invitee answers
async def _invited(client, svc, people, role="group_member", **columns):
    gid = await _group(svc, **columns)
    await post(client, f"community/groups/{gid}/invite", people["owner"], users="guest1", role=role)
    return gid, (await invitations(client, people["guest"], "guest1"))[0]["id"]


async def test_accept_joins_with_the_invited_role_and_consumes_the_invitation(client, svc, people):
    gid, iid = await _invited(client, svc, people, role="group_admin", is_invitation_only=True)
    body = await post(client, f"community/users/guest1/invitations/{iid}/accept", people["guest"])
    assert body == {"success": True, "username": "guest1", "groupId": gid, "id": iid}
    assert (await members_of(svc, gid))["guest1"] == "admin"
    assert (await groups_of(client, people["guest"]))[gid] == "admin"
    assert await invitations(client, people["guest"], "guest1") == []
    again = await refused(client, svc, post, f"community/users/guest1/invitations/{iid}/accept", people["guest"])
    assert error(again)[:2] == (404, "Invitation does not exist or is inaccessible.")


async def test_decline_drops_the_invitation_and_tells_the_inviter(client, svc, people):
    gid, iid = await _invited(client, svc, people)
    body = await post(client, f"community/users/guest1/invitations/{iid}/decline", people["guest"])
    assert body == {"success": True, "username": "guest1", "groupId": gid, "id": iid}
    assert "guest1" not in await members_of(svc, gid)
    assert await invitations(client, people["guest"], "guest1") == []
    notes = (await get(client, "community/users/owner1/notifications", people["owner"]))["notifications"]
    assert [(n["type"], n["data"]["username"]) for n in notes] == [("group_invite_declined", "guest1")]


async def test_only_the_invitee_answers(client, svc, people):
    gid, iid = await _invited(client, svc, people)
    for token in (people["admin"], people["owner"], people["guest2"]):
        for verb in ("accept", "decline"):
            body = await refused(client, svc, post, f"community/users/guest1/invitations/{iid}/{verb}", token)
            assert body == FORBIDDEN["sharing"]
    # someone else's invitation id under one's own name is not found
    body = await refused(client, svc, post, f"community/users/guest2/invitations/{iid}/accept", people["guest2"])
    assert error(body)[:2] == (404, "Invitation does not exist or is inaccessible.")


async def test_accept_at_the_512_limit_is_refused(client, svc, people):
    gid, iid = await _invited(client, svc, people)
    await fill_memberships(svc, "guest1", 512)
    body = await refused(client, svc, post, f"community/users/guest1/invitations/{iid}/accept", people["guest"])
    assert error(body) == (400, "Unable to add the user to the group.", [
        "'guest1' already belongs to 512 groups, the most a user may belong to."])


async def test_expired_invitation_cannot_be_accepted(client, svc, people):
    svc.clock.pin()
    gid, iid = await _invited(client, svc, people)
    svc.clock.advance(20160 * 60_000)
    guest = await get_token(client, "guest1", "Member12345")
    body = await refused(client, svc, post, f"community/users/guest1/invitations/{iid}/accept", guest)
    assert error(body)[:2] == (404, "Invitation does not exist or is inaccessible.")


# ------------------------------------------------------------------ applications
async def _applied(client, svc, people):
    gid = await _group(svc)
    svc.clock.pin()
    await post(client, f"community/groups/{gid}/join", people["guest"])
    return gid


async def test_managers_list_and_read_applications(client, svc, people):
    gid = await _applied(client, svc, people)
    now = svc.clock.now_ms()
    expected = {"username": "guest1", "fullName": "guest1", "received": now}
    for who in ("owner", "gadmin", "admin"):
        assert await get(client, f"community/groups/{gid}/applications", people[who]) == {"applications": [expected]}
        assert await get(client, f"community/groups/{gid}/applications/GUEST1", people[who]) == expected
    assert await get(client, f"community/groups/{gid}/applications", people["member"]) == FORBIDDEN["sharing"]
    missing = await get(client, f"community/groups/{gid}/applications/guest2", people["owner"])
    assert error(missing)[:2] == (400, "Application does not exist or is inaccessible.")


async def test_accepting_an_application_adds_and_notifies(client, svc, people):
    gid = await _applied(client, svc, people)
    body = await post(client, f"community/groups/{gid}/applications/guest1/accept", people["gadmin"])
    assert body == {"success": True, "username": "guest1"}
    assert (await groups_of(client, people["guest"]))[gid] == "member"
    assert (await get(client, f"community/groups/{gid}/applications", people["owner"])) == {"applications": []}
    notes = (await get(client, "community/users/guest1/notifications", people["guest"]))["notifications"]
    assert [(n["type"], n["data"]["groupId"]) for n in notes] == [("group_join", gid)]


async def test_declining_an_application_notifies_and_adds_nobody(client, svc, people):
    gid = await _applied(client, svc, people)
    body = await post(client, f"community/groups/{gid}/applications/guest1/decline", people["owner"])
    assert body == {"success": True, "username": "guest1"}
    assert "guest1" not in await members_of(svc, gid)
    notes = (await get(client, "community/users/guest1/notifications", people["guest"]))["notifications"]
    assert [n["type"] for n in notes] == ["group_join_declined"]


async def test_application_answers_refused_change_nothing(client, svc, people):
    gid = await _applied(client, svc, people)
    for verb in ("accept", "decline"):
        forbidden = await refused(client, svc, post, f"community/groups/{gid}/applications/guest1/{verb}",
                                  people["member"])
        assert forbidden == FORBIDDEN["sharing"]
        none = await refused(client, svc, post, f"community/groups/{gid}/applications/guest2/{verb}", people["owner"])
        assert error(none)[:2] == (400, "Application does not exist or is inaccessible.")


async def test_accepting_an_application_at_the_limit_is_refused(client, svc, people):
    gid = await _applied(client, svc, people)
    await fill_memberships(svc, "guest1", 512)
    body = await refused(client, svc, post, f"community/groups/{gid}/applications/guest1/accept", people["owner"])
    assert error(body)[:2] == (400, "Unable to add the user to the group.")


async def test_other_organizations_admin_cannot_manage_applications(client, svc, people):
    gid = await _applied(client, svc, people)
    from geoshare.storage import groups as group_store

    await svc.db.write(lambda conn: group_store.update_group(conn, gid, {"access": "public"}))
    await make_org(client, people["admin"], "Elsewhere", "else_admin")
    other = await get_token(client, "else_admin", "Other12345")
    assert await get(client, f"community/groups/{gid}/applications", other) == FORBIDDEN["sharing"]
    assert await refused(client, svc, post, f"community/groups/{gid}/applications/guest1/accept", other) == FORBIDDEN[
        "sharing"]


async def test_accepting_an_invitation_to_a_deleted_group_is_refused(client, svc, people):
    from geoshare.storage import groups as group_store

    gid, iid = await _invited(client, svc, people)
    await svc.db.write(group_store.delete_group, gid)
    body = await refused(client, svc, post, f"community/users/guest1/invitations/{iid}/accept", people["guest"])
    assert error(body)[:2] == (400, "Group does not exist or is inaccessible.")
