"""Changing and deleting items at their edges (domain/item_edit.py): deleteItems' failure entries
and updateThumbnail's refusals, each under "Unable to update item."."""

from __future__ import annotations

from tests.api.item_support import add, post
from tests.conftest import make_item

UPDATE_FAILED = "Unable to update item."


async def test_delete_items_reports_a_refused_item_in_full(client, svc, admin_token):
    kept = await make_item(svc, "admin", "Kept", protected=True)
    gone = await make_item(svc, "admin", "Gone")
    body = await post(client, admin_token, "content/users/admin/deleteItems", items=f"{kept.id},{gone.id}")
    assert body == {"results": [
        {"itemId": kept.id, "success": False,
         "error": {"code": 400, "message": "Unable to delete item. This item is protected.", "details": []}},
        {"success": True, "itemId": gone.id}]}


async def test_update_thumbnail_refusals(client, svc, admin_token):
    item_id = (await add(client, admin_token))["id"]
    path = f"content/users/admin/items/{item_id}/updateThumbnail"
    assert (await post(client, admin_token, path))["error"] == {
        "code": 400, "message": UPDATE_FAILED, "details": ["'thumbnail' must be specified."]}
    assert (await post(client, admin_token, path, thumbnailurl="ftp://example.com/t.png"))["error"] == {
        "code": 400, "message": UPDATE_FAILED, "details": ["'thumbnailurl' must be an http or https URL."]}
    not_image = await post(client, admin_token, path, files={"thumbnail": ("t.png", b"not an image", "image/png")})
    assert not_image["error"]["message"] == UPDATE_FAILED


async def test_delete_items_takes_100_ids_and_refuses_101(client, svc, admin_token):
    ids = [f"{i:032x}" for i in range(101)]
    body = await post(client, admin_token, "content/users/admin/deleteItems", items=",".join(ids[:100]))
    assert len(body["results"]) == 100 and body["results"][0]["itemId"] == ids[0]
    assert not any(r["success"] for r in body["results"])
    body = await post(client, admin_token, "content/users/admin/deleteItems", items=",".join(ids))
    assert body["error"] == {"code": 400, "message": "Unable to delete item.",
                             "details": ["'items' may name at most 100 items."]}
