"""Item search's faster plans (SQLite: q's text terms as one FTS5 lookup; sorted pages that walk
the sort's index) answer exactly what the plain plan answers: same rows, same order, same totals."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain.item_search_terms import split_text
from geoshare.domain.query_language import Term, parse
from tests.api.item_search_support import search, titles
from tests.conftest import make_group, make_item, make_user

FIELDS = frozenset({"title", "tags", "type", "description", "owner", "access"})


def test_text_terms_become_one_expression_and_the_rest_stays_sql() -> None:
    fts, rest = split_text(parse("water AND type:map -fire", FIELDS, ("owner", "type", "access")))
    assert fts is not None and "water" in fts and fts.count("NOT") == 1 and "fire" in fts
    assert rest == [] or all(not isinstance(r, Term) or r.field == "type" for r in rest)
    fts, rest = split_text(parse("owner:bob", FIELDS, ("owner",)))
    assert fts is None and len(rest) == 1
    fts, rest = split_text(parse("-water", FIELDS, ()))
    assert fts is None  # FTS5 has no lone NOT: the plain plan answers it
    fts, rest = split_text(parse("water OR owner:bob", FIELDS, ("owner",)))
    assert fts is None
    fts, rest = split_text(parse("w?ter AND roads", FIELDS, ()))
    assert fts is not None and "roads" in fts and len(rest) == 1


@pytest.fixture
async def many(svc: Any) -> dict[str, Any]:
    await make_user(svc, "carol")
    group = await make_group(svc, "admin", "Crew", members=("carol",))
    for n in range(24):
        svc.clock.advance(1000)
        shared = {"shared_public": True} if n % 3 == 0 else {}
        groups = (group.id,) if n % 3 == 1 else ()
        await make_item(svc, "admin", f"Water {n:02d} hydrology", groups=groups, tags=["flood"] if n % 4 else [],
                        **shared)
    for n in range(6):
        svc.clock.advance(1000)
        await make_item(svc, "admin", f"Trails {n}", shared_public=True)
    return {"group": group.id}


def _water(visible_to: str | None) -> list[str]:
    names = [f"Water {n:02d} hydrology" for n in range(24)]
    if visible_to is None:
        return [t for i, t in enumerate(names) if i % 3 == 0]
    if visible_to == "carol":
        return [t for i, t in enumerate(names) if i % 3 != 2]
    return names


async def _pages(svc: Any, who: str | None, num: int, **params: Any) -> tuple[list[str], list[int]]:
    seen: list[str] = []
    totals = []
    start = 1
    while start != -1:
        page = await search(svc, who, start=start, num=num, **params)
        seen += [r["title"] for r in page["results"]]
        totals.append(page["total"])
        start = page["nextStart"]
    return seen, totals


@pytest.mark.parametrize("who", [None, "carol", "admin"])
@pytest.mark.parametrize("q", ["water", "hydro*", "title:water AND hydrology"])
async def test_sorted_pages_walk_in_order_each_match_once(svc: Any, many: dict[str, Any], who: str | None,
                                                          q: str) -> None:
    expected = _water(who)
    by_title, totals = await _pages(svc, who, 5, q=q, sort_field="title")
    assert by_title == sorted(expected) and set(totals) == {len(expected)}
    newest, _ = await _pages(svc, who, 4, q=q, sort_field="modified", sort_order="desc")
    assert newest == list(reversed(expected))


async def test_combined_lookup_keeps_operators_and_access(svc: Any, many: dict[str, Any]) -> None:
    flooded = [f"Water {n:02d} hydrology" for n in range(24) if n % 4 and n % 3 != 2]
    assert sorted(await titles(svc, "carol", q="water AND tags:flood")) == flooded
    dry = [f"Water {n:02d} hydrology" for n in range(24) if not n % 4 and n % 3 != 2]
    assert sorted(await titles(svc, "carol", q="water -tags:flood")) == dry
    assert sorted(await titles(svc, None, q="trails OR (water AND -tags:flood)")) == sorted(
        [f"Trails {n}" for n in range(6)] + [f"Water {n:02d} hydrology" for n in range(0, 24, 12)])
    assert (await search(svc, "carol", q="water", num=0))["total"] == 16
    assert (await search(svc, None, q="water OR trails", num=3))["total"] == 14
    ranked = await titles(svc, "admin", q="trails water")
    assert len(ranked) == 30


async def test_relevance_orders_by_the_lookups_score(svc: Any) -> None:
    await make_item(svc, "admin", "Lakes", description="lakes and more lakes, lakes everywhere", shared_public=True)
    await make_item(svc, "admin", "Notes", description="one mention of lakes", shared_public=True)
    assert await titles(svc, None, q="lakes") == ["Lakes", "Notes"]


async def test_relevance_page_counts_in_the_same_pass(svc: Any, many: dict[str, Any]) -> None:
    """The ranked page's own count: exact, the same as without a page, and kept past the last match."""
    counted = (await search(svc, "carol", q="water", num=0))["total"]
    assert [(await search(svc, "carol", q="water", start=s, num=5))["total"] for s in (1, 11, 16, 40)] == [counted] * 4
    assert (await search(svc, None, q="trails water", start=1, num=3))["total"] == 14


async def test_relevance_total_stops_at_the_limit(settings: Any) -> None:
    from tests.conftest import portal

    async with portal(settings, search_total_limit=2) as client:
        for n in range(3):
            await make_item(client.svc, "admin", f"Lakes {n}")
        first = await search(client.svc, "admin", q="lakes", num=1)
        assert first["total"] == 2 and first["nextStart"] == 2
        beyond = await search(client.svc, "admin", q="lakes", num=1, start=5)
        assert beyond["total"] == 2 and beyond["results"] == [] and beyond["nextStart"] == -1
