"""shareItems / unshareItems (sharing-api.md §6.10, clients.md §3.3): a result per item, a
refused item changes nothing while the others are shared, and arcgis's remove sequence."""

from __future__ import annotations

from geoshare.storage import orgs as org_store
from tests.api.sharing_support import call, item_row, member, shares
from tests.conftest import DEFAULT_ORG, make_group, make_item


async def test_share_items_answers_per_item_and_refuses_only_the_bad_ones(client, svc):
    token = await member(client, svc, "bt_a")
    await member(client, svc, "bt_b")
    group = await make_group(svc, "bt_a", "Team")
    mine = await make_item(svc, "bt_a", "Mine")
    theirs = await make_item(svc, "bt_b", "Theirs", shared_org=True)
    body = await call(client, "content/users/bt_a/shareItems", token, items=f"{mine.id},{theirs.id},{'0' * 32}",
                      groups=group.id, org="true", confirmItemControl="true")
    first, second, third = body["results"]
    assert first == {"itemId": mine.id, "success": True, "notSharedWith": []}
    assert second["success"] is False and second["notSharedWith"] == []
    assert second["error"]["code"] == 400 and "inaccessible" in second["error"]["message"]
    assert third["success"] is False and third["itemId"] == "0" * 32
    assert (await item_row(svc, mine.id)).access == "org"
    assert await shares(svc, mine.id) == [group.id]
    assert await shares(svc, theirs.id) == []


async def test_share_items_public_refusal_is_per_item_and_changes_nothing(client, svc):
    token = await member(client, svc, "bp_a")
    group = await make_group(svc, "bp_a", "Team")
    item = await make_item(svc, "bp_a", "Mine")
    await svc.db.write(lambda conn: org_store.update_org(conn, DEFAULT_ORG, can_share_public=False))
    body = await call(client, "content/users/bp_a/shareItems", token, items=item.id, groups=group.id,
                      everyone="true")
    result = body["results"][0]
    assert result["success"] is False and result["error"]["code"] == 403
    assert await shares(svc, item.id) == []
    assert (await item_row(svc, item.id)).access == "private"


async def test_arcgis_remove_sequence_unshare_then_share_the_rest(client, svc):
    token = await member(client, svc, "br_a")
    g1, g2 = await make_group(svc, "br_a", "One"), await make_group(svc, "br_a", "Two")
    item = await make_item(svc, "br_a", "Mine", groups=(g1.id, g2.id), shared_org=True)
    body = await call(client, "content/users/br_a/unshareItems", token, items=item.id, groups=g1.id)
    assert body == {"results": [{"itemId": item.id, "success": True, "notUnsharedFrom": []}]}
    again = await call(client, "content/users/br_a/shareItems", token, items=item.id, groups=g2.id,
                       everyone="false", org="true", confirmItemControl="true")
    assert again["results"][0]["success"] is True
    assert await shares(svc, item.id) == [g2.id]
    assert (await item_row(svc, item.id)).access == "org"
    private = await call(client, "content/users/br_a/shareItems", token, items=item.id, groups=g2.id,
                         everyone="false", org="false")
    assert private["results"][0]["success"] is True
    assert (await item_row(svc, item.id)).access == "shared"


async def test_batch_parameters_validated_before_anything_changes(client, svc):
    token = await member(client, svc, "bv_a")
    item = await make_item(svc, "bv_a", "Mine")
    missing = await call(client, "content/users/bv_a/shareItems", token, org="true")
    assert missing["error"]["code"] == 400 and "'items' must be specified." in missing["error"]["details"]
    too_many = ",".join(f"{i:032d}" for i in range(101))
    body = await call(client, "content/users/bv_a/shareItems", token, items=f"{item.id},{too_many}", org="true")
    assert body["error"]["code"] == 400
    bad_flag = await call(client, "content/users/bv_a/shareItems", token, items=item.id, org="maybe")
    assert bad_flag["error"]["code"] == 400
    assert (await item_row(svc, item.id)).access == "private"
