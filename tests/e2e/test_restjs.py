"""The real ArcGIS REST JS clients (@esri/arcgis-rest-request + -portal 4.10.2, under Node)
against the real server process, over http and https (clients.md §1.2, §2).

`node/signin.mjs` runs the workflow and prints one JSON object; this side asserts on it.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from typing import Any

import pytest

from .support import NODE_DIR, LiveServer

pytestmark = [pytest.mark.e2e]

NODE_TIMEOUT = 90


@pytest.fixture(scope="module")
def wrong_password_account(live_server: LiveServer) -> tuple[str, str]:
    """An account of its own for the failed sign-ins (one per scheme: far below the lockout)."""
    return live_server.new_org_admin("restjsbad")


def run_signin(node_bin: str, config: dict[str, Any]) -> dict[str, Any]:
    env = {**os.environ, "NODE_TLS_REJECT_UNAUTHORIZED": "0", "NO_PROXY": "127.0.0.1,localhost",
           "NODE_NO_WARNINGS": "1"}
    done = subprocess.run([node_bin, "signin.mjs", json.dumps(config)], cwd=NODE_DIR, env=env, capture_output=True,
                          text=True, timeout=NODE_TIMEOUT, check=False)
    assert done.returncode == 0, f"node exited {done.returncode}\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no JSON from signin.mjs\nstdout:\n{done.stdout}\nstderr:\n{done.stderr}"
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def ok(result: dict[str, Any], step: str) -> Any:
    outcome = result.get(step)
    assert outcome is not None, f"step {step} did not run: {result}"
    assert outcome["ok"], f"step {step} failed: {outcome['error']}"
    return outcome["value"]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_restjs_sign_in_and_portal_calls(live_server: LiveServer, node_bin: str, scheme: str,
                                         wrong_password_account: tuple[str, str]) -> None:
    portal = live_server.sharing_url(scheme)
    wrong_user, wrong_pw = wrong_password_account
    result = run_signin(node_bin, {"portal": portal, "username": live_server.admin_username,
                                   "password": live_server.admin_password,
                                   "wrongUsername": wrong_user, "wrongPassword": wrong_pw + "-not-it"})

    signed = ok(result, "signIn")
    assert signed["username"] == live_server.admin_username
    assert signed["portal"] == portal
    assert signed["tokenLength"] >= 20
    # REST JS asks for expiration=20160 minutes; a numeric `expires` becomes a real date
    assert isinstance(signed["tokenExpires"], int), signed
    assert signed["tokenExpires"] > (time.time() + 20100 * 60) * 1000, "the 20160 minutes asked for were cut short"

    self_ = ok(result, "getSelf")
    assert self_["user"] == live_server.admin_username
    assert self_["portalName"] and self_["id"]

    by_id = ok(result, "getPortalById")
    assert by_id["id"] == self_["id"]
    assert by_id["user"] == live_server.admin_username

    user = ok(result, "getUser")
    assert user["username"] == live_server.admin_username
    assert user["orgId"] == self_["id"]
    assert any(":admin:" in p for p in user["privileges"]), user

    assert ok(result, "sessionGetUser")["username"] == live_server.admin_username
    assert ok(result, "sessionGetUsername") == live_server.admin_username

    # 498 in a 200 body after the token was revoked: REST JS refreshes and retries once
    refreshed = ok(result, "refreshAfterRevoke")
    assert refreshed == {"user": live_server.admin_username, "tokenChanged": True}

    anon = ok(result, "anonymousPortal")
    assert anon["id"] == self_["id"] and anon["hasUser"] is False

    # An anonymous community/self must fail with 499 (else a wrong password "signs in")
    anon_self = result["anonymousCommunitySelf"]
    assert not anon_self["ok"], anon_self
    assert anon_self["error"]["name"] == "ArcGISAuthError", anon_self

    wrong = result["wrongPassword"]
    assert not wrong["ok"], f"sign-in with a wrong password succeeded: {wrong}"
    assert wrong["error"]["name"] == "ArcGISTokenRequestError", wrong
    assert wrong["error"]["code"] == "TOKEN_REFRESH_FAILED", wrong
    assert "Unable to generate token." in wrong["error"]["message"], wrong


def test_restjs_signs_in_an_org_admin_of_another_org(live_server: LiveServer, node_bin: str) -> None:
    username, password = live_server.new_org_admin("restjsorg")
    result = run_signin(node_bin, {"portal": live_server.sharing_url("https"), "username": username,
                                   "password": password})
    assert ok(result, "signIn")["username"] == username
    self_ = ok(result, "getSelf")
    assert self_["user"] == username
    default_org = live_server.get_json("/portal/sharing/rest/portals/self", {"f": "json"})
    assert self_["id"] != default_org["id"], "a new organization must have its own id"
    assert ok(result, "getUser")["orgId"] == self_["id"]
