"""The item visibility rule of sharing-api.md §8.2 in its two forms (domain/access.py): the SQL
predicate `item_visible` and the one-item `sees_item` agree for every caller kind and every kind
of item; and a few cells are written out by hand."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from geoshare.domain import access, accounts
from geoshare.domain.principal import Principal
from geoshare.domain.privileges import VIEWER_ROLE_ID
from geoshare.storage import orgs as org_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import item_groups, items
from tests.conftest import ADMIN, make_group, make_item, make_org, make_user, set_org_access

CALLERS = ("anonymous", "owner", "member", "viewer", "publisher", "group_member", "admin", "other_admin")


@pytest.fixture
async def world(client, svc, admin_token) -> dict[str, Any]:
    await make_user(svc, "i_owner")
    await make_user(svc, "i_member")
    await make_user(svc, "i_viewer", role_id=VIEWER_ROLE_ID)
    await make_user(svc, "i_publisher", role="org_publisher")
    await make_user(svc, "i_grouped")
    await make_org(client, admin_token, "Elsewhere", "other_admin")
    group = await make_group(svc, "i_owner", "Item group", members=("i_grouped",), access="private")
    found: dict[str, Any] = {}
    for name, columns, shares in (("private", {}, ()), ("shared", {}, (group.id,)),
                                  ("org", {"shared_org": True}, ()), ("public", {"shared_public": True}, ()),
                                  ("org+group", {"shared_org": True}, (group.id,))):
        found[name] = await make_item(svc, "i_owner", f"Item {name}", groups=shares, **columns)
    found["other_public"] = await make_item(svc, "other_admin", "Elsewhere public", shared_public=True)
    found["other_org"] = await make_item(svc, "other_admin", "Elsewhere org", shared_org=True)
    return found


async def principal(svc: Any, who: str) -> Principal:
    names = {"owner": "i_owner", "member": "i_member", "viewer": "i_viewer", "publisher": "i_publisher",
             "group_member": "i_grouped", "admin": ADMIN, "other_admin": "other_admin"}
    if who == "anonymous":
        return Principal()
    return await accounts.principal_for_user(svc, await svc.db.read(user_store.user_by_username, names[who]))


async def visible_ids(svc: Any, viewer: Principal) -> set[str]:
    query = select(items.c.id).where(access.item_visible(viewer))
    return set(await svc.db.read(lambda conn: list(conn.execute(query).scalars())))


async def one_by_one(svc: Any, viewer: Principal, found: dict[str, Any]) -> set[str]:
    seen = set()
    for item in found.values():
        org = await svc.db.read(org_store.org_by_id, item.org_id)
        me = viewer.user.id if viewer.user else None
        shared = await svc.db.read(lambda conn, i=item: conn.execute(
            select(item_groups.c.group_id).where(item_groups.c.item_id == i.id)).scalars().all())
        members = await svc.db.read(lambda conn, s=shared: conn.execute(select(access.group_members.c.user_id).where(
            access.group_members.c.group_id.in_(list(s)))).scalars().all()) if shared else []
        if access.sees_item(viewer, item, org_is_public=org.access == "public", shared_with_viewer=me in members):
            seen.add(item.id)
    return seen


@pytest.mark.parametrize("who", CALLERS)
async def test_the_two_forms_agree(svc, world, who):
    viewer = await principal(svc, who)
    assert await visible_ids(svc, viewer) == await one_by_one(svc, viewer, world)


async def test_cells_written_by_hand(svc, world):
    def names(ids: set[str]) -> set[str]:
        return {name for name, item in world.items() if item.id in ids}

    expected = {
        "anonymous": {"public", "other_public"},
        "owner": {"private", "shared", "org", "public", "org+group", "other_public"},
        "member": {"org", "public", "org+group", "other_public"},
        "viewer": {"org", "public", "org+group", "other_public"},
        "group_member": {"shared", "org", "public", "org+group", "other_public"},
        "admin": {"private", "shared", "org", "public", "org+group", "other_public"},
        "other_admin": {"public", "other_public", "other_org"},
    }
    for who, wanted in expected.items():
        assert names(await visible_ids(svc, await principal(svc, who))) == wanted, who


async def test_anonymous_callers_see_no_public_item_of_a_private_organization(svc, world):
    await set_org_access(svc, world["public"].org_id, "private")
    assert {i for i in await visible_ids(svc, Principal())} == {world["other_public"].id}


def test_derived_access_takes_the_highest_level():
    assert access.derived_access(True, True, 3) == "public"
    assert access.derived_access(False, True, 3) == "org"
    assert access.derived_access(False, False, 1) == "shared"
    assert access.derived_access(False, False, 0) == "private"
