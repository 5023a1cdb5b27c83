"""A small item search corpus built once per test module (test_item_search_fields/_access/_params),
on SQLite or PostgreSQL as the rest of the suite: three organizations, members with and without
the privileges that widen what they see, three groups and eleven items with every searchable
field set.

Organizations: the default one (public; admin, ann, bob, vic without portal:user:viewOrgItems,
iris with portal:admin:viewItems and no other administrative privilege), "Closed" (private,
canSearchPublic=false; olga its administrator, oscar a member) and "Open" (public; carl, cleo).
Groups: team (ann's; bob and oscar members), harbor (olga's; ann a member), trail (carl's).
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from geoshare.app import build_app, build_services
from geoshare.domain import accounts, item_search, privileges
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.errors import GeoshareError
from geoshare.storage import groups as group_store
from geoshare.storage import items as item_store
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import orgs
from tests.conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    DEFAULT_ORG,
    fresh_settings,
    make_group,
    make_user,
    set_org_access,
)

PASSWORD = "Member12345"
FIRE = "/Categories/Hazards/Fire"
FLOOD = "/Categories/Hazards/Flood"
PARKS_URL = "https://Example.com/arcgis/rest/services/Parks/FeatureServer"
# title -> (owner, type, sharing ("public" | "org" | group names), columns)
ITEMS: dict[str, tuple[str, str, tuple[str, ...], dict[str, Any]]] = {
    "Wildfire Risk Map": ("ann", "Web Map", ("public",), {
        "tags": ["fires", "California"], "type_keywords": ["Data", "Online Map"], "snippet": "Burn scars",
        "description": "Seasonal wildfire outlook for the coast", "culture": "en-us", "spatial_reference": "102100",
        "extent_xmin": -120.0, "extent_ymin": 33.0, "extent_xmax": -118.0, "extent_ymax": 35.0, "num_views": 5,
        "num_ratings": 2, "avg_rating": 4.5, "num_comments": 1, "size": 300, "categories": [FIRE],
        "content_status": "org_authoritative", "access_information": "Esri", "license_info": "CC BY",
        "name": "wildfire.json", "data_kind": "file"}),
    "Parks of San Francisco": ("bob", "Feature Service", ("org",), {
        "tags": ["San Francisco", "parks"], "url": PARKS_URL, "culture": "fr-ca", "spatial_reference": "4326",
        "extent_xmin": -123.0, "extent_ymin": 37.0, "extent_xmax": -122.0, "extent_ymax": 38.0, "num_views": 9,
        "num_ratings": 1, "avg_rating": 3.0, "size": 100, "categories": ["/Categories/Recreation", FLOOD]}),
    "Secret Roads": ("ann", "PDF", (), {"tags": ["roads"], "description": "private network", "num_views": 5,
                                        "data_kind": "text", "size": 300}),
    "Team Roads": ("bob", "CSV", ("team",), {"tags": ["roads"], "snippet": "shared with the team", "size": 200}),
    "Harbor Depths": ("olga", "Web Map", ("public",), {
        "tags": ["harbor"], "extent_xmin": 10.0, "extent_ymin": 50.0, "extent_xmax": 12.0, "extent_ymax": 52.0}),
    "Harbor Cranes": ("oscar", "Web Map", ("org",), {"tags": ["harbor"]}),
    "Harbor Survey": ("olga", "PDF", ("harbor",), {"tags": ["harbor"]}),
    "Forest Trails": ("carl", "Web Map", ("public",), {
        "tags": ["trails"], "extent_xmin": 0.0, "extent_ymin": 0.0, "extent_xmax": 1.0, "extent_ymax": 1.0}),
    "Trail Heads": ("cleo", "Web Mapping Application", ("trail",), {"tags": ["trails"]}),
    "Admin Notes": (ADMIN, "Document Link", (), {"tags": ["notes"]}),
    "Vic Sketch": ("vic", "Web Map", ("org",), {"tags": ["sketch"]}),
}


@dataclasses.dataclass
class World:
    svc: Any
    ids: dict[str, str]  # title -> item id
    groups: dict[str, str]  # name -> group id
    orgs: dict[str, str]  # "default" | "closed" | "open" -> org id

    async def caller(self, who: str | None) -> Principal:
        if who is None:
            return ANONYMOUS
        user = await self.svc.db.read(user_store.user_by_username, who)
        return await accounts.principal_for_user(self.svc, user)

    async def search(self, who: str | None, **params: Any) -> dict[str, Any]:
        return await item_search.search_items(self.svc, await self.caller(who), item_search.ItemQuery(**params))

    async def titles(self, who: str | None, **params: Any) -> set[str]:
        """Every matching title (all pages), checking the total counts exactly the results."""
        found: list[str] = []
        start, total = 1, None
        while start != -1:
            page = await self.search(who, **{"num": 100, **params, "start": start})
            total = page["total"]
            found += [r["title"] for r in page["results"]]
            start = page["nextStart"]
        assert len(found) == len(set(found)) == total, (found, total)
        return set(found)

    async def error(self, who: str | None, **params: Any) -> tuple[int, str]:
        try:
            await self.search(who, **params)
        except GeoshareError as exc:
            return exc.code, " ".join(exc.details)
        raise AssertionError(f"no error for {params}")


async def _role(svc: Any, role_id: str, held: list[str]) -> None:
    await svc.db.write(lambda conn: role_store.insert_role(conn, role_id=role_id, org_id=DEFAULT_ORG, name=role_id,
                                                           description=None, privileges=held, now=1))


async def _people(svc: Any, one_org: str | None) -> dict[str, str]:
    """Three organizations (Closed: private, canSearchPublic false); with `one_org`, everyone in
    the default one instead (canSearchPublic false there when `one_org` is "closed")."""
    if one_org is not None:
        for name in ("olga", "carl", "oscar", "cleo"):
            await make_user(svc, name, PASSWORD)
        closed = opened = DEFAULT_ORG
        await set_org_access(svc, DEFAULT_ORG, "public")
        if one_org == "closed":
            await svc.db.write(lambda conn: conn.execute(orgs.update().where(orgs.c.id == DEFAULT_ORG)
                                                         .values(can_search_public=False)))
    else:
        closed_org, _ = await accounts.create_org(svc, "Closed", accounts.NewUser("olga", PASSWORD), access="private")
        opened_org, _ = await accounts.create_org(svc, "Open", accounts.NewUser("carl", PASSWORD))
        closed, opened = closed_org.id, opened_org.id
        await accounts.create_user(svc, closed, accounts.NewUser("oscar", PASSWORD))
        await accounts.create_user(svc, opened, accounts.NewUser("cleo", PASSWORD))
        await set_org_access(svc, DEFAULT_ORG, "public")
        await svc.db.write(lambda conn: conn.execute(orgs.update().where(orgs.c.id == closed)
                                                     .values(can_search_public=False)))
    await _role(svc, "cNoOrgItems00001", [p for p in privileges.VIEWER if p != "portal:user:viewOrgItems"])
    await _role(svc, "cViewItems000001", [*privileges.VIEWER, "portal:admin:viewItems"])
    for name, role_id in (("ann", None), ("bob", None), ("vic", "cNoOrgItems00001"), ("iris", "cViewItems000001")):
        await make_user(svc, name, PASSWORD, role_id=role_id)
    return {"default": DEFAULT_ORG, "closed": closed, "open": opened}


async def _items(svc: Any, group_ids: dict[str, str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for n, (title, (owner, item_type, sharing, columns)) in enumerate(ITEMS.items(), start=1):
        user = await svc.db.read(user_store.user_by_username, owner)
        groups = [group_ids[s] for s in sharing if s in group_ids]
        access = "public" if "public" in sharing else "org" if "org" in sharing else "shared" if groups else "private"
        row = {"id": f"{n:032x}", "org_id": user.org_id, "owner_id": user.id, "title": title,
               "title_key": title.lower(), "type": item_type, "access": access, "shared_public": access == "public",
               "shared_org": access in ("public", "org"), "created": n * 1000, "modified": (12 - n) * 1000,
               **columns}

        def write(conn: Any, row: dict[str, Any] = row, groups: list[str] = groups) -> None:
            item_store.insert_item(conn, row)
            for group_id in groups:
                item_store.share_with(conn, row["id"], group_id, False, 1)

        await svc.db.write(write)
        ids[title] = row["id"]
    return ids


@contextlib.asynccontextmanager
async def built(tmp: Any, request: pytest.FixtureRequest, one_org: str | None = None) -> AsyncIterator[World]:
    settings = fresh_settings(tmp, request)
    svc = build_services(settings)
    application = build_app(settings, svc)
    async with application.router.lifespan_context(application):
        await accounts.bootstrap(svc, ADMIN, ADMIN_PASSWORD, "Test Org")
        org_ids = await _people(svc, one_org)
        groups = {"team": (await make_group(svc, "ann", "Team", members=("bob", "oscar"))).id,
                  "harbor": (await make_group(svc, "olga", "Harbor", members=("ann",))).id,
                  "trail": (await make_group(svc, "carl", "Trail", members=("cleo",))).id}
        yield World(svc, await _items(svc, groups), groups, org_ids)
    svc.hasher.close()


async def walk_access_changes(world: World, check: Callable[[str], Awaitable[None]]) -> None:
    """Every change that moves items between audiences, `check(step)` after the build and after
    each: a share and an unshare, each organization's access, an item's access (a shared one made
    public, then private), its owner, its title and tags, a counter (which moves nothing), a group
    deleted, an item deleted."""
    ids, groups, write = world.ids, world.groups, world.svc.db.write
    secret, team_item = ids["Secret Roads"], ids["Team Roads"]
    await check("built")
    await write(lambda conn: item_store.share_with(conn, secret, groups["harbor"], False, 5))
    await check("shared with harbor")
    await write(lambda conn: item_store.unshare_from(conn, secret, groups["harbor"]))
    await check("unshared")
    for org, value in (("default", "private"), ("default", "public"), ("closed", "public")):
        await write(lambda conn, o=org, v=value: conn.execute(
            orgs.update().where(orgs.c.id == world.orgs[o]).values(access=v)))
        await check(f"{org} org {value}")
    await write(lambda conn: item_store.update_item(conn, secret, {"access": "org", "shared_org": True}))
    await check("item access org")
    await write(lambda conn: item_store.update_item(conn, team_item, {"access": "public", "shared_public": True,
                                                                      "shared_org": True}))
    await check("a group's item made public")
    await write(lambda conn: item_store.update_item(conn, team_item, {"access": "private", "shared_public": False,
                                                                      "shared_org": False}))
    await check("item access private")
    bob = (await world.caller("bob")).user
    assert bob is not None
    await write(lambda conn: item_store.update_item(conn, secret, {"owner_id": bob.id}))
    await check("owner reassigned")
    await write(lambda conn: item_store.update_item(conn, secret, {"title": "Hidden Lanes", "title_key": "hidden lanes",
                                                                   "tags": '["lanes", "roads"]'}))
    await check("title and tags edited")
    await write(lambda conn: item_store.update_item(conn, secret, {"num_views": 99}))
    await check("a counter changed")
    await write(lambda conn: group_store.delete_group(conn, groups["team"]))
    await check("team deleted")
    await write(lambda conn: item_store.delete_item(conn, secret))
    await check("item deleted")
