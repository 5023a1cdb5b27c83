"""The multipart upload at its edges (domain/item_upload.py): commit's exact refusals, cancel's
message, a cancelled new upload leaving no blob, and a commit replacing older data while the
item's size keeps counting its resources."""

from __future__ import annotations

from geoshare.domain import item_upload
from tests.api.item_support import add, blob_keys, post, stored
from tests.conftest import image_bytes

NOT_PARTIAL = "The item has no multipart upload in progress (addItem or update with multipart=true starts one)."


async def _part(client, token, item_id, num, data):
    return await post(client, token, f"content/users/admin/items/{item_id}/addPart", partNum=str(num),
                      files={"file": ("p", data)})


async def test_commit_refuses_no_parts_and_names_the_first_20_missing(client, svc, admin_token):
    item_id = (await add(client, admin_token, type="CSV", multipart="true", fileName="d.csv"))["id"]
    commit = f"content/users/admin/items/{item_id}/commit"
    assert (await post(client, admin_token, commit))["error"] == {
        "code": 400, "message": "Unable to commit item.", "details": ["No parts were added (addPart)."]}
    for num in (2, 25):
        assert await _part(client, admin_token, item_id, num, b"x") == {"success": True}
    missing = ", ".join(map(str, [1, *range(3, 22)]))
    assert (await post(client, admin_token, commit))["error"] == {
        "code": 400, "message": "Unable to commit item.", "details": [f"Parts are missing: {missing}."]}


async def test_cancel_without_an_upload_is_refused_with_its_own_message(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    assert (await post(client, admin_token, f"content/users/admin/items/{item_id}/cancel"))["error"] == {
        "code": 400, "message": "Unable to cancel upload.", "details": [NOT_PARTIAL]}


async def test_cancelling_a_new_upload_deletes_every_blob_it_wrote(client, svc, admin_token):
    files = {"thumbnail": ("t.png", image_bytes(), "image/png"),
             "metadata": ("m.xml", b"<metadata/>", "text/xml")}
    item_id = (await add(client, admin_token, files=files, type="CSV", multipart="true", fileName="d.csv"))["id"]
    resource = await post(client, admin_token, f"content/users/admin/items/{item_id}/addResources",
                          files={"file": ("r.json", b"{}")})
    assert resource.get("success") is True, resource
    assert await _part(client, admin_token, item_id, 1, b"abc") == {"success": True}
    assert any(k.startswith(f"items/{item_id}/info/thumbnail/") for k in blob_keys(svc))
    assert await post(client, admin_token, f"content/users/admin/items/{item_id}/cancel") == {"success": True}
    assert [k for k in blob_keys(svc) if item_id in k] == []
    assert await stored(svc, item_id) is None


async def test_commit_deletes_the_replaced_data_and_counts_resources_in_the_size(client, svc, admin_token):
    item_id = (await add(client, admin_token, text='{"old": 1}', type="CSV"))["id"]
    old_blob = (await stored(svc, item_id)).data_blob
    await post(client, admin_token, f"content/users/admin/items/{item_id}/addResources",
               files={"file": ("r.json", b"{}x")})
    assert (await post(client, admin_token, f"content/users/admin/items/{item_id}/update", multipart="true",
                       fileName="d.csv"))["success"] is True
    assert await _part(client, admin_token, item_id, 1, b"12345") == {"success": True}
    assert (await post(client, admin_token, f"content/users/admin/items/{item_id}/commit"))["success"] is True
    item = await stored(svc, item_id)
    assert (item.status, item.size) == ("completed", 5 + 3)
    assert await svc.blobs.get(item.data_blob) == b"12345"
    assert old_blob not in blob_keys(svc)
    assert [k for k in blob_keys(svc) if k.startswith(f"items/{item_id}/data/")] == [item.data_blob]


def test_joined_data_type_uses_the_non_strict_table_too():
    assert item_upload.data_type_of("a.pict") == "image/pict"
    assert item_upload.data_type_of("a.csv") == "text/csv"
    assert item_upload.data_type_of(None) == "application/octet-stream"


async def test_add_part_refusals_name_the_part_call(client, svc, admin_token):
    done = (await add(client, admin_token, text="{}"))["id"]
    assert (await _part(client, admin_token, done, 1, b"x"))["error"] == {
        "code": 400, "message": "Unable to add part.", "details": [NOT_PARTIAL]}
    item_id = (await add(client, admin_token, type="CSV", multipart="true", fileName="d.csv"))["id"]
    assert (await _part(client, admin_token, item_id, 0, b"x"))["error"] == {
        "code": 400, "message": "Unable to add part.", "details": ["'partNum' is an integer from 1 to 10000."]}
    no_file = await post(client, admin_token, f"content/users/admin/items/{item_id}/addPart", partNum="1")
    assert no_file["error"] == {"code": 400, "message": "Unable to add part.",
                                "details": ["'file' (the part's bytes, multipart) must be specified."]}
    assert await _part(client, admin_token, item_id, 1, b"x") == {"success": True}
    assert [k for k in blob_keys(svc) if "/parts/" in k][0].startswith(f"items/{item_id}/parts/")
