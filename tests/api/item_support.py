"""Shared helpers of the item tests: calls, stored state, blobs."""

from __future__ import annotations

from typing import Any

from geoshare.storage import items as item_store
from tests.conftest import SHARING, count_rows


async def post(client: Any, token: str | None, path: str, files: Any = None, **data: Any) -> dict[str, Any]:
    form = {"f": "json", **({"token": token} if token else {}), **data}
    reply = await client.post(f"{SHARING}/{path}", data=form, files=files)
    return dict(reply.json())


async def get(client: Any, token: str | None, path: str, **params: Any) -> Any:
    query = {"f": "json", **({"token": token} if token else {}), **params}
    return await client.get(f"{SHARING}/{path}", params=query)


async def add(client: Any, token: str, user: str = "admin", files: Any = None, **data: Any) -> dict[str, Any]:
    data.setdefault("title", "An item")
    data.setdefault("type", "Web Map")
    return await post(client, token, f"content/users/{user}/addItem", files=files, **data)


def blob_keys(svc: Any) -> set[str]:
    root = svc.blobs.root
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


async def stored(svc: Any, item_id: str) -> Any:
    return await svc.db.read(item_store.item_by_id, item_id)


async def item_count(svc: Any) -> int:
    return await count_rows(svc, "items")


def error_of(body: dict[str, Any]) -> tuple[int, str, list[str]]:
    error = body["error"]
    return error["code"], error["message"], error.get("details", [])
