"""Authorization-matrix rows for the org operations (see test_authorization_matrix.py).

Written from the spec: portal update, security policy and resource changes need the
website/security administrator privileges (the built-in Administrator of either organization,
acting on its own one through `self`); reading public resources and the settings is for
anyone; the §3.7 resources are for members; listing and searching members is for members
holding portal:user:viewOrgUsers (every built-in role) or portal:admin:viewUsers, and the
custom-role caller (Viewer + portal:admin:viewUsers) gets the full view there and nothing more
anywhere else.  isServiceNameAvailable is for those who may create items.
"""

from __future__ import annotations

from typing import Any

import httpx

from geoshare.domain import accounts, org_resources
from geoshare.domain.principal import Principal
from geoshare.storage import users as user_store
from tests.api.matrix_support import (
    ADMINISTRATOR,
    CUSTOM_VIEW_USERS,
    EVERYONE,
    MEMBERS,
    OTHER_ADMIN,
    PUBLISHER,
    USER,
    Call,
    World,
    _fixed,
    _none,
    body_has,
    body_is,
)
from tests.conftest import DEFAULT_ORG

ORG_ADMINS = frozenset({ADMINISTRATOR, OTHER_ADMIN})
ITEM_CREATORS = frozenset({USER, PUBLISHER, ADMINISTRATOR, OTHER_ADMIN})
FULL_VIEW = frozenset({ADMINISTRATOR, OTHER_ADMIN, CUSTOM_VIEW_USERS})  # holders of portal:admin:viewUsers
P = "portals/{portal}"

EXPECTED: dict[tuple[str, str], frozenset[str]] = {
    ("sharing", f"{P}/update"): ORG_ADMINS,
    ("sharing", f"{P}/securityPolicy"): ORG_ADMINS,
    ("sharing", f"{P}/securityPolicy/update"): ORG_ADMINS,
    ("sharing", f"{P}/resources"): EVERYONE,
    ("sharing", f"{P}/resources/{{key}}"): EVERYONE,
    ("sharing", f"{P}/addResource"): ORG_ADMINS,
    ("sharing", f"{P}/removeResource"): ORG_ADMINS,
    ("sharing", f"{P}/subscriptionInfo"): MEMBERS,
    ("sharing", f"{P}/settings"): EVERYONE,
    ("sharing", f"{P}/isServiceNameAvailable"): ITEM_CREATORS,
    ("sharing", f"{P}/servers"): MEMBERS,
    ("sharing", f"{P}/purchases"): MEMBERS,
    ("sharing", f"{P}/appBundles"): MEMBERS,
    ("sharing", f"{P}/users"): MEMBERS,
    ("sharing", f"{P}/users/search"): MEMBERS,
    ("sharing", "community/users"): MEMBERS,
}
# Public organization resources stay readable while the organization is private (a sign-in
# page's logo, sharing-api.md §8.5).
PRIVATE_ANONYMOUS = frozenset({("sharing", f"{P}/resources/{{key}}")})

SELF = {"portal": "self"}
RESOURCE = "matrix/logo.txt"


async def _org_of(world: World, username: str) -> str:
    user = await world.svc.db.read(user_store.user_by_username, username)
    return str(user.org_id)


async def _put(world: World, org_id: str, key: str) -> None:
    admin = await world.svc.db.read(user_store.user_by_username, "admin" if org_id == DEFAULT_ORG else "m_other_admin")
    principal: Principal = await accounts.principal_for_user(world.svc, admin)
    await org_resources.add_resource(world.svc, principal, "self", key, None, "matrix", "public")


async def _public_resource(world: World) -> dict[str, Any]:
    await _put(world, DEFAULT_ORG, RESOURCE)
    return {}


async def _removable(world: World) -> dict[str, Any]:
    key = f"remove-{next(world.counter)}.txt"
    for org_id in (DEFAULT_ORG, await _org_of(world, "m_other_admin")):
        await _put(world, org_id, key)
    return {"key": key}


async def _new_resource(world: World) -> dict[str, Any]:
    return {"key": f"added/{next(world.counter)}.json", "text": '{"a": 1}', "access": "private"}


async def _description(world: World) -> dict[str, Any]:
    return {"description": f"<p>matrix {next(world.counter)}</p>", "region": "US"}


def _updated(body: Any, world: World, who: str) -> bool:
    return body["success"] is True and (body["id"] == DEFAULT_ORG) == (who != OTHER_ADMIN)


def _resource_bytes(response: httpx.Response, world: World, who: str) -> None:
    assert response.status_code == 200, response.text[:300]
    assert response.content == b"matrix"
    assert response.headers["content-type"] == "text/plain; charset=utf-8"


def _members(body: Any, world: World, who: str) -> bool:
    listed = body["users"]
    names = {u["username"] for u in listed}
    own = {"m_other_admin"} if who == OTHER_ADMIN else {"admin", "m_user", "m_viewer", "m_custom"}
    return own <= names and all(("email" in u) == _full(world, who, u) and "role" in u for u in listed)


def _full(world: World, who: str, user: dict[str, Any]) -> bool:
    """The caller's own record, and every member's for holders of portal:admin:viewUsers of that org."""
    same_org = who != OTHER_ADMIN or user["username"] == "m_other_admin"
    return user["username"] == world.username(who) or (who in FULL_VIEW and same_org)


def _search_hits(expected: str | None = None) -> Any:
    def check(body: Any, world: World, who: str) -> bool:
        wanted = expected or ("m_other_admin" if who == OTHER_ADMIN else "m_user")
        hits = [u for u in body["results"] if u["username"] == wanted]
        return len(hits) == 1 and body["total"] >= 1 and ("email" in hits[0]) == _full(world, who, hits[0])
    return check


def _in_own_org(body: Any, world: World, who: str) -> bool:
    return body["state"] == "active" and (body["id"] == DEFAULT_ORG) == (who != OTHER_ADMIN)


CALLS: dict[tuple[str, str], Call] = {
    ("sharing", f"{P}/update"): Call("POST", SELF, _description, body_has(_updated)),
    ("sharing", f"{P}/securityPolicy"): Call("GET", SELF, _none, body_has(
        lambda b, w, who: b["passwordPolicy"]["minLength"] >= 8 and b["lockoutPolicy"]["attempts"] >= 1)),
    ("sharing", f"{P}/securityPolicy/update"): Call("POST", SELF, _fixed(minLength="10", minDigit="null"),
                                                    body_is({"success": True})),
    ("sharing", f"{P}/resources"): Call("GET", {"portal": DEFAULT_ORG}, _public_resource, body_has(
        lambda b, w, who: {"key": RESOURCE, "size": 6, "access": "public"}.items() <= b["resources"][0].items())),
    ("sharing", f"{P}/resources/{{key}}"): Call("GET", {"portal": DEFAULT_ORG, "key": RESOURCE}, _public_resource,
                                                _resource_bytes, html=False),
    ("sharing", f"{P}/addResource"): Call("POST", SELF, _new_resource, body_is({"success": True})),
    ("sharing", f"{P}/removeResource"): Call("POST", SELF, _removable, body_is({"success": True})),
    ("sharing", f"{P}/subscriptionInfo"): Call("GET", SELF, _none, body_has(_in_own_org)),
    ("sharing", f"{P}/settings"): Call("GET", SELF, _none, body_has(
        lambda b, w, who: b["defaultExtent"]["spatialReference"] == {"wkid": 102100} and
        b["allowedRedirectUris"] == [])),
    ("sharing", f"{P}/isServiceNameAvailable"): Call("GET", SELF, _fixed(name="matrix_svc", type="Feature Service"),
                                                     body_is({"available": True})),
    ("sharing", f"{P}/servers"): Call("GET", SELF, _none, body_is({"servers": []})),
    ("sharing", f"{P}/purchases"): Call("GET", SELF, _fixed(status="active"), body_is({"purchases": [], "trials": []})),
    ("sharing", f"{P}/appBundles"): Call("GET", SELF, _fixed(num="100", start="1"),
                                         body_is({"appBundles": [], "nextStart": -1})),
    ("sharing", f"{P}/users"): Call("GET", SELF, _fixed(num="100"), body_has(_members)),
    ("sharing", f"{P}/users/search"): Call("GET", SELF, _fixed(q="m_user OR m_other_admin", num="100"),
                                           body_has(_search_hits())),
    ("sharing", "community/users"): Call("GET", {}, _fixed(q="username:m_user"), body_has(_search_hits("m_user"))),
}
