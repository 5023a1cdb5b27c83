"""Body limits per operation (http/dispatch._body_limit): item data and files (operations marked
`large_upload`) take bodies up to max_upload_bytes; every other operation, even one taking a small
file such as a thumbnail, stays at max_body_bytes."""

from __future__ import annotations

from geoshare.storage import items as item_store
from tests.conftest import ADMIN, ADMIN_PASSWORD, SHARING, get_token, make_item, portal

SMALL = 64 * 1024
LARGE = 4 * SMALL


async def test_a_part_over_the_general_limit_is_taken_up_to_the_upload_limit(settings):
    async with portal(settings, max_body_bytes=SMALL, max_upload_bytes=LARGE) as client:
        svc = client.svc  # type: ignore[attr-defined]
        token = await get_token(client, ADMIN, ADMIN_PASSWORD)
        item = await make_item(svc, ADMIN, "Upload", item_type="CSV", status="partial", name="big.csv")
        url = f"{SHARING}/content/users/{ADMIN}/items/{item.id}/addPart"
        data = b"x" * (2 * SMALL)
        reply = await client.post(url, params={"f": "json", "token": token, "partNum": "1"},
                                  files={"file": ("big.csv", data)})
        assert reply.json() == {"success": True}
        assert (await client.get(f"{url[:-7]}parts", params={"f": "json", "token": token})).json() == {"parts": [1]}
        too_big = await client.post(url, params={"f": "json", "token": token, "partNum": "2"},
                                    files={"file": ("big.csv", b"x" * LARGE)})
        assert too_big.json()["error"]["code"] == 413
        thumbnail = await client.post(f"{SHARING}/community/users/{ADMIN}/update",
                                      data={"f": "json", "token": token}, files={"thumbnail": ("t.png", data)})
        assert thumbnail.json()["error"]["code"] == 413  # not an upload operation: the general limit
        assert await svc.db.read(item_store.item_by_id, item.id) is not None
