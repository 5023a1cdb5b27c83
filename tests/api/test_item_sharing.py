"""Sharing one item (sharing-api.md §6.10, §8.2): levels, groups, refusals, make private,
shared-update item control, group managers, and who then sees the item."""

from __future__ import annotations

import pytest

from geoshare.domain import access, items
from geoshare.errors import NotFound
from geoshare.storage import orgs as org_store
from geoshare.storage.tables import items as items_table
from tests.api.sharing_support import call, error_of, get, item_row, member, principal, shares
from tests.conftest import DEFAULT_ORG, make_group, make_item, make_org, make_user


def share_path(owner: str, item_id: str) -> str:
    return f"content/users/{owner}/items/{item_id}/share"


async def visible_ids(svc, name):
    from sqlalchemy import select

    viewer = await principal(svc, name)
    query = select(items_table.c.id).where(access.item_visible(viewer))
    return set(await svc.db.read(lambda conn: list(conn.execute(query).scalars())))


async def test_owner_shares_with_a_group_member_sees_it_non_member_does_not(client, svc):
    owner = await member(client, svc, "sh_a")
    b, c = await member(client, svc, "sh_b"), await member(client, svc, "sh_c")
    group = await make_group(svc, "sh_a", "Team", members=("sh_b",))
    item = await make_item(svc, "sh_a", "Map")
    body = await call(client, share_path("sh_a", item.id), owner, groups=group.id)
    assert body == {"notSharedWith": [], "itemId": item.id}
    assert (await item_row(svc, item.id)).access == "shared"
    assert item.id in await visible_ids(svc, "sh_b")
    assert item.id not in await visible_ids(svc, "sh_c")
    seen = await svc.db.read(items.seen_item, await principal(svc, "sh_b"), item.id)
    assert seen.item.id == item.id and seen.control is None
    with pytest.raises(NotFound):
        await svc.db.read(items.seen_item, await principal(svc, "sh_c"), item.id)
    assert b and c


async def test_levels_absent_leave_them_true_turns_on_false_turns_off(client, svc):
    token = await member(client, svc, "lv_a")
    item = await make_item(svc, "lv_a", "Map")
    assert (await call(client, share_path("lv_a", item.id), token, org="true"))["notSharedWith"] == []
    assert (await item_row(svc, item.id)).access == "org"
    await call(client, share_path("lv_a", item.id), token)
    assert (await item_row(svc, item.id)).access == "org"
    await call(client, share_path("lv_a", item.id), token, everyone="true")
    row = await item_row(svc, item.id)
    assert (row.access, row.shared_org, row.shared_public) == ("public", True, True)
    await call(client, share_path("lv_a", item.id), token, everyone="false")
    assert (await item_row(svc, item.id)).access == "org"
    await call(client, share_path("lv_a", item.id), token, org="false")
    assert (await item_row(svc, item.id)).access == "private"


async def test_everyone_false_org_false_with_groups_left_is_shared(client, svc):
    token = await member(client, svc, "dn_a")
    group = await make_group(svc, "dn_a", "Own")
    item = await make_item(svc, "dn_a", "Map", groups=(group.id,), shared_org=True, shared_public=True)
    await call(client, share_path("dn_a", item.id), token, everyone="false", org="false", groups=group.id)
    assert (await item_row(svc, item.id)).access == "shared"
    assert await shares(svc, item.id) == [group.id]


async def test_make_private_with_blank_groups_unshares_every_group(client, svc):
    token = await member(client, svc, "mp_a")
    g1, g2 = await make_group(svc, "mp_a", "One"), await make_group(svc, "mp_a", "Two")
    item = await make_item(svc, "mp_a", "Map", groups=(g1.id, g2.id), shared_org=True)
    body = await call(client, share_path("mp_a", item.id), token, everyone="false", org="false", groups=" ")
    assert body == {"notSharedWith": [], "itemId": item.id}
    assert await shares(svc, item.id) == []
    assert (await item_row(svc, item.id)).access == "private"


async def test_blank_groups_without_both_levels_false_keeps_groups(client, svc):
    token = await member(client, svc, "mq_a")
    group = await make_group(svc, "mq_a", "One")
    item = await make_item(svc, "mq_a", "Map", groups=(group.id,))
    await call(client, share_path("mq_a", item.id), token, org="false", groups=" ")
    assert await shares(svc, item.id) == [group.id]
    assert (await item_row(svc, item.id)).access == "shared"


async def test_unusable_groups_are_reported_and_the_call_succeeds(client, svc):
    token = await member(client, svc, "ug_a")
    await make_user(svc, "ug_other")
    mine = await make_group(svc, "ug_a", "Mine")
    not_member = await make_group(svc, "ug_other", "Theirs", access="org")
    hidden = await make_group(svc, "ug_other", "Hidden")
    view_only = await make_group(svc, "ug_other", "ViewOnly", members=("ug_a",), is_view_only=True)
    managed_view_only = await make_group(svc, "ug_other", "Managed", admins=("ug_a",), is_view_only=True)
    update = await make_group(svc, "ug_a", "Update", shared_update=True)
    item = await make_item(svc, "ug_a", "Map")
    asked = [mine.id, not_member.id, hidden.id, view_only.id, managed_view_only.id, update.id, "x" * 32, "short"]
    body = await call(client, share_path("ug_a", item.id), token, groups=",".join(asked))
    assert body["notSharedWith"] == [not_member.id, hidden.id, view_only.id, update.id, "x" * 32, "short"]
    assert sorted(await shares(svc, item.id)) == sorted([mine.id, managed_view_only.id])


async def test_shared_update_needs_confirm_and_then_members_update_but_do_not_share(client, svc):
    token = await member(client, svc, "su_a")
    b = await member(client, svc, "su_b")
    await make_user(svc, "su_c")
    update = await make_group(svc, "su_a", "Update", members=("su_b",), shared_update=True)
    plain = await make_group(svc, "su_a", "Plain", members=("su_c",))
    item = await make_item(svc, "su_a", "Map")
    body = await call(client, share_path("su_a", item.id), token, groups=f"{update.id},{plain.id}",
                      confirmItemControl="true")
    assert body["notSharedWith"] == []
    seen = await svc.db.read(items.seen_item, await principal(svc, "su_b"), item.id)
    assert seen.control == "update"
    items.require_updater(await principal(svc, "su_b"), seen)
    plain_seen = await svc.db.read(items.seen_item, await principal(svc, "su_c"), item.id)
    assert plain_seen.control is None
    refused = await call(client, share_path("su_a", item.id), b, org="true")
    assert error_of(refused)["code"] == 403
    assert (await item_row(svc, item.id)).access == "shared"


async def test_everyone_refused_for_the_whole_call_when_the_org_forbids_it(client, svc):
    token = await member(client, svc, "np_a")
    group = await make_group(svc, "np_a", "Own")
    item = await make_item(svc, "np_a", "Map")
    await svc.db.write(lambda conn: org_store.update_org(conn, DEFAULT_ORG, can_share_public=False))
    body = await call(client, share_path("np_a", item.id), token, everyone="true", org="true", groups=group.id)
    assert error_of(body)["code"] == 403
    row = await item_row(svc, item.id)
    assert (row.access, row.shared_org, row.shared_public) == ("private", False, False)
    assert await shares(svc, item.id) == []
    await svc.db.write(lambda conn: org_store.update_org(conn, DEFAULT_ORG, can_share_public=True))
    assert (await call(client, share_path("np_a", item.id), token, everyone="true"))["notSharedWith"] == []
    assert (await item_row(svc, item.id)).access == "public"


async def test_everyone_refused_without_the_privilege(client, svc):
    from geoshare.domain import privileges
    from geoshare.storage import roles as role_store
    from geoshare.storage import users as user_store

    role_id = "c" * 16
    granted = [p for p in privileges.USER if p != "portal:user:shareToPublic"]
    await svc.db.write(lambda conn: role_store.insert_role(
        conn, role_id=role_id, org_id=DEFAULT_ORG, name="No public", description=None, privileges=granted,
        now=svc.clock.now_ms()))
    token = await member(client, svc, "nr_a")
    user = await svc.db.read(user_store.user_by_username, "nr_a")
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, role_id=role_id))
    item = await make_item(svc, "nr_a", "Map")
    body = await call(client, share_path("nr_a", item.id), token, everyone="true")
    assert error_of(body)["code"] == 403
    assert (await item_row(svc, item.id)).access == "private"
    assert (await call(client, share_path("nr_a", item.id), token, org="true"))["notSharedWith"] == []
    assert (await item_row(svc, item.id)).access == "org"


async def test_refusals_missing_hidden_wrong_owner_and_non_owner(client, svc):
    token = await member(client, svc, "rf_a")
    other = await member(client, svc, "rf_b")
    item = await make_item(svc, "rf_a", "Map", shared_org=True)
    hidden = await make_item(svc, "rf_a", "Hidden")
    missing = await call(client, share_path("rf_a", "f" * 32), token, org="true")
    hidden_body = await call(client, share_path("rf_a", hidden.id), other, org="true")
    assert error_of(missing) == error_of(hidden_body)
    assert error_of(missing)["messageCode"] == "CONT_0001"
    wrong_user = await call(client, share_path("rf_b", item.id), token, everyone="true")
    assert error_of(wrong_user)["messageCode"] == "CONT_0001"
    not_owner = await call(client, share_path("rf_a", item.id), other, everyone="true")
    assert error_of(not_owner)["code"] == 403
    anonymous = await call(client, share_path("rf_a", item.id), None, everyone="true")
    assert "error" in anonymous
    assert (await item_row(svc, item.id)).access == "org"
    assert (await item_row(svc, hidden.id)).access == "private"


async def test_administrator_shares_an_org_members_item_but_not_another_orgs(client, svc, admin_token):
    await make_user(svc, "ad_a")
    group = await make_group(svc, "admin", "Admins own")
    item = await make_item(svc, "ad_a", "Map")
    body = await call(client, share_path("ad_a", item.id), admin_token, org="true", groups=group.id)
    assert body == {"notSharedWith": [], "itemId": item.id}
    assert (await item_row(svc, item.id)).access == "org"
    far = await make_org(client, admin_token, "Far Sharing", "ad_far")
    assert far
    far_item = await make_item(svc, "ad_far", "Far map", shared_public=True)
    refused = await call(client, share_path("ad_far", far_item.id), admin_token, org="true")
    assert error_of(refused)["code"] == 403
    assert (await item_row(svc, far_item.id)).shared_org is False


async def test_unshare_removes_groups_idempotently_and_reports_bad_ids(client, svc):
    token = await member(client, svc, "un_a")
    g1, g2, g3 = [await make_group(svc, "un_a", t) for t in ("One", "Two", "Three")]
    item = await make_item(svc, "un_a", "Map", groups=(g1.id, g3.id))
    body = await call(client, f"content/users/un_a/items/{item.id}/unshare", token, groups=f"{g1.id},{g2.id},bad")
    assert body == {"notUnsharedFrom": ["bad"], "itemId": item.id}
    assert await shares(svc, item.id) == [g3.id]
    assert (await item_row(svc, item.id)).access == "shared"
    await call(client, f"content/users/un_a/items/{item.id}/unshare", token, groups=g3.id.upper())
    assert (await item_row(svc, item.id)).access == "private"


async def test_group_manager_shares_visible_org_items_into_their_group(client, svc):
    await make_user(svc, "gm_owner")
    manager = await member(client, svc, "gm_mgr")
    plain = await member(client, svc, "gm_plain")
    group = await make_group(svc, "gm_mgr", "Managed", members=("gm_plain",))
    org_item = await make_item(svc, "gm_owner", "Org map", shared_org=True)
    private = await make_item(svc, "gm_owner", "Private map")
    body = await call(client, f"content/items/{org_item.id}/share", manager, groups=group.id)
    assert body == {"notSharedWith": [], "itemId": org_item.id}
    assert (await item_row(svc, org_item.id)).access == "org"
    assert await shares(svc, org_item.id) == [group.id]
    hidden = await call(client, f"content/items/{private.id}/share", manager, groups=group.id)
    assert error_of(hidden)["messageCode"] == "CONT_0001"
    not_manager = await call(client, f"content/items/{org_item.id}/unshare", plain, groups=group.id)
    assert not_manager == {"notUnsharedFrom": [group.id], "itemId": org_item.id}
    assert await shares(svc, org_item.id) == [group.id]
    body = await call(client, f"content/items/{org_item.id}/unshare", manager, groups=group.id)
    assert body == {"notUnsharedFrom": [], "itemId": org_item.id}
    assert await shares(svc, org_item.id) == []


async def test_group_manager_shares_a_group_item_only_where_the_owner_could(client, svc):
    await make_user(svc, "go_owner")
    manager = await member(client, svc, "go_mgr")
    source = await make_group(svc, "go_owner", "Source", members=("go_mgr",))
    with_owner = await make_group(svc, "go_mgr", "With owner", members=("go_owner",))
    without_owner = await make_group(svc, "go_mgr", "Without owner")
    item = await make_item(svc, "go_owner", "Map", groups=(source.id,))
    body = await call(client, f"content/items/{item.id}/share", manager, groups=f"{with_owner.id},{without_owner.id}")
    assert body["notSharedWith"] == [without_owner.id]
    assert sorted(await shares(svc, item.id)) == sorted([source.id, with_owner.id])


async def test_deleting_a_group_unshares_its_items_and_refreshes_access(client, svc):
    token = await member(client, svc, "dg_a")
    group = await make_group(svc, "dg_a", "Going")
    item = await make_item(svc, "dg_a", "Map", groups=(group.id,))
    reply = await call(client, f"community/groups/{group.id}/delete", token)
    assert reply.get("success") is True, reply
    assert (await item_row(svc, item.id)).access == "private"


async def test_acceptance_member_reads_item_and_data_non_member_gets_the_missing_answer(client, svc):
    owner = await member(client, svc, "ac_a")
    b, c = await member(client, svc, "ac_b"), await member(client, svc, "ac_c")
    group = await make_group(svc, "ac_a", "Team", members=("ac_b",))
    added = await call(client, "content/users/ac_a/addItem", owner, title="Shared map", type="Web Map",
                       text='{"operationalLayers": []}')
    item_id = added["id"]
    never = await get(client, f"content/items/{'0' * 32}", c)
    assert await get(client, f"content/items/{item_id}", b) == never
    assert (await call(client, share_path("ac_a", item_id), owner, groups=group.id))["notSharedWith"] == []
    seen = await get(client, f"content/items/{item_id}", b)
    assert seen["id"] == item_id and seen["access"] == "shared"
    data = await client.get(f"/portal/sharing/rest/content/items/{item_id}/data", params={"f": "json", "token": b})
    assert data.json() == {"operationalLayers": []}
    assert await get(client, f"content/items/{item_id}", c) == never
    hidden_data = await client.get(f"/portal/sharing/rest/content/items/{item_id}/data",
                                   params={"f": "json", "token": c})
    assert "error" in hidden_data.json()
    await call(client, f"content/users/ac_a/items/{item_id}/unshare", owner, groups=group.id)
    assert await get(client, f"content/items/{item_id}", b) == never


async def test_shared_update_member_updates_through_the_items_core_but_cannot_share_or_delete(client, svc):
    owner = await member(client, svc, "up_a")
    b = await member(client, svc, "up_b")
    group = await make_group(svc, "up_a", "Editors", members=("up_b",), shared_update=True)
    item = await make_item(svc, "up_a", "Map")
    base = f"content/users/up_a/items/{item.id}"
    assert (await call(client, share_path("up_a", item.id), owner, groups=group.id))["notSharedWith"] == [group.id]
    refused = await call(client, f"{base}/update", b, title="By b")
    assert error_of(refused)["messageCode"] == "CONT_0001"
    await call(client, share_path("up_a", item.id), owner, groups=group.id, confirmItemControl="true")
    assert (await get(client, f"content/items/{item.id}", b))["itemControl"] == "update"
    assert (await call(client, f"{base}/update", b, title="By b"))["success"] is True
    assert (await item_row(svc, item.id)).title == "By b"
    for path, data in (("share", {"org": "true"}), ("unshare", {"groups": group.id}), ("delete", {})):
        assert error_of(await call(client, f"{base}/{path}", b, **data))["code"] == 403
    row = await item_row(svc, item.id)
    assert (row.access, await shares(svc, item.id)) == ("shared", [group.id])


async def test_items_share_sets_levels_for_administrators_and_refuses_them_to_managers(client, svc, admin_token):
    await make_user(svc, "lm_owner")
    manager = await member(client, svc, "lm_mgr")
    group = await make_group(svc, "lm_mgr", "Managed")
    item = await make_item(svc, "lm_owner", "Map", shared_org=True)
    refused = await call(client, f"content/items/{item.id}/share", manager, groups=group.id, everyone="true")
    assert error_of(refused)["code"] == 403
    assert (await item_row(svc, item.id)).access == "org" and await shares(svc, item.id) == []
    body = await call(client, f"content/items/{item.id}/share", admin_token, org="false", everyone="false",
                      groups=" ")
    assert body == {"notSharedWith": [], "itemId": item.id}
    assert (await item_row(svc, item.id)).access == "private"
