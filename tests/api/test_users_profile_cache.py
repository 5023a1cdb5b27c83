"""Profile reads come from the cache the token lookup uses; every commit drops it, so a read
after any change (an operation, the CLI, another node) sees the change."""

from __future__ import annotations

from geoshare.storage import users as user_store
from tests.conftest import SHARING, make_user

MISSING = {"error": {"code": 400, "message": "User does not exist or is inaccessible.", "details": []}}


async def _profile(client, name, token):
    return (await client.get(f"{SHARING}/community/users/{name}", params={"f": "json", "token": token})).json()


async def test_a_read_after_a_write_sees_it(client, svc, admin_token):
    user = await make_user(svc, "cached1", access="public")
    assert (await _profile(client, "cached1", admin_token))["description"] is None
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, description="changed underneath"))
    assert (await _profile(client, "CACHED1", admin_token))["description"] == "changed underneath"
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, access="private"))
    assert await _profile(client, "cached1", None) == MISSING


async def test_names_longer_than_a_username_are_missing(client, admin_token):
    assert await _profile(client, "a" * 129, admin_token) == MISSING
    assert await _profile(client, "admin" + "x" * 123, admin_token) == MISSING  # 128: looked up, not found
