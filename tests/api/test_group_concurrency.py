"""Concurrent membership changes on one group (issue 9).

The in-process client runs the requests of one `asyncio.gather` concurrently; on PostgreSQL each
write is its own transaction on its own connection, so these tests race real transactions there
(GEOSHARE_TEST_DATABASE_URL); on SQLite the writes queue on the one writer and the same
assertions hold.  After the storm, the member rows, every user's community/self `groups` list and
the state the operations imply must agree.
"""

from __future__ import annotations

import asyncio

from tests.api.group_members_support import fill_memberships, groups_of, members_of, post
from tests.conftest import get_token, make_group, make_user

PASSWORD = "Member12345"


async def _members(client, svc, prefix, count):
    names = [f"{prefix}{i:02d}" for i in range(count)]
    for name in names:
        await make_user(svc, name, PASSWORD)
    return {name: await get_token(client, name, PASSWORD) for name in names}


async def test_concurrent_add_remove_join_leave_leave_one_consistent_group(client, svc, admin_token):
    added = await _members(client, svc, "add", 20)
    removed = await _members(client, svc, "rem", 10)
    joining = await _members(client, svc, "join", 10)
    leaving = await _members(client, svc, "leave", 10)
    group = await make_group(svc, "admin", "Busy", access="org", auto_join=True,
                             members=(*removed, *leaving))
    gid = f"community/groups/{group.id}"
    names = list(added)
    calls = [post(client, f"{gid}/addUsers", admin_token, users=",".join(names[i:i + 5])) for i in range(0, 20, 5)]
    # the same names twice, as REST JS may when a caller repeats a batch
    calls += [post(client, f"{gid}/addUsers", admin_token, users=",".join(names[:5]))]
    calls += [post(client, f"{gid}/removeUsers", admin_token, users=name) for name in removed]
    calls += [post(client, f"{gid}/join", token) for token in joining.values()]
    calls += [post(client, f"{gid}/join", token) for token in list(joining.values())[:3]]  # joined twice at once
    calls += [post(client, f"{gid}/leave", token) for token in leaving.values()]
    results = await asyncio.gather(*calls)
    assert all("error" not in r for r in results), [r for r in results if "error" in r]
    expected = {"admin": "owner", **{n: "member" for n in (*added, *joining)}}
    assert await members_of(svc, group.id) == expected
    for name, token in {**added, **removed, **joining, **leaving}.items():
        assert (group.id in await groups_of(client, token)) == (name in expected), name


async def test_concurrent_adds_and_removes_of_the_same_users_stay_consistent(client, svc, admin_token):
    people = await _members(client, svc, "flip", 12)
    group = await make_group(svc, "admin", "Flip", access="org")
    gid = f"community/groups/{group.id}"
    names = ",".join(people)
    calls = [post(client, f"{gid}/{'addUsers' if i % 2 == 0 else 'removeUsers'}", admin_token, users=names)
             for i in range(8)]
    results = await asyncio.gather(*calls)
    assert all("error" not in r for r in results), results
    final = await members_of(svc, group.id)
    assert final["admin"] == "owner"
    for name, token in people.items():
        assert (group.id in await groups_of(client, token)) == (name in final), name


async def test_a_user_at_511_joining_two_groups_at_once_ends_at_512(client, svc, admin_token):
    await make_user(svc, "edge", PASSWORD)
    token = await get_token(client, "edge", PASSWORD)
    await fill_memberships(svc, "edge", 511)
    first = await make_group(svc, "admin", "First", access="org", auto_join=True)
    second = await make_group(svc, "admin", "Second", access="org", auto_join=True)
    results = await asyncio.gather(post(client, f"community/groups/{first.id}/join", token),
                                   post(client, f"community/groups/{second.id}/join", token))
    assert sorted("error" in r for r in results) == [False, True], results
    refused = next(r for r in results if "error" in r)
    assert refused["error"]["details"] == ["'edge' already belongs to 512 groups, the most a user may belong to."]
    assert len(await groups_of(client, token)) == 512


async def test_adding_a_user_at_511_to_two_groups_at_once_adds_once(client, svc, admin_token):
    await make_user(svc, "edge2", PASSWORD)
    token = await get_token(client, "edge2", PASSWORD)
    await fill_memberships(svc, "edge2", 511)
    first = await make_group(svc, "admin", "First", access="org")
    second = await make_group(svc, "admin", "Second", access="org")
    results = await asyncio.gather(post(client, f"community/groups/{first.id}/addUsers", admin_token, users="edge2"),
                                   post(client, f"community/groups/{second.id}/addUsers", admin_token, users="edge2"))
    assert sorted(r["notAdded"] for r in results) == [[], ["edge2"]]
    assert len(await groups_of(client, token)) == 512
