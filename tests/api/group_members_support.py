"""Helpers for the group membership tests: calls over HTTP and a snapshot of everything a
membership change may touch, read back through storage."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from geoshare.storage.tables import group_applications, group_members, groups, invitations, notifications
from tests.conftest import DEFAULT_ORG, SHARING, get_token, make_user

GROUPS = f"{SHARING}/community/groups"


async def post(client: httpx.AsyncClient, path: str, token: str | None, **data: Any) -> Any:
    body = {"f": "json", **data, **({"token": token} if token else {})}
    return (await client.post(f"{SHARING}/{path}", data=body)).json()


async def get(client: httpx.AsyncClient, path: str, token: str | None, **params: Any) -> Any:
    query = {"f": "json", **params, **({"token": token} if token else {})}
    return (await client.get(f"{SHARING}/{path}", params=query)).json()


async def member(client: httpx.AsyncClient, svc: Any, username: str, **kwargs: Any) -> str:
    """A new member of the default organization and their token."""
    await make_user(svc, username, **kwargs)
    return await get_token(client, username, "Member12345")


async def snapshot(svc: Any) -> dict[str, Any]:
    """Groups, memberships, applications, invitations and notifications, as rows."""

    def rows(conn: Any) -> dict[str, Any]:
        def everything(table: Any) -> list[tuple[Any, ...]]:
            return sorted(tuple(r) for r in conn.execute(select(table)))
        return {t.name: everything(t) for t in (groups, group_members, group_applications, invitations, notifications)}

    return dict(await svc.db.read(rows))


async def groups_of(client: httpx.AsyncClient, token: str) -> dict[str, str]:
    """group id -> memberType, from the caller's community/self `groups` list."""
    me = await get(client, "community/self", token)
    return {g["id"]: g["userMembership"]["memberType"] for g in me["groups"]}


async def members_of(svc: Any, group_id: str) -> dict[str, str]:
    from geoshare.storage import groups as group_store

    return {m.username: m.member_type for m in await svc.db.read(group_store.members, group_id)}


def error(body: Any) -> tuple[int, str, list[str]]:
    assert "error" in body, body
    return body["error"]["code"], body["error"]["message"], body["error"]["details"]


async def bulk_users(svc: Any, prefix: str, count: int, org_id: str = DEFAULT_ORG) -> list[str]:
    """`count` members without passwords, written in one transaction (fast fixtures)."""
    from geoshare.domain import accounts

    names = [f"{prefix}{i:04d}" for i in range(count)]
    now = svc.clock.now_ms()

    def write(conn: Any) -> None:
        for name in names:
            accounts.insert_user(conn, org_id, accounts.NewUser(name, "unused-Password1"), None, now)

    await svc.db.write(write)
    return names


async def fill_memberships(svc: Any, username: str, count: int) -> None:
    """Make `username` a member of `count` new groups, owned by a member made for it, in one transaction."""
    from geoshare.domain import accounts
    from geoshare.domain.group_fields import DEFAULTS
    from geoshare.domain.services import new_id
    from geoshare.storage import groups as group_store
    from geoshare.storage import users as user_store

    now = svc.clock.now_ms()

    def write(conn: Any) -> None:
        user = user_store.user_by_username(conn, username)
        admin = accounts.insert_user(conn, user.org_id, accounts.NewUser(f"fo_{username}", "unused-Password1"),
                                     None, now)
        for i in range(count):
            group_id = new_id()
            group_store.insert_group(conn, {**DEFAULTS, "id": group_id, "org_id": admin.org_id, "owner_id": admin.id,
                                            "title": f"Filler {username} {i}", "created": now, "modified": now})
            group_store.add_member(conn, group_id, admin.id, "owner", now)
            group_store.add_member(conn, group_id, user.id, "member", now)

    await svc.db.write(write)
