"""move, moveItems and reassign (sharing-api.md §6.9), and what folders owe the users work: a
user's folders move with community/users/{u}/reassign, and empty folders never stop a delete."""

from __future__ import annotations

import pytest

from geoshare.domain.services import new_id
from tests.api.content_support import folder_id, folders_of, item_row, people, put_item_in
from tests.api.org_support import call
from tests.conftest import make_group, make_item, make_user


@pytest.fixture
async def tokens(client, svc, admin_token) -> dict[str, str]:
    return await people(client, svc, admin_token)


async def move(client, token, item_id, folder, user="alice", prefix="") -> dict:
    return await call(client, f"content/users/{user}/{prefix}items/{item_id}/move", token, folder=folder)


async def test_move_into_a_folder_and_back_to_the_root(client, svc, tokens):
    fid = await folder_id(client, tokens["alice"], "alice", "Projects")
    item = await make_item(svc, "alice", "Map")
    assert await move(client, tokens["alice"], item.id, fid) == {"success": True, "itemId": item.id,
                                                                  "owner": "alice", "folder": fid}
    assert (await item_row(svc, item.id)).folder_id == fid
    # arcgis posts to the folder form of the path, with "/" for the root
    assert (await move(client, tokens["alice"], item.id, "/", prefix=f"{fid}/"))["folder"] is None
    assert (await item_row(svc, item.id)).folder_id is None
    assert (await move(client, tokens["alice"], item.id, "Projects"))["folder"] == fid  # by title
    assert (await move(client, tokens["alice"], item.id, ""))["folder"] is None
    await move(client, tokens["alice"], item.id, fid)
    # arcgis item.move("/") sends the id of its own root-folder object
    assert (await move(client, tokens["alice"], item.id, "Root Folder"))["folder"] is None
    assert (await item_row(svc, item.id)).folder_id is None


async def test_move_to_an_unknown_folder_changes_nothing(client, svc, tokens):
    item = await make_item(svc, "alice", "Map")
    bobs = await folder_id(client, tokens["bob"], "bob", "Bob's")
    for target in (new_id(), bobs, "Nope"):
        body = await move(client, tokens["alice"], item.id, target)
        assert body["error"] == {"code": 400, "message": "Unable to move item.",
                                 "details": ["Folder does not exist or is inaccessible."]}, body
    assert (await item_row(svc, item.id)).folder_id is None


async def test_who_may_move(client, svc, tokens):
    item = await make_item(svc, "alice", "Map", shared_org=True)
    fid = await folder_id(client, tokens["alice"], "alice", "F")
    assert (await move(client, tokens["bob"], item.id, fid))["error"]["code"] == 403  # bob reads it, may not move
    hidden = await make_item(svc, "alice", "Private")
    missing = await move(client, tokens["bob"], hidden.id, fid)
    assert missing["error"]["message"] == "Item does not exist or is inaccessible."
    assert await move(client, tokens["bob"], new_id(), fid) == missing
    assert (await move(client, tokens["admin"], item.id, fid))["success"] is True
    # an item named under another user's path answers like a missing one
    assert (await move(client, tokens["admin"], item.id, "/", user="bob"))["error"]["message"] == \
        "Item does not exist or is inaccessible."


async def test_move_items_answers_per_item(client, svc, tokens):
    fid = await folder_id(client, tokens["alice"], "alice", "F")
    mine = await make_item(svc, "alice", "Mine")
    bobs = await make_item(svc, "bob", "Bob's")
    body = await call(client, "content/users/alice/moveItems", tokens["alice"], items=f"{mine.id},{bobs.id}",
                      folder=fid)
    assert body["results"][0] == {"itemId": mine.id, "success": True}
    assert body["results"][1]["success"] is False and body["results"][1]["error"]["code"] == 400
    assert (await item_row(svc, mine.id)).folder_id == fid and (await item_row(svc, bobs.id)).folder_id is None
    refused = await call(client, "content/users/alice/moveItems", tokens["bob"], items=mine.id, folder="/")
    assert refused["error"]["code"] == 403


async def reassign(client, token, item_id, target, folder=None, user="alice") -> dict:
    params = {"targetUsername": target, **({"targetFolderName": folder} if folder is not None else {})}
    return await call(client, f"content/users/{user}/items/{item_id}/reassign", token, **params)


async def test_reassign_gives_the_item_and_keeps_its_shares(client, svc, tokens):
    group = await make_group(svc, "alice", "Team", members=("bob",))
    item = await make_item(svc, "alice", "Map", groups=(group.id,))
    assert await reassign(client, tokens["admin"], item.id, "bob", "Received") == {"success": True,
                                                                                     "itemId": item.id}
    row = await item_row(svc, item.id)
    received = [f for f in await folders_of(svc, "bob") if f.title == "Received"]
    assert row.owner == "bob" and row.folder_id == received[0].id and row.access == "shared"
    # an existing folder (any case) is reused, and no folder name means the root
    assert (await reassign(client, tokens["admin"], item.id, "alice", user="bob"))["success"] is True
    assert (await item_row(svc, item.id)).folder_id is None
    await reassign(client, tokens["admin"], item.id, "bob", "RECEIVED")
    assert len(await folders_of(svc, "bob")) == 1


@pytest.mark.parametrize(("target", "detail"), [
    ("nobody", "'targetUsername' must name a member of the item's organization."),
    ("other_admin", "'targetUsername' must name a member of the item's organization."),
    ("gone", "'targetUsername' names a disabled account."),
])
async def test_reassign_refuses_bad_receivers(client, svc, tokens, target, detail):
    from geoshare.domain import accounts

    await accounts.create_org(svc, "Other", accounts.NewUser("other_admin", "Member12345"))
    await make_user(svc, "gone", "Member12345", disabled=True)
    item = await make_item(svc, "alice", "Map")
    body = await reassign(client, tokens["admin"], item.id, target, "Received")
    assert body["error"]["details"] == [detail], body
    assert (await item_row(svc, item.id)).owner == "alice" and await folders_of(svc, target) == []


async def test_reassign_is_for_administrators_only(client, svc, tokens):
    item = await make_item(svc, "alice", "Map")
    assert (await reassign(client, tokens["alice"], item.id, "bob"))["error"]["code"] == 403
    assert (await item_row(svc, item.id)).owner == "alice"


async def test_user_reassign_moves_folders_and_merges_same_titles(client, svc, tokens):
    a1 = await folder_id(client, tokens["alice"], "alice", "Shared name")
    a2 = await folder_id(client, tokens["alice"], "alice", "Only alice")
    b1 = await folder_id(client, tokens["bob"], "bob", "SHARED NAME")
    item = await make_item(svc, "alice", "In clash")
    await put_item_in(svc, item.id, a1)
    body = await call(client, "community/users/alice/reassign", tokens["admin"], targetUsername="bob")
    assert body == {"success": True}, body
    assert sorted(f.id for f in await folders_of(svc, "bob")) == sorted([a2, b1])
    assert await folders_of(svc, "alice") == []
    assert (await item_row(svc, item.id)).folder_id == b1


async def test_empty_folders_do_not_stop_a_user_delete(client, svc, tokens):
    await folder_id(client, tokens["alice"], "alice", "Empty")
    body = await call(client, "community/users/alice/delete", tokens["admin"])
    assert body == {"success": True, "username": "alice"}, body


async def test_a_folder_holding_items_stops_a_user_delete(client, svc, tokens):
    fid = await folder_id(client, tokens["alice"], "alice", "Full")
    item = await make_item(svc, "alice", "Map")
    await put_item_in(svc, item.id, fid)
    body = await call(client, "community/users/alice/delete", tokens["admin"])
    assert body["error"]["code"] == 400 and "1 folders" in body["error"]["details"][0], body
