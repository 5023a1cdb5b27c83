"""Creating and managing groups with the real clients against the real server process: the ArcGIS
API for Python (`gis.groups.create`, `gis.groups.get`, `group.update`, the `protected` property,
`group.reassign_to`, `group.get_thumbnail`, `group.delete_group_thumbnail`, `group.delete`) and ArcGIS REST JS (`createGroup`,
`getGroup`, `updateGroup`, `protectGroup`, `unprotectGroup`, `removeGroup`,
node/restjs-group-admin.mjs).

Members are written straight into the server's database (test_users_clients.create_member), so
these tests depend on no other operation of the users work.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .support import LiveServer
from .test_users_clients import SHARING, create_member, ok, run_node

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

try:  # arcgis is big and optional outside CI; its absence skips only this part
    from arcgis.gis import GIS, Group
except ImportError:  # pragma: no cover - depends on the machine
    GIS = None


def _title(prefix: str) -> str:
    return f"{prefix} {secrets.token_hex(3)}"


def _png(path: Path, color: tuple[int, int, int]) -> Path:
    Image.new("RGB", (4, 4), color).save(path, format="PNG")
    return path


def _group_json(server: LiveServer, group_id: str) -> Any:
    return server.get_json(f"{SHARING}/community/groups/{group_id}", {"f": "json", "token": server.admin_token()},
                           headers={"Referer": "http://localhost"})


# ---------------------------------------------------------------- ArcGIS API for Python
def test_arcgis_create_get_update_and_thumbnail(gis: Any, live_server: LiveServer, tmp_path: Path) -> None:
    title = _title("Py group")
    group = gis.groups.create(title=title, tags="python, e2e", description="<b>made</b><script>x</script>",
                              snippet="from arcgis", access="org", is_invitation_only=True,
                              thumbnail=str(_png(tmp_path / "first.png", (200, 10, 10))))
    assert isinstance(group, Group) and group.title == title and group.access == "org"
    assert group.tags == ["python", "e2e"] and group.description == "<b>made</b>" and group.isInvitationOnly is True
    assert group.sortField == "avgrating" and group.sortOrder == "desc"  # the client's defaults
    assert group.get_thumbnail() == (tmp_path / "first.png").read_bytes()

    found = gis.groups.get(group.id)
    assert found.id == group.id and found.owner == live_server.admin_username
    assert found.update(snippet="updated by arcgis", tags=["one", "two"], sort_field="title",
                        thumbnail=str(_png(tmp_path / "second.png", (10, 200, 10)))) is True
    stored = _group_json(live_server, group.id)
    assert stored["snippet"] == "updated by arcgis" and stored["tags"] == ["one", "two"]
    assert stored["sortField"] == "title" and stored["thumbnail"].startswith("second_")
    assert gis.groups.get(group.id).get_thumbnail() == (tmp_path / "second.png").read_bytes()
    assert gis.groups.get(group.id).delete_group_thumbnail() is True
    assert _group_json(live_server, group.id)["thumbnail"] is None
    assert gis.groups.get(group.id).delete() is True


def test_arcgis_duplicate_title_is_refused(gis: Any) -> None:
    title = _title("Py twice")
    first = gis.groups.create(title=title, tags="x", access="private")
    with pytest.raises(Exception, match="You already have a group named"):
        gis.groups.create(title=title.upper(), tags="x", access="private")
    assert first.delete() is True


def test_arcgis_protect_refuses_delete_until_unprotected(gis: Any, live_server: LiveServer) -> None:
    group = gis.groups.create(title=_title("Py protected"), tags="p", access="private")
    group.protected = True  # arcgis 2.4.4 has no protect() method: the property posts /protect
    assert gis.groups.get(group.id).protected is True
    with pytest.raises(Exception, match="protected"):
        group.delete()
    assert _group_json(live_server, group.id)["id"] == group.id
    group.protected = False  # posts /unprotect
    assert gis.groups.get(group.id).protected is False
    assert group.delete() is True
    assert gis.groups.get(group.id) is None


def test_arcgis_reassign_to(gis: Any, live_server: LiveServer) -> None:
    heir, _ = create_member(live_server, "pyheir")
    group = gis.groups.create(title=_title("Py reassigned"), tags="r", access="org")
    assert group.reassign_to(heir) is True
    assert group.owner == heir  # the client reads the group again after reassigning
    # the previous owner (the administrator who created it) stays on as a group administrator
    assert _group_json(live_server, group.id)["userMembership"]["memberType"] == "admin"
    assert gis.groups.get(group.id).delete() is True


# ---------------------------------------------------------------- ArcGIS REST JS
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_restjs_group_admin(live_server: LiveServer, node_bin: str, scheme: str) -> None:
    owner, password = create_member(live_server, "rjsgroups")
    title = _title("REST JS group")
    result = run_node(node_bin, "restjs-group-admin.mjs", {
        "portal": live_server.sharing_url(scheme), "owner": owner, "ownerPassword": password, "title": title})

    assert ok(result, "signIn") == owner
    created = ok(result, "createGroup")
    group_id = created["id"]
    assert created == {"success": True, "id": group_id, "title": title, "access": "org", "tags": ["rest", "js"],
                       "isInvitationOnly": True}
    duplicate = result["createDuplicate"]
    assert not duplicate["ok"] and "You already have a group named" in duplicate["error"]["message"], duplicate
    assert ok(result, "getGroup") == {"id": group_id, "owner": owner, "snippet": "made by REST JS",
                                      "sortField": "modified", "protected": False,
                                      "userMembership": {"username": owner, "memberType": "owner", "applications": 0}}
    assert ok(result, "updateGroup") == {"success": True, "groupId": group_id}
    assert ok(result, "updateGroupWholeObject") == {"success": True, "groupId": group_id}
    assert ok(result, "getGroupAfterUpdate") == {"snippet": "changed by REST JS", "tags": ["updated"],
                                                 "description": "<p>whole object</p>", "title": title, "access": "org"}
    assert ok(result, "protectGroup") == {"success": True}
    refused = result["removeProtected"]
    assert not refused["ok"] and "protected" in refused["error"]["message"], refused
    assert ok(result, "getGroupProtected") is True
    assert ok(result, "unprotectGroup") == {"success": True}
    assert ok(result, "removeGroup") == {"success": True, "groupId": group_id}
    gone = result["getGroupAfterRemove"]
    assert not gone["ok"] and "Group does not exist or is inaccessible." in gone["error"]["message"], gone
