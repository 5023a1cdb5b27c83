"""delete, deleteItems, canDelete, protect and unprotect (sharing-api.md §6.8, §6.9)."""

from __future__ import annotations

from tests.api.item_support import add, blob_keys, error_of, item_count, post, stored
from tests.conftest import get_token, image_bytes, make_item, make_user

PROTECTED = "Unable to delete item. This item is protected."


async def test_delete_removes_row_and_every_blob(client, svc, admin_token):
    files = {"thumbnail": ("t.png", image_bytes(), "image/png"), "metadata": ("m.xml", b"<m/>", "text/xml")}
    item_id = (await add(client, admin_token, text="{}", files=files))["id"]
    assert len([k for k in blob_keys(svc) if item_id in k]) == 3
    body = await post(client, admin_token, f"content/users/admin/items/{item_id}/delete")
    assert body == {"success": True, "itemId": item_id}
    assert await stored(svc, item_id) is None and not [k for k in blob_keys(svc) if item_id in k]


async def test_protected_item_is_not_deleted(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    path = f"content/users/admin/items/{item_id}"
    assert await post(client, admin_token, f"{path}/protect") == {"success": True}
    assert error_of(await post(client, admin_token, f"{path}/delete"))[1] == PROTECTED
    assert error_of(await post(client, admin_token, f"{path}/canDelete"))[1] == PROTECTED
    assert await stored(svc, item_id) is not None
    await post(client, admin_token, f"{path}/unprotect")
    assert await post(client, admin_token, f"{path}/canDelete") == {"itemId": item_id, "success": True}


async def test_delete_items_answers_per_item(client, svc, admin_token):
    one = (await add(client, admin_token, text="{}"))["id"]
    two = (await add(client, admin_token, text="{}"))["id"]
    await post(client, admin_token, f"content/users/admin/items/{two}/protect")
    body = await post(client, admin_token, "content/users/admin/deleteItems", items=f"{one},{two},nothex")
    results = body["results"]
    assert results[0] == {"success": True, "itemId": one}
    assert results[1]["success"] is False and results[1]["error"]["message"] == PROTECTED
    assert results[2]["success"] is False and await item_count(svc) == 1


async def test_others_cannot_delete(client, svc, admin_token):
    await make_user(svc, "alice")
    token = await get_token(client, "alice", "Member12345")
    item = await make_item(svc, "admin", "Public", shared_public=True)
    assert error_of(await post(client, token, f"content/users/admin/items/{item.id}/delete"))[0] == 403
    assert error_of(await post(client, token, f"content/users/admin/items/{item.id}/protect"))[0] == 403
    assert await stored(svc, item.id) is not None
