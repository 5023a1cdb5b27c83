"""Item search, who sees what (sharing-api.md §7.5, §8.2): every caller of item_search_world.py
against every item, with totals counting only what the caller may open; searchUserAccess and the
group scope of content/groups/{id}/search."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.api.item_search_world import ITEMS, World, built
from tests.conftest import ADMIN

pytestmark = pytest.mark.asyncio(loop_scope="module")

WILD, PARKS, SECRET, TEAM = "Wildfire Risk Map", "Parks of San Francisco", "Secret Roads", "Team Roads"
DEPTHS, CRANES, SURVEY = "Harbor Depths", "Harbor Cranes", "Harbor Survey"
TRAILS, HEADS, NOTES, VIC = "Forest Trails", "Trail Heads", "Admin Notes", "Vic Sketch"
PUBLIC_OF_PUBLIC_ORGS = {WILD, TRAILS}  # Harbor Depths is public in a private organization
SEEN: dict[str | None, set[str]] = {
    None: PUBLIC_OF_PUBLIC_ORGS,
    # a member: public items of every organization, org items, own items, their groups' items
    "ann": {WILD, PARKS, SECRET, TEAM, DEPTHS, SURVEY, TRAILS, VIC},
    "bob": {WILD, PARKS, TEAM, DEPTHS, TRAILS, VIC},
    # without portal:user:viewOrgItems the organization's `org` items drop out (not their own)
    "vic": {WILD, DEPTHS, TRAILS, VIC},
    # portal:admin:viewItems: every item of the own organization, nothing private elsewhere
    "iris": {WILD, PARKS, SECRET, TEAM, NOTES, VIC, DEPTHS, TRAILS},
    ADMIN: {WILD, PARKS, SECRET, TEAM, NOTES, VIC, DEPTHS, TRAILS},
    # canSearchPublic=false: other organizations' public items drop out, group shares stay
    "oscar": {DEPTHS, CRANES, TEAM},
    "olga": {DEPTHS, CRANES, SURVEY},
    "carl": {WILD, DEPTHS, TRAILS, HEADS},
    "cleo": {WILD, DEPTHS, TRAILS, HEADS},
}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with built(tmp_path_factory.mktemp("access"), request) as w:
        yield w


@pytest.mark.parametrize("who", list(SEEN))
async def test_each_caller_sees_exactly_what_it_may_open(world: World, who: str | None) -> None:
    assert await world.titles(who, q="*") == SEEN[who]
    # the same through a field query, a free-text word and a bbox: hidden items never counted
    assert await world.titles(who, q="tags:harbor") == SEEN[who] & {DEPTHS, CRANES, SURVEY}
    assert await world.titles(who, q="harbor OR roads") == SEEN[who] & {DEPTHS, CRANES, SURVEY, SECRET, TEAM}
    assert await world.titles(who, bbox="-180,-90,180,90") == SEEN[who] & {WILD, PARKS, DEPTHS, TRAILS}
    page = await world.search(who, q="*", num=1)
    assert page["total"] == len(SEEN[who])


async def test_every_item_is_seen_by_someone(world: World) -> None:
    assert set().union(*SEEN.values()) == set(ITEMS)


@pytest.mark.parametrize(("who", "user", "want"), [
    ("ann", None, {TEAM, SURVEY}),  # ann's groups: team (hers) and harbor
    ("ann", "ANN", {TEAM, SURVEY}),
    ("bob", None, {TEAM}),
    ("oscar", None, {TEAM}),  # a group share from another organization is visible to its members
    ("vic", None, set()),
    (ADMIN, "ann", {TEAM}),  # ann's harbor item is another organization's: the admin may not see it
    (ADMIN, "bob", {TEAM}),
    ("iris", "ann", {TEAM}),  # portal:admin:viewItems names members of its own organization
])
async def test_group_member_scope(world: World, who: str, user: str | None, want: set[str]) -> None:
    assert await world.titles(who, q="*", user_access="groupMember", user_name=user) == want
    assert await world.titles(who, q="*", user_access="GROUPMEMBER", user_name=user) == want


@pytest.mark.parametrize(("who", "user"), [
    ("bob", "ann"),  # a member naming someone else
    (ADMIN, "oscar"),  # an administrator naming another organization's member
    (ADMIN, "nobody"),  # nobody of that name
    (None, "ann"),  # anonymous
    (None, None),
])
async def test_group_member_scope_forbidden(world: World, who: str | None, user: str | None) -> None:
    code, _ = await world.error(who, q="*", user_access="groupMember", user_name=user)
    assert code == 403


async def test_group_member_scope_value(world: World) -> None:
    code, details = await world.error("ann", q="*", user_access="everyone")
    assert code == 400 and "searchUserAccess" in details


@pytest.mark.parametrize(("who", "group", "want"), [
    ("ann", "team", {TEAM}), ("bob", "team", {TEAM}), ("oscar", "team", {TEAM}), (ADMIN, "team", {TEAM}),
    ("vic", "team", set()),  # not a member: the group's items stay hidden
    ("ann", "harbor", {SURVEY}), (ADMIN, "harbor", set()), ("olga", "harbor", {SURVEY}),
    ("cleo", "trail", {HEADS}), (None, "trail", set()), ("ann", "trail", set()),
])
async def test_group_scope(world: World, who: str | None, group: str, want: set[str]) -> None:
    assert await world.titles(who, q="*", group_id=world.groups[group]) == want
    assert await world.titles(who, q="*", group_id=world.groups[group].upper()) == want
    assert await world.titles(who, q="harbor OR roads OR trails", group_id=world.groups[group]) == want


async def test_group_scope_combines_with_the_query(world: World) -> None:
    assert await world.titles("ann", q="title:wildfire", group_id=world.groups["team"]) == set()
    assert await world.titles("ann", q=f"group:{world.groups['harbor']}", group_id=world.groups["team"]) == set()


EVERYTHING = "created:[0 TO 9999999999999]"  # any item: `group:<id> AND` it takes the general path


async def _answer(world: World, who: str | None, **params: Any) -> tuple[int, list[str], Any]:
    found = await world.search(who, num=100, **params)
    return found["total"], [r["title"] for r in found["results"]], found.get("aggregations")


@pytest.mark.parametrize("who", list(SEEN))
async def test_a_groups_search_from_its_shares_answers_as_the_general_path(world: World, who: str | None) -> None:
    """`q=group:<id>` alone, newest first, is read from the group's shares (migration 0020); with
    anything else that narrows or orders it, or for a caller whose rule canSearchPublic narrows,
    it is the general search: the same answers either way, for every caller and group."""
    from geoshare.storage import items as item_store

    other = world.groups["team"]
    wild, harbor = world.ids[WILD], world.groups["harbor"]  # another organization's public item in Harbor:
    await world.svc.db.write(lambda conn: item_store.share_with(conn, wild, harbor, False, 9))  # (oscar's rule drops it)
    variants: list[dict[str, Any]] = [
        {}, {"sort_field": "title", "sort_order": "asc"}, {"sort_field": "title", "sort_order": "desc"},
        {"bbox": "-180,-90,180,90"}, {"count_fields": "type,access", "count_size": 5},
        {"filter": f'title:"{TEAM}"'}, {"categories": ("/Categories/Water",)}, {"group_id": other},
        {"user_access": "groupMember"}]
    try:
        for group in world.groups.values():
            for extra in variants:
                if "user_access" in extra and who is None:
                    continue
                assert await _answer(world, who, q=f"group:{group}", **extra) == \
                    await _answer(world, who, q=f"group:{group} AND {EVERYTHING}", **extra), (group, extra)
    finally:
        await world.svc.db.write(lambda conn: item_store.unshare_from(conn, wild, harbor))
