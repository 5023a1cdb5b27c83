"""Item search, field by field (sharing-api.md §7.3-7.4): every item field on both sides (a match
and a non-match), the case rules, ranges, wildcards, phrases, the operators with the filter fields
and `filter`.  Run as the default organization's administrator over the corpus of
item_search_world.py (built once for the module)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.api.item_search_world import FIRE, PARKS_URL, World, built
from tests.conftest import ADMIN

pytestmark = pytest.mark.asyncio(loop_scope="module")

WILD, PARKS, SECRET, TEAM = "Wildfire Risk Map", "Parks of San Francisco", "Secret Roads", "Team Roads"
DEPTHS, TRAILS, NOTES, VIC = "Harbor Depths", "Forest Trails", "Admin Notes", "Vic Sketch"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> AsyncIterator[World]:
    async with built(tmp_path_factory.mktemp("fields"), request) as w:
        yield w


def _cases(world: World) -> list[tuple[str, set[str]]]:
    wild, group = world.ids[WILD], world.groups["team"]
    return [
        (f"id:{wild}", {WILD}), (f"id:{wild.upper()}", {WILD}), ("id:" + "9" * 32, set()),
        ("owner:ann", {WILD, SECRET}), ("owner:ANN", {WILD, SECRET}), ("owner:an", set()),
        (f"orgid:{world.orgs['open']}", {TRAILS}), (f"orgid:{world.orgs['open'].lower()}", {TRAILS}),
        (f"accountid:{world.orgs['open'].upper()}", {TRAILS}), ("accountid:0000000000000000", set()),
        ("title:wildfire", {WILD}), ("TITLE:WILDFIRE", {WILD}), ("title:harbor", {DEPTHS}), ("title:coast", set()),
        ('type:"Web Map"', {WILD, DEPTHS, TRAILS, VIC}), ('type:"web map"', {WILD, DEPTHS, TRAILS, VIC}),
        ("type:service", {PARKS}), ('type:"Map"', set()), ("type:pdf", {SECRET}),
        ("typekeywords:online", {WILD}), ("typekeywords:offline", set()),
        ("description:seasonal", {WILD}), ("description:network", {SECRET}), ("description:burn", set()),
        ("snippet:burn", {WILD}), ("snippet:team", {TEAM}), ("snippet:seasonal", set()),
        ('tags:"San Francisco"', {PARKS}), ("tags:road", {SECRET, TEAM}), ("tags:wildfire", set()),
        ("accessinformation:esri", {WILD}), ("accessinformation:cc", set()),
        ("licenseinfo:cc", {WILD}), ("licenseinfo:esri", set()),
        ("name:wildfire", {WILD}), ("name:json", {WILD}), ("name:parks", set()),
        (f'url:"{PARKS_URL}"', {PARKS}), (f'url:"{PARKS_URL.lower()}"', {PARKS}), ('url:"https://example.com"', set()),
        ("spatialreference:102100", {WILD}), ("spatialreference:4326", {PARKS}), ("spatialreference:3857", set()),
        ("itemtype:file", {WILD}), ("itemtype:URL", {PARKS}), ("itemtype:text", {SECRET}),
        ("access:public", {WILD, DEPTHS, TRAILS}), ("access:PRIVATE", {SECRET, NOTES}), ("access:shared", {TEAM}),
        ("access:org", {PARKS, VIC}),
        (f"group:{group}", {TEAM}), (f"group:{group.upper()}", {TEAM}), (f"group:{world.groups['trail']}", set()),
        ("culture:en", {WILD}), ("culture:EN-US", {WILD}), ("culture:fr", {PARKS}), ("culture:e", set()),
        ("culture:us", set()),
        ("created:[1000 TO 2000]", {WILD, PARKS}), ("created:{1000 TO 2000}", set()),
        ("created:{1000 TO 2000]", {PARKS}), ("created:[1000 TO 2000}", {WILD}),
        ("created:[0000000000000001000 TO 0000000000000002000]", {WILD, PARKS}),
        ("uploaded:[0000000000000003000 TO 4000]", {SECRET, TEAM}), ("created:[10000 TO *]", {NOTES, VIC}),
        ("created:{* TO 2000}", {WILD}), ("created:3000", {SECRET}),
        ("modified:[10000 TO 11000]", {WILD, PARKS}), ("modified:{10000 TO 11000}", set()),
        ("numviews:[5 TO 5]", {WILD, SECRET}), ("numviews:{5 TO 9]", {PARKS}), ("numviews:9", {PARKS}),
        ("numviews:{9 TO *]", set()), ("numratings:[1 TO 2]", {WILD, PARKS}), ("numratings:{1 TO 2]", {WILD}),
        ("numcomments:1", {WILD}), ("numcomments:[2 TO *]", set()), ("avgrating:[4 TO 5]", {WILD}),
        ("avgrating:{3 TO 4.5}", set()), ("avgrating:3", {PARKS}),
        (f'categories:"{FIRE}"', {WILD}), ('categories:"/categories/hazards"', {WILD, PARKS}),
        ('categories:"/Categories/Haz"', set()), ("categories:/Categories/Recreation", {PARKS}),
        ("contentstatus:org_authoritative", {WILD}), ("contentstatus:ORG_AUTHORITATIVE", {WILD}),
        ("contentstatus:deprecated", set()),
    ]


async def test_every_field_both_sides(world: World) -> None:
    wrong = {}
    for q, want in _cases(world):
        got = await world.titles(ADMIN, q=q)
        if got != want:
            wrong[q] = (sorted(got), sorted(want))
    assert not wrong


@pytest.mark.parametrize(("q", "want"), [
    ("wild*", {WILD}), ("WILD*", {WILD}), ("w?ldfire", {WILD}), ("wi*fire", {WILD}), ("W?LDFIRE", {WILD}),
    # a wildcard inside a word matches whole words only, and never spans two words
    ("w?ld", set()), ("wi*fir", set()), ("ri*ap", set()), ("title:r*p", set()), ("ro?ds", {SECRET, TEAM}),
    ("r*ds", {SECRET, TEAM}), ("tags:r*s", {SECRET, TEAM}), ("s?cret", {SECRET}), ("description:o*k", {WILD}),
    ("title:sec*", {SECRET}), ("owner:an*", {WILD, SECRET}), ("owner:b?b", {PARKS, TEAM}),
    ('type:"web*"', {WILD, DEPTHS, TRAILS, VIC}),
    ('"risk map"', {WILD}), ('"map risk"', set()), ('title:"san francisco"', {PARKS}),
    ('"outlook wildfire"', set()), ('"seasonal wildfire outlook"', {WILD}),
    # a phrase never joins the end of one field to the start of the next (title, then tags)
    ('"map fires"', set()), ('"roads roads"', set()), ('"scars seasonal"', set()),
    ("title:roads -team", {SECRET}), ("title:roads NOT description:private", {TEAM}),
    ("title:roads !team", {SECRET}), ("roads AND team", {TEAM}), ("roads && team", {TEAM}),
    ("roads OR trails", {SECRET, TEAM, TRAILS}), ("roads || trails", {SECRET, TEAM, TRAILS}),
    ("roads trails", {SECRET, TEAM, TRAILS}), ("+roads +team", {TEAM}),
    # the parser's rule: beside required clauses, at least one of the optional ones must hold
    ("+roads team", {TEAM}), ("+roads team trails", {TEAM}), ("owner:bob roads trails", {TEAM}),
    ("(roads OR trails) AND type:pdf", {SECRET}), ("title:parks map", {WILD, PARKS, DEPTHS, TRAILS, VIC}),
    ("tags:(roads OR trails)", {SECRET, TEAM, TRAILS}), ("roads and team", {SECRET, TEAM}),
    # clauses on filter fields written without an operator are required
    ("roads owner:bob", {TEAM}), ("roads access:private", {SECRET}), ("roads type:csv", {TEAM}),
    ("map accountid:0123456789abcdef", {WILD, VIC}), ("roads OR owner:carl", {SECRET, TEAM, TRAILS}),
    ("roads -owner:bob", {SECRET}), ("*", {WILD, PARKS, SECRET, TEAM, DEPTHS, TRAILS, NOTES, VIC}),
])
async def test_wildcards_phrases_operators(world: World, q: str, want: set[str]) -> None:
    assert await world.titles(ADMIN, q=q) == want


@pytest.mark.parametrize("q", ["*fire", "?ildfire", "title:*fire", "nosuchfield:x", "title:(roads", "itemtype:folder",
                               "numviews:many", "created:[a TO b]", "tags:[a TO b]", '"unclosed'])
async def test_rejected_queries_are_400(world: World, q: str) -> None:
    code, details = await world.error(ADMIN, q=q)
    assert code == 400 and details


@pytest.mark.parametrize(("text", "want"), [
    ('title:"Wildfire Risk Map"', {WILD}), ('title:"wildfire risk map"', {WILD}), ("title:Wildfire", set()),
    ("tags:roads", {SECRET, TEAM}), ("tags:road", set()), ('tags:"San Francisco"', {PARKS}), ("tags:San", set()),
    ("owner:ann", {WILD, SECRET}), ('type:"Web Map"', {WILD, DEPTHS, TRAILS, VIC}), ("type:map", set()),
    ("access:org", {PARKS, VIC}), ('typekeywords:"Online Map"', {WILD}), ("typekeywords:online", set()),
    ('title:"Secret Roads" OR title:"Team Roads"', {SECRET, TEAM}),
])
async def test_filter_matches_whole_values(world: World, text: str, want: set[str]) -> None:
    assert await world.titles(ADMIN, q="*", filter=text) == want
    assert await world.titles(ADMIN, q="roads", filter=text) == want & {SECRET, TEAM}


async def test_filter_errors_name_the_filter(world: World) -> None:
    code, details = await world.error(ADMIN, q="*", filter="color:red")
    assert code == 400 and "'filter'" in details


async def test_a_result_is_an_item_without_private_keys(world: World, **_: Any) -> None:
    page = await world.search(ADMIN, q=f"id:{world.ids[WILD]}")
    doc = page["results"][0]
    assert doc["id"] == world.ids[WILD] and doc["owner"] == "ann" and doc["access"] == "public"
    assert not {"protected", "ownerFolder", "itemControl"} & set(doc)
