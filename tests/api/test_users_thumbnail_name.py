"""A user object read back and posted to update carries its thumbnail's file name as text
(REST JS updateUser sends every property): the name of the stored thumbnail changes nothing,
any other text is refused and changes nothing."""

from __future__ import annotations

import json

from tests.api.matrix_users import image_bytes
from tests.api.test_users_update import PASSWORD, refused, stored, update
from tests.conftest import SHARING, get_token, make_user

OK = {"success": True, "username": "pictured"}
AS_TEXT = "'thumbnail' must be a PNG, GIF or JPEG file; as text it can only repeat the current name."


def _as_form(user: dict) -> dict[str, str]:
    return {k: (",".join(v) if isinstance(v, list) and all(isinstance(i, str) for i in v) else
                json.dumps(v) if isinstance(v, list | dict) else str(v).lower() if isinstance(v, bool) else str(v))
            for k, v in user.items() if v is not None}


async def test_the_object_read_back_with_its_thumbnail_name_updates(client, svc):
    await make_user(svc, "pictured", PASSWORD)
    token = await get_token(client, "pictured", PASSWORD)
    assert await update(client, token, "pictured", files={"thumbnail": ("me.png", image_bytes("PNG"), "image/png")}) == OK
    me = (await client.get(f"{SHARING}/community/users/pictured", params={"f": "json", "token": token})).json()
    assert me["thumbnail"].endswith(".png")
    me["description"] = "read, changed, sent back"
    assert await update(client, token, "pictured", **_as_form(me)) == OK
    after = await stored(svc, "pictured")
    assert after.description == "read, changed, sent back" and after.thumbnail == me["thumbnail"]
    await refused(client, svc, token, "pictured", AS_TEXT, thumbnail="someone-else.png")
    blob = await client.get(f"{SHARING}/community/users/pictured/info/{me['thumbnail']}", params={"token": token})
    assert blob.status_code == 200 and blob.content == image_bytes("PNG")


async def test_a_name_without_a_stored_thumbnail_is_refused(client, svc):
    await make_user(svc, "pictured", PASSWORD)
    token = await get_token(client, "pictured", PASSWORD)
    await refused(client, svc, token, "pictured", AS_TEXT, thumbnail="me.png")
