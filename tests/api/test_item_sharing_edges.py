"""Sharing items at their edges (domain/item_sharing.py): a group manager shares an item into a
view-only group only where the owner could (the owner managing it), and unshareItems' item limit."""

from __future__ import annotations

from tests.api.sharing_support import call, item_row, member, shares
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


async def test_manager_shares_a_public_item_anywhere_and_into_shared_update_groups_with_control(client, svc):
    await make_user(svc, "pu_owner")
    manager = await member(client, svc, "pu_mgr")
    plain = await make_group(svc, "pu_mgr", "Without owner")
    update = await make_group(svc, "pu_mgr", "Update", shared_update=True)
    item = await make_item(svc, "pu_owner", "Map", shared_public=True)
    body = await call(client, f"content/items/{item.id}/share", manager, groups=f"{plain.id},{update.id}",
                      confirmItemControl="true")
    assert body == {"notSharedWith": [], "itemId": item.id}
    assert sorted(await shares(svc, item.id)) == sorted([plain.id, update.id])


async def test_owner_sets_levels_and_unshares_through_the_item_path(client, svc):
    token = await member(client, svc, "ip_a")
    group = await make_group(svc, "ip_a", "Team")
    item = await make_item(svc, "ip_a", "Map", groups=(group.id,))
    body = await call(client, f"content/items/{item.id}/share", token, everyone="true")
    assert body == {"notSharedWith": [], "itemId": item.id}
    assert (await item_row(svc, item.id)).access == "public"
    body = await call(client, f"content/items/{item.id}/unshare", token, groups=group.id)
    assert body == {"notUnsharedFrom": [], "itemId": item.id}
    assert await shares(svc, item.id) == []


async def test_a_member_cannot_unshare_from_a_group_they_cannot_see(client, svc):
    await make_user(svc, "hu_owner")
    reader = await member(client, svc, "hu_reader")
    seen = await make_group(svc, "hu_owner", "Seen", members=("hu_reader",))
    hidden = await make_group(svc, "hu_owner", "Hidden")
    item = await make_item(svc, "hu_owner", "Map", groups=(seen.id, hidden.id))
    body = await call(client, f"content/items/{item.id}/unshare", reader, groups=hidden.id)
    assert body == {"notUnsharedFrom": [hidden.id], "itemId": item.id}
    assert sorted(await shares(svc, item.id)) == sorted([seen.id, hidden.id])


async def test_share_items_refuses_101_items_naming_the_items(client, svc):
    token = await member(client, svc, "si_a")
    ids = ",".join(f"{i:032x}" for i in range(101))
    body = await call(client, "content/users/si_a/shareItems", token, items=ids, everyone="true")
    assert body["error"] == {"code": 400, "message": "Unable to share items.",
                             "details": ["'items' names more than 100 items."]}


async def _member_with_role(client, svc, name, without):
    from geoshare.domain import privileges
    from geoshare.storage import roles as role_store
    from geoshare.storage import users as user_store
    from tests.conftest import DEFAULT_ORG

    role_id = (name[0] * 16)[:16]
    granted = [p for p in privileges.USER if p not in without]
    await svc.db.write(lambda conn: role_store.insert_role(
        conn, role_id=role_id, org_id=DEFAULT_ORG, name=f"Without {name}", description=None, privileges=granted,
        now=svc.clock.now_ms()))
    token = await member(client, svc, name)
    user = await svc.db.read(user_store.user_by_username, name)
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, role_id=role_id))
    return token


async def test_level_refusals_say_which_level(client, svc):
    token = await _member_with_role(client, svc, "nolevels", ("portal:user:shareToPublic", "portal:user:shareToOrg"))
    item = await make_item(svc, "nolevels", "Map")
    path = f"content/users/nolevels/items/{item.id}/share"
    assert (await call(client, path, token, everyone="true"))["error"]["message"] == (
        "Sharing with everyone is not allowed.")
    assert (await call(client, path, token, org="true"))["error"]["message"] == (
        "Sharing with the organization is not allowed.")
    assert (await item_row(svc, item.id)).access == "private"


async def test_an_administrator_shares_a_members_item_with_everyone(client, svc, admin_token):
    await make_user(svc, "adm_target")
    item = await make_item(svc, "adm_target", "Map")
    body = await call(client, f"content/users/adm_target/items/{item.id}/share", admin_token, everyone="true")
    assert body == {"notSharedWith": [], "itemId": item.id}
    assert (await item_row(svc, item.id)).access == "public"


async def test_item_control_is_recorded_only_for_shared_update_groups(client, svc):
    from sqlalchemy import select

    from geoshare.storage.tables import item_groups

    token = await member(client, svc, "ic_a")
    plain = await make_group(svc, "ic_a", "Plain")
    update = await make_group(svc, "ic_a", "Update", shared_update=True)
    item = await make_item(svc, "ic_a", "Map")
    body = await call(client, f"content/users/ic_a/items/{item.id}/share", token, groups=f"{plain.id},{update.id}",
                      confirmItemControl="true")
    assert body == {"notSharedWith": [], "itemId": item.id}
    query = select(item_groups.c.group_id, item_groups.c.item_control).where(item_groups.c.item_id == item.id)
    rows = dict(await svc.db.read(lambda conn: [tuple(r) for r in conn.execute(query)]))
    assert rows == {plain.id: False, update.id: True}
