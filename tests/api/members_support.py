"""Helpers of the members tests (test_create_user.py, test_invite.py,
test_portaladmin_security.py): calls, custom-role callers and a snapshot of everything a
member-creating call could change."""

from __future__ import annotations

import json
from typing import Any

import httpx
from sqlalchemy import select

from geoshare.domain import privileges
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import orgs, password_history, roles, users
from tests.conftest import DEFAULT_ORG, get_token, make_user

PA = "/portal/portaladmin"
CREATE_URL = f"{PA}/security/users/createUser"
PASSWORD = "Member12345"


async def post(client: httpx.AsyncClient, url: str, token: str | None, **params: Any) -> Any:
    data = {"f": "json", **params}
    if token:
        data["token"] = token
    reply = await client.post(url, data=data)
    assert reply.status_code == 200, reply.text
    return reply.json()


async def get(client: httpx.AsyncClient, url: str, token: str | None, **params: Any) -> Any:
    query = {"f": "json", **params}
    if token:
        query["token"] = token
    reply = await client.get(url, params=query)
    assert reply.status_code == 200, reply.text
    return reply.json()


def member(n: int | str = 1, **changes: Any) -> dict[str, Any]:
    """createUser parameters of a valid new member."""
    return {"username": f"new_member{n}", "password": PASSWORD, "firstname": "Ada", "lastname": "Lovelace",
            "email": f"ada{n}@example.org", **changes}


async def create(client: httpx.AsyncClient, token: str | None, **params: Any) -> Any:
    return await post(client, CREATE_URL, token, **params)


async def snapshot(svc: Any) -> dict[str, Any]:
    """Every row a member-creating or -configuring call may write."""
    def read(conn: Any) -> dict[str, Any]:
        return {name: sorted(tuple(sorted(dict(r).items())) for r in conn.execute(select(table)).mappings())
                for name, table in (("users", users), ("history", password_history), ("orgs", orgs),
                                    ("roles", roles))}
    return dict(await svc.db.read(read))


async def stored_user(svc: Any, username: str) -> Any:
    return await svc.db.read(user_store.user_by_username, username)


async def custom_role(svc: Any, role_id: str, privileges_held: list[str], org_id: str = DEFAULT_ORG) -> str:
    now = svc.clock.now_ms()
    await svc.db.write(lambda conn: role_store.insert_role(conn, role_id=role_id, org_id=org_id, name=role_id,
                                                           description=None, privileges=privileges_held, now=now))
    return role_id


async def custom_caller(client: httpx.AsyncClient, svc: Any, username: str, extra: list[str],
                        role_id: str = "cInviteOnly00001") -> str:
    """The token of a member whose custom role is the Viewer privileges plus `extra`."""
    await custom_role(svc, role_id, [*privileges.VIEWER, *extra])
    user = await make_user(svc, username, PASSWORD)
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, role_id=role_id))
    return await get_token(client, username, PASSWORD)


def invitations(*entries: dict[str, Any]) -> str:
    return json.dumps({"invitations": list(entries)})


def error(body: Any) -> tuple[int, str, list[str]]:
    assert set(body) == {"error"}, body
    return body["error"]["code"], body["error"]["message"], body["error"]["details"]
