"""Item search (domain/item_search.py): fields, operators, access, paging, the index's freshness."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.item_search_support import error, search, titles
from tests.conftest import make_group, make_item, make_user


@pytest.fixture
async def corpus(svc: Any) -> dict[str, Any]:
    await make_user(svc, "alice")
    await make_user(svc, "bob")
    group = await make_group(svc, "admin", "Team", members=("alice",))
    ids = {}
    for title, kw in (("Wildfire risk map", {"tags": ["fires", "California"], "shared_public": True,
                                            "extent_xmin": -120.0, "extent_ymin": 33.0, "extent_xmax": -118.0,
                                            "extent_ymax": 35.0, "num_views": 5}),
                      ("Parks of San Francisco", {"tags": ["San Francisco", "parks"], "shared_org": True,
                                                  "num_views": 9}),
                      ("Secret roads", {"tags": ["roads"], "description": "private network"}),
                      ("Team roads", {"tags": ["roads"], "snippet": "shared with the team"})):
        groups = (group.id,) if title.startswith("Team") else ()
        ids[title] = (await make_item(svc, "admin", title, groups=groups, **kw)).id
    return {"group": group.id, "ids": ids}


async def test_free_text_stemming_and_access(svc: Any, corpus: dict[str, Any]) -> None:
    assert await titles(svc, None, q="fire") == ["Wildfire risk map"]
    assert await titles(svc, None, q="fires") == ["Wildfire risk map"]
    assert await titles(svc, "alice", q="roads") == ["Team roads"]
    assert await titles(svc, "bob", q="roads") == []
    assert sorted(await titles(svc, "admin", q="roads")) == ["Secret roads", "Team roads"]
    assert await titles(svc, None, q="parks") == []
    assert await titles(svc, "bob", q="parks") == ["Parks of San Francisco"]


async def test_fields_phrases_and_operators(svc: Any, corpus: dict[str, Any]) -> None:
    assert await titles(svc, "admin", q='tags:"San Francisco"') == ["Parks of San Francisco"]
    assert await titles(svc, "admin", q='tags:"Francisco San"') == []
    assert await titles(svc, "admin", q="title:roads -team") == ["Secret roads"]
    assert await titles(svc, "admin", q="title:roads NOT description:private") == ["Team roads"]
    assert await titles(svc, "admin", q="wild*") == ["Wildfire risk map"]
    assert await titles(svc, "admin", q="w?ldfire") == ["Wildfire risk map"]
    assert await titles(svc, "admin", q='type:"Web Map" AND title:parks') == ["Parks of San Francisco"]
    assert len(await titles(svc, "admin", q="type:map")) == 4
    assert await titles(svc, "admin", q=f"group:{corpus['group']}") == ["Team roads"]
    assert await titles(svc, "admin", q="numviews:[6 TO 10]") == ["Parks of San Francisco"]
    assert await titles(svc, "admin", q="roads access:private") == ["Secret roads"]


async def test_bbox_sort_paging(svc: Any, corpus: dict[str, Any]) -> None:
    assert await titles(svc, None, bbox="-119,34,-100,40") == ["Wildfire risk map"]
    assert await titles(svc, None, bbox="-100,34,-90,40") == []
    by_views = await titles(svc, "admin", q="*", sort_field="numViews", sort_order="desc")
    assert by_views[:2] == ["Parks of San Francisco", "Wildfire risk map"]
    seen = []
    start = 1
    while start != -1:
        page = await search(svc, "admin", q="*", num=1, start=start, sort_field="title")
        assert page["total"] == 4
        seen += [r["id"] for r in page["results"]]
        start = page["nextStart"]
    assert sorted(seen) == sorted(corpus["ids"].values())
    assert (await search(svc, "admin", q="*", start=-1))["results"] == []


async def test_errors(svc: Any, corpus: dict[str, Any]) -> None:
    code, details = await error(svc, None, q="nosuchfield:x")
    assert code == 400 and "position 1" in details[0]
    assert (await error(svc, None))[0] == 400
    assert (await error(svc, None, bbox="1,2,3"))[0] == 400
    assert (await error(svc, None, q="*", sort_field="color"))[0] == 400


async def test_index_follows_writes(svc: Any, corpus: dict[str, Any]) -> None:
    from geoshare.storage import items as item_store

    item_id = corpus["ids"]["Secret roads"]
    await svc.db.write(lambda conn: item_store.update_item(conn, item_id, {"title": "Hidden lanes"}))
    assert await titles(svc, "admin", q="title:lanes") == ["Hidden lanes"]
    assert await titles(svc, "admin", q="title:secret") == []
    await svc.db.write(lambda conn: item_store.delete_item(conn, item_id))
    assert await titles(svc, "admin", q="lanes") == []


async def test_total_stops_at_the_limit(settings: Any) -> None:
    from tests.conftest import portal

    async with portal(settings, search_total_limit=2) as client:
        for n in range(3):
            await make_item(client.svc, "admin", f"Map {n}")
        page = await search(client.svc, "admin", q="map", num=1)
        assert page["total"] == 2 and page["nextStart"] == 2
        last = await search(client.svc, "admin", q="map", num=1, start=3)
        assert [r["title"] for r in last["results"]] and last["nextStart"] == -1
