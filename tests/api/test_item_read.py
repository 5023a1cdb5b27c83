"""Reading an item (sharing-api.md §6.1, §6.5, §6.15): the item object, numViews, the owner's
view, data, info files; a hidden item answers byte for byte like a missing one."""

from __future__ import annotations

import asyncio

import pytest

from tests.api.item_support import add, get, post, stored
from tests.conftest import get_token, make_item, make_user


async def test_views_count_item_reads_and_data_downloads(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    assert (await get(client, admin_token, f"content/items/{item_id}")).json()["numViews"] == 1
    await get(client, admin_token, f"content/items/{item_id}/data")
    await get(client, admin_token, f"content/users/admin/items/{item_id}")  # the owner's view does not count
    assert (await stored(svc, item_id)).num_views == 0  # counted in memory, not yet written
    assert (await get(client, admin_token, f"content/items/{item_id}")).json()["numViews"] == 3  # shown anyway
    await svc.views.flush()
    assert (await stored(svc, item_id)).num_views == 3
    assert (await get(client, admin_token, f"content/items/{item_id}")).json()["numViews"] == 4


@pytest.mark.parametrize("suffix", ["", "/data", "/info/iteminfo.xml", "/info/metadata/metadata.xml"])
async def test_hidden_is_missing(client, svc, admin_token, suffix):
    await make_user(svc, "alice")
    token = await get_token(client, "alice", "Member12345")
    hidden = await make_item(svc, "admin", "Hidden")
    missing = "0123456789abcdef0123456789abcdef"
    one = await get(client, token, f"content/items/{hidden.id}{suffix}")
    two = await get(client, token, f"content/items/{missing}{suffix}")
    assert one.content == two.content and one.status_code == two.status_code
    assert b"Item does not exist or is inaccessible." in one.content
    assert (await stored(svc, hidden.id)).num_views == 0


@pytest.mark.parametrize("bad_id", ["abc", "0123456789abcdef0123456789abcdeg", "ABCDEF", "0" * 33])
async def test_bad_ids_are_missing(client, admin_token, bad_id):
    body = (await get(client, admin_token, f"content/items/{bad_id}")).json()
    assert body["error"]["message"] == "Item does not exist or is inaccessible."


async def test_user_item_view_needs_the_owner_path(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}"))["id"]
    body = (await get(client, admin_token, f"content/users/admin/items/{item_id}")).json()
    assert body["sharing"] == {"access": "private", "groups": []} and body["item"]["ownerFolder"] is None
    await make_user(svc, "bob")
    wrong = (await get(client, admin_token, f"content/users/bob/items/{item_id}")).json()
    assert wrong["error"]["message"] == "Item does not exist or is inaccessible."


async def test_iteminfo_escapes(client, svc, admin_token):
    item_id = (await add(client, admin_token, text="{}", title="a <b> & \"c\"", tags="<x>,&y"))["id"]
    text = (await get(client, admin_token, f"content/items/{item_id}/info/iteminfo.xml")).text
    assert "<title>a  &amp; \"c\"</title>" in text or "<title>a &amp; \"c\"</title>" in text, text
    assert "<x>" not in text.split("<tags>")[1]


async def test_download_name_is_quoted(client, svc, admin_token):
    files = {"file": ('we"ird\r\nname;é.csv', b"x", "text/csv")}
    item_id = (await add(client, admin_token, files=files, type="CSV"))["id"]
    disposition = (await get(client, admin_token, f"content/items/{item_id}/data")).headers["content-disposition"]
    assert "\r" not in disposition and "\n" not in disposition and disposition.count('"') == 2, disposition


async def test_concurrent_updates_both_land(client, svc, admin_token):
    """Two updates of one item at once: the row lock queues them (run on PostgreSQL too)."""
    item_id = (await add(client, admin_token, text="{}"))["id"]
    path = f"content/users/admin/items/{item_id}/update"
    first, second = await asyncio.gather(post(client, admin_token, path, snippet="one"),
                                         post(client, admin_token, path, tags="two"))
    assert first["success"] and second["success"]
    item = await stored(svc, item_id)
    assert item.snippet == "one" and item.tags == ("two",)
