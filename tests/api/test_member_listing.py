"""GET/POST portals/{id}/users (sharing-api.md §3.3, §1.7): who is listed to whom and in which
view, paging with the errata's start/num rules, sorting and the role/provider/type filters."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain.portal import MEMBER_PROFILE
from geoshare.domain.privileges import VIEWER_ROLE_ID
from geoshare.storage import users as user_store
from tests.api.org_support import NOT_FOUND, call, member_with
from tests.conftest import DEFAULT_ORG, get_token, make_org, make_user

PASSWORD = "Member12345"
USERS = "portals/self/users"


@pytest.fixture
async def members(client, svc, admin_token) -> dict[str, Any]:
    """admin + 7 members (one private, one disabled, a viewer, a publisher), and an outsider."""
    created = {}
    for name, kwargs in (("alice", {"access": "public"}), ("bob", {"role": "org_publisher"}),
                         ("carol", {"access": "private"}), ("dave", {"disabled": True}),
                         ("erin", {"role_id": VIEWER_ROLE_ID}), ("frank", {}), ("grace", {"role": "org_admin"})):
        svc.clock.advance(1000)
        created[name] = await make_user(svc, name, PASSWORD, **kwargs)
    other = await make_org(client, admin_token, "Second Org", "outsider")
    await svc.db.write(lambda conn: user_store.update_user(conn, created["frank"].id, full_name="Zed Frank",
                                                            provider="enterprise", last_login=5,
                                                            user_license_type_id="viewerUT"))
    return {"users": created, "other": other["org"]["id"]}


async def names(client, token, **params) -> list[str]:
    body = await call(client, USERS, token, method="GET", num="100", **params)
    assert "error" not in body, body
    assert body["total"] == len(body["users"]) or body["num"] < body["total"], body
    return [u["username"] for u in body["users"]]


async def test_administrators_see_everyone_in_full(client, members, admin_token):
    body = await call(client, USERS, admin_token, num="100")  # arcgis POSTs it
    listed = [u["username"] for u in body["users"]]
    assert listed == ["admin", "alice", "bob", "carol", "dave", "erin", "frank", "grace"]
    assert body["total"] == 8 and body["start"] == 1 and body["num"] == 100 and body["nextStart"] == -1
    assert all("email" in u and "privileges" in u and u["orgId"] == DEFAULT_ORG for u in body["users"])
    erin = next(u for u in body["users"] if u["username"] == "erin")
    assert erin["roleId"] == VIEWER_ROLE_ID and erin["level"] == "1"


async def test_members_see_the_member_view_without_private_or_disabled_members(client, members):
    for name in ("frank", "erin", "bob"):  # user, viewer, publisher
        token = await get_token(client, name, PASSWORD)
        body = await call(client, USERS, token, method="GET", num="100")
        listed = {u["username"]: u for u in body["users"]}
        assert set(listed) == {"admin", "alice", "bob", "erin", "frank", "grace"}
        assert body["total"] == 6  # the hidden ones are not counted either
        for username, doc in listed.items():
            if username == name:
                assert "email" in doc  # oneself, in full
            else:
                assert set(doc) == set(MEMBER_PROFILE), doc


async def test_a_custom_role_with_view_users_sees_everyone_in_full(client, svc, members):
    token = await member_with(svc, client, "auditor", "portal:admin:viewUsers")
    body = await call(client, USERS, token, method="GET", num="100")
    assert {"carol", "dave", "auditor"} <= {u["username"] for u in body["users"]}
    assert all("email" in u for u in body["users"])


async def test_private_members_see_themselves(client, members):
    token = await get_token(client, "carol", PASSWORD)
    assert "carol" in await names(client, token)


async def test_other_organizations(client, members, admin_token):
    outsider = await get_token(client, "outsider", "Other12345")
    assert await names(client, outsider) == ["outsider"]
    assert await call(client, f"portals/{DEFAULT_ORG}/users", outsider, method="GET") == NOT_FOUND
    assert await call(client, f"portals/{members['other']}/users", admin_token, method="GET") == NOT_FOUND
    assert await names(client, admin_token, **{}) == await names(client, admin_token) != []
    by_id = await call(client, f"portals/{DEFAULT_ORG}/users", admin_token, method="GET")
    assert by_id["total"] == 8


PAGES = [
    ({}, (8, 1, 10, -1, 8)),
    ({"num": "3"}, (8, 1, 3, 4, 3)),
    ({"num": "3", "start": "0"}, (8, 1, 3, 4, 3)),
    ({"num": "3", "start": "4"}, (8, 4, 3, 7, 3)),
    ({"num": "3", "start": "6"}, (8, 6, 3, -1, 3)),
    ({"num": "3", "start": "7"}, (8, 7, 3, -1, 2)),
    ({"start": "9"}, (8, 9, 10, -1, 0)),
    ({"start": "-1"}, (8, -1, 10, -1, 0)),
    ({"start": "-5", "num": "2"}, (8, -5, 2, -1, 0)),
    ({"num": "0"}, (8, 1, 0, -1, 0)),
    ({"num": "-1"}, (8, 1, 0, -1, 0)),
    ({"num": "101"}, (8, 1, 100, -1, 8)),
]


async def test_paging(client, members, admin_token, subtests):
    for params, expected in PAGES:
        with subtests.test(**params):
            body = await call(client, USERS, admin_token, method="GET", **params)
            assert (body["total"], body["start"], body["num"], body["nextStart"], len(body["users"])) == expected


async def test_pages_follow_one_another(client, members, admin_token):
    seen, start = [], 1
    while start != -1:
        body = await call(client, USERS, admin_token, method="GET", num="3", start=str(start))
        seen += [u["username"] for u in body["users"]]
        start = body["nextStart"]
    assert seen == await names(client, admin_token)


SORTS = [
    ({"sortField": "username", "sortOrder": "desc"}, ["grace", "frank", "erin", "dave", "carol", "bob", "alice", "admin"]),
    ({"sortField": "created"}, ["admin", "alice", "bob", "carol", "dave", "erin", "frank", "grace"]),
    ({"sortField": "Created", "sortOrder": "DESC"}, ["grace", "frank", "erin", "dave", "carol", "bob", "alice", "admin"]),
    ({"sortField": "fullname"}, ["admin", "alice", "bob", "carol", "dave", "erin", "grace", "frank"]),
    ({"sortField": "lastlogin", "sortOrder": "desc"}, ["admin", "frank", "alice", "bob", "carol", "dave", "erin",
                                                       "grace"]),
]


async def test_sorting(client, members, admin_token, subtests):
    for params, expected in SORTS:
        with subtests.test(**params):
            assert await names(client, admin_token, **params) == expected


async def test_sorting_by_modified(client, svc, members, admin_token):
    svc.clock.advance(1000)
    later = svc.clock.now_ms() + 10_000
    await svc.db.write(lambda conn: user_store.update_user(conn, members["users"]["bob"].id, modified=later))
    assert (await names(client, admin_token, sortField="modified", sortOrder="desc"))[0] == "bob"


FILTERS = [
    ({"role": "org_publisher"}, ["bob"]),
    ({"role": "org_admin"}, ["admin", "grace"]),
    ({"role": "viewer"}, ["erin"]),
    ({"role": VIEWER_ROLE_ID}, ["erin"]),
    ({"role": "account_publisher"}, ["bob"]),
    ({"role": "org_user"}, ["alice", "carol", "dave", "frank"]),
    ({"provider": "enterprise"}, ["frank"]),
    ({"provider": "ARCGIS", "role": "org_admin"}, ["admin", "grace"]),
    ({"userLicenseType": "viewerUT"}, ["frank"]),
    ({"userLicenseType": "creatorut", "role": "org_publisher"}, ["bob"]),
    ({"excludeSystemUsers": "true", "role": "org_publisher"}, ["bob"]),
]


async def test_filters(client, members, admin_token, subtests):
    for params, expected in FILTERS:
        with subtests.test(**params):
            assert await names(client, admin_token, **params) == expected


async def test_custom_role_filter(client, svc, members, admin_token):
    await member_with(svc, client, "auditor", "portal:admin:viewUsers")
    assert await names(client, admin_token, role="rauditor00000000") == ["auditor"]


BAD = [
    ({"sortField": "email"}, "'sortField' must be one of"),
    ({"sortOrder": "up"}, "'sortOrder' must be one of"),
    ({"userLicenseType": "superUT"}, "'userLicenseType' must be one of"),
    ({"start": "first"}, "'start' must be an integer."),
    ({"num": "many"}, "'num' must be an integer."),
    ({"excludeSystemUsers": "perhaps"}, "'excludeSystemUsers' must be true or false."),
]


async def test_bad_parameters(client, members, admin_token, subtests):
    for params, detail in BAD:
        with subtests.test(**params):
            body = await call(client, USERS, admin_token, method="GET", **params)
            assert body["error"]["code"] == 400 and any(d.startswith(detail) for d in body["error"]["details"])
