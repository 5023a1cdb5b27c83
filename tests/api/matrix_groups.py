"""Authorization-matrix rows for creating, reading and managing groups (sharing-api.md §5.2-5.4).

Written by hand from the spec: createGroup needs portal:user:createGroup, which the User,
Publisher and Administrator roles hold and the Viewer (and the custom Viewer + viewUsers role)
do not.  A public group is read by everyone, anonymous callers included.  Management calls work
on a fresh group per call; who may manage a group beyond its privileges (owner, managers) is the
domain's rule, tested in the group tests.
"""

from __future__ import annotations

from typing import Any

from tests.api.matrix_support import (
    ADMINISTRATOR,
    EVERYONE,
    OTHER_ADMIN,
    PUBLISHER,
    USER,
    Call,
    World,
    body_has,
)
from tests.conftest import ADMIN, make_group

MATRIX_GROUP = "0123456789abcdef0123456789abcdef"  # a public group owned by the administrator


async def public_group(world: World) -> dict[str, Any]:
    """The matrix's public group, made once."""
    from geoshare.storage import groups as group_store

    if await world.svc.db.read(group_store.group_by_id, MATRIX_GROUP) is None:
        await make_group(world.svc, ADMIN, "Matrix public group", access="public", group_id=MATRIX_GROUP)
    return {}


async def _create_params(world: World) -> dict[str, Any]:
    return {"title": f"Matrix group {next(world.counter)}", "access": "private", "tags": "matrix"}


def _created(body: Any, world: World, who: str) -> bool:
    return body["success"] is True and body["group"]["title"].startswith("Matrix group ") and len(body["group"]["id"]) == 32


EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", "community/createGroup"): frozenset({USER, PUBLISHER, ADMINISTRATOR, OTHER_ADMIN}),
    ("sharing", "community/groups/{groupId}"): EVERYONE,
}
CALLS: dict[tuple[str, str], Call] = {
    ("sharing", "community/createGroup"): Call("POST", {}, _create_params, body_has(_created)),
    ("sharing", "community/groups/{groupId}"): Call("GET", {"groupId": MATRIX_GROUP}, public_group, body_has(
        lambda b, w, who: (b["id"], b["access"]) == (MATRIX_GROUP, "public"))),
}
