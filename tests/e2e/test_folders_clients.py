"""Folders, folder listings and moves driven by the real clients against the real server process:
the ArcGIS API for Python (`gis.content.folders.create`, `folders.list`, `Folder.list()`,
`Folder.rename`, `item.move`, `user.items(folder=...)`, `Folder.delete`) and ArcGIS REST JS
(`createFolder`, `getUserContent`, `moveItem`, `removeFolder`, node/restjs-folders.mjs).

Items are added over plain HTTP with addItem (the client's own add waits on a status operation
that belongs to the items work); every folder and move goes through the clients."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from .support import LiveServer
from .test_users_clients import ok, run_node

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

SHARING = "/portal/sharing/rest"


def add_item(server: LiveServer, title: str, folder_id: str | None = None) -> str:
    where = f"{folder_id}/" if folder_id else ""
    body = server.post_json(f"{SHARING}/content/users/{server.admin_username}/{where}addItem", {
        "title": title, "type": "Web Map", "text": "{}", "f": "json", "token": server.admin_token()},
        headers={"Referer": "http://localhost"})
    assert body.get("success") is True, body
    return str(body["id"])


def listing(server: LiveServer, folder_id: str | None = None, **params: Any) -> Any:
    where = f"/{folder_id}" if folder_id else ""
    return server.get_json(f"{SHARING}/content/users/{server.admin_username}{where}", {
        "f": "json", "token": server.admin_token(), **params}, headers={"Referer": "http://localhost"})


def test_arcgis_folders_listing_and_move(gis: Any, live_server: LiveServer) -> None:
    word = f"fx{secrets.token_hex(3)}"
    folder = gis.content.folders.create(f"{word} maps")
    assert folder.name == f"{word} maps" and len(folder._fid) == 32
    assert f"{word} maps" in [f.name for f in gis.content.folders.list()]
    found = gis.content.folders.get(f"{word} maps")
    assert found is not None and found._fid == folder._fid
    ids = [add_item(live_server, f"{word} {n:03d}", folder._fid) for n in range(105)]  # Folder.list pages by 99
    listed = [item.id for item in folder.list()]
    assert sorted(listed) == sorted(ids)
    assert len([i for i in gis.users.me.items(folder=folder, max_items=200)]) == 105
    loose = gis.content.get(add_item(live_server, f"{word} loose"))
    assert loose.ownerFolder is None
    loose.move(folder)
    assert gis.content.get(loose.id).ownerFolder == folder._fid
    gis.content.get(loose.id).move("/")
    assert gis.content.get(loose.id).ownerFolder is None
    assert folder.rename(f"{word} renamed") is True
    assert f"{word} renamed" in [f["title"] for f in listing(live_server)["folders"]]
    assert folder.delete() is True
    assert gis.content.get(ids[0]) is None  # the folder's items went with it
    assert gis.content.get(loose.id) is not None


def test_arcgis_user_delete_reads_the_listing(gis: Any, live_server: LiveServer) -> None:
    """user.delete() reads content/users/<u>?foldersContent=true first and needs `items`."""
    name = f"fdel{secrets.token_hex(3)}"
    user = gis.users.create(name, "Pw-Member-12345", "F", "Del", f"{name}@example.com", role="org_user")
    assert user is not None
    gis.content.folders.create("Empty", owner=name)  # an empty folder never blocks the delete
    assert user.delete() is True
    assert gis.users.get(name) is None


# ---------------------------------------------------------------- ArcGIS REST JS
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_restjs_folders(live_server: LiveServer, node_bin: str, scheme: str) -> None:
    word = f"rf{secrets.token_hex(3)}"
    item_id = add_item(live_server, f"{word} item")
    result = run_node(node_bin, "restjs-folders.mjs", {
        "portal": live_server.sharing_url(scheme), "admin": live_server.admin_username,
        "adminPassword": live_server.admin_password, "title": f"{word} folder", "itemId": item_id})
    created = ok(result, "createFolder")
    assert created["success"] is True and created["folder"]["title"] == f"{word} folder"
    fid = created["folder"]["id"]
    assert ok(result, "moveItem") == {"success": True, "itemId": item_id, "owner": live_server.admin_username,
                                      "folder": fid}
    inside = ok(result, "getUserContentFolder")
    assert inside["currentFolder"]["id"] == fid and [i["id"] for i in inside["items"]] == [item_id]
    root = ok(result, "getUserContentRoot")
    assert fid in [f["id"] for f in root["folders"]] and item_id not in [i["id"] for i in root["items"]]
    assert ok(result, "moveBack")["folder"] is None
    assert ok(result, "removeFolder")["success"] is True
    duplicate = result["createTwice"]
    assert not duplicate["ok"] and "already exists" in duplicate["error"]["message"], duplicate
    assert fid not in [f["id"] for f in listing(live_server)["folders"]]
