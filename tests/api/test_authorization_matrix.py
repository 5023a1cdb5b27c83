"""Authorization matrix: every declared operation, called by every kind of caller.

EXPECTED is written by hand, so a permission changed by accident in the table fails here, and
a new operation without a row fails `test_every_operation_has_a_row`.
"""

from __future__ import annotations

import pytest

from geoshare.domain import accounts
from geoshare.http.openapi import mount_prefix
from geoshare.http.operations import ROUTER
from geoshare.settings import Settings
from tests.conftest import get_token, make_org

EXPECTED = {
    ("sharing", ""): "public", ("sharing", "info"): "public", ("sharing", "generateToken"): "public",
    ("sharing", "oauth2/authorize"): "public", ("sharing", "oauth2/signin"): "public",
    ("sharing", "oauth2/token"): "public", ("sharing", "oauth2/revokeToken"): "public",
    ("sharing", "oauth2/approval"): "public", ("sharing", "portals/{portal}"): "public",
    ("sharing", "portals/languages"): "public", ("sharing", "portals/regions"): "public",
    ("sharing", "community/self"): "user", ("sharing", "community/users/{user}"): "public",
    ("portaladmin", ""): "org_admin", ("portaladmin", "orgs"): "default_org_admin",
    ("portaladmin", "orgs/createOrg"): "default_org_admin",
    ("admin", ""): "server_publisher", ("admin", "info"): "server_publisher",
    ("admin", "generateToken"): "public", ("tokens", "generateToken"): "public", ("tokens", ""): "public",
    ("rest", "info"): "public", ("rest", "info/healthCheck"): "public",
}
# Which callers each permission admits.
ADMITS = {
    "public": {"anonymous", "member", "other_admin", "admin"},
    "user": {"member", "other_admin", "admin"},
    "org_admin": {"other_admin", "admin"},
    "default_org_admin": {"admin"},
    "server_publisher": {"admin"},
    "server_admin": {"admin"},
}
DENIAL = {"sharing": lambda b: b.get("error", {}).get("code"), "portaladmin": lambda b: b.get("error", {}).get("code"),
          "rest": lambda b: b.get("error", {}).get("code"), "tokens": lambda b: b.get("error", {}).get("code"),
          "admin": lambda b: b.get("code") if b.get("status") == "error" else None}


def test_every_operation_has_a_row():
    declared = {(op.mount, op.path): op.permission for op in ROUTER.operations}
    assert declared == EXPECTED


def _url(op):
    path = op.path.replace("{portal}", "self").replace("{user}", "admin")
    return mount_prefix(Settings(), op.mount) + (f"/{path}" if path else "")


@pytest.fixture
async def callers(client, svc, admin_token):
    await accounts.create_user(svc, "0123456789ABCDEF", accounts.NewUser("member1", "Member12345"))
    await make_org(client, admin_token, "Other", "other_admin")
    return {"anonymous": None, "member": await get_token(client, "member1", "Member12345"),
            "other_admin": await get_token(client, "other_admin", "Other12345"), "admin": admin_token}


@pytest.mark.parametrize("op", ROUTER.operations, ids=lambda op: f"{op.mount}:{op.path or '/'}")
async def test_matrix(client, callers, op):
    for who, token in callers.items():
        params = {"f": "json", **({"token": token} if token else {})}
        method = "GET" if "GET" in op.methods else "POST"
        reply = await (client.get(_url(op), params=params) if method == "GET"
                       else client.post(_url(op), data=params))
        body = reply.json() if reply.headers.get("content-type", "").startswith(("application/json", "text/plain")) \
            else {}
        code = DENIAL[op.mount](body) if isinstance(body, dict) else None
        if who in ADMITS[op.permission]:
            assert code not in (499, 403), (who, body)
        else:
            assert code == (499 if who == "anonymous" else 403), (who, body)
