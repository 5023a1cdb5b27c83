"""Uploads and item files with the real clients against the real server process.

The ArcGIS API for Python's `Folder.add(item_properties, file=...)` always takes the streamed
multipart path (addItem multipart=true, addPart, commit, status polling): the bytes read back
with `item.get_data()` / `item.download()` must equal the file.  ArcGIS REST JS
(node/restjs-files.mjs) adds, lists, reads and removes item resources, and runs a multipart
upload through addItemPart and commitItemUpload.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from .support import LiveServer
from .test_users_clients import create_member, ok, run_node

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]


@pytest.mark.parametrize("size", [50, 3 * 1024 * 1024 + 17])
def test_arcgis_folder_add_streams_a_file_and_reads_it_back(gis: Any, tmp_path: Path, size: int) -> None:
    source = tmp_path / f"upload-{size}.csv"
    source.write_bytes(os.urandom(size))
    folder = gis.content.folders.get()
    job = folder.add({"title": f"Upload {size}", "type": "CSV", "tags": "e2e"}, file=str(source))
    item = job.result() if hasattr(job, "result") else job
    assert item.type == "CSV" and item.name == source.name and item.size == size
    out = Path(item.download(save_path=str(tmp_path / "out")))
    assert out.read_bytes() == source.read_bytes()


def test_restjs_resources_and_multipart(live_server: LiveServer, node_bin: str) -> None:
    owner, password = create_member(live_server, "rjsfiles")
    result = run_node(node_bin, "restjs-files.mjs", {"portal": live_server.sharing_url("https"), "owner": owner,
                                                      "ownerPassword": password})
    assert ok(result, "signIn") == owner
    assert ok(result, "addItemResource")["success"] is True
    assert ok(result, "getItemResources") == ["styles/style.json"]
    assert json.loads(ok(result, "getItemResource")) == {"a": 1}
    assert ok(result, "removeItemResource") == {"success": True}
    assert ok(result, "afterRemove") == []
    assert ok(result, "addItemPart2")["success"] is True and ok(result, "addItemPart1")["success"] is True
    assert ok(result, "getItemParts") == [1, 2]
    assert ok(result, "commitItemUpload")["success"] is True
    assert ok(result, "multipartData") == "part one|part two"
