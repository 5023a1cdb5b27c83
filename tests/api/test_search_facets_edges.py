"""countFields / countSize facets (domain/search_facets.py, storage/search_facets.py) at their edges,
through the search operation: both sides of countSize 1..200 and of the three-field limit, the
default of ten values, exact counts (each item once per value, empty values never counted,
ties in value order), and only the items the caller may read."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.item_support import error_of, get
from tests.conftest import get_token, make_item, make_user

PASSWORD = "Member12345"
TAGS = [f"t{n:02d}" for n in range(12)]  # twelve distinct tags, each on one item: ties by value


@pytest.fixture
async def world(client: Any, svc: Any) -> dict[str, Any]:
    await make_user(svc, "fern", PASSWORD)
    await make_user(svc, "gil", PASSWORD)
    await make_item(svc, "fern", "pond one", item_type="Web Map", shared_public=True, culture="",
                    tags=["Zeta", "zeta", "", *TAGS], type_keywords=["Map"], categories=["/Categories/Water"],
                    content_status="")
    await make_item(svc, "fern", "pond two", item_type="CSV", shared_public=True, culture="de-DE",
                    tags=["zeta", "alpha"], type_keywords=[], content_status="deprecated")
    await make_item(svc, "gil", "pond three", item_type="csv", shared_public=True, tags=["Alpha"])
    await make_item(svc, "gil", "pond secret", item_type="PDF", tags=["zeta", "secret"], culture="fr-FR")
    await make_item(svc, "gil", "lake", item_type="PDF", shared_public=True, tags=["zeta"])  # not a pond
    return {"gil": await get_token(client, "gil", PASSWORD)}


async def facets(client: Any, token: str | None, **params: Any) -> dict[str, list[tuple[str, int]]]:
    body = (await get(client, token, "search", q="pond", num="0", **params)).json()
    assert "error" not in body, body
    return {c["fieldName"]: [(v["value"], v["count"]) for v in c["fieldValues"]]
            for c in body["aggregations"]["counts"]}


async def refusal(client: Any, **params: Any) -> tuple[int, list[str]]:
    code, _, details = error_of((await get(client, None, "search", q="pond", **params)).json())
    return code, details


async def test_exact_counts_over_the_callers_matches(client, world):
    assert await facets(client, None, countFields="tags", countSize="4") == {
        "tags": [("alpha", 2), ("zeta", 2), ("t00", 1), ("t01", 1)]}
    assert await facets(client, world["gil"], countFields="tags", countSize="3") == {
        "tags": [("zeta", 3), ("alpha", 2), ("secret", 1)]}


async def test_three_fields_keep_their_order_and_empty_values_never_count(client, world):
    assert await facets(client, None, countFields="culture, TYPE,contentstatus") == {
        "culture": [("de-de", 1)], "type": [("csv", 2), ("web map", 1)], "contentstatus": [("deprecated", 1)]}
    assert await facets(client, None, countFields="owner,typekeywords,categories") == {
        "owner": [("fern", 2), ("gil", 1)], "typekeywords": [("map", 1)],
        "categories": [("/categories/water", 1)]}


async def test_a_fourth_field_is_refused(client, world):
    assert await refusal(client, countFields="type,access,tags,owner") == (
        400, ["'countFields' takes one to three of type, access, tags, typekeywords, owner, categories, culture, "
         "contentstatus."])
    assert (await refusal(client, countFields=" , "))[1] == (await refusal(client, countFields="title"))[1]


async def test_ten_values_by_default(client, world):
    got = (await facets(client, None, countFields="tags"))["tags"]
    assert got == [("alpha", 2), ("zeta", 2), *((t, 1) for t in TAGS[:8])]


@pytest.mark.parametrize(("size", "kept"), [("1", 1), ("13", 13), ("200", 14)])
async def test_count_size_within_one_to_two_hundred(client, world, size, kept):
    got = (await facets(client, None, countFields="tags", countSize=size))["tags"]
    assert got == [("alpha", 2), ("zeta", 2), *((t, 1) for t in TAGS)][:kept]


@pytest.mark.parametrize("size", ["0", "201", "-1"])
async def test_count_size_outside_one_to_two_hundred_is_refused(client, world, size):
    assert await refusal(client, countFields="tags", countSize=size) == (
        400, ["'countSize' must be between 1 and 200."])
