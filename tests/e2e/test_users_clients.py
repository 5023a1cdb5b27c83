"""The user operations driven by the real clients against the real server process: the ArcGIS
API for Python (`gis.users.get`, `gis.users.me`, `user.update`, `disable`/`enable`,
`delete(reassign_to=...)`) and ArcGIS REST JS (`getUser`, `updateUser`, `getUserTags`,
`getUserNotifications` and friends, node/users-restjs.mjs).

Members are written straight into the server's database with geoshare's own domain functions
(no operation of this module creates them), so these tests depend on nothing else.
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
from typing import Any

import pytest

from geoshare.app import build_services
from geoshare.domain import accounts
from geoshare.settings import load_settings
from geoshare.storage import users as user_store

from .support import NODE_DIR, LiveServer

pytestmark = [pytest.mark.e2e, pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]

DEFAULT_ORG = "0123456789ABCDEF"
NODE_TIMEOUT = 120
SHARING = "/portal/sharing/rest"


def create_member(server: LiveServer, prefix: str, **changes: Any) -> tuple[str, str]:
    """A new member of the default organization, written to the server's database directly."""
    username = f"{prefix}_{secrets.token_hex(3)}"
    password = f"Pw-{secrets.token_hex(6)}-1"
    settings = load_settings({"data_dir": str(server.data_dir), "database_url": server.database_url or "",
                              "argon2_time_cost": 1, "argon2_memory_kib": 1024}, environ={})
    svc = build_services(settings)

    async def go() -> None:
        await svc.db.start()
        try:
            user = await accounts.create_user(svc, DEFAULT_ORG, accounts.NewUser(username, password))
            if changes:
                await svc.db.write(lambda conn: user_store.update_user(conn, user.id, **changes))
        finally:
            await svc.db.stop()
            svc.hasher.close()

    asyncio.run(go())
    return username, password


def user_json(server: LiveServer, username: str) -> dict[str, Any]:
    return dict(server.get_json(f"{SHARING}/community/users/{username}",
                                {"f": "json", "token": server.admin_token()}, headers={"Referer": "http://localhost"}))


# ---------------------------------------------------------------- ArcGIS API for Python
try:  # arcgis is big and optional outside CI; its absence skips only this part
    from arcgis.gis import GIS, User
except ImportError:  # pragma: no cover - depends on the machine
    GIS = None


def test_arcgis_users_get_and_me(gis: Any, live_server: LiveServer) -> None:
    username, _ = create_member(live_server, "pyget")
    found = gis.users.get(username)
    assert isinstance(found, User) and found.username == username and found.id
    assert found.orgId == gis.properties.id
    assert gis.users.me.username == live_server.admin_username
    assert gis.users.get(f"{username}_not") is None


def test_arcgis_user_update(gis: Any, live_server: LiveServer) -> None:
    username, _ = create_member(live_server, "pyupd")
    user = gis.users.get(username)
    assert user.update(description="<b>Python</b><script>alert(1)</script>", fullname="Py Thon", access="public",
                       culture="fr", region="FR", tags=["alpha", "beta"]) is True
    stored = user_json(live_server, username)
    assert stored["description"] == "<b>Python</b>"
    assert (stored["fullName"], stored["access"], stored["culture"], stored["region"]) == \
        ("Py Thon", "public", "fr", "FR")
    assert stored["tags"] == ["alpha", "beta"]
    assert user.update(tags=[]) is True  # the client's way to remove the tags
    assert user_json(live_server, username)["tags"] == []
    assert user.description == "<b>Python</b>"  # the client re-reads the user after a success


def test_arcgis_user_disable_and_enable(gis: Any, live_server: LiveServer) -> None:
    username, password = create_member(live_server, "pydis")
    token = live_server.generate_token(username, password)["token"]
    me = {"f": "json", "token": token}
    headers = {"Referer": "http://localhost"}
    assert live_server.get_json(f"{SHARING}/community/self", me, headers=headers)["username"] == username
    user = gis.users.get(username)
    assert user.disable() is True
    assert user_json(live_server, username)["disabled"] is True
    assert live_server.get_json(f"{SHARING}/community/self", me, headers=headers)["error"]["code"] == 498
    assert user.enable() is True
    assert user_json(live_server, username)["disabled"] is False
    assert "token" in live_server.generate_token(username, password)


def test_arcgis_user_delete_with_reassign(gis: Any, live_server: LiveServer) -> None:
    username, _ = create_member(live_server, "pydel")
    heir, _ = create_member(live_server, "pyheir")
    user = gis.users.get(username)
    assert user.delete(reassign_to=heir) is True
    assert gis.users.get(username) is None
    assert gis.users.get(heir) is not None


# ---------------------------------------------------------------- ArcGIS REST JS
def run_node(node_bin: str, script: str, config: dict[str, Any]) -> dict[str, Any]:
    env = {**os.environ, "NODE_TLS_REJECT_UNAUTHORIZED": "0", "NO_PROXY": "127.0.0.1,localhost",
           "NODE_NO_WARNINGS": "1"}
    done = subprocess.run([node_bin, script, json.dumps(config)], cwd=NODE_DIR, env=env, capture_output=True,
                          text=True, timeout=NODE_TIMEOUT, check=False)
    assert done.returncode == 0, f"node exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no JSON from {script}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    return dict(json.loads(lines[-1]))


def ok(result: dict[str, Any], step: str) -> Any:
    outcome = result.get(step)
    assert outcome is not None, f"step {step} did not run: {result}"
    assert outcome["ok"], f"step {step} failed: {outcome['error']}"
    return outcome["value"]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_restjs_user_calls(live_server: LiveServer, node_bin: str, scheme: str) -> None:
    username, password = create_member(live_server, "rjs")
    sent = live_server.post_json(f"{SHARING}/portals/self/createNotification", {
        "subject": "Welcome", "message": "Hello from the administrator", "users": username, "f": "json",
        "token": live_server.admin_token()}, headers={"Referer": "http://localhost"})
    assert sent == {"success": True}
    result = run_node(node_bin, "users-restjs.mjs", {
        "portal": live_server.sharing_url(scheme), "member": username, "memberPassword": password,
        "admin": live_server.admin_username, "adminPassword": live_server.admin_password})

    assert ok(result, "signIn") == {"member": username, "admin": live_server.admin_username}
    first = ok(result, "getUser")
    assert first["username"] == username and len(first["id"]) == 32 and first["access"] == "org"
    assert ok(result, "updateUser") == {"success": True, "username": username}
    assert ok(result, "updateUserWholeObject") == {"success": True, "username": username}
    assert ok(result, "updateUserByAdmin") == {"success": True, "username": username}
    assert ok(result, "getUserAfter") == {"description": "<b>from REST JS</b>", "fullName": "Rest Member",
                                          "access": "public"}
    assert ok(result, "getUserTags") == {"tags": []}
    (note,) = ok(result, "getUserNotifications")["notifications"]
    assert note["type"] == "message_received" and note["targetType"] == "user"
    assert note["data"] == {"fromUser": live_server.admin_username, "subject": "Welcome",
                            "message": "Hello from the administrator"}
    assert ok(result, "removeNotification") == {"success": True, "notificationId": note["id"]}
    assert ok(result, "notificationsAfter") == {"notifications": []}
    assert ok(result, "getUserInvitations") == {"userInvitations": []}
    assert ok(result, "setUserProperties") == {"success": True}
    assert ok(result, "getUserProperties") == {"landingPage": {"url": "index.html"}, "mapViewer": "modern"}
    refused = result["otherUsersNotifications"]
    # REST JS reports the messageCode of the 403 as the error's code
    assert not refused["ok"] and refused["error"]["code"] == "GWM_0003", refused
    assert "You do not have permissions" in refused["error"]["message"], refused
