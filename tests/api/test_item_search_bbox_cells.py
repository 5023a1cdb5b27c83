"""bbox with words: what SQLite answers through the extent cells of its full-text rowids
(migration 0011) is exactly what the SQL condition selects, for every caller, on extents of every
kind (none, points, cell-sized, large, on cell edges, the whole world, invalid) and bboxes of every
kind (tiny, aligned to cells, straddling the centre lines, the whole world); the total counts
exactly the results, page by page.  PostgreSQL answers the same through its general path."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from geoshare.storage import items as item_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import items
from tests.api.item_search_world import World, built

CALLERS = (None, "admin", "ann", "bob", "olga", "carl")
OWNERS = ("ann", "bob", "admin", "olga", "carl")
FIXED = [(None, None, None, None), (2.35, 48.86, 2.35, 48.86), (-10.0, 35.0, 30.0, 60.0), (-180.0, -90.0, 180.0, 90.0),
         (0.0, 0.0, 2.8125, 1.40625), (-2.8125, -1.40625, 0.0, 0.0), (10.0, 10.0, 5.0, 20.0), (-200.0, 0.0, 10.0, 1.0),
         (-9.5, 34.5, -8.5, 35.5), (29.0, 59.0, 31.0, 61.0), (-10.0, 50.0, -10.0, 50.0), (30.0, 35.0, 30.0, 35.0),
         (179.0, 89.0, 180.0, 90.0), (-0.0001, -0.0001, 0.0001, 0.0001)]
BOXES = [(-10.0, 35.0, 30.0, 60.0), (-180.0, -90.0, 180.0, 90.0), (0.0, 0.0, 2.8125, 1.40625), (-1.0, -1.0, 1.0, 1.0),
         (2.35, 48.86, 2.35, 48.86), (-10.0, 50.0, -10.0, 50.0), (30.0, 60.0, 30.0, 60.0), (100.0, -50.0, 170.0, -10.0),
         (-180.0, 0.0, 0.0, 90.0), (-45.0, -22.5, 45.0, 22.5)]


@pytest.fixture(scope="module")
def rng() -> random.Random:
    return random.Random(11)  # noqa: S311 - test data, not secrets


@pytest.fixture
async def world(tmp_path: Any, request: pytest.FixtureRequest, rng: random.Random) -> AsyncIterator[World]:
    async with built(tmp_path, request) as w:
        extents = FIXED + [_random_extent(rng) for _ in range(110)]
        for n, extent in enumerate(extents):
            owner = await w.svc.db.read(user_store.user_by_username, OWNERS[n % len(OWNERS)])
            access = ("public", "org", "private")[n % 3]
            row = {"id": f"b{n:031x}", "org_id": owner.org_id, "owner_id": owner.id, "title": f"Harbour area {n}",
                   "title_key": f"harbour area {n}", "type": "Web Map", "access": access,
                   "shared_public": access == "public", "shared_org": access != "private", "created": 100_000 + n,
                   "modified": 100_000 + n, "extent_xmin": extent[0], "extent_ymin": extent[1],
                   "extent_xmax": extent[2], "extent_ymax": extent[3]}
            await w.svc.db.write(lambda conn, row=row: item_store.insert_item(conn, row))
        yield w


def _random_extent(rng: random.Random) -> tuple[float, float, float, float]:
    x, y = rng.uniform(-180, 180), rng.uniform(-90, 90)
    half = rng.choice((0.0, 0.01, 0.7, 1.4, 3.0, 20.0))
    return max(-180.0, x - half), max(-90.0, y - half), min(180.0, x + half), min(90.0, y + half)


def _intersects(extent: tuple[Any, ...], box: tuple[float, float, float, float]) -> bool:
    if any(v is None for v in extent):
        return False
    return extent[0] <= box[2] and extent[2] >= box[0] and extent[1] <= box[3] and extent[3] >= box[1]


async def test_bbox_with_words_selects_what_the_extent_condition_selects(world: World, rng: random.Random) -> None:
    rows = await world.svc.db.read(lambda conn: conn.execute(select(
        items.c.title, items.c.extent_xmin, items.c.extent_ymin, items.c.extent_xmax, items.c.extent_ymax)).all())
    extent_of = {r[0]: tuple(r[1:]) for r in rows}
    boxes = BOXES + [_random_extent(rng) for _ in range(12)]
    for who in CALLERS:
        plain = await world.titles(who, q="harbour")
        assert len(plain) >= 20  # the caller sees many of the new items
        for box in boxes:
            want = {t for t in plain if _intersects(extent_of[t], box)}
            raw = ",".join(repr(v) for v in box)
            assert await world.titles(who, q="harbour", bbox=raw) == want, (who, box)
            assert await world.titles(who, q="title:harbour area", bbox=raw) == want, (who, box)
            first = await world.search(who, q="harbour", bbox=raw, num=3)
            assert first["total"] == len(want), (who, box)


async def test_a_moved_extent_moves_the_item_between_bboxes(world: World) -> None:
    europe, pacific = "-10,35,30,60", "150,-30,170,-10"
    target = "Harbour area 1"  # a point in Paris
    assert target in await world.titles("admin", q="harbour", bbox=europe)
    assert target not in await world.titles("admin", q="harbour", bbox=pacific)
    await world.svc.db.write(lambda conn: conn.execute(items.update().where(items.c.title == target).values(
        extent_xmin=160.0, extent_ymin=-20.0, extent_xmax=160.5, extent_ymax=-19.5)))
    assert target not in await world.titles("admin", q="harbour", bbox=europe)
    assert target in await world.titles("admin", q="harbour", bbox=pacific)
    await world.svc.db.write(lambda conn: conn.execute(items.update().where(items.c.title == target).values(
        extent_xmin=None, extent_ymin=None, extent_xmax=None, extent_ymax=None)))
    assert target not in await world.titles("admin", q="harbour", bbox="-180,-90,180,90")
