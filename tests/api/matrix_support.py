"""The callers and call helpers of the authorization matrix (test_authorization_matrix.py).

Each area of the API keeps its rows in a module of its own (`matrix_<area>.py`, with an
`EXPECTED` and a `CALLS` dict), which the matrix merges; this module is what they share.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from geoshare.domain import accounts, privileges, tokens
from geoshare.domain.privileges import VIEWER_ROLE_ID
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from tests.api.expected import error_code
from tests.conftest import ADMIN, ADMIN_PASSWORD, DEFAULT_ORG, disable_user, get_token, make_user

PORTAL_MOUNTS = ("sharing", "portaladmin")
PREFIXES = {"sharing": "/portal/sharing/rest", "portaladmin": "/portal/portaladmin", "admin": "/arcgis/admin",
            "rest": "/arcgis/rest", "tokens": "/arcgis/tokens"}

MINUTE = 60_000
PASSWORD = "Member12345"

# ---------------------------------------------------------------- callers
ANONYMOUS, VIEWER, USER, PUBLISHER = "anonymous", "viewer", "user", "publisher"
ADMINISTRATOR, OTHER_ADMIN, EXPIRED, DISABLED = "administrator", "other_admin", "expired", "disabled"
# A custom role: a member whose role grants the Viewer privileges plus portal:admin:viewUsers,
# and nothing else administrative.  Rows admit it exactly where that one privilege suffices.
CUSTOM_VIEW_USERS = "custom_view_users"
CUSTOM_ROLE_ID = "cViewUsers000001"
CUSTOM_ROLE_CALLERS: tuple[str, ...] = (CUSTOM_VIEW_USERS,)
CALLERS = (ANONYMOUS, VIEWER, USER, PUBLISHER, ADMINISTRATOR, OTHER_ADMIN, EXPIRED, DISABLED, *CUSTOM_ROLE_CALLERS)
USERNAMES = {VIEWER: "m_viewer", USER: "m_user", PUBLISHER: "m_publisher", ADMINISTRATOR: ADMIN,
             OTHER_ADMIN: "m_other_admin", EXPIRED: "m_user", DISABLED: "m_disabled",
             CUSTOM_VIEW_USERS: "m_custom"}

EVERYONE = frozenset({ANONYMOUS, VIEWER, USER, PUBLISHER, ADMINISTRATOR, OTHER_ADMIN, *CUSTOM_ROLE_CALLERS})
# Holders of any administrative privilege, in either organization (the portaladmin root).
ANY_ADMINS = frozenset({ADMINISTRATOR, OTHER_ADMIN, CUSTOM_VIEW_USERS})
MEMBERS = EVERYONE - {ANONYMOUS}
ORG_ADMINS = frozenset({ADMINISTRATOR, OTHER_ADMIN})
DEFAULT_ORG_ADMIN = frozenset({ADMINISTRATOR})
SITE_PUBLISHERS = frozenset({ADMINISTRATOR, PUBLISHER})  # publisher = org_publisher of the default org

# ---------------------------------------------------------------- the callers, for real
@dataclass
class World:
    client: httpx.AsyncClient
    svc: Any
    tokens: dict[str, str | None]
    counter: itertools.count[int] = field(default_factory=itertools.count)

    def username(self, who: str) -> str | None:
        return USERNAMES.get(who)


@pytest.fixture
async def world(client, svc) -> World:
    await make_user(svc, "m_viewer", PASSWORD, role_id=VIEWER_ROLE_ID)
    await make_user(svc, "m_user", PASSWORD, access="public")  # a public profile everyone may read
    await make_user(svc, "m_publisher", PASSWORD, role="org_publisher")
    await make_user(svc, "m_disabled", PASSWORD)
    await accounts.create_org(svc, "Matrix Other", accounts.NewUser("m_other_admin", PASSWORD))
    await _custom_role_member(svc)
    issued_at = svc.clock.pin()
    found: dict[str, str | None] = {ANONYMOUS: None, EXPIRED: await get_token(client, "m_user", PASSWORD,
                                                                              expiration="1")}
    for who in (VIEWER, USER, PUBLISHER, OTHER_ADMIN, DISABLED, *CUSTOM_ROLE_CALLERS):
        found[who] = await get_token(client, USERNAMES[who], PASSWORD)
    found[ADMINISTRATOR] = await get_token(client, ADMIN, ADMIN_PASSWORD)
    await disable_user(svc, "m_disabled")
    svc.clock.pin(issued_at + 2 * MINUTE)  # the one-minute token is now expired, the others are not
    return World(client, svc, found)


async def _custom_role_member(svc: Any) -> None:
    """Written through storage so the matrix does not depend on the roles operations it checks."""
    now = svc.clock.now_ms()
    await svc.db.write(lambda conn: role_store.insert_role(
        conn, role_id=CUSTOM_ROLE_ID, org_id=DEFAULT_ORG, name="Member viewer", description=None,
        privileges=[*privileges.VIEWER, "portal:admin:viewUsers"], now=now))
    user = await make_user(svc, "m_custom", PASSWORD)
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, role_id=CUSTOM_ROLE_ID))


# ---------------------------------------------------------------- one real call per operation
Params = Callable[[World], Awaitable[dict[str, Any]]]
Check = Callable[[httpx.Response, World, str], None]


@dataclass(frozen=True)
class Call:
    method: str
    values: dict[str, str]  # path placeholders
    params: Params
    ok: Check
    html: bool = True  # answers the directory page with f=html (False: a page of its own)


async def _none(world: World) -> dict[str, Any]:
    return {}


def _fixed(**values: Any) -> Params:
    async def params(world: World) -> dict[str, Any]:
        return dict(values)
    return params


def _json(response: httpx.Response) -> Any:
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"].startswith("application/json"), response.headers
    return response.json()


def body_is(expected_body: Any) -> Check:
    def check(response: httpx.Response, world: World, who: str) -> None:
        assert _json(response) == expected_body
    return check


def body_has(predicate: Callable[[Any, World, str], bool]) -> Check:
    def check(response: httpx.Response, world: World, who: str) -> None:
        body = _json(response)
        assert error_code("sharing", body) is None and error_code("admin", body) is None, body
        assert predicate(body, world, who), body
    return check


def _new_token(body: Any, world: World, who: str) -> bool:
    return isinstance(body.get("token"), str) and len(body["token"]) > 20 and isinstance(body["expires"], int)


async def _user_credentials(world: World) -> dict[str, Any]:
    return {"username": "m_user", "password": PASSWORD, "client": "requestip"}


async def _admin_credentials(world: World) -> dict[str, Any]:
    return {"username": ADMIN, "password": ADMIN_PASSWORD, "client": "requestip"}


AUTHORIZE = {"client_id": "pythonapi", "response_type": "token", "redirect_uri": "https://testserver"}


def _authorize_page(response: httpx.Response, world: World, who: str) -> None:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert re.search(r'name="oauth_state" value="[^"]{20,}"', response.text), response.text[:500]
    assert "Error:" not in response.text


async def _signin_params(world: World) -> dict[str, Any]:
    page = await world.client.get(f"{PREFIXES['sharing']}/oauth2/authorize", params=AUTHORIZE)
    found = re.search(r'name="oauth_state" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return {"oauth_state": found.group(1), "username": "m_user", "password": PASSWORD}


def _signed_in(response: httpx.Response, world: World, who: str) -> None:
    assert response.status_code == 302, (response.status_code, response.text[:300])
    assert re.match(r"https://testserver#access_token=[^&]{20,}&", response.headers["location"])


async def _revoke_params(world: World) -> dict[str, Any]:
    from geoshare.storage import users as user_store

    user = await world.svc.db.read(user_store.user_by_username, "m_user")
    issued = await tokens.issue(world.svc, user, kind="oauth", minutes=30, client_id="pythonapi")
    world.tokens["_revoked"] = issued.token
    return {"client_id": "pythonapi", "auth_token": issued.token}


def _revoked(response: httpx.Response, world: World, who: str) -> None:
    assert _json(response) == {"success": True}


def _approval_page(response: httpx.Response, world: World, who: str) -> None:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert "SUCCESS code=matrix-code-1" in response.text


async def _create_org_params(world: World) -> dict[str, Any]:
    n = next(world.counter)
    return {"name": f"Matrix Org {n}", "adminUsername": f"m_new_admin_{n}", "adminPassword": PASSWORD}


def _org_created(body: Any, world: World, who: str) -> bool:
    return body.get("status") == "success" and body["org"]["name"].startswith("Matrix Org ") and \
        body["adminUsername"].startswith("m_new_admin_")


def _site_user(body: Any, world: World, who: str) -> bool:
    privilege = {ADMINISTRATOR: "ADMINISTER", PUBLISHER: "PUBLISH"}[who]
    return body["loggedInUser"] == world.username(who) and body["loggedInUserPrivilege"] == privilege



