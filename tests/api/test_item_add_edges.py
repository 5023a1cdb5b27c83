"""addItem's refusals at their edges (domain/item_add.py): a missing title, an unknown folder
(named, cut at 64 characters) and the root's spellings in any case."""

from __future__ import annotations

from tests.api.item_support import post


async def test_add_without_a_title_is_refused(client, admin_token):
    body = await post(client, admin_token, "content/users/admin/addItem", type="Web Map", text="{}")
    assert body["error"] == {"code": 400, "message": "Unable to add item.", "details": ["'title' must be specified."]}


async def test_unknown_folder_is_named_and_root_spellings_add_to_the_root(client, admin_token):
    long_name = "f" * 70
    body = await post(client, admin_token, f"content/users/admin/{long_name}/addItem", title="T", type="Web Map")
    assert body["error"] == {"code": 400, "message": "Folder does not exist or is inaccessible.",
                             "details": [f"No folder '{'f' * 64}' among the user's folders."]}
    for root in ("ROOT", "Null"):
        added = await post(client, admin_token, f"content/users/admin/{root}/addItem", title="T", type="Web Map")
        assert (added.get("success"), added.get("folder")) == (True, None), (root, added)
