"""Roles with the real ArcGIS API for Python (PyPI `arcgis` 2.4.4) against the real server:
`gis.users.roles` (all, create, get_role), `Role.privileges` read and set, `Role.delete`,
`User.update_role` with a built-in name and with a custom Role, `User.update_license_type`, and
the `role` / `roleId` the client reads back (clients.md §4.1).

The members are created with geoshare's own domain functions on the running server's database
(the same path `geoshare users` commands take), so this module needs no user-creation operation.
"""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest

from .support import LiveServer

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning"),
]

try:
    from arcgis.gis import GIS, Role
except ImportError as exc:  # pragma: no cover - depends on the machine
    pytest.skip(f"arcgis (the ArcGIS API for Python) does not import: {exc}; run scripts/install-test-deps",
                allow_module_level=True)

PASSWORD = "Member-e2e-12345"


def add_members(server: LiveServer, *usernames: str, user_type: str = "creatorUT") -> None:
    """Members of the default organization, written by geoshare's domain on the server's database."""
    from geoshare.app import build_services
    from geoshare.domain import accounts
    from geoshare.settings import load_settings
    from geoshare.storage import users as user_store

    settings = load_settings({"data_dir": str(server.data_dir), "database_url": server.database_url,
                              "argon2_time_cost": 1, "argon2_memory_kib": 1024}, environ={})
    svc = build_services(settings)

    async def create() -> None:
        await svc.db.start()
        try:
            org = await accounts.default_org(svc)
            for name in usernames:
                user = await accounts.create_user(svc, org.id, accounts.NewUser(name, PASSWORD))
                await svc.db.write(lambda conn, u=user: user_store.update_user(conn, u.id,
                                                                                user_license_type_id=user_type))
        finally:
            await svc.db.stop()
            svc.hasher.close()

    asyncio.run(create())


def unique(prefix: str) -> str:
    return f"{prefix}_{secrets.token_hex(3)}"


def test_roles_all_names_the_built_in_viewer_and_data_editor(gis: Any) -> None:
    found = {role.role_id: role.name for role in gis.users.roles.all()}
    assert found["iAAAAAAAAAAAAAAA"] == "Viewer" and found["iBBBBBBBBBBBBBBB"] == "Data Editor"
    viewer = gis.users.roles.get_role("Viewer")
    assert viewer is not None and viewer.role_id == "iAAAAAAAAAAAAAAA"
    assert viewer.privileges == ["portal:user:joinGroup", "portal:user:viewOrgGroups", "portal:user:viewOrgItems",
                                 "portal:user:viewOrgUsers"]


def test_create_read_set_and_delete_a_role(gis: Any) -> None:
    name = unique("E2E analysts")
    wanted = ["portal:user:joinGroup", "portal:user:createItem", "premium:publisher:createNotebooks"]
    role = gis.users.roles.create(name=name, description="Made by <b>arcgis</b>", privileges=wanted)
    assert isinstance(role, Role) and len(role.role_id) == 16
    assert role.privileges == wanted  # unknown names stay as written
    assert gis.users.roles.exists(name.upper())
    listed = gis.users.roles.get_role(role.role_id)
    assert (listed.name, listed.description) == (name, "Made by <b>arcgis</b>")
    # the same name again: the client finds the existing role instead of making a second
    assert gis.users.roles.create(name=name.lower(), description="again").role_id == role.role_id

    role.privileges = ["portal:user:joinGroup", "portal:user:joinGroup"]  # fewer come back: the client resends
    assert role.privileges == ["portal:user:joinGroup"]
    role.privileges = None
    assert role.privileges == []
    role.description = "Renamed by arcgis"
    assert gis.users.roles.get_role(role.role_id).description == "Renamed by arcgis"

    assert role.delete() is True
    assert gis.users.roles.get_role(role.role_id) is None
    assert not any(r.role_id == role.role_id for r in gis.users.roles.all())


def test_update_role_with_names_and_with_a_custom_role(gis: Any, live_server: LiveServer) -> None:
    username = unique("e2e_member")
    add_members(live_server, username)
    user = gis.users.get(username)
    assert (user.role, user.roleId) == ("org_user", "org_user")  # built-in: no roleId sent (clients.md §4.1)

    assert user.update_role("org_publisher") is True
    again = gis.users.get(username)
    assert (again.role, again.roleId) == ("org_publisher", "org_publisher")
    assert "portal:publisher:publishFeatures" in again.privileges

    custom = gis.users.roles.create(name=unique("E2E editors"), description="custom",
                                    privileges=["portal:user:joinGroup", "portal:publisher:publishFeatures"])
    assert user.update_role(custom) is True
    held = gis.users.get(username)
    assert held.roleId == custom.role_id and held.role == custom.name  # the client names it from the roles list

    with pytest.raises(Exception, match="hold this role"):
        custom.delete()
    assert gis.users.roles.get_role(custom.role_id) is not None

    assert user.update_role("viewer") is True  # the client's alias for iAAAAAAAAAAAAAAA
    viewer = gis.users.get(username)
    assert (viewer.roleId, viewer.role, viewer.level) == ("iAAAAAAAAAAAAAAA", "Viewer", "1")
    assert custom.delete() is True


def test_update_license_type(gis: Any, live_server: LiveServer) -> None:
    viewer_name, creator_name = unique("e2e_viewer"), unique("e2e_creator")
    add_members(live_server, viewer_name, creator_name)
    viewer = gis.users.get(viewer_name)
    viewer.update_role("viewer")
    assert viewer.update_license_type("viewer") is True
    assert gis.users.get(viewer_name).userLicenseTypeId == "viewerUT"
    with pytest.raises(Exception, match="user type does not allow"):
        viewer.update_role("org_publisher")
    assert gis.users.get(viewer_name).roleId == "iAAAAAAAAAAAAAAA"

    creator = gis.users.get(creator_name)
    refused = creator.update_license_type("viewer")  # an org_user may not be a Viewer user type
    assert isinstance(refused, dict) and refused["results"][0]["status"] is False, refused
    assert gis.users.get(creator_name).userLicenseTypeId == "creatorUT"
    assert creator.update_license_type("GISProfessionalStdUT") is True
    assert gis.users.get(creator_name).userLicenseTypeId == "GISProfessionalStdUT"


def test_a_custom_role_changes_what_its_holder_may_do(gis: Any, live_server: LiveServer) -> None:
    """The holder's own GIS session sees a new privilege on its next request."""
    username = unique("e2e_holder")
    add_members(live_server, username)
    role = gis.users.roles.create(name=unique("E2E role managers"), description="", privileges=list(
        ["portal:user:joinGroup", "portal:user:viewOrgUsers"]))
    gis.users.get(username).update_role(role)
    holder = GIS(live_server.portal_url("https"), username, PASSWORD, verify_cert=False)
    with pytest.raises(Exception, match="permissions"):
        holder.users.roles.all()
    role.privileges = ["portal:user:joinGroup", "portal:admin:manageRoles"]
    assert {r.name for r in holder.users.roles.all()} >= {"Viewer", "Data Editor", role.name}
    gis.users.get(username).update_role("org_user")
    assert role.delete() is True


# ---------------------------------------------------------------- ArcGIS REST JS (no role helpers: `request`)
def test_roles_with_rest_js(live_server: LiveServer, node_bin: str) -> None:
    import json
    import os
    import subprocess

    from .support import NODE_DIR

    member, name = unique("e2e_restjs"), unique("REST JS role")
    add_members(live_server, member)
    config = {"portal": live_server.sharing_url("https"), "username": live_server.admin_username,
              "password": live_server.admin_password, "member": member, "roleName": name}
    env = {**os.environ, "NODE_TLS_REJECT_UNAUTHORIZED": "0", "NO_PROXY": "127.0.0.1,localhost",
           "NODE_NO_WARNINGS": "1"}
    done = subprocess.run([node_bin, "roles-restjs.mjs", json.dumps(config)], cwd=NODE_DIR, env=env,
                          capture_output=True, text=True, timeout=90, check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])
    value = {step: result["value"] for step, result in out.items() if result["ok"]}
    role_id = value["createRole"]["id"]
    assert value["setPrivileges"] == {"success": True}
    assert value["privileges"] == {"id": role_id, "privileges": ["portal:user:joinGroup", "portal:user:createItem"]}
    assert name in [r["name"] for r in value["roles"]["roles"]]
    assert value["updateUserRole"] == {"success": True, "username": member}
    assert value["updateUserLicenseType"] == {"results": [{"username": member, "status": True, "success": True}]}
    assert not out["deleteHeld"]["ok"] and out["deleteHeld"]["error"]["message"] == \
        "400: Members hold this role: give them another role first."
    assert value["backToUser"]["success"] is True and value["delete"] == {"success": True}
    assert (value["member"]["role"], value["member"]["userLicenseTypeId"]) == ("org_user", "GISProfessionalBasicUT")
    assert "roleId" not in value["member"]
