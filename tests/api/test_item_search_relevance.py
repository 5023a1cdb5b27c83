"""Item search's default order, relevance (sharing-api.md §7.6 as geoshare defines it): without a
sortField, items whose title holds one of q's free-text terms come first (a word as that word, a
phrase or a term of several words as that phrase), then the other matches; within each tier the
most recently added item comes first.  Paging through either tier,
and across the boundary between them, returns every match exactly once, on both databases and on
every plan (the FTS5 lookup alone, the lookup plus SQL conditions, the plain plan)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.item_search_support import search, titles
from tests.conftest import make_group, make_item, make_user


@pytest.fixture
async def lakes(svc: Any) -> dict[str, Any]:
    """Added in this order; the clock moves backwards for the later ones, so `modified` and the
    order of addition disagree (relevance must follow the addition)."""
    await make_user(svc, "carol")
    crew = await make_group(svc, "admin", "Crew", members=("carol",))
    svc.clock.pin(2_000_000_000_000)
    rows = [("Lakes North", "", True, ()), ("Notes A", "mentions lakes once", True, ()),
            ("Lakes South", "", False, (crew.id,)), ("Notes B", "lakes again", True, ()),
            ("Hidden Lakes", "", False, ()), ("Rivers", "no match here", True, ()),
            ("Lakes East", "lakes and lakes", True, ())]
    for n, (title, description, public, groups) in enumerate(rows):
        svc.clock.pin(2_000_000_000_000 - n * 1000)
        await make_item(svc, "admin" if title != "Hidden Lakes" else "carol", title, description=description,
                        shared_public=public, groups=groups)
    return {"crew": crew.id}


async def test_title_tier_first_then_the_newest_added(svc: Any, lakes: dict[str, Any]) -> None:
    assert await titles(svc, None, q="lakes") == ["Lakes East", "Lakes North", "Notes B", "Notes A"]
    # carol also sees her own private item and the group's; the admin sees every item of the org
    assert await titles(svc, "carol", q="lakes") == ["Lakes East", "Hidden Lakes", "Lakes South", "Lakes North",
                                                     "Notes B", "Notes A"]
    assert (await search(svc, "carol", q="lakes"))["total"] == 6
    assert (await search(svc, None, q="lakes"))["total"] == 4


async def test_any_free_text_word_in_the_title_makes_the_first_tier(svc: Any, lakes: dict[str, Any]) -> None:
    assert await titles(svc, None, q="lakes OR rivers") == ["Lakes East", "Rivers", "Lakes North", "Notes B",
                                                            "Notes A"]
    assert await titles(svc, None, q="notes OR south") == ["Notes B", "Notes A"]


@pytest.fixture
async def shores(svc: Any) -> None:
    """Added in this order: the phrase "lake shore" in two titles (the first and the last added);
    in three descriptions whose titles hold one of its words, or both of them apart."""
    for title, description in (("Lake Shore Trail", ""), ("Shore Notes", "lake shore path"),
                               ("Lake Maps", "the lake shore"), ("Shore Lake", "lake shore"),
                               ("North Lake Shore", ""), ("Lake Depths", "no shore here")):
        await make_item(svc, "admin", title, description=description, shared_public=True)


@pytest.mark.parametrize("q", ['"lake shore"', "lake-shore", '"lake shore" OR owner:nobody'])
async def test_a_phrase_in_the_title_makes_the_first_tier_one_of_its_words_does_not(svc: Any, shores: None,
                                                                                    q: str) -> None:
    assert await titles(svc, None, q=q) == ["North Lake Shore", "Lake Shore Trail", "Shore Lake", "Lake Maps",
                                            "Shore Notes"]
    assert (await search(svc, None, q=q))["total"] == 5


async def test_words_and_phrases_make_the_tier_together(svc: Any, shores: None) -> None:
    assert await titles(svc, None, q='"lake shore" OR depths') == ["Lake Depths", "North Lake Shore",
                                                                    "Lake Shore Trail", "Shore Lake", "Lake Maps",
                                                                    "Shore Notes"]
    assert await titles(svc, None, q='"shore lake" OR path') == ["Shore Lake", "Shore Notes"]
    # the same words unquoted are two terms: a title holding either one is the first tier (all six)
    assert await titles(svc, None, q="lake shore") == ["Lake Depths", "North Lake Shore", "Shore Lake", "Lake Maps",
                                                       "Shore Notes", "Lake Shore Trail"]


async def test_without_free_text_the_newest_added_first(svc: Any, lakes: dict[str, Any]) -> None:
    assert await titles(svc, None, q="title:lakes") == ["Lakes East", "Lakes North"]
    assert (await titles(svc, "admin", q="*"))[:3] == ["Lakes East", "Rivers", "Hidden Lakes"]
    assert (await titles(svc, "admin", q="owner:admin"))[:2] == ["Lakes East", "Rivers"]


async def test_sort_field_still_wins(svc: Any, lakes: dict[str, Any]) -> None:
    assert await titles(svc, None, q="lakes", sort_field="title") == ["Lakes East", "Lakes North", "Notes A",
                                                                       "Notes B"]
    assert await titles(svc, None, q="lakes", sort_field="modified", sort_order="desc") == [
        "Lakes North", "Notes A", "Notes B", "Lakes East"]


@pytest.mark.parametrize("q", ["lakes", "lakes AND owner:admin", "lakes AND type:map", "lakes OR owner:nobody",
                               '"lakes north" OR "lakes again"'])
@pytest.mark.parametrize("who", [None, "carol", "admin"])
async def test_paging_crosses_the_tier_boundary_exactly_once(svc: Any, lakes: dict[str, Any], q: str,
                                                             who: str | None) -> None:
    whole = await titles(svc, who, q=q)
    assert whole and len(set(whole)) == len(whole)
    for num in (1, 2, 3):
        walked, start = [], 1
        while start != -1:
            page = await search(svc, who, q=q, start=start, num=num)
            assert page["total"] == len(whole)
            walked += [r["title"] for r in page["results"]]
            start = page["nextStart"]
        assert walked == whole
    for start in range(1, len(whole) + 2):  # a page starting anywhere, past the first tier too
        page = await search(svc, who, q=q, start=start, num=2)
        assert [r["title"] for r in page["results"]] == whole[start - 1:start + 1]


async def test_relevance_with_a_bbox_checks_the_rest_on_the_rows(svc: Any, lakes: dict[str, Any]) -> None:
    await make_item(svc, "admin", "Lakes West", shared_public=True, extent_xmin=5.0, extent_ymin=45.0,
                    extent_xmax=6.0, extent_ymax=46.0)
    await make_item(svc, "admin", "Pond notes", description="lakes", shared_public=True, extent_xmin=5.5,
                    extent_ymin=45.5, extent_xmax=5.6, extent_ymax=45.6)
    found = await search(svc, None, q="lakes", bbox="0,40,10,50")
    assert [r["title"] for r in found["results"]] == ["Lakes West", "Pond notes"] and found["total"] == 2
    second = await search(svc, None, q="lakes", bbox="0,40,10,50", start=2, num=1)
    assert [r["title"] for r in second["results"]] == ["Pond notes"] and second["nextStart"] == -1
