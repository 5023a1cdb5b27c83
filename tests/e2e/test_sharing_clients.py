"""Item sharing, comments and relationships driven by the real clients against the real server
process: the ArcGIS API for Python (the SharingManager's own share and unshare requests, with the
full group list and levels as `item.sharing` sends them; `item.add_comment`, `item.comments`,
`item.rating`, `item.add_relationship`, `item.related_items`) and ArcGIS REST JS
(node/restjs-sharing.mjs: setItemAccess to org, public and private).

Members are written into the server's database by geoshare's own domain functions; items and
groups are created over HTTP (addItem, createGroup).
"""

from __future__ import annotations

from typing import Any

import pytest

from .support import LiveServer, close_client
from .test_users_clients import SHARING, create_member, ok, run_node

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]
HEADERS = {"Referer": "http://localhost"}

try:  # arcgis is big and optional outside CI; its absence skips only this part
    from arcgis.gis import GIS
    from arcgis.gis._impl._content_manager.sharing.api import SharingLevel
except ImportError:  # pragma: no cover - depends on the machine
    GIS = None


def token_of(server: LiveServer, username: str, password: str) -> str:
    return str(server.generate_token(username, password)["token"])


def add_item(server: LiveServer, username: str, token: str, title: str, item_type: str = "Web Map") -> str:
    body = server.post_json(f"{SHARING}/content/users/{username}/addItem", {
        "title": title, "type": item_type, "text": "{}", "f": "json", "token": token}, headers=HEADERS)
    assert body.get("success") is True, body
    return str(body["id"])


def create_group(server: LiveServer, token: str, title: str, **fields: Any) -> str:
    body = server.post_json(f"{SHARING}/community/createGroup", {
        "title": title, "access": "org", "f": "json", "token": token, **fields}, headers=HEADERS)
    assert body["success"] is True, body
    return str(body["group"]["id"])


def read_item(server: LiveServer, item_id: str, token: str) -> dict[str, Any]:
    return dict(server.get_json(f"{SHARING}/content/items/{item_id}", {"f": "json", "token": token}, headers=HEADERS))


def test_arcgis_sharing_groups_and_levels(gis: Any, live_server: LiveServer) -> None:
    if GIS is None:
        pytest.skip("arcgis is not installed")
    reader, reader_password = create_member(live_server, "pyshr")
    outsider, outsider_password = create_member(live_server, "pyout")
    admin_token = live_server.admin_token()
    group_a = create_group(live_server, admin_token, "Python share A")
    group_b = create_group(live_server, admin_token, "Python share B")
    live_server.post_json(f"{SHARING}/community/groups/{group_a}/addUsers",
                          {"users": reader, "f": "json", "token": admin_token}, headers=HEADERS)
    item = gis.content.get(add_item(live_server, live_server.admin_username, admin_token, "Python shared"))
    sharing = item.sharing
    # groups.add: shareItems with every current group and the unchanged level
    reply = sharing._share(SharingLevel.PRIVATE, groups=f"{group_a},{group_b}")
    assert reply == {"results": [{"itemId": item.id, "success": True, "notSharedWith": []}]}
    reader_token = token_of(live_server, reader, reader_password)
    assert read_item(live_server, item.id, reader_token)["access"] == "shared"
    assert "error" in read_item(live_server, item.id, token_of(live_server, outsider, outsider_password))
    # groups.remove: unshareItems, then shareItems again with the remaining groups
    assert sharing._unshare(groups=[group_a]) == {
        "results": [{"itemId": item.id, "success": True, "notUnsharedFrom": []}]}
    sharing._share(SharingLevel.PRIVATE, groups=group_b)
    assert "error" in read_item(live_server, item.id, reader_token)
    # sharing_level = ORGANIZATION / EVERYONE / PRIVATE, with the current group list
    for level, expected in ((SharingLevel.ORG, "org"), (SharingLevel.EVERYONE, "public"),
                            (SharingLevel.PRIVATE, "shared")):
        sharing._share(level, groups=group_b)
        item = gis.content.get(item.id)
        assert item.access == expected
    sharing._share(SharingLevel.PRIVATE, groups="")
    assert gis.content.get(item.id).access == "private"


def test_arcgis_item_sharing_through_its_public_setters(gis: Any, live_server: LiveServer) -> None:
    """`item.sharing.groups.add/remove/list` and `sharing_level`, as a script writes them (they read
    content/items/{id}/groups and post shareItems/unshareItems)."""
    if GIS is None:
        pytest.skip("arcgis is not installed")
    reader, reader_password = create_member(live_server, "pyset")
    admin_token = live_server.admin_token()
    group = gis.groups.get(create_group(live_server, admin_token, "Python setters"))
    group.add_users([reader])
    item = gis.content.get(add_item(live_server, live_server.admin_username, admin_token, "Python setters item"))
    reader_token = token_of(live_server, reader, reader_password)
    assert "error" in read_item(live_server, item.id, reader_token)
    item.sharing.groups.add(group)
    assert [g.id for g in item.sharing.groups.list()] == [group.id]
    assert gis.content.get(item.id).access == "shared"
    assert read_item(live_server, item.id, reader_token)["id"] == item.id  # the member reads it now
    for level, expected in (("ORGANIZATION", "org"), ("EVERYONE", "public"), ("PRIVATE", "shared")):
        item.sharing.sharing_level = level
        assert gis.content.get(item.id).access == expected
    item.sharing.groups.remove(group)
    assert item.sharing.groups.list() == [] and gis.content.get(item.id).access == "private"
    assert "error" in read_item(live_server, item.id, reader_token)


def test_arcgis_comments_rating_and_relationships(gis: Any, live_server: LiveServer) -> None:
    if GIS is None:
        pytest.skip("arcgis is not installed")
    admin_token = live_server.admin_token()
    web_map = gis.content.get(add_item(live_server, live_server.admin_username, admin_token, "Python related map"))
    service = gis.content.get(add_item(live_server, live_server.admin_username, admin_token, "Python related svc",
                                       "Feature Service"))
    first = web_map.add_comment("first <b>note</b>")
    second = web_map.add_comment("second")
    assert len(first) == 32 and len(second) == 32
    comments = web_map.comments  # newest first; two comments may share a millisecond, so no order here
    assert sorted(c.comment for c in comments) == ["first <b>note</b>", "second"]
    assert gis.content.get(web_map.id).numComments == 2
    rater, rater_password = create_member(live_server, "pyrate")
    live_server.post_json(f"{SHARING}/content/users/{live_server.admin_username}/items/{web_map.id}/share",
                          {"org": "true", "f": "json", "token": admin_token}, headers=HEADERS)
    signed_in = GIS(live_server.portal_url("https"), rater, rater_password, verify_cert=False)
    try:
        theirs = signed_in.content.get(web_map.id)
        theirs.rating = 4.5
        assert theirs.rating == 4.5
    finally:
        close_client(signed_in)
    assert gis.content.get(web_map.id).avgRating == 4.5
    assert web_map.add_relationship(service, "Map2Service") is True
    assert [i.id for i in web_map.related_items("Map2Service", "forward")] == [service.id]
    assert [i.id for i in service.related_items("Map2Service", "reverse")] == [web_map.id]
    assert web_map.delete_relationship(service, "Map2Service") is True
    assert web_map.related_items("Map2Service") == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_restjs_set_item_access(live_server: LiveServer, node_bin: str, scheme: str) -> None:
    username, password = create_member(live_server, "rjshare")
    token = token_of(live_server, username, password)
    group_id = create_group(live_server, token, f"REST JS share {scheme}")
    item_id = add_item(live_server, username, token, f"REST JS shared {scheme}")
    shared = live_server.post_json(f"{SHARING}/content/users/{username}/items/{item_id}/share",
                                   {"groups": group_id, "f": "json", "token": token}, headers=HEADERS)
    assert shared == {"notSharedWith": [], "itemId": item_id}
    result = run_node(node_bin, "restjs-sharing.mjs", {"portal": live_server.sharing_url(scheme),
                                                       "username": username, "password": password,
                                                       "itemId": item_id})
    for access in ("org", "public", "private"):
        assert ok(result, f"setItemAccess-{access}") == {"notSharedWith": [], "itemId": item_id}
        assert ok(result, f"access-{access}") == access
    assert live_server.get_json(f"{SHARING}/community/groups/{group_id}", {"f": "json", "token": token},
                                headers=HEADERS)["id"] == group_id
    assert read_item(live_server, item_id, token)["access"] == "private"
