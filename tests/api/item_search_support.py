"""Fixtures of the item search tests: a small corpus, and the search called as a caller."""

from __future__ import annotations

from typing import Any

from geoshare.domain import accounts
from geoshare.domain.item_search import ItemQuery, search_items
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.errors import GeoshareError
from geoshare.storage import users as user_store


async def principal(svc: Any, username: str | None) -> Principal:
    if username is None:
        return ANONYMOUS
    user = await svc.db.read(user_store.user_by_username, username)
    return await accounts.principal_for_user(svc, user)


async def search(svc: Any, who: str | None, **params: Any) -> dict[str, Any]:
    return await search_items(svc, await principal(svc, who), ItemQuery(**params))


async def titles(svc: Any, who: str | None, **params: Any) -> list[str]:
    return [r["title"] for r in (await search(svc, who, num=100, **params))["results"]]


async def error(svc: Any, who: str | None, **params: Any) -> tuple[int, list[str]]:
    try:
        await search(svc, who, **params)
    except GeoshareError as exc:
        return exc.code, list(exc.details)
    raise AssertionError("no error")
