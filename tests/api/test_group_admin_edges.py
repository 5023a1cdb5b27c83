"""Edges of group management (sharing-api.md §5.4) found by the mutation check: the operator's
log lines, the recipients limit of createNotification, the body of each notification, the
delete hooks' connection, and the 512-group limit on reassign."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from geoshare.domain import group_admin
from geoshare.storage.tables import groups as groups_table
from tests.api import group_admin_support
from tests.api.group_admin_support import error_of, post, snapshot
from tests.api.group_members_support import fill_memberships
from tests.conftest import SHARING, get_token, image_bytes, make_group

cast = group_admin_support.cast  # the fixture


async def _group(svc, title="Edges", **columns):
    return await make_group(svc, "g_owner", title, members=("g_member",), admins=("g_manager",), **columns)


def _messages(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "geoshare.groups"]


async def test_delete_and_reassign_are_logged_with_group_and_people(client, svc, cast, caplog):
    caplog.set_level(logging.INFO, logger="geoshare.groups")
    group = await _group(svc)
    assert (await post(client, cast["admin"], f"community/groups/{group.id}/reassign",
                       targetUsername="g_outsider"))["success"] is True
    assert f"group {group.id} reassigned to g_outsider by admin" in _messages(caplog)
    assert (await post(client, cast["admin"], f"community/groups/{group.id}/delete"))["success"] is True
    assert f"group {group.id} deleted by admin" in _messages(caplog)


async def test_notification_is_logged_with_sender_and_count(client, svc, cast, caplog):
    caplog.set_level(logging.INFO, logger="geoshare.groups")
    group = await _group(svc)
    assert await post(client, cast["owner"], f"community/groups/{group.id}/createNotification", subject="S",
                      message="M", notifyAll="true") == {"success": True}
    assert "g_owner sent a group notification to 3 members" in _messages(caplog)


async def test_notification_data_names_the_group(client, svc, cast):
    group = await _group(svc, title="Named Team")
    await post(client, cast["owner"], f"community/groups/{group.id}/createNotification", subject="S",
               message="M", users="g_member")
    token = await get_token(client, "g_member", group_admin_support.PASSWORD)
    reply = await client.get(f"{SHARING}/community/users/g_member/notifications", params={"f": "json", "token": token})
    [note] = reply.json()["notifications"]
    assert note["data"] == {"fromUser": "g_owner", "subject": "S", "message": "M", "groupId": group.id,
                            "groupTitle": "Named Team"}


@pytest.mark.parametrize(("count", "detail"), [
    (1001, "'users' names more than 1000 users."),
    (1000, "'users' names users who are not members of the group: "),
])
async def test_recipients_limit_is_1000_names(client, svc, cast, count, detail):
    group = await _group(svc)
    names = ",".join(f"n{i}" for i in range(count))
    before = await snapshot(svc, group.id)
    code, message, details = error_of(await post(client, cast["owner"], f"community/groups/{group.id}/createNotification",
                                                 subject="S", message="M", users=names))
    assert (code, message) == (400, "Unable to create notification.")
    assert details[0].startswith(detail) and await snapshot(svc, group.id) == before


async def test_delete_hooks_get_the_open_transaction(client, svc, cast, monkeypatch):
    seen: list[object] = []

    def record(conn, group_id):
        seen.append(conn.execute(select(groups_table.c.title).where(groups_table.c.id == group_id)).scalar_one())

    monkeypatch.setattr(group_admin, "ON_DELETE", [record])
    group = await _group(svc, title="Hooked")
    assert (await post(client, cast["owner"], f"community/groups/{group.id}/delete"))["success"] is True
    assert seen == ["Hooked"]


async def test_update_with_a_foreign_id_names_the_update(client, svc, cast):
    group = await _group(svc)
    assert error_of(await post(client, cast["owner"], f"community/groups/{group.id}/update", id="e" * 32,
                               title="x")) == (400, "Unable to update group.", ["'id' does not name this group."])


async def test_reassign_to_a_user_at_the_limit_names_them(client, svc, cast):
    group = await _group(svc)
    await fill_memberships(svc, "g_outsider", 512)
    before = await snapshot(svc, group.id)
    assert error_of(await post(client, cast["admin"], f"community/groups/{group.id}/reassign",
                               targetUsername="g_outsider")) == (
        400, "Unable to add the user to the group.",
        ["'g_outsider' already belongs to 512 groups, the most a user may belong to."])
    assert await snapshot(svc, group.id) == before


async def test_update_is_logged_and_a_domain_refusal_names_the_update(client, svc, cast, caplog):
    caplog.set_level(logging.INFO, logger="geoshare.groups")
    group = await _group(svc)
    before = await snapshot(svc, group.id)
    assert error_of(await post(client, cast["owner"], f"community/groups/{group.id}/update", snippet="s" * 251)) == (
        400, "Unable to update group.", ["'snippet' is longer than 250 characters."])
    assert await snapshot(svc, group.id) == before and _messages(caplog) == []
    assert (await post(client, cast["manager"], f"community/groups/{group.id}/update", snippet="s"))["success"]
    assert _messages(caplog) == [f"group {group.id} updated by g_manager"]


async def test_the_owner_makes_the_group_public(client, svc, cast):
    group = await _group(svc)
    assert (await post(client, cast["owner"], f"community/groups/{group.id}/update", access="public"))["success"]
    assert (await group_admin_support.stored_group(svc, group.id)).access == "public"


async def test_an_update_without_a_thumbnail_keeps_the_stored_one(client, svc, cast):
    group = await _group(svc)
    await post(client, cast["owner"], f"community/groups/{group.id}/update",
               files={"thumbnail": ("logo.gif", image_bytes("GIF"), "image/gif")})
    name = (await group_admin_support.stored_group(svc, group.id)).thumbnail
    assert (await post(client, cast["owner"], f"community/groups/{group.id}/update", snippet="new"))["success"]
    assert (await group_admin_support.stored_group(svc, group.id)).thumbnail == name
    assert group_admin_support.blob_keys(svc) == {f"groups/{group.id}/info/{name}"}
