"""content/groups/{groupId} (sharing-api.md §5.6, clients.md §7): who may list a group's content,
the missing-group answer with messageCode CONT_0006, the page's shape and paging, and the
content source the items work plugs in."""

from __future__ import annotations

from typing import Any

import pytest

from geoshare.domain import group_content
from geoshare.domain.services import new_id
from tests.api.org_support import call
from tests.conftest import get_token, make_group, make_user

PASSWORD = "Member12345"


@pytest.fixture
async def world(client, svc, admin_token) -> dict[str, Any]:
    await make_user(svc, "alice", PASSWORD)
    await make_user(svc, "bob", PASSWORD)
    groups = {
        "public": await make_group(svc, "alice", "Open", access="public"),
        "org": await make_group(svc, "alice", "Org", access="org"),
        "private": await make_group(svc, "alice", "Closed", access="private", members=("bob",)),
    }
    tokens = {"admin": admin_token, "alice": await get_token(client, "alice", PASSWORD),
              "bob": await get_token(client, "bob", PASSWORD)}
    return {"groups": {k: g.id for k, g in groups.items()}, "tokens": tokens}


async def listing(client, group_id, token=None, method="GET", **params) -> Any:
    return await call(client, f"content/groups/{group_id}", token, method=method, **params)


async def test_an_empty_group_lists_an_empty_page(client, world):
    body = await listing(client, world["groups"]["public"])
    assert body == {"total": 0, "start": 1, "num": 10, "nextStart": -1, "items": []}
    body = await listing(client, world["groups"]["public"], method="POST", start="1", num="100")  # REST JS asks this
    assert body == {"total": 0, "start": 1, "num": 100, "nextStart": -1, "items": []}
    body = await listing(client, world["groups"]["public"], start="-1", num="101")
    assert body == {"total": 0, "start": -1, "num": 100, "nextStart": -1, "items": []}


@pytest.mark.parametrize(("who", "kind"), [(None, "public"), ("bob", "org"), ("bob", "private"),
                                           ("alice", "private"), ("admin", "private")])
async def test_whoever_sees_the_group_may_list_it(client, world, who, kind):
    body = await listing(client, world["groups"][kind], world["tokens"][who] if who else None)
    assert body["items"] == [] and body["total"] == 0, body


async def test_a_hidden_group_answers_like_a_missing_one(client, world, svc):
    await make_user(svc, "carol", PASSWORD)
    carol = await get_token(client, "carol", PASSWORD)
    hidden = await listing(client, world["groups"]["private"], carol)
    assert hidden == {"error": {"code": 400, "messageCode": "CONT_0006",
                                "message": "Group does not exist or is inaccessible.", "details": []}}
    assert await listing(client, new_id(), carol) == hidden
    assert await listing(client, "short", carol) == hidden
    assert await listing(client, world["groups"]["org"], None) == hidden  # anonymous: org groups hidden
    assert await listing(client, world["groups"]["private"], None) == hidden


async def test_the_group_read_keeps_its_own_answer(client, world):
    """Only the content tree adds CONT_0006; community/groups/{id} answers without it."""
    body = await call(client, f"community/groups/{new_id()}", None, method="GET")
    assert "messageCode" not in body["error"] and body["error"]["code"] == 400


@pytest.mark.parametrize(("params", "detail"), [({"num": "x"}, "'num' must be an integer."),
                                                ({"sortOrder": "up"}, "'sortOrder' must be one of: asc, desc.")])
async def test_bad_parameters(client, world, params, detail):
    body = await listing(client, world["groups"]["public"], **params)
    assert body["error"]["code"] == 400 and body["error"]["details"] == [detail], body


@pytest.fixture
def source():
    """A content source standing in for the items work: 25 numbered items per group, recording
    what each call asked for.  Restored afterwards."""
    asked: list[group_content.Listing] = []

    def pages(conn, listing: group_content.Listing) -> group_content.ContentPage:
        asked.append(listing)
        items = [{"id": f"{listing.group.id}-{i}", "title": f"Item {i}"} for i in range(25)]
        return group_content.ContentPage(total=25, items=items[listing.offset:listing.offset + listing.limit])

    before = group_content._source[0]
    group_content.set_content_source(pages)
    yield asked
    group_content.set_content_source(before)  # the real source (the items work's), not the empty one


async def test_the_registered_source_answers_with_the_window(client, world, source):
    group_id = world["groups"]["private"]
    body = await listing(client, group_id, world["tokens"]["bob"], start="11", num="10", sortField="title",
                         sortOrder="desc")
    assert (body["total"], body["start"], body["num"], body["nextStart"]) == (25, 11, 10, 21)
    assert [i["title"] for i in body["items"]] == [f"Item {i}" for i in range(10, 20)]
    last = source[-1]
    assert (last.group.id, last.viewer.username, last.offset, last.limit) == (group_id, "bob", 10, 10)
    assert (last.sort_field, last.sort_order) == ("title", "desc")
    body = await listing(client, group_id, world["tokens"]["bob"], start="21", num="10")
    assert (len(body["items"]), body["nextStart"]) == (5, -1)


async def test_the_source_is_never_asked_about_a_hidden_group(client, world, source):
    await listing(client, world["groups"]["private"], None)
    assert source == []
