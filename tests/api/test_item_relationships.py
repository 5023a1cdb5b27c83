"""Relationships (sharing-api.md §6.12): add, list forward and reverse, type filters, only
visible related items, idempotent adds, and the refusals."""

from __future__ import annotations

from sqlalchemy import func, select

from geoshare.storage.tables import item_relationships
from tests.api.sharing_support import call, error_of, get, member
from tests.conftest import make_item


async def count_links(svc) -> int:
    query = select(func.count()).select_from(item_relationships)
    return int(await svc.db.read(lambda conn: conn.execute(query).scalar_one()))


def link(origin, destination, kind="Map2Service"):
    return {"originItemId": origin, "destinationItemId": destination, "relationshipType": kind}


async def test_add_list_forward_reverse_and_filter(client, svc):
    token = await member(client, svc, "rl_a")
    web_map = await make_item(svc, "rl_a", "Map")
    service = await make_item(svc, "rl_a", "Service", item_type="Feature Service")
    app = await make_item(svc, "rl_a", "App", item_type="Web Mapping Application")
    add = "content/users/rl_a/addRelationship"
    assert await call(client, add, token, **link(web_map.id, service.id)) == {"success": True}
    assert await call(client, add, token, **link(web_map.id, service.id, "map2service")) == {"success": True}
    assert await call(client, add, token, **link(web_map.id, app.id, "Map2AppConfig")) == {"success": True}
    assert await count_links(svc) == 2
    forward = await get(client, f"content/items/{web_map.id}/relatedItems", token, relationshipType="Map2Service")
    assert forward["total"] == 1 and [i["id"] for i in forward["relatedItems"]] == [service.id]
    both = await get(client, f"content/items/{web_map.id}/relatedItems", token,
                     relationshipTypes="Map2Service,Map2AppConfig")
    assert sorted(i["id"] for i in both["relatedItems"]) == sorted([service.id, app.id])
    reverse = await get(client, f"content/items/{service.id}/relatedItems", token, relationshipType="Map2Service",
                        direction="reverse")
    assert [i["id"] for i in reverse["relatedItems"]] == [web_map.id]
    none = await get(client, f"content/items/{service.id}/relatedItems", token, relationshipType="Map2Service")
    assert none == {"total": 0, "relatedItems": []}
    delete = "content/users/rl_a/deleteRelationship"
    assert await call(client, delete, token, **link(web_map.id, service.id)) == {"success": True}
    assert error_of(await call(client, delete, token, **link(web_map.id, service.id)))["code"] == 400
    assert await count_links(svc) == 1


async def test_only_visible_related_items_are_listed(client, svc):
    token = await member(client, svc, "rv_a")
    other = await member(client, svc, "rv_b")
    origin = await make_item(svc, "rv_a", "Origin", shared_org=True)
    shown = await make_item(svc, "rv_a", "Shown", shared_org=True)
    hidden = await make_item(svc, "rv_a", "Hidden")
    for dest in (shown, hidden):
        await call(client, "content/users/rv_a/addRelationship", token, **link(origin.id, dest.id))
    seen = await get(client, f"content/items/{origin.id}/relatedItems", other, relationshipType="Map2Service")
    assert [i["id"] for i in seen["relatedItems"]] == [shown.id] and seen["total"] == 1
    mine = await get(client, f"content/items/{origin.id}/relatedItems", token, relationshipType="Map2Service")
    assert mine["total"] == 2


async def test_refusals_change_nothing(client, svc, admin_token):
    token = await member(client, svc, "rx_a")
    other = await member(client, svc, "rx_b")
    mine = await make_item(svc, "rx_a", "Mine", shared_org=True)
    theirs = await make_item(svc, "rx_b", "Theirs", shared_org=True)
    secret = await make_item(svc, "rx_b", "Secret")
    add = "content/users/rx_a/addRelationship"
    unknown_type = await call(client, add, token, **link(mine.id, theirs.id, "Map2Nothing"))
    assert error_of(unknown_type)["code"] == 400
    hidden_dest = await call(client, add, token, **link(mine.id, secret.id))
    assert error_of(hidden_dest)["messageCode"] == "CONT_0001"
    not_owner = await call(client, "content/users/rx_b/addRelationship", token, **link(theirs.id, mine.id))
    assert error_of(not_owner)["code"] == 403
    wrong_user = await call(client, "content/users/rx_b/addRelationship", token, **link(mine.id, theirs.id))
    assert error_of(wrong_user)["messageCode"] == "CONT_0001"
    missing = await call(client, add, token, originItemId=mine.id, relationshipType="Map2Service")
    assert error_of(missing)["code"] == 400
    bad_filter = await get(client, f"content/items/{mine.id}/relatedItems", token, relationshipType="Nope")
    assert error_of(bad_filter)["code"] == 400
    assert await count_links(svc) == 0
    by_admin = await call(client, "content/users/rx_b/addRelationship", admin_token, **link(theirs.id, mine.id))
    assert by_admin == {"success": True}
    assert other
