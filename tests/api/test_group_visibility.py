"""One rule for who sees a group (sharing-api.md §8.3, §7.5), in four places: `access.sees_group`
on one loaded group, `access.group_visible` in SQL, GET community/groups/{id}, and the results and
total of community/groups.  For every kind of caller and every kind of group they must agree with
each other and with the rule written out by hand below, or a search would count groups a read
then hides (or the reverse)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from geoshare.domain import access, accounts, privileges
from geoshare.domain.principal import ANONYMOUS, Principal
from geoshare.storage import groups as group_store
from geoshare.storage import roles as role_store
from geoshare.storage import users as user_store
from geoshare.storage.tables import groups
from tests.api.org_support import call
from tests.conftest import ADMIN, ADMIN_PASSWORD, DEFAULT_ORG, get_token, make_group, make_user

PASSWORD = "Member12345"
ACCESS = ("private", "org", "public")
CUSTOM_ROLE = "cVisGroups000001"
# Groups: home-<access> (owned by h_owner, h_member a member, h_gadmin a group admin),
# away-<access>-joined (another organization's, h_member and h_gadmin belong to it) and
# away-<access> (another organization's, nobody from home belongs to it).
HOME = {f"home-{a}" for a in ACCESS}
PUBLIC = {"home-public", "away-public-joined", "away-public"}
ORG_READERS = PUBLIC | {"home-org"}
MEMBERS = ORG_READERS | {"home-private", "away-private-joined", "away-org-joined"}
EXPECTED = {
    "anonymous": PUBLIC,
    "h_viewer": ORG_READERS,
    "h_user": ORG_READERS,
    "h_publisher": ORG_READERS,
    "h_custom": ORG_READERS,  # portal:admin:viewUsers is not portal:admin:viewGroups
    "h_no_org_groups": PUBLIC,  # a custom role without portal:user:viewOrgGroups
    ADMIN: PUBLIC | HOME,
    "a_admin": {f"away-{a}" for a in ACCESS} | {f"away-{a}-joined" for a in ACCESS} | {"home-public"},
    "h_member": MEMBERS,
    "h_gadmin": MEMBERS,
    "h_owner": ORG_READERS | HOME,
}


@pytest.fixture
async def world(client, svc) -> dict[str, Any]:
    other, _ = await accounts.create_org(svc, "Group Visibility Other", accounts.NewUser("a_admin", PASSWORD))
    await accounts.create_user(svc, other.id, accounts.NewUser("a_owner", PASSWORD))
    await make_user(svc, "h_viewer", PASSWORD, role_id=privileges.VIEWER_ROLE_ID)
    await make_user(svc, "h_publisher", PASSWORD, role="org_publisher")
    for name in ("h_user", "h_member", "h_gadmin", "h_owner", "h_custom", "h_no_org_groups"):
        await make_user(svc, name, PASSWORD)
    await _custom_role(svc, "h_custom", CUSTOM_ROLE, [*privileges.VIEWER, "portal:admin:viewUsers"])
    await _custom_role(svc, "h_no_org_groups", "cVisGroups000002", ["portal:user:joinGroup"])
    ids = {}
    for a in ACCESS:
        ids[f"home-{a}"] = (await make_group(svc, "h_owner", f"home-{a}", access=a, members=("h_member",),
                                             admins=("h_gadmin",))).id
        ids[f"away-{a}-joined"] = (await make_group(svc, "a_owner", f"away-{a}-joined", access=a,
                                                    members=("h_member",), admins=("h_gadmin",))).id
        ids[f"away-{a}"] = (await make_group(svc, "a_owner", f"away-{a}", access=a)).id
    tokens: dict[str, str | None] = {"anonymous": None, ADMIN: await get_token(client, ADMIN, ADMIN_PASSWORD)}
    for name in EXPECTED:
        if name not in tokens:
            tokens[name] = await get_token(client, name, PASSWORD)
    return {"ids": ids, "tokens": tokens}


async def _custom_role(svc: Any, username: str, role_id: str, granted: list[str]) -> None:
    now = svc.clock.now_ms()
    await svc.db.write(lambda conn: role_store.insert_role(conn, role_id=role_id, org_id=DEFAULT_ORG, name=role_id,
                                                           description=None, privileges=granted, now=now))
    user = await svc.db.read(user_store.user_by_username, username)
    await svc.db.write(lambda conn: user_store.update_user(conn, user.id, role_id=role_id))


async def principal(svc: Any, name: str) -> Principal:
    if name == "anonymous":
        return ANONYMOUS
    user = await svc.db.read(user_store.user_by_username, name)
    return await accounts.principal_for_user(svc, user)


async def by_loaded_group(svc: Any, viewer: Principal, ids: dict[str, str]) -> set[str]:
    def load(conn: Any) -> set[str]:
        found = set()
        for title, group_id in ids.items():
            group = group_store.group_by_id(conn, group_id)
            member_type = group_store.member_type(conn, group_id, viewer.user.id) if viewer.user else None
            if access.sees_group(viewer, group, member_type):
                found.add(title)
        return found

    return await svc.db.read(load)


async def by_sql(svc: Any, viewer: Principal) -> set[str]:
    query = select(groups.c.title).where(access.group_visible(viewer))
    return set(await svc.db.read(lambda conn: list(conn.execute(query).scalars())))


async def by_reading(client: Any, token: str | None, ids: dict[str, str]) -> set[str]:
    found = set()
    for title, group_id in ids.items():
        body = await call(client, f"community/groups/{group_id}", token, method="GET")
        if "error" not in body:
            assert body["title"] == title
            found.add(title)
        else:
            assert body == {"error": {"code": 400, "message": "Group does not exist or is inaccessible.",
                                      "details": []}}
    return found


async def by_search(client: Any, token: str | None) -> set[str]:
    body = await call(client, "community/groups", token, method="GET", q="*", num="100")
    titles = [g["title"] for g in body["results"]]
    assert body["total"] == len(titles) == len(set(titles)), body
    return set(titles)


@pytest.mark.parametrize("name", list(EXPECTED))
async def test_every_form_of_the_rule_agrees(client, svc, world, name):
    viewer = await principal(svc, name)
    token = world["tokens"][name]
    expected = EXPECTED[name]
    assert await by_loaded_group(svc, viewer, world["ids"]) == expected
    assert await by_sql(svc, viewer) == expected
    assert await by_reading(client, token, world["ids"]) == expected
    assert await by_search(client, token) == expected

