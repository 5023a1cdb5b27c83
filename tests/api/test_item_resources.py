"""Item resources and info files (sharing-api.md §6.11, §6.8, §6.7): add, replace, list, read,
remove; private resources; traversal payloads refused with nothing stored; sizes counted."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.storage import items as item_store
from tests.api.test_item_upload import blob_files, post
from tests.conftest import SHARING, count_rows, get_token, make_item, make_user

PASSWORD = "Member12345"


@pytest.fixture
async def world(client, svc):
    await make_user(svc, "owner", PASSWORD)
    await make_user(svc, "other", PASSWORD)
    item = await make_item(svc, "owner", "Files", item_type="CSV", shared_org=True, size=0)
    return {"item": item.id, "owner": await get_token(client, "owner", PASSWORD),
            "other": await get_token(client, "other", PASSWORD)}


def op(world: dict[str, Any], name: str) -> str:
    return f"content/users/owner/items/{world['item']}/{name}"


async def test_add_list_read_replace_remove(client, world, svc):
    added = await post(client, op(world, "addResources"), world["owner"], files={"file": ("a.json", b"{}")},
                       resourcesPrefix="styles")
    assert added["success"] is True
    listing = (await client.get(f"{SHARING}/content/items/{world['item']}/resources",
                                params={"f": "json", "token": world["other"]})).json()
    assert [r["resource"] for r in listing["resources"]] == ["styles/a.json"] and listing["total"] == 1
    got = await client.get(f"{SHARING}/content/items/{world['item']}/resources/styles/a.json",
                           params={"token": world["other"]})
    assert got.content == b"{}" and got.headers["content-type"] == "application/json"
    await post(client, op(world, "updateResources"), world["owner"], text="[1,2]", fileName="a.json",
               resourcesPrefix="styles")
    item = await svc.db.read(item_store.item_by_id, world["item"])
    assert item.size == 5
    assert (await post(client, op(world, "removeResources"), world["owner"], resource="styles/a.json")) == \
        {"success": True}
    assert (await svc.db.read(item_store.item_by_id, world["item"])).size == 0
    assert await count_rows(svc, "item_files") == 0


@pytest.mark.parametrize("prefix, name", [("..", "x.txt"), ("a/../..", "x.txt"), ("a//b", "x.txt"),
                                          ("a\\b", "x.txt"), ("a\x00b", "x.txt"), ("", "..")])
async def test_traversal_payloads_are_refused_and_store_nothing(client, world, svc, settings, prefix, name):
    answer = await post(client, op(world, "addResources"), world["owner"], text="x", fileName=name,
                        resourcesPrefix=prefix)
    assert answer["error"]["code"] == 400, answer
    assert await count_rows(svc, "item_files") == 0
    assert blob_files(settings) == []


async def test_a_file_name_that_is_a_path_keeps_only_its_base_name(client, world):
    await post(client, op(world, "addResources"), world["owner"], files={"file": ("../../evil.txt", b"x")})
    listing = (await client.get(f"{SHARING}/content/items/{world['item']}/resources",
                                params={"f": "json", "token": world["owner"]})).json()
    assert [r["resource"] for r in listing["resources"]] == ["evil.txt"]


async def test_private_resources_only_for_the_owner(client, world):
    await post(client, op(world, "addResources"), world["owner"], text="s", fileName="p.txt", access="private")
    url = f"{SHARING}/content/items/{world['item']}/resources/p.txt"
    assert (await client.get(url, params={"token": world["owner"]})).content == b"s"
    other = await client.get(url, params={"f": "json", "token": world["other"]})
    assert other.json()["error"]["code"] == 404


async def test_info_files_add_read_delete(client, world):
    added = await post(client, op(world, "updateinfo"), world["owner"], files={"file": ("form.json", b"{}")},
                       folderName="forms")
    assert added["success"] is True
    got = await client.get(f"{SHARING}/content/items/{world['item']}/info/forms/form.json",
                           params={"token": world["other"]})
    assert got.content == b"{}"
    assert await post(client, op(world, "deleteInfo"), world["owner"], infoFile="forms/form.json") == \
        {"success": True}


async def test_thumbnail_and_metadata_are_not_info_files_here(client, world):
    answer = await post(client, op(world, "updateinfo"), world["owner"], files={"file": ("t.png", b"x")},
                        folderName="thumbnail")
    assert answer["error"]["code"] == 400
