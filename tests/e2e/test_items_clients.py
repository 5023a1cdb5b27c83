"""Items with the real clients against the real server process: the ArcGIS API for Python
(addItem through the client's connection, `gis.content.get`, `item.update`, `item.get_data`,
`item.download`, `item.protect`, `item.delete`) with text and url items (file uploads go through
multipart, tested with the files work), and ArcGIS REST JS (`createItem` with text and with a
file, `getItem`, `getItemData`, `updateItem`, `removeItem`; node/restjs-items.mjs)."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from .support import LiveServer
from .test_users_clients import ok, run_node

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]


def _title(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def _add(gis: Any, **params: Any) -> Any:
    """addItem through the client's own connection: `Folder.add` always polls `status` afterwards,
    which the files work provides (its tests drive Folder.add)."""
    url = f"{gis._portal.resturl}content/users/{gis.users.me.username}/addItem"
    answer = gis._con.post(url, {"f": "json", **params})
    assert answer["success"] is True, answer
    return gis.content.get(answer["id"])


def test_arcgis_text_item_lifecycle(gis: Any, tmp_path: Path) -> None:
    web_map = {"operationalLayers": [], "baseMap": {"title": "none"}, "version": "2.31"}
    item = _add(gis, title=_title("Py map"), type="Web Map", tags="e2e,python", text=json.dumps(web_map),
                description="<b>ok</b><script>x</script>")
    assert item.title.startswith("Py map") and item.type == "Web Map" and item.description == "<b>ok</b>"
    assert item.get_data() == web_map
    found = gis.content.get(item.id)
    assert found is not None and found.id == item.id and found.tags == ["e2e", "python"]
    assert found.update(item_properties={"snippet": "updated", "tags": "one,two"}) is True
    again = gis.content.get(item.id)
    assert again.snippet == "updated" and again.tags == ["one", "two"]
    saved = again.download(save_path=str(tmp_path))
    assert saved is not None and json.loads(Path(saved).read_text()) == web_map
    assert again.protect(True)["success"] is True
    with pytest.raises(Exception, match="protected"):
        again.delete()
    assert again.protect(False)["success"] is True
    assert again.delete() is True
    assert gis.content.get(item.id) is None


def test_arcgis_url_item(gis: Any) -> None:
    item = _add(gis, title=_title("Py link"), type="Web Mapping Application", url="https://example.com/app",
                tags="link")
    found = gis.content.get(item.id)
    assert found.url == "https://example.com/app" and found.type == "Web Mapping Application"
    assert found.delete() is True


def test_restjs_items(live_server: LiveServer, node_bin: str) -> None:
    result = run_node(node_bin, "restjs-items.mjs", {
        "portal": live_server.sharing_url("https"), "owner": live_server.admin_username,
        "ownerPassword": live_server.admin_password, "title": _title("JS item")})
    made = ok(result, "createItem")
    assert made["success"] is True and len(made["id"]) == 32
    got = ok(result, "getItem")
    assert got["type"] == "Web Map" and got["tags"] == ["rest", "js"]
    assert ok(result, "getItemData") == {"operationalLayers": [], "version": "2.31"}
    assert ok(result, "updateItem")["success"] is True
    assert ok(result, "getUpdated")["snippet"] == "changed by REST JS"
    file_item = ok(result, "createFileItem")
    assert file_item["success"] is True
    assert ok(result, "getFileData") == "a,b\n1,2\n"
    assert ok(result, "removeItem")["success"] is True
    assert ok(result, "removeFileItem")["success"] is True
    assert not result["getRemoved"]["ok"] and "does not exist" in result["getRemoved"]["error"]["message"]
