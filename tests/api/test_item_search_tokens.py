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
from sqlalchemy import column, func, literal, literal_column, select, table

from geoshare.domain import access, item_search
from geoshare.storage import item_postings as posting_store
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
            matched = select(store.fts_seq).where(literal_column("item_text").op("MATCH")(
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


async def _parts_agree(world: World, step: str) -> None:
    """SQLite: the rowid classes of migration 0009, each read whole or through its tokens
    (access.fts_parts), hold exactly the items item_visible selects; and every item's entry sits
    in the class its access names."""
    orgs = await world.svc.db.read(posting_store.orgs)
    for who in CALLERS:
        viewer = await world.caller(who)

        def read(conn: Any, viewer: Any = viewer) -> tuple[list[str], list[str], int]:
            mine = store.member_group_ids(conn, viewer.user.id) if viewer.user is not None else []
            rule = list(conn.execute(select(items.c.id).where(item_search.visible(viewer, mine))
                                     .order_by(items.c.seq.desc())).scalars())
            every = " OR ".join(f"zx{o.encode().hex()}0" for o, _ in orgs)  # every item's entry
            asked = item_search._fts_question(posting_store.orgs(conn), f"{{acl}} : ({every})", viewer, mine)
            assert all(p.low == p.high for p in asked.pages)
            return rule, store.fts_ids(conn, asked.pages, None, 0, 1000), store.count_parts(conn, asked.counts, None, 1000)

        rule, found, count = await world.svc.db.read(read)
        # the classes' pages merged newest first are the rule's items in that order; the counts add up
        assert (found, count) == (rule, len(rule)), (step, who, sorted(set(found) ^ set(rule)))

    def classes(conn: Any) -> list[tuple[str, int, str]]:
        query = select(items.c.id, (_item_text.c.rowid.op(">>")(store.CLASS_SHIFT)), items.c.access).select_from(
            _item_text.join(items, items.c.seq == store.fts_seq)).where(
            literal_column("item_text").op("MATCH")(literal("{acl} : (" + " OR ".join(
                f"zx{o.encode().hex()}0" for o, _ in orgs) + ")")))
        return [tuple(r) for r in conn.execute(query)]

    want = {"public": store.PUBLIC, "org": store.ORG, "private": store.OTHER, "shared": store.OTHER}
    rows = await world.svc.db.read(classes)
    assert rows and all(cls == want[acc] for _, cls, acc in rows), (step, rows)
    count = await world.svc.db.read(lambda conn: conn.execute(select(func.count()).select_from(items)).scalar_one())
    assert len(rows) == count, step


async def test_the_rowid_classes_select_what_item_visible_selects(world: World) -> None:
    if not world.svc.db.is_sqlite:
        pytest.skip("the rowid classes are SQLite's (migration 0009)")
    await walk_access_changes(world, lambda step: _parts_agree(world, step))


@pytest.mark.parametrize("one_org", ["open", "closed"])
async def test_in_a_portal_of_one_organization_whole_classes_select_the_same(
        tmp_path: Any, request: pytest.FixtureRequest, one_org: str) -> None:
    """One organization: the classes its callers see whole are read without tokens; the walk
    (the default organization private and public again, canSearchPublic on and off) still agrees."""
    async with built(tmp_path, request, one_org) as world:
        if not world.svc.db.is_sqlite:
            pytest.skip("the rowid classes are SQLite's (migration 0009)")
        orgs = await world.svc.db.read(posting_store.orgs)
        assert len(orgs) == 1
        admin = await world.caller("admin")
        ann = await world.caller("ann")
        whole = {who: [cls for cls, tokens in access.fts_parts(v, [], orgs) if tokens is None]
                 for who, v in (("admin", admin), ("ann", ann))}
        assert whole == {"admin": [store.PUBLIC, store.ORG, store.OTHER], "ann": [store.PUBLIC, store.ORG]}

        def counted(conn: Any) -> list[tuple[int, int, bool]]:
            asked = item_search._fts_question(posting_store.orgs(conn), "roads", ann, ["g1", "g2"])
            return [(p.low, p.high, "{acl}" in p.fts) for p in asked.counts]

        # ann's count: public and organization items as one range, the rest through her tokens
        assert await world.svc.db.read(counted) == [(store.ORG, store.PUBLIC, False), (store.OTHER, store.OTHER, True)]
        await walk_access_changes(world, lambda step: _parts_agree(world, step))


async def test_no_token_of_one_caller_is_a_token_of_another_kind(world: World) -> None:
    """The words never merge: an id that is a prefix of another, or differs only in case, makes
    another word (hex, then the closing 0)."""
    viewer = await world.caller("ann")
    tokens = access.item_tokens(viewer, ["ab", "AB", "abc"])
    assert len(set(tokens)) == len(tokens)
    assert all(t.isalnum() and t.islower() and t.endswith("0") for t in tokens)


# ------------------------------------------------------------------ accountid:/orgid: with words
ACCOUNT_WORDS = ("harbor", "roads", "trails", "map", "web", '"harbor survey"', "harb*")


async def _org_of_items(world: World) -> dict[str, str]:
    rows = await world.svc.db.read(lambda conn: conn.execute(select(items.c.title, items.c.org_id)).all())
    return {title: org for title, org in rows}


async def test_an_accountid_clause_keeps_the_matches_of_that_organization(world: World) -> None:
    """With words (SQLite asks the index for the organization's token instead of each match's
    row): exactly the caller's matches in that organization, the id in any case, counted, paged
    and faceted alike, with or without a sort; an unknown id or two organizations at once find
    nothing, and the same one twice is the same as once."""
    org_of = await _org_of_items(world)
    for who in CALLERS:
        for word in ACCOUNT_WORDS:
            plain = await world.titles(who, q=word)
            for org in world.orgs.values():
                want = {t for t in plain if org_of[t] == org}
                for value in (org, org.lower(), org.upper()):
                    for q in (f"{word} accountid:{value}", f"orgid:{value} AND {word}",
                              f"{word} accountid:{value} accountid:{value}"):
                        assert await world.titles(who, q=q) == want, (who, q)
                page = await world.search(who, q=f"{word} accountid:{org}", sort_field="title", num=100,
                                          count_fields="type")
                assert [r["title"] for r in page["results"]] == sorted(want, key=str.lower), (who, word, org)
                counted = sum(v["count"] for v in page["aggregations"]["counts"][0]["fieldValues"])
                assert (page["total"], counted) == (len(want), len(want)), (who, word, org)
            assert await world.titles(who, q=f"{word} accountid:nope") == set()
            default, closed = world.orgs["default"], world.orgs["closed"]
            assert await world.titles(who, q=f"{word} accountid:{default} accountid:{closed}") == set()


async def test_in_one_organization_its_accountid_changes_nothing(tmp_path: Any, request: pytest.FixtureRequest) -> None:
    async with built(tmp_path, request, "open") as world:
        org = world.orgs["default"]
        for who in CALLERS:
            for word in ACCOUNT_WORDS:
                plain = await world.search(who, q=word, num=100)
                narrowed = await world.search(who, q=f"{word} accountid:{org.lower()}", num=100)
                assert [r["id"] for r in narrowed["results"]] == [r["id"] for r in plain["results"]], (who, word)
                assert narrowed["total"] == plain["total"]
                assert await world.titles(who, q=f"{word} accountid:other") == set()
