"""Helpers of the organisation tests (test_org_*.py, test_security_policy.py, test_member_listing.py,
test_user_search.py): stored-state snapshots, images, custom-role members."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from geoshare.domain import privileges
from geoshare.storage import orgs as org_store
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import org_resources
from tests.conftest import DEFAULT_ORG, SHARING, get_token, image_bytes, make_user

PASSWORD = "Member12345"
NOT_FOUND = {"error": {"code": 400, "message": "Portal does not exist or is inaccessible.", "details": []}}


def image(fmt: str = "PNG", size: tuple[int, int] = (8, 8), color: str = "red") -> bytes:
    return image_bytes(fmt, size, color)


def blob_files(svc: Any) -> list[str]:
    root = Path(svc.blobs.root)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


async def snapshot(svc: Any, org_id: str = DEFAULT_ORG) -> tuple[Any, ...]:
    """Everything an organisation call may change: the org row, its resources and the blob files."""
    org = await svc.db.read(org_store.org_by_id, org_id)
    rows = await svc.db.read(lambda conn: [dict(r) for r in conn.execute(
        select(org_resources).order_by(org_resources.c.org_id, org_resources.c.key)).mappings()])
    return org, rows, blob_files(svc)


async def member_with(svc: Any, client: Any, username: str, *extra: str, org_id: str = DEFAULT_ORG) -> str:
    """A member whose custom role holds the Viewer privileges plus `extra`; returns a token."""
    role_id = ("r" + username.replace("_", ""))[:16].ljust(16, "0")
    now = svc.clock.now_ms()
    await svc.db.write(lambda conn: role_store.insert_role(
        conn, role_id=role_id, org_id=org_id, name=f"role of {username}", description=None,
        privileges=[*privileges.VIEWER, *extra], now=now))
    user = await make_user(svc, username, PASSWORD, org_id=org_id)
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, role_id=role_id))
    return await get_token(client, username, PASSWORD)


async def call(client: Any, path: str, token: str | None = None, method: str = "POST", files: Any = None,
               **params: Any) -> Any:
    data = {"f": "json", **({"token": token} if token else {}), **params}
    if method == "GET":
        return (await client.get(f"{SHARING}/{path}", params=data)).json()
    return (await client.post(f"{SHARING}/{path}", data=data, files=files)).json()


async def portal_self(client: Any, token: str | None = None, portal: str = "self") -> Any:
    return await call(client, f"portals/{portal}", token, method="GET")
