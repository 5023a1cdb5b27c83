"""content/users/{u}/addItem (sharing-api.md §6.4): each data source, the folder, the thumbnail
and metadata, and that a refused add leaves no row and no blob."""

from __future__ import annotations

import json

from tests.api.item_support import add, blob_keys, error_of, get, item_count, stored
from tests.conftest import SHARING, image_bytes, make_user

ADD_FAILED = "Unable to add item."


async def _refused(client, svc, token, code, detail=None, user="admin", files=None, **data):
    rows, blobs = await item_count(svc), blob_keys(svc)
    body = await add(client, token, user, files=files, **data)
    found, _message, details = error_of(body)
    assert found == code, body
    if detail is not None:
        assert any(detail in d for d in details) or detail in _message, body
    assert await item_count(svc) == rows and blob_keys(svc) == blobs
    return body


async def test_text_item_is_added_and_read(client, svc, admin_token):
    body = await add(client, admin_token, text=json.dumps({"operationalLayers": []}), tags="a,b,A",
                     typeKeywords="mine", text_extra="x")
    assert body["success"] is True and body["folder"] is None and len(body["id"]) == 32, body
    item = (await get(client, admin_token, f"content/items/{body['id']}")).json()
    assert item["title"] == "An item" and item["type"] == "Web Map" and item["tags"] == ["a", "b"]
    assert "mine" in item["typeKeywords"] and "Web Map" in item["typeKeywords"], item["typeKeywords"]
    assert item["ownerFolder"] is None and item["owner"] == "admin" and item["access"] == "private"
    data = await get(client, admin_token, f"content/items/{body['id']}/data")
    assert data.json() == {"operationalLayers": []}
    assert data.headers["content-type"].startswith("application/json")
    assert "content-disposition" not in data.headers


async def test_plain_text_is_text_plain(client, svc, admin_token):
    body = await add(client, admin_token, type="Notebook", text="hello <b>")
    data = await get(client, admin_token, f"content/items/{body['id']}/data", f="html")
    assert data.text == "hello <b>" and data.headers["content-type"].startswith("text/plain")


async def test_url_item_has_no_data(client, svc, admin_token):
    body = await add(client, admin_token, type="Feature Service", url="https://example.com/arcgis/rest/FeatureServer",
                     text="")
    item = (await get(client, admin_token, f"content/items/{body['id']}")).json()
    assert item["url"] == "https://example.com/arcgis/rest/FeatureServer" and item["size"] == -1
    data = await get(client, admin_token, f"content/items/{body['id']}/data")
    assert data.status_code == 200 and data.content == b""


async def test_file_item_keeps_a_safe_name(client, svc, admin_token):
    files = {"file": ("../../etc/passwd.csv", b"a,b\n1,2\n", "text/csv")}
    body = await add(client, admin_token, files=files, type="CSV")
    item = await stored(svc, body["id"])
    assert item.name == "passwd.csv" and item.size == 8 and item.data_type == "text/csv" and item.data_kind == "file"
    data = await get(client, admin_token, f"content/items/{body['id']}/data")
    assert data.content == b"a,b\n1,2\n" and 'filename="passwd.csv"' in data.headers["content-disposition"]


async def test_multipart_item_waits_for_parts(client, svc, admin_token):
    body = await add(client, admin_token, type="CSV", multipart="true", filename="big.csv")
    item = await stored(svc, body["id"])
    assert item.status == "partial" and item.name == "big.csv" and item.data_blob is None


async def test_two_sources_are_refused(client, svc, admin_token):
    await _refused(client, svc, admin_token, 400, "at most one", text="{}", multipart="true")
    await _refused(client, svc, admin_token, 400, "at most one", text="{}",
                   files={"file": ("a.csv", b"x", "text/csv")})


async def test_unknown_type_is_refused(client, svc, admin_token):
    await _refused(client, svc, admin_token, 400, "Item type not valid", type="Nonsense Thing")


async def test_missing_folder_is_refused(client, svc, admin_token):
    body = await post_folder(client, admin_token, "0123456789abcdef0123456789abcdef")
    assert body["error"]["message"] == "Folder does not exist or is inaccessible.", body


async def post_folder(client, token, folder):
    reply = await client.post(f"{SHARING}/content/users/admin/{folder}/addItem",
                              data={"f": "json", "token": token, "title": "x", "type": "Web Map", "text": "{}"})
    return reply.json()


async def test_another_user_cannot_add_for_someone(client, svc, admin_token):
    await make_user(svc, "alice")
    from tests.conftest import get_token
    token = await get_token(client, "alice", "Member12345")
    await _refused(client, svc, token, 403, user="admin", text="{}")


async def test_thumbnail_is_stored_and_served(client, svc, admin_token):
    files = {"thumbnail": ("pic.png", image_bytes(), "image/png")}
    body = await add(client, admin_token, files=files, text="{}")
    item = (await get(client, admin_token, f"content/items/{body['id']}")).json()
    assert item["thumbnail"].startswith("thumbnail/pic_") and item["thumbnail"].endswith(".png")
    image = await get(client, admin_token, f"content/items/{body['id']}/info/{item['thumbnail']}", w="200")
    assert image.content == image_bytes() and image.headers["content-type"] == "image/png"


async def test_bad_thumbnail_leaves_nothing(client, svc, admin_token):
    await _refused(client, svc, admin_token, 400, "not a PNG", text="{}",
                   files={"thumbnail": ("pic.png", b"not an image", "image/png")})
    await _refused(client, svc, admin_token, 400, "larger than", text="{}",
                   files={"thumbnail": ("pic.png", image_bytes() + b"\0" * (1024 * 1024), "image/png")})
