"""A bbox with words (SQLite: decided from the extent's box in each full-text rowid, migration
0011 and storage/item_boxes.py; PostgreSQL: the rows) finds exactly the items whose extent
intersects it, for every caller of item_search_world.py: the same set, total, relevance order
and facet counts as the words alone filtered by the extents, over random extents and bboxes, and
over extents and bboxes on the grid's lines, beyond the world, crossing the antimeridian (xmin >
xmax), and missing.  Moving an item's extent moves it in and out of the bboxes at once."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from geoshare.storage import item_boxes
from geoshare.storage import items as item_store
from geoshare.storage import users as user_store
from tests.api.item_search_world import World, built

pytestmark = pytest.mark.asyncio(loop_scope="module")

CALLERS = (None, "admin", "ann", "bob", "vic", "iris", "olga", "oscar", "carl", "cleo")
OWNERS = ("ann", "bob", "olga", "carl", "admin")
STEP = 360.0 / item_boxes.COLUMNS  # a grid column (and row) is this many degrees
Extent = tuple[float, float, float, float] | None
RNG = random.Random(11)  # noqa: S311 (reproducible test data)


def _random_extent() -> Extent:
    roll = RNG.random()
    if roll < 0.1:
        return None
    if roll < 0.3:  # on grid lines
        x, y = RNG.randint(-128, 127) * STEP, RNG.randint(-64, 63) * STEP / 2
        return x, y, x + RNG.randint(0, 3) * STEP, y + RNG.randint(0, 3) * STEP / 2
    if roll < 0.35:  # across the antimeridian, as some clients store it
        return RNG.uniform(150, 179), RNG.uniform(-30, 0), RNG.uniform(-179, -150), RNG.uniform(0, 30)
    if roll < 0.4:  # beyond the world
        return -200.0, -95.0, RNG.uniform(-10, 200), RNG.uniform(-10, 95)
    x, y = RNG.uniform(-180, 175), RNG.uniform(-90, 85)
    return x, y, x + RNG.choice((0.0, 0.01, 1.0, 5.0, 40.0)), y + RNG.choice((0.0, 0.01, 1.0, 5.0))


# Around EDGE_BOX, each edge's grid column (row) holds an extent just beyond the edge and one on it.
EDGE_BOX = (0.5, -10.0, 10.0, 10.0)
EDGE_EXTENTS: list[Extent] = [(10.5, -1.0, 20.0, 1.0), (10.0, -1.0, 20.0, 1.0), (-20.0, -1.0, 0.2, 1.0),
                              (-20.0, -1.0, 0.5, 1.0), (2.0, -20.0, 3.0, -10.3), (2.0, -20.0, 3.0, -10.0),
                              (2.0, 10.5, 3.0, 20.0), (2.0, 10.0, 3.0, 20.0)]
EXTENTS: dict[str, Extent] = {f"{0xb0000 + n:032x}": _random_extent() if n < 160 else EDGE_EXTENTS[n - 160]
                              for n in range(160 + len(EDGE_EXTENTS))}
FIXED_BOXES = [EDGE_BOX, (-180.0, -90.0, 180.0, 90.0), (0.0, 0.0, 0.0, 0.0), (STEP, STEP / 2, 3 * STEP, 2 * STEP),
               (-STEP, -STEP / 2, STEP, STEP / 2), (150.0, -30.0, 180.0, 30.0), (-180.0, -30.0, -150.0, 30.0),
               (10 * STEP, 5 * STEP / 2, 10 * STEP, 5 * STEP / 2), (-1e-9, -1e-9, 1e-9, 1e-9),
               (179.9, 89.9, 180.0, 90.0), (-180.0, -90.0, -179.9, -89.9)]


def _random_box() -> tuple[float, float, float, float]:
    x, y = RNG.uniform(-180, 170), RNG.uniform(-90, 80)
    return x, y, min(180.0, x + RNG.uniform(0, 60)), min(90.0, y + RNG.uniform(0, 40))


BOXES = FIXED_BOXES + [_random_box() for _ in range(8)]


def _meets(extent: Extent, box: tuple[float, float, float, float]) -> bool:
    if extent is None:
        return False
    xmin, ymin, xmax, ymax = extent
    return xmin <= box[2] and xmax >= box[0] and ymin <= box[3] and ymax >= box[1]


def _bbox(box: tuple[float, float, float, float]) -> str:
    return ",".join(repr(v) for v in box)


def _columns(extent: Extent) -> dict[str, Any]:
    xmin, ymin, xmax, ymax = extent if extent is not None else (None, None, None, None)
    return {"extent_xmin": xmin, "extent_ymin": ymin, "extent_xmax": xmax, "extent_ymax": ymax}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with built(tmp_path_factory.mktemp("boxes"), request) as w:
        for n, (item_id, extent) in enumerate(EXTENTS.items()):
            owner = await w.svc.db.read(user_store.user_by_username, OWNERS[n % len(OWNERS)])
            access = ("public", "org", "private")[n % 3] if n % 7 else "public"
            titled = n % 2 == 0  # half hold the word in the title (the first relevance tier), half in the tags
            row = {"id": item_id, "org_id": owner.org_id, "owner_id": owner.id, "type": ("Web Map", "PDF")[n % 2],
                   "title": f"Relief {n}" if titled else f"Sheet {n}", "title_key": f"sheet {n}",
                   "tags": [] if titled else ["relief"], "access": access, "shared_public": access == "public",
                   "shared_org": access != "private", "created": 100_000 + n, "modified": 100_000 + n,
                   **_columns(extent)}
            await w.svc.db.write(lambda conn, row=row: item_store.insert_item(conn, row))
        yield w


async def _ids(world: World, who: str | None, **params: Any) -> tuple[list[str], int]:
    """Every matching id in order (all pages), and the total of the first page."""
    found: list[str] = []
    start, total = 1, None
    while start != -1:
        page = await world.search(who, **{"num": 100, **params, "start": start})
        total = page["total"] if total is None else total
        found += [r["id"] for r in page["results"]]
        start = page["nextStart"]
    assert total is not None
    return found, total


_UNFILTERED: dict[tuple[str | None, str], list[str]] = {}  # (caller, q) -> the words alone, in order


async def _agrees(world: World, who: str | None, box: tuple[float, float, float, float], q: str = "relief") -> None:
    if (who, q) not in _UNFILTERED:
        _UNFILTERED[who, q] = (await _ids(world, who, q=q))[0]
    every = _UNFILTERED[who, q]
    want = [i for i in every if i in EXTENTS and _meets(EXTENTS[i], box)]
    got, total = await _ids(world, who, q=q, bbox=_bbox(box))
    assert (got, total) == (want, len(want)), (who, box, q, sorted(set(got) ^ set(want)))
    first = await world.search(who, q=q, bbox=_bbox(box), num=3)
    assert [r["id"] for r in first["results"]] == want[:3]


@pytest.mark.parametrize("who", CALLERS)
async def test_a_bbox_with_words_keeps_exactly_the_extents_that_meet_it(world: World, who: str | None) -> None:
    for box in BOXES:
        await _agrees(world, who, box)


async def test_every_extent_against_every_fixed_box_as_the_administrator(world: World) -> None:
    """As the administrator (who sees every item), each item's own extent as the bbox, and its
    four corners: the items whose edges fall in the same grid columns and rows are read."""
    boxes = [(e[0], e[1], e[2], e[3]) for e in EXTENTS.values() if e is not None and e[0] <= e[2]
             and -180 <= e[0] and e[2] <= 180 and -90 <= e[1] and e[3] <= 90][:16]
    for box in boxes:
        await _agrees(world, "admin", box)


async def test_an_organization_named_keeps_the_bbox(world: World) -> None:
    """`accountid:` with the words (the ArcGIS API for Python appends one): the callers' own and
    group items of that organization (PostgreSQL: the narrow scopes read with the organization's
    rows) keep to the bbox as the rest do."""
    for org in ("default", "open"):
        for who in ("ann", "bob", "carl", "admin"):
            for box in BOXES[:8]:
                await _agrees(world, who, box, q=f"relief accountid:{world.orgs[org]}")


async def test_other_conditions_sorts_and_facets_keep_the_bbox(world: World) -> None:
    box = (-60.0, -40.0, 60.0, 40.0)
    for who in (None, "ann", "admin"):
        await _agrees(world, who, box, q="relief AND owner:ann")
        await _agrees(world, who, box, q="relief -type:PDF")
        every, _ = await _ids(world, who, q="relief", sort_field="title")
        want = [i for i in every if _meets(EXTENTS.get(i), box)]
        assert (await _ids(world, who, q="relief", sort_field="title", bbox=_bbox(box)))[0] == want
        faceted = await world.search(who, q="relief", bbox=_bbox(box), count_fields="type", num=0)
        types = {}
        for i in want:
            kind = "web map" if int(i, 16) % 2 == 0 else "pdf"
            types[kind] = types.get(kind, 0) + 1
        counted = {f["value"]: f["count"] for f in faceted["aggregations"]["counts"][0]["fieldValues"]}
        assert counted == types, who


async def test_moving_an_extent_moves_the_item_in_and_out_of_a_bbox(world: World) -> None:
    item_id = next(i for i, e in EXTENTS.items() if e is None)
    box = (20.0, 20.0, 21.0, 21.0)
    try:
        for extent in ((20.5, 20.5, 20.6, 20.6), (30.0, 30.0, 31.0, 31.0), (21.0, 21.0, 25.0, 25.0), None):
            await world.svc.db.write(lambda conn, e=extent: item_store.update_item(conn, item_id, _columns(e)))
            EXTENTS[item_id] = extent
            _UNFILTERED.clear()
            got, _ = await _ids(world, "admin", q="relief", bbox=_bbox(box))
            assert (item_id in got) == _meets(extent, box), extent
            await _agrees(world, "admin", box)
    finally:
        EXTENTS[item_id] = None
        _UNFILTERED.clear()
