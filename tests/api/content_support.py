"""Shared fixtures of the folder, listing and move tests: two members and the administrator."""

from __future__ import annotations

from typing import Any

from geoshare.storage import items as item_store
from geoshare.storage import users as user_store
from tests.api.org_support import call
from tests.conftest import get_token, make_user

PASSWORD = "Member12345"


async def people(client: Any, svc: Any, admin_token: str) -> dict[str, str]:
    """alice and bob (members of the default organization) and their tokens, with the admin's."""
    for name in ("alice", "bob"):
        await make_user(svc, name, PASSWORD)
    return {"admin": admin_token, "alice": await get_token(client, "alice", PASSWORD),
            "bob": await get_token(client, "bob", PASSWORD)}


async def create_folder(client: Any, token: str, user: str, title: str) -> Any:
    return await call(client, f"content/users/{user}/createFolder", token, title=title)


async def folder_id(client: Any, token: str, user: str, title: str) -> str:
    body = await create_folder(client, token, user, title)
    return str(body["folder"]["id"])


async def item_row(svc: Any, item_id: str) -> Any:
    return await svc.db.read(item_store.item_by_id, item_id)


async def folders_of(svc: Any, username: str) -> list[Any]:
    user = await svc.db.read(user_store.user_by_username, username)
    return list(await svc.db.read(item_store.folders_of, user.id)) if user else []


async def put_item_in(svc: Any, item_id: str, folder: str | None) -> None:
    await svc.db.write(lambda conn: item_store.update_item(conn, item_id, {"folder_id": folder}))
