"""Sharing items at their edges (domain/item_sharing.py): a group manager shares an item into a
view-only group only where the owner could (the owner managing it), and unshareItems' item limit."""

from __future__ import annotations

from tests.api.sharing_support import call, member, shares
from tests.conftest import make_group, make_item, make_user


async def test_manager_shares_into_a_view_only_group_only_where_the_owner_manages(client, svc):
    await make_user(svc, "vo_owner")
    manager = await member(client, svc, "vo_mgr")
    source = await make_group(svc, "vo_owner", "Source", members=("vo_mgr",))
    owner_member = await make_group(svc, "vo_mgr", "Owner member", members=("vo_owner",), is_view_only=True)
    owner_admin = await make_group(svc, "vo_mgr", "Owner admin", admins=("vo_owner",), is_view_only=True)
    item = await make_item(svc, "vo_owner", "Map", groups=(source.id,))
    body = await call(client, f"content/items/{item.id}/share", manager, groups=f"{owner_member.id},{owner_admin.id}")
    assert body == {"notSharedWith": [owner_member.id], "itemId": item.id}
    assert sorted(await shares(svc, item.id)) == sorted([source.id, owner_admin.id])


async def test_unshare_items_takes_100_items_and_refuses_101(client, svc):
    token = await member(client, svc, "ui_a")
    ids = [f"{i:032x}" for i in range(101)]
    body = await call(client, "content/users/ui_a/unshareItems", token, items=",".join(ids[:100]), groups="g" * 32)
    assert len(body["results"]) == 100 and not any(r["success"] for r in body["results"])
    body = await call(client, "content/users/ui_a/unshareItems", token, items=",".join(ids), groups="g" * 32)
    assert body["error"] == {"code": 400, "message": "Unable to share items.",
                             "details": ["'items' names more than 100 items."]}
