"""Authorization-matrix rows for the roles operations (see test_authorization_matrix.py).

Written by hand from sharing-api.md §3.4 and §4.8: the roles resources need
portal:admin:manageRoles, updateUserRole portal:admin:changeUserRoles, updateUserLicenseType
portal:admin:manageLicenses.  Only the organizations' full administrators hold those among the
matrix's callers; the custom-role caller (Viewer + portal:admin:viewUsers) holds none of them.

Reads go through `portals/self`, so both organizations' administrators are admitted, each to
their own organization (the built-in Viewer role exists in both).  The operations that change
something name the default organization by id: there only its own administrator is admitted,
and the other organization's administrator gets the plain 403, since administrative powers stop
at the organization.  Each of those calls creates its own role or member first.
"""

from __future__ import annotations

import json
import re
from typing import Any

from geoshare.domain import privileges
from geoshare.storage import roles as role_store
from tests.api.matrix_support import ADMINISTRATOR, ORG_ADMINS, Call, World, _none, body_has
from tests.conftest import DEFAULT_ORG, make_user

MATRIX_ROLE = "matrixRole000001"
SELF = {"portal": "self"}
DEFAULT = {"portal": DEFAULT_ORG}
ROLE = {"portal": DEFAULT_ORG, "roleId": MATRIX_ROLE}
VIEWER_ROLE = {"portal": "self", "roleId": privileges.VIEWER_ROLE_ID}


async def _fresh_role(world: World) -> None:
    """The role the state-changing calls work on, made again before each call."""
    now = world.svc.clock.now_ms()

    def recreate(conn: Any) -> None:
        role_store.delete_role(conn, MATRIX_ROLE)
        role_store.insert_role(conn, role_id=MATRIX_ROLE, org_id=DEFAULT_ORG, name=f"Matrix {next(world.counter)}",
                               description=None, privileges=[], now=now)

    await world.svc.db.write(recreate)


async def _create_params(world: World) -> dict[str, Any]:
    return {"name": f"Created {next(world.counter)}", "description": "made by the matrix"}


async def _update_params(world: World) -> dict[str, Any]:
    await _fresh_role(world)
    return {"name": f"Renamed {next(world.counter)}"}


async def _delete_params(world: World) -> dict[str, Any]:
    await _fresh_role(world)
    return {}


async def _privileges_params(world: World) -> dict[str, Any]:
    await _fresh_role(world)
    return {"privileges": json.dumps({"privileges": list(privileges.VIEWER)})}


async def _target_params(world: World) -> dict[str, Any]:
    username = f"m_target_{next(world.counter)}"
    await make_user(world.svc, username, "Member12345")
    return {"user": username, "role": "org_publisher"}


async def _licence_params(world: World) -> dict[str, Any]:
    username = f"m_licence_{next(world.counter)}"
    await make_user(world.svc, username, "Member12345")
    return {"users": username, "userLicenseType": "GISProfessionalAdvUT"}


def _roles_page(body: Any, world: World, who: str) -> bool:
    return body["total"] >= 2 and [r["name"] for r in body["roles"][:2]] == ["Viewer", "Data Editor"]


def _created(body: Any, world: World, who: str) -> bool:
    return body["success"] is True and re.fullmatch("[A-Za-z0-9]{16}", body["id"]) is not None and set(body) == {
        "success", "id"}


def _target_changed(body: Any, world: World, who: str) -> bool:
    return body["success"] is True and body["username"].startswith("m_target_")


def _licence_changed(body: Any, world: World, who: str) -> bool:
    [result] = body["results"]
    return result["username"].startswith("m_licence_") and result["status"] is True and result["success"] is True


EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", "portals/{portal}/roles"): ORG_ADMINS,
    ("sharing", "portals/{portal}/createRole"): ORG_ADMINS,
    ("sharing", "portals/{portal}/roles/{roleId}"): ORG_ADMINS,
    ("sharing", "portals/{portal}/roles/{roleId}/privileges"): ORG_ADMINS,
    ("sharing", "portals/{portal}/roles/{roleId}/update"): frozenset({ADMINISTRATOR}),
    ("sharing", "portals/{portal}/roles/{roleId}/delete"): frozenset({ADMINISTRATOR}),
    ("sharing", "portals/{portal}/roles/{roleId}/setPrivileges"): frozenset({ADMINISTRATOR}),
    ("sharing", "portals/{portal}/updateUserRole"): frozenset({ADMINISTRATOR}),
    ("sharing", "portals/{portal}/updateUserLicenseType"): frozenset({ADMINISTRATOR}),
}
CALLS: dict[tuple[str, str], Call] = {
    ("sharing", "portals/{portal}/roles"): Call("GET", SELF, _none, body_has(_roles_page)),
    ("sharing", "portals/{portal}/createRole"): Call("POST", SELF, _create_params, body_has(_created)),
    ("sharing", "portals/{portal}/roles/{roleId}"): Call("GET", VIEWER_ROLE, _none, body_has(
        lambda b, w, who: (b["id"], b["name"]) == (privileges.VIEWER_ROLE_ID, "Viewer"))),
    ("sharing", "portals/{portal}/roles/{roleId}/privileges"): Call("GET", VIEWER_ROLE, _none, body_has(
        lambda b, w, who: b == {"id": privileges.VIEWER_ROLE_ID, "privileges": list(privileges.VIEWER)})),
    ("sharing", "portals/{portal}/roles/{roleId}/update"): Call("POST", ROLE, _update_params, body_has(
        lambda b, w, who: b == {"success": True, "id": MATRIX_ROLE})),
    ("sharing", "portals/{portal}/roles/{roleId}/delete"): Call("POST", ROLE, _delete_params, body_has(
        lambda b, w, who: b == {"success": True})),
    ("sharing", "portals/{portal}/roles/{roleId}/setPrivileges"): Call("POST", ROLE, _privileges_params, body_has(
        lambda b, w, who: b == {"success": True})),
    ("sharing", "portals/{portal}/updateUserRole"): Call("POST", DEFAULT, _target_params, body_has(_target_changed)),
    ("sharing", "portals/{portal}/updateUserLicenseType"): Call("POST", DEFAULT, _licence_params,
                                                                body_has(_licence_changed)),
}
