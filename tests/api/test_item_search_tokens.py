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
from geoshare.storage import groups as group_store
from geoshare.storage import item_search as store
from geoshare.storage import items as item_store
from geoshare.storage.tables import items, orgs
from tests.api.item_search_world import World, built

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
    ids, groups = world.ids, world.groups
    await _agree(world, "built")
    write = world.svc.db.write
    secret, team_item = ids["Secret Roads"], next(iter(ids.values()))
    await write(lambda conn: item_store.share_with(conn, secret, groups["harbor"], False, 5))
    await _agree(world, "shared with harbor")
    await write(lambda conn: item_store.unshare_from(conn, secret, groups["harbor"]))
    await _agree(world, "unshared")
    for org, value in (("default", "private"), ("default", "public"), ("closed", "public")):
        await write(lambda conn, o=org, v=value: conn.execute(
            orgs.update().where(orgs.c.id == world.orgs[o]).values(access=v)))
        await _agree(world, f"{org} org {value}")
    await write(lambda conn: item_store.update_item(conn, secret, {"access": "org", "shared_org": True}))
    await _agree(world, "item access org")
    await write(lambda conn: item_store.update_item(conn, team_item, {"access": "private", "shared_public": False,
                                                                      "shared_org": False}))
    await _agree(world, "item access private")
    bob = (await world.caller("bob")).user
    assert bob is not None
    await write(lambda conn: item_store.update_item(conn, secret, {"owner_id": bob.id}))
    await _agree(world, "owner reassigned")
    await write(lambda conn: group_store.delete_group(conn, groups["team"]))
    await _agree(world, "team deleted")
    await write(lambda conn: item_store.delete_item(conn, secret))
    await _agree(world, "item deleted")


async def test_no_token_of_one_caller_is_a_token_of_another_kind(world: World) -> None:
    """The words never merge: an id that is a prefix of another, or differs only in case, makes
    another word (hex, then the closing 0)."""
    viewer = await world.caller("ann")
    tokens = access.item_tokens(viewer, ["ab", "AB", "abc"])
    assert len(set(tokens)) == len(tokens)
    assert all(t.isalnum() and t.islower() and t.endswith("0") for t in tokens)
