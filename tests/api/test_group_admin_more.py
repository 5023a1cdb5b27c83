"""Managing a group, continued (sharing-api.md §5.4): reassign, createNotification and the
thumbnail file at community/groups/{id}/info/{file}."""

from __future__ import annotations

import pytest

from geoshare.domain import groups as group_domain
from geoshare.storage import groups as group_store
from geoshare.storage import users as user_store
from tests.api import group_admin_support
from tests.api.expected import FORBIDDEN
from tests.api.group_admin_support import error_of, missing_body, post, snapshot, stored_group
from tests.conftest import SHARING, disable_user, image_bytes, make_group, make_user

cast = group_admin_support.cast  # the fixture
MEMBERS = {"members": ("g_member",), "admins": ("g_manager",)}


async def _group(svc, title="Managed", owner="g_owner", **columns):
    return await make_group(svc, owner, title, **{**MEMBERS, **columns})


async def _member_types(svc, group_id):
    return {m.username: m.member_type for m in await svc.db.read(group_store.members, group_id)}


# ------------------------------------------------------------------ reassign
async def _reassign(client, token, group_id, target):
    return await post(client, token, f"community/groups/{group_id}/reassign", targetUsername=target)


async def test_reassign_to_an_outsider_keeps_the_previous_owner_as_admin(client, svc, cast):
    group = await _group(svc, access="private")
    assert await _reassign(client, cast["admin"], group.id, "G_Outsider") == {"success": True, "groupId": group.id}
    assert (await stored_group(svc, group.id)).owner == "g_outsider"
    assert await _member_types(svc, group.id) == {"g_outsider": "owner", "g_owner": "admin", "g_manager": "admin",
                                                  "g_member": "member"}
    outsider = await svc.db.read(user_store.user_by_username, "g_outsider")
    assert [(g.id, t) for g, t in await svc.db.read(group_store.groups_of_user, outsider.id)] == [(group.id, "owner")]


async def test_reassign_to_a_member_promotes_them(client, svc, cast):
    group = await _group(svc)
    assert await _reassign(client, cast["admin"], group.id, "g_member") == {"success": True, "groupId": group.id}
    assert await _member_types(svc, group.id) == {"g_member": "owner", "g_owner": "admin", "g_manager": "admin"}


async def test_reassign_to_the_owner_changes_nothing(client, svc, cast):
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    assert await _reassign(client, cast["admin"], group.id, "g_owner") == {"success": True, "groupId": group.id}
    assert await snapshot(svc, group.id) == before


@pytest.mark.parametrize("who", ["owner", "manager", "limited", "other"])
async def test_only_an_org_admin_with_reassign_groups_reassigns(client, svc, cast, who):
    group = await _group(svc, access="public")
    before = await snapshot(svc, group.id)
    assert await _reassign(client, cast[who], group.id, "g_outsider") == FORBIDDEN["sharing"]
    assert await snapshot(svc, group.id) == before


@pytest.mark.parametrize("target", ["nobody_here", "g_other", "g_disabled"])
async def test_the_new_owner_is_an_enabled_member_of_the_org(client, svc, cast, target):
    await make_user(svc, "g_disabled")
    await disable_user(svc, "g_disabled")
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    assert error_of(await _reassign(client, cast["admin"], group.id, target)) == (
        400, "Unable to reassign group.",
        [f"'targetUsername' must name an enabled member of the group's organization: '{target}' does not."])
    assert await snapshot(svc, group.id) == before


async def test_a_title_the_new_owner_already_has_is_refused(client, svc, cast):
    await make_group(svc, "g_outsider", "managed")
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    assert error_of(await _reassign(client, cast["admin"], group.id, "g_outsider")) == (
        400, "Unable to reassign group.", ["'g_outsider' already owns a group named 'Managed'."])
    assert await snapshot(svc, group.id) == before


async def test_the_group_limit_of_the_new_owner(client, svc, cast, monkeypatch):
    """The limit itself (512) is the lead's constant; a smaller one keeps the test fast and shows
    both sides of the boundary: a member at the limit may still take over a group they are in."""
    monkeypatch.setattr(group_domain, "MAX_GROUPS_PER_USER", 2)
    await make_group(svc, "g_outsider", "Own one")
    outsider_in = await _group(svc, title="Outsider in", members=("g_outsider",))
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    assert error_of(await _reassign(client, cast["admin"], group.id, "g_outsider"))[:2] == (
        400, "Unable to add the user to the group.")
    assert await snapshot(svc, group.id) == before
    assert await _reassign(client, cast["admin"], outsider_in.id, "g_outsider") == {
        "success": True, "groupId": outsider_in.id}


async def test_reassign_of_a_hidden_group_answers_like_a_missing_one(client, svc, cast):
    group = await make_group(svc, "g_other", "Theirs", access="private")
    assert await _reassign(client, cast["admin"], group.id, "g_owner") == \
        await missing_body(client, cast["admin"], "reassign", targetUsername="g_owner")


# ------------------------------------------------------------------ createNotification
async def _notify(client, token, group_id, **data):
    return await post(client, token, f"community/groups/{group_id}/createNotification",
                      **{"subject": "Hello", "message": "Body", **data})


async def _inbox(client, username):
    from tests.conftest import get_token

    token = await get_token(client, username, group_admin_support.PASSWORD)
    reply = await client.get(f"{SHARING}/community/users/{username}/notifications", params={"f": "json", "token": token})
    return reply.json()["notifications"]


@pytest.mark.parametrize("who", ["owner", "manager", "admin"])
async def test_managers_write_to_named_members(client, svc, cast, who):
    group = await _group(svc)
    assert await _notify(client, cast[who], group.id, users="G_Member", subject="<b>Hi</b> there",
                         message="Line<script>x</script>", notificationChannelType="builtin") == {"success": True}
    [note] = await _inbox(client, "g_member")
    assert note["type"] == "message_received" and note["target"] == group.id and note["targetType"] == "group"
    assert note["data"]["subject"] == "Hi there" and "<" not in note["data"]["message"]
    assert note["data"]["groupId"] == group.id and note["data"]["fromUser"].startswith(("g_", "admin"))
    assert await _inbox(client, "g_manager") == []


async def test_notify_all_reaches_every_member(client, svc, cast):
    group = await _group(svc)
    assert await _notify(client, cast["owner"], group.id, notifyAll="true") == {"success": True}
    for name in ("g_owner", "g_manager", "g_member"):
        assert [n["data"]["subject"] for n in await _inbox(client, name)] == ["Hello"]
    assert await _inbox(client, "g_outsider") == []


@pytest.mark.parametrize(("data", "detail"), [
    ({"users": "g_member,g_outsider,ghost"},
     "'users' names users who are not members of the group: g_outsider, ghost."),
    ({"users": ""}, "'users' or 'notifyAll=true' must be specified."),
    ({"users": "g_member", "subject": "<i></i>"}, "'subject' must be specified."),
    ({"users": "g_member", "message": "m" * 10_001}, "'message' is longer than 10000 characters."),
    ({"users": "g_member", "subject": "s" * 1025}, "'subject' is longer than 1024 characters."),
])
async def test_bad_notifications_send_nothing(client, svc, cast, data, detail):
    group = await _group(svc)
    assert error_of(await _notify(client, cast["owner"], group.id, **data)) == (
        400, "Unable to create notification.", [detail])
    assert await _inbox(client, "g_member") == []


async def test_a_message_of_the_limit_is_sent(client, svc, cast):
    group = await _group(svc)
    assert await _notify(client, cast["owner"], group.id, users="g_member", message="m" * 10_000,
                         subject="s" * 1024) == {"success": True}
    assert len((await _inbox(client, "g_member"))[0]["data"]["message"]) == 10_000


@pytest.mark.parametrize("who", ["member", "limited", "other"])
async def test_who_does_not_manage_cannot_notify(client, svc, cast, who):
    group = await _group(svc, access="public")
    assert await _notify(client, cast[who], group.id, notifyAll="true") == FORBIDDEN["sharing"]
    assert await _inbox(client, "g_member") == []


async def test_notify_on_a_hidden_group_answers_like_a_missing_one(client, svc, cast):
    group = await _group(svc)
    assert await _notify(client, cast["outsider"], group.id, notifyAll="true") == \
        await missing_body(client, cast["outsider"], "createNotification", subject="Hello", message="Body",
                           notifyAll="true")


# ------------------------------------------------------------------ info/{file}
async def _pictured(client, svc, cast, access):
    group = await _group(svc, access=access)
    await post(client, cast["owner"], f"community/groups/{group.id}/update",
               files={"thumbnail": ("logo.gif", image_bytes("GIF"), "image/gif")})
    return await stored_group(svc, group.id)


async def _file(client, token, group_id, name):
    params = {"f": "json", **({"token": token} if token else {})}
    return await client.get(f"{SHARING}/community/groups/{group_id}/info/{name}", params=params)


@pytest.mark.parametrize(("access", "who"), [("public", None), ("org", "outsider"), ("private", "member")])
async def test_whoever_sees_the_group_gets_its_thumbnail(client, svc, cast, access, who):
    group = await _pictured(client, svc, cast, access)
    reply = await _file(client, cast[who] if who else None, group.id, group.thumbnail)
    assert reply.status_code == 200 and reply.headers["content-type"] == "image/gif"
    assert reply.content == image_bytes("GIF")


@pytest.mark.parametrize(("access", "who"), [("org", None), ("private", "outsider"), ("org", "other")])
async def test_who_cannot_see_the_group_gets_the_missing_group_error(client, svc, cast, access, who):
    group = await _pictured(client, svc, cast, access)
    token = cast[who] if who else None
    reply = await _file(client, token, group.id, group.thumbnail)
    missing = await client.get(f"{SHARING}/community/groups/{'f' * 32}/info/{group.thumbnail}",
                               params={"f": "json", **({"token": token} if token else {})})
    assert reply.content == missing.content
    assert error_of(reply.json())[:2] == (400, "Group does not exist or is inaccessible.")


async def test_an_unknown_file_is_not_found(client, svc, cast):
    group = await _pictured(client, svc, cast, "public")
    for name in ("other.gif", group.thumbnail.upper()):
        body = (await _file(client, None, group.id, name)).json()
        assert error_of(body) == (404, "Resource not found", [f"'{name}' is not a file of this group."])
    bare = await make_group(svc, "g_owner", "No picture", access="public")
    assert error_of((await _file(client, None, bare.id, "thumbnail.png")).json())[0] == 404
