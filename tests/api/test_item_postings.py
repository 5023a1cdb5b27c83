"""PostgreSQL's posting lists (migration 0008, storage/item_postings.py): what they hold, who they
let see what, and that a search answered from them is the search the general path answers.

* The scopes a caller reads (access.posting_tokens) select exactly what access.item_visible,
  narrowed by canSearchPublic, selects — for every caller of item_search_world.py the lists can
  describe — before and after every change that moves an item between scopes.
* After each such change the table holds exactly the rows derived from the items then: the
  triggers rewrite the difference in the writing transaction.
* Searches through the lists answer exactly what the general path answers (the same totals,
  pages, order and nextStart) for words, prefixes and fields, with and without a bbox, at every
  page boundary; a sorted one takes its count from the lists and its page from the sort's index.

SQLite has no posting lists (its FTS5 index holds the access tokens): these tests run on
PostgreSQL only, and one checks that SQLite never asks for them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, select, text

from geoshare.domain import access, item_search
from geoshare.storage import item_postings
from geoshare.storage import item_search as store
from geoshare.storage.tables import items
from tests.api.item_search_world import World, built, walk_access_changes

CALLERS = (None, "admin", "ann", "bob", "vic", "iris", "olga", "oscar", "carl", "cleo")
# Callers the lists cannot describe take the general path: members of an organization that does
# not search public content (olga, oscar), members without viewOrgItems (vic).
GENERAL = {"olga", "oscar", "vic"}
DERIVED = text("""
    SELECT t, s.num, i.seq FROM items i, unnest(geoshare_item_terms(i.search_text)) t,
           unnest(geoshare_item_scope_tokens(i.access, i.acl)) x JOIN search_scopes s ON s.token = x
    WHERE i.seq IS NOT NULL""")


@pytest.fixture
async def world(tmp_path: Any, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with built(tmp_path, request) as w:
        yield w


def _pg_only(world: World) -> None:
    if world.svc.db.is_sqlite:
        pytest.skip("the posting lists are PostgreSQL's (SQLite's FTS5 index holds the access tokens)")


async def _agree(world: World, step: str) -> None:
    """The lists select what the rule selects, for every caller they describe; and they hold
    exactly the rows derived from the items as they are now."""
    for who in CALLERS:
        viewer = await world.caller(who)

        def read(conn: Any, viewer: Any = viewer) -> tuple[set[str], set[str] | None]:
            mine = store.member_group_ids(conn, viewer.user.id) if viewer.user is not None else []
            rule = set(conn.execute(select(items.c.id).where(item_search.visible(viewer, mine))).scalars())
            tokens = access.posting_tokens(viewer, mine, item_postings.orgs(conn))
            if tokens is None:
                return rule, None
            broad, narrow = tokens
            posted = text("SELECT i.id FROM items i WHERE i.seq IN (SELECT seq FROM item_postings "
                          "WHERE scope IN (SELECT num FROM search_scopes WHERE token = ANY(:s)))")
            return rule, set(conn.execute(posted, {"s": [*broad, *narrow]}).scalars())

        rule, posted = await world.svc.db.read(read)
        assert (posted is None) == (who in GENERAL), (step, who)
        if posted is not None:
            assert posted == rule, (step, who, sorted(posted ^ rule))

    def rows(conn: Any) -> tuple[set[Any], set[Any]]:
        stored = {tuple(r) for r in conn.execute(text("SELECT term, scope, seq FROM item_postings"))}
        return stored, {tuple(r) for r in conn.execute(DERIVED)}

    stored, derived = await world.svc.db.read(rows)
    assert stored == derived, (step, sorted(stored ^ derived)[:10])
    assert stored  # every item has words
    assert any(" " in term for term, _, _ in stored)  # and word pairs (0010)


async def test_the_lists_select_what_item_visible_selects_after_every_change(world: World) -> None:
    _pg_only(world)
    await walk_access_changes(world, lambda step: _agree(world, step))


QUERIES = ("roads", "Roads", "harbor", "harbors", "trails", "trail", "map", "the", "tags:roads", "tags:harbor",
           "title:harbor", "title:roads", "ha*", "harb*", "title:ha*", "tags:tr*", "r*", "zzz", "zzz*", "wildfire",
           "+harbor", "california")
# Quoted two-word phrases the pair terms answer (migration 0010): in a title ("harbor depths"), in the
# tags and the title ("san francisco"), in a C field (description, typeKeywords, type: "web map"
# matches most items), in the tags only; the second word's neighbour elsewhere ("parks of" but not
# "parks san", a word between; "outlook coast", words apart); across two fields ("depths harbor":
# the title's last word, the tags' first: 0006 leaves a gap, so neither path matches it); D
# fields only ("cc by", the license: no default field); absent words.
PHRASES = ('"harbor depths"', '"Harbors Depth"', '"san francisco"', '"parks of"', '"wildfire outlook"',
           '"web map"', '"francisco parks"', '"parks san"', '"outlook coast"', '"depths harbor"', '"cc by"',
           '"zzz harbor"', 'title:"harbor depths"', 'title:"wildfire outlook"', 'tags:"san francisco"',
           'tags:"harbor depths"', '+"web map"')
WINDOWS = ((1, 10), (1, 1), (2, 1), (3, 2), (5, 3), (0, 5), (1, 0), (-1, 3), (20, 5))


def _answered_from_lists(statement: str) -> bool:
    """A count or a page read from the lists (a prefix's expansion alone reads them too)."""
    return "item_postings" in statement and "DISTINCT" in statement


async def _answers(world: World, who: str | None, q: str, start: int, num: int, postings: bool,
                   **params: Any) -> dict[str, Any]:
    taken: list[bool] = []
    engine = world.svc.db._async_engine.sync_engine

    def seen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        taken.append(_answered_from_lists(statement))

    event.listen(engine, "before_cursor_execute", seen)
    original = item_search._postings
    try:
        if not postings:
            item_search._postings = lambda *a: None  # type: ignore[assignment]
        answer = await world.search(who, q=q, start=start, num=num, **params)
    finally:
        item_search._postings = original  # type: ignore[assignment]
        event.remove(engine, "before_cursor_execute", seen)
    answer["took postings"] = any(taken)
    return answer


async def test_searches_through_the_lists_answer_what_the_general_path_answers(world: World) -> None:
    _pg_only(world)
    default, closed, opened = world.orgs["default"], world.orgs["closed"], world.orgs["open"]
    by_org = (f"roads accountid:{default}", f"harbor accountid:{closed.lower()}", f"trails orgid:{opened}",
              f"accountid:{opened} +tr*", f"roads accountid:{default} accountid:{closed}", "roads accountid:nosuch",
              f"title:harbor AND accountid:{closed}", f"map accountid:{default} orgid:{default.lower()}",
              f'"harbor depths" accountid:{closed}', f'"web map" accountid:{default}',
              f'tags:"san francisco" AND orgid:{default.lower()}', f'"web map" accountid:{opened} accountid:{closed}')
    # The phrases match few items each: four kinds of caller, a page of one and the empty pages are
    # their edges (the words have tried every caller and window on the same code).
    few = ((1, 10), (1, 1), (2, 1), (0, 5), (1, 0))
    cases = [(who, q, WINDOWS) for who in (None, "admin", "ann", "bob", "iris", "carl", "cleo") for q in
             (*QUERIES, *by_org)]
    cases += [(who, q, WINDOWS if "web" in q else few) for who in (None, "admin", "ann", "cleo") for q in PHRASES]
    for who, q, windows in cases:
        for start, num in windows:
            fast = await _answers(world, who, q, start, num, postings=True)
            slow = await _answers(world, who, q, start, num, postings=False)
            assert not slow.pop("took postings")
            took = fast.pop("took postings")
            assert fast == slow, (who, q, start, num)
            if q in QUERIES or q in PHRASES:  # (an organization named may leave the caller no scope to read)
                assert took == (q != "zzz*"), (who, q, start, num)  # no stored term starts with zzz


# Around the corpus's extents (Wildfire -120..-118 x 33..35, Parks -123..-122 x 37..38, Harbor
# Depths 10..12 x 50..52, Forest Trails 0..1 x 0..1): boxes meeting some, touching an edge (from
# the row), within one grid cell, the world, and none.
BBOXES = ("0,0,20,60", "-125,30,-115,40", "-180,-90,180,90", "0.5,0.5,0.5,0.5", "12,52,13,53", "12.1,52.1,13,53",
          "-121,34,-119.5,34.5", "100,-50,110,-40")


async def test_a_bbox_through_the_lists_answers_what_the_general_path_answers(world: World) -> None:
    """Migration 0012: the posting rows' boxes keep and drop what the extents on the rows do,
    with the title tier, prefixes, phrases and an organization named, at the page's edges."""
    _pg_only(world)
    default = world.orgs["default"]
    for who in (None, "admin", "ann", "cleo"):
        for q in ("harbor", "trails", "map", "wildfire", '"web map"', '"harbor depths"', "ha*", f"map accountid:{default}"):
            for bbox in BBOXES:
                for start, num in ((1, 10), (2, 1)):
                    fast = await _answers(world, who, q, start, num, postings=True, bbox=bbox)
                    slow = await _answers(world, who, q, start, num, postings=False, bbox=bbox)
                    assert not slow.pop("took postings")
                    assert fast.pop("took postings"), (who, q, bbox)
                    assert fast == slow, (who, q, bbox, start, num)


async def test_a_phrase_pages_through_its_title_tier_as_the_general_path_does(world: World) -> None:
    """A phrase's first tier of relevance is its pair in the title (`harbor depth:A`): a title
    holding one of its words, or both apart, is in the second tier, on both paths."""
    _pg_only(world)
    from tests.conftest import make_item

    for title, columns in (("Harbor Depths Atlas", {}), ("Sea Notes", {"description": "harbor depths chart"}),
                           ("Depths by Harbor", {"tags": ["harbor depths"]}), ("Harbor Notes", {"snippet": "depths"}),
                           ("Deep Harbor", {"description": "Harbor depths", "shared_public": False})):
        await make_item(world.svc, "ann", title, **{"shared_public": True, **columns})
    for who in (None, "admin", "ann", "cleo"):
        for start, num in WINDOWS:
            fast = await _answers(world, who, '"harbor depths"', start, num, postings=True)
            slow = await _answers(world, who, '"harbor depths"', start, num, postings=False)
            assert fast.pop("took postings") and not slow.pop("took postings"), (who, start, num)
            assert fast == slow, (who, start, num)
    assert [r["title"] for r in (await world.search("ann", q='"harbor depths"'))["results"]] == [
        "Harbor Depths Atlas", "Harbor Depths", "Deep Harbor", "Depths by Harbor", "Sea Notes"]


async def test_a_sorted_search_counts_from_the_lists_and_pages_in_its_order(world: World) -> None:
    _pg_only(world)
    for who in (None, "admin", "ann", "cleo"):
        for q in ("roads", "harbor", "tags:tr*", "map", '"web map"'):
            for sort in ({"sort_field": "title"}, {"sort_field": "modified", "sort_order": "desc"},
                         {"sort_field": "numviews,title", "sort_order": "desc,asc"}):
                for start, num in ((1, 10), (1, 1), (2, 2), (4, 3), (1, 0)):
                    fast = await _answers(world, who, q, start, num, postings=True, **sort)
                    slow = await _answers(world, who, q, start, num, postings=False, **sort)
                    assert fast.pop("took postings") and not slow.pop("took postings")
                    assert fast == slow, (who, q, sort, start, num)


async def test_the_general_path_keeps_everything_else(world: World) -> None:
    _pg_only(world)
    # (phrases: of three words, of one, with a wildcard, unquoted, in a field sharing its weight, ORed)
    for who, params in ((None, {"q": "harbor", "filter": "type:\"Web Map\""}), (None, {"q": "snippet:team"}),
                        (None, {"q": "h?rbor"}), (None, {"q": '"harbor depths survey"'}), (None, {"q": '"harbor"'}),
                        (None, {"q": '"harbor dep*"'}), (None, {"q": "harbor-depths"}),
                        (None, {"q": 'snippet:"burn scars"'}), (None, {"q": '"harbor depths" OR roads'}),
                        ("vic", {"q": "harbor"}), ("oscar", {"q": "harbor"}), ("olga", {"q": "harbor"}),
                        ("ann", {"q": "harbor", "group_id": world.groups["harbor"]}),
                        ("ann", {"q": "harbor", "user_access": "groupMember"})):
        taken: list[bool] = []
        engine = world.svc.db._async_engine.sync_engine

        def seen(conn: Any, cursor: Any, statement: str, *rest: Any, taken: list[bool] = taken) -> None:
            taken.append(_answered_from_lists(statement))

        event.listen(engine, "before_cursor_execute", seen)
        try:
            await world.search(who, **params)
        finally:
            event.remove(engine, "before_cursor_execute", seen)
        assert taken and not any(taken), (who, params)


async def test_a_prefix_with_too_many_terms_takes_the_general_path(world: World, monkeypatch: Any) -> None:
    _pg_only(world)
    monkeypatch.setattr(item_postings, "MAX_PREFIX_TERMS", 1)
    wide = await _answers(world, None, "h*", 1, 10, postings=True)  # harbor:A, harbor:B, ...: more than 1
    assert not wide.pop("took postings")
    narrow = await _answers(world, None, "title:wildf*", 1, 10, postings=True)  # wildfir:A alone
    assert narrow.pop("took postings")
    assert [r["title"] for r in narrow["results"]] == ["Wildfire Risk Map"]


async def test_a_search_through_the_lists_sets_its_plan_once_and_reads_its_page_by_seq(world: World) -> None:
    """One `SET LOCAL enable_hashagg = off` per transaction, however many lists a search reads
    (the count, both tiers), none left for the next transaction; the page's items are read by their
    seq in the lists' order; a word's lexemes are asked of the database once per process, and the
    remembered answer is the database's."""
    _pg_only(world)
    engine = world.svc.db._async_engine.sync_engine
    statements: list[str] = []

    def seen(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        statements.append(statement)

    item_postings._LEXEMES.clear()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        first = await world.search("admin", q="harbor", num=2)
        again = await world.search("admin", q="harbor", start=2, num=2)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [s for s in statements if "enable_hashagg" in s] == ["SET LOCAL enable_hashagg = off"] * 2
    assert sum("to_tsvector" in s for s in statements) == 1
    statements.clear()  # the word's lexemes now remembered: the SET is a search's first statement
    event.listen(engine, "before_cursor_execute", seen)
    try:
        await world.search("admin", q="harbor", num=2)
        await world.search("admin", q="harbor", start=2, num=2)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [s for s in statements if "enable_hashagg" in s] == ["SET LOCAL enable_hashagg = off"] * 2
    assert [r["title"] for r in first["results"]][1:] == [r["title"] for r in again["results"]][:1]
    slow = await _answers(world, "admin", "harbor", 1, 2, postings=False)
    assert [r["id"] for r in first["results"]] == [r["id"] for r in slow["results"]]
    assert await world.svc.db.read(lambda conn: conn.execute(text("SHOW enable_hashagg")).scalar_one()) == "on"
    cached = await world.svc.db.read(item_postings.lexemes, "Harbors")
    item_postings._LEXEMES.clear()
    assert cached == await world.svc.db.read(item_postings.lexemes, "Harbors") == ["harbor"]


async def test_sqlite_never_asks_for_them(world: World) -> None:
    if not world.svc.db.is_sqlite:
        pytest.skip("SQLite only")
    assert (await world.search(None, q="wildfire"))["total"] == 1
    tables = await world.svc.db.read(lambda conn: {r[0] for r in conn.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'table'"))})
    assert "item_postings" not in tables


async def test_a_prefix_reads_exactly_the_terms_that_start_with_it(svc: Any) -> None:
    """The range ends right after the last string starting with the prefix: `harb` reads harbor
    and harbour but never harc or hard (neighbours on either side of the range's end), and the
    weights asked for filter the terms; too many terms give None."""
    if svc.db.is_sqlite:
        pytest.skip("the posting lists are PostgreSQL's")
    from tests.conftest import ADMIN, make_item

    await make_item(svc, ADMIN, "Harbor harbour harc hard har", tags=["harbinger"])

    def read(conn: Any) -> dict[str, Any]:
        return {"harb": item_postings.prefix_terms(conn, "harb", "ABC"),
                "harb title": item_postings.prefix_terms(conn, "harb", "A"),
                "harb tags": item_postings.prefix_terms(conn, "harb", "B"),
                "har": item_postings.prefix_terms(conn, "har", "A"),
                "harz": item_postings.prefix_terms(conn, "harz", "ABC")}

    found = await svc.db.read(read)
    assert found == {"harb": ["harbing:B", "harbor:A", "harbour:A"], "harb title": ["harbor:A", "harbour:A"],
                     "harb tags": ["harbing:B"], "har": ["har:A", "harbor:A", "harbour:A", "harc:A", "hard:A"],
                     "harz": []}


async def test_a_prefix_of_more_terms_than_the_limit_is_refused(svc: Any, monkeypatch: Any) -> None:
    if svc.db.is_sqlite:
        pytest.skip("the posting lists are PostgreSQL's")
    from tests.conftest import ADMIN, make_item

    await make_item(svc, ADMIN, "ta tb tc td te", tags=["tf"])  # t*: 12 terms (5 title, 1 tags, 6 any field)
    monkeypatch.setattr(item_postings, "MAX_PREFIX_TERMS", 3)  # read at most 16 terms, keep at most 3

    def read(conn: Any, weights: str) -> Any:
        return item_postings.prefix_terms(conn, "t", weights)

    assert await svc.db.read(read, "B") == ["tf:B"]  # 12 read (<= 15), 1 kept (<= 3)
    assert await svc.db.read(read, "A") is None  # 5 kept (> 3)
    assert await svc.db.read(read, "*") is None  # 6 kept (> 3)
    monkeypatch.setattr(item_postings, "MAX_PREFIX_TERMS", 2)  # read at most 11: twelve exist
    assert await svc.db.read(read, "B") is None


async def test_an_item_posts_its_words_and_its_adjacent_word_pairs(svc: Any) -> None:
    """Migration 0010: besides `lexeme:weight`, one term per two adjacent words of one field, A
    in the title, B in the tags, C in the other default fields, none with a D field's word; no
    pair across two fields (the title's last word, the tags' first)."""
    if svc.db.is_sqlite:
        pytest.skip("the posting lists are PostgreSQL's")
    from tests.conftest import ADMIN, make_item

    item = await make_item(svc, ADMIN, "Land Use Map", tags=["land use", "Zoning"], snippet="Land use",
                           description="zoning of land", access_information="land use", shared_public=True)

    def read(conn: Any) -> set[str]:
        return set(conn.execute(text("SELECT DISTINCT p.term FROM item_postings p JOIN items i ON i.seq = p.seq "
                                     "WHERE i.id = :id"), {"id": item.id}).scalars())

    assert await svc.db.read(read) == {
        "land:A", "use:A", "map:A", "land:B", "use:B", "zone:B", "land:C", "use:C", "zone:C", "of:C", "web:C", "map:C",
        "land:D", "use:D",
        "land:*", "use:*", "map:*", "zone:*", "of:*", "web:*",  # any default field (0016): not from D alone
        "land use:A", "use map:A", "land use:B", "use zone:B", "land use:C", "zone of:C", "of land:C", "web map:C"}


async def test_a_pair_term_weighs_both_words(svc: Any) -> None:
    """A when both words are A, B when both are B, C for any other pair without a D word; every
    position of a word pairs with every word at the next position."""
    if svc.db.is_sqlite:
        pytest.skip("the posting lists are PostgreSQL's")

    def terms(conn: Any, vector: str) -> list[str]:
        return list(conn.execute(text("SELECT unnest(geoshare_item_terms(CAST(:v AS tsvector)))"), {"v": vector})
                    .scalars())

    found = await svc.db.read(terms, "a:1A,7B b:2B,8B c:3C d:4D e:5A f:6A g:9A,10D h:11A token")
    assert sorted(found) == sorted(["a:A", "a:B", "b:B", "c:C", "d:D", "e:A", "f:A", "g:A", "g:D", "h:A",
                                    "a:*", "b:*", "c:*", "e:*", "f:*", "g:*", "h:*",  # not d: D only
                                    "a b:C", "b c:C", "e f:A", "f a:C", "a b:B", "b g:C"])
    assert await svc.db.read(terms, "") == []
    assert await svc.db.read(terms, "za0 zq1f0") == []  # access tokens (0007) have no positions


async def test_a_prefix_never_reads_a_pair(svc: Any, monkeypatch: Any) -> None:
    """Pair terms (`har bor:A`) sort among the words starting alike; a prefix skips past every
    pair of a word at once and leaves them out of its terms and out of its limit."""
    if svc.db.is_sqlite:
        pytest.skip("the posting lists are PostgreSQL's")
    from tests.conftest import ADMIN, make_item

    # four words start with har (har:A, harb:A, harbor:A, harbor:B), and four pairs:
    # "har bor:A", "har y:A", "harb x:A", "harbor har:A"
    await make_item(svc, ADMIN, "har bor harb x harbor har y har", tags=["harbor"])

    def read(conn: Any, stem: str, weights: str) -> Any:
        return item_postings.prefix_terms(conn, stem, weights)

    assert await svc.db.read(read, "har", "AB") == ["har:A", "harb:A", "harbor:A", "harbor:B"]
    assert await svc.db.read(read, "harb", "A") == ["harb:A", "harbor:A"]
    assert await svc.db.read(read, "x", "A") == ["x:A"]
    assert await svc.db.read(read, "har", "*") == ["har:*", "harb:*", "harbor:*"]  # any field (0016)
    monkeypatch.setattr(item_postings, "MAX_PREFIX_TERMS", 2)  # read at most 11 terms, refuse more than 10
    assert await svc.db.read(read, "har", "B") == ["harbor:B"]  # 7 terms (the pairs would make 11)
    await make_item(svc, ADMIN, "hard hardy")  # 4 more terms: 11
    assert await svc.db.read(read, "har", "B") is None
