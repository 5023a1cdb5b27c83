"""Authorization-matrix rows for creating, reading and managing groups (sharing-api.md §5.2-5.4).

Written by hand from the spec: createGroup needs portal:user:createGroup, which the User,
Publisher and Administrator roles hold and the Viewer (and the custom Viewer + viewUsers role)
do not.  A public group is read by everyone, anonymous callers included.

Management calls work on a fresh public group per call (`MANAGED`, rewritten before each call):
m_user ("user") owns it, m_publisher ("publisher") is one of its group administrators, and the
default organization's administrator holds every portal:admin:*Groups privilege.  Because the
group is public, every signed-in caller sees it, so those who may not manage it get 403:
update and createNotification admit the owner, group administrators and the organization's
administrator; delete, protect and unprotect the owner and the administrator; reassign the
administrator only.  The administrator of the other organization sees the group but holds no
power over it.  The finer rules are tested in test_group_admin*.py.
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
    Check,
    World,
    body_has,
)
from tests.conftest import ADMIN, image_bytes, make_group

MATRIX_GROUP = "0123456789abcdef0123456789abcdef"  # a public group owned by the administrator
MANAGED = "fedcba9876543210fedcba9876543210"  # rewritten before each management call
PNG = image_bytes()


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


def _managed(**columns: Any) -> Any:
    """A fresh public group owned by m_user with m_publisher as group administrator."""
    async def params(world: World) -> dict[str, Any]:
        from geoshare.storage import group_admin as admin_store
        from geoshare.storage import groups as group_store

        def drop(conn: Any) -> None:
            admin_store.delete_group_invitations(conn, MANAGED)
            group_store.delete_group(conn, MANAGED)

        await world.svc.db.write(drop)
        await make_group(world.svc, "m_user", f"Matrix managed {next(world.counter)}", access="public",
                         admins=("m_publisher",), group_id=MANAGED, **columns)
        return dict(extra)

    extra = columns.pop("params", {})
    return params


async def _with_thumbnail(world: World) -> dict[str, Any]:
    await _managed(thumbnail="matrix.png")(world)
    await world.svc.blobs.put(f"groups/{MANAGED}/info/matrix.png", PNG)
    return {}


def _thumbnail_bytes(response: Any, world: World, who: str) -> None:
    assert response.status_code == 200 and response.headers["content-type"] == "image/png", response.text[:300]
    assert response.content == PNG


def _success(**fields: Any) -> Check:
    return body_has(lambda b, w, who: b == {"success": True, **fields})


MANAGERS = frozenset({USER, PUBLISHER, ADMINISTRATOR})
OWNER_OR_ADMIN = frozenset({USER, ADMINISTRATOR})
MANAGED_PATH = {"groupId": MANAGED}

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", "community/createGroup"): frozenset({USER, PUBLISHER, ADMINISTRATOR, OTHER_ADMIN}),
    ("sharing", "community/groups/{groupId}"): EVERYONE,
    ("sharing", "community/groups/{groupId}/update"): MANAGERS,
    ("sharing", "community/groups/{groupId}/delete"): OWNER_OR_ADMIN,
    ("sharing", "community/groups/{groupId}/protect"): OWNER_OR_ADMIN,
    ("sharing", "community/groups/{groupId}/unprotect"): OWNER_OR_ADMIN,
    ("sharing", "community/groups/{groupId}/reassign"): frozenset({ADMINISTRATOR}),
    ("sharing", "community/groups/{groupId}/createNotification"): MANAGERS,
    ("sharing", "community/groups/{groupId}/info/{file}"): EVERYONE,
    ("sharing", "community/groups/{groupId}/deleteThumbnail"): MANAGERS,
}
CALLS: dict[tuple[str, str], Call] = {
    ("sharing", "community/createGroup"): Call("POST", {}, _create_params, body_has(_created)),
    ("sharing", "community/groups/{groupId}"): Call("GET", {"groupId": MATRIX_GROUP}, public_group, body_has(
        lambda b, w, who: (b["id"], b["access"]) == (MATRIX_GROUP, "public"))),
    ("sharing", "community/groups/{groupId}/update"): Call(
        "POST", MANAGED_PATH, _managed(params={"snippet": "matrix"}), _success(groupId=MANAGED)),
    ("sharing", "community/groups/{groupId}/delete"): Call("POST", MANAGED_PATH, _managed(), _success(groupId=MANAGED)),
    ("sharing", "community/groups/{groupId}/protect"): Call("POST", MANAGED_PATH, _managed(), _success()),
    ("sharing", "community/groups/{groupId}/unprotect"): Call("POST", MANAGED_PATH, _managed(protected=True),
                                                              _success()),
    ("sharing", "community/groups/{groupId}/reassign"): Call(
        "POST", MANAGED_PATH, _managed(params={"targetUsername": "m_viewer"}), _success(groupId=MANAGED)),
    ("sharing", "community/groups/{groupId}/createNotification"): Call(
        "POST", MANAGED_PATH, _managed(params={"subject": "Matrix", "message": "hello", "notifyAll": "true"}),
        _success()),
    ("sharing", "community/groups/{groupId}/info/{file}"): Call(
        "GET", {"groupId": MANAGED, "file": "matrix.png"}, _with_thumbnail, _thumbnail_bytes, html=False),
    ("sharing", "community/groups/{groupId}/deleteThumbnail"): Call("POST", MANAGED_PATH, _with_thumbnail, _success()),
}
