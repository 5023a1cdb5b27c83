"""Changing and deleting items at their edges (domain/item_edit.py): deleteItems' failure entries
and updateThumbnail's refusals, each under "Unable to update item."."""

from __future__ import annotations

from tests.api.item_support import add, blob_keys, post, stored
from tests.conftest import image_bytes, make_item

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


def _update(item_id):
    return f"content/users/admin/items/{item_id}/update"


async def test_update_refusals_carry_the_update_message(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    assert (await post(client, admin_token, _update(item_id), type="CSV"))["error"] == {
        "code": 400, "message": UPDATE_FAILED, "details": ["An item's type cannot be changed."]}
    assert (await post(client, admin_token, _update(item_id), culture="c" * 33))["error"]["message"] == UPDATE_FAILED
    assert (await post(client, admin_token, _update(item_id), thumbnailurl="ftp://x/t.png"))["error"][
        "message"] == UPDATE_FAILED
    bad_image = await post(client, admin_token, _update(item_id), files={"thumbnail": ("t.png", b"no", "image/png")})
    assert bad_image["error"]["message"] == UPDATE_FAILED


async def test_update_url_limit_and_characters(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    longest = "https://example.com/" + "X" * (2048 - 20)
    assert (await post(client, admin_token, _update(item_id), url=longest))["success"] is True
    assert (await stored(svc, item_id)).url == longest
    assert (await post(client, admin_token, _update(item_id), url=longest + "X"))["error"] == {
        "code": 400, "message": UPDATE_FAILED, "details": ["'url' is longer than 2048 characters."]}
    assert (await post(client, admin_token, _update(item_id), url="https://example.com/a b"))["error"] == {
        "code": 400, "message": UPDATE_FAILED, "details": ["'url' must be an http or https URL."]}


async def test_thumbnail_is_cleared_only_when_named_empty_under_clear_empty_fields(client, svc, admin_token):
    files = {"thumbnail": ("t.png", image_bytes(), "image/png")}
    item_id = (await add(client, admin_token, files=files, text="{}"))["id"]
    thumb = (await stored(svc, item_id)).thumbnail
    assert thumb is not None
    await post(client, admin_token, _update(item_id), snippet="", clearEmptyFields="true")
    assert (await stored(svc, item_id)).thumbnail == thumb
    await post(client, admin_token, _update(item_id), thumbnail="")
    assert (await stored(svc, item_id)).thumbnail == thumb
    await post(client, admin_token, _update(item_id), thumbnail="", clearEmptyFields="true")
    assert (await stored(svc, item_id)).thumbnail is None
    assert [k for k in blob_keys(svc) if "/info/thumbnail/" in k and item_id in k] == []


async def test_update_starting_an_upload_marks_the_item_partial(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    assert (await post(client, admin_token, _update(item_id), multipart="true"))["success"] is True
    assert (await stored(svc, item_id)).status == "partial"


async def test_new_metadata_replaces_and_deletes_the_old_blob(client, svc, admin_token):
    meta = {"metadata": ("m.xml", b"<a/>", "text/xml")}
    item_id = (await add(client, admin_token, files=meta, text="{}"))["id"]
    old = (await stored(svc, item_id)).metadata_blob
    await post(client, admin_token, _update(item_id), files={"metadata": ("m.xml", b"<b/>", "text/xml")})
    new = (await stored(svc, item_id)).metadata_blob
    assert new != old and old not in blob_keys(svc) and await svc.blobs.get(new) == b"<b/>"


async def test_delete_removes_resource_blobs_and_logs_who(client, svc, admin_token, caplog):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    await post(client, admin_token, f"content/users/admin/items/{item_id}/addResources",
               files={"file": ("r.json", b"{}")})
    assert any(item_id in k for k in blob_keys(svc))
    with caplog.at_level("INFO", logger="geoshare.items"):
        assert (await post(client, admin_token, f"content/users/admin/items/{item_id.upper()}/delete")) == {
            "success": True, "itemId": item_id}
    assert [k for k in blob_keys(svc) if item_id in k] == []
    assert f"item {item_id} deleted by admin" in [r.getMessage() for r in caplog.records]
