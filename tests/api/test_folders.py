"""Folders (sharing-api.md §6.3): createFolder, updateFolder (title or arcgis's newTitle) and
delete, which deletes the folder's items with it and refuses while one of them is protected."""

from __future__ import annotations

import pytest

from geoshare.domain.services import new_id
from tests.api.content_support import create_folder, folder_id, folders_of, item_row, people, put_item_in
from tests.api.org_support import call
from tests.conftest import make_item


@pytest.fixture
async def tokens(client, svc, admin_token) -> dict[str, str]:
    return await people(client, svc, admin_token)


async def test_create_answers_the_folder(client, svc, tokens):
    svc.clock.pin(1_700_000_000_000)
    body = await create_folder(client, tokens["alice"], "alice", "Projects")
    folder = body["folder"]
    assert body == {"success": True, "folder": {"username": "alice", "id": folder["id"], "title": "Projects",
                                                "created": 1_700_000_000_000}}
    assert len(folder["id"]) == 32 and folder["id"] == folder["id"].lower()
    assert [f.title for f in await folders_of(svc, "alice")] == ["Projects"]


@pytest.mark.parametrize(("title", "detail"), [
    ("", "'title' must be specified."), ("   ", "'title' must be specified."),
    ("<b></b>", "'title' must be specified."), ("a/b", "'title' must not contain '/'."),
    ("x" * 256, "'title' must be at most 255 characters."),
])
async def test_bad_titles_are_refused_and_nothing_is_made(client, svc, tokens, title, detail):
    body = await create_folder(client, tokens["alice"], "alice", title)
    assert body["error"]["code"] == 400 and body["error"]["details"] == [detail], body
    assert body["error"]["message"] == "Unable to create folder."
    assert await folders_of(svc, "alice") == []


async def test_titles_are_plain_text_and_255_characters_fit(client, svc, tokens):
    assert (await create_folder(client, tokens["alice"], "alice", "<i>Maps</i>"))["folder"]["title"] == "Maps"
    assert (await create_folder(client, tokens["alice"], "alice", "y" * 255))["success"] is True


async def test_titles_are_unique_per_user_ignoring_case(client, svc, tokens):
    await create_folder(client, tokens["alice"], "alice", "Projects")
    body = await create_folder(client, tokens["alice"], "alice", "PROJECTS")
    assert body["error"]["details"] == ["A folder named 'PROJECTS' already exists."]
    assert body["error"]["message"] == "Unable to create folder: a folder named 'PROJECTS' already exists."
    assert (await create_folder(client, tokens["bob"], "bob", "Projects"))["success"] is True  # another user
    assert len(await folders_of(svc, "alice")) == 1


async def test_who_may_create(client, svc, tokens):
    assert (await create_folder(client, tokens["bob"], "alice", "B"))["error"]["code"] == 403
    assert (await create_folder(client, None, "alice", "B"))["error"]["code"] == 499
    assert (await create_folder(client, tokens["admin"], "alice", "By admin"))["folder"]["username"] == "alice"
    assert (await create_folder(client, tokens["admin"], "nobody", "X"))["error"]["message"] == \
        "User does not exist or is inaccessible."
    assert [f.title for f in await folders_of(svc, "alice")] == ["By admin"]


async def test_update_renames_with_title_or_new_title(client, svc, tokens):
    fid = await folder_id(client, tokens["alice"], "alice", "Old")
    body = await call(client, f"content/users/alice/{fid}/updateFolder", tokens["alice"], title="New")
    assert body["success"] is True and body["folder"]["title"] == "New"
    body = await call(client, f"content/users/alice/{fid.upper()}/updateFolder", tokens["alice"], newTitle="Newer")
    assert body["folder"]["title"] == "Newer"
    assert (await call(client, f"content/users/alice/{fid}/updateFolder", tokens["alice"], title="newer"))["success"]
    await folder_id(client, tokens["alice"], "alice", "Other")
    clash = await call(client, f"content/users/alice/{fid}/updateFolder", tokens["alice"], title="OTHER")
    assert clash["error"]["message"] == "Unable to update folder: a folder named 'OTHER' already exists." and [f.title for f in await folders_of(
        svc, "alice")] == ["newer", "Other"]


async def test_unknown_folders(client, tokens):
    for fid in (new_id(), "nope"):
        for path in ("updateFolder", "delete"):
            body = await call(client, f"content/users/alice/{fid}/{path}", tokens["alice"], title="x")
            assert body["error"] == {"code": 400, "message": "Folder does not exist or is inaccessible.",
                                     "details": []}, body
    bobs = await folder_id(client, tokens["bob"], "bob", "Bob's")
    body = await call(client, f"content/users/alice/{bobs}/delete", tokens["alice"])
    assert body["error"]["message"] == "Folder does not exist or is inaccessible."


async def test_delete_removes_the_folder_and_its_items_with_their_blobs(client, svc, tokens):
    fid = await folder_id(client, tokens["alice"], "alice", "Doomed")
    inside = await make_item(svc, "alice", "In", data_blob="items/x/data/1", data_kind="file", thumbnail="t.png")
    outside = await make_item(svc, "alice", "Out", data_blob="items/y/data/1", data_kind="file")
    await put_item_in(svc, inside.id, fid)
    for key in ("items/x/data/1", "items/y/data/1", f"items/{inside.id}/info/thumbnail/t.png"):
        await svc.blobs.put(key, b"data")
    body = await call(client, f"content/users/alice/{fid}/delete", tokens["alice"])
    assert body == {"success": True, "folder": {"username": "alice", "id": fid, "title": "Doomed",
                                                "created": body["folder"]["created"]}}
    assert await item_row(svc, inside.id) is None and await item_row(svc, outside.id) is not None
    assert await svc.blobs.get("items/x/data/1") is None
    assert await svc.blobs.get(f"items/{inside.id}/info/thumbnail/t.png") is None
    assert await svc.blobs.get("items/y/data/1") == b"data"
    assert await folders_of(svc, "alice") == []


async def test_delete_refuses_a_folder_holding_a_protected_item(client, svc, tokens):
    fid = await folder_id(client, tokens["alice"], "alice", "Keep")
    guarded = await make_item(svc, "alice", "Guarded", protected=True)
    plain = await make_item(svc, "alice", "Plain", data_blob="items/p/data/1", data_kind="file")
    await svc.blobs.put("items/p/data/1", b"p")
    for item in (guarded, plain):
        await put_item_in(svc, item.id, fid)
    body = await call(client, f"content/users/alice/{fid}/delete", tokens["alice"])
    assert body["error"]["code"] == 400 and "protected" in body["error"]["message"], body
    assert guarded.id in body["error"]["details"][0]
    assert await item_row(svc, plain.id) is not None and await svc.blobs.get("items/p/data/1") == b"p"
    assert len(await folders_of(svc, "alice")) == 1


async def test_who_may_delete(client, svc, tokens):
    fid = await folder_id(client, tokens["alice"], "alice", "F")
    assert (await call(client, f"content/users/alice/{fid}/delete", tokens["bob"]))["error"]["code"] == 403
    assert (await call(client, f"content/users/alice/{fid}/delete", tokens["admin"]))["success"] is True


async def test_folder_pages_render_as_html(client, tokens):
    page = await client.get("/portal/sharing/rest/content/users/alice/createFolder",
                            params={"f": "html", "token": tokens["alice"]})
    assert page.status_code == 200 and "title" in page.text
    page = await client.get("/portal/sharing/rest/content/users/alice", params={"f": "html", "token": tokens["alice"]})
    assert page.status_code == 200 and "alice" in page.text
