"""Group search and a group's content driven by the real clients against the real server process:
the ArcGIS API for Python (`gis.groups.search` with `max_groups`, `outside_org`, sort arguments)
and ArcGIS REST JS (`searchGroups` with `nextPage` and `SearchQueryBuilder`, `getGroupContent`,
node/restjs-group-search.mjs).

The corpus is written straight into the server's database with geoshare's storage functions, in
bulk (no operation of this module creates it): 120 public groups of the administrator so the
clients' paging loops, private groups of a member that nobody else sees, and a public group of
another organization.  One word, new per run, marks the corpus so other modules' groups never
interfere.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest

from geoshare.app import build_services
from geoshare.domain import accounts
from geoshare.domain.services import new_id
from geoshare.settings import load_settings
from geoshare.storage import group_queries
from geoshare.storage import users as user_store

from .support import LiveServer
from .test_users_clients import ok, run_node

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

DEFAULT_ORG = "0123456789ABCDEF"
PUBLIC_GROUPS = 120
PRIVATE_GROUPS = 5


def _rows(org_id: str, owner_id: str, titles: list[str], access: str, now: int) -> tuple[list[Any], list[Any]]:
    rows = [{"id": new_id(), "org_id": org_id, "owner_id": owner_id, "title": title, "access": access,
             "tags": ["e2e"], "created": now + i, "modified": now + i} for i, title in enumerate(titles)]
    members = [{"group_id": r["id"], "user_id": owner_id, "member_type": "owner", "joined": now} for r in rows]
    return rows, members


def seed(server: LiveServer, word: str) -> dict[str, Any]:
    """The corpus, written to the server's database directly."""
    settings = load_settings({"data_dir": str(server.data_dir), "database_url": server.database_url or "",
                              "argon2_time_cost": 1, "argon2_memory_kib": 1024}, environ={})
    svc = build_services(settings)
    member = f"gsm_{secrets.token_hex(3)}"

    async def go() -> dict[str, Any]:
        await svc.db.start()
        try:
            owner = await accounts.create_user(svc, DEFAULT_ORG, accounts.NewUser(member, "Pw-Member-12345"))
            other, _ = await accounts.create_org(svc, f"Away {word}", accounts.NewUser(f"gso_{word}", "Pw-Other-12345"))
            admin = await svc.db.read(user_store.user_by_username, server.admin_username)
            away = await svc.db.read(user_store.user_by_username, f"gso_{word}")
            now = svc.clock.now_ms()
            public = _rows(DEFAULT_ORG, admin.id, [f"{word} {i:03d}" for i in range(PUBLIC_GROUPS)], "public", now)
            hidden = _rows(DEFAULT_ORG, owner.id, [f"{word} hidden {i}" for i in range(PRIVATE_GROUPS)], "private", now)
            outside = _rows(other.id, away.id, [f"{word} away"], "public", now)
            for rows, members in (public, hidden, outside):
                await svc.db.write(lambda conn, r=rows, m=members: group_queries.insert_groups(conn, r, m))
            return {"first": public[0][0]["id"], "other_org": other.id}
        finally:
            await svc.db.stop()
            svc.hasher.close()

    return asyncio.run(go())


@pytest.fixture(scope="module")
def corpus(live_server: LiveServer) -> dict[str, Any]:
    word = f"gsx{secrets.token_hex(4)}"
    return {"word": word, **seed(live_server, word)}


# ---------------------------------------------------------------- ArcGIS API for Python
try:  # arcgis is big and optional outside CI; its absence skips only this part
    from arcgis.gis import GIS, Group
except ImportError:  # pragma: no cover - depends on the machine
    GIS = None


def test_arcgis_search_pages_through_every_group(gis: Any, corpus: dict[str, Any]) -> None:
    """120 matches, 100 per page: the client loops on nextStart and stops at max_groups."""
    word = corpus["word"]
    found = gis.groups.search(f"title:{word}", max_groups=1000)
    titles = [g.title for g in found]
    # the administrator sees every group of the organization, the private ones included
    assert len(titles) == PUBLIC_GROUPS + PRIVATE_GROUPS and len(set(titles)) == len(titles)
    assert all(isinstance(g, Group) for g in found)
    assert titles == sorted(titles, key=str.lower)  # sort_field="title", sort_order="asc" by default
    assert f"{word} away" not in titles  # the client appends accountid:<org>, which narrows


def test_arcgis_max_groups_and_sorting(gis: Any, corpus: dict[str, Any]) -> None:
    word = corpus["word"]
    some = gis.groups.search(f"title:{word}", max_groups=30)
    assert [g.title for g in some] == [f"{word} {i:03d}" for i in range(30)]
    newest = gis.groups.search(f"title:{word} -hidden", sort_field="created", sort_order="desc", max_groups=3)
    assert [g.title for g in newest] == [f"{word} {i:03d}" for i in (119, 118, 117)]
    by_title = gis.groups.search(f'title:"{word} 11"', sort_field="title", sort_order="desc", max_groups=200)
    assert [g.title for g in by_title] == [f"{word} {i:03d}" for i in range(119, 109, -1)]


def test_arcgis_outside_org(gis: Any, corpus: dict[str, Any]) -> None:
    word = corpus["word"]
    inside = gis.groups.search(f"title:away AND title:{word}", max_groups=10)
    outside = gis.groups.search(f"title:away AND title:{word}", outside_org=True, max_groups=10)
    assert [g.title for g in inside] == []
    assert [g.title for g in outside] == [f"{word} away"]
    assert outside[0].access == "public"


def test_arcgis_bad_query_raises(gis: Any) -> None:
    with pytest.raises(Exception, match="unknown field 'nosuch'"):
        gis.groups.search("nosuch:x")


# ---------------------------------------------------------------- ArcGIS REST JS
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_restjs_group_search(live_server: LiveServer, node_bin: str, corpus: dict[str, Any], scheme: str) -> None:
    word = corpus["word"]
    result = run_node(node_bin, "restjs-group-search.mjs", {
        "portal": live_server.sharing_url(scheme), "admin": live_server.admin_username,
        "adminPassword": live_server.admin_password, "word": word, "groupId": corpus["first"]})
    assert ok(result, "signIn") == live_server.admin_username
    first = ok(result, "firstPage")
    total = PUBLIC_GROUPS + PRIVATE_GROUPS + 1  # no accountid here: the other organization's public group too
    assert (first["total"], first["start"], first["num"], first["nextStart"], first["hasNextPage"]) == \
        (total, 1, 100, 101, True)
    assert first["titles"][:2] == [f"{word} 000", f"{word} 001"]
    second = ok(result, "nextPage")  # an options object: the next page keeps the authentication
    assert (second["total"], second["start"], second["nextStart"], second["hasNextPage"]) == (total, 101, -1, False)
    assert len(second["titles"]) == total - 100 and set(second["titles"]).isdisjoint(first["titles"])
    built = ok(result, "builder")
    assert built["titles"] == [f"{word} {i:03d}" for i in (119, 118, 117, 116, 115)]
    assert built["total"] == PUBLIC_GROUPS and built["nextStart"] == 6
    anonymous = ok(result, "anonymous")  # public groups only: the private ones are not even counted
    assert (anonymous["total"], anonymous["start"], anonymous["nextStart"]) == (PUBLIC_GROUPS + 1, 101, -1)
    assert len(anonymous["titles"]) == PUBLIC_GROUPS + 1 - 100
    member = ok(result, "groupMember")  # the administrator owns the 120
    assert (member["total"], member["num"], len(member["titles"])) == (PUBLIC_GROUPS, 3, 3)
    bad = result["badQuery"]
    assert not bad["ok"] and (bad["error"]["code"], bad["error"]["message"]) == (400, "400: Invalid query."), bad
    assert ok(result, "getGroupContent") == {"total": 0, "start": 1, "num": 100, "nextStart": -1, "items": []}
    assert ok(result, "getGroupContentPaged") == {"total": 0, "start": 1, "num": 10, "nextStart": -1, "items": []}
    missing = result["getGroupContentMissing"]
    assert not missing["ok"] and missing["error"]["code"] == "CONT_0006", missing
