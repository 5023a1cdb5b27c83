"""portals/self read back and posted to update carries `thumbnail` as a file name: the stored
name changes nothing, any other text is refused and changes nothing."""

from __future__ import annotations

from tests.api.test_org_update import UPDATE, call, image, portal_self, snapshot

AS_TEXT = "'thumbnail' must be a PNG, GIF or JPEG file; as text it can only repeat the current name."


async def test_the_stored_name_as_text_changes_nothing(client, svc, admin_token):
    await call(client, UPDATE, admin_token, files={"thumbnail": ("logo.png", image("PNG"), "image/png")})
    assert (await portal_self(client))["thumbnail"] == "thumbnail.png"
    before = await snapshot(svc)
    assert await call(client, UPDATE, admin_token, thumbnail="thumbnail.png", name="Renamed") == {
        "success": True, "id": "0123456789ABCDEF"}
    org, rows, blobs = await snapshot(svc)
    assert org.name == "Renamed" and (rows, blobs) == before[1:] and org.thumbnail == "thumbnail.png"
    before = await snapshot(svc)
    reply = await call(client, UPDATE, admin_token, thumbnail="other.png", name="Not this")
    assert reply["error"] == {"code": 400, "message": "Unable to update portal.", "details": [AS_TEXT]}
    assert await snapshot(svc) == before


async def test_a_name_without_a_thumbnail_is_refused(client, svc, admin_token):
    before = await snapshot(svc)
    reply = await call(client, UPDATE, admin_token, thumbnail="thumbnail.png")
    assert reply["error"]["details"] == [AS_TEXT]
    assert await snapshot(svc) == before
