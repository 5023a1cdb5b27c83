"""content/users/{u}/items/{id}/update and the thumbnail operations (sharing-api.md §6.7, §6.15):
each change stored, type fixed, who may update, and that a refused update changes nothing."""

from __future__ import annotations

import json

from geoshare.storage import items as item_store
from tests.api.item_support import add, blob_keys, error_of, get, post, stored
from tests.conftest import get_token, image_bytes, make_item, make_user


async def _update(client, token, item_id, user="admin", files=None, **data):
    return await post(client, token, f"content/users/{user}/items/{item_id}/update", files=files, **data)


async def test_update_changes_fields_and_replaces_text_data(client, svc, admin_token):
    item_id = (await add(client, admin_token, text='{"v": 1}'))["id"]
    old = await stored(svc, item_id)
    body = await _update(client, admin_token, item_id, title="New <i>title</i>", text='{"v": 2}', extent="-10,-5,10,5",
                         description="<p>ok</p><script>alert(1)</script>", servicePassword="s3cret")
    assert body == {"success": True, "id": item_id}
    item = (await get(client, admin_token, f"content/items/{item_id}")).json()
    assert item["title"] == "New title" and item["extent"] == [[-10, -5], [10, 5]]
    assert item["description"] == "<p>ok</p>" and "s3cret" not in json.dumps(item)
    assert (await get(client, admin_token, f"content/items/{item_id}/data")).json() == {"v": 2}
    assert old.data_blob not in {f"{k}" for k in blob_keys(svc)}  # the old data blob is gone
    secret = await svc.db.read(item_store.service_password_of, item_id)
    assert secret and "s3cret" not in secret


async def test_type_cannot_change(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    body = await _update(client, admin_token, item_id, type="CSV", title="changed")
    assert error_of(body)[0] == 400 and (await stored(svc, item_id)).title == "An item"
    assert (await _update(client, admin_token, item_id, type="web map"))["success"] is True


async def test_clear_empty_fields(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}", snippet="s", tags="a"))["id"]
    await _update(client, admin_token, item_id, snippet="", tags="")
    assert (await stored(svc, item_id)).snippet == "s"
    await _update(client, admin_token, item_id, snippet="", tags="", clearEmptyFields="true")
    item = await stored(svc, item_id)
    assert item.snippet is None and item.tags == ()


async def test_other_users_cannot_update(client, svc, admin_token):
    await make_user(svc, "alice")
    token = await get_token(client, "alice", "Member12345")
    item = await make_item(svc, "admin", "Public", shared_public=True)
    assert error_of(await _update(client, token, item.id, title="x"))[0] == 403
    hidden = await make_item(svc, "admin", "Hidden")
    assert error_of(await _update(client, token, hidden.id, title="x"))[1] == "Item does not exist or is inaccessible."
    assert (await stored(svc, item.id)).title == "Public"


async def test_bad_thumbnail_on_update_changes_nothing(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    blobs = blob_keys(svc)
    body = await _update(client, admin_token, item_id, title="x", files={"thumbnail": ("a.png", b"nope", "image/png")})
    assert error_of(body)[0] == 400 and blob_keys(svc) == blobs and (await stored(svc, item_id)).title == "An item"


async def test_update_and_delete_thumbnail(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    path = f"content/users/admin/items/{item_id}"
    body = await post(client, admin_token, f"{path}/updateThumbnail", files={"thumbnail": ("t.png", image_bytes(), "image/png")})
    assert body == {"success": True}
    first = (await stored(svc, item_id)).thumbnail
    await post(client, admin_token, f"{path}/updateThumbnail", files={"thumbnail": ("u.png", image_bytes(), "image/png")})
    second = (await stored(svc, item_id)).thumbnail
    assert first != second and not any(first.split("/")[1] in k for k in blob_keys(svc))
    assert await post(client, admin_token, f"{path}/deleteThumbnail") == {"success": True}
    assert (await stored(svc, item_id)).thumbnail is None and not any("thumbnail" in k for k in blob_keys(svc))
