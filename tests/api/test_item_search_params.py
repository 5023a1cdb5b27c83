"""Item search parameters (sharing-api.md §1.7, §7.1, §7.6): bbox, categories, sortField/sortOrder,
start/num, the total limit, and the full-text index kept in the item write's own transaction.
Over the corpus of item_search_world.py (built once for the module), as the default
organization's administrator unless said otherwise."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import and_, true

from geoshare.domain.item_search import ItemQuery, conditions
from geoshare.storage import item_search as store
from geoshare.storage import items as item_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import items
from tests.api.item_search_world import FIRE, FLOOD, ITEMS, World, built
from tests.conftest import ADMIN

pytestmark = pytest.mark.asyncio(loop_scope="module")

WILD, PARKS, SECRET, TEAM = "Wildfire Risk Map", "Parks of San Francisco", "Secret Roads", "Team Roads"
DEPTHS, TRAILS, NOTES, VIC = "Harbor Depths", "Forest Trails", "Admin Notes", "Vic Sketch"
ADMIN_SEES = [WILD, PARKS, SECRET, TEAM, DEPTHS, TRAILS, NOTES, VIC]  # in item id order
RECREATION = "/Categories/Recreation"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with built(tmp_path_factory.mktemp("params"), request) as w:
        yield w


# ------------------------------------------------------------------ bbox
@pytest.mark.parametrize(("bbox", "want"), [
    ("-118,35,-100,40", {WILD}),  # touching a corner
    ("1,0.5,5,0.7", {TRAILS}),  # touching an edge
    ("1.0001,0,5,1", set()),  # just beside it
    ("-121,34,-119,36", {WILD}),  # crossing
    ("-119.5,33.5,-119,34", {WILD}),  # inside the extent
    ("-125,30,-110,40", {WILD, PARKS}),  # around both
    ("0.5,0.5,0.5,0.5", {TRAILS}),  # a point
    ("-180,-90,180,90", {WILD, PARKS, DEPTHS, TRAILS}),  # items without an extent never match
    (" -180 , -90 , 180 , 90 ", {WILD, PARKS, DEPTHS, TRAILS}),
    ("100,-10,120,10", set()),
])
async def test_bbox_intersects(world: World, bbox: str, want: set[str]) -> None:
    assert await world.titles(ADMIN, bbox=bbox) == want
    assert await world.titles(ADMIN, q="*", bbox=bbox) == want


async def test_bbox_with_a_query(world: World) -> None:
    assert await world.titles(ADMIN, q="harbor", bbox="-180,-90,180,90") == {DEPTHS}
    assert await world.titles(None, q="harbor", bbox="-180,-90,180,90") == set()


@pytest.mark.parametrize("bbox", ["1,2,3", "a,b,c,d", "1,2,3,4,5", "5,0,1,1", "0,5,1,1", "-181,0,0,1",
                                  "0,0,181,1", "0,-91,1,1", "0,0,1,91", "nan,0,1,1", "0,0,inf,1", ",,,"])
async def test_bbox_invalid_is_400(world: World, bbox: str) -> None:
    code, details = await world.error(ADMIN, bbox=bbox)
    assert code == 400 and "'bbox'" in details


async def test_a_query_is_required(world: World) -> None:
    for params in ({}, {"q": "  "}, {"q": "", "bbox": ""}):
        code, _ = await world.error(ADMIN, **params)
        assert code == 400


# ------------------------------------------------------------------ categories
@pytest.mark.parametrize(("categories", "want"), [
    ((FIRE,), {WILD}),
    (("/Categories/Hazards",), {WILD, PARKS}),  # a category and those below it
    (("/categories/hazards/",), {WILD, PARKS}),
    (("/Categories/Haz",), set()),  # whole path segments only
    ((f"{FIRE},{RECREATION}",), {WILD, PARKS}),  # entries of one repetition: any
    ((json.dumps([FIRE, RECREATION]),), {WILD, PARKS}),
    (("/Categories/Hazards", RECREATION), {PARKS}),  # repetitions: all
    ((FIRE, RECREATION), set()),
    ((FLOOD, f"{FIRE},{RECREATION}"), {PARKS}),
    ((",".join([FIRE] * 8),), {WILD}),  # eight entries are allowed
    ((FIRE,) * 8, {WILD}),  # and eight repetitions
])
async def test_categories(world: World, categories: tuple[str, ...], want: set[str]) -> None:
    assert await world.titles(ADMIN, categories=categories) == want
    assert await world.titles(None, q="*", categories=categories) == want & {WILD, TRAILS}


@pytest.mark.parametrize("categories", [(",".join([FIRE] * 9),), (FIRE,) * 9, (json.dumps([FIRE] * 9),),
                                        ("[not json",), (" , ",)])
async def test_categories_invalid_is_400(world: World, categories: tuple[str, ...]) -> None:
    code, details = await world.error(ADMIN, categories=categories)
    assert code == 400 and "'categories'" in details


# ------------------------------------------------------------------ sort
def _value(title: str, name: str) -> Any:
    owner, item_type, _, columns = ITEMS[title]
    n = list(ITEMS).index(title) + 1
    return {"title": title.lower(), "created": n * 1000, "uploaded": n * 1000, "modified": (12 - n) * 1000,
            "type": item_type, "owner": owner, "avgrating": columns.get("avg_rating", 0.0),
            "numratings": columns.get("num_ratings", 0), "numcomments": columns.get("num_comments", 0),
            "numviews": columns.get("num_views", 0), "size": columns.get("size", 0)}[name]


def _sorted(names: list[str], orders: list[str]) -> list[str]:
    """ADMIN_SEES ordered by `names`, ties by item id ascending whatever the direction."""
    found = sorted(ADMIN_SEES, key=lambda t: list(ITEMS).index(t))
    for name, order in reversed(list(zip(names, orders, strict=True))):
        found.sort(key=lambda t, name=name: _value(t, name), reverse=order == "desc")
    return found


async def _ordered(world: World, **params: Any) -> list[str]:
    page = await world.search(ADMIN, q="*", num=100, **params)
    return [r["title"] for r in page["results"]]


@pytest.mark.parametrize("name", ["title", "uploaded", "created", "modified", "type", "owner", "avgrating",
                                  "numratings", "numcomments", "numviews", "size"])
@pytest.mark.parametrize("order", ["asc", "desc"])
async def test_sort_fields(world: World, name: str, order: str) -> None:
    want = _sorted([name], [order])
    assert await _ordered(world, sort_field=name, sort_order=order) == want
    assert await _ordered(world, sort_field=name.upper(), sort_order=order.upper()) == want
    # paging one item at a time walks the same order
    walked, start = [], 1
    while start != -1:
        page = await world.search(ADMIN, q="*", num=3, start=start, sort_field=name, sort_order=order)
        walked += [r["title"] for r in page["results"]]
        start = page["nextStart"]
    assert walked == want


@pytest.mark.parametrize(("fields", "orders"), [
    ("numViews,title", "desc,asc"), ("type, owner", "asc, desc"), ("size,created", "desc"), ("avgRating", None)])
async def test_sort_lists(world: World, fields: str, orders: str | None) -> None:
    names = [f.strip().lower() for f in fields.split(",")]
    given = [o.strip() for o in (orders or "asc").split(",")]
    want = _sorted(names, [given[min(i, len(given) - 1)] for i in range(len(names))])
    assert await _ordered(world, sort_field=fields, sort_order=orders) == want


@pytest.mark.parametrize(("field", "order"), [("color", "asc"), ("title", "up"), ("title,", "sideways")])
async def test_sort_invalid_is_400(world: World, field: str, order: str) -> None:
    code, _ = await world.error(ADMIN, q="*", sort_field=field, sort_order=order)
    assert code == 400


# ------------------------------------------------------------------ start and num
@pytest.mark.parametrize(("start", "num", "shown", "echo", "next_start"), [
    (None, None, ADMIN_SEES, (1, 10), -1),
    (0, 3, ADMIN_SEES[:3], (1, 3), 4),
    (1, 3, ADMIN_SEES[:3], (1, 3), 4),
    (4, 3, ADMIN_SEES[3:6], (4, 3), 7),
    (7, 3, ADMIN_SEES[6:], (7, 3), -1),
    (7, 2, ADMIN_SEES[6:], (7, 2), -1),  # the last page exactly
    (6, 2, ADMIN_SEES[5:7], (6, 2), 8),
    (8, 1, ADMIN_SEES[7:], (8, 1), -1),
    (9, 10, [], (9, 10), -1),  # beyond the end
    (10_000, 100, [], (10_000, 100), -1),
    (-1, 10, [], (-1, 10), -1),
    (-5, 10, [], (-5, 10), -1),
    (1, 0, [], (1, 0), -1),
    (1, 100, ADMIN_SEES, (1, 100), -1),
    (1, 101, ADMIN_SEES, (1, 100), -1),  # clamped
])
async def test_start_and_num(world: World, start: int | None, num: int | None, shown: list[str],
                             echo: tuple[int, int], next_start: int) -> None:
    page = await world.search(ADMIN, q="*", start=start, num=num, sort_field="created")
    assert [r["title"] for r in page["results"]] == shown
    assert (page["start"], page["num"]) == echo
    assert page["nextStart"] == next_start and page["total"] == len(ADMIN_SEES)
    assert page["query"] == "*"


async def test_total_limit(world: World) -> None:
    settings = world.svc.settings
    world.svc.settings = dataclasses.replace(settings, search_total_limit=3)
    try:
        first = await world.search(ADMIN, q="*", num=2, sort_field="created")
        assert first["total"] == 3 and first["nextStart"] == 3
        last = await world.search(ADMIN, q="*", num=2, start=7, sort_field="created")
        assert [r["title"] for r in last["results"]] == ADMIN_SEES[6:] and last["nextStart"] == -1
        assert (await world.search(ADMIN, q="title:harbor"))["total"] == 1  # below the limit: exact
    finally:
        world.svc.settings = settings
    assert (await world.search(ADMIN, q="*"))["total"] == len(ADMIN_SEES)


# ------------------------------------------------------------------ the index follows writes
def _matching(conn: Any, q: str) -> list[str]:
    found = conditions(ItemQuery(q=q), conn.dialect.name == "sqlite")
    return store.page_ids(conn, and_(true(), *found.where), [items.c.id], 0, 100, fts=found.fts)


class _Rollback(Exception):
    pass


async def test_the_index_is_written_in_the_items_transaction(world: World) -> None:
    owner = await world.svc.db.read(user_store.user_by_username, "ann")
    row = {"id": "f" * 32, "org_id": owner.org_id, "owner_id": owner.id, "title": "Zebracorn Atlas",
           "title_key": "zebracorn atlas", "type": "PDF", "access": "private", "created": 1, "modified": 1}
    seen: dict[str, list[str]] = {}

    def write(conn: Any) -> None:
        item_store.insert_item(conn, row)
        seen["added"] = _matching(conn, "zebracorn")
        item_store.update_item(conn, row["id"], {"title": "Quagga Atlas", "title_key": "quagga atlas",
                                                  "tags": ["okapi"]})
        seen["old"], seen["new"] = _matching(conn, "zebracorn"), _matching(conn, "quagga AND tags:okapi")
        item_store.delete_item(conn, row["id"])
        seen["deleted"] = _matching(conn, "quagga OR okapi")
        raise _Rollback

    with pytest.raises(_Rollback):
        await world.svc.db.write(write)
    assert seen == {"added": [row["id"]], "old": [], "new": [row["id"]], "deleted": []}
    assert await world.titles(ADMIN, q="zebracorn OR quagga OR okapi") == set()  # rolled back with the item


async def test_search_reads_its_writes(world: World) -> None:
    db, ann = world.svc.db, await world.svc.db.read(user_store.user_by_username, "ann")
    row = {"id": "e" * 32, "org_id": ann.org_id, "owner_id": ann.id, "title": "Narwhal Routes",
           "title_key": "narwhal routes", "type": "CSV", "access": "private", "created": 1, "modified": 1}
    await db.write(lambda conn: item_store.insert_item(conn, row))
    assert await world.titles("ann", q="narwhal") == {"Narwhal Routes"}
    assert await world.titles("bob", q="narwhal") == set()
    await db.write(lambda conn: item_store.update_item(conn, row["id"], {"title": "Beluga Routes",
                                                                         "title_key": "beluga routes",
                                                                         "tags": ["pods"]}))
    assert await world.titles("ann", q="narwhal") == set()
    assert await world.titles("ann", q="title:beluga tags:pods") == {"Beluga Routes"}
    await db.write(lambda conn: item_store.share_with(conn, row["id"], world.groups["team"], False, 2))
    await db.write(lambda conn: item_store.update_item(conn, row["id"], {"access": "shared"}))
    assert await world.titles("bob", q="beluga") == {"Beluga Routes"}
    assert await world.titles("vic", q="beluga") == set()
    await db.write(lambda conn: item_store.update_item(conn, row["id"], {"access": "org", "shared_org": True}))
    assert await world.titles("vic", q="beluga") == set()  # no portal:user:viewOrgItems
    assert await world.titles("iris", q="beluga") == {"Beluga Routes"}
    await db.write(lambda conn: item_store.unshare_from(conn, row["id"], world.groups["team"]))
    await db.write(lambda conn: item_store.update_item(conn, row["id"], {"access": "private", "shared_org": False}))
    assert await world.titles("bob", q="beluga") == set()
    await db.write(lambda conn: item_store.delete_item(conn, row["id"]))
    assert await world.titles("ann", q="beluga OR pods") == set()
    assert (await world.search(ADMIN, q="*"))["total"] == len(ADMIN_SEES)
