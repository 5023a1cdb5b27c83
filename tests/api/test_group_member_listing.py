"""users and userlist (sharing-api.md §5.5): who sees a group's members, and the filtered,
sorted, paged list that REST JS searchGroupUsers asks for."""

from __future__ import annotations

import pytest

from tests.api.expected import FORBIDDEN
from tests.api.group_members_support import error, get, member, post
from tests.conftest import make_group


@pytest.fixture
async def people(client, svc, admin_token):
    return {"admin": admin_token, "owner": await member(client, svc, "owner1"),
            "gadmin": await member(client, svc, "gadmin1"), "member": await member(client, svc, "member1"),
            "outsider": await member(client, svc, "outsider1")}


async def _group(svc, **columns):
    group = await make_group(svc, "owner1", f"Team {columns.get('access', 'org')}", members=("member1",), admins=("gadmin1",),
                             **{"access": "org", **columns})
    return group.id


async def test_users_lists_owner_admins_and_members(client, svc, people):
    gid = await _group(svc)
    expected = {"owner": "owner1", "admins": ["owner1", "gadmin1"], "users": ["member1"]}
    for who in people:
        assert await get(client, f"community/groups/{gid}/users", people[who]) == expected
    # arcgis posts it, with a doubled slash
    reply = await client.post(f"/portal/sharing/rest/community/groups/{gid}//users",
                              data={"f": "json", "token": people["member"]})
    assert reply.json() == expected


async def test_public_group_members_are_listed_anonymously_but_private_ones_are_missing(client, svc, people):
    public, private = await _group(svc, access="public"), await _group(svc, access="private")
    assert (await get(client, f"community/groups/{public}/users", None))["owner"] == "owner1"
    hidden = await get(client, f"community/groups/{private}/users", people["outsider"])
    assert hidden == await get(client, f"community/groups/{'f' * 32}/users", people["outsider"])
    assert error(hidden)[:2] == (400, "Group does not exist or is inaccessible.")


async def test_hidden_members_only_for_managers_and_admins(client, svc, people):
    gid = await _group(svc, hidden_members=True)
    for who in ("owner", "gadmin", "admin"):
        assert (await get(client, f"community/groups/{gid}/users", people[who]))["users"] == ["member1"]
        assert (await get(client, f"community/groups/{gid}/userlist", people[who]))["total"] == 3
    for who in ("member", "outsider"):
        assert await get(client, f"community/groups/{gid}/users", people[who]) == FORBIDDEN["sharing"]
        assert await get(client, f"community/groups/{gid}/userlist", people[who]) == FORBIDDEN["sharing"]


async def _big_group(client, svc, people):
    svc.clock.pin(1_000_000)
    gid = await _group(svc)
    for name in ("carol", "alice", "bob"):
        await member(client, svc, name)
        svc.clock.advance(1000)
        await post(client, f"community/groups/{gid}/addUsers", people["admin"], users=name)
    return gid


async def test_userlist_shape_and_default_order(client, svc, people):
    gid = await _big_group(client, svc, people)
    page = await get(client, f"community/groups/{gid}/userlist", people["member"])
    assert {k: page[k] for k in ("total", "start", "num", "nextStart", "owner")} == {
        "total": 6, "start": 1, "num": 25, "nextStart": -1, "owner": {"username": "owner1", "fullName": "owner1"}}
    assert [u["username"] for u in page["users"]] == ["alice", "bob", "carol", "gadmin1", "member1", "owner1"]
    assert page["users"][0] == {"username": "alice", "fullName": "alice", "memberType": "member", "thumbnail": None,
                                "joined": 1_002_000}


@pytest.mark.parametrize(("params", "names"), [
    ({"name": "AL"}, ["alice"]),
    ({"name": "o"}, ["bob", "carol", "owner1"]),
    ({"memberType": "admin"}, ["gadmin1"]),
    ({"memberType": "owner"}, ["owner1"]),
    ({"sortField": "joined", "sortOrder": "desc", "memberType": "member"}, ["bob", "alice", "carol", "member1"]),
    ({"sortField": "memberType"}, ["owner1", "gadmin1", "alice", "bob", "carol", "member1"]),
    ({"joined": "1001000,1002000"}, ["alice", "carol"]),
    ({"joined": "1002001,"}, ["bob"]),
    ({"joined": ",1000999"}, ["gadmin1", "member1", "owner1"]),
])
async def test_userlist_filters_and_sorts(client, svc, people, params, names):
    gid = await _big_group(client, svc, people)
    page = await get(client, f"community/groups/{gid}/userlist", people["member"], **params)
    assert [u["username"] for u in page["users"]] == names
    assert page["total"] == len(names)


async def test_userlist_pages(client, svc, people):
    gid = await _big_group(client, svc, people)
    first = await get(client, f"community/groups/{gid}/userlist", people["member"], num=4)
    assert (first["total"], first["num"], first["nextStart"], len(first["users"])) == (6, 4, 5, 4)
    second = await get(client, f"community/groups/{gid}/userlist", people["member"], num=4, start=5)
    assert (second["nextStart"], [u["username"] for u in second["users"]]) == (-1, ["member1", "owner1"])
    exact = await get(client, f"community/groups/{gid}/userlist", people["member"], num=3, start=4)
    assert exact["nextStart"] == -1 and len(exact["users"]) == 3
    after = await get(client, f"community/groups/{gid}/userlist", people["member"], start=-1)
    assert (after["users"], after["nextStart"]) == ([], -1)


@pytest.mark.parametrize(("params", "detail"), [
    ({"joined": "yesterday,today"}, "'joined' must be '<from>,<to>' in milliseconds."),
    ({"joined": "1,2,3"}, "'joined' must be '<from>,<to>' in milliseconds."),
    ({"sortField": "email"}, "'sortField' must be one of: username, fullname, joined, memberType."),
    ({"memberType": "guest"}, "'memberType' must be one of: owner, admin, member."),
    ({"num": "-1"}, None),
])
async def test_userlist_refuses_bad_parameters(client, svc, people, params, detail):
    gid = await _group(svc)
    body = await get(client, f"community/groups/{gid}/userlist", people["member"], **params)
    assert error(body)[0] == 400
    if detail:
        assert error(body)[2] == [detail]


async def test_userlist_name_filter_escapes_wildcards(client, svc, people):
    gid = await _group(svc)
    page = await get(client, f"community/groups/{gid}/userlist", people["member"], name="%")
    assert page["total"] == 0
