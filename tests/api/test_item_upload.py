"""The streamed multipart upload (sharing-api.md §6.6): addPart, parts, commit, cancel, status."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from geoshare.storage import item_files as file_store
from geoshare.storage import items as item_store
from tests.conftest import SHARING, count_rows, get_token, make_item, make_user

PASSWORD = "Member12345"


async def post(client: Any, path: str, token: str | None, files: Any = None, **data: Any) -> Any:
    sent = {"f": "json", **({"token": token} if token else {}), **data}
    return (await client.post(f"{SHARING}/{path}", data=sent, files=files)).json()


def blob_files(settings: Any) -> list[str]:
    root = Path(settings.data_dir) / "blobs"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture
async def world(client, svc):
    await make_user(svc, "owner", PASSWORD)
    await make_user(svc, "other", PASSWORD)
    item = await make_item(svc, "owner", "Upload", item_type="CSV", status="partial", name="data.csv", size=0)
    return {"svc": svc, "item": item.id, "owner": await get_token(client, "owner", PASSWORD),
            "other": await get_token(client, "other", PASSWORD)}


async def add_part(client: Any, world: dict[str, Any], num: Any, data: bytes, token: str | None = None) -> Any:
    path = f"content/users/owner/items/{world['item']}/addPart?partNum={num}&streamdata=True&size={len(data)}"
    return await post(client, path, token or world["owner"], files={"file": ("data.csv", data)})


async def data_of(svc: Any, item_id: str) -> bytes:
    item = await svc.db.read(item_store.item_by_id, item_id)
    return await svc.blobs.get(item.data_blob)


async def test_parts_out_of_order_join_in_ascending_order(client, world, svc):
    for num, data in ((3, b"ccc"), (1, b"a"), (2, b"bb")):
        assert await add_part(client, world, num, data) == {"success": True}
    parts = await post(client, f"content/users/owner/items/{world['item']}/parts", world["owner"])
    assert parts == {"parts": [1, 2, 3]}
    done = await post(client, f"content/users/owner/items/{world['item']}/commit", world["owner"], type="CSV")
    assert done == {"success": True, "id": world["item"]}
    item = await svc.db.read(item_store.item_by_id, world["item"])
    assert (item.status, item.size, item.data_kind, item.name, item.data_type) == \
        ("completed", 6, "file", "data.csv", "text/csv")
    assert await data_of(svc, world["item"]) == b"abbccc"
    assert await count_rows(svc, "item_parts") == 0
    status = await post(client, f"content/users/owner/items/{world['item']}/status", world["owner"])
    assert status == {"itemId": world["item"], "status": "completed", "statusMessage": "completed"}


async def test_resending_a_part_replaces_it_and_deletes_the_old_blob(client, world, svc, settings):
    await add_part(client, world, 1, b"first")
    before = blob_files(settings)
    await add_part(client, world, 1, b"second")
    assert len(blob_files(settings)) == len(before)
    await post(client, f"content/users/owner/items/{world['item']}/commit", world["owner"])
    assert await data_of(svc, world["item"]) == b"second"
    # the part blobs are gone after the commit: only the data blob is left
    assert [p for p in blob_files(settings) if "/parts/" in p] == []


@pytest.mark.parametrize("num", ["0", "10001", "-1", "x"])
async def test_part_numbers_outside_1_to_10000_are_refused(client, world, settings, num):
    answer = await add_part(client, world, num, b"x")
    assert answer["error"]["code"] == 400
    assert await count_rows(world["svc"], "item_parts") == 0
    assert [p for p in blob_files(settings) if "/parts/" in p] == []


@pytest.mark.parametrize("num", ["1", "10000"])
async def test_part_numbers_1_and_10000_are_taken(client, world, num):
    assert await add_part(client, world, num, b"x") == {"success": True}


async def test_a_gap_in_the_numbering_refuses_the_commit_and_changes_nothing(client, world, svc, settings):
    await add_part(client, world, 1, b"a")
    await add_part(client, world, 3, b"c")
    before = blob_files(settings)
    answer = await post(client, f"content/users/owner/items/{world['item']}/commit", world["owner"])
    assert answer["error"]["code"] == 400 and "2" in answer["error"]["details"][0]
    item = await svc.db.read(item_store.item_by_id, world["item"])
    assert (item.status, item.data_blob) == ("partial", None)
    assert await count_rows(svc, "item_parts") == 2
    assert blob_files(settings) == before


async def test_commit_without_parts_is_refused(client, world):
    answer = await post(client, f"content/users/owner/items/{world['item']}/commit", world["owner"])
    assert answer["error"]["code"] == 400


async def test_cancel_deletes_a_never_committed_item_and_its_parts(client, world, svc, settings):
    await add_part(client, world, 1, b"a")
    assert await post(client, f"content/users/owner/items/{world['item']}/cancel", world["owner"]) == {"success": True}
    assert await svc.db.read(item_store.item_by_id, world["item"]) is None
    assert await count_rows(svc, "item_parts") == 0
    assert blob_files(settings) == []


async def test_cancel_keeps_an_item_that_had_data(client, world, svc):
    await svc.db.write(file_store.set_item, world["item"], {"data_blob": "items/x/data/y"})
    await add_part(client, world, 1, b"a")
    await post(client, f"content/users/owner/items/{world['item']}/cancel", world["owner"])
    item = await svc.db.read(item_store.item_by_id, world["item"])
    assert (item.status, item.data_blob) == ("completed", "items/x/data/y")


async def test_another_user_reads_the_item_as_missing_and_changes_nothing(client, world, svc):
    answer = await add_part(client, world, 1, b"a", token=world["other"])
    assert answer["error"]["code"] == 400 and answer["error"]["message"] == "Item does not exist or is inaccessible."
    assert await count_rows(svc, "item_parts") == 0


async def test_the_folder_form_path_works(client, world):
    path = f"content/users/owner/0123456789abcdef0123456789abcdef/items/{world['item']}/addPart?partNum=1"
    assert await post(client, path, world["owner"], files={"file": ("d.csv", b"x")}) == {"success": True}


async def test_a_completed_item_takes_no_parts(client, svc, world):
    done = await make_item(svc, "owner", "Done", item_type="CSV")
    path = f"content/users/owner/items/{done.id}/addPart?partNum=1"
    answer = await post(client, path, world["owner"], files={"file": ("d.csv", b"x")})
    assert answer["error"]["code"] == 400
    assert await count_rows(svc, "item_parts") == 0


async def test_status_reports_partial_during_an_upload(client, world):
    status = await post(client, f"content/users/owner/items/{world['item']}/status", world["owner"],
                        jobType="publish", jobId="x")
    assert status["status"] == "partial"


async def test_a_failed_row_write_deletes_the_new_part_blob(client, world, svc, settings, monkeypatch):
    def boom(*args: Any) -> None:
        raise RuntimeError("row write failed")
    monkeypatch.setattr(file_store, "put_part", boom)
    answer = await add_part(client, world, 1, os.urandom(100))
    assert answer["error"]["code"] == 500
    assert blob_files(settings) == []


@pytest.mark.parametrize("operation", ["addPart", "updateinfo", "addResources"])
async def test_the_html_form_of_a_file_operation_has_a_file_input(client, world, operation):
    page = await client.get(f"{SHARING}/content/users/owner/items/{world['item']}/{operation}",
                            params={"f": "html", "token": world["owner"]})
    assert page.status_code == 200 and 'type="file"' in page.text


async def test_blobs_of_names_every_part_and_file_blob(client, world, svc):
    await add_part(client, world, 1, b"a")
    await post(client, f"content/users/owner/items/{world['item']}/addResources", world["owner"], text="x",
               fileName="r.txt")
    blobs = await svc.db.read(file_store.blobs_of, world["item"])
    assert len(blobs) == 2
    assert sorted([await svc.blobs.get(b) for b in blobs]) == [b"a", b"x"]
