"""addItem with originItemId or destinationItemId + relationshipType (sharing-api.md §6.5): the new
item becomes the destination resp. the origin; a new destination takes its origin's sharing; a
refused relationship leaves no item, no link and no blob."""

from __future__ import annotations

from sqlalchemy import select

from geoshare.storage import items as item_store
from geoshare.storage.tables import item_relationships
from tests.api.item_support import add, blob_keys, error_of, item_count, stored
from tests.api.sharing_support import get, member
from tests.conftest import make_group, make_item


async def links(svc) -> list[tuple[str, str, str]]:
    query = select(item_relationships.c.origin_id, item_relationships.c.destination_id, item_relationships.c.type)
    return sorted(tuple(r) for r in await svc.db.read(lambda conn: list(conn.execute(query))))


async def test_new_item_becomes_destination_and_takes_the_origin_sharing(client, svc):
    token = await member(client, svc, "ar_owner")
    group = await make_group(svc, "ar_owner", "Team")
    origin = await make_item(svc, "ar_owner", "Map", shared_org=True, groups=(group.id,))
    body = await add(client, token, "ar_owner", title="Service", type="Feature Service", url="https://x.example/fs",
                     originItemId=origin.id, relationshipType="map2service")
    assert body["success"] is True, body
    assert await links(svc) == [(origin.id, body["id"], "Map2Service")]
    new = await stored(svc, body["id"])
    assert (new.shared_org, new.shared_public, new.access) == (True, False, "org")
    assert await svc.db.read(item_store.group_ids_of, body["id"]) == [group.id]
    reverse = await get(client, f"content/items/{body['id']}/relatedItems", token, relationshipType="Map2Service",
                        direction="reverse")
    assert [i["id"] for i in reverse["relatedItems"]] == [origin.id]


async def test_new_item_becomes_origin_and_keeps_its_own_private_sharing(client, svc):
    token = await member(client, svc, "ao_owner")
    await member(client, svc, "ao_other")
    destination = await make_item(svc, "ao_other", "Service", item_type="Feature Service", shared_public=True,
                                  shared_org=True)
    body = await add(client, token, "ao_owner", destinationItemId=destination.id, relationshipType="Map2Service")
    assert body["success"] is True, body
    assert await links(svc) == [(body["id"], destination.id, "Map2Service")]
    new = await stored(svc, body["id"])
    assert (new.shared_public, new.shared_org, new.access) == (False, False, "private")


async def _refused(client, svc, token, user, code, detail, **data):
    rows, blobs, before = await item_count(svc), blob_keys(svc), await links(svc)
    body = await add(client, token, user, text='{"a": 1}', **data)
    found, message, details = error_of(body)
    assert found == code, body
    assert any(detail in d for d in details) or detail in message, body
    assert (await item_count(svc), blob_keys(svc), await links(svc)) == (rows, blobs, before)


async def test_refusals_leave_no_item_no_link_no_blob(client, svc):
    token = await member(client, svc, "ax_owner")
    await member(client, svc, "ax_other")
    mine = await make_item(svc, "ax_owner", "Mine")
    theirs = await make_item(svc, "ax_other", "Theirs")
    await _refused(client, svc, token, "ax_owner", 400, "not both", originItemId=mine.id,
                   destinationItemId=mine.id, relationshipType="Map2Service")
    await _refused(client, svc, token, "ax_owner", 400, "needs 'originItemId'", relationshipType="Map2Service")
    await _refused(client, svc, token, "ax_owner", 400, "'relationshipType' must be", originItemId=mine.id)
    await _refused(client, svc, token, "ax_owner", 400, "not a known relationship type", originItemId=mine.id,
                   relationshipType="Map2Nowhere")
    # refused after the item row was written: the insert is undone and the blobs deleted
    await _refused(client, svc, token, "ax_owner", 400, "does not exist", destinationItemId=theirs.id,
                   relationshipType="Map2Service")
    await _refused(client, svc, token, "ax_owner", 400, "does not exist", originItemId=theirs.id,
                   relationshipType="Map2Service")
    await _refused(client, svc, token, "ax_owner", 400, "does not exist", originItemId="0" * 32,
                   relationshipType="Map2Service")


async def test_linked_add_with_blobs_refused_late_deletes_them(client, svc):
    token = await member(client, svc, "ab_owner")
    await member(client, svc, "ab_other")
    theirs = await make_item(svc, "ab_other", "Theirs")
    rows, blobs = await item_count(svc), blob_keys(svc)
    files = {"file": ("data.csv", b"a,b\n1,2\n", "text/csv")}
    body = await add(client, token, "ab_owner", files=files, title="CSV", type="CSV", originItemId=theirs.id,
                     relationshipType="Map2Service")
    assert error_of(body)[0] == 400 and "does not exist" in error_of(body)[1], body
    assert (await item_count(svc), blob_keys(svc), await links(svc)) == (rows, blobs, [])
    ok = await add(client, token, "ab_owner", files={"file": ("data.csv", b"a,b\n1,2\n", "text/csv")}, title="CSV",
                   type="CSV")
    assert ok["success"] is True and len(blob_keys(svc)) > len(blobs)
