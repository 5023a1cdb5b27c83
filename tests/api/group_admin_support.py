"""Shared by the group creation and management tests: the cast, calls, and a snapshot of
everything a refused call must leave as it was (read back through storage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from geoshare.domain import privileges
from geoshare.storage import group_admin as admin_store
from geoshare.storage import groups as group_store
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import groups as groups_table
from tests.conftest import ADMIN, DEFAULT_ORG, SHARING, get_token, make_org, make_user

PASSWORD = "Member12345"
GROUPS_ADMIN_ROLE = "cGroupsAdmin0001"
MISSING_ID = "f" * 32


@dataclass
class Cast:
    """Tokens by name: owner, manager (group admin), member, outsider (same org), viewer (the
    Viewer role), admin (full administrator), other (administrator of another organization),
    limited (a custom role: User privileges plus portal:admin:viewGroups only)."""

    tokens: dict[str, str]

    def __getitem__(self, name: str) -> str:
        return self.tokens[name]


@pytest.fixture
async def cast(client, svc, admin_token) -> Cast:
    for name in ("g_owner", "g_manager", "g_member", "g_outsider"):
        await make_user(svc, name, PASSWORD)
    await make_user(svc, "g_viewer", PASSWORD, role_id=privileges.VIEWER_ROLE_ID)
    limited = await make_user(svc, "g_limited", PASSWORD)
    now = svc.clock.now_ms()
    await svc.db.write(lambda conn: role_store.insert_role(
        conn, role_id=GROUPS_ADMIN_ROLE, org_id=DEFAULT_ORG, name="Group viewer", description=None,
        privileges=[*privileges.USER, "portal:admin:viewGroups"], now=now))
    await svc.db.write(lambda conn: user_store.update_user(conn, limited.id, role_id=GROUPS_ADMIN_ROLE))
    await make_org(client, admin_token, "Other Org", "g_other")
    tokens = {"admin": admin_token, "other": await get_token(client, "g_other", "Other12345")}
    for name in ("owner", "manager", "member", "outsider", "viewer", "limited"):
        tokens[name] = await get_token(client, f"g_{name}", PASSWORD)
    return Cast(tokens)


async def post(client, token: str | None, path: str, files: Any = None, **data: Any) -> Any:
    form = {"f": "json", **data, **({"token": token} if token else {})}
    return (await client.post(f"{SHARING}/{path}", data=form, files=files)).json()


async def get_group(client, token: str | None, group_id: str) -> Any:
    params = {"f": "json", **({"token": token} if token else {})}
    return (await client.get(f"{SHARING}/community/groups/{group_id}", params=params)).json()


async def missing_body(client, token: str | None, operation: str = "", **data: Any) -> Any:
    """What a group that does not exist answers: hidden groups must answer exactly this."""
    path = f"community/groups/{MISSING_ID}" + (f"/{operation}" if operation else "")
    return await post(client, token, path, **data)


async def snapshot(svc, group_id: str) -> tuple[Any, ...]:
    """The group row, its members, applications, invitations and its members' groups lists."""

    def read(conn: Any) -> tuple[Any, ...]:
        members = group_store.members(conn, group_id)
        lists = {m.username: group_store.groups_of_user(conn, m.user_id) for m in members}
        return (group_store.group_by_id(conn, group_id), members, group_store.count_applications(conn, group_id),
                admin_store.count_group_invitations(conn, group_id), lists)

    return await svc.db.read(read)


async def stored_group(svc, group_id: str) -> Any:
    return await svc.db.read(group_store.group_by_id, group_id)


async def group_count(svc) -> int:
    from sqlalchemy import func, select

    return int(await svc.db.read(lambda conn: conn.execute(select(func.count()).select_from(groups_table)).scalar_one()))


def error_of(body: Any) -> tuple[int, str, list[str]]:
    assert "error" in body, body
    return body["error"]["code"], body["error"]["message"], body["error"].get("details", [])


def blob_keys(svc) -> set[str]:
    """Every blob on disk under groups/ (the file-system blob store of the tests)."""
    root = svc.blobs.root / "groups"
    return {str(p.relative_to(svc.blobs.root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


async def add_application(svc, group_id: str, username: str) -> None:
    from geoshare.storage.tables import group_applications

    user = await svc.db.read(user_store.user_by_username, username)
    await svc.db.write(lambda conn: conn.execute(group_applications.insert().values(
        group_id=group_id, user_id=user.id, received=svc.clock.now_ms())))


async def add_invitation(svc, group_id: str, username: str) -> None:
    from geoshare.domain.services import new_id
    from geoshare.storage import invitations as invitation_store
    from geoshare.storage.records import Invitation

    user = await svc.db.read(user_store.user_by_username, username)
    now = svc.clock.now_ms()
    invitation = Invitation(id="G" + new_id(), user_id=user.id, target_type="group", target_id=group_id,
                            from_user_id=None, role="group_member", must_approve=False, email=None, created=now,
                            expiration=now + 86_400_000)
    await svc.db.write(invitation_store.insert_invitation, invitation)


__all__ = ["ADMIN"]
