"""Item, group and user search driven by the real clients against the real server process
(sharing-api.md §7, clients.md §3.5, §7): the ArcGIS API for Python (`gis.content.search`, which
appends ` accountid:<orgId>`, with `item_type`; `advanced_search` with paging and with
`max_items=-1` over 25,000 matches; `gis.groups.search`; `gis.users.search`) and ArcGIS REST JS
(`searchItems` with `SearchQueryBuilder` and `nextPage()`, `searchGroups`, `searchUsers`,
`shareItemWithGroup` / `unshareItemWithGroup`, node/restjs-search.mjs), including issue 10's
check: an item user A shares with a group is seen by member B and not by non-member C, in the
item resource, its data and search.

The corpus is written once per module straight into the server's database with SQL (no
operation of this module creates it): 25,000 public items of the administrator marked by one
word, five small items marked by another, three users and a group.  Both words are new per
run, so other modules' items never interfere.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert

from geoshare.app import build_services
from geoshare.domain import accounts
from geoshare.domain.services import new_id
from geoshare.settings import load_settings
from geoshare.storage import group_queries
from geoshare.storage import users as user_store
from geoshare.storage.tables import items

from .support import LiveServer, fresh_database, start_server, stop_server
from .test_users_clients import ok, run_node

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

DEFAULT_ORG = "0123456789ABCDEF"
BULK = 25_000
BATCH = 5_000
PASSWORD = "Pw-Search-12345"
FEW = (("CSV", "a"), ("CSV", "b"), ("CSV", "c"), ("Web Map", "d"), ("Web Map", "e"))


def _item(org: str, owner: str, title: str, item_type: str, now: int) -> dict[str, Any]:
    return {"id": new_id(), "org_id": org, "owner_id": owner, "title": title, "title_key": title.lower(),
            "type": item_type, "type_keywords": "[]", "tags": '["e2e"]', "categories": "[]", "access": "public",
            "shared_public": True, "created": now, "modified": now}


def _people(word: str) -> dict[str, str]:
    return {who: f"{who}_{word}" for who in ("a", "b", "c")}


def seed(server: LiveServer, word: str, few: str) -> dict[str, Any]:
    """The corpus, written to the server's database directly (bulk INSERTs of `items`)."""
    settings = load_settings({"data_dir": str(server.data_dir), "database_url": server.database_url or "",
                              "argon2_time_cost": 1, "argon2_memory_kib": 1024}, environ={})
    svc = build_services(settings)
    people = _people(few)

    async def go() -> dict[str, Any]:
        await svc.db.start()
        try:
            users = {who: await accounts.create_user(svc, DEFAULT_ORG, accounts.NewUser(name, PASSWORD))
                     for who, name in people.items()}
            admin = await svc.db.read(user_store.user_by_username, server.admin_username)
            now = svc.clock.now_ms()
            bulk = [_item(DEFAULT_ORG, admin.id, f"{word} {i:05d}", "Web Map", now + i) for i in range(BULK)]
            for start in range(0, BULK, BATCH):
                await svc.db.write(lambda conn, rows=bulk[start:start + BATCH]: conn.execute(insert(items), rows))
            small = [_item(DEFAULT_ORG, admin.id, f"{few} {suffix}", kind, now) for kind, suffix in FEW]
            await svc.db.write(lambda conn: conn.execute(insert(items), small))
            group = {"id": new_id(), "org_id": DEFAULT_ORG, "owner_id": users["a"].id, "title": f"{few} team",
                     "access": "private", "tags": ["e2e"], "created": now, "modified": now}
            members = [{"group_id": group["id"], "user_id": users[w].id, "member_type": t, "joined": now}
                       for w, t in (("a", "owner"), ("b", "member"))]
            await svc.db.write(lambda conn: group_queries.insert_groups(conn, [group], members))
            return {"bulk": {r["id"] for r in bulk}, "small": {r["title"]: r["id"] for r in small},
                    "group": group["id"], "people": people}
        finally:
            await svc.db.stop()
            svc.hasher.close()

    return asyncio.run(go())


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """This module's own server: its 25,000 items would swell every other module's searches."""
    database_url, drop = None, None
    if os.environ.get("GEOSHARE_TEST_DATABASE_URL", "").strip():
        database_url, drop = fresh_database(os.environ["GEOSHARE_TEST_DATABASE_URL"].strip())
    try:
        server = start_server(tmp_path_factory.mktemp("geoshare-search"), database_url=database_url)
        try:
            yield server
        finally:
            stop_server(server)
    finally:
        if drop is not None:
            drop()


@pytest.fixture(scope="module")
def corpus(live_server: LiveServer) -> dict[str, Any]:
    word, few = f"srx{secrets.token_hex(4)}", f"srf{secrets.token_hex(4)}"
    return {"word": word, "few": few, **seed(live_server, word, few)}


# ---------------------------------------------------------------- ArcGIS API for Python
def test_arcgis_content_search_with_item_type(gis: Any, corpus: dict[str, Any]) -> None:
    """content.search appends ` accountid:<orgId>` with no operator: it must narrow, not widen."""
    few = corpus["few"]
    csv = gis.content.search(f"title:{few}", item_type="CSV", max_items=10)
    assert sorted(i.title for i in csv) == [f"{few} a", f"{few} b", f"{few} c"]
    every = gis.content.search(f"title:{few}", max_items=10)
    assert sorted(i.title for i in every) == sorted(corpus["small"])
    assert gis.content.search(f"title:{few} AND owner:nobody_here", max_items=10) == []


def test_arcgis_advanced_search_pages(gis: Any, corpus: dict[str, Any]) -> None:
    word = corpus["word"]
    page = gis.content.advanced_search(query=f"title:{word}", start=101, max_items=50, sort_field="title")
    assert [i.title for i in page["results"]] == [f"{word} {i:05d}" for i in range(100, 150)]
    assert (page["total"], page["start"], page["nextStart"]) == (BULK, 101, 151)
    assert gis.content.advanced_search(query=f"title:{word}", return_count=True) == BULK
    last = gis.content.advanced_search(query=f"title:{word}", start=BULK - 4, max_items=10, sort_field="title",
                                       as_dict=True)
    assert [i["title"] for i in last["results"]] == [f"{word} {i:05d}" for i in range(BULK - 5, BULK)]
    assert last["nextStart"] == -1


def test_arcgis_advanced_search_every_item_once(gis: Any, corpus: dict[str, Any]) -> None:
    """max_items=-1: the client asks for `total`, then fetches 250 pages of 100 concurrently."""
    found = gis.content.advanced_search(query=f"title:{corpus['word']}", max_items=-1, as_dict=True)
    ids = [i["id"] for i in found["results"]]
    assert len(ids) == BULK and set(ids) == corpus["bulk"]


def test_arcgis_group_and_user_search(gis: Any, corpus: dict[str, Any]) -> None:
    few, people = corpus["few"], corpus["people"]
    assert [g.id for g in gis.groups.search(f"title:{few}")] == [corpus["group"]]
    assert [u.username for u in gis.users.search(f"username:{people['b']}")] == [people["b"]]


# ---------------------------------------------------------------- ArcGIS REST JS
def _restjs(server: LiveServer, node_bin: str, corpus: dict[str, Any], scheme: str) -> dict[str, Any]:
    return run_node(node_bin, "restjs-search.mjs", {
        "portal": server.sharing_url(scheme), "admin": server.admin_username, "adminPassword": server.admin_password,
        "word": corpus["word"], "few": corpus["few"], "groupWord": corpus["few"], "groupId": corpus["group"],
        "password": PASSWORD, **corpus["people"]})


@pytest.fixture(scope="module")
def restjs(live_server: LiveServer, node_bin: str, corpus: dict[str, Any]) -> dict[str, Any]:
    return _restjs(live_server, node_bin, corpus, "https")


def test_restjs_search_items_and_paging(restjs: dict[str, Any], corpus: dict[str, Any]) -> None:
    few, titles = corpus["few"], sorted(corpus["small"])
    first = ok(restjs, "firstPage")
    assert (first["total"], first["start"], first["num"], first["nextStart"], first["hasNextPage"]) == \
        (5, 1, 2, 3, True)
    assert first["titles"] == titles[:2]
    second = ok(restjs, "nextPage")
    assert (second["start"], second["nextStart"], second["titles"], second["third"]) == (3, 5, titles[2:4], "present")
    built = ok(restjs, "builder")
    assert (built["total"], built["titles"], built["nextStart"]) == (3, [f"{few} a", f"{few} b"], 3)
    assert ok(restjs, "builderNext")["titles"] == [f"{few} c"]  # public items: the anonymous page finds it
    deep = ok(restjs, "deepPage")
    assert (deep["total"], deep["start"], deep["nextStart"], len(deep["ids"])) == (BULK, BULK - 99, -1, 100)
    assert ok(restjs, "plainString")["titles"] == [f"{few} d", f"{few} e"] or \
        sorted(ok(restjs, "plainString")["titles"]) == [f"{few} d", f"{few} e"]
    bad = restjs["badQuery"]
    assert not bad["ok"] and bad["error"]["code"] == 400, bad


def test_restjs_group_and_user_search(restjs: dict[str, Any], corpus: dict[str, Any]) -> None:
    assert ok(restjs, "searchGroups")["ids"] == [corpus["group"]]
    assert ok(restjs, "searchUsers")["titles"] == [corpus["people"]["b"]]


def test_restjs_shared_item_seen_by_member_only(restjs: dict[str, Any], corpus: dict[str, Any]) -> None:
    """Issue 10: A shares with a group; B (member) sees the item, its data and finds it; C does not."""
    item = ok(restjs, "createItem")
    assert ok(restjs, "share")["notSharedWith"] == []
    assert ok(restjs, "shareAgain")["shortcut"] is True  # its search (`id: X AND group: Y`) found the share
    assert ok(restjs, "shared-b-item") == item
    assert ok(restjs, "shared-b-data") == {"layers": [1]}
    assert ok(restjs, "shared-b-search")["ids"] == [item]
    assert ok(restjs, "shared-b-groupSearch")["ids"] == [item]
    for step in ("shared-c-item", "shared-c-data"):
        failed = restjs[step]
        assert not failed["ok"] and "does not exist or is inaccessible" in failed["error"]["message"], failed
    assert ok(restjs, "shared-c-search")["total"] == 0
    assert ok(restjs, "shared-c-groupSearch")["total"] == 0
    assert ok(restjs, "unshare")["notUnsharedFrom"] == []
    assert not restjs["unshared-b-item"]["ok"]
    assert ok(restjs, "unshared-b-search")["total"] == 0
