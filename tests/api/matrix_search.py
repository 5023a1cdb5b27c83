"""Authorization-matrix rows for item search (sharing-api.md §7.1, §7.2, §7.5).

Written by hand from the spec: item search is open to everyone, anonymous callers included, and
so is the search inside a group anyone may see (the matrix's public group).  Each call searches
for the matrix's public item by id and must find exactly it: everyone may read a public item.
Who finds which private, org or shared item is the domain's rule (test_search_http_access.py
and S's item search tests).
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_groups import MATRIX_GROUP, public_group
from tests.api.matrix_items import PUBLIC_ITEM, public_item
from tests.api.matrix_support import EVERYONE, Call, World, body_has


async def _search_params(world: World) -> dict[str, Any]:
    await public_item(world)
    return {"q": f"id:{PUBLIC_ITEM}"}


async def _group_search_params(world: World) -> dict[str, Any]:
    await public_group(world)
    return {"q": "*"}


def _found(body: Any, world: World, who: str) -> bool:
    return body["total"] == 1 and [i["id"] for i in body["results"]] == [PUBLIC_ITEM] and body["nextStart"] == -1


def _empty(body: Any, world: World, who: str) -> bool:
    # nothing is shared with the matrix group: a real, empty page
    return (body["total"], body["start"], body["nextStart"], body["results"]) == (0, 1, -1, [])


EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", "search"): EVERYONE,
    ("sharing", "content/groups/{groupId}/search"): EVERYONE,
}
CALLS: dict[tuple[str, str], Call] = {
    ("sharing", "search"): Call("GET", {}, _search_params, body_has(_found)),
    ("sharing", "content/groups/{groupId}/search"): Call("GET", {"groupId": MATRIX_GROUP}, _group_search_params,
                                                         body_has(_empty)),
}
