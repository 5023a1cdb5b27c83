"""Authorization-matrix rows for group search and a group's content listing (sharing-api.md §5.6,
§5.7).

Written by hand from the spec: both are open to everyone, anonymous callers included (who then
see public groups only).  The call searches for the matrix's public group by id and lists its
content; every caller sees it.  Which groups each caller finds is the domain's rule, tested in
test_group_visibility.py.
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_groups import MATRIX_GROUP, public_group
from tests.api.matrix_support import EVERYONE, Call, World, body_has


async def _search_params(world: World) -> dict[str, Any]:
    await public_group(world)
    return {"q": f"id:{MATRIX_GROUP}"}


def _found(body: Any, world: World, who: str) -> bool:
    return body["total"] == 1 and [g["id"] for g in body["results"]] == [MATRIX_GROUP]


def _listed(body: Any, world: World, who: str) -> bool:
    return (body["total"], body["start"], body["nextStart"], body["items"]) == (0, 1, -1, [])


EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", "community/groups"): EVERYONE,
    ("sharing", "content/groups/{groupId}"): EVERYONE,
}
CALLS: dict[tuple[str, str], Call] = {
    ("sharing", "community/groups"): Call("GET", {}, _search_params, body_has(_found)),
    ("sharing", "content/groups/{groupId}"): Call("GET", {"groupId": MATRIX_GROUP}, public_group, body_has(_listed)),
}
