"""Reading an item's info files and the owner's view at their edges (domain/item_reading.py): the
exact iteminfo.xml, thumbnail media types by extension, only the item's current thumbnail is
served, the 404 answers of missing info files, and itemControl in the owner's view."""

from __future__ import annotations

from tests.api.item_support import get
from tests.conftest import make_group, make_item

PNG = b"\x89PNG\r\n\x1a\n-png-"
NOT_FOUND = {"error": {"code": 404, "message": "File not found.", "details": []}}


async def test_iteminfo_xml_is_exact(client, svc, admin_token):
    item = await make_item(svc, "admin", "T <1>", item_type="Web Map", name="n.json", description="d & e",
                           snippet=None, url="https://example.com/a", thumbnail="thumbnail/t.png",
                           access_information="ai", license_info="li", culture="en-us", tags=["a", "<b>"],
                           type_keywords=["k1", "k2"])
    text = (await get(client, admin_token, f"content/items/{item.id}/info/iteminfo.xml")).text
    assert text == (
        '<?xml version="1.0" encoding="UTF-8"?><ESRI_ItemInformation>'
        f"<id>{item.id}</id><owner>admin</owner><title>T &lt;1&gt;</title><type>Web Map</type>"
        "<name>n.json</name><description>d &amp; e</description><snippet></snippet>"
        "<url>https://example.com/a</url><thumbnail>thumbnail/t.png</thumbnail>"
        "<accessinformation>ai</accessinformation><licenseinfo>li</licenseinfo><culture>en-us</culture>"
        "<tags><tag>a</tag><tag>&lt;b&gt;</tag></tags>"
        "<typekeywords><typekeyword>k1</typekeyword><typekeyword>k2</typekeyword></typekeywords>"
        "</ESRI_ItemInformation>")


async def _thumbnail(client, svc, token, stored_name):
    item = await make_item(svc, "admin", "Pic", thumbnail=f"thumbnail/{stored_name}")
    await svc.blobs.put(f"items/{item.id}/info/thumbnail/{stored_name}", PNG)
    return await get(client, token, f"content/items/{item.id}/info/thumbnail/{stored_name}")


async def test_thumbnail_media_type_follows_the_last_extension(client, svc, admin_token):
    for stored_name, media in (("a.png", "image/png"), ("a.b.gif", "image/gif"), ("a.jpg", "image/jpeg"),
                               ("a.gif.png", "image/png"), ("a.GIF", "image/gif"), ("a.bmp", "image/jpeg")):
        reply = await _thumbnail(client, svc, admin_token, stored_name)
        assert (reply.status_code, reply.content, reply.headers["content-type"]) == (200, PNG, media), stored_name


async def test_only_the_current_thumbnail_is_served(client, svc, admin_token):
    item = await make_item(svc, "admin", "Pic", thumbnail="thumbnail/now.png")
    await svc.blobs.put(f"items/{item.id}/info/thumbnail/now.png", PNG)
    await svc.blobs.put(f"items/{item.id}/info/thumbnail/old.png", b"stale")  # a leftover blob
    assert (await get(client, admin_token, f"content/items/{item.id}/info/thumbnail/now.png")).content == PNG
    stale = await get(client, admin_token, f"content/items/{item.id}/info/thumbnail/old.png")
    assert stale.json() == NOT_FOUND


async def test_missing_info_files_answer_404_file_not_found(client, svc, admin_token):
    item = await make_item(svc, "admin", "Bare")
    for suffix in ("info/thumbnail/t.png", "info/metadata/metadata.xml"):
        reply = await get(client, admin_token, f"content/items/{item.id}/{suffix}")
        assert reply.json() == NOT_FOUND, suffix


async def test_owner_view_carries_item_control_and_the_groups(client, svc, admin_token):
    group = await make_group(svc, "admin", "Team")
    item = await make_item(svc, "admin", "Shared", groups=(group.id,))
    body = (await get(client, admin_token, f"content/users/admin/items/{item.id}")).json()
    assert body["item"]["itemControl"] == "admin"
    assert body["sharing"] == {"access": "shared", "groups": [group.id]}


async def test_data_of_an_item_without_data_is_empty_text(client, svc, admin_token):
    item = await make_item(svc, "admin", "Link", url="https://example.com/x")
    reply = await get(client, admin_token, f"content/items/{item.id}/data")
    assert (reply.status_code, reply.content) == (200, b"")
    assert reply.headers["content-type"].split(";")[0] == "text/plain"


async def test_data_download_headers_name_only_files(client, svc, admin_token):
    binary = await make_item(svc, "admin", "Bin", data_kind="file", data_blob="items/x/data/bin", data_type=None,
                             name="d.bin", size=3)
    text = await make_item(svc, "admin", "Txt", data_kind="text", data_blob="items/x/data/txt",
                           data_type="application/json", name="t.json", size=2)
    await svc.blobs.put("items/x/data/bin", b"abc")
    await svc.blobs.put("items/x/data/txt", b"{}")
    reply = await get(client, admin_token, f"content/items/{binary.id}/data")
    assert (reply.content, reply.headers["content-type"], reply.headers["content-length"]) == (
        b"abc", "application/octet-stream", "3")
    assert 'filename="d.bin"' in reply.headers["content-disposition"]
    reply = await get(client, admin_token, f"content/items/{text.id}/data")
    assert (reply.content, reply.headers["content-type"]) == (b"{}", "application/json")
    assert "content-disposition" not in reply.headers
