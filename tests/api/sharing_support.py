"""Helpers for the item sharing, comments, ratings and relationships tests."""

from __future__ import annotations

from typing import Any

import httpx

from geoshare.domain import accounts
from geoshare.storage import items as item_store
from geoshare.storage import users as user_store
from tests.conftest import SHARING, get_token, make_user

PASSWORD = "Member12345"


async def member(client: httpx.AsyncClient, svc: Any, name: str, **kwargs: Any) -> str:
    """A new member of the default organization and their token."""
    await make_user(svc, name, PASSWORD, **kwargs)
    return await get_token(client, name, PASSWORD)


async def call(client: httpx.AsyncClient, path: str, token: str | None, **data: Any) -> dict[str, Any]:
    form = {"f": "json", **data}
    if token:
        form["token"] = token
    reply = await client.post(f"{SHARING}/{path}", data=form)
    assert reply.status_code == 200
    result: dict[str, Any] = reply.json()
    return result


async def get(client: httpx.AsyncClient, path: str, token: str | None, **params: Any) -> dict[str, Any]:
    query = {"f": "json", **params}
    if token:
        query["token"] = token
    reply = await client.get(f"{SHARING}/{path}", params=query)
    assert reply.status_code == 200
    result: dict[str, Any] = reply.json()
    return result


async def item_row(svc: Any, item_id: str) -> Any:
    return await svc.db.read(item_store.item_by_id, item_id)


async def shares(svc: Any, item_id: str) -> list[str]:
    return list(await svc.db.read(item_store.group_ids_of, item_id))


async def principal(svc: Any, name: str) -> Any:
    return await accounts.principal_for_user(svc, await svc.db.read(user_store.user_by_username, name))


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    assert "error" in body, body
    error: dict[str, Any] = body["error"]
    return error


async def count_comments(svc: Any, item_id: str) -> int:
    from sqlalchemy import func, select

    from geoshare.storage.tables import item_comments

    query = select(func.count()).select_from(item_comments).where(item_comments.c.item_id == item_id)
    return int(await svc.db.read(lambda conn: conn.execute(query).scalar_one()))
