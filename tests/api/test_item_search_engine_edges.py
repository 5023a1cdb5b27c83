"""Edges of the item search engine (domain/item_search.py, storage/item_search.py) found by
mutation testing: each refusal's exact message, the bbox on both sides of every edge, ranges over
the text keys (title, owner, type, id), searchUserAccess named by an administrator of groups, and
the sort-index walk's choice of plan on both sides of its thresholds.  Over the corpus of
item_search_world.py (built once for the module), as the default organization's administrator
unless said otherwise."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import func, select, true

from geoshare.domain import access, item_search, privileges
from geoshare.domain.item_search import _tiered_page
from geoshare.domain.query_language import MESSAGE
from geoshare.errors import InvalidParameter
from geoshare.storage import item_search as store
from geoshare.storage import roles as role_store
from geoshare.storage.tables import items, users
from tests.api.item_search_support import search
from tests.api.item_search_world import PASSWORD, World, built
from tests.conftest import ADMIN, DEFAULT_ORG, make_item, make_user, portal

pytestmark = pytest.mark.asyncio(loop_scope="module")

WILD, PARKS, SECRET, TEAM = "Wildfire Risk Map", "Parks of San Francisco", "Secret Roads", "Team Roads"
DEPTHS, TRAILS, NOTES, VIC = "Harbor Depths", "Forest Trails", "Admin Notes", "Vic Sketch"
CRANES, SURVEY = "Harbor Cranes", "Harbor Survey"
FAILED = "Unable to search items."


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with built(tmp_path_factory.mktemp("engine"), request) as w:
        yield w


async def refused(world: World, who: str | None = ADMIN, **params: Any) -> tuple[str, list[str]]:
    """The refusal's message and details (400)."""
    with pytest.raises(InvalidParameter) as raised:
        await world.search(who, **params)
    assert raised.value.code == 400
    return raised.value.message, list(raised.value.details)


# ------------------------------------------------------------------ bbox
@pytest.mark.parametrize(("bbox", "want"), [
    ("-125,33,-120,34", {WILD}),  # the item's west edge on the box's east edge
    ("-119,30,-118.5,33", {WILD}),  # its south edge on the box's north edge
    ("-118,34,-110,34.5", {WILD}),  # its east edge on the box's west edge
    ("-119,35,-118.5,40", {WILD}),  # its north edge on the box's south edge
    ("-180,33,-121,35", set()),  # the box wholly west of it
    ("-125,0,-110,30", set()),  # wholly south
    ("-125,40,-110,50", set()),  # wholly north
    ("-117,33,-110,35", set()),  # wholly east
])
async def test_bbox_each_edge(world: World, bbox: str, want: set[str]) -> None:
    assert await world.titles(ADMIN, bbox=bbox) == want


@pytest.mark.parametrize(("bbox", "detail"), [
    ("a,b,c,d", "'bbox' must be four numbers: xmin,ymin,xmax,ymax."),
    ("5,0,1,1", "'bbox' must have xmin <= xmax and ymin <= ymax."),
    ("0,0,inf,1", "'bbox' must have xmin <= xmax and ymin <= ymax."),
    ("-181,0,0,1", "'bbox' must lie within -180..180 and -90..90 (WGS84)."),
])
async def test_bbox_refusals(world: World, bbox: str, detail: str) -> None:
    assert await refused(world, bbox=bbox) == (FAILED, [detail])


# ------------------------------------------------------------------ categories
@pytest.mark.parametrize(("categories", "detail"), [
    (("[not json",), "'categories' is not a valid JSON array."),
    (('[["/Categories"]]',), "'categories' must be an array of category paths."),
    (('["/Categories", 1]',), "'categories' must be an array of category paths."),
    ((",".join(["/a"] * 9),), "'categories' takes at most 8 category paths at a time."),
    ((" , ",), "'categories' must name a category path."),
    (("/a",) * 9, "'categories' may be given at most 8 times."),
])
async def test_categories_refusals(world: World, categories: tuple[str, ...], detail: str) -> None:
    assert await refused(world, categories=categories) == (FAILED, [detail])


async def test_json_categories_are_trimmed_and_empty_entries_dropped(world: World) -> None:
    assert await world.titles(ADMIN, categories=('[" /Categories/Hazards/Fire ", "", " "]',)) == {WILD}
    assert await refused(world, categories=('["", " "]',)) == (FAILED, ["'categories' must name a category path."])


# ------------------------------------------------------------------ other parameters
async def test_parameter_refusals(world: World) -> None:
    assert await refused(world) == (
        FAILED, ["One of 'q', 'bbox' or 'categories' must be specified; q=* matches every item you may see."])
    assert await refused(world, q="*", sort_field="title", sort_order="up") == (
        FAILED, ["'sortOrder' must be asc or desc."])
    assert await refused(world, q="*", sort_field="color") == (
        FAILED, ["'sortField' must be one of title, uploaded, created, modified, type, avgrating, numratings, "
                 "numcomments, numviews, size, owner."])
    assert await refused(world, "ann", q="*", user_access="everyone") == (
        FAILED, ["'searchUserAccess' must be groupMember."])


async def test_an_empty_sort_order_entry_is_ascending(world: World) -> None:
    page = await world.search(ADMIN, q="*", num=100, sort_field="numviews,title", sort_order="desc,")
    assert [r["title"] for r in page["results"]] == [PARKS, SECRET, WILD, NOTES, TRAILS, DEPTHS, TEAM, VIC]


async def test_the_answer_echoes_and_hides(world: World) -> None:
    page = await world.search(ADMIN, bbox="0,0,1,1", filter="  ")
    assert (page["query"], page["total"], page["start"], page["num"], page["nextStart"]) == ("", 1, 1, 10, -1)
    assert "aggregations" not in page
    found = page["results"][0]
    assert found["title"] == TRAILS and not {"protected", "ownerFolder", "itemControl"} & set(found)
    negative = await world.search(ADMIN, q="*", num=-3)
    assert (negative["num"], negative["results"], negative["total"], negative["nextStart"]) == (0, [], 8, -1)


# ------------------------------------------------------------------ query refusals
async def test_a_refusal_of_filter_names_filter_once(world: World) -> None:
    assert await refused(world, q="*", filter="created:\"'q': 1\"") == (
        MESSAGE, ["'filter': 'created' takes a number, not \"'q': 1\"."])
    assert await refused(world, q="created:\"'q': 1\"") == (MESSAGE, ["'q': 'created' takes a number, not \"'q': 1\"."])


# ------------------------------------------------------------------ relevance and keywords in SQL
async def test_relevance_in_sql_puts_the_title_tier_first(world: World) -> None:
    """q with a clause FTS5 cannot answer (owner:) is one SQL predicate: its relevance is the SQL
    order, the title tier (Wildfire, added first) before a description match (Secret Roads)."""
    for q in ("private OR wildfire OR owner:nobody", "(private OR wildfire) AND -owner:nobody"):
        page = await world.search(ADMIN, q=q)
        assert [r["title"] for r in page["results"]] == [WILD, SECRET] and page["total"] == 2
    # only free-text words make the tier: title:wildfire does not, so the newest comes first
    page = await world.search(ADMIN, q="title:wildfire OR private OR owner:nobody", num=1, start=2)
    assert [r["title"] for r in page["results"]] == [WILD] and page["nextStart"] == -1


async def test_a_word_in_the_tags_only_is_not_the_title_tier(world: World) -> None:
    await make_item(world.svc, "carl", "Carl Notes", tags=["wildfire"])  # private: carl alone sees it
    for q in ("wildfire OR owner:nobody", "wildfire"):
        page = await world.search("carl", q=q)
        assert [r["title"] for r in page["results"]] == [WILD, "Carl Notes"], q


async def test_keywords_with_wildcards_and_empty_columns(world: World) -> None:
    assert await world.titles(ADMIN, q="owner:a*") == {WILD, SECRET, NOTES}
    assert await world.titles(ADMIN, q="contentstatus:org_auth*") == {WILD}
    assert await world.titles(ADMIN, q="contentstatus:org?authoritative") == {WILD}
    assert await world.titles(ADMIN, q="contentstatus:xxxx") == set()
    assert await world.titles(ADMIN, q="title:roads -contentstatus:org_authoritative") == {SECRET, TEAM}


@pytest.mark.parametrize("form", ["{}", "title:{}", "{} OR owner:nobody", "({} AND harbor) -owner:nobody"])
async def test_only_a_star_makes_a_word_a_prefix(world: World, form: str) -> None:
    """`harb` is no word of the corpus (harbor is): without its star it finds nothing, on the
    full-text lookup and on the SQL predicate alike."""
    assert await world.titles("olga", q=form.format("harb")) == set()
    assert await world.titles("olga", q=form.format("harb*")) == {DEPTHS, CRANES, SURVEY}


# ------------------------------------------------------------------ ranges over text keys
async def test_title_ranges(world: World) -> None:
    assert await world.titles(ADMIN, q="title:[HARBOR TO SECRET]") == {DEPTHS, PARKS}
    assert await world.titles(ADMIN, q="title:[* TO FOREST]") == {NOTES}
    assert await world.titles(ADMIN, q="title:{TEAM TO *}") == {TEAM, VIC, WILD}


async def test_owner_ranges(world: World) -> None:
    assert await world.titles(ADMIN, q="owner:[ANN TO BOB]") == {WILD, SECRET, PARKS, TEAM}
    assert await world.titles(ADMIN, q="owner:{ANN TO CARL]") == {PARKS, TEAM, TRAILS}
    assert await world.titles(ADMIN, q="owner:[OLGA TO *]") == {DEPTHS, VIC}
    assert await world.titles(ADMIN, q="owner:[* TO ANN}") == {NOTES}


async def test_type_and_id_ranges(world: World) -> None:
    assert await world.titles(ADMIN, q="type:[PDF TO WEB]") == {SECRET}
    assert await world.titles(ADMIN, q="type:{CSV TO PDF]") == {NOTES, PARKS, SECRET}
    notes = world.ids[NOTES].upper()  # ids are lower-case hex: ...0a is NOTES, ...0b VIC
    assert await world.titles(ADMIN, q=f"id:[* TO {notes}]") == {WILD, PARKS, SECRET, TEAM, DEPTHS, TRAILS, NOTES}
    assert await world.titles(ADMIN, q=f"id:{{{notes} TO *]") == {VIC}
    assert await world.titles(ADMIN, q=f"id:[{world.ids[PARKS].upper()} TO {world.ids[SECRET].upper()}}}") == {PARKS}


# ------------------------------------------------------------------ searchUserAccess
async def test_an_administrator_of_groups_may_name_a_member_of_the_organization(world: World) -> None:
    held = [*privileges.VIEWER, "portal:admin:viewGroups"]
    await world.svc.db.write(lambda conn: role_store.insert_role(
        conn, role_id="cViewGroups00001", org_id=DEFAULT_ORG, name="cViewGroups00001", description=None,
        privileges=held, now=1))
    await make_user(world.svc, "gina", PASSWORD, role_id="cViewGroups00001")
    # gina may ask for ann's groups (team, harbor); of their items she may open none
    assert await world.titles("gina", q="*", user_access="groupMember", user_name="ann") == set()
    assert await world.titles("gina", q="*", user_access="groupMember", user_name="gina") == set()
    with pytest.raises(Exception) as raised:  # another organization's member: 403
        await world.search("gina", q="*", user_access="groupMember", user_name="oscar")
    assert getattr(raised.value, "code", None) == 403


# ------------------------------------------------------------------ the sort-index walk
async def test_only_one_items_column_then_the_id_is_walkable() -> None:
    assert store._walkable([items.c.title.asc(), items.c.id.asc()])
    assert store._walkable([items.c.modified.desc(), items.c.id.asc()])
    assert store._walkable([items.c.title, items.c.id])
    assert not store._walkable([])
    assert not store._walkable([items.c.title.asc(), items.c.created.asc(), items.c.id.asc()])
    assert not store._walkable([store.owner_sort_key().asc(), items.c.id.asc()])
    assert not store._walkable([users.c.username_key.asc(), items.c.id.asc()])


def _plan(condition: Any) -> str:
    if condition is None:
        return "sort"
    return "probe" if "EXISTS" in str(condition) else "list"


async def test_the_walk_plan_on_both_sides_of_each_threshold(world: World) -> None:
    if not world.svc.db.is_sqlite:
        pytest.skip("the walk is SQLite's (FTS5)")

    def plans(conn: Any) -> dict[str, Any]:
        size = int(conn.execute(select(func.max(items.c.seq))).scalar_one())
        fts, prefix = '{title} : "harbor"', '{title} : "harb" *'
        probe, listed = store._PROBE_ROWS, store._LIST_ROWS
        found = {
            "none": _plan(store._walk_condition(conn, fts, 10, 0)),
            "one": _plan(store._walk_condition(conn, fts, 1, 1)),
            "at probe": _plan(store._walk_condition(conn, fts, probe, size)),
            "past probe": _plan(store._walk_condition(conn, fts, probe + 1, size)),
            "prefix": _plan(store._walk_condition(conn, prefix, 1, size)),
            "at list": _plan(store._walk_condition(conn, fts, listed, size)),
            "past list": _plan(store._walk_condition(conn, fts, listed + 1, size)),
        }
        for name, rows in (("probed", 1), ("listed", probe + 1)):
            condition = store._walk_condition(conn, fts, rows, size)
            found[name] = set(conn.execute(select(items.c.title).where(condition)).scalars())
        return found

    assert await world.svc.db.read(plans) == {
        "none": "sort", "one": "probe", "at probe": "probe", "past probe": "list", "prefix": "list",
        "at list": "list", "past list": "sort", "probed": {DEPTHS, "Harbor Cranes", "Harbor Survey"},
        "listed": {DEPTHS, "Harbor Cranes", "Harbor Survey"}}


# ------------------------------------------------------------------ one page is read, no more
async def test_each_page_reader_returns_exactly_its_page(world: World) -> None:
    if not world.svc.db.is_sqlite:
        pytest.skip("the FTS5 readers are SQLite's")
    ann, olga = await world.caller("ann"), await world.caller("olga")
    title = store.title_fts(["harbor"])
    harbor = items.c.title.like("Harbor%")

    def read(conn: Any) -> dict[str, Any]:
        tokens = [t for who in (ann, olga) if who.user is not None
                  for t in access.item_tokens(who, store.member_group_ids(conn, who.user.id))]
        text = f'({{title tags}} : "harbor" OR {{title tags}} : "roads") AND ({store.acl_fts(tokens)})'
        pages = [store.FtsPart(text, cls, cls) for cls in (store.PUBLIC, store.ORG, store.OTHER)]
        found = item_search.FtsQuestion(pages, [store.FtsPart(text, store.OTHER, store.PUBLIC)])
        by_title = [items.c.title.asc(), items.c.id.asc()]
        return {"walked": store.page_ids(conn, true(), by_title, 1, 1, '{title} : "harbor"', 3),
                "plain": store.page_ids(conn, harbor, by_title, 1, 1),
                "none": store.page_ids(conn, true(), by_title, 0, 5, '{title} : "zzzz"', 0),
                "fts": store.fts_ids(conn, pages, None, 1, 2),
                "fts kept": store.fts_ids(conn, pages, ~harbor, 1, 2),
                **{f"tiered {o}": _tiered_page(conn, found, title, None, o, 2) for o in range(5)},
                "tiered kept": _tiered_page(conn, found, title, true(), 2, 2)}

    titles = {v: k for k, v in world.ids.items()}
    got = {k: [titles[i] for i in v] for k, v in (await world.svc.db.read(read)).items()}
    order = [SURVEY, CRANES, DEPTHS, TEAM, SECRET]  # the title tier, then the rest, newest first
    assert got == {"walked": [DEPTHS], "plain": [DEPTHS], "none": [], "fts": [CRANES, DEPTHS],
                   "fts kept": [SECRET], **{f"tiered {o}": order[o:o + 2] for o in range(5)},
                   "tiered kept": order[2:4]}


async def test_the_full_text_plan_keeps_the_other_conditions(world: World) -> None:
    for params in ({}, {"sort_field": "title"}):
        page = await world.search(ADMIN, q="roads AND owner:ann", count_fields="type", **params)
        assert [r["title"] for r in page["results"]] == [SECRET] and page["total"] == 1
        assert page["aggregations"] == {"counts": [{"fieldName": "type", "fieldValues": [{"value": "pdf", "count": 1}]}]}
    for start, num in ((-1, 10), (1, 0)):
        page = await world.search(ADMIN, q="roads", start=start, num=num)
        assert (page["results"], page["nextStart"], page["total"]) == ([], -1, 2)


async def test_paging_the_lookup_without_free_text(world: World) -> None:
    """title:harbor has no free-text word: the lookup's rows, newest first, one page at a time."""
    pages = [await world.search("olga", q="title:harbor", start=start, num=1) for start in (1, 2, 3)]
    assert [([r["title"] for r in p["results"]], p["nextStart"], p["total"]) for p in pages] == [
        ([SURVEY], 2, 3), ([CRANES], 3, 3), ([DEPTHS], -1, 3)]


async def test_a_sorted_search_without_matches_finds_nothing(world: World) -> None:
    page = await world.search(ADMIN, q="zzzzunknown", sort_field="title")
    assert (page["total"], page["results"], page["nextStart"]) == (0, [], -1)
    assert (await world.search(ADMIN, q="zzzzunknown"))["results"] == []


async def test_past_the_walk_the_matches_are_sorted(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    if not world.svc.db.is_sqlite:
        pytest.skip("the walk is SQLite's (FTS5)")
    monkeypatch.setattr(store, "_PROBE_ROWS", 0)
    monkeypatch.setattr(store, "_LIST_ROWS", 0)  # every page now too deep to walk: the sorted plan
    by_title = [items.c.title.asc(), items.c.id.asc()]
    found = await world.svc.db.read(lambda conn: store.page_ids(conn, true(), by_title, 1, 1, '{title} : "harbor"', 3))
    assert found == [world.ids[DEPTHS]]


# ------------------------------------------------------------------ databases of their own (last: on
# PostgreSQL a new one empties the shared test database, the module's corpus with it)
async def test_the_walk_over_an_empty_table_probes(svc: Any) -> None:
    if not svc.db.is_sqlite:
        pytest.skip("the walk is SQLite's (FTS5)")
    condition = await svc.db.read(lambda conn: store._walk_condition(conn, '{title} : "x"', store._PROBE_ROWS + 1, 1))
    assert _plan(condition) == "probe"


PLANS = ({"q": "lakes"}, {"q": "lakes AND owner:admin"}, {"q": "owner:admin"}, {"q": "lakes", "sort_field": "title"},
         {"q": "owner:admin", "sort_field": "title"}, {"q": "title:lakes"})


async def test_the_total_is_exact_up_to_the_limit_then_the_limit(settings: Any) -> None:
    async with portal(settings, search_total_limit=3) as client:
        for n, want in ((0, 1), (1, 2), (2, 3), (3, 3)):
            await make_item(client.svc, ADMIN, f"Lakes {n}")
            for params in PLANS:
                counted = await search(client.svc, ADMIN, num=0, **params)
                paged = await search(client.svc, ADMIN, num=1, start=n + 1, **params)
                assert (counted["total"], paged["total"]) == (want, want), (n, params)
                assert len(paged["results"]) == 1 and paged["nextStart"] == -1, (n, params)


async def test_a_search_newest_first_counts_and_pages_in_one_read_up_to_the_limit(settings: Any) -> None:
    """Ordered newest first, a search counts its matches and takes its page's seqs in one
    statement (store.newest_matching); only when more than search_total_limit items match is the
    page read on its own.  Both give the same totals and pages at every window (a limit of 3 over
    2 to 5 items)."""
    from sqlalchemy import event

    async with portal(settings, search_total_limit=3) as client:
        db = client.svc.db
        engine = db.sync_engine if db.is_sqlite else db._async_engine.sync_engine  # what searches run on
        seen: list[str] = []

        def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        event.listen(engine, "before_cursor_execute", note)
        try:
            titles = []
            for n in range(5):
                titles.insert(0, f"Lakes {n}")  # the newest first
                await make_item(client.svc, ADMIN, titles[0])
                if n < 1:
                    continue
                for start, num in ((1, 10), (1, 1), (2, 2), (n + 1, 1), (n + 2, 1), (0, 3), (1, 0), (-1, 3)):
                    seen.clear()
                    found = await search(client.svc, ADMIN, q="owner:admin", start=start, num=num)
                    first = max(start, 1) - 1  # start 0 is the first page, a negative one an empty page
                    window = titles[first:first + num] if start >= 0 else []
                    assert found["total"] == min(n + 1, 3), (n, start, num)
                    assert [r["title"] for r in found["results"]] == window, (n, start, num)
                    more = start >= 0 and num > 0 and first + num < n + 1
                    assert found["nextStart"] == (first + 1 + num if more else -1), (n, start, num)
                    pages = [s for s in seen if "SELECT items.id" in s and "ORDER BY" in s]  # store.page_ids
                    assert bool(pages) == (n + 1 > 3 and start >= 0 and num > 0), (n, start, num)
        finally:
            event.remove(engine, "before_cursor_execute", note)


async def test_a_members_groups_are_remembered_only_until_the_next_change(settings: Any) -> None:
    """A search remembers the caller's groups and the organizations (item_search._audience) until
    the database changes: joining a group, leaving it, or an organization's access turning private
    shows in the very next search (on both routes: words, and a date range without them)."""
    from geoshare.domain.principal import Principal
    from geoshare.storage import groups as group_store
    from geoshare.storage import orgs as org_store
    from tests.conftest import make_group, set_org_access

    async with portal(settings) as client:
        svc = client.svc
        eve = await make_user(svc, "eve_groups")
        group = await make_group(svc, ADMIN, "Crew")
        await make_item(svc, ADMIN, "Crew lakes", groups=(group.id,))
        await make_item(svc, ADMIN, "Open lakes", shared_public=True)
        caller = Principal(user=eve, org=await svc.db.read(org_store.org_by_id, eve.org_id))

        async def titles(who: Any, q: str) -> set[str]:
            found = await item_search.search_items(svc, who, item_search.ItemQuery(q=q))
            return {r["title"] for r in found["results"]}

        every_q = ("lakes", "created:[0000000000000 TO 4102444800000]")
        for q in every_q:
            assert await titles(caller, q) == {"Open lakes"}, q
        await svc.db.write(lambda conn: group_store.add_member(conn, group.id, eve.id, "member", 1))
        for q in every_q:
            assert await titles(caller, q) == {"Crew lakes", "Open lakes"}, q
        await svc.db.write(lambda conn: group_store.remove_member(conn, group.id, eve.id))
        for q in every_q:
            assert await titles(caller, q) == {"Open lakes"}, q
        anonymous = Principal()
        assert await titles(anonymous, "lakes") == {"Open lakes"}
        await set_org_access(svc, DEFAULT_ORG, "private")
        assert await titles(anonymous, "lakes") == set()


@pytest.mark.parametrize(("q", "groups"), [
    ("group:ABC", {"abc"}), ('group:"abc"', {"abc"}), ("group:abc AND lakes", {"abc"}),
    ("+group:abc lakes", {"abc"}), ("group:abc AND (group:def AND owner:x)", {"abc", "def"}),
    ("group:abc OR lakes", set()), ("-group:abc", set()), ("NOT group:abc AND lakes", set()),
    ("(group:abc OR group:def) AND lakes", set()), ("lakes", set()), ("title:abc", set()),
])
async def test_the_groups_a_query_requires(q: str, groups: set[str]) -> None:
    assert item_search.required_groups(item_search._tree(q, "q")) == groups


async def test_a_search_within_a_group_of_the_callers_skips_the_access_rule(settings: Any) -> None:
    """Every item shared with a group is visible to its members (sharing-api.md §8.2), so a
    member's search that requires one of their groups (`group:`, `filter=group:`,
    content/groups/{id}/search) asks no access rule, and finds what the rule would let through:
    another member's private item shared with the group included; a non-member's search keeps
    the rule and sees only the public item."""
    from sqlalchemy import event

    from geoshare.domain.principal import Principal
    from geoshare.storage import orgs as org_store
    from tests.conftest import make_group

    async with portal(settings) as client:
        svc = client.svc
        eve, bob, out = [await make_user(svc, name) for name in ("eve_crew", "bob_crew", "out_crew")]
        group = await make_group(svc, ADMIN, "Crew", members=("eve_crew", "bob_crew"))
        await make_item(svc, "bob_crew", "Crew lakes", groups=(group.id,))
        await make_item(svc, ADMIN, "Open lakes", shared_public=True, groups=(group.id,))
        await make_item(svc, ADMIN, "Other lakes", shared_public=True)
        db = svc.db
        engine = db.sync_engine if db.is_sqlite else db._async_engine.sync_engine
        seen: list[str] = []

        def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
            seen.append(statement)

        async def titles(user: Any, **params: Any) -> set[str]:
            who = Principal(user=user, org=await db.read(org_store.org_by_id, user.org_id))
            seen.clear()
            found = await item_search.search_items(svc, who, item_search.ItemQuery(**params))
            assert found["total"] == len(found["results"])
            return {r["title"] for r in found["results"]}

        def access_asked() -> bool:  # of the items, or of a group's shares (their copies, migration 0020)
            return any(("owner_id = " in s.replace(" IN ", " = ") or "item_owner = " in s) and "access" in s
                       for s in seen)

        event.listen(engine, "before_cursor_execute", note)
        try:
            for params in ({"q": f"group:{group.id.upper()}"}, {"q": f"group:{group.id} AND created:[0 TO 9999999999999]"},
                           {"q": "*", "filter": f"group:{group.id}"}, {"q": "*", "group_id": group.id}):
                assert await titles(eve, **params) == {"Crew lakes", "Open lakes"}, params
                assert not access_asked(), (params, seen)
                assert await titles(out, **params) == {"Open lakes"}, params
                assert access_asked(), params
            assert await titles(eve, q=f"group:{group.id} OR owner:admin") == {"Crew lakes", "Open lakes", "Other lakes"}
            assert access_asked()
            assert bob is not None
        finally:
            event.remove(engine, "before_cursor_execute", note)


async def test_a_type_keyword_is_asked_of_the_type_index(settings: Any) -> None:
    """`type:"Web Map"` compares lower(type), the expression of migration 0018's index (a column
    that is never NULL is not wrapped in coalesce, which the index would not match): SQLite's plan
    reads ix_items_type_key, for the newest page without sorting, and both databases find the
    type whatever its case."""
    from sqlalchemy import text
    from sqlalchemy.dialects import postgresql, sqlite

    from geoshare.domain.item_search_terms import Compiler

    condition = Compiler(True).to_sql(item_search._tree('type:"WEB map"', "q"))
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        assert str(condition.compile(dialect=dialect, compile_kwargs={"literal_binds": True})) == \
            "lower(items.type) = 'web map'"
    nullable = Compiler(True).to_sql(item_search._tree("culture:EN-us", "q"))
    assert "lower(coalesce(items.culture, ''))" in str(nullable.compile(compile_kwargs={"literal_binds": True}))
    async with portal(settings) as client:
        svc = client.svc
        await make_item(svc, ADMIN, "A map", item_type="Web Map", shared_public=True)
        await make_item(svc, ADMIN, "An app", item_type="Web Mapping Application", shared_public=True)
        found = await search(svc, ADMIN, q='type:"web MAP"')
        assert [r["title"] for r in found["results"]] == ["A map"]
        if svc.db.is_sqlite:
            sql = str(condition.compile(compile_kwargs={"literal_binds": True}))
            for tail in ("", " ORDER BY seq DESC LIMIT 11"):  # the newest page: the index backwards, no sort
                plan = await svc.db.read(lambda conn, tail=tail: conn.execute(
                    text(f"EXPLAIN QUERY PLAN SELECT seq FROM items WHERE {sql}{tail}")).all())
                steps = " ".join(str(row[-1]) for row in plan)
                assert "ix_items_type_key" in steps and "TEMP B-TREE" not in steps, plan
