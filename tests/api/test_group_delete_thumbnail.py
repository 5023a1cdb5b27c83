"""POST community/groups/{id}/deleteThumbnail: what the Python client's
`group.delete_group_thumbnail()` posts.  Whoever may update the group removes the thumbnail; the
row changes first, the blob goes after it; a refused call keeps both."""

from __future__ import annotations

from typing import Any

from geoshare.storage import groups as group_store
from tests.api.expected import FORBIDDEN
from tests.conftest import SHARING, get_token, image_bytes, make_group, make_user

PNG = image_bytes()
MISSING = {"error": {"code": 400, "message": "Group does not exist or is inaccessible.", "details": []}}


async def _group_with_thumbnail(svc: Any, **columns: Any) -> Any:
    await make_user(svc, "thumb_owner")
    await make_user(svc, "thumb_member")
    group = await make_group(svc, "thumb_owner", "Pictured", members=("thumb_member",), thumbnail="pic.png",
                             **columns)
    await svc.blobs.put(f"groups/{group.id}/info/pic.png", PNG)
    return group


async def _delete(client: Any, group_id: str, token: str) -> dict[str, Any]:
    url = f"{SHARING}/community/groups/{group_id}/deleteThumbnail"
    return dict((await client.post(url, data={"f": "json", "token": token})).json())


async def test_the_owner_removes_the_thumbnail_and_its_file(client, svc):
    group = await _group_with_thumbnail(svc)
    token = await get_token(client, "thumb_owner", "Member12345")
    assert await _delete(client, group.id, token) == {"success": True}
    assert (await svc.db.read(group_store.group_by_id, group.id)).thumbnail is None
    assert await svc.blobs.get(f"groups/{group.id}/info/pic.png") is None
    read = await client.get(f"{SHARING}/community/groups/{group.id}", params={"f": "json", "token": token})
    assert read.json()["thumbnail"] is None
    assert await _delete(client, group.id, token) == {"success": True}  # nothing left: still fine


async def test_a_member_who_does_not_manage_it_is_refused_and_nothing_changes(client, svc):
    group = await _group_with_thumbnail(svc, access="org")
    token = await get_token(client, "thumb_member", "Member12345")
    assert await _delete(client, group.id, token) == FORBIDDEN["sharing"]
    assert (await svc.db.read(group_store.group_by_id, group.id)).thumbnail == "pic.png"
    assert await svc.blobs.get(f"groups/{group.id}/info/pic.png") == PNG


async def test_a_private_group_of_someone_else_answers_as_missing(client, svc):
    group = await _group_with_thumbnail(svc)
    await make_user(svc, "thumb_stranger")
    token = await get_token(client, "thumb_stranger", "Member12345")
    assert await _delete(client, group.id, token) == MISSING
    assert await svc.blobs.get(f"groups/{group.id}/info/pic.png") == PNG
