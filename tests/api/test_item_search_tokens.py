"""The access tokens in the full-text index (migration 0007) select exactly the items
access.item_visible (narrowed by canSearchPublic, as item search narrows it) selects, for every
caller of item_search_world.py, before and after the changes that move tokens: sharing with a
group and unsharing, an organization's access, an item's access, ownership reassigned, a group
deleted, an item deleted.  The triggers keep the tokens in the writing transaction, so each
comparison reads right after the write."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import column, literal, literal_column, select, table

from geoshare.domain import access, item_search
from geoshare.storage import item_search as store
from geoshare.storage.tables import items
from tests.api.item_search_world import World, built, walk_access_changes

CALLERS = (None, "admin", "ann", "bob", "vic", "iris", "olga", "oscar", "carl", "cleo")
_item_text = table("item_text", column("rowid"))


@pytest.fixture
async def world(tmp_path: Any, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with built(tmp_path, request) as w:
        yield w


async def _both(world: World, who: str | None) -> tuple[set[str], set[str]]:
    viewer = await world.caller(who)

    def read(conn: Any) -> tuple[set[str], set[str]]:
        mine = store.member_group_ids(conn, viewer.user.id) if viewer.user is not None else []
        rule = set(conn.execute(select(items.c.id).where(item_search.visible(viewer, mine))).scalars())
        tokens = access.item_tokens(viewer, mine)
        if world.svc.db.is_sqlite:
            matched = select(_item_text.c.rowid).where(literal_column("item_text").op("MATCH")(
                literal(store.acl_fts(tokens))))
            found = select(items.c.id).where(items.c.seq.in_(matched))
        else:
            found = select(items.c.id).where(store.acl_match(tokens))
        return rule, set(conn.execute(found).scalars())

    return await world.svc.db.read(read)


async def _agree(world: World, step: str) -> None:
    for who in CALLERS:
        rule, tokens = await _both(world, who)
        assert tokens == rule, (step, who, sorted(tokens ^ rule))


async def test_tokens_select_what_item_visible_selects(world: World) -> None:
    await walk_access_changes(world, lambda step: _agree(world, step))


async def test_no_token_of_one_caller_is_a_token_of_another_kind(world: World) -> None:
    """The words never merge: an id that is a prefix of another, or differs only in case, makes
    another word (hex, then the closing 0)."""
    viewer = await world.caller("ann")
    tokens = access.item_tokens(viewer, ["ab", "AB", "abc"])
    assert len(set(tokens)) == len(tokens)
    assert all(t.isalnum() and t.islower() and t.endswith("0") for t in tokens)
