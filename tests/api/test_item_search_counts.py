"""Item search totals for a signed-in member: items reached through a broad access token
(public, the organization), through narrow ones (their own, their groups') or both ways count
once each, for words, phrases and prefixes, and the limit holds whatever the mix."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.item_search_support import search, titles
from tests.conftest import make_group, make_item, make_user


async def _world(svc: Any) -> str:
    await make_user(svc, "carol")
    await make_user(svc, "dave")
    crew = await make_group(svc, "admin", "Crew", members=("carol",))
    other = await make_group(svc, "admin", "Other", members=("dave",))
    await make_item(svc, "admin", "Lakes public", shared_public=True)
    await make_item(svc, "admin", "Lakes public and crew", shared_public=True, groups=(crew.id,))
    await make_item(svc, "admin", "Lakes org", shared_org=True)
    await make_item(svc, "admin", "Lakes org and crew", shared_org=True, groups=(crew.id,))
    await make_item(svc, "admin", "Lakes crew", groups=(crew.id,))
    await make_item(svc, "admin", "Lakes crew and other", groups=(crew.id, other.id))
    await make_item(svc, "carol", "Lakes of carol")
    await make_item(svc, "dave", "Lakes of dave")
    await make_item(svc, "admin", "Lakes other", groups=(other.id,))
    return str(crew.id)


BROAD = ["Lakes public", "Lakes public and crew", "Lakes org", "Lakes org and crew"]
NARROW = ["Lakes crew", "Lakes crew and other", "Lakes of carol"]


async def test_every_reach_counts_once(svc: Any) -> None:
    await _world(svc)
    found = await search(svc, "carol", q="lakes", num=100)
    assert found["total"] == len(BROAD) + len(NARROW) == 7
    assert sorted(r["title"] for r in found["results"]) == sorted(BROAD + NARROW)
    assert (await search(svc, "carol", q="lakes AND title:crew"))["total"] == 4
    assert (await search(svc, "dave", q="lakes"))["total"] == len(BROAD) + 3
    assert (await search(svc, None, q="lakes"))["total"] == 2


@pytest.mark.parametrize(("limit", "total"), [(3, 3), (4, 4), (5, 5), (7, 7), (8, 7)])
async def test_the_limit_holds_whatever_the_mix(settings: Any, limit: int, total: int) -> None:
    from tests.conftest import portal

    async with portal(settings, search_total_limit=limit) as client:
        await _world(client.svc)
        assert (await search(client.svc, "carol", q="lakes"))["total"] == total
        assert len(await titles(client.svc, "carol", q="lakes")) == 7  # pages go past the limit


async def test_relevance_paging_past_the_title_tier(svc: Any) -> None:
    """A page starting after the title tier finds where the other tier starts from its count."""
    crew = await _world(svc)
    await make_item(svc, "admin", "Notes", description="lakes", shared_public=True)
    await make_item(svc, "admin", "Crew notes", description="lakes", groups=(crew,))
    whole = await titles(svc, "carol", q="lakes")
    assert whole[-2:] == ["Crew notes", "Notes"] and len(whole) == 9
    for start in range(1, 11):
        page = await search(svc, "carol", q="lakes", start=start, num=1)
        assert [r["title"] for r in page["results"]] == whole[start - 1:start]



@pytest.mark.parametrize(("q", "total"), [('"lakes crew"', 2), ("lak*", 7), ("title:lak*", 7), ('"lakes of"', 1)])
async def test_phrases_and_prefixes_count_the_same(svc: Any, q: str, total: int) -> None:
    await _world(svc)
    found = await search(svc, "carol", q=q, num=100)
    assert found["total"] == total == len(found["results"])

